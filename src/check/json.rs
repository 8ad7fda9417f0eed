//! Diagnostics as JSON, for tools: `rectify check --format json` and the workbench's API give
//! the same objects. Columns count characters, not bytes; lines and columns count from 1.

use serde_json::json;

use super::{Problem, SourceFile};
use crate::lang::Lang;
use crate::text::floor_char_boundary;

/// Line and character column (both from 1) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn position_json(text: &str, offset: usize) -> serde_json::Value {
    let (line, column) = line_column(text, offset);
    json!({ "byte": offset, "line": line, "column": column })
}

/// A problem as JSON: columns count characters, not bytes.
pub fn problem_json(files: &[SourceFile], problem: &Problem, lang: Lang) -> serde_json::Value {
    let message = problem.message(lang);
    let file = &files[problem.file];
    let labels: Vec<serde_json::Value> = message
        .labels
        .iter()
        .map(|(span, label)| {
            json!({
                "message": label,
                "start": position_json(&file.text, span.offset()),
                "end": position_json(&file.text, span.offset() + span.len()),
            })
        })
        .collect();
    let related: Vec<serde_json::Value> = problem
        .related
        .iter()
        .map(|related| {
            let text = &files[related.file].text;
            json!({
                "file": files[related.file].name,
                "message": related.message.render(lang),
                "start": position_json(text, related.span.start),
                "end": position_json(text, related.span.end),
            })
        })
        .collect();
    json!({
        "file": file.name,
        "severity": if problem.is_error() { "error" } else { "warning" },
        "code": message.code,
        "message": message.message,
        "help": message.help,
        "labels": labels,
        "related": related,
        "fix": message.fix.as_ref().map(|(span, replacement)| json!({
            "start": position_json(&file.text, span.offset()),
            "end": position_json(&file.text, span.offset() + span.len()),
            "replacement": replacement,
        })),
    })
}
