//! `rectify eval` end to end: every outcome, malformed records, confidentiality, formats,
//! repeats, and byte-identical output whatever the number of jobs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn rectify(args: &[&str]) -> Run {
    rectify_with_input(args, None)
}

fn rectify_with_input(args: &[&str], input: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rectify binary runs");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

const LIUZHI: &str = "schemes/liuzhi-2022.scheme";
const TIPS: &str = "tests/eval/liuzhi-tips.jsonl";

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect()
}

fn non_blank_lines(path: &str) -> usize {
    std::fs::read_to_string(root().join(path))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn decisions_against_liuzhi_reach_every_outcome() {
    let run = rectify(&["eval", "--scheme", LIUZHI, TIPS]);
    assert_eq!(run.code, 1, "some records are malformed: {}", run.stderr);
    let records = records(&run.stdout);
    assert_eq!(
        records.len(),
        non_blank_lines(TIPS),
        "one output record per input record"
    );
    let outcomes: Vec<&str> = records
        .iter()
        .filter_map(|r| r["decisions"][0]["outcome"].as_str())
        .collect();
    for outcome in [
        "accepted",
        "excluded",
        "out_of_window",
        "out_of_scope",
        "no_match",
    ] {
        assert!(outcomes.contains(&outcome), "no tip reached {outcome}");
    }
    let lines: Vec<u64> = records
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "output keeps input order"
    );
    insta::assert_json_snapshot!(records);
    insta::assert_snapshot!("liuzhi_summary", run.stderr);
}

