//! What the server answers, request by request, from a [`Document`]: the protocol's types in,
//! the protocol's types out, no I/O.
//!
//! Every answer is computed from the library's own interfaces — the checker's problems in the
//! writer's language, the formatter, `verify` for examples — so the editor says what
//! `rectify check`, `rectify fmt` and `rectify test` say.

use std::collections::HashMap;

use lsp_types::*;

use super::document::Document;
use super::index::{Index, Kind, Symbol, Target};
use crate::check::{Problem, ProblemKind, builtin_names};
use crate::lang::{Lang, Text};
use crate::model::{ChannelKind, Level};
use crate::syntax::ast::{self, FieldTypeDecl, Item};
use crate::syntax::{Keyword, ParseError, Span, TokenKind};

pub(crate) const RUN_EXAMPLE: &str = "rectify.runExample";

/// The document's problems as the editor shows them.
pub(crate) fn diagnostics(doc: &Document, lang: Lang) -> Vec<Diagnostic> {
    doc.problems
        .iter()
        .map(|problem| diagnostic(doc, problem, lang))
        .collect()
}

fn diagnostic(doc: &Document, problem: &Problem, lang: Lang) -> Diagnostic {
    let message = problem.message(lang);
    let mut labels = message
        .labels
        .iter()
        .map(|(span, label)| (span.offset(), span.offset() + span.len(), label));
    let range = labels
        .next()
        .map(|(start, end, _)| doc.range(start, end))
        .unwrap_or_default();
    let mut related: Vec<DiagnosticRelatedInformation> = message
        .labels
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location::new(
                doc.uri.clone(),
                doc.range(span.offset(), span.offset() + span.len()),
            ),
            message: label.clone(),
        })
        .collect();
    if let Some(other) = &problem.related
        && let Some((uri, _)) = doc.files.get(other.file)
    {
        related.push(DiagnosticRelatedInformation {
            location: Location::new(
                uri.clone(),
                doc.range_in(other.file, other.span.start, other.span.end),
            ),
            message: other.message.render(lang),
        });
    }
    let text = match &message.help {
        Some(help) => format!("{}\n{help}", message.message),
        None => message.message.clone(),
    };
    Diagnostic {
        range,
        severity: Some(if problem.is_error() {
            DiagnosticSeverity::ERROR
        } else {
            DiagnosticSeverity::WARNING
        }),
        code: Some(NumberOrString::String(message.code.clone())),
        source: Some("rectify".to_string()),
        message: text,
        related_information: Some(related),
        ..Diagnostic::default()
    }
}

/// What the word under the cursor is: an id's wording or type, a keyword's meaning.
pub(crate) fn hover(doc: &Document, position: Position, lang: Lang) -> Option<Hover> {
    let offset = doc.offset(position);
    if let Some(target) = doc.index.at(offset) {
        let symbol = doc.index.declaration(&target);
        let text = symbol
            .map(|symbol| describe(symbol, lang))
            .unwrap_or_else(|| {
                Text::new("lsp.hover.symbol")
                    .with("kind", Text::new(target.kind.word()))
                    .with("name", target.name.as_str())
                    .render(lang)
            });
        return Some(markdown(
            text,
            doc.range(target.span.start, target.span.end),
        ));
    }
    let token = doc
        .tokens
        .as_ref()?
        .iter()
        .find(|t| t.span.start <= offset && offset <= t.span.end)?;
    let TokenKind::Keyword(keyword) = token.kind else {
        return None;
    };
    // Past a slip, a token is read from the recovered text, whose bytes may differ.
    let written = doc.text.get(token.span.start..token.span.end)?;
    let other = if written.is_ascii() {
        keyword.chinese()
    } else {
        keyword.english()
    };
    let meaning = lang
        .template(&format!("keyword.{}", keyword.name()))
        .to_string();
    let text = Text::new("lsp.hover.keyword")
        .with("keyword", written)
        .with("other", other)
        .with("meaning", meaning)
        .render(lang);
    Some(markdown(text, doc.range(token.span.start, token.span.end)))
}

