//! The two catalogues: the same keys and placeholders in both, every diagnostic code worded in
//! both and shown by a fixture, and the language chosen as the user asked.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use rectify::lang::{Lang, placeholders};
use rectify::{SourceFile, check};

/// `key = template` lines of a catalogue, in order.
fn entries(lang: Lang) -> Vec<(&'static str, &'static str)> {
    lang.source()
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            line.split_once(" = ")
                .unwrap_or_else(|| panic!("{lang}: `{line}` is not `key = template`"))
        })
        .collect()
}

/// English plural endings (`record{s}`, `file{files_s}`) have no Chinese counterpart.
fn placeholder_set(template: &str, lang: Lang) -> BTreeSet<&str> {
    placeholders(template)
        .into_iter()
        .filter(|name| lang == Lang::Zh || !(*name == "s" || name.ends_with("_s")))
        .collect()
}

#[test]
fn both_catalogues_hold_the_same_keys_in_the_same_order() {
    let zh: Vec<&str> = entries(Lang::Zh).into_iter().map(|(k, _)| k).collect();
    let en: Vec<&str> = entries(Lang::En).into_iter().map(|(k, _)| k).collect();
    let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
    let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
    assert!(only_en.is_empty(), "not in zh.txt: {only_en:?}");
    assert!(only_zh.is_empty(), "not in en.txt: {only_zh:?}");
    assert_eq!(zh, en, "the keys are in the same order");
    let mut seen = BTreeSet::new();
    for key in &en {
        assert!(seen.insert(key), "`{key}` is given twice");
    }
}

#[test]
fn each_template_has_the_same_placeholders_in_both_languages() {
    let zh = entries(Lang::Zh);
    for (key, english) in entries(Lang::En) {
        let chinese = zh
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| *t)
            .unwrap_or_default();
        assert_eq!(
            placeholder_set(english, Lang::En),
            placeholder_set(chinese, Lang::Zh),
            "`{key}`: `{english}` / `{chinese}`"
        );
    }
}

