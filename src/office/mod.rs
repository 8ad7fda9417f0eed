//! Decisions in the forms an office works with: a workbook (`.xlsx`), a CSV file that Excel
//! opens as it is, and a report to read and print ([`report`]).
//!
//! Everything here is built from what [`crate::eval`] hands out for each record — a tip with
//! its decisions, or a malformed record — and nothing here decides anything. The reporter's
//! name and contact reach a table only through [`crate::eval::disclosed`], and only under
//! [`Disclosure::IncludeReporter`]; the report never holds them.

mod csv;
mod flat;
pub mod report;
mod workbook;

use std::path::Path;

pub use flat::{Flat, flatten, flatten_malformed};

use crate::eval::Disclosure;
use crate::lang::{Lang, Text};
use crate::model::Model;

/// The file formats decisions can be written to, told by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An Excel workbook: a sheet of all tips, one per campaign, one of malformed records
    /// and a summary.
    Xlsx,
    /// CSV in UTF-8 with a byte order mark, which Excel opens without asking.
    Csv,
    /// JSON Lines, as `rectify eval` writes to standard output.
    Jsonl,
}

impl Kind {
    /// The format of a file named `path`, from its extension.
    pub fn of(path: &Path) -> Option<Kind> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "xlsx" => Some(Kind::Xlsx),
            "csv" => Some(Kind::Csv),
            "jsonl" | "ndjson" => Some(Kind::Jsonl),
            _ => None,
        }
    }
}

/// Why a decisions file could not be written.
#[derive(Debug)]
pub struct WriteError(Text);

impl WriteError {
    /// What went wrong, for a person.
    pub fn text(&self) -> Text {
        self.0.clone()
    }

    fn io(path: &Path, error: impl std::fmt::Display) -> WriteError {
        WriteError(
            Text::new("office.write_failed")
                .with("path", path.display().to_string())
                .with("error", error.to_string()),
        )
    }
}

/// A table of decisions being written: a workbook or a CSV file.
pub struct Table {
    inner: Inner,
}

enum Inner {
    Workbook(Box<workbook::Book>),
    Csv(csv::CsvTable),
}

impl Table {
    /// A new workbook at `path` for the decisions of `model`'s campaigns, in `lang`; reporter
    /// columns only under [`Disclosure::IncludeReporter`].
    pub fn workbook(
        path: &Path,
        model: &Model,
        lang: Lang,
        disclosure: Disclosure,
    ) -> Result<Table, WriteError> {
        let columns = flat::Columns::new(lang, disclosure);
        Ok(Table {
            inner: Inner::Workbook(Box::new(workbook::Book::create(path, model, columns)?)),
        })
    }

    /// A new CSV file at `path`, as [`Table::workbook`] but one table of all rows.
    pub fn csv(path: &Path, lang: Lang, disclosure: Disclosure) -> Result<Table, WriteError> {
        let columns = flat::Columns::new(lang, disclosure);
        Ok(Table {
            inner: Inner::Csv(csv::CsvTable::create(path, columns)?),
        })
    }

    /// Adds the rows of one record.
    pub fn add(&mut self, flat: &Flat) -> Result<(), WriteError> {
        match &mut self.inner {
            Inner::Workbook(book) => book.add(flat),
            Inner::Csv(table) => table.add(flat),
        }
    }

    /// Writes what is still buffered and closes the file.
    pub fn finish(self) -> Result<(), WriteError> {
        match self.inner {
            Inner::Workbook(book) => book.finish(),
            Inner::Csv(table) => table.finish(),
        }
    }
}
