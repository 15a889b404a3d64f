//! The statutory workflow as a state machine (RULES §3). Pure: a case, an actor, an action and
//! today's legal date in; the next case and the event payload out.
//!
//! To add an action: a variant in `ActionKind`, its input in `Action` (domain/actions.rs), a row
//! in `RULES`, its effect as a function (workflow_records.rs, or workflow_steps.rs for the larger
//! ones) called from `apply_within`. Guards that need no input also go in `blocked_by`, so that
//! `allowed_actions` never offers an action that would be refused.

use chrono::NaiveDate;

pub use super::actions::*;
use super::calendar::Calendar;
use super::case::{ChallengeKind, DeliveryMethod, Outcome, Status};
use super::clock::{self, AnsweredBasis, ClockFacts, FeeNoticeFacts, Limits, Pause, PauseKind};
pub use super::decision::{ProposeDecision, WithheldPart};
use super::fees;
pub use super::fees::Fee;
pub use super::handling::{
    Assign, DivisionReply, Forward, Forwarding, Member, Reassign, ReplyToForwarding, Staffing,
};
use super::message::Message;
pub use super::problem_code::ProblemCode;
use super::str_enum;
use crate::msg;

str_enum! {
    pub enum Role {
        Clerk = "clerk",
        Approver = "approver",
        Auditor = "auditor",
        Admin = "admin",
        Applicant = "applicant",
        System = "system",
    }
}

/// Who acts: a staff user (by id), the applicant of the case, or the service itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<String>,
    pub role: Role,
}

/// The facts of a case that the workflow reads and changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Case {
    pub status: Option<Status>,
    pub registered_on: Option<NaiveDate>,
    /// The legal date of receipt (art. 31); `None` while a clerk still has to confirm it.
    pub received_on: Option<NaiveDate>,
    pub description: String,
    pub document_number: Option<String>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    /// Art. 30: the day the applicant received the correction notice (unknown while a posted
    /// notice's receipt is not recorded).
    pub correction_notice_received_on: Option<NaiveDate>,
    /// Art. 30: the answer period runs afresh from this date.
    pub corrected_received_on: Option<NaiveDate>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub decision_drafted_by: Option<String>,
    pub approved_by: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<DeliveryMethod>,
    /// By post: the day the answer was posted (交邮之日), which makes it timely.
    pub posted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Art. 35: the day the office asked for reasons, and the day the applicant replied.
    pub reasons_asked_on: Option<NaiveDate>,
    pub reasons_replied_on: Option<NaiveDate>,
    /// Art. 30: the day a case deemed abandoned was taken up again (once).
    pub reopened_on: Option<NaiveDate>,
    /// Fee Measures: the day the office decided to waive the whole fee (recorded, counted).
    pub fee_waived_on: Option<NaiveDate>,
    /// Spans during which the answer clock stopped (art. 33 ¶2), in order.
    pub pauses: Vec<Pause>,
    /// The drafted (and, once approved, fixed) answer.
    pub decision: Option<ProposeDecision>,
    pub extension: Option<Extension>,
    /// Art. 35: a longer answer period the office set, in working days.
    pub office_set_period: Option<i32>,
    pub fee: Option<Fee>,
    /// Not stored: the application's rank among the applicant's applications to the office in
    /// its calendar month, loaded for the per-application fee scale.
    pub month_rank: u32,
    /// The person handling the case (专人负责); the registering clerk until changed.
    pub assignee: Option<String>,
    /// The divisions asked for their proposed answer, in order (internal, never statutory).
    pub forwardings: Vec<Forwarding>,
    /// While a draft waits for approval: the level it waits at (1, or 2 in a two-level office).
    pub approval_stage: Option<u8>,
    /// In a two-level office: who approved the draft at level 1.
    pub first_approved_by: Option<String>,
    /// Not stored: the office's settings the workflow reads.
    pub office: Office,
}

/// What an office has set that the workflow needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// Whether applicants can be told how to pay (payee, account or channel): a fee notice
    /// that cannot say so is not sent.
    pub has_payment_details: bool,
    /// Working days after a closure for no correction during which it may be reopened.
    pub reopen_working_days: i32,
    /// One or two approval levels (the head of the disclosure unit, then the leader in charge).
    pub approval_levels: u8,
    /// Working days a division has to reply to a forwarding, by default.
    pub forwarding_working_days: i32,
    /// Whether divisions see the applicant's identity on what is forwarded to them.
    pub divisions_see_applicant: bool,
    /// The office's active staff and divisions; `None` when not read (then no rule that needs
    /// them applies: the service always reads them).
    pub staffing: Option<Staffing>,
}

