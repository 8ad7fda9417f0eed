//! Evaluation of decoded tips against all four bundled schemes, with explanations: every
//! record gives one output record, and no reporter reaches the output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify_fuzz::{Record, bundled_engine, check_records};

fuzz_target!(|records: Vec<Record>| {
    check_records(bundled_engine(), &records, true);
});
