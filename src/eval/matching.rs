//! Match rules over the hits of one scan: whether a rule matches, the evidence that shows it,
//! and, for `--explain`, a trace of every part.

use super::approx;
use super::decision::{Evidence, Similarity};
use super::scan::{Hit, Scanner, found, hits_of};
use crate::lang::{Lang, Text};
use crate::model::{Approximate, Campaign, MatchRule};
use crate::text::Normalized;

/// Occurrences reported as evidence per part of a rule. A tip that repeats a word a thousand
/// times shows it a hundred times; the decision is the same.
pub(crate) const EVIDENCE_LIMIT: usize = 100;

/// A tip's text as matching sees it, for one campaign.
pub(crate) struct TextView<'a, 't> {
    pub original: &'t str,
    pub normalized: &'a Normalized,
    pub hits: &'a [Hit],
    pub present: &'a [u64],
    pub scanner: &'a Scanner,
    pub campaign_index: usize,
    pub campaign: &'a Campaign,
    /// The language of the words around the rules in an explanation.
    pub lang: Lang,
}

impl<'t> TextView<'_, 't> {
    fn literal_hits(&self, literal: usize) -> &[Hit] {
        hits_of(
            self.hits,
            self.scanner.pattern(self.campaign_index, literal),
        )
    }

    /// Whether the rule matches.
    pub(crate) fn matches(&self, rule: &MatchRule) -> bool {
        match rule {
            MatchRule::Literal(literal) => found(
                self.present,
                self.scanner.pattern(self.campaign_index, *literal),
            ),
            MatchRule::Any(parts) => parts.iter().any(|p| self.matches(p)),
            MatchRule::All(parts) => parts.iter().all(|p| self.matches(p)),
            MatchRule::Not(inner) => !self.matches(inner),
            MatchRule::Near {
                left,
                right,
                within,
            } => !self.near_pairs(left, right, *within, 1).is_empty(),
            MatchRule::Regex(regex) => regex.is_match(&self.normalized.text),
            MatchRule::Approx(approx) => !self.approximate(approx, 1).is_empty(),
            MatchRule::Words { literals, .. } => literals.iter().any(|literal| {
                found(
                    self.present,
                    self.scanner.pattern(self.campaign_index, *literal),
                )
            }),
        }
    }

    /// Stretches close enough to an approximate phrase, at most `limit`; none unless a piece
    /// of the phrase occurs unchanged.
    fn approximate(&self, approx: &Approximate, limit: usize) -> Vec<approx::Found> {
        let any_piece = approx.pieces.iter().any(|(literal, _)| {
            found(
                self.present,
                self.scanner.pattern(self.campaign_index, *literal),
            )
        });
        if !any_piece {
            return Vec::new();
        }
        let anchors = approx.pieces.iter().flat_map(|(literal, offset)| {
            self.literal_hits(*literal)
                .iter()
                .map(move |hit| (hit.start as usize, *offset))
        });
        approx::find(&self.normalized.text, approx, anchors, limit)
    }

    /// The hits of a side of `near`, with the character position each starts at, sorted by
    /// position.
    fn near_side(&self, literals: &[usize]) -> Vec<(usize, Hit)> {
        let mut side: Vec<(usize, Hit)> = literals
            .iter()
            .flat_map(|l| self.literal_hits(*l).iter().copied())
            .map(|hit| (self.normalized.char_at_byte(hit.start as usize), hit))
            .collect();
        side.sort_unstable_by_key(|(at, hit)| (*at, *hit));
        side
    }

    /// Pairs of hits, one from each side, that start within `within` characters of each other,
    /// at most `limit` of them. Each side is sorted once and searched, so a tip full of both
    /// words costs n log n, not n².
    fn near_pairs(
        &self,
        left: &[usize],
        right: &[usize],
        within: usize,
        limit: usize,
    ) -> Vec<(Hit, Hit)> {
        let right = self.near_side(right);
        let mut pairs = Vec::new();
        if right.is_empty() {
            return pairs;
        }
        for (at, a) in self.near_side(left) {
            let from = right.partition_point(|(bt, _)| *bt + within < at);
            for (bt, b) in &right[from..] {
                if *bt > at + within {
                    break;
                }
                if a != *b {
                    pairs.push((a, *b));
                    if pairs.len() >= limit {
                        return pairs;
                    }
                }
            }
        }
        pairs
    }

    /// The original text of a byte range of the normal form.
    pub(crate) fn original_of(&self, start: usize, end: usize) -> &'t str {
        let origin = self.normalized.origin(self.original, start, end);
        &self.original[origin.byte_start..origin.byte_end]
    }

    fn evidence_of(&self, start: usize, end: usize) -> Evidence<'t> {
        let origin = self.normalized.origin(self.original, start, end);
        Evidence {
            start: origin.start,
            end: origin.end,
            text: &self.original[origin.byte_start..origin.byte_end],
            similarity: None,
        }
    }

    /// The evidence for a rule that matches: every occurrence of what it requires.
    pub(crate) fn evidence(&self, rule: &MatchRule, out: &mut Vec<Evidence<'t>>) {
        match rule {
            MatchRule::Literal(literal) => {
                for hit in self.literal_hits(*literal).iter().take(EVIDENCE_LIMIT) {
                    out.push(self.evidence_of(hit.start as usize, hit.end as usize));
                }
            }
            MatchRule::Any(parts) | MatchRule::All(parts) => {
                for part in parts {
                    if self.matches(part) {
                        self.evidence(part, out);
                    }
                }
            }
            MatchRule::Not(_) => {}
            MatchRule::Near {
                left,
                right,
                within,
            } => {
                for (a, b) in self.near_pairs(left, right, *within, EVIDENCE_LIMIT) {
                    out.push(self.evidence_of(a.start as usize, a.end as usize));
                    out.push(self.evidence_of(b.start as usize, b.end as usize));
                }
            }
            MatchRule::Regex(regex) => {
                for found in regex.find_iter(&self.normalized.text).take(EVIDENCE_LIMIT) {
                    if found.start() < found.end() {
                        out.push(self.evidence_of(found.start(), found.end()));
                    }
                }
            }
            MatchRule::Approx(approx) => {
                for found in self.approximate(approx, EVIDENCE_LIMIT) {
                    let mut evidence = self.evidence_of(found.start, found.end);
                    evidence.similarity =
                        Some(Similarity::of_edits(found.edits, approx.phrase.len()));
                    out.push(evidence);
                }
            }
            MatchRule::Words { literals, .. } => {
                for literal in literals {
                    for hit in self.literal_hits(*literal).iter().take(EVIDENCE_LIMIT) {
                        out.push(self.evidence_of(hit.start as usize, hit.end as usize));
                    }
                }
            }
        }
    }

    /// Every part of the rule, marked ✓ where it matched and ✗ where it did not.
    pub(crate) fn explain(&self, rule: &MatchRule) -> String {
        let mark = |matched: bool| if matched { "✓" } else { "✗" };
        let kw = |key: &'static str| self.campaign.keywords.word(key);
        let at = |at: usize| Text::new("explain.at").with("at", at).render(self.lang);
        match rule {
            MatchRule::Literal(literal) => {
                let hits = self.literal_hits(*literal);
                let text = &self.campaign.literals[*literal];
                match hits.first() {
                    Some(hit) => {
                        let start = self.evidence_of(hit.start as usize, hit.end as usize).start;
                        format!("\"{text}\" ✓ {}", at(start))
                    }
                    None => format!("\"{text}\" ✗"),
                }
            }
            MatchRule::Any(parts) | MatchRule::All(parts) => {
                let name = kw(if matches!(rule, MatchRule::Any(_)) {
                    "kw.any"
                } else {
                    "kw.all"
                });
                let inner: Vec<String> = parts.iter().map(|p| self.explain(p)).collect();
                format!("{name}({}) {}", inner.join(", "), mark(self.matches(rule)))
            }
            MatchRule::Not(inner) => {
                format!(
                    "{}({}) {}",
                    kw("kw.not"),
                    self.explain(inner),
                    mark(self.matches(rule))
                )
            }
            MatchRule::Near {
                left,
                right,
                within,
            } => {
                let words = |side: &[usize]| {
                    side.iter()
                        .map(|l| format!("\"{}\"", self.campaign.literals[*l]))
                        .collect::<Vec<_>>()
                        .join("|")
                };
                format!(
                    "{}({}, {}, {within}) {}",
                    kw("kw.near"),
                    words(left),
                    words(right),
                    mark(self.matches(rule))
                )
            }
            MatchRule::Regex(regex) => {
                format!(
                    "{}(\"{}\") {}",
                    kw("kw.regex"),
                    regex.as_str(),
                    mark(self.matches(rule))
                )
            }
            MatchRule::Approx(approx) => {
                let phrase: String = approx.phrase.iter().collect();
                match self.approximate(approx, 1).first() {
                    Some(found) => {
                        let evidence = self.evidence_of(found.start, found.end);
                        let similarity = Similarity::of_edits(found.edits, approx.phrase.len());
                        format!(
                            "{}(\"{phrase}\", {}) ✓ \"{}\" {} {}",
                            kw("kw.approx"),
                            approx.similarity,
                            evidence.text,
                            similarity.value(),
                            at(evidence.start)
                        )
                    }
                    None => format!("{}(\"{phrase}\", {}) ✗", kw("kw.approx"), approx.similarity),
                }
            }
            MatchRule::Words { name, literals } => {
                let hit = literals.iter().find_map(|literal| {
                    self.literal_hits(*literal)
                        .first()
                        .map(|hit| (*literal, *hit))
                });
                match hit {
                    Some((literal, hit)) => {
                        let start = self.evidence_of(hit.start as usize, hit.end as usize).start;
                        format!(
                            "{}({name}) ✓ \"{}\" {}",
                            kw("kw.vocabulary"),
                            self.campaign.literals[literal],
                            at(start)
                        )
                    }
                    None => format!("{}({name}) ✗", kw("kw.vocabulary")),
                }
            }
        }
    }
}
