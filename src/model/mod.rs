//! The compiled model: what `check` produces from a scheme and what `eval` runs.
//!
//! Everything here has been validated: names are resolved to indices, dates are real dates,
//! literals are in normal form, regular expressions are compiled. The model holds data only;
//! it neither parses nor decides.

mod calendar;
mod region;
mod values;

use chrono::NaiveDate;

use crate::lang::Lang;
use crate::syntax::Span;
pub use calendar::{Calendar, Day, Origin, Schedule};
pub use region::Region;
pub use values::{ChannelKind, Level, Priority};

/// Every campaign of every loaded scheme file, in load order.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The campaigns.
    pub campaigns: Vec<Campaign>,
    /// The holiday calendar: the built-in schedules and those the loaded files add.
    pub calendar: Calendar,
}

/// One campaign (专项).
#[derive(Debug, Clone)]
pub struct Campaign {
    /// The campaign's id, unique among loaded campaigns.
    pub id: String,
    /// Index of the source file it was declared in.
    pub file: usize,
    /// The campaign id's place in that file.
    pub span: Span,
    /// The spelling of its keywords (`专项` or `campaign`), in which its rules and conditions
    /// are explained back.
    pub keywords: Lang,
    /// Official title, verbatim.
    pub title: String,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Jurisdiction: division code and name.
    pub jurisdiction: Option<(Region, String)>,
    /// Announcement date (即日起 refers to it).
    pub announced: Option<NaiveDate>,
    /// Windows in which tips are taken, inclusive at both ends; never overlapping.
    pub windows: Vec<Window>,
    /// Where each window is written, parallel to `windows`.
    pub window_spans: Vec<Span>,
    /// Intake channels.
    pub channels: Vec<Channel>,
    /// Who and where a tip may be about.
    pub scope: Scope,
    /// Responsible departments (责任部门).
    pub departments: Vec<Department>,
    /// Extra tip fields the scheme declares.
    pub fields: Vec<Field>,
    /// The taxonomy: areas → categories → symptoms.
    pub areas: Vec<Area>,
    /// Every literal of the campaign's rules, in normal form; rules refer to them by index.
    pub literals: Vec<String>,
    /// Where each literal is first written, parallel to `literals`.
    pub literal_spans: Vec<Span>,
    /// Exclusion clauses (不予受理), in order: the first that fires decides.
    pub exclusions: Vec<Exclusion>,
    /// Priority rules, in order: the first that applies decides; `Normal` otherwise.
    pub priorities: Vec<PriorityRule>,
    /// Deadline rules, in order: per kind, the first that applies decides.
    pub deadlines: Vec<Deadline>,
    /// Recurring reporting duties.
    pub duties: Vec<Duty>,
    /// Example tips with their expected outcomes.
    pub examples: Vec<Example>,
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl Window {
    /// Whether `date` lies in the window, ends included.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// An intake channel.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Post, e-mail, phone, visit or online.
    pub kind: ChannelKind,
    /// Address, e-mail address, phone number or site.
    pub address: String,
    /// Postcode of a postal address.
    pub postcode: Option<String>,
}

/// 受理范围. An empty list accepts everything.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Kinds of subject accepted (党政机关, 党员干部, …).
    pub subjects: Vec<String>,
    /// Administrative levels accepted.
    pub levels: Vec<Level>,
    /// Regions accepted, each with everything below it; the jurisdiction when none is given.
    pub regions: Vec<Region>,
}

/// A responsible department.
#[derive(Debug, Clone)]
pub struct Department {
    /// Id as used in the scheme.
    pub id: String,
    /// Official name.
    pub name: String,
}

/// A declared extra field of tips.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name in tip records.
    pub id: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether every tip must carry it.
    pub required: bool,
}

/// The type of a declared field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A calendar date.
    Date,
    /// Yes or no.
    Bool,
    /// One of the listed values.
    Enum(Vec<String>),
}

/// 方面.
#[derive(Debug, Clone)]
pub struct Area {
    /// Id.
    pub id: String,
    /// Official wording.
    pub title: String,
    /// Its categories.
    pub categories: Vec<Category>,
}

/// 类问题.
#[derive(Debug, Clone)]
pub struct Category {
    /// Id, unique in the campaign.
    pub id: String,
    /// Official wording.
    pub title: String,
    /// Its symptoms.
    pub symptoms: Vec<Symptom>,
    /// Who handles tips of this category.
    pub route: Route,
}

