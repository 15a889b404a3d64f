//! Reminders to staff (issues 5 and 16): an alert as soon as a case's office deadline has
//! passed, an alert as soon as a division's internal due day has passed unreplied, and a daily
//! digest to each person of what is theirs — an office clerk: the cases assigned to them, the
//! office's unassigned cases and their cases' late forwardings; a division's staff: what is
//! forwarded to their division; an approver: the drafts at their level they may approve and the
//! extensions they may decide. All go through the outbox under a key that names the person and
//! the day (or the case, deadline and due day; or the forwarding and its due day), so several
//! instances running the job at once write each reminder once.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::notices::{render, Outgoing};
use super::templates::status_label;
use super::{ServiceError, Services};
use crate::db::divisions::DivisionRow;
use crate::db::forwardings::ForwardingRow;
use crate::db::models::{Agency, ApplicationRow, User};
use crate::db::schema::{applications as a, forwardings as f};
use crate::db::{notices, staff, write_tx, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::case::Status;
use crate::domain::clock::DeadlineKind;
use crate::domain::handling::level_of;
use crate::domain::time::{cst, legal_date};
use crate::domain::workflow::{ExtensionState, Role};

/// Cases due within this many working days are in the digest.
pub const DIGEST_HORIZON: u32 = 3;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reminded {
    pub overdue_alerts: usize,
    /// Alerts of a division's internal due day passed unreplied (to its staff and the assignee).
    pub internal_alerts: usize,
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
        let agency = staff::agency_by_id(conn, agency_id)?;
        let open = open_cases(conn, agency_id)?;
        let forwardings = open_forwardings(conn, agency_id)?;
        let divisions = crate::db::divisions::of_agency(conn, agency_id)?;
        let office = Office {
            agency: &agency,
            cal: &cal,
            today,
            horizon: cal.add(today, DIGEST_HORIZON).unwrap_or(today),
            open: &open,
            forwardings: &forwardings,
            divisions: &divisions,
            people: &people,
        };
        // A missed statutory deadline concerns the whole office (never a division's staff,
        // who see only what is forwarded to them).
        let office_staff: Vec<&User> = people
            .iter()
            .copied()
            .filter(|p| p.division_id.is_none())
            .collect();
        done.overdue_alerts += overdue_alerts(conn, services, &open, &office_staff, today, now)?;
        done.internal_alerts += internal_alerts(conn, services, &office, now)?;
        if digest_time && cal.is_working(today).unwrap_or(false) {
            for person in &people {
                let Some(digest) = office.digest_for(person) else {
                    continue;
                };
                done.digests += usize::from(send_digest(
                    conn, services, agency_id, person, digest, today, now,
                )?);
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

/// The office's open cases: each may be someone's (assigned, unassigned, awaiting approval,
/// forwarded).
fn open_cases(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Vec<ApplicationRow>> {
    a::table
        .filter(a::agency_id.eq(agency_id))
        .filter(a::status.ne_all(Status::TERMINAL))
        .order((a::next_deadline_on.asc(), a::id.asc()))
        .select(ApplicationRow::as_select())
        .load(conn)
}

/// Forwardings of the office's open cases still waiting for the division's reply.
fn open_forwardings(conn: &mut DbConnection, agency_id: &str) -> QueryResult<Vec<ForwardingRow>> {
    f::table
        .inner_join(a::table)
        .filter(a::agency_id.eq(agency_id))
        .filter(a::status.ne_all(Status::TERMINAL))
        .filter(f::replied_on.is_null())
        .order((f::due_on.asc(), f::application_id.asc(), f::label.asc()))
        .select(ForwardingRow::as_select())
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

/// One office's open work on one day, as each of its people is told of it.
struct Office<'a> {
    agency: &'a Agency,
    cal: &'a Calendar,
    today: NaiveDate,
    horizon: NaiveDate,
    open: &'a [ApplicationRow],
    forwardings: &'a [ForwardingRow],
    divisions: &'a [DivisionRow],
    people: &'a [&'a User],
}

/// What one person is told on one day; every list only what is theirs.
#[derive(Default)]
struct Digest {
    due_soon: Vec<Value>,
    overdue: Vec<Value>,
    unassigned: Vec<Value>,
    forwardings_late: Vec<Value>,
    division: Option<String>,
    forwarded_due: Vec<Value>,
    awaiting_approval: Vec<Value>,
    extensions_requested: Vec<Value>,
}

impl Digest {
    fn is_empty(&self) -> bool {
        self.due_soon.is_empty()
            && self.overdue.is_empty()
            && self.unassigned.is_empty()
            && self.forwardings_late.is_empty()
            && self.forwarded_due.is_empty()
            && self.awaiting_approval.is_empty()
            && self.extensions_requested.is_empty()
    }
}

impl Office<'_> {
    fn case(&self, id: &crate::domain::case::ApplicationId) -> Option<&ApplicationRow> {
        self.open.iter().find(|c| c.id == *id)
    }

    fn division(&self, id: &str) -> Option<&DivisionRow> {
        self.divisions.iter().find(|d| d.id == id)
    }

    fn working_days_left(&self, due_on: NaiveDate) -> Option<i64> {
        self.cal.between(self.today, due_on).ok()
    }

    /// A forwarding as the office reads it (which division, what was asked, by when).
    fn forwarding_line(&self, fw: &ForwardingRow, case: &ApplicationRow) -> Value {
        let division = self.division(&fw.division_id);
        json!({
            "tracking_number": case.tracking_number,
            "applicant_name": case.applicant.name,
            "forwarding_id": fw.label,
            "division": division.map(|d| d.name.as_str()),
            "division_code": division.map(|d| d.code.as_str()),
            "asked": fw.asked,
            "due_on": fw.due_on,
            "working_days_left": self.working_days_left(fw.due_on),
        })
    }

    /// A forwarding as its division reads it: the request, never the applicant's identity
    /// unless the office lets its divisions see it (`divisions_see_applicant`).
    fn division_line(&self, fw: &ForwardingRow, case: &ApplicationRow) -> Value {
        let applicant = self
            .agency
            .divisions_see_applicant
            .then(|| case.applicant.name.clone());
        json!({
            "tracking_number": case.tracking_number,
            "applicant_name": applicant,
            "description": case.handling.description,
            "forwarding_id": fw.label,
            "asked": fw.asked,
            "due_on": fw.due_on,
            "overdue": fw.due_on < self.today,
            "working_days_left": self.working_days_left(fw.due_on),
        })
    }

    /// What `person` is told today; none when nothing is theirs (no digest is sent).
    fn digest_for(&self, person: &User) -> Option<Digest> {
        let me = person.id.as_str();
        let mut d = Digest::default();
        if let Some(division) = person.division_id.as_deref() {
            // A division's staff: what is forwarded to their division and still open, due
            // within the horizon or overdue; nothing else of the office.
            d.division = self.division(division).map(|d| d.name.clone());
            for fw in self
                .forwardings
                .iter()
                .filter(|f| f.division_id == division)
            {
                let Some(case) = self.case(&fw.application_id) else {
                    continue;
                };
                if fw.due_on <= self.horizon {
                    d.forwarded_due.push(self.division_line(fw, case));
                }
            }
            return (!d.is_empty()).then_some(d);
        }
        for case in self.open {
            let assignee = case.handling.assignee_id.as_deref();
            let line = || line(self.cal, case, self.today);
            if assignee == Some(me) {
                match office_deadline(case) {
                    Some((_, due)) if due < self.today => d.overdue.push(line()),
                    Some((_, due)) if due <= self.horizon => d.due_soon.push(line()),
                    _ => {}
                }
            } else if assignee.is_none() && person.role == Role::Clerk {
                // Someone must pick it up: every clerk of the office hears of it.
                d.unassigned.push(line());
            }
            if person.role == Role::Approver {
                if self.may_approve(case, person) {
                    d.awaiting_approval.push(line());
                }
                // Art. 33 ¶1: the head of the unit decides, never who asked.
                let requested = case.clock.extension.state == Some(ExtensionState::Requested);
                if requested && case.clock.extension.requested_by.as_deref() != Some(me) {
                    d.extensions_requested.push(line());
                }
            }
        }
        for fw in self.forwardings.iter().filter(|f| f.due_on < self.today) {
            let Some(case) = self.case(&fw.application_id) else {
                continue;
            };
            if case.handling.assignee_id.as_deref() == Some(me) {
                d.forwardings_late.push(self.forwarding_line(fw, case));
            }
        }
        (!d.is_empty()).then_some(d)
    }

    /// Whether the draft waits at `person`'s level and they may approve it there: not their
    /// own draft, not one they approved at level 1 (as the workflow's guards decide).
    fn may_approve(&self, case: &ApplicationRow, person: &User) -> bool {
        if case.status() != Status::Decision || person.division_id.is_some() {
            return false;
        }
        let levels = u8::try_from(self.agency.approval_levels.clamp(1, 2)).unwrap_or(1);
        let own = u8::try_from(person.approval_level.clamp(1, 2)).unwrap_or(1);
        let stage = case
            .handling
            .approval_stage
            .and_then(|s| u8::try_from(s).ok())
            .unwrap_or(1)
            .min(levels);
        let me = Some(person.id.as_str());
        level_of(levels, own) == stage
            && case.handling.decision_drafted_by.as_deref() != me
            && case.handling.first_approved_by.as_deref() != me
    }
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

/// As soon as a division's internal due day has passed unreplied, its staff and the case's
/// assignee are told, once per forwarding and due day (the key names both): the office acts
/// before the statutory deadline is at risk.
fn internal_alerts(
    conn: &mut DbConnection,
    services: &Services,
    office: &Office<'_>,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let mut written = 0;
    let late = office
        .forwardings
        .iter()
        .filter(|fw| fw.due_on < office.today);
    for fw in late {
        let Some(case) = office.case(&fw.application_id) else {
            continue;
        };
        let assignee = case.handling.assignee_id.as_deref();
        let division = office.division(&fw.division_id);
        // The statutory answer date, so the office sees how much time is left after the reply.
        let (answer_kind, answer_due) = office_deadline(case)
            .filter(|(k, _)| *k == DeadlineKind::Answer)
            .unzip();
        // Each person once, the division's staff first; the assignee of the case too.
        let mut told: HashSet<&str> = HashSet::new();
        let recipients = office.people.iter().filter_map(|p| {
            if p.division_id.as_deref() == Some(fw.division_id.as_str()) {
                Some((*p, true))
            } else if p.division_id.is_none() && assignee == Some(p.id.as_str()) {
                Some((*p, false))
            } else {
                None
            }
        });
        for (person, of_division) in recipients {
            if !told.insert(person.id.as_str()) {
                continue;
            }
            let Some(to) = person.email.as_deref() else {
                continue;
            };
            // The division never reads the applicant's identity unless the office allows it.
            let show_applicant = !of_division || office.agency.divisions_see_applicant;
            let ctx = json!({
                "person": person.name,
                "to_division": of_division,
                "division": division.map(|d| d.name.as_str()),
                "division_code": division.map(|d| d.code.as_str()),
                "forwarding_id": fw.label,
                "asked": fw.asked,
                "forwarded_on": fw.forwarded_on,
                "due_on": fw.due_on,
                "working_days_late": office.cal.between(fw.due_on, office.today).ok(),
                "answer_deadline": answer_kind.map(DeadlineKind::label),
                "answer_due": answer_due,
                "case": {
                    "tracking_number": case.tracking_number,
                    "applicant_name": show_applicant.then(|| case.applicant.name.clone()),
                    "description": case.handling.description,
                },
            });
            let notice = Outgoing {
                template: "internal_overdue_alert",
                to,
                role: person.role.as_str(),
                dedup_key: format!(
                    "internal_overdue:{}:{}:{}:{}",
                    case.id, fw.label, fw.due_on, person.id
                ),
                agency_id: &case.agency_id,
                application_id: Some(&case.id),
            };
            written += usize::from(write(conn, services, notice, &ctx, now)?);
        }
    }
    Ok(written)
}

fn send_digest(
    conn: &mut DbConnection,
    services: &Services,
    agency_id: &str,
    person: &User,
    digest: Digest,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let approver = person.role == Role::Approver && person.division_id.is_none();
    let ctx = json!({
        "person": person.name,
        "today": today,
        "horizon": DIGEST_HORIZON,
        "due_soon": digest.due_soon,
        "overdue": digest.overdue,
        "unassigned": digest.unassigned,
        "forwardings_late": digest.forwardings_late,
        "division": digest.division,
        "forwarded_due": digest.forwarded_due,
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
