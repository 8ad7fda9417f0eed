//! `rectify test`: run the examples that schemes carry.

use std::io::Write;
use std::path::PathBuf;

use rectify::lang::Text;
use rectify::verify::run_examples;

use super::load::checked_model;
use super::render::{Output, render_with_source};
use super::{DiagnosticFormat, Status, say, terminal};

/// Run every example in the given schemes and compare outcomes.
///
/// Each `example` block is a tip with the outcome its authors expect. The schemes are checked
/// first; then each campaign's examples run in file order, as a stream of tips, so an example
/// may repeat an earlier one to test a duplicate clause. A failure shows the expected and the
/// actual outcome and points at the example. The last line is `N passed, M failed`.
///
/// Exit status: 0 when every example passes; 1 when one fails; 2 when the schemes do not
/// check or cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scheme files, or directories to search (subdirectories included) for *.scheme, *.vocab
    /// and *.holidays files; a .scheme named alone brings the *.vocab files beside it.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// A calendar file (`节假日安排` blocks) adding years the built-in holiday table does not
    /// know yet; repeatable. Calendar files (*.holidays) in a scheme directory are read too.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// Run only the examples whose name or campaign id contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
}

pub fn run(args: Args) -> Status {
    let (files, model) = match checked_model(&[args.paths.clone(), args.calendars.clone()].concat())
    {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let results = run_examples(&model, args.filter.as_deref());
    let output = Output::stderr(DiagnosticFormat::Human);
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for result in &results {
        let title = format!("{} › {}", result.campaign, result.name);
        let lang = output.lang();
        if result.passed() {
            let _ = writeln!(
                out,
                "{}  {}",
                lang.word("test.pass"),
                terminal::cell(&title)
            );
        } else {
            failed += 1;
            let _ = writeln!(
                out,
                "{}  {}",
                lang.word("test.fail"),
                terminal::cell(&title)
            );
            let file = &files[result.file];
            let message = result.failure().message(lang);
            let _ = write!(
                out,
                "{}",
                render_with_source(&output, message, &file.name, &file.text)
            );
        }
    }
    if results.is_empty() {
        let _ = writeln!(out, "{}", say(Text::new("test.none")));
    }
    let summary = Text::new("test.summary")
        .with("passed", results.len() - failed)
        .with("failed", failed);
    let _ = writeln!(out, "{}", say(summary));
    if failed > 0 {
        Status::Problems
    } else {
        Status::Ok
    }
}