impl Default for Office {
    fn default() -> Self {
        Self {
            has_payment_details: false,
            reopen_working_days: DEFAULT_REOPEN_WORKING_DAYS,
            approval_levels: 1,
            forwarding_working_days: super::handling::DEFAULT_FORWARDING_WORKING_DAYS,
            divisions_see_applicant: false,
            staffing: None,
        }
    }
}

/// Art. 30 "without good reason": the reasonable time in which a justified late correction is
/// still taken (service default; offices may set their own).
pub const DEFAULT_REOPEN_WORKING_DAYS: i32 = 20;

str_enum! {
    pub enum ExtensionState {
        Requested = "requested",
        Granted = "granted",
        Refused = "refused",
    }
}

/// An extension of the answer period (art. 33 ¶1): requested by a clerk, decided by an approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub state: ExtensionState,
    pub days: i32,
    pub requested_by: Option<String>,
}

impl Case {
    /// What the statutory clock reads of this case.
    pub fn clock_facts(&self) -> ClockFacts {
        let status = self.status();
        ClockFacts {
            status: Some(status),
            registered_on: self.registered_on,
            received_on: self.received_on,
            correction_requested_on: self.correction_requested_on,
            correction_period_days: self.correction_period_days,
            correction_notice_received_on: self.correction_notice_received_on,
            corrected_received_on: self.corrected_received_on,
            pauses: self.pauses.clone(),
            extension_days: match &self.extension {
                Some(e) if e.state == ExtensionState::Granted => e.days,
                _ => 0,
            },
            office_set_period: self.office_set_period,
            fee_notice: self.fee.as_ref().map(|f| FeeNoticeFacts {
                notice_on: f.notice_on,
                received_on: f.received_on,
                paid_on: f.paid_on,
            }),
            answered_on: self.answered().map(|(on, _)| on),
            answered_basis: self.answered().map(|(_, basis)| basis),
        }
    }

    /// The day that answered the applicant, and why that day (RULES §8): by post the day
    /// posted; in person the day signed for; by e-mail or online the day sent.
    pub fn answered(&self) -> Option<(NaiveDate, AnsweredBasis)> {
        match self.status() {
            Status::Delivered => match (self.delivery_method, self.posted_on) {
                (Some(DeliveryMethod::Post), Some(p)) => Some((p, AnsweredBasis::PostedOn)),
                // Posted answers recorded before the posting day was kept: the day recorded.
                (Some(DeliveryMethod::Post) | Some(DeliveryMethod::PickUp), _) => {
                    self.delivered_on.map(|d| (d, AnsweredBasis::SignedFor))
                }
                _ => self.delivered_on.map(|d| (d, AnsweredBasis::SentOn)),
            },
            Status::ClosedWithoutProcessing => self.closed_on.map(|d| (d, AnsweredBasis::ClosedOn)),
            _ => None,
        }
    }

    /// The limits of the clock on `today` (a calendar problem leaves nothing limited).
    pub fn limits(&self, cal: &Calendar, today: NaiveDate) -> Limits {
        clock::limits(cal, &self.clock_facts(), today).unwrap_or_default()
    }

    /// The consultations, in the order started, each with its id.
    fn consultations(&self) -> impl Iterator<Item = &Pause> {
        self.pauses
            .iter()
            .filter(|p| p.kind == PauseKind::Consultation)
    }

    /// Art. 32: disclosing what an objecting third party asked to keep back. A partial answer
    /// whose drafter states that the objection was upheld (what it objected to is withheld)
    /// does not disclose over it.
    fn must_tell_objectors(&self) -> bool {
        match self.outcome {
            Some(Outcome::Disclosed) => true,
            Some(Outcome::PartlyDisclosed) => !self
                .decision
                .as_ref()
                .is_some_and(|d| d.third_party_objection_upheld),
            _ => false,
        }
    }

    /// Whether a document of the case waits for the day its addressee received it.
    fn awaits_a_receipt(&self) -> bool {
        let status = self.status();
        (status == Status::Correction && self.correction_notice_received_on.is_none())
            || self
                .fee
                .as_ref()
                .is_some_and(|f| f.unpaid() && f.received_on.is_none())
            || self
                .consultations()
                .any(|p| p.to.is_none() && p.letter_received_on.is_none())
            || (status == Status::Delivered
                && self.delivery_method == Some(DeliveryMethod::Post)
                && self.delivered_on.is_none())
    }

    /// A third party objected and the drafted answer discloses anyway (art. 32, public
    /// interest): the objecting parties not yet told in writing. A full disclosure cannot be
    /// delivered before they are told; a partial one may have withheld what they objected to,
    /// so telling them is offered, not required.
    fn objectors_untold(&self) -> Vec<&Pause> {
        let discloses = self
            .outcome
            .is_some_and(|o| matches!(o, Outcome::Disclosed | Outcome::PartlyDisclosed));
        if !discloses {
            return Vec::new();
        }
        self.consultations()
            .filter(|p| p.objected && p.told_on.is_none())
            .collect()
    }

