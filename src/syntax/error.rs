//! Syntax errors, in words a policy writer understands.
//!
//! pest reports what it expected as grammar rule names; this module turns them into words
//! ("a date like `2022-12-31`") and the failing position into a span over the whole file.

use miette::Severity;
use serde::Serialize;

use super::Span;
use super::parser::{Rule, rule_words};
use crate::lang::Message;
use crate::lang::{Lang, Text, comma_list};

/// A scheme file that cannot be read.
///
/// The words are in the catalogues under `syntax.` and the code, as for
/// [`CheckError`](crate::check::CheckError).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
// The fields are the parts of each message and its labels; the variant docs say what they are.
#[allow(missing_docs)]
pub enum ParseError {
    /// Text the grammar does not allow at this place.
    ///
    /// ```text
    /// campaign c { window 2022/05/28 to 2022-12-31 }
    /// ```
    Unexpected {
        expected: Text,
        found: Text,
        at: Span,
        help: Option<Text>,
        /// What the parser would have taken, as `describe_rule` and `punctuation_words`
        /// spell it.
        #[serde(skip)]
        keywords: Vec<&'static str>,
    },

    /// A character a Chinese input method types where the grammar has no use for it: a
    /// full-width form the grammar does not take at that place, a Chinese full stop, a
    /// semicolon, single or title quotes.
    ///
    /// ```text
    /// title "…"。
    /// ```
    LookAlike {
        found: String,
        name: Text,
        replacement: String,
        help: Text,
        at: Span,
    },

    /// A quoted text opened with `"` and closed with a Chinese or full-width quote.
    ///
    /// ```text
    /// title "六枝特区”
    /// ```
    MismatchedQuote {
        open: String,
        found: String,
        opened: Span,
        at: Span,
        replacement: String,
    },

    /// A keyword with a letter or character wrong.
    ///
    /// ```text
    /// titel "…"
    /// ```
    MisspeltKeyword {
        found: String,
        keyword: String,
        replacement: String,
        at: Span,
    },

    /// A keyword written in Traditional characters.
    ///
    /// ```text
    /// 類別 c "…" { … }
    /// ```
    TraditionalKeyword {
        found: String,
        keyword: String,
        replacement: String,
        at: Span,
    },

    /// A keyword run into the word after it.
    ///
    /// ```text
    /// 部门jw "区纪委监委"
    /// ```
    MissingSpace {
        keyword: String,
        rest: String,
        replacement: String,
        at: Span,
    },

    /// A block whose `}` never comes: the file, or a statement of an enclosing block, comes
    /// first.
    ///
    /// ```text
    /// 类别 c "…" {
    ///   表现 …
    /// 类别 d "…" { … }
    /// ```
    UnclosedBlock {
        block: String,
        opened: Span,
        ended: Span,
    },

    /// A `}` that closes a block before a statement that belongs in it.
    ///
    /// ```text
    /// 方面 a "…" { 类别 c "…" { … } }
    /// }
    /// 类别 d "…" { … }
    /// ```
    ExtraClose {
        block: String,
        opened: Span,
        closed: Span,
        at: Span,
    },

    /// A `}` after the last block of the file has closed.
    ///
    /// ```text
    /// 专项 x { … }
    /// }
    /// ```
    StrayClose {
        block: String,
        closed: Span,
        at: Span,
    },

    /// A clause without a part it needs.
    ///
    /// ```text
    /// 不予受理 匿名 当 非 实名
    /// ```
    MissingPart {
        part: Text,
        clause: Span,
        at: Span,
        help: Text,
    },

    /// A quoted text that does not end on its line.
    ///
    /// ```text
    /// title "六枝特区
    /// ```
    UnclosedString { at: Span },

    /// Rules or conditions nested deeper than anyone writes by hand.
    ///
    /// ```text
    /// exclude e when ((((((((… real_name …)))))))) reason "…"
    /// ```
    TooDeep { at: Span },

