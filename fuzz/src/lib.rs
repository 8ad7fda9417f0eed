//! What the fuzz targets share: the bundled schemes, a serial run of the evaluation stream,
//! the independent record counts, and tip records whose reporters the output must not show.
//!
//! A reporter's name and contact are written with characters of the Private Use Area, which
//! nothing else in a generated record holds: one of them in the output is a leak.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use rectify::eval::{
    Decoder, Disclosure, DuplicateIndex, Evaluator, Format, Item, Options, Records, Stream,
    decided_line, error_line,
};
use rectify::{Model, SourceFile, check};

/// The four bundled schemes and their shared vocabularies, checked once.
pub fn bundled() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let files = [
            include_str!("../../schemes/liuzhi-2022.scheme"),
            include_str!("../../schemes/jixi-2023.scheme"),
            include_str!("../../schemes/inaction-self-inspection.scheme"),
            include_str!("../../schemes/jinghai-2021-2023.scheme"),
            include_str!("../../schemes/common.vocab"),
        ]
        .iter()
        .enumerate()
        .map(|(i, text)| SourceFile {
            name: format!("{i}.scheme"),
            text: text.to_string(),
        })
        .collect::<Vec<_>>();
        check(&files).model.expect("the bundled schemes check")
    })
}

/// A model with its evaluator and decoder, built once: building the automaton costs far more
/// than one run.
pub struct Engine<'m> {
    evaluator: Evaluator<'m>,
    decoder: Decoder,
}

impl<'m> Engine<'m> {
    /// The engine for `model`.
    pub fn new(model: &'m Model) -> Engine<'m> {
        Engine {
            evaluator: Evaluator::new(model),
            decoder: Decoder::new(model),
        }
    }
}

/// The engine of the four bundled schemes.
pub fn bundled_engine() -> &'static Engine<'static> {
    static ENGINE: OnceLock<Engine<'static>> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(bundled()))
}

/// Every output line for `input`, as `rectify eval` writes them without `--include-reporter`;
/// `None` when the input does not open (a CSV header naming no tip column).
pub fn evaluate(
    engine: &Engine,
    input: &[u8],
    format: Format,
    max: usize,
    explain: bool,
) -> Option<Vec<String>> {
    let (evaluator, decoder) = (&engine.evaluator, &engine.decoder);
    let mut records = Records::new(input, format, decoder, max).ok()?;
    let layout = records.layout().cloned();
    let mut index = DuplicateIndex::new();
    let options = Options { jobs: 1, explain };
    let mut stream = Stream::new(evaluator, decoder, &mut index, options).ok()?;
    let render = |item: Item| match item {
        Item::Decided {
            line,
            tip,
            decisions,
        } => decided_line(line, tip, decisions, Disclosure::Withhold),
        Item::Malformed(error) => error_line(error),
    };
    let mut batch = Vec::new();
    while let Ok(Some(raw)) = records.next_record() {
        batch.push(raw);
    }
    Some(stream.decide_batch(batch, layout.as_ref(), &render))
}

/// JSON Lines records as an editor counts them: non-blank lines; a line that is not UTF-8 is
/// a record, and so is one longer than `max` bytes, blank or not (it is not kept to be looked
/// at).
pub fn json_lines(input: &[u8], max: usize) -> usize {
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

/// CSV records as the csv crate counts them, header included. Its NFA needs no compiling,
/// which would cost more than the rest of a run.
pub fn csv_records(input: &[u8]) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .nfa(true)
        .from_reader(input)
        .byte_records()
        .count()
}

/// The first Private Use Area character of `text`.
pub fn leaked(text: &str) -> Option<char> {
    text.chars().find(|c| ('\u{E000}'..='\u{F8FF}').contains(c))
}

/// A reporter value, from the Private Use Area.
#[derive(Debug, Clone)]
pub struct Secret(pub String);

impl<'a> Arbitrary<'a> for Secret {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.int_in_range(1..=6)?;
        let mut text = String::new();
        for _ in 0..len {
            let c = u.int_in_range(0xE000u32..=0xE0FF)?;
            text.push(char::from_u32(c).unwrap_or('\u{E000}'));
        }
        Ok(Secret(text))
    }
}

