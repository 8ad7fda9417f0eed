//! `rectify eval`: decide tips against several concurrent campaigns.
//!
//! Records stream through in batches: decode, normalise and scan (in parallel with `--jobs`),
//! look for repeats (in input order, so the result does not depend on the number of jobs),
//! decide and serialise (in parallel), write in input order. Memory does not grow with the
//! input, except for the repeat index (one small signature per tip) when a campaign has a
//! duplicate clause.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rectify::eval::{
    DEFAULT_MAX_RECORD_BYTES, Decoder, Disclosure, DuplicateIndex, Evaluator, Item, Options,
    Outcome, RepeatIndex, Stopped, Stream, decided_line, error_line, remember,
};
use rectify::lang::Text;
use rectify::office::{self, Flat, Table, flatten, flatten_malformed};
use rectify::store::{self, Location, Record};

use super::load::checked_model;
use super::progress::Progress;
use super::render::fatal;
use super::tips::{
    Reading, create_output, encoding_hint, how_read, nothing_read, open_tips, writable,
};
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
    /// A scheme file, or a directory to search (subdirectories included) for *.scheme, *.vocab
    /// and *.holidays files; a .scheme named alone brings the *.vocab files beside it. Repeat
    /// the option for several (`--scheme a.scheme --scheme b.scheme`).
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// A calendar file (`节假日安排` blocks) adding years the built-in holiday table does not
    /// know yet; repeatable. Calendar files (*.holidays) in a scheme directory are read too.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// The tips: a file, or `-` or nothing for standard input.
    #[arg(value_name = "TIPS")]
    tips: Option<PathBuf>,

    #[command(flatten)]
    reading: Reading,

    /// Output format on standard output: `jsonl` (one JSON object per tip) or `table` (for a
    /// person).
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,

    /// Write the decisions to this file instead of standard output, in the format its
    /// extension names: .xlsx (a workbook with a sheet of all tips, one per campaign, one of
    /// malformed records and a summary), .csv (UTF-8 with a byte order mark, as Excel opens
    /// it) or .jsonl.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,

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

    /// A store (a SQLite file, created when missing, or a `postgres://` database) where every
    /// decided tip is recorded and against which every new tip is compared, across runs. It
    /// never holds a reporter's name or contact: a keyed hash, with the key in a file of its
    /// own.
    #[arg(long, value_name = "FILE|URL")]
    store: Option<String>,

    /// The file of the store's reporter key; by default beside a SQLite store
    /// (`FILE.key`), or, for a PostgreSQL store, in the user's configuration directory.
    #[arg(long, value_name = "KEY")]
    store_key: Option<PathBuf>,

    /// The longest record read, in bytes; a longer one is a malformed record, and reading goes
    /// on at the next line.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    max_record_bytes: usize,

    /// Worker threads; output order is the input order whatever the number.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Jsonl,
    Table,
}