    /// A backslash escape that strings do not know.
    ///
    /// ```text
    /// title "a\qb"
    /// ```
    UnknownEscape { escape: String, at: Span },
}

impl ParseError {
    /// The problem in words, in `lang`.
    pub fn message(&self, lang: Lang) -> Message {
        crate::lang::localize(self, "syntax", Severity::Error, lang)
    }

    /// Where the error is, for sorting.
    pub fn span(&self) -> Span {
        match self {
            ParseError::Unexpected { at, .. }
            | ParseError::UnclosedString { at }
            | ParseError::TooDeep { at }
            | ParseError::UnknownEscape { at, .. }
            | ParseError::LookAlike { at, .. }
            | ParseError::MismatchedQuote { at, .. }
            | ParseError::MisspeltKeyword { at, .. }
            | ParseError::TraditionalKeyword { at, .. }
            | ParseError::MissingSpace { at, .. }
            | ParseError::ExtraClose { at, .. }
            | ParseError::StrayClose { at, .. } => *at,
            ParseError::MissingPart { clause, .. } => *clause,
            ParseError::UnclosedBlock { opened, .. } => *opened,
        }
    }

    pub(super) fn from_pest(error: pest::error::Error<Rule>) -> ParseError {
        let reported = match error.location {
            pest::error::InputLocation::Pos(pos) => pos,
            pest::error::InputLocation::Span((start, _)) => start,
        };
        let positives = match &error.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
        };
        // pest reports the last *rule* it tried; the parse attempts also know the literal
        // tokens (`,`, `)`, keywords) tried further on, which is where the writer's slip
        // usually is. Use them when they say something a writer can act on.
        let (mut words, mut keywords) = (Vec::new(), Vec::new());
        let mut pos = reported;
        if let Some(attempts) = error.parse_attempts().filter(|a| a.max_position > reported) {
            for token in attempts.expected_tokens() {
                let token = token.to_string();
                if let Some(word) = punctuation_words(&token) {
                    push_new(&mut words, word);
                } else if let Some(word) = keyword_words(&token) {
                    push_new(&mut keywords, word);
                }
            }
            if !words.is_empty() || !keywords.is_empty() {
                pos = attempts.max_position;
            }
        }
        if pos == reported {
            for rule in positives {
                let Some(word) = rule_words(rule) else {
                    continue;
                };
                if format!("{rule:?}").starts_with("kw_") {
                    push_new(&mut keywords, word);
                } else {
                    push_new(&mut words, word);
                }
            }
            if let Some(attempts) = error
                .parse_attempts()
                .filter(|a| a.max_position == reported)
            {
                for token in attempts.expected_tokens() {
                    let token = token.to_string();
                    if let Some(word) = punctuation_words(&token) {
                        push_new(&mut words, word);
                    } else if let Some(word) = keyword_words(&token) {
                        push_new(&mut keywords, word);
                    }
                }
            }
        }
        // A keyword that a description already lists (`exclude` among the outcomes) is not
        // said twice.
        keywords.retain(|k| {
            !words.contains(k) && !words.iter().any(|w| Lang::En.template(w).contains(k))
        });
        let expected_keywords: Vec<&'static str> =
            keywords.iter().chain(words.iter()).copied().collect();
        let mut help = None;
        if keywords.len() > 3 {
            let listed: Vec<Text> = keywords.iter().map(|k| expected_text(k)).collect();
            help = Some(
                Text::new("syntax.unexpected.help_keywords").with("keywords", comma_list(listed)),
            );
            words.insert(0, "syntax.expected.keyword");
        } else {
            words.splice(0..0, keywords);
        }
        let about_dates = |w: &&str| {
            matches!(
                *w,
                "syntax.expected.date"
                    | "syntax.expected.month"
                    | "syntax.expected.window_start"
                    | "syntax.expected.window_end"
            )
        };
        if help.is_none() && words.iter().any(about_dates) {
            help = Some(Text::new("syntax.unexpected.help_dates"));
        }
        let expected = or_list(words.iter().map(|w| expected_text(w)).collect());
        ParseError::Unexpected {
            expected,
            // Known only once the source is at hand, in `with_source`.
            found: Text::new("syntax.found.eof"),
            at: Span::new(pos, pos),
            help,
            keywords: expected_keywords,
        }
    }

    /// Completes a parse error with the text it stopped at, which pest does not keep.
    pub(super) fn with_source(self, source: &str) -> ParseError {
        match self {
            ParseError::Unexpected {
                expected,
                at,
                help,
                keywords,
                ..
            } => {
                let skipped = source[at.start..]
                    .char_indices()
                    .find(|(_, c)| !matches!(c, ' ' | '\t' | '\u{3000}'))
                    .map_or(source.len() - at.start, |(i, _)| i);
                let start = at.start + skipped;
                let (found, len) = found_token(&source[start..]);
                // Where a quoted text may stand (on its own, as a match rule or as a value), a
                // `"` the parser stops at opens one that is never closed.
                let quoted_here = [
                    "syntax.expected.string",
                    "syntax.expected.match_rule",
                    "syntax.expected.value",
                ]
                .iter()
                .any(|key| expected.mentions(key));
                if found.key() == "syntax.found.token"
                    && source[start..].starts_with('"')
                    && quoted_here
                {
                    return super::teach::mismatched_quote(source, start).unwrap_or(
                        ParseError::UnclosedString {
                            at: Span::new(start, start + 1),
                        },
                    );
                }
                let (mut start, mut len, mut found) = (start, len, found);
                // `2023/06/06`: the slip is the separator, not the year before it.
                let dates = [
                    "syntax.expected.date",
                    "syntax.expected.window_start",
                    "syntax.expected.window_end",
                ];
                let digits = source[start..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                if digits == 4
                    && dates.iter().any(|key| expected.mentions(key))
                    && let Some(separator) = source[start + 4..].chars().next()
                    && matches!(separator, '/' | '.' | '\u{FF0F}' | '。' | '\\')
                {
                    start += 4;
                    len = separator.len_utf8();
                    found = Text::new("syntax.found.token").with("token", separator.to_string());
                }
                let at = Span::new(start, start + len);
                if let Some(taught) =
                    super::teach::explain(source, at, &source[start..start + len], &keywords)
                {
                    return taught;
                }
                ParseError::Unexpected {
                    expected,
                    found,
                    at,
                    help,
                    keywords,
                }
            }
            other => other,
        }
    }
}

