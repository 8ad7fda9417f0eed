//! Showing diagnostics: graphical on a terminal, plain when piped or under `NO_COLOR`, JSON for
//! tools. The named source is attached here, once, at the edge.

use std::fmt;
use std::io::{IsTerminal, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceSpan, SpanContents,
};
use rectify::SourceFile;
use rectify::check::{Problem, Related, problem_json};
use rectify::lang::{Lang, Message, Text};
use rectify::text::floor_char_boundary;
use serde_json::json;

use super::DiagnosticFormat;
use super::load::LoadError;
use super::mask;
use super::terminal;

/// Where and how diagnostics go.
pub struct Output {
    format: DiagnosticFormat,
    color: bool,
    lang: Lang,
}

impl Output {
    /// Human diagnostics on standard error; colour only on a terminal without `NO_COLOR`.
    pub fn stderr(format: DiagnosticFormat) -> Output {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output {
            format,
            color,
            lang: super::lang(),
        }
    }

    /// Files that could not be read, for a person on standard error.
    pub fn load_errors(&self, errors: &[LoadError]) {
        let mut err = std::io::stderr().lock();
        for error in errors {
            let _ = write!(
                err,
                "{}",
                render_human(&Plain(error.message(self.lang)), self.color)
            );
        }
    }

    /// Prints every problem, files that could not be read first; JSON goes to standard output
    /// as one document.
    pub fn problems(&self, files: &[SourceFile], problems: &[Problem], unread: &[LoadError]) {
        match self.format {
            DiagnosticFormat::Human => {
                self.load_errors(unread);
                let mut err = std::io::stderr().lock();
                for problem in problems {
                    let _ = write!(err, "{}", self.human(files, problem));
                }
            }
            DiagnosticFormat::Json => {
                let diagnostics: Vec<serde_json::Value> = unread
                    .iter()
                    .map(|error| load_error_json(error, self.lang))
                    .chain(problems.iter().map(|p| problem_json(files, p, self.lang)))
                    .collect();
                let document = json!({
                    "files": files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                    "errors": unread.len() + problems.iter().filter(|p| p.is_error()).count(),
                    "warnings": problems.iter().filter(|p| !p.is_error()).count(),
                    "diagnostics": diagnostics,
                });
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{document:#}");
            }
        }
    }

    /// One problem, rendered for a person.
    pub fn human(&self, files: &[SourceFile], problem: &Problem) -> String {
        render_human(&located(files, problem, self.lang), self.color)
    }

    /// The language it speaks.
    pub fn lang(&self) -> Lang {
        self.lang
    }
}

/// Renders a diagnostic that carries no source of its own against the file `name` holding
/// `text`.
pub fn render_with_source(output: &Output, message: Message, name: &str, text: &str) -> String {
    let located = Located {
        inner: message,
        source: named_source(name, text),
        related: Vec::new(),
    };
    render_human(&located, output.color)
}

/// A file for miette to draw from, with reporters masked and whatever could steer the
/// terminal made visible.
fn named_source(name: &str, text: &str) -> Source {
    let masked = mask::reporters(text);
    Source {
        name: terminal::safe(name).into_owned(),
        text: terminal::source(&masked).into_owned(),
        original: text.to_string(),
    }
}

/// A file as miette reads it, but whose columns count characters, as the JSON output and
/// editors do: miette counts bytes, which puts 类别 three columns per character to the right.
///
/// What is drawn is the masked, escaped text; columns are counted in the original, where the
/// JSON form counts them (masking and escaping keep every byte offset but not every character).
#[derive(Debug)]
struct Source {
    name: String,
    text: String,
    original: String,
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let start = floor_char_boundary(&self.original, inner.span().offset());
        let line_start = self.original[..start]
            .rfind('\n')
            .map_or(0, |newline| newline + 1);
        let column = self.original[line_start..start].chars().count();
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )
        .with_language("rectify");
        Ok(Box::new(contents))
    }
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

/// A problem with its file attached, and every text it shows made safe for a terminal.
pub struct Located {
    inner: Message,
    source: Source,
    related: Vec<Note>,
}

/// A problem in `lang` with the source it points into, ready for miette.
pub fn located(files: &[SourceFile], problem: &Problem, lang: Lang) -> Located {
    let file = &files[problem.file];
    Located {
        inner: problem.message(lang),
        source: named_source(&file.name, &file.text),
        related: problem
            .related
            .iter()
            .map(|related| Note::new(files, related, lang))
            .collect(),
    }
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal::safe(&self.inner.to_string()))
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(terminal::safe(&help).into_owned()))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(|label| {
            let text = label.label().map(|text| terminal::safe(text).into_owned());
            if label.primary() {
                LabeledSpan::new_primary_with_span(text, *label.inner())
            } else {
                LabeledSpan::new_with_span(text, *label.inner())
            }
        })))
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
    source: Source,
}

impl Note {
    fn new(files: &[SourceFile], related: &Related, lang: Lang) -> Note {
        let file = &files[related.file];
        Note {
            message: terminal::safe(&related.message.render(lang)).into_owned(),
            label: LabeledSpan::new_with_span(
                Some(lang.word("label.here").to_string()),
                related.span,
            ),
            source: named_source(&file.name, &file.text),
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

/// A file that could not be read, as JSON: the same shape as a problem, without labels.
fn load_error_json(error: &LoadError, lang: Lang) -> serde_json::Value {
    let message = error.message(lang);
    json!({
        "file": error.path(),
        "severity": "error",
        "code": message.code,
        "message": message.message,
        "help": message.help,
        "labels": [],
        "related": [],
        "fix": null,
    })
}

/// A diagnostic without source, with its text made safe for a terminal.
struct Plain(Message);

impl fmt::Debug for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal::safe(&self.0.message))
    }
}

impl std::error::Error for Plain {}

impl Diagnostic for Plain {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.0.help.as_ref()?;
        Some(Box::new(terminal::safe(help).into_owned()))
    }
}

/// A message for a problem that stops the command, in the reader's language.
pub fn fatal(message: Text) {
    let lang = super::lang();
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        terminal::safe(&Text::new("cli.fatal").with("message", message).render(lang))
    );
}
