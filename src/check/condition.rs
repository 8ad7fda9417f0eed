//! Typing conditions: resolving field paths, checking each comparison against the field's type,
//! and finding conditions that are constant.

use super::campaign::{date, region, unknown_value};
use super::names::{closest, help};
use super::rules::Rules;
use super::{CheckError, Problems};
use crate::lang::{Arg, Text};
use crate::model::{
    ChannelKind, CompareOp, Condition, Field, FieldType, Level, Operand, Path, RepeatRule, Value,
};
use crate::syntax::Span;
use crate::syntax::ast::{self, ConditionExpr, Ident, ValueLit};
use crate::text::normalize;

/// Similarity above which a tip counts as a repeat when a scheme does not say.
pub(crate) const DEFAULT_SIMILARITY: f64 = 0.8;
/// The lowest similarity a scheme may ask for: below it tips about one subject on one theme
/// would count as repeats (see the repeat pairs in docs/performance.md).
const MIN_SIMILARITY: f64 = 0.5;
/// The furthest back a repeat clause may look, in days: ten years.
const MAX_WITHIN_DAYS: u32 = 3650;

/// The type of a field path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Type<'a> {
    Text,
    Number,
    Date,
    Bool,
    Level,
    Channel,
    Region,
    /// One of the listed texts (a declared enum field).
    Enum(&'a [String]),
    /// A subject kind; any text when the scope lists none.
    Kind(&'a [String]),
}

impl Type<'_> {
    fn name(self) -> Text {
        Text::new(match self {
            Type::Text | Type::Kind(_) => "type.text",
            Type::Number => "type.number",
            Type::Date => "type.date",
            Type::Bool => "type.bool",
            Type::Level => "type.level",
            Type::Channel => "type.channel",
            Type::Region => "type.region",
            Type::Enum(_) => "type.enum",
        })
    }

    fn example(self) -> Text {
        Text::new(match self {
            Type::Text | Type::Kind(_) | Type::Enum(_) => "type.example.text",
            Type::Number => "type.example.number",
            Type::Date => "type.example.date",
            Type::Bool => "type.example.bool",
            Type::Level => "type.example.level",
            Type::Channel => "type.example.channel",
            Type::Region => "type.example.region",
        })
    }
}

/// The names conditions may use: the built-in fields and the declared ones.
pub(super) struct FieldTypes<'a> {
    fields: &'a [Field],
    kinds: &'a [String],
}

impl<'a> FieldTypes<'a> {
    pub(super) fn new(fields: &'a [Field], kinds: &'a [String]) -> Self {
        FieldTypes { fields, kinds }
    }

    fn resolve(&self, ident: &Ident, problems: &mut Problems) -> Option<(Path, Type<'a>)> {
        if let Some(path) = builtin_path(&ident.name) {
            let ty = match path {
                Path::Text | Path::SubjectName => Type::Text,
                Path::Received => Type::Date,
                Path::Channel => Type::Channel,
                Path::RealName => Type::Bool,
                Path::SubjectKind => Type::Kind(self.kinds),
                Path::SubjectLevel => Type::Level,
                Path::SubjectRegion => Type::Region,
                Path::Field(_) => Type::Text,
            };
            return Some((path, ty));
        }
        if let Some(field) = self.fields.iter().find(|f| f.id == ident.name) {
            let ty = match &field.ty {
                FieldType::Text => Type::Text,
                FieldType::Number => Type::Number,
                FieldType::Date => Type::Date,
                FieldType::Bool => Type::Bool,
                FieldType::Enum(values) => Type::Enum(values),
            };
            return Some((Path::Field(field.id.clone()), ty));
        }
        let known = builtin_names()
            .map(|name| -> &'a str { name })
            .chain(self.fields.iter().map(|f| f.id.as_str()));
        let suggestion = closest(&ident.name, known);
        problems.push(CheckError::UndefinedField {
            name: ident.name.clone(),
            at: ident.span.into(),
            help: help(
                suggestion,
                Text::new("check.undefined_field.help_declare").with("name", &ident.name),
            ),
        });
        None
    }
}

/// The names of the built-in fields, in English, then in Chinese.
pub(crate) fn builtin_names() -> impl Iterator<Item = &'static str> {
    let fields: &'static [(&str, &str)] = &crate::syntax::BUILT_IN_FIELDS;
    let english = fields.iter().map(|(english, _)| *english);
    english.chain(fields.iter().map(|(_, chinese)| *chinese))
}

