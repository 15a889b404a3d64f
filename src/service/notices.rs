//! Notices to applicants and consulted parties: chosen by the step that causes them, rendered
//! and written to the outbox in that step's transaction, with a de-duplication key so the same
//! step never yields the same notice twice.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::templates::Templates;
use super::{ServiceError, Services};
use crate::db::models::{Agency, ApplicationRow, NoticeRow};
use crate::db::{documents, events, notices, staff, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::case::{ApplicationId, Channel};
use crate::domain::clock::{self, DeadlineKind};
use crate::domain::outbox::{NoticeId, NoticeStatus};
use crate::domain::time::legal_date;
use crate::domain::workflow::ActionKind;

/// The notice a step sends, and to whom: the applicant, or the consulted party.
fn template_for(kind: ActionKind) -> Option<(&'static str, Recipient)> {
    Some(match kind {
        ActionKind::RequestCorrection => ("correction_notice", Recipient::Applicant), // art. 30
        ActionKind::GrantExtension => ("extension_notice", Recipient::Applicant),     // art. 33 ¶1
        ActionKind::IssueFeeNotice => ("fee_notice", Recipient::Applicant), // Fee Measures
        ActionKind::Deliver => ("answer", Recipient::Applicant),
        ActionKind::AbandonNoCorrection | ActionKind::AbandonFeeUnpaid => {
            ("abandoned", Recipient::Applicant)
        }
        ActionKind::Withdraw => ("withdrawal", Recipient::Applicant),
        ActionKind::StartConsultation => ("consultation_letter", Recipient::ConsultedParty), // art. 32
        // Art. 31: the legal date of receipt, once confirmed or corrected, with the answer's due day.
        ActionKind::ConfirmReceipt => ("receipt_confirmed", Recipient::Applicant),
        ActionKind::AskForReasons => ("reasons_request", Recipient::Applicant), // art. 35
        ActionKind::SetAnswerPeriod => ("answer_period_set", Recipient::Applicant), // art. 35
        ActionKind::Reopen => ("reopened", Recipient::Applicant),               // art. 30
        // Art. 32: before a disclosure over its objection, the third party is told in writing.
        ActionKind::NotifyThirdParty => ("third_party_disclosure", Recipient::ConsultedParty),
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum Recipient {
    Applicant,
    ConsultedParty,
}

/// The due day of each deadline of the case (the last of its kind), computed once.
fn due_days(
    cal: &Calendar,
    case: &ApplicationRow,
    today: chrono::NaiveDate,
) -> Vec<clock::Deadline> {
    case.case()
        .ok()
        .and_then(|c| clock::deadlines(cal, &c.clock_facts(), today).ok())
        .unwrap_or_default()
}

/// Whether the answer's due day rests on a year without an official calendar (RULES §8: a
/// notice never states such a date as if it were final).
fn provisional(deadlines: &[clock::Deadline], kind: DeadlineKind) -> bool {
    deadlines
        .iter()
        .rfind(|d| d.kind == kind && d.due_on.is_some())
        .is_some_and(|d| d.provisional)
}

fn due(deadlines: &[clock::Deadline], kind: DeadlineKind) -> Value {
    deadlines
        .iter()
        .filter(|d| d.kind == kind)
        .filter_map(|d| d.due_on)
        .next_back()
        .map_or(Value::Null, |d| json!(d))
}

/// The values every template sees, from an office and calendar the caller already holds.
pub(super) fn context_of(
    agency: &Agency,
    cal: &Calendar,
    case: &ApplicationRow,
    now: DateTime<Utc>,
) -> Value {
    context_with((agency, cal), case, &due_days(cal, case, legal_date(now)))
}

/// The same, from the case's deadlines the caller already computed.
fn context_with(
    (agency, cal): (&Agency, &Calendar),
    case: &ApplicationRow,
    deadlines: &[clock::Deadline],
) -> Value {
    json!({
        "agency": {
            "name": agency.name,
            "signature": agency.signature.clone().unwrap_or_else(|| agency.name.clone()),
            // How to pay a fee (the fee notice states it; RULES §8); null while unset.
            "payment": staff::payment_details(agency),
        },
        "case": {
            "tracking_number": case.tracking_number,
            "applicant_name": case.applicant.name,
            "description": case.handling.description,
            "received_on": case.clock.received_on,
            "registered_on": case.registered_on,
            "corrected_received_on": case.clock.corrected_received_on,
            "channel": case.channel,
            // Filed by the applicant online (not registered by a clerk): art. 31(3) applies.
            "filed_online": case.channel == Channel::Online && case.registered_by.is_none(),
            "status": case.status(),
        },
        "provisional": provisional(deadlines, DeadlineKind::Answer),
        "correction_provisional": provisional(deadlines, DeadlineKind::CorrectionPeriod),
        "fee_provisional": provisional(deadlines, DeadlineKind::FeePayment),
        "reply_provisional": provisional(deadlines, DeadlineKind::ConsultationReply),
        "answer_due": due(deadlines, DeadlineKind::Answer),
        "correction_due": due(deadlines, DeadlineKind::CorrectionPeriod),
        "fee_due": due(deadlines, DeadlineKind::FeePayment),
        "reply_due": due(deadlines, DeadlineKind::ConsultationReply),
        "extension_days": case.clock.extension.days,
        // Art. 30: how long a justified late correction is still taken.
        "reopen_until": case
            .clock
            .closed_on
            .and_then(|c| cal.add(c, agency.reopen_working_days.max(0) as u32).ok()),
    })
}

/// A notice to write: which template, to whom, and its de-duplication key.
pub(super) struct Outgoing<'a> {
    pub template: &'a str,
    pub to: &'a str,
    pub role: &'a str,
    pub dedup_key: String,
    pub agency_id: &'a str,
    pub application_id: Option<&'a ApplicationId>,
}

/// Renders a notice into an outbox row, pending from `now`; its Message-ID is fixed here so a
/// resend after a crash carries the same one.
pub(super) fn render(
    templates: &Templates,
    out: Outgoing<'_>,
    ctx: &Value,
    now: DateTime<Utc>,
) -> Result<NoticeRow, ServiceError> {
    let r = templates
        .render(out.template, ctx)
        .map_err(ServiceError::Internal)?;
    let id = NoticeId::from_uuid(uuid::Uuid::now_v7());
    Ok(NoticeRow {
        message_id: format!("<{id}@gongkai>"),
        id,
        dedup_key: out.dedup_key,
        application_id: out.application_id.cloned(),
        agency_id: out.agency_id.to_owned(),
        template: out.template.to_owned(),
        recipient: out.to.to_owned(),
        recipient_role: out.role.to_owned(),
        subject: r.subject,
        body_text: r.text,
        body_html: r.html,
        status: NoticeStatus::Pending,
        attempts: 0,
        next_attempt_at: now.naive_utc(),
        claimed_until: None,
        last_error: None,
        created_at: now.naive_utc(),
        sent_at: None,
    })
}

fn write(
    conn: &mut DbConnection,
    services: &Services,
    out: Outgoing<'_>,
    ctx: &Value,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    notices::enqueue(conn, &render(&services.templates, out, ctx, now)?)?;
    Ok(())
}

/// The receipt acknowledgment for a new case (tracking number, access details, answer deadline).
pub fn receipt(
    conn: &mut DbConnection,
    services: &Services,
    (agency, cal): (&Agency, &Calendar),
    case: &ApplicationRow,
    access_token: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(email) = case.applicant.email.as_deref() else {
        return Ok(());
    };
    let mut ctx = context_of(agency, cal, case, now);
    ctx["access_token"] = json!(access_token);
    let dedup_key = format!("{}:1:receipt", case.id);
    let out = Outgoing {
        template: "receipt",
        to: email,
        role: "applicant",
        dedup_key,
        agency_id: &case.agency_id,
        application_id: Some(&case.id),
    };
    notices::insert_first(conn, &render(&services.templates, out, &ctx, now)?)?;
    Ok(())
}

/// The input of the consultation letter a later step names by its `consultation_id`.
fn consultation_letter(
    conn: &mut DbConnection,
    application_id: &ApplicationId,
    payload: &Value,
) -> Result<Option<Value>, ServiceError> {
    let id = &payload["consultation_id"];
    Ok(events::for_application(conn, application_id)?
        .into_iter()
        .filter(|e| e.action == ActionKind::StartConsultation.as_str())
        .filter_map(|e| serde_json::from_str::<Value>(&e.payload).ok())
        .find(|p| &p["consultation_id"] == id))
}

/// The notice a workflow step causes, if any, written with the step's event (number `seq`).
/// A step just written, as the notice it causes reads it.
pub struct Stepped<'a> {
    pub kind: ActionKind,
    pub payload: &'a Value,
    pub seq: i32,
    /// The case's deadlines after the step, computed once by `apply_action`.
    pub deadlines: &'a [clock::Deadline],
}

pub fn for_step(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    step: &Stepped<'_>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Stepped {
        kind,
        payload,
        seq,
        deadlines,
    } = *step;
    match kind {
        ActionKind::Forward => return forwarded(conn, services, case, step, now),
        ActionKind::Assign | ActionKind::Reassign => {
            return assigned(conn, services, case, step, now)
        }
        _ => {}
    }
    let Some((template, recipient)) = template_for(kind) else {
        return Ok(());
    };
    // The party told of a disclosure is the one consulted under that id (its letter's event).
    let consulted = match kind {
        ActionKind::NotifyThirdParty => consultation_letter(conn, &case.id, payload)?,
        _ => Some(payload.clone()),
    };
    let to = match recipient {
        Recipient::Applicant => case.applicant.email.clone().map(|e| (e, "applicant")),
        Recipient::ConsultedParty => consulted
            .as_ref()
            .and_then(|c| c["party_email"].as_str())
            .map(|e| (e.to_owned(), "consulted_party")),
    };
    // No address known: the notice goes by post, outside this service.
    let Some((to, role)) = to else { return Ok(()) };
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let mut ctx = context_with((&agency, &cal), case, deadlines);
    ctx["payload"] = payload.clone();
    ctx["party_name"] = consulted.map_or(Value::Null, |c| c["party_name"].clone());
    if kind == ActionKind::GrantExtension {
        // The reason the clerk gave when asking for it (art. 33 ¶1: the applicant is told).
        let asked = events::for_application(conn, &case.id)?
            .into_iter()
            .rev()
            .find(|e| e.action == ActionKind::RequestExtension.as_str());
        let reason = asked
            .and_then(|e| serde_json::from_str::<Value>(&e.payload).ok())
            .map(|p| p["reason"].clone());
        ctx["extension_reason"] = reason.unwrap_or(Value::Null);
    }
    if kind == ActionKind::IssueFeeNotice {
        let per_page = payload["scale"] == "per_page";
        ctx["fee_scale_label"] = json!(if per_page {
            "按量计收"
        } else {
            "按件计收"
        });
        ctx["fee_unit"] = json!(if per_page { "页" } else { "件" });
    }
    let mut carried = Vec::new();
    if kind == ActionKind::Deliver {
        let letter = documents::of_kind(conn, &case.id, super::letters::ANSWER_LETTER)?;
        ctx["letter_text"] = json!(letter.as_ref().map(|l| l.text.clone()));
        ctx["letter_html"] = json!(letter.as_ref().map(|l| l.html.clone()));
        carried = delivered_files(conn, services, case, &mut ctx)?;
    }
    let dedup_key = format!("{}:{seq}:{template}", case.id);
    let out = Outgoing {
        template,
        to: &to,
        role,
        dedup_key,
        agency_id: &case.agency_id,
        application_id: Some(&case.id),
    };
    let notice = render(&services.templates, out, &ctx, now)?;
    if notices::enqueue(conn, &notice)? && !carried.is_empty() {
        crate::db::attachments::attach_to_notice(conn, notice.id.as_str(), &carried)?;
    }
    Ok(())
}

/// The answer e-mail's files: listed in its context (`files`, `files_attached`, `track_url`),
/// and returned (their ids) when the e-mail carries them — all of them when together they fit
/// the deployment's limit, else none and the e-mail says where to download them.
fn delivered_files(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    ctx: &mut Value,
) -> Result<Vec<String>, ServiceError> {
    let files: Vec<_> = crate::db::attachments::of_case(conn, &case.id)?
        .into_iter()
        .filter(|a| a.delivered_at.is_some())
        .collect();
    let sizes: Vec<u64> = files
        .iter()
        .map(|a| u64::try_from(a.size).unwrap_or(u64::MAX))
        .collect();
    let attached = crate::domain::attachment::attach_to_email(&sizes, services.files.email_limit);
    ctx["files"] = files
        .iter()
        .map(|a| json!({ "name": a.name, "size": a.size, "sha256": a.sha256 }))
        .collect();
    ctx["files_attached"] = json!(attached);
    ctx["track_url"] = json!(public_link(services, "/track"));
    Ok(match attached {
        true => files.into_iter().map(|a| a.id).collect(),
        false => Vec::new(),
    })
}

/// An address on this service, absolute when its public address is known.
fn public_link(services: &Services, path: &str) -> String {
    match services
        .public_url
        .as_deref()
        .map(|u| u.trim().trim_end_matches('/'))
        .filter(|u| !u.is_empty())
    {
        Some(base) => format!("{base}{path}"),
        None => path.to_owned(),
    }
}

/// Tells each applicant whose answer date a calendar change moved the new date (RULES §8);
/// `moved` holds (case id, the recompute's event number, the date told before).
pub fn deadlines_moved(
    conn: &mut DbConnection,
    cache: &super::calendar::CalendarCache,
    templates: &Templates,
    moved: &[(ApplicationId, i32, chrono::NaiveDate)],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    use crate::db::schema::applications as a;
    use diesel::prelude::*;
    let mut calendars = cache.batch();
    let mut offices = std::collections::HashMap::new();
    for chunk in moved.chunks(500) {
        let ids: Vec<&ApplicationId> = chunk.iter().map(|(id, _, _)| id).collect();
        let rows: Vec<ApplicationRow> = a::table
            .filter(a::id.eq_any(&ids))
            .filter(a::email.is_not_null())
            .select(ApplicationRow::as_select())
            .load(conn)?;
        for row in rows {
            let Some((_, _, before)) = chunk.iter().find(|(id, _, _)| *id == row.id) else {
                continue;
            };
            let Some(email) = row.applicant.email.as_deref() else {
                continue;
            };
            if !offices.contains_key(&row.agency_id) {
                let agency = staff::agency_by_id(conn, &row.agency_id)?;
                offices.insert(row.agency_id.clone(), agency);
            }
            let agency = &offices[&row.agency_id];
            let cal = calendars.get(conn, &row.agency_id)?;
            let mut ctx = context_of(agency, &cal, &row, now);
            ctx["before"] = json!(before);
            let out = Outgoing {
                template: "deadline_moved",
                to: email,
                role: "applicant",
                dedup_key: format!("{}:deadline_moved:{}", row.id, ctx["answer_due"]),
                agency_id: &row.agency_id,
                application_id: Some(&row.id),
            };
            notices::enqueue(conn, &render(templates, out, &ctx, now)?)?;
        }
    }
    Ok(())
}

/// A new access token, to the contact on file (see service::access).
#[allow(clippy::too_many_arguments)]
pub fn access_token(
    conn: &mut DbConnection,
    services: &Services,
    agency: &Agency,
    case: &ApplicationRow,
    email: &str,
    token: &str,
    seq: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let mut ctx = context_of(agency, &cal, case, now);
    ctx["access_token"] = json!(token);
    let out = Outgoing {
        template: "access_token",
        to: email,
        role: "applicant",
        dedup_key: format!("{}:{seq}:access_token", case.id),
        agency_id: &case.agency_id,
        application_id: Some(&case.id),
    };
    write(conn, services, out, &ctx, now)
}

/// A link to the case's page in the staff console, when the service knows its public address.
fn console_link(services: &Services, case: &ApplicationRow) -> Value {
    services
        .public_url
        .as_deref()
        .map(|u| u.trim().trim_end_matches('/'))
        .filter(|u| !u.is_empty())
        .map_or(Value::Null, |u| {
            json!(format!("{u}/console/cases/{}", case.id))
        })
}

/// The active staff of a division who have an address.
fn division_staff(
    conn: &mut DbConnection,
    division_id: &str,
) -> Result<Vec<crate::db::models::User>, ServiceError> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    Ok(users::table
        .filter(users::division_id.eq(division_id))
        .filter(users::disabled_at.is_null())
        .filter(users::email.is_not_null())
        .order(users::id.asc())
        .load(conn)?)
}

