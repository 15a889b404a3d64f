//! What the API shows of a case and its history.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::db::models::{ApplicationRow, EventRow};
use crate::service::auth::Principal;
use crate::service::clock::NextDeadlineInfo;

#[derive(Serialize)]
pub struct ApplicantView<'a> {
    pub kind: &'a str,
    pub organisation_type: Option<&'a str>,
    pub name: &'a str,
    pub id_document_type: &'a str,
    pub id_number_masked: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
}

#[derive(Serialize)]
pub struct RequestView<'a> {
    pub description: &'a str,
    pub document_number: Option<&'a str>,
    pub information_form: &'a str,
    pub delivery_method: &'a str,
}

#[derive(Serialize)]
pub struct CorrectionView {
    pub requested_on: NaiveDate,
    pub period_working_days: Option<i32>,
    pub corrected_received_on: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct DecisionView<'a> {
    pub outcome: Option<&'a str>,
    pub drafted_by: Option<&'a str>,
    pub approved_by: Option<&'a str>,
}

#[derive(Serialize)]
pub struct DeliveryView<'a> {
    pub method: &'a str,
    pub delivered_on: NaiveDate,
}

#[derive(Serialize)]
pub struct ApplicationView<'a> {
    pub id: &'a str,
    pub tracking_number: &'a str,
    pub agency_code: &'a str,
    pub status: &'a str,
    pub version: i32,
    pub channel: &'a str,
    pub applicant: ApplicantView<'a>,
    pub request: RequestView<'a>,
    pub assistance_needed: Option<&'a str>,
    pub registered_at: String,
    pub registered_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub correction: Option<CorrectionView>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub decision: Option<DecisionView<'a>>,
    pub delivery: Option<DeliveryView<'a>>,
    pub closed_on: Option<NaiveDate>,
    /// The deadline to watch next (art. 30, 32–34), while one is running.
    pub next_deadline: Option<&'a NextDeadlineInfo>,
    pub updated_at: String,
    /// What the caller may do next; any other action is refused.
    pub allowed_actions: Vec<&'static str>,
}

/// Instants leave the service as RFC 3339 in UTC.
pub fn instant(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn application<'a>(
    c: &'a ApplicationRow,
    agency_code: &'a str,
    principal: &Principal,
    next_deadline: Option<&'a NextDeadlineInfo>,
    allowed_actions: Vec<&'static str>,
) -> ApplicationView<'a> {
    let staff = principal.staff().is_some();
    // The applicant learns the outcome from the delivered answer (or the closing notice), never
    // from a draft, even one left behind by a withdrawal.
    let answered = matches!(
        c.status.as_str(),
        "delivered"
            | "closed_without_processing"
            | "abandoned_no_correction"
            | "abandoned_fee_unpaid"
    );
    ApplicationView {
        id: &c.id,
        tracking_number: &c.tracking_number,
        agency_code,
        status: &c.status,
        version: c.version,
        channel: &c.channel,
        applicant: ApplicantView {
            kind: &c.applicant_kind,
            organisation_type: c.organisation_type.as_deref(),
            name: &c.applicant_name,
            id_document_type: &c.id_document_type,
            id_number_masked: &c.id_number_masked,
            phone: &c.phone,
            email: c.email.as_deref(),
            address: c.address.as_deref(),
        },
        request: RequestView {
            description: &c.description,
            document_number: c.document_number.as_deref(),
            information_form: &c.information_form,
            delivery_method: &c.delivery_wanted,
        },
        assistance_needed: c.assistance_needed.as_deref(),
        registered_at: instant(c.registered_at),
        registered_on: c.registered_on,
        received_on: c.received_on,
        correction: c
            .correction_requested_on
            .map(|requested_on| CorrectionView {
                requested_on,
                period_working_days: c.correction_period_days,
                corrected_received_on: c.corrected_received_on,
            }),
        consultation_letter_on: c.consultation_letter_on,
        // A draft answer is internal until it is delivered; staff names stay internal.
        decision: c
            .outcome
            .as_deref()
            .filter(|_| staff || answered)
            .map(|outcome| DecisionView {
                outcome: Some(outcome),
                drafted_by: c.decision_drafted_by.as_deref().filter(|_| staff),
                approved_by: c.approved_by.as_deref().filter(|_| staff),
            }),
        delivery: match (&c.delivery_method, c.delivered_on) {
            (Some(m), Some(on)) => Some(DeliveryView {
                method: m,
                delivered_on: on,
            }),
            _ => None,
        },
        closed_on: c.closed_on,
        next_deadline,
        updated_at: instant(c.updated_at),
        allowed_actions,
    }
}

#[derive(Serialize)]
pub struct ActorView<'a> {
    pub role: &'a str,
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EventView<'a> {
    pub seq: i32,
    pub occurred_at: String,
    pub actor: ActorView<'a>,
    pub action: &'a str,
    pub status_before: Option<&'a str>,
    pub status_after: &'a str,
    pub payload: serde_json::Value,
}

/// Applicants see what happened and when, and the role that did it, not staff names.
pub fn event<'a>(e: &'a EventRow, principal: &Principal) -> EventView<'a> {
    let staff_view = principal.staff().is_some();
    EventView {
        seq: e.seq,
        occurred_at: instant(e.occurred_at),
        actor: ActorView {
            role: &e.actor_role,
            id: e.actor_id.as_deref().filter(|_| staff_view),
            name: e.actor_name.as_deref().filter(|_| staff_view),
        },
        action: &e.action,
        status_before: e.status_before.as_deref(),
        status_after: &e.status_after,
        payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
    }
}
