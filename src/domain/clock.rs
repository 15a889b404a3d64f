//! Every deadline of a case, with how it was counted (RULES §2–4, §6). Pure: facts and a
//! calendar in, deadlines out.
//!
//! Counting (art. 33, RULES §4): the start day is not counted; day 1 is the first working day
//! after it; a deadline is the end of its N-th working day. A period that is "not counted" runs
//! from the day after it starts to the day it ends, both included: a consultation letter sent
//! on day 5 and answered on day 9 stops the answer clock for the days 6 to 9.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::actions::ConsultedParty;
use super::calendar::{Calendar, CalendarError};
use super::case::Status;
use super::str_enum;

/// Art. 33: the answer within 20 working days of receipt.
pub const ANSWER_WORKING_DAYS: i32 = 20;
/// Art. 30: the correction notice within 7 working days of receipt.
pub const CORRECTION_NOTICE_WORKING_DAYS: i32 = 7;
/// Art. 32, 34: a consulted party has 15 working days from receiving the letter.
pub const CONSULTATION_WORKING_DAYS: i32 = 15;
/// Fee Measures: 20 working days from the day after the applicant receives the fee notice.
pub const FEE_PAYMENT_WORKING_DAYS: i32 = 20;
/// Service practice, not law: a mail or fax application's legal receipt date (art. 31) is to be
/// confirmed by the next working day after it was registered.
pub const CONFIRM_RECEIPT_WORKING_DAYS: i32 = 1;
/// Service practice, not law: the signed return receipt of a posted notice is recorded within
/// 10 working days of posting; until then no period that runs from its receipt can lapse.
pub const POSTED_NOTICE_RECEIPT_WORKING_DAYS: i32 = 10;

str_enum! {
    /// Why the answer clock stopped for a while.
    pub enum PauseKind {
        /// Art. 33 ¶2: time spent consulting a third party or another agency.
        Consultation = "consultation",
        /// Fee Measures: from the fee notice to payment.
        FeeNotice = "fee_notice",
    }
}

/// A span during which the answer clock does not run: (from, to], open while `to` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Whom the office consulted (staff only: the applicant never learns who).
    pub party: Option<String>,
    /// A consultation's own id: several may run at once (several third parties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A third party (art. 32: silence leaves it to the office) or another agency (art. 34:
    /// silence is consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_kind: Option<ConsultedParty>,
    /// The day the consulted party received the letter (its signed receipt); until it is known
    /// the party's window counts from the letter date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter_received_on: Option<NaiveDate>,
    /// A third party objected (art. 32; an agency's objection is weighed, not notified).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub objected: bool,
    /// The party's window closed without a reply (the pause then ends with the window).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silent: bool,
    /// When an objecting third party was told in writing that the office discloses anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_on: Option<NaiveDate>,
}

impl Pause {
    /// A fee notice's pause, from the notice until payment (Fee Measures).
    pub fn fee_notice(from: NaiveDate) -> Self {
        Self {
            kind: PauseKind::FeeNotice,
            from,
            to: None,
            party: None,
            id: None,
            party_kind: None,
            letter_received_on: None,
            objected: false,
            silent: false,
            told_on: None,
        }
    }

    /// Art. 32, 34: the last day of the consulted party's 15 working days, counted from the
    /// day it received the letter (the letter date while the receipt is not known).
    pub fn window_end(&self, cal: &Calendar) -> Result<Option<NaiveDate>, CalendarError> {
        match self.kind {
            PauseKind::Consultation => cal
                .add(
                    self.letter_received_on.unwrap_or(self.from),
                    CONSULTATION_WORKING_DAYS as u32,
                )
                .map(Some),
            PauseKind::FeeNotice => Ok(None),
        }
    }

