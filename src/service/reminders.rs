//! Reminders to staff: an alert as soon as a case's office deadline has passed, and a daily
//! digest per clerk and approver (cases due within 3 working days, overdue cases, decisions and
//! extensions waiting for the head of the unit). Both go through the outbox under a key that
//! names the person and the day (or the case, deadline and due day), so several instances
//! running the job at once write each reminder once.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::notices::{render, Outgoing};
use super::templates::status_label;
use super::{ServiceError, Services};
use crate::db::models::{ApplicationRow, User};
use crate::db::schema::applications as a;
use crate::db::{notices, staff, write_tx, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::case::Status;
use crate::domain::clock::DeadlineKind;
use crate::domain::time::{cst, legal_date};
use crate::domain::workflow::{ExtensionState, Role};

/// Cases due within this many working days are in the digest.
pub const DIGEST_HORIZON: u32 = 3;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reminded {
    pub overdue_alerts: usize,
    pub digests: usize,
}

/// Writes the reminders due at `now`: overdue alerts at once, the digest on working days from
/// `digest_at` (China Standard Time) on.
pub fn remind_staff(
    services: &Services,
    now: DateTime<Utc>,
    digest_at: NaiveTime,
) -> Result<Reminded, ServiceError> {
    let conn = &mut *services.conn()?;
    let today = legal_date(now);
    let digest_time = now.with_timezone(&cst()).time() >= digest_at;
    let staff = staff::reminded_staff(conn)?;
    let mut done = Reminded::default();
    let mut calendars = services.calendars.batch();
    for agency_id in agencies(&staff) {
        let people: Vec<&User> = staff
            .iter()
            .filter(|u| u.agency_id.as_deref() == Some(agency_id))
            .collect();
        let cal = calendars.get(conn, agency_id)?;
        let open = open_cases(conn, agency_id)?;
        done.overdue_alerts += overdue_alerts(conn, services, &open, &people, today, now)?;
        if digest_time && cal.is_working(today).unwrap_or(false) {
            let digest = Digest::of(&cal, &open, today);
            if !digest.is_empty() {
                for person in &people {
                    done.digests += usize::from(send_digest(
                        conn, services, agency_id, person, &digest, today, now,
                    )?);
                }
            }
        }
    }
    Ok(done)
}

fn agencies(staff: &[User]) -> Vec<&str> {
    let mut ids: Vec<&str> = staff
        .iter()
        .filter_map(|u| u.agency_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The office's open cases that have a deadline or wait for the head of the unit.
fn open_cases(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Vec<ApplicationRow>> {
    a::table
        .filter(a::agency_id.eq(agency_id))
        .filter(a::status.ne_all(Status::TERMINAL))
        .filter(
            a::next_deadline_on
                .is_not_null()
                .or(a::status.eq(Status::Decision))
                .or(a::extension_state.eq(ExtensionState::Requested)),
        )
        .order((a::next_deadline_on.asc(), a::id.asc()))
        .select(ApplicationRow::as_select())
        .load(conn)
}

fn office_deadline(case: &ApplicationRow) -> Option<(DeadlineKind, NaiveDate)> {
    let kind = case.clock.next.kind?;
    let due_on = case.clock.next.on?;
    kind.is_office_deadline().then_some((kind, due_on))
}

fn line(cal: &Calendar, case: &ApplicationRow, today: NaiveDate) -> Value {
    let (kind, due_on) = office_deadline(case).unzip();
    json!({
        "tracking_number": case.tracking_number,
        "applicant_name": case.applicant.name,
        // Staff read the status in Chinese, never its code.
        "status": status_label(case.status().as_str()),
        "deadline": kind.map(DeadlineKind::label),
        "due_on": due_on,
        "working_days_left": due_on.and_then(|d| cal.between(today, d).ok()),
    })
}

/// One alert per person for each case whose office deadline passed, keyed by the deadline and
/// its due day: a deadline that moves later and passes again alerts again.
fn overdue_alerts(
    conn: &mut DbConnection,
    services: &Services,
    open: &[ApplicationRow],
    people: &[&User],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let mut written = 0;
    for case in open {
        let Some((kind, due_on)) = office_deadline(case).filter(|(_, d)| *d < today) else {
            continue;
        };
        for person in people {
            let key = format!("overdue:{}:{kind}:{due_on}:{}", case.id, person.id);
            let ctx = json!({
                "person": person.name,
                "case": {
                    "tracking_number": case.tracking_number,
                    "applicant_name": case.applicant.name,
                    "description": case.handling.description,
                    "status": status_label(case.status().as_str()),
                },
                "deadline": kind.label(),
                "due_on": due_on,
            });
            let Some(to) = person.email.as_deref() else {
                continue;
            };
            let notice = Outgoing {
                template: "overdue_alert",
                to,
                role: person.role.as_str(),
                dedup_key: key,
                agency_id: &case.agency_id,
                application_id: Some(&case.id),
            };
            written += usize::from(write(conn, services, notice, &ctx, now)?);
        }
    }
    Ok(written)
}

/// What every person of one office is told on one day.
struct Digest {
    due_soon: Vec<Value>,
    overdue: Vec<Value>,
    awaiting_approval: Vec<Value>,
    extensions_requested: Vec<Value>,
}

impl Digest {
    fn of(cal: &Calendar, open: &[ApplicationRow], today: NaiveDate) -> Self {
        let horizon = cal.add(today, DIGEST_HORIZON).unwrap_or(today);
        let mut d = Digest {
            due_soon: vec![],
            overdue: vec![],
            awaiting_approval: vec![],
            extensions_requested: vec![],
        };
        for case in open {
            match office_deadline(case) {
                Some((_, due)) if due < today => d.overdue.push(line(cal, case, today)),
                Some((_, due)) if due <= horizon => d.due_soon.push(line(cal, case, today)),
                _ => {}
            }
            if case.status() == Status::Decision {
                d.awaiting_approval.push(line(cal, case, today));
            }
            if case.clock.extension.state == Some(ExtensionState::Requested) {
                d.extensions_requested.push(line(cal, case, today));
            }
        }
        d
    }

    fn is_empty(&self) -> bool {
        self.due_soon.is_empty()
            && self.overdue.is_empty()
            && self.awaiting_approval.is_empty()
            && self.extensions_requested.is_empty()
    }
}

fn send_digest(
    conn: &mut DbConnection,
    services: &Services,
    agency_id: &str,
    person: &User,
    digest: &Digest,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let approver = person.role == Role::Approver;
    let ctx = json!({
        "person": person.name,
        "today": today,
        "horizon": DIGEST_HORIZON,
        "due_soon": digest.due_soon,
        "overdue": digest.overdue,
        "awaiting_approval": digest.awaiting_approval,
        "extensions_requested": digest.extensions_requested,
        "approver": approver,
    });
    let Some(to) = person.email.as_deref() else {
        return Ok(false);
    };
    let notice = Outgoing {
        template: "staff_digest",
        to,
        role: person.role.as_str(),
        dedup_key: format!("digest:{today}:{}", person.id),
        agency_id,
        application_id: None,
    };
    write(conn, services, notice, &ctx, now)
}

/// Writes one reminder unless its key is taken; each in its own transaction, so a reminder
/// another instance wrote first is skipped (the unique key makes the loser start again).
fn write(
    conn: &mut DbConnection,
    services: &Services,
    out: Outgoing<'_>,
    ctx: &Value,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    if notices::exists(conn, &out.dedup_key)? {
        return Ok(false);
    }
    let row = render(&services.templates, out, ctx, now)?;
    Ok(write_tx(conn, |conn| notices::enqueue(conn, &row))?)
}
