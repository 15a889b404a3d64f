//! Rows as stored, and their conversion to and from the domain.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    agencies, applications, calendar_loads, calendar_years, challenges, documents, events, notices,
    users,
};
use crate::domain::case::{DeliveryMethod, Outcome, Status};
use crate::domain::clock::{ClockFacts, Deadline};
use crate::domain::fees::FeeScale;
use crate::domain::workflow::{Case, Extension, ExtensionState, Fee};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: String,
    pub code: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    /// Art. 35: applications by one applicant in a calendar month above which clerks are told.
    pub art35_monthly_threshold: i32,
    pub sender_email: Option<String>,
    pub sender_name: Option<String>,
    pub signature: Option<String>,
    /// The answer letter's document-number prefix (发文字号, e.g. 海政信复 → 海政信复〔2026〕4号).
    pub letter_prefix: Option<String>,
    /// The body that hears administrative reconsideration of the office's answers, as named in
    /// the letter's remedies (行政复议法 art. 20; usually 本级人民政府).
    pub reconsideration_body: Option<String>,
    /// The court named in the remedies (行政诉讼法 art. 46).
    pub court: Option<String>,
    /// How applicants pay processing fees (Fee Measures): payee, account, channel.
    pub payee: Option<String>,
    pub payment_account: Option<String>,
    pub payment_channel: Option<String>,
    /// Working days given to a case reopened after a justified late correction (RULES §8).
    pub reopen_working_days: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<String>,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    /// Where the daily digest and overdue alerts go; none, none sent.
    pub email: Option<String>,
    /// Set when an administrator disabled the user: the token then fails everywhere.
    pub disabled_at: Option<NaiveDateTime>,
    /// The last day (in China) the token was used; written only when the day changes.
    pub last_used_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: String,
    pub agency_id: String,
    pub tracking_number: String,
    pub channel: String,
    pub status: String,
    pub version: i32,
    pub applicant_kind: String,
    pub organisation_type: Option<String>,
    pub applicant_name: String,
    pub id_document_type: String,
    pub id_number_hash: String,
    pub id_number_masked: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub document_number: Option<String>,
    pub information_form: String,
    pub delivery_wanted: String,
    pub assistance_needed: Option<String>,
    pub access_token_hash: String,
    pub registered_by: Option<String>,
    pub registered_at: NaiveDateTime,
    pub registered_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    pub corrected_received_on: Option<NaiveDate>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub decision_drafted_by: Option<String>,
    pub approved_by: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
    pub clock_pauses: String,
    pub next_deadline_kind: Option<String>,
    pub next_deadline_on: Option<NaiveDate>,
    pub next_deadline_provisional: bool,
    pub decision: Option<String>,
    pub extension_state: Option<String>,
    pub extension_days: Option<i32>,
    pub extension_requested_by: Option<String>,
    pub office_set_period: Option<i32>,
    pub fee_scale: Option<String>,
    pub fee_amount_fen: Option<i64>,
    pub fee_notice_on: Option<NaiveDate>,
    pub fee_received_on: Option<NaiveDate>,
    pub fee_paid_on: Option<NaiveDate>,
    /// The seq of the case's last event.
    pub event_seq: i32,
    pub correction_notice_received_on: Option<NaiveDate>,
    pub posted_on: Option<NaiveDate>,
    pub reasons_asked_on: Option<NaiveDate>,
    pub reasons_replied_on: Option<NaiveDate>,
    pub reopened_on: Option<NaiveDate>,
    /// The deadlines (JSON) as they stood when the case closed: history, never recomputed.
    pub final_clock: Option<String>,
    pub final_answer_due_on: Option<NaiveDate>,
    pub fee_waived_on: Option<NaiveDate>,
}

/// A value in the database that the code does not know: a bug or a hand edit, never user input.
#[derive(Debug, thiserror::Error)]
#[error("stored value {value:?} in {column} is not recognised")]
pub struct CorruptValue {
    pub column: &'static str,
    pub value: String,
}

