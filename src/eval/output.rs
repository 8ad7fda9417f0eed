//! Decided and malformed records as JSON Lines: the one writer of the reporter's identity.
//!
//! A decided record carries the tip's id, its received date, whether it was real-name, and one
//! decision per campaign. The reporter's name and contact are written here, and only here, and
//! only under [`Disclosure::IncludeReporter`]: nothing else in the program can read them.

use super::decision::Decision;
use super::json::{Json, Object};
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

struct Disclosed<'a> {
    name: &'a str,
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
    let mut text = String::with_capacity(256 + 512 * decisions.len());
    {
        let mut map = Object::new(&mut text);
        map.field("line", &line)
            .field("tip", tip.id.as_str())
            .field("received", &tip.received)
            .field("real_name", &tip.real_name());
        if let (Disclosure::IncludeReporter, Some(reporter)) = (disclosure, &tip.reporter) {
            map.field("reporter", &Disclosed::of(reporter));
        }
        map.field("decisions", decisions).end();
    }
    text.push('\n');
    text
}

impl Json for Disclosed<'_> {
    fn write(&self, out: &mut String) {
        Object::new(out)
            .field("name", self.name)
            .field_some("contact", self.contact.as_ref())
            .end();
    }
}

/// The JSON line, with its line feed, of a malformed record, its message in `lang`.
pub fn error_line(error: &RecordError, lang: Lang) -> String {
    let mut text = String::with_capacity(256);
    Object::new(&mut text)
        .field("line", &error.line)
        .field_some("sheet", error.sheet.as_deref())
        .field_some("cell", error.cell_reference().as_ref())
        .field_some("tip", error.id.as_deref())
        .field_some("column", error.column.as_ref())
        .field("error", &error.message.render(lang))
        .end();
    text.push('\n');
    text
}
