//! Holiday schedules (`节假日安排` blocks) → the model's [`Calendar`].
//!
//! The built-in table and the blocks of loaded files are lowered the same way. A year may be
//! given once, a day may not be both off and working, a range must run forwards and stay near
//! its year. The built-in table is checked by a test to have no problem at all.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::campaign::date;
use super::{CheckError, Problems, Related};
use crate::lang::Text;
use crate::model::{Calendar, Day, Model, Origin, Schedule};
use crate::syntax::ast::{HolidayEntry, HolidaysDecl};
use crate::syntax::{self, Span};

/// The State Council's schedules, 2016–2026, as rectify ships them.
pub const BUILT_IN: &str = include_str!("../../calendar/state-council.holidays");

/// Where each day of the calendar was set, to point at both places of a conflict.
#[derive(Default)]
pub(super) struct Seen {
    days: HashMap<NaiveDate, (Option<(usize, Span)>, bool)>,
}

/// The built-in calendar, lowered once.
pub fn built_in() -> &'static Calendar {
    static CALENDAR: OnceLock<Calendar> = OnceLock::new();
    CALENDAR.get_or_init(|| {
        let (calendar, problems) = lower_built_in();
        // The table is part of the program; tests/calendar.rs checks it lowers cleanly. Should
        // it not, the schedules that did lower are still better than none.
        debug_assert!(problems.is_empty(), "the built-in calendar has problems");
        calendar
    })
}

/// The built-in table lowered, with whatever problems it has (none, by test).
pub fn lower_built_in() -> (Calendar, Vec<super::Problem>) {
    let mut model = Model::default();
    let mut problems = Problems::default();
    let mut seen = Seen::default();
    match syntax::parse(BUILT_IN) {
        Ok(tree) => {
            for decl in &tree.holidays {
                lower(decl, None, &mut model.calendar, &mut seen, &mut problems);
            }
        }
        Err(errors) => problems
            .list
            .extend(errors.into_iter().map(|error| super::Problem {
                file: 0,
                error: super::ProblemKind::Parse(error),
                related: None,
            })),
    }
    (model.calendar, problems.list)
}

/// Days already set by the built-in calendar, so that a file's entries can conflict with them.
pub(super) fn seen_built_in() -> Seen {
    let mut seen = Seen::default();
    let calendar = built_in();
    if let (Some(first), Some(last)) = (
        calendar.schedules().next().map(|s| s.year),
        calendar.last_year(),
    ) {
        let from = NaiveDate::from_ymd_opt(first - 1, 1, 1);
        let to = NaiveDate::from_ymd_opt(last + 1, 12, 31);
        if let (Some(from), Some(to)) = (from, to) {
            for (date, day) in calendar.days_between(from, to) {
                seen.days.insert(date, (None, day.off));
            }
        }
    }
    seen
}

