//! What the API shows of a case and its history.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::db::models::{ApplicationRow, EventRow};
use crate::domain::case::{
    ApplicantKind, ChallengeKind, ChallengeResult, Channel, DeliveryMethod, InformationForm,
    OrganisationType, Outcome, Status,
};
use crate::domain::clock::PauseKind;
use crate::domain::fees::FeeScale;
use crate::domain::identity::IdDocumentType;
use crate::domain::workflow::{ExtensionState, Role};
use crate::service::auth::Principal;
use crate::service::cases::Extras;
use crate::service::clock::NextDeadlineInfo;

#[derive(Serialize)]
pub struct ApplicantView<'a> {
    pub kind: ApplicantKind,
    pub organisation_type: Option<OrganisationType>,
    pub name: &'a str,
    pub id_document_type: IdDocumentType,
    pub id_number_masked: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
}

#[derive(Serialize)]
pub struct RequestView<'a> {
    pub description: &'a str,
    pub document_number: Option<&'a str>,
    pub information_form: InformationForm,
    pub delivery_method: DeliveryMethod,
}

#[derive(Serialize)]
pub struct CorrectionView {
    pub requested_on: NaiveDate,
    pub period_working_days: Option<i32>,
    pub corrected_received_on: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct DecisionView<'a> {
    pub outcome: Option<Outcome>,
    /// Staff only: who drafted and who approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drafted_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<&'a str>,
}

#[derive(Serialize)]
pub struct DeliveryView {
    pub method: DeliveryMethod,
    /// By post, the day posted (交邮之日), which made the answer timely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posted_on: Option<NaiveDate>,
    /// The day signed for or sent; for a posted answer, once its return receipt is recorded.
    pub delivered_on: Option<NaiveDate>,
}

/// The processing fee (Fee Measures): what the applicant is asked, by when, and its fate.
#[derive(Serialize)]
pub struct FeeView {
    pub scale: Option<FeeScale>,
    pub amount_fen: Option<i64>,
    pub notice_on: Option<NaiveDate>,
    /// The day the applicant received the notice (unknown for a posted one until recorded).
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    /// The office waived the whole fee (a recorded decision).
    pub waived_on: Option<NaiveDate>,
}

/// What only staff see of a case (the applicant's view is defined in domain::visibility).
#[derive(Serialize)]
pub struct InternalView<'a> {
    /// The current draft answer with its reasoning, basis and withheld parts, as drafted.
    pub draft: Option<serde_json::Value>,
    pub extension: Option<ExtensionView<'a>>,
    /// The consultations: whom, when, and how each ended.
    pub consultations: serde_json::Value,
    /// Art. 35: when reasons were asked and the applicant replied.
    pub reasons_asked_on: Option<NaiveDate>,
    pub reasons_replied_on: Option<NaiveDate>,
    pub reopened_on: Option<NaiveDate>,
    /// Recorded challenges with their ids (to record a result); absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenges: Option<Vec<ChallengeView<'a>>>,
    /// The documents of the office's register the case names (issue 17); absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<&'a [crate::service::register::NamedDocument]>,
}

