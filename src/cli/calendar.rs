//! `rectify calendar`: the holiday schedule of a year, or a deadline counted over it.

use std::io::Write;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use rectify::eval::calendar::{Skipped, count, provisional_reason};
use rectify::model::{Calendar, Origin};
use serde_json::json;

use super::load::checked_calendar;
use super::{DiagnosticFormat, Status};

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
                    json!({"year": year, "known": false, "reason": reason})
                );
            }
            DiagnosticFormat::Human => {
                let _ = writeln!(
                    out,
                    "{reason}: deadlines in {year} are counted over weekends only and marked provisional"
                );
                if let Some(last) = calendar.last_year() {
                    let _ = writeln!(out, "the calendar knows the holidays up to {last}");
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
    let source = match schedule.origin {
        Origin::BuiltIn => "built in".to_string(),
        Origin::File(..) => "from a calendar file".to_string(),
    };
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
            let issued = schedule
                .issued
                .map_or(String::new(), |d| format!(", published {d}"));
            let heading = format!("{year}: {}{issued} ({source})", schedule.title);
            let _ = writeln!(out, "{}", super::terminal::cell(&heading));
            for (name, off, work) in &holidays {
                let days = match (off.first(), off.last()) {
                    (Some(first), Some(last)) if first == last => format!("{first} off"),
                    (Some(first), Some(last)) => {
                        format!("{first} – {last} off ({} days)", off.len())
                    }
                    _ => String::new(),
                };
                let working: Vec<String> = work
                    .iter()
                    .map(|d| format!("{d} ({})", weekday(*d)))
                    .collect();
                let working = if working.is_empty() {
                    String::new()
                } else {
                    format!("; working {}", working.join(", "))
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
        super::render::fatal(
            "the first value of --add is the day received, like 2022-09-28, in the years 1000 to 9999",
        );
        return Status::Failure;
    };
    // The same bound as a scheme's `时限`.
    let Some(days) = days.parse::<u32>().ok().filter(|n| (1..=3650).contains(n)) else {
        super::render::fatal(
            "the second value of --add is a whole number of days from 1 to 3650, like 30",
        );
        return Status::Failure;
    };
    let working = match unit.as_str() {
        "工作日" | "working-days" | "working_days" | "workdays" => true,
        "日" | "天" | "days" => false,
        _ => {
            super::render::fatal(
                "the third value of --add is the unit: 工作日 / working-days or 日 / days",
            );
            return Status::Failure;
        }
    };
    let mut skipped: Vec<(NaiveDate, String)> = Vec::new();
    let counted = count(calendar, from, days, working, |date, why| {
        skipped.push((
            date,
            match why {
                Skipped::Weekend => "weekend".to_string(),
                Skipped::Holiday(name) => name.to_string(),
            },
        ));
    });
    let unit_words = if working { "working days" } else { "days" };
    let provisional = counted.unknown_year.map(provisional_reason);
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
            let _ = writeln!(
                out,
                "{from} + {days} {unit_words} = {} ({})",
                counted.date,
                weekday(counted.date)
            );
            let _ = writeln!(out, "  the day received, {from}, is not counted");
            let what = if working {
                "not counted"
            } else {
                "passed over at the end (a rest day)"
            };
            for (date, why) in &skipped {
                let line = format!("  {date} ({}) {what}: {why}", weekday(*date));
                let _ = writeln!(out, "{}", super::terminal::cell(&line));
            }
            if let Some(reason) = &provisional {
                let _ = writeln!(
                    out,
                    "  provisional: {reason}; weekends only were skipped there"
                );
            }
        }
    }
    if provisional.is_some() {
        Status::Problems
    } else {
        Status::Ok
    }
}

pub fn weekday(date: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [date.weekday().num_days_from_monday() as usize]
}