pub fn run(args: Args) -> Status {
    if let Err(message) = check_output(&args) {
        fatal(message);
        return Status::Failure;
    }
    let (_, model) = match checked_model(&[args.schemes.clone(), args.calendars.clone()].concat()) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let evaluator = Evaluator::new(&model).with_lang(super::lang());
    let decoder = Decoder::new(&model);
    let mut memory = DuplicateIndex::new();
    let (mut lookup, mut recorder) = match &args.store {
        Some(path) => match store::open(&Location::parse(path), args.store_key.as_deref()) {
            Ok((lookup, recorder)) => (Some(lookup), Some(recorder)),
            Err(error) => {
                fatal(error.text());
                return Status::Failure;
            }
        },
        None => (None, None),
    };
    let index: &mut dyn RepeatIndex = match lookup.as_mut() {
        Some(lookup) => lookup,
        None => &mut memory,
    };
    if let Some(path) = &args.history
        && let Err(message) = load_history(path, &decoder, &evaluator, index, args.max_record_bytes)
    {
        fatal(message);
        return Status::Failure;
    }
    let (records, meter) = match open_tips(
        args.tips.as_deref(),
        &args.reading,
        &decoder,
        args.max_record_bytes,
    ) {
        Ok(opened) => opened,
        Err(message) => {
            fatal(message);
            return Status::Failure;
        }
    };
    let read_as = how_read(&records);
    let empty = nothing_read(&records);
    let mismatch = encoding_hint(&records, &args.reading);
    let options = Options {
        jobs: args.jobs.into(),
        explain: args.explain,
    };
    let mut stream = match Stream::new(&evaluator, &decoder, index, options) {
        Ok(stream) => stream,
        Err(error) => {
            fatal(threads_failed(args.jobs, &error));
            return Status::Failure;
        }
    };
    let disclosure = if args.include_reporter {
        Disclosure::IncludeReporter
    } else {
        Disclosure::Withhold
    };
    let destination =
        match Destination::open(args.output.as_deref(), args.format, &model, disclosure) {
            Ok(destination) => destination,
            Err(message) => {
                fatal(message);
                return Status::Failure;
            }
        };
    let lang = super::lang();
    let key = recorder.as_ref().map(|r| r.key().clone());
    let (shape, mut out, mut sheet) = destination.into_parts();
    let render = |item: Item| -> Rendered {
        let (text, flat) = match (&shape, item) {
            (Shape::Flat, item) => (
                String::new(),
                Some(match item {
                    Item::Decided {
                        line,
                        tip,
                        decisions,
                    } => flatten(line, tip, decisions, lang, disclosure),
                    Item::Malformed(error) => flatten_malformed(error, lang),
                }),
            ),
            (
                Shape::Table(layout),
                Item::Decided {
                    line,
                    tip,
                    decisions,
                },
            ) => (table::rows(layout, line, tip, decisions), None),
            (Shape::Table(layout), Item::Malformed(error)) => {
                (table::error_row(layout, error), None)
            }
            (
                Shape::Jsonl,
                Item::Decided {
                    line,
                    tip,
                    decisions,
                },
            ) => (decided_line(line, tip, decisions, disclosure), None),
            (Shape::Jsonl, Item::Malformed(error)) => (error_line(error, lang), None),
        };
        match item {
            Item::Decided { tip, decisions, .. } => Rendered {
                text,
                flat,
                outcomes: Some(decisions.iter().map(|d| d.outcome.name()).collect()),
                record: key.as_ref().map(|key| Record::of(tip, decisions, key)),
            },
            Item::Malformed(_) => Rendered {
                text,
                flat,
                outcomes: None,
                record: None,
            },
        }
    };
    let mut summary = Summary::default();
    let mut written = 0usize;
    let mut progress = Progress::new(meter, args.quiet);
    let header = match &shape {
        Shape::Table(layout) => Some(layout.header()),
        _ => None,
    };
    let result = match header.map(|header| out.write_all(header.as_bytes())) {
        Some(Err(error)) => Err(Stopped::Sink(error)),
        _ => stream.run(records, render, |batch: Vec<Rendered>| {
            let mut records = Vec::new();
            progress.advance(batch.len());
            for item in batch {
                summary.count(item.outcomes.as_deref());
                out.write_all(item.text.as_bytes())?;
                if let (Some(sheet), Some(flat)) = (sheet.as_mut(), &item.flat) {
                    sheet
                        .add(flat)
                        .map_err(|error| io::Error::other(super::say(error.text())))?;
                }
                written += 1;
                records.extend(item.record);
            }
            // Recorded once its output is written: a run stopped in between leaves the store
            // a prefix of the input, and running it again records the rest.
            if let Some(recorder) = recorder.as_mut() {
                out.flush()?;
                recorder
                    .write(&records)
                    .map_err(|error| io::Error::other(super::say(error.text())))?;
            }
            Ok(())
        }),
    };
    let result = result.and_then(|()| out.flush().map_err(Stopped::Sink));
    // A workbook is written out at the end: a failure then is the file's, not the stream's.
    let finished = match (&result, sheet.take()) {
        (Ok(()), Some(sheet)) => sheet.finish().map_err(|error| error.text()),
        _ => Ok(()),
    };
    progress.finish();
    let mut status = if summary.malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    };
    match result {
        Ok(()) => {}
        Err(Stopped::Sink(error)) => {
            fatal(
                Text::new("eval.write_failed")
                    .with("error", error.to_string())
                    .with("written", written)
                    .with("s", plural(written)),
            );
            status = Status::Failure;
        }
        Err(Stopped::Input(error)) => {
            fatal(error.text());
            status = Status::Failure;
        }
    }
    if let Err(message) = finished {
        fatal(message);
        status = Status::Failure;
    }
    drop(stream);
    if let Some(error) = lookup.as_mut().and_then(|lookup| lookup.failure()) {
        fatal(error.text());
        status = Status::Failure;
    }
    summary.print(&read_as);
    if let Some(hint) = mismatch.filter(|_| summary.malformed > 0) {
        let _ = writeln!(io::stderr().lock(), "{}", super::say(hint));
    }
    if summary.read == 0 && status != Status::Failure {
        let _ = writeln!(
            io::stderr().lock(),
            "{}",
            terminal::safe(&super::say(empty))
        );
    }
    status
}

/// Refuses, before anything is read or written, an output the options cannot be honoured in
/// (said, not silently dropped), one that is also an input, and one that cannot be written.
fn check_output(args: &Args) -> Result<(), Text> {
    let Some(path) = &args.output else {
        return Ok(());
    };
    let kind = office::Kind::of(path)
        .ok_or_else(|| Text::new("eval.output_kind").with("path", path.display().to_string()))?;
    if args.format == OutputFormat::Table {
        return Err(Text::new("eval.table_to_file"));
    }
    if args.explain && kind != office::Kind::Jsonl {
        return Err(Text::new("eval.explain_in_table"));
    }
    writable(path, &[args.tips.as_deref(), args.history.as_deref()])
}

/// Worker threads that could not be started.
pub(super) fn threads_failed(jobs: u16, error: &dyn std::fmt::Display) -> Text {
    Text::new("cli.threads_failed")
        .with("jobs", u32::from(jobs))
        .with("error", error.to_string())
}

