//! Stage two of the pipeline: syntax trees → the compiled [`Model`], or diagnostics.
//!
//! The checker resolves names, types conditions, validates dates, codes and regular
//! expressions, analyses match rules, and compares concurrent campaigns. It reports every
//! problem of every file in one run, sorted by file and position, and hands out a model only
//! when no error was found. It knows nothing of tips or decisions: `eval` comes after it.

mod across;
mod calendar;
mod campaign;
mod condition;
mod diagnostic;
mod json;
mod names;
mod rules;
mod vocabulary;

use miette::Severity;

pub use calendar::{
    BUILT_IN as BUILT_IN_CALENDAR, built_in as built_in_calendar,
    lower_built_in as lower_built_in_calendar,
};
pub(crate) use condition::{builtin_names, builtin_path as builtin_path_name};
pub use diagnostic::CheckError;
pub(crate) use json::line_column;
pub use json::problems_json;

use crate::lang::{Lang, Message, Text};
use crate::model::Model;
use crate::syntax::{self, ParseError, Span};

/// A scheme file's name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name diagnostics show, usually the path.
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// One problem, in one file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Index of the file in the slice given to [`check`].
    pub file: usize,
    /// What is wrong.
    pub error: ProblemKind,
    /// A place in another file that the problem involves (the first declaration of a
    /// campaign id declared again, the other campaign of a route conflict).
    pub related: Option<Related>,
}

/// A problem found while parsing or while checking.
#[derive(Debug, Clone)]
pub enum ProblemKind {
    /// The file could not be read.
    Parse(ParseError),
    /// The file was read and something in it is wrong.
    Check(CheckError),
}

/// A labelled place in another file.
#[derive(Debug, Clone)]
pub struct Related {
    /// Index of the file.
    pub file: usize,
    /// The place.
    pub span: Span,
    /// What is there.
    pub message: Text,
}

impl Problem {
    /// The problem in words, in `lang`.
    pub fn message(&self, lang: Lang) -> Message {
        match &self.error {
            ProblemKind::Parse(error) => error.message(lang),
            ProblemKind::Check(error) => error.message(lang),
        }
    }

    /// Whether it is an error, as opposed to a warning.
    pub fn is_error(&self) -> bool {
        match &self.error {
            ProblemKind::Parse(_) => true,
            ProblemKind::Check(error) => error.severity() == Severity::Error,
        }
    }

    fn position(&self) -> usize {
        match &self.error {
            ProblemKind::Parse(error) => error.span().start,
            ProblemKind::Check(error) => error
                .message(Lang::En)
                .labels
                .iter()
                .map(|(span, _)| span.offset())
                .min()
                .unwrap_or(0),
        }
    }
}

/// What checking found: the model when there is no error, and every problem.
#[derive(Debug)]
pub struct Checked {
    /// The compiled model; `None` when any problem is an error.
    pub model: Option<Model>,
    /// Errors and warnings, sorted by file and position.
    pub problems: Vec<Problem>,
}

/// Where the checker puts what it finds.
#[derive(Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    file: usize,
}

impl Problems {
    fn push(&mut self, error: CheckError) {
        self.list.push(Problem {
            file: self.file,
            error: ProblemKind::Check(error),
            related: None,
        });
    }

    fn push_related(&mut self, error: CheckError, related: Related) {
        self.list.push(Problem {
            file: self.file,
            error: ProblemKind::Check(error),
            related: Some(related),
        });
    }
}

/// Checks scheme files together: each on its own, then the campaigns against each other.
pub fn check(files: &[SourceFile]) -> Checked {
    let mut problems = Problems::default();
    let mut model = Model {
        calendar: calendar::built_in().clone(),
        ..Model::default()
    };
    let mut seen = calendar::seen_built_in();
    let mut declared = Vec::new();
    let mut trees = Vec::new();
    for (index, file) in files.iter().enumerate() {
        match syntax::parse(&file.text) {
            Ok(tree) => trees.push((index, tree)),
            Err(errors) => problems
                .list
                .extend(errors.into_iter().map(|error| Problem {
                    file: index,
                    error: ProblemKind::Parse(error),
                    related: None,
                })),
        }
    }
    // Vocabularies first: a campaign may use one declared in any loaded file.
    let parsed: Vec<(usize, &syntax::ast::SchemeFile)> =
        trees.iter().map(|(index, tree)| (*index, tree)).collect();
    let vocabularies = vocabulary::Vocabularies::collect(&parsed, &mut problems);
    for &(index, tree) in &parsed {
        problems.file = index;
        for decl in &tree.holidays {
            calendar::lower(
                decl,
                Some(index),
                &mut model.calendar,
                &mut seen,
                &mut problems,
            );
        }
        for decl in &tree.campaigns {
            let earlier = declared
                .iter()
                .find(|(name, _, _): &&(String, usize, Span)| *name == decl.id.name);
            if let Some((_, first_file, first_span)) = earlier {
                let error = CheckError::DuplicateId {
                    kind: Text::new("word.campaign"),
                    name: decl.id.name.clone(),
                    first: (*first_file == index).then(|| (*first_span).into()),
                    second: decl.id.span.into(),
                };
                if *first_file == index {
                    problems.push(error);
                } else {
                    let related = Related {
                        file: *first_file,
                        span: *first_span,
                        message: Text::new("related.campaign_first_declared")
                            .with("name", &decl.id.name),
                    };
                    problems.push_related(error, related);
                }
                continue;
            }
            declared.push((decl.id.name.clone(), index, decl.id.span));
            model
                .campaigns
                .push(campaign::lower(decl, index, &vocabularies, &mut problems));
        }
    }
    vocabularies.report_unused(&mut problems);
    across::check(&model, &mut problems);
    calendar::check_windows(&model, &mut problems);
    let mut list = problems.list;
    // A problem's position is found by putting its message into words: once each.
    list.sort_by_cached_key(|problem| (problem.file, problem.position()));
    let has_error = list.iter().any(Problem::is_error);
    Checked {
        model: (!has_error).then_some(model),
        problems: list,
    }
}
