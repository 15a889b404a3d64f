//! An application's row, in column groups that each appear once: what the statutory clock
//! reads (`ClockColumns`, with the fee, extension and next-deadline groups inside), and what
//! else an action changes (`HandlingColumns`). The row, the change set and the clock's row embed
//! the same groups, so no list of columns is written twice.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::filing::ApplicantColumns;
use super::models::CorruptValue;
use super::schema::applications;
use crate::domain::case::{
    ApplicationId, Channel, DeliveryMethod, InformationForm, Outcome, Status,
};
use crate::domain::clock::{ClockFacts, Deadline, DeadlineKind};
use crate::domain::fees::FeeScale;
use crate::domain::workflow::{Case, Extension, ExtensionState, Fee};

/// The fee notice as stored (Fee Measures): all `None` until one was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct FeeColumns {
    #[diesel(column_name = fee_scale)]
    pub scale: Option<FeeScale>,
    #[diesel(column_name = fee_amount_fen)]
    pub amount_fen: Option<i64>,
    #[diesel(column_name = fee_notice_on)]
    pub notice_on: Option<NaiveDate>,
    #[diesel(column_name = fee_received_on)]
    pub received_on: Option<NaiveDate>,
    #[diesel(column_name = fee_paid_on)]
    pub paid_on: Option<NaiveDate>,
}

impl FeeColumns {
    pub fn of(fee: Option<&Fee>) -> Self {
        fee.map_or_else(Self::default, |f| Self {
            scale: Some(f.scale),
            amount_fen: Some(f.amount_fen),
            notice_on: Some(f.notice_on),
            received_on: f.received_on,
            paid_on: f.paid_on,
        })
    }

    /// The fee notice, once one was sent.
    pub fn fee(&self) -> Option<Fee> {
        Some(Fee {
            scale: self.scale?,
            amount_fen: self.amount_fen?,
            notice_on: self.notice_on?,
            received_on: self.received_on,
            paid_on: self.paid_on,
        })
    }
}

/// The extension of the answer period as stored (art. 33 ¶1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct ExtensionColumns {
    #[diesel(column_name = extension_state)]
    pub state: Option<ExtensionState>,
    #[diesel(column_name = extension_days)]
    pub days: Option<i32>,
    #[diesel(column_name = extension_requested_by)]
    pub requested_by: Option<String>,
}

impl ExtensionColumns {
    pub fn of(extension: Option<&Extension>) -> Self {
        extension.map_or_else(Self::default, |e| Self {
            state: Some(e.state),
            days: Some(e.days),
            requested_by: e.requested_by.clone(),
        })
    }

    pub fn extension(&self) -> Option<Extension> {
        Some(Extension {
            state: self.state?,
            days: self.days?,
            requested_by: self.requested_by.clone(),
        })
    }
}

/// The next deadline as stored for the queue.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct NextDeadline {
    #[diesel(column_name = next_deadline_kind)]
    pub kind: Option<DeadlineKind>,
    #[diesel(column_name = next_deadline_on)]
    pub on: Option<NaiveDate>,
    #[diesel(column_name = next_deadline_provisional)]
    pub provisional: bool,
}

impl NextDeadline {
    pub fn of(d: Option<&Deadline>) -> Self {
        Self {
            kind: d.map(|d| d.kind),
            on: d.and_then(|d| d.due_on),
            provisional: d.is_some_and(|d| d.provisional),
        }
    }
}

/// What the statutory clock reads of a case, and the deadline it last gave.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct ClockColumns {
    pub status: Status,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    pub correction_notice_received_on: Option<NaiveDate>,
    pub corrected_received_on: Option<NaiveDate>,
    /// The clock's pauses (art. 33 ¶2), as JSON.
    pub clock_pauses: String,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<DeliveryMethod>,
    pub posted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub office_set_period: Option<i32>,
    #[diesel(embed)]
    pub fee: FeeColumns,
    #[diesel(embed)]
    pub extension: ExtensionColumns,
    #[diesel(embed)]
    pub next: NextDeadline,
}