/// Every file of the diagnostic fixtures, one set of files per fixture.
fn fixtures() -> Vec<Vec<SourceFile>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check");
    let read = |path: &Path| SourceFile {
        name: path.display().to_string(),
        text: std::fs::read_to_string(path).unwrap(),
    };
    let mut sets = Vec::new();
    for dir in ["err", "one"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        sets.extend(paths.iter().map(|p| vec![read(p)]));
    }
    let mut multi: Vec<_> = std::fs::read_dir(root.join("err_multi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    multi.sort();
    for dir in multi {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        sets.push(paths.iter().map(|p| read(p)).collect());
    }
    sets
}

/// A placeholder left unfilled, such as `{name}`.
fn unfilled(text: &str) -> Option<&str> {
    let open = text.find('{')?;
    let close = text[open..].find('}')? + open;
    let inner = &text[open + 1..close];
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .then_some(inner)
}

#[test]
fn every_diagnostic_code_is_worded_in_both_languages_and_has_a_fixture() {
    let mut shown = BTreeSet::new();
    for files in fixtures() {
        let checked = check(&files);
        for problem in &checked.problems {
            for lang in Lang::ALL {
                let message = problem.message(lang);
                shown.insert(message.code.clone());
                let stage_key = message.code.replace("rectify::", "").replace("::", ".");
                let texts = std::iter::once(message.message.as_str())
                    .chain(message.help.as_deref())
                    .chain(message.labels.iter().map(|(_, label)| label.as_str()));
                for text in texts {
                    assert!(
                        !text.starts_with(&stage_key),
                        "{}: {lang} has no words for `{text}`",
                        files[0].name
                    );
                    assert_eq!(
                        unfilled(text),
                        None,
                        "{}: a placeholder is left in `{text}`",
                        files[0].name
                    );
                }
            }
        }
    }
    let codes: BTreeSet<String> = entries(Lang::En)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| {
            let mut parts = key.split('.');
            matches!(parts.next(), Some("check" | "syntax")) && parts.count() == 1
        })
        .map(|key| format!("rectify::{}", key.replace('.', "::")))
        .collect();
    let missing: Vec<_> = codes.difference(&shown).collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

fn rectify(env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rectify"));
    for name in ["RECTIFY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(name);
    }
    let output = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the rectify binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

const BROKEN: &str = "tests/check/err/duplicate_department_id.scheme";

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let english = "the department id `office` is declared twice";
    let chinese = "部门标识 `office` 重复声明";
    for (env, expected) in [
        (vec![], english),
        (vec![("LANG", "zh_CN.UTF-8")], chinese),
        (vec![("LANG", "en_US.UTF-8")], english),
        (vec![("LANG", "C.UTF-8")], english),
        (
            vec![("LC_ALL", "zh_TW.UTF-8"), ("LANG", "en_US.UTF-8")],
            chinese,
        ),
        (vec![("LC_MESSAGES", "zh_CN.UTF-8")], chinese),
        (
            vec![("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")],
            english,
        ),
        (
            vec![("RECTIFY_LANG", "zh"), ("LANG", "en_US.UTF-8")],
            chinese,
        ),
        (
            vec![("RECTIFY_LANG", "en"), ("LC_ALL", "zh_CN.UTF-8")],
            english,
        ),
    ] {
        let (code, stderr) = rectify(&env, &["check", BROKEN]);
        assert_eq!(code, 1);
        assert!(stderr.contains(expected), "{env:?}: {stderr}");
    }
    let (_, stderr) = rectify(
        &[("LANG", "en_US.UTF-8")],
        &["--lang", "zh", "check", BROKEN],
    );
    assert!(stderr.contains(chinese), "{stderr}");
    assert!(stderr.contains("检查了 1 个文件"), "{stderr}");
    let (_, stderr) = rectify(
        &[("LANG", "zh_CN.UTF-8")],
        &["check", "--lang", "en", BROKEN],
    );
    assert!(stderr.contains(english), "{stderr}");
    assert!(stderr.contains("checked 1 file"), "{stderr}");
}

#[test]
fn an_unknown_language_is_refused() {
    let (code, stderr) = rectify(&[], &["--lang", "fr", "check", BROKEN]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`fr` is not a value --lang"), "{stderr}");
}

#[test]
fn usage_mistakes_are_told_in_the_chosen_language() {
    let (code, stderr) = rectify(&[("LANG", "zh_CN.UTF-8")], &["chekc", "schemes/"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("错误：没有 `chekc` 这个命令"), "{stderr}");
    assert!(stderr.contains("是不是想写：check"), "{stderr}");
    let (code, stderr) = rectify(
        &[("LANG", "zh_CN.UTF-8")],
        &["check", "--formt", "json", BROKEN],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("这个命令没有 `--formt` 选项"), "{stderr}");
    assert!(stderr.contains("用法："), "{stderr}");
    let (code, stderr) = rectify(&[], &["check", "--format", "xml", BROKEN]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`xml` is not a value --format"), "{stderr}");
    assert!(stderr.contains("it takes: human, json"), "{stderr}");
}

#[test]
fn decisions_give_their_reasons_in_the_chosen_language() {
    let tip = r#"{"id":"t1","text":"市某局层层开会，一个星期开了三次会，会议一个接一个，基层疲于应付","received":"2022-06-01","subject":{"name":"某商店","kind":"個體戶","region":"120118"}}"#;
    let run = |lang: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("RECTIFY_LANG", lang)
            .args(["eval", "--scheme", "schemes/jinghai-2021-2023.scheme", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(tip.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (english, english_summary) = run("en");
    let (chinese, chinese_summary) = run("zh");
    assert!(english.contains(r#""outcome":"out_of_scope""#), "{english}");
    assert!(chinese.contains(r#""outcome":"out_of_scope""#), "{chinese}");
    assert!(english.contains("the subject is a `個體戶`"), "{english}");
    assert!(chinese.contains("個體戶"), "{chinese}");
    assert!(!chinese.contains("the subject"), "{chinese}");
    assert!(
        english_summary.contains("1 record read"),
        "{english_summary}"
    );
    assert!(chinese_summary.contains("读取"), "{chinese_summary}");
}
