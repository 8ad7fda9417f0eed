//! Properties of the record stream over random input: every record in gives one record out,
//! no reporter ever reaches the output unless asked for, and the number of jobs changes no byte.

use proptest::prelude::*;
use rectify::eval::{
    Decoder, Disclosure, DuplicateIndex, Evaluator, Format, Item, Options, Records, Stream,
    decided_line, error_line,
};
use rectify::{Model, SourceFile, check};

const SCHEMES: [&str; 3] = [
    include_str!("../schemes/liuzhi-2022.scheme"),
    include_str!("../schemes/jixi-2023.scheme"),
    include_str!("../schemes/common.vocab"),
];

fn model() -> Model {
    let files: Vec<SourceFile> = SCHEMES
        .iter()
        .enumerate()
        .map(|(i, text)| SourceFile {
            name: format!("{i}.scheme"),
            text: text.to_string(),
        })
        .collect();
    check(&files).model.expect("the bundled schemes check")
}

/// Every output line of `input` read as UTF-8, as `rectify eval` writes them without
/// `--include-reporter`; `None` when the input cannot be opened (a CSV header that names no tip
/// column).
fn evaluate(
    model: &Model,
    input: &[u8],
    format: Format,
    max: usize,
    jobs: usize,
) -> Option<Vec<String>> {
    evaluate_as(
        model,
        input,
        format,
        max,
        jobs,
        Some(rectify::eval::encoding::UTF_8),
    )
}

/// As [`evaluate`], with the input read as `encoding`, or as what its bytes look like.
fn evaluate_as(
    model: &Model,
    input: &[u8],
    format: Format,
    max: usize,
    jobs: usize,
    encoding: Option<&'static rectify::eval::encoding::Encoding>,
) -> Option<Vec<String>> {
    let evaluator = Evaluator::new(model);
    let decoder = Decoder::new(model);
    let records = Records::with_encoding(input, format, &decoder, max, encoding).ok()?;
    let mut index = DuplicateIndex::new();
    let options = Options {
        jobs,
        explain: true,
    };
    let mut stream = Stream::new(&evaluator, &decoder, &mut index, options).unwrap();
    let mut out = Vec::new();
    let render = |item: Item| match item {
        Item::Decided {
            line,
            tip,
            decisions,
        } => decided_line(line, tip, decisions, Disclosure::Withhold),
        Item::Malformed(error) => error_line(error, rectify::lang::Lang::En),
    };
    stream
        .run(records, render, |batch| {
            out.extend(batch);
            Ok::<(), ()>(())
        })
        .ok()?;
    Some(out)
}

/// JSON Lines records as an editor counts them: non-blank lines, a line that is not UTF-8 or
/// longer than `max` bytes (blank or not: it is not kept to be looked at) counting as a record.
fn json_lines(input: &[u8], max: usize) -> usize {
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let mut lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
    if input.ends_with(b"\n") || input.is_empty() {
        lines.pop();
    }
    lines
        .into_iter()
        .filter(|line| {
            line.len() > max
                || match std::str::from_utf8(line) {
                    Ok(text) => !text.trim_end_matches('\r').trim().is_empty(),
                    Err(_) => true,
                }
        })
        .count()
}

fn csv_records(input: &[u8]) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
        .byte_records()
        .count()
}

/// Bytes that make records: structure, line ends, a byte-order mark, broken UTF-8, Chinese.
fn record_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\xef\xbb\xbf".to_vec()),
            Just(b"\xff\xfe".to_vec()),
            Just(
                r#"{"id":"A","text":"层层开会","received":"2022-06-10"}"#
                    .as_bytes()
                    .to_vec()
            ),
            Just(br#"{"id":"#.to_vec()),
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just("层层开会".as_bytes().to_vec()),
            Just(b"  ".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..8),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// A reporter value: characters of the Private Use Area, which nothing else in the input holds,
/// so any of them in the output is a leak.
fn secret() -> impl Strategy<Value = String> {
    proptest::collection::vec(0xE000u32..0xE100, 1..6)
        .prop_map(|cs| cs.into_iter().filter_map(char::from_u32).collect())
}

/// Text for any other value: anything but the Private Use Area and quotes (so that a value
/// cannot close its string and become another key: a reporter moved into the `id` on purpose is
/// not a leak the program could see).
fn other() -> impl Strategy<Value = String> {
    "[^\"\u{E000}-\u{F8FF}]{0,12}"
}

#[derive(Debug, Clone)]
struct Record {
    id: String,
    text: String,
    received: String,
    channel: String,
    reporter: Option<(String, String)>,
    subject: String,
    /// Where a record goes wrong: 0 not at all, else a byte offset of the line to cut it at.
    cut: usize,
    /// For CSV: 1 adds a cell, 2 drops one, 3 opens a quote that is never closed.
    shape: u8,
}

fn record() -> impl Strategy<Value = Record> {
    (
        other(),
        other(),
        prop_oneof![Just("2022-06-10".to_string()), other()],
        prop_oneof![Just("电话".to_string()), other()],
        proptest::option::of((secret(), secret())),
        other(),
        prop_oneof![3 => Just(0usize), 1 => 1usize..200],
        prop_oneof![4 => Just(0u8), 1 => 1u8..4],
    )
        .prop_map(
            |(id, text, received, channel, reporter, subject, cut, shape)| Record {
                id,
                text,
                received,
                channel,
                reporter,
                subject,
                cut,
                shape,
            },
        )
}

fn cut(mut line: String, at: usize) -> String {
    if at > 0 && at < line.len() {
        let mut at = at;
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        line.truncate(at);
    }
    line
}

fn as_json(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let mut value = serde_json::json!({
            "id": r.id, "text": r.text, "received": r.received, "channel": r.channel,
            "subject": {"name": r.subject, "region": "520203"},
        });
        if let Some((name, contact)) = &r.reporter {
            value["reporter"] = serde_json::json!({"name": name, "contact": contact});
        }
        out.push_str(&cut(value.to_string(), r.cut));
        out.push('\n');
    }
    out
}