/// The built-in field a name stands for, in either language.
pub(crate) fn builtin_path(name: &str) -> Option<Path> {
    Some(match name {
        "text" | "内容" => Path::Text,
        "received" | "收到日期" => Path::Received,
        "channel" | "渠道" => Path::Channel,
        "real_name" | "实名" => Path::RealName,
        "subject.name" | "对象.名称" => Path::SubjectName,
        "subject.kind" | "对象.类型" => Path::SubjectKind,
        "subject.level" | "对象.层级" => Path::SubjectLevel,
        "subject.region" | "对象.地区" => Path::SubjectRegion,
        _ => return None,
    })
}

/// Types and compiles a condition; `None` when a problem in it was reported.
pub(super) fn lower(
    expr: &ConditionExpr,
    fields: &FieldTypes,
    rules: &mut Rules,
    problems: &mut Problems,
) -> Option<Condition> {
    match expr {
        ConditionExpr::Bool(value, _) => Some(Condition::Const(*value)),
        ConditionExpr::Or(parts, _) | ConditionExpr::And(parts, _) => {
            let lowered: Vec<Option<Condition>> = parts
                .iter()
                .map(|part| lower(part, fields, rules, problems))
                .collect();
            let lowered: Vec<Condition> = lowered.into_iter().collect::<Option<_>>()?;
            Some(if matches!(expr, ConditionExpr::Or(..)) {
                Condition::Or(lowered)
            } else {
                Condition::And(lowered)
            })
        }
        ConditionExpr::Not(inner, _) => Some(Condition::Not(Box::new(lower(
            inner, fields, rules, problems,
        )?))),
        ConditionExpr::Mentions(rule, _) => Some(Condition::Mentions(rules.rule(rule, problems)?)),
        ConditionExpr::Duplicate {
            similarity,
            same_subject,
            same_reporter,
            within,
            ..
        } => {
            let threshold = match similarity {
                None => DEFAULT_SIMILARITY,
                Some(lit) => match lit.text.parse::<f64>() {
                    Ok(value) if (MIN_SIMILARITY..=1.0).contains(&value) => value,
                    _ => {
                        problems.push(CheckError::NumberOutOfRange {
                            text: lit.text.clone(),
                            expected: Text::new("check.number_out_of_range.duplicate_similarity"),
                            at: lit.span.into(),
                        });
                        return None;
                    }
                },
            };
            let within_days = match within {
                None => None,
                Some(lit) => match lit.text.parse::<u32>() {
                    Ok(days) if (1..=MAX_WITHIN_DAYS).contains(&days) => Some(days),
                    _ => {
                        problems.push(CheckError::NumberOutOfRange {
                            text: lit.text.clone(),
                            expected: Text::new("check.number_out_of_range.days"),
                            at: lit.span.into(),
                        });
                        return None;
                    }
                },
            };
            Some(Condition::Duplicate(RepeatRule {
                similarity: threshold,
                same_subject: *same_subject,
                same_reporter: *same_reporter,
                within_days,
            }))
        }
        ConditionExpr::Missing(path, _) => {
            let (path, _) = fields.resolve(path, problems)?;
            Some(Condition::Missing(path))
        }
        ConditionExpr::Flag(path) => {
            let (resolved, ty) = fields.resolve(path, problems)?;
            if ty != Type::Bool {
                problems.push(CheckError::InvalidOperation {
                    field: Arg::from(&path.name),
                    ty: ty.name(),
                    problem: Text::new("check.invalid_operation.alone"),
                    help: Text::new("check.invalid_operation.help_alone"),
                    at: path.span.into(),
                });
                return None;
            }
            Some(Condition::Flag(resolved))
        }
        ConditionExpr::Compare {
            operand,
            op,
            op_span,
            value,
            ..
        } => {
            let (operand, ty, name) = lower_operand(operand, fields, problems)?;
            let op = match op {
                ast::CompareOp::Eq => CompareOp::Eq,
                ast::CompareOp::Ne => CompareOp::Ne,
                ast::CompareOp::Lt => CompareOp::Lt,
                ast::CompareOp::Le => CompareOp::Le,
                ast::CompareOp::Gt => CompareOp::Gt,
                ast::CompareOp::Ge => CompareOp::Ge,
            };
            let ordered = matches!(ty, Type::Number | Type::Date);
            if !ordered && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                problems.push(CheckError::InvalidOperation {
                    field: name,
                    ty: ty.name(),
                    problem: Text::new("check.invalid_operation.unordered"),
                    help: Text::new("check.invalid_operation.help_unordered"),
                    at: (*op_span).into(),
                });
                return None;
            }
            let value = typed_value(value, ty, &name, operand_span(expr), problems)?;
            Some(Condition::Compare(operand, op, value))
        }
        ConditionExpr::In {
            operand, values, ..
        } => {
            let operand_at = operand.span();
            let (operand, ty, name) = lower_operand(operand, fields, problems)?;
            if ty == Type::Bool {
                problems.push(CheckError::InvalidOperation {
                    field: name,
                    ty: ty.name(),
                    problem: Text::new("check.invalid_operation.list"),
                    help: Text::new("check.invalid_operation.help_list"),
                    at: operand_at.into(),
                });
                return None;
            }
            let typed: Vec<Option<Value>> = values
                .iter()
                .map(|value| typed_value(value, ty, &name, operand_at, problems))
                .collect();
            Some(Condition::In(
                operand,
                typed.into_iter().collect::<Option<_>>()?,
            ))
        }
    }
}