/// Lead and co-operating departments, as indices into [`Campaign::departments`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Route {
    /// Lead departments (牵头), first first.
    pub lead: Vec<usize>,
    /// Co-operating departments (配合).
    pub with: Vec<usize>,
}

/// 表现.
#[derive(Debug, Clone)]
pub struct Symptom {
    /// Id, unique in the campaign.
    pub id: String,
    /// Official wording.
    pub title: String,
    /// When a tip shows it.
    pub rule: MatchRule,
}

/// A compiled match rule over the normal form of a tip's text.
#[derive(Debug, Clone)]
pub enum MatchRule {
    /// The literal with this index in [`Campaign::literals`] occurs.
    Literal(usize),
    /// One of these matches.
    Any(Vec<MatchRule>),
    /// All of these match.
    All(Vec<MatchRule>),
    /// This does not match.
    Not(Box<MatchRule>),
    /// A literal of `left` and one of `right` start within `within` characters of each other.
    Near {
        /// Literal indices on one side.
        left: Vec<usize>,
        /// Literal indices on the other.
        right: Vec<usize>,
        /// Greatest distance in characters between the two starts.
        within: usize,
    },
    /// The regular expression matches the normal form.
    Regex(regex::Regex),
    /// A stretch of the normal form differs from the phrase by at most a few edits.
    Approx(Box<Approximate>),
    /// Any word of a vocabulary, as literal indices.
    Words {
        /// The vocabulary's id, for explanations.
        name: String,
        /// Literal indices of its words.
        literals: Vec<usize>,
    },
}

/// What a rule requires a tip to contain: a literal, or an approximate phrase.
#[derive(Debug, Clone, Copy)]
pub enum Term<'a> {
    /// A literal, by its index in [`Campaign::literals`].
    Literal(usize),
    /// An approximate phrase.
    Approx(&'a Approximate),
}

impl MatchRule {
    /// Every term the rule can match on, in the order written; the parts under `not` and
    /// regular expressions are left out, as they name nothing a tip must contain.
    pub fn terms(&self) -> Vec<Term<'_>> {
        let mut out = Vec::new();
        self.collect_terms(&mut out);
        out
    }

    fn collect_terms<'a>(&'a self, out: &mut Vec<Term<'a>>) {
        match self {
            MatchRule::Literal(index) => out.push(Term::Literal(*index)),
            MatchRule::Any(parts) | MatchRule::All(parts) => {
                for part in parts {
                    part.collect_terms(out);
                }
            }
            MatchRule::Near { left, right, .. } => {
                out.extend(left.iter().chain(right).map(|i| Term::Literal(*i)));
            }
            MatchRule::Words { literals, .. } => {
                out.extend(literals.iter().map(|i| Term::Literal(*i)));
            }
            MatchRule::Approx(approx) => out.push(Term::Approx(approx)),
            MatchRule::Not(_) | MatchRule::Regex(_) => {}
        }
    }
}

/// `approx("phrase", similarity)`: the phrase, in normal form, with up to `max_edits`
/// characters inserted, dropped or changed.
///
/// A stretch within `max_edits` of the phrase contains at least one of `max_edits + 1`
/// disjoint pieces of it unchanged, so the pieces are literals of the campaign: a tip in which
/// none occurs is never compared, and one in which some occur is compared only around them.
#[derive(Debug, Clone)]
pub struct Approximate {
    /// The phrase in normal form, as characters.
    pub phrase: Vec<char>,
    /// The similarity the writer asked for, from 0.5 to 1.
    pub similarity: f64,
    /// The most edits a matching stretch may need: `(1 - similarity) × length`, rounded down.
    pub max_edits: usize,
    /// The pieces: a literal index and the character offset where the piece starts in the phrase.
    pub pieces: Vec<(usize, usize)>,
}

/// A compiled condition over a tip.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Always or never.
    Const(bool),
    /// All hold.
    And(Vec<Condition>),
    /// One holds.
    Or(Vec<Condition>),
    /// Does not hold.
    Not(Box<Condition>),
    /// The text matches the rule.
    Mentions(MatchRule),
    /// The tip repeats an earlier one, as the rule says.
    Duplicate(RepeatRule),
    /// The field is absent or empty.
    Missing(Path),
    /// A comparison.
    Compare(Operand, CompareOp, Value),
    /// The operand equals one of the values (for a region: lies within one).
    In(Operand, Vec<Value>),
    /// A boolean field is true.
    Flag(Path),
}

