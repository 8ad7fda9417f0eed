//! Due dates: calendar days, and working days that skip Saturdays and Sundays.
//!
//! The calendar knows weekends only. Public holidays and the working weekends that the State
//! Council moves around them (调休) are not in it, so a working-day deadline that spans a
//! holiday comes out early, never late.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The date `days` calendar days or working days after `from`.
pub(crate) fn add(from: NaiveDate, days: u32, working_days: bool) -> NaiveDate {
    if !working_days {
        return from
            .checked_add_days(Days::new(days.into()))
            .unwrap_or(NaiveDate::MAX);
    }
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = match date.succ_opt() {
            Some(next) => next,
            None => return NaiveDate::MAX,
        };
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// The first date on or after `from` that is day `day` of its month, or the month's last day
/// where the month is shorter.
pub(crate) fn next_day_of_month(from: NaiveDate, day: u32) -> NaiveDate {
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
    use super::{add, next_day_of_month};
    use chrono::NaiveDate;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // 2022-06-10 is a Friday.
        assert_eq!(add(date("2022-06-10"), 1, true), date("2022-06-13"));
        assert_eq!(add(date("2022-06-10"), 15, true), date("2022-07-01"));
        assert_eq!(add(date("2022-06-10"), 15, false), date("2022-06-25"));
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
