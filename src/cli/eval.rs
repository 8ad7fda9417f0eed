//! `rectify eval`: decide tips against several concurrent campaigns.
//!
//! Records stream through in batches: decode, normalise and scan (in parallel with `--jobs`),
//! look for repeats (in input order, so the result does not depend on the number of jobs),
//! decide and serialise (in parallel), write in input order. Memory does not grow with the
//! input, except for the repeat index (one small signature per tip) when a campaign has a
//! duplicate clause.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use rectify::eval::{
    CsvLayout, DEFAULT_MAX_RECORD_BYTES, Decoder, Disclosure, DuplicateIndex, Evaluator, Format, InputError, Prepared, Raw,
    RecordError, Records, Repeat, Signature, Tip, decided_line, error_line,
};

use super::load::checked_model;
use super::render::fatal;
use super::{Status, check::plural};
use super::{table, terminal};

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

    /// The longest record read, in bytes; a longer one is a malformed record, and reading goes
    /// on at the next line.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    max_record_bytes: usize,

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
        && let Err(message) = load_history(
            path,
            &decoder,
            &evaluator,
            &mut index,
            args.max_record_bytes,
        )
    {
        fatal(&message);
        return Status::Failure;
    }
    let format = input_format(args.input, args.tips.as_deref());
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
    let mut records = match Records::new(source, format, &decoder, args.max_record_bytes) {
        Ok(records) => records,
        Err(error) => {
            fatal(&error.to_string());
            return Status::Failure;
        }
    };
    let layout = records.layout().cloned();
    let mut stage = Stage {
        evaluator: &evaluator,
        decoder: &decoder,
        layout: layout.as_ref(),
        index: &mut index,
        explain: args.explain,
        disclosure: if args.include_reporter {
            Disclosure::IncludeReporter
        } else {
            Disclosure::Withhold
        },
        table: (args.format == OutputFormat::Table)
            .then(|| table::Layout::new(model.campaigns.iter().map(|c| c.id.as_str()))),
        pool: &pool,
        serial: args.jobs == 1,
    };
    let mut summary = Summary::default();
    let header = stage.table.as_ref().map(|layout| layout.header());
    // Reading, deciding and writing overlap: a reader thread and a writer thread around the
    // batch stage, with two batches in flight each way.
    let (failure, written) = std::thread::scope(|scope| {
        let (batches, to_decide) = sync_channel::<Result<Vec<Raw>, InputError>>(2);
        let (decided, to_write) = sync_channel::<Vec<String>>(2);
        scope.spawn(move || {
            let mut failed = None;
            loop {
                let batch = next_batch(&mut records, &mut failed);
                let last = !matches!(&batch, Ok(batch) if !batch.is_empty());
                if batches.send(batch).is_err() || last {
                    break;
                }
            }
        });
        let writer = scope.spawn(move || -> Result<usize, (usize, io::Error)> {
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
            let mut written = 0;
            if let Some(header) = header {
                out.write_all(header.as_bytes()).map_err(|e| (written, e))?;
            }
            for lines in to_write {
                for line in lines {
                    // A closed pipe ends the writer; with its channel closed the other stages
                    // stop too.
                    out.write_all(line.as_bytes()).map_err(|e| (written, e))?;
                    written += 1;
                }
            }
            out.flush().map_err(|e| (written, e))?;
            Ok(written)
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
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        drop(decided);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err((0, io::Error::other("the writer stopped"))));
        (failure, written)
    });
    let mut status = if summary.malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    };
    if let Err((count, error)) = written {
        fatal(&format!(
            "cannot write the decisions: {error}; {count} record{} written before output stopped",
            plural(count)
        ));
        status = Status::Failure;
    }
    if let Some(error) = failure {
        fatal(&error.to_string());
        status = Status::Failure;
    }
    summary.print();
    status
}

/// Where tips are read from; it is read on a thread of its own.
type Input = Box<dyn Read + Send>;

