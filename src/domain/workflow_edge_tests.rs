//! The workflow at the edges the law names (RULES §8), on the official 2026 calendar.

use super::tests::{allowed_actions, applicant, approver, clerk, d, propose, received_on};
use super::*;
use crate::domain::calendar::tests::official;
use crate::domain::case::{DeliveryMethod, Outcome, Status};

// --- The edges the law names (RULES §8). Received Tuesday 2026-09-01: the correction notice is
// due 2026-09-10 and the answer 2026-09-29 (National Day 2026 in the official calendar).

fn accepted_sep_1() -> Case {
    Case {
        status: Some(Status::Accepted),
        ..received_on("2026-09-01")
    }
}

fn on(case: &Case, actor: &Actor, action: &Action, day: &str) -> Result<Case, WorkflowError> {
    super::apply(case, actor, action, d(day), official()).map(|t| t.case)
}

fn allowed_on(case: &Case, actor: &Actor, day: &str) -> Vec<ActionKind> {
    super::allowed_actions(case, actor, official(), d(day))
}

fn refused_code(r: Result<Case, WorkflowError>) -> &'static str {
    match r {
        Err(WorkflowError::Refused { code, .. }) => code.as_str(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn consult(party_kind: ConsultedParty, letter: &str) -> Action {
    Action::StartConsultation(StartConsultation {
        party_kind,
        party_name: "某公司".into(),
        party_email: None,
        letter_date: d(letter),
        letter_received_on: None,
        note: None,
    })
}

fn fee_notice() -> Action {
    Action::IssueFeeNotice(IssueFeeNotice {
        scale: crate::domain::fees::FeeScale::PerPage,
        pages: Some(40),
        reduction_fen: None,
        reduction_reason: None,
        notice_received_on: None,
        by_post: false,
    })
}

fn with_office(mut c: Case) -> Case {
    c.office.has_payment_details = true;
    c
}

#[test]
fn nothing_stops_or_lengthens_the_clock_after_the_last_day() {
    let c = with_office(accepted_sep_1());
    // On the last day a fee notice and a consultation letter still stop the clock.
    assert!(on(&c, &clerk("c1"), &fee_notice(), "2026-09-29").is_ok());
    assert!(on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::ThirdParty, "2026-09-29"),
        "2026-09-29"
    )
    .is_ok());
    // The day after, they are refused, and not offered.
    for action in [
        fee_notice(),
        consult(ConsultedParty::ThirdParty, "2026-09-30"),
    ] {
        assert_eq!(
            refused_code(on(&c, &clerk("c1"), &action, "2026-09-30")),
            "answer_period_expired"
        );
    }
    // A letter is judged by its date: one dated the last day may be recorded the day after; one
    // dated after the period is refused.
    assert!(on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::ThirdParty, "2026-09-29"),
        "2026-09-30"
    )
    .is_ok());
    let late_letter = consult(ConsultedParty::Agency, "2026-09-30");
    assert_eq!(
        refused_code(on(&c, &clerk("c1"), &late_letter, "2026-09-30")),
        "answer_period_expired"
    );
    let offered = allowed_on(&c, &clerk("c1"), "2026-09-30");
    for kind in [ActionKind::IssueFeeNotice, ActionKind::RequestExtension] {
        assert!(!offered.contains(&kind), "{kind} offered after the period");
        assert!(
            allowed_on(&c, &clerk("c1"), "2026-09-29").contains(&kind),
            "{kind} on the last day"
        );
    }
    // An extension asked on the last day cannot be granted after it.
    let asked = on(
        &c,
        &clerk("c1"),
        &Action::RequestExtension(RequestExtension {
            working_days: 10,
            reason: "材料较多".into(),
        }),
        "2026-09-29",
    )
    .unwrap();
    assert!(allowed_on(&asked, &approver("a1"), "2026-09-29").contains(&ActionKind::GrantExtension));
    assert!(
        !allowed_on(&asked, &approver("a1"), "2026-09-30").contains(&ActionKind::GrantExtension)
    );
    assert_eq!(
        refused_code(on(
            &asked,
            &approver("a1"),
            &Action::GrantExtension(Note::default()),
            "2026-09-30"
        )),
        "answer_period_expired"
    );
}

