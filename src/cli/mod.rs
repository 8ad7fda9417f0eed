//! The `rectify` command line: argument parsing, reading files, printing, exit codes.
//!
//! This is the only part of the program that prints or exits. Exit codes: 0 when all is well,
//! 1 when the input was read but something in it is wrong (a scheme error, a malformed tip, a
//! failing example), 2 when nothing could run (bad usage, an unreadable file, a scheme that
//! does not check).

mod calendar;
mod check;
mod coverage;
mod duties;
mod eval;
mod fmt;
mod help;
mod load;
mod lsp;
mod mask;
mod progress;
mod render;
mod report;
mod serve;
mod store;
mod table;
mod terminal;
mod test;
mod tips;

use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use rectify::lang::{Lang, Text};

/// Write rectification campaign schemes (专项整治方案), check them before launch, and evaluate
/// tips (问题线索) against several concurrent campaigns.
#[derive(Debug, Parser)]
#[command(
    name = "rectify",
    version,
    after_help = "Examples:\n  rectify check schemes/\n  rectify test schemes/\n  rectify eval --scheme schemes/ examples/tips.jsonl\n  rectify eval --scheme schemes/liuzhi-2022.scheme --format table tips.csv\n  rectify calendar 2026\n  rectify calendar --add 2022-09-28 30 工作日\n\nExit status: 0 all well; 1 problems found in the input; 2 nothing could run."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,

    /// The language rectify speaks: zh (中文) or en. Default: RECTIFY_LANG, else the locale
    /// (LC_ALL, LC_MESSAGES, LANG: zh* is Chinese, anything else English).
    #[arg(long, global = true, value_parser = parse_lang, value_name = "zh|en")]
    lang: Option<Lang>,
}

pub(crate) fn parse_lang(text: &str) -> Result<Lang, String> {
    match text {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        _ => Err("zh | en".to_string()),
    }
}

/// The language of this run, chosen once at start.
static LANG: OnceLock<Lang> = OnceLock::new();

/// The language every line of this run is in.
pub fn lang() -> Lang {
    *LANG.get_or_init(|| Lang::from_env(|name| std::env::var(name).ok()))
}

/// A text of the catalogue in this run's language.
pub fn say(text: Text) -> String {
    text.render(lang())
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(check::Args),
    Eval(eval::Args),
    Test(test::Args),
    Coverage(coverage::Args),
    Calendar(calendar::Args),
    Duties(duties::Args),
    Store(store::Args),
    Report(report::Args),
    Fmt(fmt::Args),
    Lsp(lsp::Args),
    Serve(serve::Args),
}

/// How diagnostics are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiagnosticFormat {
    // Graphical on a terminal; plain text when piped or when NO_COLOR is set. (The values are
    // described in each option's help, from the catalogue.)
    #[default]
    Human,
    // One JSON document on standard output.
    Json,
}

/// The three exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Problems,
    Failure,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Ok => ExitCode::SUCCESS,
            Status::Problems => ExitCode::from(1),
            Status::Failure => ExitCode::from(2),
        }
    }
}

pub fn main() -> ExitCode {
    // The language is needed before the arguments are parsed, for `--help` and usage errors.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let asked = args.iter().enumerate().find_map(|(index, arg)| {
        let arg = arg.to_str()?;
        match arg.strip_prefix("--lang") {
            Some("") => args
                .get(index + 1)?
                .to_str()
                .and_then(|v| parse_lang(v).ok()),
            Some(rest) => rest.strip_prefix('=').and_then(|v| parse_lang(v).ok()),
            None => None,
        }
    });
    let lang = asked.unwrap_or_else(|| Lang::from_env(|name| std::env::var(name).ok()));
    let _ = LANG.set(lang);
    let matches = match help::localized(Cli::command(), lang).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => help::usage_error(error, lang),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => help::usage_error(error, lang),
    };
    let status = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Test(args) => test::run(args),
        Command::Coverage(args) => coverage::run(args),
        Command::Calendar(args) => calendar::run(args),
        Command::Duties(args) => duties::run(args),
        Command::Store(args) => store::run(args),
        Command::Report(args) => report::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Serve(args) => serve::run(args),
    };
    status.into()
}
