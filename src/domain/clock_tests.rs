use super::*;
use crate::domain::calendar::tests::official;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn facts(status: Status, received: &str) -> ClockFacts {
    ClockFacts {
        status: Some(status),
        received_on: Some(d(received)),
        ..ClockFacts::default()
    }
}

fn find(list: &[Deadline], kind: DeadlineKind) -> &Deadline {
    list.iter()
        .find(|x| x.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} deadline"))
}

fn consultation(from: &str, to: Option<&str>) -> Pause {
    Pause {
        kind: PauseKind::Consultation,
        from: d(from),
        to: to.map(d),
        party: Some("某公司".into()),
        id: Some("c1".into()),
        party_kind: Some(ConsultedParty::ThirdParty),
        letter_received_on: None,
        objected: false,
        silent: false,
        told_on: None,
    }
}

#[test]
fn an_application_received_before_national_day() {
    let list = deadlines(
        official(),
        &facts(Status::Registered, "2026-09-28"),
        d("2026-09-29"),
    )
    .unwrap();
    let notice = find(&list, DeadlineKind::CorrectionNotice);
    assert_eq!(notice.due_on, Some(d("2026-10-13")));
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(answer.due_on, Some(d("2026-10-30")));
    assert_eq!(
        (answer.state, answer.provisional),
        (DeadlineState::Open, false)
    );
    assert_eq!(answer.working_days_left, Some(19));
    assert_eq!(
        next_deadline(&list).unwrap().kind,
        DeadlineKind::CorrectionNotice
    );
    assert!(
        answer.summary.contains("2026-10-30届满"),
        "{}",
        answer.summary
    );
}