#[test]
fn a_refused_extension_may_be_asked_again_a_granted_one_is_final() {
    let c = accepted_sep_1();
    let ask = Action::RequestExtension(RequestExtension {
        working_days: 10,
        reason: "r".into(),
    });
    let asked = on(&c, &clerk("c1"), &ask, "2026-09-10").unwrap();
    assert_eq!(
        refused_code(on(&asked, &clerk("c1"), &ask, "2026-09-10")),
        "extension_already_requested"
    );
    let refused = on(
        &asked,
        &approver("a1"),
        &Action::RefuseExtension(Review {
            reason: "不必".into(),
        }),
        "2026-09-11",
    )
    .unwrap();
    let again = on(&refused, &clerk("c1"), &ask, "2026-09-14").unwrap();
    let granted = on(
        &again,
        &approver("a1"),
        &Action::GrantExtension(Note::default()),
        "2026-09-14",
    )
    .unwrap();
    assert_eq!(
        refused_code(on(&granted, &clerk("c1"), &ask, "2026-09-15")),
        "extension_already_granted"
    );
}

#[test]
fn the_correction_notice_is_given_within_seven_working_days_or_not_at_all() {
    let c = received_on("2026-09-01");
    let request = Action::RequestCorrection(RequestCorrection {
        items: vec!["请说明文件名称".into()],
        period_working_days: 10,
        by_post: false,
    });
    let asked = on(&c, &clerk("c1"), &request, "2026-09-10").unwrap();
    // Sent online: the applicant received it that day, and their period runs from it.
    assert_eq!(asked.correction_notice_received_on, Some(d("2026-09-10")));
    assert_eq!(
        refused_code(on(&c, &clerk("c1"), &request, "2026-09-11")),
        "correction_notice_late"
    );
    assert!(!allowed_on(&c, &clerk("c1"), "2026-09-11").contains(&ActionKind::RequestCorrection));
    // By post, the period waits for the return receipt.
    let posted = Action::RequestCorrection(RequestCorrection {
        items: vec!["x".into()],
        period_working_days: 10,
        by_post: true,
    });
    let asked = on(&c, &clerk("c1"), &posted, "2026-09-10").unwrap();
    assert_eq!(asked.correction_notice_received_on, None);
    let received = on(
        &asked,
        &clerk("c1"),
        &Action::RecordNoticeReceived(RecordNoticeReceived {
            document: ReceivedDocument::CorrectionNotice,
            consultation_id: None,
            received_on: d("2026-09-14"),
        }),
        "2026-09-15",
    )
    .unwrap();
    assert_eq!(
        received.correction_notice_received_on,
        Some(d("2026-09-14"))
    );
}

#[test]
fn several_consultations_end_one_by_one_and_no_reply_waits_for_the_window() {
    let c = accepted_sep_1();
    let c = on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::ThirdParty, "2026-09-08"),
        "2026-09-08",
    )
    .unwrap();
    let c = on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::Agency, "2026-09-09"),
        "2026-09-09",
    )
    .unwrap();
    assert_eq!(c.status(), Status::Consultation);
    let end = |id: Option<&str>, reply, day: &str| {
        Action::EndConsultation(EndConsultation {
            consultation_id: id.map(str::to_owned),
            reply,
            reply_date: d(day),
            reply_summary: None,
        })
    };
    let unnamed = on(
        &c,
        &clerk("c1"),
        &end(None, ConsultationReply::Consent, "2026-09-15"),
        "2026-09-15",
    );
    assert!(matches!(
        unnamed,
        Err(WorkflowError::InvalidInput {
            field: "consultation_id",
            ..
        })
    ));
    let c = on(
        &c,
        &clerk("c1"),
        &end(Some("c1"), ConsultationReply::Objection, "2026-09-15"),
        "2026-09-15",
    )
    .unwrap();
    assert_eq!(c.status(), Status::Consultation, "c2 is still open");
    // The agency's window (from Sep 9) ends Sep 30; silence may be recorded from that day.
    let early = on(
        &c,
        &clerk("c1"),
        &end(Some("c2"), ConsultationReply::NoReply, "2026-09-29"),
        "2026-09-29",
    );
    assert!(matches!(
        early,
        Err(WorkflowError::InvalidInput { field: "reply", .. })
    ));
    let c = on(
        &c,
        &clerk("c1"),
        &end(Some("c2"), ConsultationReply::NoReply, "2026-10-08"),
        "2026-10-08",
    )
    .unwrap();
    assert_eq!(c.status(), Status::Accepted);
    assert_eq!(
        c.pauses[1].to,
        Some(d("2026-09-30")),
        "silence ends the pause with the window"
    );
    assert!(c.pauses[0].objected);
}