/// What else the workflow's actions change: the request as corrected, the answer, the record
/// of a closed case.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct HandlingColumns {
    pub description: String,
    pub document_number: Option<String>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub decision_drafted_by: Option<String>,
    pub approved_by: Option<String>,
    /// The drafted answer (JSON).
    pub decision: Option<String>,
    pub reasons_asked_on: Option<NaiveDate>,
    pub reasons_replied_on: Option<NaiveDate>,
    pub reopened_on: Option<NaiveDate>,
    pub fee_waived_on: Option<NaiveDate>,
    /// The deadlines (JSON) as they stood when the case closed: history, never recomputed.
    pub final_clock: Option<String>,
    pub final_answer_due_on: Option<NaiveDate>,
    /// Inside the office (domain::handling): who handles the case, the approval level its
    /// draft waits at, who approved level 1, and the earliest internal due day still open.
    pub assignee_id: Option<String>,
    pub approval_stage: Option<i32>,
    pub first_approved_by: Option<String>,
    pub internal_due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: ApplicationId,
    pub agency_id: String,
    pub tracking_number: String,
    pub channel: Channel,
    pub version: i32,
    #[diesel(embed)]
    pub applicant: ApplicantColumns,
    pub information_form: InformationForm,
    pub delivery_wanted: DeliveryMethod,
    pub assistance_needed: Option<String>,
    pub access_token_hash: String,
    pub registered_by: Option<String>,
    pub registered_at: NaiveDateTime,
    pub registered_on: NaiveDate,
    pub updated_at: NaiveDateTime,
    /// The seq of the case's last event.
    pub event_seq: i32,
    #[diesel(embed)]
    pub clock: ClockColumns,
    #[diesel(embed)]
    pub handling: HandlingColumns,
}

fn json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    value: &str,
) -> Result<T, CorruptValue> {
    serde_json::from_str(value).map_err(|_| CorruptValue {
        column,
        value: value.to_owned(),
    })
}

impl ClockColumns {
    /// The clock's facts as a case (the rest of it default).
    fn case(&self, registered_on: NaiveDate) -> Result<Case, CorruptValue> {
        Ok(Case {
            status: Some(self.status),
            registered_on: Some(registered_on),
            received_on: self.received_on,
            correction_requested_on: self.correction_requested_on,
            correction_period_days: self.correction_period_days,
            correction_notice_received_on: self.correction_notice_received_on,
            corrected_received_on: self.corrected_received_on,
            pauses: json("clock_pauses", &self.clock_pauses)?,
            delivered_on: self.delivered_on,
            delivery_method: self.delivery_method,
            posted_on: self.posted_on,
            closed_on: self.closed_on,
            extension: self.extension.extension(),
            office_set_period: self.office_set_period,
            fee: self.fee.fee(),
            ..Case::default()
        })
    }

    fn of(case: &Case, next: NextDeadline) -> Self {
        Self {
            status: case.status(),
            received_on: case.received_on,
            correction_requested_on: case.correction_requested_on,
            correction_period_days: case.correction_period_days,
            correction_notice_received_on: case.correction_notice_received_on,
            corrected_received_on: case.corrected_received_on,
            clock_pauses: serde_json::to_string(&case.pauses).expect("pauses serialise"),
            delivered_on: case.delivered_on,
            delivery_method: case.delivery_method,
            posted_on: case.posted_on,
            closed_on: case.closed_on,
            office_set_period: case.office_set_period,
            fee: FeeColumns::of(case.fee.as_ref()),
            extension: ExtensionColumns::of(case.extension.as_ref()),
            next,
        }
    }
}

