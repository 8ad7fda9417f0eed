//! Evaluating generated 1 KB tips against every bundled scheme: the scan alone, and the
//! whole per-tip pipeline (decode, normalise, scan, repeat detection, decide, serialise).
//! Figures and the commands are in docs/performance.md.
//!
//! `RECTIFY_CORPUS=PATH RECTIFY_CORPUS_TIPS=N cargo bench --bench eval` writes the corpus to
//! PATH instead of benchmarking, for timing the `rectify eval` command on it.

mod support;

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rectify::eval::{Decoder, Disclosure, DuplicateIndex, Evaluator, Prepared, Seen, decided_line};
use rectify::{SourceFile, check};

const TIPS: usize = 2_000;
const SIZE: usize = 1_000;

fn bundled() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemes");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scheme" || e == "vocab"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| SourceFile {
            name: p.display().to_string(),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

fn evaluation(c: &mut Criterion) {
    if let Ok(path) = std::env::var("RECTIFY_CORPUS") {
        let count = std::env::var("RECTIFY_CORPUS_TIPS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        std::fs::write(&path, support::tips(count, SIZE, 7)).unwrap();
        eprintln!("wrote {count} tips to {path}");
        return;
    }
    let files = bundled();
    let model = check(&files).model.expect("the bundled schemes check");
    let evaluator = Evaluator::new(&model);
    let decoder = Decoder::new(&model);
    let corpus = support::tips(TIPS, SIZE, 7);
    let lines: Vec<&str> = corpus.lines().collect();
    let bytes = corpus.len() as u64;

    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    let decoded: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| decoder.json(l, i + 1).unwrap())
        .collect();
    group.bench_function("normalise, scan and sign", |b| {
        let mut prepared = Prepared::default();
        b.iter(|| {
            for tip in &decoded {
                evaluator.prepare(tip, &mut prepared);
            }
        })
    });
    group.bench_function("whole pipeline", |b| {
        let mut prepared = Prepared::default();
        b.iter(|| {
            let mut index = DuplicateIndex::new();
            let mut out = Vec::with_capacity(corpus.len() * 2);
            for (i, line) in lines.iter().enumerate() {
                let tip = decoder.json(line, i + 1).unwrap();
                evaluator.prepare(&tip, &mut prepared);
                let repeats = match (evaluator.duplicate_threshold(), prepared.take_signature()) {
                    (Some(t), Some(signature)) => {
                        index.find_and_insert(&Seen::of(&tip), signature, t, false)
                    }
                    _ => Vec::new(),
                };
                let decisions = evaluator.decide(&tip, &prepared, &repeats, false);
                out.extend_from_slice(
                    decided_line(i + 1, &tip, &decisions, Disclosure::Withhold).as_bytes(),
                );
            }
            out
        })
    });
    group.finish();
}

criterion_group!(benches, evaluation);
criterion_main!(benches);
