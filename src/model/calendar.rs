//! The holiday calendar: which days the State Council's schedules make days off (放假) and
//! which weekend days they make working days (调休上班), year by year.
//!
//! It holds data only; counting deadlines over it is `eval`'s. A year without a schedule is
//! not guessed at: [`Calendar::knows`] says so, and the evaluator marks what it computes over
//! such a year as provisional.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::syntax::Span;

/// Every known year's schedule, and the days they change.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    schedules: BTreeMap<i32, Schedule>,
    days: BTreeMap<NaiveDate, Day>,
}

/// One year's schedule, as one notice announced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The year.
    pub year: i32,
    /// The notice's title.
    pub title: String,
    /// When the notice was published.
    pub issued: Option<NaiveDate>,
    /// Where the schedule was written.
    pub origin: Origin,
}

/// Where a schedule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The table built into rectify (`calendar/state-council.holidays`).
    BuiltIn,
    /// A calendar block in a loaded file: its index and the year's place.
    File(usize, Span),
}

/// A day a schedule changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// A day off (`true`) or a working weekend day (`false`).
    pub off: bool,
    /// The holiday it belongs to (春节, 国庆节, …).
    pub holiday: String,
    /// The year of the schedule that names it (2022-12-31 is in the schedule for 2023).
    pub schedule: i32,
}

impl Calendar {
    /// The schedule of `year`, if it is known.
    pub fn schedule(&self, year: i32) -> Option<&Schedule> {
        self.schedules.get(&year)
    }

    /// Whether the holidays of `year` are known.
    pub fn knows(&self, year: i32) -> bool {
        self.schedules.contains_key(&year)
    }

    /// Every known schedule, by year.
    pub fn schedules(&self) -> impl Iterator<Item = &Schedule> {
        self.schedules.values()
    }

    /// The last year with a schedule.
    pub fn last_year(&self) -> Option<i32> {
        self.schedules.keys().next_back().copied()
    }

    /// What a schedule says of `date`, if anything.
    pub fn day(&self, date: NaiveDate) -> Option<&Day> {
        self.days.get(&date)
    }

    /// The days a schedule names, in order, between `from` and `to` inclusive.
    pub fn days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDate, &Day)> {
        self.days.range(from..=to).map(|(date, day)| (*date, day))
    }

    /// Whether `date` is a working day: a weekday that is no day off, or a working weekend
    /// day. In a year without a schedule, weekdays only.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(day) => !day.off,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    pub(crate) fn add_schedule(&mut self, schedule: Schedule) {
        self.schedules.insert(schedule.year, schedule);
    }

    pub(crate) fn add_day(&mut self, date: NaiveDate, day: Day) {
        self.days.insert(date, day);
    }
}
