//! Suggestions for a person: the categories a tip that no rule accepts is most like.
//!
//! Each category is a document made of its official wording, its area's, its symptoms' wording,
//! the words of its rules and the text of the scheme's example tips accepted into it, all in
//! normal form. Terms are character bigrams, weighted by BM25 with the document frequencies of
//! every loaded category, so the weights come from the schemes themselves: a bigram every
//! category shares (问题, 工作) counts for little, one that only a category's own wording has
//! counts for much. Nothing is downloaded and nothing is learned from the tips evaluated. A
//! suggestion never changes an outcome: `no_match` stays `no_match`.

use rustc_hash::{FxHashMap, FxHashSet};

use super::decision::Suggestion;
use super::matching::TextView;
use crate::model::{Expected, MatchRule, Model, Term};

/// Suggestions per tip and campaign.
pub(crate) const SUGGESTIONS: usize = 3;

/// Shared phrases shown per suggestion.
const PHRASES: usize = 5;

/// BM25's saturation and length normalisation, at their usual values.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The lowest score worth showing, and the fewest bigram occurrences a tip must share with a
/// category: below them it shares only a common word or two.
const MIN_SCORE: f64 = 2.0;
const MIN_SHARED: u32 = 2;

/// The category documents of every campaign and the index over their bigrams.
pub(crate) struct Suggester {
    /// For each campaign, for each bigram, the documents that hold it with its weight there.
    postings: Vec<FxHashMap<u64, Vec<(u32, f32)>>>,
    /// For each document: campaign, area and category indices.
    documents: Vec<(usize, usize, usize)>,
    /// For each document, the bigrams of its wording and rules (not of its examples), to find
    /// the phrases a tip shares with it.
    terms: Vec<FxHashSet<u64>>,
    /// For each campaign, the range of its documents.
    campaigns: Vec<std::ops::Range<usize>>,
}

/// Whether a character of the normal form is a letter or digit. Chinese characters, nearly all
/// of a tip, are answered without the general Unicode table.
#[inline]
fn is_word(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
        || c.is_ascii_alphanumeric()
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// The bigram of two characters of the normal form, when both are letters or digits.
#[inline]
fn bigram(a: char, b: char) -> Option<u64> {
    (is_word(a) && is_word(b)).then(|| (u64::from(a) << 32) | u64::from(b))
}

/// Every pair of neighbouring characters of a text: the byte where it starts, the byte where it
/// ends, and its bigram when both are letters or digits.
fn pairs(text: &str, out: &mut Vec<(usize, usize, Option<u64>)>) {
    let mut chars = text.char_indices();
    let Some((mut at, mut previous)) = chars.next() else {
        return;
    };
    for (next_at, c) in chars {
        out.push((at, next_at + c.len_utf8(), bigram(previous, c)));
        (at, previous) = (next_at, c);
    }
}

/// The bigrams of a text, in order, each occurrence once.
fn bigrams(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.chars()
        .zip(text.chars().skip(1))
        .filter_map(|(a, b)| bigram(a, b))
}

/// The literals a rule requires to match, not those under `not`; an approximate phrase by its
/// pieces, which together are the phrase.
fn rule_words<'m>(rule: &MatchRule, literals: &'m [String], out: &mut Vec<&'m str>) {
    for term in rule.terms() {
        match term {
            Term::Literal(index) => out.push(&literals[index]),
            Term::Approx(approx) => {
                out.extend(approx.pieces.iter().map(|(i, _)| literals[*i].as_str()));
            }
        }
    }
}

