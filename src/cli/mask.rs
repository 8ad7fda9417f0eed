//! Reporters' names in scheme text, masked wherever a scheme's lines are shown.
//!
//! An example may name its reporter (`反映人 "王某"`). Whatever shows the lines of a scheme —
//! a diagnostic of `check`, `eval` or `test`, a failing example — shows `反映人 "＊＊"` instead.
//! The scan is lexical, so that it works on a scheme that does not parse: strings and comments
//! are skipped, and the string after the keyword is masked without changing its length in
//! bytes, so that every span still points where it did.

use std::borrow::Cow;

const KEYWORDS: [&str; 2] = ["反映人", "reporter"];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// `text` with the contents of every string that follows a reporter keyword masked.
pub fn reporters(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut previous = ' ';
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                previous = '\n';
                continue;
            }
            '"' | '\u{201C}' | '\u{FF02}' => {
                skip_string(&mut chars, previous == 'r' && c == '"', closing(c));
                previous = '"';
                continue;
            }
            _ => {}
        }
        if !is_word(previous)
            && let Some(keyword) = KEYWORDS.iter().find(|k| text[at..].starts_with(**k))
            && !text[at + keyword.len()..]
                .chars()
                .next()
                .is_some_and(is_word)
        {
            // Past the keyword and the white space after it, to the string, if one follows.
            for _ in 1..keyword.chars().count() {
                chars.next();
            }
            while chars
                .peek()
                .is_some_and(|(_, c)| c.is_whitespace() || *c == '\u{3000}')
            {
                chars.next();
            }
            let raw = matches!(chars.peek(), Some((_, 'r')))
                && text[chars.peek().map_or(0, |(i, _)| *i)..].starts_with("r\"");
            if raw {
                chars.next();
            }
            if let Some(&(open, quote @ ('"' | '\u{201C}' | '\u{FF02}'))) = chars.peek() {
                chars.next();
                let end = skip_string(&mut chars, raw, closing(quote)).unwrap_or(text.len());
                spans.push(open + quote.len_utf8()..end);
                previous = '"';
                continue;
            }
            previous = 'x';
            continue;
        }
        previous = c;
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        // Quote marks stay visible: they say nothing of the reporter, and a diagnostic may be
        // about them (a name opened with `"` and closed with `”`).
        let quote = matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{FF02}');
        if spans.iter().any(|span| span.contains(&at)) && c != '\n' && !quote {
            match c.len_utf8() {
                3 => out.push('＊'),
                n => out.extend(std::iter::repeat_n('*', n)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Past the rest of a string whose opening quote was just read; the offset of its closing
/// quote, if it has one on its line.
/// The mark that closes a string opened with `open`.
fn closing(open: char) -> char {
    match open {
        '\u{201C}' => '\u{201D}',
        other => other,
    }
}

fn skip_string(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    raw: bool,
    close: char,
) -> Option<usize> {
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if !raw => {
                chars.next();
            }
            c if c == close => return Some(at),
            '\n' if !raw => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::reporters;

    #[test]
    fn a_reporter_in_chinese_quotes_is_masked_and_the_quotes_stay() {
        let text = "  反映人 “王某”\n  反映人 ＂李某＂\n  反映人 \"孙某”\n  内容 “说”";
        assert_eq!(
            reporters(text),
            "  反映人 “＊＊”\n  反映人 ＂＊＊＂\n  反映人 \"＊＊”\n  内容 “说”"
        );
    }

    #[test]
    fn the_string_after_a_reporter_keyword_is_masked_and_nothing_else() {
        let text = "示例 \"x\" {\n  内容 \"反映人 \\\"王某\\\" 说\"\n  反映人 \"王某\"\n  reporter r\"Li\"  # 反映人 \"注释\"\n}";
        let masked = reporters(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            masked,
            "示例 \"x\" {\n  内容 \"反映人 \\\"王某\\\" 说\"\n  反映人 \"＊＊\"\n  reporter r\"**\"  # 反映人 \"注释\"\n}"
        );
    }
}
