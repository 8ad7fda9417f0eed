//! What a syntax error most likely is, told as a writer would fix it.
//!
//! pest knows where it stopped and what it would have taken there. This module looks at the
//! text around that place and names the usual slips: a character typed by a Chinese input
//! method where the grammar wants its ASCII twin, a keyword misspelt, written in Traditional
//! characters or run into the word after it, a block whose `}` is missing or comes too early,
//! a clause without a part it needs. It only reads the text; it never changes it.

use super::Span;
use super::error::ParseError;
use crate::lang::Text;
use crate::text::normalize;

/// Every keyword, in both spellings: what "did you mean" may suggest.
const KEYWORDS: &[(&str, &str)] = &[
    ("campaign", "专项"),
    ("title", "标题"),
    ("issuer", "发布单位"),
    ("jurisdiction", "辖区"),
    ("announced", "公告日期"),
    ("window", "起止"),
    ("announcement", "即日起"),
    ("to", "至"),
    ("channel", "渠道"),
    ("postcode", "邮编"),
    ("scope", "受理范围"),
    ("subjects", "对象"),
    ("level", "层级"),
    ("region", "地区"),
    ("department", "部门"),
    ("field", "字段"),
    ("required", "必填"),
    ("route", "责任"),
    ("lead", "牵头"),
    ("with", "配合"),
    ("area", "方面"),
    ("category", "类别"),
    ("symptom", "表现"),
    ("match", "匹配"),
    ("any", "任一"),
    ("all", "全部"),
    ("not", "非"),
    ("near", "邻近"),
    ("regex", "正则"),
    ("approx", "近似"),
    ("vocabulary", "词表"),
    ("exclude", "不予受理"),
    ("when", "当"),
    ("reason", "理由"),
    ("and", "且"),
    ("or", "或"),
    ("mentions", "提及"),
    ("duplicate", "重复反映"),
    ("similarity", "相似度"),
    ("missing", "缺少"),
    ("length", "字数"),
    ("in", "属于"),
    ("priority", "优先级"),
    ("deadline", "时限"),
    ("handle", "办理"),
    ("reply", "答复"),
    ("duty", "报送"),
    ("monthly", "每月"),
    ("example", "示例"),
    ("text", "内容"),
    ("received", "收到日期"),
    ("reporter", "反映人"),
    ("anonymous", "匿名"),
    ("subject", "对象"),
    ("kind", "类型"),
    ("expect", "预期"),
    ("accepted", "受理"),
    ("holidays", "节假日安排"),
    ("issued", "发布日期"),
    ("off", "放假"),
    ("workday", "上班"),
];

/// The statements each kind of block holds, by the keyword that opens the block.
const BLOCKS: &[(&[&str], &[&str])] = &[
    (
        &["campaign", "专项"],
        &[
            "title",
            "标题",
            "issuer",
            "发布单位",
            "jurisdiction",
            "辖区",
            "announced",
            "公告日期",
            "window",
            "起止",
            "channel",
            "渠道",
            "scope",
            "受理范围",
            "department",
            "部门",
            "field",
            "字段",
            "area",
            "方面",
            "exclude",
            "不予受理",
            "route",
            "责任",
            "priority",
            "优先级",
            "deadline",
            "时限",
            "duty",
            "报送",
            "example",
            "示例",
        ],
    ),
    (
        &["scope", "受理范围"],
        &["subjects", "对象", "level", "层级", "region", "地区"],
    ),
    (&["area", "方面"], &["category", "类别", "route", "责任"]),
    (&["category", "类别"], &["symptom", "表现", "route", "责任"]),
    (
        &["example", "示例"],
        &[
            "text",
            "内容",
            "received",
            "收到日期",
            "channel",
            "渠道",
            "reporter",
            "反映人",
            "anonymous",
            "匿名",
            "subject",
            "对象",
            "expect",
            "预期",
        ],
    ),
    (
        &["holidays", "节假日安排"],
        &["off", "放假", "workday", "上班"],
    ),
    (&["vocabulary", "词表"], &[]),
];

/// What a file holds at its top level.
const TOP: &[&str] = &[
    "campaign",
    "专项",
    "holidays",
    "节假日安排",
    "vocabulary",
    "词表",
];

/// Clauses that need a part, and the part: `不予受理 … 理由 "…"`, `表现 … 匹配 …`,
/// `起止 … 至 …`.
const CLAUSES: &[(&str, &[&str])] = &[
    ("reason", &["exclude", "不予受理"]),
    ("match", &["symptom", "表现"]),
    ("to", &["window", "起止"]),
    ("when", &["priority", "优先级", "deadline", "时限"]),
];

/// A block opened with `{` and its first words (`类别 乙 "…"`).
#[derive(Debug, Clone)]
struct Block {
    head: String,
    keyword: String,
    open: Span,
}

