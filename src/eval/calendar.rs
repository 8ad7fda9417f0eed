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
    let mut unknown_year = None;
    let mut checked_year = None;
    let mut look = |date: NaiveDate| {
        if unknown_year.is_none() && checked_year != Some(date.year()) {
            checked_year = Some(date.year());
            if !calendar.knows(date.year()) {
                unknown_year = Some(date.year());
            }
        }
        calendar.is_working_day(date)
    };
    // Most days passed over are weekends, told from the day's flags; only a day off is looked
    // up for its holiday's name.
    let why = |date: NaiveDate| match calendar.is_day_off(date).then(|| calendar.day(date)) {
        Some(Some(day)) if day.off => Skipped::Holiday(&day.holiday),
        _ => Skipped::Weekend,
    };
    let mut date = from;
    if working_days {
        let mut left = days;
        while left > 0 {
            date = match date.succ_opt() {
                Some(next) => next,
                None => break,
            };
            if look(date) {
                left -= 1;
            } else {
                skipped(date, why(date));
            }
        }
    } else {
        date = from
            .checked_add_days(Days::new(days.into()))
            .unwrap_or(NaiveDate::MAX);
        while days > 0 && !look(date) {
            skipped(date, why(date));
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    Counted { date, unknown_year }
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
