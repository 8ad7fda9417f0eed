//! Reading tips from a sheet of an Excel workbook (`.xlsx`), one row at a time.
//!
//! A reader thread owns the workbook and streams the sheet's cells, grouped into rows, over a
//! bounded channel, so memory does not grow with the sheet. Cells keep the type Excel stored
//! (text, number, date, boolean, error); [`Records`](super::Records) turns them into the text a
//! person sees, column by column, and lays them out as CSV rows are. Nothing here quotes a
//! cell's content in an error.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use chrono::NaiveDateTime;

use crate::lang::Text;

/// Rows queued between the reader thread and the reader of the records.
const QUEUED_ROWS: usize = 256;

/// The most columns a tip row is read across; Excel's own limit is 16,384.
const MAX_COLUMNS: u32 = 1024;

/// One cell as Excel stored it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date, or a date and time, in a cell formatted as one.
    Date(NaiveDateTime),
    /// An error value such as `#N/A` or `#REF!`.
    Error(String),
}

/// One row of a sheet.
#[derive(Debug)]
pub(crate) struct SheetRow {
    /// The row's number as Excel shows it, from 1.
    pub(crate) row: u32,
    /// Its cells from column A, up to the last that is not empty.
    pub(crate) cells: Vec<Cell>,
    /// The row holds more than the longest record read, and its cells were dropped.
    pub(crate) too_long: bool,
    /// The first column past [`MAX_COLUMNS`] holding a value, which no header reaches.
    pub(crate) far: Option<usize>,
}

/// An open sheet, read on a thread of its own.
pub struct Sheet {
    name: Arc<str>,
    /// The workbook's other sheets, to say when the one read holds nothing.
    others: Vec<String>,
    rows: Receiver<Result<SheetRow, Text>>,
}

impl std::fmt::Debug for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet").field("name", &self.name).finish()
    }
}

impl Sheet {
    /// The sheet `name` of the workbook at `path`, or its first sheet; no row is longer than
    /// `max_row_bytes`.
    pub fn open(path: &Path, name: Option<&str>, max_row_bytes: usize) -> Result<Sheet, Text> {
        let unreadable =
            |error: std::io::Error| Text::new("sheet.unreadable").with("error", error.to_string());
        let mut file = File::open(path).map_err(unreadable)?;
        let mut head = [0u8; 512];
        let read = read_head(&mut file, &mut head).map_err(unreadable)?;
        if let Some(problem) = not_a_workbook(&head[..read]) {
            return Err(problem);
        }
        file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(file)).map_err(workbook_error)?;
        let names = workbook.sheet_names();
        let chosen = match name {
            Some(wanted) => names
                .iter()
                .find(|n| n.as_str() == wanted)
                .cloned()
                .ok_or_else(|| {
                    Text::new("sheet.no_such_sheet")
                        .with("name", wanted)
                        .with("sheets", names.join(", "))
                })?,
            // The first sheet a person sees: a hidden one first holds lists for drop-downs.
            None => workbook
                .sheets_metadata()
                .iter()
                .find(|sheet| {
                    sheet.visible == SheetVisible::Visible && sheet.typ == SheetType::WorkSheet
                })
                .map(|sheet| sheet.name.clone())
                .or_else(|| names.first().cloned())
                .ok_or_else(|| Text::new("sheet.no_sheets"))?,
        };
        let others: Vec<String> = names.iter().filter(|n| **n != chosen).cloned().collect();
        let (send, rows) = sync_channel(QUEUED_ROWS);
        let sheet = chosen.clone();
        std::thread::Builder::new()
            .name("sheet".to_string())
            .spawn(move || {
                let mut reader = match workbook.worksheet_cells_reader(&sheet) {
                    Ok(reader) => reader,
                    Err(error) => {
                        let _ = send.send(Err(workbook_error(error)));
                        return;
                    }
                };
                let mut row: Option<SheetRow> = None;
                let mut bytes = 0usize;
                loop {
                    let cell = match reader.next_cell() {
                        Ok(Some(cell)) => cell,
                        Ok(None) => break,
                        Err(error) => {
                            if let Some(row) = row.take() {
                                let _ = send.send(Ok(row));
                            }
                            let _ = send.send(Err(workbook_error(error)));
                            return;
                        }
                    };
                    let (at_row, at_column) = cell.get_position();
                    let number = at_row.saturating_add(1);
                    if row.as_ref().is_some_and(|r| r.row != number) {
                        let done = row.take().expect("checked just above");
                        if send.send(Ok(done)).is_err() {
                            return;
                        }
                    }
                    let current = row.get_or_insert_with(|| {
                        bytes = 0;
                        SheetRow {
                            row: number,
                            cells: Vec::new(),
                            too_long: false,
                            far: None,
                        }
                    });
                    let value = cell_of(cell.get_value());
                    if value == Cell::Empty || current.too_long {
                        continue;
                    }
                    if at_column >= MAX_COLUMNS {
                        current.far.get_or_insert(at_column as usize);
                        continue;
                    }
                    bytes += cell_size(&value);
                    if bytes > max_row_bytes {
                        current.too_long = true;
                        current.cells = Vec::new();
                        continue;
                    }
                    let at = at_column as usize;
                    if current.cells.len() <= at {
                        current.cells.resize(at + 1, Cell::Empty);
                    }
                    current.cells[at] = value;
                }
                if let Some(row) = row {
                    let _ = send.send(Ok(row));
                }
            })
            .map_err(|error| Text::new("sheet.unreadable").with("error", error.to_string()))?;
        Ok(Sheet {
            name: Arc::from(chosen),
            others,
            rows,
        })
    }

    /// The sheet's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The workbook's other sheets, in order.
    pub fn others(&self) -> &[String] {
        &self.others
    }

    pub(crate) fn shared_name(&self) -> Arc<str> {
        Arc::clone(&self.name)
    }

    /// The next row with a cell that is not empty, or `None` after the last.
    pub(crate) fn next_row(&mut self) -> Result<Option<SheetRow>, Text> {
        loop {
            match self.rows.recv() {
                Err(_) => return Ok(None),
                Ok(Err(error)) => return Err(error),
                Ok(Ok(row)) if row.cells.is_empty() && !row.too_long && row.far.is_none() => {
                    continue;
                }
                Ok(Ok(row)) => return Ok(Some(row)),
            }
        }
    }
}

