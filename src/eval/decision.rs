//! What the evaluator decides for one tip and one campaign, in the shape it is written out.
//!
//! A decision borrows what it names from the model (ids, titles, reasons, department names)
//! and its evidence from the tip, so deciding copies no text.

use chrono::NaiveDate;

use super::json::{Json, Object};
use crate::lang::{Lang, Text};
use crate::model::{Level, Region};

/// The decision of one campaign on one tip.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'a> {
    /// The campaign's id.
    pub campaign: &'a str,
    /// What happens to the tip.
    pub outcome: Outcome<'a>,
    /// Why each rule did or did not fire, when asked for.
    pub explain: Vec<Explanation>,
    /// The language of the reasons a person reads.
    pub lang: Lang,
}

/// The five outcomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a> {
    /// Received outside every window of the campaign.
    OutOfWindow {
        /// The campaign's windows.
        windows: &'a [crate::model::Window],
    },
    /// About a subject the campaign does not accept.
    OutOfScope {
        /// Which property is outside the scope.
        reason: ScopeReason<'a>,
    },
    /// Excluded by a clause (不予受理).
    Excluded {
        /// The clause's id.
        exclusion: &'a str,
        /// Its official reason, verbatim.
        reason: &'a str,
        /// The earlier tip this one repeats, for a duplicate clause.
        repeats: Option<Repeat>,
    },
    /// Accepted: what matched, who handles it, how urgently, by when.
    Accepted {
        /// Matched areas with their categories and symptoms.
        matches: Vec<AreaMatch<'a>>,
        /// Responsible departments, lead first.
        departments: Vec<Assigned<'a>>,
        /// `high`, `normal` or `low`.
        priority: &'static str,
        /// Due dates.
        due: Due,
        /// Recurring duties the campaign sets, with the next date each is due.
        duties: Vec<DutyDue<'a>>,
    },
    /// In window and scope, not excluded, and nothing in the taxonomy matched.
    NoMatch {
        /// The categories the tip is most like, for a person to look at; never a decision.
        suggestions: Vec<Suggestion<'a, 'a>>,
    },
}

/// A category a tip that nothing matched is most like.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion<'m, 't> {
    /// The category's area.
    pub area: &'m str,
    /// The category's id.
    pub category: &'m str,
    /// Its official wording.
    pub title: &'m str,
    /// How alike, by BM25 over character bigrams; comparable within one tip only.
    pub score: f64,
    /// Phrases of the tip that the category's wording or rules share, as the tip has them.
    pub shared: Vec<&'t str>,
}

/// Which property of the subject is outside a campaign's scope, and what the scope accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum ScopeReason<'a> {
    /// The subject's kind.
    Kind {
        /// The kind the tip gives.
        kind: &'a str,
        /// The kinds the campaign accepts.
        accepted: &'a [String],
    },
    /// The subject's administrative level.
    Level {
        /// The level the tip gives.
        level: Level,
        /// As the record wrote it, when it did.
        written: Option<&'a str>,
        /// The levels the campaign accepts.
        accepted: &'a [Level],
    },
    /// Where the subject is.
    Region {
        /// The division code the tip gives.
        region: &'a Region,
        /// The divisions the campaign covers.
        accepted: &'a [Region],
    },
}

impl ScopeReason<'_> {
    /// The reason for a person: what the tip says, quoted as the record wrote it, and what the
    /// campaign accepts.
    pub fn text(&self) -> Text {
        let joined = |items: Vec<&str>| items.join("、");
        match self {
            ScopeReason::Kind { kind, accepted } => Text::new("reason.scope_kind")
                .with("kind", *kind)
                .with("accepted", accepted.join("、")),
            ScopeReason::Level {
                level,
                written,
                accepted,
            } => Text::new("reason.scope_level")
                .with("level", written.unwrap_or(level.name()))
                .with(
                    "accepted",
                    joined(accepted.iter().map(|l| l.name()).collect()),
                ),
            ScopeReason::Region { region, accepted } => Text::new("reason.scope_region")
                .with("region", region.code())
                .with(
                    "accepted",
                    joined(accepted.iter().map(|r| r.code()).collect()),
                ),
        }
    }

    /// The reason in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.text().render(lang)
    }
}

