//! From text to the spanned syntax tree, through the pest grammar in `grammar/scheme.pest`.
//!
//! This is the only module that names pest's `Rule` or `Pair`. The grammar guarantees the shape
//! of every pair handed to the lowering functions below, which is why they may `expect` a child
//! to be present: a missing child would be a mismatch between this file and the grammar, never a
//! property of the user's input.

use pest::Parser as _;
use pest::iterators::Pair;

use super::Span;
use super::ast::*;
use super::error::{ParseError, describe_rule};
use super::keyword::Keyword;
use super::token::{Statement, TokenKind};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/scheme.pest"]
struct SchemeParser;

const GRAMMAR: &str = "the grammar guarantees this child";

/// The most syntax errors reported for one file; past them the file is likely not a scheme.
const MOST_ERRORS: usize = 20;

/// Parses one scheme file; on syntax errors, returns every one the parser can tell apart.
///
/// After an error, the line it is on is blanked (its braces kept, so the blocks stay as they
/// were) and the file is parsed again: the next statement is read as if the broken one were
/// not there. Recovery stops at an error about the blocks themselves, at one on a line already
/// blanked, or after [`MOST_ERRORS`]. Byte offsets never move, so every span points into the
/// file as written.
pub(crate) fn parse(source: &str) -> Result<SchemeFile, Vec<ParseError>> {
    recover(source).0
}

/// Parses one scheme file as [`parse`] does; on syntax errors, also gives the text recovery
/// read when it read past every one of them: the broken lines blanked, every byte where it was,
/// so that what is sound in a half-typed file can still be shown.
pub(crate) fn recover(source: &str) -> (Result<SchemeFile, Vec<ParseError>>, Option<String>) {
    // A file that parses is read by hand, which builds the same tree without pest's pairs
    // (and follows nesting only so deep); any other is pest's, and one that pest parses is
    // lowered from that one parse.
    if let Some(file) = super::descent::read(source) {
        return (Ok(file), None);
    }
    // pest recurses once per level of nesting: a source nested far past what lowering accepts
    // is refused before it can exhaust the stack.
    if let Some(at) = nested_too_deep(source) {
        return (Err(vec![ParseError::TooDeep { at }]), None);
    }
    if let Ok(pairs) = SchemeParser::parse(Rule::file, source) {
        return (lower(pairs), None);
    }
    let mut read_past = false;
    let mut errors: Vec<ParseError> = Vec::new();
    let mut text = source.to_string();
    let mut blanked: Vec<(usize, usize)> = Vec::new();
    loop {
        if SchemeParser::parse(Rule::file, &text).is_ok() {
            read_past = true;
            break;
        }
        let error = detailed_error(&text);
        let at = error.span().start;
        let line = line_of(&text, at);
        let repeated = blanked
            .iter()
            .any(|(start, end)| (*start..=*end).contains(&at));
        if repeated {
            break;
        }
        // A block that does not open (`专项 x` without `{`) or close leaves nothing after it
        // where it belongs: reading on would only report that, statement by statement.
        let structural = match &error {
            ParseError::UnclosedBlock { .. }
            | ParseError::ExtraClose { .. }
            | ParseError::StrayClose { .. }
            | ParseError::TooDeep { .. } => true,
            ParseError::Unexpected { keywords, .. } => keywords.contains(&"`{`"),
            _ => false,
        };
        let fix = error.message(crate::lang::Lang::En).fix;
        errors.push(error);
        if structural || errors.len() >= MOST_ERRORS || line.0 == line.1 {
            break;
        }
        // A fix that fits where the slip was (`類別` → `类别`, `。` → nothing) lets the rest of
        // the line, and a block it opens, be read as meant; otherwise the line is set aside.
        match fix {
            Some((span, replacement)) if replacement.len() <= span.len() => {
                // Padded in bytes, so that every offset after it stays where it was.
                let padded = replacement.clone() + &" ".repeat(span.len() - replacement.len());
                text.replace_range(span.offset()..span.offset() + span.len(), &padded);
            }
            _ => blank(&mut text, line),
        }
        blanked.push(line);
    }
    (Err(errors), read_past.then_some(text))
}

/// The byte range of the line holding `at`, without its line break.
fn line_of(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (start, end)
}

/// Replaces a line's text by spaces of the same byte length, keeping its braces.
fn blank(text: &mut String, (start, end): (usize, usize)) {
    let mut line = String::with_capacity(end - start);
    for c in text[start..end].chars() {
        match c {
            '{' | '}' | '\u{FF5B}' | '\u{FF5D}' | '\r' => line.push(c),
            other => line.extend(std::iter::repeat_n(' ', other.len_utf8())),
        }
    }
    text.replace_range(start..end, &line);
}

/// The tree pest gives a file, for comparing with the one read by hand.
#[cfg(test)]
pub(super) fn pest_tree(source: &str) -> Option<SchemeFile> {
    if nested_too_deep(source).is_some() {
        return None;
    }
    lower(SchemeParser::parse(Rule::file, source).ok()?).ok()
}