#[test]
fn disclosing_over_an_objection_tells_the_third_party_before_delivery() {
    let c = accepted_sep_1();
    let c = on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::ThirdParty, "2026-09-08"),
        "2026-09-08",
    )
    .unwrap();
    let c = on(
        &c,
        &clerk("c1"),
        &Action::EndConsultation(EndConsultation {
            consultation_id: None,
            reply: ConsultationReply::Objection,
            reply_date: d("2026-09-10"),
            reply_summary: Some("涉及商业秘密".into()),
        }),
        "2026-09-10",
    )
    .unwrap();
    let c = on(&c, &clerk("c1"), &propose(Outcome::Disclosed), "2026-09-11").unwrap();
    let c = on(
        &c,
        &approver("a1"),
        &Action::Approve(Note::default()),
        "2026-09-11",
    )
    .unwrap();
    let deliver = Action::Deliver(Deliver {
        method: DeliveryMethod::Email,
        posted_on: None,
        delivered_on: Some(d("2026-09-14")),
        note: None,
    });
    assert_eq!(
        refused_code(on(&c, &clerk("c1"), &deliver, "2026-09-14")),
        "third_party_not_told"
    );
    assert!(!allowed_on(&c, &clerk("c1"), "2026-09-14").contains(&ActionKind::Deliver));
    let told = on(
        &c,
        &clerk("c1"),
        &Action::NotifyThirdParty(NotifyThirdParty {
            consultation_id: None,
            content: "合同全文".into(),
            reasons: "涉及公共利益".into(),
        }),
        "2026-09-14",
    )
    .unwrap();
    assert!(on(&told, &clerk("c1"), &deliver, "2026-09-14").is_ok());
}

#[test]
fn outcomes_stand_on_their_preconditions() {
    let c = accepted_sep_1();
    assert_eq!(
        refused_code(on(
            &c,
            &clerk("c1"),
            &propose(Outcome::UnavailableUnclearAfterCorrection),
            "2026-09-10"
        )),
        "outcome_precondition"
    );
    assert_eq!(
        refused_code(on(
            &c,
            &clerk("c1"),
            &propose(Outcome::NotProcessedExcessive),
            "2026-09-10"
        )),
        "outcome_precondition"
    );
    let period = Action::SetAnswerPeriod(SetAnswerPeriod {
        working_days: 40,
        reason: "申请数量较大".into(),
    });
    assert_eq!(
        refused_code(on(&c, &approver("a1"), &period, "2026-09-10")),
        "reasons_not_asked"
    );
    let asked = on(
        &c,
        &clerk("c1"),
        &Action::AskForReasons(AskForReasons {
            questions: "请说明申请理由".into(),
        }),
        "2026-09-03",
    )
    .unwrap();
    let replied = on(
        &asked,
        &applicant(),
        &Action::ReplyToReasons(ReplyToReasons {
            reply: "研究需要".into(),
            received_on: None,
        }),
        "2026-09-07",
    )
    .unwrap();
    assert_eq!(replied.reasons_replied_on, Some(d("2026-09-07")));
    assert!(on(&replied, &approver("a1"), &period, "2026-09-10").is_ok());
    assert!(on(
        &replied,
        &clerk("c1"),
        &propose(Outcome::NotProcessedExcessive),
        "2026-09-10"
    )
    .is_ok());
}

#[test]
fn a_closure_for_no_correction_is_reopened_once_within_the_office_s_time() {
    let closed = Case {
        status: Some(Status::AbandonedNoCorrection),
        outcome: Some(Outcome::OtherNoCorrection),
        correction_requested_on: Some(d("2026-09-02")),
        closed_on: Some(d("2026-09-21")),
        ..received_on("2026-09-01")
    };
    let reopen = Action::Reopen(Reopen {
        reason: "申请人住院，提交了病历".into(),
        statement: "补正如下".into(),
        description: None,
    });
    assert!(allowed_actions(&closed, &clerk("c1"))
        .iter()
        .all(|k| *k != ActionKind::Reopen));
    // 20 working days after Sep 21: Sep 22–24, 28–30, Oct 8–10, 12–16, 19–23, 26 → Oct 26.
    let open = on(&closed, &approver("a1"), &reopen, "2026-10-26").unwrap();
    assert_eq!(
        (
            open.status(),
            open.corrected_received_on,
            open.outcome,
            open.closed_on
        ),
        (Status::Accepted, Some(d("2026-10-26")), None, None)
    );
    assert_eq!(
        refused_code(on(&closed, &approver("a1"), &reopen, "2026-10-27")),
        "reopen_period_expired"
    );
    let twice = Case {
        reopened_on: Some(d("2026-10-01")),
        ..closed
    };
    assert_eq!(
        refused_code(on(&twice, &approver("a1"), &reopen, "2026-10-22")),
        "already_reopened"
    );
}

