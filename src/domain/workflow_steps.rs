//! What the larger actions do to a case (the smaller ones are in `workflow_records.rs`), with
//! the checks of their dates. A child of `workflow`, so it reads the case's own helpers.

use chrono::NaiveDate;

use super::*;
use crate::domain::message::Message;
use crate::domain::problem_code::ProblemCode as C;
use crate::msg;

/// What a date may not precede, named in both languages.
pub(super) type Earlier = (&'static str, &'static str);
pub(super) const DATE_OF_RECEIPT: Earlier = ("收到日期", "the date of receipt");
pub(super) const NOTICE: Earlier = ("通知", "the notice");
pub(super) const LETTER: Earlier = ("函件", "the letter");
pub(super) const DAY_POSTED: Earlier = ("交邮之日", "the day it was posted");
pub(super) const CORRECTION_NOTICE: Earlier = ("补正通知", "the correction notice");
pub(super) const FEE_NOTICE: Earlier = ("收费通知", "the fee notice");
pub(super) const ANSWER: Earlier = ("答复", "the answer");

/// One action being applied: the case before, the case after, the event's payload, who and when.
pub(super) struct Step<'a> {
    pub before: &'a Case,
    pub next: Case,
    pub payload: serde_json::Value,
    pub actor: &'a Actor,
    pub today: NaiveDate,
    pub cal: &'a Calendar,
}

pub(super) fn not_future(
    field: &'static str,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), WorkflowError> {
    past_date(date, today).map_err(|(_, message)| WorkflowError::InvalidInput { field, message })
}

pub(super) fn not_before(
    field: &'static str,
    date: NaiveDate,
    earliest: Option<NaiveDate>,
    (what_zh, what): Earlier,
) -> Result<(), WorkflowError> {
    match earliest {
        Some(e) if date < e => Err(WorkflowError::InvalidInput {
            field,
            message: msg!(
                "{date} 早于{what_zh}（{e}）",
                "{date} is before {what} ({e})"
            ),
        }),
        _ => Ok(()),
    }
}

/// What the applicant sends online is received the day it is sent; what a clerk records from
/// paper carries the day it was received (art. 31).
/// Art. 31(3): what an applicant sends online is received the day it is sent, or, sent on a
/// day off, the next working day (the day both sides can confirm it).
pub fn online_receipt(cal: &Calendar, today: NaiveDate) -> NaiveDate {
    match cal.is_working(today) {
        Ok(false) => cal.add(today, 1).unwrap_or(today),
        _ => today,
    }
}

/// The day a reply of the applicant's counts from: the day sent online (`online_receipt`), or
/// the day a clerk says the paper came (not in the future).
pub(super) fn paper_or_today(
    (actor, cal): (&Actor, &Calendar),
    received_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, WorkflowError> {
    let on = match (actor.role, received_on) {
        (Role::Applicant, None) => return Ok(online_receipt(cal, today)),
        (Role::Applicant, Some(_)) => {
            return Err(WorkflowError::InvalidInput {
                field: "received_on",
                message: msg!(
                    "网上提交的申请以提交之日为收到日期",
                    "what is sent online is received on the day it is sent"
                ),
            })
        }
        (_, Some(d)) => d,
        (_, None) => {
            return Err(WorkflowError::InvalidInput {
                field: "received_on",
                message: msg!(
                    "请填写收到纸质申请的日期（第三十一条）",
                    "give the day the paper was received (art. 31)"
                ),
            })
        }
    };
    not_future("received_on", on, today)?;
    Ok(on)
}

/// The index of the open consultation an action names (or the only one open).
pub(super) fn open_consultation(case: &Case, id: Option<&str>) -> Result<usize, WorkflowError> {
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
            message: msg!(
                "没有该编号的进行中的征求意见",
                "no open consultation with this id"
            ),
        }),
        _ => Err(WorkflowError::InvalidInput {
            field: "consultation_id",
            message: msg!(
                "有多项征求意见在进行中，请指明已结束的那一项",
                "several consultations are open: name the one that ended"
            ),
        }),
    }
}

