//! Reading tips from a sheet of an Excel workbook (`.xlsx`), one row at a time.
//!
//! A reader thread owns the workbook and streams the sheet's cells, grouped into rows, over a
//! channel bounded in bytes, so memory does not grow with the sheet's rows. The shared-strings
//! table, which calamine reads whole when it opens a workbook, is bounded before it is read. Cells keep the type Excel stored
//! (text, number, date, boolean, error); [`Records`](super::Records) turns them into the text a
//! person sees, column by column, and lays them out as CSV rows are. Nothing here quotes a
//! cell's content in an error.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use chrono::NaiveDateTime;

use crate::lang::Text;

/// Bytes of rows queued between the reader thread and the reader of the records, at most.
const QUEUED_BYTES: usize = 32 << 20;

/// The largest shared-strings table read (calamine reads it whole when it opens a workbook):
/// far above the distinct texts of a million tips, far below what would strain memory.
const MAX_SHARED_STRINGS_BYTES: u64 = 512 << 20;

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
    rows: Receiver<Result<Option<SheetRow>, Text>>,
    /// The reader said it reached the end.
    ended: bool,
}

impl std::fmt::Debug for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sheet").field("name", &self.name).finish()
    }
}

impl Sheet {
    /// The sheet `name` of the workbook at `path`, or its first visible sheet; no row is
    /// longer than `max_row_bytes`.
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
        check_shared_strings(&mut file)?;
        file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        // calamine parses a format anyone can forge: a panic in it is this workbook's
        // problem, not the run's.
        let opened = std::panic::catch_unwind(AssertUnwindSafe(|| Xlsx::new(BufReader::new(file))));
        let mut workbook: Xlsx<_> = match opened {
            Ok(opened) => opened.map_err(workbook_error)?,
            Err(_) => return Err(Text::new("sheet.reader_stopped")),
        };
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
        // Bounded in bytes: a few rows at the longest, many at the usual size.
        let queued = QUEUED_BYTES.div_ceil(max_row_bytes.max(1)).clamp(2, 256);
        let (send, rows) = sync_channel(queued);
        let sheet = chosen.clone();
        std::thread::Builder::new()
            .name("sheet".to_string())
            .spawn(move || {
                let last = send.clone();
                let read = std::panic::catch_unwind(AssertUnwindSafe(move || {
                    stream_rows(&mut workbook, &sheet, &send, max_row_bytes)
                }));
                // The end is said in so many words, so that a reader that stops without it is
                // told from a sheet read through.
                let end = match read {
                    Ok(true) => Ok(None),
                    Ok(false) => return,
                    Err(_) => Err(Text::new("sheet.reader_stopped")),
                };
                let _ = last.send(end);
            })
            .map_err(|error| Text::new("sheet.unreadable").with("error", error.to_string()))?;
        Ok(Sheet {
            name: Arc::from(chosen),
            others,
            rows,
            ended: false,
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
            if self.ended {
                return Ok(None);
            }
            match self.rows.recv() {
                // The reader went away without saying it reached the end: the sheet was not
                // read through, and saying nothing would lose its last rows.
                Err(_) => return Err(Text::new("sheet.reader_stopped")),
                Ok(Ok(None)) => self.ended = true,
                Ok(Err(error)) => return Err(error),
                Ok(Ok(Some(row))) if row.cells.is_empty() && !row.too_long && row.far.is_none() => {
                }
                Ok(Ok(Some(row))) => return Ok(Some(row)),
            }
        }
    }
}

/// Streams the rows of `sheet` into `send`: true at the end of the sheet, false when the
/// receiver went away or reading failed (and the failure was sent).
fn stream_rows<R: Read + Seek>(
    workbook: &mut Xlsx<R>,
    sheet: &str,
    send: &SyncSender<Result<Option<SheetRow>, Text>>,
    max_row_bytes: usize,
) -> bool {
    let mut reader = match workbook.worksheet_cells_reader(sheet) {
        Ok(reader) => reader,
        Err(error) => {
            let _ = send.send(Err(workbook_error(error)));
            return false;
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
                    let _ = send.send(Ok(Some(row)));
                }
                let _ = send.send(Err(workbook_error(error)));
                return false;
            }
        };
        let (at_row, at_column) = cell.get_position();
        let number = at_row.saturating_add(1);
        if let Some(done) = row.take_if(|r| r.row != number)
            && send.send(Ok(Some(done))).is_err()
        {
            return false;
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
    match row {
        Some(row) => send.send(Ok(Some(row))).is_ok(),
        None => true,
    }
}

/// Refuses a workbook whose shared-strings table is larger than [`MAX_SHARED_STRINGS_BYTES`],
/// or says it holds more strings than its size could: calamine reads the table whole, and
/// reserves room for as many strings as it says before it reads one.
fn check_shared_strings(file: &mut File) -> Result<(), Text> {
    let broken = |error: String| Text::new("sheet.not_a_workbook").with("error", error);
    let mut archive = zip::ZipArchive::new(file).map_err(|e| broken(e.to_string()))?;
    let Ok(mut strings) = archive.by_name("xl/sharedStrings.xml") else {
        return Ok(());
    };
    let size = strings.size();
    if size > MAX_SHARED_STRINGS_BYTES {
        return Err(Text::new("sheet.too_many_strings"));
    }
    let mut head = vec![0; 4096];
    let mut filled = 0;
    while filled < head.len() {
        match strings.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) => return Err(broken(error.to_string())),
        }
    }
    let head = String::from_utf8_lossy(&head[..filled]);
    // Each string takes at least `<si><t/></si>`, 12 bytes.
    let said = [" uniqueCount=\"", " count=\""]
        .iter()
        .find_map(|attribute| {
            let at = head.find(attribute)? + attribute.len();
            let digits: String = head[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            Some(digits.parse::<u64>().unwrap_or(u64::MAX))
        });
    if said.is_some_and(|count| count > size / 12 + 1) {
        return Err(Text::new("sheet.too_many_strings"));
    }
    Ok(())
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
    // Also how a workbook saved with a password starts: it is encrypted inside one.
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
