//! `rectify check --deny-warnings` on small scheme files, one per diagnostic: each snapshot holds the source,
//! the diagnostic as a person sees it (plain, no colour) in English and in Chinese, and its JSON
//! form. `check/one/` holds one slip per file, each with the one diagnostic it must get.

use std::path::Path;
use std::process::Command;

fn rectify(dir: &Path, args: &[&str]) -> (i32, String, String) {
    rectify_in("en", dir, args)
}

fn rectify_in(lang: &str, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", lang)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the rectify binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

/// Every `╭─[file:line:column]` header of the human form names a file and a place where some
/// label of the JSON form starts: both count columns in characters.
fn assert_headers_match_json(human: &str, json: &str) {
    let report: serde_json::Value = serde_json::from_str(json).expect("the JSON form parses");
    let mut starts = Vec::new();
    for diagnostic in report["diagnostics"].as_array().into_iter().flatten() {
        for label in diagnostic["labels"].as_array().into_iter().flatten() {
            starts.push((diagnostic["file"].as_str(), label["start"].clone()));
        }
        for related in diagnostic["related"].as_array().into_iter().flatten() {
            starts.push((related["file"].as_str(), related["start"].clone()));
        }
    }
    for header in human.lines().filter_map(|l| l.split("╭─[").nth(1)) {
        let mut parts = header.trim_end_matches(']').rsplitn(3, ':');
        let column: u64 = parts.next().and_then(|c| c.parse().ok()).expect("a column");
        let line: u64 = parts.next().and_then(|l| l.parse().ok()).expect("a line");
        let file = parts.next().expect("a file");
        assert!(
            starts.iter().any(|(f, start)| *f == Some(file)
                && start["line"] == line
                && start["column"] == column),
            "header [{header} is at no label of the JSON form: {starts:?}"
        );
    }
}

fn report(dir: &Path, target: &str, sources: &[(String, String)]) -> String {
    let (code, _, human) = rectify(dir, &["check", "--deny-warnings", target]);
    let (json_code, json, _) = rectify(
        dir,
        &["check", "--deny-warnings", "--format", "json", target],
    );
    assert_eq!(code, json_code, "both formats exit alike");
    assert!(
        !human.contains("panicked"),
        "the checker panicked on {target}:\n{human}"
    );
    assert_headers_match_json(&human, &json);
    let (zh_code, _, chinese) = rectify_in("zh", dir, &["check", "--deny-warnings", target]);
    assert_eq!(code, zh_code, "both languages exit alike");
    assert_headers_match_json(&chinese, &json);
    let mut out = String::new();
    for (name, text) in sources {
        out.push_str(&format!("----- SOURCE CODE {name}\n{text}"));
    }
    out.push_str(&format!(
        "----- EXIT {code}\n----- ERROR\n{human}----- 中文\n{chinese}----- JSON\n{json}"
    ));
    out
}

/// The `# expect: CODE at LINE:COLUMN` first line of a fixture of `check/one/`.
fn expectation(text: &str) -> (String, u64, u64) {
    let line = text.lines().next().unwrap_or_default();
    let rest = line
        .strip_prefix("# expect: ")
        .expect("the fixture says what it expects");
    let (code, place) = rest.split_once(" at ").expect("CODE at LINE:COLUMN");
    let (line, column) = place.split_once(':').expect("LINE:COLUMN");
    (
        code.to_string(),
        line.parse().expect("a line"),
        column.parse().expect("a column"),
    )
}

#[test]
fn each_slip_gets_exactly_one_diagnostic_on_its_place() {
    insta::glob!("check/one/*.scheme", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let (code, line, column) = expectation(&text);
        let (_, json, _) = rectify(dir, &["check", "--format", "json", name]);
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        let diagnostics = document["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), 1, "{name}: one diagnostic, not {json}");
        assert_eq!(diagnostics[0]["code"], code.as_str(), "{name}");
        let labels = diagnostics[0]["labels"].as_array().unwrap();
        assert!(
            labels
                .iter()
                .any(|l| l["start"]["line"] == line && l["start"]["column"] == column),
            "{name}: no label starts at {line}:{column}: {json}"
        );
        insta::assert_snapshot!(report(dir, name, &[(name.to_string(), text)]));
    });
}

#[test]
fn every_bad_scheme_gets_its_diagnostic() {
    insta::glob!("check/err/*.scheme", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let out = report(dir, name, &[(name.to_string(), text)]);
        assert!(
            out.contains("----- EXIT 1"),
            "{name} must fail the check:\n{out}"
        );
        insta::assert_snapshot!(out);
    });
}

#[test]
fn diagnostics_across_files_point_into_both() {
    insta::glob!("check/err_multi/*", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut files: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|f| {
                (
                    format!("{name}/{}", f.file_name().unwrap().to_str().unwrap()),
                    std::fs::read_to_string(f).unwrap(),
                )
            })
            .collect();
        let out = report(dir, name, &sources);
        insta::assert_snapshot!(out);
    });
}

#[test]
fn good_schemes_check_clean() {
    insta::glob!("check/ok/*.scheme", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let (code, _, human) = rectify(dir, &["check", "--deny-warnings", name]);
        assert_eq!(code, 0, "{name}:\n{human}");
        assert!(
            human.ends_with("0 errors, 0 warnings\n"),
            "{name}:\n{human}"
        );
    });
}

#[test]
fn good_scheme_sets_check_clean() {
    insta::glob!("check/ok_multi/*", |path| {
        let mut files: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut args = vec!["check", "--deny-warnings"];
        args.extend(files.iter().map(String::as_str));
        let (code, _, human) = rectify(path, &args);
        assert_eq!(code, 0, "{}:\n{human}", path.display());
        assert!(
            human.ends_with("0 errors, 0 warnings\n"),
            "{}:\n{human}",
            path.display()
        );
    });
}
