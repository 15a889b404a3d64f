//! What each workflow action takes as input, validated at the edge, and the action itself.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::case::{ChallengeKind, ChallengeResult, DeliveryMethod};
use super::decision::ProposeDecision;
use super::fees::FeeScale;
use super::str_enum;
use super::workflow::ActionKind;

const MAX_TEXT: u64 = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ConfirmReceipt {
    #[serde(with = "super::date::strict")]
    pub received_on: NaiveDate,
    /// How receipt was established, e.g. "signed for by the mail room" (art. 31).
    #[validate(length(max = 1000))]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[validate(length(max = 10000))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RequestCorrection {
    /// Everything that needs correcting, all at once (art. 30).
    #[validate(length(min = 1, max = 50), custom(function = "non_blank_items"))]
    pub items: Vec<String>,
    /// The reasonable period the applicant is given, in working days.
    #[validate(range(min = 1, max = 60))]
    pub period_working_days: i32,
    /// Sent by post: the applicant's period (art. 30) runs from the day they received it, known
    /// when the signed receipt is recorded (`record_notice_received`); sent online or by e-mail,
    /// it is received the day it is sent.
    #[serde(default)]
    pub by_post: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SubmitCorrection {
    /// What the applicant says in answer to the correction notice.
    #[validate(custom(function = "super::text::written_text"))]
    pub statement: String,
    /// A corrected description of the information sought, replacing the original.
    #[validate(custom(function = "super::text::written_text"))]
    pub description: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "super::text::visible_text")
    )]
    pub document_number: Option<String>,
    /// When a clerk records a paper correction: the day it was received (art. 31).
    #[serde(default, with = "super::date::strict_option")]
    pub received_on: Option<NaiveDate>,
}

str_enum! {
    pub enum ConsultedParty {
        ThirdParty = "third_party",
        Agency = "agency",
    }
}

str_enum! {
    pub enum ConsultationReply {
        Consent = "consent",
        Objection = "objection",
        /// Art. 34: another agency's silence within the period counts as consent.
        NoReply = "no_reply",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct StartConsultation {
    pub party_kind: ConsultedParty,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "super::text::one_line_text")
    )]
    pub party_name: String,
    /// Where the letter is e-mailed: an address the mailer can use.
    #[validate(email, custom(function = "super::text::mail_address"))]
    pub party_email: Option<String>,
    /// The date of the consultation letter.
    #[serde(with = "super::date::strict")]
    pub letter_date: NaiveDate,
    /// The day the party received the letter (its signed receipt), when known; its 15 working
    /// days run from it (art. 32), from the letter date until then.
    #[serde(default, with = "super::date::strict_option")]
    pub letter_received_on: Option<NaiveDate>,
    #[validate(length(max = 10000))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct EndConsultation {
    /// Which consultation, when several are open (`c1`, `c2`, … in the order started).
    #[validate(custom(function = "super::text::label_text"))]
    pub consultation_id: Option<String>,
    pub reply: ConsultationReply,
    /// The date of the reply, or for no reply the day the period ran out.
    #[serde(with = "super::date::strict")]
    pub reply_date: NaiveDate,
    #[validate(length(max = 10000))]
    pub reply_summary: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[validate(custom(function = "super::text::written_text"))]
    /// Called `comments` before issue 14; the old name is still read.
    #[serde(alias = "comments")]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Deliver {
    pub method: DeliveryMethod,
    /// By post: the day the letter was posted (交邮之日), which is what makes it timely.
    #[serde(default, with = "super::date::strict_option")]
    pub posted_on: Option<NaiveDate>,
    /// The day it was signed for (in person, or by post when known) or sent (e-mail, online).
    #[serde(default, with = "super::date::strict_option")]
    pub delivered_on: Option<NaiveDate>,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

str_enum! {
    /// A document of the case whose receipt by its addressee is recorded afterwards.
    pub enum ReceivedDocument {
        CorrectionNotice = "correction_notice",
        FeeNotice = "fee_notice",
        ConsultationLetter = "consultation_letter",
        Answer = "answer",
    }
}

/// The day a posted document was signed for (its return receipt).
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordNoticeReceived {
    pub document: ReceivedDocument,
    /// For a consultation letter: which consultation (`c1`, `c2`, …).
    #[validate(custom(function = "super::text::label_text"))]
    pub consultation_id: Option<String>,
    #[serde(with = "super::date::strict")]
    pub received_on: NaiveDate,
}

/// Art. 35: the applicant's answer to the office's request for reasons.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplyToReasons {
    #[validate(custom(function = "super::text::written_text"))]
    pub reply: String,
    /// When a clerk records a reply that came on paper: the day it was received.
    #[serde(default, with = "super::date::strict_option")]
    pub received_on: Option<NaiveDate>,
}