#[test]
fn the_table_format_shows_one_row_per_tip_and_campaign() {
    let run = rectify(&["eval", "--scheme", LIUZHI, "--format", "table", TIPS]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_says_why_each_rule_fired_or_not() {
    let tips = std::fs::read_to_string(root().join(TIPS)).unwrap();
    let some: String = tips.lines().take(2).map(|l| format!("{l}\n")).collect();
    let run = rectify_with_input(
        &["eval", "--scheme", LIUZHI, "--explain", "--format", "table"],
        Some(&some),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn reporters_stay_confidential_unless_asked_for() {
    for args in [
        vec!["eval", "--scheme", LIUZHI, TIPS],
        vec!["eval", "--scheme", LIUZHI, "--explain", TIPS],
        vec![
            "eval",
            "--scheme",
            LIUZHI,
            "--format",
            "table",
            "--explain",
            TIPS,
        ],
    ] {
        let run = rectify(&args);
        for secret in ["张某", "13900000000", "王某", "0858-0000000", "李某"] {
            assert!(
                !run.stdout.contains(secret),
                "{secret} leaked with {args:?}"
            );
            assert!(
                !run.stderr.contains(secret),
                "{secret} leaked with {args:?}"
            );
        }
        assert!(run.stdout.contains("real_name") || args.contains(&"table"));
    }
    let run = rectify(&["eval", "--scheme", LIUZHI, "--include-reporter", TIPS]);
    let first = &records(&run.stdout)[0];
    assert_eq!(first["real_name"], true);
    assert_eq!(first["reporter"]["name"], "张某");
    assert_eq!(first["reporter"]["contact"], "13900000000");
}

#[test]
fn output_is_byte_identical_across_runs_and_jobs() {
    let scheme_dir = "schemes";
    let one = rectify(&["eval", "--scheme", scheme_dir, TIPS]);
    let again = rectify(&["eval", "--scheme", scheme_dir, TIPS]);
    let four = rectify(&["eval", "--scheme", scheme_dir, "--jobs", "4", TIPS]);
    assert_eq!(one.stdout, again.stdout);
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(one.stderr, four.stderr);
}

#[test]
fn csv_rows_with_the_wrong_number_of_cells_are_reported_and_the_rest_evaluated() {
    let path = "tests/eval/liuzhi-tips.csv";
    let run = rectify(&["eval", "--scheme", LIUZHI, path]);
    assert_eq!(run.code, 1);
    let records = records(&run.stdout);
    assert_eq!(
        records.len(),
        non_blank_lines(path) - 1,
        "one record per row below the header"
    );
    let broken = records.iter().find(|r| r["line"] == 8).unwrap();
    assert!(broken["error"].as_str().unwrap().contains("3 cells"));
    assert!(
        broken.get("tip").is_none(),
        "a row of the wrong shape names no id: its cells may be shifted"
    );
    assert_eq!(records[0]["line"], 2, "lines count from the header");
    assert_eq!(
        records.last().unwrap()["decisions"][0]["outcome"],
        "excluded"
    );
}

#[test]
fn a_tip_repeating_one_in_the_history_is_excluded_and_names_it() {
    let run = rectify(&[
        "eval",
        "--scheme",
        LIUZHI,
        "--history",
        "tests/eval/history.jsonl",
        "tests/eval/after-history.jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record = &records(&run.stdout)[0];
    let decision = &record["decisions"][0];
    assert_eq!(decision["exclusion"], "重复反映");
    assert_eq!(decision["repeats"]["tip"], "H-2022-0117");
    assert_eq!(decision["repeats"]["history"], true);
    assert!(run.stderr.contains("history: 1 tip loaded, 0 malformed"));
}

#[test]
fn tips_can_come_from_standard_input() {
    let tip = r#"{"id":"S1","text":"特区某局一名干部上班时间经常溜岗,迟到早退,群众来办事常常找不到人。","received":"2022-06-20","subject":{"name":"特区某局","region":"520203"}}"#;
    let run = rectify_with_input(
        &["eval", "--scheme", LIUZHI, "-"],
        Some(&format!("{tip}\n\n")),
    );
    assert_eq!(run.code, 0);
    let records = records(&run.stdout);
    assert_eq!(records.len(), 1, "blank lines are not records");
    assert_eq!(records[0]["decisions"][0]["outcome"], "accepted");
}

#[test]
fn nothing_runs_when_a_scheme_has_errors_or_a_file_is_missing() {
    let bad = "tests/check/err/empty_any.scheme";
    let run = rectify(&["eval", "--scheme", bad, TIPS]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("rectify::check::empty_rule"));
    let run = rectify(&["eval", "--scheme", LIUZHI, "tests/eval/no-such-file.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"));
}

#[test]
fn a_csv_header_with_an_unknown_column_stops_the_run() {
    let dir = std::env::temp_dir().join(format!("rectify-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tips.csv");
    std::fs::write(&path, "id,text,received,colour\nA,x,2022-06-01,red\n").unwrap();
    let run = rectify(&["eval", "--scheme", LIUZHI, path.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("column 4 of the header"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("colour"),
        "header cells are not quoted: without a header row they are a record"
    );
    std::fs::remove_dir_all(Path::new(&dir)).unwrap();
}

#[test]
fn evidence_offsets_point_into_the_original_text() {
    let input = std::fs::read_to_string(root().join(TIPS)).unwrap();
    let texts: Vec<(String, String)> = input
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|tip| {
            (
                tip["id"].to_string().trim_matches('"').to_string(),
                tip["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let run = rectify(&["eval", "--scheme", "schemes", TIPS]);
    let mut checked = 0;
    for record in records(&run.stdout) {
        let Some(id) = record["tip"]
            .as_str()
            .map(str::to_string)
            .or_else(|| record["tip"].as_u64().map(|n| n.to_string()))
        else {
            continue;
        };
        let Some((_, text)) = texts.iter().find(|(tip, _)| *tip == id) else {
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        for decision in record["decisions"].as_array().into_iter().flatten() {
            for area in decision["matches"].as_array().into_iter().flatten() {
                for category in area["categories"].as_array().unwrap() {
                    for symptom in category["symptoms"].as_array().unwrap() {
                        for evidence in symptom["evidence"].as_array().unwrap() {
                            let start = evidence["start"].as_u64().unwrap() as usize;
                            let end = evidence["end"].as_u64().unwrap() as usize;
                            let quoted: String = chars[start..end].iter().collect();
                            assert_eq!(quoted, evidence["text"].as_str().unwrap(), "tip {id}");
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 10,
        "only {checked} pieces of evidence were checked"
    );
}

#[test]
fn csv_lines_stay_true_across_blank_lines_crlf_and_multi_line_cells() {
    let dir = std::env::temp_dir().join(format!("rectify-lines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tips.csv");
    std::fs::write(
        &path,
        "id,text,received\r\nA,\"两行\r\n文字\",2022-06-10\r\n\r\nB,x,2022-06-11\r\n\r\n\r\nC,y,2022-13-01",
    )
    .unwrap();
    let run = rectify(&["eval", "--scheme", LIUZHI, path.to_str().unwrap()]);
    let lines: Vec<(String, u64)> = records(&run.stdout)
        .iter()
        .map(|r| {
            (
                r["tip"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("A".to_string(), 2),
            ("B".to_string(), 5),
            ("C".to_string(), 8)
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_reporter_values_are_not_echoed_in_errors() {
    let input = concat!(
        r#"{"id":"R1","text":"某局层层开会","received":"2022-06-10","reporter":"王某 13800138000"}"#,
        "\n",
        r#"{"id":"R2","text":"某局层层开会","received":"2022-06-10","reporter":{"name":"王某","contact":13800138000}}"#,
        "\n",
        r#"{"id":"R3","text":"某局层层开会","received":"2022-06-10","reporter":["王某","13800138000"]}"#,
        "\n",
    );
    for format in ["jsonl", "table"] {
        let run = rectify_with_input(
            &["eval", "--scheme", LIUZHI, "--format", format],
            Some(input),
        );
        assert_eq!(run.code, 1);
        for secret in ["王某", "13800138000"] {
            assert!(
                !run.stdout.contains(secret),
                "{secret} leaked in {format}:\n{}",
                run.stdout
            );
            assert!(!run.stderr.contains(secret));
        }
    }
}

#[test]
fn json_arrays_are_not_taken_for_objects() {
    let input = concat!(
        r#"["1","开会","2023-03-01"]"#,
        "\n",
        r#"{"id":"2","text":"开会","received":"2022-06-10","subject":["某局","党政机关","区级","520203"]}"#,
        "\n",
    );
    let run = rectify_with_input(&["eval", "--scheme", LIUZHI], Some(input));
    let records = records(&run.stdout);
    assert_eq!(records.len(), 2);
    assert!(
        records.iter().all(|r| r.get("error").is_some()),
        "{}",
        run.stdout
    );
}

#[test]
fn a_byte_order_mark_before_the_first_record_is_not_an_error() {
    let tip = r#"{"id":"B1","text":"特区某局一名干部上班时间经常溜岗,迟到早退,群众来办事常常找不到人。","received":"2022-06-20","subject":{"name":"特区某局","region":"520203"}}"#;
    let run = rectify_with_input(
        &["eval", "--scheme", LIUZHI],
        Some(&format!("\u{feff}{tip}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_line_break_inside_a_quoted_csv_cell_is_kept_and_offsets_agree_with_json() {
    let dir = std::env::temp_dir().join(format!("rectify-cell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = "第一行情况说明\r\n第二行:特区某局层层开会,超计划加开全区性会议,基层干部疲于奔命。";
    let csv_path = dir.join("tips.csv");
    std::fs::write(
        &csv_path,
        format!("id,text,received,subject_name,subject_region\r\nA,\"{text}\",2022-06-10,特区某局,520203\r\n"),
    )
    .unwrap();
    let json = serde_json::json!({"id": "A", "text": text, "received": "2022-06-10",
        "subject": {"name": "特区某局", "region": "520203"}});
    let from_csv = rectify(&["eval", "--scheme", LIUZHI, csv_path.to_str().unwrap()]);
    let from_json = rectify_with_input(&["eval", "--scheme", LIUZHI], Some(&format!("{json}\n")));
    let decisions = |run: &Run| records(&run.stdout)[0]["decisions"].clone();
    assert_eq!(decisions(&from_csv), decisions(&from_json));
    assert_eq!(decisions(&from_csv)[0]["outcome"], "accepted");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_tip_repeating_one_word_thousands_of_times_is_decided_with_bounded_evidence() {
    let record = serde_json::json!({"id": "W", "text": "督查扎堆".repeat(20_000), "received": "2022-06-10",
        "subject": {"name": "特区某局", "region": "520203"}});
    let run = rectify_with_input(&["eval", "--scheme", LIUZHI], Some(&format!("{record}\n")));
    assert_eq!(run.code, 0);
    let decision = &records(&run.stdout)[0]["decisions"][0];
    assert_eq!(decision["outcome"], "accepted");
    for symptom in decision["matches"][0]["categories"][0]["symptoms"]
        .as_array()
        .unwrap()
    {
        assert!(symptom["evidence"].as_array().unwrap().len() <= 100);
    }
}
