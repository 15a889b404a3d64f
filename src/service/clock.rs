//! Deadlines of cases: computed on every change, recomputed when the calendar changes, and
//! explained on request.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::auth::authenticate;
use super::calendar::CalendarCache;
use super::{ServiceError, Services};
use crate::db::models::{ApplicationRow, EventRow, NextDeadline};
use crate::db::schema::applications;
use crate::db::{events, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::clock::{self, Deadline};
use crate::domain::time::legal_date;
use crate::domain::workflow::Case;

/// The next deadline to store for a case as it now stands.
pub fn next_for(
    cal: &Calendar,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<NextDeadline, ServiceError> {
    let list =
        clock::deadlines(cal, &case.clock_facts(), legal_date(now)).map_err(calendar_error)?;
    Ok(NextDeadline::of(clock::next_deadline(&list)))
}

/// A date beyond 2099 entered by a clerk is refused at the edge; reaching one here is a bug.
fn calendar_error(e: crate::domain::calendar::CalendarError) -> ServiceError {
    ServiceError::Invalid(vec![super::FieldError::new(
        "",
        "out_of_calendar",
        e.to_string(),
    )])
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Recomputed {
    /// Open cases looked at.
    pub open_cases: usize,
    /// Cases whose next deadline changed (each now has an event saying so).
    pub changed_cases: usize,
}

const TERMINAL: [&str; 5] = [
    "delivered",
    "withdrawn",
    "abandoned_no_correction",
    "abandoned_fee_unpaid",
    "closed_without_processing",
];

/// Recomputes the next deadline of every open case (of one office, or all), inside the
/// caller's transaction; each change is written with a version bump and a system event.
pub fn recompute_open_cases(
    conn: &mut DbConnection,
    cache: &CalendarCache,
    agency_id: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Recomputed, ServiceError> {
    let mut q = applications::table
        .filter(applications::status.ne_all(TERMINAL))
        .select(ApplicationRow::as_select())
        .into_boxed();
    if let Some(a) = agency_id {
        q = q.filter(applications::agency_id.eq(a.to_owned()));
    }
    let open: Vec<ApplicationRow> = q.load(conn)?;
    let mut result = Recomputed {
        open_cases: open.len(),
        changed_cases: 0,
    };
    let mut calendars = std::collections::HashMap::new();
    for row in &open {
        let cal = match calendars.get(&row.agency_id) {
            Some(c) => std::sync::Arc::clone(c),
            None => {
                let c = cache.get(conn, Some(&row.agency_id))?;
                calendars.insert(row.agency_id.clone(), c.clone());
                c
            }
        };
        let case = row.case()?;
        let next = next_for(&cal, &case, now)?;
        let before = NextDeadline::stored(row);
        if next == before {
            continue;
        }
        let version = row.version + 1;
        diesel::update(applications::table.find(&row.id))
            .set((
                &next,
                applications::version.eq(version),
                applications::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        let status = row.status.clone();
        events::insert(
            conn,
            &EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: row.id.clone(),
                seq: version,
                occurred_at: now.naive_utc(),
                actor_role: "system".into(),
                actor_id: None,
                actor_name: None,
                action: "recompute_deadlines".into(),
                status_before: Some(status.clone()),
                status_after: status,
                payload: serde_json::json!({
                    "reason": reason,
                    "before": deadline_json(&before),
                    "after": deadline_json(&next),
                })
                .to_string(),
            },
        )?;
        result.changed_cases += 1;
    }
    Ok(result)
}

fn deadline_json(d: &NextDeadline) -> serde_json::Value {
    serde_json::json!({
        "kind": d.next_deadline_kind,
        "due_on": d.next_deadline_on,
        "provisional": d.next_deadline_provisional,
    })
}

/// The stored next deadline with what a clerk needs at a glance today.
#[derive(Debug, Clone, Serialize)]
pub struct NextDeadlineInfo {
    pub kind: String,
    pub due_on: chrono::NaiveDate,
    /// Working days from today to the due day; negative once overdue.
    pub working_days_left: i64,
    pub overdue: bool,
    pub provisional: bool,
}

pub fn next_info(
    cal: &Calendar,
    row: &ApplicationRow,
    today: chrono::NaiveDate,
) -> Option<NextDeadlineInfo> {
    let (kind, due_on) = (row.next_deadline_kind.clone()?, row.next_deadline_on?);
    Some(NextDeadlineInfo {
        kind,
        due_on,
        working_days_left: cal.between(today, due_on).ok()?,
        overdue: due_on < today,
        provisional: row.next_deadline_provisional,
    })
}

/// A case's clock as shown to staff and to the applicant.
pub struct CaseClock {
    pub case: ApplicationRow,
    pub today: chrono::NaiveDate,
    pub deadlines: Vec<Deadline>,
    pub loaded_years: Vec<i32>,
}

pub fn case_clock(
    services: &Services,
    token: Option<&str>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CaseClock, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = match crate::db::cases::application(conn, id)? {
        Some(c) if principal.can_see(&c) => c,
        _ => return Err(ServiceError::NotFound),
    };
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let today = legal_date(now);
    let deadlines =
        clock::deadlines(&cal, &case.case()?.clock_facts(), today).map_err(calendar_error)?;
    Ok(CaseClock {
        case,
        today,
        deadlines,
        loaded_years: cal.loaded_years().collect(),
    })
}