    pub fn status(&self) -> Status {
        self.status.unwrap_or(Status::Registered)
    }

    /// The date from which the answer period runs: the corrected receipt if any (art. 30).
    pub fn clock_start(&self) -> Option<NaiveDate> {
        self.corrected_received_on.or(self.received_on)
    }
}

str_enum! {
    pub enum ActionKind {
        ConfirmReceipt = "confirm_receipt",
        Accept = "accept",
        RequestCorrection = "request_correction",
        SubmitCorrection = "submit_correction",
        StartConsultation = "start_consultation",
        EndConsultation = "end_consultation",
        ProposeDecision = "propose_decision",
        Approve = "approve",
        Return = "return",
        Deliver = "deliver",
        Withdraw = "withdraw",
        RequestExtension = "request_extension",
        GrantExtension = "grant_extension",
        RefuseExtension = "refuse_extension",
        SetAnswerPeriod = "set_answer_period",
        AskForReasons = "ask_for_reasons",
        IssueFeeNotice = "issue_fee_notice",
        RecordPayment = "record_payment",
        AbandonNoCorrection = "abandon_no_correction",
        AbandonFeeUnpaid = "abandon_fee_unpaid",
        RecordChallenge = "record_challenge",
        RecordChallengeResult = "record_challenge_result",
        RecordNoticeReceived = "record_notice_received",
        WaiveFee = "waive_fee",
        ReplyToReasons = "reply_to_reasons",
        Reopen = "reopen",
        NotifyThirdParty = "notify_third_party",
        Assign = "assign",
        Reassign = "reassign",
        Forward = "forward",
        ReplyToForwarding = "reply_to_forwarding",
    }
}

pub use super::rules::{rule, Rule, RULES};

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The role never takes this action.
    #[error("a {role} may not {action}")]
    RoleNotAllowed { action: ActionKind, role: Role },
    /// The role takes this action, but not from this state.
    #[error("{action} is not allowed while the case is {status}")]
    NotAllowed {
        action: ActionKind,
        role: Role,
        status: Status,
    },
    /// A rule of law or practice refuses it now (a stable code and a sentence).
    #[error("{message}")]
    Refused { code: ProblemCode, message: Message },
    /// An input field is inconsistent with the case (e.g. a date before receipt).
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: Message,
    },
}

fn refused(code: ProblemCode, message: Message) -> WorkflowError {
    WorkflowError::Refused { code, message }
}

/// The actions this actor may take on the case on `today`.
pub fn allowed_actions(
    case: &Case,
    actor: &Actor,
    cal: &Calendar,
    today: NaiveDate,
) -> Vec<ActionKind> {
    allowed_actions_within(case, actor, cal, today, &case.limits(cal, today))
}

/// `allowed_actions`, with the case's limits on `today` already computed by the caller.
pub fn allowed_actions_within(
    case: &Case,
    actor: &Actor,
    cal: &Calendar,
    today: NaiveDate,
    limits: &Limits,
) -> Vec<ActionKind> {
    RULES
        .iter()
        .filter(|r| r.roles.contains(&actor.role) && r.from.contains(&case.status()))
        .filter(|r| blocked_by(case, actor, r.kind, limits, cal, today).is_none())
        .map(|r| r.kind)
        .collect()
}

/// The result of an accepted action.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub case: Case,
    pub payload: serde_json::Value,
}

/// The first day a date in a case may be: the 2007 Regulations' entry into force, so that old
/// paper files can still be recorded, while typos such as year 0202 are caught.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2008, 5, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// A day something happened, as a person gives it: not before `EARLIEST_DATE` (a typo in the
/// year) and not after today in China. The one check for every such date, in an action or at
/// registration; the error is a field code and the message.
pub fn past_date(date: NaiveDate, today: NaiveDate) -> Result<(), (&'static str, Message)> {
    if date < EARLIEST_DATE {
        return Err((
            "too_early",
            msg!(
                "{date} 早于 {EARLIEST_DATE}，请检查年份",
                "{date} is before {EARLIEST_DATE}: check the year"
            ),
        ));
    }
    if date > today {
        return Err((
            "in_the_future",
            msg!(
                "{date} 是将来的日期（今天是 {today}）",
                "{date} is in the future (today is {today} in China)"
            ),
        ));
    }
    Ok(())
}

/// Applies an action to a case. `today` is the legal date (China) at which it is taken; the
/// calendar is the office's, for the guards that read the clock.
pub fn apply(
    case: &Case,
    actor: &Actor,
    action: &Action,
    today: NaiveDate,
    cal: &Calendar,
) -> Result<Transition, WorkflowError> {
    apply_within(case, actor, action, today, cal, &case.limits(cal, today))
}

