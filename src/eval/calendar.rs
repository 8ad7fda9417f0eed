//! Due dates, counted as the law counts periods (民法典 第二百零一条、第二百零三条) over the
//! model's holiday calendar.
//!
//! The day a tip is received is not counted: the period starts the next day. Working days
//! (`工作日`) skip weekends and days off and count the weekend days a schedule makes working
//! days (调休上班). A period in calendar days (`日`) that ends on a rest day — a weekend not made
//! a working day, or a day off — ends on the next working day. A period that touches a year the
//! calendar does not know is still counted, over weekends only, and said to be provisional.

use chrono::{Datelike, Days, NaiveDate};

use crate::lang::Text;
use crate::model::Calendar;

/// A counted due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The due date.
    pub date: NaiveDate,
    /// The first year the count ran through without a holiday schedule, if any: the date is
    /// then provisional.
    pub unknown_year: Option<i32>,
}

/// Why a day was not counted, or was passed over at the end of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped<'c> {
    /// A Saturday or Sunday that no schedule makes a working day.
    Weekend,
    /// A day off of this holiday.
    Holiday(&'c str),
}

/// The due date `days` working days or calendar days after `from`; `skipped` is told of each
/// day passed over.
pub fn count<'c>(
    calendar: &'c Calendar,
    from: NaiveDate,
    days: u32,
    working_days: bool,
    mut skipped: impl FnMut(NaiveDate, Skipped<'c>),
) -> Counted {
    walk(calendar, from, days, working_days, Some(&mut skipped))
}

/// The due date `days` working days or calendar days after `from`, as [`count`] gives it,
/// for a caller that asks nothing of the days passed over.
pub fn due(calendar: &Calendar, from: NaiveDate, days: u32, working_days: bool) -> Counted {
    walk(calendar, from, days, working_days, None)
}

/// [`count`], telling `skipped` of the days passed over when there is one to tell: without,
/// no date is made of a day passed over.
fn walk<'c>(
    calendar: &'c Calendar,
    from: NaiveDate,
    days: u32,
    working_days: bool,
    mut skipped: Option<&mut dyn FnMut(NaiveDate, Skipped<'c>)>,
) -> Counted {
    // Days are walked by their number from the common era, the weekday carried along: a
    // date's arithmetic for every day passed was most of what counting cost.
    let last = NaiveDate::MAX.num_days_from_ce();
    let date_of = |day: i32| NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MAX);
    let mut unknown_year = None;
    let mut look = |day: i32, weekday: u32| {
        let standing = calendar.standing(day, weekday);
        if !standing.known && unknown_year.is_none() {
            unknown_year = Some(date_of(day).year());
        }
        standing
    };
    // Most days passed over are weekends, told from the day's flags; only a day off is looked
    // up for its holiday's name.
    let mut pass = |day: i32, day_off: bool| {
        let Some(skipped) = skipped.as_mut() else {
            return;
        };
        let date = date_of(day);
        let why = match day_off.then(|| calendar.day(date)) {
            Some(Some(day)) if day.off => Skipped::Holiday(&day.holiday),
            _ => Skipped::Weekend,
        };
        skipped(date, why);
    };
    let next = |day: i32, weekday: u32| (day + 1, (weekday + 1) % 7);
    let (mut day, mut weekday) = if working_days {
        (
            from.num_days_from_ce(),
            from.weekday().num_days_from_monday(),
        )
    } else {
        let end = from
            .checked_add_days(Days::new(days.into()))
            .unwrap_or(NaiveDate::MAX);
        (end.num_days_from_ce(), end.weekday().num_days_from_monday())
    };
    if working_days {
        let mut left = days;
        while left > 0 && day < last {
            (day, weekday) = next(day, weekday);
            let standing = look(day, weekday);
            if standing.working {
                left -= 1;
            } else {
                pass(day, standing.day_off);
            }
        }
    } else if days > 0 {
        loop {
            let standing = look(day, weekday);
            if standing.working {
                break;
            }
            pass(day, standing.day_off);
            if day >= last {
                break;
            }
            (day, weekday) = next(day, weekday);
        }
    }
    Counted {
        date: date_of(day),
        unknown_year,
    }
}

/// The reason a date counted into `year` is provisional, in the words of a decision.
pub fn provisional_reason(year: i32) -> Text {
    Text::new("reason.no_schedule").with("year", year)
}

/// The first date on or after `from` that is day `day` of its month, or the month's last day
/// where the month is shorter.
pub fn next_day_of_month(from: NaiveDate, day: u32) -> NaiveDate {
    let in_month = |year: i32, month: u32| {
        (1..=day)
            .rev()
            .find_map(|d| NaiveDate::from_ymd_opt(year, month, d))
            .unwrap_or(from)
    };
    let this_month = in_month(from.year(), from.month());
    if this_month >= from {
        return this_month;
    }
    let (year, month) = if from.month() == 12 {
        (from.year() + 1, 1)
    } else {
        (from.year(), from.month() + 1)
    };
    in_month(year, month)
}

#[cfg(test)]
mod tests {
    use super::next_day_of_month;
    use chrono::NaiveDate;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_monthly_duty_falls_due_this_month_or_next() {
        assert_eq!(
            next_day_of_month(date("2021-08-03"), 20),
            date("2021-08-20")
        );
        assert_eq!(
            next_day_of_month(date("2021-08-21"), 20),
            date("2021-09-20")
        );
        assert_eq!(
            next_day_of_month(date("2021-12-25"), 20),
            date("2022-01-20")
        );
        assert_eq!(
            next_day_of_month(date("2023-02-10"), 31),
            date("2023-02-28")
        );
    }
}
