//! The decisions workbook: a summary sheet, a sheet of all tips (one row per tip and
//! campaign), a sheet per campaign and a sheet of malformed records.
//!
//! Every sheet but the summary is written in constant-memory mode: each row goes to a
//! temporary file as soon as it is complete, so a workbook of a million tips does not sit in
//! memory. That is why column widths are set from the header and the column's shape before
//! any row is written, not fitted to what the rows hold.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::WriteError;
use super::flat::{Cell, Columns, Flat, Shape};
use crate::eval::Outcome;
use crate::lang::Lang;
use crate::model::Model;
use crate::text::display_width;

/// Excel's limits: characters in a cell, and rows in a sheet.
const MAX_CELL_CHARS: usize = 32_767;
const MAX_ROWS: u32 = 1_048_576;

pub(crate) struct Book {
    path: PathBuf,
    workbook: Workbook,
    columns: Columns,
    shapes: Vec<Shape>,
    campaigns: Vec<(String, String)>,
    /// The next row of each sheet, by sheet index; the summary is sheet 0.
    next: Vec<u32>,
    /// Outcome counts per campaign, in [`Outcome::NAMES`] order.
    counts: Vec<[usize; 5]>,
    decided: usize,
    malformed: usize,
    /// The latest day a tip was received: the workbook's date, so that the same tips give the
    /// same file.
    latest: Option<NaiveDate>,
    date: Format,
    wrap: Format,
    header: Format,
}

const SUMMARY: usize = 0;
/// The column of a tip row that holds the day received.
const RECEIVED: usize = 2;
const ALL: usize = 1;

impl Book {
    pub(crate) fn create(path: &Path, model: &Model, columns: Columns) -> Result<Book, WriteError> {
        let fail = |error: XlsxError| WriteError::io(path, error);
        let lang = columns.lang;
        let mut workbook = Workbook::new();
        let header = Format::new()
            .set_bold()
            .set_background_color(0xDDEBF7)
            .set_align(FormatAlign::Center);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let wrap = Format::new().set_text_wrap();
        let shapes: Vec<Shape> = columns.header().into_iter().map(|(_, s)| s).collect();
        let words = columns.header_words();
        let campaigns: Vec<(String, String)> = model
            .campaigns
            .iter()
            .map(|c| (c.id.clone(), c.title.clone()))
            .collect();
        let campaign_width = campaigns
            .iter()
            .map(|(id, _)| display_width(id) + 2)
            .max()
            .unwrap_or(12)
            .clamp(12, 40);
        // The sheets of the workbook's own keep their names; a campaign named like one of them
        // gives way.
        let mut names = Vec::new();
        let summary_name = unique_name(lang.word("office.sheet.summary"), &mut names);
        let all_name = unique_name(lang.word("office.sheet.all"), &mut names);
        let malformed_name = unique_name(lang.word("office.sheet.malformed"), &mut names);
        let summary = workbook.add_worksheet();
        summary.set_name(summary_name).map_err(fail)?;
        let mut sheets = vec![all_name];
        sheets.extend(campaigns.iter().map(|(id, _)| unique_name(id, &mut names)));
        for name in sheets {
            let sheet = workbook
                .add_worksheet_with_constant_memory()
                .map_err(fail)?;
            sheet.set_name(name).map_err(fail)?;
            lay_out(sheet, &words, &shapes, campaign_width, &header).map_err(fail)?;
        }
        let malformed_words: Vec<&str> = [
            "office.column.line",
            "office.column.sheet",
            "office.column.cell",
            "office.column.tip",
            "office.column.error",
        ]
        .iter()
        .map(|key| lang.word(key))
        .collect();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(fail)?;
        sheet.set_name(malformed_name).map_err(fail)?;
        lay_out(
            sheet,
            &malformed_words,
            &[
                Shape::Number,
                Shape::Short,
                Shape::Number,
                Shape::Short,
                Shape::Long,
            ],
            campaign_width,
            &header,
        )
        .map_err(fail)?;
        let sheet_count = campaigns.len() + 3;
        Ok(Book {
            path: path.to_path_buf(),
            workbook,
            columns,
            shapes,
            counts: vec![[0; 5]; campaigns.len()],
            campaigns,
            next: vec![1; sheet_count],
            decided: 0,
            malformed: 0,
            latest: None,
            date,
            wrap,
            header,
        })
    }

