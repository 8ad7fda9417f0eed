//! Match rules over the hits of one scan: whether a rule matches, the evidence that shows it,
//! and, for `--explain`, a trace of every part.

use super::decision::Evidence;
use super::scan::{Hit, Scanner, found, hits_of};
use crate::model::{Campaign, MatchRule};
use crate::text::Normalized;

/// A tip's text as matching sees it, for one campaign.
pub(crate) struct TextView<'a> {
    pub original: &'a str,
    pub normalized: &'a Normalized,
    pub hits: &'a [Hit],
    pub present: &'a [u64],
    pub scanner: &'a Scanner,
    pub campaign_index: usize,
    pub campaign: &'a Campaign,
}

impl TextView<'_> {
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
            } => self.near_pairs(left, right, *within).next().is_some(),
            MatchRule::Regex(regex) => regex.is_match(&self.normalized.text),
        }
    }

    /// Pairs of hits, one from each side, that start within `within` characters of each other.
    fn near_pairs<'s>(
        &'s self,
        left: &'s [usize],
        right: &'s [usize],
        within: usize,
    ) -> impl Iterator<Item = (Hit, Hit)> + 's {
        let side = move |literals: &'s [usize]| {
            literals
                .iter()
                .flat_map(move |l| self.literal_hits(*l).iter().copied())
        };
        side(left).flat_map(move |a| {
            let at = self.normalized.char_at_byte(a.start as usize);
            side(right).filter_map(move |b| {
                let bt = self.normalized.char_at_byte(b.start as usize);
                (at.abs_diff(bt) <= within && a != b).then_some((a, b))
            })
        })
    }

    fn evidence_of(&self, start: usize, end: usize) -> Evidence {
        let origin = self.normalized.origin(self.original, start, end);
        Evidence {
            start: origin.start,
            end: origin.end,
            text: self.original[origin.byte_start..origin.byte_end].to_string(),
        }
    }

    /// The evidence for a rule that matches: every occurrence of what it requires.
    pub(crate) fn evidence(&self, rule: &MatchRule, out: &mut Vec<Evidence>) {
        match rule {
            MatchRule::Literal(literal) => {
                for hit in self.literal_hits(*literal) {
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
                for (a, b) in self.near_pairs(left, right, *within) {
                    out.push(self.evidence_of(a.start as usize, a.end as usize));
                    out.push(self.evidence_of(b.start as usize, b.end as usize));
                }
            }
            MatchRule::Regex(regex) => {
                for found in regex.find_iter(&self.normalized.text) {
                    if found.start() < found.end() {
                        out.push(self.evidence_of(found.start(), found.end()));
                    }
                }
            }
        }
    }

    /// Every part of the rule, marked ✓ where it matched and ✗ where it did not.
    pub(crate) fn explain(&self, rule: &MatchRule) -> String {
        let mark = |matched: bool| if matched { "✓" } else { "✗" };
        match rule {
            MatchRule::Literal(literal) => {
                let hits = self.literal_hits(*literal);
                let text = &self.campaign.literals[*literal];
                match hits.first() {
                    Some(hit) => {
                        let at = self.evidence_of(hit.start as usize, hit.end as usize).start;
                        format!("\"{text}\" ✓ at {at}")
                    }
                    None => format!("\"{text}\" ✗"),
                }
            }
            MatchRule::Any(parts) | MatchRule::All(parts) => {
                let name = if matches!(rule, MatchRule::Any(_)) {
                    "any"
                } else {
                    "all"
                };
                let inner: Vec<String> = parts.iter().map(|p| self.explain(p)).collect();
                format!("{name}({}) {}", inner.join(", "), mark(self.matches(rule)))
            }
            MatchRule::Not(inner) => {
                format!("not({}) {}", self.explain(inner), mark(self.matches(rule)))
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
                    "near({}, {}, {within}) {}",
                    words(left),
                    words(right),
                    mark(self.matches(rule))
                )
            }
            MatchRule::Regex(regex) => {
                format!("regex(\"{}\") {}", regex.as_str(), mark(self.matches(rule)))
            }
        }
    }
}
