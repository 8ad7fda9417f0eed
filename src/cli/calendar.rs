//! `rectify calendar`: the holiday schedule of a year, or a deadline counted over it.

use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use rectify::eval::calendar::{Skipped, count, provisional_reason};
use rectify::lang::Text;
use rectify::model::{Calendar, Origin};
use serde_json::json;

use super::load::checked_calendar;
use super::{DiagnosticFormat, Status, say};

/// Show a year's public holidays and working weekend days, or count a deadline.
///
/// `rectify calendar 2026` lists the year's holidays: each one's days off and the weekend days
/// made working days (调休), from the State Council's notice. `rectify calendar --add 2022-09-28
/// 30 工作日` counts a deadline as the law counts periods (the day received is not counted; a
/// period in days that ends on a rest day ends on the next working day) and shows every day
/// it passed over. Years without a schedule are counted over weekends only and said to be
/// provisional.
///
/// Exit status: 0 when the year is known; 1 when it is not (the count is provisional); 2 on bad
/// usage or calendar files with errors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year to show.
    #[arg(value_name = "YEAR", required_unless_present = "add")]
    year: Option<i32>,

    /// Count a deadline: the day received, the number, and the unit (`工作日` / `working-days`
    /// or `日` / `days`).
    #[arg(long, num_args = 3, value_names = ["DATE", "N", "UNIT"], conflicts_with = "year")]
    add: Option<Vec<String>>,

    /// A calendar file adding years the built-in table does not know yet; repeatable.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// `human` (a table) or `json`.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    format: DiagnosticFormat,
}

pub fn run(args: Args) -> Status {
    let calendar = match checked_calendar(&args.calendars) {
        Ok(calendar) => calendar,
        Err(status) => return status,
    };
    match (&args.add, args.year) {
        (Some(add), _) => deadline(&calendar, add, args.format),
        (None, Some(year)) => year_table(&calendar, year, args.format),
        (None, None) => Status::Failure,
    }
}

fn year_table(calendar: &Calendar, year: i32, format: DiagnosticFormat) -> Status {
    let mut out = std::io::stdout().lock();
    let Some(schedule) = calendar.schedule(year) else {
        let reason = provisional_reason(year);
        match format {
            DiagnosticFormat::Json => {
                let _ = writeln!(
                    out,
                    "{:#}",
                    json!({"year": year, "known": false, "reason": say(reason)})
                );
            }
            DiagnosticFormat::Human => {
                let line = Text::new("calendar.unknown_year")
                    .with("reason", reason)
                    .with("year", year);
                let _ = writeln!(out, "{}", say(line));
                if let Some(last) = calendar.last_year() {
                    let line = Text::new("calendar.known_up_to").with("last", last);
                    let _ = writeln!(out, "{}", say(line));
                }
            }
        }
        return Status::Problems;
    };
    // Holidays in the order their days come, each with its days off and working days.
    let from = NaiveDate::from_ymd_opt(year - 1, 12, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 31).unwrap_or(NaiveDate::MAX);
    let mut holidays: Vec<(String, Vec<NaiveDate>, Vec<NaiveDate>)> = Vec::new();
    for (date, day) in calendar.days_between(from, to) {
        // A day at the year's edge belongs to the schedule that names it.
        if day.schedule != year {
            continue;
        }
        let index = match holidays
            .iter()
            .position(|(name, _, _)| *name == day.holiday)
        {
            Some(index) => index,
            None => {
                holidays.push((day.holiday.clone(), Vec::new(), Vec::new()));
                holidays.len() - 1
            }
        };
        if day.off {
            holidays[index].1.push(date);
        } else {
            holidays[index].2.push(date);
        }
    }
    let source = say(Text::new(match schedule.origin {
        Origin::BuiltIn => "calendar.built_in",
        Origin::File(..) => "calendar.from_file",
    }));
    match format {
        DiagnosticFormat::Json => {
            let list: Vec<serde_json::Value> = holidays
                .iter()
                .map(|(name, off, work)| json!({"holiday": name, "off": off, "working": work}))
                .collect();
            let _ = writeln!(
                out,
                "{:#}",
                json!({
                    "year": year,
                    "known": true,
                    "title": schedule.title,
                    "issued": schedule.issued,
                    "source": if matches!(schedule.origin, Origin::BuiltIn) { "built-in" } else { "file" },
                    "holidays": list,
                })
            );
        }
        DiagnosticFormat::Human => {
            let heading = say(match schedule.issued {
                Some(issued) => Text::new("calendar.heading_issued")
                    .with("year", year)
                    .with("title", &schedule.title)
                    .with("issued", issued.to_string())
                    .with("source", source),
                None => Text::new("calendar.heading")
                    .with("year", year)
                    .with("title", &schedule.title)
                    .with("source", source),
            });
            let _ = writeln!(out, "{}", super::terminal::cell(&heading));
            for (name, off, work) in &holidays {
                let days = match (off.first(), off.last()) {
                    (Some(first), Some(last)) if first == last => {
                        say(Text::new("calendar.one_day_off").with("date", first.to_string()))
                    }
                    (Some(first), Some(last)) => say(Text::new("calendar.days_off")
                        .with("first", first.to_string())
                        .with("last", last.to_string())
                        .with("count", off.len())),
                    _ => String::new(),
                };
                let working: Vec<String> = work
                    .iter()
                    .map(|d| format!("{d} ({})", weekday(*d)))
                    .collect();
                let working = if working.is_empty() {
                    String::new()
                } else {
                    say(Text::new("calendar.working").with("days", working.join(", ")))
                };
                let _ = writeln!(
                    out,
                    "  {}",
                    super::terminal::cell(&format!("{name}: {days}{working}"))
                );
            }
        }
    }
    Status::Ok
}

