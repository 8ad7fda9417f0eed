//! Running a scheme's examples through the evaluator and comparing outcomes (`rectify test`).
//!
//! Each campaign's examples run in file order as a stream of tips against that campaign, so an
//! example can repeat an earlier one to exercise a duplicate clause. An example passes when the
//! campaign's outcome is the expected one and, for an accepted tip, the matched categories are
//! exactly those expected.

use miette::Diagnostic;
use thiserror::Error;

use crate::eval::{DuplicateIndex, Evaluator, Outcome, Prepared, Repeat, Signature, Subject, Tip};
use crate::model::{Example, Expected, Model};
use crate::syntax::Span;

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    /// The campaign's id.
    pub campaign: String,
    /// The file the campaign is in.
    pub file: usize,
    /// The example's name.
    pub name: String,
    /// The example block.
    pub span: Span,
    /// Its expected outcome.
    pub expect_span: Span,
    /// The expected outcome, in words.
    pub expected: String,
    /// The actual outcome, in words.
    pub actual: String,
    /// More about the actual outcome, shown on failure but not compared.
    pub detail: Option<String>,
}

impl ExampleResult {
    /// Whether the outcome was the expected one.
    pub fn passed(&self) -> bool {
        self.expected == self.actual
    }

    /// The failure as a diagnostic pointing at the example.
    pub fn failure(&self) -> ExampleFailed {
        ExampleFailed {
            name: self.name.clone(),
            campaign: self.campaign.clone(),
            at: self.span,
            expect_at: self.expect_span,
            actual: self.actual.clone(),
            comparison: match &self.detail {
                Some(detail) => format!(
                    "expected: {}\n  actual: {} ({detail})",
                    self.expected, self.actual
                ),
                None => format!("expected: {}\n  actual: {}", self.expected, self.actual),
            },
        }
    }
}

/// An example whose outcome is not the expected one.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("example `{name}` of campaign `{campaign}` failed")]
#[diagnostic(code(rectify::test::example_failed))]
pub struct ExampleFailed {
    name: String,
    campaign: String,
    #[label("this example")]
    at: Span,
    #[label("the outcome is `{actual}`")]
    expect_at: Span,
    actual: String,
    #[help]
    comparison: String,
}

/// Runs every example of every campaign whose name or campaign id contains `filter`.
pub fn run_examples(model: &Model, filter: Option<&str>) -> Vec<ExampleResult> {
    let evaluator = Evaluator::new(model);
    let threshold = evaluator.duplicate_threshold();
    let mut results = Vec::new();
    let mut prepared = Prepared::default();
    for (index, campaign) in model.campaigns.iter().enumerate() {
        // Earlier examples are remembered even when filtered out: a later one may repeat them.
        let mut seen = DuplicateIndex::new();
        for example in &campaign.examples {
            let tip = tip(example);
            evaluator.prepare(&tip.text, &mut prepared);
            let repeat: Option<Repeat> = threshold.and_then(|threshold| {
                seen.find_and_insert(
                    &example.name,
                    Signature::of(prepared.normalized()),
                    threshold,
                    false,
                )
            });
            let selected =
                filter.is_none_or(|f| example.name.contains(f) || campaign.id.contains(f));
            if !selected {
                continue;
            }
            let decisions = evaluator.decide(&tip, &prepared, repeat.as_ref(), false);
            let outcome = &decisions[index].outcome;
            results.push(ExampleResult {
                campaign: campaign.id.clone(),
                file: campaign.file,
                name: example.name.clone(),
                span: example.span,
                expect_span: example.expect_span,
                expected: expected_words(&example.expect),
                actual: actual_words(outcome),
                detail: detail(outcome),
            });
        }
    }
    results
}

fn tip(example: &Example) -> Tip {
    Tip {
        id: example.name.clone(),
        text: example.text.clone(),
        received: example.received,
        channel: example.channel,
        reporter: example
            .reporter
            .as_ref()
            .map(|name| crate::eval::Reporter::new(name.clone(), None)),
        subject: Subject {
            name: example.subject_name.clone(),
            kind: example.subject_kind.clone(),
            level: example.subject_level,
            level_written: None,
            region: example.subject_region.clone(),
        },
        fields: example.fields.clone(),
    }
}

fn expected_words(expected: &Expected) -> String {
    match expected {
        Expected::Accepted(categories) => {
            let mut sorted = categories.clone();
            sorted.sort();
            sorted.dedup();
            format!("accepted {}", sorted.join(", "))
        }
        Expected::Excluded(id) => format!("excluded by {id}"),
        Expected::OutOfWindow => "out_of_window".to_string(),
        Expected::OutOfScope => "out_of_scope".to_string(),
        Expected::NoMatch => "no_match".to_string(),
    }
}

fn actual_words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Accepted { matches, .. } => {
            let mut categories: Vec<&str> = matches
                .iter()
                .flat_map(|a| &a.categories)
                .map(|c| c.category)
                .collect();
            categories.sort();
            format!("accepted {}", categories.join(", "))
        }
        Outcome::Excluded { exclusion, .. } => format!("excluded by {exclusion}"),
        Outcome::OutOfWindow { .. } => "out_of_window".to_string(),
        Outcome::OutOfScope { .. } => "out_of_scope".to_string(),
        Outcome::NoMatch { .. } => "no_match".to_string(),
    }
}

fn detail(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::OutOfScope { reason } => Some(reason.to_string()),
        Outcome::OutOfWindow { windows } => Some(
            windows
                .iter()
                .map(|w| format!("window {} to {}", w.start, w.end))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Outcome::Excluded {
            repeats: Some(repeat),
            ..
        } => Some(format!(
            "repeats example `{}` at similarity {:.2}",
            repeat.tip, repeat.similarity
        )),
        _ => None,
    }
}