/// The blocks open at `pos`, outermost first, and the last block closed before it with the
/// place of its `}`.
fn blocks_at(source: &str, pos: usize) -> (Vec<Block>, Option<(Block, Span)>) {
    let mut open: Vec<Block> = Vec::new();
    let mut last_closed = None;
    let mut statement_start = 0;
    let mut chars = source.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if at >= pos {
            break;
        }
        match c {
            '#' | '\u{FF03}' => while chars.next_if(|(_, c)| *c != '\n').is_some() {},
            '"' | '\u{201C}' | '\u{FF02}' => {
                let close = match c {
                    '\u{201C}' => '\u{201D}',
                    other => other,
                };
                let raw = source[..at].ends_with('r');
                while let Some((_, c)) = chars.next() {
                    if c == '\\' && !raw {
                        chars.next();
                    } else if c == close || c == '\n' {
                        break;
                    }
                }
            }
            '{' | '\u{FF5B}' => {
                let head = source[statement_start..at].trim().to_string();
                let keyword = head.split_whitespace().next().unwrap_or("").to_string();
                open.push(Block {
                    head,
                    keyword,
                    open: Span::new(at, at + c.len_utf8()),
                });
                statement_start = at + c.len_utf8();
            }
            '}' | '\u{FF5D}' => {
                if let Some(block) = open.pop() {
                    last_closed = Some((block, Span::new(at, at + c.len_utf8())));
                }
                statement_start = at + c.len_utf8();
            }
            '\n' => statement_start = at + 1,
            _ => {}
        }
    }
    (open, last_closed)
}

/// The statements a block opened by `keyword` holds; the top level for `None`.
fn allowed(keyword: Option<&str>) -> &'static [&'static str] {
    match keyword {
        None => TOP,
        Some(keyword) => BLOCKS
            .iter()
            .find(|(openers, _)| openers.contains(&keyword))
            .map_or(&[], |(_, children)| children),
    }
}

/// The block heading shown in a message: its first line, shortened.
fn heading(block: &Block) -> String {
    let line = block.head.lines().next().unwrap_or("").trim();
    let mut shown: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        shown.push('…');
    }
    shown
}

