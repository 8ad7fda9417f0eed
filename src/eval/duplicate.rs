//! Near-duplicate detection: has this tip, or one reworded slightly, been reported before?
//!
//! Similarity is the Jaccard similarity of the two texts' sets of character bigrams, taken over
//! the normal form (so script, width and glosses do not matter) without punctuation. For short
//! texts (up to [`EXACT_UP_TO`] bigrams) it is computed exactly from the bigram sets; for
//! longer ones it is estimated from a one-permutation MinHash signature of [`BINS`] values,
//! within about ±0.05 at 0.8. Candidates are found by locality-sensitive hashing in [`BANDS`]
//! bands, so the cost per tip does not grow with the number of tips before it. The index keeps
//! a signature per tip (about 0.5 KB, and the bigram set of a short text), never the texts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::decision::Repeat;
use crate::text::{Normalized, is_han};

/// Values in a signature.
const BINS: usize = 100;
/// Bands of the locality-sensitive hash; `BINS / BANDS` values each. With 20 bands of 5, two
/// texts at similarity 0.8 become candidates with probability 0.9996, at 0.3 with 0.05.
const BANDS: usize = 20;
const ROWS: usize = BINS / BANDS;
/// Fewer bigrams than this say too little to call a text a repeat.
const MIN_SHINGLES: usize = 4;
/// Up to this many bigrams a text keeps its bigram set, where a sampled estimate would be
/// coarse.
const EXACT_UP_TO: usize = 256;

/// The MinHash signature of a text.
#[derive(Debug, Clone)]
pub struct Signature {
    values: [u32; BINS],
    exact: u64,
    shingles: usize,
    /// The sorted bigram hashes of a short text.
    set: Option<Box<[u32]>>,
}

impl Signature {
    /// The signature of a text in normal form.
    pub fn of(normalized: &Normalized) -> Signature {
        let mut values = [u32::MAX; BINS];
        let mut exact = 0xcbf2_9ce4_8422_2325u64;
        let mut previous: Option<char> = None;
        let mut shingles = 0;
        let mut set = Vec::new();
        for c in normalized
            .text
            .chars()
            .filter(|c| is_han(*c) || c.is_alphanumeric())
        {
            exact = (exact ^ c as u64).wrapping_mul(0x0100_0000_01b3);
            if let Some(p) = previous {
                let hash = mix(((p as u64) << 32) | c as u64);
                let bin = (((hash >> 32) * BINS as u64) >> 32) as usize;
                let value = hash as u32;
                if value < values[bin] {
                    values[bin] = value;
                }
                shingles += 1;
                if shingles <= EXACT_UP_TO {
                    set.push(value);
                }
            }
            previous = Some(c);
        }
        densify(&mut values);
        let set = (shingles <= EXACT_UP_TO).then(|| {
            set.sort_unstable();
            set.dedup();
            set.into_boxed_slice()
        });
        Signature {
            values,
            exact,
            shingles,
            set,
        }
    }

    /// The similarity of the two texts, when it is at least `threshold`.
    fn similarity_at_least(&self, other: &Signature, threshold: f64) -> Option<f64> {
        if self.exact == other.exact {
            return Some(1.0);
        }
        // The estimate first, stopping as soon as too many values differ; a short text's exact
        // similarity is computed only when the estimate comes near the threshold.
        let exact_sets = self.set.as_ref().zip(other.set.as_ref());
        let slack = if exact_sets.is_some() { 0.2 } else { 0.0 };
        let allowed = ((1.0 - threshold + slack) * BINS as f64).floor() as usize;
        let mut differ = 0;
        // In chunks, so that each chunk compiles to vector compares.
        for (a, b) in self.values.chunks(25).zip(other.values.chunks(25)) {
            differ += a.iter().zip(b).filter(|(x, y)| x != y).count();
            if differ > allowed {
                return None;
            }
        }
        let similarity = match exact_sets {
            Some((a, b)) => jaccard(a, b),
            None => (BINS - differ) as f64 / BINS as f64,
        };
        (similarity >= threshold).then_some(similarity)
    }

    fn band_keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.values.chunks(ROWS).enumerate().map(|(band, rows)| {
            rows.iter()
                .fold(mix(band as u64 + 1), |key, v| mix(key ^ *v as u64))
        })
    }
}

/// The Jaccard similarity of two sorted, duplicate-free lists.
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// Fills empty bins from the next non-empty one (rotation densification), so that short texts
/// still have a full signature and two texts' empty bins agree only when their neighbours do.
fn densify(values: &mut [u32; BINS]) {
    if values.iter().all(|v| *v == u32::MAX) {
        return;
    }
    for i in 0..BINS {
        if values[i] != u32::MAX {
            continue;
        }
        let mut distance = 1;
        while values[(i + distance) % BINS] == u32::MAX {
            distance += 1;
        }
        let borrowed = values[(i + distance) % BINS];
        // Values filled this way are marked by the offset so they stay distinct from real ones.
        values[i] = borrowed.wrapping_add(0x9e37_79b9u32.wrapping_mul(distance as u32)) | 1;
    }
}

/// SplitMix64's finaliser: a fast, well-spread 64-bit hash.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Keys here are hashes already: hashing them again would only cost time.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8) | u64::from(*byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type ByHash<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// Members of one band bucket looked at for a new tip, the most recent first. A bucket grows
/// when many tips share a band — a stream of look-alike tips —, and looking at every member
/// would make the cost per tip grow with the input; a repeat of an older tip is still found
/// through its other bands.
const BUCKET_LIMIT: usize = 4;