/// One output record and, for a decided tip, its outcomes for the summary and its record for
/// the store.
struct Rendered {
    text: String,
    flat: Option<Flat>,
    outcomes: Option<Vec<&'static str>>,
    record: Option<Record>,
}

/// Counts for the closing summary.
#[derive(Default)]
struct Summary {
    read: usize,
    malformed: usize,
    /// Decisions of each outcome, in the order of [`Outcome::NAMES`].
    outcomes: [usize; Outcome::NAMES.len()],
}

impl Summary {
    fn count(&mut self, outcomes: Option<&[&'static str]>) {
        self.read += 1;
        match outcomes {
            None => self.malformed += 1,
            Some(outcomes) => {
                for outcome in outcomes {
                    if let Some(count) = self.outcomes.get_mut(outcome_rank(outcome)) {
                        *count += 1;
                    }
                }
            }
        }
    }

    fn print(&self, read_as: &str) {
        let decided = self.read - self.malformed;
        let mut line = super::say(
            Text::new("eval.summary")
                .with("read", self.read)
                .with("s", plural(self.read))
                .with("decided", decided)
                .with("malformed", self.malformed),
        );
        line.push_str(read_as);
        if self.outcomes.iter().any(|n| *n > 0) {
            let parts: Vec<String> = Outcome::NAMES
                .iter()
                .zip(self.outcomes)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!("{} {n}", super::lang().word(&format!("outcome.{name}"))))
                .collect();
            line.push_str(&super::say(
                Text::new("eval.summary_decisions").with("counts", parts.join(", ")),
            ));
        }
        let _ = writeln!(io::stderr().lock(), "{line}");
    }
}

fn outcome_rank(name: &str) -> usize {
    Outcome::NAMES
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
    index: &mut dyn RepeatIndex,
    max_record_bytes: usize,
) -> Result<(), Text> {
    let history = |error: Text| {
        Text::new("eval.history_failed")
            .with("path", path.display().to_string())
            .with("error", error)
    };
    // A history is read as the tips are: CSV in any encoding, a workbook, JSON Lines.
    let (records, _) =
        open_tips(Some(path), &Reading::default(), decoder, max_record_bytes).map_err(history)?;
    let history = |error: rectify::eval::InputError| history(error.text());
    let mut malformed = 0usize;
    let loaded = remember(evaluator, decoder, index, records, |error| {
        malformed += 1;
        let _ = writeln!(
            io::stderr().lock(),
            "{}",
            terminal::safe(&super::say(
                Text::new("eval.history_malformed")
                    .with("path", path.display().to_string())
                    .with("line", error.line)
                    .with("message", error.message.clone())
            ))
        );
    })
    .map_err(history)?;
    let _ = writeln!(
        io::stderr().lock(),
        "{}",
        super::say(
            Text::new("eval.history_loaded")
                .with("loaded", loaded)
                .with("s", plural(loaded))
                .with("malformed", malformed)
        )
    );
    Ok(())
}

/// How each record is rendered for where it goes.
enum Shape {
    Jsonl,
    Table(table::Layout),
    /// Rows of cells for a workbook or a CSV file.
    Flat,
}

/// Where the decisions go: standard output or a file, as text or as a table of cells.
struct Destination {
    shape: Shape,
    out: Box<dyn Write + Send>,
    table: Option<Table>,
}

impl Destination {
    fn open(
        path: Option<&Path>,
        format: OutputFormat,
        model: &rectify::Model,
        disclosure: Disclosure,
    ) -> Result<Destination, Text> {
        let Some(path) = path else {
            // Written from the stream's writer thread; the buffer takes the lock once per
            // 64 KiB.
            let out = Box::new(BufWriter::with_capacity(1 << 16, io::stdout()));
            let shape = match format {
                OutputFormat::Table => Shape::Table(table::Layout::new(
                    model.campaigns.iter().map(|c| c.id.as_str()),
                )),
                OutputFormat::Jsonl => Shape::Jsonl,
            };
            return Ok(Destination {
                shape,
                out,
                table: None,
            });
        };
        let lang = super::lang();
        let kind = office::Kind::of(path).ok_or_else(|| {
            Text::new("eval.output_kind").with("path", path.display().to_string())
        })?;
        let written = |error: office::WriteError| error.text();
        let file = create_output(path)?;
        Ok(match kind {
            office::Kind::Jsonl => Destination {
                shape: Shape::Jsonl,
                out: Box::new(BufWriter::with_capacity(1 << 16, file)),
                table: None,
            },
            office::Kind::Xlsx => Destination {
                shape: Shape::Flat,
                out: Box::new(io::sink()),
                table: Some(Table::workbook(path, model, lang, disclosure).map_err(written)?),
            },
            office::Kind::Csv => Destination {
                shape: Shape::Flat,
                out: Box::new(io::sink()),
                table: Some(Table::csv(path, lang, disclosure).map_err(written)?),
            },
        })
    }

    fn into_parts(self) -> (Shape, Box<dyn Write + Send>, Option<Table>) {
        (self.shape, self.out, self.table)
    }
}
