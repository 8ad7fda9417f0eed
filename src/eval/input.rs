//! Reading tip records from a byte stream — JSON Lines or CSV — one bounded record at a time,
//! each with the line of the input it starts on.
//!
//! This is where input size is bounded: a record longer than the limit becomes an error record
//! and reading resumes at the next line, so memory never depends on what the input holds. It
//! splits the input into records and leaves decoding them into tips to [`Decoder`], so that
//! the caller can decode in parallel. It prints nothing and never quotes a record's content in
//! an error.
//!
//! Text in another encoding than UTF-8 is decoded as it is read ([`super::encoding`]); the rows
//! of an Excel sheet ([`Sheet`]) are turned into the same rows as CSV, with each cell written as
//! a person sees it in Excel.

use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::sync::Arc;

use super::encoding::{self, Decoding, Encoding, SNIFF_BYTES};
use super::record::{CsvLayout, Decoder, RecordError};
use super::sheet::{Cell, OLE, Sheet, SheetRow, ZIP, column_letters, serial_date};
use crate::lang::{Lang, Text};

/// How tip records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// How a file of tips is kept, as its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Text records in a format.
    Text(Format),
    /// An Excel workbook.
    Workbook,
}

impl Kept {
    /// The kind a file name's extension (any case) says: `.csv`, `.tsv` and `.txt` are CSV,
    /// `.xlsx` and `.xlsm` workbooks, `.jsonl`, `.ndjson` and `.json` JSON Lines; `None` for
    /// any other.
    pub fn of_extension(extension: &str) -> Option<Kept> {
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(Kept::Text(Format::Csv)),
            "xlsx" | "xlsm" => Some(Kept::Workbook),
            "jsonl" | "ndjson" | "json" => Some(Kept::Text(Format::Jsonl)),
            _ => None,
        }
    }
}

/// The longest record read by default: far above any real tip, far below what would strain
/// memory.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 4 << 20;

/// How far past an over-long record the reader looks for the next line before it gives up on
/// the input: beyond this the input is not line-oriented text (`/dev/zero`, a disk image).
const SKIP_FACTOR: usize = 64;

/// One record as read, not yet decoded.
#[derive(Debug)]
pub enum Raw {
    /// A JSON line.
    Json {
        /// Its line, from 1.
        line: usize,
        /// The line without its line end.
        text: String,
    },
    /// A CSV row.
    Row(Row),
    /// A record that could not be read (too long, not UTF-8).
    Malformed(RecordError),
}

impl Raw {
    /// The line the record starts on.
    pub fn line(&self) -> usize {
        match self {
            Raw::Json { line, .. } => *line,
            Raw::Row(row) => row.line,
            Raw::Malformed(error) => error.line,
        }
    }

    /// Bytes the record holds in memory, to bound a batch.
    pub fn size(&self) -> usize {
        match self {
            Raw::Json { text, .. } => text.len(),
            Raw::Row(row) => row.data.len() + row.ends.len() * size_of::<usize>(),
            // A message is a key and a few short arguments.
            Raw::Malformed(_) => size_of::<RecordError>() + 64,
        }
    }
}

/// The cells of one CSV row or sheet row, valid UTF-8.
#[derive(Debug)]
pub struct Row {
    pub(crate) line: usize,
    /// The sheet the row is on, for a row of a workbook.
    pub(crate) sheet: Option<Arc<str>>,
    data: String,
    ends: Vec<usize>,
}

impl Row {
    /// The cells, in order.
    pub(crate) fn cells(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            &self.data[start..self.ends[i]]
        })
    }
}

/// Why the input as a whole cannot be read on.
#[derive(Debug)]
pub enum InputError {
    /// Reading failed.
    Io(io::Error),
    /// The CSV header row is unusable; records cannot be laid out without it.
    Header(Text),
    /// An over-long record is followed by no line break within the distance the reader looks.
    NotText {
        /// The line the over-long record starts on.
        line: usize,
        /// Bytes looked through.
        looked: usize,
    },
    /// The workbook could not be read on.
    Sheet(Text),
    /// The input is a workbook, given as text: an `.xlsx`, or an Excel 97–2003 `.xls`
    /// (`legacy`), which rectify does not read.
    Workbook {
        /// An `.xls`, or a workbook saved with a password.
        legacy: bool,
    },
    /// Reading stopped earlier, for a reason already handed out.
    Stopped,
}