fn as_csv(records: &[Record]) -> String {
    let mut out =
        String::from("reporter_name,reporter_contact,text,received,channel,subject_name,id\n");
    let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
    for r in records {
        let (name, contact) = r.reporter.clone().unwrap_or_default();
        let mut cells = vec![
            name,
            contact,
            clean(&r.text),
            clean(&r.received),
            clean(&r.channel),
            clean(&r.subject),
            clean(&r.id),
        ];
        match r.shape {
            1 => cells.insert(3, "多出来的格子".to_string()),
            2 => {
                cells.remove(2);
            }
            3 => cells[2].insert(0, '"'),
            _ => {}
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn private_use(text: &str) -> Option<char> {
    text.chars().find(|c| ('\u{E000}'..='\u{F8FF}').contains(c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_json_line_gives_one_output_record(input in record_bytes(), max in prop_oneof![Just(64usize), Just(4096)]) {
        let model = model();
        let out = evaluate(&model, &input, Format::Jsonl, max, 1).expect("JSON Lines always open");
        prop_assert_eq!(out.len(), json_lines(&input, max));
        for line in &out {
            prop_assert!(serde_json::from_str::<serde_json::Value>(line).is_ok());
        }
    }

    #[test]
    fn bytes_in_whatever_encoding_they_look_like_give_only_json_records(input in record_bytes(), csv in proptest::bool::ANY) {
        let model = model();
        let format = if csv { Format::Csv } else { Format::Jsonl };
        if let Some(out) = evaluate_as(&model, &input, format, 4096, 1, None) {
            for line in &out {
                prop_assert!(serde_json::from_str::<serde_json::Value>(line).is_ok());
            }
        }
    }

    #[test]
    fn every_csv_row_gives_one_output_record(body in record_bytes(), max in prop_oneof![Just(64usize), Just(4096)]) {
        let model = model();
        let mut input = b"id,text,received\n".to_vec();
        input.extend_from_slice(&body);
        let out = evaluate(&model, &input, Format::Csv, max, 1).expect("the header is right");
        prop_assert_eq!(out.len(), csv_records(&input) - 1);
    }

    #[test]
    fn reporters_never_reach_the_output(records in proptest::collection::vec(record(), 1..12)) {
        let model = model();
        for (input, format) in [(as_json(&records), Format::Jsonl), (as_csv(&records), Format::Csv)] {
            let out = evaluate(&model, input.as_bytes(), format, 4096, 1).expect("the input opens");
            for line in &out {
                prop_assert_eq!(private_use(line), None, "{:?} leaked: {}", format, line);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn the_number_of_jobs_changes_no_byte(records in proptest::collection::vec(record(), 150..300)) {
        let model = model();
        let input = as_json(&records);
        let one = evaluate(&model, input.as_bytes(), Format::Jsonl, 4096, 1);
        let four = evaluate(&model, input.as_bytes(), Format::Jsonl, 4096, 4);
        prop_assert_eq!(one, four);
    }
}

/// Found by the `jsonl` fuzz target: a blank line longer than the limit is not kept, so it is
/// a record (too long), not a blank line.
#[test]
fn an_over_long_blank_line_is_one_error_record() {
    let model = model();
    let input = vec![b'\r'; 69];
    let out = evaluate(&model, &input, Format::Jsonl, 64, 1).unwrap();
    assert_eq!(out.len(), 1);
    assert!(out[0].contains("longer than 64 bytes"), "{}", out[0]);
    assert_eq!(json_lines(&input, 64), 1);
}
