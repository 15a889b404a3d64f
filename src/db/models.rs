//! Rows as stored, and their conversion to and from the domain.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use super::case_row::{
    ApplicationRow, CaseChanges, ClockColumns, ClockRow, ExtensionColumns, FeeColumns, FinalClock,
    HandlingColumns, NextDeadline,
};
pub use super::filing::{ApplicantColumns, NewApplication, Request};
use super::schema::{
    agencies, calendar_loads, calendar_years, challenges, documents, events, notices, users,
};
use crate::domain::calendar::LoadVia;
use crate::domain::case::{
    AgencyCode, ApplicationId, ChallengeKind, ChallengeResult, Status, UserId,
};
use crate::domain::outbox::{NoticeId, NoticeStatus};
use crate::domain::workflow::Role;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: String,
    pub code: AgencyCode,
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
    /// One or two approval levels (domain::handling).
    pub approval_levels: i32,
    /// Working days a division has to reply to a forwarding, by default.
    pub forwarding_working_days: i32,
    /// Whether divisions see the applicant's identity on what is forwarded to them.
    pub divisions_see_applicant: bool,
    /// The annual review proposes for proactive disclosure a document asked for by at least
    /// this many distinct applicants in 12 months (art. 44; domain::register).
    pub register_review_threshold: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<String>,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    /// Where the daily digest and overdue alerts go; none, none sent.
    pub email: Option<String>,
    /// Set when an administrator disabled the user: the token then fails everywhere.
    pub disabled_at: Option<NaiveDateTime>,
    /// The last day (in China) the token was used; written only when the day changes.
    pub last_used_on: Option<NaiveDate>,
    /// The name the user signs in to the web console with; none, no console sign-in.
    pub login: Option<String>,
    /// Argon2id (PHC string); none until a password is set.
    pub password_hash: Option<String>,
    /// The division (处室) the user works in: they then see only what is forwarded to it.
    pub division_id: Option<String>,
    pub division_head: bool,
    /// For approvers: 1 (head of the disclosure unit) or 2 (the leader in charge).
    pub approval_level: i32,
}

/// A value in the database that the code does not know: a bug or a hand edit, never user input.
#[derive(Debug, thiserror::Error)]
#[error("stored value {value:?} in {column} is not recognised")]
pub struct CorruptValue {
    pub column: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub application_id: ApplicationId,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_role: Role,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub status_before: Option<Status>,
    pub status_after: Status,
    pub payload: String,
    /// The hash chain (domain::audit); filled in by `events::insert`, never by callers.
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl EventRow {
    pub fn content(&self) -> crate::domain::audit::EventContent<'_> {
        crate::domain::audit::EventContent {
            id: &self.id,
            application_id: self.application_id.as_str(),
            seq: self.seq,
            occurred_at: self.occurred_at,
            actor_role: self.actor_role.as_str(),
            actor_id: self.actor_id.as_deref(),
            actor_name: self.actor_name.as_deref(),
            action: &self.action,
            status_before: self.status_before.map(Status::as_str),
            status_after: self.status_after.as_str(),
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
    pub application_id: ApplicationId,
    pub agency_id: String,
    pub kind: ChallengeKind,
    pub after_reconsideration: bool,
    pub filed_on: NaiveDate,
    pub result: Option<ChallengeResult>,
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
    pub loaded_via: Option<LoadVia>,
}

/// One load of the calendar, national (`agency_id` none) or an office's local days off.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_loads)]
pub struct CalendarLoad {
    pub id: String,
    pub loaded_at: NaiveDateTime,
    pub via: LoadVia,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<Role>,
    pub actor_agency_id: Option<String>,
    pub agency_id: Option<String>,
    pub year: i32,
    /// What changed, as a JSON object.
    pub changes: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub application_id: ApplicationId,
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
    pub id: NoticeId,
    pub dedup_key: String,
    pub application_id: Option<ApplicationId>,
    pub agency_id: String,
    pub template: String,
    pub recipient: String,
    /// `applicant`, `consulted_party`, or the staff role of a reminder's recipient.
    pub recipient_role: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: NoticeStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub message_id: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}
