//! One multi-pattern automaton over every literal of every loaded campaign, and the hits one
//! pass of it finds in a tip.

use daachorse::CharwiseDoubleArrayAhoCorasick;
use daachorse::charwise::iter::FindOverlappingStepper;

use crate::model::{MatchRule, Model};
#[cfg(test)]
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

    /// The literals of a rule that matches exactly when one of them occurs (a literal, a
    /// vocabulary, or `any` of those), as bits of the found-set; `None` for any other rule.
    pub(crate) fn literal_set(&self, campaign: usize, rule: &MatchRule) -> Option<LiteralSet> {
        fn collect(
            scanner: &Scanner,
            campaign: usize,
            rule: &MatchRule,
            out: &mut Vec<u32>,
        ) -> bool {
            match rule {
                MatchRule::Literal(literal) => {
                    out.push(scanner.pattern(campaign, *literal));
                    true
                }
                MatchRule::Words { literals, .. } => {
                    out.extend(literals.iter().map(|l| scanner.pattern(campaign, *l)));
                    true
                }
                MatchRule::Any(parts) => parts.iter().all(|p| collect(scanner, campaign, p, out)),
                _ => false,
            }
        }
        let mut patterns = Vec::new();
        if !collect(self, campaign, rule, &mut patterns) {
            return None;
        }
        patterns.sort_unstable();
        let mut words: Vec<(u32, u64)> = Vec::new();
        for pattern in patterns {
            let (word, bit) = (pattern / 64, 1u64 << (pattern % 64));
            match words.last_mut() {
                Some((last, bits)) if *last == word => *bits |= bit,
                _ => words.push((word, bit)),
            }
        }
        Some(LiteralSet(words.into_boxed_slice()))
    }

    /// The pattern of a campaign's literal.
    #[inline]
    pub(crate) fn pattern(&self, campaign: usize, literal: usize) -> u32 {
        self.patterns[campaign][literal]
    }

    /// A scan of one text, to be fed its normal form a character at a time; `None` when
    /// there is nothing to look for.
    pub(crate) fn start(&self) -> Option<Scan<'_>> {
        let automaton = self.automaton.as_ref()?;
        Some(Scan(automaton.find_overlapping_stepper()))
    }

    /// Sorts what a scan found by pattern then position, and sets the found-set: one bit per
    /// pattern, for the rules that only ask whether a literal occurs. With no scan (a tip no
    /// campaign takes in), nothing is found.
    pub(crate) fn finish(&self, hits: &mut [Hit], present: &mut Vec<u64>) {
        present.clear();
        present.resize(self.count.div_ceil(64), 0);
        hits.sort_unstable();
        for hit in hits.iter() {
            present[hit.pattern as usize / 64] |= 1 << (hit.pattern % 64);
        }
    }

    /// Every occurrence of every pattern in a normal form, overlapping ones included (a
    /// keyword inside a longer keyword still counts), as [`finish`](Scanner::finish) leaves
    /// them.
    #[cfg(test)]
    pub(crate) fn scan(
        &self,
        normalized: &Normalized,
        hits: &mut Vec<Hit>,
        present: &mut Vec<u64>,
    ) {
        hits.clear();
        if let Some(mut scan) = self.start() {
            for c in normalized.text.chars() {
                scan.push(c, hits);
            }
        }
        self.finish(hits, present);
    }
}

/// A scan under way: the automaton's state after the characters pushed so far.
pub(crate) struct Scan<'a>(FindOverlappingStepper<'a, u32>);

impl Scan<'_> {
    /// The next character of the normal form; the patterns ending with it go to `hits`.
    /// Every occurrence counts, overlapping ones included: a keyword inside a longer keyword
    /// still counts.
    #[inline]
    pub(crate) fn push(&mut self, c: char, hits: &mut Vec<Hit>) {
        self.0.consume(c);
        hits.extend(self.0.matches().map(|m| Hit {
            pattern: m.value(),
            start: m.start() as u32,
            end: m.end() as u32,
        }));
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

/// Literals as bits of the found-set, grouped by word: a symptom whose rule is only "one of
/// these" is answered a word at a time instead of a literal at a time.
#[derive(Debug)]
pub(crate) struct LiteralSet(Box<[(u32, u64)]>);

impl LiteralSet {
    /// Whether any of the literals occurs.
    #[inline]
    pub(crate) fn any_in(&self, present: &[u64]) -> bool {
        self.0
            .iter()
            .any(|&(word, bits)| present[word as usize] & bits != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::Scanner;
    use crate::check::{SourceFile, check};
    use crate::eval::matching::TextView;
    use crate::text::Normalized;

    const SCHEME: &str = r#"
词表 痕迹 { "拍照" "截图" }
专项 demo {
  标题 "示例"
  起止 2023年1月1日 至 2023年12月31日
  部门 办公室 "专项办"
  责任 牵头 办公室
  方面 甲 "甲" {
    类别 乙 "乙" {
      表现 任一 "任一" 匹配 任一("开会", 词表(痕迹), 任一("填表"))
      表现 全部 "全部" 匹配 全部("开会", "填表")
    }
  }
}
"#;

    #[test]
    fn a_rule_of_literals_only_is_a_literal_set_and_answers_like_the_rule() {
        let model = check(&[SourceFile {
            name: "demo.scheme".to_string(),
            text: SCHEME.to_string(),
        }])
        .model
        .expect("the scheme checks");
        let scanner = Scanner::new(&model);
        let symptoms = &model.campaigns[0].areas[0].categories[0].symptoms;
        let any = scanner
            .literal_set(0, &symptoms[0].rule)
            .expect("any of literals and a vocabulary");
        assert!(
            scanner.literal_set(0, &symptoms[1].rule).is_none(),
            "all(…) is not"
        );
        for (text, expected) in [
            ("每天都要截图", true),
            ("又要填表", true),
            ("无关的话", false),
        ] {
            let mut normalized = Normalized::default();
            normalized.fill(text);
            let (mut hits, mut present) = (Vec::new(), Vec::new());
            scanner.scan(&normalized, &mut hits, &mut present);
            assert_eq!(any.any_in(&present), expected, "{text}");
            let view = TextView {
                original: text,
                normalized: &normalized,
                hits: &hits,
                present: &present,
                scanner: &scanner,
                campaign_index: 0,
                campaign: &model.campaigns[0],
                lang: crate::lang::Lang::En,
            };
            assert_eq!(
                view.matches(&symptoms[0].rule),
                expected,
                "the rule itself: {text}"
            );
        }
    }
}
