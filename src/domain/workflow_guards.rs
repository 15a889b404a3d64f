//! The guards of the workflow: what refuses an action on this case, for this actor, today,
//! whatever its input. `allowed_actions` never offers what they refuse.

use chrono::NaiveDate;

use super::*;
use crate::domain::problem_code::ProblemCode as C;
use crate::msg;

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
        .or_else(|| super::inside::blocked_inside(case, actor, kind))
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
            C::AnswerPeriodExpired,
            msg!(
                "答复期限已于 {due} 届满，现在不能再中止或延长（第三十三条）",
                "the answer period ended on {due}: nothing may stop or lengthen it now (art. 33)"
            ),
        ));
    }
    // A letter dated on the last day may still be recorded the next working day, not later: a
    // letter found weeks on cannot reach back and pause an answer that is already overdue.
    if let (K::StartConsultation, Some(due)) = (kind, limits.answer_period_ended_on) {
        if cal.add(due, 1).is_ok_and(|next| today > next) {
            return Some(refused(
                C::AnswerPeriodExpired,
                msg!(
                    "答复期限已于 {due} 届满，征求意见不能再中止期限",
                    "the answer period ended on {due}: a consultation can no longer stop it"
                ),
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
                C::ReceiptDateMissing,
                msg!(
                    "请先登记申请的收到日期（第三十一条）",
                    "record the legal date of receipt first (art. 31)"
                ),
            ))
        }
        K::RequestCorrection if case.correction_requested_on.is_some() => Some(refused(
            C::CorrectionAlreadyRequested,
            msg!(
                "补正只能要求一次（第三十条）",
                "a correction may be requested only once (art. 30)"
            ),
        )),
        K::RequestCorrection if limits.correction_notice_ended_on.is_some() => {
            Some(refused(C::CorrectionNoticeLate, {
                let ended = limits.correction_notice_ended_on.unwrap_or(today);
                msg!(
                    "发出补正通知的 7 个工作日已于 {ended} 届满，申请按已收到处理（第三十条）",
                    "the 7 working days for a correction notice ended on {ended}: the application \
                     is handled as received (art. 30)"
                )
            }))
        }
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
                C::ReceiptDateFixed,
                msg!(
                    "收到日期已不能更改：已有期限以它为起算日",
                    "the date of receipt can no longer change: periods already rest on it"
                ),
            ))
        }
        K::Approve | K::Return if actor.id.is_some() && case.decision_drafted_by == actor.id => {
            Some(refused(
                C::DrafterCannotApprove,
                msg!(
                    "审批人不能审批自己起草的答复",
                    "the answer must be reviewed by an approver who did not draft it (four eyes)"
                ),
            ))
        }
        K::ProposeDecision if case.fee.as_ref().is_some_and(Fee::unpaid) => Some(refused(
            C::FeeUnpaid,
            msg!(
                "收费通知尚未缴费：请先登记缴费（《收费管理办法》）",
                "the fee notice is unpaid: record the payment first (Fee Measures)"
            ),
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
                C::ExtensionAlreadyGranted,
                msg!(
                    "答复期限已经延长过一次（第三十三条）",
                    "the answer period has been extended once already (art. 33)"
                ),
            )),
            Some(e) if e.state == ExtensionState::Requested => Some(refused(
                C::ExtensionAlreadyRequested,
                msg!(
                    "已有延期申请等待负责人审批",
                    "an extension request is waiting for the head of the unit"
                ),
            )),
            _ => None,
        },
        K::GrantExtension | K::RefuseExtension => match &case.extension {
            Some(e) if e.state == ExtensionState::Requested => {
                (actor.id.is_some() && e.requested_by == actor.id).then(|| {
                    refused(
                        C::RequesterCannotDecide,
                        msg!(
                            "延期申请须由申请人以外的人审批",
                            "an extension is decided by someone other than who asked"
                        ),
                    )
                })
            }
            _ => Some(refused(
                C::NoExtensionRequested,
                msg!(
                    "没有待审批的延期申请",
                    "no extension is waiting for a decision"
                ),
            )),
        },
        K::SetAnswerPeriod if case.office_set_period.is_some() => Some(refused(
            C::AnswerPeriodAlreadySet,
            msg!(
                "本机关已为该申请确定了更长的答复期限（第三十五条）",
                "the office has already set a longer period for this application (art. 35)"
            ),
        )),
        // Art. 35: ask for reasons first; a longer period answers reasons found reasonable, so
        // it needs the applicant's reply (silence leaves 不予处理 open, not a longer period).
        K::SetAnswerPeriod if case.reasons_asked_on.is_none() => Some(refused(
            C::ReasonsNotAsked,
            msg!(
                "请先要求申请人说明理由（第三十五条）",
                "ask the applicant for reasons first (art. 35)"
            ),
        )),
        K::SetAnswerPeriod if case.reasons_replied_on.is_none() => Some(refused(
            C::ReasonsNotGiven,
            msg!(
                "请先登记申请人说明的理由（reply_to_reasons，第三十五条）",
                "record the applicant's reasons first (reply_to_reasons, art. 35)"
            ),
        )),
        K::AskForReasons if case.reasons_asked_on.is_some() => Some(refused(
            C::ReasonsAlreadyAsked,
            msg!(
                "已经要求申请人说明过理由",
                "the applicant has already been asked for reasons"
            ),
        )),
        K::ReplyToReasons if case.reasons_asked_on.is_none() => Some(refused(
            C::ReasonsNotAsked,
            msg!(
                "本机关未要求说明理由",
                "the office has not asked for reasons"
            ),
        )),
        K::ReplyToReasons if case.reasons_replied_on.is_some() => Some(refused(
            C::ReasonsAlreadyGiven,
            msg!(
                "申请人说明的理由已经登记",
                "the reply to the request for reasons is already recorded"
            ),
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
            C::FeeWaived,
            msg!(
                "本机关已免收该申请的信息处理费",
                "the office has waived the fee for this application"
            ),
        )),
        K::WaiveFee if case.fee.is_some() => Some(refused(
            C::FeeNoticeAlreadyIssued,
            msg!(
                "收费通知已经发出：减收随通知一并决定，免收须在通知前决定",
                "a fee notice was sent: a reduction goes with the notice, a waiver before it"
            ),
        )),
        K::IssueFeeNotice if case.fee.is_some() => Some(refused(
            C::FeeNoticeAlreadyIssued,
            msg!("每件申请只发一次收费通知", "one fee notice per application"),
        )),
        K::IssueFeeNotice if !case.office.has_payment_details => Some(refused(
            C::PaymentDetailsMissing,
            msg!(
                "本机关尚未设置缴费方式（gongkai agency set-payment）",
                "the office has not set how applicants pay (gongkai agency set-payment)"
            ),
        )),
        K::RecordPayment | K::AbandonFeeUnpaid if !case.fee.as_ref().is_some_and(Fee::unpaid) => {
            Some(refused(
                C::NoFeeDue,
                msg!(
                    "没有待缴费的收费通知",
                    "no fee notice is waiting for payment"
                ),
            ))
        }
        K::Reopen if case.reopened_on.is_some() => Some(refused(
            C::AlreadyReopened,
            msg!(
                "一件申请最多只能恢复办理一次",
                "a case is reopened once at most"
            ),
        )),
        K::Reopen => {
            let until = case.closed_on.and_then(|c| {
                cal.add(c, case.office.reopen_working_days.max(0) as u32)
                    .ok()
            });
            match until {
                Some(until) if until < today => Some(refused(
                    C::ReopenPeriodExpired,
                    msg!(
                        "因未补正而终止的申请只能在 {until} 前恢复办理",
                        "a closure for no correction could be reopened until {until}"
                    ),
                )),
                _ => None,
            }
        }
        K::RecordNoticeReceived if !case.awaits_a_receipt() => Some(refused(
            C::NothingAwaitsReceipt,
            msg!(
                "本案没有等待登记回执的邮寄通知、函件或答复",
                "no posted notice, letter or answer of this case waits for its return receipt"
            ),
        )),
        K::NotifyThirdParty if case.objectors_untold().is_empty() => Some(refused(
            C::NoThirdPartyToTell,
            msg!(
                "没有需要告知公开决定的持异议第三方",
                "no objecting third party waits to be told of a disclosure"
            ),
        )),
        K::Deliver if case.must_tell_objectors() && !case.objectors_untold().is_empty() => {
            Some(refused(
                C::ThirdPartyNotTold,
                msg!(
                    "送达前须书面告知持异议的第三方拟公开的内容和理由（第三十二条）",
                    "tell the objecting third party in writing what will be disclosed and why \
                     before delivering (art. 32)"
                ),
            ))
        }
        _ => None,
    }
}