fn parse<T>(
    column: &'static str,
    value: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Result<T, CorruptValue> {
    f(value).ok_or_else(|| CorruptValue {
        column,
        value: value.to_owned(),
    })
}

fn parse_opt<T>(
    column: &'static str,
    value: &Option<String>,
    f: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, CorruptValue> {
    value.as_deref().map(|v| parse(column, v, f)).transpose()
}

/// The extension as stored (state and days, and who asked).
fn extension(
    state: &Option<String>,
    days: Option<i32>,
    requested_by: Option<String>,
) -> Result<Option<Extension>, CorruptValue> {
    match (state, days) {
        (Some(state), Some(days)) => Ok(Some(Extension {
            state: parse("extension_state", state, ExtensionState::parse)?,
            days,
            requested_by,
        })),
        _ => Ok(None),
    }
}

/// The fee notice as stored, once one was sent.
fn fee(
    scale: &Option<String>,
    amount_fen: Option<i64>,
    notice_on: Option<NaiveDate>,
    received_on: Option<NaiveDate>,
    paid_on: Option<NaiveDate>,
) -> Result<Option<Fee>, CorruptValue> {
    match (scale, amount_fen, notice_on) {
        (Some(scale), Some(amount_fen), Some(notice_on)) => Ok(Some(Fee {
            scale: parse("fee_scale", scale, FeeScale::parse)?,
            amount_fen,
            notice_on,
            received_on,
            paid_on,
        })),
        _ => Ok(None),
    }
}

impl ApplicationRow {
    pub fn status(&self) -> Result<Status, CorruptValue> {
        parse("status", &self.status, Status::parse)
    }

    /// The facts the workflow reads.
    pub fn case(&self) -> Result<Case, CorruptValue> {
        Ok(Case {
            status: Some(self.status()?),
            registered_on: Some(self.registered_on),
            received_on: self.received_on,
            description: self.description.clone(),
            document_number: self.document_number.clone(),
            correction_requested_on: self.correction_requested_on,
            correction_period_days: self.correction_period_days,
            correction_notice_received_on: self.correction_notice_received_on,
            corrected_received_on: self.corrected_received_on,
            consultation_letter_on: self.consultation_letter_on,
            posted_on: self.posted_on,
            reasons_asked_on: self.reasons_asked_on,
            reasons_replied_on: self.reasons_replied_on,
            reopened_on: self.reopened_on,
            fee_waived_on: self.fee_waived_on,
            outcome: parse_opt("outcome", &self.outcome, Outcome::parse)?,
            decision_drafted_by: self.decision_drafted_by.clone(),
            approved_by: self.approved_by.clone(),
            delivered_on: self.delivered_on,
            delivery_method: parse_opt(
                "delivery_method",
                &self.delivery_method,
                DeliveryMethod::parse,
            )?,
            closed_on: self.closed_on,
            pauses: serde_json::from_str(&self.clock_pauses).map_err(|_| CorruptValue {
                column: "clock_pauses",
                value: self.clock_pauses.clone(),
            })?,
            decision: match &self.decision {
                Some(d) => Some(serde_json::from_str(d).map_err(|_| CorruptValue {
                    column: "decision",
                    value: d.clone(),
                })?),
                None => None,
            },
            extension: extension(
                &self.extension_state,
                self.extension_days,
                self.extension_requested_by.clone(),
            )?,
            office_set_period: self.office_set_period,
            fee: fee(
                &self.fee_scale,
                self.fee_amount_fen,
                self.fee_notice_on,
                self.fee_received_on,
                self.fee_paid_on,
            )?,
            month_rank: 0,
            office: Default::default(),
        })
    }
}

/// Everything an action may change, written together with the version bump.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct CaseChanges {
    pub status: String,
    pub version: i32,
    pub description: String,
    pub document_number: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    pub corrected_received_on: Option<NaiveDate>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub decision_drafted_by: Option<String>,
    pub approved_by: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
    pub clock_pauses: String,
    pub next_deadline_kind: Option<String>,
    pub next_deadline_on: Option<NaiveDate>,
    pub next_deadline_provisional: bool,
    pub decision: Option<String>,
    pub extension_state: Option<String>,
    pub extension_days: Option<i32>,
    pub extension_requested_by: Option<String>,
    pub office_set_period: Option<i32>,
    pub fee_scale: Option<String>,
    pub fee_amount_fen: Option<i64>,
    pub fee_notice_on: Option<NaiveDate>,
    pub fee_received_on: Option<NaiveDate>,
    pub fee_paid_on: Option<NaiveDate>,
    pub correction_notice_received_on: Option<NaiveDate>,
    pub posted_on: Option<NaiveDate>,
    pub reasons_asked_on: Option<NaiveDate>,
    pub reasons_replied_on: Option<NaiveDate>,
    pub reopened_on: Option<NaiveDate>,
    pub final_clock: Option<String>,
    pub final_answer_due_on: Option<NaiveDate>,
    pub fee_waived_on: Option<NaiveDate>,
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
                .rfind(|d| d.kind == crate::domain::clock::DeadlineKind::Answer)
                .and_then(|d| d.due_on),
        }
    }
}

