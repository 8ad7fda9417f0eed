//! Hostile and broken input: nothing leaks a reporter, nothing grows without bound, nothing
//! steers the terminal, every line number is true. Inputs are the files in `tests/hostile/`
//! or generated here where they cannot be files (an endless stream, a closed pipe).

use std::path::PathBuf;
use std::process::{Command, Stdio};

const LIUZHI: &str = "schemes/liuzhi-2022.scheme";

/// Reporter names and contacts that appear in the fixtures.
const SECRETS: [&str; 4] = ["王某", "李某", "13999990000", "13800000000"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    format!("tests/hostile/{name}")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn rectify(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the rectify binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect()
}

fn assert_no_secret(run: &Run, what: &str) {
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret),
            "{secret} leaked on stdout for {what}:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(secret),
            "{secret} leaked on stderr for {what}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn errors_in_records_never_quote_a_reporter_in_any_format() {
    for name in [
        "shifted-row.csv",
        "misquoted-cell.csv",
        "reporter-as-key.jsonl",
    ] {
        for format in ["jsonl", "table"] {
            let path = fixture(name);
            let run = rectify(&["eval", "-s", LIUZHI, "--format", format, &path]);
            assert_eq!(run.code, 1, "{name}: {}", run.stderr);
            assert_no_secret(&run, &format!("{name} as {format}"));
        }
    }
}

#[test]
fn a_row_of_the_wrong_shape_names_no_id() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("shifted-row.csv")]);
    let records = records(&run.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["line"], 2);
    assert!(records[0].get("tip").is_none(), "{}", records[0]);
    assert!(records[0]["error"].as_str().unwrap().contains("6 cells"));
}

#[test]
fn a_csv_without_a_header_row_is_refused_without_quoting_its_first_row() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("no-header.csv")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("column 1 of the header"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run, "a CSV without a header");
}

