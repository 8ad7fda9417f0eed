//! What the checker can find wrong with a scheme, one variant per problem.
//!
//! Messages follow one style: one sentence, lower case, no final period, the writer's own words
//! in backticks; the fix goes in the help line. Each variant's doc comment shows a small input
//! that triggers it; `tests/check/` has a fixture and snapshot for each.

use miette::{Severity, SourceSpan};
use serde::Serialize;

use crate::lang::{self, Arg, Lang, Message, Text};

/// A problem found while checking a scheme.
///
/// A variant's words are in the catalogues (`src/lang/`), under `check.` and its code: the
/// message under the code, the help under `.help` (or in a `help` field when it depends on the
/// scheme), and each span's label under the field's name. The fields fill the placeholders.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
// The fields are the parts of each message and its labels; the variant docs say what they are.
#[allow(missing_docs)]
pub enum CheckError {
    /// Two declarations share an id.
    ///
    /// ```text
    /// department zzb "区委组织部"
    /// department zzb "区委宣传部"
    /// ```
    DuplicateId {
        kind: Text,
        name: String,
        first: Option<SourceSpan>,
        second: SourceSpan,
    },

    /// A declared field named like a built-in one, or like a column of tip records.
    ///
    /// ```text
    /// field text: text
    /// ```
    ReservedField { name: String, at: SourceSpan },

    /// An area without categories, or a category without symptoms: nothing can match it.
    ///
    /// ```text
    /// category c "…" { }
    /// ```
    EmptyTaxonomy {
        what: Text,
        name: String,
        missing: Text,
        at: SourceSpan,
    },

    /// A statement that may appear once appears twice.
    ///
    /// ```text
    /// title "…"
    /// title "…"
    /// ```
    DuplicateStatement {
        statement: Text,
        first: SourceSpan,
        second: SourceSpan,
    },

    /// A required statement is missing.
    ///
    /// ```text
    /// campaign c { }   # no title, no window
    /// ```
    MissingStatement {
        owner: Text,
        name: String,
        statement: Text,
        help: Text,
        at: SourceSpan,
    },

    /// A route or duty names a department that is not declared.
    ///
    /// ```text
    /// route lead zbb      # declared as zzb
    /// ```
    UndefinedDepartment {
        name: String,
        at: SourceSpan,
        help: Text,
    },

    /// A condition or example names a field that is neither built in nor declared.
    ///
    /// ```text
    /// exclude x when subject.levl == "省级" reason "…"
    /// ```
    UndefinedField {
        name: String,
        at: SourceSpan,
        help: Text,
    },

    /// An example expects a category that does not exist.
    ///
    /// ```text
    /// expect accepted c13
    /// ```
    UndefinedCategory {
        name: String,
        at: SourceSpan,
        help: Text,
    },

    /// An example expects an exclusion clause that does not exist.
    ///
    /// ```text
    /// expect exclude duplicat
    /// ```
    UndefinedExclusion {
        name: String,
        at: SourceSpan,
        help: Text,
    },

    /// A value of one type is compared with a field of another.
    ///
    /// ```text
    /// exclude x when received == "昨天" reason "…"
    /// ```
    TypeMismatch {
        field: Arg,
        expected: Text,
        expected_example: Text,
        found: Text,
        field_at: SourceSpan,
        value_at: SourceSpan,
    },

    /// A value outside a closed list (a level, a channel, an enum field, a subject kind).
    ///
    /// ```text
    /// exclude x when subject.level == "县长级" reason "…"
    /// ```
    UnknownValue {
        value: String,
        what: Text,
        help: Text,
        at: SourceSpan,
    },

    /// An ordering comparison on a field that has no order, or a use that its type forbids.
    ///
    /// ```text
    /// exclude x when subject.name < "A" reason "…"
    /// ```
    InvalidOperation {
        field: Arg,
        ty: Text,
        problem: Text,
        help: Text,
        at: SourceSpan,
    },

    /// A date that does not exist.
    ///
    /// ```text
    /// announced 2023-02-30
    /// ```
    InvalidDate {
        text: String,
        help: Text,
        at: SourceSpan,
    },

    /// A window whose end comes before its start.
    ///
    /// ```text
    /// window 2022-12-31 to 2022-05-28
    /// ```
    WindowEndsBeforeStart {
        start: String,
        end: String,
        start_at: SourceSpan,
        end_at: SourceSpan,
    },

    /// Two windows of one campaign that overlap.
    ///
    /// ```text
    /// window 2022-01-01 to 2022-06-30
    /// window 2022-06-01 to 2022-12-31
    /// ```
    OverlappingWindows {
        overlap: Text,
        first: SourceSpan,
        second: SourceSpan,
    },

    /// `announcement` / `即日起` with no announcement date to refer to.
    ///
    /// ```text
    /// window 即日起 至 2022-12-31      # and no `公告日期`
    /// ```
    MissingAnnouncementDate { at: SourceSpan },