/// The tree of a file that parsed.
fn lower(mut pairs: pest::iterators::Pairs<Rule>) -> Result<SchemeFile, Vec<ParseError>> {
    let file = pairs.next().expect(GRAMMAR);
    let mut campaigns = Vec::new();
    let mut holidays = Vec::new();
    let mut vocabularies = Vec::new();
    let mut errors = Vec::new();
    for pair in file.into_inner() {
        match pair.as_rule() {
            Rule::campaign => campaigns.push(campaign(pair, &mut errors)),
            Rule::holidays_block => holidays.push(holidays_block(pair, &mut errors)),
            Rule::vocabulary_block => vocabularies.push(vocabulary_block(pair, &mut errors)),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(SchemeFile {
            campaigns,
            holidays,
            vocabularies,
        })
    } else {
        Err(errors)
    }
}

/// Where nesting first goes deeper than [`PARSE_DEEPEST`], outside strings and comments:
/// parentheses, and negations in a row (`非 非 非 …`), which nest without them.
///
/// Nesting a little too deep parses, and lowering reports it at [`DEEPEST`]; nesting
/// thousands deep would exhaust the parser's stack first.
fn nested_too_deep(source: &str) -> Option<Span> {
    let mut depth = 0usize;
    // Negations since the last thing that closes a condition: each is a level of its own.
    let mut negations = 0usize;
    let mut previous = ' ';
    let mut before_previous = ' ';
    let mut chars = source.char_indices().peekable();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    while let Some((at, c)) = chars.next() {
        match c {
            // A comment ends at a line end, a lone CR included, as pest's `NEWLINE` does.
            '#' | '\u{FF03}' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => {
                negations = 0;
                // `r"` opens a raw text only where the `r` is not the end of a word
                // (`issuer"…"` is a keyword and a quoted text).
                let raw = previous == 'r' && !is_word(before_previous);
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' if !raw => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' if !raw => break,
                        _ => {}
                    }
                }
            }
            '\u{201C}' | '\u{FF02}' => {
                negations = 0;
                let close = if c == '\u{201C}' {
                    '\u{201D}'
                } else {
                    '\u{FF02}'
                };
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '\n' => break,
                        c if c == close => break,
                        _ => {}
                    }
                }
            }
            '(' | '\u{FF08}' => depth += 1,
            ')' | '\u{FF09}' => {
                depth = depth.saturating_sub(1);
                negations = 0;
            }
            '非' if !chars.peek().is_some_and(|(_, next)| is_word(*next)) => negations += 1,
            'n' if !is_word(previous)
                && source[at..].starts_with("not")
                && !source[at + 3..].starts_with(is_word) =>
            {
                negations += 1;
                chars.next();
                chars.next();
            }
            c if c.is_whitespace() => {}
            _ => negations = 0,
        }
        if depth + negations > PARSE_DEEPEST {
            return Some(Span::new(at, at + c.len_utf8()));
        }
        before_previous = previous;
        previous = c;
    }
    None
}

/// Parses again with pest's tracking of attempted tokens, which makes a better message but
/// slows every parse down by half: it is switched on only to explain a failure. The switch is
/// global to pest, hence the lock; a parse on another thread meanwhile is only slower.
fn detailed_error(source: &str) -> ParseError {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(true);
    let result = SchemeParser::parse(Rule::file, source);
    pest::set_error_detail(false);
    match result {
        Err(error) => ParseError::from_pest(error).with_source(source),
        // The parser is deterministic: the same text fails again. Should it not, say so
        // rather than stop.
        Ok(_) => ParseError::Unexpected {
            expected: crate::lang::Text::new("syntax.expected.scheme"),
            found: crate::lang::Text::new("syntax.found.unreadable"),
            at: Span::new(0, 0),
            help: None,
            keywords: Vec::new(),
        },
    }
}

/// A leaf of the parse tree: a token that is not a mark or a comment.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leaf {
    pub kind: TokenKind,
    pub span: Span,
    pub starts: Option<Statement>,
}

impl Leaf {
    /// The empty leaf that ends a file.
    pub fn end(at: usize) -> Leaf {
        Leaf {
            kind: TokenKind::Word,
            span: Span::new(at, at),
            starts: None,
        }
    }
}

/// The leaves of a file that parses, in order; `None` when it does not.
pub(super) fn leaves(source: &str) -> Option<Vec<Leaf>> {
    if nested_too_deep(source).is_some() {
        return None;
    }
    let pairs = SchemeParser::parse(Rule::file, source).ok()?;
    let mut leaves = Vec::new();
    for pair in pairs {
        walk(pair, None, &mut leaves);
    }
    Some(leaves)
}

fn walk(pair: Pair<Rule>, starts: Option<Statement>, leaves: &mut Vec<Leaf>) {
    let rule = pair.as_rule();
    let starts = starts.or_else(|| statement(rule));
    let kind = match rule {
        Rule::string
        | Rule::date
        | Rule::month
        | Rule::ident
        | Rule::integer
        | Rule::decimal
        | Rule::region_code
        | Rule::year_number => Some(TokenKind::Word),
        Rule::path => Some(TokenKind::Path),
        Rule::compare_op => Some(TokenKind::Compare),
        Rule::day_of_month => Some(TokenKind::DayOfMonth),
        Rule::lookback => Some(TokenKind::Lookback),
        rule => keyword(rule).map(TokenKind::Keyword),
    };
    if let Some(kind) = kind {
        leaves.push(Leaf {
            kind,
            span: span(&pair),
            starts,
        });
        return;
    }
    if rule == Rule::EOI {
        return;
    }
    let mut starts = starts;
    for inner in pair.into_inner() {
        walk(inner, starts.take(), leaves);
    }
}