/// Records the day a posted document was signed for: the periods that run from it start.
pub(super) fn record_received(
    next: &mut Case,
    i: &RecordNoticeReceived,
    today: NaiveDate,
) -> Result<(), WorkflowError> {
    not_future("received_on", i.received_on, today)?;
    let wrong = |message: Message| {
        Err(WorkflowError::InvalidInput {
            field: "document",
            message,
        })
    };
    match i.document {
        ReceivedDocument::CorrectionNotice => {
            if next.status() != Status::Correction || next.correction_requested_on.is_none() {
                return wrong(msg!(
                    "没有等待申请人签收的补正通知",
                    "no correction notice is waiting for the applicant"
                ));
            }
            not_before(
                "received_on",
                i.received_on,
                next.correction_requested_on,
                NOTICE,
            )?;
            next.correction_notice_received_on = Some(i.received_on);
        }
        ReceivedDocument::FeeNotice => {
            let Some(fee) = next.fee.as_mut().filter(|f| f.unpaid()) else {
                return wrong(msg!(
                    "没有待缴费的收费通知",
                    "no fee notice is waiting for payment"
                ));
            };
            not_before("received_on", i.received_on, Some(fee.notice_on), NOTICE)?;
            fee.received_on = Some(i.received_on);
        }
        ReceivedDocument::ConsultationLetter => {
            let index = open_consultation(next, i.consultation_id.as_deref())?;
            let pause = &mut next.pauses[index];
            not_before("received_on", i.received_on, Some(pause.from), LETTER)?;
            pause.letter_received_on = Some(i.received_on);
        }
        ReceivedDocument::Answer => {
            if next.status() != Status::Delivered {
                return wrong(msg!("答复尚未送达", "the answer has not been delivered"));
            }
            not_before("received_on", i.received_on, next.posted_on, DAY_POSTED)?;
            next.delivered_on = Some(i.received_on);
        }
    }
    Ok(())
}

pub(super) fn submit_correction(
    s: &mut Step<'_>,
    i: &SubmitCorrection,
) -> Result<(), WorkflowError> {
    let mut on = paper_or_today((s.actor, s.cal), i.received_on, s.today)?;
    not_before(
        "received_on",
        on,
        s.before.correction_requested_on,
        CORRECTION_NOTICE,
    )?;
    // A correction restarts the period from its own receipt (art. 30), never from a day
    // before the application itself was received: one sent online before that day (the
    // application came on a day off) counts from it; a clerk's date before it is an error.
    match (s.actor.role, s.before.received_on) {
        (Role::Applicant, Some(received)) => on = on.max(received),
        _ => not_before("received_on", on, s.before.received_on, DATE_OF_RECEIPT)?,
    }
    if let Some(d) = &i.description {
        s.next.description = d.clone();
    }
    if i.document_number.is_some() {
        s.next.document_number = i.document_number.clone();
    }
    s.next.corrected_received_on = Some(on);
    s.next.status = Some(Status::Accepted);
    Ok(())
}