impl InputError {
    /// Why reading stopped, for a person.
    pub fn text(&self) -> Text {
        match self {
            InputError::Io(error) => Text::new("input.io").with("error", error.to_string()),
            InputError::Header(message) => {
                Text::new("input.header").with("message", message.clone())
            }
            InputError::NotText { line, looked } => Text::new("input.not_text")
                .with("line", *line)
                .with("looked", *looked),
            InputError::Sheet(message) => message.clone(),
            InputError::Workbook { legacy: false } => Text::new("input.workbook"),
            InputError::Workbook { legacy: true } => Text::new("sheet.old_xls"),
            InputError::Stopped => Text::new("input.stopped"),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().render(Lang::En))
    }
}

impl std::error::Error for InputError {}

impl From<io::Error> for InputError {
    fn from(error: io::Error) -> Self {
        InputError::Io(error)
    }
}

/// Records from a byte stream or a sheet, in input order.
pub struct Records<R> {
    input: BufReader<Source<R>>,
    kind: Kind,
    encoding: &'static Encoding,
    /// The encoding the input's first bytes look like, whatever it is read in.
    looks: &'static Encoding,
    max: usize,
    /// Line breaks consumed so far; a record starts on the line after them.
    lines: usize,
    /// The last byte consumed was a carriage return, so a line feed next ends no new line.
    after_cr: bool,
    buffer: Vec<u8>,
    /// Why reading stopped, handed out after the record that made it stop.
    stopped: Option<InputError>,
}

enum Kind {
    Jsonl,
    Csv {
        core: Box<csv_core::Reader>,
        /// `None` until the header is read, and for an input with no header at all.
        layout: Option<CsvLayout>,
        ends: Vec<usize>,
    },
    Sheet {
        sheet: Box<Sheet>,
        layout: Option<CsvLayout>,
        /// Which columns hold dates, so that a number there is read as Excel's date serial.
        dates: Vec<bool>,
    },
}

/// The bytes of the input: the first ones, read to tell the encoding, then the rest.
enum Source<R> {
    Utf8(Chain<Cursor<Vec<u8>>, R>),
    Decoded(Box<Decoding<Chain<Cursor<Vec<u8>>, R>>>),
    /// A sheet, whose rows come from its own reader.
    None,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Utf8(input) => input.read(out),
            Source::Decoded(input) => input.read(out),
            Source::None => Ok(0),
        }
    }
}

/// What reading one record gave.
enum LineRead {
    End,
    Line,
    TooLong,
}

impl<R: Read> Records<R> {
    /// Records of `format` from `input`, none longer than `max_record_bytes`; for CSV the
    /// header row is read at once and laid out with `decoder`. The encoding is told from the
    /// input's first bytes.
    pub fn new(
        input: R,
        format: Format,
        decoder: &Decoder,
        max_record_bytes: usize,
    ) -> Result<Records<R>, InputError> {
        Records::with_encoding(input, format, decoder, max_record_bytes, None)
    }

    /// As [`Records::new`], with the input read as `encoding` when one is given.
    pub fn with_encoding(
        mut input: R,
        format: Format,
        decoder: &Decoder,
        max_record_bytes: usize,
        encoding: Option<&'static Encoding>,
    ) -> Result<Records<R>, InputError> {
        // What one read gives, and no more: a file gives all it can, and a person typing tips
        // on a terminal sees them decided without first typing 8 KiB.
        let mut head = vec![0; SNIFF_BYTES];
        let filled = loop {
            match input.read(&mut head) {
                Ok(read) => break read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(InputError::Io(error)),
            }
        };
        head.truncate(filled);
        if head.starts_with(ZIP) {
            return Err(InputError::Workbook { legacy: false });
        }
        if head.starts_with(OLE) {
            return Err(InputError::Workbook { legacy: true });
        }
        // Whether the bytes looked at are the whole input is not known after one read, except
        // when there were none.
        let complete = filled == 0;
        let (looks, sniffed_bom) = encoding::sniff(&head, complete);
        let (encoding, bom) = match encoding {
            Some(encoding) => match Encoding::for_bom(&head) {
                Some((marked, bom)) if marked == encoding => (encoding, bom),
                _ => (encoding, 0),
            },
            None => (looks, sniffed_bom),
        };
        head.drain(..bom);
        let bytes = Cursor::new(head).chain(input);
        let source = if encoding::is_utf8(encoding) {
            Source::Utf8(bytes)
        } else {
            Source::Decoded(Box::new(Decoding::new(bytes, encoding)))
        };
        let mut records = Records {
            input: BufReader::with_capacity(1 << 16, source),
            kind: Kind::Jsonl,
            encoding,
            looks,
            max: max_record_bytes.max(1),
            lines: 0,
            after_cr: false,
            buffer: Vec::new(),
            stopped: None,
        };
        if format == Format::Csv {
            let delimiter = records.delimiter()?;
            records.kind = Kind::Csv {
                core: Box::new(csv_core::ReaderBuilder::new().delimiter(delimiter).build()),
                layout: None,
                ends: Vec::new(),
            };
            match records.read_header(decoder) {
                Err(InputError::Header(message)) if looks != encoding => {
                    return Err(InputError::Header(
                        Text::new("input.looks_like")
                            .with("message", message)
                            .with("looks", looks.name())
                            .with("encoding", encoding.name()),
                    ));
                }
                other => other?,
            }
        }
        Ok(records)
    }

