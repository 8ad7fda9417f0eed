//! The words rectify says to people, in Chinese and in English.
//!
//! Every sentence a person reads — a diagnostic's message, labels and help, a reason in a
//! decision, a line of a summary — is a [`Text`]: a key into the catalogue and the values that
//! fill its placeholders. It is put into words only at the edge, in the reader's [`Lang`], from
//! one catalogue per language (`zh.txt`, `en.txt` beside this file). Codes, JSON keys and
//! outcome names are identifiers, not words, and never pass through here.
//!
//! A catalogue line is `key = template`; `{name}` in a template is replaced by the argument
//! `name`, `{{` and `}}` stand for braces, `\n` for a line break and `\\` for a backslash, and
//! lines starting with `#` are comments. Both
//! catalogues hold the same keys with the same placeholders (`tests/lang.rs` checks it).
//!
//! This module knows nothing of schemes or tips; it must not decide anything.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

mod message;

pub use message::{Message, localize};

/// A language rectify speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文 (简体).
    #[default]
    Zh,
    /// English.
    En,
}

const ZH: &str = include_str!("zh.txt");
const EN: &str = include_str!("en.txt");

impl Lang {
    /// Both languages, Chinese first.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// `zh` or `en` (and their regional forms, `zh-CN`, `zh_TW.UTF-8`, `en_US`), as written in
    /// `--lang`, `RECTIFY_LANG` or a locale variable.
    pub fn parse(text: &str) -> Option<Lang> {
        let text = text.trim().to_ascii_lowercase();
        let primary = text.split(['-', '_', '.', '@']).next().unwrap_or("");
        match primary {
            "zh" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "english" | "c" | "posix" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a process should speak, from its environment: `RECTIFY_LANG` when set,
    /// otherwise the first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set — Chinese for a
    /// `zh…` locale, English for any other — and English when none is.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        if let Some(lang) = var("RECTIFY_LANG").and_then(|v| Lang::parse(&v)) {
            return lang;
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name).filter(|value| !value.is_empty()))
            .next()
            .map_or(Lang::En, |locale| {
                if Lang::parse(&locale) == Some(Lang::Zh) {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
    }

    /// The code of the language, `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The template of `key`; the key itself when the catalogue lacks it, which the catalogue
    /// test forbids.
    pub fn template(self, key: &str) -> &str {
        catalogue(self)
            .get(key)
            .or_else(|| catalogue(Lang::En).get(key))
            .map_or(key, String::as_str)
    }

    /// The text of a key without arguments.
    pub fn word(self, key: &str) -> &str {
        self.template(key)
    }

    /// Every entry whose key starts with `prefix`, in catalogue order: the texts a page shows,
    /// handed to it whole.
    pub fn entries(self, prefix: &str) -> Vec<(&'static str, &'static str)> {
        let map = catalogue(self);
        parse(source(self))
            .into_iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .filter_map(|(key, _)| Some((key, map.get(key)?.as_str())))
            .collect()
    }

    /// The catalogue of this language as written, for tests and tools.
    pub fn source(self) -> &'static str {
        source(self)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => ZH,
        Lang::En => EN,
    }
}

/// Keys are the catalogue's own, not what a user wrote, so a fast hash needs no defence
/// against chosen keys; a decision's reason looks its text up for every tip.
fn catalogue(lang: Lang) -> &'static FxHashMap<&'static str, String> {
    static ZH_MAP: OnceLock<FxHashMap<&'static str, String>> = OnceLock::new();
    static EN_MAP: OnceLock<FxHashMap<&'static str, String>> = OnceLock::new();
    let cell = match lang {
        Lang::Zh => &ZH_MAP,
        Lang::En => &EN_MAP,
    };
    cell.get_or_init(|| {
        parse(source(lang))
            .into_iter()
            .map(|(key, template)| (key, unescape(template)))
            .collect()
    })
}

/// A template with its backslash escapes (`\n`, `\\`) read.
fn unescape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                chars.next();
                out.push('\n');
            }
            ('\\', Some('\\')) => {
                chars.next();
                out.push('\\');
            }
            (other, _) => out.push(other),
        }
    }
    out
}

fn parse(source: &'static str) -> Vec<(&'static str, &'static str)> {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let (key, template) = line.split_once(" = ")?;
            Some((key.trim(), template))
        })
        .collect()
}

/// The placeholders of a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if rest[open + 1..].starts_with('{') {
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    names
}

