//! `rectify store`: what a history store holds, its records as JSON Lines, and old
//! `--history` files brought into it.

use std::io::{self, Write};
use std::path::PathBuf;

use rectify::eval::{DEFAULT_MAX_RECORD_BYTES, Decoder};
use rectify::lang::Text;
use rectify::store::{self, Location, Record, Recorder, StoreError};
use serde_json::json;

use super::load::checked_model;
use super::render::fatal;
use super::tips::{Reading, open_tips};
use super::{DiagnosticFormat, Status, say};

/// Look after a history store: its figures, its records, and earlier tips brought into it.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    Stats(Stats),
    Export(Export),
    Import(Import),
}

/// Show how many tips the store holds, from when to when, and their outcomes by campaign.
#[derive(Debug, clap::Args)]
struct Stats {
    /// The store (a SQLite file or a `postgres://` database).
    #[arg(long, value_name = "FILE|URL")]
    store: String,

    /// The file of the store's reporter key; by default beside a SQLite store
    /// (`FILE.key`), or, for a PostgreSQL store, in the user's configuration directory.
    #[arg(long, value_name = "KEY")]
    store_key: Option<PathBuf>,

    /// `human` or `json`.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
}

/// Write every record of the store as JSON Lines, in the order recorded; never with a
/// reporter, not even as its hash.
#[derive(Debug, clap::Args)]
struct Export {
    /// The store (a SQLite file or a `postgres://` database).
    #[arg(long, value_name = "FILE|URL")]
    store: String,

    /// The file of the store's reporter key; by default beside a SQLite store
    /// (`FILE.key`), or, for a PostgreSQL store, in the user's configuration directory.
    #[arg(long, value_name = "KEY")]
    store_key: Option<PathBuf>,
}

/// Record earlier tips (the JSON Lines or CSV files once given to `--history`) in the store,
/// without deciding them, so that new tips are compared with them.
#[derive(Debug, clap::Args)]
struct Import {
    /// The store (a SQLite file, created when missing, or a `postgres://` database).
    #[arg(long, value_name = "FILE|URL")]
    store: String,

    /// The file of the store's reporter key; by default beside a SQLite store
    /// (`FILE.key`), or, for a PostgreSQL store, in the user's configuration directory.
    #[arg(long, value_name = "KEY")]
    store_key: Option<PathBuf>,

    /// A scheme file or directory, for the fields its tips may carry; repeatable.
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// The tip files.
    #[arg(required = true, value_name = "TIPS")]
    tips: Vec<PathBuf>,

    #[command(flatten)]
    reading: Reading,
}

pub fn run(args: Args) -> Status {
    match args.action {
        Action::Stats(stats) => show_stats(&stats),
        Action::Export(export) => export_records(&export),
        Action::Import(import) => import_tips(&import),
    }
}

fn open(store: &str, key: Option<&std::path::Path>) -> Result<Recorder, Status> {
    store::maintain(&Location::parse(store), key).map_err(|error| {
        fatal(error.text());
        Status::Failure
    })
}

fn show_stats(args: &Stats) -> Status {
    let mut recorder = match open(&args.store, args.store_key.as_deref()) {
        Ok(recorder) => recorder,
        Err(status) => return status,
    };
    let stats = match recorder.stats() {
        Ok(stats) => stats,
        Err(error) => {
            fatal(error.text());
            return Status::Failure;
        }
    };
    let mut out = io::stdout().lock();
    let _ = match args.format {
        DiagnosticFormat::Json => writeln!(out, "{:#}", json!(stats)),
        DiagnosticFormat::Human => {
            let range = match (stats.first, stats.last) {
                (Some(first), Some(last)) => Text::new("store.stats.range")
                    .with("first", first.to_string())
                    .with("last", last.to_string()),
                _ => Text::new("list.none"),
            };
            let heading = Text::new("store.stats.heading")
                .with("tips", stats.tips)
                .with("runs", stats.runs)
                .with("range", range)
                .with("schema", stats.schema);
            let mut text = say(heading) + "\n";
            for (campaign, outcome, count) in &stats.outcomes {
                let key = format!("outcome.{outcome}");
                text.push_str(&format!(
                    "  {}  {}  {count}\n",
                    super::terminal::cell(campaign),
                    super::lang().word(&key)
                ));
            }
            write!(out, "{text}")
        }
    };
    Status::Ok
}

/// A record as exported: what the store holds of a tip, without the reporter's hash.
fn exported(record: &Record) -> serde_json::Value {
    json!({
        "id": record.id,
        "received": record.received,
        "subject": record.subject,
        "region": record.region,
        "real_name": record.reporter.is_some(),
        "outcomes": record.outcomes,
    })
}

fn export_records(args: &Export) -> Status {
    let mut recorder = match open(&args.store, args.store_key.as_deref()) {
        Ok(recorder) => recorder,
        Err(status) => return status,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    // A failed write stops the export; it is told apart from a failure of the store.
    let mut written: io::Result<()> = Ok(());
    let result = recorder.each(&mut |record| {
        writeln!(out, "{}", exported(&record)).map_err(|error| {
            let message = error.to_string();
            written = Err(error);
            StoreError::Database(message)
        })
    });
    let written = written.and_then(|()| out.flush());
    match (written, result) {
        (Ok(()), Ok(())) => Status::Ok,
        // The reader stopped reading (`| head`): nothing is wrong.
        (Err(error), _) if error.kind() == io::ErrorKind::BrokenPipe => Status::Ok,
        (Err(error), _) => {
            fatal(Text::new("store.write_failed").with("error", error.to_string()));
            Status::Failure
        }
        (Ok(()), Err(error)) => {
            fatal(error.text());
            Status::Failure
        }
    }
}

fn import_tips(args: &Import) -> Status {
    let (_, model) = match checked_model(&args.schemes) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let mut recorder = match open(&args.store, args.store_key.as_deref()) {
        Ok(recorder) => recorder,
        Err(status) => return status,
    };
    let decoder = Decoder::new(&model);
    let (mut imported, mut malformed) = (0usize, 0usize);
    for path in &args.tips {
        let mut records = match open_tips(
            Some(path),
            &args.reading,
            &decoder,
            DEFAULT_MAX_RECORD_BYTES,
        ) {
            Ok((records, _)) => records,
            Err(message) => {
                fatal(message);
                return Status::Failure;
            }
        };
        let layout = records.layout().cloned();
        let mut batch = Vec::new();
        loop {
            let raw = match records.next_record() {
                Ok(Some(raw)) => raw,
                Ok(None) => break,
                Err(error) => {
                    fatal(error.text());
                    return Status::Failure;
                }
            };
            match decoder.decode(raw, layout.as_ref()) {
                Ok(tip) => batch.push(Record::of(&tip, &[], recorder.key())),
                Err(_) => malformed += 1,
            }
            if batch.len() == 1024 {
                imported += batch.len();
                if let Err(error) = recorder.write(&std::mem::take(&mut batch)) {
                    fatal(error.text());
                    return Status::Failure;
                }
            }
        }
        imported += batch.len();
        if let Err(error) = recorder.write(&batch) {
            fatal(error.text());
            return Status::Failure;
        }
    }
    let line = Text::new("store.imported")
        .with("imported", imported)
        .with("malformed", malformed);
    let _ = writeln!(io::stderr().lock(), "{}", say(line));
    if malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    }
}