pub(super) fn start_consultation(
    s: &mut Step<'_>,
    i: &StartConsultation,
) -> Result<(), WorkflowError> {
    let received = s.before.clock_start();
    not_future("letter_date", i.letter_date, s.today)?;
    not_before("letter_date", i.letter_date, received, DATE_OF_RECEIPT)?;
    if let Some(r) = i.letter_received_on {
        not_future("letter_received_on", r, s.today)?;
        not_before("letter_received_on", r, Some(i.letter_date), LETTER)?;
    }
    // RULES §8: a letter dated after the answer period ended stops nothing.
    if let Some(due) = s.before.limits(s.cal, i.letter_date).answer_period_ended_on {
        return Err(refused(
            C::AnswerPeriodExpired,
            msg!(
                "答复期限已于 {due} 届满，早于征求意见函的日期",
                "the answer period ended on {due}, before the letter"
            ),
        ));
    }
    let n = s.before.consultations().count() + 1;
    s.next.consultation_letter_on = Some(
        s.before
            .consultation_letter_on
            .map_or(i.letter_date, |d| d.min(i.letter_date)),
    );
    s.next.pauses.push(Pause {
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
    s.payload["consultation_id"] = format!("c{n}").into();
    s.next.status = Some(Status::Consultation);
    Ok(())
}

pub(super) fn end_consultation(s: &mut Step<'_>, i: &EndConsultation) -> Result<(), WorkflowError> {
    not_future("reply_date", i.reply_date, s.today)?;
    let index = open_consultation(&s.next, i.consultation_id.as_deref())?;
    let pause = &s.next.pauses[index];
    not_before("reply_date", i.reply_date, Some(pause.from), LETTER)?;
    let window_end = pause.window_end(s.cal).ok().flatten();
    let to = match i.reply {
        // No reply: the pause ends with the party's window, which must have passed.
        // On the window's last day silence may be recorded (the answer may fall due that
        // very day, when the letter went out on the period's last day).
        ConsultationReply::NoReply => match window_end {
            Some(end) if end > s.today => {
                return Err(WorkflowError::InvalidInput {
                    field: "reply",
                    message: msg!(
                        "对方可在 {end} 前答复：自该日起才能登记未答复（no_reply）",
                        "the party has until {end} to reply: record no_reply from that day"
                    ),
                })
            }
            Some(end) => end,
            None => i.reply_date,
        },
        _ => i.reply_date,
    };
    let pause = &mut s.next.pauses[index];
    pause.to = Some(to);
    // Art. 32: a third party's objection binds the office to tell it before disclosing;
    // an agency's objection (art. 34) is weighed in the decision.
    pause.objected =
        i.reply == ConsultationReply::Objection && pause.party_kind != Some(ConsultedParty::Agency);
    pause.silent = i.reply == ConsultationReply::NoReply;
    s.payload["consultation_id"] = pause.id.clone().into();
    if let Some(end) = window_end.filter(|end| i.reply_date > *end) {
        // A late reply is recorded, but the clock stopped only until the window closed.
        s.payload["late_reply"] = true.into();
        s.payload["window_ended_on"] = end.to_string().into();
    }
    let still_open = s.next.consultations().filter(|p| p.to.is_none()).count();
    s.next.consultation_letter_on = s
        .next
        .consultations()
        .filter(|p| p.to.is_none())
        .map(|p| p.from)
        .min();
    if still_open == 0 {
        s.next.status = Some(Status::Accepted);
    }
    Ok(())
}

pub(super) fn propose_decision(s: &mut Step<'_>, i: &ProposeDecision) -> Result<(), WorkflowError> {
    i.check()?;
    // RULES §8: an outcome stands on its preconditions.
    if i.outcome == Outcome::UnavailableUnclearAfterCorrection
        && s.before.corrected_received_on.is_none()
    {
        return Err(refused(
            C::OutcomePrecondition,
            msg!(
                "“补正后申请内容仍不明确”须以要求过补正且申请人已补正为前提（第三十条）",
                "unclear after correction needs a correction that was requested and answered \
                 (art. 30)"
            ),
        ));
    }
    if i.outcome == Outcome::NotProcessedExcessive && s.before.reasons_asked_on.is_none() {
        return Err(refused(
            C::OutcomePrecondition,
            msg!(
                "须先要求申请人说明理由，才能认定申请数量明显超过合理范围（第三十五条）",
                "an unreasonable volume is found only after asking for reasons (art. 35)"
            ),
        ));
    }
    super::inside::drafted_from(s, i)?;
    s.next.outcome = Some(i.outcome);
    s.next.decision = Some(i.clone());
    s.next.decision_drafted_by = s.actor.id.clone();
    s.next.approved_by = None;
    // The draft waits at the first approval level (domain::handling).
    s.next.approval_stage = Some(1);
    s.next.first_approved_by = None;
    s.next.status = Some(Status::Decision);
    Ok(())
}

pub(super) fn deliver(s: &mut Step<'_>, i: &Deliver) -> Result<(), WorkflowError> {
    let received = s.before.clock_start();
    // RULES §8: by post the day posted counts; in person the day signed for; by e-mail
    // or online the day sent.
    let (posted, delivered) = match (i.method, i.posted_on, i.delivered_on) {
        (DeliveryMethod::Post, Some(p), d) => (Some(p), d),
        (DeliveryMethod::Post, None, _) => {
            return Err(WorkflowError::InvalidInput {
                field: "posted_on",
                message: msg!(
                    "请填写交邮之日",
                    "give the day the letter was posted (交邮之日)"
                ),
            })
        }
        (_, Some(_), _) => {
            return Err(WorkflowError::InvalidInput {
                field: "posted_on",
                message: msg!(
                    "只有邮寄送达才填写交邮之日（posted_on）",
                    "posted_on goes with method post only"
                ),
            })
        }
        (_, None, Some(d)) => (None, Some(d)),
        (_, None, None) => {
            return Err(WorkflowError::InvalidInput {
                field: "delivered_on",
                message: msg!(
                    "请填写签收或发送的日期",
                    "give the day it was signed for or sent"
                ),
            })
        }
    };
    for (field, date) in [("posted_on", posted), ("delivered_on", delivered)] {
        if let Some(date) = date {
            not_future(field, date, s.today)?;
            not_before(field, date, received, DATE_OF_RECEIPT)?;
        }
    }
    if let (Some(p), Some(d)) = (posted, delivered) {
        not_before("delivered_on", d, Some(p), DAY_POSTED)?;
    }
    s.next.posted_on = posted;
    s.next.delivered_on = delivered;
    s.next.delivery_method = Some(i.method);
    s.next.closed_on = posted.or(delivered);
    s.next.status = Some(Status::Delivered);
    Ok(())
}

pub(super) fn issue_fee_notice(s: &mut Step<'_>, i: &IssueFeeNotice) -> Result<(), WorkflowError> {
    let (quote, amount) = fees::charge(i, s.before.month_rank)
        .map_err(|(field, message)| WorkflowError::InvalidInput { field, message })?;
    // The payment period runs from the day after the applicant received the notice;
    // a posted notice's receipt is recorded when its return receipt comes back.
    let received_notice = match (i.by_post, i.notice_received_on) {
        (_, Some(d)) => Some(d),
        (false, None) => Some(s.today),
        (true, None) => None,
    };
    if let Some(d) = received_notice {
        not_future("notice_received_on", d, s.today)?;
        not_before("notice_received_on", d, Some(s.today), NOTICE)?;
    }
    s.next.fee = Some(Fee {
        scale: i.scale,
        amount_fen: amount,
        notice_on: s.today,
        received_on: received_notice,
        paid_on: None,
    });
    // The answer period does not run from the notice to payment (Fee Measures).
    s.next.pauses.push(Pause::fee_notice(s.today));
    s.payload["quote"] = serde_json::to_value(&quote).expect("quotes serialise");
    s.payload["amount_fen"] = amount.into();
    Ok(())
}

pub(super) fn record_payment(s: &mut Step<'_>, i: &RecordPayment) -> Result<(), WorkflowError> {
    let fee = s.next.fee.as_mut().expect("guarded: a fee is due");
    not_future("paid_on", i.paid_on, s.today)?;
    not_before("paid_on", i.paid_on, Some(fee.notice_on), FEE_NOTICE)?;
    if i.amount_fen != fee.amount_fen {
        return Err(WorkflowError::InvalidInput {
            field: "amount_fen",
            message: {
                let (due, paid) = (fee.amount_fen, i.amount_fen);
                msg!(
                    "收费通知的金额是 {due} 分，不是 {paid} 分",
                    "the notice asks for {due} fen, not {paid}"
                )
            },
        });
    }
    fee.paid_on = Some(i.paid_on);
    if let Some(p) = s
        .next
        .pauses
        .iter_mut()
        .rev()
        .find(|p| p.kind == PauseKind::FeeNotice && p.to.is_none())
    {
        p.to = Some(i.paid_on);
    }
    Ok(())
}

pub(super) fn notify_third_party(
    s: &mut Step<'_>,
    i: &NotifyThirdParty,
) -> Result<(), WorkflowError> {
    let untold: Vec<usize> = s
        .next
        .pauses
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PauseKind::Consultation && p.objected && p.told_on.is_none())
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
                message: msg!(
                    "没有该编号的待告知的持异议第三方",
                    "no objecting third party with this id waits to be told"
                ),
            })
        }
        _ => {
            return Err(WorkflowError::InvalidInput {
                field: "consultation_id",
                message: msg!(
                    "有多个第三方提出异议，请指明征求意见编号",
                    "several third parties objected: name the consultation"
                ),
            })
        }
    };
    s.next.pauses[index].told_on = Some(s.today);
    s.payload["consultation_id"] = s.next.pauses[index].id.clone().into();
    Ok(())
}