fn operand_span(expr: &ConditionExpr) -> Span {
    match expr {
        ConditionExpr::Compare { operand, .. } | ConditionExpr::In { operand, .. } => {
            operand.span()
        }
        other => other.span(),
    }
}

fn lower_operand<'a>(
    operand: &ast::Operand,
    fields: &FieldTypes<'a>,
    problems: &mut Problems,
) -> Option<(Operand, Type<'a>, Arg)> {
    match operand {
        ast::Operand::Path(path) => {
            let (resolved, ty) = fields.resolve(path, problems)?;
            Some((Operand::Path(resolved), ty, Arg::from(&path.name)))
        }
        ast::Operand::Length(path, span) => {
            let (resolved, ty) = fields.resolve(path, problems)?;
            if !matches!(ty, Type::Text | Type::Kind(_)) {
                problems.push(CheckError::InvalidOperation {
                    field: Arg::from(&path.name),
                    ty: ty.name(),
                    problem: Text::new("check.invalid_operation.length"),
                    help: Text::new("check.invalid_operation.help_length"),
                    at: (*span).into(),
                });
                return None;
            }
            Some((
                Operand::Length(resolved),
                Type::Number,
                Arg::Text(Text::new("word.length_of").with("field", &path.name)),
            ))
        }
    }
}

fn found_name(value: &ValueLit) -> Text {
    Text::new(match value {
        ValueLit::Text(_) => "type.text",
        ValueLit::Date(_) => "type.date",
        ValueLit::Number(_) => "type.number",
        ValueLit::Bool(..) => "type.bool",
    })
}

