//! `rectify eval`: decide tips against several concurrent campaigns.
//!
//! Records stream through in batches: decode, normalise and scan (in parallel with `--jobs`),
//! look for repeats (in input order, so the result does not depend on the number of jobs),
//! decide and serialise (in parallel), write in input order. Memory does not grow with the
//! input, except for the repeat index (one small signature per tip) when a campaign has a
//! duplicate clause.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use chrono::NaiveDate;
use rectify::eval::{
    CsvLayout, Decision, Decoder, DuplicateIndex, Evaluator, Prepared, RecordError, Repeat,
    Reporter, Signature, Tip,
};
use serde::Serialize;

use super::load::checked_model;
use super::render::fatal;
use super::table;
use super::{Status, check::plural};

/// Evaluate tips against every loaded campaign.
///
/// Reads tips as JSON Lines (one object per line) or CSV with a header row, from a file or from
/// standard input, and writes one output record per input record, in input order: for every
/// loaded campaign, in scheme order, whether the tip is accepted (with the matched areas,
/// categories and symptoms, the evidence and its character offsets, the departments, the
/// priority and the due dates), excluded (which clause and its official reason), out of
/// window, out of scope, or matched nothing. A malformed record yields an error record with
/// its line and the reason; the others are still evaluated. The record format is described in
/// docs/tips.md.
///
/// The reporter's identity is never written unless --include-reporter is given; whether a tip
/// was real-name always is.
///
/// Exit status: 0 when every record was well-formed; 1 when some were not; 2 when nothing
/// could run (a scheme with errors, an unreadable file, a bad CSV header).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scheme file, or a directory to search (subdirectories included) for *.scheme files;
    /// repeat the option for several (`--scheme a.scheme --scheme b.scheme`).
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// The tips: a file, or `-` or nothing for standard input.
    #[arg(value_name = "TIPS")]
    tips: Option<PathBuf>,

    /// Input format; by default `csv` for a file ending in .csv, `jsonl` otherwise.
    #[arg(long, value_enum)]
    input: Option<InputFormat>,

    /// Output format: `jsonl` (one JSON object per tip) or `table` (for a person).
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,

    /// Show, for every rule, why it did or did not fire.
    #[arg(long)]
    explain: bool,

    /// Write the reporter's name and contact for real-name tips. Reporters are protected
    /// (对实名反映人严格保密): use this only for output that stays with the receiving office.
    #[arg(long)]
    include_reporter: bool,

    /// Earlier tips (JSON Lines or CSV) that new tips may repeat; they are not evaluated.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,

    /// Worker threads; output order is the input order whatever the number.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Jsonl,
    Table,
}

/// Records per batch: large enough to keep every job busy, small enough to keep memory flat.
const BATCH: usize = 2048;

