//! The keywords of the scheme language, each with its English and its Chinese spelling.
//!
//! Every keyword may be written either way; the two spellings mean the same. The formatter
//! rewrites one into the other and the language server explains them, both from this table.
//! It must stay in step with the `kw_*` rules of `grammar/scheme.pest` (a test compares them).

/// A keyword, whichever way it was spelt.
// Each variant is named for its English spelling; the table below gives both.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Campaign,
    Title,
    Issuer,
    Jurisdiction,
    Announced,
    Window,
    Announcement,
    To,
    Channel,
    Post,
    Email,
    Phone,
    Visit,
    Online,
    Postcode,
    Scope,
    Subjects,
    Levels,
    Region,
    Department,
    Field,
    Required,
    TextType,
    NumberType,
    DateType,
    BoolType,
    EnumType,
    Route,
    Lead,
    With,
    Area,
    Category,
    Symptom,
    Match,
    Any,
    All,
    Not,
    Near,
    Regex,
    Approx,
    Vocabulary,
    Exclude,
    When,
    Reason,
    And,
    Or,
    Mentions,
    Duplicate,
    Similarity,
    SameSubject,
    SameReporter,
    Missing,
    Length,
    In,
    True,
    False,
    Priority,
    High,
    Normal,
    Low,
    Deadline,
    Handle,
    Reply,
    Duty,
    Monthly,
    Example,
    Text,
    Received,
    Reporter,
    Anonymous,
    Subject,
    Kind,
    Expect,
    Holidays,
    Issued,
    Off,
    Workday,
    Accepted,
    OutOfWindow,
    OutOfScope,
    NoMatch,
    WorkingDays,
    Days,
}

/// Each keyword with its catalogue name, its English and its Chinese spelling.
const TABLE: &[(Keyword, &str, &str, &str)] = &[
    (Keyword::Campaign, "campaign", "campaign", "专项"),
    (Keyword::Title, "title", "title", "标题"),
    (Keyword::Issuer, "issuer", "issuer", "发布单位"),
    (
        Keyword::Jurisdiction,
        "jurisdiction",
        "jurisdiction",
        "辖区",
    ),
    (Keyword::Announced, "announced", "announced", "公告日期"),
    (Keyword::Window, "window", "window", "起止"),
    (
        Keyword::Announcement,
        "announcement",
        "announcement",
        "即日起",
    ),
    (Keyword::To, "to", "to", "至"),
    (Keyword::Channel, "channel", "channel", "渠道"),
    (Keyword::Post, "post", "post", "来信"),
    (Keyword::Email, "email", "email", "邮箱"),
    (Keyword::Phone, "phone", "phone", "电话"),
    (Keyword::Visit, "visit", "visit", "来访"),
    (Keyword::Online, "online", "online", "网络"),
    (Keyword::Postcode, "postcode", "postcode", "邮编"),
    (Keyword::Scope, "scope", "scope", "受理范围"),
    (Keyword::Subjects, "subjects", "subjects", "对象"),
    (Keyword::Levels, "levels", "level", "层级"),
    (Keyword::Region, "region", "region", "地区"),
    (Keyword::Department, "department", "department", "部门"),
    (Keyword::Field, "field", "field", "字段"),
    (Keyword::Required, "required", "required", "必填"),
    (Keyword::TextType, "text_type", "text", "文本"),
    (Keyword::NumberType, "number_type", "number", "数字"),
    (Keyword::DateType, "date_type", "date", "日期"),
    (Keyword::BoolType, "bool_type", "bool", "布尔"),
    (Keyword::EnumType, "enum_type", "enum", "枚举"),
    (Keyword::Route, "route", "route", "责任"),
    (Keyword::Lead, "lead", "lead", "牵头"),
    (Keyword::With, "with", "with", "配合"),
    (Keyword::Area, "area", "area", "方面"),
    (Keyword::Category, "category", "category", "类别"),
    (Keyword::Symptom, "symptom", "symptom", "表现"),
    (Keyword::Match, "match", "match", "匹配"),
    (Keyword::Any, "any", "any", "任一"),
    (Keyword::All, "all", "all", "全部"),
    (Keyword::Not, "not", "not", "非"),
    (Keyword::Near, "near", "near", "邻近"),
    (Keyword::Regex, "regex", "regex", "正则"),
    (Keyword::Approx, "approx", "approx", "近似"),
    (Keyword::Vocabulary, "vocabulary", "vocabulary", "词表"),
    (Keyword::Exclude, "exclude", "exclude", "不予受理"),
    (Keyword::When, "when", "when", "当"),
    (Keyword::Reason, "reason", "reason", "理由"),
    (Keyword::And, "and", "and", "且"),
    (Keyword::Or, "or", "or", "或"),
    (Keyword::Mentions, "mentions", "mentions", "提及"),
    (Keyword::Duplicate, "duplicate", "duplicate", "重复反映"),
    (Keyword::Similarity, "similarity", "similarity", "相似度"),
    (
        Keyword::SameSubject,
        "same_subject",
        "same subject",
        "同一对象",
    ),
    (
        Keyword::SameReporter,
        "same_reporter",
        "same reporter",
        "同一举报人",
    ),
    (Keyword::Missing, "missing", "missing", "缺少"),
    (Keyword::Length, "length", "length", "字数"),
    (Keyword::In, "in", "in", "属于"),
    (Keyword::True, "true", "true", "是"),
    (Keyword::False, "false", "false", "否"),
    (Keyword::Priority, "priority", "priority", "优先级"),
    (Keyword::High, "high", "high", "高"),
    (Keyword::Normal, "normal", "normal", "普通"),
    (Keyword::Low, "low", "low", "低"),
    (Keyword::Deadline, "deadline", "deadline", "时限"),
    (Keyword::Handle, "handle", "handle", "办理"),
    (Keyword::Reply, "reply", "reply", "答复"),
    (Keyword::Duty, "duty", "duty", "报送"),
    (Keyword::Monthly, "monthly", "monthly", "每月"),
    (Keyword::Example, "example", "example", "示例"),
    (Keyword::Text, "text", "text", "内容"),
    (Keyword::Received, "received", "received", "收到日期"),
    (Keyword::Reporter, "reporter", "reporter", "反映人"),
    (Keyword::Anonymous, "anonymous", "anonymous", "匿名"),
    (Keyword::Subject, "subject", "subject", "对象"),
    (Keyword::Kind, "kind", "kind", "类型"),
    (Keyword::Expect, "expect", "expect", "预期"),
    (Keyword::Holidays, "holidays", "holidays", "节假日安排"),
    (Keyword::Issued, "issued", "issued", "发布日期"),
    (Keyword::Off, "off", "off", "放假"),
    (Keyword::Workday, "workday", "workday", "上班"),
    (Keyword::Accepted, "accepted", "accepted", "受理"),
    (
        Keyword::OutOfWindow,
        "out_of_window",
        "out_of_window",
        "不在时间范围",
    ),
    (
        Keyword::OutOfScope,
        "out_of_scope",
        "out_of_scope",
        "不在受理范围",
    ),
    (Keyword::NoMatch, "no_match", "no_match", "未匹配"),
    (
        Keyword::WorkingDays,
        "working_days",
        "working days",
        "工作日",
    ),
    (Keyword::Days, "days", "days", "日"),
];