#[test]
fn consultation_time_is_not_counted() {
    let mut f = facts(Status::Accepted, "2026-03-02");
    f.pauses
        .push(consultation("2026-03-05", Some("2026-03-12")));
    let list = deadlines(official(), &f, d("2026-03-13")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    // 3 working days counted (Mar 3–5), 5 not (Mar 6–12), 17 more from Mar 13 across Qingming.
    assert_eq!(answer.due_on, Some(d("2026-04-07")));
    let spans: Vec<_> = answer
        .spans
        .iter()
        .map(|s| (s.counted, s.working_days))
        .collect();
    assert_eq!(spans, [(true, 3), (false, 5), (true, 17)]);
    assert_eq!(answer.spans[1].from, d("2026-03-06"));
    assert_eq!(answer.spans[1].to, Some(d("2026-03-12")));
    assert_eq!(answer.spans[1].article, "条例第三十三条第二款");
    let reply = find(&list, DeadlineKind::ConsultationReply);
    assert_eq!(
        (reply.due_on, reply.state),
        (Some(d("2026-03-26")), DeadlineState::Met)
    );
}

#[test]
fn an_open_consultation_stops_the_answer_clock() {
    let mut f = facts(Status::Consultation, "2026-03-02");
    f.pauses.push(consultation("2026-03-05", None));
    let list = deadlines(official(), &f, d("2026-03-20")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!((answer.due_on, answer.state), (None, DeadlineState::Paused));
    let next = next_deadline(&list).unwrap();
    assert_eq!(
        (next.kind, next.due_on),
        (DeadlineKind::ConsultationReply, Some(d("2026-03-26")))
    );
    assert_eq!(next.working_days_left, Some(4));
}

#[test]
fn a_correction_restarts_the_answer_period() {
    let mut f = facts(Status::Correction, "2026-02-13");
    f.correction_requested_on = Some(d("2026-02-24"));
    f.correction_notice_received_on = Some(d("2026-02-24"));
    f.correction_period_days = Some(10);
    let waiting = deadlines(official(), &f, d("2026-03-03")).unwrap();
    assert_eq!(
        find(&waiting, DeadlineKind::CorrectionNotice).state,
        DeadlineState::Met
    );
    let period = find(&waiting, DeadlineKind::CorrectionPeriod);
    assert_eq!(
        (period.due_on, period.state),
        (Some(d("2026-03-09")), DeadlineState::Open)
    );
    assert!(waiting.iter().all(|x| x.kind != DeadlineKind::Answer));

    f.status = Some(Status::Accepted);
    f.corrected_received_on = Some(d("2026-03-05"));
    let list = deadlines(official(), &f, d("2026-03-05")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(
        (answer.start, answer.due_on),
        (d("2026-03-05"), Some(d("2026-04-02")))
    );
    assert_eq!(
        find(&list, DeadlineKind::CorrectionPeriod).state,
        DeadlineState::Met
    );
}

#[test]
fn a_late_correction_notice_and_an_overdue_answer_show_as_such() {
    let mut f = facts(Status::Registered, "2026-02-13");
    let list = deadlines(official(), &f, d("2026-03-03")).unwrap();
    let notice = find(&list, DeadlineKind::CorrectionNotice);
    assert_eq!(
        (notice.state, notice.working_days_left),
        (DeadlineState::Overdue, Some(-1))
    );
    f.correction_requested_on = Some(d("2026-03-03"));
    f.correction_period_days = Some(5);
    f.status = Some(Status::Correction);
    let list = deadlines(official(), &f, d("2026-03-03")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::CorrectionNotice).state,
        DeadlineState::Missed
    );
}

#[test]
fn an_extension_adds_working_days_and_delivery_closes_the_clock() {
    let mut f = facts(Status::Delivered, "2026-03-02");
    f.extension_days = 20;
    f.answered_on = Some(d("2026-04-28"));
    let list = deadlines(official(), &f, d("2026-05-06")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(
        (answer.due_on, answer.state),
        (Some(d("2026-04-28")), DeadlineState::Met)
    );
    assert_eq!(answer.extension_working_days, 20);
    f.answered_on = Some(d("2026-04-29"));
    let late = deadlines(official(), &f, d("2026-05-06")).unwrap();
    assert_eq!(
        find(&late, DeadlineKind::Answer).state,
        DeadlineState::Missed
    );
    assert!(next_deadline(&late).is_none());
}

#[test]
fn a_withdrawn_case_has_no_running_deadline() {
    let f = facts(Status::Withdrawn, "2026-03-02");
    let list = deadlines(official(), &f, d("2026-03-10")).unwrap();
    assert!(list.iter().all(|x| x.state == DeadlineState::Moot));
    assert!(next_deadline(&list).is_none());
}

#[test]
fn a_deadline_in_a_year_without_a_notice_is_provisional() {
    let list = deadlines(
        official(),
        &facts(Status::Accepted, "2026-12-10"),
        d("2026-12-10"),
    )
    .unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(answer.due_on, Some(d("2027-01-07")));
    assert!(answer.provisional);
    assert!(!find(&list, DeadlineKind::CorrectionNotice).provisional);
}

#[test]
fn overlapping_consultations_stop_the_clock_once() {
    let mut f = facts(Status::Accepted, "2026-03-02");
    f.pauses
        .push(consultation("2026-03-05", Some("2026-03-12")));
    f.pauses.push(Pause {
        party: Some("某局".into()),
        ..consultation("2026-03-10", Some("2026-03-16"))
    });
    let list = deadlines(official(), &f, d("2026-03-17")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    let spans: Vec<_> = answer
        .spans
        .iter()
        .map(|s| (s.counted, s.working_days))
        .collect();
    // Mar 6–16 not counted once (7 working days), then 17 more.
    assert_eq!(spans, [(true, 3), (false, 7), (true, 17)]);
    // The clock says a consultation paused it, never with whom (the applicant reads it too).
    assert!(!answer.spans[1].reason.contains("某公司") && !answer.spans[1].reason.contains("某局"));
    assert!(answer.spans[1].reason.contains("征求"));
}

#[test]
fn a_fee_notice_stops_the_answer_clock_until_payment_and_has_its_own_deadline() {
    let mut f = facts(Status::Accepted, "2026-03-02");
    // Notice sent and received 2026-03-05; paid 2026-03-12: Mar 6–12 (5 working days) not counted.
    f.pauses.push(Pause {
        to: Some(d("2026-03-12")),
        ..Pause::fee_notice(d("2026-03-05"))
    });
    f.fee_notice = Some(FeeNoticeFacts {
        notice_on: d("2026-03-05"),
        received_on: Some(d("2026-03-05")),
        paid_on: Some(d("2026-03-12")),
    });
    let list = deadlines(official(), &f, d("2026-03-13")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::Answer).due_on,
        Some(d("2026-04-07"))
    );
    assert_eq!(
        find(&list, DeadlineKind::Answer).spans[1].article,
        "政府信息公开信息处理费管理办法"
    );
    let fee = find(&list, DeadlineKind::FeePayment);
    // 20 working days from the day after receipt: Mar 6 is day 1, Apr 2 is day 20.
    assert_eq!(
        (fee.due_on, fee.state),
        (Some(d("2026-04-02")), DeadlineState::Met)
    );

    f.fee_notice = Some(FeeNoticeFacts {
        notice_on: d("2026-03-05"),
        received_on: Some(d("2026-03-05")),
        paid_on: None,
    });
    f.pauses[0].to = None;
    let unpaid = deadlines(official(), &f, d("2026-04-03")).unwrap();
    assert_eq!(
        find(&unpaid, DeadlineKind::FeePayment).state,
        DeadlineState::Overdue
    );
    assert_eq!(
        find(&unpaid, DeadlineKind::Answer).state,
        DeadlineState::Paused
    );
    assert_eq!(
        next_deadline(&unpaid).unwrap().kind,
        DeadlineKind::FeePayment
    );
}

#[test]
fn an_office_set_period_replaces_the_twenty_days_and_cites_article_35() {
    let mut f = facts(Status::Accepted, "2026-03-02");
    f.office_set_period = Some(40);
    let list = deadlines(official(), &f, d("2026-03-02")).unwrap();
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(
        (answer.working_days, answer.article),
        (40, "条例第三十五条")
    );
    assert_eq!(answer.due_on, Some(d("2026-04-28")));
    assert!(answer.summary.contains("第三十五条"));
}

// --- The edges the law names (RULES §8), around National Day 2026: Sep 20 (Sunday) and Oct 10
// (Saturday) are make-up working days; Sep 25–27 and Oct 1–7 are days off.

/// Received Tuesday 2026-09-01: the answer is due 2026-09-29 (Sep 2–4, 7–11, 14–18, the
/// make-up Sunday 20th, 21–24, 28, 29).
fn received_sep_1() -> ClockFacts {
    facts(Status::Accepted, "2026-09-01")
}

fn answer_on(f: &ClockFacts, today: &str) -> Deadline {
    find(
        &deadlines(official(), f, d(today)).unwrap(),
        DeadlineKind::Answer,
    )
    .clone()
}

fn no_span_ends_before_it_starts(list: &[Deadline]) {
    for dl in list {
        for s in &dl.spans {
            if let Some(to) = s.to {
                assert!(s.from <= to, "{}: span {} → {}", dl.kind, s.from, to);
            }
        }
    }
}

#[test]
fn the_answer_is_due_on_the_twentieth_working_day_across_a_make_up_sunday() {
    let a = answer_on(&received_sep_1(), "2026-09-29");
    assert_eq!(
        (a.due_on, a.state),
        (Some(d("2026-09-29")), DeadlineState::Open)
    );
    assert_eq!(a.working_days_left, Some(0));
    let a = answer_on(&received_sep_1(), "2026-09-30");
    assert_eq!(a.state, DeadlineState::Overdue);
}

#[test]
fn the_party_s_window_runs_from_the_day_it_received_the_letter() {
    let mut f = received_sep_1();
    f.status = Some(Status::Consultation);
    f.pauses.push(Pause {
        letter_received_on: Some(d("2026-09-10")),
        ..consultation("2026-09-08", None)
    });
    // 15 working days from Sep 10: Sep 11, 14–18, 20, 21–24, 28–30, Oct 8.
    let list = deadlines(official(), &f, d("2026-10-08")).unwrap();
    let reply = find(&list, DeadlineKind::ConsultationReply);
    assert_eq!(
        (reply.due_on, reply.state, reply.working_days_left),
        (Some(d("2026-10-08")), DeadlineState::Open, Some(0))
    );
    // On the window's last day the answer is still paused, never overdue.
    assert_eq!(
        find(&list, DeadlineKind::Answer).state,
        DeadlineState::Paused
    );
    assert_eq!(
        next_deadline(&list).unwrap().kind,
        DeadlineKind::ConsultationReply
    );

    // The day after, with no reply, the answer clock runs again from Oct 9: 5 working days
    // were counted before the letter (Sep 2–8), 15 remain: Oct 9, 10, 12–16, 19–23, 26–28.
    let list = deadlines(official(), &f, d("2026-10-09")).unwrap();
    let reply = find(&list, DeadlineKind::ConsultationReply);
    assert_eq!(reply.state, DeadlineState::Lapsed);
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(
        (answer.due_on, answer.state),
        (Some(d("2026-10-28")), DeadlineState::Open)
    );
    let next = next_deadline(&list).unwrap();
    assert_eq!(
        (next.kind, next.due_on),
        (DeadlineKind::Answer, Some(d("2026-10-28")))
    );
    let spans: Vec<_> = answer
        .spans
        .iter()
        .map(|s| (s.counted, s.from, s.to))
        .collect();
    assert_eq!(
        spans,
        [
            (true, d("2026-09-02"), Some(d("2026-09-08"))),
            (false, d("2026-09-09"), Some(d("2026-10-08"))),
            (true, d("2026-10-09"), Some(d("2026-10-28"))),
        ]
    );
    // And it goes overdue like any other answer.
    assert_eq!(answer_on(&f, "2026-10-29").state, DeadlineState::Overdue);
}

#[test]
fn until_the_receipt_is_known_the_window_counts_from_the_letter_date() {
    let mut f = received_sep_1();
    f.status = Some(Status::Consultation);
    f.pauses.push(consultation("2026-09-08", None));
    // From Sep 8: Sep 9–11, 14–18, 20, 21–24, 28, 29 → the window closes Sep 29; the answer
    // then runs Sep 30, Oct 8, 9, 10, 12–16, 19–23, 26.
    let list = deadlines(official(), &f, d("2026-10-09")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::ConsultationReply).due_on,
        Some(d("2026-09-29"))
    );
    assert_eq!(
        find(&list, DeadlineKind::Answer).due_on,
        Some(d("2026-10-26"))
    );
}

#[test]
fn a_late_reply_stops_the_clock_only_until_the_window_closed() {
    let mut f = received_sep_1();
    f.pauses.push(Pause {
        letter_received_on: Some(d("2026-09-10")),
        ..consultation("2026-09-08", Some("2026-10-15"))
    });
    let list = deadlines(official(), &f, d("2026-10-16")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::Answer).due_on,
        Some(d("2026-10-28"))
    );
    assert_eq!(
        find(&list, DeadlineKind::ConsultationReply).state,
        DeadlineState::Missed
    );
    // A reply in time ends the pause on its day: Sep 30, then Oct 8–10, 12–16, 19–23, 26, 27.
    f.pauses[0].to = Some(d("2026-09-30"));
    let list = deadlines(official(), &f, d("2026-10-16")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::Answer).due_on,
        Some(d("2026-10-27"))
    );
    assert_eq!(
        find(&list, DeadlineKind::ConsultationReply).state,
        DeadlineState::Met
    );
}

