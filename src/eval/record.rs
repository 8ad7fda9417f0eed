//! Decoding tip records — JSON Lines and CSV rows — into [`Tip`]s, or into a [`RecordError`]
//! that names the line (and column where known) and says what is wrong.
//!
//! The format is documented in `docs/tips.md`. Decoding never panics and never skips a record:
//! every input record becomes a tip or an error.
//!
//! An error names the key or column and says what is wrong with it; it never quotes the value
//! (a mis-quoted cell or a shifted row may hold a reporter's name or phone), and it carries the
//! record's id only when the record's shape is known to be right.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::input::{Raw, Row};
use super::sheet::column_letters;
use super::tip::{Reporter, Subject, Tip};
use crate::lang::Text;
use crate::model::{ChannelKind, Field, FieldType, Level, Model, Region, Value};
use crate::text::normalize;

/// A record that could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// Line of the input the record starts on, from 1.
    pub line: usize,
    /// Column (in characters, from 1) where the problem is, when known.
    pub column: Option<usize>,
    /// The cell of a CSV or sheet row (from 0) where the problem is, when known.
    pub cell: Option<usize>,
    /// The sheet, for a row of a workbook: then `line` is the row's number.
    pub sheet: Option<Arc<str>>,
    /// The record's id, when it could be read.
    pub id: Option<String>,
    /// What is wrong, in plain words.
    pub message: Text,
}

impl RecordError {
    /// The cell where the problem is, as Excel names it (`C12`), for a row of a sheet.
    pub fn cell_reference(&self) -> Option<String> {
        match (&self.sheet, self.cell) {
            (Some(_), Some(cell)) => Some(format!("{}{}", column_letters(cell), self.line)),
            _ => None,
        }
    }
}

/// Decodes records against the fields the loaded schemes declare.
#[derive(Debug, Clone)]
pub struct Decoder {
    fields: Vec<Field>,
}

impl Decoder {
    /// A decoder for tips evaluated against `model`.
    pub fn new(model: &Model) -> Decoder {
        let mut fields: Vec<Field> = Vec::new();
        for field in model.campaigns.iter().flat_map(|c| &c.fields) {
            match fields.iter_mut().find(|f| f.id == field.id) {
                // One campaign requiring a field is enough for every record to need it.
                Some(existing) => existing.required |= field.required,
                None => fields.push(field.clone()),
            }
        }
        Decoder { fields }
    }

    /// Decodes one record as read by [`Records`](super::Records); `layout` is the CSV layout for
    /// rows.
    pub fn decode(&self, raw: Raw, layout: Option<&CsvLayout>) -> Result<Tip, RecordError> {
        match raw {
            Raw::Json { line, text } => self.json(&text, line),
            Raw::Row(row) => match layout {
                Some(layout) => self.csv(layout, &row),
                None => Err(RecordError {
                    line: row.line,
                    column: None,
                    cell: None,
                    sheet: None,
                    id: None,
                    message: Text::new("record.row_before_header"),
                }),
            },
            Raw::Malformed(error) => Err(error),
        }
    }

