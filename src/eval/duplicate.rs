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

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::decision::Repeat;
use super::tip::{Reporter, Tip};
use crate::text::{Normalized, floor_char_boundary, is_han, normal_form};

/// What the index keeps of a tip besides its text: its id, when it came, and keys of its
/// subject and reporter (never the reporter's name or contact).
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The tip's id.
    pub id: &'a str,
    /// The day it was received.
    pub received: NaiveDate,
    /// The key of its subject, as [`subject_key`] makes it.
    pub subject: Option<u64>,
    /// The key of its reporter, as [`reporter_key`] makes it.
    pub reporter: Option<u64>,
}

impl<'a> Seen<'a> {
    /// What the index keeps of `tip`.
    pub fn of(tip: &'a Tip) -> Seen<'a> {
        Seen {
            id: &tip.id,
            received: tip.received,
            subject: subject_key(tip.subject.name.as_deref()),
            reporter: tip.reporter.as_ref().map(reporter_key),
        }
    }
}

/// The key of a subject by its name: the name in normal form, hashed, so that `六枝特区教育局`
/// and `六枝特區教育局` are one subject. `None` for a tip that names none.
pub fn subject_key(name: Option<&str>) -> Option<u64> {
    let name = normal_form(name?.trim());
    if name.is_empty() {
        return None;
    }
    Some(hash64(name.as_bytes()))
}

/// The key of a reporter in memory, for `同一举报人` within one run: name and contact in normal
/// form, hashed. Never written anywhere; a store keeps its own keyed hash.
pub fn reporter_key(reporter: &Reporter) -> u64 {
    let mut hasher = blake3::Hasher::new();
    reporter.hash_into(&mut hasher);
    first_eight(hasher.finalize().as_bytes())
}

/// A stable 64-bit hash (it is kept in stores), never `0`.
fn hash64(bytes: &[u8]) -> u64 {
    first_eight(blake3::hash(bytes).as_bytes())
}

fn first_eight(bytes: &[u8; 32]) -> u64 {
    let mut first = [0; 8];
    first.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(first).max(1)
}

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
const EXACT_UP_TO: usize = 256;
/// The chance that two different bigram sets agree on a value's lowest eight bits anyway.
const CHANCE: f64 = 1.0 / 256.0;
/// A text at least this share of another's length is compared by containment: how much of it
/// the other holds.
const RETELLING: f64 = 0.4;
/// Earlier tips handed back for one tip, the most similar first: enough for clauses that also
/// ask for the same subject or reporter to find theirs.
pub const MAX_REPEATS: usize = 8;
/// The latest tips of the same subject looked at for a new tip, besides its band buckets.
const SUBJECT_LIMIT: usize = 16;

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
    // The Unified Ideographs first: nearly every character of a tip.
    if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        true
    } else if c.is_ascii() {
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

/// A signature being made, one character of the normal form at a time: the scan and the
/// signature read the normal form in the pass that writes it. Its buffers are kept from one
/// text to the next.
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    values: [u32; BINS],
    exact: u64,
    previous: Option<char>,
    shingles: usize,
    /// The bigram hashes of the text so far, while it is short: a fixed array, so that
    /// keeping one is a store, with no length to check and grow.
    set: Box<[u16; EXACT_UP_TO]>,
}