#[test]
fn a_posted_answer_counts_from_the_day_posted_and_a_challenge_may_concern_any_case() {
    let approved = Case {
        status: Some(Status::Approved),
        decision_drafted_by: Some("c1".into()),
        approved_by: Some("a1".into()),
        outcome: Some(Outcome::Disclosed),
        ..received_on("2026-09-01")
    };
    let by_post = |posted: Option<&str>| {
        Action::Deliver(Deliver {
            method: DeliveryMethod::Post,
            posted_on: posted.map(d),
            delivered_on: None,
            note: None,
        })
    };
    assert!(matches!(
        on(&approved, &clerk("c1"), &by_post(None), "2026-09-30"),
        Err(WorkflowError::InvalidInput {
            field: "posted_on",
            ..
        })
    ));
    let sent = on(
        &approved,
        &clerk("c1"),
        &by_post(Some("2026-09-29")),
        "2026-09-30",
    )
    .unwrap();
    assert_eq!(
        sent.answered(),
        Some((d("2026-09-29"), AnsweredBasis::PostedOn))
    );
    let signed = on(
        &sent,
        &clerk("c1"),
        &Action::RecordNoticeReceived(RecordNoticeReceived {
            document: ReceivedDocument::Answer,
            consultation_id: None,
            received_on: d("2026-10-09"),
        }),
        "2026-10-09",
    )
    .unwrap();
    assert_eq!(signed.delivered_on, Some(d("2026-10-09")));
    assert_eq!(
        signed.answered(),
        Some((d("2026-09-29"), AnsweredBasis::PostedOn))
    );
    // Failure to act: a challenge is recorded on a case never answered.
    assert!(allowed_on(&accepted_sep_1(), &clerk("c1"), "2026-10-09")
        .contains(&ActionKind::RecordChallenge));
}

#[test]
fn a_letter_dated_the_last_day_is_recorded_by_the_next_working_day_or_not_at_all() {
    let c = accepted_sep_1();
    let letter = consult(ConsultedParty::ThirdParty, "2026-09-29");
    // The last day is Tue Sep 29; the next working day Wed Sep 30; then the holiday until Oct 8.
    assert!(on(&c, &clerk("c1"), &letter, "2026-09-30").is_ok());
    assert_eq!(
        refused_code(on(&c, &clerk("c1"), &letter, "2026-10-08")),
        "answer_period_expired"
    );
    assert!(!allowed_on(&c, &clerk("c1"), "2026-10-08").contains(&ActionKind::StartConsultation));
}

#[test]
fn an_agency_s_objection_is_weighed_and_a_partial_answer_may_uphold_a_third_party_s() {
    let c = accepted_sep_1();
    let c = on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::Agency, "2026-09-08"),
        "2026-09-08",
    )
    .unwrap();
    let objection = |id: &str| {
        Action::EndConsultation(EndConsultation {
            consultation_id: Some(id.into()),
            reply: ConsultationReply::Objection,
            reply_date: d("2026-09-10"),
            reply_summary: None,
        })
    };
    let c = on(&c, &clerk("c1"), &objection("c1"), "2026-09-10").unwrap();
    assert!(
        !c.pauses[0].objected,
        "an agency's objection is not notified (art. 34)"
    );
    let c = on(
        &c,
        &clerk("c1"),
        &consult(ConsultedParty::ThirdParty, "2026-09-10"),
        "2026-09-10",
    )
    .unwrap();
    let c = on(&c, &clerk("c1"), &objection("c2"), "2026-09-11").unwrap();
    assert!(c.pauses[1].objected);
    let partial = |upheld: bool| {
        let mut d = ProposeDecision::new(Outcome::PartlyDisclosed, "单价不予公开");
        d.legal_basis = Some("条例第十五条".into());
        d.withheld.push(WithheldPart {
            part: "合同单价".into(),
            ground: Outcome::WithheldThirdPartyRights,
            legal_basis: "条例第十五条".into(),
            reasoning: "第三方异议成立".into(),
        });
        d.third_party_objection_upheld = upheld;
        Action::ProposeDecision(d)
    };
    let deliver = Action::Deliver(Deliver {
        method: DeliveryMethod::Email,
        posted_on: None,
        delivered_on: Some(d("2026-09-14")),
        note: None,
    });
    for (upheld, blocked) in [(false, true), (true, false)] {
        let drafted = on(&c, &clerk("c1"), &partial(upheld), "2026-09-14").unwrap();
        let approved = on(
            &drafted,
            &approver("a1"),
            &Action::Approve(Note::default()),
            "2026-09-14",
        )
        .unwrap();
        let r = on(&approved, &clerk("c1"), &deliver, "2026-09-14");
        assert_eq!(r.is_err(), blocked, "upheld: {upheld}");
    }
}