/// What a description of [`describe_rule`] says: a keyword's two spellings as they are, any
/// other a text of the catalogue.
fn expected_text(description: &'static str) -> Text {
    let pair = description
        .strip_prefix('`')
        .and_then(|rest| rest.strip_suffix('`'))
        .and_then(|inner| inner.split_once("` / `"));
    match pair {
        Some((en, zh)) => Text::new("syntax.expected.spelling")
            .with("en", en)
            .with("zh", zh),
        None if description.starts_with('`') => {
            Text::new("syntax.expected.token").with("token", description)
        }
        None => Text::new(description),
    }
}

/// `a, b or c`, in the reader's language.
fn or_list(mut items: Vec<Text>) -> Text {
    match items.len() {
        0 => Text::new("syntax.expected.something_else"),
        1 => items.remove(0),
        _ => {
            let last = items.pop().expect("two or more items");
            Text::new("list.or")
                .with("init", comma_list(items))
                .with("last", last)
        }
    }
}

/// The token at the start of `rest`, as shown to the writer, and its length in bytes.
fn found_token(rest: &str) -> (Text, usize) {
    let Some(first) = rest.chars().next() else {
        return (Text::new("syntax.found.eof"), 0);
    };
    if first == '\n' || first == '\r' {
        return (Text::new("syntax.found.eol"), first.len_utf8());
    }
    let word_like = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let len = if word_like(first) {
        rest.char_indices()
            .take_while(|(_, c)| word_like(*c))
            .take(24)
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(first.len_utf8())
    } else {
        first.len_utf8()
    };
    (
        Text::new("syntax.found.token").with("token", &rest[..len]),
        len,
    )
}