    /// The part of the pause that stops the answer clock (art. 33 ¶2): a consultation from its
    /// letter to the reply, never past the end of the party's window. A late reply, or none once
    /// the window has passed, lets the answer clock run again from the day after the window.
    pub fn effective(&self, cal: &Calendar, today: NaiveDate) -> Result<Pause, CalendarError> {
        let Some(end) = self.window_end(cal)? else {
            return Ok(self.clone());
        };
        let to = match self.to {
            Some(to) => Some(to.min(end)),
            None if today > end => Some(end),
            None => None,
        };
        Ok(Pause { to, ..self.clone() })
    }
}

/// What the clock reads of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClockFacts {
    pub status: Option<Status>,
    pub registered_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    /// Art. 30: the day the applicant received the correction notice; unknown for a posted
    /// notice until the return receipt is recorded.
    pub correction_notice_received_on: Option<NaiveDate>,
    pub corrected_received_on: Option<NaiveDate>,
    pub pauses: Vec<Pause>,
    /// An approved extension (art. 33 ¶1), in working days.
    pub extension_days: i32,
    /// Art. 35: a longer answer period the office set, in working days, replacing the 20.
    pub office_set_period: Option<i32>,
    /// The fee notice: the day the applicant received it, and the day they paid.
    pub fee_notice: Option<FeeNoticeFacts>,
    /// The day that counts as answering (RULES §8): posted, signed for, or sent.
    pub answered_on: Option<NaiveDate>,
    pub answered_basis: Option<AnsweredBasis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeNoticeFacts {
    pub notice_on: NaiveDate,
    /// The day the applicant received it; unknown for a posted notice until recorded.
    pub received_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
}

str_enum! {
    /// Which date made the answer timely (国办公开办函〔2016〕235号; RULES §8).
    pub enum AnsweredBasis {
        /// By post: the day it was posted (交邮之日).
        PostedOn = "posted_on",
        /// In person: the day it was signed for.
        SignedFor = "signed_for",
        /// By e-mail or online: the day it was sent.
        SentOn = "sent_on",
        /// A case closed without a delivered answer (older records).
        ClosedOn = "closed_on",
    }
}

impl AnsweredBasis {
    pub fn label(self) -> &'static str {
        match self {
            Self::PostedOn => "以交邮之日计",
            Self::SignedFor => "以签收之日计",
            Self::SentOn => "以发送之日计",
            Self::ClosedOn => "以结案之日计",
        }
    }
}

str_enum! {
    pub enum DeadlineKind {
        CorrectionNotice = "correction_notice",
        FeePayment = "fee_payment",
        CorrectionPeriod = "correction_period",
        ConsultationReply = "consultation_reply",
        Answer = "answer",
        /// Art. 31: a mail or fax application's legal date of receipt, still to be confirmed.
        ConfirmReceipt = "confirm_receipt",
        /// A posted notice whose signed return receipt is still to be recorded.
        NoticeReceipt = "notice_receipt",
    }
}

impl DeadlineKind {
    /// The deadline's name in a clerk's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::CorrectionNotice => "一次性告知补正期限（第三十条）",
            Self::FeePayment => "缴费期限",
            Self::CorrectionPeriod => "申请人补正期限（第三十条）",
            Self::ConsultationReply => "第三方意见答复期限（第三十二条）",
            Self::Answer => "答复期限（第三十三条）",
            Self::ConfirmReceipt => "确认收到申请之日（第三十一条）",
            Self::NoticeReceipt => "登记邮寄告知书签收日期（内部提醒）",
        }
    }

    /// Whether the office itself must act by this day (the others are the applicant's or the
    /// consulted party's; when the applicant's lapse, the lapse job closes the case).
    pub fn is_office_deadline(self) -> bool {
        matches!(
            self,
            Self::CorrectionNotice
                | Self::ConsultationReply
                | Self::Answer
                | Self::ConfirmReceipt
                | Self::NoticeReceipt
        )
    }
}