/// Fee Measures: the office waives the whole fee it could charge; recorded with its reason and
/// what would have been charged, and counted. (A partial reduction goes with the fee notice.)
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct WaiveFee {
    pub scale: FeeScale,
    #[validate(range(min = 1, max = 1000000))]
    pub pages: Option<u32>,
    #[validate(custom(function = "super::text::reason_text"))]
    pub reason: String,
}

/// Art. 30: a case deemed abandoned for no correction is taken up again when the applicant
/// shows good reason in reasonable time; the correction counts as received that day.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reopen {
    /// The applicant's good reason, as the office accepted it.
    #[validate(custom(function = "super::text::written_text"))]
    pub reason: String,
    /// The correction itself, as with `submit_correction`.
    #[validate(custom(function = "super::text::written_text"))]
    pub statement: String,
    #[validate(custom(function = "super::text::written_text"))]
    pub description: Option<String>,
}

/// Art. 32: before disclosing over a third party's objection, the office tells it in writing
/// what will be disclosed and why.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NotifyThirdParty {
    /// Which objecting consultation (`c1`, …); optional when only one objected.
    #[validate(custom(function = "super::text::label_text"))]
    pub consultation_id: Option<String>,
    #[validate(custom(function = "super::text::written_text"))]
    pub content: String,
    #[validate(custom(function = "super::text::written_text"))]
    pub reasons: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    #[validate(length(max = 10000))]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RequestExtension {
    #[validate(range(min = 1, max = 20))]
    pub working_days: i32,
    #[validate(custom(function = "super::text::reason_text"))]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SetAnswerPeriod {
    /// The longer period, replacing the 20 working days of art. 33.
    #[validate(range(min = 21, max = 120))]
    pub working_days: i32,
    #[validate(custom(function = "super::text::reason_text"))]
    pub reason: String,
}

/// Art. 35: what the office asks an applicant with unusually many applications to explain.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct AskForReasons {
    #[validate(custom(function = "super::text::written_text"))]
    pub questions: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct IssueFeeNotice {
    pub scale: FeeScale,
    /// For the per-page scale: how many pages.
    #[validate(range(min = 1, max = 1000000))]
    pub pages: Option<u32>,
    /// An office's reduction, in fen, with its reason.
    #[validate(range(min = 1))]
    pub reduction_fen: Option<i64>,
    #[validate(custom(function = "super::text::reason_text"))]
    pub reduction_reason: Option<String>,
    /// The day the applicant received the notice (default: today, for online or e-mail notices).
    #[serde(default, with = "super::date::strict_option")]
    pub notice_received_on: Option<NaiveDate>,
    /// Sent by post: the payment period starts only when the signed receipt is recorded.
    #[serde(default)]
    pub by_post: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordPayment {
    #[serde(with = "super::date::strict")]
    pub paid_on: NaiveDate,
    #[validate(range(min = 1))]
    pub amount_fen: i64,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "super::text::visible_text")
    )]
    pub receipt_number: Option<String>,
}

fn non_blank_items(items: &[String]) -> Result<(), validator::ValidationError> {
    if items
        .iter()
        .any(|i| i.trim().is_empty() || i.chars().count() > MAX_TEXT as usize)
    {
        return Err(validator::ValidationError::new("blank_or_long_item")
            .with_message("every item must be 1 to 10000 characters".into()));
    }
    Ok(())
}

/// A request for administrative reconsideration or a lawsuit about the decision (part 四 of the
/// annual report), recorded when the office learns of it.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordChallenge {
    pub kind: ChallengeKind,
    /// Litigation only: brought after a reconsideration (复议后起诉) rather than directly.
    #[serde(default)]
    pub after_reconsideration: bool,
    #[serde(with = "super::date::strict")]
    pub filed_on: NaiveDate,
    /// The reconsideration body or court, and its case number.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "super::text::visible_text")
    )]
    pub authority: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "super::text::visible_text")
    )]
    pub reference: Option<String>,
}

/// How a recorded challenge ended.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordChallengeResult {
    #[validate(custom(function = "super::text::label_text"))]
    pub challenge_id: String,
    pub result: ChallengeResult,
    #[serde(with = "super::date::strict")]
    pub decided_on: NaiveDate,
}

