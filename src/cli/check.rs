//! `rectify check`: validate schemes before a campaign launches.

use std::io::Write;
use std::path::PathBuf;

use rectify::check;
use rectify::lang::Text;

use super::load::scheme_files;
use super::render::Output;
use super::{DiagnosticFormat, Status};

/// Check scheme files and report every problem in them.
///
/// Reads each file (or every `*.scheme` under each directory, subdirectories included), checks
/// them together — each campaign on its own, then concurrent campaigns against each other — and
/// reports all errors and warnings, sorted by file and position.
///
/// Exit status: 0 when there is no error (and, with --deny-warnings, no warning); 1 when
/// there is; 2 when a file cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scheme files, or directories to search (subdirectories included) for *.scheme, *.vocab
    /// and *.holidays files; a .scheme named alone brings the *.vocab files beside it.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// How to show diagnostics: `human` (graphical on a terminal, plain when piped or when
    /// NO_COLOR is set) or `json` (one document on standard output).
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: Args) -> Status {
    let (files, unread) = scheme_files(&args.paths);
    let checked = check(&files);
    Output::stderr(args.format).problems(&files, &checked.problems, &unread);
    let errors = unread.len() + checked.problems.iter().filter(|p| p.is_error()).count();
    let warnings = checked.problems.iter().filter(|p| !p.is_error()).count();
    if args.format == DiagnosticFormat::Human {
        let campaigns = checked.model.as_ref().map(|m| m.campaigns.len());
        let mut err = std::io::stderr().lock();
        let summary = Text::new(if campaigns.is_some() {
            "cli.check_summary_campaigns"
        } else {
            "cli.check_summary"
        })
        .with("files", files.len())
        .with("files_s", plural(files.len()))
        .with("campaigns", campaigns.unwrap_or(0))
        .with("campaigns_s", plural(campaigns.unwrap_or(0)))
        .with("errors", errors)
        .with("errors_s", plural(errors))
        .with("warnings", warnings)
        .with("warnings_s", plural(warnings));
        let _ = writeln!(err, "{}", super::say(summary));
    }
    if !unread.is_empty() {
        Status::Failure
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        Status::Problems
    } else {
        Status::Ok
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
