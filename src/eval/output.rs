//! Decided and malformed records as JSON Lines: the one writer of the reporter's identity.
//!
//! A decided record carries the tip's id, its received date, whether it was real-name, and one
//! decision per campaign. The reporter's name and contact are written here, and only here, and
//! only under [`Disclosure::IncludeReporter`]: nothing else in the program can read them.

use chrono::NaiveDate;
use serde::Serialize;

use super::decision::Decision;
use super::record::RecordError;
use super::tip::{Reporter, Tip};
use crate::lang::Lang;

/// Whether a decided record names the reporter of a real-name tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Disclosure {
    /// Say only whether the tip was real-name (the default: 对实名反映人严格保密).
    #[default]
    Withhold,
    /// Add the reporter's name and contact, for output that stays with the receiving office.
    IncludeReporter,
}

#[derive(Serialize)]
struct DecidedRecord<'a> {
    line: usize,
    tip: &'a str,
    #[serde(serialize_with = "super::decision::iso_date")]
    received: NaiveDate,
    real_name: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reporter: Option<Disclosed<'a>>,
    decisions: &'a [Decision<'a>],
}

#[derive(Serialize)]
struct Disclosed<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a str>,
}

impl<'a> Disclosed<'a> {
    fn of(reporter: &'a Reporter) -> Disclosed<'a> {
        Disclosed {
            name: reporter.name(),
            contact: reporter.contact(),
        }
    }
}

/// The reporter's name and contact of a real-name tip, for a table that names them: `None`
/// unless `disclosure` is [`Disclosure::IncludeReporter`].
pub fn disclosed(tip: &Tip, disclosure: Disclosure) -> Option<(&str, Option<&str>)> {
    match disclosure {
        Disclosure::IncludeReporter => tip
            .reporter
            .as_ref()
            .map(|reporter| (reporter.name(), reporter.contact())),
        Disclosure::Withhold => None,
    }
}

/// The JSON line, with its line feed, of a decided tip from input line `line`.
pub fn decided_line(
    line: usize,
    tip: &Tip,
    decisions: &[Decision],
    disclosure: Disclosure,
) -> String {
    let record = DecidedRecord {
        line,
        tip: &tip.id,
        received: tip.received,
        real_name: tip.real_name(),
        reporter: match disclosure {
            Disclosure::IncludeReporter => tip.reporter.as_ref().map(Disclosed::of),
            Disclosure::Withhold => None,
        },
        decisions,
    };
    let mut text = serde_json::to_string(&record)
        .expect("decisions hold only strings, numbers, dates and lists");
    text.push('\n');
    text
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    error: String,
}

/// The JSON line, with its line feed, of a malformed record, its message in `lang`.
pub fn error_line(error: &RecordError, lang: Lang) -> String {
    let record = ErrorRecord {
        line: error.line,
        sheet: error.sheet.as_deref(),
        cell: error.cell_reference(),
        tip: error.id.as_deref(),
        column: error.column,
        error: error.message.render(lang),
    };
    let mut text = serde_json::to_string(&record).expect("an error record holds text and numbers");
    text.push('\n');
    text
}