    /// Decodes one JSON Lines record; `line` is its line number, for errors.
    pub fn json(&self, text: &str, line: usize) -> Result<Tip, RecordError> {
        let text = text.trim_start_matches('\u{feff}');
        if !text.trim_start().starts_with('{') {
            return Err(RecordError {
                line,
                column: None,
                cell: None,
                sheet: None,
                id: None,
                message: Text::new("record.not_object"),
            });
        }
        let raw: RawTip = serde_json::from_str(text).map_err(|error| {
            let column = (error.column() > 0).then(|| char_column(text, error.column()));
            RecordError {
                line,
                column,
                cell: None,
                sheet: None,
                id: id_of_broken(text),
                message: json_message(&error, Text::new("record.what_record")),
            }
        })?;
        let id = valid_id(&raw.id.text()).map_err(|message| RecordError {
            line,
            column: None,
            cell: None,
            sheet: None,
            id: None,
            message,
        })?;
        let fail = |message: Text| RecordError {
            line,
            column: None,
            cell: None,
            sheet: None,
            id: Some(id.clone()),
            message,
        };
        let subject: RawSubject = match raw.subject {
            Some(value) => object(value, "subject").map_err(&fail)?,
            None => RawSubject::default(),
        };
        let reporter: Option<RawReporter> = match raw.reporter {
            Some(value) => Some(object(value, "reporter").map_err(&fail)?),
            None => None,
        };
        let mut fields = Vec::new();
        for (name, value) in raw.fields.unwrap_or_default() {
            let Some(field) = self.fields.iter().find(|f| f.id == name) else {
                return Err(fail(
                    Text::new("record.unknown_field_key").with("known", self.known_fields()),
                ));
            };
            if value.is_null() {
                continue;
            }
            fields.push((name, json_field(field, &value).map_err(&fail)?));
        }
        self.require_fields(&fields).map_err(&fail)?;
        let reporter = match reporter {
            Some(reporter) if !reporter.name.trim().is_empty() => Some(Reporter::new(
                reporter.name.into_owned(),
                reporter.contact.map(Cow::into_owned),
            )),
            _ => None,
        };
        Ok(Tip {
            received: received(&raw.received).map_err(&fail)?,
            channel: channel(raw.channel.as_deref()).map_err(&fail)?,
            text: raw.text.into_owned(),
            reporter,
            subject: Subject {
                name: non_empty(subject.name),
                kind: non_empty(subject.kind),
                level: level(subject.level.as_deref()).map_err(&fail)?,
                level_written: non_empty(subject.level),
                region: region(subject.region.as_ref().map(|r| r.text()).as_deref())
                    .map_err(&fail)?,
            },
            fields,
            id,
        })
    }

    /// Reads a CSV header row into the column layout of the rows that follow.
    ///
    /// A cell that names no column is not quoted back: a file without a header row has a
    /// record, perhaps a reporter's name, where the header should be.
    pub fn csv_header(&self, header: &[&str]) -> Result<CsvLayout, Text> {
        let mut columns = Vec::new();
        let mut names = Vec::new();
        for (index, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            let column = match name {
                "id" | "编号" => Column::Id,
                "text" | "内容" => Column::Text,
                "received" | "收到日期" => Column::Received,
                "channel" | "渠道" => Column::Channel,
                "reporter_name" | "反映人" => Column::ReporterName,
                "reporter_contact" | "联系方式" => Column::ReporterContact,
                "subject_name" | "对象名称" => Column::SubjectName,
                "subject_kind" | "对象类型" => Column::SubjectKind,
                "subject_level" | "对象层级" => Column::SubjectLevel,
                "subject_region" | "对象地区" => Column::SubjectRegion,
                // Excel keeps the empty header cells of columns once used; they name nothing.
                "" => Column::Unnamed,
                other => match self.fields.iter().position(|f| f.id == other) {
                    Some(field) => Column::Field(field),
                    None => {
                        return Err(Text::new("record.header_unknown_column")
                            .with("column", index + 1)
                            .with("known", self.known_fields()));
                    }
                },
            };
            if column != Column::Unnamed && columns.contains(&column) {
                return Err(Text::new("record.header_twice").with("name", name));
            }
            columns.push(column);
            names.push(name.to_string());
        }
        for (needed, name) in [
            (Column::Id, "id"),
            (Column::Text, "text"),
            (Column::Received, "received"),
        ] {
            if !columns.contains(&needed) {
                return Err(Text::new("record.header_missing").with("name", name));
            }
        }
        Ok(CsvLayout { columns, names })
    }