#[test]
fn several_consultations_stop_the_clock_for_their_union_each_capped() {
    let mut f = received_sep_1();
    f.status = Some(Status::Consultation);
    f.pauses.push(Pause {
        letter_received_on: Some(d("2026-09-10")),
        ..consultation("2026-09-08", Some("2026-09-15"))
    });
    // The second party's window, from Sep 14: Sep 15–18, 20, 21–24, 28–30, Oct 8–10.
    f.pauses.push(Pause {
        id: Some("c2".into()),
        party_kind: Some(ConsultedParty::Agency),
        ..consultation("2026-09-14", None)
    });
    let list = deadlines(official(), &f, d("2026-10-12")).unwrap();
    let reply2 = list
        .iter()
        .filter(|x| x.kind == DeadlineKind::ConsultationReply)
        .nth(1)
        .unwrap();
    assert_eq!(
        (reply2.due_on, reply2.state),
        (Some(d("2026-10-10")), DeadlineState::Lapsed)
    );
    assert!(reply2.summary.contains("视为同意"), "{}", reply2.summary);
    // Not counted: Sep 9 – Oct 10 once. Counted: Sep 2–8 (5), then Oct 12–16, 19–23, 26–30.
    let answer = find(&list, DeadlineKind::Answer);
    assert_eq!(answer.due_on, Some(d("2026-10-30")));
    let not_counted: Vec<_> = answer.spans.iter().filter(|s| !s.counted).collect();
    assert_eq!(not_counted.len(), 1);
    assert_eq!(not_counted[0].to, Some(d("2026-10-10")));
}