#[test]
fn a_failing_example_masks_its_reporter() {
    let dir = scheme_scratch("failing-reporter");
    let scheme = std::fs::read_to_string(root().join(LIUZHI))
        .unwrap()
        .replacen("预期 受理 文风会风", "预期 受理 执法越位", 1);
    assert!(
        scheme.contains("反映人 \"王某\""),
        "the Liuzhi examples name reporters"
    );
    let path = dir.join("liuzhi.scheme");
    std::fs::write(&path, &scheme).unwrap();
    let run = rectify(&["test", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAIL"));
    let names: Vec<&str> = scheme
        .lines()
        .filter_map(|line| line.trim().strip_prefix("反映人 \""))
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !name.trim().is_empty())
        .collect();
    assert!(!names.is_empty());
    assert!(run.stdout.contains("反映人 \"＊＊\""), "{}", run.stdout);
    for name in names {
        assert!(!run.stdout.contains(name), "{name} shown:\n{}", run.stdout);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_endless_line_ends_with_an_error_record_not_out_of_memory() {
    for input in ["jsonl", "csv"] {
        let run = rectify(&["eval", "-s", LIUZHI, "--input", input, "/dev/zero"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        // A CSV file's first record is its header, which cannot be that long.
        let stop = if input == "csv" {
            "header"
        } else {
            "without a line break"
        };
        assert!(run.stderr.contains(stop), "{input}: {}", run.stderr);
        assert!(!run.stderr.contains("memory allocation"));
        if input == "jsonl" {
            let records = records(&run.stdout);
            assert_eq!(records.len(), 1);
            assert!(
                records[0]["error"]
                    .as_str()
                    .unwrap()
                    .contains("longer than")
            );
        }
    }
}

#[test]
fn an_over_long_record_is_an_error_record_and_reading_resumes() {
    let dir = scratch("long-record");
    let path = dir.join("tips.jsonl");
    let long = "层".repeat(2000);
    std::fs::write(
        &path,
        format!(
            "{{\"id\":\"L1\",\"text\":\"{long}\",\"received\":\"2022-06-10\"}}\n{{\"id\":\"L2\",\"text\":\"某局层层开会\",\"received\":\"2022-06-10\"}}\n"
        ),
    )
    .unwrap();
    let csv = dir.join("tips.csv");
    std::fs::write(
        &csv,
        format!("id,text,received\nL1,\"{long}\n{long}\",2022-06-10\nL2,某局层层开会,2022-06-10\n"),
    )
    .unwrap();
    for path in [&path, &csv] {
        let run = rectify(&[
            "eval",
            "-s",
            LIUZHI,
            "--max-record-bytes",
            "1000",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let records = records(&run.stdout);
        assert_eq!(records.len(), 2, "{}", run.stdout);
        let first_line = if path.extension().is_some_and(|e| e == "csv") {
            2
        } else {
            1
        };
        assert_eq!(records[0]["line"], first_line);
        assert!(
            records[0]["error"]
                .as_str()
                .unwrap()
                .contains("longer than 1000 bytes")
        );
        assert_eq!(records[1]["tip"], "L2");
        assert!(records[1]["decisions"][0]["outcome"].is_string());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_refuses_an_endless_file_with_a_diagnostic() {
    let run = rectify(&["check", "/dev/zero"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("rectify::load::too_large"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_table_escapes_control_characters_and_bidirectional_overrides() {
    let run = rectify(&[
        "eval",
        "-s",
        LIUZHI,
        "--format",
        "table",
        "--explain",
        &fixture("control-characters.jsonl"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for forbidden in ['\u{1b}', '\r', '\u{7}', '\u{202e}'] {
        assert!(
            !run.stdout.contains(forbidden) && !run.stderr.contains(forbidden),
            "{forbidden:?} printed raw:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("\\u{1b}[2J"), "{}", run.stdout);
    assert!(
        !run.stdout.lines().any(|line| line.starts_with("FORGED")),
        "a line break in a cell starts no row:\n{}",
        run.stdout
    );
}

#[test]
fn diagnostics_escape_control_characters_in_schemes() {
    let dir = scheme_scratch("control-scheme");
    let path = dir.join("x.scheme");
    let scheme = std::fs::read_to_string(root().join(LIUZHI))
        .unwrap()
        .replace("责任 牵头 专项办", "责任 牵头 专项办\u{1b}[2J\u{202e}");
    std::fs::write(&path, scheme).unwrap();
    let run = rectify(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{202e}'), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_line_numbers_hold_after_blank_lines_and_lone_carriage_returns() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("line-numbers.csv")]);
    let records = records(&run.stdout);
    let tips: Vec<(u64, String)> = records
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["tip"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert_eq!(
        tips,
        [
            (4, "A1".to_string()),
            (7, "A2".to_string()),
            (8, "A3".to_string()),
            (9, "A4".to_string())
        ]
    );
    assert!(
        records[1]["error"]
            .as_str()
            .unwrap()
            .contains("`text` is not UTF-8")
    );
}

#[test]
fn an_empty_text_cell_is_a_tip_that_matches_nothing() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("empty-text.csv")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for record in records(&run.stdout) {
        assert!(record.get("error").is_none(), "{record}");
        assert!(record["decisions"][0]["outcome"].is_string());
    }
}

#[test]
fn a_byte_order_mark_alone_or_before_blank_lines_is_no_record() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("only-bom.jsonl")]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("0 records read"));
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("bom-then-blank.jsonl")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = records(&run.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0]["line"].as_u64(), records[0]["tip"].as_str()),
        (Some(3), Some("B1"))
    );
}

#[test]
fn dates_outside_four_digit_years_and_ids_past_u64_are_refused_plainly() {
    let run = rectify(&["eval", "-s", LIUZHI, &fixture("out-of-range.jsonl")]);
    assert_eq!(run.code, 1);
    let records = records(&run.stdout);
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("years 1000 to 9999")
    );
    assert!(
        records[1]["error"]
            .as_str()
            .unwrap()
            .contains("years 1000 to 9999")
    );
    assert!(records[2].get("tip").is_none(), "{}", records[2]);
    assert!(!run.stdout.contains("e+19"));
    assert_eq!(records[3]["tip"], "Y4");
    assert_eq!(records[3]["decisions"][0]["outcome"], "out_of_window");
}

#[test]
fn a_closed_standard_output_is_reported_with_the_summary() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(root())
        .args(["eval", "-s", LIUZHI, "tests/eval/liuzhi-tips.jsonl"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write the decisions"), "{stderr}");
    assert!(stderr.contains("records read"), "{stderr}");
}

#[test]
fn check_writes_json_for_files_it_cannot_read() {
    let dir = scratch("json-io");
    std::fs::write(dir.join("gbk.scheme"), b"\xd7\xa8\xcf\xee x {}\n").unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let cases = [
        ("no/such.scheme".to_string(), "rectify::load::unreadable"),
        (
            dir.join("gbk.scheme").display().to_string(),
            "rectify::load::not_utf8",
        ),
        (
            dir.join("empty").display().to_string(),
            "rectify::load::no_schemes",
        ),
    ];
    for (path, code) in cases {
        let run = rectify(&["check", "--format", "json", &path]);
        assert_eq!(run.code, 2, "{path}");
        let document: serde_json::Value =
            serde_json::from_str(&run.stdout).expect("check --format json always writes JSON");
        assert_eq!(document["errors"], 1);
        assert_eq!(document["diagnostics"][0]["code"], code, "{path}");
        assert_eq!(document["diagnostics"][0]["severity"], "error");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_link_in_a_scheme_directory_does_not_stop_the_others() {
    let dir = scheme_scratch("broken-link");
    std::fs::copy(root().join(LIUZHI), dir.join("liuzhi.scheme")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.join(".#liuzhi.scheme")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.join("notes.txt")).unwrap();
    let run = rectify(&["check", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("checked 2 files, 1 campaign"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn very_deep_nesting_gets_the_nesting_diagnostic() {
    let dir = scratch("deep");
    let path = dir.join("deep.scheme");
    let depth = 100_000;
    std::fs::write(
        &path,
        format!(
            "专项 x {{\n  标题 \"t\"\n  方面 a \"a\" {{ 类别 b \"b\" {{ 表现 c \"c\" 匹配 {}\"会\"{} }} }}\n}}\n",
            "任一(".repeat(depth),
            ")".repeat(depth)
        ),
    )
    .unwrap();
    let run = rectify(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        document["diagnostics"][0]["code"],
        "rectify::syntax::too_deep"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rectify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scratch directory holding the bundled shared vocabularies, which the bundled schemes use.
fn scheme_scratch(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::copy(
        root().join("schemes/common.vocab"),
        dir.join("common.vocab"),
    )
    .unwrap();
    dir
}

#[test]
fn an_id_too_long_to_be_one_is_refused_and_not_echoed() {
    let dir = scratch("long-id");
    let path = dir.join("tips.jsonl");
    let id = "编".repeat(100_000);
    std::fs::write(
        &path,
        format!("{{\"id\":\"{id}\",\"text\":\"某局层层开会\",\"received\":\"2022-06-10\"}}\n"),
    )
    .unwrap();
    let run = rectify(&["eval", "-s", LIUZHI, path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let records = records(&run.stdout);
    assert!(records[0].get("tip").is_none());
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("longer than 256 characters")
    );
    assert!(run.stdout.len() < 200, "the id is not written back");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scheme_diagnostics_mask_the_reporters_of_examples() {
    let dir = scheme_scratch("diagnostic-reporter");
    // A mistake right beside an example that names its reporter twice.
    let scheme = std::fs::read_to_string(root().join(LIUZHI))
        .unwrap()
        .replacen(
            "    反映人 \"王某\"\n",
            "    反映人 \"王某\"\n    反映人 \"李某 13999990000\"\n",
            1,
        );
    let path = dir.join("liuzhi.scheme");
    std::fs::write(&path, scheme).unwrap();
    for command in ["check", "test"] {
        let run = rectify(&[command, path.to_str().unwrap()]);
        assert_ne!(run.code, 0, "the second 反映人 is an error");
        assert!(run.stderr.contains("反映人"), "{}", run.stderr);
        assert_no_secret(&run, command);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn calendar_and_duty_lines_escape_control_characters() {
    let dir = scheme_scratch("calendar-escape");
    let calendar = dir.join("c.holidays");
    std::fs::write(
        &calendar,
        "节假日安排 2027 \"T\\u{1b}[31mRED\" {\n  放假 元旦 2027-01-01\n}\n"
            .replace("\\u{1b}", "\u{1b}"),
    )
    .unwrap();
    let run = rectify(&["calendar", "--calendar", calendar.to_str().unwrap(), "2027"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
    let scheme = std::fs::read_to_string(root().join("schemes/jinghai-2021-2023.scheme"))
        .unwrap()
        .replace("自查自纠问题线索处置", "自查自纠\u{1b}[2J问题线索处置");
    let path = dir.join("j.scheme");
    std::fs::write(&path, scheme).unwrap();
    let run = rectify(&["duties", "-s", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\\u{1b}[2J"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_given_as_the_tips_is_named_in_the_error() {
    for command in ["eval", "coverage"] {
        let run = rectify(&[command, "-s", LIUZHI, "tests/hostile"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("`tests/hostile` is a directory; name a file of tips"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn the_header_column_counts_the_original_characters_before_escaping() {
    // U+0085 is shown as a visible escape of another width; the column is still that of the
    // original text, as in the JSON form.
    let dir = scratch("header-column");
    let scheme = std::fs::read_to_string(root().join("tests/check/err/approx_too_loose.scheme"))
        .unwrap()
        .replace("symptom s \"拍照留痕\"", "symptom s \"拍照\u{85}留痕\"");
    let path = dir.join("x.scheme");
    std::fs::write(&path, scheme).unwrap();
    let path = path.to_str().unwrap();
    let human = rectify(&["check", path]);
    let json = rectify(&["check", "--format", "json", path]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let start = &report["diagnostics"][0]["labels"][0]["start"];
    let header = format!("x.scheme:{}:{}]", start["line"], start["column"]);
    assert!(
        human.stderr.contains(&header),
        "{header} in\n{}",
        human.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
