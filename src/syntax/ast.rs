//! The spanned syntax tree of a scheme file.
//!
//! The tree says what was written and where, nothing more: names are not resolved, dates are not
//! validated and types are not known here. `check` turns it into the compiled model.

use super::Span;

/// An identifier as written: a campaign, department, field, area, category, symptom, exclusion
/// or duty id.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal with its escapes resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    /// The whole literal, quotes included.
    pub span: Span,
    /// Where the value's first character stands in the file when the literal holds no escape
    /// (so an offset into `value` is an offset into the file); `None` when it has escapes.
    /// Four bytes, not eight: a tree holds a text for every literal of a scheme.
    pub verbatim_from: Option<u32>,
}

/// A calendar date as written (`2022-12-31`, `2022年12月31日`); not yet validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateLit {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub span: Span,
}

/// A month as written (`2023-03`, `2023年12月底`); not yet validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthLit {
    pub year: i32,
    pub month: u32,
    /// Written with `底` (end of the month).
    pub end_of_month: bool,
    pub span: Span,
}

/// A number as written, kept as text so that a division code keeps its digits.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberLit {
    pub text: String,
    pub span: Span,
}

/// A whole scheme file.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeFile {
    pub campaigns: Vec<CampaignDecl>,
    pub holidays: Vec<HolidaysDecl>,
    pub vocabularies: Vec<VocabularyDecl>,
}

/// `vocabulary ID ["title"] { "word", … }` / `词表 ID ["说明"] { … }`: a named set of words
/// that the rules of every loaded campaign may use.
#[derive(Debug, Clone, PartialEq)]
pub struct VocabularyDecl {
    pub id: Ident,
    pub title: Option<Text>,
    pub words: Vec<Text>,
    pub span: Span,
}

/// `holidays 2026 "…" issued 2025-11-04 { … }` / `节假日安排 2026 "…" 发布日期 2025-11-04 { … }`:
/// one year's holiday schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct HolidaysDecl {
    pub year: i32,
    pub year_span: Span,
    /// The notice's title.
    pub title: Text,
    /// The day the notice was published.
    pub issued: Option<DateLit>,
    pub entries: Vec<HolidayEntry>,
    pub span: Span,
}

/// One line of a holiday schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum HolidayEntry {
    /// `off 春节 2026-02-15 to 2026-02-23` / `放假 春节 2026-02-15 至 2026-02-23`.
    Off {
        holiday: Ident,
        from: DateLit,
        to: Option<DateLit>,
        span: Span,
    },
    /// `workday 春节 2026-02-14, 2026-02-28` / `上班 春节 2026-02-14、2026-02-28`.
    Workday {
        holiday: Ident,
        dates: Vec<DateLit>,
        span: Span,
    },
}

/// `campaign ID { … }` / `专项 ID { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignDecl {
    pub id: Ident,
    pub span: Span,
    /// Whether the campaign keyword was written in Chinese (`专项`), the spelling in which its
    /// conditions are explained back.
    pub chinese: bool,
    pub items: Vec<Item>,
}

/// One statement or block inside a campaign.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Title(Keyworded<Text>),
    Issuer(Keyworded<Text>),
    Jurisdiction(JurisdictionDecl),
    Announced(Keyworded<DateLit>),
    Window(WindowDecl),
    Channel(ChannelDecl),
    Scope(ScopeDecl),
    Department(DepartmentDecl),
    Field(FieldDecl),
    Area(AreaDecl),
    Exclusion(ExclusionDecl),
    Route(RouteDecl),
    Priority(PriorityDecl),
    Deadline(DeadlineDecl),
    Duty(DutyDecl),
    Example(ExampleDecl),
}

/// A statement whose keyword is followed by a single value.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyworded<T> {
    pub value: T,
    pub span: Span,
}

/// `jurisdiction 520203 "六枝特区"`.
#[derive(Debug, Clone, PartialEq)]
pub struct JurisdictionDecl {
    pub code: NumberLit,
    pub name: Option<Text>,
    pub span: Span,
}