/// The next deadline as stored for the queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct NextDeadline {
    pub next_deadline_kind: Option<String>,
    pub next_deadline_on: Option<NaiveDate>,
    pub next_deadline_provisional: bool,
}

impl NextDeadline {
    pub fn of(d: Option<&Deadline>) -> Self {
        Self {
            next_deadline_kind: d.map(|d| d.kind.as_str().to_owned()),
            next_deadline_on: d.and_then(|d| d.due_on),
            next_deadline_provisional: d.is_some_and(|d| d.provisional),
        }
    }

    pub fn stored(row: &ApplicationRow) -> Self {
        Self {
            next_deadline_kind: row.next_deadline_kind.clone(),
            next_deadline_on: row.next_deadline_on,
            next_deadline_provisional: row.next_deadline_provisional,
        }
    }
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
            correction_notice_received_on: case.correction_notice_received_on,
            posted_on: case.posted_on,
            reasons_asked_on: case.reasons_asked_on,
            reasons_replied_on: case.reasons_replied_on,
            reopened_on: case.reopened_on,
            final_clock: closed.map(|c| c.json.clone()),
            final_answer_due_on: closed.and_then(|c| c.answer_due_on),
            fee_waived_on: case.fee_waived_on,
            status: case.status().as_str().to_owned(),
            version,
            description: case.description.clone(),
            document_number: case.document_number.clone(),
            received_on: case.received_on,
            correction_requested_on: case.correction_requested_on,
            correction_period_days: case.correction_period_days,
            corrected_received_on: case.corrected_received_on,
            consultation_letter_on: case.consultation_letter_on,
            outcome: case.outcome.map(|o| o.as_str().to_owned()),
            decision_drafted_by: case.decision_drafted_by.clone(),
            approved_by: case.approved_by.clone(),
            delivered_on: case.delivered_on,
            delivery_method: case.delivery_method.map(|m| m.as_str().to_owned()),
            closed_on: case.closed_on,
            updated_at: now,
            clock_pauses: serde_json::to_string(&case.pauses).expect("pauses serialise"),
            next_deadline_kind: next.next_deadline_kind,
            next_deadline_on: next.next_deadline_on,
            next_deadline_provisional: next.next_deadline_provisional,
            decision: case
                .decision
                .as_ref()
                .map(|d| serde_json::to_string(d).expect("decisions serialise")),
            extension_state: case.extension.as_ref().map(|e| e.state.as_str().to_owned()),
            extension_days: case.extension.as_ref().map(|e| e.days),
            extension_requested_by: case.extension.as_ref().and_then(|e| e.requested_by.clone()),
            office_set_period: case.office_set_period,
            fee_scale: case.fee.as_ref().map(|f| f.scale.as_str().to_owned()),
            fee_amount_fen: case.fee.as_ref().map(|f| f.amount_fen),
            fee_notice_on: case.fee.as_ref().map(|f| f.notice_on),
            fee_received_on: case.fee.as_ref().and_then(|f| f.received_on),
            fee_paid_on: case.fee.as_ref().and_then(|f| f.paid_on),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub application_id: String,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub status_before: Option<String>,
    pub status_after: String,
    pub payload: String,
    /// The hash chain (domain::audit); filled in by `events::insert`, never by callers.
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl EventRow {
    pub fn content(&self) -> crate::domain::audit::EventContent<'_> {
        crate::domain::audit::EventContent {
            id: &self.id,
            application_id: &self.application_id,
            seq: self.seq,
            occurred_at: self.occurred_at,
            actor_role: &self.actor_role,
            actor_id: self.actor_id.as_deref(),
            actor_name: self.actor_name.as_deref(),
            action: &self.action,
            status_before: self.status_before.as_deref(),
            status_after: &self.status_after,
            payload: &self.payload,
        }
    }

