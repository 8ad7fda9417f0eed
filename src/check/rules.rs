//! Compiling match rules: literals into the campaign's table in normal form, regular
//! expressions with size limits, and the analyses that find rules which can never match,
//! match everything, or claim the same words for two categories.

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

use regex::{Regex, RegexBuilder};

use super::diagnostic::keyword;
use super::vocabulary::Vocabularies;
use super::{CheckError, Problems, names};
use crate::lang;
use crate::model::{Approximate, MatchRule};
use crate::syntax::Span;
use crate::syntax::ast::{MatchRuleExpr, Text};
use crate::text::{Normalized, normalize, simplify};

/// Compiled size limit of one regular expression. The regex crate runs in linear time; this
/// bounds the constant, so that a pattern such as `(\w{100}){100}` is refused, not slow.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The similarity `approx(…)` asks for when the writer gives none: one edit in five
/// characters, so that 说的/说了 or 当做/当成 in a phrase of five or more still match.
pub(crate) const DEFAULT_SIMILARITY: f64 = 0.8;

/// The longest phrase `approx(…)` compares, in characters: the comparison costs the phrase's
/// length for every character of the tip around a piece of it.
pub(crate) const APPROX_LONGEST: usize = 64;

/// The literal table of one campaign and who claims which literal.
pub(super) struct Rules<'a> {
    vocabularies: &'a Vocabularies<'a>,
    /// The literals in normal form, each once, by index: one allocation a literal, where a map
    /// beside a list took two.
    literals: IndexSet<String, FxBuildHasher>,
    spans: Vec<Span>,
    /// Where a rule's literal is put in normal form, so that one already in the table costs
    /// no allocation.
    scratch: Normalized,
    /// For each literal, in order of first use: where in `claims` the categories whose symptoms
    /// require it are, or [`UNCLAIMED`]. Most literals are claimed by none, and a record is
    /// ten times the size of its place here.
    claim_of: Vec<u32>,
    claims: Vec<Claims<'a>>,
    /// The literals one symptom's rule requires, kept from one symptom to the next.
    claimed: Vec<(usize, Span)>,
}

/// The place of a literal that no category claims, in `Rules::claim_of`.
const UNCLAIMED: u32 = u32::MAX;