#[derive(Serialize)]
pub struct ExtensionView<'a> {
    pub state: ExtensionState,
    pub working_days: Option<i32>,
    pub requested_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ChallengeView<'a> {
    pub id: &'a str,
    pub kind: ChallengeKind,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    pub result: Option<ChallengeResult>,
    pub decided_on: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct ApplicationView<'a> {
    pub id: &'a str,
    pub tracking_number: &'a str,
    pub agency_code: &'a str,
    pub status: Status,
    pub version: i32,
    pub channel: Channel,
    /// Absent for a division's staff unless the office lets divisions see the applicant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<ApplicantView<'a>>,
    pub request: RequestView<'a>,
    pub assistance_needed: Option<&'a str>,
    pub registered_at: String,
    pub registered_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub correction: Option<CorrectionView>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub decision: Option<DecisionView<'a>>,
    pub delivery: Option<DeliveryView>,
    /// Present once a fee notice was sent or the fee waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<FeeView>,
    pub closed_on: Option<NaiveDate>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<InternalView<'a>>,
    /// Staff only: the handling inside the office (domain::handling); a division's staff see
    /// their own division's forwardings only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handling: Option<&'a crate::service::inside::Inside>,
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
    extras: Option<&'a Extras>,
) -> ApplicationView<'a> {
    // Staff of a division read the request and their forwardings, nothing else of the file.
    let division = principal.division().is_some();
    let staff = principal.staff().is_some() && !division;
    let inside = extras.and_then(|e| e.inside.as_ref());
    let sees_applicant = !division || inside.is_some_and(|i| i.sees_applicant);
    // The applicant's view of the outcome is defined once, in the domain.
    let answered = crate::domain::visibility::applicant_sees_outcome(c.status());
    let (clock, handling) = (&c.clock, &c.handling);
    ApplicationView {
        id: c.id.as_str(),
        tracking_number: &c.tracking_number,
        agency_code,
        status: c.status(),
        version: c.version,
        channel: c.channel,
        applicant: sees_applicant.then(|| ApplicantView {
            kind: c.applicant.kind,
            organisation_type: c.applicant.organisation_type,
            name: &c.applicant.name,
            id_document_type: c.applicant.id_document_type,
            id_number_masked: &c.applicant.id_number_masked,
            phone: &c.applicant.phone,
            email: c.applicant.email.as_deref(),
            address: c.applicant.address.as_deref(),
        }),
        request: RequestView {
            description: &handling.description,
            document_number: handling.document_number.as_deref(),
            information_form: c.information_form,
            delivery_method: c.delivery_wanted,
        },
        assistance_needed: c.assistance_needed.as_deref().filter(|_| !division),
        registered_at: instant(c.registered_at),
        registered_on: c.registered_on,
        received_on: clock.received_on,
        correction: clock
            .correction_requested_on
            .filter(|_| !division)
            .map(|requested_on| CorrectionView {
                requested_on,
                period_working_days: clock.correction_period_days,
                corrected_received_on: clock.corrected_received_on,
            }),
        consultation_letter_on: handling.consultation_letter_on.filter(|_| !division),
        // A draft answer is internal until it is delivered; staff names stay internal.
        decision: handling
            .outcome
            .filter(|_| !division && (staff || answered))
            .map(|outcome| DecisionView {
                outcome: Some(outcome),
                drafted_by: handling.decision_drafted_by.as_deref().filter(|_| staff),
                approved_by: handling.approved_by.as_deref().filter(|_| staff),
            }),
        delivery: clock
            .delivery_method
            .filter(|_| !division)
            .map(|m| DeliveryView {
                method: m,
                posted_on: clock.posted_on,
                delivered_on: clock.delivered_on,
            }),
        fee: (!division && (clock.fee.notice_on.is_some() || handling.fee_waived_on.is_some()))
            .then(|| FeeView {
                scale: clock.fee.scale,
                amount_fen: clock.fee.amount_fen,
                notice_on: clock.fee.notice_on,
                received_on: clock.fee.received_on,
                due_on: extras.and_then(|e| e.fee_due_on),
                paid_on: clock.fee.paid_on,
                waived_on: handling.fee_waived_on,
            }),
        closed_on: clock.closed_on,
        internal: staff.then(|| internal(c, extras)),
        handling: inside,
        next_deadline,
        updated_at: instant(c.updated_at),
        allowed_actions,
    }
}

/// Staff's view of what is internal to the office.
fn internal<'a>(c: &'a ApplicationRow, extras: Option<&'a Extras>) -> InternalView<'a> {
    let pauses: serde_json::Value =
        serde_json::from_str(&c.clock.clock_pauses).unwrap_or(serde_json::Value::Null);
    let consultations = pauses
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|p| p["kind"] == PauseKind::Consultation.as_str())
                .cloned()
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    InternalView {
        draft: c
            .handling
            .decision
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok()),
        extension: c.clock.extension.state.map(|state| ExtensionView {
            state,
            working_days: c.clock.extension.days,
            requested_by: c.clock.extension.requested_by.as_deref(),
            reason: extras.and_then(|e| e.extension_reason.as_deref()),
        }),
        consultations: serde_json::Value::Array(consultations),
        reasons_asked_on: c.handling.reasons_asked_on,
        reasons_replied_on: c.handling.reasons_replied_on,
        reopened_on: c.handling.reopened_on,
        challenges: extras.and_then(|e| e.challenges.as_ref()).map(|list| {
            list.iter()
                .map(|ch| ChallengeView {
                    id: &ch.id,
                    kind: ch.kind,
                    after_reconsideration: ch.after_reconsideration,
                    filed_on: ch.filed_on,
                    result: ch.result,
                    decided_on: ch.decided_on,
                })
                .collect()
        }),
        documents: extras.and_then(|e| e.documents.as_deref()),
    }
}

#[derive(Serialize)]
pub struct ActorView<'a> {
    pub role: Role,
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
}

#[derive(Serialize)]
pub struct EventView<'a> {
    pub seq: i32,
    pub occurred_at: String,
    pub actor: ActorView<'a>,
    pub action: &'a str,
    pub status_before: Option<Status>,
    pub status_after: Status,
    pub payload: serde_json::Value,
}

/// Applicants see what happened and when, and the role that did it, not staff names.
pub fn event<'a>(e: &'a EventRow, principal: &Principal) -> EventView<'a> {
    let staff_view = principal.staff().is_some();
    EventView {
        seq: e.seq,
        occurred_at: instant(e.occurred_at),
        actor: ActorView {
            role: e.actor_role,
            id: e.actor_id.as_deref().filter(|_| staff_view),
            name: e.actor_name.as_deref().filter(|_| staff_view),
        },
        action: &e.action,
        status_before: e.status_before,
        status_after: e.status_after,
        payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
    }
}