/// `forward`: each division's staff with an address hear what is asked and by when (the
/// division then acts without waiting for the next digest). Never the applicant's identity
/// unless the office lets its divisions see it.
fn forwarded(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    step: &Stepped<'_>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let labels: Vec<&str> = step.payload["forwardings"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|f| f["forwarding_id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let rows = crate::db::forwardings::of_case(conn, &case.id)?;
    let link = console_link(services, case);
    for fw in rows.iter().filter(|f| labels.contains(&f.label.as_str())) {
        let division = crate::db::divisions::by_id(conn, &fw.division_id)?;
        let applicant = agency
            .divisions_see_applicant
            .then(|| case.applicant.name.clone());
        for person in division_staff(conn, &fw.division_id)? {
            let Some(to) = person.email.as_deref() else {
                continue;
            };
            let ctx = json!({
                "agency": { "name": agency.name },
                "person": person.name,
                "division": division.as_ref().map(|d| d.name.as_str()),
                "division_code": division.as_ref().map(|d| d.code.as_str()),
                "forwarding_id": fw.label,
                "asked": fw.asked,
                "forwarded_on": fw.forwarded_on,
                "due_on": fw.due_on,
                "link": link,
                "case": {
                    "tracking_number": case.tracking_number,
                    "applicant_name": applicant,
                    "description": case.handling.description,
                },
            });
            let out = Outgoing {
                template: "case_forwarded",
                to,
                role: person.role.as_str(),
                dedup_key: format!(
                    "{}:{}:case_forwarded:{}:{}",
                    case.id, step.seq, fw.label, person.id
                ),
                agency_id: &case.agency_id,
                application_id: Some(&case.id),
            };
            write(conn, services, out, &ctx, now)?;
        }
    }
    Ok(())
}