    /// A category no department handles.
    ///
    /// ```text
    /// area a "…" { category c "…" { symptom s "…" match "x" } }   # and no route anywhere
    /// ```
    UnroutedCategory {
        name: String,
        at: SourceSpan,
        area: SourceSpan,
    },

    /// An empty literal.
    ///
    /// ```text
    /// symptom s "…" match ""
    /// ```
    EmptyLiteral { at: SourceSpan },

    /// `any()` or `all()` with nothing inside.
    ///
    /// ```text
    /// symptom s "…" match any()
    /// ```
    EmptyRule { which: Text, at: SourceSpan },

    /// `all(…)` that requires a text and its absence at once.
    ///
    /// ```text
    /// symptom s "…" match all("开会", not("开会"))
    /// ```
    ContradictoryRule {
        literal: String,
        required: SourceSpan,
        forbidden: SourceSpan,
    },

    /// A rule that matches every tip.
    ///
    /// ```text
    /// symptom s "…" match not("天气")
    /// ```
    RuleMatchesEverything { at: SourceSpan, why: Text },

    /// `near(…)` with a side that is not a literal or an `any` of literals.
    ///
    /// ```text
    /// match near(not("a"), "b", 5)
    /// ```
    UnsupportedNearOperand { at: SourceSpan },

    /// The same words claimed by two categories of one campaign.
    ///
    /// ```text
    /// category a "…" { symptom x "…" match "开会" }
    /// category b "…" { symptom y "…" match "开会" }
    /// ```
    AmbiguousLiteral {
        literal: String,
        first_category: String,
        second_category: String,
        first: SourceSpan,
        second: SourceSpan,
    },

    /// An exclusion that fires for every tip.
    ///
    /// ```text
    /// exclude all when true reason "…"
    /// ```
    ExclusionAlwaysFires { name: String, at: SourceSpan },

    /// An exclusion that can never fire.
    ///
    /// ```text
    /// exclude none when real_name and not real_name reason "…"
    /// ```
    ExclusionNeverFires { name: String, at: SourceSpan },

    /// A channel value that does not look like what its kind needs.
    ///
    /// ```text
    /// channel email "tqsdyxb163.com"
    /// ```
    MalformedChannel {
        value: String,
        what: Text,
        help: Text,
        at: SourceSpan,
        kind: Text,
    },

    /// A regular expression that does not compile.
    ///
    /// ```text
    /// match regex("会议(")
    /// ```
    InvalidRegex { message: String, at: SourceSpan },

    /// A regular expression too large to run in bounded time and memory.
    ///
    /// ```text
    /// match regex(r"(\w{100}){100}")
    /// ```
    RegexTooLarge { at: SourceSpan },

    /// A division code that is not 6, 9 or 12 digits.
    ///
    /// ```text
    /// jurisdiction 5202 "六枝特区"
    /// ```
    InvalidRegionCode { code: String, at: SourceSpan },

    /// A number outside the range its place allows.
    ///
    /// ```text
    /// duty d "…" monthly by 32 to zxb
    /// ```
    NumberOutOfRange {
        text: String,
        expected: Text,
        at: SourceSpan,
    },

    /// A rule names a vocabulary that no loaded file declares.
    ///
    /// ```text
    /// symptom s "…" match vocabulary(留痕词)
    /// ```
    UndefinedVocabulary {
        name: String,
        at: SourceSpan,
        help: Text,
    },

    /// A vocabulary that no rule of any loaded campaign uses.
    ///
    /// ```text
    /// vocabulary 留痕 { "拍照", "录像" }   # never in vocabulary(留痕)
    /// ```
    UnusedVocabulary { name: String, at: SourceSpan },

    /// A vocabulary without a word: a rule that uses it can never match.
    ///
    /// ```text
    /// vocabulary 留痕 { }
    /// ```
    EmptyVocabulary { name: String, at: SourceSpan },

    /// An approximate phrase too long to compare character by character.
    ///
    /// ```text
    /// symptom s "…" match approx("……一百个字……")
    /// ```
    ApproxTooLong {
        length: usize,
        limit: usize,
        at: SourceSpan,
    },

    /// An approximate phrase so short for its similarity that a piece of it is one character,
    /// which would match wherever that character stands.
    ///
    /// ```text
    /// symptom s "…" match approx("拍照", 0.5)
    /// ```
    ApproxTooLoose {
        length: usize,
        similarity: f64,
        edits: usize,
        help: Text,
        at: SourceSpan,
    },

    /// A department nobody refers to.
    ///
    /// ```text
    /// department jw "纪委监委"    # never in a route or duty
    /// ```
    UnusedDepartment { name: String, at: SourceSpan },

