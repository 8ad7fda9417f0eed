//! Approximate phrases, vocabularies, suggestions and `rectify coverage`, end to end on the
//! small campaign of `tests/matching/`: a scheme file and a vocabulary file loaded as one
//! directory, and six tips that reach an approximate match, a vocabulary match, an exact
//! match, suggestions, and nothing at all.

use std::path::PathBuf;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn rectify(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the rectify binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// An empty directory of this test run's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rectify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SCHEMES: &str = "tests/matching/schemes";
const TIPS: &str = "tests/matching/tips.jsonl";

fn decisions() -> Vec<serde_json::Value> {
    let run = rectify(&["eval", "--scheme", SCHEMES, TIPS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect()
}

#[test]
fn an_approximate_phrase_matches_with_its_similarity_and_the_span_that_matched() {
    let records = decisions();
    let evidence =
        &records[0]["decisions"][0]["matches"][0]["categories"][0]["symptoms"][0]["evidence"][0];
    assert_eq!(evidence["text"], "把说了当成做了");
    assert_eq!(evidence["similarity"], 0.67);
    insta::assert_json_snapshot!(records);
}

#[test]
fn a_tip_no_rule_accepts_stays_no_match_and_lists_what_it_is_like() {
    let records = decisions();
    let suggested = &records[2]["decisions"][0];
    assert_eq!(suggested["outcome"], "no_match");
    assert_eq!(suggested["suggestions"][0]["category"], "督查检查");
    let nothing = &records[3]["decisions"][0];
    assert_eq!(nothing["outcome"], "no_match");
    assert!(
        nothing.get("suggestions").is_none(),
        "a street light shares nothing with the campaign"
    );
    let table = rectify(&["eval", "--scheme", SCHEMES, "--format", "table", TIPS]);
    assert!(
        table.stdout.contains("suggested 督查检查"),
        "{}",
        table.stdout
    );
    insta::assert_snapshot!(table.stdout);
}

#[test]
fn coverage_counts_symptoms_and_terms_and_groups_what_nothing_matched() {
    let run = rectify(&["coverage", "--scheme", SCHEMES, TIPS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("coverage_table", run.stdout);
    let json = rectify(&["coverage", "--scheme", SCHEMES, "--format", "json", TIPS]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(report["tips"], 6);
    assert_eq!(report["accepted"], 3);
    let campaign = &report["campaigns"][0];
    assert_eq!(campaign["no_match"], 3);
    assert_eq!(campaign["unmatched"][0]["tips"], 2);
    assert_eq!(
        campaign["unmatched"][0]["candidates"][0]["phrase"],
        "听汇报"
    );
    assert_eq!(campaign["unmatched"][0]["category"], "督查检查");
    assert_eq!(campaign["unlike"], 1);
    insta::assert_json_snapshot!("coverage_json", report);
}

#[test]
fn coverage_fails_under_the_accepted_share_asked_for() {
    let pass = rectify(&["coverage", "--scheme", SCHEMES, "--fail-under", "50", TIPS]);
    assert_eq!(pass.code, 0, "3 of 6 accepted is 50%: {}", pass.stderr);
    let fail = rectify(&["coverage", "--scheme", SCHEMES, "--fail-under", "51", TIPS]);
    assert_eq!(fail.code, 1);
    assert!(
        fail.stderr
            .contains("50.00% of the decoded tips were accepted"),
        "{}",
        fail.stderr
    );
    let bad = rectify(&["coverage", "--scheme", SCHEMES, "--fail-under", "120", TIPS]);
    assert_eq!(bad.code, 2, "a percentage past 100 is bad usage");
}

#[test]
fn coverage_of_an_empty_corpus_fails_any_gate() {
    let dir = scratch("empty-corpus");
    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.to_str().unwrap();
    let run = rectify(&["coverage", "--scheme", SCHEMES, empty]);
    assert_eq!(run.code, 0, "no gate asked for: {}", run.stderr);
    assert!(
        run.stdout
            .starts_with("0 tips read, 0 malformed; none decoded\n"),
        "{}",
        run.stdout
    );
    let gated = rectify(&["coverage", "--scheme", SCHEMES, "--fail-under", "0", empty]);
    assert_eq!(
        gated.code, 1,
        "an empty corpus holds no share: {}",
        gated.stderr
    );
    assert!(
        gated.stderr.contains("no tip could be decoded"),
        "{}",
        gated.stderr
    );
    let json = rectify(&["coverage", "--scheme", SCHEMES, "--format", "json", empty]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert!(report["accepted_percent"].is_null());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn coverage_names_the_malformed_records_and_counts_the_share_of_the_decoded() {
    let dir = scratch("bad-corpus");
    let mut text = std::fs::read_to_string(TIPS).unwrap();
    text.push_str("{\"id\":\"no-text\",\"received\":\"2023-04-09\"}\nnot a record\n");
    let path = dir.join("tips.jsonl");
    std::fs::write(&path, text).unwrap();
    let run = rectify(&["coverage", "--scheme", SCHEMES, path.to_str().unwrap()]);
    assert_eq!(
        run.code, 1,
        "malformed records are problems: {}",
        run.stderr
    );
    assert!(
        run.stdout.starts_with(
            "8 tips read, 2 malformed; 3 of the 6 decoded accepted by some campaign (50.0%)"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("malformed: line 7"), "{}", run.stderr);
    assert!(run.stderr.contains("(tip no-text)"), "{}", run.stderr);
    assert!(run.stderr.contains("malformed: line 8:"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn coverage_is_the_same_whatever_the_number_of_jobs() {
    // Past one batch of the stream (2048 records) of distinct tips, many of which nothing
    // matches: each record joins two different held-out tips, so no two records repeat each
    // other and unmatched groups and their phrases are built across batches.
    let mut tips: Vec<serde_json::Value> = Vec::new();
    for set in ["dev", "holdout"] {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/recall")
            .join(set);
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(path).unwrap();
            tips.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
        }
    }
    let mut corpus = String::new();
    let mut records = 0;
    for step in 1..14 {
        for (i, tip) in tips.iter().enumerate() {
            let other = &tips[(i + step) % tips.len()];
            let mut joined = tip.clone();
            joined["id"] = format!("{}+{step}", tip["id"].as_str().unwrap()).into();
            // Each about a subject of its own, so that the records do not repeat each other
            // (the bundled clauses ask for the same subject).
            if let Some(subject) = joined["subject"].as_object_mut() {
                let name = subject
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string();
                subject.insert("name".into(), format!("{name}{step}").into());
            }
            joined["text"] = format!(
                "{}{}",
                tip["text"].as_str().unwrap(),
                other["text"].as_str().unwrap()
            )
            .into();
            corpus.push_str(&joined.to_string());
            corpus.push('\n');
            records += 1;
        }
    }
    assert!(records > 2048, "past one batch");
    let dir = scratch("jobs-corpus");
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, corpus).unwrap();
    let path = path.to_str().unwrap();
    let args = |jobs: &'static str| {
        [
            "coverage", "--scheme", "schemes", "--format", "json", "--jobs", jobs, path,
        ]
    };
    let one = rectify(&args("1"));
    let four = rectify(&args("4"));
    assert_eq!(one.code, 0, "{}", one.stderr);
    let report: serde_json::Value = serde_json::from_str(&one.stdout).expect("one JSON document");
    let grouped: u64 = report["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["unmatched"].as_array().unwrap())
        .map(|g| g["tips"].as_u64().unwrap())
        .sum();
    assert!(grouped > 200, "only {grouped} unmatched tips grouped");
    let excluded: u64 = report["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["excluded"].as_u64().unwrap())
        .sum();
    assert!(
        excluded < 200,
        "{excluded} excluded: the records repeat each other"
    );
    assert_eq!(one.stdout, four.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}
