//! How well the bundled schemes match what people actually write: the tips of `tests/recall/`,
//! written from the campaign documents' meaning in the words of citizens and cadres, against
//! the four bundled schemes together.
//!
//! A labelled tip's id is `CAMPAIGN/CATEGORY/NN`; a tip that belongs nowhere is
//! `none/CAMPAIGN/NN`, aimed at that campaign's window and scope. The figures are written to
//! standard error (`cargo test --test recall -- --nocapture`) and in `docs/matching.md`.
//!
//! The schemes' everyday wording was written from the tips directly under `tests/recall/`, so
//! the figures there are what the rules reach on tips they were fitted to. `tests/recall/dev/`
//! was written the same way but apart from the rules, and guided one round of broadening the
//! shared vocabularies; `tests/recall/holdout/` was never read while writing rules, only
//! measured. Their floors are the figures measured on them, kept so that they do not fall
//! (`docs/matching.md`).

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
    /// The labelled tips of each campaign, and the categories they are labelled with.
    labels: std::collections::BTreeMap<String, (usize, std::collections::BTreeSet<String>)>,
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn measure(dir: &str) -> Figures {
    let model = bundled();
    let evaluator = Evaluator::new(&model);
    let decoder = rectify::eval::Decoder::new(&model);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
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
        labels: Default::default(),
    };
    let mut prepared = Prepared::default();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 tip file");
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let tip = decoder.json(line, index + 1).unwrap_or_else(|e| {
                panic!(
                    "{}:{}: {}",
                    path.display(),
                    index + 1,
                    e.message.render(rectify::lang::Lang::En)
                )
            });
            let mut label = tip.id.splitn(3, '/');
            let (campaign, category) = (label.next().unwrap_or(""), label.next().unwrap_or(""));
            evaluator.prepare(&tip, &mut prepared);
            let decisions = evaluator.decide(&tip, &prepared, &[], false);
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
            let (count, categories) = figures.labels.entry(campaign.to_string()).or_default();
            *count += 1;
            categories.insert(category.to_string());
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

/// The figures of a corpus as percentages, written to standard error with every miss.
struct Percentages {
    top: f64,
    any: f64,
    suggested: f64,
    nowhere: f64,
}

fn report(name: &str, f: &Figures) -> Percentages {
    for miss in &f.misses {
        eprintln!("{name}: {miss}");
    }
    let p = Percentages {
        top: percent(f.top_right, f.labelled),
        any: percent(f.any_right, f.labelled),
        suggested: percent(f.suggested_right, f.no_match),
        nowhere: percent(f.nowhere_accepted, f.nowhere),
    };
    eprintln!(
        "{name}: labelled {}: top category right {:.1}%, any matched category right {:.1}%; \
         no_match {} with the right category suggested in {:.1}%; \
         belonging nowhere {}: accepted {:.1}%",
        f.labelled, p.top, p.any, f.no_match, p.suggested, f.nowhere, p.nowhere
    );
    p
}

#[test]
fn the_bundled_schemes_find_the_category_of_what_people_write() {
    let f = measure("tests/recall");
    let p = report("tests/recall", &f);
    assert!(
        f.labelled >= 160 && f.nowhere >= 60,
        "the corpus is complete"
    );
    for campaign in &bundled().campaigns {
        let (count, labelled) = f.labels.get(&campaign.id).cloned().unwrap_or_default();
        assert!(count >= 30, "{}: only {count} labelled tips", campaign.id);
        for category in campaign.areas.iter().flat_map(|a| &a.categories) {
            assert!(
                labelled.contains(&category.id),
                "{}: no tip labelled {}",
                campaign.id,
                category.id
            );
        }
    }
    assert!(
        p.top >= 90.0,
        "top category right in {:.1}% of labelled tips",
        p.top
    );
    assert!(
        p.any >= 95.0,
        "some matched category right in {:.1}%",
        p.any
    );
    assert!(
        p.nowhere <= 3.0,
        "{:.1}% of tips belonging nowhere accepted",
        p.nowhere
    );
    assert!(
        f.no_match == 0 || p.suggested >= 80.0,
        "the right category suggested for {:.1}% of no_match tips",
        p.suggested
    );
}

/// Floors for a corpus the rules were not written from: top, any, suggested, nowhere (at most).
fn held_out(dir: &str, floors: [f64; 4]) {
    let f = measure(dir);
    let p = report(dir, &f);
    assert!(
        f.labelled >= 60 && f.nowhere >= 24,
        "{dir}: the corpus is complete"
    );
    let [top, any, suggested, nowhere] = floors;
    assert!(p.top >= top, "{dir}: top category right in {:.1}%", p.top);
    assert!(
        p.any >= any,
        "{dir}: some matched category right in {:.1}%",
        p.any
    );
    assert!(
        f.no_match == 0 || p.suggested >= suggested,
        "{dir}: the right category suggested for {:.1}% of no_match tips",
        p.suggested
    );
    assert!(
        p.nowhere <= nowhere,
        "{dir}: {:.1}% of tips belonging nowhere accepted",
        p.nowhere
    );
}

#[test]
fn the_bundled_schemes_on_tips_their_wording_was_not_written_from() {
    held_out("tests/recall/dev", [58.0, 66.0, 90.0, 0.0]);
}

#[test]
fn the_bundled_schemes_on_tips_nobody_tuned_them_with() {
    held_out("tests/recall/holdout", [51.0, 51.0, 86.0, 4.2]);
}
