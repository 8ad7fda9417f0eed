//! `rectify duties`: every due date of the campaigns' recurring duties over their windows.

use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, Days, NaiveDate};
use rectify::eval::calendar::{next_day_of_month, provisional_reason};
use rectify::lang::Text;
use serde_json::json;

use super::calendar::weekday;
use super::load::checked_model;
use super::{DiagnosticFormat, Status};

/// List the due dates of recurring duties (每月20日前报送台账) over each campaign's window.
///
/// For every duty of every loaded campaign, one line per due date from the start of the
/// campaign's window to its end, with the weekday. A date on a rest day says so and names the
/// next working day; a date in a year without a holiday schedule is marked provisional.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scheme file or a directory of them (a .scheme named alone brings the *.vocab files
    /// beside it); repeatable.
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// A calendar file adding years the built-in table does not know yet; repeatable.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// `human` (a table) or `json`.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
}

pub fn run(args: Args) -> Status {
    let mut paths = args.schemes.clone();
    paths.extend(args.calendars.iter().cloned());
    let (_, model) = match checked_model(&paths) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let calendar = &model.calendar;
    let mut out = std::io::stdout().lock();
    let mut rows = Vec::new();
    for campaign in &model.campaigns {
        for duty in &campaign.duties {
            for window in &campaign.windows {
                let mut from = window.start;
                while from <= window.end {
                    let date = next_day_of_month(from, duty.day);
                    if date > window.end {
                        break;
                    }
                    let working = calendar.is_working_day(date);
                    let next_working = (!working).then(|| {
                        let mut next = date;
                        while !calendar.is_working_day(next) {
                            next = next.succ_opt().unwrap_or(NaiveDate::MAX);
                        }
                        next
                    });
                    let unknown = [Some(date), next_working]
                        .into_iter()
                        .flatten()
                        .map(|d| d.year())
                        .find(|year| !calendar.knows(*year));
                    let provisional = unknown.map(|year| super::say(provisional_reason(year)));
                    rows.push((
                        campaign.id.clone(),
                        duty.id.clone(),
                        duty.title.clone(),
                        campaign.departments[duty.recipient].name.clone(),
                        date,
                        next_working,
                        provisional,
                    ));
                    from = date
                        .checked_add_days(Days::new(1))
                        .unwrap_or(NaiveDate::MAX);
                }
            }
        }
    }
    match args.format {
        DiagnosticFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(campaign, duty, title, to, date, next, provisional)| {
                    json!({
                        "campaign": campaign, "duty": duty, "title": title, "to": to,
                        "date": date, "rest_day_next_working_day": next, "provisional": provisional,
                    })
                })
                .collect();
            let _ = writeln!(out, "{:#}", json!(list));
        }
        DiagnosticFormat::Human => {
            if rows.is_empty() {
                let _ = writeln!(out, "{}", super::say(Text::new("duties.none")));
            }
            let mut current = None;
            for (campaign, duty, title, to, date, next, provisional) in &rows {
                if current != Some((campaign, duty)) {
                    let heading = format!("{campaign} › {duty}: {title} → {to}");
                    let _ = writeln!(out, "{}", super::terminal::cell(&heading));
                    current = Some((campaign, duty));
                }
                let mut line = format!("  {date} ({})", weekday(*date));
                if let Some(next) = next {
                    line.push_str(&super::say(
                        Text::new("duties.rest_day")
                            .with("next", next.to_string())
                            .with("weekday", weekday(*next)),
                    ));
                }
                if let Some(reason) = provisional {
                    line.push_str(&super::say(
                        Text::new("duties.provisional").with("reason", reason),
                    ));
                }
                let _ = writeln!(out, "{}", super::terminal::cell(&line));
            }
        }
    }
    Status::Ok
}