    /// Decodes one CSV row laid out as `layout`.
    pub(crate) fn csv(&self, layout: &CsvLayout, row: &Row) -> Result<Tip, RecordError> {
        let line = row.line;
        let fail = |id: Option<&str>, column: Option<Column>, message: Text| {
            let cell = column.and_then(|column| layout.columns.iter().position(|c| *c == column));
            // A message names a property as JSON does (`received`); a header that names it
            // in Chinese (收到日期) is named too, so that the writer of the sheet finds it.
            let message = match cell.and_then(|cell| layout.column_name(cell)) {
                Some(name) if !name.is_ascii() => Text::new("record.in_column")
                    .with("column", name)
                    .with("message", message),
                _ => message,
            };
            RecordError {
                line,
                column: None,
                cell,
                sheet: row.sheet.clone(),
                id: id.map(str::to_string),
                message,
            }
        };
        // Until the row is known to have the header's shape, no cell can be trusted to be
        // what its column says: a shifted row has a reporter's name where the id should be.
        if row.cells().len() != layout.columns.len() {
            return Err(fail(
                None,
                None,
                Text::new("record.row_cells")
                    .with("cells", row.cells().len())
                    .with("columns", layout.columns.len()),
            ));
        }
        let cells: Vec<&str> = row.cells().map(str::trim).collect();
        // A value under no header: the row is shifted, or a note was typed beside it. No id,
        // since a shifted row has anything where the id should be.
        if let Some(index) = layout
            .columns
            .iter()
            .zip(&cells)
            .position(|(column, cell)| *column == Column::Unnamed && !cell.is_empty())
        {
            let mut error = fail(
                None,
                None,
                Text::new("record.unnamed_value").with("column", index + 1),
            );
            error.cell = Some(index);
            return Err(error);
        }
        let cell = |column: Column| {
            layout
                .columns
                .iter()
                .position(|c| *c == column)
                .map(|index| cells[index])
                .filter(|value| !value.is_empty())
        };
        let id = match cell(Column::Id) {
            None => {
                return Err(fail(
                    None,
                    Some(Column::Id),
                    Text::new("record.id_cell_empty"),
                ));
            }
            Some(id) => valid_id(id).map_err(|message| fail(None, Some(Column::Id), message))?,
        };
        let id_ref = &id;
        let fail =
            |column: Option<Column>| move |message: Text| fail(Some(id_ref), column, message);
        let text = cell(Column::Text).unwrap_or_default();
        let received_text = cell(Column::Received)
            .ok_or_else(|| fail(Some(Column::Received))(Text::new("record.received_cell_empty")))?;
        let mut fields = Vec::new();
        for (index, column) in layout.columns.iter().enumerate() {
            if let Column::Field(field) = column {
                let field = &self.fields[*field];
                if !cells[index].is_empty() {
                    let value = text_field(field, cells[index]).map_err(fail(Some(*column)))?;
                    fields.push((field.id.clone(), value));
                }
            }
        }
        self.require_fields(&fields).map_err(fail(None))?;
        let reporter = cell(Column::ReporterName).map(|name| {
            Reporter::new(
                name.to_string(),
                cell(Column::ReporterContact).map(str::to_string),
            )
        });
        Ok(Tip {
            text: text.to_string(),
            received: received(received_text).map_err(fail(Some(Column::Received)))?,
            channel: channel(cell(Column::Channel)).map_err(fail(Some(Column::Channel)))?,
            reporter,
            subject: Subject {
                name: cell(Column::SubjectName).map(str::to_string),
                kind: cell(Column::SubjectKind).map(str::to_string),
                level: level(cell(Column::SubjectLevel))
                    .map_err(fail(Some(Column::SubjectLevel)))?,
                level_written: non_empty(cell(Column::SubjectLevel).map(Cow::Borrowed)),
                region: region(cell(Column::SubjectRegion))
                    .map_err(fail(Some(Column::SubjectRegion)))?,
            },
            fields,
            id,
        })
    }

