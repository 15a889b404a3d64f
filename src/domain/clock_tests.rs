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
    assert!(answer.spans[1].reason.contains("某公司、某局"));
}

#[test]
fn a_fee_notice_stops_the_answer_clock_until_payment_and_has_its_own_deadline() {
    let mut f = facts(Status::Accepted, "2026-03-02");
    // Notice sent and received 2026-03-05; paid 2026-03-12: Mar 6–12 (5 working days) not counted.
    f.pauses.push(Pause {
        kind: PauseKind::FeeNotice,
        from: d("2026-03-05"),
        to: Some(d("2026-03-12")),
        party: None,
    });
    f.fee_notice = Some(FeeNoticeFacts {
        received_on: d("2026-03-05"),
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
        received_on: d("2026-03-05"),
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