    pub(crate) fn add(&mut self, flat: &Flat) -> Result<(), WriteError> {
        if let Some(malformed) = &flat.malformed {
            self.malformed += 1;
            let cells = [
                Cell::Number(malformed.line as f64),
                malformed.sheet.clone().map_or(Cell::Empty, Cell::Text),
                malformed.cell.clone().map_or(Cell::Empty, Cell::Text),
                malformed.tip.clone().map_or(Cell::Empty, Cell::Text),
                Cell::Text(malformed.error.clone()),
            ];
            let index = self.next.len() - 1;
            return self.write_row(index, &cells);
        }
        self.decided += 1;
        for row in &flat.rows {
            if let Some(Cell::Date(received)) = row.cells.get(RECEIVED) {
                self.latest = self.latest.max(Some(*received));
            }
            if let Some(place) = Outcome::NAMES.iter().position(|o| *o == row.outcome)
                && let Some(counts) = self.counts.get_mut(row.campaign)
            {
                counts[place] += 1;
            }
            self.write_row(ALL, &row.cells)?;
            self.write_row(ALL + 1 + row.campaign, &row.cells)?;
        }
        Ok(())
    }

    fn write_row(&mut self, index: usize, cells: &[Cell]) -> Result<(), WriteError> {
        let row = self.next[index];
        if row >= MAX_ROWS {
            return Err(WriteError(
                crate::lang::Text::new("office.too_many_rows").with("rows", MAX_ROWS as usize),
            ));
        }
        self.next[index] += 1;
        let (date, wrap) = (&self.date, &self.wrap);
        let long: Vec<bool> = if index == self.next.len() - 1 {
            vec![false, false, false, false, true]
        } else {
            self.shapes.iter().map(|s| *s == Shape::Long).collect()
        };
        let sheet = self
            .workbook
            .worksheet_from_index(index)
            .map_err(|e| WriteError::io(&self.path, e))?;
        for (column, cell) in cells.iter().enumerate() {
            let col = column as u16;
            let written = match cell {
                Cell::Empty => continue,
                Cell::Number(number) => sheet.write_number(row, col, *number),
                Cell::Date(day) => sheet.write_datetime_with_format(row, col, day, date),
                Cell::Text(text) => {
                    let text = clipped(text);
                    if long.get(column).copied().unwrap_or(false) {
                        sheet.write_string_with_format(row, col, text, wrap)
                    } else {
                        sheet.write_string(row, col, text)
                    }
                }
            };
            written.map_err(|e| WriteError::io(&self.path, e))?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        let path = self.path.clone();
        let fail = |error: XlsxError| WriteError::io(&path, error);
        let widths = self.columns.header_words().len() as u16;
        for (index, next) in self.next.iter().enumerate().skip(1) {
            let last_column = if index == self.next.len() - 1 {
                4
            } else {
                widths - 1
            };
            let sheet = self.workbook.worksheet_from_index(index).map_err(fail)?;
            sheet
                .autofilter(0, 0, next.saturating_sub(1), last_column)
                .map_err(fail)?;
        }
        let lang = self.columns.lang;
        let summary = self.workbook.worksheet_from_index(SUMMARY).map_err(fail)?;
        write_summary(
            summary,
            lang,
            &self.campaigns,
            &self.counts,
            (self.decided, self.malformed),
            &self.header,
        )
        .map_err(fail)?;
        // Without a date of its own the workbook would carry the time it was written, and two
        // runs on the same tips would differ.
        let day = self
            .latest
            .or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1))
            .expect("2000-01-01 is a date");
        let properties = DocProperties::new()
            .set_title(lang.word("office.sheet.all"))
            .set_creation_datetime(&day);
        self.workbook.set_properties(&properties);
        self.workbook.save(&path).map_err(fail)
    }
}