/// The likeliest slip at `at`, where the parser stopped on `found` (its text, empty at the end
/// of the file); `keywords` are the keywords it would have taken there.
pub(super) fn explain(
    source: &str,
    at: Span,
    found: &str,
    keywords: &[&'static str],
) -> Option<ParseError> {
    quote_slip(source, at.start)
        .or_else(|| structure(source, at, found))
        .or_else(|| keyword(found, at, keywords))
        .or_else(|| look_alike(source, at, found, keywords))
        .or_else(|| missing_part(source, at, keywords))
}

/// A missing or early `}`.
fn structure(source: &str, at: Span, found: &str) -> Option<ParseError> {
    let (open, last_closed) = blocks_at(source, at.start);
    let innermost = open.last();
    if found.is_empty() {
        let block = innermost?;
        return Some(ParseError::UnclosedBlock {
            block: heading(block),
            opened: block.open,
            ended: at,
        });
    }
    let word = found;
    let is_keyword = KEYWORDS.iter().any(|(en, zh)| *en == word || *zh == word);
    let closes = matches!(found, "}" | "\u{FF5D}");
    if !is_keyword && !closes {
        return None;
    }
    if closes && innermost.is_none() {
        let (block, close) = last_closed?;
        return Some(ParseError::StrayClose {
            block: heading(&block),
            closed: close,
            at,
        });
    }
    if !is_keyword {
        return None;
    }
    let here = allowed(innermost.map(|b| b.keyword.as_str()));
    if here.contains(&word) {
        return None;
    }
    // A statement of an enclosing block: the innermost block was not closed before it.
    let outer = open[..open.len().saturating_sub(1)]
        .iter()
        .map(|b| Some(b.keyword.as_str()))
        .chain(std::iter::once(None))
        .any(|keyword| allowed(keyword).contains(&word));
    if let Some(block) = innermost
        && outer
    {
        return Some(ParseError::UnclosedBlock {
            block: heading(block),
            opened: block.open,
            ended: at,
        });
    }
    // A statement of the block closed just before: its `}` came too early.
    let (block, close) = last_closed?;
    if allowed(Some(block.keyword.as_str())).contains(&word) {
        return Some(ParseError::ExtraClose {
            block: heading(&block),
            opened: block.open,
            closed: close,
            at,
        });
    }
    None
}

/// A clause that ends before a part it needs (`不予受理 … 当 …` without `理由`).
fn missing_part(source: &str, at: Span, keywords: &[&'static str]) -> Option<ParseError> {
    for (part, openers) in CLAUSES {
        let (en, zh) = KEYWORDS.iter().find(|(en, _)| en == part)?;
        let spelt = format!("`{en}` / `{zh}`");
        if !keywords.contains(&spelt.as_str()) {
            continue;
        }
        // The clause starts at the nearest line before the stop that opens with its keyword.
        let before = &source[..at.start];
        let mut line_end = before.len();
        for line_start in before
            .char_indices()
            .filter(|(_, c)| *c == '\n')
            .map(|(i, _)| i + 1)
            .rev()
            .chain(std::iter::once(0))
        {
            let line = &source[line_start..line_end];
            let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}']);
            let first = trimmed.split_whitespace().next().unwrap_or("");
            // A part is missing when the clause stopped at the end of its line; a word the
            // parser stops at within the line is a slip in the clause itself (`orr` for `or`).
            // Only `当` comes in the middle of its line (`优先级 高 当 …`).
            let same_line = !source[line_start..at.start].contains('\n');
            let ends_clause =
                at.start == at.end || source[at.start..].starts_with(['}', '\u{FF5D}']);
            let mid_line = same_line && !ends_clause && *part != "when";
            if openers.contains(&first) && !mid_line {
                let start = line_start + (line.len() - trimmed.len());
                let end = start + trimmed.trim_end().len();
                let part = Text::new("syntax.expected.spelling")
                    .with("en", *en)
                    .with("zh", *zh);
                let help = Text::new(if *en == "when" {
                    "syntax.missing_part.help_when"
                } else {
                    "syntax.missing_part.help_end"
                })
                .with("part", part.clone());
                return Some(ParseError::MissingPart {
                    part,
                    clause: Span::new(start, end.max(start)),
                    at,
                    help,
                });
            }
            if line_start == 0 {
                break;
            }
            line_end = line_start.saturating_sub(1);
            // A clause is one line, or a few: do not look further back than a block.
            if trimmed
                .trim_end()
                .ends_with(['{', '}', '\u{FF5B}', '\u{FF5D}'])
            {
                break;
            }
        }
    }
    None
}

/// A misspelt keyword, one in Traditional characters, or one run into the next word.
fn keyword(found: &str, at: Span, keywords: &[&'static str]) -> Option<ParseError> {
    let first = found.chars().next()?;
    if !(first.is_alphabetic() || first == '_') || keywords.is_empty() {
        return None;
    }
    // Only the keywords the parser would have taken here.
    let candidates: Vec<(&str, &str)> = KEYWORDS
        .iter()
        .filter(|(en, zh)| keywords.contains(&format!("`{en}` / `{zh}`").as_str()))
        .copied()
        .collect();
    let spellings = || candidates.iter().flat_map(|(en, zh)| [*en, *zh]);
    let simplified = normalize(found);
    if found.chars().any(is_han)
        && simplified != found
        && let Some(keyword) = spellings().find(|k| *k == simplified)
    {
        return Some(ParseError::TraditionalKeyword {
            found: found.to_string(),
            keyword: keyword.to_string(),
            replacement: keyword.to_string(),
            at,
        });
    }
    // `部门jw`: a keyword and an id of the other script, with no space between them.
    // `部门专项办` too: a Chinese keyword and a Chinese id of two characters or more (`或者`, one
    // character more, is a misspelt `或`).
    for keyword in spellings() {
        let han = keyword.chars().next().is_some_and(is_han);
        if let Some(rest) = found.strip_prefix(keyword)
            && let Some(next) = rest.chars().next()
            && (is_han(next) != han || (han && rest.chars().count() >= 2))
        {
            return Some(ParseError::MissingSpace {
                keyword: keyword.to_string(),
                rest: rest.to_string(),
                replacement: format!("{keyword} {rest}"),
                at,
            });
        }
    }
    let closest = spellings()
        .filter_map(|k| close_to(found, k).map(|d| (d, k)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)?;
    Some(ParseError::MisspeltKeyword {
        found: found.to_string(),
        keyword: closest.to_string(),
        replacement: closest.to_string(),
        at,
    })
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// How far `found` is from the keyword `keyword`, when close enough to be a slip: one
/// character wrong, missing, extra or two swapped (two for a long English word); for a Chinese
/// keyword, also the keyword with more characters after it (`或者` for `或`).
fn close_to(found: &str, keyword: &str) -> Option<usize> {
    if found == keyword {
        return None;
    }
    let han = keyword.chars().next().is_some_and(is_han);
    if han && found.starts_with(keyword) && found.chars().all(is_han) {
        return Some(found.chars().count() - keyword.chars().count());
    }
    let lower = found.to_lowercase();
    let distance = strsim::damerau_levenshtein(&lower, keyword);
    let allowed = match (han, keyword.chars().count()) {
        (true, 2..) => 1,
        // `orr`, `adn`: a letter too many or two swapped, never one word for another.
        (false, 2..=3) if found.chars().count() >= keyword.chars().count() => 1,
        (false, 4..=7) => 1,
        (false, 8..) => 2,
        _ => 0,
    };
    (distance <= allowed).then_some(distance)
}

/// A character typed by a Chinese input method that the grammar does not take where it stands.
fn look_alike(
    source: &str,
    at: Span,
    found: &str,
    expected: &[&'static str],
) -> Option<ParseError> {
    let c = found.chars().next()?;
    let next = source[at.end..].chars().next();
    let previous = source[..at.start].chars().next_back();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let (name, replacement) = match c {
        '。' if word(previous) && word(next) => ("syntax.look_alike.full_stop", "."),
        '\u{FF0E}' if word(previous) && word(next) => ("syntax.look_alike.full_width", "."),
        '。' => ("syntax.look_alike.full_stop", ""),
        '；' => ("syntax.look_alike.semicolon", ""),
        ';' => ("syntax.look_alike.ascii_semicolon", ""),
        '‘' | '’' => ("syntax.look_alike.single_quote", "\""),
        '“' | '”' => ("syntax.look_alike.chinese_quote", "\""),
        '《' | '》' => ("syntax.look_alike.book_title", "\""),
        '\u{FF01}'..='\u{FF5E}' => ("syntax.look_alike.full_width", ""),
        _ => return None,
    };
    let replacement = match name {
        // The ASCII twin where the parser would take it (`＋` for `+`), nothing where it would
        // not (`标题：` wants no colon at all).
        "syntax.look_alike.full_width" if replacement.is_empty() => {
            let twin = char::from_u32(c as u32 - 0xFEE0)?;
            if expected.contains(&format!("`{twin}`").as_str()) {
                twin.to_string()
            } else {
                String::new()
            }
        }
        _ => replacement.to_string(),
    };
    let help = if replacement.is_empty() && matches!(c, '。' | '；' | ';') {
        Text::new("syntax.look_alike.help_remove")
    } else if replacement.is_empty() {
        Text::new("syntax.look_alike.help_remove_mark")
    } else {
        Text::new("syntax.look_alike.help_type").with("replacement", replacement.as_str())
    };
    Some(ParseError::LookAlike {
        found: c.to_string(),
        name: Text::new(name),
        replacement,
        help,
        at: Span::new(at.start, at.start + c.len_utf8()),
    })
}

/// An ASCII-quoted text that an input method closed with a Chinese quote (`"六枝”`): the
/// place of that quote, when the line has one.
pub(super) fn mismatched_quote(source: &str, open: usize) -> Option<ParseError> {
    let rest = &source[open + 1..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let (offset, c) = line
        .char_indices()
        .find(|(_, c)| matches!(c, '\u{201D}' | '\u{FF02}' | '\u{201C}'))?;
    let start = open + 1 + offset;
    Some(mismatch('"', open, c, start))
}

fn mismatch(open: char, opened_at: usize, found: char, at: usize) -> ParseError {
    let close = if open == '\u{201C}' { '\u{201D}' } else { open };
    ParseError::MismatchedQuote {
        open: open.to_string(),
        found: found.to_string(),
        opened: Span::new(opened_at, opened_at + open.len_utf8()),
        at: Span::new(at, at + found.len_utf8()),
        replacement: close.to_string(),
    }
}

/// A quoted text on the line of `stop`, before it, opened with one kind of quote and closed
/// with another: `"区某局” 类型 "…"` reads as one text up to the next `"`, and `“王某"` never
/// closes.
fn quote_slip(source: &str, stop: usize) -> Option<ParseError> {
    let line_start = source[..stop].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[stop..].find('\n').map_or(source.len(), |i| stop + i);
    let line = &source[line_start..line_end];
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if line_start + at > stop {
            return None;
        }
        match c {
            '#' | '\u{FF03}' => return None,
            '"' | '\u{201C}' | '\u{FF02}' => {
                let close = if c == '\u{201C}' { '\u{201D}' } else { c };
                let raw = c == '"' && line[..at].ends_with('r');
                let mut other = None;
                let mut closed = false;
                while let Some((inner, d)) = chars.next() {
                    if d == '\\' && !raw {
                        chars.next();
                    } else if d == close {
                        closed = true;
                        break;
                    } else if other.is_none() && is_quote(d) && d != c {
                        other = Some((inner, d));
                    }
                }
                // The text ran on past a quote of another kind, to a quote of its own kind
                // (or to the end of the line): that other quote was meant to close it.
                let ran_on = !closed || other.is_some_and(|(inner, _)| line_start + inner < stop);
                if let Some((inner, d)) = other
                    && ran_on
                    && (c != '\u{201C}' || d == '"' || d == '\u{FF02}')
                {
                    return Some(mismatch(c, line_start + at, d, line_start + inner));
                }
            }
            _ => {}
        }
    }
    None
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{FF02}')
}