#[test]
fn a_fee_notice_on_the_last_day_stops_the_clock_and_the_answer_is_due_the_day_it_is_paid() {
    let mut f = received_sep_1();
    f.pauses.push(Pause::fee_notice(d("2026-09-29")));
    f.fee_notice = Some(FeeNoticeFacts {
        notice_on: d("2026-09-29"),
        received_on: Some(d("2026-09-29")),
        paid_on: None,
    });
    // While unpaid the answer is paused, never overdue.
    let a = answer_on(&f, "2026-09-30");
    assert_eq!((a.due_on, a.state), (None, DeadlineState::Paused));
    f.pauses[0].to = Some(d("2026-10-09"));
    f.fee_notice.as_mut().unwrap().paid_on = Some(d("2026-10-09"));
    let a = answer_on(&f, "2026-10-09");
    assert_eq!(
        (a.due_on, a.state, a.working_days_left),
        (Some(d("2026-10-09")), DeadlineState::Open, Some(0))
    );
    assert_eq!(answer_on(&f, "2026-10-10").state, DeadlineState::Overdue);
    no_span_ends_before_it_starts(&deadlines(official(), &f, d("2026-10-10")).unwrap());
}

#[test]
fn a_pause_that_starts_after_the_period_ended_stops_nothing() {
    let mut f = received_sep_1();
    f.pauses.push(Pause::fee_notice(d("2026-09-30")));
    let a = answer_on(&f, "2026-10-09");
    assert_eq!(
        (a.due_on, a.state),
        (Some(d("2026-09-29")), DeadlineState::Overdue)
    );
}

