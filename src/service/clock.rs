//! Deadlines of cases: computed on every change, recomputed when the calendar changes, and
//! explained on request.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use serde::Serialize;

use super::auth::authenticate;
use super::calendar::CalendarCache;
use super::{ServiceError, Services};
use crate::db::models::{ApplicationRow, EventRow, NextDeadline};
use crate::db::{cases, events, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::case::{ApplicationId, Status};
use crate::domain::clock::{self, Deadline, DeadlineKind};
use crate::domain::time::legal_date;
use crate::domain::workflow::{Case, Role};

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

/// The deadlines of a case on `today`: computed once per step or view, and handed to every
/// layer that reads them (the workflow's limits, the next deadline, the notice), so that all
/// see the same dates.
pub fn deadlines_of(
    cal: &Calendar,
    case: &Case,
    today: chrono::NaiveDate,
) -> Result<Vec<Deadline>, ServiceError> {
    clock::deadlines(cal, &case.clock_facts(), today).map_err(calendar_error)
}

/// A date beyond 2099 entered by a clerk is refused at the edge; reaching one here, from a
/// stored case, is a fault of the service (500), not of the request.
fn calendar_error(e: crate::domain::calendar::CalendarError) -> ServiceError {
    ServiceError::Internal(format!("a stored case's deadlines: {e}"))
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Recomputed {
    /// Open cases looked at.
    pub open_cases: usize,
    /// Cases whose next deadline changed (each now has an event saying so).
    pub changed_cases: usize,
}

/// Recomputes the next deadline of every open case (of one office, or all), inside the
/// caller's transaction. Each change bumps the case's version and gets a system event; the
/// writes are batched (one statement per new deadline and 500 cases, one per 500 events).
/// `progress`, if given, hears (cases computed, open cases) as the computing goes on.
pub fn recompute_open_cases(
    conn: &mut DbConnection,
    cache: &CalendarCache,
    agency_id: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
    notify: Option<(&super::calendar::Before, &super::templates::Templates)>,
    progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<Recomputed, ServiceError> {
    let open = cases::open_clock_rows(conn, agency_id)?;
    recompute_rows(conn, cache, &open, reason, now, notify, progress)
}

/// Recomputes the open cases whose stored next deadline has passed: a consulted party's window
/// that closed without a reply lets the answer clock run again (RULES §8), and the answer's due
/// day, not the lapsed window, is then what the queue, `overdue` and the alerts see.
pub fn roll_passed_deadlines(
    services: &Services,
    now: DateTime<Utc>,
) -> Result<Recomputed, ServiceError> {
    let cache = services.calendars.clone();
    services.write(move |conn| {
        let rows = cases::passed_clock_rows(conn, legal_date(now))?;
        recompute_rows(
            conn,
            &cache,
            &rows,
            "期限届满后重新计算（如被征求意见方逾期未答复，答复期限恢复计算）",
            now,
            None,
            None,
        )
    })
}

fn recompute_rows(
    conn: &mut DbConnection,
    cache: &CalendarCache,
    open: &[crate::db::models::ClockRow],
    reason: &str,
    now: DateTime<Utc>,
    notify: Option<(&super::calendar::Before, &super::templates::Templates)>,
    mut progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<Recomputed, ServiceError> {
    let today = legal_date(now);
    let mut calendars = cache.batch();
    let mut groups: HashMap<NextDeadline, Vec<&ApplicationId>> = HashMap::new();
    let mut changed_events = Vec::new();
    // Applicants whose answer date moved are told the new one (RULES §8).
    let mut moved = Vec::new();
    for (i, row) in open.iter().enumerate() {
        if let Some(report) = progress.as_mut().filter(|_| i % 1000 == 0) {
            report(i, open.len());
        }
        let cal = calendars.get(conn, &row.agency_id)?;
        let facts = row.facts()?;
        let list = clock::deadlines(&cal, &facts, today).map_err(calendar_error)?;
        if let Some(old_cal) = notify.and_then(|(b, _)| b.get(&row.agency_id)) {
            let answer_due = |list: &[Deadline]| {
                list.iter()
                    .rfind(|d| d.kind == DeadlineKind::Answer)
                    .and_then(|d| d.due_on)
            };
            let old = clock::deadlines(old_cal, &facts, today).map_err(calendar_error)?;
            if let (Some(was), Some(is)) = (answer_due(&old), answer_due(&list)) {
                if was != is {
                    moved.push((row.id.clone(), row.event_seq + 1, was));
                }
            }
        }
        let next = NextDeadline::of(clock::next_deadline(&list));
        let before = row.clock.next.clone();
        if next == before {
            continue;
        }
        changed_events.push(EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: row.id.clone(),
            seq: row.event_seq + 1,
            occurred_at: now.naive_utc(),
            actor_role: Role::System,
            actor_id: None,
            actor_name: None,
            action: "recompute_deadlines".into(),
            status_before: Some(row.clock.status),
            status_after: row.clock.status,
            payload: serde_json::json!({
                "reason": reason,
                "before": deadline_json(&before),
                "after": deadline_json(&next),
            })
            .to_string(),
            prev_hash: None,
            hash: None,
        });
        groups.entry(next).or_default().push(&row.id);
    }
    // Chain each event to its case's last one before the cases take their new numbers.
    let ids: Vec<&ApplicationId> = changed_events.iter().map(|e| &e.application_id).collect();
    let heads = events::heads(conn, &ids)?;
    for e in &mut changed_events {
        let head = heads.get(&e.application_id).map(String::as_str);
        e.chain_to(head);
    }
    for (next, ids) in &groups {
        cases::set_next_deadline(conn, ids, next, now.naive_utc())?;
    }
    events::insert_many(conn, &changed_events)?;
    if let Some((_, templates)) = notify {
        super::notices::deadlines_moved(conn, cache, templates, &moved, now)?;
    }
    if let Some(report) = progress {
        report(open.len(), open.len());
    }
    Ok(Recomputed {
        open_cases: open.len(),
        changed_cases: changed_events.len(),
    })
}

fn deadline_json(d: &NextDeadline) -> serde_json::Value {
    serde_json::json!({
        "kind": d.kind,
        "due_on": d.on,
        "provisional": d.provisional,
    })
}

/// The stored next deadline with what a clerk needs at a glance today.
#[derive(Debug, Clone, Serialize)]
pub struct NextDeadlineInfo {
    pub kind: DeadlineKind,
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
    let next = &row.clock.next;
    let (kind, due_on) = (next.kind?, next.on?);
    Some(NextDeadlineInfo {
        kind,
        due_on,
        working_days_left: cal.between(today, due_on).ok()?,
        overdue: due_on < today,
        provisional: next.provisional,
    })
}

/// A case's clock as shown to staff and to the applicant.
pub struct CaseClock {
    pub case: ApplicationRow,
    pub today: chrono::NaiveDate,
    pub deadlines: Vec<Deadline>,
    /// A closed case's deadlines as they stood when it closed (RULES §8: history, which a later
    /// calendar never changes); `deadlines` is then empty.
    pub at_closure: Option<serde_json::Value>,
    pub loaded_years: Vec<i32>,
    /// Staff only: the internal deadlines of the divisions' replies (issue 16), apart from the
    /// statutory ones and stopping none of them.
    pub internal: Option<Vec<InternalDeadlineView>>,
}

/// A division's reply due, as the clock lists it (never a statutory deadline).
#[derive(Debug, Clone, serde::Serialize)]
pub struct InternalDeadlineView {
    pub forwarding_id: String,
    pub division: String,
    pub division_name: String,
    pub due_on: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub late: bool,
}

pub fn case_clock(
    services: &Services,
    token: Option<&str>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CaseClock, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case =
        super::cases::visible_part(conn, &principal, id, crate::domain::visibility::Part::Clock)?;
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let today = legal_date(now);
    let at_closure = case
        .handling
        .final_clock
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
        .transpose()
        .map_err(|e| crate::db::models::CorruptValue {
            column: "final_clock",
            value: e.to_string(),
        })?;
    let deadlines = match at_closure {
        Some(_) => Vec::new(),
        None => {
            clock::deadlines(&cal, &case.case()?.clock_facts(), today).map_err(calendar_error)?
        }
    };
    let internal = match principal.staff() {
        Some(_) => {
            let office = super::admin::office_settings(conn, &case.agency_id)?;
            let forwardings = super::cases::forwardings_of(conn, &case.id)?;
            super::inside::of_case(&case, &forwardings, &office, &principal, today).map(|i| {
                i.forwardings
                    .into_iter()
                    .map(|f| InternalDeadlineView {
                        forwarding_id: f.id,
                        division: f.division,
                        division_name: f.division_name,
                        due_on: f.due_on,
                        replied_on: f.replied_on,
                        late: f.late,
                    })
                    .collect()
            })
        }
        None => None,
    };
    Ok(CaseClock {
        case,
        today,
        deadlines,
        at_closure,
        loaded_years: cal.loaded_years().collect(),
        internal,
    })
}

/// Keeps the clock of cases closed before closed cases kept theirs (migration
/// 2026-11-27-000001): computed once, as of the day each closed, then never again. Runs at
/// start-up in batches; returns how many were kept.
pub fn keep_clocks_of_closed_cases(
    conn: &mut DbConnection,
    cache: &CalendarCache,
) -> Result<usize, ServiceError> {
    use crate::db::schema::applications as a;
    use diesel::prelude::*;
    const BATCH: i64 = 1000;
    let mut kept = 0;
    // One closed status at a time, each batch starting after the last one, so that every batch
    // is the next stretch of the index `applications_clock_to_keep` (status, id), read in its
    // order. PostgreSQL keeps a kept row's old entry in that index until a vacuum: batches
    // that started from the first id again read all those entries again.
    for status in Status::TERMINAL {
        let mut after = String::new();
        loop {
            let (done, last) = crate::db::write_tx(conn, |conn| {
                let rows: Vec<crate::db::models::ClockRow> = a::table
                    .filter(a::status.eq(status))
                    .filter(a::final_clock.is_null())
                    .filter(a::id.gt(&after))
                    .order(a::id.asc())
                    .limit(BATCH)
                    .select(crate::db::models::ClockRow::as_select())
                    .load(conn)?;
                let mut calendars = cache.batch();
                for row in &rows {
                    let cal = calendars.get(conn, &row.agency_id)?;
                    let day = row.clock.closed_on.unwrap_or(row.registered_on);
                    let list =
                        clock::deadlines(&cal, &row.facts()?, day).map_err(calendar_error)?;
                    let kept = crate::db::models::FinalClock::of(&list);
                    // Only as read: a case reopened meanwhile (by another instance) is open
                    // again and keeps no closed clock.
                    diesel::update(a::table.find(&row.id).filter(a::version.eq(row.version)))
                        .set((
                            a::final_clock.eq(Some(kept.json)),
                            a::final_answer_due_on.eq(kept.answer_due_on),
                        ))
                        .execute(conn)?;
                }
                Ok::<_, ServiceError>((rows.len(), rows.last().map(|r| r.id.to_string())))
            })?;
            kept += done;
            match last {
                Some(id) if done as i64 == BATCH => after = id,
                _ => break,
            }
        }
    }
    Ok(kept)
}
