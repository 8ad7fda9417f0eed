//! `--format table`: decisions as aligned text for a person, one row per tip and campaign.
//!
//! Every cell passes through [`terminal::cell`]: an id or a subject name holding an escape
//! sequence or a line break must not forge rows on the reader's screen.

use rectify::eval::{Decision, Outcome, RecordError, Tip};
use rectify::lang::Text;
use rectify::text::display_width;

use super::{lang, say, terminal};

/// Column widths, in terminal columns; the last column is not padded.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    widths: [usize; 6],
}

impl Layout {
    /// Columns wide enough for the loaded campaigns' ids.
    pub fn new<'a>(campaigns: impl IntoIterator<Item = &'a str>) -> Layout {
        let campaign = campaigns
            .into_iter()
            .map(display_width)
            .max()
            .unwrap_or(8)
            .max(8)
            + 2;
        Layout {
            widths: [6, 12, campaign, 14, 44, 0],
        }
    }

    /// The header row.
    pub fn header(&self) -> String {
        let lang = lang();
        self.row(&[
            lang.word("table.line"),
            lang.word("table.tip"),
            lang.word("table.campaign"),
            lang.word("table.outcome"),
            lang.word("table.detail"),
            lang.word("table.handling"),
        ])
    }

    fn row(&self, cells: &[&str]) -> String {
        row(cells, &self.widths)
    }
}

/// The rows of one decided tip.
pub fn rows(layout: &Layout, line: usize, tip: &Tip, decisions: &[Decision]) -> String {
    let mut out = String::new();
    for (index, decision) in decisions.iter().enumerate() {
        let (line_cell, tip_cell) = if index == 0 {
            (line.to_string(), tip.id.clone())
        } else {
            (String::new(), String::new())
        };
        let (detail, handling) = match &decision.outcome {
            Outcome::Accepted {
                matches,
                departments,
                priority,
                due,
                ..
            } => {
                let categories: Vec<String> = matches
                    .iter()
                    .flat_map(|a| &a.categories)
                    .map(|c| {
                        let words: Vec<&str> = c
                            .symptoms
                            .iter()
                            .flat_map(|s| &s.evidence)
                            .map(|e| e.text)
                            .take(2)
                            .collect();
                        format!("{} [{}]", c.category, words.join(" "))
                    })
                    .collect();
                let named = |role: &str| {
                    departments
                        .iter()
                        .filter(|d| d.role == role)
                        .map(|d| d.id)
                        .collect::<Vec<_>>()
                        .join("、")
                };
                let mut handling = named("lead");
                let with = named("with");
                if !with.is_empty() {
                    handling.push_str(&say(Text::new("table.with").with("with", with)));
                }
                let priority = lang().word(match *priority {
                    "high" => "priority.high",
                    "low" => "priority.low",
                    _ => "priority.normal",
                });
                handling.push_str(&format!(" · {priority}"));
                if let Some(date) = due.handle {
                    handling.push_str(&say(
                        Text::new("table.handle_by").with("date", date.to_string())
                    ));
                }
                if let Some(date) = due.reply {
                    handling.push_str(&say(
                        Text::new("table.reply_by").with("date", date.to_string())
                    ));
                }
                if let Some(reason) = &due.provisional {
                    handling.push_str(&say(
                        Text::new("table.provisional").with("reason", reason.as_str())
                    ));
                }
                (categories.join("; "), handling)
            }
            Outcome::Excluded {
                exclusion, repeats, ..
            } => {
                let mut detail = exclusion.to_string();
                if let Some(repeat) = repeats {
                    detail.push_str(&say(Text::new("table.repeats")
                        .with("tip", &repeat.tip)
                        .with("similarity", format!("{:.2}", repeat.similarity))));
                }
                (detail, String::new())
            }
            Outcome::OutOfWindow { windows } => {
                let list: Vec<String> = windows
                    .iter()
                    .map(|w| format!("{}–{}", w.start, w.end))
                    .collect();
                (
                    say(Text::new("table.out_of_window")
                        .with("received", tip.received.to_string())
                        .with("windows", list.join(", "))),
                    String::new(),
                )
            }
            Outcome::OutOfScope { reason } => (reason.render(lang()), String::new()),
            Outcome::NoMatch { suggestions } => (suggested(suggestions), String::new()),
        };
        out.push_str(&layout.row(&[
            &line_cell,
            &tip_cell,
            decision.campaign,
            lang().word(&format!("outcome.{}", decision.outcome.name())),
            &detail,
            &handling,
        ]));
        for explanation in &decision.explain {
            let mark = if explanation.fired { "✓" } else { "✗" };
            out.push_str(&format!(
                "{:>8}{mark} {}: {}\n",
                "",
                terminal::cell(&rule_words(&explanation.rule)),
                terminal::cell(&explanation.why)
            ));
        }
    }
    out
}

/// An explanation's step (`window`, `scope`, `exclusion ID`, `symptom ID`, identifiers in the
/// JSON output) in the reader's words.
fn rule_words(rule: &str) -> String {
    let (kind, id) = rule.split_once(' ').unwrap_or((rule, ""));
    let key = match kind {
        "window" => "explain.rule.window",
        "scope" => "explain.rule.scope",
        "exclusion" => "explain.rule.exclusion",
        "symptom" => "explain.rule.symptom",
        _ => return rule.to_string(),
    };
    say(Text::new(key).with("id", id))
}

/// The row of a malformed record.
pub fn error_row(layout: &Layout, error: &RecordError) -> String {
    let mut message = say(error.message.clone());
    if let Some(column) = error.column {
        message = say(Text::new("table.column")
            .with("column", column)
            .with("message", message));
    }
    if let (Some(sheet), Some(cell)) = (&error.sheet, error.cell_reference()) {
        message = say(Text::new("table.cell")
            .with("sheet", sheet.as_ref())
            .with("cell", cell)
            .with("message", message));
    }
    layout.row(&[
        &error.line.to_string(),
        error.id.as_deref().unwrap_or("?"),
        "",
        lang().word("outcome.malformed"),
        &message,
        "",
    ])
}

fn row(cells: &[&str], widths: &[usize]) -> String {
    let mut out = String::new();
    for (cell, &width) in cells.iter().zip(widths) {
        let cell = terminal::cell(cell);
        out.push_str(&cell);
        let shown = display_width(&cell);
        if width > 0 {
            out.push_str(&" ".repeat(width.saturating_sub(shown).max(1)));
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// The categories a tip that nothing matched is most like, marked 建议 ("suggested"): a hint for
/// the person reading, never a decision.
fn suggested(suggestions: &[rectify::eval::Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let list: Vec<String> = suggestions
        .iter()
        .map(|s| format!("{} ({:.1})", s.category, s.score))
        .collect();
    say(Text::new("table.suggested").with("categories", list.join(", ")))
}