    /// An example that lacks what a tip needs.
    ///
    /// ```text
    /// example "…" { expect no_match }
    /// ```
    IncompleteExample {
        name: String,
        missing: Arg,
        help: Text,
        at: SourceSpan,
    },

    /// Two concurrent campaigns send the same words to different departments.
    ///
    /// ```text
    /// # a.scheme: window 2022 …, region 520203, "开会" → 区委办
    /// # b.scheme: window 2022 …, region 520200, "开会" → 市委办
    /// ```
    ConflictingRoutes {
        literal: String,
        first_campaign: String,
        second_campaign: String,
        first_departments: String,
        second_departments: String,
        first: Option<SourceSpan>,
        second: SourceSpan,
    },

    /// A year's holidays given twice: in two calendar blocks, or in a block and the built-in
    /// table.
    ///
    /// ```text
    /// 节假日安排 2026 "…" { … }
    /// ```
    CalendarYearTwice {
        year: i32,
        help: Text,
        first: Option<SourceSpan>,
        second: SourceSpan,
    },

    /// A day that one entry makes a day off and another a working day.
    ///
    /// ```text
    /// 放假 国庆节 2027-10-01 至 2027-10-07
    /// 上班 国庆节 2027-10-07
    /// ```
    CalendarDayConflict {
        date: String,
        help: Text,
        first: Option<SourceSpan>,
        first_kind: Text,
        second: SourceSpan,
        second_kind: Text,
    },

    /// A holiday whose last day comes before its first.
    ///
    /// ```text
    /// 放假 春节 2027-02-12 至 2027-02-06
    /// ```
    CalendarRangeReversed {
        from: String,
        to: String,
        at: SourceSpan,
    },

    /// A holiday entry far from its block's year: most likely a typing slip in the year.
    ///
    /// ```text
    /// 节假日安排 2027 "…" { 放假 元旦 2026-01-01 }
    /// ```
    CalendarDateOutsideYear {
        date: String,
        year: i32,
        at: SourceSpan,
        block: SourceSpan,
    },

    /// A campaign window that reaches into a year with no holiday schedule yet: its
    /// working-day deadlines there are computed over weekends only, and marked provisional.
    ///
    /// ```text
    /// 起止 2026-06-01 至 2027-06-30
    /// ```
    WindowPastCalendar {
        year: i32,
        last: i32,
        at: SourceSpan,
    },

    /// An exclusion or priority rule that only tips outside the campaign's scope could meet:
    /// they are out of scope before the rule is tried.
    ///
    /// ```text
    /// scope { level "区级" }
    /// exclude e when subject.level == "市级" reason "…"
    /// ```
    UnreachableRule {
        what: Text,
        name: String,
        property: Text,
        values: String,
        accepted: String,
        at: SourceSpan,
        scope: SourceSpan,
    },
}

/// The word for a kind of declaration (`department`, `category`, …), in the reader's language.
pub(crate) fn kind_word(kind: &'static str) -> Text {
    Text::new(match kind {
        "campaign" => "word.campaign",
        "department" => "word.department",
        "field" => "word.field",
        "area" => "word.area",
        "category" => "word.category",
        "symptom" => "word.symptom",
        "exclusion" => "word.exclusion",
        "example" => "word.example",
        "vocabulary" => "word.vocabulary",
        "duty" => "word.duty",
        _ => "word.declaration",
    })
}

/// A statement's keyword, in both spellings (`title` / `标题`), as the reader's language puts
/// it first.
pub(crate) fn keyword(statement: &'static str) -> Text {
    Text::new(match statement {
        "title" => "kw.title",
        "issuer" => "kw.issuer",
        "jurisdiction" => "kw.jurisdiction",
        "announced" => "kw.announced",
        "window" => "kw.window",
        "channel" => "kw.channel",
        "scope" => "kw.scope",
        "route" => "kw.route",
        "text" => "kw.text",
        "received" => "kw.received",
        "reporter" => "kw.reporter",
        "subject" => "kw.subject",
        "expect" => "kw.expect",
        "any" => "kw.any",
        "all" => "kw.all",
        "near" => "kw.near",
        _ => "kw.statement",
    })
}

impl CheckError {
    /// Whether the problem stops the scheme from being used, or only deserves a look.
    pub fn severity(&self) -> Severity {
        match self {
            CheckError::EmptyTaxonomy { .. }
            | CheckError::RuleMatchesEverything { .. }
            | CheckError::AmbiguousLiteral { .. }
            | CheckError::ExclusionNeverFires { .. }
            | CheckError::MalformedChannel { .. }
            | CheckError::UnusedVocabulary { .. }
            | CheckError::UnusedDepartment { .. }
            | CheckError::ConflictingRoutes { .. }
            | CheckError::WindowPastCalendar { .. }
            | CheckError::UnreachableRule { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The problem in words, in `lang`.
    pub fn message(&self, lang: Lang) -> Message {
        lang::localize(self, "check", self.severity(), lang)
    }
}