fn markdown(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

/// A declaration in words: what it is, its id, and what the writer wrote for it.
fn describe(symbol: &Symbol, lang: Lang) -> String {
    let kind = Text::new(symbol.kind.word());
    let mut text = match &symbol.ty {
        Some(ty) => Text::new("lsp.hover.field")
            .with("kind", kind)
            .with("name", symbol.name.as_str())
            .with("type", type_words(ty, symbol.required, lang))
            .render(lang),
        None => Text::new("lsp.hover.symbol")
            .with("kind", kind)
            .with("name", symbol.name.as_str())
            .render(lang),
    };
    if let Some(detail) = &symbol.detail {
        text.push_str("\n\n");
        text.push_str(detail);
    }
    if symbol.kind == Kind::Vocabulary {
        text.push_str("\n\n");
        text.push_str(
            &Text::new("lsp.hover.vocabulary_words")
                .with("count", symbol.words)
                .render(lang),
        );
    }
    text
}

fn type_words(ty: &FieldTypeDecl, required: bool, lang: Lang) -> String {
    let mut words = match ty {
        FieldTypeDecl::Text => lang.word("lsp.type.text").to_string(),
        FieldTypeDecl::Number => lang.word("lsp.type.number").to_string(),
        FieldTypeDecl::Date => lang.word("lsp.type.date").to_string(),
        FieldTypeDecl::Bool => lang.word("lsp.type.bool").to_string(),
        FieldTypeDecl::Enum(values) => {
            let values = values
                .iter()
                .map(|v| Text::new("lsp.type.value").with("value", v.value.as_str()))
                .collect();
            Text::new("lsp.type.enum")
                .with("values", crate::lang::comma_list(values))
                .render(lang)
        }
    };
    if required {
        words = Text::new("lsp.type.required")
            .with("type", words)
            .render(lang);
    }
    words
}

fn location(doc: &Document, file: usize, span: Span) -> Option<Location> {
    let (uri, _) = doc.files.get(file)?;
    Some(Location::new(
        uri.clone(),
        doc.range_in(file, span.start, span.end),
    ))
}

pub(crate) fn definition(doc: &Document, position: Position) -> Option<Location> {
    let target = doc.index.at(doc.offset(position))?;
    let symbol = doc.index.declaration(&target)?;
    location(doc, symbol.file, symbol.span)
}

pub(crate) fn references(doc: &Document, position: Position, declaration: bool) -> Vec<Location> {
    let Some(target) = doc.index.at(doc.offset(position)) else {
        return Vec::new();
    };
    doc.index
        .occurrences(&target, declaration)
        .into_iter()
        .filter_map(|(file, span)| location(doc, file, span))
        .collect()
}

pub(crate) fn prepare_rename(doc: &Document, position: Position) -> Option<Range> {
    let target = doc.index.at(doc.offset(position))?;
    doc.index.declaration(&target)?;
    Some(doc.range(target.span.start, target.span.end))
}

/// Renames the id under the cursor everywhere it is named; refused when the new name is not an
/// id or is taken.
// The protocol's edits are keyed by `Uri`, whose lazily filled cache does not change its hash.
#[allow(clippy::mutable_key_type)]
pub(crate) fn rename(
    doc: &Document,
    position: Position,
    name: &str,
) -> Result<WorkspaceEdit, Text> {
    let target: Target = doc
        .index
        .at(doc.offset(position))
        .filter(|t| doc.index.declaration(t).is_some())
        .ok_or_else(|| Text::new("lsp.rename.nothing"))?;
    // A use on a line that does not parse, or in a file beside it that does not, would keep
    // the old name.
    let reaches_beside = target.kind == Kind::Vocabulary;
    if !doc.parses || (reaches_beside && !doc.beside_parse) {
        return Err(Text::new("lsp.rename.unparsed"));
    }
    if !is_id(name) {
        return Err(Text::new("lsp.rename.invalid").with("name", name));
    }
    let taken = doc
        .index
        .symbols
        .iter()
        .any(|s| s.kind == target.kind && s.scope == target.scope && s.name == name);
    if taken && name != target.name {
        return Err(Text::new("lsp.rename.taken")
            .with("kind", Text::new(target.kind.word()))
            .with("name", name));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (file, span) in doc.index.occurrences(&target, true) {
        let Some((uri, _)) = doc.files.get(file) else {
            continue;
        };
        changes.entry(uri.clone()).or_default().push(TextEdit::new(
            doc.range_in(file, span.start, span.end),
            name.to_string(),
        ));
    }
    Ok(WorkspaceEdit::new(changes))
}

/// Whether `name` reads as an id in the grammar, and is not a keyword.
fn is_id(name: &str) -> bool {
    if name.is_empty() || Keyword::all().any(|k| k.english() == name || k.chinese() == name) {
        return false;
    }
    let probe = format!("专项 probe {{ 部门 {name} \"probe\" }}");
    match crate::syntax::parse(&probe) {
        Ok(tree) => tree.campaigns.first().is_some_and(|campaign| {
            matches!(campaign.items.first(), Some(Item::Department(d)) if d.id.name == name)
        }),
        Err(_) => false,
    }
}

/// What may be typed at the cursor: the ids, values and keywords that fit the words before it.
pub(crate) fn completion(doc: &Document, names: &Index, position: Position) -> Vec<CompletionItem> {
    let offset = doc.offset(position);
    let line_start = doc.text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let before = &doc.text[line_start..offset];
    if in_text_or_comment(before) {
        return Vec::new();
    }
    let words: Vec<&str> = before
        .split(|c: char| c.is_whitespace() || "(（,，、)）".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let typing = !before.ends_with(|c: char| c.is_whitespace() || "(（,，、".contains(c));
    let complete = if typing {
        &words[..words.len().saturating_sub(1)]
    } else {
        &words[..]
    };
    let previous = complete.last().copied().unwrap_or("");
    let first = words.first().copied().unwrap_or("");
    let open_paren = before.trim_end_matches(|c: char| !"(（".contains(c));
    let opened_by = open_paren
        .trim_end_matches(['(', '（'])
        .rsplit(|c: char| c.is_whitespace() || "(（,，、".contains(c))
        .next()
        .unwrap_or("");
    let ids = |kind: Kind| -> Vec<CompletionItem> {
        names
            .visible(kind, offset)
            .map(|s| item(&s.name, CompletionItemKind::REFERENCE, s.detail.clone()))
            .collect()
    };
    let is = |keyword: Keyword, word: &str| keyword.english() == word || keyword.chinese() == word;
    let expecting = is(Keyword::Expect, first);
    if (opened_by == "词表" || opened_by == "vocabulary") && !open_paren.contains([')', '）']) {
        return ids(Kind::Vocabulary);
    }
    if is(Keyword::Lead, previous) || is(Keyword::With, previous) {
        return ids(Kind::Department);
    }
    if is(Keyword::To, previous) && is(Keyword::Duty, first) {
        return ids(Kind::Department);
    }
    if expecting && complete.iter().any(|w| is(Keyword::Accepted, w)) {
        return ids(Kind::Category);
    }
    if expecting && is(Keyword::Exclude, previous) {
        return ids(Kind::Exclusion);
    }
    if expecting {
        return [
            Keyword::Accepted,
            Keyword::Exclude,
            Keyword::OutOfWindow,
            Keyword::OutOfScope,
            Keyword::NoMatch,
        ]
        .into_iter()
        .flat_map(keyword_items)
        .collect();
    }
    if is(Keyword::Channel, previous) {
        return [
            ChannelKind::Post,
            ChannelKind::Email,
            ChannelKind::Phone,
            ChannelKind::Visit,
            ChannelKind::Online,
        ]
        .into_iter()
        .flat_map(|c| {
            [
                item(c.chinese(), CompletionItemKind::ENUM_MEMBER, None),
                item(c.name(), CompletionItemKind::ENUM_MEMBER, None),
            ]
        })
        .collect();
    }
    if is(Keyword::Levels, previous) {
        return Level::ALL
            .iter()
            .map(|level| quoted(level.name()))
            .collect();
    }
    if is(Keyword::Kind, previous) || is(Keyword::Subjects, previous) {
        return subject_kinds(doc).into_iter().map(|k| quoted(&k)).collect();
    }
    if previous.ends_with([':', '：']) || (before.trim_end().ends_with([':', '：'])) {
        return [
            Keyword::TextType,
            Keyword::NumberType,
            Keyword::DateType,
            Keyword::BoolType,
            Keyword::EnumType,
        ]
        .into_iter()
        .flat_map(keyword_items)
        .collect();
    }
    if matches!(previous, "==" | "!=" | "＝＝") {
        let field = complete
            .get(complete.len().wrapping_sub(2))
            .copied()
            .unwrap_or("");
        let values: Vec<CompletionItem> = names
            .visible(Kind::Field, offset)
            .filter(|s| s.name == field)
            .filter_map(|s| match &s.ty {
                Some(FieldTypeDecl::Enum(values)) => Some(values),
                _ => None,
            })
            .flatten()
            .map(|value| quoted(&value.value))
            .collect();
        if !values.is_empty() {
            return values;
        }
    }
    let condition = [
        Keyword::When,
        Keyword::And,
        Keyword::Or,
        Keyword::Not,
        Keyword::Missing,
    ]
    .into_iter()
    .any(|k| is(k, previous))
        || opened_by == "字数"
        || opened_by == "length";
    let mut items = Vec::new();
    if condition {
        items.extend(ids(Kind::Field));
        items.extend(builtin_names().map(|name| item(name, CompletionItemKind::FIELD, None)));
        items.extend(
            [
                Keyword::Mentions,
                Keyword::Duplicate,
                Keyword::Missing,
                Keyword::Length,
                Keyword::Not,
                Keyword::True,
                Keyword::False,
            ]
            .into_iter()
            .flat_map(keyword_items),
        );
        return items;
    }
    items.extend(Keyword::all().flat_map(keyword_items));
    for kind in [
        Kind::Department,
        Kind::Field,
        Kind::Category,
        Kind::Vocabulary,
    ] {
        items.extend(ids(kind));
    }
    items
}

/// Whether a line that begins with `before` is, at its end, inside a quoted text or a comment.
fn in_text_or_comment(before: &str) -> bool {
    let mut close: Option<char> = None;
    let mut chars = before.chars();
    while let Some(c) = chars.next() {
        match (close, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(end), c) if c == end => close = None,
            (Some(_), _) => {}
            (None, '"') => close = Some('"'),
            (None, '“') => close = Some('”'),
            (None, '＂') => close = Some('＂'),
            (None, '#' | '＃') => return true,
            (None, _) => {}
        }
    }
    close.is_some()
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

fn quoted(value: &str) -> CompletionItem {
    item(&format!("\"{value}\""), CompletionItemKind::VALUE, None)
}

/// A keyword in both spellings, each saying the other.
fn keyword_items(keyword: Keyword) -> [CompletionItem; 2] {
    [
        item(
            keyword.chinese(),
            CompletionItemKind::KEYWORD,
            Some(keyword.english().to_string()),
        ),
        item(
            keyword.english(),
            CompletionItemKind::KEYWORD,
            Some(keyword.chinese().to_string()),
        ),
    ]
}

/// The kinds of subject the document's scopes name, or the common ones.
fn subject_kinds(doc: &Document) -> Vec<String> {
    let mut kinds: Vec<String> = doc
        .tree
        .iter()
        .flat_map(|tree| &tree.campaigns)
        .flat_map(|campaign| &campaign.items)
        .filter_map(|item| match item {
            Item::Scope(scope) => Some(scope.subjects.iter().flatten()),
            _ => None,
        })
        .flatten()
        .map(|text| text.value.clone())
        .collect();
    if kinds.is_empty() {
        kinds = ["党政机关", "党员干部", "公职人员"]
            .map(String::from)
            .to_vec();
    }
    kinds.dedup();
    kinds
}

/// The outline: campaign → areas → categories → symptoms, with the other declarations.
pub(crate) fn symbols(doc: &Document, lang: Lang) -> Vec<DocumentSymbol> {
    let Some(tree) = &doc.tree else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for vocabulary in &tree.vocabularies {
        let detail = vocabulary.title.as_ref().map(|t| t.value.clone());
        out.push(node(
            doc,
            &vocabulary.id,
            detail,
            SymbolKind::ARRAY,
            vocabulary.span,
            Vec::new(),
        ));
    }
    for holidays in &tree.holidays {
        out.push(node_named(
            doc,
            holidays.year.to_string(),
            Some(holidays.title.value.clone()),
            SymbolKind::OBJECT,
            holidays.span,
            holidays.year_span,
            Vec::new(),
        ));
    }
    for campaign in &tree.campaigns {
        let mut children = Vec::new();
        let mut title = None;
        for item in &campaign.items {
            match item {
                Item::Title(text) => title = Some(text.value.value.clone()),
                Item::Department(d) => children.push(node(
                    doc,
                    &d.id,
                    Some(d.name.value.clone()),
                    SymbolKind::STRUCT,
                    d.span,
                    Vec::new(),
                )),
                Item::Field(f) => children.push(node(
                    doc,
                    &f.id,
                    None,
                    SymbolKind::FIELD,
                    f.span,
                    Vec::new(),
                )),
                Item::Area(area) => children.push(area_node(doc, area)),
                Item::Exclusion(e) => children.push(node(
                    doc,
                    &e.id,
                    Some(e.reason.value.clone()),
                    SymbolKind::EVENT,
                    e.span,
                    Vec::new(),
                )),
                Item::Duty(duty) => children.push(node(
                    doc,
                    &duty.id,
                    Some(duty.title.value.clone()),
                    SymbolKind::EVENT,
                    duty.span,
                    Vec::new(),
                )),
                Item::Example(example) => children.push(node_named(
                    doc,
                    // An editor refuses a symbol without a name.
                    match example.name.value.trim() {
                        "" => lang.word("word.example").to_string(),
                        name => name.to_string(),
                    },
                    None,
                    SymbolKind::METHOD,
                    example.span,
                    example.name.span,
                    Vec::new(),
                )),
                _ => {}
            }
        }
        out.push(node(
            doc,
            &campaign.id,
            title,
            SymbolKind::NAMESPACE,
            campaign.span,
            children,
        ));
    }
    out
}

fn area_node(doc: &Document, area: &ast::AreaDecl) -> DocumentSymbol {
    let categories = area
        .categories
        .iter()
        .map(|category| {
            let symptoms = category
                .symptoms
                .iter()
                .map(|s| {
                    let detail = Some(s.title.value.clone());
                    node(
                        doc,
                        &s.id,
                        detail,
                        SymbolKind::ENUM_MEMBER,
                        s.span,
                        Vec::new(),
                    )
                })
                .collect();
            let detail = Some(category.title.value.clone());
            node(
                doc,
                &category.id,
                detail,
                SymbolKind::CLASS,
                category.span,
                symptoms,
            )
        })
        .collect();
    let detail = Some(area.title.value.clone());
    node(
        doc,
        &area.id,
        detail,
        SymbolKind::MODULE,
        area.span,
        categories,
    )
}

fn node(
    doc: &Document,
    id: &ast::Ident,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    node_named(doc, id.name.clone(), detail, kind, span, id.span, children)
}

#[allow(deprecated)] // `deprecated` is a field the type still requires.
fn node_named(
    doc: &Document,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    selection: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(span.start, span.end),
        selection_range: doc.range(selection.start, selection.end),
        children: (!children.is_empty()).then_some(children),
    }
}

/// Every block of more than one line, and every run of comment lines.
pub(crate) fn folding(doc: &Document) -> Vec<FoldingRange> {
    let Some(tokens) = &doc.tokens else {
        return Vec::new();
    };
    let mut ranges = Vec::new();
    let mut open = Vec::new();
    let mut comments: Option<(u32, u32)> = None;
    let flush = |comments: &mut Option<(u32, u32)>, ranges: &mut Vec<FoldingRange>| {
        if let Some((start, end)) = comments.take()
            && end > start
        {
            ranges.push(FoldingRange {
                start_line: start,
                end_line: end,
                kind: Some(FoldingRangeKind::Comment),
                ..FoldingRange::default()
            });
        }
    };
    for (index, token) in tokens.iter().enumerate() {
        let line = doc.position(token.span.start).line;
        let own_line = token.breaks_before > 0 || index == 0;
        if token.kind == TokenKind::Comment && own_line {
            comments = match comments {
                Some((start, end)) if end + 1 == line => Some((start, line)),
                _ => {
                    flush(&mut comments, &mut ranges);
                    Some((line, line))
                }
            };
            continue;
        }
        flush(&mut comments, &mut ranges);
        match token.kind {
            TokenKind::Open => open.push(line),
            TokenKind::Close => {
                if let Some(start) = open.pop()
                    && line > start
                {
                    ranges.push(FoldingRange {
                        start_line: start,
                        end_line: line,
                        kind: Some(FoldingRangeKind::Region),
                        ..FoldingRange::default()
                    });
                }
            }
            _ => {}
        }
    }
    flush(&mut comments, &mut ranges);
    ranges.sort_by_key(|r| (r.start_line, r.end_line));
    ranges
}

/// The whole file in the canonical layout, as one edit; none when it is already so or does not
/// parse.
pub(crate) fn formatting(doc: &Document) -> Vec<TextEdit> {
    if !doc.parses {
        return Vec::new();
    }
    match crate::format::format(&doc.text, crate::format::Options::default()) {
        Ok(formatted) if formatted != doc.text => {
            vec![TextEdit::new(doc.range(0, doc.text.len()), formatted)]
        }
        _ => Vec::new(),
    }
}

/// Quick fixes for the problems in `range` that have a known fix.
pub(crate) fn code_actions(doc: &Document, range: Range, lang: Lang) -> Vec<CodeActionOrCommand> {
    let (from, to) = (doc.offset(range.start), doc.offset(range.end));
    let mut actions = Vec::new();
    for problem in &doc.problems {
        let Some((span, replacement, title)) = fix(doc, problem, lang) else {
            continue;
        };
        if span.end < from || span.start > to {
            continue;
        }
        let edit = TextEdit::new(doc.range(span.start, span.end), replacement);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(doc, problem, lang)]),
            edit: Some(WorkspaceEdit::new(HashMap::from([(
                doc.uri.clone(),
                vec![edit],
            )]))),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    actions
}

/// The known fix of a problem: the replacement the diagnostic carries, the name a "did you
/// mean" suggests, or the `理由` a clause lacks.
fn fix(doc: &Document, problem: &Problem, lang: Lang) -> Option<(Span, String, String)> {
    let message = problem.message(lang);
    if let Some((span, replacement)) = message.fix {
        let span = Span::new(span.offset(), span.offset() + span.len());
        let title = if replacement.is_empty() {
            let found = doc.text.get(span.start..span.end).unwrap_or("");
            Text::new("lsp.fix.remove").with("found", found)
        } else {
            Text::new("lsp.fix.replace").with("replacement", replacement.as_str())
        };
        return Some((span, replacement, title.render(lang)));
    }
    match &problem.error {
        ProblemKind::Check(error) => {
            let value = serde_json::to_value(error).ok()?;
            let fields = value.as_object()?.values().next()?.as_object()?;
            let help = fields.get("help")?;
            if help.get("$text")?.as_str()? != "help.did_you_mean" {
                return None;
            }
            let name = help
                .get("args")?
                .as_array()?
                .iter()
                .find(|pair| pair.get(0).and_then(|k| k.as_str()) == Some("name"))?
                .get(1)?
                .as_str()?
                .to_string();
            let at = fields.get("at")?;
            let start = at.get("offset")?.as_u64()? as usize;
            let length = at.get("length")?.as_u64()? as usize;
            let title = Text::new("lsp.fix.did_you_mean")
                .with("name", name.as_str())
                .render(lang);
            Some((Span::new(start, start + length), name, title))
        }
        ProblemKind::Parse(ParseError::Unexpected { keywords, at, .. }) => {
            let reason = "`reason` / `理由`";
            let quoted = doc.text.get(at.start..)?.starts_with(['"', '“', '＂']);
            if !keywords.contains(&reason) || !quoted {
                return None;
            }
            let before = doc.text.get(..at.start)?;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let english = before[line_start..].trim_start().starts_with("exclude");
            let keyword = if english { "reason" } else { "理由" };
            let title = Text::new("lsp.fix.add_reason")
                .with("keyword", keyword)
                .render(lang);
            Some((Span::new(at.start, at.start), format!("{keyword} "), title))
        }
        ProblemKind::Parse(_) => None,
    }
}

/// A lens on each example: whether it passes, and a command that runs it again.
pub(crate) fn code_lenses(doc: &Document, lang: Lang) -> Vec<CodeLens> {
    let Some(tree) = &doc.tree else {
        return Vec::new();
    };
    let results = examples(doc);
    let mut lenses = Vec::new();
    for campaign in &tree.campaigns {
        for item in &campaign.items {
            let Item::Example(example) = item else {
                continue;
            };
            let result = results.iter().find(|r| r.span == example.span);
            let title = match result {
                Some(result) if result.passed() => lang.word("lsp.lens.passed").to_string(),
                Some(result) => Text::new("lsp.lens.failed")
                    .with("expected", result.expected.render(lang))
                    .with("actual", result.actual.render(lang))
                    .render(lang),
                None => lang.word("lsp.lens.unchecked").to_string(),
            };
            let start = doc.position(example.span.start);
            lenses.push(CodeLens {
                range: Range::new(start, start),
                command: Some(Command {
                    title,
                    command: RUN_EXAMPLE.to_string(),
                    arguments: Some(vec![
                        serde_json::Value::String(doc.uri.as_str().to_string()),
                        serde_json::Value::String(example.name.value.clone()),
                    ]),
                }),
                data: None,
            });
        }
    }
    lenses
}

fn examples(doc: &Document) -> Vec<crate::verify::ExampleResult> {
    match &doc.model {
        Some(model) => crate::verify::run_examples(model, None)
            .into_iter()
            .filter(|result| result.file == 0)
            .collect(),
        None => Vec::new(),
    }
}

/// Runs the example named `name` and says how it went.
pub(crate) fn run_example(doc: &Document, name: &str, lang: Lang) -> (bool, String) {
    match examples(doc).into_iter().find(|r| r.name == name) {
        Some(result) if result.passed() => (
            true,
            Text::new("lsp.command.passed")
                .with("name", name)
                .render(lang),
        ),
        Some(result) => (
            false,
            Text::new("lsp.command.failed")
                .with("name", name)
                .with("expected", result.expected.render(lang))
                .with("actual", result.actual.render(lang))
                .render(lang),
        ),
        None => (
            false,
            Text::new("lsp.command.unknown")
                .with("name", name)
                .render(lang),
        ),
    }
}