impl Suggester {
    pub(crate) fn new(model: &Model) -> Suggester {
        let mut documents = Vec::new();
        let mut counts: Vec<FxHashMap<u64, u32>> = Vec::new();
        let mut terms: Vec<FxHashSet<u64>> = Vec::new();
        let mut campaigns = Vec::new();
        let mut scratch = Vec::new();
        for (c, campaign) in model.campaigns.iter().enumerate() {
            let from = documents.len();
            for (a, area) in campaign.areas.iter().enumerate() {
                for (k, category) in area.categories.iter().enumerate() {
                    let mut texts: Vec<String> = vec![
                        crate::text::normalize(&category.title),
                        crate::text::normalize(&area.title),
                    ];
                    let mut words = Vec::new();
                    for symptom in &category.symptoms {
                        texts.push(crate::text::normalize(&symptom.title));
                        rule_words(&symptom.rule, &campaign.literals, &mut words);
                    }
                    texts.extend(words.into_iter().map(str::to_string));
                    let wording = texts.len();
                    // The scheme's own example tips of the category are written the way tips
                    // are; they weigh in the score, but the phrases shown come from the wording.
                    for example in &campaign.examples {
                        if let Expected::Accepted(categories) = &example.expect
                            && categories.contains(&category.id)
                        {
                            texts.push(crate::text::normalize(&example.text));
                        }
                    }
                    let mut tf: FxHashMap<u64, u32> = FxHashMap::default();
                    let mut held = FxHashSet::default();
                    for (t, text) in texts.iter().enumerate() {
                        scratch.clear();
                        scratch.extend(bigrams(text));
                        for term in &scratch {
                            *tf.entry(*term).or_default() += 1;
                        }
                        if t < wording {
                            held.extend(scratch.iter().copied());
                        }
                    }
                    documents.push((c, a, k));
                    counts.push(tf);
                    terms.push(held);
                }
            }
            campaigns.push(from..documents.len());
        }
        let n = counts.len().max(1) as f64;
        let lengths: Vec<f64> = counts
            .iter()
            .map(|tf| tf.values().sum::<u32>() as f64)
            .collect();
        let average = (lengths.iter().sum::<f64>() / n).max(1.0);
        let mut df: FxHashMap<u64, u32> = FxHashMap::default();
        for tf in &counts {
            for term in tf.keys() {
                *df.entry(*term).or_default() += 1;
            }
        }
        let mut postings: Vec<FxHashMap<u64, Vec<(u32, f32)>>> =
            vec![FxHashMap::default(); campaigns.len()];
        for (d, tf) in counts.iter().enumerate() {
            let norm = K1 * (1.0 - B + B * lengths[d] / average);
            // Sorted so that postings, and so scores, are built in one order every run.
            let mut terms: Vec<(&u64, &u32)> = tf.iter().collect();
            terms.sort_unstable();
            for (term, count) in terms {
                let docs = f64::from(df[term]);
                let idf = ((n - docs + 0.5) / (docs + 0.5) + 1.0).ln();
                let count = f64::from(*count);
                let weight = idf * count * (K1 + 1.0) / (count + norm);
                postings[documents[d].0]
                    .entry(*term)
                    .or_default()
                    .push((d as u32, weight as f32));
            }
        }
        Suggester {
            postings,
            documents,
            terms,
            campaigns,
        }
    }

    /// Up to [`SUGGESTIONS`] categories of the view's campaign that the tip is most like, best
    /// first, each with the phrases of the tip it shares with them.
    pub(crate) fn suggest<'m, 't>(
        &self,
        model: &'m Model,
        text: &TextView<'_, 't>,
    ) -> Vec<Suggestion<'m, 't>> {
        let range = self.campaigns[text.campaign_index].clone();
        if range.is_empty() {
            return Vec::new();
        }
        // Each occurrence of a bigram counts, as a query term written twice does in BM25: a tip
        // that says 拍照 three times is more about 拍照 than one that says it once.
        let postings = &self.postings[text.campaign_index];
        let mut scores = vec![(0.0f64, 0u32); range.len()];
        for term in bigrams(&text.normalized.text) {
            for &(d, weight) in postings.get(&term).into_iter().flatten() {
                let (score, shared) = &mut scores[d as usize - range.start];
                *score += f64::from(weight);
                *shared += 1;
            }
        }
        let mut ranked: Vec<(usize, f64)> = scores
            .into_iter()
            .enumerate()
            .filter(|(_, (score, shared))| *score >= MIN_SCORE && *shared >= MIN_SHARED)
            .map(|(d, (score, _))| (d, score))
            .collect();
        // Best first; of equal scores, the category written first.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(SUGGESTIONS);
        let campaign = &model.campaigns[text.campaign_index];
        // The tip's pairs of characters, for the shared phrases, only once something is ranked.
        let mut sequence = Vec::new();
        if !ranked.is_empty() {
            pairs(&text.normalized.text, &mut sequence);
        }
        ranked
            .into_iter()
            .map(|(offset, score)| {
                let d = range.start + offset;
                let (_, a, k) = self.documents[d];
                let area = &campaign.areas[a];
                let category = &area.categories[k];
                Suggestion {
                    area: &area.id,
                    category: &category.id,
                    title: &category.title,
                    score: (score * 100.0).round() / 100.0,
                    shared: self.shared(d, &sequence, text),
                }
            })
            .collect()
    }

    /// The longest stretches of the tip made of bigrams the document holds, as they stand in
    /// the tip, longest first, each once.
    fn shared<'t>(
        &self,
        document: usize,
        sequence: &[(usize, usize, Option<u64>)],
        text: &TextView<'_, 't>,
    ) -> Vec<&'t str> {
        let terms = &self.terms[document];
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut run: Option<(usize, usize)> = None;
        for &(at, end, term) in sequence {
            let held = term.is_some_and(|term| terms.contains(&term));
            run = match (run, held) {
                (Some((start, _)), true) => Some((start, end)),
                (None, true) => Some((at, end)),
                (Some(done), false) => {
                    runs.push(done);
                    None
                }
                (None, false) => None,
            };
        }
        runs.extend(run);
        runs.sort_by_key(|&(start, end)| (std::cmp::Reverse(end - start), start));
        let mut shared: Vec<&'t str> = Vec::new();
        for (start, end) in runs {
            let phrase = text.original_of(start, end);
            if !shared.contains(&phrase) {
                shared.push(phrase);
            }
            if shared.len() == PHRASES {
                break;
            }
        }
        shared
    }
}
