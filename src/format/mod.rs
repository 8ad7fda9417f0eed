//! The canonical layout of a scheme file (`rectify fmt`, and formatting in the language server).
//!
//! The formatter changes white space and nothing else: every keyword, id, quoted text, mark and
//! comment stays as written, in its order, unless it is asked to spell the keywords one way
//! (`--keywords zh|en`). Statements stand one a line, blocks are indented two spaces, areas and
//! declarations of the file are set apart by a blank line, and a list of rules too long for a
//! line is broken and filled the same way every time. A blank line the writer left between two
//! statements is kept (one, however many there were).
//!
//! It reads the tokens `syntax` gives and knows nothing of names, types or the model: a file
//! that parses can be formatted, whether or not it checks.

mod doc;

use std::borrow::Cow;

use doc::Doc;

use crate::lang::Lang;
use crate::syntax::{self, Keyword, ParseError, Statement, Token, TokenKind};

/// Columns a line may take before a rule list is broken (a Chinese character takes two).
const WIDTH: usize = 100;
/// One level of indentation.
const INDENT: &str = "  ";

/// How to format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Spell every keyword in this language; `None` keeps each as written.
    pub keywords: Option<Lang>,
}

/// Why a file was not formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatError {
    /// It does not parse; these are its syntax errors.
    Syntax(Vec<ParseError>),
    /// It parses, but the formatter could not account for every character of it, so it left
    /// the file alone rather than lose one.
    Unaccounted,
}

/// `source` in the canonical layout.
pub fn format(source: &str, options: Options) -> Result<String, FormatError> {
    let tokens = syntax::tokens(source).map_err(|errors| {
        if errors.is_empty() {
            FormatError::Unaccounted
        } else {
            FormatError::Syntax(errors)
        }
    })?;
    let mut layout = Layout {
        source,
        tokens: &tokens,
        options,
        out: String::new(),
        blocks: Vec::new(),
        first_in_block: true,
        blank_next: false,
        after_comment: false,
        eol: if crlf(source) { "\r\n" } else { "\n" },
    };
    if source.starts_with('\u{FEFF}') {
        layout.out.push('\u{FEFF}');
    }
    layout.run();
    let out = std::mem::take(&mut layout.out);
    // What was written is read back: the same tokens, spelt as asked, or the file is left
    // as it was.
    let read = syntax::tokens(&out).map_err(|_| FormatError::Unaccounted)?;
    let same = read.len() == tokens.len()
        && tokens.iter().zip(&read).all(|(before, after)| {
            let written = out[after.span.start..after.span.end].trim_end();
            let expected = match before.kind {
                TokenKind::Comment => Cow::Owned(layout.comment(before)),
                _ => layout.text(before),
            };
            before.kind == after.kind && written == expected.trim_end()
        });
    if !same {
        return Err(FormatError::Unaccounted);
    }
    Ok(out)
}

/// Whether the file's lines end in CR LF, as Notepad writes them (the first line break says).
fn crlf(source: &str) -> bool {
    source
        .find('\n')
        .is_some_and(|at| source[..at].ends_with('\r'))
}

/// What a block holds, which says how its contents are laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Statements, one a line.
    Statements,
    /// The words of a vocabulary, filled line by line.
    Words,
}

struct Layout<'a> {
    source: &'a str,
    tokens: &'a [Token],
    options: Options,
    out: String,
    blocks: Vec<(Block, Option<Statement>)>,
    /// Nothing has been written in the block just opened (or in the file).
    first_in_block: bool,
    /// The next line is set apart by a blank line (it follows an area or a declaration).
    blank_next: bool,
    /// The line just written is a comment, which stays with the statement after it.
    after_comment: bool,
    /// How lines end: as the file's first line ends.
    eol: &'static str,
}

