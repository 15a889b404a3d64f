//! Working-day arithmetic on the official calendar (RULES §4, holidays.md).
//!
//! A working day is Monday–Friday not announced as a day off, or an announced make-up working
//! day; an office may add local days off. Every day from 2000 to 2099 is indexed once, with the
//! count of working days up to it, so adding N working days and counting the working days
//! between two dates are two array reads: constant time whatever N. Years with no notice
//! loaded are counted with weekends only, and any result that touches one is provisional.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::notice::{DayKind, YearNotice};
use super::str_enum;

str_enum! {
    /// How a calendar came in: shipped with the service, from the server's command line, or
    /// over the API by an administrator.
    pub enum LoadVia {
        Shipped = "shipped",
        CommandLine = "command_line",
        Api = "api",
    }
}

pub const FIRST_DAY: NaiveDate = date(2000, 1, 1);
pub const LAST_DAY: NaiveDate = date(2099, 12, 31);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("a valid date"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0} is outside the calendar ({FIRST_DAY} to {LAST_DAY})")]
    OutOfRange(NaiveDate),
}

impl CalendarError {
    pub fn message(&self) -> super::message::Message {
        let Self::OutOfRange(date) = self;
        crate::msg!(
            "{date} 超出日历范围（{FIRST_DAY} 至 {LAST_DAY}）",
            "{date} is outside the calendar ({FIRST_DAY} to {LAST_DAY})"
        )
    }
}

/// An office's own day off (e.g. a regional holiday), on top of the national calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalDayOff {
    pub date: NaiveDate,
    pub name: String,
}

/// Why a day is what it is, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayNote {
    pub date: NaiveDate,
    pub working: bool,
    pub name: String,
    pub local: bool,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    /// `cum[i]`: working days from FIRST_DAY to day i, both counted.
    cum: Vec<u32>,
    /// `nth[k]`: the day index of the (k+1)-th working day.
    nth: Vec<u32>,
    loaded: BTreeSet<i32>,
    notes: HashMap<NaiveDate, DayNote>,
}

fn index(d: NaiveDate) -> Result<usize, CalendarError> {
    if d < FIRST_DAY || d > LAST_DAY {
        return Err(CalendarError::OutOfRange(d));
    }
    Ok((d - FIRST_DAY).num_days() as usize)
}

fn day_at(i: usize) -> NaiveDate {
    FIRST_DAY + chrono::Days::new(i as u64)
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// Weekends only: the calendar before any notice is loaded.
    pub fn weekends_only() -> Self {
        Self::new(&[], &[])
    }

    pub fn new(notices: &[YearNotice], local: &[LocalDayOff]) -> Self {
        let mut notes: HashMap<NaiveDate, DayNote> = HashMap::new();
        for n in notices {
            for day in &n.days {
                let working = day.kind == DayKind::Working;
                notes.insert(
                    day.date,
                    DayNote {
                        date: day.date,
                        working,
                        name: day.name.clone(),
                        local: false,
                    },
                );
            }
        }
        for day in local {
            notes.insert(
                day.date,
                DayNote {
                    date: day.date,
                    working: false,
                    name: day.name.clone(),
                    local: true,
                },
            );
        }
        let days = index(LAST_DAY).expect("in range") + 1;
        let mut cum = Vec::with_capacity(days);
        let mut nth = Vec::with_capacity(days * 5 / 7 + 1);
        let mut count = 0u32;
        for i in 0..days {
            let d = day_at(i);
            let working = notes.get(&d).map_or(!weekend(d), |n| n.working);
            if working {
                count += 1;
                nth.push(i as u32);
            }
            cum.push(count);
        }
        Self {
            cum,
            nth,
            loaded: notices.iter().map(|n| n.year).collect(),
            notes,
        }
    }

    pub fn is_working(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = index(d)?;
        let before = if i == 0 { 0 } else { self.cum[i - 1] };
        Ok(self.cum[i] > before)
    }

    /// The N-th working day after `from` (day 1 is the first working day after it; `from`
    /// itself is never counted — art. 33 counting). N = 0 gives `from`.
    pub fn add(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = index(from)?;
        if n == 0 {
            return Ok(from);
        }
        let target = self.cum[i] as usize + n as usize;
        match self.nth.get(target - 1) {
            Some(&j) => Ok(day_at(j as usize)),
            None => Err(CalendarError::OutOfRange(LAST_DAY + chrono::Days::new(1))),
        }
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier), so
    /// that `add(from, n) == to` exactly when `between(from, to) == n` and `to` is a working day.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        Ok(i64::from(self.cum[index(to)?]) - i64::from(self.cum[index(from)?]))
    }

    /// Whether a count over these dates relies on a year with no notice loaded.
    pub fn is_provisional(&self, a: NaiveDate, b: NaiveDate) -> bool {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        (lo.year()..=hi.year()).any(|y| !self.loaded.contains(&y))
    }

    pub fn loaded_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.loaded.iter().copied()
    }

    /// The announced days off and make-up days in (from, to], to explain a count.
    pub fn notes_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<&DayNote> {
        let mut notes: Vec<&DayNote> = self
            .notes
            .values()
            .filter(|n| n.date > from && n.date <= to)
            .collect();
        notes.sort_by_key(|n| n.date);
        notes
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
pub(crate) mod tests;
