//! One multi-pattern automaton over every literal of every loaded campaign, and the hits one
//! pass of it finds in a tip.

use daachorse::CharwiseDoubleArrayAhoCorasick;

use crate::model::Model;
use crate::text::Normalized;

/// The automaton, and for each campaign the pattern each of its literals became.
pub(crate) struct Scanner {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    /// `patterns[campaign][literal]`: the automaton's pattern for that literal. Campaigns that
    /// share a literal share its pattern, so a tip is scanned once for all of them.
    patterns: Vec<Vec<u32>>,
    /// How many distinct patterns the automaton holds.
    count: usize,
}

/// One occurrence of a pattern in the normal form of a tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub pattern: u32,
    /// Byte range in the normal form.
    pub start: u32,
    pub end: u32,
}

impl Scanner {
    pub(crate) fn new(model: &Model) -> Scanner {
        let mut unique: Vec<&str> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let patterns = model
            .campaigns
            .iter()
            .map(|campaign| {
                campaign
                    .literals
                    .iter()
                    .map(|literal| {
                        *index.entry(literal.as_str()).or_insert_with(|| {
                            unique.push(literal.as_str());
                            (unique.len() - 1) as u32
                        })
                    })
                    .collect()
            })
            .collect();
        // The checker refuses empty literals, and `unique` holds each literal once: the two
        // conditions under which building can fail.
        let count = unique.len();
        let automaton = (!unique.is_empty()).then(|| {
            CharwiseDoubleArrayAhoCorasick::with_values(
                unique.iter().enumerate().map(|(i, p)| (*p, i as u32)),
            )
            .expect("patterns are unique and non-empty")
        });
        Scanner {
            automaton,
            patterns,
            count,
        }
    }

    /// The pattern of a campaign's literal.
    #[inline]
    pub(crate) fn pattern(&self, campaign: usize, literal: usize) -> u32 {
        self.patterns[campaign][literal]
    }

    /// Every occurrence of every pattern, overlapping ones included (a keyword inside a longer
    /// keyword still counts), sorted by pattern then position; and the set of patterns found,
    /// one bit each, for the rules that only ask whether a literal occurs.
    pub(crate) fn scan(
        &self,
        normalized: &Normalized,
        hits: &mut Vec<Hit>,
        present: &mut Vec<u64>,
    ) {
        hits.clear();
        present.clear();
        present.resize(self.count.div_ceil(64), 0);
        let Some(automaton) = &self.automaton else {
            return;
        };
        hits.extend(
            automaton
                .find_overlapping_iter(&normalized.text)
                .map(|m| Hit {
                    pattern: m.value(),
                    start: m.start() as u32,
                    end: m.end() as u32,
                }),
        );
        hits.sort_unstable();
        for hit in hits.iter() {
            present[hit.pattern as usize / 64] |= 1 << (hit.pattern % 64);
        }
    }
}

/// The hits of one pattern in a sorted hit list.
#[inline]
pub(crate) fn hits_of(hits: &[Hit], pattern: u32) -> &[Hit] {
    let from = hits.partition_point(|h| h.pattern < pattern);
    let to = from + hits[from..].partition_point(|h| h.pattern == pattern);
    &hits[from..to]
}

/// Whether a pattern was found.
#[inline]
pub(crate) fn found(present: &[u64], pattern: u32) -> bool {
    present[pattern as usize / 64] & (1 << (pattern % 64)) != 0
}
