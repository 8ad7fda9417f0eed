//! Decisions as CSV in UTF-8 with a byte order mark, which Excel opens as Chinese text without
//! asking; one row per tip and campaign, and one per malformed record.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::WriteError;
use super::flat::{Cell, Columns, Flat};

pub(crate) struct CsvTable {
    path: PathBuf,
    out: BufWriter<File>,
    columns: Columns,
    width: usize,
    line: String,
}

impl CsvTable {
    pub(crate) fn create(path: &Path, columns: Columns) -> Result<CsvTable, WriteError> {
        let file = File::create(path).map_err(|e| WriteError::io(path, e))?;
        let mut table = CsvTable {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            columns,
            width: columns.header().len(),
            line: String::new(),
        };
        let words = columns.header_words();
        table.line.push('\u{feff}');
        for (index, word) in words.iter().enumerate() {
            table.push(index, word);
        }
        table.end_line()?;
        Ok(table)
    }

    pub(crate) fn add(&mut self, flat: &Flat) -> Result<(), WriteError> {
        if let Some(malformed) = &flat.malformed {
            // The columns the record has: its line, its id when known, the outcome and why.
            let lang = self.columns.lang;
            let outcome = self.column_of("office.column.outcome");
            let reason = self.column_of("office.column.reason");
            for index in 0..self.width {
                let text = match index {
                    0 => malformed.line.to_string(),
                    1 => malformed.tip.clone().unwrap_or_default(),
                    i if i == outcome => lang.word("outcome.malformed").to_string(),
                    i if i == reason => match &malformed.cell {
                        Some(cell) => crate::lang::Text::new("office.at_cell")
                            .with("cell", cell.as_str())
                            .with("error", malformed.error.as_str())
                            .render(lang),
                        None => malformed.error.clone(),
                    },
                    _ => String::new(),
                };
                self.push(index, &text);
            }
            return self.end_line();
        }
        for row in &flat.rows {
            for (index, cell) in row.cells.iter().enumerate() {
                let text = match cell {
                    Cell::Empty => String::new(),
                    Cell::Number(number) => format!("{number}"),
                    Cell::Text(text) => text.clone(),
                    Cell::Date(day) => day.to_string(),
                };
                self.push(index, &text);
            }
            self.end_line()?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        let path = self.path.clone();
        self.out.flush().map_err(|e| WriteError::io(&path, e))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| WriteError::io(&path, e))
    }

    fn column_of(&self, key: &str) -> usize {
        self.columns
            .header()
            .iter()
            .position(|(k, _)| *k == key)
            .unwrap_or(usize::MAX)
    }

    /// One cell, quoted when it must be. A cell that Excel would take for a formula (it starts
    /// with `=`, `+`, `-`, `@` or a tab) is written after an apostrophe, so that opening the
    /// file runs nothing a tip wrote.
    fn push(&mut self, index: usize, text: &str) {
        if index > 0 {
            self.line.push(',');
        }
        let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let quoted = formula || text.contains([',', '"', '\n', '\r']);
        if quoted {
            self.line.push('"');
        }
        if formula {
            self.line.push('\'');
        }
        for c in text.chars() {
            if c == '"' {
                self.line.push('"');
            }
            self.line.push(c);
        }
        if quoted {
            self.line.push('"');
        }
    }

    fn end_line(&mut self) -> Result<(), WriteError> {
        self.line.push_str("\r\n");
        let result = self.out.write_all(self.line.as_bytes());
        self.line.clear();
        result.map_err(|e| WriteError::io(&self.path, e))
    }
}