/// Any other value: no Private Use Area, no quote (a quote would let a value close its string
/// and make a reporter's value the `id` on purpose, which no program could tell apart).
#[derive(Debug, Clone)]
pub struct Other(pub String);

impl<'a> Arbitrary<'a> for Other {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let text: String = u.arbitrary()?;
        Ok(Other(
            text.chars()
                .filter(|c| *c != '"' && leaked(&c.to_string()).is_none())
                .collect(),
        ))
    }
}

/// A tip record, perhaps broken.
#[derive(Debug, Clone, Arbitrary)]
pub struct Record {
    pub id: Other,
    pub text: Other,
    pub received: Option<Other>,
    pub channel: Option<Other>,
    pub reporter: Option<(Secret, Option<Secret>)>,
    pub subject: Option<Other>,
    pub region: Option<u32>,
    /// Cut the JSON line at this byte.
    pub cut: Option<u16>,
    /// For CSV: 1 adds a cell, 2 drops one, 3 opens a quote that never closes.
    pub shape: u8,
}

fn cut(mut line: String, at: Option<u16>) -> String {
    if let Some(at) = at.map(usize::from)
        && at < line.len()
    {
        let mut at = at;
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        line.truncate(at);
    }
    line
}

/// The records as JSON Lines.
pub fn as_json(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let mut value = serde_json::json!({
            "id": r.id.0,
            "text": r.text.0,
            "received": r.received.as_ref().map_or("2022-06-10", |o| o.0.as_str()),
        });
        if let Some(channel) = &r.channel {
            value["channel"] = serde_json::json!(channel.0);
        }
        if let Some(subject) = &r.subject {
            value["subject"] =
                serde_json::json!({"name": subject.0, "region": r.region.map(|n| n.to_string())});
        }
        if let Some((name, contact)) = &r.reporter {
            value["reporter"] =
                serde_json::json!({"name": name.0, "contact": contact.as_ref().map(|c| &c.0)});
        }
        out.push_str(&cut(value.to_string(), r.cut));
        out.push('\n');
    }
    out
}

/// The records as CSV, reporter columns first, so that a shifted row would put a reporter
/// where the id belongs.
pub fn as_csv(records: &[Record]) -> String {
    let mut out =
        String::from("reporter_name,reporter_contact,text,received,channel,subject_name,id\n");
    let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
    for r in records {
        let (name, contact) = match &r.reporter {
            Some((name, contact)) => (
                name.0.clone(),
                contact.as_ref().map(|c| c.0.clone()).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let mut cells = vec![
            name,
            contact,
            clean(&r.text.0),
            r.received
                .as_ref()
                .map_or("2022-06-10".to_string(), |o| clean(&o.0)),
            r.channel.as_ref().map(|o| clean(&o.0)).unwrap_or_default(),
            r.subject.as_ref().map(|o| clean(&o.0)).unwrap_or_default(),
            clean(&r.id.0),
        ];
        match r.shape % 8 {
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

/// Checks conservation and confidentiality of one structured run.
pub fn check_records(engine: &Engine, records: &[Record], explain: bool) {
    let json = as_json(records);
    let out = evaluate(engine, json.as_bytes(), Format::Jsonl, 4096, explain)
        .expect("JSON Lines always open");
    assert_eq!(
        out.len(),
        json_lines(json.as_bytes(), 4096),
        "records lost:\n{json}"
    );
    for line in &out {
        assert_eq!(leaked(line), None, "a reporter leaked: {line}");
    }
    let csv = as_csv(records);
    let out =
        evaluate(engine, csv.as_bytes(), Format::Csv, 4096, explain).expect("the header is right");
    assert_eq!(
        out.len(),
        csv_records(csv.as_bytes()) - 1,
        "rows lost:\n{csv}"
    );
    for line in &out {
        assert_eq!(leaked(line), None, "a reporter leaked: {line}");
    }
}
