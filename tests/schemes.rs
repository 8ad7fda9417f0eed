//! The bundled schemes: each checks clean on its own and together, and every example passes.

use std::path::Path;

use rectify::verify::run_examples;
use rectify::{SourceFile, check};

fn bundled() -> Vec<SourceFile> {
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
    paths
        .into_iter()
        .map(|path| SourceFile {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&path).expect("a UTF-8 scheme"),
        })
        .collect()
}

#[test]
fn every_bundled_scheme_checks_clean_with_the_shared_vocabularies() {
    let files = bundled();
    assert!(files.iter().any(|f| f.name == "liuzhi-2022.scheme"));
    let shared: Vec<&SourceFile> = files
        .iter()
        .filter(|f| f.name.ends_with(".vocab"))
        .collect();
    assert!(!shared.is_empty(), "schemes/common.vocab is bundled");
    for file in files.iter().filter(|f| f.name.ends_with(".scheme")) {
        let mut alone = vec![file.clone()];
        alone.extend(shared.iter().map(|f| (*f).clone()));
        let checked = check(&alone);
        assert!(
            checked.problems.is_empty(),
            "{}: {:#?}",
            file.name,
            checked.problems
        );
    }
}

#[test]
fn the_bundled_schemes_check_clean_together() {
    let checked = check(&bundled());
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    assert!(checked.model.is_some());
}

#[test]
fn every_example_of_every_bundled_scheme_passes() {
    let checked = check(&bundled());
    let model = checked.model.expect("the bundled schemes check");
    let results = run_examples(&model, None);
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "{} › {}: expected {}, got {}",
                r.campaign,
                r.name,
                r.expected.render(rectify::lang::Lang::En),
                r.actual.render(rectify::lang::Lang::En)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for campaign in &model.campaigns {
        assert!(
            !campaign.examples.is_empty(),
            "campaign {} has no examples",
            campaign.id
        );
    }
}

#[test]
fn liuzhi_encodes_the_whole_announcement() {
    let files: Vec<SourceFile> = bundled()
        .into_iter()
        .filter(|f| f.name == "liuzhi-2022.scheme" || f.name.ends_with(".vocab"))
        .collect();
    let model = check(&files).model.expect("liuzhi checks");
    let campaign = &model.campaigns[0];
    assert_eq!(campaign.areas.len(), 4);
    let categories: usize = campaign.areas.iter().map(|a| a.categories.len()).sum();
    assert_eq!(categories, 12);
    assert_eq!(campaign.exclusions.len(), 4);
    assert_eq!(campaign.channels.len(), 3);
    assert_eq!(
        (
            campaign.windows[0].start.to_string(),
            campaign.windows[0].end.to_string()
        ),
        ("2022-05-28".to_string(), "2022-12-31".to_string())
    );
}