/// `window announcement to 2022-12-31`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowDecl {
    pub start: WindowStart,
    pub end: WindowEnd,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WindowStart {
    /// `announcement` / `即日起`: the announcement date.
    Announcement(Span),
    Date(DateLit),
    /// The first day of the month.
    Month(MonthLit),
}

#[derive(Debug, Clone, PartialEq)]
pub enum WindowEnd {
    Date(DateLit),
    /// The last day of the month (`12月底`).
    Month(MonthLit),
}

/// The ways a tip can reach a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    Post,
    Email,
    Phone,
    Visit,
    Online,
}

/// `channel email "tqsdyxb@163.com"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelDecl {
    pub kind: ChannelKind,
    pub kind_span: Span,
    pub address: Text,
    pub postcode: Option<Text>,
    pub span: Span,
}

/// `scope { subjects …  level …  region … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeDecl {
    pub subjects: Vec<Vec<Text>>,
    pub levels: Vec<Vec<Text>>,
    pub regions: Vec<Vec<NumberLit>>,
    pub span: Span,
}

/// `department zzb "区委组织部"`.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentDecl {
    pub id: Ident,
    pub name: Text,
    pub span: Span,
}

/// `field 涉企: bool required`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub id: Ident,
    pub ty: FieldTypeDecl,
    pub required: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldTypeDecl {
    Text,
    Number,
    Date,
    Bool,
    Enum(Vec<Text>),
}

/// `route lead a, b with c, d`.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDecl {
    pub lead: Vec<Ident>,
    pub with: Vec<Ident>,
    pub span: Span,
}

/// `area ID "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaDecl {
    pub id: Ident,
    pub title: Text,
    pub routes: Vec<RouteDecl>,
    pub categories: Vec<CategoryDecl>,
    pub span: Span,
}

/// `category ID "title" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryDecl {
    pub id: Ident,
    pub title: Text,
    pub routes: Vec<RouteDecl>,
    pub symptoms: Vec<SymptomDecl>,
    pub span: Span,
}

/// `symptom ID "wording" match RULE`.
#[derive(Debug, Clone, PartialEq)]
pub struct SymptomDecl {
    pub id: Ident,
    pub title: Text,
    pub rule: MatchRuleExpr,
    pub span: Span,
}

/// A match rule over the text of a tip.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchRuleExpr {
    Literal(Text),
    Any(Vec<MatchRuleExpr>, Span),
    All(Vec<MatchRuleExpr>, Span),
    Not(Box<MatchRuleExpr>, Span),
    Near {
        left: Box<MatchRuleExpr>,
        right: Box<MatchRuleExpr>,
        within: NumberLit,
        span: Span,
    },
    Regex(Text, Span),
    /// `approx("phrase", 0.8)` / `近似("…", 0.8)`: the phrase with small differences.
    Approx {
        phrase: Text,
        /// Boxed, as few rules give one: every rule of a tree is as large as its largest kind.
        similarity: Option<Box<NumberLit>>,
        span: Span,
    },
    /// `vocabulary(ID)` / `词表(ID)`: any word of a declared vocabulary.
    Words(Ident, Span),
}

impl MatchRuleExpr {
    pub fn span(&self) -> Span {
        match self {
            MatchRuleExpr::Literal(text) => text.span,
            MatchRuleExpr::Any(_, span)
            | MatchRuleExpr::All(_, span)
            | MatchRuleExpr::Not(_, span)
            | MatchRuleExpr::Near { span, .. }
            | MatchRuleExpr::Regex(_, span)
            | MatchRuleExpr::Approx { span, .. }
            | MatchRuleExpr::Words(_, span) => *span,
        }
    }
}

/// `exclude ID when CONDITION reason "…"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExclusionDecl {
    pub id: Ident,
    pub condition: ConditionExpr,
    pub reason: Text,
    pub span: Span,
}

