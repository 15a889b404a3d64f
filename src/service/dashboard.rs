//! The dashboard of one office (issue 15): the numbers behind its charts, read from the same
//! data as the case export and the annual report, so that the three always agree.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::export::{self, CaseFilter, Format};
use super::{report, ServiceError, Services};
use crate::db::models::Agency;
use crate::domain::case::Status;
use crate::domain::clock::DeadlineKind;
use crate::domain::dashboard::{outcome_groups, Bucket, CaseFacts, Tally};
use crate::domain::time::legal_date;

#[derive(Debug, Serialize)]
pub struct OutcomeCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct BucketCount {
    pub bucket: Bucket,
    pub label: &'static str,
    pub count: u64,
}

pub struct Dashboard {
    pub agency: Agency,
    pub today: NaiveDate,
    /// The year whose results `outcomes` counts (this year), as its annual report does.
    pub year: i32,
    pub tally: Tally,
    pub outcomes: Vec<OutcomeCount>,
    pub buckets: Vec<BucketCount>,
}

/// One row of the case export as the dashboard reads it.
fn facts(line: &serde_json::Value) -> Option<CaseFacts> {
    let date = |k: &str| {
        line[k]
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    Some(CaseFacts {
        status: Status::parse(line["status"].as_str()?)?,
        registered_on: date("registered_on")?,
        received_on: date("received_on"),
        answered_on: date("answered_on"),
        answered_on_time: line["answered_on_time"].as_bool(),
        next_kind: line["next_deadline_kind"]
            .as_str()
            .and_then(DeadlineKind::parse),
        next_on: date("next_deadline_on"),
        working_days_left: None,
    })
}

/// The dashboard of the office `agency_code`, for the holder of `token`: who may see it is
/// who may see the office's annual report (`report::scope`).
pub fn office(
    services: &Services,
    token: Option<&str>,
    agency_code: &str,
) -> Result<Dashboard, ServiceError> {
    let conn = &mut *services.conn()?;
    let agency = report::scope(conn, token, agency_code)?;
    let today = legal_date(services.now());
    let cal = services.calendars.get(conn, Some(&agency.id))?;
    let mut tally = Tally::new(today);
    let mut unreadable = 0usize;
    let filter = CaseFilter {
        agency_id: Some(agency.id.clone()),
        year: None,
        ..CaseFilter::default()
    };
    let mut sink = |chunk: Vec<u8>| {
        for line in chunk.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let parsed = serde_json::from_slice::<serde_json::Value>(line).ok();
            match parsed.as_ref().and_then(facts) {
                Some(mut c) => {
                    c.working_days_left = c.next_on.and_then(|d| cal.between(today, d).ok());
                    tally.add(&c, today);
                }
                None => unreadable += 1,
            }
        }
        true
    };
    export::cases(
        conn,
        &services.calendars,
        &filter,
        Format::Jsonl,
        services.now(),
        &mut sink,
        None,
    )?;
    if unreadable > 0 {
        return Err(ServiceError::Internal(format!(
            "dashboard: {unreadable} rows of the case export could not be read"
        )));
    }
    let year = today.year();
    let r = report::annual(conn, agency.clone(), year, None)?;
    let outcomes = outcome_groups(&r.table)
        .into_iter()
        .map(|(key, label, count)| OutcomeCount { key, label, count })
        .collect();
    let buckets = Bucket::ALL
        .iter()
        .zip(tally.buckets)
        .map(|(b, count)| BucketCount {
            bucket: *b,
            label: b.label(),
            count,
        })
        .collect();
    Ok(Dashboard {
        agency,
        today,
        year,
        tally,
        outcomes,
        buckets,
    })
}