#[test]
fn a_fee_paid_the_day_of_its_notice_is_a_pause_of_no_days_not_a_reversed_span() {
    let mut f = received_sep_1();
    f.pauses.push(Pause {
        to: Some(d("2026-09-08")),
        ..Pause::fee_notice(d("2026-09-08"))
    });
    let list = deadlines(official(), &f, d("2026-09-09")).unwrap();
    no_span_ends_before_it_starts(&list);
    let a = find(&list, DeadlineKind::Answer);
    assert_eq!(a.due_on, Some(d("2026-09-29")));
    let pause = a.spans.iter().find(|s| !s.counted).unwrap();
    assert_eq!(
        (pause.from, pause.to, pause.working_days),
        (d("2026-09-08"), Some(d("2026-09-08")), 0)
    );
}

#[test]
fn limits_fall_the_day_after_the_last_day_even_across_national_day() {
    let f = facts(Status::Registered, "2026-09-24");
    // Correction notice: Sep 28–30, Oct 8, 9, the make-up Saturday 10th, Oct 12.
    let on = |day| limits(official(), &f, d(day)).unwrap();
    assert_eq!(on("2026-10-12").correction_notice_ended_on, None);
    assert_eq!(
        on("2026-10-13").correction_notice_ended_on,
        Some(d("2026-10-12"))
    );
    let g = received_sep_1();
    let on = |day| limits(official(), &g, d(day)).unwrap();
    assert_eq!(on("2026-09-29").answer_period_ended_on, None);
    assert_eq!(
        on("2026-09-30").answer_period_ended_on,
        Some(d("2026-09-29"))
    );
}