/// The statement a rule is, if it is one.
fn statement(rule: Rule) -> Option<Statement> {
    match rule {
        Rule::campaign | Rule::holidays_block | Rule::vocabulary_block => Some(Statement::File),
        Rule::area_block => Some(Statement::Area),
        Rule::title_stmt
        | Rule::issuer_stmt
        | Rule::jurisdiction_stmt
        | Rule::announced_stmt
        | Rule::window_stmt
        | Rule::channel_stmt
        | Rule::scope_block
        | Rule::subjects_stmt
        | Rule::levels_stmt
        | Rule::regions_stmt
        | Rule::department_stmt
        | Rule::field_stmt
        | Rule::route_stmt
        | Rule::category_block
        | Rule::symptom_stmt
        | Rule::exclude_stmt
        | Rule::priority_stmt
        | Rule::deadline_stmt
        | Rule::duty_stmt
        | Rule::example_block
        | Rule::ex_text
        | Rule::ex_received
        | Rule::ex_channel
        | Rule::ex_reporter
        | Rule::ex_anonymous
        | Rule::ex_subject
        | Rule::ex_field
        | Rule::expect_stmt
        | Rule::off_stmt
        | Rule::workday_stmt => Some(Statement::Inner),
        _ => None,
    }
}

/// The keyword a rule spells, if it is a keyword.
fn keyword(rule: Rule) -> Option<Keyword> {
    Some(match rule {
        Rule::kw_campaign => Keyword::Campaign,
        Rule::kw_title => Keyword::Title,
        Rule::kw_issuer => Keyword::Issuer,
        Rule::kw_jurisdiction => Keyword::Jurisdiction,
        Rule::kw_announced => Keyword::Announced,
        Rule::kw_window => Keyword::Window,
        Rule::kw_announcement => Keyword::Announcement,
        Rule::kw_to => Keyword::To,
        Rule::kw_channel => Keyword::Channel,
        Rule::kw_post => Keyword::Post,
        Rule::kw_email => Keyword::Email,
        Rule::kw_phone => Keyword::Phone,
        Rule::kw_visit => Keyword::Visit,
        Rule::kw_online => Keyword::Online,
        Rule::kw_postcode => Keyword::Postcode,
        Rule::kw_scope => Keyword::Scope,
        Rule::kw_subjects => Keyword::Subjects,
        Rule::kw_levels => Keyword::Levels,
        Rule::kw_region => Keyword::Region,
        Rule::kw_department => Keyword::Department,
        Rule::kw_field => Keyword::Field,
        Rule::kw_required => Keyword::Required,
        Rule::kw_text_type => Keyword::TextType,
        Rule::kw_number_type => Keyword::NumberType,
        Rule::kw_date_type => Keyword::DateType,
        Rule::kw_bool_type => Keyword::BoolType,
        Rule::kw_enum_type => Keyword::EnumType,
        Rule::kw_route => Keyword::Route,
        Rule::kw_lead => Keyword::Lead,
        Rule::kw_with => Keyword::With,
        Rule::kw_area => Keyword::Area,
        Rule::kw_category => Keyword::Category,
        Rule::kw_symptom => Keyword::Symptom,
        Rule::kw_match => Keyword::Match,
        Rule::kw_any => Keyword::Any,
        Rule::kw_all => Keyword::All,
        Rule::kw_not => Keyword::Not,
        Rule::kw_near => Keyword::Near,
        Rule::kw_regex => Keyword::Regex,
        Rule::kw_approx => Keyword::Approx,
        Rule::kw_vocabulary => Keyword::Vocabulary,
        Rule::kw_exclude => Keyword::Exclude,
        Rule::kw_when => Keyword::When,
        Rule::kw_reason => Keyword::Reason,
        Rule::kw_and => Keyword::And,
        Rule::kw_or => Keyword::Or,
        Rule::kw_mentions => Keyword::Mentions,
        Rule::kw_duplicate => Keyword::Duplicate,
        Rule::kw_similarity => Keyword::Similarity,
        Rule::kw_same_subject => Keyword::SameSubject,
        Rule::kw_same_reporter => Keyword::SameReporter,
        Rule::kw_missing => Keyword::Missing,
        Rule::kw_length => Keyword::Length,
        Rule::kw_in => Keyword::In,
        Rule::kw_true => Keyword::True,
        Rule::kw_false => Keyword::False,
        Rule::kw_priority => Keyword::Priority,
        Rule::kw_high => Keyword::High,
        Rule::kw_normal => Keyword::Normal,
        Rule::kw_low => Keyword::Low,
        Rule::kw_deadline => Keyword::Deadline,
        Rule::kw_handle => Keyword::Handle,
        Rule::kw_reply => Keyword::Reply,
        Rule::kw_duty => Keyword::Duty,
        Rule::kw_monthly => Keyword::Monthly,
        Rule::kw_example => Keyword::Example,
        Rule::kw_text => Keyword::Text,
        Rule::kw_received => Keyword::Received,
        Rule::kw_reporter => Keyword::Reporter,
        Rule::kw_anonymous => Keyword::Anonymous,
        Rule::kw_subject => Keyword::Subject,
        Rule::kw_kind => Keyword::Kind,
        Rule::kw_expect => Keyword::Expect,
        Rule::kw_holidays => Keyword::Holidays,
        Rule::kw_issued => Keyword::Issued,
        Rule::kw_off => Keyword::Off,
        Rule::kw_workday => Keyword::Workday,
        Rule::kw_accepted => Keyword::Accepted,
        Rule::kw_out_of_window => Keyword::OutOfWindow,
        Rule::kw_out_of_scope => Keyword::OutOfScope,
        Rule::kw_no_match => Keyword::NoMatch,
        Rule::working_days => Keyword::WorkingDays,
        Rule::calendar_days => Keyword::Days,
        _ => return None,
    })
}

/// The pair's span without the white space pest lets a repetition consume at its end.
fn span(pair: &Pair<Rule>) -> Span {
    let whole = pair.as_span();
    kept(whole.as_str(), whole.start())
}

