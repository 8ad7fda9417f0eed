//! The normal form that keywords and tips are both put in before matching.
//!
//! Per character: full-width forms become half-width, Traditional becomes Simplified, ASCII
//! letters become lower case, white space is dropped, and a pinyin gloss that a web page put
//! after a character — `根據(jù)`, `落實(shí)` — is dropped whole. Every character of the normal
//! form comes from exactly one character of the original, and [`Normalized`] remembers which,
//! so evidence found in the normal form is reported at its place in the original text.

use super::script::{is_han, table};

/// A text in normal form, with the way back to the original.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normal form.
    pub text: String,
    /// For each character of `text`: its byte offset in `text`, and the byte offset in the
    /// original of the character it came from.
    offsets: Vec<(u32, u32)>,
}

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
    pub fn fill(&mut self, original: &str) {
        self.text.clear();
        self.offsets.clear();
        self.text.reserve(original.len());
        // At most one entry per character; a third of the bytes for Chinese text.
        self.offsets.reserve(original.len() / 3 + 16);
        for (byte, c) in normal_chars(original) {
            self.offsets.push((self.text.len() as u32, byte as u32));
            self.text.push(c);
        }
    }

    /// The character index in the normal form of the character at byte offset `byte`.
    pub fn char_at_byte(&self, byte: usize) -> usize {
        match self
            .offsets
            .binary_search_by_key(&(byte as u32), |(start, _)| *start)
        {
            Ok(index) => index,
            Err(index) => index.saturating_sub(1),
        }
    }

    /// Where the normal-form bytes `byte_start..byte_end` came from in `original` (the text
    /// this value was filled from). White space and glosses inside the range are part of it.
    pub fn origin(&self, original: &str, byte_start: usize, byte_end: usize) -> Origin {
        if self.offsets.is_empty() {
            return Origin {
                start: 0,
                end: 0,
                byte_start: 0,
                byte_end: 0,
            };
        }
        let first = self.char_at_byte(byte_start);
        let last = self.char_at_byte(byte_end.saturating_sub(1).max(byte_start));
        let from = self.offsets[first].1 as usize;
        let last_byte = self.offsets[last].1 as usize;
        let to = last_byte
            + original[last_byte..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        // Character offsets are counted only here, for the few stretches reported as
        // evidence, not for every character of every tip.
        let start = original[..from].chars().count();
        let end = start + original[from..to].chars().count();
        Origin {
            start,
            end,
            byte_start: from,
            byte_end: to,
        }
    }
}

/// The normal form of a keyword: the text of [`Normalized::fill`] without the offsets.
pub fn normalize(text: &str) -> String {
    normal_chars(text).map(|(_, c)| c).collect()
}

/// The characters of the normal form of `original`, each with the byte offset of the original
/// character it comes from. Keywords and tips both go through here, so they cannot disagree.
fn normal_chars(original: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let table = table();
    let mut previous_han = false;
    let mut chars = original.char_indices();
    std::iter::from_fn(move || {
        while let Some((byte, original_char)) = chars.next() {
            if is_han(original_char) {
                // Most of a Chinese text: no width, case, white space or gloss to fold.
                previous_han = true;
                return Some((byte, table.simplify(original_char)));
            }
            let c = if original_char.is_ascii() {
                original_char
            } else {
                table.simplify(fold_width(original_char))
            };
            if c == '('
                && previous_han
                && let Some(len) = gloss_len(&original[byte + original_char.len_utf8()..])
            {
                for _ in 0..len {
                    chars.next();
                }
                continue;
            }
            if c.is_whitespace() {
                continue;
            }
            let c = c.to_ascii_lowercase();
            previous_han = is_han(c);
            return Some((byte, c));
        }
        None
    })
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
