//! Running a scheme's examples through the evaluator and comparing outcomes (`rectify test`).
//!
//! Each campaign's examples run in file order as a stream of tips against that campaign, so an
//! example can repeat an earlier one to exercise a duplicate clause. An example passes when the
//! campaign's outcome is the expected one and, for an accepted tip, the matched categories are
//! exactly those expected.

use miette::Severity;
use serde::Serialize;

use crate::eval::{DuplicateIndex, Evaluator, Outcome, Prepared, Repeat, Seen, Subject, Tip};
use crate::lang::{Lang, Message, Text};
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
    /// The expected outcome, to be put into words.
    pub expected: Text,
    /// The actual outcome, to be put into words.
    pub actual: Text,
    /// More about the actual outcome, shown on failure but not compared.
    pub detail: Option<Text>,
}

impl ExampleResult {
    /// Whether the outcome was the expected one.
    pub fn passed(&self) -> bool {
        self.expected == self.actual
    }

    /// The failure as a diagnostic pointing at the example.
    pub fn failure(&self) -> ExampleFailed {
        ExampleFailed::ExampleFailed {
            name: self.name.clone(),
            campaign: self.campaign.clone(),
            at: self.span,
            expect_at: self.expect_span,
            actual: self.actual.clone(),
            help: match &self.detail {
                Some(detail) => Text::new("test.comparison_detail")
                    .with("expected", self.expected.clone())
                    .with("actual", self.actual.clone())
                    .with("detail", detail.clone()),
                None => Text::new("test.comparison")
                    .with("expected", self.expected.clone())
                    .with("actual", self.actual.clone()),
            },
        }
    }
}

/// An example whose outcome is not the expected one; its words are in the catalogues under
/// `test.example_failed`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleFailed {
    /// The one problem `rectify test` reports.
    #[allow(missing_docs)]
    ExampleFailed {
        name: String,
        campaign: String,
        at: Span,
        expect_at: Span,
        actual: Text,
        help: Text,
    },
}

impl ExampleFailed {
    /// The failure in words, in `lang`.
    pub fn message(&self, lang: Lang) -> Message {
        crate::lang::localize(self, "test", Severity::Error, lang)
    }
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
            evaluator.prepare(&tip, &mut prepared);
            let repeats: Vec<Repeat> = match (threshold, prepared.take_signature()) {
                (Some(threshold), Some(signature)) => seen.find_and_insert(
                    &Seen {
                        id: &example.name,
                        ..Seen::of(&tip)
                    },
                    signature,
                    threshold,
                    false,
                ),
                _ => Vec::new(),
            };
            let selected =
                filter.is_none_or(|f| example.name.contains(f) || campaign.id.contains(f));
            if !selected {
                continue;
            }
            let decisions = evaluator.decide(&tip, &prepared, &repeats, false);
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

fn expected_words(expected: &Expected) -> Text {
    match expected {
        Expected::Accepted(categories) => {
            let mut sorted = categories.clone();
            sorted.sort();
            sorted.dedup();
            Text::new("outcome.accepted_in").with("categories", sorted.join(", "))
        }
        Expected::Excluded(id) => Text::new("outcome.excluded_by").with("exclusion", id),
        Expected::OutOfWindow => Text::new("outcome.out_of_window"),
        Expected::OutOfScope => Text::new("outcome.out_of_scope"),
        Expected::NoMatch => Text::new("outcome.no_match"),
    }
}

fn actual_words(outcome: &Outcome) -> Text {
    match outcome {
        Outcome::Accepted { matches, .. } => {
            let mut categories: Vec<&str> = matches
                .iter()
                .flat_map(|a| &a.categories)
                .map(|c| c.category)
                .collect();
            categories.sort();
            Text::new("outcome.accepted_in").with("categories", categories.join(", "))
        }
        Outcome::Excluded { exclusion, .. } => {
            Text::new("outcome.excluded_by").with("exclusion", *exclusion)
        }
        Outcome::OutOfWindow { .. } => Text::new("outcome.out_of_window"),
        Outcome::OutOfScope { .. } => Text::new("outcome.out_of_scope"),
        Outcome::NoMatch { .. } => Text::new("outcome.no_match"),
    }
}

fn detail(outcome: &Outcome) -> Option<Text> {
    match outcome {
        Outcome::OutOfScope { reason } => Some(reason.text()),
        Outcome::OutOfWindow { windows } => Some(
            Text::new("test.windows").with(
                "windows",
                windows
                    .iter()
                    .map(|w| format!("{} – {}", w.start, w.end))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        Outcome::Excluded {
            repeats: Some(repeat),
            ..
        } => Some(
            Text::new("test.repeats")
                .with("example", &repeat.tip)
                .with("similarity", format!("{:.2}", repeat.similarity)),
        ),
        _ => None,
    }
}
