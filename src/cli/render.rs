//! Showing diagnostics: graphical on a terminal, plain when piped or under `NO_COLOR`, JSON for
//! tools. The named source is attached here, once, at the edge.

use std::fmt;
use std::io::{IsTerminal, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
};
use rectify::SourceFile;
use rectify::check::{Problem, Related};
use serde_json::json;

use super::DiagnosticFormat;

/// Where and how diagnostics go.
pub struct Output {
    format: DiagnosticFormat,
    color: bool,
}

impl Output {
    /// Human diagnostics on standard error; colour only on a terminal without `NO_COLOR`.
    pub fn stderr(format: DiagnosticFormat) -> Output {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output { format, color }
    }

    /// Prints every problem; JSON goes to standard output as one document.
    pub fn problems(&self, files: &[SourceFile], problems: &[Problem]) {
        match self.format {
            DiagnosticFormat::Human => {
                let mut err = std::io::stderr().lock();
                for problem in problems {
                    let _ = write!(err, "{}", self.human(files, problem));
                }
            }
            DiagnosticFormat::Json => {
                let document = json!({
                    "files": files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                    "errors": problems.iter().filter(|p| p.is_error()).count(),
                    "warnings": problems.iter().filter(|p| !p.is_error()).count(),
                    "diagnostics": problems.iter().map(|p| problem_json(files, p)).collect::<Vec<_>>(),
                });
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{document:#}");
            }
        }
    }

    /// One problem, rendered for a person.
    pub fn human(&self, files: &[SourceFile], problem: &Problem) -> String {
        render_human(&located(files, problem), self.color)
    }
}

/// Renders a diagnostic that carries no source of its own against `source`.
pub fn render_with_source<D: Diagnostic + Send + Sync + 'static>(
    output: &Output,
    diagnostic: D,
    source: NamedSource<String>,
) -> String {
    let report = miette::Report::new(diagnostic).with_source_code(source);
    render_human(report.as_ref(), output.color)
}

/// Lines longer than this (a generated or minified scheme) are not drawn: the graphical
/// renderer cannot place a label past column 65,535.
const LONGEST_DRAWN_LINE: usize = 4_000;

/// Whether a label of the diagnostic sits on a line too long to draw.
fn on_long_line(diagnostic: &dyn Diagnostic) -> bool {
    let Some(source) = diagnostic.source_code() else {
        return false;
    };
    diagnostic.labels().into_iter().flatten().any(|label| {
        source
            .read_span(label.inner(), 0, 0)
            .map(|contents| {
                contents.column() > LONGEST_DRAWN_LINE
                    || contents.data().len() > LONGEST_DRAWN_LINE
                    || label.len() > LONGEST_DRAWN_LINE
            })
            .unwrap_or(false)
    })
}

/// Renders a diagnostic in the graphical style, with or without colour; in words, with line
/// and column, when a label sits on a line too long to draw.
pub fn render_human(diagnostic: &dyn Diagnostic, color: bool) -> String {
    if on_long_line(diagnostic) {
        let mut out = String::new();
        if miette::NarratableReportHandler::new()
            .render_report(&mut out, diagnostic)
            .is_err()
        {
            out = format!("{diagnostic}\n");
        }
        out.push('\n');
        return out;
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    out.push('\n');
    out
}

/// A problem with its file attached.
pub struct Located<'a> {
    inner: &'a (dyn Diagnostic + Send + Sync + 'static),
    source: NamedSource<String>,
    related: Vec<Note>,
}

/// A problem with the source it points into, ready for miette.
pub fn located<'a>(files: &[SourceFile], problem: &'a Problem) -> Located<'a> {
    let file = &files[problem.file];
    Located {
        inner: problem.diagnostic(),
        source: NamedSource::new(&file.name, file.text.clone()).with_language("rectify"),
        related: problem
            .related
            .iter()
            .map(|related| Note::new(files, related))
            .collect(),
    }
}

impl fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for Located<'_> {}

impl Diagnostic for Located<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|n| n as &dyn Diagnostic)))
    }
}

/// A labelled place in another file.
#[derive(Debug)]
struct Note {
    message: String,
    label: LabeledSpan,
    source: NamedSource<String>,
}

impl Note {
    fn new(files: &[SourceFile], related: &Related) -> Note {
        let file = &files[related.file];
        Note {
            message: related.message.clone(),
            label: LabeledSpan::new_with_span(Some("here".to_string()), related.span),
            source: NamedSource::new(&file.name, file.text.clone()).with_language("rectify"),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note {}

impl Diagnostic for Note {
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Advice)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}

/// Line and character column (both from 1) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn position_json(text: &str, offset: usize) -> serde_json::Value {
    let (line, column) = line_column(text, offset);
    json!({ "byte": offset, "line": line, "column": column })
}

/// A problem as JSON: columns count characters, not bytes.
pub fn problem_json(files: &[SourceFile], problem: &Problem) -> serde_json::Value {
    let diagnostic = problem.diagnostic();
    let file = &files[problem.file];
    let labels: Vec<serde_json::Value> = diagnostic
        .labels()
        .into_iter()
        .flatten()
        .map(|label| {
            json!({
                "message": label.label(),
                "start": position_json(&file.text, label.offset()),
                "end": position_json(&file.text, label.offset() + label.len()),
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
                "message": related.message,
                "start": position_json(text, related.span.start),
                "end": position_json(text, related.span.end),
            })
        })
        .collect();
    json!({
        "file": file.name,
        "severity": if problem.is_error() { "error" } else { "warning" },
        "code": diagnostic.code().map(|c| c.to_string()),
        "message": diagnostic.to_string(),
        "help": diagnostic.help().map(|h| h.to_string()),
        "labels": labels,
        "related": related,
    })
}

/// A message for a problem that stops the command.
pub fn fatal(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}
