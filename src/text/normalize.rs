//! The normal form that keywords and tips are both put in before matching.
//!
//! Per character: full-width forms become half-width, Traditional becomes Simplified, ASCII
//! letters become lower case, white space is dropped, and a pinyin gloss that a web page put
//! after a character — `根據(jù)`, `落實(shí)` — is dropped whole. Every character of the normal
//! form comes from exactly one character of the original, and [`Normalized`] remembers which,
//! so evidence found in the normal form is reported at its place in the original text.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::script::{is_han, table};

/// A text in normal form, with the way back to the original.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normal form.
    pub text: String,
    /// The stretches of `text` that map onto the original character for character, each
    /// character as long in bytes as the one it came from, in order.
    runs: Vec<Run>,
}

/// A stretch of the normal form whose characters come from consecutive characters of the
/// original, each of the same length in bytes: inside it, offsets in the one text are offsets
/// in the other. Most of a Chinese text is one run; a folded width or a dropped space starts
/// the next.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// Where it starts in the normal form, in bytes.
    normal: u32,
    /// How many characters of the normal form come before it.
    normal_char: u32,
    /// Where its first character's original stands, in bytes.
    byte: u32,
    /// The same, in characters.
    char: u32,
}

/// The most characters in one run.
const RUN_CHARS: u32 = 32;

/// Where a stretch of the normal form stands in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// First character, counted in characters from 0.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// One past the last byte.
    pub byte_end: usize,
}

impl Normalized {
    /// Puts `original` in normal form, reusing this value's buffers.
    ///
    /// Records are far shorter than 4 GiB, so offsets fit in `u32`.
    pub fn fill(&mut self, original: &str) {
        self.fill_with(original, |_| {});
    }

    /// Puts `original` in normal form, as [`fill`](Normalized::fill) does, and hands each
    /// character of the normal form to `each` as it is written: what reads the normal form
    /// once from start to end (the scan, the signature) reads it in the same pass, without
    /// decoding it again.
    #[inline]
    pub(crate) fn fill_with(&mut self, original: &str, mut each: impl FnMut(char)) {
        self.text.clear();
        self.runs.clear();
        self.text.reserve(original.len());
        let table = table();
        let plain = plain();
        let flags = flags();
        let mut previous_han = false;
        // The last character written continues a run: it followed the one before it in the
        // original, and kept its length.
        let mut in_run = false;
        let mut index = 0u32;
        let mut written = 0u32;
        // Most characters stay as they are: they are copied a stretch at a time, from
        // `unchanged` up to the next character that does not, instead of one by one.
        let mut unchanged = 0usize;
        let mut chars = original.char_indices();
        while let Some((byte, original_char)) = chars.next() {
            let at = index;
            index += 1;
            let entry = flags.get(original_char as usize).copied().unwrap_or(0);
            let (c, same_length, kept) = if entry != 0 {
                // Most of a text, Chinese and ASCII alike: one load gives what the rest of the
                // loop asks of the character, with no branch on which script it is in (a
                // branch that text mixing the two mispredicts).
                previous_han = entry & flag(HAN) != 0;
                let kept = entry & flag(UNCHANGED) != 0;
                let mapped = if kept {
                    original_char
                } else {
                    let wide = plain
                        .get(original_char as usize)
                        .copied()
                        .unwrap_or(SPECIAL);
                    char::from_u32(wide & CHARACTER).unwrap_or(char::REPLACEMENT_CHARACTER)
                };
                (mapped, entry & flag(SAME_LENGTH) != 0, kept)
            } else if is_han(original_char) {
                previous_han = true;
                let c = table.simplify(original_char);
                let same_length = c.len_utf8() == original_char.len_utf8();
                (c, same_length, false)
            } else {
                let c = if original_char.is_ascii() {
                    original_char.to_ascii_lowercase()
                } else {
                    table.simplify(fold_width(original_char))
                };
                if c == '('
                    && previous_han
                    && let Some(len) = gloss_len(&original[byte + original_char.len_utf8()..])
                {
                    self.text.push_str(&original[unchanged..byte]);
                    for _ in 0..len {
                        chars.next();
                    }
                    unchanged = chars.offset();
                    index += len as u32;
                    in_run = false;
                    continue;
                }
                if c.is_whitespace() {
                    self.text.push_str(&original[unchanged..byte]);
                    unchanged = chars.offset();
                    in_run = false;
                    continue;
                }
                let c = c.to_ascii_lowercase();
                previous_han = is_han(c);
                let same_length = c.len_utf8() == original_char.len_utf8();
                (c, same_length, false)
            };
            // Runs are cut every few characters too, so that placing a character counts no
            // more than that many.
            if !(in_run && same_length) || written.is_multiple_of(RUN_CHARS) {
                self.runs.push(Run {
                    // The stretch not yet copied is as long as in the original.
                    normal: (self.text.len() + byte - unchanged) as u32,
                    normal_char: written,
                    byte: byte as u32,
                    char: at,
                });
            }
            if !kept {
                self.text.push_str(&original[unchanged..byte]);
                self.text.push(c);
                unchanged = chars.offset();
            }
            in_run = same_length;
            written += 1;
            each(c);
        }
        self.text.push_str(&original[unchanged..]);
    }