fn push_new(list: &mut Vec<&'static str>, word: &'static str) {
    if !list.contains(&word) {
        list.push(word);
    }
}

/// Punctuation as shown in "expected …"; full-width forms are shown as their ASCII twins.
fn punctuation_words(token: &str) -> Option<&'static str> {
    Some(match token {
        "," | "\u{FF0C}" | "、" => "`,`",
        ")" | "\u{FF09}" => "`)`",
        "(" | "\u{FF08}" => "`(`",
        "}" | "\u{FF5D}" => "`}`",
        "{" | "\u{FF5B}" => "`{`",
        "]" | "】" => "`]`",
        "[" | "【" => "`[`",
        "=" => "`=`",
        ":" | "\u{FF1A}" => "`:`",
        _ => return None,
    })
}

/// The description of the keyword spelt `token`, in either language.
fn keyword_words(token: &str) -> Option<&'static str> {
    let quoted = format!("`{token}`");
    KEYWORD_RULES
        .iter()
        .filter_map(|rule| describe_rule(rule))
        .find(|words| words.split(" / ").any(|spelling| spelling == quoted))
}

const KEYWORD_RULES: &[&str] = &[
    "kw_campaign",
    "kw_title",
    "kw_issuer",
    "kw_jurisdiction",
    "kw_announced",
    "kw_window",
    "kw_announcement",
    "kw_to",
    "kw_channel",
    "kw_postcode",
    "kw_scope",
    "kw_subjects",
    "kw_levels",
    "kw_region",
    "kw_department",
    "kw_field",
    "kw_required",
    "kw_route",
    "kw_lead",
    "kw_with",
    "kw_area",
    "kw_category",
    "kw_symptom",
    "kw_match",
    "kw_exclude",
    "kw_when",
    "kw_reason",
    "kw_and",
    "kw_or",
    "kw_in",
    "kw_similarity",
    "kw_priority",
    "kw_deadline",
    "kw_duty",
    "kw_monthly",
    "kw_example",
    "kw_text",
    "kw_received",
    "kw_reporter",
    "kw_anonymous",
    "kw_subject",
    "kw_kind",
    "kw_expect",
    "kw_holidays",
    "kw_vocabulary",
    "kw_approx",
    "kw_issued",
    "kw_off",
    "kw_workday",
];

