//! Finding and reading scheme files, and checking them for the commands that need a model.
//!
//! A file that cannot be read is a [`LoadError`] with a code of its own, shown like any other
//! diagnostic (and in `--format json` too); the files that can be read are still checked.

use std::io::Read;
use std::path::{Path, PathBuf};

use miette::Severity;
use rectify::lang::{Lang, Message, Text};
use rectify::{Model, SourceFile, check};
use serde::Serialize;

use super::render::{self, Output};
use super::{DiagnosticFormat, Status};

/// The largest scheme file read. A scheme of ten thousand lines is well under a megabyte;
/// anything near this limit is not a scheme, and reading on would only exhaust memory.
pub const MAX_SCHEME_BYTES: u64 = 8 << 20;

/// A scheme file that could not be read; its words are in the catalogues under `load.`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadError {
    /// A path that does not exist, or that the operating system will not open.
    Unreadable { path: String, reason: Text },

    /// A file in another encoding (GBK, UTF-16).
    NotUtf8 { path: String, offset: usize },

    /// A file larger than [`MAX_SCHEME_BYTES`], or one that never ends (`/dev/zero`).
    TooLarge { path: String, limit: u64 },

    /// A file of tips (or another office file) named where a scheme belongs. It is not read:
    /// quoting its lines in syntax errors would show the reporters it holds.
    TipsGiven { path: String },

    /// Paths that name no scheme at all.
    NoSchemes {},
}

/// Why the operating system would not give a file, in the reader's words where the reason is
/// a common one.
pub fn io_reason(error: &std::io::Error) -> Text {
    match error.kind() {
        std::io::ErrorKind::NotFound => Text::new("io.not_found"),
        std::io::ErrorKind::PermissionDenied => Text::new("io.permission_denied"),
        std::io::ErrorKind::IsADirectory => Text::new("io.is_a_directory"),
        _ => Text::new("io.other").with("reason", error.to_string()),
    }
}

impl LoadError {
    /// The problem in words, in `lang`.
    pub fn message(&self, lang: Lang) -> Message {
        rectify::lang::localize(self, "load", Severity::Error, lang)
    }

    /// The path the problem is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            LoadError::Unreadable { path, .. }
            | LoadError::NotUtf8 { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::TipsGiven { path } => Some(path),
            LoadError::NoSchemes {} => None,
        }
    }
}

/// Scheme files named by `paths`: files as given, directories searched for `*.scheme`,
/// shared vocabularies (`*.vocab`) and calendar files (`*.holidays`), each directory's files in
/// name order. A `.scheme` file named on its own brings the shared vocabularies of its
/// directory with it, after every named file, since its rules may use them by name. A file
/// reached twice is read once. Every file that can be read is returned, with a problem for each
/// one that cannot.
pub fn scheme_files(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<LoadError>) {
    let beside: Vec<PathBuf> = paths
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "scheme") && path.is_file())
        .flat_map(|path| shared_vocabularies(path.parent().unwrap_or(Path::new("."))))
        .collect();
    let (found, mut problems) = scheme_paths(paths, beside);
    let mut files = Vec::new();
    for path in found {
        match read(&path) {
            Ok(text) => files.push(SourceFile {
                name: path.display().to_string(),
                text,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    if files.is_empty() && problems.is_empty() {
        problems.push(LoadError::NoSchemes {});
    }
    (files, problems)
}

/// The scheme files named by `paths` (files as given, directories searched), then `more`,
/// each once; with a problem for each path that cannot be listed.
pub fn scheme_paths(paths: &[PathBuf], more: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        collect(path, &mut found, &mut problems, true);
    }
    found.extend(more);
    // A file reached twice — named and inside a named directory, or by two spellings such as
    // `./schemes/common.vocab` and an absolute path — is read once, where it was first reached:
    // compare where the paths lead, not how they are written.
    let mut seen: Vec<PathBuf> = Vec::new();
    found.retain(|path| {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let first = !seen.contains(&real);
        if first {
            seen.push(real);
        }
        first
    });
    (found, problems)
}

/// The `*.vocab` files directly in `dir`, in name order; none when it cannot be listed (the
/// scheme beside them is reported on its own if it cannot be read).
fn shared_vocabularies(dir: &Path) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut vocabularies: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "vocab")
                && !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
                && path.is_file()
        })
        .map(|path| {
            path.strip_prefix("./")
                .map(Path::to_path_buf)
                .unwrap_or(path)
        })
        .collect();
    vocabularies.sort();
    vocabularies
}