impl Default for Signer {
    fn default() -> Signer {
        Signer {
            values: [u32::MAX; BINS],
            exact: FNV_OFFSET,
            previous: None,
            shingles: 0,
            set: Box::new([0; EXACT_UP_TO]),
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

impl Signer {
    /// Starts a new text.
    pub(crate) fn clear(&mut self) {
        self.values = [u32::MAX; BINS];
        self.exact = FNV_OFFSET;
        self.previous = None;
        self.shingles = 0;
    }

    /// The next character of the normal form.
    #[inline(always)]
    pub(crate) fn push(&mut self, c: char) {
        if !counts(c) {
            return;
        }
        self.exact = (self.exact ^ c as u64).wrapping_mul(0x0100_0000_01b3);
        if let Some(p) = self.previous {
            let hash = mix(((p as u64) << 32) | c as u64);
            let bin = (((hash >> 32) * BINS as u64) >> 32) as usize;
            // A branch here would be mispredicted about as often as it is taken.
            self.values[bin] = self.values[bin].min(hash as u32);
            if let Some(slot) = self.set.get_mut(self.shingles) {
                *slot = (hash >> 16) as u16;
            }
            self.shingles += 1;
        }
        self.previous = Some(c);
    }

    /// The signature of the text pushed since the last [`clear`](Signer::clear).
    pub(crate) fn finish(&mut self) -> Signature {
        let mut values = self.values;
        densify(&mut values);
        let set = (self.shingles <= EXACT_UP_TO).then(|| {
            let mut set = self.set[..self.shingles].to_vec();
            set.sort_unstable();
            set.dedup();
            set
        });
        Signature {
            values: values.map(|v| v as u8),
            exact: self.exact,
            shingles: self.shingles,
            set,
        }
    }
}

impl Signature {
    /// The signature of a text in normal form.
    pub fn of(normalized: &Normalized) -> Signature {
        let mut signer = Signer::default();
        for c in normalized.text.chars() {
            signer.push(c);
        }
        signer.finish()
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
        likeness_at_least(earlier.parts(), self.parts(), threshold)
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            values: &self.values,
            shingles: self.shingles,
            set: self.set.as_deref(),
        }
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

/// What a comparison needs of a signature.
#[derive(Debug, Clone, Copy)]
struct Parts<'a> {
    values: &'a [u8; BINS],
    shingles: usize,
    set: Option<&'a [u16]>,
}

/// The likeness of two texts, when it is at least `threshold`: exact when both are short, else
/// estimated from their signatures.
fn likeness_at_least(a: Parts<'_>, b: Parts<'_>, threshold: f64) -> Option<f64> {
    let likeness = match (a.set, b.set) {
        (Some(x), Some(y)) => {
            let shared = shared(x, y);
            likeness(shared as f64, x.len(), y.len())
        }
        _ => {
            // Counted in bytes, which the compiler turns into a few vector compares.
            let agree = usize::from(
                a.values
                    .iter()
                    .zip(b.values)
                    .fold(0u8, |agree, (x, y)| agree + u8::from(x == y)),
            );
            let jaccard = if agree == BINS {
                1.0
            } else {
                ((agree as f64 / BINS as f64 - CHANCE) / (1.0 - CHANCE)).max(0.0)
            };
            // |A ∩ B| = J (|A| + |B|) / (1 + J)
            let shared = jaccard * (a.shingles + b.shingles) as f64 / (1.0 + jaccard);
            likeness(shared, a.shingles, b.shingles)
        }
    };
    (likeness >= threshold).then_some(likeness)
}

/// How much two texts of `a` and `b` bigrams, `shared` of them in common, say the same: the
/// share of the shorter text's bigrams that the longer one holds too (containment), so that a
/// shorter retelling of a tip is as similar to it as a reworded one; but a text much shorter
/// than the other says too little of it, and is taken by the Jaccard similarity instead.
fn likeness(shared: f64, a: usize, b: usize) -> f64 {
    let (short, long) = (a.min(b) as f64, a.max(b) as f64);
    if short == 0.0 {
        return 0.0;
    }
    let jaccard = shared / (short + long - shared);
    let containment = (shared / short).min(1.0);
    if short >= RETELLING * long {
        containment.max(jaccard)
    } else {
        jaccard
    }
}

/// The number of values two sorted, duplicate-free lists share.
fn shared(a: &[u16], b: &[u16]) -> usize {
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
    both
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

/// Tips whose ids are counted from one 64-bit start.
const ID_CHUNK: usize = 32;

/// The longest id remembered, in bytes; a longer one is cut at a character boundary. With
/// [`ID_CHUNK`], a chunk's ids stay under 4 GiB, so a 32-bit offset holds any end in it.
const MAX_ID_BYTES: usize = 64 << 20;

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
        // The tips are moved in their own order, not in the old table's, so that their keys
        // are read from the index's columns front to back rather than at random: a bit per
        // tip marks which ones the table holds.
        let last = old.iter().copied().filter(|t| *t != NONE).max();
        let mut held = vec![0u64; last.map_or(0, |t| t as usize / 64 + 1)];
        for &tip in old.iter().filter(|t| **t != NONE) {
            held[tip as usize / 64] |= 1 << (tip % 64);
        }
        drop(old);
        let tips = held.iter().enumerate().flat_map(|(word, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros();
                    bits &= bits - 1;
                    (word * 64) as u32 + bit
                })
            })
        });
        for tip in tips {
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
    /// The ids, one after another. `id_ends[tip]` is where a tip's id ends, counted from
    /// `id_starts[tip / ID_CHUNK]`, where the ids of its chunk of tips begin: four bytes a tip
    /// rather than eight.
    ids: String,
    id_starts: Vec<u64>,
    id_ends: Vec<u32>,
    /// One bit per tip: it came from the history, not from the input being decided.
    history: Vec<u64>,
    /// The day each tip was received, as days from the common era.
    received: Vec<i32>,
    values: Vec<[u8; BINS]>,
    exact: Vec<u64>,
    shingles: Vec<u32>,
    /// The bigram sets of short texts, one after another, and for each short text, in the
    /// order of tips, the tip and where its set ends. Most texts are long, so a tip without a
    /// set costs nothing here.
    sets: Vec<u16>,
    set_ends: Vec<(u32, u32)>,
    /// Per tip, the key of its subject and of its reporter (`0`: none).
    subjects: Vec<u64>,
    reporters: Vec<u64>,
    /// The first tip of each text, by its hash.
    first: Slots,
    /// For a text seen more than once, by its first tip, the latest tip with it; earlier ones
    /// are chained through `previous_same_text`. Few texts come twice, so these are maps of
    /// the few rather than a table and a column of every tip.
    latest_same_text: HashMap<u32, u32>,
    previous_same_text: HashMap<u32, u32>,
    /// The latest tip of each subject; earlier ones are chained through `previous_of_subject`.
    by_subject: Slots,
    previous_of_subject: Vec<u32>,
    /// Per band, the latest tip of each band key; earlier ones are chained through `previous`.
    latest: [Slots; BANDS],
    /// `previous[tip * BANDS + band]`: the tip before it in the same bucket, or `NONE`.
    previous: Vec<u32>,
}