    /// The rows of `sheet` as records, none longer than `max_record_bytes`; its first row that
    /// is not empty is the header, laid out with `decoder`.
    pub fn sheet(
        sheet: Sheet,
        decoder: &Decoder,
        max_record_bytes: usize,
    ) -> Result<Records<R>, InputError> {
        let mut records = Records {
            input: BufReader::with_capacity(0, Source::None),
            kind: Kind::Sheet {
                sheet: Box::new(sheet),
                layout: None,
                dates: Vec::new(),
            },
            encoding: encoding_rs::UTF_8,
            looks: encoding_rs::UTF_8,
            max: max_record_bytes.max(1),
            lines: 0,
            after_cr: false,
            buffer: Vec::new(),
            stopped: None,
        };
        let Kind::Sheet {
            sheet,
            layout,
            dates,
        } = &mut records.kind
        else {
            unreachable!("made a sheet just above")
        };
        // Office sheets often open with a title row or two (a merged "2024年问题线索台账")
        // above the header: the header is the first of the first rows that is one, and what
        // is wrong with the first row is said when none is.
        let mut first_problem = None;
        let mut tried = 0;
        let (laid_out, width) = loop {
            let row = match sheet.next_row().map_err(InputError::Sheet)? {
                None if first_problem.is_none() => return Ok(records),
                None => return Err(first_problem.expect("checked just above")),
                Some(row) => row,
            };
            tried += 1;
            match header_of(&row, decoder, records.max) {
                Ok(header) => break header,
                Err(problem) => {
                    let problem = first_problem.get_or_insert_with(|| match problem {
                        InputError::Header(message) => InputError::Header(
                            Text::new("sheet.header_row")
                                .with("row", row.row as usize)
                                .with("message", message),
                        ),
                        other => other,
                    });
                    if tried >= TITLE_ROWS {
                        return Err(std::mem::replace(problem, InputError::Stopped));
                    }
                }
            }
        };
        let names = 0..width;
        *dates = names
            .map(|i| decoder.is_date_column(&laid_out, i))
            .collect();
        *layout = Some(laid_out);
        Ok(records)
    }

