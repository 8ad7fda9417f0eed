//! A diagnostic put into words: its code, severity, message, help and labelled spans, in one
//! language, ready for any renderer (the terminal, JSON, a language server).
//!
//! A problem's words come from the catalogue, found by the problem's code; its fields fill
//! the placeholders. Serialising a problem gives both at once — the variant's name is the code,
//! a span field is a label (named for the field) and any other field is an argument — so each
//! problem type says its words once, in the catalogues, and nowhere in code.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity, SourceSpan};
use serde::Serialize;
use serde_json::Value;

use super::{self as lang, Lang};

/// A problem in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The stable code, such as `rectify::check::duplicate_id`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Each place involved, with what it is.
    pub labels: Vec<(SourceSpan, String)>,
    /// A replacement that fixes the problem, when there is one beyond doubt: the text to put
    /// in place of the span.
    pub fix: Option<(SourceSpan, String)>,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Message {}

impl Diagnostic for Message {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|(span, label)| {
            LabeledSpan::new_with_span(Some(label.clone()), *span)
        })))
    }
}

/// Puts a problem of `stage` (`check`, `syntax`, `load`) into words.
///
/// The problem must serialise as an externally tagged enum in snake case with struct variants,
/// which is what `#[serde(rename_all = "snake_case")]` on a problem enum gives.
pub fn localize<T: Serialize>(problem: &T, stage: &str, severity: Severity, lang: Lang) -> Message {
    let value = serde_json::to_value(problem).unwrap_or(Value::Null);
    let (name, fields) = match &value {
        Value::Object(map) => match map.iter().next() {
            Some((name, Value::Object(fields))) => (name.as_str(), Some(fields)),
            Some((name, _)) => (name.as_str(), None),
            None => ("unknown", None),
        },
        Value::String(name) => (name.as_str(), None),
        _ => ("unknown", None),
    };
    let key = format!("{stage}.{name}");
    let mut args: Vec<(&str, String)> = Vec::new();
    let mut spans: Vec<(&str, SourceSpan)> = Vec::new();
    let mut help = None;
    let mut replacement = None;
    for (field, value) in fields.into_iter().flatten() {
        if let Some(span) = as_span(value) {
            spans.push((field, span));
        } else if field == "replacement" {
            replacement = value.as_str().map(str::to_string);
            args.push((field, words(value, lang)));
        } else if field == "help" {
            help = Some(words(value, lang)).filter(|h| !h.is_empty());
        } else {
            args.push((field, words(value, lang)));
        }
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let help = help.or_else(|| {
        let help_key = format!("{key}.help");
        let template = lang.template(&help_key);
        (template != help_key).then(|| lang::fill(template, &args))
    });
    let fix = replacement.and_then(|replacement| {
        let (_, span) = spans.iter().find(|(field, _)| *field == "at")?;
        Some((*span, replacement))
    });
    let labels = spans
        .into_iter()
        .map(|(field, span)| {
            let label_key = format!("{key}.{field}");
            (span, lang::fill(lang.template(&label_key), &args))
        })
        .collect();
    Message {
        code: format!("rectify::{stage}::{name}"),
        severity,
        message: lang::fill(lang.template(&key), &args),
        help,
        labels,
        fix,
    }
}

/// A span as miette (`offset`, `length`) or our syntax tree (`start`, `end`) serialises it.
fn as_span(value: &Value) -> Option<SourceSpan> {
    let map = value.as_object()?;
    let number = |name: &str| map.get(name).and_then(Value::as_u64);
    let (start, len) = match (
        number("offset"),
        number("length"),
        number("start"),
        number("end"),
    ) {
        (Some(offset), Some(length), None, None) if map.len() == 2 => (offset, length),
        (None, None, Some(start), Some(end)) if map.len() == 2 && end >= start => {
            (start, end - start)
        }
        _ => return None,
    };
    Some(SourceSpan::new((start as usize).into(), len as usize))
}

/// A field's value in words: a catalogue text in `lang`, a number or text as it is.
fn words(value: &Value, lang: Lang) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|item| words(item, lang))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => match map.get("$text").and_then(Value::as_str) {
            Some(key) => {
                let args: Vec<(String, String)> = match map.get("args") {
                    Some(Value::Array(pairs)) => pairs
                        .iter()
                        .filter_map(|pair| {
                            let pair = pair.as_array()?;
                            Some((
                                pair.first()?.as_str()?.to_string(),
                                words(pair.get(1)?, lang),
                            ))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let borrowed: Vec<(&str, &str)> =
                    args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                lang::fill(lang.template(key), &borrowed)
            }
            None => String::new(),
        },
    }
}