/// `apply`, with the case's limits on `today` already read off its deadlines by the caller,
/// so that one step computes the case's clock once and every layer sees the same dates.
pub fn apply_within(
    case: &Case,
    actor: &Actor,
    action: &Action,
    today: NaiveDate,
    cal: &Calendar,
    limits: &Limits,
) -> Result<Transition, WorkflowError> {
    let kind = action.kind();
    let rule = rule(kind);
    if !rule.roles.contains(&actor.role) {
        return Err(WorkflowError::RoleNotAllowed {
            action: kind,
            role: actor.role,
        });
    }
    // Division staff hear that they only reply to forwardings, whatever the case's status.
    if let Some(err) = inside::division_staff_refusal(case, actor, kind) {
        return Err(err);
    }
    if !rule.from.contains(&case.status()) {
        return Err(WorkflowError::NotAllowed {
            action: kind,
            role: actor.role,
            status: case.status(),
        });
    }
    if let Some(err) = blocked_by(case, actor, kind, limits, cal, today) {
        return Err(err);
    }
    let mut step = Step {
        before: case,
        next: case.clone(),
        payload: action.payload(),
        actor,
        today,
        cal,
    };
    let s = &mut step;
    match action {
        Action::ConfirmReceipt(i) => records::confirm_receipt(s, i)?,
        Action::Accept(_) => records::accept(s),
        Action::RequestCorrection(i) => records::request_correction(s, i),
        Action::SubmitCorrection(i) => steps::submit_correction(s, i)?,
        Action::StartConsultation(i) => steps::start_consultation(s, i)?,
        Action::EndConsultation(i) => steps::end_consultation(s, i)?,
        Action::ProposeDecision(i) => steps::propose_decision(s, i)?,
        Action::Approve(_) => inside::approve(s)?,
        Action::Return(_) => inside::send_back(s),
        Action::Deliver(i) => steps::deliver(s, i)?,
        Action::Withdraw(_) => records::withdraw(s),
        Action::RequestExtension(i) => records::request_extension(s, i),
        Action::GrantExtension(_) => records::decide_extension(s, ExtensionState::Granted),
        Action::RefuseExtension(_) => records::decide_extension(s, ExtensionState::Refused),
        Action::SetAnswerPeriod(i) => records::set_answer_period(s, i),
        Action::AskForReasons(_) => records::ask_for_reasons(s),
        Action::ReplyToReasons(i) => records::reply_to_reasons(s, i)?,
        Action::IssueFeeNotice(i) => steps::issue_fee_notice(s, i)?,
        Action::RecordPayment(i) => steps::record_payment(s, i)?,
        Action::AbandonNoCorrection => records::abandon_no_correction(s),
        Action::AbandonFeeUnpaid => records::abandon_fee_unpaid(s),
        Action::RecordChallenge(i) => records::record_challenge(s, i)?,
        Action::RecordChallengeResult(i) => records::record_challenge_result(s, i)?,
        Action::RecordNoticeReceived(i) => record_received(&mut s.next, i, s.today)?,
        Action::WaiveFee(i) => records::waive_fee(s, i)?,
        Action::Reopen(i) => records::reopen(s, i),
        Action::NotifyThirdParty(i) => steps::notify_third_party(s, i)?,
        Action::Assign(i) => inside::assign(s, &i.assignee_id)?,
        Action::Reassign(i) => inside::assign(s, &i.assignee_id)?,
        Action::Forward(i) => inside::forward(s, i, limits)?,
        Action::ReplyToForwarding(i) => inside::reply_to_forwarding(s, i)?,
    }
    // A draft waits for approval only while the case is in `decision`: any other step out of
    // it (a return, a withdrawal, an approval for good) ends the chain.
    if step.next.status() != Status::Decision {
        step.next.approval_stage = None;
        step.next.first_approved_by = None;
    }
    Ok(Transition {
        case: step.next,
        payload: step.payload,
    })
}

/// What refuses an action whatever its input.
#[path = "workflow_guards.rs"]
mod guards;
use guards::blocked_by;

/// Each action's effect, beside the table of who may take it (rules.rs) and the guards.
#[path = "workflow_steps.rs"]
mod steps;
pub use steps::online_receipt;
use steps::{record_received, Step};

/// The smaller actions' effects, one function each.
#[path = "workflow_records.rs"]
mod records;

/// Assignment, forwarding to divisions and the approval chain (domain::handling).
#[path = "workflow_inside.rs"]
mod inside;

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "workflow_edge_tests.rs"]
mod edge_tests;

#[cfg(test)]
#[path = "workflow_inside_tests.rs"]
mod inside_tests;
