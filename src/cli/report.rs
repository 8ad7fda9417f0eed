//! `rectify report`: the decisions on a file of tips as one HTML page to read and print.
//!
//! The tips are decided as `rectify eval` decides them, through the same stream; what the page
//! shows is gathered by [`rectify::office::report`], which keeps nothing of a reporter.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use rectify::eval::{
    DEFAULT_MAX_RECORD_BYTES, Decoder, DuplicateIndex, Evaluator, Item, Options, Stopped, Stream,
};
use rectify::lang::Text;
use rectify::office::report::{Observed, Rejected, Report, observe, reject};

use super::Status;
use super::load::checked_model;
use super::progress::Progress;
use super::render::fatal;
use super::tips::{Reading, create_output, open_tips, writable};

/// Write a report of the decisions on a file of tips: one self-contained HTML page.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scheme file, or a directory to search for *.scheme, *.vocab and *.holidays files;
    /// repeatable.
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// A calendar file (`节假日安排` blocks); repeatable.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// The tips: a file, or `-` or nothing for standard input.
    #[arg(value_name = "TIPS")]
    tips: Option<PathBuf>,

    #[command(flatten)]
    reading: Reading,

    /// The HTML file to write; by default standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// The day the report is made on, from which deadlines in the next two weeks are listed;
    /// by default today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = day)]
    today: Option<NaiveDate>,

    /// The longest record read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    max_record_bytes: usize,

    /// Worker threads; the report is the same whatever the number.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,

    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: Args) -> Status {
    let (_, model) = match checked_model(&[args.schemes.clone(), args.calendars.clone()].concat()) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let lang = super::lang();
    let evaluator = Evaluator::new(&model).with_lang(lang);
    let decoder = Decoder::new(&model);
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
    let file = match &args.output {
        Some(path) if !is_html(path) => {
            fatal(Text::new("report.output_kind").with("path", path.display().to_string()));
            return Status::Failure;
        }
        Some(path) => {
            match writable(path, &[args.tips.as_deref()]).and_then(|()| create_output(path)) {
                Ok(file) => Some(file),
                Err(message) => {
                    fatal(message);
                    return Status::Failure;
                }
            }
        }
        None => None,
    };
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut index = DuplicateIndex::new();
    let options = Options {
        jobs: args.jobs.into(),
        explain: false,
    };
    let mut stream = match Stream::new(&evaluator, &decoder, &mut index, options) {
        Ok(stream) => stream,
        Err(error) => {
            fatal(super::eval::threads_failed(args.jobs, &error));
            return Status::Failure;
        }
    };
    let mut report = Report::new(&model, lang, today);
    let mut progress = Progress::new(meter, args.quiet);
    let render = |item: Item| -> Result<Observed, Rejected> {
        match item {
            Item::Decided { tip, decisions, .. } => Ok(observe(tip, decisions)),
            Item::Malformed(error) => Err(reject(error, lang)),
        }
    };
    let result = stream.run(records, render, |batch: Vec<Result<Observed, Rejected>>| {
        progress.advance(batch.len());
        for observed in batch {
            match observed {
                Ok(observed) => report.add(&observed),
                Err(rejected) => report.add_malformed(rejected),
            }
        }
        Ok::<(), io::Error>(())
    });
    progress.finish();
    drop(stream);
    match result {
        Ok(()) => {}
        Err(Stopped::Input(error)) => {
            fatal(error.text());
            return Status::Failure;
        }
        Err(Stopped::Sink(error)) => {
            fatal(Text::new("report.write_failed").with("error", error.to_string()));
            return Status::Failure;
        }
    }
    let page = report.html();
    let written = match file {
        Some(file) => {
            let mut out = BufWriter::new(file);
            out.write_all(page.as_bytes()).and_then(|()| out.flush())
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(page.as_bytes()).and_then(|()| out.flush())
        }
    };
    if let Err(error) = written {
        let path = args
            .output
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string());
        fatal(
            Text::new("office.write_failed")
                .with("path", path)
                .with("error", super::load::io_reason(&error)),
        );
        return Status::Failure;
    }
    let (decided, malformed) = report.counts();
    if let Some(path) = &args.output {
        let _ = writeln!(
            io::stderr().lock(),
            "{}",
            super::say(
                Text::new("report.written")
                    .with("path", path.display().to_string())
                    .with("decided", decided)
                    .with("malformed", malformed)
            )
        );
    }
    if malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    }
}

/// Whether `path` names an HTML file.
fn is_html(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// A day as tips write one (`2022-06-20`, `2022/6/20`, `2022年6月20日`).
fn day(text: &str) -> Result<NaiveDate, String> {
    rectify::eval::day_of(text)
        .ok_or_else(|| super::say(Text::new("report.today_not_a_date").with("text", text)))
}
