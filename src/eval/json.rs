//! JSON text written by hand for the output records: serde_json's compact form, byte for byte.
//!
//! A decided record is most of what `rectify eval` writes, and serde_json writes it a token
//! at a time, each key and string through its escaping loop a byte at a time; here a string
//! with nothing to escape, nearly every one, is copied whole. Only this module knows the
//! syntax; what goes in a record, and in which order, is said by the [`Json`] impls beside
//! the types they write.
//!
//! It must write exactly what serde_json would, whitespace, escapes and numbers included:
//! records are compared byte for byte across runs and versions, and read back by other tools.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

/// A value that writes itself as JSON.
pub(crate) trait Json {
    /// Appends the value to `out`.
    fn write(&self, out: &mut String);
}

impl Json for str {
    fn write(&self, out: &mut String) {
        string(out, self);
    }
}

impl Json for &str {
    fn write(&self, out: &mut String) {
        string(out, self);
    }
}

impl Json for String {
    fn write(&self, out: &mut String) {
        string(out, self);
    }
}

impl Json for bool {
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Json for usize {
    fn write(&self, out: &mut String) {
        unsigned(out, *self as u64);
    }
}

impl Json for f64 {
    fn write(&self, out: &mut String) {
        // Rare (similarities, scores), and the shortest round-tripping form is serde_json's
        // own to give: it is asked, so the two cannot differ.
        out.push_str(&serde_json::to_string(self).unwrap_or_else(|_| "null".into()));
    }
}

impl Json for NaiveDate {
    fn write(&self, out: &mut String) {
        date(out, *self);
    }
}

impl<T: Json> Json for [T] {
    fn write(&self, out: &mut String) {
        out.push('[');
        for (at, item) in self.iter().enumerate() {
            if at > 0 {
                out.push(',');
            }
            item.write(out);
        }
        out.push(']');
    }
}

impl<T: Json> Json for Vec<T> {
    fn write(&self, out: &mut String) {
        self.as_slice().write(out);
    }
}

/// An object being written: `{`, then each field, then `}` at [`end`](Object::end).
pub(crate) struct Object<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Object<'o> {
    pub(crate) fn new(out: &'o mut String) -> Object<'o> {
        out.push('{');
        Object { out, first: true }
    }

    /// Writes the key `name`, which is plain ASCII with nothing to escape, and its value.
    /// Inlined, so that each key, known where it is written, is copied without a call.
    #[inline(always)]
    pub(crate) fn field(&mut self, name: &str, value: &(impl Json + ?Sized)) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
        value.write(self.out);
        self
    }

    /// Writes the field only when there is a value.
    #[inline(always)]
    pub(crate) fn field_some(
        &mut self,
        name: &str,
        value: Option<&(impl Json + ?Sized)>,
    ) -> &mut Self {
        if let Some(value) = value {
            self.field(name, value);
        }
        self
    }

    pub(crate) fn end(&mut self) {
        self.out.push('}');
    }
}