pub fn run(args: Args) -> Status {
    let (_, model) = match checked_model(&args.schemes) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let evaluator = Evaluator::new(&model);
    let decoder = Decoder::new(&model);
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.into())
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            fatal(&format!(
                "cannot start {} worker threads: {error}",
                args.jobs
            ));
            return Status::Failure;
        }
    };
    let mut index = DuplicateIndex::new();
    if let Some(path) = &args.history
        && let Err(message) = load_history(path, &decoder, &evaluator, &mut index)
    {
        fatal(&message);
        return Status::Failure;
    }
    let format = args.input.unwrap_or(match &args.tips {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            InputFormat::Csv
        }
        _ => InputFormat::Jsonl,
    });
    let source: Input = match &args.tips {
        None => Box::new(io::stdin()),
        Some(path) if path.as_os_str() == "-" => Box::new(io::stdin()),
        Some(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(error) => {
                fatal(&format!("cannot read `{}`: {error}", path.display()));
                return Status::Failure;
            }
        },
    };
    let mut records = match Records::new(source, format, &decoder) {
        Ok(records) => records,
        Err(message) => {
            fatal(&message);
            return Status::Failure;
        }
    };
    let mut stage = Stage {
        evaluator: &evaluator,
        decoder: &decoder,
        index: &mut index,
        explain: args.explain,
        include_reporter: args.include_reporter,
        table: (args.format == OutputFormat::Table)
            .then(|| table::Layout::new(model.campaigns.iter().map(|c| c.id.as_str()))),
        pool: &pool,
        serial: args.jobs == 1,
    };
    let mut summary = Summary::default();
    let header = stage.table.as_ref().map(|layout| layout.header());
    // Reading, deciding and writing overlap: a reader thread and a writer thread around the
    // batch stage, with two batches in flight each way.
    let failure = std::thread::scope(|scope| {
        let (batches, to_decide) = sync_channel::<Result<Vec<Pending>, String>>(2);
        let (decided, to_write) = sync_channel::<Vec<String>>(2);
        scope.spawn(move || {
            loop {
                let batch = records.next_batch(BATCH);
                let last = !matches!(&batch, Ok(batch) if !batch.is_empty());
                if batches.send(batch).is_err() || last {
                    break;
                }
            }
        });
        let writer = scope.spawn(move || -> bool {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut ok = header.is_none_or(|h| out.write_all(h.as_bytes()).is_ok());
            for lines in to_write {
                for line in lines {
                    ok = ok && out.write_all(line.as_bytes()).is_ok();
                }
                if !ok {
                    // The reader of the output went away (a closed pipe): stop, and with the
                    // channel closed the other stages stop too.
                    return false;
                }
            }
            ok && out.flush().is_ok()
        });
        let mut failure = None;
        for batch in to_decide {
            match batch {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => {
                    if decided.send(stage.run(batch, &mut summary)).is_err() {
                        break;
                    }
                }
                Err(message) => {
                    failure = Some(message);
                    break;
                }
            }
        }
        drop(decided);
        let written = writer.join().unwrap_or(false);
        match failure {
            Some(message) => Some(Some(message)),
            None if !written => Some(None),
            None => None,
        }
    });
    match failure {
        Some(Some(message)) => {
            fatal(&message);
            return Status::Failure;
        }
        Some(None) => return Status::Failure,
        None => {}
    }
    summary.print();
    if summary.malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    }
}

/// Where tips are read from; it is read on a thread of its own.
type Input = Box<dyn Read + Send>;

/// One record as read: its line, and the tip or what is wrong with it.
type Decoded = (usize, Result<Tip, RecordError>);

/// The input, in batches of records.
struct Records<'d> {
    decoder: &'d Decoder,
    source: Source,
    /// A read error met while a batch was filling: the batch is handed out first, the error
    /// on the next call, so that no record read before it is lost.
    failed: Option<String>,
}

enum Source {
    Lines {
        reader: BufReader<Input>,
        line: usize,
    },
    Csv {
        reader: csv::Reader<Input>,
        layout: CsvLayout,
    },
}