/// Lowers one block into `calendar`; `file` is `None` for the built-in table.
pub(super) fn lower(
    decl: &HolidaysDecl,
    file: Option<usize>,
    calendar: &mut Calendar,
    seen: &mut Seen,
    problems: &mut Problems,
) {
    if let Some(earlier) = calendar.schedule(decl.year) {
        let (first, help, related) = match (earlier.origin, file) {
            (Origin::BuiltIn, _) => (
                None,
                Text::new("check.calendar_year_twice.help_built_in").with("year", decl.year),
                None,
            ),
            (Origin::File(first_file, span), Some(this)) if first_file == this => (
                Some(span.into()),
                Text::new("check.calendar_year_twice.help_once"),
                None,
            ),
            (Origin::File(first_file, span), _) => (
                None,
                Text::new("check.calendar_year_twice.help_once"),
                Some(Related {
                    file: first_file,
                    span,
                    message: Text::new("related.holidays_first_given").with("year", decl.year),
                }),
            ),
        };
        let error = CheckError::CalendarYearTwice {
            year: decl.year,
            help,
            first,
            second: decl.year_span.into(),
        };
        match related {
            Some(related) => problems.push_related(error, related),
            None => problems.push(error),
        }
        return;
    }
    calendar.add_schedule(Schedule {
        year: decl.year,
        title: decl.title.value.clone(),
        issued: decl.issued.as_ref().and_then(|lit| date(lit, problems)),
        origin: match file {
            Some(file) => Origin::File(file, decl.year_span),
            None => Origin::BuiltIn,
        },
    });
    let near = |d: NaiveDate| (decl.year - 1..=decl.year + 1).contains(&d.year());
    for entry in &decl.entries {
        let (holiday, days, off): (&str, Vec<(NaiveDate, Span)>, bool) = match entry {
            HolidayEntry::Off {
                holiday,
                from,
                to,
                span,
            } => {
                let Some(first) = date(from, problems) else {
                    continue;
                };
                let last = match to {
                    Some(to) => match date(to, problems) {
                        Some(last) => last,
                        None => continue,
                    },
                    None => first,
                };
                if last < first {
                    problems.push(CheckError::CalendarRangeReversed {
                        from: first.to_string(),
                        to: last.to_string(),
                        at: (*span).into(),
                    });
                    continue;
                }
                if !near(first) || !near(last) {
                    let lit = if near(first) {
                        to.as_ref().unwrap_or(from)
                    } else {
                        from
                    };
                    problems.push(CheckError::CalendarDateOutsideYear {
                        date: if near(first) { last } else { first }.to_string(),
                        year: decl.year,
                        at: lit.span.into(),
                        block: decl.year_span.into(),
                    });
                    continue;
                }
                let days = first
                    .iter_days()
                    .take_while(|d| *d <= last)
                    .map(|d| (d, *span))
                    .collect();
                (&holiday.name, days, true)
            }
            HolidayEntry::Workday { holiday, dates, .. } => {
                let mut days = Vec::new();
                for lit in dates {
                    let Some(day) = date(lit, problems) else {
                        continue;
                    };
                    if !near(day) {
                        problems.push(CheckError::CalendarDateOutsideYear {
                            date: day.to_string(),
                            year: decl.year,
                            at: lit.span.into(),
                            block: decl.year_span.into(),
                        });
                        continue;
                    }
                    days.push((day, lit.span));
                }
                (&holiday.name, days, false)
            }
        };
        for (day, span) in days {
            let here = file.map(|file| (file, span));
            if let Some((first, first_off)) = seen.days.get(&day).copied()
                && first_off != off
            {
                let kind = |off: bool| {
                    Text::new(if off {
                        "check.calendar_day_conflict.off"
                    } else {
                        "check.calendar_day_conflict.working"
                    })
                };
                let same_file = matches!((first, here), (Some((a, _)), Some((b, _))) if a == b);
                let help = match first {
                    None => Text::new("check.calendar_day_conflict.help_built_in")
                        .with("date", day.to_string())
                        .with("kind", kind(first_off)),
                    Some(_) => Text::new("check.calendar_day_conflict.help_remove"),
                };
                let error = CheckError::CalendarDayConflict {
                    date: day.to_string(),
                    help,
                    first: first.filter(|_| same_file).map(|(_, span)| span.into()),
                    first_kind: kind(first_off),
                    second: span.into(),
                    second_kind: kind(off),
                };
                match first {
                    Some((first_file, first_span)) if !same_file => problems.push_related(
                        error,
                        Related {
                            file: first_file,
                            span: first_span,
                            message: Text::new("related.day_made")
                                .with("date", day.to_string())
                                .with("kind", kind(first_off)),
                        },
                    ),
                    _ => problems.push(error),
                }
                continue;
            }
            seen.days.insert(day, (here, off));
            calendar.add_day(
                day,
                Day {
                    off,
                    holiday: holiday.to_string(),
                    schedule: decl.year,
                },
            );
        }
    }
}

/// Warns of every campaign window that reaches past the last year the calendar knows.
pub(super) fn check_windows(model: &Model, problems: &mut Problems) {
    let Some(last) = model.calendar.last_year() else {
        return;
    };
    for campaign in &model.campaigns {
        problems.file = campaign.file;
        for (window, span) in campaign.windows.iter().zip(&campaign.window_spans) {
            if window.end.year() > last {
                problems.push(CheckError::WindowPastCalendar {
                    year: last + 1,
                    last,
                    at: (*span).into(),
                });
            }
        }
    }
}