    /// The encoding the input is read in.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// The encoding the input's first bytes look like: the one it is read in unless the
    /// caller named another.
    pub fn looks_like(&self) -> &'static Encoding {
        self.looks
    }

    /// The name of the sheet read, for the rows of a workbook.
    pub fn sheet_name(&self) -> Option<&str> {
        self.sheet_read().map(Sheet::name)
    }

    /// The sheet read, for the rows of a workbook.
    pub fn sheet_read(&self) -> Option<&Sheet> {
        match &self.kind {
            Kind::Sheet { sheet, .. } => Some(sheet),
            _ => None,
        }
    }

    /// The cell separator of CSV input: a tab when the first line has tabs and no commas (as
    /// Excel's "Unicode 文本" writes it), else a comma.
    fn delimiter(&mut self) -> Result<u8, InputError> {
        let head = self.input.fill_buf()?;
        let line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
        Ok(
            if memchr::memchr(b'\t', line).is_some() && memchr::memchr(b',', line).is_none() {
                b'\t'
            } else {
                b','
            },
        )
    }

    /// The CSV layout, once the header is read.
    pub fn layout(&self) -> Option<&CsvLayout> {
        match &self.kind {
            Kind::Csv { layout, .. } | Kind::Sheet { layout, .. } => layout.as_ref(),
            Kind::Jsonl => None,
        }
    }

    /// The next record, or `None` at the end of the input. Blank lines are not records.
    pub fn next_record(&mut self) -> Result<Option<Raw>, InputError> {
        if let Some(error) = self.stopped.take() {
            // Once stopped, the input stays unread.
            self.stopped = Some(InputError::Stopped);
            return Err(error);
        }
        match self.kind {
            Kind::Jsonl => self.next_json(),
            Kind::Csv { .. } => self.next_row(),
            Kind::Sheet { .. } => self.next_sheet_row(),
        }
    }

    fn next_sheet_row(&mut self) -> Result<Option<Raw>, InputError> {
        let max = self.max;
        let Kind::Sheet {
            sheet,
            dates,
            layout,
        } = &mut self.kind
        else {
            unreachable!("sheet rows are read from sheets only")
        };
        let Some(SheetRow {
            row,
            cells,
            too_long,
            far,
        }) = sheet.next_row().map_err(InputError::Sheet)?
        else {
            return Ok(None);
        };
        let line = row as usize;
        let name = sheet.shared_name();
        // The id of a row of the header's shape, whatever else is wrong with it.
        let id = || {
            let layout = layout.as_ref()?;
            let texts: Vec<String> = cells
                .iter()
                .take(dates.len())
                .map(|cell| {
                    plain_text(cell, false).map_or_else(|_| String::new(), |t| t.into_owned())
                })
                .collect();
            layout.id_in(texts.iter().map(String::as_str))
        };
        let error = |column: Option<usize>, message: Text| RecordError {
            line,
            column: None,
            cell: column,
            sheet: Some(Arc::clone(&name)),
            id: id(),
            message,
        };
        if too_long {
            return Ok(Some(Raw::Malformed(error(
                None,
                Text::new("record.too_long").with("limit", max),
            ))));
        }
        // A value past the header's last column belongs to no column: it is a note, or the
        // row is shifted. Either way the row is not what the header says.
        let beyond = cells
            .iter()
            .enumerate()
            .skip(dates.len())
            .find(|(_, cell)| **cell != Cell::Empty)
            .map(|(column, _)| column)
            .or(far);
        if let Some(column) = beyond.filter(|_| !dates.is_empty()) {
            // No id: a shifted row may hold a reporter's name where the id should be.
            let mut shifted = error(
                Some(column),
                Text::new("sheet.beyond_header").with("columns", dates.len()),
            );
            shifted.id = None;
            return Ok(Some(Raw::Malformed(shifted)));
        }
        // A row as wide as the header, so that a short row lines up with it.
        let width = cells.len().max(dates.len());
        let mut data = String::new();
        let mut ends = Vec::with_capacity(width);
        for column in 0..width {
            let cell = cells.get(column).unwrap_or(&Cell::Empty);
            let is_date = dates.get(column).copied().unwrap_or(false);
            match plain_text(cell, is_date) {
                Ok(text) => data.push_str(&text),
                Err(excel) => {
                    return Ok(Some(Raw::Malformed(error(
                        Some(column),
                        Text::new("sheet.cell_error").with("error", excel),
                    ))));
                }
            }
            ends.push(data.len());
        }
        Ok(Some(Raw::Row(Row {
            line,
            sheet: Some(name),
            data,
            ends,
        })))
    }

    fn too_long(&self, line: usize) -> RecordError {
        RecordError {
            line,
            column: None,
            cell: None,
            sheet: None,
            id: None,
            message: Text::new("record.too_long").with("limit", self.max),
        }
    }

    fn next_json(&mut self) -> Result<Option<Raw>, InputError> {
        loop {
            let line = self.lines + 1;
            let read = self.read_line()?;
            match read {
                LineRead::End => return Ok(None),
                LineRead::TooLong => return Ok(Some(Raw::Malformed(self.too_long(line)))),
                LineRead::Line => {}
            }
            let text = match simdutf8::compat::from_utf8(&self.buffer) {
                Ok(text) => text,
                Err(error) => {
                    let valid = error.valid_up_to();
                    let column = String::from_utf8_lossy(&self.buffer[..valid])
                        .chars()
                        .count()
                        + 1;
                    return Ok(Some(Raw::Malformed(RecordError {
                        line,
                        column: Some(column),
                        cell: None,
                        sheet: None,
                        id: None,
                        message: Text::new("record.line_not_utf8")
                            .with("encoding", self.encoding.name()),
                    })));
                }
            };
            let text = text.trim_end_matches('\r');
            if text.trim().is_empty() {
                continue;
            }
            // Copied at its length: the buffer stays, grown once, for the next line.
            let text = text.to_string();
            return Ok(Some(Raw::Json { line, text }));
        }
    }

    /// One line into `buffer`, without its line feed; a line past the limit is skipped up to
    /// its end.
    fn read_line(&mut self) -> Result<LineRead, InputError> {
        self.buffer.clear();
        let start = self.lines + 1;
        let mut skipped: Option<usize> = None;
        let mut any = false;
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                if !any {
                    return Ok(LineRead::End);
                }
                break;
            }
            any = true;
            let (taken, ended) = match memchr::memchr(b'\n', chunk) {
                Some(at) => (at, true),
                None => (chunk.len(), false),
            };
            match &mut skipped {
                None if self.buffer.len() + taken <= self.max => {
                    self.buffer.extend_from_slice(&chunk[..taken]);
                }
                None => {
                    skipped = Some(self.buffer.len() + taken);
                    self.buffer.clear();
                }
                Some(count) => *count += taken,
            }
            self.input.consume(taken + usize::from(ended));
            if ended {
                break;
            }
            if let Some(count) = skipped
                && count > self.max.saturating_mul(SKIP_FACTOR)
            {
                self.stopped = Some(InputError::NotText {
                    line: start,
                    looked: count,
                });
                break;
            }
        }
        self.lines += 1;
        Ok(if skipped.is_some() {
            LineRead::TooLong
        } else {
            LineRead::Line
        })
    }

    fn read_header(&mut self, decoder: &Decoder) -> Result<(), InputError> {
        let header = match self.next_row()? {
            None => return Ok(()),
            Some(Raw::Row(row)) => row,
            Some(Raw::Malformed(error)) => {
                return Err(InputError::Header(error.message));
            }
            Some(Raw::Json { .. }) => unreachable!("a CSV reader yields rows"),
        };
        let cells: Vec<&str> = header.cells().collect();
        let layout = decoder.csv_header(&cells).map_err(InputError::Header)?;
        if let Kind::Csv { layout: slot, .. } = &mut self.kind {
            *slot = Some(layout);
        }
        Ok(())
    }

    fn next_row(&mut self) -> Result<Option<Raw>, InputError> {
        let Some(line) = self.skip_blank_lines()? else {
            return Ok(None);
        };
        let max = self.max;
        let Kind::Csv { core, ends, layout } = &mut self.kind else {
            unreachable!("rows are read from CSV input only")
        };
        let layout = layout.as_ref();
        let buffer = &mut self.buffer;
        buffer.clear();
        buffer.resize(buffer.capacity().min(max).max(max.min(1024)), 0);
        ends.clear();
        ends.resize(ends.capacity().max(16), 0);
        let (mut written, mut cells) = (0usize, 0usize);
        let mut skipped: Option<usize> = None;
        loop {
            let chunk = self.input.fill_buf()?;
            let (result, read, wrote, ended) =
                core.read_record(chunk, &mut buffer[written..], &mut ends[cells..]);
            count_lines(&chunk[..read], &mut self.lines, &mut self.after_cr);
            self.input.consume(read);
            written += wrote;
            cells += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if buffer.len() < max {
                        let grown = (buffer.len() * 2).min(max);
                        buffer.resize(grown, 0);
                    } else {
                        // Past the limit: keep reading the record, keep none of it. A cell
                        // counts as a byte, so that a row of empty cells is bounded too.
                        *skipped.get_or_insert(0) += written + cells;
                        written = 0;
                        cells = 0;
                    }
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if ends.len() * size_of::<usize>() < max {
                        let grown = ends.len() * 2;
                        ends.resize(grown, 0);
                    } else {
                        *skipped.get_or_insert(0) += written + cells;
                        written = 0;
                        cells = 0;
                    }
                }
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
            if let Some(count) = skipped
                && count > max.saturating_mul(SKIP_FACTOR)
            {
                self.stopped = Some(InputError::NotText {
                    line,
                    looked: count,
                });
                break;
            }
        }
        if skipped.is_some() {
            return Ok(Some(Raw::Malformed(self.too_long(line))));
        }
        let ends = ends[..cells].to_vec();
        buffer.truncate(written);
        // Each cell on its own: a character split across two cells is valid in the row as a
        // whole and in neither cell.
        let mut start = 0;
        for (cell, end) in ends.iter().enumerate() {
            if simdutf8::basic::from_utf8(&buffer[start..*end]).is_err() {
                let column = layout
                    .and_then(|layout| layout.column_name(cell))
                    .map_or_else(
                        || Text::new("record.cell_number").with("cell", cell + 1),
                        |name| Text::new("record.cell_named").with("name", name),
                    );
                // The id, when the row has the header's shape and its id cell is text.
                let id = layout.and_then(|layout| {
                    let texts = (0..ends.len()).map(|i| {
                        let from = if i == 0 { 0 } else { ends[i - 1] };
                        std::str::from_utf8(&buffer[from..ends[i]]).unwrap_or_default()
                    });
                    (layout.width() == ends.len())
                        .then(|| layout.id_in(texts))
                        .flatten()
                });
                return Ok(Some(Raw::Malformed(RecordError {
                    line,
                    column: None,
                    cell: Some(cell),
                    sheet: None,
                    id,
                    message: Text::new("record.cell_not_utf8")
                        .with("cell", column)
                        .with("encoding", self.encoding.name()),
                })));
            }
            start = *end;
        }
        let data = match String::from_utf8(std::mem::take(buffer)) {
            Ok(data) => data,
            // Every cell is UTF-8, so the row is too; should it not be, it is still only a
            // malformed record.
            Err(error) => {
                *buffer = error.into_bytes();
                return Ok(Some(Raw::Malformed(RecordError {
                    line,
                    column: None,
                    cell: None,
                    sheet: None,
                    id: None,
                    message: Text::new("record.row_not_utf8")
                        .with("encoding", self.encoding.name()),
                })));
            }
        };
        Ok(Some(Raw::Row(Row {
            line,
            sheet: None,
            data,
            ends,
        })))
    }

    /// Consumes the line ends before a row; the line the row starts on, or `None` at the end.
    fn skip_blank_lines(&mut self) -> io::Result<Option<usize>> {
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let blank = chunk
                .iter()
                .position(|b| *b != b'\n' && *b != b'\r')
                .unwrap_or(chunk.len());
            count_lines(&chunk[..blank], &mut self.lines, &mut self.after_cr);
            let done = blank < chunk.len();
            self.input.consume(blank);
            if done {
                return Ok(Some(self.lines + 1));
            }
        }
    }
}