impl<'d> Records<'d> {
    fn new(source: Input, format: InputFormat, decoder: &'d Decoder) -> Result<Self, String> {
        let source = match format {
            InputFormat::Jsonl => Source::Lines {
                reader: BufReader::with_capacity(1 << 16, source),
                line: 0,
            },
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(true)
                    .from_reader(Box::new(LineEnds::new(source)) as Input);
                let header = reader
                    .headers()
                    .map_err(|e| format!("cannot read the CSV header: {e}"))?
                    .clone();
                let layout = decoder.csv_header(&header)?;
                Source::Csv { reader, layout }
            }
        };
        Ok(Records {
            decoder,
            source,
            failed: None,
        })
    }

    /// Up to `size` records; an empty batch at the end. Decoding of JSON lines is left to the
    /// batch stage so that it runs in parallel.
    fn next_batch(&mut self, size: usize) -> Result<Vec<Pending>, String> {
        if let Some(message) = self.failed.take() {
            return Err(message);
        }
        let mut batch = Vec::with_capacity(size);
        if let Err(message) = self.fill(&mut batch, size) {
            if batch.is_empty() {
                return Err(message);
            }
            self.failed = Some(message);
        }
        Ok(batch)
    }

    fn fill(&mut self, batch: &mut Vec<Pending>, size: usize) -> Result<(), String> {
        match &mut self.source {
            Source::Lines { reader, line } => {
                let mut buffer = Vec::new();
                while batch.len() < size {
                    buffer.clear();
                    let read = reader
                        .read_until(b'\n', &mut buffer)
                        .map_err(|e| format!("cannot read the tips: {e}"))?;
                    if read == 0 {
                        break;
                    }
                    *line += 1;
                    let text = match std::str::from_utf8(&buffer) {
                        Ok(text) => text.trim_end_matches(['\n', '\r']),
                        Err(error) => {
                            batch.push(Pending::Done((
                                *line,
                                Err(RecordError {
                                    line: *line,
                                    column: None,
                                    id: None,
                                    message: format!(
                                        "the line is not UTF-8 text (invalid byte at offset {})",
                                        error.valid_up_to()
                                    ),
                                }),
                            )));
                            continue;
                        }
                    };
                    if text.trim().is_empty() {
                        continue;
                    }
                    batch.push(Pending::Json(*line, text.to_string()));
                }
            }
            Source::Csv { reader, layout } => {
                let mut row = csv::StringRecord::new();
                while batch.len() < size {
                    let line = reader.position().line() as usize;
                    match reader.read_record(&mut row) {
                        Ok(false) => break,
                        Ok(true) => {
                            // The reader numbers a record by where the blank lines before it
                            // begin; where its line end leaves the reader is exact. Every line
                            // is ended (see `LineEnds`), so the record's own line is the one
                            // before, less the line breaks inside its quoted cells.
                            let breaks: usize =
                                row.iter().map(|cell| cell.matches('\n').count()).sum();
                            let line = (reader.position().line() as usize)
                                .saturating_sub(1 + breaks)
                                .max(line);
                            let decoded = self.decoder.csv(layout, &row, line);
                            batch.push(Pending::Done((line, decoded)));
                        }
                        Err(error) => {
                            let line = error.position().map_or(line, |p| p.line() as usize);
                            batch.push(Pending::Done((
                                line,
                                Err(RecordError {
                                    line,
                                    column: None,
                                    id: None,
                                    message: csv_message(&error),
                                }),
                            )));
                            if error.is_io_error() {
                                return Err(format!("cannot read the tips: {error}"));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads CRLF line ends as LF and ends the last line with LF, so that the CSV reader's line
/// counts can be turned into the line each record stands on (see `Records::next_batch`). A CRLF
/// inside a quoted cell is part of the cell's text and stays.
struct LineEnds<R> {
    inner: R,
    /// Inside a quoted cell; `""` inside one toggles twice and changes nothing.
    in_quotes: bool,
    /// A carriage return read at the end of the last chunk, not yet known to precede LF.
    held_cr: bool,
    /// The last byte handed out, to know whether the input ended its last line.
    last: Option<u8>,
    finished: bool,
}

impl<R: Read> LineEnds<R> {
    fn new(inner: R) -> Self {
        LineEnds {
            inner,
            in_quotes: false,
            held_cr: false,
            last: None,
            finished: false,
        }
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        if buf.len() < 2 {
            // Folding needs room for a held CR and a byte after it. The CSV reader always
            // reads into its own buffer of several kilobytes, so this is only for other callers.
            return self.inner.read(buf);
        }
        let start = usize::from(self.held_cr);
        if self.held_cr {
            buf[0] = b'\r';
            self.held_cr = false;
        }
        let read = self.inner.read(&mut buf[start..])?;
        let mut len = start + read;
        if read == 0 {
            // The end of the input: make sure the last line is ended.
            self.finished = true;
            if self.last.is_some_and(|b| b != b'\n') || len > 0 {
                buf[len] = b'\n';
                len += 1;
            }
            return Ok(len);
        }
        let mut kept = 0;
        for i in 0..len {
            let byte = buf[i];
            if byte == b'"' {
                self.in_quotes = !self.in_quotes;
            }
            if byte == b'\r' && !self.in_quotes {
                if i + 1 == len {
                    // Whether an LF follows is known only after the next read.
                    self.held_cr = true;
                    continue;
                }
                if buf[i + 1] == b'\n' {
                    continue;
                }
            }
            buf[kept] = byte;
            kept += 1;
        }
        if kept == 0 {
            return self.read(buf);
        }
        self.last = Some(buf[kept - 1]);
        Ok(kept)
    }
}

fn csv_message(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".to_string(),
        _ => format!("the row cannot be read as CSV: {error}"),
    }
}

/// A record waiting for the batch stage.
enum Pending {
    Json(usize, String),
    Done(Decoded),
}

/// The batch stage: everything between reading and writing.
struct Stage<'a, 'm> {
    evaluator: &'a Evaluator<'m>,
    decoder: &'a Decoder,
    index: &'a mut DuplicateIndex,
    explain: bool,
    include_reporter: bool,
    table: Option<table::Layout>,
    pool: &'a rayon::ThreadPool,
    serial: bool,
}

struct Analysed {
    line: usize,
    tip: Result<Tip, RecordError>,
    prepared: Prepared,
    signature: Option<Signature>,
}

impl Stage<'_, '_> {
    fn map<T: Send, U: Send>(&self, items: Vec<T>, f: impl Fn(T) -> U + Send + Sync) -> Vec<U> {
        if self.serial {
            items.into_iter().map(f).collect()
        } else {
            use rayon::prelude::*;
            self.pool
                .install(|| items.into_par_iter().with_min_len(64).map(f).collect())
        }
    }

    /// Output lines for a batch, in input order.
    fn run(&mut self, batch: Vec<Pending>, summary: &mut Summary) -> Vec<String> {
        let evaluator = self.evaluator;
        let decoder = self.decoder;
        let wants_signature = evaluator.duplicate_threshold().is_some();
        let analysed: Vec<Analysed> = self.map(batch, |pending| {
            let (line, tip) = match pending {
                Pending::Done(read) => read,
                Pending::Json(line, text) => (line, decoder.json(&text, line)),
            };
            let mut prepared = Prepared::default();
            let mut signature = None;
            if let Ok(tip) = &tip {
                evaluator.prepare(&tip.text, &mut prepared);
                if wants_signature {
                    signature = Some(Signature::of(prepared.normalized()));
                }
            }
            Analysed {
                line,
                tip,
                prepared,
                signature,
            }
        });
        let threshold = evaluator.duplicate_threshold().unwrap_or(1.0);
        let mut repeats: Vec<Option<Repeat>> = Vec::with_capacity(analysed.len());
        let mut analysed = analysed;
        for item in &mut analysed {
            let repeat = match (&item.tip, item.signature.take()) {
                (Ok(tip), Some(signature)) => self
                    .index
                    .find_and_insert(&tip.id, signature, threshold, false),
                _ => None,
            };
            repeats.push(repeat);
        }
        let (explain, include_reporter, table) = (self.explain, self.include_reporter, self.table);
        let results: Vec<(String, Option<Vec<&'static str>>)> = self.map(
            analysed.into_iter().zip(repeats).collect(),
            |(item, repeat)| match &item.tip {
                Ok(tip) => {
                    let decisions = evaluator.decide(tip, &item.prepared, repeat.as_ref(), explain);
                    let outcomes = decisions.iter().map(|d| d.outcome.name()).collect();
                    let text = if let Some(layout) = &table {
                        table::rows(layout, item.line, tip, &decisions)
                    } else {
                        decided_json(item.line, tip, &decisions, include_reporter)
                    };
                    (text, Some(outcomes))
                }
                Err(error) => {
                    let text = if let Some(layout) = &table {
                        table::error_row(layout, error)
                    } else {
                        error_json(error)
                    };
                    (text, None)
                }
            },
        );
        results
            .into_iter()
            .map(|(text, outcomes)| {
                summary.count(outcomes.as_deref());
                text
            })
            .collect()
    }
}

#[derive(Serialize)]
struct DecidedRecord<'a> {
    line: usize,
    tip: &'a str,
    received: NaiveDate,
    real_name: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reporter: Option<&'a Reporter>,
    decisions: &'a [Decision],
}

fn decided_json(line: usize, tip: &Tip, decisions: &[Decision], include_reporter: bool) -> String {
    let record = DecidedRecord {
        line,
        tip: &tip.id,
        received: tip.received,
        real_name: tip.real_name(),
        reporter: if include_reporter {
            tip.reporter.as_ref()
        } else {
            None
        },
        decisions,
    };
    let mut text = serde_json::to_string(&record)
        .expect("decisions hold only strings, numbers, dates and lists");
    text.push('\n');
    text
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    tip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    error: &'a str,
}

fn error_json(error: &RecordError) -> String {
    let record = ErrorRecord {
        line: error.line,
        tip: error.id.as_deref(),
        column: error.column,
        error: &error.message,
    };
    let mut text = serde_json::to_string(&record).expect("an error record holds text and numbers");
    text.push('\n');
    text
}

/// Counts for the closing summary.
#[derive(Default)]
struct Summary {
    read: usize,
    malformed: usize,
    outcomes: indexmap::IndexMap<&'static str, usize>,
}

impl Summary {
    fn count(&mut self, outcomes: Option<&[&'static str]>) {
        self.read += 1;
        match outcomes {
            None => self.malformed += 1,
            Some(outcomes) => {
                for outcome in outcomes {
                    *self.outcomes.entry(outcome).or_default() += 1;
                }
            }
        }
    }

    fn print(&self) {
        let decided = self.read - self.malformed;
        let mut line = format!(
            "{} record{} read: {} decided, {} rejected as malformed",
            self.read,
            plural(self.read),
            decided,
            self.malformed
        );
        if !self.outcomes.is_empty() {
            let mut counts: Vec<(&&str, &usize)> = self.outcomes.iter().collect();
            counts.sort_by_key(|(name, _)| outcome_rank(name));
            let parts: Vec<String> = counts
                .iter()
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            line.push_str(&format!(" (decisions: {})", parts.join(", ")));
        }
        let _ = writeln!(io::stderr().lock(), "{line}");
    }
}

fn outcome_rank(name: &str) -> usize {
    [
        "accepted",
        "excluded",
        "no_match",
        "out_of_scope",
        "out_of_window",
    ]
    .iter()
    .position(|n| *n == name)
    .unwrap_or(usize::MAX)
}

/// Loads earlier tips into the repeat index. Malformed history records are reported on
/// standard error and counted; they cannot be repeated.
fn load_history(
    path: &Path,
    decoder: &Decoder,
    evaluator: &Evaluator,
    index: &mut DuplicateIndex,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let format = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        InputFormat::Csv
    } else {
        InputFormat::Jsonl
    };
    let mut records = Records::new(Box::new(file), format, decoder)
        .map_err(|m| format!("history `{}`: {m}", path.display()))?;
    let threshold = evaluator.duplicate_threshold();
    let (mut loaded, mut malformed) = (0usize, 0usize);
    let mut prepared = Prepared::default();
    loop {
        let batch = records.next_batch(BATCH)?;
        if batch.is_empty() {
            break;
        }
        for pending in batch {
            let (line, tip) = match pending {
                Pending::Done(read) => read,
                Pending::Json(line, text) => (line, decoder.json(&text, line)),
            };
            match tip {
                Ok(tip) => {
                    loaded += 1;
                    if let Some(threshold) = threshold {
                        evaluator.prepare(&tip.text, &mut prepared);
                        index.find_and_insert(
                            &tip.id,
                            Signature::of(prepared.normalized()),
                            threshold,
                            true,
                        );
                    }
                }
                Err(error) => {
                    malformed += 1;
                    let _ = writeln!(
                        io::stderr().lock(),
                        "warning: history `{}` line {line}: {}",
                        path.display(),
                        error.message
                    );
                }
            }
        }
    }
    let _ = writeln!(
        io::stderr().lock(),
        "history: {loaded} tip{} loaded, {malformed} malformed",
        plural(loaded)
    );
    Ok(())
}
