//! Reading cases and moving them through the workflow.

use chrono::{DateTime, NaiveDate, Utc};

use super::auth::{authenticate, Principal};
// The queue lives in its own module; its names stay reachable here for the callers.
use super::clock::{deadlines_of, next_info, NextDeadlineInfo};
pub use super::queue::{list, AssigneeFilter, Page, PageItem, Query};
use super::{ServiceError, Services};
use crate::db::models::{ApplicationRow, CaseChanges, EventRow, FinalClock, NextDeadline};
use crate::db::{cases, events, staff, write_tx, DbConnection};
use crate::domain::case::ApplicationId;
use crate::domain::clock;
use crate::domain::time::legal_date;
use crate::domain::visibility::{self, Part};
use crate::domain::workflow::{self, Action, ActionKind};

/// A case as the caller may see it.
pub struct Visible {
    pub case: ApplicationRow,
    pub agency_code: String,
    pub principal: Principal,
    pub next_deadline: Option<NextDeadlineInfo>,
    pub allowed: Vec<&'static str>,
    pub extras: Extras,
}

/// What the case view shows besides the row: the fee's due day, and for staff the challenges.
#[derive(Default)]
pub struct Extras {
    /// The last day to pay a fee notice (Fee Measures), once its receipt is known.
    pub fee_due_on: Option<NaiveDate>,
    /// Staff only: the challenges recorded on the case, with their ids (to record a result).
    pub challenges: Option<Vec<crate::db::models::Challenge>>,
    /// Staff only: the reason given with the pending or decided extension request.
    pub extension_reason: Option<String>,
    /// Staff only: the handling inside the office (division staff: their part of it).
    pub inside: Option<super::inside::Inside>,
    /// Staff of the office only: the documents of the register the case names.
    pub documents: Option<Vec<super::register::NamedDocument>>,
}

/// What a view of one case shows besides the row, from its deadlines today, computed once for
/// the view (or handed over by the step that just wrote it): the next deadline, what the
/// principal may do, and the extras.
fn shown(
    conn: &mut DbConnection,
    services: &Services,
    row: &ApplicationRow,
    principal: &Principal,
    today: NaiveDate,
    deadlines: Option<Vec<clock::Deadline>>,
) -> Result<(Option<NextDeadlineInfo>, Vec<&'static str>, Extras), ServiceError> {
    let case = load_case(conn, row)?;
    let cal = services.calendars.get(conn, Some(&row.agency_id))?;
    // A calendar problem leaves nothing limited and no fee due day (as the workflow reads it).
    let deadlines = match deadlines {
        Some(list) => list,
        None => clock::deadlines(&cal, &case.clock_facts(), today).unwrap_or_default(),
    };
    let limits = clock::limits_of(&deadlines, today);
    let allowed = workflow::allowed_actions_within(&case, &principal.actor(), &cal, today, &limits)
        .iter()
        .map(|k| k.as_str())
        .collect();
    let mut extras = extras(conn, row, principal, &deadlines)?;
    extras.inside = super::inside::of_case(row, &case.forwardings, &case.office, principal, today);
    if principal.division().is_some() {
        // A division reads the request and its own forwardings, not the office's file.
        extras.challenges = None;
        extras.extension_reason = None;
        extras.documents = None;
    }
    Ok((next_info(&cal, row, today), allowed, extras))
}

/// The extras of one case for the principal, from its deadlines today.
pub fn extras(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    principal: &Principal,
    deadlines: &[clock::Deadline],
) -> Result<Extras, ServiceError> {
    let fee_due_on = match row.clock.fee.notice_on {
        Some(_) => deadlines
            .iter()
            .rfind(|d| d.kind == clock::DeadlineKind::FeePayment)
            .and_then(|d| d.due_on),
        None => None,
    };
    if principal.staff().is_none() {
        return Ok(Extras {
            fee_due_on,
            ..Extras::default()
        });
    }
    let extension_reason = match row.clock.extension.state {
        Some(_) => last_payload(conn, &row.id, ActionKind::RequestExtension.as_str())?
            .and_then(|p| p["reason"].as_str().map(str::to_owned)),
        None => None,
    };
    Ok(Extras {
        fee_due_on,
        challenges: Some(super::challenges::of_case(conn, &row.id)?),
        extension_reason,
        inside: None,
        documents: match principal.division() {
            Some(_) => None,
            None => Some(super::register::named_of_case(conn, row.id.as_str())?),
        },
    })
}

