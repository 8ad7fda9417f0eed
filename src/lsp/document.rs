//! An open scheme file and what is known of it: its tokens, its tree, its problems, its model
//! and the ids it declares and uses, recomputed on every change.
//!
//! A document is checked with the shared vocabularies (`*.vocab`) beside it, as `rectify check`
//! checks a scheme named alone, so that `词表(…)` finds its words; the schemes beside it are read
//! for their ids, so that a vocabulary is renamed everywhere it is used.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

use super::index::Index;
use crate::check::{Problem, ProblemKind, SourceFile, check};
use crate::model::Model;
use crate::syntax::{self, Token, ast::SchemeFile};

/// A file as the editor holds it (or as it is on disk, for one beside it).
pub(crate) struct Document {
    pub uri: Uri,
    pub text: String,
    lines: Vec<usize>,
    /// The tokens, when there is a tree.
    pub tokens: Option<Vec<Token>>,
    /// The tree, when the file parses, or of what is sound in it when a slip on a line is all
    /// that is wrong.
    pub tree: Option<SchemeFile>,
    /// Whether the file parses as it is.
    pub parses: bool,
    /// Whether every file beside it parses.
    pub beside_parse: bool,
    /// Problems of this file (the first of `files`).
    pub problems: Vec<Problem>,
    /// This file, then the files checked or indexed with it.
    pub files: Vec<(Uri, SourceFile)>,
    pub model: Option<Model>,
    /// Ids of this file and the files beside it.
    pub index: Index,
}

impl Document {
    /// Reads `text` as the file at `uri`, with `beside` (files next to it: vocabularies, then
    /// schemes).
    pub fn new(uri: Uri, text: String, beside: Vec<(Uri, SourceFile)>) -> Document {
        let lines = line_starts(&text);
        let name = file_path(&uri)
            .map(|path| path.display().to_string())
            .unwrap_or_else(|| uri.as_str().to_string());
        let mut files = vec![(
            uri.clone(),
            SourceFile {
                name,
                text: text.clone(),
            },
        )];
        files.extend(beside);
        let checked = 1 + files[1..]
            .iter()
            .take_while(|(uri, _)| uri.as_str().ends_with(".vocab"))
            .count();
        // A file that does not parse has only its syntax errors: checking it would parse it
        // again to find the same.
        let (parsed, recovered) = syntax::recover(&text);
        let (tree, problems, model) = match parsed {
            Ok(tree) => {
                let sources: Vec<SourceFile> =
                    files[..checked].iter().map(|(_, f)| f.clone()).collect();
                let result = check(&sources);
                let problems = result
                    .problems
                    .into_iter()
                    .filter(|problem| problem.file == 0)
                    .collect();
                (Some(tree), problems, result.model)
            }
            Err(errors) => {
                let problems = errors
                    .into_iter()
                    .map(|error| Problem {
                        file: 0,
                        error: ProblemKind::Parse(error),
                        related: None,
                    })
                    .collect();
                (None, problems, None)
            }
        };
        let parses = tree.is_some();
        // Past a slip on one line, the rest of the file is still shown: the text recovery read,
        // whose every byte is where it was.
        let read = match (&tree, &recovered) {
            (None, Some(recovered)) => recovered.as_str(),
            _ => text.as_str(),
        };
        let tree = tree.or_else(|| recovered.as_ref().and_then(|r| syntax::parse(r).ok()));
        let tokens = tree.as_ref().and_then(|_| syntax::tokens(read).ok());
        let trees: Vec<Option<SchemeFile>> = std::iter::once(tree.clone())
            .chain(files[1..].iter().map(|(_, f)| syntax::parse(&f.text).ok()))
            .collect();
        let beside_parse = trees[1..].iter().all(Option::is_some);
        let index = Index::new(&trees);
        Document {
            uri,
            text,
            lines,
            tokens,
            tree,
            parses,
            beside_parse,
            problems,
            files,
            model,
            index,
        }
    }

    /// The position of byte `offset`, in UTF-16 code units as the protocol counts them.
    pub fn position(&self, offset: usize) -> Position {
        position_in(&self.text, &self.lines, offset)
    }

    /// The byte offset of `position`, on a character boundary, within the file.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.lines.get(position.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        let line = &line[..line.find(['\n', '\r']).unwrap_or(line.len())];
        let mut units = 0;
        for (at, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + at;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The range of a span in file `file` of this document's files.
    pub fn range_in(&self, file: usize, start: usize, end: usize) -> Range {
        if file == 0 {
            return self.range(start, end);
        }
        let text = &self.files[file].1.text;
        let lines = line_starts(text);
        Range::new(
            position_in(text, &lines, start),
            position_in(text, &lines, end),
        )
    }
}

/// Where each line begins: after a line feed, a carriage return and line feed, or a carriage
/// return alone, as the protocol counts lines.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (at, byte) in bytes.iter().enumerate() {
        let ends = *byte == b'\n' || (*byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
        if ends {
            starts.push(at + 1);
        }
    }
    starts
}

fn position_in(text: &str, lines: &[usize], offset: usize) -> Position {
    let offset = offset.min(text.len());
    let line = lines.partition_point(|&start| start <= offset) - 1;
    let start = lines[line];
    let prefix = text.get(start..offset).unwrap_or("");
    Position::new(line as u32, prefix.encode_utf16().count() as u32)
}

/// The path of a `file:` URI.
pub(crate) fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let mut bytes = Vec::with_capacity(path.len());
    let raw = path.as_bytes();
    let mut at = 0;
    while at < raw.len() {
        if raw[at] == b'%'
            && let Some(byte) = raw
                .get(at + 1..at + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            bytes.push(byte);
            at += 3;
            continue;
        }
        bytes.push(raw[at]);
        at += 1;
    }
    let path = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` is `C:/x` on Windows.
    let drive = path
        .as_bytes()
        .get(1..3)
        .is_some_and(|b| b[0].is_ascii_alphabetic() && b[1] == b':');
    Some(PathBuf::from(if drive { &path[1..] } else { &path[..] }))
}

/// The `file:` URI of a path.
pub(crate) fn file_uri(path: &Path) -> Option<Uri> {
    let mut text = String::from("file://");
    let path = path.to_string_lossy().replace('\\', "/");
    if !path.starts_with('/') {
        text.push('/');
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:".contains(&byte) {
            text.push(byte as char);
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.parse().ok()
}

/// The vocabularies, then the other schemes, in the directory of `path`, read from disk.
pub(crate) fn beside(path: &Path) -> Vec<(Uri, SourceFile)> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|other| other != path)
        // As `rectify check` reads a directory: hidden entries (an editor's lock file) hold
        // no scheme.
        .filter(|other| {
            let hidden = other
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'));
            !hidden
                && other
                    .extension()
                    .is_some_and(|ext| ext == "vocab" || ext == "scheme")
        })
        .collect();
    // Vocabularies first: they are checked with the document; schemes are only indexed.
    found.sort_by_key(|other| {
        (
            other.extension().is_none_or(|ext| ext != "vocab"),
            other.clone(),
        )
    });
    found
        .into_iter()
        .filter_map(|other| {
            // A file larger than a scheme may be is not read: the checker would refuse it.
            let size = std::fs::metadata(&other).ok()?.len();
            if size > 8 << 20 {
                return None;
            }
            let text = std::fs::read_to_string(&other).ok()?;
            Some((
                file_uri(&other)?,
                SourceFile {
                    name: other.display().to_string(),
                    text,
                },
            ))
        })
        .collect()
}
