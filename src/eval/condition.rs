//! Conditions over a tip: exclusion clauses, priority and deadline rules.

use std::cmp::Ordering;

use super::decision::Repeat;
use super::matching::TextView;
use super::tip::Tip;
use crate::model::{CompareOp, Condition, Operand, Path, Value};
use crate::text::normalize;

/// What a condition can look at.
pub(crate) struct Facts<'a, 't> {
    pub tip: &'t Tip,
    pub text: &'a TextView<'a, 't>,
    pub repeat: Option<&'a Repeat>,
}

impl Facts<'_, '_> {
    pub(crate) fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::Const(value) => *value,
            Condition::And(parts) => parts.iter().all(|p| self.holds(p)),
            Condition::Or(parts) => parts.iter().any(|p| self.holds(p)),
            Condition::Not(inner) => !self.holds(inner),
            Condition::Mentions(rule) => self.text.matches(rule),
            Condition::Duplicate(threshold) => {
                self.repeat.is_some_and(|r| r.similarity >= *threshold)
            }
            Condition::Missing(path) => match self.text(path) {
                Some(text) => text.is_none_or(|text| text.trim().is_empty()),
                None => match self.value(path) {
                    None => true,
                    Some(Value::Text(text)) => text.trim().is_empty(),
                    Some(_) => false,
                },
            },
            Condition::Flag(path) => matches!(self.value(path), Some(Value::Bool(true))),
            Condition::Compare(operand, op, expected) => {
                let Some(actual) = self.operand(operand) else {
                    // A blank field satisfies no comparison but "is not equal to".
                    return *op == CompareOp::Ne;
                };
                match compare(&actual, expected) {
                    Some(ordering) => match op {
                        CompareOp::Eq => ordering == Ordering::Equal,
                        CompareOp::Ne => ordering != Ordering::Equal,
                        CompareOp::Lt => ordering == Ordering::Less,
                        CompareOp::Le => ordering != Ordering::Greater,
                        CompareOp::Gt => ordering == Ordering::Greater,
                        CompareOp::Ge => ordering != Ordering::Less,
                    },
                    None => *op == CompareOp::Ne,
                }
            }
            Condition::In(operand, values) => {
                let Some(actual) = self.operand(operand) else {
                    return false;
                };
                values.iter().any(|expected| match (&actual, expected) {
                    (Value::Region(region), Value::Region(within)) => within.contains(region),
                    _ => compare(&actual, expected) == Some(Ordering::Equal),
                })
            }
        }
    }

    fn operand(&self, operand: &Operand) -> Option<Value> {
        match operand {
            Operand::Path(path) => self.value(path),
            Operand::Length(path) => {
                let length = match self.text(path) {
                    Some(text) => text.map_or(0, |text| text.trim().chars().count()),
                    None => match self.value(path) {
                        Some(Value::Text(text)) => text.trim().chars().count(),
                        _ => 0,
                    },
                };
                Some(Value::Number(length as f64))
            }
        }
    }

    /// The text at `path` without copying it, for the paths that hold the tip's own text;
    /// `None` for every other path.
    fn text(&self, path: &Path) -> Option<Option<&str>> {
        let tip = self.tip;
        match path {
            Path::Text => Some(Some(&tip.text)),
            Path::SubjectName => Some(tip.subject.name.as_deref()),
            Path::SubjectKind => Some(tip.subject.kind.as_deref()),
            _ => None,
        }
    }

    fn value(&self, path: &Path) -> Option<Value> {
        let tip = self.tip;
        match path {
            Path::Text => Some(Value::Text(tip.text.clone())),
            Path::Received => Some(Value::Date(tip.received)),
            Path::Channel => tip.channel.map(Value::Channel),
            Path::RealName => Some(Value::Bool(tip.real_name())),
            Path::SubjectName => tip.subject.name.clone().map(Value::Text),
            Path::SubjectKind => tip.subject.kind.clone().map(Value::Text),
            Path::SubjectLevel => tip.subject.level.map(Value::Level),
            Path::SubjectRegion => tip.subject.region.clone().map(Value::Region),
            Path::Field(id) => tip.field(id).cloned(),
        }
    }
}

fn compare(actual: &Value, expected: &Value) -> Option<Ordering> {
    match (actual, expected) {
        // Text compares in normal form, as matching does: 黨員幹部 is 党员干部.
        (Value::Text(a), Value::Text(b)) => Some(normalize(a).cmp(&normalize(b))),
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Level(a), Value::Level(b)) => Some(a.cmp(b)),
        (Value::Channel(a), Value::Channel(b)) => Some(a.cmp(b)),
        (Value::Region(a), Value::Region(b)) => Some(a.code().cmp(b.code())),
        _ => None,
    }
}

/// A condition written back out with its parts marked, for `--explain`.
pub(crate) fn explain(facts: &Facts, condition: &Condition) -> String {
    let mark = |holds: bool| if holds { "✓" } else { "✗" };
    match condition {
        Condition::Const(value) => value.to_string(),
        Condition::And(parts) | Condition::Or(parts) => {
            let joiner = if matches!(condition, Condition::And(_)) {
                " and "
            } else {
                " or "
            };
            let inner: Vec<String> = parts.iter().map(|p| explain(facts, p)).collect();
            format!("({})", inner.join(joiner))
        }
        Condition::Not(inner) => format!("not {}", explain(facts, inner)),
        Condition::Mentions(rule) => format!("mentions {}", facts.text.explain(rule)),
        Condition::Duplicate(threshold) => match facts.repeat {
            Some(repeat) => format!(
                "duplicate ≥ {threshold}: repeats `{}` at {:.2} {}",
                repeat.tip,
                repeat.similarity,
                mark(facts.holds(condition))
            ),
            None => format!("duplicate ≥ {threshold}: no earlier similar tip ✗"),
        },
        other => format!("{} {}", describe(facts, other), mark(facts.holds(other))),
    }
}

fn describe(facts: &Facts, condition: &Condition) -> String {
    let show = |operand: &Operand| match facts.operand(operand) {
        None => "blank".to_string(),
        Some(Value::Text(text)) if text.chars().count() > 20 => {
            format!("\"{}…\"", text.chars().take(20).collect::<String>())
        }
        Some(value) => show_value(&value),
    };
    match condition {
        Condition::Missing(path) => format!(
            "missing {} (is {})",
            path.name(),
            show(&Operand::Path(path.clone()))
        ),
        Condition::Flag(path) => format!(
            "{} (is {})",
            path.name(),
            show(&Operand::Path(path.clone()))
        ),
        Condition::Compare(operand, op, value) => {
            format!(
                "{} {op:?} {} (is {})",
                operand_name(operand),
                show_value(value),
                show(operand)
            )
        }
        Condition::In(operand, values) => {
            let list: Vec<String> = values.iter().map(show_value).collect();
            format!(
                "{} in [{}] (is {})",
                operand_name(operand),
                list.join(", "),
                show(operand)
            )
        }
        _ => String::new(),
    }
}

fn operand_name(operand: &Operand) -> String {
    match operand {
        Operand::Path(path) => path.name().to_string(),
        Operand::Length(path) => format!("length({})", path.name()),
    }
}

fn show_value(value: &Value) -> String {
    match value {
        Value::Text(text) => format!("\"{text}\""),
        Value::Number(n) => n.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Level(l) => l.name().to_string(),
        Value::Channel(c) => c.name().to_string(),
        Value::Region(r) => r.code().to_string(),
    }
}
