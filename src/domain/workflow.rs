//! The statutory workflow as a state machine (RULES §3). Pure: a case, an actor, an action and
//! today's legal date in; the next case and the event payload out.
//!
//! To add an action: a variant in `ActionKind`, its input in `Action` (domain/actions.rs), a row
//! in `RULES`, and its effect in `apply`. Guards that need no input also go in `blocked_by` so `allowed_actions`
//! never offers an action that would be refused.

use chrono::NaiveDate;

pub use super::actions::*;
use super::case::{ChallengeKind, DeliveryMethod, Outcome, Status};
use super::clock::{ClockFacts, FeeNoticeFacts, Pause, PauseKind};
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
    /// Art. 30: the answer period runs afresh from this date.
    pub corrected_received_on: Option<NaiveDate>,
    pub consultation_letter_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub decision_drafted_by: Option<String>,
    pub approved_by: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_method: Option<DeliveryMethod>,
    pub closed_on: Option<NaiveDate>,
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
}

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
            received_on: self.received_on,
            correction_requested_on: self.correction_requested_on,
            correction_period_days: self.correction_period_days,
            corrected_received_on: self.corrected_received_on,
            pauses: self.pauses.clone(),
            extension_days: match &self.extension {
                Some(e) if e.state == ExtensionState::Granted => e.days,
                _ => 0,
            },
            office_set_period: self.office_set_period,
            fee_notice: self.fee.as_ref().map(|f| FeeNoticeFacts {
                received_on: f.received_on,
                paid_on: f.paid_on,
            }),
            answered_on: ClockFacts::answered_on(status, self.delivered_on, self.closed_on),
        }
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
        CloseWithoutProcessing = "close_without_processing",
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

