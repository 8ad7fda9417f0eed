//! Near-duplicate detection: has this tip, or one reworded slightly, been reported before?
//!
//! Similarity is the Jaccard similarity of the two texts' sets of character bigrams, taken over
//! the normal form (so script, width and glosses do not matter) without punctuation. It is
//! estimated from a one-permutation MinHash signature of [`BINS`] values, each kept to its
//! lowest eight bits (b-bit MinHash, corrected for the chance agreement that leaves), within
//! about ±0.05 at 0.8. Candidates are found by locality-sensitive hashing in [`BANDS`] bands,
//! so the cost per tip does not grow with the number of tips before it.
//!
//! Two short texts (up to [`EXACT_UP_TO`] bigrams) are compared exactly, from their bigram
//! sets.
//!
//! The index keeps, per tip, its signature (80 bytes), a hash of its whole text, its place in
//! each band's bucket and its id: under 200 bytes a tip, never the text; a short text adds its
//! bigram set, two bytes a bigram.

use chrono::{Datelike, NaiveDate};

use super::decision::Repeat;
use crate::text::{Normalized, is_han};

/// Values in a signature.
const BINS: usize = 80;
/// Bands of the locality-sensitive hash, of [`ROWS`] values each, over the first
/// `BANDS × ROWS` values. Two texts at similarity 0.8 share a band with probability 0.985, at
/// 0.85 with 0.997; at 0.3, 0.07.
const BANDS: usize = 8;
const ROWS: usize = 4;
/// Fewer bigrams than this say too little to call a text a repeat.
const MIN_SHINGLES: usize = 4;
/// Up to this many bigrams a text keeps its set of bigrams (a 16-bit hash of each), and two
/// such texts are compared exactly: for a short text one bigram more or less moves the
/// similarity further than a sampled estimate can see.
const EXACT_UP_TO: usize = 48;
/// The chance that two different bigram sets agree on a value's lowest eight bits anyway.
const CHANCE: f64 = 1.0 / 256.0;

/// The MinHash signature of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    values: [u8; BINS],
    exact: u64,
    shingles: usize,
    /// The sorted, distinct bigram hashes of a short text.
    set: Option<Vec<u16>>,
}

/// Whether `c` counts for similarity: letters, digits and Chinese characters, not punctuation.
#[inline]
fn counts(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if is_han(c) {
        true
    } else {
        // General punctuation and CJK symbols, most of what else a tip holds, without the
        // table lookup.
        !matches!(c as u32, 0x2000..=0x206F | 0x3000..=0x303F | 0xFF00..=0xFF65)
            && c.is_alphanumeric()
    }
}