fn deadline(calendar: &Calendar, add: &[String], format: DiagnosticFormat) -> Status {
    let (Some(from), Some(days), Some(unit)) = (add.first(), add.get(1), add.get(2)) else {
        return Status::Failure;
    };
    let Some(from) = from
        .parse::<NaiveDate>()
        .ok()
        .filter(|d| (1000..=9999).contains(&d.year()))
    else {
        super::render::fatal(Text::new("calendar.add_bad_date"));
        return Status::Failure;
    };
    // The same bound as a scheme's `时限`.
    let Some(days) = days.parse::<u32>().ok().filter(|n| (1..=3650).contains(n)) else {
        super::render::fatal(Text::new("calendar.add_bad_days"));
        return Status::Failure;
    };
    let working = match unit.as_str() {
        "工作日" | "working-days" | "working_days" | "workdays" => true,
        "日" | "天" | "days" => false,
        _ => {
            super::render::fatal(Text::new("calendar.add_bad_unit"));
            return Status::Failure;
        }
    };
    let mut skipped: Vec<(NaiveDate, String)> = Vec::new();
    let counted = count(calendar, from, days, working, |date, why| {
        skipped.push((
            date,
            match why {
                Skipped::Weekend => say(Text::new("calendar.weekend")),
                Skipped::Holiday(name) => name.to_string(),
            },
        ));
    });
    let provisional = counted
        .unknown_year
        .map(|year| say(provisional_reason(year)));
    let mut out = std::io::stdout().lock();
    match format {
        DiagnosticFormat::Json => {
            let list: Vec<serde_json::Value> = skipped
                .iter()
                .map(|(date, why)| json!({"date": date, "why": why}))
                .collect();
            let _ = writeln!(
                out,
                "{:#}",
                json!({
                    "from": from, "days": days, "working_days": working,
                    "due": counted.date, "skipped": list, "provisional": provisional,
                })
            );
        }
        DiagnosticFormat::Human => {
            let sum = Text::new(if working {
                "calendar.sum_working"
            } else {
                "calendar.sum_days"
            })
            .with("from", from.to_string())
            .with("days", days)
            .with("due", counted.date.to_string())
            .with("weekday", weekday(counted.date));
            let _ = writeln!(out, "{}", say(sum));
            let received =
                Text::new("calendar.received_not_counted").with("from", from.to_string());
            let _ = writeln!(out, "  {}", say(received));
            let what = say(Text::new(if working {
                "calendar.not_counted"
            } else {
                "calendar.passed_over"
            }));
            for (date, why) in &skipped {
                let line = format!("  {date} ({}) {what}: {why}", weekday(*date));
                let _ = writeln!(out, "{}", super::terminal::cell(&line));
            }
            if let Some(reason) = &provisional {
                let line = Text::new("calendar.provisional").with("reason", reason.as_str());
                let _ = writeln!(out, "  {}", say(line));
            }
        }
    }
    if provisional.is_some() {
        Status::Problems
    } else {
        Status::Ok
    }
}

/// The day of the week, in this run's language.
pub fn weekday(date: NaiveDate) -> &'static str {
    let key = [
        "weekday.mon",
        "weekday.tue",
        "weekday.wed",
        "weekday.thu",
        "weekday.fri",
        "weekday.sat",
        "weekday.sun",
    ][date.weekday().num_days_from_monday() as usize];
    super::lang().word(key)
}
