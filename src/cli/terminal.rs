//! Text made safe for a terminal: what a scheme or a tip holds must not steer the screen.
//!
//! Control characters (an ESC sequence, a carriage return, a line break inside a cell) and the
//! bidirectional overrides and isolates could recolour the screen, move the cursor or forge
//! whole rows of a table. Everything a person reads passes through here; JSON output does not
//! need to, since serde escapes control characters itself.

use std::borrow::Cow;

/// Characters that reorder text around them (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    (c.is_control() && !(keep_newlines && c == '\n') && c != '\t')
        || is_bidi_control(c)
        || c == '\u{2028}'
        || c == '\u{2029}'
}

/// `text` with every control character but line feed and tab, and every bidirectional
/// control, written as a visible escape such as `\u{1b}`.
pub fn safe(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// As [`safe`], with line feeds and tabs escaped too: for one cell of a table row.
pub fn cell(text: &str) -> Cow<'_, str> {
    let escaped = escape(text, false);
    if escaped.contains('\t') {
        Cow::Owned(escaped.replace('\t', "\\t"))
    } else {
        escaped
    }
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c, keep_newlines) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A scheme's text with each unsafe character replaced by visible characters of the same
/// length in bytes, so that the byte spans of diagnostics still point where they did. A CR
/// before LF is a line end and stays.
pub fn source(text: &str) -> Cow<'_, str> {
    let mut chars = text.char_indices().peekable();
    let mut out: Option<String> = None;
    while let Some((at, c)) = chars.next() {
        let line_end = c == '\r' && chars.peek().is_some_and(|(_, next)| *next == '\n');
        if !is_unsafe(c, true) || line_end {
            if let Some(out) = &mut out {
                out.push(c);
            }
            continue;
        }
        let out = out.get_or_insert_with(|| text[..at].to_string());
        match c.len_utf8() {
            3 => out.push('\u{FFFD}'),
            n => out.extend(std::iter::repeat_n('?', n)),
        }
    }
    match out {
        Some(out) => Cow::Owned(out),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::{cell, safe, source};

    #[test]
    fn escapes_and_overrides_are_made_visible() {
        assert_eq!(safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(safe("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(safe("two\nlines"), "two\nlines");
        assert_eq!(cell("two\nlines\r\tend"), "two\\u{a}lines\\u{d}\\tend");
        assert_eq!(safe("六枝特区"), "六枝特区");
    }

    #[test]
    fn a_sanitised_source_keeps_every_byte_offset() {
        let text = "a\u{1b}b\u{202e}c\u{85}d\r\ne\rf";
        let clean = source(text);
        assert_eq!(clean.len(), text.len());
        assert_eq!(clean, "a?b\u{FFFD}c??d\r\ne?f");
    }
}
