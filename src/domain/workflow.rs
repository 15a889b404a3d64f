//! The statutory workflow as a state machine (RULES §3). Pure: a case, an actor, an action and
//! today's legal date in; the next case and the event payload out.
//!
//! To add an action: a variant in `ActionKind`, its input in `Action` (domain/actions.rs), a row
//! in `RULES`, and its effect in `apply`. Guards that need no input also go in `blocked_by` so `allowed_actions`
//! never offers an action that would be refused.

use chrono::NaiveDate;

pub use super::actions::*;
use super::calendar::Calendar;
use super::case::{ChallengeKind, DeliveryMethod, Outcome, Status};
use super::clock::{self, AnsweredBasis, ClockFacts, FeeNoticeFacts, Limits, Pause, PauseKind};
pub use super::decision::{ProposeDecision, WithheldPart};
use super::fees;
pub use super::fees::Fee;
use super::str_enum;

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
}

impl Default for Office {
    fn default() -> Self {
        Self {
            has_payment_details: false,
            reopen_working_days: DEFAULT_REOPEN_WORKING_DAYS,
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
    Refused { code: &'static str, message: String },
    /// An input field is inconsistent with the case (e.g. a date before receipt).
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
}

fn refused(code: &'static str, message: impl Into<String>) -> WorkflowError {
    WorkflowError::Refused {
        code,
        message: message.into(),
    }
}

/// Guards that depend on the case, the actor and the clock, not on the input.
fn blocked_by(
    case: &Case,
    actor: &Actor,
    kind: ActionKind,
    limits: &Limits,
    cal: &Calendar,
    today: NaiveDate,
) -> Option<WorkflowError> {
    use ActionKind as K;
    // RULES §8: nothing that stops or lengthens the answer clock starts after it ran out. (A
    // consultation letter is judged by its own date, in `apply`: one dated the last day may be
    // recorded the day after.)
    if let (
        K::IssueFeeNotice | K::GrantExtension | K::SetAnswerPeriod | K::RequestExtension,
        Some(due),
    ) = (kind, limits.answer_period_ended_on)
    {
        return Some(refused(
            "answer_period_expired",
            format!(
                "the answer period ended on {due}: nothing may stop or lengthen it now \
                 (art. 33)"
            ),
        ));
    }
    // A letter dated on the last day may still be recorded the next working day, not later: a
    // letter found weeks on cannot reach back and pause an answer that is already overdue.
    if let (K::StartConsultation, Some(due)) = (kind, limits.answer_period_ended_on) {
        if cal.add(due, 1).is_ok_and(|next| today > next) {
            return Some(refused(
                "answer_period_expired",
                format!("the answer period ended on {due}: a consultation can no longer stop it"),
            ));
        }
    }
    match kind {
        K::Accept | K::RequestCorrection | K::ProposeDecision if case.received_on.is_none() => {
            Some(refused(
                "receipt_date_missing",
                "record the legal date of receipt first (art. 31)",
            ))
        }
        K::RequestCorrection if case.correction_requested_on.is_some() => Some(refused(
            "correction_already_requested",
            "a correction may be requested only once (art. 30)",
        )),
        K::RequestCorrection if limits.correction_notice_ended_on.is_some() => Some(refused(
            "correction_notice_late",
            format!(
                "the 7 working days for a correction notice ended on {}: the application is \
                 handled as received (art. 30)",
                limits.correction_notice_ended_on.unwrap_or(today)
            ),
        )),
        // Only a recorded date can be fixed: a mail application still waiting for its date may
        // always get one.
        K::ConfirmReceipt
            if case.received_on.is_some()
                && (case.correction_requested_on.is_some()
                    || !case.pauses.is_empty()
                    || case.extension.is_some()
                    || case.office_set_period.is_some()
                    || case.reasons_asked_on.is_some()) =>
        {
            Some(refused(
                "receipt_date_fixed",
                "the date of receipt can no longer change: periods already rest on it",
            ))
        }
        K::Approve | K::Return if actor.id.is_some() && case.decision_drafted_by == actor.id => {
            Some(refused(
                "drafter_cannot_approve",
                "the answer must be reviewed by an approver who did not draft it (four eyes)",
            ))
        }
        K::ProposeDecision if case.fee.as_ref().is_some_and(Fee::unpaid) => Some(refused(
            "fee_unpaid",
            "the fee notice is unpaid: record the payment first (Fee Measures)",
        )),
        // Art. 33 ¶1: one extension; a refused request may be made again while the period runs.
        K::RequestExtension => match &case.extension {
            Some(e) if e.state == ExtensionState::Granted => Some(refused(
                "extension_already_granted",
                "the answer period has been extended once already (art. 33)",
            )),
            Some(e) if e.state == ExtensionState::Requested => Some(refused(
                "extension_already_requested",
                "an extension request is waiting for the head of the unit",
            )),
            _ => None,
        },
        K::GrantExtension | K::RefuseExtension => match &case.extension {
            Some(e) if e.state == ExtensionState::Requested => {
                (actor.id.is_some() && e.requested_by == actor.id).then(|| {
                    refused(
                        "requester_cannot_decide",
                        "an extension is decided by someone other than who asked",
                    )
                })
            }
            _ => Some(refused(
                "no_extension_requested",
                "no extension is waiting for a decision",
            )),
        },
        K::SetAnswerPeriod if case.office_set_period.is_some() => Some(refused(
            "answer_period_already_set",
            "the office has already set a longer period for this application (art. 35)",
        )),
        // Art. 35: ask for reasons first; a longer period answers reasons found reasonable, so
        // it needs the applicant's reply (silence leaves 不予处理 open, not a longer period).
        K::SetAnswerPeriod if case.reasons_asked_on.is_none() => Some(refused(
            "reasons_not_asked",
            "ask the applicant for reasons first (art. 35)",
        )),
        K::SetAnswerPeriod if case.reasons_replied_on.is_none() => Some(refused(
            "reasons_not_given",
            "record the applicant's reasons first (reply_to_reasons, art. 35)",
        )),
        K::AskForReasons if case.reasons_asked_on.is_some() => Some(refused(
            "reasons_already_asked",
            "the applicant has already been asked for reasons",
        )),
        K::ReplyToReasons if case.reasons_asked_on.is_none() => Some(refused(
            "reasons_not_asked",
            "the office has not asked for reasons",
        )),
        K::ReplyToReasons if case.reasons_replied_on.is_some() => Some(refused(
            "reasons_already_given",
            "the reply to the request for reasons is already recorded",
        )),
        K::IssueFeeNotice | K::WaiveFee if case.fee_waived_on.is_some() => Some(refused(
            "fee_waived",
            "the office has waived the fee for this application",
        )),
        K::WaiveFee if case.fee.is_some() => Some(refused(
            "fee_notice_already_issued",
            "a fee notice was sent: a reduction goes with the notice, a waiver before it",
        )),
        K::IssueFeeNotice if case.fee.is_some() => Some(refused(
            "fee_notice_already_issued",
            "one fee notice per application",
        )),
        K::IssueFeeNotice if !case.office.has_payment_details => Some(refused(
            "payment_details_missing",
            "the office has not set how applicants pay (gongkai agency set-payment)",
        )),
        K::RecordPayment | K::AbandonFeeUnpaid if !case.fee.as_ref().is_some_and(Fee::unpaid) => {
            Some(refused(
                "no_fee_due",
                "no fee notice is waiting for payment",
            ))
        }
        K::Reopen if case.reopened_on.is_some() => Some(refused(
            "already_reopened",
            "a case is reopened once at most",
        )),
        K::Reopen => {
            let until = case.closed_on.and_then(|c| {
                cal.add(c, case.office.reopen_working_days.max(0) as u32)
                    .ok()
            });
            match until {
                Some(until) if until < today => Some(refused(
                    "reopen_period_expired",
                    format!("a closure for no correction could be reopened until {until}"),
                )),
                _ => None,
            }
        }
        K::RecordNoticeReceived if !case.awaits_a_receipt() => Some(refused(
            "nothing_awaits_receipt",
            "no posted notice, letter or answer of this case waits for its return receipt",
        )),
        K::NotifyThirdParty if case.objectors_untold().is_empty() => Some(refused(
            "no_third_party_to_tell",
            "no objecting third party waits to be told of a disclosure",
        )),
        K::Deliver if case.must_tell_objectors() && !case.objectors_untold().is_empty() => {
            Some(refused(
                "third_party_not_told",
                "tell the objecting third party in writing what will be disclosed and why before \
             delivering (art. 32)",
            ))
        }
        _ => None,
    }
}

/// The actions this actor may take on the case on `today`.
pub fn allowed_actions(
    case: &Case,
    actor: &Actor,
    cal: &Calendar,
    today: NaiveDate,
) -> Vec<ActionKind> {
    let limits = case.limits(cal, today);
    RULES
        .iter()
        .filter(|r| r.roles.contains(&actor.role) && r.from.contains(&case.status()))
        .filter(|r| blocked_by(case, actor, r.kind, &limits, cal, today).is_none())
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

fn not_future(field: &'static str, date: NaiveDate, today: NaiveDate) -> Result<(), WorkflowError> {
    if date < EARLIEST_DATE {
        return Err(WorkflowError::InvalidInput {
            field,
            message: format!("{date} is before {EARLIEST_DATE}: check the year"),
        });
    }
    if date > today {
        return Err(WorkflowError::InvalidInput {
            field,
            message: format!("{date} is in the future (today is {today} in China)"),
        });
    }
    Ok(())
}

fn not_before(
    field: &'static str,
    date: NaiveDate,
    earliest: Option<NaiveDate>,
    what: &str,
) -> Result<(), WorkflowError> {
    match earliest {
        Some(e) if date < e => Err(WorkflowError::InvalidInput {
            field,
            message: format!("{date} is before {what} ({e})"),
        }),
        _ => Ok(()),
    }
}

/// What the applicant sends online is received the day it is sent; what a clerk records from
/// paper carries the day it was received (art. 31).
fn paper_or_today(
    actor: &Actor,
    received_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, WorkflowError> {
    let on = match (actor.role, received_on) {
        (Role::Applicant, None) => today,
        (Role::Applicant, Some(_)) => {
            return Err(WorkflowError::InvalidInput {
                field: "received_on",
                message: "what is sent online is received on the day it is sent".into(),
            })
        }
        (_, Some(d)) => d,
        (_, None) => {
            return Err(WorkflowError::InvalidInput {
                field: "received_on",
                message: "give the day the paper was received (art. 31)".into(),
            })
        }
    };
    not_future("received_on", on, today)?;
    Ok(on)
}

/// The index of the open consultation an action names (or the only one open).
fn open_consultation(case: &Case, id: Option<&str>) -> Result<usize, WorkflowError> {
    let open: Vec<usize> = case
        .pauses
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PauseKind::Consultation && p.to.is_none())
        .filter(|(_, p)| id.is_none() || p.id.as_deref() == id)
        .map(|(n, _)| n)
        .collect();
    match open.as_slice() {
        [one] => Ok(*one),
        [] => Err(WorkflowError::InvalidInput {
            field: "consultation_id",
            message: "no open consultation with this id".into(),
        }),
        _ => Err(WorkflowError::InvalidInput {
            field: "consultation_id",
            message: "several consultations are open: name the one that ended".into(),
        }),
    }
}

/// Records the day a posted document was signed for: the periods that run from it start.
fn record_received(
    next: &mut Case,
    i: &RecordNoticeReceived,
    today: NaiveDate,
) -> Result<(), WorkflowError> {
    not_future("received_on", i.received_on, today)?;
    let wrong = |message: &str| {
        Err(WorkflowError::InvalidInput {
            field: "document",
            message: message.into(),
        })
    };
    match i.document {
        ReceivedDocument::CorrectionNotice => {
            if next.status() != Status::Correction || next.correction_requested_on.is_none() {
                return wrong("no correction notice is waiting for the applicant");
            }
            not_before(
                "received_on",
                i.received_on,
                next.correction_requested_on,
                "the notice",
            )?;
            next.correction_notice_received_on = Some(i.received_on);
        }
        ReceivedDocument::FeeNotice => {
            let Some(fee) = next.fee.as_mut().filter(|f| f.unpaid()) else {
                return wrong("no fee notice is waiting for payment");
            };
            not_before(
                "received_on",
                i.received_on,
                Some(fee.notice_on),
                "the notice",
            )?;
            fee.received_on = Some(i.received_on);
        }
        ReceivedDocument::ConsultationLetter => {
            let index = open_consultation(next, i.consultation_id.as_deref())?;
            let pause = &mut next.pauses[index];
            not_before("received_on", i.received_on, Some(pause.from), "the letter")?;
            pause.letter_received_on = Some(i.received_on);
        }
        ReceivedDocument::Answer => {
            if next.status() != Status::Delivered {
                return wrong("the answer has not been delivered");
            }
            not_before(
                "received_on",
                i.received_on,
                next.posted_on,
                "the day posted",
            )?;
            next.delivered_on = Some(i.received_on);
        }
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
    let kind = action.kind();
    let rule = rule(kind);
    let status = case.status();
    if !rule.roles.contains(&actor.role) {
        return Err(WorkflowError::RoleNotAllowed {
            action: kind,
            role: actor.role,
        });
    }
    if !rule.from.contains(&status) {
        return Err(WorkflowError::NotAllowed {
            action: kind,
            role: actor.role,
            status,
        });
    }
    if let Some(err) = blocked_by(case, actor, kind, &case.limits(cal, today), cal, today) {
        return Err(err);
    }
    let mut next = case.clone();
    let mut payload = action.payload();
    let received = case.clock_start();
    match action {
        Action::ConfirmReceipt(i) => {
            not_future("received_on", i.received_on, today)?;
            not_before(
                "received_on",
                i.received_on,
                case.registered_on.map(|r| r - chrono::Days::new(366)),
                "a year before registration",
            )?;
            next.received_on = Some(i.received_on);
        }
        Action::Accept(_) => next.status = Some(Status::Accepted),
        Action::RequestCorrection(i) => {
            // Art. 30: the applicant's period runs from the day they received the notice: today
            // online or by e-mail, or as recorded when a posted notice's receipt comes back.
            let received = (!i.by_post).then_some(today);
            next.status = Some(Status::Correction);
            next.correction_requested_on = Some(today);
            next.correction_period_days = Some(i.period_working_days);
            next.correction_notice_received_on = received;
        }
        Action::SubmitCorrection(i) => {
            let on = paper_or_today(actor, i.received_on, today)?;
            not_before(
                "received_on",
                on,
                case.correction_requested_on,
                "the correction notice",
            )?;
            if let Some(d) = &i.description {
                next.description = d.clone();
            }
            if i.document_number.is_some() {
                next.document_number = i.document_number.clone();
            }
            next.corrected_received_on = Some(on);
            next.status = Some(Status::Accepted);
        }
        Action::StartConsultation(i) => {
            not_future("letter_date", i.letter_date, today)?;
            not_before(
                "letter_date",
                i.letter_date,
                received,
                "the date of receipt",
            )?;
            if let Some(r) = i.letter_received_on {
                not_future("letter_received_on", r, today)?;
                not_before("letter_received_on", r, Some(i.letter_date), "the letter")?;
            }
            // RULES §8: a letter dated after the answer period ended stops nothing.
            if let Some(due) = case.limits(cal, i.letter_date).answer_period_ended_on {
                return Err(refused(
                    "answer_period_expired",
                    format!("the answer period ended on {due}, before the letter"),
                ));
            }
            let n = case.consultations().count() + 1;
            next.consultation_letter_on = Some(
                case.consultation_letter_on
                    .map_or(i.letter_date, |d| d.min(i.letter_date)),
            );
            next.pauses.push(Pause {
                kind: PauseKind::Consultation,
                from: i.letter_date,
                to: None,
                party: Some(i.party_name.clone()),
                id: Some(format!("c{n}")),
                party_kind: Some(i.party_kind),
                letter_received_on: i.letter_received_on,
                objected: false,
                silent: false,
                told_on: None,
            });
            payload["consultation_id"] = format!("c{n}").into();
            next.status = Some(Status::Consultation);
        }
        Action::EndConsultation(i) => {
            not_future("reply_date", i.reply_date, today)?;
            let index = open_consultation(&next, i.consultation_id.as_deref())?;
            let pause = &next.pauses[index];
            not_before("reply_date", i.reply_date, Some(pause.from), "the letter")?;
            let window_end = pause.window_end(cal).ok().flatten();
            let to = match i.reply {
                // No reply: the pause ends with the party's window, which must have passed.
                // On the window's last day silence may be recorded (the answer may fall due that
                // very day, when the letter went out on the period's last day).
                ConsultationReply::NoReply => match window_end {
                    Some(end) if end > today => {
                        return Err(WorkflowError::InvalidInput {
                            field: "reply",
                            message: format!(
                                "the party has until {end} to reply: record no_reply from that day"
                            ),
                        })
                    }
                    Some(end) => end,
                    None => i.reply_date,
                },
                _ => i.reply_date,
            };
            let pause = &mut next.pauses[index];
            pause.to = Some(to);
            // Art. 32: a third party's objection binds the office to tell it before disclosing;
            // an agency's objection (art. 34) is weighed in the decision.
            pause.objected = i.reply == ConsultationReply::Objection
                && pause.party_kind != Some(ConsultedParty::Agency);
            pause.silent = i.reply == ConsultationReply::NoReply;
            payload["consultation_id"] = pause.id.clone().into();
            if let Some(end) = window_end.filter(|end| i.reply_date > *end) {
                // A late reply is recorded, but the clock stopped only until the window closed.
                payload["late_reply"] = true.into();
                payload["window_ended_on"] = end.to_string().into();
            }
            let still_open = next.consultations().filter(|p| p.to.is_none()).count();
            next.consultation_letter_on = next
                .consultations()
                .filter(|p| p.to.is_none())
                .map(|p| p.from)
                .min();
            if still_open == 0 {
                next.status = Some(Status::Accepted);
            }
        }
        Action::ProposeDecision(i) => {
            i.check()?;
            // RULES §8: an outcome stands on its preconditions.
            if i.outcome == Outcome::UnavailableUnclearAfterCorrection
                && case.corrected_received_on.is_none()
            {
                return Err(refused(
                    "outcome_precondition",
                    "unclear after correction needs a correction that was requested and \
                     answered (art. 30)",
                ));
            }
            if i.outcome == Outcome::NotProcessedExcessive && case.reasons_asked_on.is_none() {
                return Err(refused(
                    "outcome_precondition",
                    "an unreasonable volume is found only after asking for reasons (art. 35)",
                ));
            }
            next.outcome = Some(i.outcome);
            next.decision = Some(i.clone());
            next.decision_drafted_by = actor.id.clone();
            next.approved_by = None;
            next.status = Some(Status::Decision);
        }
        Action::Approve(_) => {
            next.approved_by = actor.id.clone();
            next.status = Some(Status::Approved);
        }
        Action::Return(_) => next.status = Some(Status::Accepted),
        Action::Deliver(i) => {
            // RULES §8: by post the day posted counts; in person the day signed for; by e-mail
            // or online the day sent.
            let (posted, delivered) = match (i.method, i.posted_on, i.delivered_on) {
                (DeliveryMethod::Post, Some(p), d) => (Some(p), d),
                (DeliveryMethod::Post, None, _) => {
                    return Err(WorkflowError::InvalidInput {
                        field: "posted_on",
                        message: "give the day the letter was posted (交邮之日)".into(),
                    })
                }
                (_, Some(_), _) => {
                    return Err(WorkflowError::InvalidInput {
                        field: "posted_on",
                        message: "posted_on goes with method post only".into(),
                    })
                }
                (_, None, Some(d)) => (None, Some(d)),
                (_, None, None) => {
                    return Err(WorkflowError::InvalidInput {
                        field: "delivered_on",
                        message: "give the day it was signed for or sent".into(),
                    })
                }
            };
            for (field, date) in [("posted_on", posted), ("delivered_on", delivered)] {
                if let Some(date) = date {
                    not_future(field, date, today)?;
                    not_before(field, date, received, "the date of receipt")?;
                }
            }
            if let (Some(p), Some(d)) = (posted, delivered) {
                not_before("delivered_on", d, Some(p), "the day it was posted")?;
            }
            next.posted_on = posted;
            next.delivered_on = delivered;
            next.delivery_method = Some(i.method);
            next.closed_on = posted.or(delivered);
            next.status = Some(Status::Delivered);
        }
        Action::Withdraw(_) => {
            next.closed_on = Some(today);
            next.status = Some(Status::Withdrawn);
        }
        Action::RequestExtension(i) => {
            next.extension = Some(Extension {
                state: ExtensionState::Requested,
                days: i.working_days,
                requested_by: actor.id.clone(),
            });
        }
        Action::GrantExtension(_) | Action::RefuseExtension(_) => {
            if let Some(e) = &mut next.extension {
                e.state = if kind == ActionKind::GrantExtension {
                    ExtensionState::Granted
                } else {
                    ExtensionState::Refused
                };
            }
        }
        Action::SetAnswerPeriod(i) => next.office_set_period = Some(i.working_days),
        // Art. 35: the questions go to the applicant with the notices; the case remembers the day.
        Action::AskForReasons(_) => next.reasons_asked_on = Some(today),
        Action::ReplyToReasons(i) => {
            let on = paper_or_today(actor, i.received_on, today)?;
            not_before(
                "received_on",
                on,
                case.reasons_asked_on,
                "the request for reasons",
            )?;
            next.reasons_replied_on = Some(on);
        }
        Action::IssueFeeNotice(i) => {
            let (quote, amount) = fees::charge(i, case.month_rank)
                .map_err(|(field, message)| WorkflowError::InvalidInput { field, message })?;
            // The payment period runs from the day after the applicant received the notice;
            // a posted notice's receipt is recorded when its return receipt comes back.
            let received_notice = match (i.by_post, i.notice_received_on) {
                (_, Some(d)) => Some(d),
                (false, None) => Some(today),
                (true, None) => None,
            };
            if let Some(d) = received_notice {
                not_future("notice_received_on", d, today)?;
                not_before("notice_received_on", d, Some(today), "the notice")?;
            }
            next.fee = Some(Fee {
                scale: i.scale,
                amount_fen: amount,
                notice_on: today,
                received_on: received_notice,
                paid_on: None,
            });
            // The answer period does not run from the notice to payment (Fee Measures).
            next.pauses.push(Pause::fee_notice(today));
            payload["quote"] = serde_json::to_value(&quote).expect("quotes serialise");
            payload["amount_fen"] = amount.into();
        }
        Action::RecordPayment(i) => {
            let fee = next.fee.as_mut().expect("guarded: a fee is due");
            not_future("paid_on", i.paid_on, today)?;
            not_before("paid_on", i.paid_on, Some(fee.notice_on), "the fee notice")?;
            if i.amount_fen != fee.amount_fen {
                return Err(WorkflowError::InvalidInput {
                    field: "amount_fen",
                    message: format!(
                        "the notice asks for {} fen, not {}",
                        fee.amount_fen, i.amount_fen
                    ),
                });
            }
            fee.paid_on = Some(i.paid_on);
            if let Some(p) = next
                .pauses
                .iter_mut()
                .rev()
                .find(|p| p.kind == PauseKind::FeeNotice && p.to.is_none())
            {
                p.to = Some(i.paid_on);
            }
        }
        Action::AbandonNoCorrection => {
            // Art. 30: no correction in time is deemed abandoned (其他处理 1).
            next.outcome = Some(Outcome::OtherNoCorrection);
            next.closed_on = Some(today);
            next.status = Some(Status::AbandonedNoCorrection);
        }
        Action::AbandonFeeUnpaid => {
            // Fee Measures: not paid in time is deemed abandoned (其他处理 2).
            next.outcome = Some(Outcome::OtherFeeUnpaid);
            next.closed_on = Some(today);
            next.status = Some(Status::AbandonedFeeUnpaid);
        }
        // Recorded on the case; the challenge itself is kept beside it (service::challenges).
        Action::RecordChallenge(i) => {
            not_future("filed_on", i.filed_on, today)?;
            not_before("filed_on", i.filed_on, case.closed_on, "the answer")?;
            if i.after_reconsideration && i.kind == ChallengeKind::Reconsideration {
                return Err(WorkflowError::InvalidInput {
                    field: "after_reconsideration",
                    message: "only a lawsuit comes after a reconsideration".into(),
                });
            }
        }
        Action::RecordChallengeResult(i) => not_future("decided_on", i.decided_on, today)?,
        Action::RecordNoticeReceived(i) => record_received(&mut next, i, today)?,
        Action::WaiveFee(i) => {
            // What would have been charged is recorded with the reason (Fee Measures).
            let quote = fees::waived(i, case.month_rank)
                .map_err(|(field, message)| WorkflowError::InvalidInput { field, message })?;
            next.fee_waived_on = Some(today);
            payload["quote"] = serde_json::to_value(&quote).expect("quotes serialise");
        }
        Action::Reopen(i) => {
            // Art. 30: the correction counts as received today; the answer period starts afresh.
            next.reopened_on = Some(today);
            next.corrected_received_on = Some(today);
            if let Some(d) = &i.description {
                next.description = d.clone();
            }
            next.outcome = None;
            next.closed_on = None;
            next.status = Some(Status::Accepted);
        }
        Action::NotifyThirdParty(i) => {
            let untold: Vec<usize> = next
                .pauses
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.kind == PauseKind::Consultation && p.objected && p.told_on.is_none()
                })
                .filter(|(_, p)| {
                    i.consultation_id.is_none() || p.id.as_deref() == i.consultation_id.as_deref()
                })
                .map(|(n, _)| n)
                .collect();
            let index = match untold.as_slice() {
                [one] => *one,
                [] => {
                    return Err(WorkflowError::InvalidInput {
                        field: "consultation_id",
                        message: "no objecting third party with this id waits to be told".into(),
                    })
                }
                _ => {
                    return Err(WorkflowError::InvalidInput {
                        field: "consultation_id",
                        message: "several third parties objected: name the consultation".into(),
                    })
                }
            };
            next.pauses[index].told_on = Some(today);
            payload["consultation_id"] = next.pauses[index].id.clone().into();
        }
    }
    Ok(Transition {
        case: next,
        payload,
    })
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