    /// The run holding the normal-form byte `byte`, where the character holding it starts,
    /// and that character's index in the normal form.
    fn locate(&self, byte: usize) -> (Run, usize, usize) {
        let run = match self
            .runs
            .binary_search_by_key(&(byte as u32), |run| run.normal)
        {
            Ok(index) => self.runs[index],
            Err(index) => self.runs[index.saturating_sub(1)],
        };
        let bytes = self.text.as_bytes();
        let byte = byte.min(bytes.len().saturating_sub(1));
        let mut start = byte;
        while start > run.normal as usize && bytes[start] & 0xC0 == 0x80 {
            start -= 1;
        }
        let before = bytes[run.normal as usize..start]
            .iter()
            .filter(|b| **b & 0xC0 != 0x80)
            .count();
        (run, start, run.normal_char as usize + before)
    }

    /// The character index in the normal form of the character at byte offset `byte`.
    pub fn char_at_byte(&self, byte: usize) -> usize {
        if self.runs.is_empty() {
            return 0;
        }
        self.locate(byte).2
    }

    /// Where the normal-form bytes `byte_start..byte_end` came from in `original` (the text
    /// this value was filled from). White space and glosses inside the range are part of it.
    pub fn origin(&self, original: &str, byte_start: usize, byte_end: usize) -> Origin {
        if self.runs.is_empty() {
            return Origin {
                start: 0,
                end: 0,
                byte_start: 0,
                byte_end: 0,
            };
        }
        // The original byte and character of the normal-form character holding `byte`.
        let source = |byte: usize| {
            let (run, start, index) = self.locate(byte);
            (
                run.byte as usize + (start - run.normal as usize),
                run.char as usize + (index - run.normal_char as usize),
            )
        };
        let (from, start) = source(byte_start);
        let (last_byte, last) = source(byte_end.saturating_sub(1).max(byte_start));
        let to = last_byte
            + original[last_byte..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        Origin {
            start,
            end: last + 1,
            byte_start: from,
            byte_end: to,
        }
    }
}

/// The normal form of a keyword: the text of [`Normalized::fill`], which keywords and tips
/// both go through, so they cannot disagree.
pub fn normalize(text: &str) -> String {
    let mut normalized = Normalized::default();
    normalized.fill(text);
    normalized.text
}

/// The normal form of a short text, such as a name, borrowed when the text is in normal form
/// already, as most are: then no buffer is made for it. The same text as [`normalize`].
pub(crate) fn normal_form(text: &str) -> Cow<'_, str> {
    let flags = flags();
    let unchanged = text.chars().all(|c| {
        flags
            .get(c as usize)
            .is_some_and(|entry| entry & flag(UNCHANGED) != 0)
    });
    if unchanged {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalize(text))
    }
}

/// In [`plain`], a character that the general rule takes care of.
const SPECIAL: u32 = 0;
/// In a [`plain`] entry, the bits of the character it becomes.
const CHARACTER: u32 = 0x1F_FFFF;
/// In a [`plain`] entry: the character, or what it becomes, is a Chinese character.
const HAN: u32 = 1 << 24;
/// In a [`plain`] entry: what the character becomes is as long in bytes as it is.
const SAME_LENGTH: u32 = 1 << 25;
/// In a [`plain`] entry: the character stays as it is.
const UNCHANGED: u32 = 1 << 26;
/// In a [`plain`] entry: it is not [`SPECIAL`].
const ORDINARY: u32 = 1 << 27;
/// Where the flags start in a [`plain`] entry; they are the byte of a [`flags`] entry.
const FLAGS_SHIFT: u32 = 24;

/// A flag of a [`plain`] entry as it stands in a [`flags`] entry.
const fn flag(bit: u32) -> u8 {
    (bit >> FLAGS_SHIFT) as u8
}

/// Characters below this get an entry in [`plain`]: ASCII, the punctuation Chinese text uses,
/// and the Unified Ideographs.
const PLAIN_END: u32 = 0xA000;

/// For each character below [`PLAIN_END`], the one character it becomes in the normal form,
/// when that depends on nothing around it, with the [`HAN`], [`SAME_LENGTH`], [`UNCHANGED`]
/// and [`ORDINARY`] flags; [`SPECIAL`] for white space, the parenthesis that may open a pinyin gloss, NUL, and a
/// character that would become one past U+FFFF. Built from the general rule, so the two cannot
/// disagree. The flags save the loop a dozen instructions a character.
fn plain() -> &'static [u32] {
    static PLAIN: LazyLock<Box<[u32]>> = LazyLock::new(|| {
        let table = table();
        (0..PLAIN_END)
            .map(|code| {
                let Some(original) = char::from_u32(code) else {
                    return SPECIAL;
                };
                let c = if is_han(original) {
                    table.simplify(original)
                } else if original.is_ascii() {
                    original.to_ascii_lowercase()
                } else {
                    table.simplify(fold_width(original))
                };
                let c = c.to_ascii_lowercase();
                if c == '(' || c.is_whitespace() || c == '\0' || u32::from(c) > 0xFFFF {
                    return SPECIAL;
                }
                let mut entry = u32::from(c);
                if is_han(original) || is_han(c) {
                    entry |= HAN;
                }
                if c.len_utf8() == original.len_utf8() {
                    entry |= SAME_LENGTH;
                }
                if c == original {
                    entry |= UNCHANGED;
                }
                entry | ORDINARY
            })
            .collect()
    });
    &PLAIN
}

