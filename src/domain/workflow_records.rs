//! The smaller actions' effects on a case, one function each (the larger ones are in
//! `workflow_steps.rs`). A child of `workflow`, so it reads the case's own helpers.

use super::steps::{not_before, not_future, paper_or_today, Step, ANSWER};
use super::*;

/// The day a posted or handed-in application was received (art. 31): not in the future, and
/// not more than a year before the clerk registered it (a typo, not a slow post).
pub(super) fn confirm_receipt(s: &mut Step<'_>, i: &ConfirmReceipt) -> Result<(), WorkflowError> {
    not_future("received_on", i.received_on, s.today)?;
    not_before(
        "received_on",
        i.received_on,
        s.before.registered_on.map(|r| r - chrono::Days::new(366)),
        ("登记前一年", "a year before registration"),
    )?;
    s.next.received_on = Some(i.received_on);
    Ok(())
}

pub(super) fn accept(s: &mut Step<'_>) {
    s.next.status = Some(Status::Accepted);
}

/// Art. 30: the applicant's period runs from the day they received the notice: today online or
/// by e-mail, or as recorded when a posted notice's receipt comes back.
pub(super) fn request_correction(s: &mut Step<'_>, i: &RequestCorrection) {
    s.next.status = Some(Status::Correction);
    s.next.correction_requested_on = Some(s.today);
    s.next.correction_period_days = Some(i.period_working_days);
    s.next.correction_notice_received_on = (!i.by_post).then_some(s.today);
}

pub(super) fn withdraw(s: &mut Step<'_>) {
    s.next.closed_on = Some(s.today);
    s.next.status = Some(Status::Withdrawn);
}

/// Art. 33 ¶2: the clerk asks, the head of the unit decides.
pub(super) fn request_extension(s: &mut Step<'_>, i: &RequestExtension) {
    s.next.extension = Some(Extension {
        state: ExtensionState::Requested,
        days: i.working_days,
        requested_by: s.actor.id.clone(),
    });
}

pub(super) fn decide_extension(s: &mut Step<'_>, decided: ExtensionState) {
    if let Some(e) = &mut s.next.extension {
        e.state = decided;
    }
}

/// Art. 33: a period the office sets itself, where the law lets it.
pub(super) fn set_answer_period(s: &mut Step<'_>, i: &SetAnswerPeriod) {
    s.next.office_set_period = Some(i.working_days);
}

/// Art. 35: the questions go to the applicant with the notices; the case remembers the day.
pub(super) fn ask_for_reasons(s: &mut Step<'_>) {
    s.next.reasons_asked_on = Some(s.today);
}

pub(super) fn reply_to_reasons(s: &mut Step<'_>, i: &ReplyToReasons) -> Result<(), WorkflowError> {
    let on = paper_or_today((s.actor, s.cal), i.received_on, s.today)?;
    not_before(
        "received_on",
        on,
        s.before.reasons_asked_on,
        ("要求说明理由之日", "the request for reasons"),
    )?;
    s.next.reasons_replied_on = Some(on);
    Ok(())
}

/// Art. 30: no correction in time is deemed abandoned (其他处理 1).
pub(super) fn abandon_no_correction(s: &mut Step<'_>) {
    close(s, Outcome::OtherNoCorrection, Status::AbandonedNoCorrection);
}

/// Fee Measures: not paid in time is deemed abandoned (其他处理 2).
pub(super) fn abandon_fee_unpaid(s: &mut Step<'_>) {
    close(s, Outcome::OtherFeeUnpaid, Status::AbandonedFeeUnpaid);
}

fn close(s: &mut Step<'_>, outcome: Outcome, status: Status) {
    s.next.outcome = Some(outcome);
    s.next.closed_on = Some(s.today);
    s.next.status = Some(status);
}

/// Recorded on the case; the challenge itself is kept beside it (service::challenges).
pub(super) fn record_challenge(s: &mut Step<'_>, i: &RecordChallenge) -> Result<(), WorkflowError> {
    not_future("filed_on", i.filed_on, s.today)?;
    not_before("filed_on", i.filed_on, s.before.closed_on, ANSWER)?;
    if i.after_reconsideration && i.kind == ChallengeKind::Reconsideration {
        return Err(WorkflowError::InvalidInput {
            field: "after_reconsideration",
            message: msg!(
                "只有行政诉讼才可能在行政复议之后提起",
                "only a lawsuit comes after a reconsideration"
            ),
        });
    }
    Ok(())
}

pub(super) fn record_challenge_result(
    s: &mut Step<'_>,
    i: &RecordChallengeResult,
) -> Result<(), WorkflowError> {
    not_future("decided_on", i.decided_on, s.today)
}

/// What would have been charged is recorded with the reason (Fee Measures).
pub(super) fn waive_fee(s: &mut Step<'_>, i: &WaiveFee) -> Result<(), WorkflowError> {
    let quote = fees::waived(i, s.before.month_rank)
        .map_err(|(field, message)| WorkflowError::InvalidInput { field, message })?;
    s.next.fee_waived_on = Some(s.today);
    s.payload["quote"] = serde_json::to_value(&quote).expect("quotes serialise");
    Ok(())
}

/// Art. 30: the correction counts as received today; the answer period starts afresh.
pub(super) fn reopen(s: &mut Step<'_>, i: &Reopen) {
    s.next.reopened_on = Some(s.today);
    s.next.corrected_received_on = Some(s.today);
    if let Some(d) = &i.description {
        s.next.description = d.clone();
    }
    s.next.outcome = None;
    s.next.closed_on = None;
    s.next.status = Some(Status::Accepted);
}