impl<'a> Layout<'a> {
    fn run(&mut self) {
        let mut at = 0;
        while at < self.tokens.len() {
            let token = &self.tokens[at];
            match token.kind {
                TokenKind::Comment => {
                    let blank = self.blank_before_comment(at);
                    self.begin_line(token, blank);
                    let text = self.comment(token);
                    self.line(text);
                    self.after_comment = true;
                    at += 1;
                }
                TokenKind::Close => {
                    let (_, opened_by) = self.blocks.pop().unwrap_or((Block::Statements, None));
                    let end = self.trailing_comments(at + 1);
                    let mut text = self.text(token).into_owned();
                    for comment in &self.tokens[at + 1..end] {
                        text.push(' ');
                        text.push_str(&self.comment(comment));
                    }
                    self.first_in_block = false;
                    self.blank_next = false;
                    self.line_at(self.blocks.len(), text);
                    self.after_comment = false;
                    self.blank_next = matches!(opened_by, Some(Statement::File | Statement::Area));
                    at = end;
                }
                _ => at = self.statement(at),
            }
        }
    }

    /// Lays out the statement that begins at `start`; returns where the next one begins.
    fn statement(&mut self, start: usize) -> usize {
        let tokens = self.tokens;
        let first = &tokens[start];
        let in_words = matches!(self.blocks.last(), Some((Block::Words, _)));
        let mut end = start + 1;
        let mut opens = false;
        while end < tokens.len() {
            let token = &tokens[end];
            if token.starts.is_some() || token.kind == TokenKind::Close {
                break;
            }
            end += 1;
            if token.kind == TokenKind::Open {
                opens = true;
                end = self.trailing_comments(end);
                break;
            }
        }
        // Comments on lines of their own after the statement's last word belong to what
        // follows it.
        if !opens {
            while end > start + 1
                && tokens[end - 1].kind == TokenKind::Comment
                && tokens[end - 1].breaks_before > 0
            {
                end -= 1;
            }
        }
        let force = !self.first_in_block
            && (self.blank_next
                || (!self.after_comment
                    && matches!(first.starts, Some(Statement::File | Statement::Area))));
        self.after_comment = false;
        self.begin_line(first, force);
        let doc = if in_words {
            self.words(&tokens[start..end])
        } else {
            self.statement_doc(&tokens[start..end])
        };
        let text = doc::print(&doc, self.blocks.len(), INDENT, WIDTH, self.eol);
        self.push_line(text.trim_end());
        if opens {
            let block = if first.kind == TokenKind::Keyword(Keyword::Vocabulary)
                && first.starts == Some(Statement::File)
            {
                Block::Words
            } else {
                Block::Statements
            };
            self.blocks.push((block, first.starts));
            self.first_in_block = true;
        } else {
            self.first_in_block = false;
        }
        end
    }

    /// The index after the comments that follow `at` on the same line.
    fn trailing_comments(&self, mut at: usize) -> usize {
        while self
            .tokens
            .get(at)
            .is_some_and(|t| t.kind == TokenKind::Comment && t.breaks_before == 0)
        {
            at += 1;
        }
        at
    }

    /// Whether the comment at `at` begins a run of comments that introduces an area or a
    /// declaration of the file, which is set apart by a blank line before the run.
    fn blank_before_comment(&self, at: usize) -> bool {
        if self.first_in_block || self.after_comment {
            return false;
        }
        if self.blank_next {
            return true;
        }
        let mut next = at;
        while let Some(token) = self.tokens.get(next) {
            if next > at && token.breaks_before > 1 {
                return false;
            }
            if token.kind != TokenKind::Comment {
                return matches!(token.starts, Some(Statement::File | Statement::Area));
            }
            next += 1;
        }
        false
    }

    /// Starts a line for `token`, after a blank line when one is due or was written.
    fn begin_line(&mut self, token: &Token, force_blank: bool) {
        let blank = !self.first_in_block && (force_blank || token.breaks_before > 1);
        let blank_line = self.eol.repeat(2);
        if blank && !self.out.is_empty() && !self.out.ends_with(&blank_line) {
            self.out.push_str(self.eol);
        }
        self.blank_next = false;
    }