    /// Links the event to the one before it (`None`: it is the case's first) and hashes it.
    pub fn chain_to(&mut self, prev_hash: Option<&str>) {
        use crate::domain::audit;
        self.occurred_at = audit::to_micros(self.occurred_at);
        let prev = prev_hash.unwrap_or(audit::GENESIS).to_owned();
        self.hash = Some(audit::event_hash(&self.content(), &prev));
        self.prev_hash = Some(prev);
    }
}

/// A request for administrative reconsideration or a lawsuit about a case's decision.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    pub id: String,
    pub application_id: String,
    pub agency_id: String,
    pub kind: String,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    pub result: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_years)]
pub struct CalendarYear {
    pub year: i32,
    pub source: Option<String>,
    pub notice: String,
    pub loaded_at: NaiveDateTime,
    pub loaded_by: Option<String>,
    /// `shipped`, `command_line` or `api`.
    pub loaded_via: Option<String>,
}

/// One load of the calendar, national (`agency_id` none) or an office's local days off.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_loads)]
pub struct CalendarLoad {
    pub id: String,
    pub loaded_at: NaiveDateTime,
    /// `shipped`, `command_line` or `api`.
    pub via: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub actor_agency_id: Option<String>,
    pub agency_id: Option<String>,
    pub year: i32,
    /// What changed, as a JSON object.
    pub changes: String,
}

/// The columns the statutory clock reads, for recomputing many open cases at once.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ClockRow {
    pub id: String,
    pub agency_id: String,
    pub version: i32,
    pub status: String,
    pub registered_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    pub correction_notice_received_on: Option<NaiveDate>,
    pub corrected_received_on: Option<NaiveDate>,
    pub clock_pauses: String,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<String>,
    pub posted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub next_deadline_kind: Option<String>,
    pub next_deadline_on: Option<NaiveDate>,
    pub next_deadline_provisional: bool,
    pub extension_state: Option<String>,
    pub extension_days: Option<i32>,
    pub office_set_period: Option<i32>,
    pub fee_scale: Option<String>,
    pub fee_amount_fen: Option<i64>,
    pub fee_notice_on: Option<NaiveDate>,
    pub fee_received_on: Option<NaiveDate>,
    pub fee_paid_on: Option<NaiveDate>,
    pub event_seq: i32,
}

impl ClockRow {
    /// The clock's facts, through the one definition the workflow's case gives.
    pub fn facts(&self) -> Result<ClockFacts, CorruptValue> {
        let case = Case {
            status: Some(parse("status", &self.status, Status::parse)?),
            registered_on: Some(self.registered_on),
            received_on: self.received_on,
            correction_requested_on: self.correction_requested_on,
            correction_period_days: self.correction_period_days,
            correction_notice_received_on: self.correction_notice_received_on,
            corrected_received_on: self.corrected_received_on,
            pauses: serde_json::from_str(&self.clock_pauses).map_err(|_| CorruptValue {
                column: "clock_pauses",
                value: self.clock_pauses.clone(),
            })?,
            delivered_on: self.delivered_on,
            delivery_method: parse_opt(
                "delivery_method",
                &self.delivery_method,
                DeliveryMethod::parse,
            )?,
            posted_on: self.posted_on,
            closed_on: self.closed_on,
            extension: extension(&self.extension_state, self.extension_days, None)?,
            office_set_period: self.office_set_period,
            fee: fee(
                &self.fee_scale,
                self.fee_amount_fen,
                self.fee_notice_on,
                self.fee_received_on,
                self.fee_paid_on,
            )?,
            ..Case::default()
        };
        Ok(case.clock_facts())
    }

    pub fn stored(&self) -> NextDeadline {
        NextDeadline {
            next_deadline_kind: self.next_deadline_kind.clone(),
            next_deadline_on: self.next_deadline_on,
            next_deadline_provisional: self.next_deadline_provisional,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub application_id: String,
    pub kind: String,
    pub html: String,
    pub text: String,
    pub sha256: String,
    pub created_at: NaiveDateTime,
    /// The letter's document number (海政信复〔2026〕4号); none when the office has no prefix.
    pub document_number: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    pub id: String,
    pub dedup_key: String,
    pub application_id: Option<String>,
    pub agency_id: String,
    pub template: String,
    pub recipient: String,
    pub recipient_role: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}
