//! One record's decisions as flat rows of cells, one row per campaign: what a sheet or a CSV
//! file holds.

use chrono::NaiveDate;

use crate::eval::{Decision, Disclosure, Outcome, RecordError, Tip, disclosed};
use crate::lang::{Lang, Text};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Date(NaiveDate),
}

/// The columns of a decisions table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    pub(crate) lang: Lang,
    pub(crate) disclosure: Disclosure,
}

/// What a column holds, which decides how it is written and how wide it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Number,
    /// Yes or no.
    Flag,
    /// A campaign's id.
    Campaign,
    Short,
    Date,
    Long,
}

impl Columns {
    pub(crate) fn new(lang: Lang, disclosure: Disclosure) -> Columns {
        Columns { lang, disclosure }
    }

    fn with_reporter(&self) -> bool {
        self.disclosure == Disclosure::IncludeReporter
    }

    /// The column headers, in the reader's language, and their shapes.
    pub(crate) fn header(&self) -> Vec<(&'static str, Shape)> {
        let mut columns = vec![
            ("office.column.line", Shape::Number),
            ("office.column.tip", Shape::Short),
            ("office.column.received", Shape::Date),
            ("office.column.real_name", Shape::Flag),
        ];
        if self.with_reporter() {
            columns.push(("office.column.reporter", Shape::Short));
            columns.push(("office.column.contact", Shape::Short));
        }
        columns.extend([
            ("office.column.campaign", Shape::Campaign),
            ("office.column.outcome", Shape::Short),
            ("office.column.areas", Shape::Short),
            ("office.column.categories", Shape::Long),
            ("office.column.evidence", Shape::Long),
            ("office.column.lead", Shape::Long),
            ("office.column.with", Shape::Long),
            ("office.column.priority", Shape::Short),
            ("office.column.handle_by", Shape::Date),
            ("office.column.reply_by", Shape::Date),
            ("office.column.reason", Shape::Long),
            ("office.column.repeats", Shape::Short),
        ]);
        columns
    }

    /// The header's words.
    pub(crate) fn header_words(&self) -> Vec<&'static str> {
        self.header()
            .into_iter()
            .map(|(key, _)| self.lang.word(key))
            .collect()
    }
}

/// The rows of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Flat {
    pub(crate) rows: Vec<Row>,
    pub(crate) malformed: Option<Malformed>,
}

/// One tip and one campaign.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The campaign's place among the model's campaigns.
    pub(crate) campaign: usize,
    pub(crate) outcome: &'static str,
    pub(crate) cells: Vec<Cell>,
}

/// A record that could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Malformed {
    pub(crate) line: usize,
    pub(crate) sheet: Option<String>,
    pub(crate) cell: Option<String>,
    pub(crate) tip: Option<String>,
    pub(crate) error: String,
}

/// The rows of a decided tip from input line `line`, one per decision, in `lang`; the
/// reporter's name and contact only under [`Disclosure::IncludeReporter`].
pub fn flatten(
    line: usize,
    tip: &Tip,
    decisions: &[Decision],
    lang: Lang,
    disclosure: Disclosure,
) -> Flat {
    let columns = Columns::new(lang, disclosure);
    let rows = decisions
        .iter()
        .enumerate()
        .map(|(campaign, decision)| Row {
            campaign,
            outcome: decision.outcome.name(),
            cells: cells(&columns, line, tip, decision),
        })
        .collect();
    Flat {
        rows,
        malformed: None,
    }
}

/// The row of a malformed record, its message in `lang`.
pub fn flatten_malformed(error: &RecordError, lang: Lang) -> Flat {
    Flat {
        rows: Vec::new(),
        malformed: Some(Malformed {
            line: error.line,
            sheet: error.sheet.as_deref().map(str::to_string),
            cell: error.cell_reference(),
            tip: error.id.clone(),
            error: error.message.render(lang),
        }),
    }
}

fn cells(columns: &Columns, line: usize, tip: &Tip, decision: &Decision) -> Vec<Cell> {
    let lang = columns.lang;
    let text = |value: String| {
        if value.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value)
        }
    };
    let date = |value: Option<NaiveDate>| value.map_or(Cell::Empty, Cell::Date);
    let mut cells = vec![
        Cell::Number(line as f64),
        Cell::Text(tip.id.clone()),
        Cell::Date(tip.received),
        Cell::Text(
            lang.word(if tip.real_name() {
                "office.yes"
            } else {
                "office.no"
            })
            .to_string(),
        ),
    ];
    if columns.with_reporter() {
        let reporter = disclosed(tip, columns.disclosure);
        cells.push(text(reporter.map(|r| r.0.to_string()).unwrap_or_default()));
        cells.push(text(
            reporter
                .and_then(|r| r.1)
                .map(str::to_string)
                .unwrap_or_default(),
        ));
    }
    cells.push(Cell::Text(decision.campaign.to_string()));
    cells.push(Cell::Text(
        lang.word(&format!("outcome.{}", decision.outcome.name()))
            .to_string(),
    ));
    let (mut areas, mut categories, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
    let (mut lead, mut with, mut priority) = (Vec::new(), Vec::new(), String::new());
    let (mut handle, mut reply, mut reason, mut repeats) = (None, None, String::new(), None);
    match &decision.outcome {
        Outcome::Accepted {
            matches,
            departments,
            priority: level,
            due,
            ..
        } => {
            for area in matches {
                areas.push(area.area);
                for category in &area.categories {
                    categories.push(category.title);
                    for symptom in &category.symptoms {
                        evidence.extend(symptom.evidence.iter().map(|found| found.text));
                    }
                }
            }
            for department in departments {
                match department.role {
                    "lead" => lead.push(department.name),
                    _ => with.push(department.name),
                }
            }
            priority = lang.word(&format!("priority.{level}")).to_string();
            handle = due.handle;
            reply = due.reply;
            if let Some(why) = &due.provisional {
                reason = Text::new("office.provisional")
                    .with("reason", why.as_str())
                    .render(lang);
            }
        }
        Outcome::Excluded {
            reason: official,
            repeats: repeated,
            ..
        } => {
            reason = official.to_string();
            repeats = repeated.as_ref().map(|r| r.tip.clone());
        }
        Outcome::OutOfScope { reason: why } => reason = why.render(lang),
        Outcome::OutOfWindow { windows } => {
            let spans: Vec<String> = windows
                .iter()
                .map(|w| format!("{} – {}", w.start, w.end))
                .collect();
            reason = Text::new("office.windows")
                .with("windows", spans.join("、"))
                .render(lang);
        }
        Outcome::NoMatch { suggestions } => {
            if !suggestions.is_empty() {
                let titles: Vec<&str> = suggestions.iter().map(|s| s.title).collect();
                reason = Text::new("office.suggested")
                    .with("categories", titles.join("；"))
                    .render(lang);
            }
        }
    }
    // Each stretch once: one held in a longer one (填表 in 重复填表) says nothing more.
    let kept: Vec<&str> = evidence
        .iter()
        .enumerate()
        .filter(|(at, one)| {
            !evidence.iter().enumerate().any(|(other, longer)| {
                (longer.len() > one.len() && longer.contains(**one))
                    || (longer == *one && other < *at)
            })
        })
        .map(|(_, one)| *one)
        .collect();
    let evidence = kept;
    cells.extend([
        text(areas.join("、")),
        text(categories.join("；")),
        text(evidence.join("；")),
        text(lead.join("、")),
        text(with.join("、")),
        text(priority),
        date(handle),
        date(reply),
        text(reason),
        repeats.map_or(Cell::Empty, Cell::Text),
    ]);
    cells
}