impl Signature {
    /// The signature of a text in normal form.
    pub fn of(normalized: &Normalized) -> Signature {
        let mut values = [u32::MAX; BINS];
        let mut exact = 0xcbf2_9ce4_8422_2325u64;
        let mut previous: Option<char> = None;
        let mut shingles = 0;
        let mut set = Vec::new();
        for c in normalized.text.chars().filter(|c| counts(*c)) {
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
                    set.push((hash >> 16) as u16);
                }
            }
            previous = Some(c);
        }
        densify(&mut values);
        let set = (shingles <= EXACT_UP_TO).then(|| {
            set.sort_unstable();
            set.dedup();
            set
        });
        Signature {
            values: values.map(|v| v as u8),
            exact,
            shingles,
            set,
        }
    }

    fn band_key(values: &[u8; BINS], band: usize) -> u32 {
        let at = band * ROWS;
        u32::from_le_bytes([values[at], values[at + 1], values[at + 2], values[at + 3]])
    }

    /// Whether the text says enough to be compared at all.
    pub fn comparable(&self) -> bool {
        self.shingles >= MIN_SHINGLES
    }

    /// The keys of its locality-sensitive hash, one per band: a text similar to this one
    /// shares at least one with it, with the probabilities given at [`BANDS`].
    pub fn band_keys(&self) -> [u32; BANDS] {
        std::array::from_fn(|band| Signature::band_key(&self.values, band))
    }

    /// The similarity of this text to `earlier`, when it is at least `threshold`.
    pub fn similarity_at_least(&self, earlier: &Signature, threshold: f64) -> Option<f64> {
        if !self.comparable() || !earlier.comparable() {
            return None;
        }
        if self.exact == earlier.exact {
            return Some(1.0);
        }
        let sets = earlier.set.as_deref().zip(self.set.as_deref());
        similarity_at_least(&earlier.values, &self.values, sets, threshold)
    }

    /// The signature as bytes, to be kept in a store: the values, the text's hash, its number
    /// of bigrams and, for a short text, its bigram set.
    pub fn to_bytes(&self) -> Vec<u8> {
        let set = self.set.as_deref().unwrap_or_default();
        let mut bytes = Vec::with_capacity(BINS + 13 + set.len() * 2);
        bytes.extend_from_slice(&self.values);
        bytes.extend_from_slice(&self.exact.to_le_bytes());
        bytes.extend_from_slice(&(self.shingles as u32).to_le_bytes());
        bytes.push(u8::from(self.set.is_some()));
        for hash in set {
            bytes.extend_from_slice(&hash.to_le_bytes());
        }
        bytes
    }

    /// A signature from [`to_bytes`](Signature::to_bytes); `None` for bytes it did not write.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        let values: [u8; BINS] = bytes.get(..BINS)?.try_into().ok()?;
        let exact = u64::from_le_bytes(bytes.get(BINS..BINS + 8)?.try_into().ok()?);
        let shingles = u32::from_le_bytes(bytes.get(BINS + 8..BINS + 12)?.try_into().ok()?);
        let has_set = *bytes.get(BINS + 12)? == 1;
        let rest = bytes.get(BINS + 13..)?;
        if rest.len() % 2 != 0 || (!has_set && !rest.is_empty()) {
            return None;
        }
        let set = has_set.then(|| {
            rest.chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect()
        });
        Some(Signature {
            values,
            exact,
            shingles: shingles as usize,
            set,
        })
    }
}

/// The similarity of two signatures, when it is at least `threshold`: exact when both texts
/// are short, else estimated. For short texts the estimate only decides whether to compute
/// it, with room for its error.
fn similarity_at_least(
    a: &[u8; BINS],
    b: &[u8; BINS],
    sets: Option<(&[u16], &[u16])>,
    threshold: f64,
) -> Option<f64> {
    let agree = a.iter().zip(b).filter(|(x, y)| x == y).count();
    let estimate = if agree == BINS {
        1.0
    } else {
        ((agree as f64 / BINS as f64 - CHANCE) / (1.0 - CHANCE)).max(0.0)
    };
    let similarity = match sets {
        Some((a, b)) if estimate >= threshold - 0.3 => jaccard(a, b),
        Some(_) => return None,
        None => estimate,
    };
    (similarity >= threshold).then_some(similarity)
}