    /// Whether column `index` of `layout` holds dates: the received date, or a date field.
    pub(crate) fn is_date_column(&self, layout: &CsvLayout, index: usize) -> bool {
        match layout.columns.get(index) {
            Some(Column::Received) => true,
            Some(Column::Field(field)) => matches!(self.fields[*field].ty, FieldType::Date),
            _ => false,
        }
    }

    fn require_fields(&self, given: &[(String, Value)]) -> Result<(), Text> {
        for field in self.fields.iter().filter(|f| f.required) {
            if !given.iter().any(|(name, _)| *name == field.id) {
                return Err(Text::new("record.required_missing").with("field", &field.id));
            }
        }
        Ok(())
    }

    fn known_fields(&self) -> Text {
        if self.fields.is_empty() {
            Text::new("list.none")
        } else {
            let names: Vec<&str> = self.fields.iter().map(|f| f.id.as_str()).collect();
            Text::new("record.declared_fields").with("names", names.join(", "))
        }
    }
}

/// Which tip property a CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Text,
    Received,
    Channel,
    ReporterName,
    ReporterContact,
    SubjectName,
    SubjectKind,
    SubjectLevel,
    SubjectRegion,
    Field(usize),
    /// A column whose header cell is empty; its cells must be empty too.
    Unnamed,
}

/// The columns of a CSV file, from its header.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    columns: Vec<Column>,
    /// Each column's name as the header writes it; every one is a name rectify knows.
    names: Vec<String>,
}

impl CsvLayout {
    /// The header's name of a column.
    pub(crate) fn column_name(&self, index: usize) -> Option<&str> {
        self.names.get(index).map(String::as_str)
    }

    /// The number of columns.
    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    /// The record's id in `cells`, a row of this layout, when it is one.
    pub(crate) fn id_in<'c>(&self, cells: impl IntoIterator<Item = &'c str>) -> Option<String> {
        let at = self.columns.iter().position(|c| *c == Column::Id)?;
        valid_id(cells.into_iter().nth(at)?).ok()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTip<'a> {
    #[serde(borrow)]
    id: TextOrNumber<'a>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(borrow)]
    received: Cow<'a, str>,
    #[serde(borrow, default)]
    channel: Option<Cow<'a, str>>,
    /// Checked to be objects before they are read: serde would also take an array, by position.
    #[serde(borrow, default)]
    reporter: Option<&'a RawValue>,
    #[serde(borrow, default)]
    subject: Option<&'a RawValue>,
    #[serde(default)]
    fields: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReporter<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    contact: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSubject<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    region: Option<TextOrNumber<'a>>,
}

/// A nested object of a record, refusing anything but `{…}`.
fn object<'a, T: Deserialize<'a>>(value: &'a RawValue, what: &str) -> Result<T, Text> {
    if !value.get().trim_start().starts_with('{') {
        return Err(Text::new("record.must_be_object").with("what", what));
    }
    serde_json::from_str(value.get())
        .map_err(|error| json_message(&error, Text::new("record.what_key").with("what", what)))
}

/// Ids and division codes come as text or as numbers from spreadsheets.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrNumber<'a> {
    #[serde(borrow)]
    Text(Cow<'a, str>),
    Number(u64),
}

impl TextOrNumber<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            TextOrNumber::Text(text) => Cow::Borrowed(text.as_ref()),
            TextOrNumber::Number(n) => Cow::Owned(n.to_string()),
        }
    }
}

/// The id of a record that is valid JSON but not a valid tip, to name it in the error: only
/// when the record is an object with one well-formed `id`.
fn id_of_broken(text: &str) -> Option<String> {
    /// Other keys are ignored; a second `id` is an error, and so no id is named.
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: TextOrNumber<'a>,
    }
    let record: IdOnly = serde_json::from_str(text).ok()?;
    valid_id(&record.id.text()).ok()
}

