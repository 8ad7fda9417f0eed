//! Checking a generated scheme of 10,000 lines (and smaller ones, to see that time grows
//! linearly with size). Figures and the command are in docs/performance.md.

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rectify::{SourceFile, check};

fn checking(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    for lines in [2_500, 5_000, 10_000] {
        let text = support::scheme(lines);
        let files = [SourceFile {
            name: "generated.scheme".to_string(),
            text,
        }];
        let checked = check(&files);
        assert!(
            checked.model.is_some(),
            "{:#?}",
            &checked.problems[..checked.problems.len().min(3)]
        );
        group.throughput(Throughput::Bytes(files[0].text.len() as u64));
        group.bench_with_input(BenchmarkId::new("lines", lines), &files, |b, files| {
            b.iter(|| check(files))
        });
    }
    group.finish();
}

criterion_group!(benches, checking);
criterion_main!(benches);
