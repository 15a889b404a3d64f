//! The guards of the workflow: what refuses an action on this case, for this actor, today,
//! whatever its input. `allowed_actions` never offers what they refuse.

use chrono::NaiveDate;

use super::*;

/// Guards that depend on the case, the actor and the clock, not on the input.
pub(super) fn blocked_by(
    case: &Case,
    actor: &Actor,
    kind: ActionKind,
    limits: &Limits,
    cal: &Calendar,
    today: NaiveDate,
) -> Option<WorkflowError> {
    period_ended(kind, limits, cal, today)
        .or_else(|| receipt_and_review(case, actor, kind, limits, today))
        .or_else(|| extension_and_reasons(case, actor, kind))
        .or_else(|| fees_reopening_and_delivery(case, kind, cal, today))
}

/// RULES §8: nothing that stops or lengthens the answer clock starts after it ran out.
fn period_ended(
    kind: ActionKind,
    limits: &Limits,
    cal: &Calendar,
    today: NaiveDate,
) -> Option<WorkflowError> {
    use ActionKind as K;
    // A consultation letter is judged by its own date, in `apply` (and below).
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
    None
}

/// The date of receipt, the correction notice, four eyes, an unpaid fee before drafting.
fn receipt_and_review(
    case: &Case,
    actor: &Actor,
    kind: ActionKind,
    limits: &Limits,
    today: NaiveDate,
) -> Option<WorkflowError> {
    use ActionKind as K;
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
        _ => None,
    }
}

/// Art. 33 ¶1 (one extension, decided by another) and art. 35 (reasons first).
fn extension_and_reasons(case: &Case, actor: &Actor, kind: ActionKind) -> Option<WorkflowError> {
    use ActionKind as K;
    match kind {
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
        _ => None,
    }
}

/// Fees and their waiver, reopening, return receipts, and telling an objecting third party.
fn fees_reopening_and_delivery(
    case: &Case,
    kind: ActionKind,
    cal: &Calendar,
    today: NaiveDate,
) -> Option<WorkflowError> {
    use ActionKind as K;
    match kind {
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