/// The longest id, in characters: an id names a record, and a longer one is more likely a
/// cell that swallowed others.
const LONGEST_ID: usize = 256;

/// A record's id, trimmed; an error when it is blank, too long or holds control characters.
fn valid_id(id: &str) -> Result<String, Text> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Text::new("record.id_empty"));
    }
    if id.chars().count() > LONGEST_ID {
        return Err(Text::new("record.id_too_long").with("limit", LONGEST_ID));
    }
    if id.chars().any(char::is_control) {
        return Err(Text::new("record.id_control"));
    }
    Ok(id.to_string())
}

fn non_empty(text: Option<Cow<str>>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// serde's error, in words that never quote the record.
///
/// serde quotes offending values ("invalid type: string \"王某 138…\"") and unknown keys
/// ("unknown field `王某`"); either may be a reporter's name or contact. Only the parts of its
/// messages that name what rectify expects are kept; the column says where the problem is.
fn json_message(error: &serde_json::Error, what: Text) -> Text {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => &message,
    };
    if matches!(
        error.classify(),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
    ) {
        // serde_json's syntax messages name tokens ("expected `:`"), never values.
        return Text::new("record.invalid_json").with("message", message);
    }
    let expected = || {
        message.rfind(", expected ").map(|at| {
            message[at + ", expected ".len()..]
                .replace("a borrowed string", "text")
                .replace("a string", "text")
                .replace("struct RawTip", "a tip object")
                .replace("struct RawReporter", "a reporter object")
                .replace("struct RawSubject", "a subject object")
        })
    };
    if message.starts_with("data did not match any variant of untagged enum TextOrNumber") {
        return Text::new("record.text_or_number");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return Text::new("record.missing_key")
            .with("what", what)
            .with("key", rest);
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        return Text::new("record.duplicate_key")
            .with("what", what)
            .with("key", rest);
    }
    if message.starts_with("unknown field ") {
        return match expected() {
            Some(known) => Text::new("record.unknown_key")
                .with("what", what)
                .with("known", known.trim_start_matches("one of ")),
            None => Text::new("record.unknown_key_plain").with("what", what),
        };
    }
    if message.starts_with("invalid type: ") || message.starts_with("invalid value: ") {
        return match expected() {
            Some(known) => Text::new("record.wrong_type").with("expected", known),
            None => Text::new("record.wrong_type_plain"),
        };
    }
    Text::new("record.unreadable").with("what", what)
}

/// The character column of serde's byte column.
fn char_column(line: &str, byte_column: usize) -> usize {
    let mut end = byte_column.saturating_sub(1).min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].chars().count() + 1
}

/// `YYYY-MM-DD` at the start of `text`, when it is a real date.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

/// China Standard Time, which has no daylight saving.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The years a date may fall in: four digits, as every form below writes them.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// A received date or date-time; times without a zone are China Standard Time.
pub(crate) fn received(text: &str) -> Result<NaiveDate, Text> {
    let date = received_any_year(text)?;
    if YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(Text::new("record.received_years"))
    }
}

/// The day a date or date-time names, as `received` reads it; `None` when it names none.
pub fn day_of(text: &str) -> Option<NaiveDate> {
    received(text).ok()
}