impl Outcome<'_> {
    /// Every outcome's name, in the order summaries count them.
    pub const NAMES: [&'static str; 5] = [
        "accepted",
        "excluded",
        "no_match",
        "out_of_scope",
        "out_of_window",
    ];

    /// The outcome's name as written out.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::OutOfWindow { .. } => "out_of_window",
            Outcome::OutOfScope { .. } => "out_of_scope",
            Outcome::Excluded { .. } => "excluded",
            Outcome::Accepted { .. } => "accepted",
            Outcome::NoMatch { .. } => "no_match",
        }
    }

    /// Of the categories an accepted tip matched, the one its evidence covers most of the
    /// text for (ties go to the one written first); `None` for any other outcome.
    pub fn top_category(&self) -> Option<&CategoryMatch<'_>> {
        let Outcome::Accepted { matches, .. } = self else {
            return None;
        };
        let covered = |category: &CategoryMatch| {
            let mut spans: Vec<(usize, usize)> = category
                .symptoms
                .iter()
                .flat_map(|s| s.evidence.iter().map(|e| (e.start, e.end)))
                .collect();
            spans.sort_unstable();
            let (mut total, mut reach) = (0, 0);
            for (start, end) in spans {
                let from = start.max(reach);
                if end > from {
                    total += end - from;
                }
                reach = reach.max(end);
            }
            total
        };
        let mut best: Option<(&CategoryMatch, usize)> = None;
        for category in matches.iter().flat_map(|a| &a.categories) {
            let size = covered(category);
            if best.is_none_or(|(_, top)| size > top) {
                best = Some((category, size));
            }
        }
        best.map(|(category, _)| category)
    }
}

/// An earlier tip that a tip may repeat: how similar its text is, and what else it shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// Its id.
    pub tip: String,
    /// The day it was received.
    pub received: NaiveDate,
    /// Similarity of the two texts, from 0 to 1; conditions compare it as it is, the output
    /// shows two decimals.
    pub similarity: f64,
    /// Whether it came from the history file rather than the same input.
    pub history: bool,
    /// Whether both name the same subject (for `同一对象`).
    pub same_subject: bool,
    /// Whether both come from the same real-name reporter (for `同一举报人`).
    pub same_reporter: bool,
}

/// A matched area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaMatch<'a> {
    /// The area's id.
    pub area: &'a str,
    /// Its matched categories.
    pub categories: Vec<CategoryMatch<'a>>,
}

/// A matched category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryMatch<'a> {
    /// The category's id.
    pub category: &'a str,
    /// Its official wording.
    pub title: &'a str,
    /// The symptoms that matched.
    pub symptoms: Vec<SymptomMatch<'a>>,
}

/// A matched symptom and the text that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SymptomMatch<'a> {
    /// The symptom's id.
    pub symptom: &'a str,
    /// Where the tip shows it.
    pub evidence: Vec<Evidence<'a>>,
}

/// A stretch of the original tip text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence<'a> {
    /// First character, counted in characters from 0.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The text as it stands in the tip.
    pub text: &'a str,
    /// For an approximate phrase, how similar the stretch is to it.
    pub similarity: Option<Similarity>,
}

/// A similarity from 0 to 1 in hundredths, written as a number such as `0.83`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Similarity(pub u8);

impl Similarity {
    /// `1 - edits / length`, rounded to hundredths.
    pub(crate) fn of_edits(edits: usize, length: usize) -> Similarity {
        let kept = length.saturating_sub(edits) as f64 / length.max(1) as f64;
        Similarity((kept * 100.0).round() as u8)
    }

    /// As a fraction.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

/// A responsible department.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned<'a> {
    /// Its id in the scheme.
    pub id: &'a str,
    /// Its official name.
    pub name: &'a str,
    /// `lead` (牵头) or `with` (配合).
    pub role: &'static str,
}

/// Due dates of an accepted tip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Due {
    /// When handling must be done.
    pub handle: Option<NaiveDate>,
    /// When the reporter must be answered.
    pub reply: Option<NaiveDate>,
    /// Why the dates are provisional, when a count ran into a year without a holiday schedule.
    pub provisional: Option<String>,
}

/// A recurring duty and its next due date.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyDue<'a> {
    /// The duty's id.
    pub duty: &'a str,
    /// What is reported.
    pub title: &'a str,
    /// The department it goes to.
    pub to: &'a str,
    /// The first due date on or after the tip was received.
    pub next: NaiveDate,
}