/// The rows of a sheet looked through for its header.
const TITLE_ROWS: usize = 10;

/// The layout a sheet row gives as a header, and its width.
fn header_of(
    row: &SheetRow,
    decoder: &Decoder,
    max: usize,
) -> Result<(CsvLayout, usize), InputError> {
    if row.too_long {
        return Err(InputError::Header(
            Text::new("record.too_long").with("limit", max),
        ));
    }
    if let Some(column) = row.far {
        return Err(InputError::Header(
            Text::new("sheet.header_too_wide")
                .with("cell", format!("{}{}", column_letters(column), row.row)),
        ));
    }
    let names: Vec<String> = row
        .cells
        .iter()
        .enumerate()
        .map(|(column, cell)| {
            plain_text(cell, false)
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| column)
        })
        .collect::<Result<_, _>>()
        .map_err(|column| {
            InputError::Header(
                Text::new("sheet.header_error")
                    .with("cell", format!("{}{}", column_letters(column), row.row)),
            )
        })?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let layout = decoder.csv_header(&names).map_err(InputError::Header)?;
    Ok((layout, names.len()))
}

/// The text a person sees in `cell`; a number in a date column is Excel's date serial.
/// `Err` holds the Excel error value of an error cell.
fn plain_text(cell: &Cell, is_date: bool) -> Result<std::borrow::Cow<'_, str>, String> {
    use std::borrow::Cow;
    Ok(match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(text) => Cow::Borrowed(text.as_str()),
        // Five digits and more, as a date's serial is (1927 on); a small number there is no
        // date, and is left to be refused as one.
        Cell::Number(number) if is_date && *number >= 10_000.0 => match serial_date(*number) {
            Some(date) => Cow::Owned(date.format("%Y-%m-%d").to_string()),
            None => Cow::Owned(number_text(*number)),
        },
        Cell::Number(number) => Cow::Owned(number_text(*number)),
        Cell::Bool(value) => Cow::Borrowed(if *value { "true" } else { "false" }),
        Cell::Date(moment) if moment.time() == chrono::NaiveTime::MIN => {
            Cow::Owned(moment.format("%Y-%m-%d").to_string())
        }
        Cell::Date(moment) => Cow::Owned(moment.format("%Y-%m-%d %H:%M:%S").to_string()),
        Cell::Error(excel) => return Err(excel.clone()),
    })
}