/// The payload of the case's last event of an action, if any.
fn last_payload(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
    action: &str,
) -> Result<Option<serde_json::Value>, ServiceError> {
    Ok(events::for_application(conn, application_id)?
        .into_iter()
        .rev()
        .find(|e| e.action == action)
        .and_then(|e| serde_json::from_str(&e.payload).ok()))
}

/// Loads a case the principal may see, by its id or its tracking number; anything else is "not
/// found", so that nobody learns whether another agency's or another applicant's case exists.
pub fn visible(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &str,
) -> Result<ApplicationRow, ServiceError> {
    visible_part(conn, principal, id, Part::Case)
}

/// `visible`, for one part of the case: staff of a division open only the parts the domain
/// lets them (domain::visibility), of cases forwarded to their division.
pub fn visible_part(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &str,
    part: Part,
) -> Result<ApplicationRow, ServiceError> {
    let case = match cases::by_id_or_tracking_number(conn, id)? {
        Some(case) if principal.can_see(&case) => case,
        _ => return Err(ServiceError::NotFound),
    };
    if let Some(division) = principal.division() {
        let forwarded = crate::db::forwardings::forwarded_to(conn, &case.id, division)?;
        if !forwarded || !visibility::division_may_open(part) {
            return Err(ServiceError::NotFound);
        }
    }
    Ok(case)
}

pub fn get(services: &Services, token: Option<&str>, id: &str) -> Result<Visible, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = visible(conn, &principal, id)?;
    let agency_code = staff::agency_by_id(conn, &case.agency_id)?.code.to_string();
    let today = legal_date(services.now());
    let (next_deadline, allowed, extras) = shown(conn, services, &case, &principal, today, None)?;
    Ok(Visible {
        case,
        agency_code,
        principal,
        next_deadline,
        allowed,
        extras,
    })
}

pub fn history(
    services: &Services,
    token: Option<&str>,
    id: &str,
) -> Result<(Principal, Vec<EventRow>), ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let case = visible_part(conn, &principal, id, Part::History)?;
    let rows = events::for_application(conn, &case.id)?;
    if let Some(division) = principal.division() {
        let code =
            crate::db::divisions::by_id(conn, division)?.map_or_else(String::new, |d| d.code);
        return Ok((principal.clone(), as_seen_by_division(rows, &code)));
    }
    Ok((principal.clone(), as_seen_by(&principal, rows)))
}

/// A case's history as a division's staff may read it (domain::visibility::division_history).
fn as_seen_by_division(rows: Vec<EventRow>, division_code: &str) -> Vec<EventRow> {
    let payloads: Vec<serde_json::Value> = rows
        .iter()
        .map(|e| serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null))
        .collect();
    let steps: Vec<(&str, &serde_json::Value)> = rows
        .iter()
        .zip(&payloads)
        .map(|(e, p)| (e.action.as_str(), p))
        .collect();
    let seen = visibility::division_history(&steps, division_code);
    rows.into_iter()
        .zip(seen)
        .filter_map(|(mut e, seen)| {
            e.payload = seen?.to_string();
            Some(e)
        })
        .collect()
}

/// A case's history as the principal may see it: staff the whole of it; the applicant only the
/// steps that concern them, with only the fields they may read (domain::visibility).
pub fn as_seen_by(principal: &Principal, rows: Vec<EventRow>) -> Vec<EventRow> {
    if principal.staff().is_some() {
        return rows;
    }
    rows.into_iter()
        .filter_map(|mut e| {
            let payload = serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null);
            let seen = crate::domain::visibility::applicant_view(&e.action, &payload)?;
            e.payload = seen.to_string();
            // Who did it is staff-internal; the applicant sees the role.
            e.actor_id = None;
            e.actor_name = None;
            Some(e)
        })
        .collect()
}

/// Takes a workflow action on a case the principal may see, if it is still at
/// `expected_version`: the change and its event are written in one transaction, or neither.
pub fn act(
    services: &Services,
    token: Option<&str>,
    id: &str,
    action: &Action,
    expected_version: i32,
    now: DateTime<Utc>,
) -> Result<Visible, ServiceError> {
    let conn = &mut *services.conn()?;
    let principal = authenticate(conn, token)?;
    let actor = principal.actor();
    let actor_name = principal.staff().map(|s| s.name.clone());
    write_tx(conn, |conn| {
        let case = visible(conn, &principal, id)?;
        let by = By {
            actor: &actor,
            name: actor_name.as_deref(),
        };
        let act = Act {
            action,
            expected_version,
            now,
            deadlines: None,
        };
        let Applied { case, deadlines } = apply_action(conn, services, &case, &by, &act)?;
        let agency_code = staff::agency_by_id(conn, &case.agency_id)?.code.to_string();
        let today = legal_date(now);
        let (next_deadline, allowed, extras) =
            shown(conn, services, &case, &principal, today, Some(deadlines))?;
        Ok(Visible {
            case,
            agency_code,
            principal: principal.clone(),
            next_deadline,
            allowed,
            extras,
        })
    })
}