str_enum! {
    pub enum DeadlineState {
        /// Running, due today or later.
        Open = "open",
        /// Running, and the due day has passed.
        Overdue = "overdue",
        /// The clock is stopped (a consultation or fee notice is open).
        Paused = "paused",
        /// Done on or before the due day.
        Met = "met",
        /// Done after the due day.
        Missed = "missed",
        /// No longer applies (e.g. the case was withdrawn, or accepted without correction).
        Moot = "moot",
        /// The period ran out without what it asks for: a consulted party's window without a
        /// reply (the answer clock runs again), or the applicant's period that closed the case.
        Lapsed = "lapsed",
    }
}

/// A stretch of days in a derivation, with whether it counts and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First and last day of the stretch; `to` is absent while a pause is still open.
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub counted: bool,
    pub working_days: i64,
    pub reason: String,
    pub article: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub article: &'static str,
    /// The day counting starts from (itself not counted).
    pub start: NaiveDate,
    pub working_days: i32,
    pub extension_working_days: i32,
    pub spans: Vec<Span>,
    pub due_on: Option<NaiveDate>,
    /// Counted over a year whose official notice is not loaded: weekends only, may change.
    pub provisional: bool,
    pub state: DeadlineState,
    /// When what the deadline asks for was done.
    pub done_on: Option<NaiveDate>,
    /// For the answer: which date counted as answering (posted, signed for, sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_basis: Option<AnsweredBasis>,
    /// Working days from today to the due day (negative when overdue), for running deadlines.
    pub working_days_left: Option<i64>,
    pub summary: String,
}

fn state(
    due: Option<NaiveDate>,
    done: Option<NaiveDate>,
    running: bool,
    today: NaiveDate,
) -> DeadlineState {
    match (done, due) {
        (Some(d), Some(due)) if d <= due => DeadlineState::Met,
        (Some(_), Some(_)) => DeadlineState::Missed,
        (Some(_), None) => DeadlineState::Met,
        (None, _) if !running => DeadlineState::Moot,
        (None, None) => DeadlineState::Paused,
        (None, Some(due)) if due < today => DeadlineState::Overdue,
        (None, Some(_)) => DeadlineState::Open,
    }
}

struct Simple {
    kind: DeadlineKind,
    article: &'static str,
    start: NaiveDate,
    days: i32,
    done: Option<NaiveDate>,
    running: bool,
    what: String,
}

fn simple(cal: &Calendar, s: Simple, today: NaiveDate) -> Result<Deadline, CalendarError> {
    let due = cal.add(s.start, s.days as u32)?;
    let st = state(Some(due), s.done, s.running, today);
    let running = matches!(st, DeadlineState::Open | DeadlineState::Overdue);
    Ok(Deadline {
        kind: s.kind,
        article: s.article,
        start: s.start,
        working_days: s.days,
        extension_working_days: 0,
        spans: vec![Span {
            from: s.start + chrono::Days::new(1),
            to: Some(due),
            counted: true,
            working_days: i64::from(s.days),
            reason: s.what.clone(),
            article: s.article,
        }],
        due_on: Some(due),
        provisional: cal.is_provisional(s.start, due),
        state: st,
        done_on: s.done,
        done_basis: None,
        working_days_left: if running {
            Some(cal.between(today, due)?)
        } else {
            None
        },
        summary: format!(
            "{}：自{}起{}个工作日，{}届满。",
            s.what, s.start, s.days, due
        ),
    })
}