/// A boolean condition over the fields of a tip.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionExpr {
    Bool(bool, Span),
    Or(Vec<ConditionExpr>, Span),
    And(Vec<ConditionExpr>, Span),
    Not(Box<ConditionExpr>, Span),
    Mentions(MatchRuleExpr, Span),
    Duplicate {
        similarity: Option<NumberLit>,
        /// `同一对象`: only an earlier tip about the same subject.
        same_subject: bool,
        /// `同一举报人`: only an earlier tip from the same reporter.
        same_reporter: bool,
        /// `90 日内`: only an earlier tip received at most this many days apart.
        within: Option<NumberLit>,
        span: Span,
    },
    Missing(Ident, Span),
    Compare {
        operand: Operand,
        op: CompareOp,
        op_span: Span,
        value: ValueLit,
        span: Span,
    },
    In {
        operand: Operand,
        values: Vec<ValueLit>,
        span: Span,
    },
    /// A boolean field on its own, such as `real_name`.
    Flag(Ident),
}

impl ConditionExpr {
    pub fn span(&self) -> Span {
        match self {
            ConditionExpr::Bool(_, span)
            | ConditionExpr::Or(_, span)
            | ConditionExpr::And(_, span)
            | ConditionExpr::Not(_, span)
            | ConditionExpr::Mentions(_, span)
            | ConditionExpr::Duplicate { span, .. }
            | ConditionExpr::Missing(_, span)
            | ConditionExpr::Compare { span, .. }
            | ConditionExpr::In { span, .. } => *span,
            ConditionExpr::Flag(path) => path.span,
        }
    }
}

/// The left-hand side of a comparison: a field path, or the length of one.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Ident),
    Length(Ident, Span),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Path(path) => path.span,
            Operand::Length(_, span) => *span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A literal value in a condition or an example.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueLit {
    Text(Text),
    Date(DateLit),
    Number(NumberLit),
    Bool(bool, Span),
}

impl ValueLit {
    pub fn span(&self) -> Span {
        match self {
            ValueLit::Text(text) => text.span,
            ValueLit::Date(date) => date.span,
            ValueLit::Number(number) => number.span,
            ValueLit::Bool(_, span) => *span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityLevel {
    High,
    Normal,
    Low,
}

/// `priority high when real_name`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityDecl {
    pub level: PriorityLevel,
    pub condition: Option<ConditionExpr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    Handle,
    Reply,
}

/// `deadline reply 15 working days when real_name`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineDecl {
    pub kind: DeadlineKind,
    pub days: NumberLit,
    pub working_days: bool,
    pub condition: Option<ConditionExpr>,
    pub span: Span,
}

/// `duty ledger "…" monthly by 20 to zxb`.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyDecl {
    pub id: Ident,
    pub title: Text,
    pub day: NumberLit,
    pub recipient: Ident,
    pub span: Span,
}

/// `example "…" { … expect … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleDecl {
    pub name: Text,
    pub items: Vec<ExampleItem>,
    pub span: Span,
}

/// One statement of an example tip.
#[derive(Debug, Clone, PartialEq)]
pub enum ExampleItem {
    Text(Text, Span),
    Received(DateLit, Span),
    Channel(ChannelKind, Span),
    /// A real-name tip's reporter.
    Reporter(Text, Span),
    Anonymous(Span),
    Subject(SubjectDecl),
    Field(Ident, ValueLit, Span),
    Expect(ExpectDecl),
}

/// The subject of an example tip.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectDecl {
    pub name: Option<Text>,
    pub kind: Option<Text>,
    pub level: Option<Text>,
    pub region: Option<NumberLit>,
    pub span: Span,
}

/// `expect accepted c1, c2` and the other outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectDecl {
    pub outcome: ExpectedOutcome,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedOutcome {
    Accepted(Vec<Ident>),
    Excluded(Ident),
    OutOfWindow,
    OutOfScope,
    NoMatch,
}
