//! What the larger actions do to a case (the smaller ones are in `workflow_records.rs`), with
//! the checks of their dates. A child of `workflow`, so it reads the case's own helpers.

use chrono::NaiveDate;

use super::*;

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

pub(super) fn not_before(
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
pub(super) fn paper_or_today(
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
            message: "no open consultation with this id".into(),
        }),
        _ => Err(WorkflowError::InvalidInput {
            field: "consultation_id",
            message: "several consultations are open: name the one that ended".into(),
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

pub(super) fn submit_correction(
    s: &mut Step<'_>,
    i: &SubmitCorrection,
) -> Result<(), WorkflowError> {
    let on = paper_or_today(s.actor, i.received_on, s.today)?;
    not_before(
        "received_on",
        on,
        s.before.correction_requested_on,
        "the correction notice",
    )?;
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
    not_before(
        "letter_date",
        i.letter_date,
        received,
        "the date of receipt",
    )?;
    if let Some(r) = i.letter_received_on {
        not_future("letter_received_on", r, s.today)?;
        not_before("letter_received_on", r, Some(i.letter_date), "the letter")?;
    }
    // RULES §8: a letter dated after the answer period ended stops nothing.
    if let Some(due) = s.before.limits(s.cal, i.letter_date).answer_period_ended_on {
        return Err(refused(
            "answer_period_expired",
            format!("the answer period ended on {due}, before the letter"),
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
    not_before("reply_date", i.reply_date, Some(pause.from), "the letter")?;
    let window_end = pause.window_end(s.cal).ok().flatten();
    let to = match i.reply {
        // No reply: the pause ends with the party's window, which must have passed.
        // On the window's last day silence may be recorded (the answer may fall due that
        // very day, when the letter went out on the period's last day).
        ConsultationReply::NoReply => match window_end {
            Some(end) if end > s.today => {
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
            "outcome_precondition",
            "unclear after correction needs a correction that was requested and \
                 answered (art. 30)",
        ));
    }
    if i.outcome == Outcome::NotProcessedExcessive && s.before.reasons_asked_on.is_none() {
        return Err(refused(
            "outcome_precondition",
            "an unreasonable volume is found only after asking for reasons (art. 35)",
        ));
    }
    s.next.outcome = Some(i.outcome);
    s.next.decision = Some(i.clone());
    s.next.decision_drafted_by = s.actor.id.clone();
    s.next.approved_by = None;
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
            not_future(field, date, s.today)?;
            not_before(field, date, received, "the date of receipt")?;
        }
    }
    if let (Some(p), Some(d)) = (posted, delivered) {
        not_before("delivered_on", d, Some(p), "the day it was posted")?;
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
        not_before("notice_received_on", d, Some(s.today), "the notice")?;
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
    s.next.pauses[index].told_on = Some(s.today);
    s.payload["consultation_id"] = s.next.pauses[index].id.clone().into();
    Ok(())
}
