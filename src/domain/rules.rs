//! Who may take each action, and from which states (the statutory workflow's table; the
//! guards that depend on the case itself are in `workflow::blocked_by`).

use super::case::Status;
use super::workflow::{ActionKind, Role};

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
    // It may be corrected until a correction is requested (the periods then rest on it).
    Rule {
        kind: ActionKind::ConfirmReceipt,
        roles: &[Role::Clerk],
        from: &[Status::Registered, Status::Accepted],
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
    // Several parties may be consulted at once (one letter each).
    Rule {
        kind: ActionKind::StartConsultation,
        roles: &[Role::Clerk],
        from: &[Status::Accepted, Status::Consultation],
    },
    Rule {
        kind: ActionKind::EndConsultation,
        roles: &[Role::Clerk],
        from: &[Status::Consultation],
    },
    // A head may draft too; four eyes are kept by `approve` refusing the drafter. Every
    // ending that answers the applicant, the five 不予处理 grounds included, is drafted,
    // approved and delivered as a letter (书面答复制; arts. 35, 36(6), 39).
    Rule {
        kind: ActionKind::ProposeDecision,
        roles: &[Role::Clerk, Role::Approver],
        from: &[Status::Registered, Status::Accepted],
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
    // Art. 33 ¶1: an extension needs the head of the disclosure unit's consent, once.
    Rule {
        kind: ActionKind::RequestExtension,
        roles: &[Role::Clerk],
        from: HANDLING,
    },
    Rule {
        kind: ActionKind::GrantExtension,
        roles: &[Role::Approver],
        from: HANDLING,
    },
    Rule {
        kind: ActionKind::RefuseExtension,
        roles: &[Role::Approver],
        from: HANDLING,
    },
    // Art. 35: for unreasonably many applications the office may set a longer period.
    Rule {
        kind: ActionKind::SetAnswerPeriod,
        roles: &[Role::Approver],
        from: HANDLING,
    },
    // Art. 35: the office may first ask the applicant why they apply so often; the reply comes
    // online or on paper.
    Rule {
        kind: ActionKind::AskForReasons,
        roles: &[Role::Clerk],
        from: &[Status::Registered, Status::Accepted],
    },
    Rule {
        kind: ActionKind::ReplyToReasons,
        roles: &[Role::Applicant, Role::Clerk],
        from: &[Status::Registered, Status::Accepted, Status::Consultation],
    },
    // The return receipt of a posted notice, letter or answer.
    Rule {
        kind: ActionKind::RecordNoticeReceived,
        roles: &[Role::Clerk],
        from: &[
            Status::Correction,
            Status::Accepted,
            Status::Consultation,
            Status::Decision,
            Status::Delivered,
        ],
    },
    // Art. 30: good reason shown for a late correction; an approver takes the case up again.
    Rule {
        kind: ActionKind::Reopen,
        roles: &[Role::Approver],
        from: &[Status::AbandonedNoCorrection],
    },
    // Art. 32: disclosing over a third party's objection, it is told in writing first.
    Rule {
        kind: ActionKind::NotifyThirdParty,
        roles: &[Role::Clerk],
        from: &[Status::Decision, Status::Approved],
    },
    // Fee Measures: the notice within the answer period; payment recorded when it arrives.
    Rule {
        kind: ActionKind::IssueFeeNotice,
        roles: &[Role::Clerk],
        from: &[Status::Accepted],
    },
    // Fee Measures: waiving the whole fee is the office's decision, taken by its head, where a
    // fee notice could be sent instead.
    Rule {
        kind: ActionKind::WaiveFee,
        roles: &[Role::Approver],
        from: &[Status::Accepted],
    },
    Rule {
        kind: ActionKind::RecordPayment,
        roles: &[Role::Clerk],
        from: HANDLING,
    },
    // Deemed abandoned when a period lapses: taken by the service's scheduled job only.
    Rule {
        kind: ActionKind::AbandonNoCorrection,
        roles: &[Role::System],
        from: &[Status::Correction],
    },
    Rule {
        kind: ActionKind::AbandonFeeUnpaid,
        roles: &[Role::System],
        from: HANDLING,
    },
    // Art. 51: an applicant may seek reconsideration or sue over a decision, or over a failure
    // to act on one never answered; the office records it and its result (part 四).
    Rule {
        kind: ActionKind::RecordChallenge,
        roles: &[Role::Clerk],
        from: ANY,
    },
    Rule {
        kind: ActionKind::RecordChallengeResult,
        roles: &[Role::Clerk],
        from: ANY,
    },
    // Inside the office (domain::handling): the person handling the case, forwarding to the
    // divisions concerned and their proposed answers. None of it moves a statutory clock.
    Rule {
        kind: ActionKind::Assign,
        roles: &[Role::Clerk, Role::Approver],
        from: OPEN,
    },
    Rule {
        kind: ActionKind::Reassign,
        roles: &[Role::Clerk, Role::Approver],
        from: OPEN,
    },
    Rule {
        kind: ActionKind::Forward,
        roles: &[Role::Clerk],
        from: &[Status::Accepted, Status::Consultation],
    },
    Rule {
        kind: ActionKind::ReplyToForwarding,
        roles: &[Role::Clerk],
        from: OPEN,
    },
];

/// Every state: a challenge may concern any case, answered or not.
const ANY: &[Status] = Status::ALL;

/// The states in which the office is working on an answer.
const HANDLING: &[Status] = &[Status::Accepted, Status::Consultation, Status::Decision];

pub fn rule(kind: ActionKind) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.kind == kind)
        .expect("every action kind has a rule")
}