/// `assign` and `reassign`: the new assignee hears that the case is theirs (unless they took
/// it themselves).
fn assigned(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    step: &Stepped<'_>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(id) = case.handling.assignee_id.as_deref() else {
        return Ok(());
    };
    let Some(person) = crate::domain::case::UserId::parse(id)
        .map(|uid| staff::user_by_id(conn, &uid))
        .transpose()?
        .flatten()
    else {
        return Ok(());
    };
    let Some(to) = person
        .email
        .as_deref()
        .filter(|_| person.disabled_at.is_none())
    else {
        return Ok(());
    };
    let by = events::for_application(conn, &case.id)?
        .into_iter()
        .find(|e| e.seq == step.seq)
        .and_then(|e| e.actor_id);
    if by.as_deref() == Some(id) {
        return Ok(());
    }
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    let mut ctx = context_with((&agency, &cal), case, step.deadlines);
    ctx["person"] = json!(person.name);
    ctx["reassigned"] = json!(step.kind == ActionKind::Reassign);
    ctx["reason"] = step.payload["reason"].clone();
    ctx["link"] = console_link(services, case);
    let out = Outgoing {
        template: "case_assigned",
        to,
        role: person.role.as_str(),
        dedup_key: format!("{}:{}:case_assigned", case.id, step.seq),
        agency_id: &case.agency_id,
        application_id: Some(&case.id),
    };
    write(conn, services, out, &ctx, now)
}