/// When an earlier tip is the same matter as this one (同一事项重复反映).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepeatRule {
    /// The least similarity of the two texts, from 0 to 1.
    pub similarity: f64,
    /// Only an earlier tip about the same subject counts.
    pub same_subject: bool,
    /// Only an earlier tip from the same (real-name) reporter counts.
    pub same_reporter: bool,
    /// Only an earlier tip received at most this many days before or after this one counts.
    pub within_days: Option<u32>,
}

/// A field of a tip, built in or declared.
#[derive(Debug, Clone, PartialEq)]
pub enum Path {
    /// 内容.
    Text,
    /// 收到日期.
    Received,
    /// 渠道.
    Channel,
    /// 实名: whether the reporter gave a name.
    RealName,
    /// 对象.名称.
    SubjectName,
    /// 对象.类型.
    SubjectKind,
    /// 对象.层级.
    SubjectLevel,
    /// 对象.地区.
    SubjectRegion,
    /// A declared field, by id.
    Field(String),
}

impl Path {
    /// The field's name as written in English.
    pub fn name(&self) -> &str {
        match self {
            Path::Text => "text",
            Path::Received => "received",
            Path::Channel => "channel",
            Path::RealName => "real_name",
            Path::SubjectName => "subject.name",
            Path::SubjectKind => "subject.kind",
            Path::SubjectLevel => "subject.level",
            Path::SubjectRegion => "subject.region",
            Path::Field(id) => id,
        }
    }
}

/// What a comparison looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The field's value.
    Path(Path),
    /// The number of characters of a text field.
    Length(Path),
}

/// A comparison operator.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl std::fmt::Debug for CompareOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        })
    }
}

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date.
    Date(NaiveDate),
    /// Yes or no.
    Bool(bool),
    /// An administrative level.
    Level(Level),
    /// An intake channel.
    Channel(ChannelKind),
    /// A division code.
    Region(Region),
}

/// 不予受理.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// Id.
    pub id: String,
    /// When it fires.
    pub condition: Condition,
    /// The official reason, verbatim.
    pub reason: String,
}

/// A priority rule.
#[derive(Debug, Clone)]
pub struct PriorityRule {
    /// The priority given.
    pub priority: Priority,
    /// When; always if `None`.
    pub when: Option<Condition>,
}

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// 办理: handling the tip.
    Handle,
    /// 答复: answering the reporter.
    Reply,
}

/// A deadline rule.
#[derive(Debug, Clone)]
pub struct Deadline {
    /// Handling or reply.
    pub kind: DeadlineKind,
    /// How many days after receipt.
    pub days: u32,
    /// Working days (weekends skipped) rather than calendar days.
    pub working_days: bool,
    /// When; always if `None`.
    pub when: Option<Condition>,
}

/// A recurring reporting duty, such as a monthly ledger due by the 20th.
#[derive(Debug, Clone)]
pub struct Duty {
    /// Id.
    pub id: String,
    /// What is reported.
    pub title: String,
    /// Day of the month it is due by.
    pub day: u32,
    /// The department it goes to, as an index into [`Campaign::departments`].
    pub recipient: usize,
}

/// An example tip and the outcome the scheme's authors expect for it.
#[derive(Debug, Clone)]
pub struct Example {
    /// Its name.
    pub name: String,
    /// The whole example block in the source file.
    pub span: Span,
    /// The tip's text.
    pub text: String,
    /// When it was received.
    pub received: NaiveDate,
    /// How it came in.
    pub channel: Option<ChannelKind>,
    /// The reporter's name; `None` when anonymous.
    pub reporter: Option<String>,
    /// 对象.名称.
    pub subject_name: Option<String>,
    /// 对象.类型.
    pub subject_kind: Option<String>,
    /// 对象.层级.
    pub subject_level: Option<Level>,
    /// 对象.地区.
    pub subject_region: Option<Region>,
    /// Declared fields.
    pub fields: Vec<(String, Value)>,
    /// The expected outcome.
    pub expect: Expected,
    /// Where the expected outcome is written.
    pub expect_span: Span,
}

/// An expected outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// Accepted into exactly these categories (by id).
    Accepted(Vec<String>),
    /// Excluded by this clause (by id).
    Excluded(String),
    /// Received outside every window.
    OutOfWindow,
    /// About a subject outside the scope.
    OutOfScope,
    /// In window and scope, not excluded, and nothing matched.
    NoMatch,
}