fn received_any_year(text: &str) -> Result<NaiveDate, Text> {
    // Full-width digits and marks (２０２２／６／１１), as a Chinese input method types them.
    let text = half_width(text.trim());
    let text = text.as_ref();
    // A date serial number, as a CSV file saved from an unformatted Excel column holds it:
    // five digits are the years 1927 to 2173.
    if text.len() == 5
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Some(date) = text.parse().ok().and_then(super::sheet::serial_date)
    {
        return Ok(date);
    }
    // The common forms first, read by hand: chrono's format parser costs more than the rest
    // of decoding a record.
    if let Some(date) = iso_date(text) {
        if text.len() == 10 {
            return Ok(date);
        }
        if let Some(time) = text.get(10..) {
            let plain_time = time.len() >= 6
                && (time.starts_with('T') || time.starts_with(' '))
                && time[1..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
            if plain_time && NaiveTime::parse_from_str(&time[1..], "%H:%M:%S%.f").is_ok() {
                return Ok(date);
            }
        }
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Ok(moment.with_timezone(&china()).date_naive());
    }
    match written_date(text) {
        Some(Written::Date(date)) => Ok(date),
        Some(Written::NotReal) => Err(Text::new("record.received_not_real")),
        Some(Written::BadTime) => Err(Text::new("record.received_time")),
        // A year of more than four digits (`+10000-01-01`) is a date, outside the years.
        None => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Text::new("record.received_unreadable")),
    }
}

/// A date as people and spreadsheets write it, read by [`written_date`].
#[derive(Debug, PartialEq)]
enum Written {
    Date(NaiveDate),
    /// Year, month and day that make no date (2024-02-30).
    NotReal,
    /// A date followed by something that is not a time of day.
    BadTime,
}

/// `2024-03-11`, `2024/3/11`, `2024.3.11` and `2024年3月11日`, each optionally followed by a
/// time of day (`09:30`, `9:30:15`, after a space or a `T`), which is dropped. `None` when the
/// text does not start with a year and a month and a day.
fn written_date(text: &str) -> Option<Written> {
    let (year, rest) = digits(text, 4, 4)?;
    let (month, day, rest) = match rest.strip_prefix('年') {
        Some(rest) => {
            let (month, rest) = digits(rest, 1, 2)?;
            let rest = rest.strip_prefix('月')?;
            let (day, rest) = digits(rest, 1, 2)?;
            (month, day, rest.strip_prefix('日').unwrap_or(rest))
        }
        None => {
            let separator = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '-' | '/' | '.'))?;
            let (month, rest) = digits(&rest[1..], 1, 2)?;
            let rest = rest.strip_prefix(separator)?;
            let (day, rest) = digits(rest, 1, 2)?;
            (month, day, rest)
        }
    };
    let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day) else {
        return Some(Written::NotReal);
    };
    if rest.is_empty() {
        return Some(Written::Date(date));
    }
    // As Excel and people write a time: `9:30`, `上午 9:30`, `下午9:30`, `9:30 PM`.
    let time = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix('T'))
        .or_else(|| (rest.starts_with("上午") || rest.starts_with("下午")).then_some(rest))
        .map(|time| {
            let time = time.trim_start();
            let time = time
                .strip_prefix("上午")
                .or_else(|| time.strip_prefix("下午"))
                .unwrap_or(time)
                .trim_start();
            time.strip_suffix("AM")
                .or_else(|| time.strip_suffix("PM"))
                .map_or(time, str::trim_end)
        });
    let readable = time.is_some_and(|time| {
        let mut parts = time.split(':');
        let hour = parts
            .next()
            .and_then(|h| digits(h, 1, 2))
            .filter(|(h, r)| *h < 24 && r.is_empty());
        let minute = parts
            .next()
            .and_then(|m| digits(m, 2, 2))
            .filter(|(m, r)| *m < 60 && r.is_empty());
        let second = match parts.next() {
            None => true,
            Some(s) => {
                let whole = s.split('.').next().unwrap_or(s);
                digits(whole, 2, 2).is_some_and(|(s, r)| s < 61 && r.is_empty())
                    && s[whole.len()..]
                        .strip_prefix('.')
                        .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
            }
        };
        hour.is_some() && minute.is_some() && second && parts.next().is_none()
    });
    Some(if readable {
        Written::Date(date)
    } else {
        Written::BadTime
    })
}

/// `text` with full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space as their
/// ASCII counterparts.
fn half_width(text: &str) -> Cow<'_, str> {
    if text.is_ascii()
        || !text
            .chars()
            .any(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}'))
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                c => c,
            })
            .collect(),
    )
}

