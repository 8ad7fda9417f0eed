//! A tip (问题线索) as the evaluator sees it: already decoded and validated.

use std::fmt;

use chrono::NaiveDate;

use crate::model::{ChannelKind, Level, Region, Value};

/// One submitted tip.
#[derive(Debug, Clone, PartialEq)]
pub struct Tip {
    /// The record's id.
    pub id: String,
    /// What the reporter wrote.
    pub text: String,
    /// The day it was received, in China Standard Time.
    pub received: NaiveDate,
    /// How it came in.
    pub channel: Option<ChannelKind>,
    /// Who reported it; `None` for an anonymous tip. Confidential: it leaves the evaluator
    /// only when the caller asks for it.
    pub reporter: Option<Reporter>,
    /// Who or what the tip is about.
    pub subject: Subject,
    /// Values of fields that schemes declare, by field id.
    pub fields: Vec<(String, Value)>,
}

impl Tip {
    /// Whether the reporter gave a name (实名反映).
    pub fn real_name(&self) -> bool {
        self.reporter.is_some()
    }

    /// The value of a declared field.
    pub fn field(&self, id: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(name, _)| name == id)
            .map(|(_, v)| v)
    }
}

/// A real-name reporter (实名反映人), confidential (对实名反映人严格保密).
///
/// Its name and contact cannot be read, displayed or serialised outside the evaluator: `Debug`
/// prints neither, there is no `Display` or `Serialize`, and the one place that writes them is
/// [`super::output`], and only when the caller asks for it with
/// [`Disclosure::IncludeReporter`](super::Disclosure).
#[derive(Clone, PartialEq)]
pub struct Reporter {
    name: String,
    contact: Option<String>,
}

impl Reporter {
    /// A reporter with a name and, optionally, a contact (phone, address or e-mail).
    pub fn new(name: String, contact: Option<String>) -> Reporter {
        Reporter { name, contact }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn contact(&self) -> Option<&str> {
        self.contact.as_deref()
    }

    /// Feeds what makes two reporters one — name and contact in normal form — to `hasher`:
    /// the one way both the in-memory key and a store's keyed hash see a reporter.
    pub(crate) fn hash_into(&self, hasher: &mut blake3::Hasher) {
        hasher.update(crate::text::normal_form(&self.name).as_bytes());
        hasher.update(&[0]);
        if let Some(contact) = &self.contact {
            hasher.update(crate::text::normal_form(contact).as_bytes());
        }
    }
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reporter(<confidential>)")
    }
}

/// 反映对象: the body or person a tip is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    /// Name of the body or person.
    pub name: Option<String>,
    /// Kind (党政机关, 党员干部, 公职人员, …).
    pub kind: Option<String>,
    /// Administrative level.
    pub level: Option<Level>,
    /// The level as the record wrote it (区级, 區級), which reasons quote; `None` when the
    /// record left it blank or the tip is not from a record.
    pub level_written: Option<String>,
    /// Division code of where it is.
    pub region: Option<Region>,
}
