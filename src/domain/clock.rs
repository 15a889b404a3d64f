//! Every deadline of a case, with how it was counted (RULES §2–4, §6). Pure: facts and a
//! calendar in, deadlines out.
//!
//! Counting (art. 33, RULES §4): the start day is not counted; day 1 is the first working day
//! after it; a deadline is the end of its N-th working day. A period that is "not counted" runs
//! from the day after it starts to the day it ends, both included: a consultation letter sent
//! on day 5 and answered on day 9 stops the answer clock for the days 6 to 9.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    /// Whom the office consulted, for the explanation.
    pub party: Option<String>,
}

/// What the clock reads of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClockFacts {
    pub status: Option<Status>,
    pub received_on: Option<NaiveDate>,
    pub correction_requested_on: Option<NaiveDate>,
    pub correction_period_days: Option<i32>,
    pub corrected_received_on: Option<NaiveDate>,
    pub pauses: Vec<Pause>,
    /// An approved extension (art. 33 ¶1), in working days.
    pub extension_days: i32,
    /// Art. 35: a longer answer period the office set, in working days, replacing the 20.
    pub office_set_period: Option<i32>,
    /// The fee notice: the day the applicant received it, and the day they paid.
    pub fee_notice: Option<FeeNoticeFacts>,
    /// The day the answer (or the closing notice) reached the applicant.
    pub answered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeNoticeFacts {
    pub received_on: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

impl ClockFacts {
    /// The day the applicant was answered: a delivered answer, or a closing notice (不予处理),
    /// which answers the application as a delivered answer does.
    pub fn answered_on(
        status: Status,
        delivered_on: Option<NaiveDate>,
        closed_on: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        match status {
            Status::Delivered => delivered_on,
            Status::ClosedWithoutProcessing => closed_on,
            _ => None,
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
        }
    }

    /// Whether the office itself must act by this day (the others are the applicant's or the
    /// consulted party's; when the applicant's lapse, the lapse job closes the case).
    pub fn is_office_deadline(self) -> bool {
        matches!(
            self,
            Self::CorrectionNotice | Self::ConsultationReply | Self::Answer
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

/// Merges overlapping pauses and drops the part of any pause before `start`.
fn effective_pauses(pauses: &[Pause], start: NaiveDate) -> Vec<Pause> {
    let mut list: Vec<Pause> = pauses
        .iter()
        .filter(|p| p.to.is_none_or(|to| to > start))
        .map(|p| Pause {
            from: p.from.max(start),
            ..p.clone()
        })
        .collect();
    list.sort_by_key(|p| p.from);
    let mut merged: Vec<Pause> = Vec::new();
    for p in list {
        match merged.last_mut() {
            Some(last) if last.to.is_none_or(|to| p.from < to) => {
                last.to = match (last.to, p.to) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                if let Some(party) = p.party {
                    last.party = Some(match last.party.take() {
                        Some(prev) => format!("{prev}、{party}"),
                        None => party,
                    });
                }
            }
            _ => merged.push(p),
        }
    }
    merged
}

fn pause_reason(p: &Pause) -> (String, &'static str) {
    match p.kind {
        PauseKind::Consultation => (
            match &p.party {
                Some(party) => format!("征求意见（{party}），不计入答复期限"),
                None => "征求意见，不计入答复期限".into(),
            },
            "条例第三十三条第二款",
        ),
        PauseKind::FeeNotice => (
            "收费通知至缴费期间，不计入答复期限".into(),
            "政府信息公开信息处理费管理办法",
        ),
    }
}

/// The answer deadline (art. 33): 20 working days from receipt (or corrected receipt, art. 30),
/// plus an approved extension, with consultation and fee-notice time not counted.
fn answer(
    cal: &Calendar,
    f: &ClockFacts,
    today: NaiveDate,
) -> Result<Option<Deadline>, CalendarError> {
    let status = f.status.unwrap_or(Status::Registered);
    let Some(start) = f.corrected_received_on.or(f.received_on) else {
        return Ok(None);
    };
    // While a correction is awaited the answer period has not started: it starts afresh.
    if status == Status::Correction {
        return Ok(None);
    }
    let (period, article) = match f.office_set_period {
        Some(days) => (days, "条例第三十五条"),
        None => (ANSWER_WORKING_DAYS, "条例第三十三条"),
    };
    let start_reason = if f.corrected_received_on.is_some() {
        "补正后收到申请"
    } else {
        "收到申请"
    };
    let mut need = i64::from(period + f.extension_days);
    let mut pos = start;
    let mut spans = Vec::new();
    let mut paused_since = None;
    for p in effective_pauses(&f.pauses, start) {
        let available = cal.between(pos, p.from)?;
        if available >= need {
            break;
        }
        if available > 0 {
            spans.push(Span {
                from: pos + chrono::Days::new(1),
                to: Some(p.from),
                counted: true,
                working_days: available,
                reason: "计入答复期限".into(),
                article,
            });
        }
        need -= available;
        let (reason, pause_article) = pause_reason(&p);
        let not_counted = match p.to {
            Some(to) => cal.between(p.from, to)?,
            None => cal.between(p.from, today.max(p.from))?,
        };
        spans.push(Span {
            from: p.from + chrono::Days::new(1),
            to: p.to,
            counted: false,
            working_days: not_counted,
            reason,
            article: pause_article,
        });
        match p.to {
            Some(to) => pos = to,
            None => {
                paused_since = Some(p.from);
                break;
            }
        }
    }
    let due = if paused_since.is_some() {
        None
    } else {
        let due = cal.add(pos, need as u32)?;
        spans.push(Span {
            from: pos + chrono::Days::new(1),
            to: Some(due),
            counted: true,
            working_days: need,
            reason: "计入答复期限".into(),
            article,
        });
        Some(due)
    };
    let answered = f.answered_on;
    let running = !status.is_terminal();
    let st = state(due, answered, running, today);
    let provisional = cal.is_provisional(start, due.unwrap_or(today.max(start)));
    let not_counted: i64 = spans
        .iter()
        .filter(|s| !s.counted)
        .map(|s| s.working_days)
        .sum();
    let mut summary = format!("答复期限：自{start}{start_reason}之日起{period}个工作日");
    if f.office_set_period.is_some() {
        summary.push_str("（依条例第三十五条另行确定的合理期限）");
    }
    if f.extension_days > 0 {
        summary.push_str(&format!("，经批准延长{}个工作日", f.extension_days));
    }
    if not_counted > 0 || paused_since.is_some() {
        summary.push_str(&format!("，征求意见等期间{not_counted}个工作日不计算在内"));
    }
    summary.push_str(&match (due, paused_since) {
        (Some(d), _) => format!("，{d}届满。"),
        (None, Some(p)) => format!("；自{p}起计时暂停，待意见答复或缴费后继续计算。"),
        (None, None) => "。".into(),
    });
    let live = matches!(st, DeadlineState::Open | DeadlineState::Overdue);
    Ok(Some(Deadline {
        kind: DeadlineKind::Answer,
        article,
        start,
        working_days: period,
        extension_working_days: f.extension_days,
        spans,
        due_on: due,
        provisional,
        state: st,
        done_on: answered,
        working_days_left: match (live, due) {
            (true, Some(d)) => Some(cal.between(today, d)?),
            _ => None,
        },
        summary,
    }))
}

/// Every deadline of the case, in the order they arise.
pub fn deadlines(
    cal: &Calendar,
    f: &ClockFacts,
    today: NaiveDate,
) -> Result<Vec<Deadline>, CalendarError> {
    let status = f.status.unwrap_or(Status::Registered);
    let mut out = Vec::new();
    if let Some(received) = f.received_on {
        // Art. 30: the notice within 7 working days; it matters only until the case is accepted.
        out.push(simple(
            cal,
            Simple {
                kind: DeadlineKind::CorrectionNotice,
                article: "条例第三十条",
                start: received,
                days: CORRECTION_NOTICE_WORKING_DAYS,
                done: f.correction_requested_on,
                running: status == Status::Registered,
                what: "一次性告知补正期限".into(),
            },
            today,
        )?);
    }
    if let (Some(requested), Some(days)) = (f.correction_requested_on, f.correction_period_days) {
        out.push(simple(
            cal,
            Simple {
                kind: DeadlineKind::CorrectionPeriod,
                article: "条例第三十条",
                start: requested,
                days,
                done: f.corrected_received_on,
                running: status == Status::Correction,
                what: "申请人补正期限".into(),
            },
            today,
        )?);
    }
    for p in f
        .pauses
        .iter()
        .filter(|p| p.kind == PauseKind::Consultation)
    {
        out.push(simple(
            cal,
            Simple {
                kind: DeadlineKind::ConsultationReply,
                article: "条例第三十二条、第三十四条",
                start: p.from,
                days: CONSULTATION_WORKING_DAYS,
                done: p.to,
                running: status == Status::Consultation && p.to.is_none(),
                what: match &p.party {
                    Some(party) => format!("被征求意见方（{party}）答复期限"),
                    None => "被征求意见方答复期限".into(),
                },
            },
            today,
        )?);
    }
    if let Some(fee) = &f.fee_notice {
        out.push(simple(
            cal,
            Simple {
                kind: DeadlineKind::FeePayment,
                article: "政府信息公开信息处理费管理办法",
                start: fee.received_on,
                days: FEE_PAYMENT_WORKING_DAYS,
                done: fee.paid_on,
                running: !status.is_terminal() && fee.paid_on.is_none(),
                what: "申请人缴纳信息处理费期限".into(),
            },
            today,
        )?);
    }
    out.extend(answer(cal, f, today)?);
    Ok(out)
}

/// The deadline a clerk must watch next: the earliest one still running.
pub fn next_deadline(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines
        .iter()
        .filter(|d| matches!(d.state, DeadlineState::Open | DeadlineState::Overdue))
        .filter(|d| d.due_on.is_some())
        .min_by_key(|d| d.due_on)
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