/// The span of `read`, a rule's text starting at `start`, without the white space pest lets a
/// repetition or an absent last part consume at its end.
pub(super) fn kept(read: &str, start: usize) -> Span {
    let kept = read.trim_end_matches([' ', '\t', '\r', '\n', '\u{3000}']);
    Span::new(start, start + kept.len())
}

fn ident(pair: Pair<Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span(&pair),
    }
}

fn campaign(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> CampaignDecl {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    let chinese = inner
        .next()
        .is_some_and(|keyword| keyword.as_str() != "campaign");
    let id = ident(inner.next().expect(GRAMMAR));
    let items = inner.map(|pair| item(pair, errors)).collect();
    CampaignDecl {
        id,
        span: whole,
        chinese,
        items,
    }
}

fn vocabulary_block(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> VocabularyDecl {
    let whole = span(&pair);
    let mut inner = pair.into_inner();
    inner.next(); // keyword
    let id = ident(inner.next().expect(GRAMMAR));
    let mut title = None;
    let mut words = Vec::new();
    for part in inner {
        match part.as_rule() {
            Rule::string => title = Some(text(part, errors)),
            _ => words.extend(part.into_inner().map(|p| text(p, errors))),
        }
    }
    VocabularyDecl {
        id,
        title,
        words,
        span: whole,
    }
}

fn holidays_block(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> HolidaysDecl {
    let whole = span(&pair);
    let mut year = None;
    let mut title = None;
    let mut issued = None;
    let mut entries = Vec::new();
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::year_number => {
                year = Some((digits(child.clone()) as i32, span(&child)));
            }
            Rule::string => title = Some(text(child, errors)),
            Rule::date => issued = Some(date(child)),
            Rule::off_stmt => {
                let entry = span(&child);
                let mut args = args(child);
                let holiday = ident(args.next().expect(GRAMMAR));
                let from = date(args.next().expect(GRAMMAR));
                // `to` / `至` and the last day, when the holiday is more than one day.
                let to = args.find(|p| p.as_rule() == Rule::date).map(date);
                entries.push(HolidayEntry::Off {
                    holiday,
                    from,
                    to,
                    span: entry,
                });
            }
            Rule::workday_stmt => {
                let entry = span(&child);
                let mut args = args(child);
                let holiday = ident(args.next().expect(GRAMMAR));
                let dates = args.map(date).collect();
                entries.push(HolidayEntry::Workday {
                    holiday,
                    dates,
                    span: entry,
                });
            }
            _ => {}
        }
    }
    let (year, year_span) = year.expect(GRAMMAR);
    HolidaysDecl {
        year,
        year_span,
        title: title.expect(GRAMMAR),
        issued,
        entries,
        span: whole,
    }
}

/// The children of a statement, past its leading keyword.
fn args(pair: Pair<Rule>) -> pest::iterators::Pairs<Rule> {
    let mut inner = pair.into_inner();
    inner.next();
    inner
}

fn item(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> Item {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::title_stmt => Item::Title(Keyworded {
            value: text(value_of(pair), errors),
            span: whole,
        }),
        Rule::issuer_stmt => Item::Issuer(Keyworded {
            value: text(value_of(pair), errors),
            span: whole,
        }),
        Rule::jurisdiction_stmt => {
            let mut inner = args(pair);
            let code = number(inner.next().expect(GRAMMAR));
            let name = inner.next().map(|p| text(p, errors));
            Item::Jurisdiction(JurisdictionDecl {
                code,
                name,
                span: whole,
            })
        }
        Rule::announced_stmt => Item::Announced(Keyworded {
            value: date(value_of(pair)),
            span: whole,
        }),
        Rule::window_stmt => {
            let mut inner = args(pair);
            let start = inner
                .next()
                .expect(GRAMMAR)
                .into_inner()
                .next()
                .expect(GRAMMAR);
            let start = match start.as_rule() {
                Rule::kw_announcement => WindowStart::Announcement(span(&start)),
                Rule::date => WindowStart::Date(date(start)),
                _ => WindowStart::Month(month(start)),
            };
            inner.next(); // `to`
            let end = inner
                .next()
                .expect(GRAMMAR)
                .into_inner()
                .next()
                .expect(GRAMMAR);
            let end = match end.as_rule() {
                Rule::date => WindowEnd::Date(date(end)),
                _ => WindowEnd::Month(month(end)),
            };
            Item::Window(WindowDecl {
                start,
                end,
                span: whole,
            })
        }
        Rule::channel_stmt => {
            let mut inner = args(pair);
            let kind_pair = inner.next().expect(GRAMMAR);
            let kind_span = span(&kind_pair);
            let kind = channel_kind(kind_pair);
            let address = text(inner.next().expect(GRAMMAR), errors);
            inner.next(); // `postcode`
            let postcode = inner.next().map(|p| text(p, errors));
            Item::Channel(ChannelDecl {
                kind,
                kind_span,
                address,
                postcode,
                span: whole,
            })
        }
        Rule::scope_block => {
            let mut scope = ScopeDecl {
                subjects: Vec::new(),
                levels: Vec::new(),
                regions: Vec::new(),
                span: whole,
            };
            for stmt in args(pair) {
                match stmt.as_rule() {
                    Rule::subjects_stmt => scope.subjects.push(text_list(value_of(stmt), errors)),
                    Rule::levels_stmt => scope.levels.push(text_list(value_of(stmt), errors)),
                    _ => scope.regions.push(args(stmt).map(number).collect()),
                }
            }
            Item::Scope(scope)
        }
        Rule::department_stmt => {
            let mut inner = args(pair);
            let id = ident(inner.next().expect(GRAMMAR));
            let name = text(inner.next().expect(GRAMMAR), errors);
            Item::Department(DepartmentDecl {
                id,
                name,
                span: whole,
            })
        }
        Rule::field_stmt => {
            let mut inner = args(pair);
            let id = ident(inner.next().expect(GRAMMAR));
            let ty = inner
                .next()
                .expect(GRAMMAR)
                .into_inner()
                .next()
                .expect(GRAMMAR);
            let ty = match ty.as_rule() {
                Rule::type_text => FieldTypeDecl::Text,
                Rule::type_number => FieldTypeDecl::Number,
                Rule::type_date => FieldTypeDecl::Date,
                Rule::type_bool => FieldTypeDecl::Bool,
                _ => FieldTypeDecl::Enum(text_list(args(ty).next().expect(GRAMMAR), errors)),
            };
            let required = inner.next().is_some();
            Item::Field(FieldDecl {
                id,
                ty,
                required,
                span: whole,
            })
        }
        Rule::route_stmt => Item::Route(route(pair)),
        Rule::area_block => {
            let mut inner = args(pair);
            let id = ident(inner.next().expect(GRAMMAR));
            let title = text(inner.next().expect(GRAMMAR), errors);
            let mut routes = Vec::new();
            let mut categories = Vec::new();
            for child in inner {
                match child.as_rule() {
                    Rule::route_stmt => routes.push(route(child)),
                    _ => categories.push(category(child, errors)),
                }
            }
            Item::Area(AreaDecl {
                id,
                title,
                routes,
                categories,
                span: whole,
            })
        }
        Rule::exclude_stmt => {
            let mut inner = args(pair);
            let id = ident(inner.next().expect(GRAMMAR));
            inner.next(); // `when`
            let condition = condition(inner.next().expect(GRAMMAR), errors);
            inner.next(); // `reason`
            let reason = text(inner.next().expect(GRAMMAR), errors);
            Item::Exclusion(ExclusionDecl {
                id,
                condition,
                reason,
                span: whole,
            })
        }
        Rule::priority_stmt => {
            let mut inner = args(pair);
            let level = match child(inner.next().expect(GRAMMAR)).as_rule() {
                Rule::kw_high => PriorityLevel::High,
                Rule::kw_low => PriorityLevel::Low,
                _ => PriorityLevel::Normal,
            };
            inner.next(); // `when`
            let condition = inner.next().map(|p| condition(p, errors));
            Item::Priority(PriorityDecl {
                level,
                condition,
                span: whole,
            })
        }
        Rule::deadline_stmt => {
            let mut inner = args(pair);
            let kind = match child(inner.next().expect(GRAMMAR)).as_rule() {
                Rule::kw_reply => DeadlineKind::Reply,
                _ => DeadlineKind::Handle,
            };
            let days = number(inner.next().expect(GRAMMAR));
            let unit = child(inner.next().expect(GRAMMAR));
            let working_days = unit.as_rule() == Rule::working_days;
            inner.next(); // `when`
            let condition = inner.next().map(|p| condition(p, errors));
            Item::Deadline(DeadlineDecl {
                kind,
                days,
                working_days,
                condition,
                span: whole,
            })
        }
        Rule::duty_stmt => {
            let mut inner = args(pair);
            let id = ident(inner.next().expect(GRAMMAR));
            let title = text(inner.next().expect(GRAMMAR), errors);
            inner.next(); // `monthly`
            let day = number(child(inner.next().expect(GRAMMAR)));
            inner.next(); // `to`
            let recipient = ident(inner.next().expect(GRAMMAR));
            Item::Duty(DutyDecl {
                id,
                title,
                day,
                recipient,
                span: whole,
            })
        }
        _ => Item::Example(example(pair, errors)),
    }
}

/// The first value of a statement, past its keyword.
fn value_of(pair: Pair<Rule>) -> Pair<Rule> {
    args(pair).next().expect(GRAMMAR)
}

/// The only child of a pair.
fn child(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner().next().expect(GRAMMAR)
}

fn route(pair: Pair<Rule>) -> RouteDecl {
    let whole = span(&pair);
    let mut inner = args(pair);
    inner.next(); // `lead`
    let lead = inner
        .next()
        .expect(GRAMMAR)
        .into_inner()
        .map(ident)
        .collect();
    inner.next(); // `with`
    let with = inner
        .next()
        .map(|p| p.into_inner().map(ident).collect())
        .unwrap_or_default();
    RouteDecl {
        lead,
        with,
        span: whole,
    }
}

fn category(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> CategoryDecl {
    let whole = span(&pair);
    let mut inner = args(pair);
    let id = ident(inner.next().expect(GRAMMAR));
    let title = text(inner.next().expect(GRAMMAR), errors);
    let mut routes = Vec::new();
    let mut symptoms = Vec::new();
    for child in inner {
        match child.as_rule() {
            Rule::route_stmt => routes.push(route(child)),
            _ => {
                let symptom_span = span(&child);
                let mut parts = args(child);
                let id = ident(parts.next().expect(GRAMMAR));
                let title = text(parts.next().expect(GRAMMAR), errors);
                parts.next(); // `match`
                let rule = match_rule(parts.next().expect(GRAMMAR), errors);
                symptoms.push(SymptomDecl {
                    id,
                    title,
                    rule,
                    span: symptom_span,
                });
            }
        }
    }
    CategoryDecl {
        id,
        title,
        routes,
        symptoms,
        span: whole,
    }
}

/// How deep rules and conditions may nest: everything that walks the tree recurses.
pub(super) const DEEPEST: usize = 200;

/// How deep a source may nest before it is refused unparsed: far enough past [`DEEPEST`] that
/// lowering names the place, near enough that parsing it needs a small part of a thread's
/// stack.
const PARSE_DEEPEST: usize = 2 * DEEPEST;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level deeper for as long as it lives; `None` (and an error) past [`DEEPEST`].
struct Nesting;

impl Nesting {
    fn enter(span: Span, errors: &mut Vec<ParseError>) -> Option<Nesting> {
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        if depth > DEEPEST {
            DEPTH.with(|d| d.set(d.get() - 1));
            if !errors
                .iter()
                .any(|e| matches!(e, ParseError::TooDeep { .. }))
            {
                errors.push(ParseError::TooDeep { at: span });
            }
            return None;
        }
        Some(Nesting)
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

fn match_rule(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> MatchRuleExpr {
    let Some(_nesting) = Nesting::enter(span(&pair), errors) else {
        return MatchRuleExpr::Any(Vec::new(), span(&pair));
    };
    let inner = pair.into_inner().next().expect(GRAMMAR);
    let whole = span(&inner);
    match inner.as_rule() {
        Rule::string => MatchRuleExpr::Literal(text(inner, errors)),
        Rule::any_rule => {
            MatchRuleExpr::Any(args(inner).map(|p| match_rule(p, errors)).collect(), whole)
        }
        Rule::all_rule => {
            MatchRuleExpr::All(args(inner).map(|p| match_rule(p, errors)).collect(), whole)
        }
        Rule::not_rule => MatchRuleExpr::Not(
            Box::new(match_rule(args(inner).next().expect(GRAMMAR), errors)),
            whole,
        ),
        Rule::near_rule => {
            let mut parts = args(inner);
            let left = match_rule(parts.next().expect(GRAMMAR), errors);
            let right = match_rule(parts.next().expect(GRAMMAR), errors);
            let within = number(parts.next().expect(GRAMMAR));
            MatchRuleExpr::Near {
                left: Box::new(left),
                right: Box::new(right),
                within,
                span: whole,
            }
        }
        Rule::approx_rule => {
            let mut parts = args(inner);
            let phrase = text(parts.next().expect(GRAMMAR), errors);
            let similarity = parts.next().map(number).map(Box::new);
            MatchRuleExpr::Approx {
                phrase,
                similarity,
                span: whole,
            }
        }
        Rule::words_rule => MatchRuleExpr::Words(ident(args(inner).next().expect(GRAMMAR)), whole),
        _ => MatchRuleExpr::Regex(text(args(inner).next().expect(GRAMMAR), errors), whole),
    }
}

fn condition(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> ConditionExpr {
    let whole = span(&pair);
    let Some(_nesting) = Nesting::enter(whole, errors) else {
        return ConditionExpr::Bool(false, whole);
    };
    match pair.as_rule() {
        Rule::condition | Rule::cond_and => {
            let is_or = pair.as_rule() == Rule::condition;
            let mut parts: Vec<ConditionExpr> = pair
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and))
                .map(|p| condition(p, errors))
                .collect();
            if parts.len() == 1 {
                parts.pop().expect("one part is present")
            } else if is_or {
                ConditionExpr::Or(parts, whole)
            } else {
                ConditionExpr::And(parts, whole)
            }
        }
        Rule::cond_unary => condition(pair.into_inner().next().expect(GRAMMAR), errors),
        Rule::negation => ConditionExpr::Not(
            Box::new(condition(args(pair).next().expect(GRAMMAR), errors)),
            whole,
        ),
        Rule::bool_lit => ConditionExpr::Bool(bool_lit(pair), whole),
        Rule::mentions => {
            ConditionExpr::Mentions(match_rule(args(pair).next().expect(GRAMMAR), errors), whole)
        }
        Rule::duplicate => {
            let (mut similarity, mut same_subject, mut same_reporter, mut within) =
                (None, false, false, None);
            for part in args(pair) {
                match part.as_rule() {
                    Rule::decimal => similarity = Some(number(part)),
                    Rule::same_subject => same_subject = true,
                    Rule::same_reporter => same_reporter = true,
                    Rule::lookback => {
                        within = part
                            .into_inner()
                            .find(|p| p.as_rule() == Rule::integer)
                            .map(number);
                    }
                    _ => {}
                }
            }
            ConditionExpr::Duplicate {
                similarity,
                same_subject,
                same_reporter,
                within,
                span: whole,
            }
        }
        Rule::missing => ConditionExpr::Missing(ident(args(pair).next().expect(GRAMMAR)), whole),
        Rule::membership => {
            let mut inner = pair.into_inner();
            let operand = operand(inner.next().expect(GRAMMAR));
            inner.next(); // `in`
            let values = inner.map(|p| value(p, errors)).collect();
            ConditionExpr::In {
                operand,
                values,
                span: whole,
            }
        }
        Rule::comparison => {
            let mut inner = pair.into_inner();
            let operand = operand(inner.next().expect(GRAMMAR));
            let op_pair = inner.next().expect(GRAMMAR);
            let op = compare_op(op_pair.as_str());
            let value = value(inner.next().expect(GRAMMAR), errors);
            ConditionExpr::Compare {
                operand,
                op,
                op_span: span(&op_pair),
                value,
                span: whole,
            }
        }
        Rule::flag => ConditionExpr::Flag(ident(pair.into_inner().next().expect(GRAMMAR))),
        rule => unreachable!("the grammar has no condition of kind {rule:?}"),
    }
}

fn operand(pair: Pair<Rule>) -> Operand {
    let inner = pair.into_inner().next().expect(GRAMMAR);
    match inner.as_rule() {
        Rule::length_of => {
            let whole = span(&inner);
            Operand::Length(ident(args(inner).next().expect(GRAMMAR)), whole)
        }
        _ => Operand::Path(ident(inner)),
    }
}

fn value(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> ValueLit {
    let inner = pair.into_inner().next().expect(GRAMMAR);
    match inner.as_rule() {
        Rule::string => ValueLit::Text(text(inner, errors)),
        Rule::date => ValueLit::Date(date(inner)),
        Rule::decimal => ValueLit::Number(number(inner)),
        _ => {
            let whole = span(&inner);
            ValueLit::Bool(bool_lit(inner), whole)
        }
    }
}

fn bool_lit(pair: Pair<Rule>) -> bool {
    pair.into_inner().next().expect(GRAMMAR).as_rule() == Rule::kw_true
}

fn example(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> ExampleDecl {
    let whole = span(&pair);
    let mut inner = args(pair);
    let name = text(inner.next().expect(GRAMMAR), errors);
    let items = inner.map(|pair| example_item(pair, errors)).collect();
    ExampleDecl {
        name,
        items,
        span: whole,
    }
}

fn example_item(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> ExampleItem {
    let whole = span(&pair);
    match pair.as_rule() {
        Rule::ex_text => ExampleItem::Text(text(value_of(pair), errors), whole),
        Rule::ex_received => ExampleItem::Received(date(value_of(pair)), whole),
        Rule::ex_channel => ExampleItem::Channel(channel_kind(value_of(pair)), whole),
        Rule::ex_reporter => ExampleItem::Reporter(text(value_of(pair), errors), whole),
        Rule::ex_anonymous => ExampleItem::Anonymous(whole),
        Rule::ex_subject => {
            let mut subject = SubjectDecl {
                name: None,
                kind: None,
                level: None,
                region: None,
                span: whole,
            };
            for part in args(pair) {
                match part.as_rule() {
                    Rule::string => subject.name = Some(text(part, errors)),
                    Rule::subject_kind => subject.kind = Some(text(value_of(part), errors)),
                    Rule::subject_level => subject.level = Some(text(value_of(part), errors)),
                    _ => subject.region = Some(number(value_of(part))),
                }
            }
            ExampleItem::Subject(subject)
        }
        Rule::ex_field => {
            let mut inner = pair.into_inner();
            let id = ident(inner.next().expect(GRAMMAR));
            let value = value(inner.next().expect(GRAMMAR), errors);
            ExampleItem::Field(id, value, whole)
        }
        _ => {
            let outcome = value_of(pair).into_inner().next().expect(GRAMMAR);
            let outcome = match outcome.as_rule() {
                Rule::expect_accepted => ExpectedOutcome::Accepted(
                    args(outcome)
                        .next()
                        .expect(GRAMMAR)
                        .into_inner()
                        .map(ident)
                        .collect(),
                ),
                Rule::expect_excluded => {
                    ExpectedOutcome::Excluded(ident(args(outcome).next().expect(GRAMMAR)))
                }
                Rule::expect_out_of_window => ExpectedOutcome::OutOfWindow,
                Rule::expect_out_of_scope => ExpectedOutcome::OutOfScope,
                _ => ExpectedOutcome::NoMatch,
            };
            ExampleItem::Expect(ExpectDecl {
                outcome,
                span: whole,
            })
        }
    }
}

fn channel_kind(pair: Pair<Rule>) -> ChannelKind {
    match pair.into_inner().next().expect(GRAMMAR).as_rule() {
        Rule::kw_post => ChannelKind::Post,
        Rule::kw_email => ChannelKind::Email,
        Rule::kw_phone => ChannelKind::Phone,
        Rule::kw_visit => ChannelKind::Visit,
        _ => ChannelKind::Online,
    }
}

fn number(pair: Pair<Rule>) -> NumberLit {
    NumberLit {
        text: ascii_width(pair.as_str()).into_owned(),
        span: span(&pair),
    }
}

fn digits(pair: Pair<Rule>) -> u32 {
    // At most four digits by the grammar: the value always fits.
    ascii_width(pair.as_str())
        .parse()
        .expect("a run of at most four digits")
}

/// Full-width digits and signs (as a Chinese input method types them) as their ASCII twins,
/// which is all they can mean where the grammar takes them.
pub(super) fn ascii_width(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

fn date(pair: Pair<Rule>) -> DateLit {
    let whole = span(&pair);
    let form = pair.into_inner().next().expect(GRAMMAR);
    let mut parts = form.into_inner();
    let year = digits(parts.next().expect(GRAMMAR)) as i32;
    let month = digits(parts.next().expect(GRAMMAR));
    let day = digits(parts.next().expect(GRAMMAR));
    DateLit {
        year,
        month,
        day,
        span: whole,
    }
}

fn month(pair: Pair<Rule>) -> MonthLit {
    let whole = span(&pair);
    let end_of_month = pair.as_str().ends_with('底');
    let form = pair.into_inner().next().expect(GRAMMAR);
    let mut parts = form.into_inner();
    let year = digits(parts.next().expect(GRAMMAR)) as i32;
    let month = digits(parts.next().expect(GRAMMAR));
    MonthLit {
        year,
        month,
        end_of_month,
        span: whole,
    }
}

fn text_list(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> Vec<Text> {
    pair.into_inner().map(|p| text(p, errors)).collect()
}

/// Resolves the escapes of a string literal. An unknown escape is a syntax error, reported
/// with the position of the backslash; the literal keeps the escaped character as written.
fn text(pair: Pair<Rule>, errors: &mut Vec<ParseError>) -> Text {
    let whole = span(&pair);
    let form = pair.into_inner().next().expect(GRAMMAR);
    let raw = form.as_rule() == Rule::raw_string;
    let content = form.into_inner().next().expect(GRAMMAR);
    let content_start = content.as_span().start();
    let written = content.as_str();
    if raw || !written.contains('\\') {
        return Text {
            value: written.to_string(),
            span: whole,
            verbatim_from: u32::try_from(content_start).ok(),
        };
    }
    Text {
        value: unescape(written, content_start, errors),
        span: whole,
        verbatim_from: None,
    }
}

/// A quoted text's content, `written` from `content_start`, with its escapes resolved.
pub(super) fn unescape(
    written: &str,
    content_start: usize,
    errors: &mut Vec<ParseError>,
) -> String {
    let mut value = String::with_capacity(written.len());
    let mut chars = written.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => value.push('\n'),
            Some((_, 't')) => value.push('\t'),
            Some((_, '"')) => value.push('"'),
            Some((_, '\\')) => value.push('\\'),
            Some((at, other)) => {
                let start = content_start + at - 1;
                errors.push(ParseError::UnknownEscape {
                    escape: format!("\\{other}"),
                    at: Span::new(start, content_start + at + other.len_utf8()),
                });
                value.push(other);
            }
            None => {}
        }
    }
    value
}

/// The operator a comparison's operator is, as written: its first mark and, when it has two,
/// its last (white space or a comment may come between them, as `rectify fmt` reads it too).
pub(super) fn compare_op(written: &str) -> CompareOp {
    let ascii = ascii_width(written);
    let mut marks = ascii.chars();
    match (marks.next(), marks.next_back()) {
        (Some('='), Some('=')) => CompareOp::Eq,
        (Some('!'), Some('=')) => CompareOp::Ne,
        (Some('<'), Some('=')) => CompareOp::Le,
        (Some('>'), Some('=')) => CompareOp::Ge,
        (Some('<'), None) => CompareOp::Lt,
        _ => CompareOp::Gt,
    }
}

/// Words for a grammar rule, for "expected …" messages; `None` for rules a writer never needs
/// to hear about.
pub(super) fn rule_words(rule: Rule) -> Option<&'static str> {
    describe_rule(&format!("{rule:?}"))
}

#[cfg(test)]
mod depth_tests {
    use super::{ParseError, parse};

    fn nested(depth: usize) -> (String, String) {
        let rule = format!(
            "专项 x {{\n  标题 \"t\"\n  方面 a \"a\" {{ 类别 b \"b\" {{ 表现 c \"c\" 匹配 {}\"会\"{} }} }}\n}}\n",
            "任一(".repeat(depth),
            ")".repeat(depth)
        );
        let condition = format!(
            "专项 x {{\n  标题 \"t\"\n  不予受理 e 当 {}实名 理由 \"r\"\n}}\n",
            "非 ".repeat(depth)
        );
        (rule, condition)
    }

    /// Lowering, not the parser's stack, refuses what nests a little too deep: the deepest
    /// source the parser takes fits a thread's default stack, in a debug build too.
    #[test]
    fn the_deepest_parsed_nesting_fits_a_default_thread_stack() {
        let (rule, condition) = nested(super::PARSE_DEEPEST - 1);
        for source in [rule, condition] {
            let outcome = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    matches!(
                        parse(&source).as_ref().map_err(Vec::as_slice),
                        Err([ParseError::TooDeep { .. }])
                    )
                })
                .unwrap()
                .join()
                .unwrap();
            assert!(outcome);
        }
    }

    /// A comment ends at a lone CR, and a word ending in `r` before a quote does not make the
    /// text raw: neither hides the nesting after it.
    #[test]
    fn deep_nesting_after_a_comment_ended_by_a_cr_or_an_escaped_quote_is_too_deep() {
        let negations = "非 ".repeat(100_000);
        let sources = [
            format!("# c\r专项 x {{\r 标题 \"t\"\r 不予受理 e 当 {negations}实名 理由 \"r\"\r}}\r"),
            format!(
                "campaign x {{ title \"t\" issuer\"\\\"\" exclude e when {negations}实名 reason \"r\" }}\n"
            ),
        ];
        for source in sources {
            assert!(matches!(
                parse(&source).as_ref().map_err(Vec::as_slice),
                Err([ParseError::TooDeep { .. }])
            ));
        }
    }

    #[test]
    fn thousands_of_negations_in_a_row_are_too_deep() {
        let (_, condition) = nested(100_000);
        assert!(matches!(
            parse(&condition).as_ref().map_err(Vec::as_slice),
            Err([ParseError::TooDeep { .. }])
        ));
    }
}

#[cfg(test)]
mod operator_tests {
    use super::{CompareOp, compare_op};

    /// The grammar lets white space or a comment come between an operator's two marks, and
    /// `rectify fmt` closes the gap: `< =` is `<=`, not `>`.
    #[test]
    fn an_operator_is_its_marks_whatever_comes_between_them() {
        for (written, op) in [
            ("==", CompareOp::Eq),
            ("= =", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("！ ＝", CompareOp::Ne),
            ("<=", CompareOp::Le),
            ("< =", CompareOp::Le),
            ("< # 注 = <\n =", CompareOp::Le),
            ("＜＝", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("> \t=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            ("＜", CompareOp::Lt),
            (">", CompareOp::Gt),
            ("＞", CompareOp::Gt),
        ] {
            assert_eq!(compare_op(written), op, "{written:?}");
        }
    }
}
