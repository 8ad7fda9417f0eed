//! The formatter's promises, over the bundled schemes, over schemes made at random and over
//! bundled schemes laid out at random: formatting is idempotent, gives the same syntax tree
//! (spans aside) and the same model, keeps every comment, and spelling the keywords in English
//! and back in Chinese gives the formatted original.

use proptest::prelude::*;

use super::*;
use crate::check::{SourceFile, check};

use crate::BUNDLED_FILES as BUNDLED;

fn bundled(path: &str) -> String {
    std::fs::read_to_string(path).expect("a bundled file")
}

/// A debug rendering with every byte position taken out.
fn without_spans(debug: String) -> String {
    let spans = regex::Regex::new(r"\d+\.\.\d+|verbatim_from: Some\(\d+\)").expect("pattern");
    spans.replace_all(&debug, "_").into_owned()
}

fn tree(source: &str) -> String {
    without_spans(format!("{:?}", syntax::parse(source).expect("parses")))
}

/// The model of `source`, checked with the shared vocabularies beside the bundled schemes.
fn model(source: &str) -> String {
    let files = [
        SourceFile {
            name: "a.scheme".into(),
            text: source.to_string(),
        },
        SourceFile {
            name: "common.vocab".into(),
            text: bundled("schemes/common.vocab"),
        },
    ];
    let checked = check(&files);
    let problems: Vec<String> = checked
        .problems
        .iter()
        .map(|problem| problem.message(Lang::En).code)
        .collect();
    without_spans(format!("{:?}\n{problems:?}", checked.model))
}

/// Asserts that two long renderings are equal, showing only where they part.
#[track_caller]
fn assert_same(left: &str, right: &str, what: &str) {
    if left == right {
        return;
    }
    let at = left
        .char_indices()
        .zip(right.chars())
        .find(|((_, a), b)| a != b)
        .map(|((at, _), _)| at)
        .unwrap_or(left.len().min(right.len()));
    let start = left.floor_char_boundary(at.saturating_sub(200));
    let end = |text: &str| text.floor_char_boundary((at + 200).min(text.len()));
    panic!(
        "{what} differs:\n  left: …{}…\n right: …{}…",
        &left[start..end(left)],
        &right[start.min(right.len())..end(right)]
    );
}

fn comments(source: &str) -> Vec<String> {
    syntax::tokens(source)
        .expect("parses")
        .into_iter()
        .filter(|token| token.kind == TokenKind::Comment)
        .map(|token| {
            source[token.span.start..token.span.end]
                .trim_end()
                .to_string()
        })
        .collect()
}

fn fmt(source: &str) -> String {
    format(source, Options::default()).expect("formats")
}

fn spelt(source: &str, lang: Lang) -> String {
    format(
        source,
        Options {
            keywords: Some(lang),
        },
    )
    .expect("formats")
}

/// Every promise but the round trip of spellings, which holds only for a file written in one
/// spelling.
fn assert_layout_promises(source: &str) {
    let once = fmt(source);
    assert_same(&fmt(&once), &once, "a second formatting");
    assert_same(&tree(&once), &tree(source), "the syntax tree");
    assert_eq!(comments(&once), comments(source), "every comment kept");
}

#[test]
fn the_bundled_files_keep_their_tree_model_and_comments() {
    for path in BUNDLED {
        let source = bundled(path);
        assert_layout_promises(&source);
        if path.ends_with(".scheme") {
            assert_same(&model(&fmt(&source)), &model(&source), path);
        }
        let english = spelt(&source, Lang::En);
        assert_eq!(
            spelt(&english, Lang::Zh),
            spelt(&source, Lang::Zh),
            "{path}"
        );
        if path.ends_with(".scheme") {
            // The same campaign for an English reader: only the spelling it explains back in
            // changes.
            assert_same(
                &model(&english).replace("keywords: En", "keywords: Zh"),
                &model(&source),
                path,
            );
        }
    }
}

/// White space between two tokens: none where the grammar allows it, else some, sometimes
/// with line breaks and a comment.
fn gap() -> impl Strategy<Value = (u8, bool)> {
    (0u8..6, prop::bool::weighted(0.05))
}