    fn line(&mut self, text: String) {
        self.line_at(self.blocks.len(), text);
    }

    fn line_at(&mut self, depth: usize, text: String) {
        let text = INDENT.repeat(depth) + &text;
        self.push_line(&text);
        self.first_in_block = false;
    }

    fn push_line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push_str(self.eol);
    }

    /// A token's text as it is to be printed.
    fn text(&self, token: &Token) -> Cow<'a, str> {
        let written = &self.source[token.span.start..token.span.end];
        let spelling = self.options.keywords;
        match token.kind {
            // `working # …⏎ days`, `> # …⏎ =`: a comment inside a word keeps it as written.
            TokenKind::Keyword(_) | TokenKind::Compare if has_comment(written) => {
                Cow::Borrowed(written)
            }
            TokenKind::Keyword(keyword) => match spelling {
                Some(Lang::Zh) => Cow::Borrowed(keyword.chinese()),
                Some(Lang::En) => Cow::Borrowed(keyword.english()),
                // `same  subject` as `same subject`; the rest as written.
                None if written.contains(char::is_whitespace) => {
                    Cow::Owned(written.split_whitespace().collect::<Vec<_>>().join(" "))
                }
                None => Cow::Borrowed(written),
            },
            TokenKind::Compare => Cow::Owned(written.split_whitespace().collect()),
            // A built-in field is spelt as the keywords are; a declared one is an id.
            TokenKind::Path => {
                let built_in = syntax::BUILT_IN_FIELDS
                    .iter()
                    .find(|(english, chinese)| written == *english || written == *chinese);
                match (built_in, spelling) {
                    (Some((english, _)), Some(Lang::En)) => Cow::Borrowed(english),
                    (Some((_, chinese)), Some(Lang::Zh)) => Cow::Borrowed(chinese),
                    _ => Cow::Borrowed(written),
                }
            }
            TokenKind::DayOfMonth if !has_comment(written) => {
                let day = digits(written);
                let english = written.starts_with("by");
                Cow::Owned(
                    match spelling.map(|lang| lang == Lang::En).unwrap_or(english) {
                        true => format!("by {day}"),
                        false => format!("{day}日前"),
                    },
                )
            }
            TokenKind::Lookback if !has_comment(written) => {
                let days = digits(written);
                let english = written.starts_with("within");
                Cow::Owned(match spelling.map(|lang| lang == Lang::En) {
                    Some(true) => format!("within {days} days"),
                    Some(false) => format!("{days} 日内"),
                    None if english => {
                        // `within 90 days`, `within 90days`, `within 90 天`.
                        let unit = written["within".len()..]
                            .trim_start()
                            .trim_start_matches(|c: char| {
                                c.is_ascii_digit() || ('０'..='９').contains(&c)
                            })
                            .trim();
                        format!("within {days} {unit}")
                    }
                    None => {
                        let unit = written.trim_start_matches(|c: char| !is_unit(c));
                        format!("{days} {}", unit.trim())
                    }
                })
            }
            _ => Cow::Borrowed(written),
        }
    }

    fn comment(&self, token: &Token) -> String {
        self.source[token.span.start..token.span.end]
            .trim_end()
            .to_string()
    }

    /// A statement: its words on one line, with each list in parentheses or brackets a group
    /// that is broken when the line is too long.
    ///
    /// A statement too long for its line is first broken before its `匹配`, `当` and `理由`,
    /// which then stand one indentation level further in; its lists break only if that is not
    /// enough. A comment at its end stays at the end of its last line.
    fn statement_doc(&self, tokens: &[Token]) -> Doc {
        let mut body = tokens.len();
        while body > 0
            && tokens[body - 1].kind == TokenKind::Comment
            && tokens[body - 1].breaks_before == 0
        {
            body -= 1;
        }
        // Where a clause begins: at its keyword, outside every list.
        let mut splits = vec![0];
        let mut depth = 0i32;
        for (index, token) in tokens[..body].iter().enumerate() {
            match token.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth -= 1,
                TokenKind::Keyword(Keyword::Match | Keyword::When | Keyword::Reason)
                    if depth == 0 && index > 0 =>
                {
                    splits.push(index);
                }
                _ => {}
            }
        }
        splits.push(body);
        let mut head = Vec::new();
        let mut tail: Vec<Doc> = Vec::new();
        for (number, pair) in splits.windows(2).enumerate() {
            let parts = self.sequence(&tokens[pair[0]..pair[1]]);
            if number == 0 {
                head = parts;
            } else {
                tail.push(Doc::Line);
                tail.extend(parts);
            }
        }
        // After a comment inside the statement, the rest goes on one level further in, so that
        // it does not read as a statement of its own.
        let mut parts = Vec::new();
        let mut head = head.into_iter();
        parts.extend(head.next());
        parts.push(Doc::Indent(head.collect()));
        if !tail.is_empty() {
            parts.push(Doc::Indent(tail));
        }
        let mut docs = vec![Doc::Group(parts)];
        for comment in &tokens[body..] {
            docs.push(Doc::Space);
            docs.push(Doc::Text(self.comment(comment)));
        }
        Doc::Concat(docs)
    }

    /// The words of a vocabulary, filled.
    fn words(&self, tokens: &[Token]) -> Doc {
        let mut at = 0;
        let items = self.items(tokens, &mut at, None, true);
        Doc::Fill(items)
    }

    /// The tokens of a part of a statement, its lists laid out as groups.
    fn sequence(&self, tokens: &[Token]) -> Vec<Doc> {
        let mut parts = Vec::new();
        let mut previous: Option<&Token> = None;
        let at = &mut 0;
        while let Some(token) = tokens.get(*at) {
            *at += 1;
            if token.kind == TokenKind::Comment {
                parts.extend(self.comment_docs(token));
                continue;
            }
            if let Some(previous) = previous
                && self.spaced(previous, token)
            {
                parts.push(Doc::Space);
            }
            let (doc, last) = self.word(tokens, at, token);
            parts.push(doc);
            previous = last;
        }
        parts
    }

    /// The word `token`, or the list it opens read up to its close; with the last token read.
    fn word<'t>(
        &self,
        tokens: &'t [Token],
        at: &mut usize,
        token: &'t Token,
    ) -> (Doc, Option<&'t Token>) {
        match closer(token.kind) {
            Some(close) => {
                let group = self.group(tokens, at, token, close);
                (group, tokens.get(*at - 1))
            }
            None => (Doc::text(self.text(token)), Some(token)),
        }
    }

    /// A parenthesised or bracketed list, opened by `open` and read up to its `close`.
    fn group(&self, tokens: &[Token], at: &mut usize, open: &Token, close: TokenKind) -> Doc {
        // A comment on the line of the opening mark stays there, so that it is read the same
        // way the next time.
        let mut inside = Vec::new();
        while let Some(comment) = tokens
            .get(*at)
            .filter(|t| t.kind == TokenKind::Comment && t.breaks_before == 0)
        {
            *at += 1;
            inside.extend([Doc::Space, Doc::Text(self.comment(comment)), Doc::Hard]);
        }
        let items = self.items(tokens, at, Some(close), false);
        inside.extend([Doc::Soft, Doc::Fill(items)]);
        let mut parts = vec![Doc::text(self.text(open)), Doc::Indent(inside), Doc::Soft];
        if let Some(token) = tokens.get(*at).filter(|t| t.kind == close) {
            *at += 1;
            parts.push(Doc::text(self.text(token)));
        }
        Doc::Group(parts)
    }

    /// The items of a list, each with the separator written after it, and between them the
    /// places where the list may break. In a vocabulary, white space alone separates words.
    fn items(
        &self,
        tokens: &[Token],
        at: &mut usize,
        until: Option<TokenKind>,
        words: bool,
    ) -> Vec<Doc> {
        let mut items: Vec<Doc> = Vec::new();
        let mut item: Vec<Doc> = Vec::new();
        let mut previous: Option<&Token> = None;
        let finish = |items: &mut Vec<Doc>, item: &mut Vec<Doc>, wide: bool| {
            if item.is_empty() {
                return;
            }
            if !items.is_empty() {
                items.push(if wide { Doc::Soft } else { Doc::Line });
            }
            items.push(Doc::Concat(std::mem::take(item)));
        };
        let mut wide = false;
        while let Some(token) = tokens.get(*at) {
            if Some(token.kind) == until {
                break;
            }
            *at += 1;
            match token.kind {
                TokenKind::Comment => {
                    // A comment after a separator, on its line, stays after the item it ends.
                    if token.breaks_before == 0
                        && item.is_empty()
                        && let Some(Doc::Concat(last)) = items.last_mut()
                    {
                        last.extend(self.comment_docs(token));
                    } else {
                        item.extend(self.comment_docs(token));
                    }
                    continue;
                }
                TokenKind::Separator => {
                    item.push(Doc::text(self.text(token)));
                    let written = self.text(token);
                    finish(&mut items, &mut item, wide);
                    wide = written != ",";
                    previous = None;
                    continue;
                }
                _ => {}
            }
            if words && previous.is_some() {
                finish(&mut items, &mut item, wide);
                wide = false;
                previous = None;
            }
            if let Some(previous) = previous
                && self.spaced(previous, token)
            {
                item.push(Doc::Space);
            }
            let (doc, last) = self.word(tokens, at, token);
            item.push(doc);
            previous = last;
        }
        // Comments after the last separator stay in the list, after it.
        if !item.is_empty() {
            finish(&mut items, &mut item, wide);
        }
        items
    }

    /// Whether a space stands between two tokens of one statement.
    fn spaced(&self, previous: &Token, next: &Token) -> bool {
        use TokenKind as K;
        match (previous.kind, next.kind) {
            (_, K::Separator | K::Colon | K::RParen | K::RBracket) => false,
            (K::LParen | K::LBracket, _) => false,
            // `、` and `，` carry their own space.
            (K::Separator, _) => self.text(previous) == ",",
            // `任一(…)`, `字数(内容)`: a keyword that takes its arguments in parentheses.
            (K::Keyword(keyword), K::LParen) => !matches!(
                keyword,
                Keyword::Any
                    | Keyword::All
                    | Keyword::Not
                    | Keyword::Near
                    | Keyword::Regex
                    | Keyword::Approx
                    | Keyword::Vocabulary
                    | Keyword::EnumType
                    | Keyword::Length
            ),
            _ => true,
        }
    }

    /// A comment inside a statement: after the word before it, or on a line of its own.
    fn comment_docs(&self, token: &Token) -> Vec<Doc> {
        let text = self.comment(token);
        if token.breaks_before == 0 {
            vec![Doc::Space, Doc::Text(text), Doc::Hard]
        } else {
            vec![Doc::Hard, Doc::Text(text), Doc::Hard]
        }
    }
}

/// The mark that closes a list opened by `kind`.
fn closer(kind: TokenKind) -> Option<TokenKind> {
    match kind {
        TokenKind::LParen => Some(TokenKind::RParen),
        TokenKind::LBracket => Some(TokenKind::RBracket),
        _ => None,
    }
}

fn has_comment(text: &str) -> bool {
    text.contains(['#', '＃'])
}

/// The digits of a day count as written (full-width digits stay full-width).
fn digits(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .collect()
}

fn is_unit(c: char) -> bool {
    c == '日' || c == '天'
}

#[cfg(test)]
mod tests;
