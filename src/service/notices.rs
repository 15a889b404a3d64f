//! Notices to applicants and consulted parties: chosen by the step that causes them, rendered
//! and written to the outbox in that step's transaction, with a de-duplication key so the same
//! step never yields the same notice twice.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{ServiceError, Services};
use crate::db::models::{Agency, ApplicationRow, NoticeRow};
use crate::db::{documents, events, notices, staff, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::clock::{self, DeadlineKind};
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

fn due(deadlines: &[clock::Deadline], kind: DeadlineKind) -> Value {
    deadlines
        .iter()
        .filter(|d| d.kind == kind)
        .filter_map(|d| d.due_on)
        .next_back()
        .map_or(Value::Null, |d| json!(d))
}

/// The values every template sees.
fn context(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    now: DateTime<Utc>,
) -> Result<Value, ServiceError> {
    let agency = staff::agency_by_id(conn, &case.agency_id)?;
    let cal = services.calendars.get(conn, Some(&case.agency_id))?;
    Ok(context_of(&agency, &cal, case, now))
}

/// The same, from an office and calendar the caller already holds.
fn context_of(agency: &Agency, cal: &Calendar, case: &ApplicationRow, now: DateTime<Utc>) -> Value {
    let deadlines = due_days(cal, case, legal_date(now));
    json!({
        "agency": {
            "name": agency.name,
            "signature": agency.signature.clone().unwrap_or_else(|| agency.name.clone()),
            // How to pay a fee (the fee notice states it; RULES §8); null while unset.
            "payment": staff::payment_details(agency),
        },
        "case": {
            "tracking_number": case.tracking_number,
            "applicant_name": case.applicant_name,
            "description": case.description,
            "received_on": case.received_on,
            "registered_on": case.registered_on,
            "status": case.status,
        },
        "answer_due": due(&deadlines, DeadlineKind::Answer),
        "correction_due": due(&deadlines, DeadlineKind::CorrectionPeriod),
        "fee_due": due(&deadlines, DeadlineKind::FeePayment),
        "reply_due": due(&deadlines, DeadlineKind::ConsultationReply),
        "extension_days": case.extension_days,
    })
}

/// A notice to write: which template, to whom, and its de-duplication key.
pub(super) struct Outgoing<'a> {
    pub template: &'a str,
    pub to: &'a str,
    pub role: &'a str,
    pub dedup_key: String,
    pub agency_id: &'a str,
    pub application_id: Option<&'a str>,
}

/// Renders a notice into an outbox row, pending from `now`; its Message-ID is fixed here so a
/// resend after a crash carries the same one.
pub(super) fn render(
    services: &Services,
    out: Outgoing<'_>,
    ctx: &Value,
    now: DateTime<Utc>,
) -> Result<NoticeRow, ServiceError> {
    let r = services
        .templates
        .render(out.template, ctx)
        .map_err(ServiceError::Conflict)?;
    let id = uuid::Uuid::now_v7().to_string();
    Ok(NoticeRow {
        message_id: format!("<{id}@gongkai>"),
        id,
        dedup_key: out.dedup_key,
        application_id: out.application_id.map(str::to_owned),
        agency_id: out.agency_id.to_owned(),
        template: out.template.to_owned(),
        recipient: out.to.to_owned(),
        recipient_role: out.role.to_owned(),
        subject: r.subject,
        body_text: r.text,
        body_html: r.html,
        status: "pending".into(),
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
    notices::enqueue(conn, &render(services, out, ctx, now)?)?;
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
    let Some(email) = case.email.as_deref() else {
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
    write(conn, services, out, &ctx, now)
}

/// The notice a workflow step causes, if any, written with the step's event (number `seq`).
pub fn for_step(
    conn: &mut DbConnection,
    services: &Services,
    case: &ApplicationRow,
    kind: ActionKind,
    payload: &Value,
    seq: i32,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some((template, recipient)) = template_for(kind) else {
        return Ok(());
    };
    let to = match recipient {
        Recipient::Applicant => case.email.clone().map(|e| (e, "applicant")),
        Recipient::ConsultedParty => payload["party_email"]
            .as_str()
            .map(|e| (e.to_owned(), "consulted_party")),
    };
    // No address known: the notice goes by post, outside this service.
    let Some((to, role)) = to else { return Ok(()) };
    let mut ctx = context(conn, services, case, now)?;
    ctx["payload"] = payload.clone();
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
    if kind == ActionKind::Deliver {
        let letter = documents::of_kind(conn, &case.id, super::letters::ANSWER_LETTER)?;
        ctx["letter_text"] = json!(letter.as_ref().map(|l| l.text.clone()));
        ctx["letter_html"] = json!(letter.as_ref().map(|l| l.html.clone()));
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
    write(conn, services, out, &ctx, now)
}
