//! The grammar of `grammar/scheme.pest`, read by hand, for the files that parse.
//!
//! Parsing with pest and lowering its pairs cost four fifths of checking a scheme. This reader
//! follows the grammar rule for rule, with a PEG's own semantics — ordered choice, greedy
//! repetition, white space and comments skipped between the parts of every rule that is not
//! atomic — and builds the syntax tree as it reads, with the very spans the lowering of pest's
//! pairs gives.
//!
//! It has no errors of its own. Where the text is not a scheme, or lowering would report
//! something (an unknown escape, nesting near the limit), it gives up and the file is left to
//! pest, which has the last word: its errors, recovery and "expected …" lists are the only
//! ones. What this module must never do is read a file differently from pest; a test compares
//! the two on every scheme file of the repository and thousands of damaged copies of them.

use std::cell::Cell;

use super::Span;
use super::ast::*;
use super::keyword::Keyword;
use super::parser::{DEEPEST, ascii_width, compare_op, kept, unescape};

/// What a rule read, and where its text ends as pest counts it: past white space a last
/// repetition or an absent last part let it consume, which a node's span leaves out.
type Read<T> = Option<(T, usize)>;

/// How deep this reader follows nested rules and conditions before it leaves the file to pest
/// and its lowering, which report nesting too deep: well within [`DEEPEST`], so that the two
/// need not count levels alike to agree.
const DEEPEST_READ: usize = DEEPEST / 2;

/// The syntax tree of a file that parses and lowers without a problem; `None` for any other.
pub(super) fn read(source: &str) -> Option<SchemeFile> {
    let reader = Reader {
        src: source,
        bytes: source.as_bytes(),
        gave_up: Cell::new(false),
    };
    let file = reader.file();
    if reader.gave_up.get() { None } else { file }
}

/// The first alternative that reads, each tried from the same place: a PEG's ordered choice.
macro_rules! first {
    ($($alternative:expr),+ $(,)?) => {{
        $(
            if let Some(found) = $alternative {
                return Some(found);
            }
        )+
        None
    }};
}

struct Reader<'s> {
    src: &'s str,
    bytes: &'s [u8],
    /// Set where lowering would report a problem: the whole file is then pest's.
    gave_up: Cell<bool>,
}

