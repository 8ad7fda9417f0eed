//! A scheme file as the writer typed it: every keyword, word, mark and comment, in order.
//!
//! The syntax tree keeps what a scheme means; this keeps how it was written, for the tools that
//! give a file back to its writer (the formatter, the language server). Nothing is resolved or
//! checked here, and nothing is dropped: every character outside white space is in a token (a
//! comment inside a word such as `working # …⏎ days` stays inside that word).

use super::keyword::Keyword;
use super::parser::{self, Leaf};
use super::{ParseError, Span};

/// One token of a scheme file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is, in bytes.
    pub span: Span,
    /// Line breaks between the token before and this one (0, 1, or 2 for "a blank line or
    /// more").
    pub breaks_before: u8,
    /// The statement or declaration this token begins, if it begins one.
    pub starts: Option<Statement>,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword, in either spelling.
    Keyword(Keyword),
    /// An id, a quoted text, a date, a month or a number.
    Word,
    /// A field in a condition (`实名`, `对象.类型`, `涉企`).
    Path,
    /// A comparison (`==`, `>=`, `＜` …).
    Compare,
    /// A day of the month (`by 20`, `20日前`).
    DayOfMonth,
    /// How far back a repeat is looked for (`within 90 days`, `90 日内`).
    Lookback,
    /// `{`, `｛`.
    Open,
    /// `}`, `｝`.
    Close,
    /// `(`, `（`.
    LParen,
    /// `)`, `）`.
    RParen,
    /// `[`, `【`.
    LBracket,
    /// `]`, `】`.
    RBracket,
    /// `,`, `，`, `、`.
    Separator,
    /// `:`, `：`.
    Colon,
    /// `=`, `＝` (a field of an example).
    Equals,
    /// `# …` or `＃ …` to the end of its line.
    Comment,
}

/// The kinds of statement a token may begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statement {
    /// A campaign, a vocabulary or a holiday schedule.
    File,
    /// An area of a campaign (`方面`).
    Area,
    /// Any other statement or block.
    Inner,
}

/// The tokens of `source`, or its syntax errors when it does not parse.
pub fn tokens(source: &str) -> Result<Vec<Token>, Vec<ParseError>> {
    super::parse(source)?;
    let leaves = parser::leaves(source).ok_or_else(Vec::new)?;
    let mut tokens = Vec::with_capacity(leaves.len() * 2);
    let mut at = 0;
    let mut breaks = 0u8;
    for leaf in leaves
        .iter()
        .copied()
        .chain(std::iter::once(Leaf::end(source.len())))
    {
        gap(source, at, leaf.span.start, &mut breaks, &mut tokens)?;
        if leaf.span.start == source.len() && leaf.span.end == source.len() {
            break;
        }
        tokens.push(Token {
            kind: leaf.kind,
            span: leaf.span,
            breaks_before: breaks,
            starts: leaf.starts,
        });
        breaks = 0;
        at = leaf.span.end;
    }
    Ok(tokens)
}

/// Reads the marks and comments between two leaves of the tree.
fn gap(
    source: &str,
    from: usize,
    to: usize,
    breaks: &mut u8,
    tokens: &mut Vec<Token>,
) -> Result<(), Vec<ParseError>> {
    let text = &source[from..to];
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let start = from + offset;
        let kind = match c {
            '\n' => {
                *breaks = (*breaks + 1).min(2);
                continue;
            }
            '\r' => {
                if chars.peek().map(|(_, c)| *c) != Some('\n') {
                    *breaks = (*breaks + 1).min(2);
                }
                continue;
            }
            ' ' | '\t' | '\u{3000}' | '\u{FEFF}' => continue,
            '#' | '＃' => {
                let mut end = to;
                while let Some(&(next, c)) = chars.peek() {
                    if c == '\n' || c == '\r' {
                        end = from + next;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token {
                    kind: TokenKind::Comment,
                    span: Span::new(start, end),
                    breaks_before: *breaks,
                    starts: None,
                });
                *breaks = 0;
                continue;
            }
            '{' | '｛' => TokenKind::Open,
            '}' | '｝' => TokenKind::Close,
            '(' | '（' => TokenKind::LParen,
            ')' | '）' => TokenKind::RParen,
            '[' | '【' => TokenKind::LBracket,
            ']' | '】' => TokenKind::RBracket,
            ',' | '，' | '、' => TokenKind::Separator,
            ':' | '：' => TokenKind::Colon,
            '=' | '＝' => TokenKind::Equals,
            // The grammar leaves nothing else between two leaves; reading on would lose it.
            _ => return Err(Vec::new()),
        };
        tokens.push(Token {
            kind,
            span: Span::new(start, start + c.len_utf8()),
            breaks_before: *breaks,
            starts: None,
        });
        *breaks = 0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        tokens(source)
            .expect("parses")
            .into_iter()
            .map(|token| (token.kind, &source[token.span.start..token.span.end]))
            .collect()
    }

    #[test]
    fn every_character_outside_white_space_is_in_a_token() {
        for path in crate::BUNDLED_FILES {
            let source = std::fs::read_to_string(path).expect("bundled file");
            let mut rebuilt = String::new();
            for token in tokens(&source).expect(path) {
                rebuilt.push_str(&source[token.span.start..token.span.end]);
            }
            let mut expected: String = source.split_whitespace().collect();
            expected.retain(|c| c != '\u{3000}' && c != '\u{FEFF}');
            let mut rebuilt: String = rebuilt.split_whitespace().collect();
            rebuilt.retain(|c| c != '\u{3000}' && c != '\u{FEFF}');
            assert_eq!(rebuilt, expected, "{path}");
        }
    }

    #[test]
    fn a_statement_is_marked_at_its_first_token() {
        let source = "专项 a {\n  # c\n  方面 x \"X\" { 类别 y \"Y\" { 表现 z \"Z\" 匹配 任一(\"p\"、\"q\") } }\n}\n";
        let tokens = tokens(source).unwrap();
        let starts: Vec<(&str, Statement)> = tokens
            .iter()
            .filter_map(|t| Some((&source[t.span.start..t.span.end], t.starts?)))
            .collect();
        assert_eq!(
            starts,
            [
                ("专项", Statement::File),
                ("方面", Statement::Area),
                ("类别", Statement::Inner),
                ("表现", Statement::Inner)
            ]
        );
        assert_eq!(tokens[3].kind, TokenKind::Comment);
        assert_eq!(tokens[3].breaks_before, 1);
    }

    #[test]
    fn compound_words_are_one_token() {
        let source = "专项 a {\n 报送 台账 \"台账\" 每月 20日前 至 b\n 不予受理 r 当 重复反映 相似度 0.5 same  subject 90 日内 且 x >= 1 理由 \"r\"\n 时限 办理 30 working days\n}";
        let found = kinds(source);
        assert!(found.contains(&(TokenKind::DayOfMonth, "20日前")));
        assert!(found.contains(&(TokenKind::Lookback, "90 日内")));
        assert!(found.contains(&(TokenKind::Keyword(Keyword::SameSubject), "same  subject")));
        assert!(found.contains(&(TokenKind::Compare, ">=")));
        assert!(found.contains(&(TokenKind::Keyword(Keyword::WorkingDays), "working days")));
    }

    #[test]
    fn a_file_that_does_not_parse_gives_its_errors() {
        let errors = tokens("专项 a { 标题 }").unwrap_err();
        assert!(!errors.is_empty());
    }
}