/// A bundled scheme's tokens laid out anew, with random white space and added comments.
fn relaid(source: &str, gaps: &[(u8, bool)]) -> String {
    let tokens = syntax::tokens(source).expect("parses");
    let mut out = String::new();
    for (index, token) in tokens.iter().enumerate() {
        let text = &source[token.span.start..token.span.end];
        let (spaces, comment) = gaps[index % gaps.len()];
        if index > 0 {
            let glued = matches!(
                token.kind,
                TokenKind::Separator | TokenKind::RParen | TokenKind::RBracket | TokenKind::Open
            ) || matches!(
                tokens[index - 1].kind,
                TokenKind::LParen | TokenKind::Separator
            );
            match spaces {
                0 if glued => {}
                0 | 1 => out.push(' '),
                2 => out.push_str("  "),
                3 => out.push('\n'),
                4 => out.push_str("\n\n"),
                _ => out.push_str("\n   \t"),
            }
        }
        out.push_str(text);
        if token.kind == TokenKind::Comment {
            out.push('\n');
        } else if comment {
            out.push_str(" # 说明\n");
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_bundled_scheme_laid_out_at_random_keeps_its_meaning(
        which in 0usize..5,
        gaps in prop::collection::vec(gap(), 1..64),
    ) {
        let source = relaid(&bundled(BUNDLED[which]), &gaps);
        assert_layout_promises(&source);
        if which < 4 {
            assert_same(&model(&fmt(&source)), &model(&source), "the model");
        }
    }
}

/// A match rule of depth at most `depth`, in Chinese.
fn rule(depth: u32) -> BoxedStrategy<String> {
    let literal = prop::sample::select(vec![
        "\"形式主义\"",
        "\"拍照留痕\"",
        "\"层层加码\"",
        "\"会议一个接一个\"",
        "\"重复填表\"",
        "“踢皮球”",
        "词表(留痕)",
        "正则(\"打卡\\\\d+次\")",
        "近似(\"拍照交差\", 0.8)",
    ])
    .prop_map(str::to_string);
    if depth == 0 {
        return literal.boxed();
    }
    let inner = rule(depth - 1);
    prop_oneof![
        2 => literal,
        1 => prop::collection::vec(inner.clone(), 1..14)
            .prop_map(|rules| format!("任一({})", rules.join(", "))),
        1 => prop::collection::vec(inner.clone(), 1..4)
            .prop_map(|rules| format!("全部（{}）", rules.join("、"))),
        1 => (inner.clone(), inner.clone(), 1u32..40)
            .prop_map(|(a, b, n)| format!("邻近({a}, {b}, {n})")),
        1 => inner.prop_map(|rule| format!("非({rule})")),
    ]
    .boxed()
}

/// A condition of an exclusion, in Chinese.
fn condition() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec![
        "实名",
        "非 实名",
        "缺少 内容",
        "字数(内容) < 10",
        "重复反映 相似度 0.5 同一对象 90 日内",
        "渠道 属于 [\"来信\", \"网络\"]",
        "(实名 或 缺少 对象)",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        atom.clone(),
        rule(2).prop_map(|rule| format!("提及 {rule}")),
        (atom.clone(), atom).prop_map(|(a, b)| format!("{a} 且 {b}")),
    ]
}

/// A whole campaign in Chinese, laid out badly.
fn campaign() -> impl Strategy<Value = String> {
    let symptoms = prop::collection::vec((rule(3), prop::bool::ANY), 1..4);
    let categories = prop::collection::vec(symptoms, 1..3);
    let areas = prop::collection::vec(categories, 1..3);
    (
        areas,
        prop::collection::vec(condition(), 0..3),
        prop::bool::ANY,
    )
        .prop_map(|(areas, exclusions, comment)| {
            let mut text = String::from("# 随机生成的专项\n专项 随机 {\n标题 \"随机专项\"\n");
            text.push_str(
                "起止 2024-01-01 至 2024年12月31日\n部门 zzb \"组织部\"\n责任 牵头 zzb\n",
            );
            text.push_str("报送 台账 \"台账\" 每月 20日前 至 zzb\n时限 答复 15 工作日 当 实名\n");
            let mut category = 0;
            for (a, categories) in areas.iter().enumerate() {
                text.push_str(&format!("方面 a{a} \"方面{a}\" {{\n"));
                for symptoms in categories {
                    category += 1;
                    text.push_str(&format!("  类别 c{category} \"类别{category}\" {{"));
                    for (s, (rule, long)) in symptoms.iter().enumerate() {
                        let wording = if *long {
                            "一条很长的正式表述,照录原文,写得比一行还要长一些,好看看换行".repeat(2)
                        } else {
                            "表述".to_string()
                        };
                        text.push_str(&format!(
                            " 表现 s{category}x{s} \"{wording}\" 匹配 {rule}\n"
                        ));
                        if comment {
                            text.push_str("# 表现之后的说明\n");
                        }
                    }
                    text.push_str("}\n");
                }
                text.push_str("}\n");
            }
            for (e, condition) in exclusions.iter().enumerate() {
                text.push_str(&format!("不予受理 e{e} 当 {condition} 理由 \"理由{e}\"\n"));
            }
            text.push_str(
                "示例 \"一条\" { 内容 \"形式主义\" 收到日期 2024-03-01 预期 受理 c1 }\n}\n",
            );
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_generated_scheme_keeps_its_meaning_and_spells_back(source in campaign()) {
        assert_layout_promises(&source);
        let once = fmt(&source);
        assert_same(&model(&once), &model(&source), "the model");
        let english = spelt(&once, Lang::En);
        prop_assert_eq!(spelt(&english, Lang::Zh), once);
    }
}

#[test]
fn the_built_in_fields_spelt_both_ways_are_the_fields_the_checker_knows() {
    for (english, chinese) in syntax::BUILT_IN_FIELDS {
        let (english, chinese) = (
            crate::check::builtin_path_name(english),
            crate::check::builtin_path_name(chinese),
        );
        assert!(english.is_some());
        assert_eq!(format!("{english:?}"), format!("{chinese:?}"));
    }
}
