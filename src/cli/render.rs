//! Showing diagnostics: graphical on a terminal, plain when piped or under `NO_COLOR`, JSON for
//! tools. The named source is attached here, once, at the edge.

use std::cell::OnceCell;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceSpan, SpanContents,
};
use rectify::SourceFile;
use rectify::check::{Problem, Related, problems_json};
use rectify::lang::{Lang, Message, Text};
use rectify::text::{floor_char_boundary, line_starts};
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
                let sources = Sources::new(files);
                let mut err = std::io::stderr().lock();
                for problem in problems {
                    let located = located(&sources, problem, self.lang);
                    let _ = write!(err, "{}", render_human(&located, self.color));
                }
            }
            DiagnosticFormat::Json => {
                let diagnostics: Vec<serde_json::Value> = unread
                    .iter()
                    .map(|error| load_error_json(error, self.lang))
                    .chain(problems_json(files, problems, self.lang))
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
        source: Arc::new(named_source(name, text)),
        related: Vec::new(),
    };
    render_human(&located, output.color)
}

/// A file for miette to draw from, with reporters masked and whatever could steer the
/// terminal made visible.
fn named_source(name: &str, text: &str) -> Source {
    let masked = mask::reporters(text);
    let text_shown = terminal::source(&masked).into_owned();
    Source {
        name: terminal::safe(name).into_owned(),
        line_starts: line_starts(&text_shown),
        text: text_shown,
        original: text.to_string(),
    }
}

/// The files of a check, each made ready for miette the first time a problem points into
/// it, and only once however many do.
struct Sources<'a> {
    files: &'a [SourceFile],
    ready: Vec<OnceCell<Arc<Source>>>,
}

impl<'a> Sources<'a> {
    fn new(files: &'a [SourceFile]) -> Sources<'a> {
        Sources {
            files,
            ready: files.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    fn get(&self, file: usize) -> Arc<Source> {
        let source = self.ready[file].get_or_init(|| {
            let file = &self.files[file];
            Arc::new(named_source(&file.name, &file.text))
        });
        Arc::clone(source)
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
    /// Where each line of `text` starts. Masking and escaping leave a line feed as the only
    /// line end (a lone carriage return is escaped), so these are miette's lines too.
    line_starts: Vec<usize>,
    original: String,
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette reads a span by walking the text from its first byte, which makes a file
        // with many problems quadratic; it is given the text from a few lines above the span
        // instead, and its answer moved back to where that text starts.
        let line = self
            .line_starts
            .partition_point(|start| *start <= span.offset())
            .saturating_sub(1);
        let first_line = line.saturating_sub(context_lines_before + 1);
        let from = self.line_starts.get(first_line).copied().unwrap_or(0);
        let shifted = SourceSpan::new((span.offset() - from).into(), span.len());
        let inner =
            self.text[from..].read_span(&shifted, context_lines_before, context_lines_after)?;
        let inner_span = SourceSpan::new((inner.span().offset() + from).into(), inner.span().len());
        let start = floor_char_boundary(&self.original, inner_span.offset());
        let line_start = self.original[..start]
            .rfind('\n')
            .map_or(0, |newline| newline + 1);
        let column = self.original[line_start..start].chars().count();
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            inner_span,
            inner.line() + first_line,
            column,
            inner.line_count() + first_line,
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
    source: Arc<Source>,
    related: Vec<Note>,
}

/// A problem in `lang` with the source it points into, ready for miette.
fn located(sources: &Sources<'_>, problem: &Problem, lang: Lang) -> Located {
    Located {
        inner: problem.message(lang),
        source: sources.get(problem.file),
        related: problem
            .related
            .iter()
            .map(|related| Note::new(sources, related, lang))
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
        Some(&*self.source)
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
    source: Arc<Source>,
}

impl Note {
    fn new(sources: &Sources<'_>, related: &Related, lang: Lang) -> Note {
        Note {
            message: terminal::safe(&related.message.render(lang)).into_owned(),
            label: LabeledSpan::new_with_span(
                Some(lang.word("label.here").to_string()),
                related.span,
            ),
            source: sources.get(related.file),
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
        Some(&*self.source)
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

#[cfg(test)]
mod tests {
    use miette::{SourceCode, SourceSpan};

    use super::named_source;

    #[test]
    fn a_span_is_read_as_miette_reads_it_from_the_whole_text() {
        let text = "专项 a {\r\n  标题 \"一\"\n\n  类别 b \"二\" {\r\n    表现 c \"三\" 匹配 \"开会\"\n  }\n}";
        let source = named_source("a.scheme", text);
        assert_eq!(source.text, text, "nothing here to mask or escape");
        for offset in 0..=text.len() {
            for len in [0, 1, 7, 40] {
                for context in 0..4 {
                    let span = SourceSpan::new(offset.into(), len);
                    let whole = text.read_span(&span, context, context);
                    let read = source.read_span(&span, context, context);
                    let (Ok(whole), Ok(read)) = (whole, read) else {
                        assert!(
                            text.read_span(&span, context, context).is_err()
                                && source.read_span(&span, context, context).is_err(),
                            "{offset} {len} {context}"
                        );
                        continue;
                    };
                    let at = format!("offset {offset}, length {len}, context {context}");
                    assert_eq!(whole.data(), read.data(), "{at}");
                    assert_eq!(whole.span(), read.span(), "{at}");
                    assert_eq!(whole.line(), read.line(), "{at}");
                    assert_eq!(whole.line_count(), read.line_count(), "{at}");
                }
            }
        }
    }
}