/// The fields every tip has, as a condition names them: English, then Chinese.
pub const BUILT_IN_FIELDS: [(&str, &str); 8] = [
    ("text", "内容"),
    ("received", "收到日期"),
    ("channel", "渠道"),
    ("real_name", "实名"),
    ("subject.name", "对象.名称"),
    ("subject.kind", "对象.类型"),
    ("subject.level", "对象.层级"),
    ("subject.region", "对象.地区"),
];

impl Keyword {
    /// Every keyword, in the order of the grammar.
    pub fn all() -> impl Iterator<Item = Keyword> {
        TABLE.iter().map(|(keyword, ..)| *keyword)
    }

    fn row(self) -> &'static (Keyword, &'static str, &'static str, &'static str) {
        // The table lists the variants in declaration order, one row each.
        &TABLE[self as usize]
    }

    /// The name of the keyword's entry in the catalogues (`keyword.NAME`).
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The English spelling.
    pub fn english(self) -> &'static str {
        self.row().2
    }

    /// The Chinese spelling.
    pub fn chinese(self) -> &'static str {
        self.row().3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `kw_*` rule of the grammar, with the spellings it accepts.
    fn grammar_keywords() -> Vec<(String, Vec<String>)> {
        let grammar = include_str!("../../grammar/scheme.pest");
        grammar
            .lines()
            .filter_map(|line| {
                let (name, body) = line.split_once("= @{")?;
                let name = name.trim().strip_prefix("kw_")?;
                let spellings = body
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .filter(|word| !word.trim().is_empty() && !word.starts_with('\\'))
                    .map(str::to_string)
                    .collect();
                Some((name.to_string(), spellings))
            })
            .collect()
    }

    #[test]
    fn the_table_spells_every_keyword_of_the_grammar_as_the_grammar_does() {
        let grammar = grammar_keywords();
        // `within` and `日内` are parts of a look-back (`within 90 days`, `90 日内`), which is
        // rewritten whole.
        let grammar: Vec<_> = grammar
            .into_iter()
            .filter(|(name, _)| name != "within" && name != "days_within")
            .collect();
        assert_eq!(
            grammar.len(),
            TABLE.len() - 2,
            "working days and days are not kw_ rules"
        );
        for ((name, spellings), keyword) in grammar.iter().zip(Keyword::all()) {
            assert_eq!(keyword.name(), name);
            let english: Vec<&str> = keyword.english().split(' ').collect();
            let expected: Vec<&str> = spellings[..spellings.len() - 1]
                .iter()
                .map(String::as_str)
                .collect();
            assert_eq!(english, expected, "{name}");
            assert_eq!(keyword.chinese(), spellings[spellings.len() - 1], "{name}");
        }
        for (index, keyword) in Keyword::all().enumerate() {
            assert_eq!(keyword as usize, index);
        }
    }
}
