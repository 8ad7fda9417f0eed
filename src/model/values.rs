//! Closed vocabularies: administrative levels, intake channels, priorities. Each has an
//! English and a Chinese spelling; tips and schemes may use either.

use std::fmt;

/// An administrative level (层级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 中央.
    Central,
    /// 省级.
    Province,
    /// 市级 (prefecture).
    Prefecture,
    /// 县级; a city district or a 特区 is at this level, so 区级 is the same.
    County,
    /// 乡级 (township, town, street office).
    Township,
    /// 村级 (village, residential community).
    Village,
}

impl Level {
    /// Every level, highest first.
    pub const ALL: [Level; 6] = [
        Level::Central,
        Level::Province,
        Level::Prefecture,
        Level::County,
        Level::Township,
        Level::Village,
    ];

    /// Reads a level in either language.
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text.trim() {
            "中央" | "central" => Level::Central,
            "省级" | "省" | "province" => Level::Province,
            "市级" | "地级" | "市" | "prefecture" => Level::Prefecture,
            "县级" | "区级" | "县" | "区" | "county" => Level::County,
            "乡级" | "镇级" | "乡镇" | "街道" | "township" => Level::Township,
            "村级" | "社区" | "村" | "village" => Level::Village,
            _ => return None,
        })
    }

    /// The Chinese name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Central => "中央",
            Level::Province => "省级",
            Level::Prefecture => "市级",
            Level::County => "县级",
            Level::Township => "乡级",
            Level::Village => "村级",
        }
    }

    /// Spellings for suggestions.
    pub const SPELLINGS: &'static [&'static str] = &[
        "中央",
        "省级",
        "市级",
        "地级",
        "县级",
        "区级",
        "乡级",
        "镇级",
        "街道",
        "村级",
        "社区",
        "central",
        "province",
        "prefecture",
        "county",
        "township",
        "village",
    ];
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a tip reached the campaign (反映渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// 来信.
    Post,
    /// 邮箱.
    Email,
    /// 电话.
    Phone,
    /// 来访.
    Visit,
    /// 网络.
    Online,
}

impl ChannelKind {
    /// Reads a channel in either language.
    pub fn parse(text: &str) -> Option<ChannelKind> {
        Some(match text.trim() {
            "post" | "来信" | "信函" => ChannelKind::Post,
            "email" | "邮箱" | "电子邮箱" | "电子邮件" => ChannelKind::Email,
            "phone" | "电话" => ChannelKind::Phone,
            "visit" | "来访" => ChannelKind::Visit,
            "online" | "网络" | "网上" => ChannelKind::Online,
            _ => return None,
        })
    }

    /// The English name, as in output records.
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Post => "post",
            ChannelKind::Email => "email",
            ChannelKind::Phone => "phone",
            ChannelKind::Visit => "visit",
            ChannelKind::Online => "online",
        }
    }

    /// The channel's Chinese name, as a scheme in Chinese writes it.
    pub fn chinese(self) -> &'static str {
        match self {
            ChannelKind::Post => "来信",
            ChannelKind::Email => "邮箱",
            ChannelKind::Phone => "电话",
            ChannelKind::Visit => "来访",
            ChannelKind::Online => "网络",
        }
    }

    /// Spellings for suggestions.
    pub const SPELLINGS: &'static [&'static str] = &[
        "post", "email", "phone", "visit", "online", "来信", "邮箱", "电话", "来访", "网络",
    ];
}

/// How urgently a tip is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// 高: handled first (the seeds' 优先办理 for real-name tips).
    High,
    /// 普通.
    Normal,
    /// 低.
    Low,
}

impl Priority {
    /// The English name, as in output records.
    pub fn name(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }
}