/// A literal typed as the field it is compared with.
fn typed_value(
    value: &ValueLit,
    ty: Type,
    field: &Arg,
    field_at: Span,
    problems: &mut Problems,
) -> Option<Value> {
    let mismatch = |problems: &mut Problems| {
        problems.push(CheckError::TypeMismatch {
            field: field.clone(),
            expected: ty.name(),
            expected_example: ty.example(),
            found: found_name(value),
            field_at: field_at.into(),
            value_at: value.span().into(),
        });
        None
    };
    match (ty, value) {
        (Type::Text, ValueLit::Text(text)) => Some(Value::Text(text.value.clone())),
        (Type::Kind(kinds), ValueLit::Text(text)) => {
            // Compared in normal form, as the evaluator compares them: 黨員幹部 is 党员干部.
            let normal = normalize(&text.value);
            if !kinds.is_empty() && !kinds.iter().any(|kind| normalize(kind) == normal) {
                let allowed: Vec<&str> = kinds.iter().map(String::as_str).collect();
                problems.push(unknown_value(
                    &text.value,
                    "check.unknown_value.kind",
                    &allowed,
                    text.span,
                ));
                return None;
            }
            Some(Value::Text(text.value.clone()))
        }
        (Type::Enum(values), ValueLit::Text(text)) => {
            if !values.contains(&text.value) {
                let allowed: Vec<&str> = values.iter().map(String::as_str).collect();
                problems.push(unknown_value(
                    &text.value,
                    "check.unknown_value.enum",
                    &allowed,
                    text.span,
                ));
                return None;
            }
            Some(Value::Text(text.value.clone()))
        }
        (Type::Level, ValueLit::Text(text)) => match Level::parse(&text.value) {
            Some(level) => Some(Value::Level(level)),
            None => {
                problems.push(unknown_value(
                    &text.value,
                    "check.unknown_value.level",
                    Level::SPELLINGS,
                    text.span,
                ));
                None
            }
        },
        (Type::Channel, ValueLit::Text(text)) => match ChannelKind::parse(&text.value) {
            Some(kind) => Some(Value::Channel(kind)),
            None => {
                problems.push(unknown_value(
                    &text.value,
                    "check.unknown_value.channel",
                    ChannelKind::SPELLINGS,
                    text.span,
                ));
                None
            }
        },
        (Type::Region, ValueLit::Number(number)) => region(number, problems).map(Value::Region),
        (Type::Region, ValueLit::Text(text)) => {
            let number = ast::NumberLit {
                text: text.value.clone(),
                span: text.span,
            };
            region(&number, problems).map(Value::Region)
        }
        (Type::Number, ValueLit::Number(number)) => match number.text.parse::<f64>() {
            Ok(value) => Some(Value::Number(value)),
            Err(_) => mismatch(problems),
        },
        (Type::Date, ValueLit::Date(lit)) => date(lit, problems).map(Value::Date),
        (Type::Bool, ValueLit::Bool(value, _)) => Some(Value::Bool(*value)),
        _ => mismatch(problems),
    }
}

/// The value an example gives a declared field, typed as the field.
pub(super) fn field_value(
    field: &Field,
    id: &Ident,
    value: &ValueLit,
    problems: &mut Problems,
) -> Option<Value> {
    let ty = match &field.ty {
        FieldType::Text => Type::Text,
        FieldType::Number => Type::Number,
        FieldType::Date => Type::Date,
        FieldType::Bool => Type::Bool,
        FieldType::Enum(values) => Type::Enum(values),
    };
    typed_value(value, ty, &Arg::from(&id.name), id.span, problems)
}

/// The values of `path` a tip must have for the condition to hold, when the condition says so:
/// `path == v`, `path in [..]`, a conjunction with such a part, or a disjunction of them.
pub(super) fn required_values<'c>(condition: &'c Condition, path: &Path) -> Option<Vec<&'c Value>> {
    match condition {
        Condition::Compare(Operand::Path(p), CompareOp::Eq, value) if p == path => {
            Some(vec![value])
        }
        Condition::In(Operand::Path(p), values) if p == path => Some(values.iter().collect()),
        Condition::And(parts) => parts.iter().find_map(|part| required_values(part, path)),
        Condition::Or(parts) => {
            let mut all = Vec::new();
            for part in parts {
                all.extend(required_values(part, path)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// `Some(value)` when the condition is the same for every tip.
pub(super) fn constant(condition: &Condition) -> Option<bool> {
    match condition {
        Condition::Const(value) => Some(*value),
        Condition::Not(inner) => constant(inner).map(|value| !value),
        Condition::And(parts) => {
            let values: Vec<Option<bool>> = parts.iter().map(constant).collect();
            if values.contains(&Some(false)) || has_complement(parts) {
                Some(false)
            } else if values.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        Condition::Or(parts) => {
            let values: Vec<Option<bool>> = parts.iter().map(constant).collect();
            if values.contains(&Some(true)) || has_complement(parts) {
                Some(true)
            } else if values.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Condition::Compare(Operand::Length(_), op, Value::Number(n)) => {
            // A length is never negative.
            match op {
                CompareOp::Lt if *n <= 0.0 => Some(false),
                CompareOp::Ge if *n <= 0.0 => Some(true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a list holds some condition and its negation.
fn has_complement(parts: &[Condition]) -> bool {
    let shapes: Vec<String> = parts.iter().map(|part| format!("{part:?}")).collect();
    parts.iter().any(|part| match part {
        Condition::Not(inner) => shapes.contains(&format!("{inner:?}")),
        _ => false,
    })
}
