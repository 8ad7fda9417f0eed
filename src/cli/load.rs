//! Finding and reading scheme files, and checking them for the commands that need a model.

use std::path::{Path, PathBuf};

use rectify::{Model, SourceFile, check};

use super::render::{self, Output};
use super::{DiagnosticFormat, Status};

/// Scheme files named by `paths`: files as given, directories searched for `*.scheme`, each
/// directory's files in name order.
pub fn scheme_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut found = Vec::new();
    for path in paths {
        collect(path, &mut found, true)?;
    }
    let mut files = Vec::new();
    for path in found {
        let text =
            std::fs::read(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let text = String::from_utf8(text).map_err(|e| {
            format!(
                "`{}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        files.push(SourceFile {
            name: path.display().to_string(),
            text,
        });
    }
    if files.is_empty() {
        return Err("no scheme files found (looked for *.scheme)".to_string());
    }
    Ok(files)
}

fn collect(path: &Path, found: &mut Vec<PathBuf>, named: bool) -> Result<(), String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if metadata.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read directory `{}`: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            collect(&entry, found, false)?;
        }
    } else if named || path.extension().is_some_and(|ext| ext == "scheme") {
        found.push(path.to_path_buf());
    }
    Ok(())
}

/// Loads and checks schemes for `eval` and `test`: warnings are shown, errors stop the run.
pub fn checked_model(paths: &[PathBuf]) -> Result<(Vec<SourceFile>, Model), Status> {
    let files = match scheme_files(paths) {
        Ok(files) => files,
        Err(message) => {
            render::fatal(&message);
            return Err(Status::Failure);
        }
    };
    let checked = check(&files);
    let output = Output::stderr(DiagnosticFormat::Human);
    output.problems(&files, &checked.problems);
    match checked.model {
        Some(model) if model.campaigns.is_empty() => {
            render::fatal("the scheme files hold no campaign");
            Err(Status::Failure)
        }
        Some(model) => Ok((files, model)),
        None => {
            render::fatal(
                "the schemes have errors; run `rectify check` on them and fix what it reports",
            );
            Err(Status::Failure)
        }
    }
}