/// The Jaccard similarity of two sorted, duplicate-free lists.
fn jaccard(a: &[u16], b: &[u16]) -> f64 {
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

/// Members of one band bucket looked at for a new tip, the most recent first. A bucket grows
/// when many tips share a band — a stream of look-alike tips —, and looking at every member
/// would make the cost per tip grow with the input; a repeat of an older tip is still found
/// through its other bands.
const BUCKET_LIMIT: usize = 4;

const NONE: u32 = u32::MAX;

/// A set of tips by a 64-bit key that each tip's own record gives back: open addressing,
/// linear probing, one tip number and one byte of the key's hash per slot, the key itself
/// never stored. Each slot holds the latest tip with its key.
#[derive(Debug, Default)]
struct Slots {
    tips: Vec<u32>,
    tags: Vec<u8>,
    used: usize,
    /// Mixed into every key, so that the tables of different bands spread keys differently.
    salt: u64,
}

impl Slots {
    fn salted(salt: u64) -> Slots {
        Slots {
            salt,
            ..Slots::default()
        }
    }

    fn hash(&self, key: u64) -> u64 {
        mix(key ^ self.salt)
    }

    /// The slot of `key`, or the empty slot where it would go; `key_of` gives a tip's key.
    fn find(&self, key_of: impl Fn(u32) -> u64, key: u64) -> Option<usize> {
        if self.tips.is_empty() {
            return None;
        }
        let hash = self.hash(key);
        let tag = hash as u8;
        let mut at = home(hash, self.tips.len());
        loop {
            let tip = self.tips[at];
            if tip == NONE || (self.tags[at] == tag && key_of(tip) == key) {
                return Some(at);
            }
            at = if at + 1 == self.tips.len() { 0 } else { at + 1 };
        }
    }

    fn get(&self, key_of: impl Fn(u32) -> u64, key: u64) -> Option<u32> {
        let at = self.find(key_of, key)?;
        let tip = self.tips[at];
        (tip != NONE).then_some(tip)
    }

    /// Makes `tip` the latest with `key`; returns the one it replaces.
    fn put(&mut self, key_of: impl Fn(u32) -> u64, key: u64, tip: u32) -> Option<u32> {
        if (self.used + 1) * 4 > self.tips.len() * 3 {
            self.grow(&key_of);
        }
        let at = self
            .find(&key_of, key)
            .expect("a grown table has an empty slot");
        let before = self.tips[at];
        self.tips[at] = tip;
        self.tags[at] = self.hash(key) as u8;
        if before == NONE {
            self.used += 1;
            None
        } else {
            Some(before)
        }
    }

    fn grow(&mut self, key_of: &impl Fn(u32) -> u64) {
        // By half, not double, so that a table is never less than half full.
        let size = (self.tips.len() + self.tips.len() / 2).max(16);
        let old = std::mem::replace(&mut self.tips, vec![NONE; size]);
        self.tags = vec![0; size];
        for tip in old.into_iter().filter(|t| *t != NONE) {
            let hash = self.hash(key_of(tip));
            let mut at = home(hash, size);
            while self.tips[at] != NONE {
                at = if at + 1 == size { 0 } else { at + 1 };
            }
            self.tips[at] = tip;
            self.tags[at] = hash as u8;
        }
    }
}

/// The first slot to try for `hash` in a table of `size` slots, for any size.
fn home(hash: u64, size: usize) -> usize {
    ((u128::from(hash) * size as u128) >> 64) as usize
}

/// Every tip seen so far, by signature.
#[derive(Debug)]
pub struct DuplicateIndex {
    /// The ids, one after another; `ends[tip]` is where a tip's id ends.
    ids: String,
    ends: Vec<u64>,
    /// One bit per tip: it came from the history, not from the input being decided.
    history: Vec<u64>,
    /// The day each tip was received, as days from the common era.
    received: Vec<i32>,
    values: Vec<[u8; BINS]>,
    exact: Vec<u64>,
    /// The bigram sets of short texts, one after another; `set_ends[tip]` is where a tip's
    /// ends (a long text's is empty).
    sets: Vec<u16>,
    set_ends: Vec<u32>,
    /// The first tip of each text, by its hash.
    first: Slots,
    /// Per band, the latest tip of each band key; earlier ones are chained through `previous`.
    latest: [Slots; BANDS],
    /// `previous[tip * BANDS + band]`: the tip before it in the same bucket, or `NONE`.
    previous: Vec<u32>,
}

impl Default for DuplicateIndex {
    fn default() -> DuplicateIndex {
        DuplicateIndex {
            ids: String::new(),
            ends: Vec::new(),
            history: Vec::new(),
            received: Vec::new(),
            values: Vec::new(),
            exact: Vec::new(),
            sets: Vec::new(),
            set_ends: Vec::new(),
            first: Slots::salted(0),
            latest: std::array::from_fn(|band| Slots::salted((band as u64 + 1) << 32)),
            previous: Vec::new(),
        }
    }
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> DuplicateIndex {
        DuplicateIndex::default()
    }

    /// The number of tips remembered.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no tip is remembered.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bigram set of a short text.
    fn set(&self, tip: u32) -> Option<&[u16]> {
        let tip = tip as usize;
        let start = if tip == 0 {
            0
        } else {
            self.set_ends[tip - 1] as usize
        };
        let end = self.set_ends[tip] as usize;
        (end > start).then(|| &self.sets[start..end])
    }

    fn id(&self, tip: u32) -> &str {
        let tip = tip as usize;
        let start = if tip == 0 {
            0
        } else {
            self.ends[tip - 1] as usize
        };
        &self.ids[start..self.ends[tip] as usize]
    }

    /// The most similar earlier tip at `threshold` or above (the earliest among equals), then
    /// remembers this one. `history` marks tips from the history file.
    pub fn find_and_insert(
        &mut self,
        id: &str,
        received: NaiveDate,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Option<Repeat> {
        if signature.shingles < MIN_SHINGLES {
            return None;
        }
        let mut best: Option<(u32, f64)> = None;
        let identical = {
            let exact = &self.exact;
            self.first.get(|tip| exact[tip as usize], signature.exact)
        };
        if let Some(earlier) = identical {
            best = Some((earlier, 1.0));
        } else {
            let values = &self.values;
            let mut seen = [NONE; BANDS * BUCKET_LIMIT];
            let mut count = 0;
            for (band, slots) in self.latest.iter().enumerate() {
                let key = band_key(&signature.values, band);
                let mut candidate = slots
                    .get(|tip| band_key(&values[tip as usize], band), key)
                    .unwrap_or(NONE);
                let mut walked = 0;
                while candidate != NONE && walked < BUCKET_LIMIT {
                    walked += 1;
                    if !seen[..count].contains(&candidate) {
                        seen[count] = candidate;
                        count += 1;
                        let sets = self.set(candidate).zip(signature.set.as_deref());
                        if let Some(similarity) = similarity_at_least(
                            &values[candidate as usize],
                            &signature.values,
                            sets,
                            threshold,
                        ) {
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
                    candidate = self.previous[candidate as usize * BANDS + band];
                }
            }
        }
        let index = self.ends.len() as u32;
        self.values.push(signature.values);
        self.exact.push(signature.exact);
        self.sets.extend(signature.set.iter().flatten());
        self.set_ends.push(self.sets.len() as u32);
        // An identical text is found through the first tip with it; it joins no bucket, so a
        // flood of identical tips does not fill the buckets.
        let joins = identical.is_none();
        let values = &self.values;
        let exact = &self.exact;
        if joins {
            self.first
                .put(|tip| exact[tip as usize], signature.exact, index);
        }
        for (band, slots) in self.latest.iter_mut().enumerate() {
            let previous = if joins {
                let key = band_key(&signature.values, band);
                slots
                    .put(|tip| band_key(&values[tip as usize], band), key, index)
                    .unwrap_or(NONE)
            } else {
                NONE
            };
            self.previous.push(previous);
        }
        self.ids.push_str(id);
        self.ends.push(self.ids.len() as u64);
        self.received.push(received.num_days_from_ce());
        if index as usize / 64 >= self.history.len() {
            self.history.push(0);
        }
        if history {
            self.history[index as usize / 64] |= 1 << (index % 64);
        }
        best.map(|(earlier, similarity)| Repeat {
            tip: self.id(earlier).to_string(),
            received: NaiveDate::from_num_days_from_ce_opt(self.received[earlier as usize])
                .unwrap_or(received),
            similarity,
            history: self.history[earlier as usize / 64] & (1 << (earlier % 64)) != 0,
        })
    }
}

fn band_key(values: &[u8; BINS], band: usize) -> u64 {
    u64::from(Signature::band_key(values, band))
}

#[cfg(test)]
mod tests {
    use super::{DuplicateIndex, Signature};
    use crate::text::Normalized;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2022, 6, 1).expect("a real date")
    }

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
                .find_and_insert("A", day(), signature(FIRST), 0.8, false)
                .is_none()
        );
        let repeat = index
            .find_and_insert("B", day(), signature(REWORDED), 0.8, false)
            .unwrap();
        assert_eq!(repeat.tip, "A");
        assert!(repeat.similarity >= 0.8 && repeat.similarity < 1.0);
    }

    #[test]
    fn the_same_text_in_traditional_characters_is_an_exact_repeat() {
        let mut index = DuplicateIndex::new();
        index.find_and_insert(
            "A",
            day(),
            signature("基层负担繁重,频繁要求乡村两级重复填表"),
            0.8,
            true,
        );
        let repeat = index
            .find_and_insert(
                "B",
                day(),
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
        index.find_and_insert("A", day(), signature(FIRST), 0.8, false);
        assert!(
            index
                .find_and_insert("B", day(), signature(OTHER), 0.5, false)
                .is_none()
        );
    }
}