impl HandlingColumns {
    fn of(case: &Case, closed: Option<&FinalClock>) -> Self {
        Self {
            description: case.description.clone(),
            document_number: case.document_number.clone(),
            consultation_letter_on: case.consultation_letter_on,
            outcome: case.outcome,
            decision_drafted_by: case.decision_drafted_by.clone(),
            approved_by: case.approved_by.clone(),
            decision: case
                .decision
                .as_ref()
                .map(|d| serde_json::to_string(d).expect("decisions serialise")),
            reasons_asked_on: case.reasons_asked_on,
            reasons_replied_on: case.reasons_replied_on,
            reopened_on: case.reopened_on,
            fee_waived_on: case.fee_waived_on,
            final_clock: closed.map(|c| c.json.clone()),
            final_answer_due_on: closed.and_then(|c| c.answer_due_on),
            assignee_id: case.assignee.clone(),
            approval_stage: case.approval_stage.map(i32::from),
            first_approved_by: case.first_approved_by.clone(),
            // A closed case waits for no division.
            internal_due_on: match case.status().is_terminal() {
                true => None,
                false => crate::domain::handling::next_internal_due(&case.forwardings),
            },
        }
    }
}

impl ApplicationRow {
    pub fn status(&self) -> Status {
        self.clock.status
    }

    /// The facts the workflow reads.
    pub fn case(&self) -> Result<Case, CorruptValue> {
        let h = &self.handling;
        Ok(Case {
            description: h.description.clone(),
            document_number: h.document_number.clone(),
            consultation_letter_on: h.consultation_letter_on,
            outcome: h.outcome,
            decision_drafted_by: h.decision_drafted_by.clone(),
            approved_by: h.approved_by.clone(),
            decision: h
                .decision
                .as_deref()
                .map(|d| json("decision", d))
                .transpose()?,
            reasons_asked_on: h.reasons_asked_on,
            reasons_replied_on: h.reasons_replied_on,
            reopened_on: h.reopened_on,
            fee_waived_on: h.fee_waived_on,
            assignee: h.assignee_id.clone(),
            approval_stage: h.approval_stage.and_then(|n| u8::try_from(n).ok()),
            first_approved_by: h.first_approved_by.clone(),
            // Read with the case by the service (db::forwardings).
            forwardings: Vec::new(),
            ..self.clock.case(self.registered_on)?
        })
    }
}

/// Everything an action may change, written together with the version bump.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct CaseChanges {
    pub version: i32,
    pub updated_at: NaiveDateTime,
    #[diesel(embed)]
    pub clock: ClockColumns,
    #[diesel(embed)]
    pub handling: HandlingColumns,
}

impl CaseChanges {
    /// `closed` is the clock as it stood at closure: kept as history, never recomputed.
    pub fn new(
        case: &Case,
        next: NextDeadline,
        closed: Option<&FinalClock>,
        version: i32,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            version,
            updated_at: now,
            clock: ClockColumns::of(case, next),
            handling: HandlingColumns::of(case, closed),
        }
    }
}

/// A closed case's deadlines as they stood when it closed.
#[derive(Debug, Clone)]
pub struct FinalClock {
    pub json: String,
    pub answer_due_on: Option<NaiveDate>,
}

impl FinalClock {
    pub fn of(deadlines: &[Deadline]) -> Self {
        Self {
            json: serde_json::to_string(deadlines).expect("deadlines serialise"),
            answer_due_on: deadlines
                .iter()
                .rfind(|d| d.kind == DeadlineKind::Answer)
                .and_then(|d| d.due_on),
        }
    }
}

/// The columns the statutory clock reads, for recomputing many open cases at once.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ClockRow {
    pub id: ApplicationId,
    pub agency_id: String,
    pub version: i32,
    pub registered_on: NaiveDate,
    pub event_seq: i32,
    #[diesel(embed)]
    pub clock: ClockColumns,
}

impl ClockRow {
    /// The clock's facts, through the one definition the workflow's case gives.
    pub fn facts(&self) -> Result<ClockFacts, CorruptValue> {
        Ok(self.clock.case(self.registered_on)?.clock_facts())
    }
}
