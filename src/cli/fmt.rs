//! `rectify fmt`: scheme files in the canonical layout, through [`rectify::format`].
//!
//! A file is rewritten only when its layout changes, and then through a new file renamed over
//! it, so that an interrupted run leaves either the old text or the new one. A file that does
//! not parse is left as it is.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use rectify::SourceFile;
use rectify::check::{Problem, ProblemKind};
use rectify::format::{FormatError, Options, format};
use rectify::lang::{Lang, Text};

use super::load::{LoadError, MAX_SCHEME_BYTES, read, scheme_paths};
use super::render::{Output, fatal};
use super::{DiagnosticFormat, Status, say};

/// Put scheme files in the canonical layout.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scheme files, or directories to search (subdirectories included) for *.scheme, *.vocab
    /// and *.holidays files; none, or `-`, formats standard input onto standard output.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write nothing; name the files whose layout would change, and fail (exit 1) if any would.
    #[arg(long)]
    check: bool,

    /// Write nothing; show each change as a unified diff on standard output.
    #[arg(long)]
    diff: bool,

    /// Spell every keyword in Chinese (`zh`) or in English (`en`).
    #[arg(long, value_parser = super::parse_lang, value_name = "zh|en")]
    keywords: Option<Lang>,
}

pub fn run(args: Args) -> Status {
    let options = Options {
        keywords: args.keywords,
    };
    let stdin = args.paths.is_empty() || args.paths.iter().all(|p| p.as_os_str() == "-");
    if stdin {
        return standard_input(&args, options);
    }
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        fatal(Text::new("fmt.stdin_with_files"));
        return Status::Failure;
    }
    let (paths, mut unread) = scheme_paths(&args.paths, Vec::new());
    let mut files = Vec::new();
    let mut readable = Vec::new();
    for path in paths {
        match read(&path) {
            Ok(text) => {
                files.push(SourceFile {
                    name: path.display().to_string(),
                    text,
                });
                readable.push(path);
            }
            Err(error) => unread.push(error),
        }
    }
    if files.is_empty() && unread.is_empty() {
        unread.push(LoadError::NoSchemes {});
    }
    let mut problems = Vec::new();
    let mut changed = Vec::new();
    let mut unwritten = 0;
    let mut unaccounted = 0;
    let mut stdout = io::stdout().lock();
    for (index, (file, path)) in files.iter().zip(&readable).enumerate() {
        let formatted = match format(&file.text, options) {
            Ok(formatted) => formatted,
            Err(error) => {
                if error == FormatError::Unaccounted {
                    unaccounted += 1;
                }
                problems.extend(not_formatted(index, file, error));
                continue;
            }
        };
        if formatted == file.text {
            continue;
        }
        changed.push(file.name.clone());
        if args.diff {
            let _ = write!(stdout, "{}", diff(&file.name, &file.text, &formatted));
        }
        if !args.check
            && !args.diff
            && let Err(error) = replace(path, &formatted)
        {
            fatal(
                Text::new("office.write_failed")
                    .with("path", file.name.clone())
                    .with("error", super::load::io_reason(&error)),
            );
            unwritten += 1;
        }
    }
    let _ = stdout.flush();
    let output = Output::stderr(DiagnosticFormat::Human);
    output.problems(&files, &problems, &unread);
    let mut err = io::stderr().lock();
    if args.check {
        for name in &changed {
            let _ = writeln!(
                err,
                "{}",
                say(Text::new("fmt.would_change").with("path", name.clone()))
            );
        }
    }
    let failed = unread.len() + unwritten + unaccounted + failed_files(&problems);
    let key = match (args.check || args.diff, changed.len(), failed) {
        (true, _, 1..) => "fmt.summary_failed_checked",
        (false, _, 1..) => "fmt.summary_failed_written",
        (true, 0, _) => "fmt.summary_checked_clean",
        (true, _, _) => "fmt.summary_checked",
        (false, _, _) => "fmt.summary_written",
    };
    let _ = writeln!(
        err,
        "{}",
        say(Text::new(key)
            .with("files", files.len())
            .with("files_s", super::check::plural(files.len()))
            .with("changed", changed.len())
            .with("changed_s", super::check::plural(changed.len()))
            .with("failed", failed))
    );
    if !unread.is_empty() || unwritten > 0 {
        Status::Failure
    } else if !problems.is_empty() || unaccounted > 0 || (args.check && !changed.is_empty()) {
        Status::Problems
    } else {
        Status::Ok
    }
}