/// A number as Excel shows it in a general cell: whole numbers without a decimal point.
fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

/// Counts line breaks as an editor does: LF, CR LF and a lone CR each end a line.
fn count_lines(bytes: &[u8], lines: &mut usize, after_cr: &mut bool) {
    for byte in bytes {
        match byte {
            b'\n' => {
                if !*after_cr {
                    *lines += 1;
                }
                *after_cr = false;
            }
            b'\r' => {
                *lines += 1;
                *after_cr = true;
            }
            _ => *after_cr = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, Raw, Records};
    use crate::eval::Decoder;
    use crate::model::Model;

    fn lines(input: &[u8], format: Format, max: usize) -> Vec<(usize, &'static str)> {
        let model = Model::default();
        let decoder = Decoder::new(&model);
        // Read as UTF-8 whatever the bytes look like: these cases are about broken UTF-8.
        let utf8 = Some(encoding_rs::UTF_8);
        let mut records = Records::with_encoding(input, format, &decoder, max, utf8).unwrap();
        let mut out = Vec::new();
        while let Some(raw) = records.next_record().unwrap() {
            let kind = match raw {
                Raw::Json { .. } => "json",
                Raw::Row(_) => "row",
                Raw::Malformed(_) => "malformed",
            };
            out.push((raw.line(), kind));
        }
        out
    }

    #[test]
    fn a_bom_and_blank_lines_are_not_records() {
        assert_eq!(lines(b"\xef\xbb\xbf", Format::Jsonl, 100), []);
        assert_eq!(lines(b"\xef\xbb\xbf\n\n", Format::Jsonl, 100), []);
        assert_eq!(lines(b"\xef\xbb\xbf", Format::Csv, 100), []);
    }

    #[test]
    fn an_over_long_line_is_skipped_to_its_end() {
        let input = format!("{{}}\n{}\n{{}}\n", "x".repeat(500));
        assert_eq!(
            lines(input.as_bytes(), Format::Jsonl, 100),
            [(1, "json"), (2, "malformed"), (3, "json")]
        );
    }

    #[test]
    fn csv_rows_count_lone_carriage_returns_and_blank_lines() {
        let input = b"id,text,received\r\n\r\nA,x,2022-06-10\rB,y,2022-06-10\n\n\n\xff,z,1\n";
        assert_eq!(
            lines(input, Format::Csv, 100),
            [(3, "row"), (4, "row"), (7, "malformed")]
        );
    }

    #[test]
    fn a_character_split_across_two_cells_is_a_malformed_row() {
        // 王 is E7 8E 8B: its first two bytes end one cell and its last begins the next, so the
        // cells laid end to end are valid UTF-8 and neither cell is.
        let input = b"id,text,received\nA,\xe7\x8e,\x8b2022-06-10\nB,x,2022-06-10\n";
        assert_eq!(
            lines(input, Format::Csv, 100),
            [(2, "malformed"), (3, "row")]
        );
    }

    #[test]
    fn a_row_of_empty_cells_is_bounded_too() {
        let mut input = b"id,text,received\n".to_vec();
        input.extend(std::iter::repeat_n(b',', 100_000));
        let model = Model::default();
        let decoder = Decoder::new(&model);
        let mut records = Records::new(&input[..], Format::Csv, &decoder, 64).unwrap();
        assert!(matches!(records.next_record(), Ok(Some(Raw::Malformed(_)))));
        assert!(
            records.next_record().is_err(),
            "no line break within 64 × 64 bytes"
        );
    }

    #[test]
    fn a_quoted_line_break_stays_in_its_row() {
        let input = b"id,text,received\nA,\"one\ntwo\",2022-06-10\nB,y,2022-06-10\n";
        assert_eq!(lines(input, Format::Csv, 100), [(2, "row"), (4, "row")]);
    }
}