/// Why one rule did or did not fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The rule: `window`, `scope`, `exclusion ID` or `symptom ID`.
    pub rule: String,
    /// Whether it fired (for window and scope: whether the tip passed).
    pub fired: bool,
    /// What was looked at.
    pub why: String,
}

impl Json for Decision<'_> {
    fn write(&self, out: &mut String) {
        let mut map = Object::new(out);
        map.field("campaign", self.campaign)
            .field("outcome", self.outcome.name());
        match &self.outcome {
            Outcome::OutOfWindow { windows } => {
                map.field("windows", *windows);
            }
            Outcome::OutOfScope { reason } => {
                map.field("reason", &reason.render(self.lang));
            }
            Outcome::Excluded {
                exclusion,
                reason,
                repeats,
            } => {
                map.field("exclusion", exclusion)
                    .field("reason", reason)
                    .field_some("repeats", repeats.as_ref());
            }
            Outcome::Accepted {
                matches,
                departments,
                priority,
                due,
                duties,
            } => {
                map.field("matches", matches)
                    .field("departments", departments)
                    .field("priority", priority)
                    .field("due", due);
                if !duties.is_empty() {
                    map.field("duties", duties);
                }
            }
            Outcome::NoMatch { suggestions } => {
                if !suggestions.is_empty() {
                    map.field("suggestions", suggestions);
                }
            }
        }
        if !self.explain.is_empty() {
            map.field("explain", &self.explain);
        }
        map.end();
    }
}

impl Json for crate::model::Window {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("start", &self.start)
            .field("end", &self.end)
            .end();
    }
}

impl Json for Suggestion<'_, '_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("area", self.area)
            .field("category", self.category)
            .field("title", self.title)
            .field("score", &self.score)
            .field("shared", &self.shared)
            .end();
    }
}

impl Json for Repeat {
    fn write(&self, out: &mut String) {
        let mut map = Object::new(out);
        map.field("tip", &self.tip)
            .field("received", &self.received)
            .field("similarity", &((self.similarity * 100.0).round() / 100.0));
        if self.history {
            map.field("history", &true);
        }
        map.end();
    }
}

impl Json for AreaMatch<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("area", self.area)
            .field("categories", &self.categories)
            .end();
    }
}

impl Json for CategoryMatch<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("category", self.category)
            .field("title", self.title)
            .field("symptoms", &self.symptoms)
            .end();
    }
}

impl Json for SymptomMatch<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("symptom", self.symptom)
            .field("evidence", &self.evidence)
            .end();
    }
}

impl Json for Evidence<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("text", self.text)
            .field_some(
                "similarity",
                self.similarity.map(Similarity::value).as_ref(),
            )
            .end();
    }
}

impl Json for Assigned<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("id", self.id)
            .field("name", self.name)
            .field("role", self.role)
            .end();
    }
}

impl Json for Due {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field_some("handle", self.handle.as_ref())
            .field_some("reply", self.reply.as_ref())
            .field_some("provisional", self.provisional.as_ref())
            .end();
    }
}

impl Json for DutyDue<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("duty", self.duty)
            .field("title", self.title)
            .field("to", self.to)
            .field("next", &self.next)
            .end();
    }
}

impl Json for Explanation {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("rule", &self.rule)
            .field("fired", &self.fired)
            .field("why", &self.why)
            .end();
    }
}

#[cfg(test)]
mod tests {
    use super::ScopeReason;
    use crate::model::Level;

    #[test]
    fn a_level_reason_quotes_the_level_as_the_record_wrote_it() {
        let accepted = [Level::County, Level::Township];
        let written = ScopeReason::Level {
            level: Level::Prefecture,
            written: Some("市級"),
            accepted: &accepted,
        };
        assert_eq!(
            written.render(crate::lang::Lang::En),
            "the subject is at 市級 level; the campaign accepts 县级、乡级"
        );
        let unwritten = ScopeReason::Level {
            level: Level::Prefecture,
            written: None,
            accepted: &accepted,
        };
        assert!(
            unwritten
                .render(crate::lang::Lang::En)
                .starts_with("the subject is at 市级 level")
        );
    }
}
