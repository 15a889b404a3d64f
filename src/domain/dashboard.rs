//! The dashboard's numbers (issue 15), pure: cases in, counts out. Months of receipt and of
//! answer over the last twelve months, the outcomes grouped as part 三 of the annual report
//! groups them, and the open cases by how near their next deadline is.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::case::Status;
use super::clock::DeadlineKind;
use super::report::{Table, ROWS};

/// What the dashboard reads of one case (a row of the case export).
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub status: Status,
    pub registered_on: NaiveDate,
    /// The legal date of receipt (art. 31), once confirmed.
    pub received_on: Option<NaiveDate>,
    /// The day the answer was given (posted, signed for or sent), or the case closed.
    pub answered_on: Option<NaiveDate>,
    /// Whether the answer came by its deadline; none when no answer was due.
    pub answered_on_time: Option<bool>,
    pub next_kind: Option<DeadlineKind>,
    pub next_on: Option<NaiveDate>,
    /// Working days from today to the next deadline (negative once overdue).
    pub working_days_left: Option<i64>,
}

/// How near an open case's next deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Overdue,
    Within3,
    Within10,
    Later,
    /// Waiting for the applicant (correction, fee) or a consulted party: the office's clock
    /// does not run.
    Paused,
}

impl Bucket {
    pub const ALL: [Bucket; 5] = [
        Self::Overdue,
        Self::Within3,
        Self::Within10,
        Self::Later,
        Self::Paused,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Overdue => "已逾期",
            Self::Within3 => "3个工作日内到期",
            Self::Within10 => "4至10个工作日内到期",
            Self::Later => "10个工作日以后到期",
            Self::Paused => "暂停计算（等待申请人或第三方）",
        }
    }
}

/// The bucket of an open case (none for a closed one).
pub fn bucket(c: &CaseFacts, today: NaiveDate) -> Option<Bucket> {
    if c.status.is_terminal() {
        return None;
    }
    let waiting = matches!(c.status, Status::Correction | Status::Consultation)
        || c.next_kind.is_some_and(|k| !k.is_office_deadline());
    if waiting {
        return Some(Bucket::Paused);
    }
    Some(match (c.next_on, c.working_days_left) {
        (Some(due), _) if due < today => Bucket::Overdue,
        (Some(_), Some(n)) if n <= 3 => Bucket::Within3,
        (Some(_), Some(n)) if n <= 10 => Bucket::Within10,
        _ => Bucket::Later,
    })
}

/// One month's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub received: u64,
    /// Answers given in the month on which an answer deadline had run.
    pub answered: u64,
    pub on_time: u64,
}

/// The twelve months ending with today's, oldest first.
pub fn last_months(today: NaiveDate) -> Vec<Month> {
    let index = today.year() * 12 + today.month0() as i32;
    (index - 11..=index)
        .map(|i| Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
            received: 0,
            answered: 0,
            on_time: 0,
        })
        .collect()
}

/// The counts of the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub months: Vec<Month>,
    /// Open cases by bucket, in `Bucket::ALL` order.
    pub buckets: [u64; 5],
}

impl Tally {
    pub fn new(today: NaiveDate) -> Self {
        Self {
            months: last_months(today),
            buckets: [0; 5],
        }
    }

    fn month(&mut self, d: NaiveDate) -> Option<&mut Month> {
        self.months
            .iter_mut()
            .find(|m| m.year == d.year() && m.month == d.month())
    }

    pub fn add(&mut self, c: &CaseFacts, today: NaiveDate) {
        // Counted from the legal date of receipt, or registration, as the annual report counts.
        if let Some(m) = self.month(c.received_on.unwrap_or(c.registered_on)) {
            m.received += 1;
        }
        if let (Some(day), Some(on_time)) = (c.answered_on, c.answered_on_time) {
            if let Some(m) = self.month(day) {
                m.answered += 1;
                m.on_time += u64::from(on_time);
            }
        }
        if let Some(b) = bucket(c, today) {
            let i = Bucket::ALL.iter().position(|x| *x == b).unwrap_or(0);
            self.buckets[i] += 1;
        }
    }
}

