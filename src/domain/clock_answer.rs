//! The answer deadline (art. 33): 20 working days from receipt, or afresh from the corrected
//! application (art. 30), plus an approved extension; the time from a consultation letter to the
//! reply (never past the party's window, several at once counted once, art. 33 ¶2) and from a
//! fee notice to payment (Fee Measures) not counted.

use super::*;

/// Merges overlapping pauses (their union: several consultations at once stop the clock once)
/// and drops the part of any pause before `start`. The pauses given are already effective.
fn merge_pauses(pauses: &[Pause], start: NaiveDate) -> Vec<Pause> {
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
                if last.kind != p.kind {
                    // A consultation overlapping a fee notice: one stop of the clock, two reasons.
                    last.party = None;
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
            "征求第三方或其他机关意见，不计入答复期限".into(),
            "条例第三十三条第二款",
        ),
        PauseKind::FeeNotice => (
            "收费通知至缴费期间，不计入答复期限".into(),
            "政府信息公开信息处理费管理办法",
        ),
    }
}

/// A stretch from the day after `after` to `to`; a stretch of no days (a fee paid the day of
/// its notice) is shown as the one day `to`, never as a span that ends before it starts.
fn stretch(after: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    ((after + chrono::Days::new(1)).min(to), to)
}

/// The answer deadline (art. 33): 20 working days from receipt (or corrected receipt, art. 30),
/// plus an approved extension, with consultation and fee-notice time not counted.
pub(super) fn answer(
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
    let counted = count(
        cal,
        f,
        start,
        i64::from(period + f.extension_days),
        today,
        article,
    )?;
    let answered = f.answered_on;
    let st = state(counted.due, answered, !status.is_terminal(), today);
    let provisional = cal.is_provisional(start, counted.due.unwrap_or(today.max(start)));
    let summary = summary(f, start, period, &counted);
    let live = matches!(st, DeadlineState::Open | DeadlineState::Overdue);
    Ok(Some(Deadline {
        kind: DeadlineKind::Answer,
        article,
        start,
        working_days: period,
        extension_working_days: f.extension_days,
        working_days_left: match (live, counted.due) {
            (true, Some(d)) => Some(cal.between(today, d)?),
            _ => None,
        },
        spans: counted.spans,
        due_on: counted.due,
        provisional,
        state: st,
        done_on: answered,
        done_basis: f.answered_basis,
        summary,
    }))
}

/// The answer period counted across its pauses.
struct Counted {
    /// What was counted and what was not, in order.
    spans: Vec<Span>,
    /// The last day, once no pause holds the clock.
    due: Option<NaiveDate>,
    /// The day an open-ended pause (a consultation without its reply yet) stopped the clock.
    paused_since: Option<NaiveDate>,
}

/// Counts `need` working days from `start`, skipping the time the pauses do not count.
fn count(
    cal: &Calendar,
    f: &ClockFacts,
    start: NaiveDate,
    mut need: i64,
    today: NaiveDate,
    article: &'static str,
) -> Result<Counted, CalendarError> {
    let effective = f
        .pauses
        .iter()
        .map(|p| p.effective(cal, today))
        .collect::<Result<Vec<_>, _>>()?;
    let counted_span = |from, to, working_days| {
        let (from, to) = stretch(from, to);
        Span {
            from,
            to: Some(to),
            counted: true,
            working_days,
            reason: "计入答复期限".into(),
            article,
        }
    };
    let mut pos = start;
    let mut spans = Vec::new();
    for p in merge_pauses(&effective, start) {
        // The period as it stands ends on `end`: a pause that starts on that last day stops the
        // clock (RULES §8); one that starts after it came too late to stop anything.
        let end = cal.add(pos, need as u32)?;
        if p.from > end {
            break;
        }
        let available = cal.between(pos, p.from)?;
        if available > 0 {
            spans.push(counted_span(pos, p.from, available));
        }
        need -= available;
        spans.push(pause_span(cal, &p, today)?);
        match p.to {
            Some(to) => pos = to,
            None => {
                return Ok(Counted {
                    spans,
                    due: None,
                    paused_since: Some(p.from),
                })
            }
        }
    }
    let due = cal.add(pos, need as u32)?;
    if need > 0 {
        spans.push(counted_span(pos, due, need));
    }
    Ok(Counted {
        spans,
        due: Some(due),
        paused_since: None,
    })
}

/// The time a pause does not count, as the clock shows it (open-ended up to today).
fn pause_span(cal: &Calendar, p: &Pause, today: NaiveDate) -> Result<Span, CalendarError> {
    let (reason, article) = pause_reason(p);
    let (working_days, (from, to)) = match p.to {
        Some(to) => {
            let (a, b) = stretch(p.from, to);
            (cal.between(p.from, to)?, (a, Some(b)))
        }
        None => (
            cal.between(p.from, today.max(p.from))?,
            (p.from + chrono::Days::new(1), None),
        ),
    };
    Ok(Span {
        from,
        to,
        counted: false,
        working_days,
        reason,
        article,
    })
}

/// The answer period in one sentence, as the applicant and the clerk read it.
fn summary(f: &ClockFacts, start: NaiveDate, period: i32, c: &Counted) -> String {
    let start_reason = if f.corrected_received_on.is_some() {
        "补正后收到申请"
    } else {
        "收到申请"
    };
    let not_counted: i64 = c
        .spans
        .iter()
        .filter(|s| !s.counted)
        .map(|s| s.working_days)
        .sum();
    let mut summary = format!("答复期限：自{start}{start_reason}之日起{period}个工作日");
    if f.office_set_period.is_some() {
        summary.push_str("（依条例第三十五条另行确定的合理期限）");
    }
    if f.extension_days > 0 {
        summary.push_str(&format!(
            "，经批准延长{}个工作日（条例第三十三条第一款）",
            f.extension_days
        ));
    }
    if not_counted > 0 || c.paused_since.is_some() {
        summary.push_str(&format!("，征求意见等期间{not_counted}个工作日不计算在内"));
    }
    summary.push_str(&match (c.due, c.paused_since) {
        (Some(d), _) => format!("，{d}届满。"),
        (None, Some(p)) => format!("；自{p}起计时暂停，待意见答复或缴费后继续计算。"),
        (None, None) => "。".into(),
    });
    if let (Some(on), Some(basis)) = (f.answered_on, f.answered_basis) {
        summary.push_str(&format!("已于{on}答复（{}）。", basis.label()));
    }
    summary
}
