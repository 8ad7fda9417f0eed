//! `rectify eval`: decide tips against several concurrent campaigns.
//!
//! Records stream through in batches: decode, normalise and scan (in parallel with `--jobs`),
//! look for repeats (in input order, so the result does not depend on the number of jobs),
//! decide and serialise (in parallel), write in input order. Memory does not grow with the
//! input, except for the repeat index (one small signature per tip) when a campaign has a
//! duplicate clause.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use rectify::eval::{
    DEFAULT_MAX_RECORD_BYTES, Decoder, Disclosure, DuplicateIndex, Evaluator, Format, Item,
    Options, Records, RepeatIndex, Stopped, Stream, decided_line, error_line, remember,
};
use rectify::lang::Text;
use rectify::store::{self, Location, Record};

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
pub(super) enum InputFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Jsonl,
    Table,
}

pub fn run(args: Args) -> Status {
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
    let records = match open_tips(
        args.tips.as_deref(),
        args.input,
        &decoder,
        args.max_record_bytes,
    ) {
        Ok(records) => records,
        Err(message) => {
            fatal(message);
            return Status::Failure;
        }
    };
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
    let table = (args.format == OutputFormat::Table)
        .then(|| table::Layout::new(model.campaigns.iter().map(|c| c.id.as_str())));
    let key = recorder.as_ref().map(|r| r.key().clone());
    let render = |item: Item| -> Rendered {
        match item {
            Item::Decided {
                line,
                tip,
                decisions,
            } => Rendered {
                text: match &table {
                    Some(layout) => table::rows(layout, line, tip, decisions),
                    None => decided_line(line, tip, decisions, disclosure),
                },
                outcomes: Some(decisions.iter().map(|d| d.outcome.name()).collect()),
                record: key.as_ref().map(|key| Record::of(tip, decisions, key)),
            },
            Item::Malformed(error) => Rendered {
                text: match &table {
                    Some(layout) => table::error_row(layout, error),
                    None => error_line(error, super::lang()),
                },
                outcomes: None,
                record: None,
            },
        }
    };
    let mut summary = Summary::default();
    let mut written = 0usize;
    // Written from the stream's writer thread; the buffer takes the lock once per 64 KiB.
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let header = table.as_ref().map(|layout| layout.header());
    let result = match header.map(|header| out.write_all(header.as_bytes())) {
        Some(Err(error)) => Err(Stopped::Sink(error)),
        _ => stream.run(records, render, |batch: Vec<Rendered>| {
            let mut records = Vec::new();
            for item in batch {
                summary.count(item.outcomes.as_deref());
                out.write_all(item.text.as_bytes())?;
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
    drop(stream);
    if let Some(error) = lookup.as_mut().and_then(|lookup| lookup.failure()) {
        fatal(error.text());
        status = Status::Failure;
    }
    summary.print();
    status
}

/// Where tips are read from; it is read on a thread of its own.
pub(super) type Input = Box<dyn Read + Send>;

/// The tips named on the command line (a file, or standard input for `-` or nothing), ready
/// to read record by record.
pub(super) fn open_tips(
    path: Option<&Path>,
    format: Option<InputFormat>,
    decoder: &Decoder,
    max_record_bytes: usize,
) -> Result<Records<Input>, Text> {
    let from_stdin = path.is_none_or(|path| path.as_os_str() == "-");
    if from_stdin && io::stdin().is_terminal() {
        // Someone typed the command without a file: say what it waits for.
        let waiting = Text::new(match format {
            Some(InputFormat::Csv) => "eval.waiting_csv",
            _ => "eval.waiting_jsonl",
        });
        let _ = writeln!(io::stderr().lock(), "{}", super::say(waiting));
    }
    let source: Input = match path {
        None => Box::new(io::stdin()),
        Some(path) if path.as_os_str() == "-" => Box::new(io::stdin()),
        Some(path) if path.is_dir() => {
            return Err(Text::new("eval.tips_directory").with("path", path.display().to_string()));
        }
        Some(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(error) => return Err(cannot_read(path, &error)),
        },
    };
    Records::new(
        source,
        input_format(format, path),
        decoder,
        max_record_bytes,
    )
    .map_err(|error| error.text())
}

/// A file that could not be opened, in the reader's words.
pub(super) fn cannot_read(path: &Path, error: &io::Error) -> Text {
    Text::new("load.unreadable")
        .with("path", path.display().to_string())
        .with("reason", super::load::io_reason(error))
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
    outcomes: Option<Vec<&'static str>>,
    record: Option<Record>,
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
        let mut line = super::say(
            Text::new("eval.summary")
                .with("read", self.read)
                .with("s", plural(self.read))
                .with("decided", decided)
                .with("malformed", self.malformed),
        );
        if !self.outcomes.is_empty() {
            let mut counts: Vec<(&&str, &usize)> = self.outcomes.iter().collect();
            counts.sort_by_key(|(name, _)| outcome_rank(name));
            let parts: Vec<String> = counts
                .iter()
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
    index: &mut dyn RepeatIndex,
    max_record_bytes: usize,
) -> Result<(), Text> {
    let file = File::open(path).map_err(|e| cannot_read(path, &e))?;
    let format = input_format(None, Some(path));
    let history = |error: rectify::eval::InputError| {
        Text::new("eval.history_failed")
            .with("path", path.display().to_string())
            .with("error", error.text())
    };
    let records = Records::new(file, format, decoder, max_record_bytes).map_err(history)?;
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
