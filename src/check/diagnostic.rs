//! What the checker can find wrong with a scheme, one variant per problem.
//!
//! Messages follow one style: one sentence, lower case, no final period, the writer's own words
//! in backticks; the fix goes in the help line. Each variant's doc comment shows a small input
//! that triggers it; `tests/check/` has a fixture and snapshot for each.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem found while checking a scheme.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
// The fields are the parts of each message and its labels; the variant docs say what they are.
#[allow(missing_docs)]
pub enum CheckError {
    /// Two declarations share an id.
    ///
    /// ```text
    /// department zzb "区委组织部"
    /// department zzb "区委宣传部"
    /// ```
    #[error("the {kind} id `{name}` is declared twice")]
    #[diagnostic(
        code(rectify::check::duplicate_id),
        help("ids must be unique; rename one of them")
    )]
    DuplicateId {
        kind: &'static str,
        name: String,
        #[label("first declared here")]
        first: Option<SourceSpan>,
        #[label("declared again here")]
        second: SourceSpan,
    },

    /// A declared field named like a built-in one, or like a column of tip records.
    ///
    /// ```text
    /// field text: text
    /// ```
    #[error("`{name}` is the name of a built-in field or of a column of tip records")]
    #[diagnostic(
        code(rectify::check::reserved_field),
        help(
            "built-in fields need no declaration, and tip columns are taken; give your field another name"
        )
    )]
    ReservedField {
        name: String,
        #[label("already taken")]
        at: SourceSpan,
    },

    /// An area without categories, or a category without symptoms: nothing can match it.
    ///
    /// ```text
    /// category c "…" { }
    /// ```
    #[error("{what} `{name}` has no {missing}, so no tip can match it")]
    #[diagnostic(
        code(rectify::check::empty_taxonomy),
        severity(Warning),
        help("add its {missing} from the official text, or remove it")
    )]
    EmptyTaxonomy {
        what: &'static str,
        name: String,
        missing: &'static str,
        #[label("empty")]
        at: SourceSpan,
    },

    /// A statement that may appear once appears twice.
    ///
    /// ```text
    /// title "…"
    /// title "…"
    /// ```
    #[error("`{statement}` is given twice")]
    #[diagnostic(
        code(rectify::check::duplicate_statement),
        help("keep one `{statement}` statement")
    )]
    DuplicateStatement {
        statement: &'static str,
        #[label("first given here")]
        first: SourceSpan,
        #[label("given again here")]
        second: SourceSpan,
    },

    /// A required statement is missing.
    ///
    /// ```text
    /// campaign c { }   # no title, no window
    /// ```
    #[error("{owner} `{name}` has no `{statement}`")]
    #[diagnostic(code(rectify::check::missing_statement), help("{help}"))]
    MissingStatement {
        owner: &'static str,
        name: String,
        statement: &'static str,
        help: String,
        #[label("`{statement}` missing here")]
        at: SourceSpan,
    },

    /// A route or duty names a department that is not declared.
    ///
    /// ```text
    /// route lead zbb      # declared as zzb
    /// ```
    #[error("no department `{name}` is declared in this campaign")]
    #[diagnostic(code(rectify::check::undefined_department))]
    UndefinedDepartment {
        name: String,
        #[label("unknown department")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    /// A condition or example names a field that is neither built in nor declared.
    ///
    /// ```text
    /// exclude x when subject.levl == "省级" reason "…"
    /// ```
    #[error("no field `{name}` is built in or declared")]
    #[diagnostic(code(rectify::check::undefined_field))]
    UndefinedField {
        name: String,
        #[label("unknown field")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    /// An example expects a category that does not exist.
    ///
    /// ```text
    /// expect accepted c13
    /// ```
    #[error("no category `{name}` is declared in this campaign")]
    #[diagnostic(code(rectify::check::undefined_category))]
    UndefinedCategory {
        name: String,
        #[label("unknown category")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    /// An example expects an exclusion clause that does not exist.
    ///
    /// ```text
    /// expect exclude duplicat
    /// ```
    #[error("no exclusion `{name}` is declared in this campaign")]
    #[diagnostic(code(rectify::check::undefined_exclusion))]
    UndefinedExclusion {
        name: String,
        #[label("unknown exclusion")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    /// A value of one type is compared with a field of another.
    ///
    /// ```text
    /// exclude x when received == "昨天" reason "…"
    /// ```
    #[error("`{field}` is {expected}, but it is compared with {found}")]
    #[diagnostic(code(rectify::check::type_mismatch), help("write {expected_example}"))]
    TypeMismatch {
        field: String,
        expected: &'static str,
        expected_example: &'static str,
        found: &'static str,
        #[label("this is {expected}")]
        field_at: SourceSpan,
        #[label("this is {found}")]
        value_at: SourceSpan,
    },

    /// A value outside a closed list (a level, a channel, an enum field, a subject kind).
    ///
    /// ```text
    /// exclude x when subject.level == "县长级" reason "…"
    /// ```
    #[error("`{value}` is not a known {what}")]
    #[diagnostic(code(rectify::check::unknown_value))]
    UnknownValue {
        value: String,
        what: &'static str,
        #[help]
        help: String,
        #[label("not a known {what}")]
        at: SourceSpan,
    },

    /// An ordering comparison on a field that has no order, or a use that its type forbids.
    ///
    /// ```text
    /// exclude x when subject.name < "A" reason "…"
    /// ```
    #[error("`{field}` is {ty}, which {problem}")]
    #[diagnostic(code(rectify::check::invalid_operation), help("{help}"))]
    InvalidOperation {
        field: String,
        ty: &'static str,
        problem: &'static str,
        help: &'static str,
        #[label("not allowed for {ty}")]
        at: SourceSpan,
    },

    /// A date that does not exist.
    ///
    /// ```text
    /// announced 2023-02-30
    /// ```
    #[error("`{text}` is not a real date")]
    #[diagnostic(code(rectify::check::invalid_date), help("{help}"))]
    InvalidDate {
        text: String,
        help: String,
        #[label("no such date")]
        at: SourceSpan,
    },

    /// A window whose end comes before its start.
    ///
    /// ```text
    /// window 2022-12-31 to 2022-05-28
    /// ```
    #[error("the window ends on {end} but starts on {start}")]
    #[diagnostic(
        code(rectify::check::window_ends_before_start),
        help("swap the two dates, or correct the year")
    )]
    WindowEndsBeforeStart {
        start: String,
        end: String,
        #[label("starts here")]
        start_at: SourceSpan,
        #[label("ends before it starts")]
        end_at: SourceSpan,
    },

    /// Two windows of one campaign that overlap.
    ///
    /// ```text
    /// window 2022-01-01 to 2022-06-30
    /// window 2022-06-01 to 2022-12-31
    /// ```
    #[error("two windows of this campaign overlap ({overlap})")]
    #[diagnostic(
        code(rectify::check::overlapping_windows),
        help(
            "a tip must fall in one window only: make them meet end to start, or merge them into one"
        )
    )]
    OverlappingWindows {
        overlap: String,
        #[label("this window")]
        first: SourceSpan,
        #[label("overlaps this one")]
        second: SourceSpan,
    },

    /// `announcement` / `即日起` with no announcement date to refer to.
    ///
    /// ```text
    /// window 即日起 至 2022-12-31      # and no `公告日期`
    /// ```
    #[error("the window starts at the announcement, but the campaign has no announcement date")]
    #[diagnostic(
        code(rectify::check::missing_announcement_date),
        help("add `announced 2022-05-28` / `公告日期 2022-05-28`, or give the start date")
    )]
    MissingAnnouncementDate {
        #[label("starts at the announcement")]
        at: SourceSpan,
    },

    /// A category no department handles.
    ///
    /// ```text
    /// area a "…" { category c "…" { symptom s "…" match "x" } }   # and no route anywhere
    /// ```
    #[error("no department handles category `{name}`")]
    #[diagnostic(
        code(rectify::check::unrouted_category),
        help(
            "add `route lead DEPARTMENT` / `责任 牵头 部门` to the category, to its area, or to the campaign as the default"
        )
    )]
    UnroutedCategory {
        name: String,
        #[label("tips of this category would go nowhere")]
        at: SourceSpan,
        #[label("its area has no route either")]
        area: SourceSpan,
    },

    /// An empty literal.
    ///
    /// ```text
    /// symptom s "…" match ""
    /// ```
    #[error("the text to match is empty, so this rule can never match")]
    #[diagnostic(
        code(rectify::check::empty_literal),
        help("write the words to look for; white space and pinyin glosses do not count")
    )]
    EmptyLiteral {
        #[label("empty after normalisation")]
        at: SourceSpan,
    },

    /// `any()` or `all()` with nothing inside.
    ///
    /// ```text
    /// symptom s "…" match any()
    /// ```
    #[error("`{which}` lists no rules, so it can never match")]
    #[diagnostic(
        code(rectify::check::empty_rule),
        help("list the rules inside: {which}(\"…\", \"…\")")
    )]
    EmptyRule {
        which: &'static str,
        #[label("nothing inside")]
        at: SourceSpan,
    },

    /// `all(…)` that requires a text and its absence at once.
    ///
    /// ```text
    /// symptom s "…" match all("开会", not("开会"))
    /// ```
    #[error("this rule requires `{literal}` and forbids it at once, so it can never match")]
    #[diagnostic(
        code(rectify::check::contradictory_rule),
        help("remove one of the two, or move the `not` into a different symptom")
    )]
    ContradictoryRule {
        literal: String,
        #[label("requires it")]
        required: SourceSpan,
        #[label("forbids it")]
        forbidden: SourceSpan,
    },

    /// A rule that matches every tip.
    ///
    /// ```text
    /// symptom s "…" match not("天气")
    /// ```
    #[error("this rule matches nearly every tip")]
    #[diagnostic(
        code(rectify::check::rule_matches_everything),
        severity(Warning),
        help(
            "a symptom should require some words; combine `not(…)` with them: all(\"…\", not(\"…\"))"
        )
    )]
    RuleMatchesEverything {
        #[label("{why}")]
        at: SourceSpan,
        why: &'static str,
    },

    /// `near(…)` with a side that is not a literal or an `any` of literals.
    ///
    /// ```text
    /// match near(not("a"), "b", 5)
    /// ```
    #[error("each side of `near` must be a text, `any` of texts, or a vocabulary")]
    #[diagnostic(
        code(rectify::check::unsupported_near_operand),
        help(
            "write near(\"甲\", any(\"乙\", \"丙\"), 10) or near(vocabulary(留痕), \"台账\", 10)"
        )
    )]
    UnsupportedNearOperand {
        #[label("not a text")]
        at: SourceSpan,
    },

    /// The same words claimed by two categories of one campaign.
    ///
    /// ```text
    /// category a "…" { symptom x "…" match "开会" }
    /// category b "…" { symptom y "…" match "开会" }
    /// ```
    #[error("`{literal}` is claimed by categories `{first_category}` and `{second_category}`")]
    #[diagnostic(
        code(rectify::check::ambiguous_literal),
        severity(Warning),
        help(
            "a tip that mentions it is sent to both; make one rule more specific with all(…) or near(…)"
        )
    )]
    AmbiguousLiteral {
        literal: String,
        first_category: String,
        second_category: String,
        #[label("claimed by `{first_category}`")]
        first: SourceSpan,
        #[label("and by `{second_category}`")]
        second: SourceSpan,
    },

    /// An exclusion that fires for every tip.
    ///
    /// ```text
    /// exclude all when true reason "…"
    /// ```
    #[error("exclusion `{name}` fires for every tip")]
    #[diagnostic(
        code(rectify::check::exclusion_always_fires),
        help("no tip could ever be accepted; make the condition depend on the tip")
    )]
    ExclusionAlwaysFires {
        name: String,
        #[label("always true")]
        at: SourceSpan,
    },

    /// An exclusion that can never fire.
    ///
    /// ```text
    /// exclude none when real_name and not real_name reason "…"
    /// ```
    #[error("exclusion `{name}` can never fire")]
    #[diagnostic(
        code(rectify::check::exclusion_never_fires),
        severity(Warning),
        help("the clause has no effect; correct its condition or remove it")
    )]
    ExclusionNeverFires {
        name: String,
        #[label("never true")]
        at: SourceSpan,
    },

    /// A channel value that does not look like what its kind needs.
    ///
    /// ```text
    /// channel email "tqsdyxb163.com"
    /// ```
    #[error("`{value}` does not look like {what}")]
    #[diagnostic(
        code(rectify::check::malformed_channel),
        severity(Warning),
        help("{help}")
    )]
    MalformedChannel {
        value: String,
        what: &'static str,
        help: &'static str,
        #[label("check this {kind}")]
        at: SourceSpan,
        kind: &'static str,
    },

    /// A regular expression that does not compile.
    ///
    /// ```text
    /// match regex("会议(")
    /// ```
    #[error("invalid regular expression: {message}")]
    #[diagnostic(
        code(rectify::check::invalid_regex),
        help(
            "the syntax is that of the Rust `regex` crate; `\\p{{Han}}` matches a Chinese character"
        )
    )]
    InvalidRegex {
        message: String,
        #[label("{message}")]
        at: SourceSpan,
    },

    /// A regular expression too large to run in bounded time and memory.
    ///
    /// ```text
    /// match regex(r"(\w{100}){100}")
    /// ```
    #[error("this regular expression is too large to run fast on every tip")]
    #[diagnostic(
        code(rectify::check::regex_too_large),
        help(
            "large counted repetitions such as {{1000}} multiply its size; use literals with near(…) instead"
        )
    )]
    RegexTooLarge {
        #[label("too large")]
        at: SourceSpan,
    },

    /// A division code that is not 6, 9 or 12 digits.
    ///
    /// ```text
    /// jurisdiction 5202 "六枝特区"
    /// ```
    #[error("`{code}` is not an administrative division code")]
    #[diagnostic(
        code(rectify::check::invalid_region_code),
        help(
            "write the 6-digit GB/T 2260 code (520203 for 六枝特区), or a 9- or 12-digit township or village code"
        )
    )]
    InvalidRegionCode {
        code: String,
        #[label("not 6, 9 or 12 digits")]
        at: SourceSpan,
    },

    /// A number outside the range its place allows.
    ///
    /// ```text
    /// duty d "…" monthly by 32 to zxb
    /// ```
    #[error("`{text}` is out of range: {expected}")]
    #[diagnostic(code(rectify::check::number_out_of_range), help("write {expected}"))]
    NumberOutOfRange {
        text: String,
        expected: &'static str,
        #[label("out of range")]
        at: SourceSpan,
    },

    /// A rule names a vocabulary that no loaded file declares.
    ///
    /// ```text
    /// symptom s "…" match vocabulary(留痕词)
    /// ```
    #[error("no vocabulary `{name}` is declared in the loaded files")]
    #[diagnostic(code(rectify::check::undefined_vocabulary))]
    UndefinedVocabulary {
        name: String,
        #[label("unknown vocabulary")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    /// A vocabulary that no rule of any loaded campaign uses.
    ///
    /// ```text
    /// vocabulary 留痕 { "拍照", "录像" }   # never in vocabulary(留痕)
    /// ```
    #[error("vocabulary `{name}` is declared but no rule uses it")]
    #[diagnostic(
        code(rectify::check::unused_vocabulary),
        severity(Warning),
        help(
            "use it as `vocabulary({name})` / `词表({name})` in a rule, or remove it; a vocabulary shared by several schemes belongs in a file of its own (`*.vocab`)"
        )
    )]
    UnusedVocabulary {
        name: String,
        #[label("never used")]
        at: SourceSpan,
    },

    /// A vocabulary without a word: a rule that uses it can never match.
    ///
    /// ```text
    /// vocabulary 留痕 { }
    /// ```
    #[error("vocabulary `{name}` has no words")]
    #[diagnostic(
        code(rectify::check::empty_vocabulary),
        help("list its words in quotes: `vocabulary {name} {{ \"拍照\", \"录像\" }}`")
    )]
    EmptyVocabulary {
        name: String,
        #[label("no words")]
        at: SourceSpan,
    },

    /// An approximate phrase too long to compare character by character.
    ///
    /// ```text
    /// symptom s "…" match approx("……一百个字……")
    /// ```
    #[error("an approximate phrase may have at most {limit} characters, and this one has {length}")]
    #[diagnostic(
        code(rectify::check::approx_too_long),
        help(
            "approximate the few words that carry the meaning, and join several with `all(…)` or `near(…)`"
        )
    )]
    ApproxTooLong {
        length: usize,
        limit: usize,
        #[label("too long")]
        at: SourceSpan,
    },

    /// An approximate phrase so short for its similarity that a piece of it is one character,
    /// which would match wherever that character stands.
    ///
    /// ```text
    /// symptom s "…" match approx("拍照", 0.5)
    /// ```
    #[error(
        "`approx` of {length} characters at similarity {similarity} has an edit budget of {edits}, so it would match around any single character of it"
    )]
    #[diagnostic(code(rectify::check::approx_too_loose), help("{help}"))]
    ApproxTooLoose {
        length: usize,
        similarity: f64,
        edits: usize,
        help: String,
        #[label("too short for this similarity")]
        at: SourceSpan,
    },

    /// A department nobody refers to.
    ///
    /// ```text
    /// department jw "纪委监委"    # never in a route or duty
    /// ```
    #[error("department `{name}` is declared but never handles anything")]
    #[diagnostic(
        code(rectify::check::unused_department),
        severity(Warning),
        help("name it in a `route` or a `duty`, or remove it")
    )]
    UnusedDepartment {
        name: String,
        #[label("never used")]
        at: SourceSpan,
    },

    /// An example that lacks what a tip needs.
    ///
    /// ```text
    /// example "…" { expect no_match }
    /// ```
    #[error("example `{name}` has no `{missing}`")]
    #[diagnostic(code(rectify::check::incomplete_example), help("{help}"))]
    IncompleteExample {
        name: String,
        missing: String,
        help: String,
        #[label("add `{missing}` here")]
        at: SourceSpan,
    },

    /// Two concurrent campaigns send the same words to different departments.
    ///
    /// ```text
    /// # a.scheme: window 2022 …, region 520203, "开会" → 区委办
    /// # b.scheme: window 2022 …, region 520200, "开会" → 市委办
    /// ```
    #[error(
        "campaigns `{first_campaign}` and `{second_campaign}` both take tips that mention `{literal}`, and send them to different departments ({first_departments} / {second_departments})"
    )]
    #[diagnostic(
        code(rectify::check::conflicting_routes),
        severity(Warning),
        help(
            "their windows and regions overlap, so one tip is handled twice; agree on one route or narrow one campaign's rule"
        )
    )]
    ConflictingRoutes {
        literal: String,
        first_campaign: String,
        second_campaign: String,
        first_departments: String,
        second_departments: String,
        #[label("sent to {first_departments} here")]
        first: Option<SourceSpan>,
        #[label("sent to {second_departments} here")]
        second: SourceSpan,
    },

    /// A year's holidays given twice: in two calendar blocks, or in a block and the built-in
    /// table.
    ///
    /// ```text
    /// 节假日安排 2026 "…" { … }
    /// ```
    #[error("the holidays of {year} are given twice")]
    #[diagnostic(code(rectify::check::calendar_year_twice), help("{help}"))]
    CalendarYearTwice {
        year: i32,
        help: String,
        #[label("first given here")]
        first: Option<SourceSpan>,
        #[label("given again here")]
        second: SourceSpan,
    },

    /// A day that one entry makes a day off and another a working day.
    ///
    /// ```text
    /// 放假 国庆节 2027-10-01 至 2027-10-07
    /// 上班 国庆节 2027-10-07
    /// ```
    #[error("{date} is both a day off and a working day")]
    #[diagnostic(code(rectify::check::calendar_day_conflict), help("{help}"))]
    CalendarDayConflict {
        date: String,
        help: String,
        #[label("{first_kind} here")]
        first: Option<SourceSpan>,
        first_kind: &'static str,
        #[label("{second_kind} here")]
        second: SourceSpan,
        second_kind: &'static str,
    },

    /// A holiday whose last day comes before its first.
    ///
    /// ```text
    /// 放假 春节 2027-02-12 至 2027-02-06
    /// ```
    #[error("the days off end on {to}, before they start on {from}")]
    #[diagnostic(
        code(rectify::check::calendar_range_reversed),
        help("write the first day, then `至` / `to` and the last day")
    )]
    CalendarRangeReversed {
        from: String,
        to: String,
        #[label("ends before it starts")]
        at: SourceSpan,
    },

    /// A holiday entry far from its block's year: most likely a typing slip in the year.
    ///
    /// ```text
    /// 节假日安排 2027 "…" { 放假 元旦 2026-01-01 }
    /// ```
    #[error("{date} is not in or next to {year}, the year of this schedule")]
    #[diagnostic(
        code(rectify::check::calendar_date_outside_year),
        help(
            "a schedule's days lie in its year, or at its edges (元旦 may start on 12月31日 of the year before)"
        )
    )]
    CalendarDateOutsideYear {
        date: String,
        year: i32,
        #[label("outside {year}")]
        at: SourceSpan,
        #[label("the schedule for {year}")]
        block: SourceSpan,
    },

    /// A campaign window that reaches into a year with no holiday schedule yet: its
    /// working-day deadlines there are computed over weekends only, and marked provisional.
    ///
    /// ```text
    /// 起止 2026-06-01 至 2027-06-30
    /// ```
    #[error("the window reaches {year}, for which no holiday schedule is known yet")]
    #[diagnostic(
        code(rectify::check::window_past_calendar),
        severity(Warning),
        help(
            "the calendar knows the holidays up to {last}; once the State Council publishes {year}'s, add them with `节假日安排 {year} …` in a calendar file (`--calendar FILE`); until then, due dates there skip weekends only and are marked provisional"
        )
    )]
    WindowPastCalendar {
        year: i32,
        last: i32,
        #[label("reaches past {last}")]
        at: SourceSpan,
    },
}