/// A consulted party's window (art. 32, 34): running until it replies; once the window has
/// passed without a reply it has lapsed, and the answer clock runs again.
fn consultation_reply(
    cal: &Calendar,
    p: &Pause,
    status: Status,
    today: NaiveDate,
) -> Result<Deadline, CalendarError> {
    let start = p.letter_received_on.unwrap_or(p.from);
    let what = match p.party_kind {
        Some(ConsultedParty::Agency) => "被征求意见机关答复期限（逾期未答复视为同意，第三十四条）",
        Some(ConsultedParty::ThirdParty) => {
            "第三方答复期限（逾期未提出意见的，由本机关依法决定，第三十二条）"
        }
        None => "被征求意见方答复期限",
    };
    let mut d = simple(
        cal,
        Simple {
            kind: DeadlineKind::ConsultationReply,
            article: "条例第三十二条、第三十四条",
            start,
            days: CONSULTATION_WORKING_DAYS,
            done: p.to.filter(|_| !p.silent),
            running: !status.is_terminal() && p.to.is_none(),
            what: what.into(),
        },
        today,
    )?;
    if d.state == DeadlineState::Overdue || p.silent {
        d.state = DeadlineState::Lapsed;
        d.working_days_left = None;
    }
    if p.letter_received_on.is_none() {
        d.summary
            .push_str("（对方签收日期未登记，暂自发函之日起算）");
    }
    Ok(d)
}

/// Every deadline of the case, in the order they arise.
pub fn deadlines(
    cal: &Calendar,
    f: &ClockFacts,
    today: NaiveDate,
) -> Result<Vec<Deadline>, CalendarError> {
    let status = f.status.unwrap_or(Status::Registered);
    let mut out = Vec::new();
    out.extend(receipt(cal, f, status, today)?);
    out.extend(correction(cal, f, status, today)?);
    for p in f
        .pauses
        .iter()
        .filter(|p| p.kind == PauseKind::Consultation)
    {
        out.push(consultation_reply(cal, p, status, today)?);
    }
    out.extend(fee_payment(cal, f, status, today)?);
    out.extend(answer(cal, f, today)?);
    Ok(out)
}

/// The clock at the door: the correction notice once the application is received, or the
/// wait for the legal date of receipt of a posted one.
fn receipt(
    cal: &Calendar,
    f: &ClockFacts,
    status: Status,
    today: NaiveDate,
) -> Result<Option<Deadline>, CalendarError> {
    let deadline = match (f.received_on, f.registered_on) {
        // Art. 30: the notice within 7 working days; it matters only until the case is accepted.
        (Some(received), _) => Simple {
            kind: DeadlineKind::CorrectionNotice,
            article: "条例第三十条",
            start: received,
            days: CORRECTION_NOTICE_WORKING_DAYS,
            done: f.correction_requested_on,
            running: status == Status::Registered,
            what: "一次性告知补正期限".into(),
        },
        // Art. 31: a mail or fax application waits for its legal date of receipt; it must not
        // drop out of sight meanwhile.
        (None, Some(registered)) if status == Status::Registered => Simple {
            kind: DeadlineKind::ConfirmReceipt,
            article: "条例第三十一条",
            start: registered,
            days: CONFIRM_RECEIPT_WORKING_DAYS,
            done: None,
            running: true,
            what: "确认收到申请之日".into(),
        },
        _ => return Ok(None),
    };
    simple(cal, deadline, today).map(Some)
}

/// Art. 30: the applicant's period to correct runs from the day they received the notice; until
/// that is known, the office watches for the receipt of a posted notice.
fn correction(
    cal: &Calendar,
    f: &ClockFacts,
    status: Status,
    today: NaiveDate,
) -> Result<Option<Deadline>, CalendarError> {
    let (Some(requested), Some(days)) = (f.correction_requested_on, f.correction_period_days)
    else {
        return Ok(None);
    };
    let running = status == Status::Correction;
    let Some(received) = f.correction_notice_received_on else {
        return notice_receipt(cal, "补正告知书", requested, running, today).map(Some);
    };
    let period = Simple {
        kind: DeadlineKind::CorrectionPeriod,
        article: "条例第三十条",
        start: received,
        days,
        done: f.corrected_received_on,
        running,
        what: "申请人补正期限".into(),
    };
    let lapsed = status == Status::AbandonedNoCorrection;
    Ok(Some(lapsed_if(simple(cal, period, today)?, lapsed)))
}