/// Formats standard input onto standard output. A text that does not parse is given back as
/// it came, so that an editor piping its buffer through loses nothing.
fn standard_input(args: &Args, options: Options) -> Status {
    let mut bytes = Vec::new();
    let read = io::stdin()
        .lock()
        .take(MAX_SCHEME_BYTES + 1)
        .read_to_end(&mut bytes);
    let echo = bytes.clone();
    let refused = match (read, String::from_utf8(bytes)) {
        (Err(error), _) => Err(LoadError::Unreadable {
            path: "-".to_string(),
            reason: super::load::io_reason(&error),
        }),
        (Ok(length), _) if length as u64 > MAX_SCHEME_BYTES => Err(LoadError::TooLarge {
            path: "-".to_string(),
            limit: MAX_SCHEME_BYTES >> 20,
        }),
        (Ok(_), Err(error)) => Err(LoadError::NotUtf8 {
            path: "-".to_string(),
            offset: error.utf8_error().valid_up_to(),
        }),
        (Ok(_), Ok(text)) => Ok(text),
    };
    let text = match refused {
        Ok(text) => text,
        Err(error) => {
            // Text that is not UTF-8 goes back out as it came, as a file that does not parse.
            if !args.check && !args.diff && matches!(error, LoadError::NotUtf8 { .. }) {
                let _ = io::stdout().lock().write_all(&echo);
            }
            Output::stderr(DiagnosticFormat::Human).load_errors(&[error]);
            return Status::Failure;
        }
    };
    let file = SourceFile {
        name: "-".to_string(),
        text,
    };
    let mut stdout = io::stdout().lock();
    let status = match format(&file.text, options) {
        Ok(formatted) => {
            let changed = formatted != file.text;
            let written = if args.diff {
                write!(stdout, "{}", diff("-", &file.text, &formatted))
            } else if args.check {
                Ok(())
            } else {
                stdout.write_all(formatted.as_bytes())
            };
            if written.is_err() {
                return Status::Failure;
            }
            if args.check && changed {
                let _ = writeln!(
                    io::stderr(),
                    "{}",
                    say(Text::new("fmt.would_change").with("path", "-"))
                );
                Status::Problems
            } else {
                Status::Ok
            }
        }
        Err(error) => {
            if !args.check && !args.diff {
                let _ = stdout.write_all(file.text.as_bytes());
            }
            let problems = not_formatted(0, &file, error);
            let _ = stdout.flush();
            Output::stderr(DiagnosticFormat::Human).problems(
                std::slice::from_ref(&file),
                &problems,
                &[],
            );
            Status::Problems
        }
    };
    let _ = stdout.flush();
    status
}

/// How many files the problems are in.
fn failed_files(problems: &[Problem]) -> usize {
    let mut files: Vec<usize> = problems.iter().map(|p| p.file).collect();
    files.dedup();
    files.len()
}

/// Why a file was left as it was, as problems to show.
fn not_formatted(index: usize, file: &SourceFile, error: FormatError) -> Vec<Problem> {
    match error {
        FormatError::Syntax(errors) => errors
            .into_iter()
            .map(|error| Problem {
                file: index,
                error: ProblemKind::Parse(error),
                related: None,
            })
            .collect(),
        FormatError::Unaccounted => {
            fatal(Text::new("fmt.unaccounted").with("path", file.name.clone()));
            Vec::new()
        }
    }
}

/// The change as a unified diff, with three lines of context.
fn diff(name: &str, old: &str, new: &str) -> String {
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| match line.as_bytes().first() {
            Some(b'+') if !line.starts_with("+++") => format!("\x1b[32m{line}\x1b[0m\n"),
            Some(b'-') if !line.starts_with("---") => format!("\x1b[31m{line}\x1b[0m\n"),
            _ => format!("{line}\n"),
        })
        .collect()
}

/// Writes `text` over the file at `path` through a new file beside it, renamed into place: a
/// run stopped half-way leaves the old file whole. A link is followed, and the file it leads to
/// keeps its permissions.
fn replace(path: &Path, text: &str) -> io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(&target)?.permissions();
    // A new name that nothing holds: an existing file, or a link planted there, is never
    // written through.
    let (temporary, mut file) = (0..100)
        .find_map(|attempt| {
            let path = dir.join(format!(
                ".{name}.rectify-fmt-{}-{attempt}",
                std::process::id()
            ));
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            match created {
                Ok(file) => Some(Ok((path, file))),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => None,
                Err(error) => Some(Err(error)),
            }
        })
        .unwrap_or_else(|| Err(io::Error::from(io::ErrorKind::AlreadyExists)))?;
    let result = (|| {
        // The new file has the old one's permissions before it holds a byte.
        file.set_permissions(permissions)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
