//! A tip (问题线索) as the evaluator sees it: already decoded and validated.

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

/// A real-name reporter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reporter {
    /// Name.
    pub name: String,
    /// Phone, address or e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
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
    /// Division code of where it is.
    pub region: Option<Region>,
}