/// Fee Measures: 20 working days to pay from the day after the applicant received the notice.
fn fee_payment(
    cal: &Calendar,
    f: &ClockFacts,
    status: Status,
    today: NaiveDate,
) -> Result<Option<Deadline>, CalendarError> {
    let Some(fee) = &f.fee_notice else {
        return Ok(None);
    };
    let running = !status.is_terminal() && fee.paid_on.is_none();
    let Some(received) = fee.received_on else {
        return notice_receipt(cal, "收费通知", fee.notice_on, running, today).map(Some);
    };
    let period = Simple {
        kind: DeadlineKind::FeePayment,
        article: "政府信息公开信息处理费管理办法",
        start: received,
        days: FEE_PAYMENT_WORKING_DAYS,
        done: fee.paid_on,
        running,
        what: "申请人缴纳信息处理费期限".into(),
    };
    let lapsed = status == Status::AbandonedFeeUnpaid;
    Ok(Some(lapsed_if(simple(cal, period, today)?, lapsed)))
}

/// The applicant's period that ran out and closed the case shows as lapsed, not moot.
fn lapsed_if(mut d: Deadline, closed_by_it: bool) -> Deadline {
    if closed_by_it && d.done_on.is_none() {
        d.state = DeadlineState::Lapsed;
    }
    d
}

/// A posted notice whose receipt is not yet recorded: no period runs from it, so nothing can
/// lapse; the clerk is reminded to record the signed return receipt.
fn notice_receipt(
    cal: &Calendar,
    what: &str,
    posted_on: NaiveDate,
    running: bool,
    today: NaiveDate,
) -> Result<Deadline, CalendarError> {
    let mut d = simple(
        cal,
        Simple {
            kind: DeadlineKind::NoticeReceipt,
            article: "本系统办理规范（非法定期限）",
            start: posted_on,
            days: POSTED_NOTICE_RECEIPT_WORKING_DAYS,
            done: None,
            running,
            what: format!("登记申请人签收{what}之日（内部提醒）"),
        },
        today,
    )?;
    d.summary
        .push_str("在签收日期登记之前，自签收之日起算的期限不开始计算，案件不会因逾期而关闭。");
    Ok(d)
}

/// What the workflow must know of the clock to refuse what the law no longer allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// The answer period ended on this day, before today: nothing may stop or lengthen it now
    /// (RULES §8).
    pub answer_period_ended_on: Option<NaiveDate>,
    /// Art. 30: the 7 working days for the correction notice ended on this day, before today.
    pub correction_notice_ended_on: Option<NaiveDate>,
    /// The answer's due day as it stands (passed or not), for the internal deadlines that must
    /// fall before it.
    pub answer_due_on: Option<NaiveDate>,
}

/// The limits of a case on `today`.
pub fn limits(cal: &Calendar, f: &ClockFacts, today: NaiveDate) -> Result<Limits, CalendarError> {
    Ok(limits_of(&deadlines(cal, f, today)?, today))
}

/// The limits read off deadlines already computed for `today` (so a step computes them once).
pub fn limits_of(list: &[Deadline], today: NaiveDate) -> Limits {
    let ended = |kind| {
        list.iter()
            .find(|d| d.kind == kind)
            .and_then(|d| d.due_on)
            .filter(|due| *due < today)
    };
    Limits {
        answer_period_ended_on: ended(DeadlineKind::Answer),
        correction_notice_ended_on: ended(DeadlineKind::CorrectionNotice),
        answer_due_on: list
            .iter()
            .find(|d| d.kind == DeadlineKind::Answer)
            .and_then(|d| d.due_on),
    }
}

/// The deadline a clerk must watch next: the earliest one still running.
pub fn next_deadline(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines
        .iter()
        .filter(|d| matches!(d.state, DeadlineState::Open | DeadlineState::Overdue))
        .filter(|d| d.due_on.is_some())
        .min_by_key(|d| d.due_on)
}

/// The answer period (art. 33): its counting across pauses, in a file of its own.
#[path = "clock_answer.rs"]
mod answer_period;
use answer_period::answer;

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