/// The flags of every [`plain`] entry, a byte each, `0` for [`SPECIAL`]. The loop reads these,
/// and the wider entry only for a character that changes: a quarter of the size, the table of
/// the Unified Ideographs fits in the first-level cache, where a tip's look-ups had missed it
/// at two characters in three.
fn flags() -> &'static [u8] {
    static FLAGS: LazyLock<Box<[u8]>> = LazyLock::new(|| {
        plain()
            .iter()
            .map(|entry| (entry >> FLAGS_SHIFT) as u8)
            .collect()
    });
    &FLAGS
}

/// Full-width ASCII forms and the ideographic space, as their half-width counterparts.
#[inline]
fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// Letters that a pinyin gloss is written in: plain latin letters and the tone-marked vowels.
fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(c)
}

/// If `rest` (what follows an opening parenthesis) is a pinyin gloss such as `jù)` or
/// `chéng xù)`, the number of characters up to and including its closing parenthesis. A gloss
/// carries a tone mark; without one, `(app)` after a Chinese character is English, not pinyin.
fn gloss_len(rest: &str) -> Option<usize> {
    const LONGEST_SYLLABLE: usize = 6;
    const MOST_SYLLABLES: usize = 4;
    let (mut letters, mut syllables, mut len, mut toned) = (0, 1, 0, false);
    for c in rest.chars() {
        len += 1;
        if is_pinyin_letter(c) {
            toned |= !c.is_ascii_lowercase();
            letters += 1;
            if letters > LONGEST_SYLLABLE {
                return None;
            }
        } else if c == ' ' && letters > 0 && syllables < MOST_SYLLABLES {
            letters = 0;
            syllables += 1;
        } else {
            return (letters > 0 && toned && fold_width(c) == ')').then_some(len);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Normalized, normalize};

    #[test]
    fn a_name_in_normal_form_is_borrowed_and_any_other_is_normalised() {
        // (text, whether it is plainly in normal form already)
        for (text, plain) in [
            ("六枝特区教育局", true),
            ("app运营中心", true),
            ("13800000000", true),
            ("", true),
            ("六枝特區教育局", false),
            ("某局 办公室", false),
            ("根據(jù)某局", false),
            ("ＡＰＰ运营中心", false),
            ("App运营中心", false),
            ("公职人员(含临聘人员)", false),
            ("\u{3000}某局", false),
            ("wang@example.org", false),
        ] {
            let form = super::normal_form(text);
            assert_eq!(form, normalize(text), "{text}");
            if plain {
                assert!(
                    matches!(form, std::borrow::Cow::Borrowed(_)),
                    "no copy is made of {text}"
                );
            }
        }
    }

    #[test]
    fn pinyin_glosses_are_dropped() {
        assert_eq!(
            normalize("根據(jù)市生態(tài)環(huán)境局"),
            "根据市生态环境局"
        );
        assert_eq!(normalize("落實(shí)"), "落实");
        assert_eq!(normalize("走程序(chéng xù)報請示"), "走程序报请示");
    }

    #[test]
    fn the_keyword_form_is_the_text_of_the_tip_form() {
        let text = "根據(jù) 落實(shí)\u{FF0C}ＡＰＰ(chéng xù) 公职人员(含临聘人员)";
        let mut normalized = Normalized::default();
        normalized.fill(text);
        assert_eq!(normalize(text), normalized.text);
    }

    #[test]
    fn parentheses_that_are_not_glosses_stay() {
        assert_eq!(normalize("公职人员(含临聘人员)"), "公职人员(含临聘人员)");
        assert_eq!(normalize("APP(app)"), "app(app)");
        assert_eq!(normalize("安装(app)"), "安装(app)");
    }

    #[test]
    fn width_case_and_spaces_are_folded() {
        assert_eq!(
            normalize("安装 \u{FF21}\u{FF30}\u{FF30}\u{FF0C}\u{FF11}\u{FF10}分"),
            "安装app,10分"
        );
    }

    #[test]
    fn offsets_point_into_the_original() {
        let mut normalized = Normalized::default();
        normalized.fill("他說要落實(shí)整改");
        let original = "他說要落實(shí)整改";
        let start = normalized.text.find("落实").unwrap();
        let origin = normalized.origin(original, start, start + "落实".len());
        assert_eq!((origin.start, origin.end), (3, 5));
        assert_eq!(&original[origin.byte_start..origin.byte_end], "落實");
        let start = normalized.text.find("实整").unwrap();
        let origin = normalized.origin(original, start, start + "实整".len());
        assert_eq!((origin.start, origin.end), (4, 11));
        assert_eq!(&original[origin.byte_start..origin.byte_end], "實(shí)整");
    }
}
