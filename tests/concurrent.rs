//! Several campaigns at once: decisions are per campaign and independent of each other.

use std::path::PathBuf;
use std::process::Command;

fn eval(args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let output = Command::new(env!("CARGO_BIN_EXE_rectify"))
        .env("RECTIFY_LANG", "en")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .expect("the rectify binary runs");
    let records = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (output.status.code().unwrap_or(-1), records)
}

/// `tip → [(campaign, outcome)]`, for a compact snapshot.
fn outcomes(records: &[serde_json::Value]) -> Vec<String> {
    records
        .iter()
        .map(|record| {
            let decisions: Vec<String> = record["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let mut outcome = format!(
                        "{}: {}",
                        d["campaign"].as_str().unwrap(),
                        d["outcome"].as_str().unwrap()
                    );
                    if let Some(exclusion) = d["exclusion"].as_str() {
                        outcome.push_str(&format!(" ({exclusion})"));
                    }
                    if let Some(matches) = d["matches"].as_array() {
                        let categories: Vec<&str> = matches
                            .iter()
                            .flat_map(|a| a["categories"].as_array().unwrap())
                            .map(|c| c["category"].as_str().unwrap())
                            .collect();
                        let leads: Vec<&str> = d["departments"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|x| x["role"] == "lead")
                            .map(|x| x["name"].as_str().unwrap())
                            .collect();
                        outcome.push_str(&format!(" {categories:?} → {leads:?}"));
                    }
                    outcome
                })
                .collect();
            format!(
                "{}\n  {}",
                record["tip"].as_str().unwrap(),
                decisions.join("\n  ")
            )
        })
        .collect()
}

#[test]
fn two_campaigns_with_overlapping_windows_and_regions_decide_independently() {
    let (code, records) = eval(&[
        "eval",
        "--scheme",
        "tests/check/err_multi/conflicting_routes",
        "tests/eval/two-campaigns.jsonl",
    ]);
    assert_eq!(code, 0);
    assert_eq!(records.len(), 5);
    for record in &records {
        let campaigns: Vec<&str> = record["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["campaign"].as_str().unwrap())
            .collect();
        assert_eq!(
            campaigns,
            ["district", "city"],
            "every campaign decides, in load order"
        );
    }
    // D1 is in both windows and both regions: both accept, each with its own department.
    let d1 = &records[0]["decisions"];
    assert_eq!(d1[0]["outcome"], "accepted");
    assert_eq!(d1[1]["outcome"], "accepted");
    assert_eq!(d1[0]["departments"][0]["name"], "区专项办");
    assert_eq!(d1[1]["departments"][0]["name"], "市委督查室");
    insta::assert_snapshot!(outcomes(&records).join("\n"));
}

#[test]
fn all_four_bundled_campaigns_decide_each_tip_on_their_own() {
    let (code, records) = eval(&[
        "eval",
        "--scheme",
        "schemes",
        "tests/eval/concurrent-tips.jsonl",
    ]);
    assert_eq!(code, 0);
    let accepted_twice = records
        .iter()
        .filter(|r| {
            r["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["outcome"] == "accepted")
                .count()
                >= 2
        })
        .count();
    assert!(
        accepted_twice >= 3,
        "only {accepted_twice} tips fall under two campaigns"
    );
    insta::assert_snapshot!(outcomes(&records).join("\n"));
}
