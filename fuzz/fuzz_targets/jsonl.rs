//! JSON Lines decoding: any bytes give one output record per non-blank line, each valid JSON;
//! generated records never show their reporters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify::eval::Format;
use rectify_fuzz::{Record, bundled_engine, check_records, evaluate, json_lines};

#[derive(Debug, arbitrary::Arbitrary)]
enum Input {
    Bytes(Vec<u8>, bool),
    Records(Vec<Record>),
}

fuzz_target!(|input: Input| {
    let engine = bundled_engine();
    match input {
        Input::Bytes(bytes, small) => {
            let max = if small { 64 } else { 4096 };
            let out = evaluate(engine, &bytes, Format::Jsonl, max, false).expect("JSON Lines open");
            assert_eq!(out.len(), json_lines(&bytes, max));
            for line in out {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&line).is_ok(),
                    "{line}"
                );
            }
        }
        Input::Records(records) => check_records(engine, &records, false),
    }
});