/// A number of `min..=max` ASCII digits at the start of `text`, and what follows it.
fn digits(text: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let count = text
        .bytes()
        .take(max + 1)
        .take_while(u8::is_ascii_digit)
        .count();
    if count < min || count > max {
        return None;
    }
    Some((text[..count].parse().ok()?, &text[count..]))
}

// A channel or level is read in the normal form, as kinds are: 來信 is 来信, 區級 is 区级, and
// `Email` is `email`.
fn channel(text: Option<&str>) -> Result<Option<ChannelKind>, Text> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        // Every spelling is in normal form, so one written as it is needs no normalising.
        Some(text) => ChannelKind::parse(text)
            .or_else(|| ChannelKind::parse(&normalize(text)))
            .map(Some)
            .ok_or_else(|| Text::new("record.unknown_channel")),
    }
}

fn level(text: Option<&str>) -> Result<Option<Level>, Text> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => Level::parse(text)
            .or_else(|| Level::parse(&normalize(text)))
            .map(Some)
            .ok_or_else(|| {
                Text::new("record.unknown_level").with("known", Level::SPELLINGS.join(", "))
            }),
    }
}

fn region(text: Option<&str>) -> Result<Option<Region>, Text> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => Region::parse(text)
            .map(Some)
            .ok_or_else(|| Text::new("record.bad_region")),
    }
}

fn json_field(field: &Field, value: &serde_json::Value) -> Result<Value, Text> {
    let wrong = |expected: Text| {
        let found = match value {
            serde_json::Value::Null => "record.json.null",
            serde_json::Value::Bool(_) => "record.json.bool",
            serde_json::Value::Number(_) => "record.json.number",
            serde_json::Value::String(_) => "record.json.text",
            serde_json::Value::Array(_) => "record.json.list",
            serde_json::Value::Object(_) => "record.json.object",
        };
        Text::new("record.field_wrong_type")
            .with("field", &field.id)
            .with("expected", expected)
            .with("found", Text::new(found))
    };
    match (&field.ty, value) {
        (FieldType::Text, serde_json::Value::String(s)) => Ok(Value::Text(s.clone())),
        (FieldType::Number, serde_json::Value::Number(n)) => n
            .as_f64()
            .map(Value::Number)
            .ok_or_else(|| wrong(Text::new("record.json.number"))),
        (FieldType::Bool, serde_json::Value::Bool(b)) => Ok(Value::Bool(*b)),
        (FieldType::Date, serde_json::Value::String(s)) => text_field(field, s),
        (FieldType::Enum(_), serde_json::Value::String(s)) => text_field(field, s),
        (FieldType::Text, _) => Err(wrong(Text::new("record.json.text"))),
        (FieldType::Number, _) => Err(wrong(Text::new("record.json.number"))),
        (FieldType::Bool, _) => Err(wrong(Text::new("record.json.bool"))),
        (FieldType::Date, _) => Err(wrong(Text::new("record.json.date"))),
        (FieldType::Enum(values), _) => Err(wrong(
            Text::new("record.json.one_of").with("values", values.join(", ")),
        )),
    }
}

