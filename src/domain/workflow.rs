//! The statutory workflow as a state machine (RULES §3). Pure: a case, an actor, an action and
//! today's legal date in; the next case and the event payload out.
//!
//! To add an action: a variant in `ActionKind`, its input in `Action`, a row in `RULES`, and its
//! effect in `apply`. Guards that need no input also go in `blocked_by` so `allowed_actions`
//! never offers an action that would be refused.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::case::{DeliveryMethod, Outcome, Status};
use super::clock::{ClockFacts, Pause, PauseKind};
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
            extension_days: 0,
            office_set_period: None,
            fee_notice: None,
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
    }
}

/// Who may take an action, and from which states.
pub struct Rule {
    pub kind: ActionKind,
    pub roles: &'static [Role],
    pub from: &'static [Status],
}

const OPEN: &[Status] = &[
    Status::Registered,
    Status::Accepted,
    Status::Correction,
    Status::Consultation,
    Status::Decision,
    Status::Approved,
];

pub const RULES: &[Rule] = &[
    // Art. 31: the clerk records the legal receipt date for mail, fax and unconfirmed channels.
    Rule {
        kind: ActionKind::ConfirmReceipt,
        roles: &[Role::Clerk],
        from: &[Status::Registered],
    },
    Rule {
        kind: ActionKind::Accept,
        roles: &[Role::Clerk],
        from: &[Status::Registered],
    },
    // Art. 30: correction is asked for once, before the application is handled further.
    Rule {
        kind: ActionKind::RequestCorrection,
        roles: &[Role::Clerk],
        from: &[Status::Registered, Status::Accepted],
    },
    // The applicant answers online; a clerk records a correction that came on paper.
    Rule {
        kind: ActionKind::SubmitCorrection,
        roles: &[Role::Applicant, Role::Clerk],
        from: &[Status::Correction],
    },
    // Art. 32, 34: consult a third party or another agency in writing.
    Rule {
        kind: ActionKind::StartConsultation,
        roles: &[Role::Clerk],
        from: &[Status::Accepted],
    },
    Rule {
        kind: ActionKind::EndConsultation,
        roles: &[Role::Clerk],
        from: &[Status::Consultation],
    },
    // A head may draft too; four eyes are kept by `approve` refusing the drafter.
    Rule {
        kind: ActionKind::ProposeDecision,
        roles: &[Role::Clerk, Role::Approver],
        from: &[Status::Accepted],
    },
    Rule {
        kind: ActionKind::Approve,
        roles: &[Role::Approver],
        from: &[Status::Decision],
    },
    Rule {
        kind: ActionKind::Return,
        roles: &[Role::Approver],
        from: &[Status::Decision],
    },
    Rule {
        kind: ActionKind::Deliver,
        roles: &[Role::Clerk],
        from: &[Status::Approved],
    },
    // The applicant withdraws online; a clerk records a withdrawal received in writing.
    Rule {
        kind: ActionKind::Withdraw,
        roles: &[Role::Applicant, Role::Clerk],
        from: OPEN,
    },
    Rule {
        kind: ActionKind::CloseWithoutProcessing,
        roles: &[Role::Clerk],
        from: &[Status::Registered, Status::Accepted, Status::Correction],
    },
];

pub fn rule(kind: ActionKind) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.kind == kind)
        .expect("every action kind has a rule")
}

const MAX_TEXT: u64 = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ConfirmReceipt {
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
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct SubmitCorrection {
    /// What the applicant says in answer to the correction notice.
    #[validate(length(min = 1, max = 10000))]
    pub statement: String,
    /// A corrected description of the information sought, replacing the original.
    #[validate(length(min = 1, max = 10000))]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub document_number: Option<String>,
    /// When a clerk records a paper correction: the day it was received (art. 31).
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
    #[validate(length(min = 1, max = 200))]
    pub party_name: String,
    #[validate(email)]
    pub party_email: Option<String>,
    /// The date of the consultation letter.
    pub letter_date: NaiveDate,
    #[validate(length(max = 10000))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct EndConsultation {
    pub reply: ConsultationReply,
    /// The date of the reply, or for no reply the day the period ran out.
    pub reply_date: NaiveDate,
    #[validate(length(max = 10000))]
    pub reply_summary: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProposeDecision {
    pub outcome: Outcome,
    #[validate(length(min = 1, max = 10000))]
    pub reasoning: String,
    #[validate(length(max = 2000))]
    pub legal_basis: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[validate(length(min = 1, max = 10000))]
    pub comments: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Deliver {
    pub method: DeliveryMethod,
    pub delivered_on: NaiveDate,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    #[validate(length(max = 10000))]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct CloseWithoutProcessing {
    /// One of the 不予处理 rows of the annual report.
    pub ground: Outcome,
    #[validate(length(min = 1, max = 10000))]
    pub reasoning: String,
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
    CloseWithoutProcessing(CloseWithoutProcessing),
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
            Self::CloseWithoutProcessing(_) => ActionKind::CloseWithoutProcessing,
        }
    }

    /// The input as recorded in the event. Inputs never carry identity numbers.
    pub fn payload(&self) -> serde_json::Value {
        let v = match self {
            Self::ConfirmReceipt(i) => serde_json::to_value(i),
            Self::Accept(i) | Self::Approve(i) => serde_json::to_value(i),
            Self::RequestCorrection(i) => serde_json::to_value(i),
            Self::SubmitCorrection(i) => serde_json::to_value(i),
            Self::StartConsultation(i) => serde_json::to_value(i),
            Self::EndConsultation(i) => serde_json::to_value(i),
            Self::ProposeDecision(i) => serde_json::to_value(i),
            Self::Return(i) => serde_json::to_value(i),
            Self::Deliver(i) => serde_json::to_value(i),
            Self::Withdraw(i) => serde_json::to_value(i),
            Self::CloseWithoutProcessing(i) => serde_json::to_value(i),
        };
        v.expect("action inputs serialise")
    }
}

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
            if !i.outcome.is_proposable() {
                return Err(WorkflowError::InvalidInput {
                    field: "outcome",
                    message: format!("{} is set by the service when a period lapses", i.outcome),
                });
            }
            next.outcome = Some(i.outcome);
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
    }
    Ok(Transition {
        case: next,
        payload: action.payload(),
    })
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;