impl Reader<'_> {
    fn give_up<T>(&self) -> Option<T> {
        self.gave_up.set(true);
        None
    }

    /// One level deeper, or nothing past [`DEEPEST_READ`] (or once the reader has given up, so
    /// that the alternatives left to try end at once).
    fn deeper(&self, depth: usize) -> Option<usize> {
        if self.gave_up.get() || depth >= DEEPEST_READ {
            return self.give_up();
        }
        Some(depth + 1)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        kept(&self.src[start..end], start)
    }

    // ---- repetition ---------------------------------------------------------------------

    /// `part*` from `at`, which is past the white space before it: the first part read where
    /// it is, each later one past the white space after the one before. Ends where the last
    /// part read ends, or at `at`.
    fn many(&self, at: usize, mut part: impl FnMut(usize) -> Option<usize>) -> usize {
        let Some(mut end) = part(at) else {
            return at;
        };
        while let Some(next) = part(self.skip(end)) {
            end = next;
        }
        end
    }

    /// `item ~ (separator ~ item)*`.
    fn separated<T>(
        &self,
        at: usize,
        separator: impl Fn(usize) -> Option<usize>,
        item: impl Fn(usize) -> Read<T>,
    ) -> Read<Vec<T>> {
        let (first, end) = item(at)?;
        // Room for two, the most common length: a first push would make room for four.
        let mut items = Vec::with_capacity(2);
        items.push(first);
        let end = self.many(self.skip(end), |at| {
            let (next, end) = item(self.skip(separator(at)?))?;
            items.push(next);
            Some(end)
        });
        Some((items, end))
    }

    /// `item ~ (sep ~ item)*`, the grammar's lists.
    fn list<T>(&self, at: usize, item: impl Fn(usize) -> Read<T>) -> Read<Vec<T>> {
        self.separated(at, |at| self.sep(at), item)
    }

    /// `open ~ part* ~ close` from `at`: the end past the closing brace.
    fn block(&self, at: usize, part: impl FnMut(usize) -> Option<usize>) -> Option<usize> {
        let at = self.skip(self.open(at)?);
        let at = self.many(at, part);
        self.close(self.skip(at))
    }

    // ---- white space, marks and keywords ------------------------------------------------

    /// Past white space and comments (`WHITESPACE` and `COMMENT`).
    fn skip(&self, mut at: usize) -> usize {
        loop {
            match self.bytes.get(at) {
                Some(b' ' | b'\n' | b'\t' | b'\r') => at += 1,
                Some(b'#') => at = self.comment_end(at + 1),
                Some(0xE3) if self.bytes[at..].starts_with("\u{3000}".as_bytes()) => at += 3,
                Some(0xEF) if self.bytes[at..].starts_with("\u{FEFF}".as_bytes()) => at += 3,
                Some(0xEF) if self.bytes[at..].starts_with("\u{FF03}".as_bytes()) => {
                    at = self.comment_end(at + 3);
                }
                _ => return at,
            }
        }
    }

    /// Where a comment's line ends: before its `\n` or `\r` (pest's `NEWLINE`).
    fn comment_end(&self, at: usize) -> usize {
        self.bytes[at..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.bytes.len(), |n| at + n)
    }

    /// Past `text` where it is written at `at`.
    fn literal(&self, at: usize, text: &str) -> Option<usize> {
        self.bytes[at..]
            .starts_with(text.as_bytes())
            .then_some(at + text.len())
    }

    /// Past a mark written in ASCII or as an input method types it in full width.
    fn mark(&self, at: usize, ascii: u8, wide: &str) -> Option<usize> {
        match self.bytes.get(at) {
            Some(&b) if b == ascii => Some(at + 1),
            Some(_) => self.literal(at, wide),
            None => None,
        }
    }

    fn open(&self, at: usize) -> Option<usize> {
        self.mark(at, b'{', "\u{FF5B}")
    }

    fn close(&self, at: usize) -> Option<usize> {
        self.mark(at, b'}', "\u{FF5D}")
    }

    fn lparen(&self, at: usize) -> Option<usize> {
        self.mark(at, b'(', "\u{FF08}")
    }

    fn rparen(&self, at: usize) -> Option<usize> {
        self.mark(at, b')', "\u{FF09}")
    }

    fn lbracket(&self, at: usize) -> Option<usize> {
        self.mark(at, b'[', "【")
    }

    fn rbracket(&self, at: usize) -> Option<usize> {
        self.mark(at, b']', "】")
    }

    fn sep(&self, at: usize) -> Option<usize> {
        self.mark(at, b',', "\u{FF0C}")
            .or_else(|| self.literal(at, "、"))
    }

    fn colon(&self, at: usize) -> Option<usize> {
        self.mark(at, b':', "\u{FF1A}")
    }

    fn equals(&self, at: usize) -> Option<usize> {
        self.mark(at, b'=', "\u{FF1D}")
    }

    /// The character at `at`, if any.
    fn char_at(&self, at: usize) -> Option<char> {
        self.src[at..].chars().next()
    }

    /// Whether a word goes on at `at` (`XID_CONTINUE`), which ends no keyword.
    fn word_goes_on(&self, at: usize) -> bool {
        match self.bytes.get(at) {
            Some(&b) if b.is_ascii() => b.is_ascii_alphanumeric() || b == b'_',
            Some(_) => self.char_at(at).is_some_and(pest::unicode::XID_CONTINUE),
            None => false,
        }
    }

    /// Past a keyword in either spelling, and whether it was the Chinese one.
    fn keyword_spelt(&self, at: usize, keyword: Keyword) -> Option<(bool, usize)> {
        let (chinese, end) = match self.literal(at, keyword.english()) {
            Some(end) => (false, end),
            None => (true, self.literal(at, keyword.chinese())?),
        };
        (!self.word_goes_on(end)).then_some((chinese, end))
    }

    fn keyword(&self, at: usize, keyword: Keyword) -> Option<usize> {
        self.keyword_spelt(at, keyword).map(|(_, end)| end)
    }

    /// Past a keyword the grammar spells with its own words rather than the table's.
    fn keyword_in(&self, at: usize, spellings: &[&str]) -> Option<usize> {
        let end = spellings
            .iter()
            .find_map(|spelling| self.literal(at, spelling))?;
        (!self.word_goes_on(end)).then_some(end)
    }

    /// `same subject`, `same reporter`: any run of spaces and tabs between the two words.
    fn same(&self, at: usize, what: &str, chinese: &str) -> Option<usize> {
        let end = match self.literal(at, "same") {
            Some(mut end) => {
                let gap = end;
                while let Some(b' ' | b'\t') = self.bytes.get(end) {
                    end += 1;
                }
                if end == gap {
                    return None;
                }
                self.literal(end, what)?
            }
            None => self.literal(at, chinese)?,
        };
        (!self.word_goes_on(end)).then_some(end)
    }

    // ---- tokens -------------------------------------------------------------------------

    fn ident_end(&self, at: usize) -> Option<usize> {
        let first = self.char_at(at)?;
        if !(first == '_' || first.is_ascii_alphabetic())
            && (first.is_ascii() || !pest::unicode::XID_START(first))
        {
            return None;
        }
        let mut end = at + first.len_utf8();
        while let Some(c) = self.char_at(end) {
            let goes_on = if c.is_ascii() {
                c.is_ascii_alphanumeric() || c == '_' || c == '-'
            } else {
                pest::unicode::XID_CONTINUE(c)
            };
            if !goes_on {
                break;
            }
            end += c.len_utf8();
        }
        Some(end)
    }

    fn named(&self, start: usize, end: usize) -> Ident {
        Ident {
            name: self.src[start..end].to_string(),
            span: Span::new(start, end),
        }
    }

    fn ident(&self, at: usize) -> Read<Ident> {
        let end = self.ident_end(at)?;
        Some((self.named(at, end), end))
    }

    /// `ident ~ ("." ~ ident)*`, all in one word.
    fn path(&self, at: usize) -> Read<Ident> {
        let mut end = self.ident_end(at)?;
        while self.bytes.get(end) == Some(&b'.') {
            match self.ident_end(end + 1) {
                Some(next) => end = next,
                None => break,
            }
        }
        Some((self.named(at, end), end))
    }

    /// One digit, ASCII or full width, and its value.
    fn digit(&self, at: usize) -> Option<(u32, usize)> {
        match self.bytes.get(at) {
            Some(&b) if b.is_ascii_digit() => Some((u32::from(b - b'0'), at + 1)),
            // U+FF10..=U+FF19 in UTF-8.
            Some(0xEF) => match self.bytes.get(at + 1..at + 3) {
                Some(&[0xBC, last @ 0x90..=0x99]) => Some((u32::from(last - 0x90), at + 3)),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_digit(&self, at: usize) -> bool {
        self.digit(at).is_some()
    }

    /// Past a run of one or more digits.
    fn digits_end(&self, at: usize) -> Option<usize> {
        let (_, mut end) = self.digit(at)?;
        while let Some((_, next)) = self.digit(end) {
            end = next;
        }
        Some(end)
    }

    /// Exactly `count` digits, and their value.
    fn fixed_digits(&self, mut at: usize, count: usize) -> Option<(u32, usize)> {
        let mut value = 0;
        for _ in 0..count {
            let (digit, next) = self.digit(at)?;
            value = value * 10 + digit;
            at = next;
        }
        Some((value, at))
    }

    /// One digit or two (`DIGIT{1,2}`).
    fn one_or_two_digits(&self, at: usize) -> Option<(u32, usize)> {
        let (first, at) = self.digit(at)?;
        Some(match self.digit(at) {
            Some((second, end)) => (first * 10 + second, end),
            None => (first, at),
        })
    }

    fn hyphen(&self, at: usize) -> Option<usize> {
        self.mark(at, b'-', "\u{FF0D}")
    }

    fn number_lit(&self, start: usize, end: usize) -> NumberLit {
        NumberLit {
            text: ascii_width(&self.src[start..end]).into_owned(),
            span: Span::new(start, end),
        }
    }

    /// `integer`, `region_code`: one or more digits.
    fn integer(&self, at: usize) -> Read<NumberLit> {
        let end = self.digits_end(at)?;
        Some((self.number_lit(at, end), end))
    }

    /// `HYPHEN? ~ DIGIT+ ~ (("." | "．") ~ DIGIT+)?`.
    fn decimal(&self, start: usize) -> Read<NumberLit> {
        let at = self.hyphen(start).unwrap_or(start);
        let mut end = self.digits_end(at)?;
        if let Some(point) = self.mark(end, b'.', "\u{FF0E}")
            && let Some(fraction) = self.digits_end(point)
        {
            end = fraction;
        }
        Some((self.number_lit(start, end), end))
    }

    /// `iso_date | cn_date`.
    fn date(&self, start: usize) -> Read<DateLit> {
        let (year, after_year) = self.fixed_digits(start, 4)?;
        let iso = || {
            let (month, at) = self.one_or_two_digits(self.hyphen(after_year)?)?;
            let (day, end) = self.one_or_two_digits(self.hyphen(at)?)?;
            (!self.is_digit(end)).then_some((month, day, end))
        };
        let chinese = || {
            let (month, at) = self.one_or_two_digits(self.literal(after_year, "年")?)?;
            let (day, at) = self.one_or_two_digits(self.literal(at, "月")?)?;
            Some((month, day, self.literal(at, "日")?))
        };
        let (month, day, end) = iso().or_else(chinese)?;
        let date = DateLit {
            year: year as i32,
            month,
            day,
            span: self.span(start, end),
        };
        Some((date, end))
    }

    /// `iso_month | cn_month`.
    fn month(&self, start: usize) -> Read<MonthLit> {
        let (year, after_year) = self.fixed_digits(start, 4)?;
        let iso = || {
            let (month, end) = self.one_or_two_digits(self.hyphen(after_year)?)?;
            (!self.is_digit(end)).then_some((month, end))
        };
        let chinese = || {
            let (month, at) = self.one_or_two_digits(self.literal(after_year, "年")?)?;
            let at = self.literal(at, "月")?;
            Some((month, self.literal(at, "底").unwrap_or(at)))
        };
        let (month, end) = iso().or_else(chinese)?;
        let month = MonthLit {
            year: year as i32,
            month,
            end_of_month: self.src[start..end].ends_with('底'),
            span: self.span(start, end),
        };
        Some((month, end))
    }

    /// `raw_string | quoted`, its escapes resolved.
    fn string(&self, start: usize) -> Read<Text> {
        if let Some(content) = self.literal(start, "r\"") {
            let length = self.src[content..].find('"')?;
            let end = content + length + 1;
            let text = Text {
                value: self.src[content..content + length].to_string(),
                span: self.span(start, end),
                verbatim_from: u32::try_from(content).ok(),
            };
            return Some((text, end));
        }
        let (content, close) = if self.bytes.get(start) == Some(&b'"') {
            (start + 1, "\"")
        } else if let Some(content) = self.literal(start, "\u{201C}") {
            (content, "\u{201D}")
        } else {
            (self.literal(start, "\u{FF02}")?, "\u{FF02}")
        };
        // Read a byte at a time: a backslash, a line end or the closing mark's first byte are
        // never part of another character in UTF-8.
        let lead = close.as_bytes()[0];
        let mut at = content;
        let mut escaped = false;
        loop {
            let rest = &self.bytes[at..];
            at += rest
                .iter()
                .position(|&b| b == lead || b == b'\\' || b == b'\n' || b == b'\r')?;
            match self.bytes[at] {
                b'\\' => {
                    escaped = true;
                    at += 1 + self.char_at(at + 1)?.len_utf8();
                }
                b'\n' | b'\r' => return None,
                _ if self.bytes[at..].starts_with(close.as_bytes()) => break,
                _ => at += 1,
            }
        }
        let written = &self.src[content..at];
        let end = at + close.len();
        let (value, verbatim_from) = if escaped {
            let mut problems = Vec::new();
            let value = unescape(written, content, &mut problems);
            if !problems.is_empty() {
                return self.give_up();
            }
            (value, None)
        } else {
            (written.to_string(), u32::try_from(content).ok())
        };
        let text = Text {
            value,
            span: self.span(start, end),
            verbatim_from,
        };
        Some((text, end))
    }

    fn value(&self, at: usize) -> Read<ValueLit> {
        first!(
            self.string(at)
                .map(|(text, end)| (ValueLit::Text(text), end)),
            self.date(at).map(|(date, end)| (ValueLit::Date(date), end)),
            self.decimal(at)
                .map(|(number, end)| (ValueLit::Number(number), end)),
            self.bool_lit(at)
                .map(|(value, end)| (ValueLit::Bool(value, self.span(at, end)), end)),
        )
    }

    fn bool_lit(&self, at: usize) -> Read<bool> {
        first!(
            self.keyword(at, Keyword::True).map(|end| (true, end)),
            self.keyword(at, Keyword::False).map(|end| (false, end)),
        )
    }

    fn channel_kind(&self, at: usize) -> Read<ChannelKind> {
        [
            (Keyword::Post, ChannelKind::Post),
            (Keyword::Email, ChannelKind::Email),
            (Keyword::Phone, ChannelKind::Phone),
            (Keyword::Visit, ChannelKind::Visit),
            (Keyword::Online, ChannelKind::Online),
        ]
        .into_iter()
        .find_map(|(keyword, kind)| Some((kind, self.keyword(at, keyword)?)))
    }

    /// `working_days | calendar_days`: whether they are working days.
    fn day_unit(&self, at: usize) -> Read<bool> {
        if let Some(end) = self
            .literal(at, "working")
            .and_then(|end| self.literal(self.skip(end), "days"))
            .or_else(|| self.literal(at, "工作日"))
        {
            return Some((true, end));
        }
        Some((false, self.calendar_days(at)?))
    }

    fn calendar_days(&self, at: usize) -> Option<usize> {
        ["days", "日", "天"]
            .iter()
            .find_map(|unit| self.literal(at, unit))
    }

    // ---- the file -----------------------------------------------------------------------

    fn file(&self) -> Option<SchemeFile> {
        let mut campaigns = Vec::new();
        let mut holidays = Vec::new();
        let mut vocabularies = Vec::new();
        let end = self.many(self.skip(0), |at| {
            if let Some((campaign, end)) = self.campaign(at) {
                campaigns.push(campaign);
                return Some(end);
            }
            if let Some((schedule, end)) = self.holidays(at) {
                holidays.push(schedule);
                return Some(end);
            }
            let (vocabulary, end) = self.vocabulary(at)?;
            vocabularies.push(vocabulary);
            Some(end)
        });
        (self.skip(end) == self.src.len()).then_some(SchemeFile {
            campaigns,
            holidays,
            vocabularies,
        })
    }

    fn campaign(&self, start: usize) -> Read<CampaignDecl> {
        let (chinese, at) = self.keyword_spelt(start, Keyword::Campaign)?;
        let (id, at) = self.ident(self.skip(at))?;
        let mut items = Vec::new();
        let end = self.block(self.skip(at), |at| {
            let (item, end) = self.item(at)?;
            items.push(item);
            Some(end)
        })?;
        let campaign = CampaignDecl {
            id,
            span: self.span(start, end),
            chinese,
            items,
        };
        Some((campaign, end))
    }

    fn vocabulary(&self, start: usize) -> Read<VocabularyDecl> {
        let at = self.skip(self.keyword(start, Keyword::Vocabulary)?);
        let (id, at) = self.ident(at)?;
        let at = self.skip(at);
        let (title, at) = match self.string(at) {
            Some((title, end)) => (Some(title), self.skip(end)),
            None => (None, at),
        };
        let at = self.skip(self.open(at)?);
        let mut words = Vec::new();
        // `string ~ (sep? ~ string)* ~ sep?`
        let at = match self.string(at) {
            Some((word, end)) => {
                words.push(word);
                let end = self.many(self.skip(end), |at| {
                    let (word, end) = self.string(self.skip(self.sep(at).unwrap_or(at)))?;
                    words.push(word);
                    Some(end)
                });
                let at = self.skip(end);
                self.skip(self.sep(at).unwrap_or(at))
            }
            None => at,
        };
        let end = self.close(at)?;
        let vocabulary = VocabularyDecl {
            id,
            title,
            words,
            span: self.span(start, end),
        };
        Some((vocabulary, end))
    }

    fn holidays(&self, start: usize) -> Read<HolidaysDecl> {
        let at = self.skip(self.keyword(start, Keyword::Holidays)?);
        let (year, year_end) = self.fixed_digits(at, 4)?;
        if self.is_digit(year_end) {
            return None;
        }
        let year_span = Span::new(at, year_end);
        let (title, at) = self.string(self.skip(year_end))?;
        let at = self.skip(at);
        let (issued, at) = match self
            .keyword(at, Keyword::Issued)
            .and_then(|end| self.date(self.skip(end)))
        {
            Some((date, end)) => (Some(date), self.skip(end)),
            None => (None, at),
        };
        let mut entries = Vec::new();
        let end = self.block(at, |at| {
            let (entry, end) = self.holiday_entry(at)?;
            entries.push(entry);
            Some(end)
        })?;
        let schedule = HolidaysDecl {
            year: year as i32,
            year_span,
            title,
            issued,
            entries,
            span: self.span(start, end),
        };
        Some((schedule, end))
    }

    fn holiday_entry(&self, start: usize) -> Read<HolidayEntry> {
        if let Some(at) = self.keyword(start, Keyword::Off)
            && let Some((holiday, at)) = self.ident(self.skip(at))
            && let Some((from, at)) = self.date(self.skip(at))
        {
            let at = self.skip(at);
            let (to, end) = match self
                .keyword(at, Keyword::To)
                .and_then(|end| self.date(self.skip(end)))
            {
                Some((to, end)) => (Some(to), end),
                None => (None, at),
            };
            let span = self.span(start, end);
            return Some((
                HolidayEntry::Off {
                    holiday,
                    from,
                    to,
                    span,
                },
                end,
            ));
        }
        let at = self.skip(self.keyword(start, Keyword::Workday)?);
        let (holiday, at) = self.ident(at)?;
        let (dates, end) = self.list(self.skip(at), |at| self.date(at))?;
        let span = self.span(start, end);
        Some((
            HolidayEntry::Workday {
                holiday,
                dates,
                span,
            },
            end,
        ))
    }

    // ---- a campaign's statements --------------------------------------------------------

    fn item(&self, at: usize) -> Read<Item> {
        first!(
            self.keyworded(at, Keyword::Title, |at| self.string(at))
                .map(|(title, end)| (Item::Title(title), end)),
            self.keyworded(at, Keyword::Issuer, |at| self.string(at))
                .map(|(issuer, end)| (Item::Issuer(issuer), end)),
            self.jurisdiction(at),
            self.keyworded(at, Keyword::Announced, |at| self.date(at))
                .map(|(day, end)| (Item::Announced(day), end)),
            self.window(at),
            self.channel(at),
            self.scope(at),
            self.department(at),
            self.field(at),
            self.area(at),
            self.exclusion(at),
            self.route(at).map(|(route, end)| (Item::Route(route), end)),
            self.priority(at),
            self.deadline(at),
            self.duty(at),
            self.example(at)
                .map(|(example, end)| (Item::Example(example), end)),
        )
    }

    /// A keyword and one value.
    fn keyworded<T>(
        &self,
        start: usize,
        keyword: Keyword,
        value: impl Fn(usize) -> Read<T>,
    ) -> Read<Keyworded<T>> {
        let (value, end) = value(self.skip(self.keyword(start, keyword)?))?;
        let span = self.span(start, end);
        Some((Keyworded { value, span }, end))
    }

    fn jurisdiction(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Jurisdiction)?);
        let (code, at) = self.integer(at)?;
        let at = self.skip(at);
        let (name, end) = match self.string(at) {
            Some((name, end)) => (Some(name), end),
            None => (None, at),
        };
        let span = self.span(start, end);
        Some((
            Item::Jurisdiction(JurisdictionDecl { code, name, span }),
            end,
        ))
    }

    fn window(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Window)?);
        let (begin, at) = if let Some(end) = self.keyword(at, Keyword::Announcement) {
            (WindowStart::Announcement(Span::new(at, end)), end)
        } else if let Some((date, end)) = self.date(at) {
            (WindowStart::Date(date), end)
        } else {
            let (month, end) = self.month(at)?;
            (WindowStart::Month(month), end)
        };
        let at = self.skip(self.keyword(self.skip(at), Keyword::To)?);
        let (finish, end) = match self.date(at) {
            Some((date, end)) => (WindowEnd::Date(date), end),
            None => {
                let (month, end) = self.month(at)?;
                (WindowEnd::Month(month), end)
            }
        };
        let window = WindowDecl {
            start: begin,
            end: finish,
            span: self.span(start, end),
        };
        Some((Item::Window(window), end))
    }

    fn channel(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Channel)?);
        let (kind, kind_end) = self.channel_kind(at)?;
        let kind_span = Span::new(at, kind_end);
        let (address, at) = self.string(self.skip(kind_end))?;
        let at = self.skip(at);
        let (postcode, end) = match self
            .keyword(at, Keyword::Postcode)
            .and_then(|end| self.string(self.skip(end)))
        {
            Some((postcode, end)) => (Some(postcode), end),
            None => (None, at),
        };
        let channel = ChannelDecl {
            kind,
            kind_span,
            address,
            postcode,
            span: self.span(start, end),
        };
        Some((Item::Channel(channel), end))
    }

    fn scope(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Scope)?);
        let (mut subjects, mut levels, mut regions) = (Vec::new(), Vec::new(), Vec::new());
        let end = self.block(at, |at| {
            let texts = |keyword| {
                let at = self.skip(self.keyword(at, keyword)?);
                self.list(at, |at| self.string(at))
            };
            if let Some((list, end)) = texts(Keyword::Subjects) {
                subjects.push(list);
                return Some(end);
            }
            if let Some((list, end)) = texts(Keyword::Levels) {
                levels.push(list);
                return Some(end);
            }
            let at = self.skip(self.keyword(at, Keyword::Region)?);
            let (codes, end) = self.list(at, |at| self.integer(at))?;
            regions.push(codes);
            Some(end)
        })?;
        let scope = ScopeDecl {
            subjects,
            levels,
            regions,
            span: self.span(start, end),
        };
        Some((Item::Scope(scope), end))
    }

    fn department(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Department)?);
        let (id, at) = self.ident(at)?;
        let (name, end) = self.string(self.skip(at))?;
        let span = self.span(start, end);
        Some((Item::Department(DepartmentDecl { id, name, span }), end))
    }

    fn field(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Field)?);
        let (id, at) = self.ident(at)?;
        let at = self.skip(self.colon(self.skip(at))?);
        let simple = [
            (Keyword::TextType, FieldTypeDecl::Text),
            (Keyword::NumberType, FieldTypeDecl::Number),
            (Keyword::DateType, FieldTypeDecl::Date),
            (Keyword::BoolType, FieldTypeDecl::Bool),
        ];
        let (ty, at) = match simple
            .into_iter()
            .find_map(|(keyword, ty)| Some((ty, self.keyword(at, keyword)?)))
        {
            Some(found) => found,
            None => {
                let at = self.skip(self.keyword(at, Keyword::EnumType)?);
                let at = self.skip(self.lparen(at)?);
                let (values, at) = self.list(at, |at| self.string(at))?;
                (FieldTypeDecl::Enum(values), self.rparen(self.skip(at))?)
            }
        };
        let at = self.skip(at);
        let (required, end) = match self.keyword(at, Keyword::Required) {
            Some(end) => (true, end),
            None => (false, at),
        };
        let field = FieldDecl {
            id,
            ty,
            required,
            span: self.span(start, end),
        };
        Some((Item::Field(field), end))
    }

    fn route(&self, start: usize) -> Read<RouteDecl> {
        let at = self.skip(self.keyword(start, Keyword::Route)?);
        let at = self.skip(self.keyword(at, Keyword::Lead)?);
        let (lead, at) = self.list(at, |at| self.ident(at))?;
        let at = self.skip(at);
        let (with, end) = match self
            .keyword(at, Keyword::With)
            .and_then(|end| self.list(self.skip(end), |at| self.ident(at)))
        {
            Some(found) => found,
            None => (Vec::new(), at),
        };
        let route = RouteDecl {
            lead,
            with,
            span: self.span(start, end),
        };
        Some((route, end))
    }

    fn area(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Area)?);
        let (id, at) = self.ident(at)?;
        let (title, at) = self.string(self.skip(at))?;
        let (mut routes, mut categories) = (Vec::new(), Vec::new());
        let end = self.block(self.skip(at), |at| {
            if let Some((category, end)) = self.category(at) {
                categories.push(category);
                return Some(end);
            }
            let (route, end) = self.route(at)?;
            routes.push(route);
            Some(end)
        })?;
        let area = AreaDecl {
            id,
            title,
            routes,
            categories,
            span: self.span(start, end),
        };
        Some((Item::Area(area), end))
    }

    fn category(&self, start: usize) -> Read<CategoryDecl> {
        let at = self.skip(self.keyword(start, Keyword::Category)?);
        let (id, at) = self.ident(at)?;
        let (title, at) = self.string(self.skip(at))?;
        let (mut routes, mut symptoms) = (Vec::new(), Vec::new());
        let end = self.block(self.skip(at), |at| {
            if let Some((symptom, end)) = self.symptom(at) {
                symptoms.push(symptom);
                return Some(end);
            }
            let (route, end) = self.route(at)?;
            routes.push(route);
            Some(end)
        })?;
        let category = CategoryDecl {
            id,
            title,
            routes,
            symptoms,
            span: self.span(start, end),
        };
        Some((category, end))
    }

    fn symptom(&self, start: usize) -> Read<SymptomDecl> {
        let at = self.skip(self.keyword(start, Keyword::Symptom)?);
        let (id, at) = self.ident(at)?;
        let (title, at) = self.string(self.skip(at))?;
        let at = self.skip(self.keyword(self.skip(at), Keyword::Match)?);
        let (rule, end) = self.match_rule(at, 0)?;
        let symptom = SymptomDecl {
            id,
            title,
            rule,
            span: self.span(start, end),
        };
        Some((symptom, end))
    }

    fn exclusion(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Exclude)?);
        let (id, at) = self.ident(at)?;
        let at = self.skip(self.keyword(self.skip(at), Keyword::When)?);
        let (condition, at) = self.condition(at, 0)?;
        let at = self.skip(self.keyword(self.skip(at), Keyword::Reason)?);
        let (reason, end) = self.string(at)?;
        let exclusion = ExclusionDecl {
            id,
            condition,
            reason,
            span: self.span(start, end),
        };
        Some((Item::Exclusion(exclusion), end))
    }

    /// `(when ~ condition)?` at the end of a statement, from `at` past the white space before.
    fn when(&self, at: usize) -> (Option<ConditionExpr>, usize) {
        match self
            .keyword(at, Keyword::When)
            .and_then(|end| self.condition(self.skip(end), 0))
        {
            Some((condition, end)) => (Some(condition), end),
            None => (None, at),
        }
    }

    fn priority(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Priority)?);
        let (level, at) = [
            (Keyword::High, PriorityLevel::High),
            (Keyword::Normal, PriorityLevel::Normal),
            (Keyword::Low, PriorityLevel::Low),
        ]
        .into_iter()
        .find_map(|(keyword, level)| Some((level, self.keyword(at, keyword)?)))?;
        let (condition, end) = self.when(self.skip(at));
        let priority = PriorityDecl {
            level,
            condition,
            span: self.span(start, end),
        };
        Some((Item::Priority(priority), end))
    }

    fn deadline(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Deadline)?);
        let (kind, at) = if let Some(end) = self.keyword(at, Keyword::Handle) {
            (DeadlineKind::Handle, end)
        } else {
            (DeadlineKind::Reply, self.keyword(at, Keyword::Reply)?)
        };
        let (days, at) = self.integer(self.skip(at))?;
        let (working_days, at) = self.day_unit(self.skip(at))?;
        let (condition, end) = self.when(self.skip(at));
        let deadline = DeadlineDecl {
            kind,
            days,
            working_days,
            condition,
            span: self.span(start, end),
        };
        Some((Item::Deadline(deadline), end))
    }

    fn duty(&self, start: usize) -> Read<Item> {
        let at = self.skip(self.keyword(start, Keyword::Duty)?);
        let (id, at) = self.ident(at)?;
        let (title, at) = self.string(self.skip(at))?;
        let at = self.skip(self.keyword(self.skip(at), Keyword::Monthly)?);
        // `("by" ~ integer) | (integer ~ "日前")`
        let (day, at) = match self
            .literal(at, "by")
            .and_then(|end| self.integer(self.skip(end)))
        {
            Some(found) => found,
            None => {
                let (day, end) = self.integer(at)?;
                (day, self.literal(self.skip(end), "日前")?)
            }
        };
        let at = self.skip(self.keyword(self.skip(at), Keyword::To)?);
        let (recipient, end) = self.ident(at)?;
        let duty = DutyDecl {
            id,
            title,
            day,
            recipient,
            span: self.span(start, end),
        };
        Some((Item::Duty(duty), end))
    }

    // ---- examples -----------------------------------------------------------------------

    fn example(&self, start: usize) -> Read<ExampleDecl> {
        let at = self.skip(self.keyword(start, Keyword::Example)?);
        let (name, at) = self.string(at)?;
        let mut items = Vec::new();
        let end = self.block(self.skip(at), |at| {
            let (item, end) = self.example_item(at)?;
            items.push(item);
            Some(end)
        })?;
        let example = ExampleDecl {
            name,
            items,
            span: self.span(start, end),
        };
        Some((example, end))
    }

    fn example_item(&self, start: usize) -> Read<ExampleItem> {
        let then = |keyword| Some(self.skip(self.keyword(start, keyword)?));
        let span = |end| self.span(start, end);
        first!(
            then(Keyword::Text)
                .and_then(|at| self.string(at))
                .map(|(text, end)| (ExampleItem::Text(text, span(end)), end)),
            then(Keyword::Received)
                .and_then(|at| self.date(at))
                .map(|(day, end)| (ExampleItem::Received(day, span(end)), end)),
            then(Keyword::Channel)
                .and_then(|at| self.channel_kind(at))
                .map(|(kind, end)| (ExampleItem::Channel(kind, span(end)), end)),
            then(Keyword::Reporter)
                .and_then(|at| self.string(at))
                .map(|(text, end)| (ExampleItem::Reporter(text, span(end)), end)),
            self.keyword(start, Keyword::Anonymous)
                .map(|end| (ExampleItem::Anonymous(span(end)), end)),
            self.subject(start),
            self.example_field(start),
            self.expectation(start),
        )
    }

    fn subject(&self, start: usize) -> Read<ExampleItem> {
        let at = self.skip(self.keyword(start, Keyword::Subject)?);
        let (name, at) = match self.string(at) {
            Some((name, end)) => (Some(name), self.skip(end)),
            None => (None, at),
        };
        let (mut kind, mut level, mut region) = (None, None, None);
        let end = self.many(at, |at| {
            let text = |keyword| self.string(self.skip(self.keyword(at, keyword)?));
            if let Some((text, end)) = text(Keyword::Kind) {
                kind = Some(text);
                return Some(end);
            }
            if let Some((text, end)) = text(Keyword::Levels) {
                level = Some(text);
                return Some(end);
            }
            let (code, end) = self.integer(self.skip(self.keyword(at, Keyword::Region)?))?;
            region = Some(code);
            Some(end)
        });
        let subject = SubjectDecl {
            name,
            kind,
            level,
            region,
            span: self.span(start, end),
        };
        Some((ExampleItem::Subject(subject), end))
    }

    fn example_field(&self, start: usize) -> Read<ExampleItem> {
        let (id, at) = self.ident(start)?;
        let at = self.skip(self.equals(self.skip(at))?);
        let (value, end) = self.value(at)?;
        Some((ExampleItem::Field(id, value, self.span(start, end)), end))
    }

    fn expectation(&self, start: usize) -> Read<ExampleItem> {
        let at = self.skip(self.keyword(start, Keyword::Expect)?);
        let (outcome, end) = if let Some((ids, end)) = self
            .keyword(at, Keyword::Accepted)
            .and_then(|end| self.list(self.skip(end), |at| self.ident(at)))
        {
            (ExpectedOutcome::Accepted(ids), end)
        } else if let Some((id, end)) = self
            .keyword(at, Keyword::Exclude)
            .and_then(|end| self.ident(self.skip(end)))
        {
            (ExpectedOutcome::Excluded(id), end)
        } else {
            [
                (Keyword::OutOfWindow, ExpectedOutcome::OutOfWindow),
                (Keyword::OutOfScope, ExpectedOutcome::OutOfScope),
                (Keyword::NoMatch, ExpectedOutcome::NoMatch),
            ]
            .into_iter()
            .find_map(|(keyword, outcome)| Some((outcome, self.keyword(at, keyword)?)))?
        };
        let expect = ExpectDecl {
            outcome,
            span: self.span(start, end),
        };
        Some((ExampleItem::Expect(expect), end))
    }

    // ---- match rules --------------------------------------------------------------------

    fn match_rule(&self, start: usize, depth: usize) -> Read<MatchRuleExpr> {
        let depth = self.deeper(depth)?;
        if let Some((text, end)) = self.string(start) {
            return Some((MatchRuleExpr::Literal(text), end));
        }
        let inside =
            |keyword| Some(self.skip(self.lparen(self.skip(self.keyword(start, keyword)?))?));
        let closed = |at| {
            let end = self.rparen(self.skip(at))?;
            Some((self.span(start, end), end))
        };
        let rules = |keyword| {
            let at = inside(keyword)?;
            // `rule_list?`: `match_rule ~ (sep ~ match_rule)* ~ sep?`
            let (rules, at) = match self.list(at, |at| self.match_rule(at, depth)) {
                Some((rules, end)) => {
                    let end = self.skip(end);
                    (rules, self.sep(end).unwrap_or(end))
                }
                None => (Vec::new(), at),
            };
            let (span, end) = closed(at)?;
            Some((rules, span, end))
        };
        if let Some((rules, span, end)) = rules(Keyword::Any) {
            return Some((MatchRuleExpr::Any(rules, span), end));
        }
        if let Some((rules, span, end)) = rules(Keyword::All) {
            return Some((MatchRuleExpr::All(rules, span), end));
        }
        first!(
            inside(Keyword::Not).and_then(|at| {
                let (rule, at) = self.match_rule(at, depth)?;
                let (span, end) = closed(at)?;
                Some((MatchRuleExpr::Not(Box::new(rule), span), end))
            }),
            inside(Keyword::Near).and_then(|at| {
                let (left, at) = self.match_rule(at, depth)?;
                let at = self.skip(self.sep(self.skip(at))?);
                let (right, at) = self.match_rule(at, depth)?;
                let at = self.skip(self.sep(self.skip(at))?);
                let (within, at) = self.integer(at)?;
                let (span, end) = closed(at)?;
                let near = MatchRuleExpr::Near {
                    left: Box::new(left),
                    right: Box::new(right),
                    within,
                    span,
                };
                Some((near, end))
            }),
            inside(Keyword::Regex).and_then(|at| {
                let (pattern, at) = self.string(at)?;
                let (span, end) = closed(at)?;
                Some((MatchRuleExpr::Regex(pattern, span), end))
            }),
            inside(Keyword::Approx).and_then(|at| {
                let (phrase, at) = self.string(at)?;
                let at = self.skip(at);
                let (similarity, at) =
                    match self.sep(at).and_then(|end| self.decimal(self.skip(end))) {
                        Some((similarity, end)) => (Some(similarity), end),
                        None => (None, at),
                    };
                let (span, end) = closed(at)?;
                let approx = MatchRuleExpr::Approx {
                    phrase,
                    similarity: similarity.map(Box::new),
                    span,
                };
                Some((approx, end))
            }),
            inside(Keyword::Vocabulary).and_then(|at| {
                let (id, at) = self.ident(at)?;
                let (span, end) = closed(at)?;
                Some((MatchRuleExpr::Words(id, span), end))
            }),
        )
    }

    // ---- conditions ---------------------------------------------------------------------

    /// `cond_and ~ (or ~ cond_and)*`.
    fn condition(&self, start: usize, depth: usize) -> Read<ConditionExpr> {
        let depth = self.deeper(depth)?;
        self.joined(start, Keyword::Or, ConditionExpr::Or, |at| {
            self.conjunction(at, depth)
        })
    }

    /// `cond_unary ~ (and ~ cond_unary)*`.
    fn conjunction(&self, start: usize, depth: usize) -> Read<ConditionExpr> {
        let depth = self.deeper(depth)?;
        self.joined(start, Keyword::And, ConditionExpr::And, |at| {
            self.unary(at, depth)
        })
    }

    /// Parts joined by `keyword`: the one part itself, or `join` of them all.
    fn joined(
        &self,
        start: usize,
        keyword: Keyword,
        join: fn(Vec<ConditionExpr>, Span) -> ConditionExpr,
        part: impl Fn(usize) -> Read<ConditionExpr>,
    ) -> Read<ConditionExpr> {
        let (mut parts, end) = self.separated(start, |at| self.keyword(at, keyword), part)?;
        let condition = if parts.len() == 1 {
            parts.pop().expect("one part is present")
        } else {
            join(parts, self.span(start, end))
        };
        Some((condition, end))
    }

    /// `negation | cond_atom`.
    fn unary(&self, start: usize, depth: usize) -> Read<ConditionExpr> {
        let depth = self.deeper(depth)?;
        if let Some(at) = self.keyword(start, Keyword::Not)
            && let Some(depth) = self.deeper(depth)
            && let Some((inner, end)) = self.unary(self.skip(at), depth)
        {
            let span = self.span(start, end);
            return Some((ConditionExpr::Not(Box::new(inner), span), end));
        }
        if self.gave_up.get() {
            return None;
        }
        self.atom(start, depth)
    }

    fn atom(&self, start: usize, depth: usize) -> Read<ConditionExpr> {
        // The condition in parentheses is the unary condition itself, one level down.
        if let Some(at) = self.lparen(start)
            && let Some((inner, at)) = self.condition(self.skip(at), depth)
            && let Some(end) = self.rparen(self.skip(at))
        {
            return Some((inner, end));
        }
        let depth = self.deeper(depth)?;
        first!(
            self.bool_lit(start)
                .map(|(value, end)| (ConditionExpr::Bool(value, self.span(start, end)), end)),
            self.keyword(start, Keyword::Mentions)
                .and_then(|at| self.match_rule(self.skip(at), depth))
                .map(|(rule, end)| (ConditionExpr::Mentions(rule, self.span(start, end)), end)),
            self.duplicate(start),
            self.keyword(start, Keyword::Missing)
                .and_then(|at| self.path(self.skip(at)))
                .map(|(path, end)| (ConditionExpr::Missing(path, self.span(start, end)), end)),
            self.membership(start),
            self.comparison(start),
            self.path(start)
                .map(|(path, end)| (ConditionExpr::Flag(path), end)),
        )
    }

    fn duplicate(&self, start: usize) -> Read<ConditionExpr> {
        let at = self.skip(self.keyword(start, Keyword::Duplicate)?);
        let (similarity, at) = match self
            .keyword(at, Keyword::Similarity)
            .and_then(|end| self.decimal(self.skip(end)))
        {
            Some((similarity, end)) => (Some(similarity), self.skip(end)),
            None => (None, at),
        };
        let (mut same_subject, mut same_reporter, mut within) = (false, false, None);
        let end = self.many(at, |at| {
            if let Some(end) = self.same(at, "subject", "同一对象") {
                same_subject = true;
                return Some(end);
            }
            if let Some(end) = self.same(at, "reporter", "同一举报人") {
                same_reporter = true;
                return Some(end);
            }
            let (days, end) = self.lookback(at)?;
            within = Some(days);
            Some(end)
        });
        let duplicate = ConditionExpr::Duplicate {
            similarity,
            same_subject,
            same_reporter,
            within,
            span: self.span(start, end),
        };
        Some((duplicate, end))
    }

    /// `(within ~ integer ~ calendar_days) | (integer ~ days_within)`: the number of days.
    fn lookback(&self, at: usize) -> Read<NumberLit> {
        if let Some((days, end)) = self
            .keyword_in(at, &["within"])
            .and_then(|end| self.integer(self.skip(end)))
            && let Some(end) = self.calendar_days(self.skip(end))
        {
            return Some((days, end));
        }
        let (days, end) = self.integer(at)?;
        Some((days, self.keyword_in(self.skip(end), &["日内", "天内"])?))
    }

    /// `length_of | path`.
    fn operand(&self, start: usize) -> Read<Operand> {
        if let Some(at) = self.keyword(start, Keyword::Length)
            && let Some(at) = self.lparen(self.skip(at))
            && let Some((path, at)) = self.path(self.skip(at))
            && let Some(end) = self.rparen(self.skip(at))
        {
            return Some((Operand::Length(path, self.span(start, end)), end));
        }
        let (path, end) = self.path(start)?;
        Some((Operand::Path(path), end))
    }

    fn membership(&self, start: usize) -> Read<ConditionExpr> {
        let (operand, at) = self.operand(start)?;
        let at = self.skip(self.keyword(self.skip(at), Keyword::In)?);
        let at = self.skip(self.lbracket(at)?);
        let (values, at) = self.list(at, |at| self.value(at))?;
        let at = self.skip(at);
        let at = self.skip(self.sep(at).unwrap_or(at));
        let end = self.rbracket(at)?;
        let membership = ConditionExpr::In {
            operand,
            values,
            span: self.span(start, end),
        };
        Some((membership, end))
    }

    fn comparison(&self, start: usize) -> Read<ConditionExpr> {
        let (operand, at) = self.operand(start)?;
        let op_start = self.skip(at);
        let op_end = self.compare_op(op_start)?;
        let (value, end) = self.value(self.skip(op_end))?;
        let comparison = ConditionExpr::Compare {
            operand,
            op: compare_op(&self.src[op_start..op_end]),
            op_span: self.span(op_start, op_end),
            value,
            span: self.span(start, end),
        };
        Some((comparison, end))
    }

    /// Past a comparison operator, ASCII or full width; the grammar lets white space and
    /// comments come between its two marks.
    fn compare_op(&self, at: usize) -> Option<usize> {
        for (ascii, wide) in [
            (b'=', "\u{FF1D}"),
            (b'!', "\u{FF01}"),
            (b'<', "\u{FF1C}"),
            (b'>', "\u{FF1E}"),
        ] {
            if let Some(end) = self
                .mark(at, ascii, wide)
                .and_then(|end| self.equals(self.skip(end)))
            {
                return Some(end);
            }
        }
        self.mark(at, b'<', "\u{FF1C}")
            .or_else(|| self.mark(at, b'>', "\u{FF1E}"))
    }
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::syntax::parser::pest_tree;
    use std::path::{Path, PathBuf};

    /// Every scheme, vocabulary and holiday file of the repository.
    fn repository_files() -> Vec<(PathBuf, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        let mut folders: Vec<PathBuf> = ["schemes", "calendar", "examples", "tests"]
            .iter()
            .map(|folder| root.join(folder))
            .collect();
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "scheme" || e == "vocab" || e == "holidays")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    found.push((path, text));
                }
            }
        }
        found.sort();
        found
    }

    fn same_as_pest(source: &str, what: &dyn std::fmt::Display) {
        assert_eq!(read(source), pest_tree(source), "{what}");
    }

    #[test]
    fn every_corner_of_the_grammar_is_read_as_pest_reads_it() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax/corners.scheme");
        let source = std::fs::read_to_string(&path).unwrap();
        let tree = read(&source).expect("the corners file parses");
        assert_eq!(Some(tree), pest_tree(&source));
    }

    #[test]
    fn every_file_of_the_repository_is_read_as_pest_reads_it() {
        let files = repository_files();
        let mut parsed = 0;
        for (path, source) in &files {
            for (ending, text) in [
                ("LF", source.clone()),
                ("CRLF", source.replace('\n', "\r\n")),
                ("CR", source.replace('\n', "\r")),
            ] {
                same_as_pest(&text, &format_args!("{} ({ending})", path.display()));
                parsed += usize::from(read(&text).is_some());
            }
        }
        // Most of them are sound: the comparison is not only of failures.
        assert!(
            files.len() > 100 && parsed > files.len(),
            "{parsed} of {}",
            files.len()
        );
    }

    /// Damaged copies — a line taken out, doubled or swapped with another, a character taken
    /// out or put in, the file cut short — read as pest reads them: those that still parse
    /// give the same tree, the others are left to pest.
    #[test]
    fn damaged_files_are_read_as_pest_reads_them() {
        const INSERTED: [&str; 24] = [
            " ",
            "\n",
            "#注\n",
            "，",
            "\"",
            "(",
            "}",
            "非 ",
            "1",
            "a",
            "\\",
            "　",
            "至",
            "＝",
            "【",
            "r\"",
            "“",
            "”",
            "日",
            "2024-01-01",
            "<",
            " 且 ",
            "same ",
            "working",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        const ROUNDS: usize = 24;
        let mut compared = 0;
        for (path, source) in repository_files() {
            if source.len() > 6_000 {
                continue;
            }
            let boundaries: Vec<usize> = source.char_indices().map(|(at, _)| at).collect();
            for _ in 0..ROUNDS {
                let at = boundaries[next(boundaries.len())];
                let after = at + source[at..].chars().next().map_or(0, char::len_utf8);
                let inserted = INSERTED[next(INSERTED.len())];
                let lines: Vec<&str> = source.split_inclusive('\n').collect();
                let (k, j) = (next(lines.len()), next(lines.len()));
                let mut dropped = lines.clone();
                dropped.remove(k);
                let mut doubled = lines.clone();
                doubled.insert(k, lines[j]);
                let mut swapped = lines.clone();
                swapped.swap(k, j);
                for damaged in [
                    dropped.concat(),
                    doubled.concat(),
                    swapped.concat(),
                    format!("{}{}", &source[..at], &source[after..]),
                    format!("{}{inserted}{}", &source[..at], &source[at..]),
                    source[..at].to_string(),
                ] {
                    same_as_pest(&damaged, &format_args!("{} at {at}", path.display()));
                    compared += 1;
                }
            }
        }
        assert!(compared > 5_000);
    }
}