/// Header row, frozen; filters on; widths that fit the header and what the column holds;
/// printed landscape on A4 with the header on every page.
fn lay_out(
    sheet: &mut Worksheet,
    words: &[&str],
    shapes: &[Shape],
    campaign_width: usize,
    header: &Format,
) -> Result<(), XlsxError> {
    for (column, (word, shape)) in words.iter().zip(shapes).enumerate() {
        let col = column as u16;
        let wide = match shape {
            Shape::Number | Shape::Flag => 8,
            Shape::Date => 12,
            Shape::Campaign => campaign_width,
            Shape::Short => 16,
            Shape::Long => 36,
        };
        let width = (display_width(word) + 4).max(wide);
        sheet.set_column_width(col, width as f64)?;
        sheet.write_string_with_format(0, col, *word, header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    // As wide as one page, as long as it takes.
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

fn write_summary(
    sheet: &mut Worksheet,
    lang: Lang,
    campaigns: &[(String, String)],
    counts: &[[usize; 5]],
    (decided, malformed): (usize, usize),
    header: &Format,
) -> Result<(), XlsxError> {
    let wrap = Format::new().set_text_wrap();
    let mut words = vec![
        lang.word("office.column.campaign").to_string(),
        lang.word("office.column.title").to_string(),
    ];
    words.extend(
        Outcome::NAMES
            .iter()
            .map(|outcome| lang.word(&format!("outcome.{outcome}")).to_string()),
    );
    words.push(lang.word("office.column.total").to_string());
    for (column, word) in words.iter().enumerate() {
        let col = column as u16;
        sheet.write_string_with_format(0, col, word.as_str(), header)?;
        let width = match column {
            0 => 24,
            1 => 48,
            _ => display_width(word).max(8) + 4,
        };
        sheet.set_column_width(col, width as f64)?;
    }
    let mut row = 1;
    for ((id, title), counts) in campaigns.iter().zip(counts) {
        sheet.write_string(row, 0, clipped(id))?;
        sheet.write_string_with_format(row, 1, clipped(title), &wrap)?;
        for (column, count) in counts.iter().enumerate() {
            sheet.write_number(row, column as u16 + 2, *count as f64)?;
        }
        let total = (counts.len() + 2) as u16;
        sheet.write_number(row, total, counts.iter().sum::<usize>() as f64)?;
        row += 1;
    }
    row += 1;
    for (key, count) in [
        ("office.summary.read", decided + malformed),
        ("office.summary.decided", decided),
        ("office.summary.malformed", malformed),
    ] {
        sheet.write_string_with_format(row, 0, lang.word(key), header)?;
        sheet.write_number(row, 1, count as f64)?;
        row += 1;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    Ok(())
}

/// A cell's text within Excel's limit.
fn clipped(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The longest start of `text` that is at most `units` UTF-16 units long (as Excel counts a
/// sheet name) and does not end in `'`.
fn within_31(text: &str, units: usize) -> String {
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += c.len_utf16();
        if used > units {
            break;
        }
        kept.push(c);
    }
    kept.trim_end_matches('\'').to_string()
}

/// A sheet name Excel accepts, different from every name in `taken` (Excel compares them
/// case-blind): at most 31 characters, none of `[]:*?/\`, not starting or ending with `'`.
fn unique_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_matches('\'');
    let base = within_31(cleaned, 31);
    let base = if base.is_empty() {
        "_".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut count = 1;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == name.to_lowercase())
    {
        count += 1;
        let suffix = format!(" ({count})");
        name = format!("{}{suffix}", within_31(&base, 31 - suffix.len()));
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::unique_name;

    #[test]
    fn sheet_names_are_ones_excel_accepts() {
        let mut taken = Vec::new();
        assert_eq!(unique_name("汇总", &mut taken), "汇总");
        assert_eq!(unique_name("a/b:c", &mut taken), "a_b_c");
        assert_eq!(unique_name("A_B_C", &mut taken), "A_B_C (2)");
        let long = "x".repeat(40);
        assert_eq!(unique_name(&long, &mut taken).chars().count(), 31);
        assert_eq!(
            unique_name(&long, &mut taken),
            format!("{} (2)", "x".repeat(27))
        );
        assert_eq!(unique_name("''", &mut taken), "_");
        // Excel counts UTF-16 units: 𠀀 takes two.
        assert_eq!(unique_name(&"𠀀".repeat(20), &mut taken), "𠀀".repeat(15));
        assert_eq!(
            unique_name(&format!("{}'x", "a".repeat(30)), &mut taken),
            "a".repeat(30)
        );
    }
}
