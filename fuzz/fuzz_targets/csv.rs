//! CSV decoding: any rows below a header give one output record each; generated rows never
//! show their reporters, whatever their shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify::eval::Format;
use rectify_fuzz::{Record, bundled_engine, check_records, csv_records, evaluate};

#[derive(Debug, arbitrary::Arbitrary)]
enum Input {
    Bytes(Vec<u8>, bool),
    Records(Vec<Record>),
}

fuzz_target!(|input: Input| {
    let engine = bundled_engine();
    match input {
        Input::Bytes(body, small) => {
            let max = if small { 64 } else { 4096 };
            let mut bytes = b"id,text,received,reporter_name\n".to_vec();
            bytes.extend_from_slice(&body);
            let out =
                evaluate(engine, &bytes, Format::Csv, max, false).expect("the header is right");
            assert_eq!(out.len(), csv_records(&bytes) - 1);
        }
        Input::Records(records) => check_records(engine, &records, false),
    }
});