impl Default for DuplicateIndex {
    fn default() -> DuplicateIndex {
        DuplicateIndex {
            ids: String::new(),
            id_starts: Vec::new(),
            id_ends: Vec::new(),
            history: Vec::new(),
            received: Vec::new(),
            values: Vec::new(),
            exact: Vec::new(),
            shingles: Vec::new(),
            sets: Vec::new(),
            set_ends: Vec::new(),
            subjects: Vec::new(),
            reporters: Vec::new(),
            first: Slots::salted(0),
            latest_same_text: HashMap::new(),
            previous_same_text: HashMap::new(),
            by_subject: Slots::salted(u64::MAX),
            previous_of_subject: Vec::new(),
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
        self.id_ends.len()
    }

    /// Whether no tip is remembered.
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// The bigram set of a short text.
    fn set(&self, tip: u32) -> Option<&[u16]> {
        let at = self.set_ends.binary_search_by_key(&tip, |(t, _)| *t).ok()?;
        let start = match at {
            0 => 0,
            _ => self.set_ends[at - 1].1 as usize,
        };
        Some(&self.sets[start..self.set_ends[at].1 as usize])
    }

    fn id(&self, tip: u32) -> &str {
        let tip = tip as usize;
        let base = self.id_starts[tip / ID_CHUNK] as usize;
        let start = if tip.is_multiple_of(ID_CHUNK) {
            base
        } else {
            base + self.id_ends[tip - 1] as usize
        };
        &self.ids[start..base + self.id_ends[tip] as usize]
    }

    fn remember_id(&mut self, id: &str) {
        let tip = self.id_ends.len();
        if tip.is_multiple_of(ID_CHUNK) {
            self.id_starts.push(self.ids.len() as u64);
        }
        let base = self.id_starts[tip / ID_CHUNK] as usize;
        self.ids
            .push_str(&id[..floor_char_boundary(id, MAX_ID_BYTES)]);
        // At most ID_CHUNK ids of at most MAX_ID_BYTES each since `base`: it fits.
        self.id_ends.push((self.ids.len() - base) as u32);
    }

    /// The earlier tips at `threshold` or above, the most similar first (the earliest among
    /// equals), at most [`MAX_REPEATS`]; then remembers this one. `history` marks tips from the
    /// history file.
    pub fn find_and_insert(
        &mut self,
        tip: &Seen<'_>,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Vec<Repeat> {
        if signature.shingles < MIN_SHINGLES {
            return Vec::new();
        }
        let mut found: Vec<(u32, f64)> = Vec::new();
        let identical = {
            let exact = &self.exact;
            self.first.get(|tip| exact[tip as usize], signature.exact)
        };
        let mut seen: Vec<u32> = Vec::with_capacity(BANDS * BUCKET_LIMIT + SUBJECT_LIMIT);
        if let Some(earlier) = identical {
            seen.push(earlier);
            found.push((earlier, 1.0));
            // And the latest tips with the same text, for clauses that ask for more than the
            // text: the first may be about another subject, or from another reporter.
            let latest = self.latest_same_text.get(&earlier).copied();
            let next = |t: u32| self.previous_same_text.get(&t).copied().unwrap_or(NONE);
            for candidate in chain(latest, MAX_REPEATS, next) {
                if !seen.contains(&candidate) {
                    seen.push(candidate);
                    found.push((candidate, 1.0));
                }
            }
        }
        // Every table is looked up, and every candidate gathered, before any is compared, so
        // that the look-ups, each a likely cache miss, wait for memory together.
        let subject = tip.subject.unwrap_or(0);
        let latest_of_subject = if subject != 0 {
            let subjects = &self.subjects;
            self.by_subject.get(|tip| subjects[tip as usize], subject)
        } else {
            None
        };
        let compare_from = seen.len();
        let mut gather = |candidate: u32| {
            if !seen.contains(&candidate) {
                seen.push(candidate);
            }
        };
        if identical.is_none() {
            let values = &self.values;
            let latest: [Option<u32>; BANDS] = std::array::from_fn(|band| {
                let key = band_key(&signature.values, band);
                self.latest[band].get(|tip| band_key(&values[tip as usize], band), key)
            });
            // The buckets are walked a step at a time across the bands, not one to its end and
            // then the next, so that the steps of different buckets, each a likely cache miss,
            // wait for memory together. The same tips are gathered in any order, and what is
            // found is sorted.
            let mut step = latest.map(|tip| tip.unwrap_or(NONE));
            for depth in 0..BUCKET_LIMIT {
                for (band, tip) in step.iter_mut().enumerate() {
                    if *tip == NONE {
                        continue;
                    }
                    gather(*tip);
                    *tip = if depth + 1 < BUCKET_LIMIT {
                        self.previous[*tip as usize * BANDS + band]
                    } else {
                        NONE
                    };
                }
            }
        }
        // A shorter retelling of an earlier tip about the same subject may share no band with
        // it: the subject's latest tips are looked at too.
        let next = |t: u32| self.previous_of_subject[t as usize];
        chain(latest_of_subject, SUBJECT_LIMIT, next).for_each(&mut gather);
        for &candidate in &seen[compare_from..] {
            let earlier = self.signature_parts(candidate);
            if let Some(similarity) = likeness_at_least(earlier, signature.parts(), threshold) {
                found.push((candidate, similarity));
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found.truncate(MAX_REPEATS);

        let index = self.id_ends.len() as u32;
        self.values.push(signature.values);
        self.exact.push(signature.exact);
        self.shingles.push(signature.shingles as u32);
        if let Some(set) = signature.set.as_ref().filter(|set| !set.is_empty()) {
            self.sets.extend(set);
            self.set_ends.push((index, self.sets.len() as u32));
        }
        self.subjects.push(subject);
        self.reporters.push(tip.reporter.unwrap_or(0));
        // An identical text is found through the first tip with it; it joins no bucket, so a
        // flood of identical tips does not fill the buckets.
        let joins = identical.is_none();
        let values = &self.values;
        let exact = &self.exact;
        if joins {
            self.first
                .put(|tip| exact[tip as usize], signature.exact, index);
        }
        if let Some(first) = identical {
            let before = self.latest_same_text.insert(first, index).unwrap_or(first);
            self.previous_same_text.insert(index, before);
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
        let previous_of_subject = if subject != 0 {
            let subjects = &self.subjects;
            self.by_subject
                .put(|tip| subjects[tip as usize], subject, index)
                .unwrap_or(NONE)
        } else {
            NONE
        };
        self.previous_of_subject.push(previous_of_subject);
        self.remember_id(tip.id);
        self.received.push(tip.received.num_days_from_ce());
        if index as usize / 64 >= self.history.len() {
            self.history.push(0);
        }
        if history {
            self.history[index as usize / 64] |= 1 << (index % 64);
        }
        found
            .into_iter()
            .map(|(earlier, similarity)| {
                let at = earlier as usize;
                Repeat {
                    tip: self.id(earlier).to_string(),
                    received: NaiveDate::from_num_days_from_ce_opt(self.received[at])
                        .unwrap_or(tip.received),
                    similarity,
                    history: self.history[at / 64] & (1 << (earlier % 64)) != 0,
                    same_subject: subject != 0 && self.subjects[at] == subject,
                    same_reporter: tip
                        .reporter
                        .is_some_and(|r| r != 0 && self.reporters[at] == r),
                }
            })
            .collect()
    }

    fn signature_parts(&self, tip: u32) -> Parts<'_> {
        Parts {
            values: &self.values[tip as usize],
            shingles: self.shingles[tip as usize] as usize,
            set: self.set(tip),
        }
    }
}

/// `latest` and the tips chained before it by `next` (ending at [`NONE`]), at most `limit`.
fn chain(
    latest: Option<u32>,
    limit: usize,
    next: impl Fn(u32) -> u32,
) -> impl Iterator<Item = u32> {
    std::iter::successors(latest, move |tip| Some(next(*tip)).filter(|t| *t != NONE)).take(limit)
}

fn band_key(values: &[u8; BINS], band: usize) -> u64 {
    u64::from(Signature::band_key(values, band))
}

#[cfg(test)]
mod tests {
    use super::{DuplicateIndex, Seen, Signature, subject_key};
    use crate::eval::Repeat;
    use crate::text::Normalized;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2022, 6, 1).expect("a real date")
    }

    fn signature(text: &str) -> Signature {
        let mut normalized = Normalized::default();
        normalized.fill(text);
        Signature::of(&normalized)
    }

    fn seen<'a>(id: &'a str, subject: Option<&str>, reporter: Option<u64>) -> Seen<'a> {
        Seen {
            id,
            received: day(),
            subject: subject_key(subject),
            reporter,
        }
    }

    fn add(index: &mut DuplicateIndex, id: &str, text: &str) -> Vec<Repeat> {
        index.find_and_insert(&seen(id, None, None), signature(text), 0.8, false)
    }

    const FIRST: &str = "六枝特区某局今年以来层层开会,超计划随意加开全区性会议,一周开了五次会,基层干部疲于奔命,没有时间下乡办实事。";
    const REWORDED: &str = "六枝特区某局今年以来层层开会,超计划随意加开全区性会议,一周竟开了五次会,基层干部疲于奔命,根本没有时间下乡办实事。";
    const OTHER: &str =
        "某镇政府工作人员接待企业语气生硬、态度傲慢,停水停电不发通知,企业生产受到很大影响。";
    const LONG: &str = "每项工作都要拍照、录像、写纪实材料，基层干部整天忙于留痕，一项简单的入户走访也要拍三张照片、填两张表、写一篇纪实，真正为群众办事的时间越来越少。";
    const SHORTER: &str = "每项工作都拍照录像写纪实，一项入户走访也要拍三张照片、填两张表、写一篇纪实，为群众办事的时间越来越少。";

    #[test]
    fn a_slightly_reworded_tip_is_a_repeat() {
        let mut index = DuplicateIndex::new();
        assert!(add(&mut index, "A", FIRST).is_empty());
        let repeats = add(&mut index, "B", REWORDED);
        assert_eq!(repeats[0].tip, "A");
        assert!(repeats[0].similarity >= 0.8 && repeats[0].similarity < 1.0);
    }

    #[test]
    fn a_shorter_retelling_is_a_repeat() {
        let mut index = DuplicateIndex::new();
        add(&mut index, "A", LONG);
        let repeats = add(&mut index, "B", SHORTER);
        assert_eq!(repeats.len(), 1, "{repeats:?}");
        assert!(repeats[0].similarity >= 0.8, "{repeats:?}");
    }

    #[test]
    fn the_same_text_in_traditional_characters_is_an_exact_repeat() {
        let mut index = DuplicateIndex::new();
        index.find_and_insert(
            &seen("A", None, None),
            signature("基层负担繁重,频繁要求乡村两级重复填表"),
            0.8,
            true,
        );
        let repeats = add(&mut index, "B", "基層負擔繁重,頻繁要求鄉村兩級重複填表");
        assert_eq!(
            (
                repeats[0].tip.as_str(),
                repeats[0].similarity,
                repeats[0].history
            ),
            ("A", 1.0, true)
        );
    }

    #[test]
    fn a_different_tip_is_not_a_repeat() {
        let mut index = DuplicateIndex::new();
        add(&mut index, "A", FIRST);
        let repeats = index.find_and_insert(&seen("B", None, None), signature(OTHER), 0.5, false);
        assert!(repeats.is_empty(), "{repeats:?}");
    }

    #[test]
    fn a_repeat_says_whether_it_shares_the_subject_and_the_reporter() {
        let mut index = DuplicateIndex::new();
        let insert = |index: &mut DuplicateIndex, id, subject, reporter| {
            index.find_and_insert(
                &seen(id, Some(subject), reporter),
                signature(FIRST),
                0.8,
                false,
            )
        };
        insert(&mut index, "A", "六枝特区某局", Some(7));
        insert(&mut index, "B", "另一个局", Some(9));
        let repeats = insert(&mut index, "C", "六枝特區某局", Some(9));
        let facts: Vec<(&str, bool, bool)> = repeats
            .iter()
            .map(|r| (r.tip.as_str(), r.same_subject, r.same_reporter))
            .collect();
        assert_eq!(facts, [("A", true, false), ("B", false, true)]);
    }

    #[test]
    fn a_subjects_earlier_tips_are_found_even_in_a_flood_of_look_alikes() {
        let mut index = DuplicateIndex::new();
        index.find_and_insert(
            &seen("A", Some("六枝特区某局"), None),
            signature(LONG),
            0.8,
            false,
        );
        // Look-alikes of other subjects that fill every band bucket the repeat could share.
        for i in 0..200 {
            let text = format!("{LONG}第{i}次");
            index.find_and_insert(&seen("X", Some("别处"), None), signature(&text), 0.8, false);
        }
        let repeats = index.find_and_insert(
            &seen("B", Some("六枝特区某局"), None),
            signature(SHORTER),
            0.8,
            false,
        );
        assert!(
            repeats.iter().any(|r| r.tip == "A" && r.same_subject),
            "{repeats:?}"
        );
    }

    #[test]
    fn every_earlier_tip_is_given_back_by_its_own_id() {
        // Ids of every length across many chunks, short and long texts interleaved, so that a
        // repeat's id and its bigram set are looked up away from the start of the index.
        let text = |i: usize| match i % 3 {
            0 => format!("{FIRST}{}", "第一".repeat(i)),
            1 => format!("{OTHER}{i}"),
            _ => format!("{LONG}{}", LONG.repeat(i % 4)),
        };
        let id = |i: usize| format!("{i}-{}", "号".repeat(i % 7));
        let mut index = DuplicateIndex::new();
        for i in 0..150 {
            add(&mut index, &id(i), &format!("{i}号线索:{}", text(i)));
        }
        for i in [0, 1, 31, 32, 33, 64, 100, 149] {
            let repeats = add(&mut index, "again", &format!("{i}号线索:{}", text(i)));
            assert_eq!(
                (repeats[0].tip.as_str(), repeats[0].similarity),
                (id(i).as_str(), 1.0),
                "{repeats:?}"
            );
        }
    }

    #[test]
    fn a_text_that_comes_many_times_gives_back_its_latest_tips() {
        let mut index = DuplicateIndex::new();
        for id in ["A", "B", "C"] {
            add(&mut index, id, FIRST);
        }
        add(&mut index, "D", OTHER);
        let repeats = add(&mut index, "E", FIRST);
        let ids: Vec<&str> = repeats.iter().map(|r| r.tip.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C"]);
    }

    #[test]
    fn a_signature_survives_the_store() {
        for text in [FIRST, LONG, &LONG.repeat(5)] {
            let signature = signature(text);
            assert_eq!(
                Signature::from_bytes(&signature.to_bytes()),
                Some(signature)
            );
        }
        assert_eq!(Signature::from_bytes(&[1, 2, 3]), None);
    }
}