/// The case as the workflow reads it, with the office's settings it needs.
pub fn load_case(
    conn: &mut DbConnection,
    row: &ApplicationRow,
) -> Result<workflow::Case, ServiceError> {
    let mut case = row.case()?;
    case.office = super::admin::office_settings(conn, &row.agency_id)?;
    case.forwardings = forwardings_of(conn, &row.id)?;
    Ok(case)
}

/// A case's forwardings to divisions, as the workflow reads them.
pub fn forwardings_of(
    conn: &mut DbConnection,
    id: &ApplicationId,
) -> Result<Vec<workflow::Forwarding>, ServiceError> {
    let rows = crate::db::forwardings::of_case(conn, id)?;
    Ok(rows
        .iter()
        .map(|r| r.forwarding())
        .collect::<Result<_, _>>()?)
}

/// What the principal may do with the case on `today`; any other action is refused.
pub fn allowed(
    conn: &mut DbConnection,
    services: &Services,
    row: &ApplicationRow,
    principal: &Principal,
    today: NaiveDate,
) -> Result<Vec<&'static str>, ServiceError> {
    let case = load_case(conn, row)?;
    let cal = services.calendars.get(conn, Some(&row.agency_id))?;
    Ok(
        workflow::allowed_actions(&case, &principal.actor(), &cal, today)
            .iter()
            .map(|k| k.as_str())
            .collect(),
    )
}

/// Who takes an action, as recorded in its event.
pub struct By<'a> {
    pub actor: &'a workflow::Actor,
    pub name: Option<&'a str>,
}

/// An action as a caller asks for it.
pub struct Act<'a> {
    pub action: &'a Action,
    pub expected_version: i32,
    pub now: DateTime<Utc>,
    /// The case's deadlines today, when the caller has already computed them for this version
    /// (the lapse job has): the step then does not compute them again.
    pub deadlines: Option<&'a [clock::Deadline]>,
}

/// A step written: the case after it, and its deadlines today (computed once, for the row, the
/// notice and the caller's view alike).
pub struct Applied {
    pub case: ApplicationRow,
    pub deadlines: Vec<clock::Deadline>,
}

/// The one path every change to a case takes, from a person or from the service itself:
/// the workflow decides, the deadlines are recomputed, the row is written only if still at
/// `expected_version`, and the event (and, on delivery, the answer letter) go in with it.
pub fn apply_action(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    by: &By<'_>,
    act: &Act<'_>,
) -> Result<Applied, ServiceError> {
    let (id, action, now) = (&case.id, act.action, act.now);
    if case.version != act.expected_version {
        return Err(ServiceError::VersionConflict {
            expected: act.expected_version,
            current: case.version,
        });
    }
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let (before, transition) = decide(conn, case, by, act, &cal)?;
    let challenge = super::challenges::prepare(conn, case, action, now)?;
    let payload = event_payload(conn, case, act, &before, transition.payload, &challenge)?;
    // Every change recomputes the case's deadlines (a pure function of it and the calendar).
    let deadlines = deadlines_of(&cal, &transition.case, legal_date(now))?;
    let changes = changes_of(case, &before, &transition.case, &deadlines, act);
    let Some(seq) = cases::update_case(conn, id, act.expected_version, &changes)? else {
        let current = cases::application(conn, id)?.map_or(changes.version, |c| c.version);
        return Err(ServiceError::VersionConflict {
            expected: act.expected_version,
            current,
        });
    };
    let event = EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        application_id: id.clone(),
        seq,
        occurred_at: now.naive_utc(),
        actor_role: by.actor.role,
        actor_id: by.actor.id.clone(),
        actor_name: by.name.map(str::to_owned),
        action: action.kind().as_str().into(),
        status_before: Some(before.status()),
        status_after: transition.case.status(),
        payload: payload.to_string(),
        prev_hash: None,
        hash: None,
    };
    events::insert(conn, &event)?;
    if let (Action::Deliver(_), Some(list)) = (action, payload["attachments"].as_array()) {
        let ids: Vec<String> = list
            .iter()
            .filter_map(|a| a["attachment_id"].as_str().map(str::to_owned))
            .collect();
        crate::db::attachments::mark_delivered(conn, &ids, now.naive_utc(), seq)?;
    }
    crate::db::forwardings::write_changes(
        conn,
        id,
        &before.forwardings,
        &transition.case.forwardings,
    )?;
    if let Some(step) = &challenge {
        super::challenges::write(conn, step)?;
    }
    let after = cases::application(conn, id)?.ok_or(ServiceError::NotFound)?;
    if let (Action::Deliver(_), Some(dated)) = (action, after.clock.closed_on) {
        super::letters::write_answer_letter(conn, &after, dated, now)?;
    }
    // The notice the step causes goes into the outbox with it: both are written, or neither.
    let step = super::notices::Stepped {
        kind: action.kind(),
        payload: &payload,
        seq,
        deadlines: &deadlines,
    };
    super::notices::for_step(conn, services, &after, &step, now)?;
    Ok(Applied {
        case: after,
        deadlines,
    })
}