/// Part 三's results in its groups （一）…（六）, from the report's table (the total column):
/// a counted group is its own number, a heading the sum of the rows under it.
pub fn outcome_groups(t: &Table) -> Vec<(&'static str, &'static str, u64)> {
    let mut out: Vec<(&'static str, &'static str, u64)> = Vec::new();
    let start = ROWS.iter().position(|r| r.key == "results").unwrap_or(0) + 1;
    for (i, row) in ROWS.iter().enumerate().skip(start) {
        if row.key == "results_total" {
            break;
        }
        let n = if row.counted {
            t.counts.get(i).map_or(0, |c| c[6])
        } else {
            0
        };
        match row.level {
            1 => out.push((row.key, row.label, n)),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.2 += n;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::Outcome;
    use crate::domain::report;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn open(status: Status, next: Option<(DeadlineKind, NaiveDate, i64)>) -> CaseFacts {
        CaseFacts {
            status,
            registered_on: d(2026, 11, 2),
            received_on: Some(d(2026, 11, 2)),
            answered_on: None,
            answered_on_time: None,
            next_kind: next.map(|n| n.0),
            next_on: next.map(|n| n.1),
            working_days_left: next.map(|n| n.2),
        }
    }

    #[test]
    fn the_twelve_months_end_with_this_one_across_a_new_year() {
        let m = last_months(d(2026, 2, 10));
        assert_eq!(m.len(), 12);
        assert_eq!((m[0].year, m[0].month), (2025, 3));
        assert_eq!((m[11].year, m[11].month), (2026, 2));
    }

    #[test]
    fn open_cases_fall_in_buckets_by_working_days_and_waiting_ones_are_paused() {
        let today = d(2026, 11, 27);
        let a = DeadlineKind::Answer;
        let cases = [
            open(Status::Accepted, Some((a, d(2026, 11, 26), -1))),
            open(Status::Accepted, Some((a, d(2026, 12, 2), 3))),
            open(Status::Decision, Some((a, d(2026, 12, 3), 4))),
            open(Status::Accepted, Some((a, d(2026, 12, 31), 24))),
            open(
                Status::Correction,
                Some((DeadlineKind::CorrectionPeriod, today, 0)),
            ),
            open(
                Status::Accepted,
                Some((DeadlineKind::FeePayment, d(2026, 12, 1), 2)),
            ),
            CaseFacts {
                answered_on: Some(d(2026, 11, 20)),
                answered_on_time: Some(true),
                ..open(Status::Delivered, None)
            },
        ];
        let mut t = Tally::new(today);
        for c in &cases {
            t.add(c, today);
        }
        assert_eq!(t.buckets, [1, 1, 1, 1, 2]);
        let nov = t.months.last().unwrap();
        assert_eq!((nov.received, nov.answered, nov.on_time), (7, 1, 1));
    }

    #[test]
    fn late_answers_count_as_answered_not_on_time_and_old_months_are_left_out() {
        let today = d(2026, 11, 27);
        let mut t = Tally::new(today);
        let late = CaseFacts {
            answered_on: Some(d(2026, 10, 5)),
            answered_on_time: Some(false),
            received_on: Some(d(2025, 6, 1)),
            ..open(Status::Delivered, None)
        };
        t.add(&late, today);
        let oct = &t.months[10];
        assert_eq!((oct.month, oct.answered, oct.on_time), (10, 1, 0));
        assert_eq!(t.months.iter().map(|m| m.received).sum::<u64>(), 0);
    }

    #[test]
    fn outcome_groups_sum_the_rows_under_each_heading() {
        let year = 2026;
        let done = |o: Outcome| report::CaseFacts {
            column: 0,
            received_on: Some(d(2026, 3, 1)),
            finished_on: Some(d(2026, 4, 1)),
            outcome: Some(o),
        };
        let cases = [
            done(Outcome::Disclosed),
            done(Outcome::WithheldStateSecret),
            done(Outcome::WithheldOtherLaw),
            done(Outcome::UnavailableNotHeld),
        ];
        let t = Table::of(cases.iter(), year);
        let g = outcome_groups(&t);
        let n = |k: &str| g.iter().find(|x| x.0 == k).unwrap().2;
        assert_eq!(g.len(), 6);
        assert_eq!(n("disclosed"), 1);
        assert_eq!(n("withheld"), 2);
        assert_eq!(n("unavailable"), 1);
        assert_eq!(n("partly_disclosed"), 0);
    }
}