/// A text in quotes, escaped as serde_json escapes it: the quote, the backslash and the
/// control characters below U+0020, those with a short form (`\n`) by it and the rest as
/// `\u00XX` in lower-case hex; nothing else.
fn string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    // Sixteen bytes are looked at together, which the compiler does in one vector step: most
    // texts hold nothing to escape and are copied whole.
    let chunks = bytes.chunks_exact(16);
    let rest = bytes.len() - chunks.remainder().len();
    for (number, chunk) in chunks.enumerate() {
        if chunk.iter().fold(false, |any, &byte| any | escaped(byte)) {
            escape_in(out, text, &mut start, number * 16);
        }
    }
    // The last few bytes, most of a short text, are looked at the same way, padded with a
    // byte that needs no escape.
    let mut last = [b' '; 16];
    last[..bytes.len() - rest].copy_from_slice(&bytes[rest..]);
    if last.iter().fold(false, |any, &byte| any | escaped(byte)) {
        escape_in(out, text, &mut start, rest);
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Writes the escapes of the (at most) sixteen bytes of `text` from `from`, and what comes
/// before each from `start` on, which then moves past the last.
fn escape_in(out: &mut String, text: &str, start: &mut usize, from: usize) {
    let to = text.len().min(from + 16);
    for (at, &byte) in text.as_bytes()[from..to].iter().enumerate() {
        if escaped(byte) {
            let at = from + at;
            escape(out, &text[*start..at], byte);
            *start = at + 1;
        }
    }
}

#[inline]
fn escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Writes what comes before an escaped byte, then the byte's escape. Escaped bytes are ASCII,
/// so the text before one ends at a character boundary.
fn escape(out: &mut String, before: &str, byte: u8) {
    out.push_str(before);
    match byte {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0C => out.push_str("\\f"),
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
}

/// A number in decimal.
fn unsigned(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("digits are ASCII"));
}

/// A date in quotes as chrono writes it (`"2022-06-19"`), put together by hand for the years of
/// four digits: chrono's own goes through `fmt` a character at a time.
fn date(out: &mut String, date: NaiveDate) {
    let year = match u32::try_from(date.year()) {
        Ok(year) if year <= 9999 => year,
        // chrono writes a sign and five or more digits: nothing to escape.
        _ => {
            let _ = write!(out, "\"{date}\"");
            return;
        }
    };
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (month, day) = (date.month(), date.day());
    let text = [
        b'"',
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
        b'"',
    ];
    out.push_str(std::str::from_utf8(&text).expect("digits, hyphens and quotes are ASCII"));
}

#[cfg(test)]
mod tests {
    use super::{Json, date, string, unsigned};
    use chrono::{Datelike, NaiveDate};

    fn ours(write: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        write(&mut out);
        out
    }

    #[test]
    fn every_ascii_character_is_escaped_as_serde_json_escapes_it() {
        for byte in 0u8..=0x7F {
            let text = format!("a{}b", char::from(byte));
            assert_eq!(
                ours(|out| string(out, &text)),
                serde_json::to_string(&text).unwrap(),
                "byte {byte:#04x}"
            );
        }
    }

    #[test]
    fn texts_are_written_as_serde_json_writes_them() {
        for text in [
            "",
            "精文简会",
            "\"",
            "\\\\",
            "line\nnext\r\n\ttab",
            "\u{7f}\u{80}\u{2028}\u{feff}",
            "王某 \"138…\" 反映",
            "\u{0}\u{1f}",
        ] {
            assert_eq!(
                ours(|out| string(out, text)),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    #[test]
    fn an_escape_anywhere_in_a_long_text_is_found() {
        // The text is looked at sixteen bytes at a time, then the rest: an escape at every
        // place, in texts of every length around one and two chunks, Chinese and ASCII alike.
        for len in 0..=40 {
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{1}'] {
                    let text: String = (0..len)
                        .map(|i| {
                            if i == at {
                                special
                            } else if i % 3 == 0 {
                                '文'
                            } else {
                                'a'
                            }
                        })
                        .collect();
                    assert_eq!(
                        ours(|out| string(out, &text)),
                        serde_json::to_string(&text).unwrap(),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [0u64, 7, 10, 99, 100, 12_345, u32::MAX as u64, u64::MAX] {
            assert_eq!(
                ours(|out| unsigned(out, n)),
                serde_json::to_string(&n).unwrap()
            );
        }
        for x in [0.0f64, 1.0, 0.83, 0.5, 12.34, 1e-7, f64::NAN, f64::INFINITY] {
            assert_eq!(ours(|out| x.write(out)), serde_json::to_string(&x).unwrap());
        }
    }

    #[test]
    fn a_date_is_written_as_chrono_writes_it_in_every_year() {
        let mut day = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        while day.year() < 2031 {
            assert_eq!(ours(|out| date(out, day)), format!("\"{day}\""));
            day = day.succ_opt().unwrap();
        }
        for day in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-1, 6, 30).unwrap(),
        ] {
            assert_eq!(ours(|out| date(out, day)), format!("\"{day}\""));
            assert_eq!(
                ours(|out| date(out, day)),
                serde_json::to_string(&day).unwrap()
            );
        }
    }
}