/// The first bytes of `file`, as many as fit in `head` or the file holds.
fn read_head(file: &mut File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            read => filled += read,
        }
    }
    Ok(filled)
}

/// What a file that starts with `head` is, when it is plainly not an `.xlsx` workbook (which
/// is a zip archive).
fn not_a_workbook(head: &[u8]) -> Option<Text> {
    if head.is_empty() {
        return Some(Text::new("sheet.empty_file"));
    }
    if head.starts_with(ZIP) {
        return None;
    }
    if head.starts_with(OLE) {
        return Some(Text::new("sheet.old_xls"));
    }
    let text = head
        .iter()
        .filter(|b| matches!(b, b'\t' | b'\n' | b'\r') || **b >= 0x20)
        .count();
    if text * 10 >= head.len() * 9 {
        return Some(Text::new("sheet.text_not_workbook"));
    }
    None
}

/// How a zip archive, and so an `.xlsx` workbook, starts.
pub(crate) const ZIP: &[u8] = b"PK\x03\x04";

/// How an Excel 97–2003 workbook (`.xls`, an OLE compound file) starts.
pub(crate) const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn workbook_error(error: calamine::XlsxError) -> Text {
    Text::new("sheet.not_a_workbook").with("error", error.to_string())
}

fn cell_of(value: &DataRef) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(text) if text.trim().is_empty() => Cell::Empty,
        DataRef::SharedString(text) if text.trim().is_empty() => Cell::Empty,
        DataRef::String(text) => Cell::Text(text.clone()),
        DataRef::SharedString(text) => Cell::Text((*text).to_string()),
        DataRef::Int(number) => Cell::Number(*number as f64),
        DataRef::Float(number) => Cell::Number(*number),
        DataRef::Bool(value) => Cell::Bool(*value),
        // A time of day alone (9:30) is a fraction of a day, no date.
        DataRef::DateTime(moment) if moment.is_datetime() && moment.as_f64() >= 1.0 => {
            match moment.as_datetime() {
                Some(moment) => Cell::Date(moment),
                None => Cell::Number(moment.as_f64()),
            }
        }
        DataRef::DateTime(duration) => Cell::Number(duration.as_f64()),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cell::Text(text.clone()),
        DataRef::Error(error) => Cell::Error(error.to_string()),
    }
}

fn cell_size(cell: &Cell) -> usize {
    match cell {
        Cell::Text(text) | Cell::Error(text) => text.len() + 1,
        _ => 24,
    }
}

/// The name of column `index` (from 0) as Excel writes it: A, B, …, Z, AA, AB, ….
pub(crate) fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut rest = index + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(b'A' + digit as u8);
        rest = (rest - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("letters are ASCII")
}

/// The date of Excel serial number `serial` (days since 1899-12-30, the 1900 date system, as
/// Excel writes it for every date after 1900-02-28).
pub(crate) fn serial_date(serial: f64) -> Option<chrono::NaiveDate> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

#[cfg(test)]
mod tests {
    use super::{column_letters, serial_date};

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn serial_numbers_are_the_dates_excel_shows() {
        assert_eq!(serial_date(45362.0).unwrap().to_string(), "2024-03-11");
        assert_eq!(serial_date(45362.75).unwrap().to_string(), "2024-03-11");
        assert_eq!(serial_date(61.0).unwrap().to_string(), "1900-03-01");
        assert_eq!(serial_date(0.0), None);
        assert_eq!(serial_date(f64::NAN), None);
    }
}
