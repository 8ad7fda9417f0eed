//! Diagnostics as JSON, for tools: `rectify check --format json` and the workbench's API give
//! the same objects. Columns count characters, not bytes; lines and columns count from 1.

use std::cell::OnceCell;

use serde_json::json;

use super::{Problem, SourceFile};
use crate::lang::Lang;
use crate::text::{floor_char_boundary, line_starts};

/// Line and character column (both from 1) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    Lines::new(text).line_column(offset)
}

/// Where the lines of a text start, so that a file with many problems is not read from its
/// first byte for each position in it.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            starts: line_starts(text),
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.starts.partition_point(|start| *start <= offset);
        let column = self.text[self.starts[line - 1]..offset].chars().count() + 1;
        (line, column)
    }

    fn position(&self, offset: usize) -> serde_json::Value {
        let (line, column) = self.line_column(offset);
        json!({ "byte": offset, "line": line, "column": column })
    }
}

/// Problems as JSON, in their order: columns count characters, not bytes.
pub fn problems_json(
    files: &[SourceFile],
    problems: &[Problem],
    lang: Lang,
) -> Vec<serde_json::Value> {
    let lines: Vec<OnceCell<Lines<'_>>> = files.iter().map(|_| OnceCell::new()).collect();
    let lines_of = |file: usize| lines[file].get_or_init(|| Lines::new(&files[file].text));
    problems
        .iter()
        .map(|problem| problem_json(files, problem, lang, &lines_of))
        .collect()
}

fn problem_json<'a>(
    files: &[SourceFile],
    problem: &Problem,
    lang: Lang,
    lines_of: &impl Fn(usize) -> &'a Lines<'a>,
) -> serde_json::Value {
    let message = problem.message(lang);
    let file = &files[problem.file];
    let lines = lines_of(problem.file);
    let labels: Vec<serde_json::Value> = message
        .labels
        .iter()
        .map(|(span, label)| {
            json!({
                "message": label,
                "start": lines.position(span.offset()),
                "end": lines.position(span.offset() + span.len()),
            })
        })
        .collect();
    let related: Vec<serde_json::Value> = problem
        .related
        .iter()
        .map(|related| {
            let lines = lines_of(related.file);
            json!({
                "file": files[related.file].name,
                "message": related.message.render(lang),
                "start": lines.position(related.span.start),
                "end": lines.position(related.span.end),
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
            "start": lines.position(span.offset()),
            "end": lines.position(span.offset() + span.len()),
            "replacement": replacement,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::line_column;
    use crate::text::floor_char_boundary;

    /// Lines and columns counted from the start of the text, as a person would.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..floor_char_boundary(text, offset.min(text.len()))];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    #[test]
    fn every_offset_gets_the_line_and_column_counted_from_the_start() {
        let text = "专项 a {\r\n  标题 \"一\"\n\n\n  类别 b\n}";
        for offset in 0..=text.len() + 2 {
            assert_eq!(line_column(text, offset), counted(text, offset), "{offset}");
        }
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 2), "after 专, inside 项");
        assert_eq!(line_column("", 3), (1, 1));
    }
}
