//! What the evaluator decides for one tip and one campaign, in the shape it is written out.

use chrono::NaiveDate;
use serde::Serialize;

/// The decision of one campaign on one tip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The campaign's id.
    pub campaign: String,
    /// What happens to the tip.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Why each rule did or did not fire, when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<Explanation>,
}

/// The five outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Received outside every window of the campaign.
    OutOfWindow {
        /// The campaign's windows.
        windows: Vec<WindowOut>,
    },
    /// About a subject the campaign does not accept.
    OutOfScope {
        /// Which property is outside the scope, in words.
        reason: String,
    },
    /// Excluded by a clause (不予受理).
    Excluded {
        /// The clause's id.
        exclusion: String,
        /// Its official reason, verbatim.
        reason: String,
        /// The earlier tip this one repeats, for a duplicate clause.
        #[serde(skip_serializing_if = "Option::is_none")]
        repeats: Option<Repeat>,
    },
    /// Accepted: what matched, who handles it, how urgently, by when.
    Accepted {
        /// Matched areas with their categories and symptoms.
        matches: Vec<AreaMatch>,
        /// Responsible departments, lead first.
        departments: Vec<Assigned>,
        /// `high`, `normal` or `low`.
        priority: &'static str,
        /// Due dates.
        due: Due,
        /// Recurring duties the campaign sets, with the next date each is due.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        duties: Vec<DutyDue>,
    },
    /// In window and scope, not excluded, and nothing in the taxonomy matched.
    NoMatch,
}

impl Outcome {
    /// The outcome's name as written out.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::OutOfWindow { .. } => "out_of_window",
            Outcome::OutOfScope { .. } => "out_of_scope",
            Outcome::Excluded { .. } => "excluded",
            Outcome::Accepted { .. } => "accepted",
            Outcome::NoMatch => "no_match",
        }
    }
}

/// A window, as written out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowOut {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

/// The earlier tip a tip repeats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repeat {
    /// Its id.
    pub tip: String,
    /// Similarity of the two texts, from 0 to 1; conditions compare it as it is, the output
    /// shows two decimals.
    #[serde(serialize_with = "two_decimals")]
    pub similarity: f64,
    /// Whether it came from the history file rather than the same input.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

fn two_decimals<S: serde::Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((value * 100.0).round() / 100.0)
}

/// A matched area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaMatch {
    /// The area's id.
    pub area: String,
    /// Its matched categories.
    pub categories: Vec<CategoryMatch>,
}

/// A matched category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryMatch {
    /// The category's id.
    pub category: String,
    /// Its official wording.
    pub title: String,
    /// The symptoms that matched.
    pub symptoms: Vec<SymptomMatch>,
}

/// A matched symptom and the text that shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SymptomMatch {
    /// The symptom's id.
    pub symptom: String,
    /// Where the tip shows it.
    pub evidence: Vec<Evidence>,
}

/// A stretch of the original tip text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// First character, counted in characters from 0.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The text as it stands in the tip.
    pub text: String,
}

/// A responsible department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assigned {
    /// Its id in the scheme.
    pub id: String,
    /// Its official name.
    pub name: String,
    /// `lead` (牵头) or `with` (配合).
    pub role: &'static str,
}

/// Due dates of an accepted tip.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Due {
    /// When handling must be done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<NaiveDate>,
    /// When the reporter must be answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<NaiveDate>,
    /// Why the dates are provisional, when a count ran into a year without a holiday schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisional: Option<String>,
}

/// A recurring duty and its next due date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyDue {
    /// The duty's id.
    pub duty: String,
    /// What is reported.
    pub title: String,
    /// The department it goes to.
    pub to: String,
    /// The first due date on or after the tip was received.
    pub next: NaiveDate,
}

/// Why one rule did or did not fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The rule: `window`, `scope`, `exclusion ID` or `symptom ID`.
    pub rule: String,
    /// Whether it fired (for window and scope: whether the tip passed).
    pub fired: bool,
    /// What was looked at.
    pub why: String,
}
