//! How well the bundled schemes match what people actually write: the tips of `tests/recall/`,
//! written from the campaign documents' meaning in the words of citizens and cadres, against
//! the four bundled schemes together.
//!
//! A labelled tip's id is `CAMPAIGN/CATEGORY/NN`; a tip that belongs nowhere is
//! `none/CAMPAIGN/NN`, aimed at that campaign's window and scope. The figures are written to
//! standard error (`cargo test --test recall -- --nocapture`) and in `docs/matching.md`.

use std::path::Path;

use rectify::eval::{Evaluator, Outcome, Prepared};
use rectify::{SourceFile, check};

fn bundled() -> rectify::model::Model {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemes");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("schemes/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e == "scheme" || e == "vocab")
        })
        .collect();
    paths.sort();
    let files: Vec<SourceFile> = paths
        .into_iter()
        .map(|path| SourceFile {
            name: path.display().to_string(),
            text: std::fs::read_to_string(&path).expect("a UTF-8 scheme"),
        })
        .collect();
    check(&files).model.expect("the bundled schemes check")
}

/// One tip's result against its labelled campaign, or against every campaign.
struct Figures {
    labelled: usize,
    top_right: usize,
    any_right: usize,
    no_match: usize,
    suggested_right: usize,
    nowhere: usize,
    nowhere_accepted: usize,
    misses: Vec<String>,
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn measure() -> Figures {
    let model = bundled();
    let evaluator = Evaluator::new(&model);
    let decoder = rectify::eval::Decoder::new(&model);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recall");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/recall/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let mut figures = Figures {
        labelled: 0,
        top_right: 0,
        any_right: 0,
        no_match: 0,
        suggested_right: 0,
        nowhere: 0,
        nowhere_accepted: 0,
        misses: Vec::new(),
    };
    let mut prepared = Prepared::default();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 tip file");
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let tip = decoder
                .json(line, index + 1)
                .unwrap_or_else(|e| panic!("{}:{}: {}", path.display(), index + 1, e.message));
            let mut label = tip.id.splitn(3, '/');
            let (campaign, category) = (label.next().unwrap_or(""), label.next().unwrap_or(""));
            evaluator.prepare(&tip.text, &mut prepared);
            let decisions = evaluator.decide(&tip, &prepared, None, false);
            if campaign == "none" {
                figures.nowhere += 1;
                let accepted: Vec<String> = decisions
                    .iter()
                    .filter_map(|d| {
                        d.outcome
                            .top_category()
                            .map(|c| format!("{}/{}", d.campaign, c.category))
                    })
                    .collect();
                if !accepted.is_empty() {
                    figures.nowhere_accepted += 1;
                    figures.misses.push(format!(
                        "{}: accepted into {}",
                        tip.id,
                        accepted.join(", ")
                    ));
                }
                continue;
            }
            figures.labelled += 1;
            let decision = decisions
                .iter()
                .find(|d| d.campaign == campaign)
                .unwrap_or_else(|| panic!("{}: no campaign `{campaign}`", tip.id));
            match &decision.outcome {
                Outcome::Accepted { matches, .. } => {
                    let top = decision.outcome.top_category().map(|c| c.category);
                    let all: Vec<&str> = matches
                        .iter()
                        .flat_map(|a| a.categories.iter().map(|c| c.category))
                        .collect();
                    if top == Some(category) {
                        figures.top_right += 1;
                    }
                    if all.contains(&category) {
                        figures.any_right += 1;
                    }
                    if top != Some(category) {
                        figures
                            .misses
                            .push(format!("{}: matched {}", tip.id, all.join(", ")));
                    }
                }
                Outcome::NoMatch { suggestions } => {
                    figures.no_match += 1;
                    let listed: Vec<&str> = suggestions.iter().map(|s| s.category).collect();
                    if listed.contains(&category) {
                        figures.suggested_right += 1;
                    }
                    figures.misses.push(format!(
                        "{}: no_match, suggested {}",
                        tip.id,
                        listed.join(", ")
                    ));
                }
                other => figures.misses.push(format!("{}: {}", tip.id, other.name())),
            }
        }
    }
    figures
}

#[test]
fn the_bundled_schemes_find_the_category_of_what_people_write() {
    let f = measure();
    for miss in &f.misses {
        eprintln!("{miss}");
    }
    let top = percent(f.top_right, f.labelled);
    let any = percent(f.any_right, f.labelled);
    let nowhere = percent(f.nowhere_accepted, f.nowhere);
    let suggested = percent(f.suggested_right, f.no_match);
    eprintln!(
        "labelled {}: top category right {:.1}%, any matched category right {:.1}%; \
         no_match {} with the right category suggested in {:.1}%; \
         belonging nowhere {}: accepted {:.1}%",
        f.labelled, top, any, f.no_match, suggested, f.nowhere, nowhere
    );
    assert!(
        f.labelled >= 160 && f.nowhere >= 60,
        "the corpus is complete"
    );
    assert!(
        top >= 90.0,
        "top category right in {top:.1}% of labelled tips"
    );
    assert!(any >= 95.0, "some matched category right in {any:.1}%");
    assert!(
        nowhere <= 3.0,
        "{nowhere:.1}% of tips belonging nowhere accepted"
    );
    assert!(
        f.no_match == 0 || suggested >= 80.0,
        "the right category suggested for {suggested:.1}% of no_match tips"
    );
}