/// Guards that depend on the case and the actor only, not on the input.
fn blocked_by(case: &Case, actor: &Actor, kind: ActionKind) -> Option<WorkflowError> {
    match kind {
        ActionKind::Accept | ActionKind::RequestCorrection if case.received_on.is_none() => {
            Some(refused(
                "receipt_date_missing",
                "record the legal date of receipt first (art. 31)",
            ))
        }
        ActionKind::RequestCorrection if case.correction_requested_on.is_some() => Some(refused(
            "correction_already_requested",
            "a correction may be requested only once (art. 30)",
        )),
        ActionKind::Approve | ActionKind::Return
            if actor.id.is_some() && case.decision_drafted_by == actor.id =>
        {
            Some(refused(
                "drafter_cannot_approve",
                "the answer must be reviewed by an approver who did not draft it (four eyes)",
            ))
        }
        ActionKind::ProposeDecision if case.fee.as_ref().is_some_and(Fee::unpaid) => Some(refused(
            "fee_unpaid",
            "the fee notice is unpaid: record the payment first (Fee Measures)",
        )),
        ActionKind::RequestExtension if case.extension.is_some() => Some(refused(
            "extension_already_requested",
            "the answer period may be extended once (art. 33)",
        )),
        ActionKind::GrantExtension | ActionKind::RefuseExtension => match &case.extension {
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
        ActionKind::SetAnswerPeriod if case.office_set_period.is_some() => Some(refused(
            "answer_period_already_set",
            "the office has already set a longer period for this application (art. 35)",
        )),
        ActionKind::IssueFeeNotice if case.fee.is_some() => Some(refused(
            "fee_notice_already_issued",
            "one fee notice per application",
        )),
        ActionKind::RecordPayment | ActionKind::AbandonFeeUnpaid
            if !case.fee.as_ref().is_some_and(Fee::unpaid) =>
        {
            Some(refused(
                "no_fee_due",
                "no fee notice is waiting for payment",
            ))
        }
        _ => None,
    }
}

/// The actions this actor may take on the case now.
pub fn allowed_actions(case: &Case, actor: &Actor) -> Vec<ActionKind> {
    RULES
        .iter()
        .filter(|r| r.roles.contains(&actor.role) && r.from.contains(&case.status()))
        .filter(|r| blocked_by(case, actor, r.kind).is_none())
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

/// Applies an action to a case. `today` is the legal date (China) at which it is taken.
pub fn apply(
    case: &Case,
    actor: &Actor,
    action: &Action,
    today: NaiveDate,
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
    if let Some(err) = blocked_by(case, actor, kind) {
        return Err(err);
    }
    let mut next = case.clone();
    let mut payload = action.payload();
    let received = case.clock_start();
    match action {
        Action::ConfirmReceipt(i) => {
            not_future("received_on", i.received_on, today)?;
            next.received_on = Some(i.received_on);
        }
        Action::Accept(_) => next.status = Some(Status::Accepted),
        Action::RequestCorrection(i) => {
            next.status = Some(Status::Correction);
            next.correction_requested_on = Some(today);
            next.correction_period_days = Some(i.period_working_days);
        }
        Action::SubmitCorrection(i) => {
            let on = match (actor.role, i.received_on) {
                (Role::Applicant, None) => today,
                (Role::Applicant, Some(_)) => {
                    return Err(WorkflowError::InvalidInput {
                        field: "received_on",
                        message: "an online correction is received on the day it is sent".into(),
                    })
                }
                (_, Some(d)) => d,
                (_, None) => {
                    return Err(WorkflowError::InvalidInput {
                        field: "received_on",
                        message: "give the day the paper correction was received (art. 31)".into(),
                    })
                }
            };
            not_future("received_on", on, today)?;
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
            next.consultation_letter_on = Some(i.letter_date);
            next.pauses.push(Pause {
                kind: PauseKind::Consultation,
                from: i.letter_date,
                to: None,
                party: Some(i.party_name.clone()),
            });
            next.status = Some(Status::Consultation);
        }
        Action::EndConsultation(i) => {
            not_future("reply_date", i.reply_date, today)?;
            not_before(
                "reply_date",
                i.reply_date,
                case.consultation_letter_on,
                "the letter",
            )?;
            next.consultation_letter_on = None;
            if let Some(open) = next.pauses.iter_mut().rev().find(|p| p.to.is_none()) {
                open.to = Some(i.reply_date);
            }
            next.status = Some(Status::Accepted);
        }
        Action::ProposeDecision(i) => {
            i.check()?;
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
            not_future("delivered_on", i.delivered_on, today)?;
            not_before(
                "delivered_on",
                i.delivered_on,
                received,
                "the date of receipt",
            )?;
            next.delivered_on = Some(i.delivered_on);
            next.delivery_method = Some(i.method);
            next.closed_on = Some(i.delivered_on);
            next.status = Some(Status::Delivered);
        }
        Action::Withdraw(_) => {
            next.closed_on = Some(today);
            next.status = Some(Status::Withdrawn);
        }
        Action::CloseWithoutProcessing(i) => {
            if !i.ground.is_not_processed() {
                return Err(WorkflowError::InvalidInput {
                    field: "ground",
                    message: "the ground must be one of the not_processed_* outcomes".into(),
                });
            }
            next.outcome = Some(i.ground);
            next.closed_on = Some(today);
            next.status = Some(Status::ClosedWithoutProcessing);
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
        // Recorded as an event (the letter to the applicant goes with the notices); no state changes.
        Action::AskForReasons(_) => {}
        Action::IssueFeeNotice(i) => {
            let (quote, amount) = fees::charge(i, case.month_rank)
                .map_err(|(field, message)| WorkflowError::InvalidInput { field, message })?;
            let received_notice = i.notice_received_on.unwrap_or(today);
            not_future("notice_received_on", received_notice, today)?;
            not_before(
                "notice_received_on",
                received_notice,
                received,
                "the date of receipt",
            )?;
            next.fee = Some(Fee {
                scale: i.scale,
                amount_fen: amount,
                notice_on: today,
                received_on: received_notice,
                paid_on: None,
            });
            // The answer period does not run from the notice to payment (Fee Measures).
            next.pauses.push(Pause {
                kind: PauseKind::FeeNotice,
                from: today,
                to: None,
                party: None,
            });
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
    }
    Ok(Transition {
        case: next,
        payload,
    })
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