/// A batch closes at this many bytes of records even when it holds fewer than [`BATCH`]
/// records, so that memory is bounded by the batches in flight, not by what the records hold.
const BATCH_BYTES: usize = 8 << 20;

/// Up to `BATCH` records or `BATCH_BYTES` bytes (or one record, however long); an empty batch
/// at the end of the input. A read failure after some records hands those out first and the
/// failure on the next call, so that no record read before it is lost.
fn next_batch(
    records: &mut Records<Input>,
    failed: &mut Option<InputError>,
) -> Result<Vec<Raw>, InputError> {
    if let Some(error) = failed.take() {
        return Err(error);
    }
    let mut batch = Vec::with_capacity(BATCH);
    let mut bytes = 0;
    while batch.len() < BATCH && bytes < BATCH_BYTES {
        match records.next_record() {
            Ok(Some(raw)) => {
                bytes += raw.size();
                batch.push(raw);
            }
            Ok(None) => break,
            Err(error) if batch.is_empty() => return Err(error),
            Err(error) => {
                *failed = Some(error);
                break;
            }
        }
    }
    Ok(batch)
}

fn input_format(format: Option<InputFormat>, path: Option<&Path>) -> Format {
    match format {
        Some(InputFormat::Csv) => Format::Csv,
        Some(InputFormat::Jsonl) => Format::Jsonl,
        None if path.is_some_and(|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        }) =>
        {
            Format::Csv
        }
        None => Format::Jsonl,
    }
}

/// The batch stage: everything between reading and writing.
struct Stage<'a, 'm> {
    evaluator: &'a Evaluator<'m>,
    decoder: &'a Decoder,
    layout: Option<&'a CsvLayout>,
    index: &'a mut DuplicateIndex,
    explain: bool,
    disclosure: Disclosure,
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
    fn run(&mut self, batch: Vec<Raw>, summary: &mut Summary) -> Vec<String> {
        let evaluator = self.evaluator;
        let decoder = self.decoder;
        let layout = self.layout;
        let wants_signature = evaluator.duplicate_threshold().is_some();
        let analysed: Vec<Analysed> = self.map(batch, |raw| {
            let (line, tip) = (raw.line(), decoder.decode(raw, layout));
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
        let (explain, disclosure, table) = (self.explain, self.disclosure, self.table);
        let results: Vec<(String, Option<Vec<&'static str>>)> = self.map(
            analysed.into_iter().zip(repeats).collect(),
            |(item, repeat)| match &item.tip {
                Ok(tip) => {
                    let decisions = evaluator.decide(tip, &item.prepared, repeat.as_ref(), explain);
                    let outcomes = decisions.iter().map(|d| d.outcome.name()).collect();
                    let text = if let Some(layout) = &table {
                        table::rows(layout, item.line, tip, &decisions)
                    } else {
                        decided_line(item.line, tip, &decisions, disclosure)
                    };
                    (text, Some(outcomes))
                }
                Err(error) => {
                    let text = if let Some(layout) = &table {
                        table::error_row(layout, error)
                    } else {
                        error_line(error)
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
    max_record_bytes: usize,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let format = input_format(None, Some(path));
    let mut records = Records::new(Box::new(file) as Input, format, decoder, max_record_bytes)
        .map_err(|e| format!("history `{}`: {e}", path.display()))?;
    let layout = records.layout().cloned();
    let mut failed = None;
    let threshold = evaluator.duplicate_threshold();
    let (mut loaded, mut malformed) = (0usize, 0usize);
    let mut prepared = Prepared::default();
    loop {
        let batch = next_batch(&mut records, &mut failed)
            .map_err(|e| format!("history `{}`: {e}", path.display()))?;
        if batch.is_empty() {
            break;
        }
        for raw in batch {
            let (line, tip) = (raw.line(), decoder.decode(raw, layout.as_ref()));
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
                        "{}",
                        terminal::safe(&format!(
                            "warning: history `{}` line {line}: {}",
                            path.display(),
                            error.message
                        ))
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