/// Fills a template's placeholders from `args`; a placeholder without an argument stays as
/// written.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let values: usize = args.iter().map(|(_, value)| value.len()).sum();
    let mut out = String::with_capacity(template.len() + values);
    // Copied a stretch at a time, between braces: decisions of every tip outside a campaign's
    // scope are put in words here.
    let mut rest = template;
    // Braces are ASCII: a byte search finds them without decoding the characters between.
    while let Some(at) = rest.bytes().position(|b| b == b'{' || b == b'}') {
        out.push_str(&rest[..at]);
        let brace = &rest[at..at + 1];
        let after = &rest[at + 1..];
        if after.starts_with(brace) {
            out.push_str(brace);
            rest = &after[1..];
            continue;
        }
        if brace == "}" {
            out.push('}');
            rest = after;
            continue;
        }
        let Some(close) = after.find('}') else {
            out.push('{');
            rest = after;
            continue;
        };
        let name = &after[..close];
        match args.iter().find(|(arg, _)| *arg == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A sentence for a person, not yet in words: a catalogue key and its arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Text {
    #[serde(rename = "$text")]
    key: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<(&'static str, Arg)>,
}

/// A value that fills a placeholder: the writer's own words, shown as they are, or a text of
/// the catalogue, put into the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Arg {
    /// Shown as it is.
    Plain(String),
    /// Put into words in the reader's language.
    Text(Text),
}

impl From<String> for Arg {
    fn from(value: String) -> Arg {
        Arg::Plain(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Arg {
        Arg::Plain(value.to_string())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Arg {
        Arg::Plain(value.clone())
    }
}

impl From<Text> for Arg {
    fn from(value: Text) -> Arg {
        Arg::Text(value)
    }
}

macro_rules! arg_from_number {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Arg {
            fn from(value: $ty) -> Arg {
                Arg::Plain(value.to_string())
            }
        }
    )*};
}
arg_from_number!(usize, u32, u64, i32, i64, f64);

impl Text {
    /// The text of `key`, with no arguments yet.
    pub fn new(key: &'static str) -> Text {
        Text {
            key,
            args: Vec::new(),
        }
    }

    /// Adds the argument `name`.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Text {
        self.args.push((name, value.into()));
        self
    }

    /// The catalogue key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// Whether this text or one of its arguments is the text of `key`.
    pub fn mentions(&self, key: &str) -> bool {
        self.key == key
            || self
                .args
                .iter()
                .any(|(_, arg)| matches!(arg, Arg::Text(text) if text.mentions(key)))
    }

    /// The text in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let values: Vec<(&str, Cow<str>)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Plain(text) => Cow::Borrowed(text.as_str()),
                    Arg::Text(text) => Cow::Owned(text.render(lang)),
                };
                (*name, value)
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = values
            .iter()
            .map(|(name, value)| (*name, value.as_ref()))
            .collect();
        fill(lang.template(self.key), &borrowed)
    }
}

impl Arg {
    /// The value in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Arg::Plain(text) => text.clone(),
            Arg::Text(text) => text.render(lang),
        }
    }
}

/// `a, b, c` (`a、b、c`), in the reader's language.
pub(crate) fn comma_list(items: Vec<Text>) -> Text {
    let mut items = items.into_iter();
    let Some(first) = items.next() else {
        return Text::new("list.empty");
    };
    items.fold(first, |init, next| {
        Text::new("list.comma")
            .with("init", init)
            .with("next", next)
    })
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_are_filled_and_the_words_around_them_kept() {
        assert_eq!(
            fill(
                "对象所在地区为 {region}，不在 {accepted} 范围内",
                &[("region", "520203"), ("accepted", "520201、520202")]
            ),
            "对象所在地区为 520203，不在 520201、520202 范围内"
        );
        assert_eq!(fill("{a}{a}{b}", &[("a", "x"), ("b", "")]), "xx");
    }

    #[test]
    fn doubled_braces_are_braces_and_unknown_or_open_placeholders_stay_as_written() {
        assert_eq!(fill("{{a}} {a}", &[("a", "1")]), "{a} 1");
        assert_eq!(fill("{missing} and {a}", &[("a", "1")]), "{missing} and 1");
        assert_eq!(fill("a } b", &[]), "a } b");
        assert_eq!(fill("open { here", &[("here", "1")]), "open { here");
        assert_eq!(fill("{a{b}", &[("a{b", "odd")]), "odd");
        assert_eq!(fill("", &[("a", "1")]), "");
    }
}