/// Words for each grammar rule that may be reported as expected.
pub(super) fn describe_rule(name: &str) -> Option<&'static str> {
    Some(match name {
        "file" | "campaign" | "kw_campaign" => "`campaign` / `专项`",
        "holidays_block" | "kw_holidays" => "`holidays` / `节假日安排`",
        "vocabulary_block" | "kw_vocabulary" => "`vocabulary` / `词表`",
        "vocabulary_entries" => "syntax.expected.vocabulary_entries",
        "kw_approx" => "`approx` / `近似`",
        "year_number" => "syntax.expected.year_number",
        "off_stmt" | "kw_off" => "`off` / `放假`",
        "workday_stmt" | "kw_workday" => "`workday` / `上班`",
        "kw_issued" => "`issued` / `发布日期`",
        "ident" | "ident_list" => "syntax.expected.ident",
        "path" | "operand" | "length_of" => "syntax.expected.path",
        "string" | "quoted" | "raw_string" | "string_list" => "syntax.expected.string",
        "date" | "iso_date" | "cn_date" => "syntax.expected.date",
        "month" | "iso_month" | "cn_month" => "syntax.expected.month",
        "window_start" => "syntax.expected.window_start",
        "window_end" => "syntax.expected.window_end",
        "region_code" => "syntax.expected.region_code",
        "integer" | "day_of_month" => "syntax.expected.integer",
        "decimal" => "syntax.expected.decimal",
        "value" => "syntax.expected.value",
        "bool_lit" => "syntax.expected.bool_lit",
        "compare_op" => "syntax.expected.compare_op",
        "match_rule" | "any_rule" | "all_rule" | "not_rule" | "near_rule" | "regex_rule"
        | "approx_rule" | "words_rule" => "syntax.expected.match_rule",
        "condition" | "cond_and" | "cond_unary" | "negation" | "mentions" | "duplicate"
        | "missing" | "membership" | "comparison" | "flag" => "syntax.expected.condition",
        "channel_kind" => "syntax.expected.channel_kind",
        "field_type" | "type_text" | "type_number" | "type_date" | "type_bool" | "type_enum" => {
            "syntax.expected.field_type"
        }
        "priority_level" => "syntax.expected.priority_level",
        "deadline_kind" => "syntax.expected.deadline_kind",
        "day_unit" | "working_days" | "calendar_days" => "syntax.expected.day_unit",
        "outcome"
        | "expect_accepted"
        | "expect_excluded"
        | "expect_out_of_window"
        | "expect_out_of_scope"
        | "expect_no_match" => "syntax.expected.outcome",
        "EOI" => "syntax.expected.EOI",
        "kw_title" => "`title` / `标题`",
        "kw_issuer" => "`issuer` / `发布单位`",
        "kw_jurisdiction" => "`jurisdiction` / `辖区`",
        "kw_announced" => "`announced` / `公告日期`",
        "kw_window" => "`window` / `起止`",
        "kw_announcement" => "`announcement` / `即日起`",
        "kw_to" => "`to` / `至`",
        "kw_channel" => "`channel` / `渠道`",
        "kw_postcode" => "`postcode` / `邮编`",
        "kw_scope" => "`scope` / `受理范围`",
        "kw_subjects" => "`subjects` / `对象`",
        "kw_levels" => "`level` / `层级`",
        "kw_region" => "`region` / `地区`",
        "kw_department" => "`department` / `部门`",
        "kw_field" => "`field` / `字段`",
        "kw_required" => "`required` / `必填`",
        "kw_route" => "`route` / `责任`",
        "kw_lead" => "`lead` / `牵头`",
        "kw_with" => "`with` / `配合`",
        "kw_area" => "`area` / `方面`",
        "kw_category" => "`category` / `类别`",
        "kw_symptom" => "`symptom` / `表现`",
        "kw_match" => "`match` / `匹配`",
        "kw_exclude" => "`exclude` / `不予受理`",
        "kw_when" => "`when` / `当`",
        "kw_reason" => "`reason` / `理由`",
        "kw_and" => "`and` / `且`",
        "kw_or" => "`or` / `或`",
        "kw_in" => "`in` / `属于`",
        "kw_similarity" => "`similarity` / `相似度`",
        "kw_same_subject" => "`same subject` / `同一对象`",
        "kw_same_reporter" => "`same reporter` / `同一举报人`",
        "kw_within" => "`within` / `日内`",
        "kw_days_within" => "`日内`",
        "kw_priority" => "`priority` / `优先级`",
        "kw_deadline" => "`deadline` / `时限`",
        "kw_duty" => "`duty` / `报送`",
        "kw_monthly" => "`monthly` / `每月`",
        "kw_example" => "`example` / `示例`",
        "kw_text" => "`text` / `内容`",
        "kw_received" => "`received` / `收到日期`",
        "kw_reporter" => "`reporter` / `反映人`",
        "kw_anonymous" => "`anonymous` / `匿名`",
        "kw_subject" => "`subject` / `对象`",
        "kw_kind" => "`kind` / `类型`",
        "kw_expect" => "`expect` / `预期`",
        _ => return None,
    })
}
