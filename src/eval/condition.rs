//! Conditions over a tip: exclusion clauses, priority and deadline rules.

use std::cmp::Ordering;

use super::decision::Repeat;
use super::matching::TextView;
use super::tip::Tip;
use crate::lang::{Lang, Text};
use crate::model::{CompareOp, Condition, Operand, Path, RepeatRule, Value};
use crate::text::normalize;

/// What a condition can look at.
pub(crate) struct Facts<'a, 't> {
    pub tip: &'t Tip,
    pub text: &'a TextView<'a, 't>,
    /// The earlier tips it may repeat, the most similar first.
    pub repeats: &'a [Repeat],
}

impl Facts<'_, '_> {
    /// The most similar earlier tip that one of `rules` counts as the same matter.
    pub(crate) fn repeat_for(&self, rules: &[RepeatRule]) -> Option<&Repeat> {
        self.repeats
            .iter()
            .find(|repeat| rules.iter().any(|rule| self.admits(rule, repeat)))
    }

    fn admits(&self, rule: &RepeatRule, repeat: &Repeat) -> bool {
        repeat.similarity >= rule.similarity
            && (!rule.same_subject || repeat.same_subject)
            && (!rule.same_reporter || repeat.same_reporter)
            && rule.within_days.is_none_or(|days| {
                (self.tip.received - repeat.received)
                    .num_days()
                    .unsigned_abs()
                    <= u64::from(days)
            })
    }

    pub(crate) fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::Const(value) => *value,
            Condition::And(parts) => parts.iter().all(|p| self.holds(p)),
            Condition::Or(parts) => parts.iter().any(|p| self.holds(p)),
            Condition::Not(inner) => !self.holds(inner),
            Condition::Mentions(rule) => self.text.matches(rule),
            Condition::Duplicate(rule) => self.repeat_for(std::slice::from_ref(rule)).is_some(),
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
/// A condition as the scheme spells it (its campaign's keywords, Chinese or English), each
/// part with the value it looked at, in the reader's language.
pub(crate) fn explain(facts: &Facts, condition: &Condition) -> String {
    let mark = |holds: bool| if holds { "✓" } else { "✗" };
    let spelling = facts.text.campaign.keywords;
    let lang = facts.text.lang;
    let kw = |key: &'static str| spelling.word(key);
    match condition {
        Condition::Const(value) => kw(if *value { "kw.true" } else { "kw.false" }).to_string(),
        Condition::And(parts) | Condition::Or(parts) => {
            let joiner = if matches!(condition, Condition::And(_)) {
                kw("kw.and")
            } else {
                kw("kw.or")
            };
            let inner: Vec<String> = parts.iter().map(|p| explain(facts, p)).collect();
            format!("({})", inner.join(&format!(" {joiner} ")))
        }
        Condition::Not(inner) => format!("{} {}", kw("kw.not"), explain(facts, inner)),
        Condition::Mentions(rule) => {
            format!("{} {}", kw("kw.mentions"), facts.text.explain(rule))
        }
        Condition::Duplicate(rule) => {
            let mut head = format!(
                "{} {} {}",
                kw("kw.duplicate"),
                kw("kw.similarity"),
                rule.similarity
            );
            if rule.same_subject {
                head = format!("{head} {}", kw("kw.same_subject"));
            }
            if rule.same_reporter {
                head = format!("{head} {}", kw("kw.same_reporter"));
            }
            if let Some(days) = rule.within_days {
                let within = Text::new("kw.within_days").with("days", days);
                head = format!("{head} {}", within.render(spelling));
            }
            let found = match facts.repeat_for(std::slice::from_ref(rule)) {
                Some(repeat) => Text::new("explain.repeats")
                    .with("tip", &repeat.tip)
                    .with("similarity", format!("{:.2}", repeat.similarity)),
                None => Text::new("explain.no_repeat"),
            };
            format!(
                "{head}: {} {}",
                found.render(lang),
                mark(facts.holds(condition))
            )
        }
        other => format!("{} {}", describe(facts, other), mark(facts.holds(other))),
    }
}

fn describe(facts: &Facts, condition: &Condition) -> String {
    let spelling = facts.text.campaign.keywords;
    let lang = facts.text.lang;
    let show = |operand: &Operand| {
        // A level is quoted as the record wrote it (区级), not as the model names it (县级).
        let written = match operand {
            Operand::Path(Path::SubjectLevel) => facts.tip.subject.level_written.as_deref(),
            _ => None,
        };
        let value = match (facts.operand(operand), written) {
            (Some(Value::Level(_)), Some(written)) => written.to_string(),
            (None, _) => lang.word("explain.blank").to_string(),
            (Some(Value::Text(text)), _) if text.chars().count() > 20 => {
                format!("\"{}…\"", text.chars().take(20).collect::<String>())
            }
            (Some(value), _) => show_value(&value, spelling),
        };
        Text::new("explain.is").with("value", value).render(lang)
    };
    match condition {
        Condition::Missing(path) => format!(
            "{} {} {}",
            spelling.word("kw.missing"),
            path_name(path, spelling),
            show(&Operand::Path(path.clone()))
        ),
        Condition::Flag(path) => format!(
            "{} {}",
            path_name(path, spelling),
            show(&Operand::Path(path.clone()))
        ),
        Condition::Compare(operand, op, value) => {
            format!(
                "{} {op:?} {} {}",
                operand_name(operand, spelling),
                show_value(value, spelling),
                show(operand)
            )
        }
        Condition::In(operand, values) => {
            let list: Vec<String> = values.iter().map(|v| show_value(v, spelling)).collect();
            format!(
                "{} {} [{}] {}",
                operand_name(operand, spelling),
                spelling.word("kw.in"),
                list.join(", "),
                show(operand)
            )
        }
        _ => String::new(),
    }
}

/// A built-in field's name in the scheme's spelling (`对象.名称` or `subject.name`); a declared
/// field's id as declared.
fn path_name(path: &Path, spelling: Lang) -> &str {
    match (path, spelling) {
        (Path::Field(id), _) => id,
        (_, Lang::En) => path.name(),
        (Path::Text, Lang::Zh) => "内容",
        (Path::Received, Lang::Zh) => "收到日期",
        (Path::Channel, Lang::Zh) => "渠道",
        (Path::RealName, Lang::Zh) => "实名",
        (Path::SubjectName, Lang::Zh) => "对象.名称",
        (Path::SubjectKind, Lang::Zh) => "对象.类型",
        (Path::SubjectLevel, Lang::Zh) => "对象.层级",
        (Path::SubjectRegion, Lang::Zh) => "对象.地区",
    }
}

fn operand_name(operand: &Operand, spelling: Lang) -> String {
    match operand {
        Operand::Path(path) => path_name(path, spelling).to_string(),
        Operand::Length(path) => format!(
            "{}({})",
            spelling.word("kw.length"),
            path_name(path, spelling)
        ),
    }
}

fn show_value(value: &Value, spelling: Lang) -> String {
    match value {
        Value::Text(text) => format!("\"{text}\""),
        Value::Number(n) => n.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => spelling
            .word(if *b { "kw.true" } else { "kw.false" })
            .to_string(),
        Value::Level(l) => l.name().to_string(),
        Value::Channel(c) => match spelling {
            Lang::En => c.name().to_string(),
            Lang::Zh => c.chinese().to_string(),
        },
        Value::Region(r) => r.code().to_string(),
    }
}