/// The first two categories whose symptoms a literal alone makes match: two are all a warning
/// needs.
#[derive(Default, Clone, Copy)]
struct Claims<'a> {
    first: Option<(&'a str, Span)>,
    second: Option<(&'a str, Span)>,
}

impl<'a> Rules<'a> {
    /// The table of a campaign expected to hold about `literals` literals.
    pub(super) fn new(vocabularies: &'a Vocabularies<'a>, literals: usize) -> Self {
        Rules {
            vocabularies,
            literals: IndexSet::with_capacity_and_hasher(literals, FxBuildHasher),
            spans: Vec::with_capacity(literals),
            scratch: Normalized::default(),
            claim_of: Vec::with_capacity(literals),
            claims: Vec::new(),
            claimed: Vec::new(),
        }
    }

    /// Compiles the rule of a symptom of `category`.
    pub(super) fn symptom(
        &mut self,
        expr: &MatchRuleExpr,
        category: &'a str,
        problems: &mut Problems,
    ) -> Option<MatchRule> {
        let rule = self.rule(expr, problems)?;
        if let MatchRuleExpr::Not(_, span) = expr {
            problems.push(CheckError::RuleMatchesEverything {
                at: (*span).into(),
                why: lang::Text::new("check.rule_matches_everything.why_not"),
            });
        }
        let mut claimed = std::mem::take(&mut self.claimed);
        claimed.clear();
        sufficient_literals(expr, &rule, &mut claimed);
        for &(index, span) in &claimed {
            if self.claim_of.len() <= index {
                self.claim_of.resize(index + 1, UNCLAIMED);
            }
            if self.claim_of[index] == UNCLAIMED {
                self.claim_of[index] = self.claims.len() as u32;
                self.claims.push(Claims::default());
            }
            let claims = &mut self.claims[self.claim_of[index] as usize];
            match (claims.first, claims.second) {
                (None, _) => claims.first = Some((category, span)),
                (Some((first, _)), None) if first != category => {
                    claims.second = Some((category, span));
                }
                _ => {}
            }
        }
        self.claimed = claimed;
        Some(rule)
    }

    /// Compiles a rule; `None` when a problem in it was reported.
    pub(super) fn rule(
        &mut self,
        expr: &MatchRuleExpr,
        problems: &mut Problems,
    ) -> Option<MatchRule> {
        match expr {
            MatchRuleExpr::Literal(text) => self.literal(text, problems).map(MatchRule::Literal),
            MatchRuleExpr::Any(children, span) | MatchRuleExpr::All(children, span) => {
                let is_any = matches!(expr, MatchRuleExpr::Any(..));
                if children.is_empty() {
                    problems.push(CheckError::EmptyRule {
                        which: keyword(if is_any { "any" } else { "all" }),
                        at: (*span).into(),
                    });
                    return None;
                }
                let compiled: Vec<Option<MatchRule>> = children
                    .iter()
                    .map(|child| self.rule(child, problems))
                    .collect();
                if !is_any {
                    self.contradictions(children, problems);
                }
                let compiled: Option<Vec<MatchRule>> = compiled.into_iter().collect();
                let compiled = compiled?;
                Some(if is_any {
                    MatchRule::Any(compiled)
                } else {
                    MatchRule::All(compiled)
                })
            }
            MatchRuleExpr::Not(inner, _) => {
                Some(MatchRule::Not(Box::new(self.rule(inner, problems)?)))
            }
            MatchRuleExpr::Near {
                left,
                right,
                within,
                ..
            } => {
                let left = self.near_side(left, problems);
                let right = self.near_side(right, problems);
                let within = match within.text.parse::<usize>() {
                    Ok(n) if n <= 10_000 => Some(n),
                    _ => {
                        problems.push(CheckError::NumberOutOfRange {
                            text: within.text.clone(),
                            expected: lang::Text::new("check.number_out_of_range.distance"),
                            at: within.span.into(),
                        });
                        None
                    }
                };
                Some(MatchRule::Near {
                    left: left?,
                    right: right?,
                    within: within?,
                })
            }
            MatchRuleExpr::Regex(text, span) => {
                let regex = compile_regex(text, problems)?;
                if regex.is_match("") {
                    problems.push(CheckError::RuleMatchesEverything {
                        at: (*span).into(),
                        why: lang::Text::new("check.rule_matches_everything.why_empty"),
                    });
                }
                Some(MatchRule::Regex(regex))
            }
            MatchRuleExpr::Approx {
                phrase, similarity, ..
            } => self.approx(phrase, similarity.as_deref(), problems),
            MatchRuleExpr::Words(id, span) => Some(MatchRule::Words {
                name: id.name.clone(),
                literals: self.words(id, *span, problems)?,
            }),
        }
    }

    fn literal(&mut self, text: &Text, problems: &mut Problems) -> Option<usize> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.fill(&text.value);
        let index = if scratch.text.is_empty() {
            problems.push(CheckError::EmptyLiteral {
                at: text.span.into(),
            });
            None
        } else {
            Some(self.normal_literal(&scratch.text, text.span))
        };
        self.scratch = scratch;
        index
    }

    /// The index of a literal already in normal form, and not empty.
    fn normal_literal(&mut self, normal: &str, span: Span) -> usize {
        if let Some(index) = self.literals.get_index_of(normal) {
            return index;
        }
        self.spans.push(span);
        self.literals.insert_full(normal.to_string()).0
    }

    /// The literals of a vocabulary's words; `None` when it is not declared or has none.
    /// Its words lie in another file, so their literals are placed at the rule that uses them.
    fn words(
        &mut self,
        id: &crate::syntax::ast::Ident,
        span: Span,
        problems: &mut Problems,
    ) -> Option<Vec<usize>> {
        let Some(words) = self.vocabularies.words(&id.name) else {
            let suggestion = names::closest(&id.name, self.vocabularies.names());
            problems.push(CheckError::UndefinedVocabulary {
                name: id.name.clone(),
                at: id.span.into(),
                help: names::help(
                    suggestion,
                    lang::Text::new("check.undefined_vocabulary.help_declare")
                        .with("name", &id.name),
                ),
            });
            return None;
        };
        // Empty words were reported where the vocabulary is declared.
        let literals: Vec<usize> = words
            .iter()
            .map(|word| normalize(&word.value))
            .filter(|normal| !normal.is_empty())
            .map(|normal| self.normal_literal(&normal, span))
            .collect();
        (!literals.is_empty()).then_some(literals)
    }

    /// `approx(phrase, similarity)`: the phrase in normal form, its edit budget, and the pieces
    /// of which a matching stretch holds at least one unchanged.
    fn approx(
        &mut self,
        phrase: &Text,
        similarity: Option<&crate::syntax::ast::NumberLit>,
        problems: &mut Problems,
    ) -> Option<MatchRule> {
        let similarity = match similarity {
            None => Some(DEFAULT_SIMILARITY),
            Some(number) => match number.text.parse::<f64>() {
                Ok(s) if (0.5..=1.0).contains(&s) => Some(s),
                _ => {
                    problems.push(CheckError::NumberOutOfRange {
                        text: number.text.clone(),
                        expected: lang::Text::new("check.number_out_of_range.approx_similarity"),
                        at: number.span.into(),
                    });
                    None
                }
            },
        };
        let normal = normalize(&phrase.value);
        if normal.is_empty() {
            problems.push(CheckError::EmptyLiteral {
                at: phrase.span.into(),
            });
            return None;
        }
        let chars: Vec<char> = normal.chars().collect();
        if chars.len() > APPROX_LONGEST {
            problems.push(CheckError::ApproxTooLong {
                length: chars.len(),
                limit: APPROX_LONGEST,
                at: phrase.span.into(),
            });
            return None;
        }
        let similarity = similarity?;
        let length = chars.len();
        // The small epsilon keeps 0.8 × 5 = 4 from rounding to 3.999….
        let max_edits = (((1.0 - similarity) * length as f64) + 1e-9).floor() as usize;
        let count = max_edits + 1;
        // Each piece must be at least two characters, or one common character anchors a match.
        // With no edit allowed the one piece is the whole phrase, matched exactly.
        if max_edits > 0 && length < 2 * count {
            let allowed = (length / 2).saturating_sub(1);
            let help = if allowed == 0 {
                lang::Text::new("check.approx_too_loose.help_exact")
                    .with("length", length)
                    .with("phrase", &phrase.value)
            } else {
                // The lowest similarity, in hundredths, that leaves at most `allowed` edits.
                let edits = |s: f64| (((1.0 - s) * length as f64) + 1e-9).floor() as usize;
                let mut hundredths = 50;
                while hundredths < 100 && edits(f64::from(hundredths) / 100.0) > allowed {
                    hundredths += 1;
                }
                lang::Text::new("check.approx_too_loose.help_raise").with(
                    "similarity",
                    format!("{:.2}", f64::from(hundredths) / 100.0),
                )
            };
            problems.push(CheckError::ApproxTooLoose {
                length,
                similarity,
                edits: max_edits,
                help,
                at: phrase.span.into(),
            });
            return None;
        }
        let pieces = (0..count)
            .map(|i| {
                let (from, to) = (i * length / count, (i + 1) * length / count);
                let piece: String = chars[from..to].iter().collect();
                (self.normal_literal(&piece, phrase.span), from)
            })
            .collect();
        Some(MatchRule::Approx(Box::new(Approximate {
            phrase: chars,
            similarity,
            max_edits,
            pieces,
        })))
    }

    /// A side of `near`: a literal, `any` of literals, or a vocabulary.
    fn near_side(&mut self, expr: &MatchRuleExpr, problems: &mut Problems) -> Option<Vec<usize>> {
        match expr {
            MatchRuleExpr::Literal(text) => Some(vec![self.literal(text, problems)?]),
            MatchRuleExpr::Words(id, span) => self.words(id, *span, problems),
            MatchRuleExpr::Any(children, _) if !children.is_empty() => {
                let mut indices = Some(Vec::new());
                for child in children {
                    let found = match child {
                        MatchRuleExpr::Literal(text) => {
                            self.literal(text, problems).map(|i| vec![i])
                        }
                        MatchRuleExpr::Words(id, span) => self.words(id, *span, problems),
                        other => {
                            problems.push(CheckError::UnsupportedNearOperand {
                                at: other.span().into(),
                            });
                            None
                        }
                    };
                    match (&mut indices, found) {
                        (Some(all), Some(found)) => all.extend(found),
                        _ => indices = None,
                    }
                }
                indices
            }
            other => {
                problems.push(CheckError::UnsupportedNearOperand {
                    at: other.span().into(),
                });
                None
            }
        }
    }

    /// `all(…)` that requires a literal and forbids it too.
    fn contradictions(&self, children: &[MatchRuleExpr], problems: &mut Problems) {
        let required: Vec<&Text> = children
            .iter()
            .filter_map(|child| match child {
                MatchRuleExpr::Literal(text) => Some(text),
                _ => None,
            })
            .collect();
        for child in children {
            let MatchRuleExpr::Not(inner, _) = child else {
                continue;
            };
            let forbidden: Vec<&Text> = match inner.as_ref() {
                MatchRuleExpr::Literal(text) => vec![text],
                MatchRuleExpr::Any(options, _) => options
                    .iter()
                    .filter_map(|option| match option {
                        MatchRuleExpr::Literal(text) => Some(text),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for banned in forbidden {
                let banned_normal = normalize(&banned.value);
                // A required text that contains a forbidden one can never match either.
                if let Some(needed) = required.iter().find(|needed| {
                    !banned_normal.is_empty() && normalize(&needed.value).contains(&banned_normal)
                }) {
                    problems.push(CheckError::ContradictoryRule {
                        literal: banned.value.clone(),
                        required: needed.span.into(),
                        forbidden: banned.span.into(),
                    });
                }
            }
        }
    }

    /// Warns about literals that two categories claim.
    pub(super) fn report_ambiguity(&self, problems: &mut Problems) {
        for (index, &at) in self.claim_of.iter().enumerate() {
            let Some(claims) = self.claims.get(at as usize) else {
                continue;
            };
            if let (Some((first_category, first)), Some((second_category, second))) =
                (claims.first, claims.second)
            {
                problems.push(CheckError::AmbiguousLiteral {
                    literal: self.literals[index].clone(),
                    first_category: first_category.to_string(),
                    second_category: second_category.to_string(),
                    first: first.into(),
                    second: second.into(),
                });
            }
        }
    }

    pub(super) fn into_literals(self) -> (Vec<String>, Vec<Span>) {
        (self.literals.into_iter().collect(), self.spans)
    }
}

/// The literals whose presence alone makes the rule match, with where they are written: the
/// rule itself when it is a literal, and those reached through `any`. A literal inside `all`
/// or `near` needs company, so a tip that mentions it alone is not sent anywhere by it.
fn sufficient_literals(expr: &MatchRuleExpr, rule: &MatchRule, out: &mut Vec<(usize, Span)>) {
    match (expr, rule) {
        (MatchRuleExpr::Literal(text), MatchRule::Literal(index)) => out.push((*index, text.span)),
        (MatchRuleExpr::Words(_, span), MatchRule::Words { literals, .. }) => {
            out.extend(literals.iter().map(|index| (*index, *span)));
        }
        (MatchRuleExpr::Any(children, _), MatchRule::Any(parts)) => {
            for (child, part) in children.iter().zip(parts) {
                sufficient_literals(child, part, out);
            }
        }
        _ => {}
    }
}

/// Compiles a pattern to run over the normal form: its Chinese characters are simplified and
/// it ignores case, as the normal form does.
fn compile_regex(text: &Text, problems: &mut Problems) -> Option<Regex> {
    if let Err(error) = regex_syntax::Parser::new().parse(&text.value) {
        let (span, message) = match &error {
            regex_syntax::Error::Parse(e) => (*e.span(), e.kind().to_string()),
            regex_syntax::Error::Translate(e) => (*e.span(), e.kind().to_string()),
            _ => (
                regex_syntax::ast::Span::splat(regex_syntax::ast::Position::new(0, 1, 1)),
                error.to_string(),
            ),
        };
        let at = match text.verbatim_from {
            Some(base) => {
                let base = base as usize;
                let end = if span.end.offset > span.start.offset {
                    span.end.offset
                } else {
                    text.value[span.start.offset..]
                        .chars()
                        .next()
                        .map_or(span.start.offset, |c| span.start.offset + c.len_utf8())
                };
                Span::new(base + span.start.offset, base + end)
            }
            None => text.span,
        };
        problems.push(CheckError::InvalidRegex {
            message,
            at: at.into(),
        });
        return None;
    }
    let pattern: String = text.value.chars().map(simplify).collect();
    match RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(regex) => Some(regex),
        Err(regex::Error::CompiledTooBig(_)) => {
            problems.push(CheckError::RegexTooLarge {
                at: text.span.into(),
            });
            None
        }
        Err(error) => {
            problems.push(CheckError::InvalidRegex {
                message: error.to_string(),
                at: text.span.into(),
            });
            None
        }
    }
}