/// An action with its input.
#[derive(Debug, Clone)]
pub enum Action {
    ConfirmReceipt(ConfirmReceipt),
    Accept(Note),
    RequestCorrection(RequestCorrection),
    SubmitCorrection(SubmitCorrection),
    StartConsultation(StartConsultation),
    EndConsultation(EndConsultation),
    ProposeDecision(ProposeDecision),
    Approve(Note),
    Return(Review),
    Deliver(Deliver),
    Withdraw(Withdraw),
    RequestExtension(RequestExtension),
    GrantExtension(Note),
    RefuseExtension(Review),
    SetAnswerPeriod(SetAnswerPeriod),
    AskForReasons(AskForReasons),
    IssueFeeNotice(IssueFeeNotice),
    RecordPayment(RecordPayment),
    AbandonNoCorrection,
    AbandonFeeUnpaid,
    RecordChallenge(RecordChallenge),
    RecordChallengeResult(RecordChallengeResult),
    RecordNoticeReceived(RecordNoticeReceived),
    WaiveFee(WaiveFee),
    ReplyToReasons(ReplyToReasons),
    Reopen(Reopen),
    NotifyThirdParty(NotifyThirdParty),
    Assign(super::handling::Assign),
    Reassign(super::handling::Reassign),
    Forward(super::handling::Forward),
    ReplyToForwarding(super::handling::ReplyToForwarding),
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::ConfirmReceipt(_) => ActionKind::ConfirmReceipt,
            Self::Accept(_) => ActionKind::Accept,
            Self::RequestCorrection(_) => ActionKind::RequestCorrection,
            Self::SubmitCorrection(_) => ActionKind::SubmitCorrection,
            Self::StartConsultation(_) => ActionKind::StartConsultation,
            Self::EndConsultation(_) => ActionKind::EndConsultation,
            Self::ProposeDecision(_) => ActionKind::ProposeDecision,
            Self::Approve(_) => ActionKind::Approve,
            Self::Return(_) => ActionKind::Return,
            Self::Deliver(_) => ActionKind::Deliver,
            Self::Withdraw(_) => ActionKind::Withdraw,
            Self::RequestExtension(_) => ActionKind::RequestExtension,
            Self::GrantExtension(_) => ActionKind::GrantExtension,
            Self::RefuseExtension(_) => ActionKind::RefuseExtension,
            Self::SetAnswerPeriod(_) => ActionKind::SetAnswerPeriod,
            Self::AskForReasons(_) => ActionKind::AskForReasons,
            Self::IssueFeeNotice(_) => ActionKind::IssueFeeNotice,
            Self::RecordPayment(_) => ActionKind::RecordPayment,
            Self::AbandonNoCorrection => ActionKind::AbandonNoCorrection,
            Self::AbandonFeeUnpaid => ActionKind::AbandonFeeUnpaid,
            Self::RecordChallenge(_) => ActionKind::RecordChallenge,
            Self::RecordChallengeResult(_) => ActionKind::RecordChallengeResult,
            Self::RecordNoticeReceived(_) => ActionKind::RecordNoticeReceived,
            Self::WaiveFee(_) => ActionKind::WaiveFee,
            Self::ReplyToReasons(_) => ActionKind::ReplyToReasons,
            Self::Reopen(_) => ActionKind::Reopen,
            Self::NotifyThirdParty(_) => ActionKind::NotifyThirdParty,
            Self::Assign(_) => ActionKind::Assign,
            Self::Reassign(_) => ActionKind::Reassign,
            Self::Forward(_) => ActionKind::Forward,
            Self::ReplyToForwarding(_) => ActionKind::ReplyToForwarding,
        }
    }

    /// The input as recorded in the event. Inputs never carry identity numbers.
    pub fn payload(&self) -> serde_json::Value {
        let v = match self {
            Self::ConfirmReceipt(i) => serde_json::to_value(i),
            Self::Accept(i) | Self::Approve(i) | Self::GrantExtension(i) => serde_json::to_value(i),
            Self::RequestCorrection(i) => serde_json::to_value(i),
            Self::SubmitCorrection(i) => serde_json::to_value(i),
            Self::StartConsultation(i) => serde_json::to_value(i),
            Self::EndConsultation(i) => serde_json::to_value(i),
            Self::ProposeDecision(i) => serde_json::to_value(i),
            Self::Return(i) | Self::RefuseExtension(i) => serde_json::to_value(i),
            Self::RequestExtension(i) => serde_json::to_value(i),
            Self::SetAnswerPeriod(i) => serde_json::to_value(i),
            Self::AskForReasons(i) => serde_json::to_value(i),
            Self::IssueFeeNotice(i) => serde_json::to_value(i),
            Self::RecordPayment(i) => serde_json::to_value(i),
            Self::AbandonNoCorrection | Self::AbandonFeeUnpaid => Ok(serde_json::json!({})),
            Self::Deliver(i) => serde_json::to_value(i),
            Self::Withdraw(i) => serde_json::to_value(i),
            Self::RecordChallenge(i) => serde_json::to_value(i),
            Self::RecordChallengeResult(i) => serde_json::to_value(i),
            Self::RecordNoticeReceived(i) => serde_json::to_value(i),
            Self::WaiveFee(i) => serde_json::to_value(i),
            Self::ReplyToReasons(i) => serde_json::to_value(i),
            Self::Reopen(i) => serde_json::to_value(i),
            Self::NotifyThirdParty(i) => serde_json::to_value(i),
            Self::Assign(i) => serde_json::to_value(i),
            Self::Reassign(i) => serde_json::to_value(i),
            Self::Forward(i) => serde_json::to_value(i),
            Self::ReplyToForwarding(i) => serde_json::to_value(i),
        };
        v.expect("action inputs serialise")
    }
}