/// The workflow's decision on the case as it stands: the case before, and the transition.
fn decide(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    by: &By<'_>,
    act: &Act<'_>,
    cal: &crate::domain::calendar::Calendar,
) -> Result<(workflow::Case, workflow::Transition), ServiceError> {
    let today = legal_date(act.now);
    let mut before = load_case(conn, case)?;
    // The per-application scale counts the applicant's applications this month (RULES §6).
    if let Action::IssueFeeNotice(_) | Action::WaiveFee(_) = act.action {
        before.month_rank = cases::month_rank(conn, case)?
            .try_into()
            .unwrap_or(u32::MAX);
    }
    let limits = match act.deadlines {
        Some(list) => clock::limits_of(list, today),
        None => clock::limits_of(&deadlines_of(cal, &before, today)?, today),
    };
    match workflow::apply_within(&before, by.actor, act.action, today, cal, &limits) {
        Ok(transition) => Ok((before, transition)),
        Err(error) => {
            let allowed = workflow::allowed_actions_within(&before, by.actor, cal, today, &limits);
            Err(ServiceError::Workflow {
                error,
                allowed: allowed.iter().map(|k| k.as_str()).collect(),
            })
        }
    }
}

/// What the event records besides the workflow's payload.
fn event_payload(
    conn: &mut DbConnection,
    case: &ApplicationRow,
    act: &Act<'_>,
    before: &workflow::Case,
    mut payload: serde_json::Value,
    challenge: &Option<super::challenges::Step>,
) -> Result<serde_json::Value, ServiceError> {
    // Art. 33 ¶1: the grant carries the length and the reason the applicant is told.
    if let (Action::GrantExtension(_), Some(e)) = (act.action, &before.extension) {
        payload["working_days"] = e.days.into();
        if let Some(asked) = last_payload(conn, &case.id, ActionKind::RequestExtension.as_str())? {
            payload["reason"] = asked["reason"].clone();
        }
    }
    if let Some(super::challenges::Step::New(c)) = challenge {
        payload["challenge_id"] = c.id.clone().into();
    }
    // The files the answer delivers, each with its SHA-256: the chain proves what was sent.
    if let Action::Deliver(_) = act.action {
        let files = super::attachments::to_deliver(conn, &case.id)?;
        if !files.is_empty() {
            payload["attachments"] = files
                .iter()
                .map(super::attachments::delivered_entry)
                .collect();
        }
    }
    Ok(payload)
}

/// The row's new values: the case after the step, its next deadline, and for a closing change
/// its deadlines as they stand, kept for good (RULES §8: closed cases are history).
fn changes_of(
    case: &ApplicationRow,
    before: &workflow::Case,
    after: &workflow::Case,
    deadlines: &[clock::Deadline],
    act: &Act<'_>,
) -> CaseChanges {
    let next = NextDeadline::of(clock::next_deadline(deadlines));
    let closed = match (after.status().is_terminal(), before.status().is_terminal()) {
        (true, false) => Some(FinalClock::of(deadlines)),
        (true, true) => case.handling.final_clock.clone().map(|json| FinalClock {
            json,
            answer_due_on: case.handling.final_answer_due_on,
        }),
        (false, _) => None,
    };
    let version = act.expected_version + 1;
    CaseChanges::new(after, next, closed.as_ref(), version, act.now.naive_utc())
}
