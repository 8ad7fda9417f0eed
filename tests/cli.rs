//! The command line itself: help that teaches, exit codes scripts can use, and the project's
//! own examples run through `rectify test`.

use std::path::PathBuf;
use std::process::Command;

fn rectify(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("the rectify binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn rectify_test_runs_every_example_of_the_bundled_schemes() {
    let (code, stdout, stderr) = rectify(&["test", "schemes/"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 80, "only {passed} examples ran");
    assert!(!stdout.contains("FAIL"));
}

#[test]
fn a_failing_example_shows_expected_and_actual_and_exits_one() {
    let dir = std::env::temp_dir().join(format!("rectify-failing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scheme = std::fs::read_to_string("schemes/liuzhi-2022.scheme")
        .unwrap()
        .replace("预期 受理 秀优越感", "预期 受理 执法越位");
    let path = dir.join("liuzhi.scheme");
    std::fs::write(&path, scheme).unwrap();
    std::fs::copy("schemes/common.vocab", dir.join("common.vocab")).unwrap();
    let (code, stdout, _) = rectify(&["test", "--filter", "老板", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let stdout = stdout.replace(path.to_str().unwrap(), "liuzhi.scheme");
    insta::assert_snapshot!(stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_scheme_named_alone_brings_the_shared_vocabularies_of_its_directory() {
    let (code, stdout, stderr) = rectify(&["check", "schemes/jixi-2023.scheme"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.ends_with("checked 2 files, 1 campaign: 0 errors, 0 warnings\n"),
        "{stderr}"
    );
    let (code, _, stderr) = rectify(&["check", "schemes/jixi-2023.scheme", "schemes/common.vocab"]);
    assert_eq!(code, 0, "naming the vocabulary too loads it once: {stderr}");
    assert!(stderr.contains("checked 2 files"), "{stderr}");
    let (code, _, stderr) = rectify(&[
        "check",
        "schemes/jixi-2023.scheme",
        "./schemes/common.vocab",
    ]);
    assert_eq!(code, 0, "however the vocabulary is spelled: {stderr}");
    assert!(stderr.contains("checked 2 files"), "{stderr}");
    let (code, _, stderr) = rectify(&["check", "schemes/jixi-2023.scheme", "schemes"]);
    assert_eq!(
        code, 0,
        "a scheme named and inside a named directory is read once: {stderr}"
    );
    assert!(stderr.contains("checked 5 files, 4 campaigns"), "{stderr}");
}

#[test]
fn help_names_every_command_and_teaches_by_example() {
    let (code, stdout, _) = rectify(&["--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn each_command_has_complete_help() {
    for command in [
        "check", "eval", "test", "calendar", "duties", "coverage", "report", "fmt", "lsp", "serve",
    ] {
        let (code, stdout, _) = rectify(&[command, "--help"]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("help_{command}"), stdout);
    }
}

#[test]
fn help_is_in_chinese_when_asked_for() {
    let (code, stdout, _) = rectify(&["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("help_zh", stdout);
    for command in [
        "check", "eval", "test", "calendar", "duties", "coverage", "report", "fmt", "lsp", "serve",
    ] {
        let (code, stdout, _) = rectify(&["--lang", "zh", command, "--help"]);
        assert_eq!(code, 0, "{command}");
        assert!(stdout.contains("用法："), "{command}: {stdout}");
        assert!(stdout.contains("显示帮助"), "{command}: {stdout}");
        // Every option's help is the catalogue's, none the English of its doc comment.
        for line in stdout.lines().filter(|l| l.starts_with("          ")) {
            assert!(
                line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                    || !line.trim().contains(' ')
                    || line.contains('`')
                    || line.contains("--"),
                "{command}: an English help line: {line}"
            );
        }
    }
}

#[test]
fn usage_mistakes_and_unreadable_files_exit_two() {
    let (code, _, stderr) = rectify(&["check"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = rectify(&["chekc", "schemes/"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = rectify(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read `no/such/dir`"), "{stderr}");
    let (code, _, stderr) = rectify(&[
        "eval",
        "--scheme",
        "schemes/",
        "--jobs",
        "0",
        "examples/tips.jsonl",
    ]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn the_sample_tips_reach_every_outcome_and_are_all_well_formed() {
    let (code, stdout, stderr) = rectify(&["eval", "--scheme", "schemes/", "examples/tips.jsonl"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().count() >= 30);
    for outcome in [
        "accepted",
        "excluded",
        "out_of_window",
        "out_of_scope",
        "no_match",
    ] {
        assert!(
            stdout.contains(&format!("\"outcome\":\"{outcome}\"")),
            "{outcome}"
        );
    }
    assert!(stderr.contains("0 rejected as malformed"));
}

#[test]
fn a_diagnostic_on_a_very_long_line_is_shown_in_words() {
    let dir = std::env::temp_dir().join(format!("rectify-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("long.scheme");
    std::fs::write(
        &path,
        format!("campaign x {{ title \"{}\" bogus }}\n", "a".repeat(70_000)),
    )
    .unwrap();
    let (code, _, stderr) = rectify(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        !stderr.contains("panicked"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    assert!(stderr.contains("expected a keyword or `}`, found `bogus`"));
    std::fs::remove_dir_all(&dir).unwrap();
}