/// Bands two tips must share before their signatures are compared. A repeat at 0.8 shares
/// about 6.6 of the 20 bands and two or more with probability 0.996; tips merely on one theme
/// (0.4) share two with probability 0.017 instead of one with 0.19 — a tenth of the work.
const BANDS_IN_COMMON: u8 = 2;

const NONE: u32 = u32::MAX;

/// Every tip seen so far, by signature. What a query walks is kept in compact arrays of its
/// own, apart from the signatures it rarely needs to open.
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    ids: Vec<(String, bool)>,
    signatures: Vec<Signature>,
    exact: ByHash<u32>,
    /// For each band key, the latest tip that has it; earlier ones are chained through
    /// `previous`, so a bucket costs no allocation of its own.
    latest: ByHash<u32>,
    /// `previous[tip * BANDS + band]`: the tip before it in the same bucket, or `NONE`.
    previous: Vec<u32>,
    /// Per tip: the last query that met it, and in how many bands that query met it.
    met: Vec<(u32, u8)>,
    queries: u32,
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> DuplicateIndex {
        DuplicateIndex::default()
    }

    /// The most similar earlier tip at `threshold` or above (the earliest among equals), then
    /// remembers this one. `history` marks tips from the history file.
    pub fn find_and_insert(
        &mut self,
        id: &str,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Option<Repeat> {
        if signature.shingles < MIN_SHINGLES {
            return None;
        }
        self.queries += 1;
        let keys: Vec<u64> = signature.band_keys().collect();
        let mut best: Option<(u32, f64)> = None;
        if let Some(&earlier) = self.exact.get(&signature.exact) {
            best = Some((earlier, 1.0));
        } else {
            for (band, key) in keys.iter().enumerate() {
                let mut candidate = self.latest.get(key).copied().unwrap_or(NONE);
                let mut walked = 0;
                while candidate != NONE && walked < BUCKET_LIMIT {
                    walked += 1;
                    let next = self.previous[candidate as usize * BANDS + band];
                    let met = &mut self.met[candidate as usize];
                    if met.0 != self.queries {
                        *met = (self.queries, 0);
                    }
                    met.1 += 1;
                    if met.1 == BANDS_IN_COMMON {
                        let earlier = &self.signatures[candidate as usize];
                        if let Some(similarity) = earlier.similarity_at_least(&signature, threshold)
                        {
                            let better = match best {
                                None => true,
                                Some((index, top)) => {
                                    similarity > top || (similarity == top && candidate < index)
                                }
                            };
                            if better {
                                best = Some((candidate, similarity));
                            }
                        }
                    }
                    candidate = next;
                }
            }
        }
        let index = self.ids.len() as u32;
        // An exact repeat is found through the first tip with its text; it joins no bucket, so
        // a flood of identical tips does not fill the buckets.
        let joins = best.is_none_or(|(_, similarity)| similarity < 1.0);
        if joins {
            self.exact.entry(signature.exact).or_insert(index);
        }
        for key in &keys {
            let previous = if joins {
                self.latest.insert(*key, index).unwrap_or(NONE)
            } else {
                NONE
            };
            self.previous.push(previous);
        }
        self.ids.push((id.to_string(), history));
        self.signatures.push(signature);
        self.met.push((self.queries, 0));
        best.map(|(earlier, similarity)| {
            let (tip, history) = &self.ids[earlier as usize];
            Repeat {
                tip: tip.clone(),
                similarity,
                history: *history,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{DuplicateIndex, Signature};
    use crate::text::Normalized;

    fn signature(text: &str) -> Signature {
        let mut normalized = Normalized::default();
        normalized.fill(text);
        Signature::of(&normalized)
    }

    const FIRST: &str = "六枝特区某局今年以来层层开会,超计划随意加开全区性会议,一周开了五次会,基层干部疲于奔命,没有时间下乡办实事。";
    const REWORDED: &str = "六枝特区某局今年以来层层开会,超计划随意加开全区性会议,一周竟开了五次会,基层干部疲于奔命,根本没有时间下乡办实事。";
    const OTHER: &str =
        "某镇政府工作人员接待企业语气生硬、态度傲慢,停水停电不发通知,企业生产受到很大影响。";

    #[test]
    fn a_slightly_reworded_tip_is_a_repeat() {
        let mut index = DuplicateIndex::new();
        assert!(
            index
                .find_and_insert("A", signature(FIRST), 0.8, false)
                .is_none()
        );
        let repeat = index
            .find_and_insert("B", signature(REWORDED), 0.8, false)
            .unwrap();
        assert_eq!(repeat.tip, "A");
        assert!(repeat.similarity >= 0.8 && repeat.similarity < 1.0);
    }

    #[test]
    fn the_same_text_in_traditional_characters_is_an_exact_repeat() {
        let mut index = DuplicateIndex::new();
        index.find_and_insert(
            "A",
            signature("基层负担繁重,频繁要求乡村两级重复填表"),
            0.8,
            true,
        );
        let repeat = index
            .find_and_insert(
                "B",
                signature("基層負擔繁重,頻繁要求鄉村兩級重複填表"),
                0.8,
                false,
            )
            .unwrap();
        assert_eq!(
            (repeat.tip.as_str(), repeat.similarity, repeat.history),
            ("A", 1.0, true)
        );
    }

    #[test]
    fn a_different_tip_is_not_a_repeat() {
        let mut index = DuplicateIndex::new();
        index.find_and_insert("A", signature(FIRST), 0.8, false);
        assert!(
            index
                .find_and_insert("B", signature(OTHER), 0.5, false)
                .is_none()
        );
    }
}
