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
    /// The same days as flags, one byte a day from the day numbered `base` (1 January of the
    /// first year, counted from the common era): counting a deadline asks about every day of
    /// its period, and that must cost an index, not a search.
    flags: Vec<u8>,
    base: i64,
}

/// The day is one a schedule names.
const NAMED: u8 = 1;
/// The day is a day off (else, when named, a working weekend day).
const OFF: u8 = 2;
/// The day's year has a schedule.
const KNOWN: u8 = 4;

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

/// A day as [`Calendar::standing`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing {
    /// A schedule covers its year.
    pub known: bool,
    /// It is a working day.
    pub working: bool,
    /// A schedule makes it a day off.
    pub day_off: bool,
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
        match NaiveDate::from_ymd_opt(year, 1, 1) {
            Some(date) => self.flags_of(date) & KNOWN != 0,
            None => false,
        }
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

    /// What the calendar says of day number `day` (as chrono's `num_days_from_ce` counts),
    /// which falls on `weekday` (0 for Monday): whether it [`knows`](Calendar::knows) its
    /// year, [`is_working_day`](Calendar::is_working_day), and whether a schedule makes it a
    /// day off, from one look at its flags. For counting periods a day at a time without a
    /// date's arithmetic for each day.
    pub(crate) fn standing(&self, day: i32, weekday: u32) -> Standing {
        let flags = self.flags_at(day);
        let named = flags & NAMED != 0;
        Standing {
            known: flags & KNOWN != 0,
            working: if named { flags & OFF == 0 } else { weekday < 5 },
            day_off: named && flags & OFF != 0,
        }
    }

    /// Whether `date` is a working day: a weekday that is no day off, or a working weekend
    /// day. In a year without a schedule, weekdays only.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let flags = self.flags_of(date);
        if flags & NAMED != 0 {
            flags & OFF == 0
        } else {
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        }
    }

    pub(crate) fn add_schedule(&mut self, schedule: Schedule) {
        let year = schedule.year;
        self.schedules.insert(year, schedule);
        if let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            for day in first.iter_days().take_while(|d| *d <= last) {
                if let Some(flags) = self.flags_mut(day) {
                    *flags |= KNOWN;
                }
            }
        }
    }

    pub(crate) fn add_day(&mut self, date: NaiveDate, day: Day) {
        let off = if day.off { OFF } else { 0 };
        if let Some(flags) = self.flags_mut(date) {
            *flags = (*flags & KNOWN) | NAMED | off;
        }
        self.days.insert(date, day);
    }

    fn flags_of(&self, date: NaiveDate) -> u8 {
        self.flags_at(date.num_days_from_ce())
    }

    /// The flags of day number `day` from the common era; none outside the table.
    fn flags_at(&self, day: i32) -> u8 {
        usize::try_from(i64::from(day) - self.base)
            .ok()
            .and_then(|index| self.flags.get(index))
            .copied()
            .unwrap_or(0)
    }

    /// The flags of `date`, growing the table to reach it; `None` for a date no calendar
    /// file can name (the checker keeps schedules within the years 1000–9999).
    fn flags_mut(&mut self, date: NaiveDate) -> Option<&mut u8> {
        if !(1000..=9999).contains(&date.year()) {
            return None;
        }
        let new_year = i64::from(date.with_ordinal(1)?.num_days_from_ce());
        if self.flags.is_empty() {
            self.base = new_year;
        } else if new_year < self.base {
            let grow = usize::try_from(self.base - new_year).ok()?;
            self.flags.splice(0..0, std::iter::repeat_n(0, grow));
            self.base = new_year;
        }
        let index = usize::try_from(i64::from(date.num_days_from_ce()) - self.base).ok()?;
        if index >= self.flags.len() {
            self.flags.resize(index + 1, 0);
        }
        self.flags.get_mut(index)
    }
}
