//! `rectify fmt`: the canonical layout of each fixture in `tests/fmt/`, keyword spelling, and
//! the command as a writer and CI use it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rectify::format::{FormatError, Options, format};
use rectify::lang::Lang;

fn formatted(path: &Path, keywords: Option<Lang>) -> String {
    let source = std::fs::read_to_string(path).unwrap();
    format(&source, Options { keywords }).unwrap_or_else(|error| panic!("{path:?}: {error:?}"))
}

#[test]
fn each_fixture_in_the_canonical_layout() {
    insta::glob!("fmt/*.scheme", |path| {
        let text = formatted(path, None);
        // A carriage return or a byte-order mark would not show in the snapshot.
        let shown = text.replace('\r', "␍").replace('\u{FEFF}', "␣BOM␣");
        insta::assert_snapshot!(shown);
        assert_eq!(
            format(&text, Options::default()).unwrap(),
            text,
            "idempotent"
        );
    });
}

#[test]
fn keywords_spelt_in_english_and_back_in_chinese() {
    insta::glob!("fmt/declarations.scheme", |path| {
        let english = formatted(path, Some(Lang::En));
        insta::assert_snapshot!(english);
        let chinese = format(
            &english,
            Options {
                keywords: Some(Lang::Zh),
            },
        )
        .unwrap();
        assert_eq!(chinese, formatted(path, Some(Lang::Zh)));
    });
}

#[test]
fn a_file_that_does_not_parse_gives_its_syntax_errors() {
    let error = format("专项 a { 标题 }", Options::default()).unwrap_err();
    let FormatError::Syntax(errors) = error else {
        panic!("{error:?}")
    };
    assert!(!errors.is_empty());
}

fn rectify(args: &[&str], dir: &Path, stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rectify binary runs");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rectify-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const MESSY: &str = "专项 a {\n标题   \"示例\"\n部门 zzb \"组织部\"\n}\n";
const TIDY: &str = "专项 a {\n  标题 \"示例\"\n  部门 zzb \"组织部\"\n}\n";

#[test]
fn the_bundled_schemes_are_in_the_canonical_layout() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, stderr) = rectify(&["fmt", "--check", "schemes/", "calendar/"], &root, None);
    assert_eq!(
        code, 0,
        "run `rectify fmt schemes/ calendar/`:\n{stdout}{stderr}"
    );
    assert!(stderr.contains("all in the canonical layout"), "{stderr}");
}

#[test]
fn fmt_rewrites_a_file_in_place_and_leaves_a_tidy_one_alone() {
    let dir = scratch("write");
    std::fs::write(dir.join("messy.scheme"), MESSY).unwrap();
    std::fs::write(dir.join("tidy.scheme"), TIDY).unwrap();
    let before = std::fs::metadata(dir.join("tidy.scheme"))
        .unwrap()
        .modified()
        .unwrap();
    let (code, _, stderr) = rectify(&["fmt", "."], &dir, None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.scheme")).unwrap(),
        TIDY
    );
    let after = std::fs::metadata(dir.join("tidy.scheme"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "a file already tidy is not written");
    assert_eq!(stderr, "2 files read: 1 reformatted\n");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "no temporary file is left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_names_the_files_that_would_change_and_fails() {
    let dir = scratch("check");
    std::fs::write(dir.join("messy.scheme"), MESSY).unwrap();
    std::fs::write(dir.join("tidy.scheme"), TIDY).unwrap();
    let (code, stdout, stderr) = rectify(&["fmt", "--check", "."], &dir, None);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "./messy.scheme: the layout would change\n2 files checked: 1 would change\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.scheme")).unwrap(),
        MESSY
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn diff_shows_the_change_without_writing() {
    let dir = scratch("diff");
    std::fs::write(dir.join("messy.scheme"), MESSY).unwrap();
    let (code, stdout, _) = rectify(&["fmt", "--diff", "messy.scheme"], &dir, None);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout, @r#"
    --- messy.scheme
    +++ messy.scheme
    @@ -1,4 +1,4 @@
     专项 a {
    -标题   "示例"
    -部门 zzb "组织部"
    +  标题 "示例"
    +  部门 zzb "组织部"
     }
    "#);
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.scheme")).unwrap(),
        MESSY
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn standard_input_is_formatted_onto_standard_output() {
    let dir = scratch("stdin");
    let (code, stdout, stderr) = rectify(&["fmt"], &dir, Some(MESSY));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, TIDY, ""));
    let (code, stdout, _) = rectify(&["fmt", "--keywords", "en", "-"], &dir, Some(MESSY));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "campaign a {\n  title \"示例\"\n  department zzb \"组织部\"\n}\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_does_not_parse_is_left_untouched_and_its_errors_shown() {
    let dir = scratch("broken");
    let broken = "专项 a {\n标题\n}\n";
    std::fs::write(dir.join("broken.scheme"), broken).unwrap();
    std::fs::write(dir.join("messy.scheme"), MESSY).unwrap();
    let (code, _, stderr) = rectify(&["fmt", "."], &dir, None);
    assert_eq!(code, 1);
    assert!(stderr.contains("rectify::syntax::"), "{stderr}");
    assert!(stderr.contains("broken.scheme:3:1"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.scheme")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("messy.scheme")).unwrap(),
        TIDY,
        "the other files are still formatted"
    );
    // Through a pipe, the text comes back as it was, so that an editor's buffer is kept.
    let (code, stdout, _) = rectify(&["fmt"], &dir, Some(broken));
    assert_eq!((code, stdout.as_str()), (1, broken));
    std::fs::remove_dir_all(&dir).unwrap();
}