fn text_field(field: &Field, text: &str) -> Result<Value, Text> {
    match &field.ty {
        FieldType::Text => Ok(Value::Text(text.to_string())),
        FieldType::Number => text
            .parse::<f64>()
            .map(Value::Number)
            .map_err(|_| Text::new("record.field_number").with("field", &field.id)),
        FieldType::Bool => match text {
            "true" | "是" | "1" | "yes" => Ok(Value::Bool(true)),
            "false" | "否" | "0" | "no" => Ok(Value::Bool(false)),
            _ => Err(Text::new("record.field_bool").with("field", &field.id)),
        },
        // A date field reads dates as `received` does, times of day and zones included.
        FieldType::Date => received(text)
            .ok()
            .map(Value::Date)
            .ok_or_else(|| Text::new("record.field_date").with("field", &field.id)),
        FieldType::Enum(values) => {
            if values.iter().any(|v| v == text) {
                Ok(Value::Text(text.to_string()))
            } else {
                Err(Text::new("record.field_enum")
                    .with("field", &field.id)
                    .with("values", values.join(", ")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Written, channel, level, non_empty, received, written_date};
    use crate::model::{ChannelKind, Level};
    use chrono::NaiveDate;
    use std::borrow::Cow;

    #[test]
    fn levels_and_channels_are_read_in_either_script_and_width() {
        assert_eq!(level(Some("區級")), Ok(Some(Level::County)));
        assert_eq!(level(Some("鄉鎮")), Ok(Some(Level::Township)));
        assert_eq!(level(Some("Province")), Ok(Some(Level::Province)));
        assert_eq!(channel(Some("來信")), Ok(Some(ChannelKind::Post)));
        assert_eq!(channel(Some("ＥＭＡＩＬ")), Ok(Some(ChannelKind::Email)));
        assert!(level(Some("部级")).is_err());
        assert_eq!(
            non_empty(Some(Cow::Borrowed(" 區級 "))).as_deref(),
            Some("區級")
        );
        assert_eq!(non_empty(Some(Cow::Borrowed("  "))), None);
    }

    /// A level or channel written as it is spelled is read without normalising it; that
    /// gives the same answer only because every spelling is already in normal form.
    #[test]
    fn every_level_and_channel_spelling_is_in_normal_form() {
        let spellings = [
            "中央",
            "central",
            "省级",
            "省",
            "province",
            "市级",
            "地级",
            "市",
            "prefecture",
            "县级",
            "区级",
            "县",
            "区",
            "county",
            "乡级",
            "镇级",
            "乡镇",
            "街道",
            "township",
            "村级",
            "社区",
            "村",
            "village",
            "post",
            "来信",
            "信函",
            "email",
            "邮箱",
            "电子邮箱",
            "电子邮件",
            "phone",
            "电话",
            "visit",
            "来访",
            "online",
            "网络",
            "网上",
        ];
        for spelling in spellings {
            assert_eq!(crate::text::normalize(spelling), spelling);
            let known = Level::parse(spelling).is_some() || ChannelKind::parse(spelling).is_some();
            assert!(known, "{spelling} is a spelling");
        }
        for spelling in Level::SPELLINGS.iter().chain(ChannelKind::SPELLINGS) {
            assert!(spellings.contains(spelling), "{spelling} is listed here");
        }
    }

    #[test]
    fn dates_are_read_as_excel_and_people_write_them() {
        let march_11 = NaiveDate::from_ymd_opt(2024, 3, 11).unwrap();
        for text in [
            "2024-03-11",
            "2024/3/11",
            "2024.3.11",
            "2024年3月11日",
            "2024年03月11日",
            "2024-03-11 09:30",
            "2024/3/11 9:30",
            "2024/3/11 9:30:15",
            "2024-03-11T09:30:00.250",
            "2024-03-11T09:30:00+08:00",
            " 2024-3-11 ",
            "２０２４／３／１１",
            "2024/3/11 上午 9:30",
            "2024/3/11 下午9:30",
            "2024/3/11 9:30 PM",
            "45362",
        ] {
            assert_eq!(received(text), Ok(march_11), "{text}");
        }
        assert_eq!(written_date("2024/2/30"), Some(Written::NotReal));
        assert_eq!(written_date("2024/3/11 下午"), Some(Written::BadTime));
        assert_eq!(written_date("2024/3/11 25:00"), Some(Written::BadTime));
        assert_eq!(written_date("2024/3-11"), None);
        assert_eq!(written_date("24/3/11"), None);
        assert_eq!(written_date("2024/123/1"), None);
        assert!(received("11/03/2024").is_err());
    }
}