/// Extensions of the files tips come in, which are never schemes.
const TIP_EXTENSIONS: [&str; 9] = [
    "csv", "tsv", "txt", "jsonl", "ndjson", "json", "xlsx", "xlsm", "xls",
];

/// The text of the scheme file at `path`.
pub fn read(path: &Path) -> Result<String, LoadError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if extension.is_some_and(|e| TIP_EXTENSIONS.contains(&e.as_str())) {
        return Err(LoadError::TipsGiven {
            path: path.display().to_string(),
        });
    }
    let unreadable = |error: std::io::Error| LoadError::Unreadable {
        path: path.display().to_string(),
        reason: io_reason(&error),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_SCHEME_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_SCHEME_BYTES {
        return Err(LoadError::TooLarge {
            path: path.display().to_string(),
            limit: MAX_SCHEME_BYTES >> 20,
        });
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        path: path.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

fn collect(path: &Path, found: &mut Vec<PathBuf>, problems: &mut Vec<LoadError>, named: bool) {
    let unreadable = |error: std::io::Error| LoadError::Unreadable {
        path: path.display().to_string(),
        reason: io_reason(&error),
    };
    if !named {
        // Inside a directory only *.scheme files and subdirectories matter. Hidden entries
        // (an editor's `.#x.scheme` lock, which is a broken link) and links that lead nowhere
        // hold no scheme, and must not stop the others from being read.
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        let is_scheme = path
            .extension()
            .is_some_and(|ext| ext == "scheme" || ext == "holidays" || ext == "vocab");
        match std::fs::metadata(path) {
            _ if hidden => return,
            Ok(metadata) if metadata.is_dir() || is_scheme => {}
            _ => return,
        }
    }
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => return problems.push(unreadable(error)),
    };
    if metadata.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(error) => return problems.push(unreadable(error)),
        };
        let mut entries: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, found, problems, false);
        }
    } else {
        found.push(path.to_path_buf());
    }
}

/// Loads and checks schemes for `eval` and `test`: warnings are shown, errors stop the run.
pub fn checked_model(paths: &[PathBuf]) -> Result<(Vec<SourceFile>, Model), Status> {
    let (files, model) = load_and_check(paths)?;
    if model.campaigns.is_empty() {
        render::fatal(Text::new("cli.no_campaign"));
        return Err(Status::Failure);
    }
    Ok((files, model))
}

/// The calendar: the built-in schedules and those of `files`, checked like schemes.
pub fn checked_calendar(files: &[PathBuf]) -> Result<rectify::model::Calendar, Status> {
    if files.is_empty() {
        return Ok(rectify::check::built_in_calendar().clone());
    }
    load_and_check(files).map(|(_, model)| model.calendar)
}

fn load_and_check(paths: &[PathBuf]) -> Result<(Vec<SourceFile>, Model), Status> {
    match checked_if_sound(paths)? {
        (files, Some(model)) => Ok((files, model)),
        (_, None) => {
            render::fatal(Text::new("cli.scheme_has_errors"));
            Err(Status::Failure)
        }
    }
}

/// Loads and checks schemes for `serve`, which opens on schemes with errors too (to fix them in
/// the page): problems are shown; files that cannot be read stop the run; the model is there
/// when no problem is an error.
pub fn checked_if_sound(paths: &[PathBuf]) -> Result<(Vec<SourceFile>, Option<Model>), Status> {
    let (files, load_errors) = scheme_files(paths);
    let output = Output::stderr(DiagnosticFormat::Human);
    if !load_errors.is_empty() {
        output.load_errors(&load_errors);
        return Err(Status::Failure);
    }
    let checked = check(&files);
    output.problems(&files, &checked.problems, &[]);
    Ok((files, checked.model))
}