#[test]
fn a_receipt_date_is_fixed_once_periods_rest_on_it_but_a_missing_one_can_always_be_given() {
    let asked = on(
        &Case {
            received_on: None,
            ..received_on("2026-09-01")
        },
        &clerk("c1"),
        &Action::AskForReasons(AskForReasons {
            questions: "请说明理由".into(),
        }),
        "2026-09-02",
    )
    .unwrap();
    let confirm = |day: &str| {
        Action::ConfirmReceipt(ConfirmReceipt {
            received_on: d(day),
            basis: None,
        })
    };
    let dated = on(&asked, &clerk("c1"), &confirm("2026-09-01"), "2026-09-02").unwrap();
    assert_eq!(
        refused_code(on(
            &dated,
            &clerk("c1"),
            &confirm("2026-08-31"),
            "2026-09-02"
        )),
        "receipt_date_fixed"
    );
    let c = on(
        &with_office(accepted_sep_1()),
        &clerk("c1"),
        &fee_notice(),
        "2026-09-08",
    )
    .unwrap();
    assert_eq!(
        refused_code(on(&c, &clerk("c1"), &confirm("2026-08-31"), "2026-09-08")),
        "receipt_date_fixed"
    );
}

#[test]
fn posted_answers_recorded_before_the_posting_day_was_kept_count_from_the_day_recorded() {
    let old = Case {
        status: Some(Status::Delivered),
        delivery_method: Some(DeliveryMethod::Post),
        delivered_on: Some(d("2026-09-20")),
        closed_on: Some(d("2026-09-20")),
        ..received_on("2026-09-01")
    };
    assert_eq!(
        old.answered(),
        Some((d("2026-09-20"), AnsweredBasis::SignedFor))
    );
}

#[test]
fn a_correction_sent_online_on_a_day_off_counts_from_the_next_working_day_never_before_receipt() {
    // Filed online on Saturday 2026-11-28: received Monday 11-30 (art. 31(3)). The clerk, at
    // work that Saturday, asks for a correction; the applicant answers the same Saturday.
    let filed = Case {
        status: Some(Status::Registered),
        ..received_on("2026-11-30")
    };
    let ask = Action::RequestCorrection(RequestCorrection {
        items: vec!["请写明文件名称".into()],
        period_working_days: 10,
        by_post: false,
    });
    let asked = on(&filed, &clerk("c1"), &ask, "2026-11-28").unwrap();
    let fix = Action::SubmitCorrection(SubmitCorrection {
        statement: "补正如下".into(),
        description: None,
        document_number: None,
        received_on: None,
    });
    let fixed = on(&asked, &applicant(), &fix, "2026-11-28").unwrap();
    assert_eq!(fixed.corrected_received_on, Some(d("2026-11-30")));
    // Answered that Saturday: the answer cannot be dated before the receipt.
    let drafted = on(
        &fixed,
        &clerk("c1"),
        &propose(Outcome::Disclosed),
        "2026-11-28",
    )
    .unwrap();
    let decided = on(
        &drafted,
        &approver("a1"),
        &Action::Approve(Note::default()),
        "2026-11-28",
    )
    .unwrap();
    let deliver = Action::Deliver(Deliver {
        method: DeliveryMethod::Email,
        posted_on: None,
        delivered_on: Some(d("2026-11-28")),
        note: None,
    });
    assert!(on(&decided, &clerk("c1"), &deliver, "2026-11-28").is_err());
    // Sent on a working day after the receipt, it counts from that day.
    let later = on(&asked, &applicant(), &fix, "2026-12-02").unwrap();
    assert_eq!(later.corrected_received_on, Some(d("2026-12-02")));
    // A clerk's paper date before the application's receipt is refused.
    let paper = Action::SubmitCorrection(SubmitCorrection {
        statement: "补正如下".into(),
        description: None,
        document_number: None,
        received_on: Some(d("2026-11-28")),
    });
    assert!(matches!(
        on(&asked, &clerk("c1"), &paper, "2026-12-01"),
        Err(WorkflowError::InvalidInput {
            field: "received_on",
            ..
        })
    ));
}