#[test]
fn a_posted_correction_notice_starts_the_applicant_s_period_only_when_received() {
    let mut f = facts(Status::Correction, "2026-09-01");
    f.correction_requested_on = Some(d("2026-09-03"));
    f.correction_period_days = Some(10);
    let list = deadlines(official(), &f, d("2026-09-30")).unwrap();
    assert!(list
        .iter()
        .all(|x| x.kind != DeadlineKind::CorrectionPeriod));
    let reminder = find(&list, DeadlineKind::NoticeReceipt);
    // An internal reminder 10 working days after posting: Sep 4, 7–11, 14–17.
    assert_eq!(reminder.due_on, Some(d("2026-09-17")));
    // Received Sep 7: ten working days Sep 8–11, 14–18, and the make-up Sunday 20th.
    f.correction_notice_received_on = Some(d("2026-09-07"));
    let list = deadlines(official(), &f, d("2026-09-21")).unwrap();
    let period = find(&list, DeadlineKind::CorrectionPeriod);
    assert_eq!(
        (period.due_on, period.state),
        (Some(d("2026-09-20")), DeadlineState::Overdue)
    );
}

#[test]
fn a_posted_fee_notice_never_lapses_before_its_receipt_is_recorded() {
    let mut f = received_sep_1();
    f.pauses.push(Pause::fee_notice(d("2026-09-03")));
    f.fee_notice = Some(FeeNoticeFacts {
        notice_on: d("2026-09-03"),
        received_on: None,
        paid_on: None,
    });
    let list = deadlines(official(), &f, d("2026-12-01")).unwrap();
    assert!(list.iter().all(|x| x.kind != DeadlineKind::FeePayment));
    assert_eq!(
        find(&list, DeadlineKind::Answer).state,
        DeadlineState::Paused
    );
    // Received Sep 7: 20 working days from the day after: Sep 8–11, 14–18, the make-up Sunday
    // 20th, 21–24, 28–30, Oct 8, 9 and the make-up Saturday 10th.
    f.fee_notice.as_mut().unwrap().received_on = Some(d("2026-09-07"));
    let list = deadlines(official(), &f, d("2026-10-09")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::FeePayment).due_on,
        Some(d("2026-10-10"))
    );
}

#[test]
fn a_mail_application_awaiting_its_receipt_date_has_a_deadline() {
    let f = ClockFacts {
        status: Some(Status::Registered),
        registered_on: Some(d("2026-09-30")),
        ..ClockFacts::default()
    };
    let list = deadlines(official(), &f, d("2026-10-09")).unwrap();
    let confirm = find(&list, DeadlineKind::ConfirmReceipt);
    assert_eq!(
        (confirm.due_on, confirm.state),
        (Some(d("2026-10-08")), DeadlineState::Overdue)
    );
    assert_eq!(
        next_deadline(&list).unwrap().kind,
        DeadlineKind::ConfirmReceipt
    );
}

#[test]
fn a_posted_answer_is_timely_by_the_day_it_was_posted() {
    let mut f = received_sep_1();
    f.status = Some(Status::Delivered);
    f.answered_on = Some(d("2026-09-29"));
    f.answered_basis = Some(AnsweredBasis::PostedOn);
    let a = answer_on(&f, "2026-10-12");
    assert_eq!(
        (a.state, a.done_basis),
        (DeadlineState::Met, Some(AnsweredBasis::PostedOn))
    );
    assert!(a.summary.contains("交邮"), "{}", a.summary);
}

#[test]
fn silence_and_a_closing_lapse_show_as_lapsed_not_as_met_or_moot() {
    let mut f = received_sep_1();
    f.pauses.push(Pause {
        silent: true,
        ..consultation("2026-09-08", Some("2026-09-29"))
    });
    let list = deadlines(official(), &f, d("2026-10-09")).unwrap();
    let reply = find(&list, DeadlineKind::ConsultationReply);
    assert_eq!((reply.state, reply.done_on), (DeadlineState::Lapsed, None));
    let mut g = facts(Status::AbandonedNoCorrection, "2026-09-01");
    g.correction_requested_on = Some(d("2026-09-03"));
    g.correction_notice_received_on = Some(d("2026-09-03"));
    g.correction_period_days = Some(5);
    let list = deadlines(official(), &g, d("2026-10-09")).unwrap();
    assert_eq!(
        find(&list, DeadlineKind::CorrectionPeriod).state,
        DeadlineState::Lapsed
    );
}
