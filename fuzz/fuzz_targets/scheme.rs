//! Scheme parsing and checking: any text gives a model or coded diagnostics, never a panic; a
//! scheme that checks decides generated records without losing one or showing a reporter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify::{SourceFile, check};
use rectify_fuzz::{Engine, Record, check_records};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    scheme: Vec<u8>,
    /// Splice the input into a bundled scheme at this byte, rather than use it alone.
    splice: Option<u16>,
    records: Vec<Record>,
}

const LIUZHI: &str = include_str!("../../schemes/liuzhi-2022.scheme");
const SHARED: &str = include_str!("../../schemes/common.vocab");

fuzz_target!(|input: Input| {
    let piece = String::from_utf8_lossy(&input.scheme);
    let text = match input.splice {
        Some(at) => {
            let mut at = usize::from(at) % LIUZHI.len();
            while !LIUZHI.is_char_boundary(at) {
                at -= 1;
            }
            format!("{}{piece}{}", &LIUZHI[..at], &LIUZHI[at..])
        }
        None => piece.into_owned(),
    };
    let checked = check(&[
        SourceFile {
            name: "fuzz.scheme".to_string(),
            text,
        },
        SourceFile {
            name: "common.vocab".to_string(),
            text: SHARED.to_string(),
        },
    ]);
    for problem in &checked.problems {
        assert!(problem.diagnostic().code().is_some());
    }
    match checked.model {
        None => assert!(checked.problems.iter().any(|p| p.is_error())),
        Some(model) if !model.campaigns.is_empty() && !input.records.is_empty() => {
            check_records(&Engine::new(&model), &input.records, true)
        }
        Some(_) => {}
    }
});
