use super::*;
use crate::domain::calendar::tests::official;
use crate::domain::case::{DeliveryMethod, Outcome, Status};

/// The workflow on the official calendar.
fn apply(
    case: &Case,
    actor: &Actor,
    action: &Action,
    today: NaiveDate,
) -> Result<Transition, WorkflowError> {
    super::apply(case, actor, action, today, official())
}

/// What may be done on the day the tests' steps are taken.
pub(super) fn allowed_actions(case: &Case, actor: &Actor) -> Vec<ActionKind> {
    super::allowed_actions(case, actor, official(), d("2026-03-20"))
}

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(super) fn clerk(id: &str) -> Actor {
    Actor {
        id: Some(id.into()),
        role: Role::Clerk,
    }
}

pub(super) fn approver(id: &str) -> Actor {
    Actor {
        id: Some(id.into()),
        role: Role::Approver,
    }
}

pub(super) fn applicant() -> Actor {
    Actor {
        id: None,
        role: Role::Applicant,
    }
}

pub(super) fn received_case() -> Case {
    Case {
        status: Some(Status::Registered),
        registered_on: Some(d("2026-03-02")),
        received_on: Some(d("2026-03-02")),
        description: "2025年道路维修合同".into(),
        ..Case::default()
    }
}

pub(super) fn received_on(day: &str) -> Case {
    Case {
        received_on: Some(d(day)),
        registered_on: Some(d(day)),
        ..received_case()
    }
}

fn step(case: &Case, actor: &Actor, action: Action) -> Case {
    apply(case, actor, &action, d("2026-03-20"))
        .expect("action accepted")
        .case
}

pub(super) fn propose(outcome: Outcome) -> Action {
    Action::ProposeDecision(ProposeDecision::new(outcome, "理由"))
}

#[test]
fn the_whole_path_from_registration_to_delivery() {
    let c = step(
        &received_case(),
        &clerk("c1"),
        Action::Accept(Note::default()),
    );
    assert_eq!(c.status(), Status::Accepted);
    let c = step(
        &c,
        &clerk("c1"),
        Action::StartConsultation(StartConsultation {
            party_kind: ConsultedParty::ThirdParty,
            party_name: "某公司".into(),
            party_email: None,
            letter_date: d("2026-03-05"),
            letter_received_on: None,
            note: None,
        }),
    );
    assert_eq!(c.status(), Status::Consultation);
    assert_eq!(c.consultation_letter_on, Some(d("2026-03-05")));
    let c = step(
        &c,
        &clerk("c1"),
        Action::EndConsultation(EndConsultation {
            consultation_id: None,
            reply: ConsultationReply::Consent,
            reply_date: d("2026-03-10"),
            reply_summary: None,
        }),
    );
    assert_eq!(c.status(), Status::Accepted);
    let c = step(&c, &clerk("c1"), propose(Outcome::Disclosed));
    assert_eq!(
        (c.status(), c.decision_drafted_by.as_deref()),
        (Status::Decision, Some("c1"))
    );
    let c = step(&c, &approver("a1"), Action::Approve(Note::default()));
    assert_eq!(
        (c.status(), c.approved_by.as_deref()),
        (Status::Approved, Some("a1"))
    );
    let c = step(
        &c,
        &clerk("c2"),
        Action::Deliver(Deliver {
            method: DeliveryMethod::Email,
            posted_on: None,
            delivered_on: Some(d("2026-03-19")),
            note: None,
        }),
    );
    assert_eq!(c.status(), Status::Delivered);
    assert_eq!(c.closed_on, Some(d("2026-03-19")));
    // Once answered, a clerk only records challenges to the answer (art. 51).
    assert_eq!(
        allowed_actions(&c, &clerk("c1")),
        [
            ActionKind::RecordChallenge,
            ActionKind::RecordChallengeResult
        ]
    );
    assert!(allowed_actions(&c, &applicant()).is_empty());
}

#[test]
fn the_drafter_never_approves_their_own_answer() {
    let c = step(
        &received_case(),
        &clerk("c1"),
        Action::Accept(Note::default()),
    );
    let c = step(&c, &approver("head"), propose(Outcome::Disclosed));
    let err = apply(
        &c,
        &approver("head"),
        &Action::Approve(Note::default()),
        d("2026-03-20"),
    );
    assert!(matches!(
        err,
        Err(WorkflowError::Refused {
            code: ProblemCode::DrafterCannotApprove,
            ..
        })
    ));
    assert!(!allowed_actions(&c, &approver("head")).contains(&ActionKind::Approve));
    assert!(allowed_actions(&c, &approver("other")).contains(&ActionKind::Approve));
}

#[test]
fn a_returned_answer_goes_back_to_the_clerk() {
    let c = step(
        &received_case(),
        &clerk("c1"),
        Action::Accept(Note::default()),
    );
    let c = step(&c, &clerk("c1"), propose(Outcome::Disclosed));
    let c = step(
        &c,
        &approver("a1"),
        Action::Return(Review {
            reason: "补充理由".into(),
        }),
    );
    assert_eq!(c.status(), Status::Accepted);
    assert!(allowed_actions(&c, &clerk("c1")).contains(&ActionKind::ProposeDecision));
}

#[test]
fn correction_is_requested_once_and_restarts_the_clock() {
    let request = || {
        Action::RequestCorrection(RequestCorrection {
            items: vec!["请说明文件名称".into()],
            period_working_days: 10,
            by_post: false,
        })
    };
    let c = step(&received_on("2026-03-13"), &clerk("c1"), request());
    assert_eq!(c.status(), Status::Correction);
    assert_eq!(c.correction_requested_on, Some(d("2026-03-20")));
    let fixed = Action::SubmitCorrection(SubmitCorrection {
        statement: "补正如下".into(),
        description: Some("2025年某路段维修合同".into()),
        document_number: None,
        received_on: None,
    });
    let c = apply(&c, &applicant(), &fixed, d("2026-03-24"))
        .unwrap()
        .case;
    assert_eq!(c.status(), Status::Accepted);
    assert_eq!(c.clock_start(), Some(d("2026-03-24")));
    assert_eq!(c.description, "2025年某路段维修合同");
    let again = apply(&c, &clerk("c1"), &request(), d("2026-03-25"));
    assert!(matches!(
        again,
        Err(WorkflowError::Refused {
            code: ProblemCode::CorrectionAlreadyRequested,
            ..
        })
    ));
}

#[test]
fn a_clerk_recording_a_paper_correction_gives_its_receipt_date() {
    let c = step(
        &received_on("2026-03-13"),
        &clerk("c1"),
        Action::RequestCorrection(RequestCorrection {
            items: vec!["x".into()],
            period_working_days: 5,
            by_post: false,
        }),
    );
    let mut input = SubmitCorrection {
        statement: "邮寄补正".into(),
        description: None,
        document_number: None,
        received_on: None,
    };
    let missing = apply(
        &c,
        &clerk("c1"),
        &Action::SubmitCorrection(input.clone()),
        d("2026-03-25"),
    );
    assert!(matches!(
        missing,
        Err(WorkflowError::InvalidInput {
            field: "received_on",
            ..
        })
    ));
    input.received_on = Some(d("2026-03-19"));
    let early = apply(
        &c,
        &clerk("c1"),
        &Action::SubmitCorrection(input.clone()),
        d("2026-03-25"),
    );
    assert!(matches!(
        early,
        Err(WorkflowError::InvalidInput {
            field: "received_on",
            ..
        })
    ));
    input.received_on = Some(d("2026-03-23"));
    let ok = apply(
        &c,
        &clerk("c1"),
        &Action::SubmitCorrection(input),
        d("2026-03-25"),
    )
    .unwrap();
    assert_eq!(ok.case.corrected_received_on, Some(d("2026-03-23")));
}

#[test]
fn withdrawal_is_open_from_every_non_terminal_state_only() {
    for status in Status::ALL {
        let case = Case {
            status: Some(*status),
            ..received_case()
        };
        let allowed = allowed_actions(&case, &applicant()).contains(&ActionKind::Withdraw);
        assert_eq!(allowed, !status.is_terminal(), "{status}");
        let result = apply(
            &case,
            &applicant(),
            &Action::Withdraw(Withdraw::default()),
            d("2026-04-01"),
        );
        assert_eq!(result.is_ok(), !status.is_terminal(), "{status}");
    }
}

#[test]
fn roles_are_kept_to_their_actions() {
    let case = received_case();
    let err = apply(
        &case,
        &applicant(),
        &Action::Accept(Note::default()),
        d("2026-03-20"),
    );
    assert_eq!(
        err,
        Err(WorkflowError::RoleNotAllowed {
            action: ActionKind::Accept,
            role: Role::Applicant,
        })
    );
    let early = apply(
        &case,
        &approver("a"),
        &Action::Approve(Note::default()),
        d("2026-03-20"),
    );
    assert_eq!(
        early,
        Err(WorkflowError::NotAllowed {
            action: ActionKind::Approve,
            role: Role::Approver,
            status: Status::Registered
        })
    );
    for role in [Role::Auditor, Role::Admin] {
        let actor = Actor {
            id: Some("x".into()),
            role,
        };
        assert!(allowed_actions(&case, &actor).is_empty());
    }
    assert_eq!(
        allowed_actions(&case, &applicant()),
        vec![ActionKind::Withdraw]
    );
}

#[test]
fn acceptance_waits_for_the_legal_receipt_date() {
    let pending = Case {
        received_on: None,
        ..received_case()
    };
    assert!(!allowed_actions(&pending, &clerk("c")).contains(&ActionKind::Accept));
    let c = step(
        &pending,
        &clerk("c"),
        Action::ConfirmReceipt(ConfirmReceipt {
            received_on: d("2026-03-18"),
            basis: None,
        }),
    );
    assert_eq!(c.received_on, Some(d("2026-03-18")));
    assert!(allowed_actions(&c, &clerk("c")).contains(&ActionKind::Accept));
    let future = Action::ConfirmReceipt(ConfirmReceipt {
        received_on: d("2026-03-21"),
        basis: None,
    });
    assert!(matches!(
        apply(&pending, &clerk("c"), &future, d("2026-03-20")),
        Err(WorkflowError::InvalidInput {
            field: "received_on",
            ..
        })
    ));
}

#[test]
fn dates_are_checked_against_the_case() {
    let c = step(
        &received_case(),
        &clerk("c1"),
        Action::Accept(Note::default()),
    );
    let early_letter = Action::StartConsultation(StartConsultation {
        party_kind: ConsultedParty::Agency,
        party_name: "某局".into(),
        party_email: None,
        letter_date: d("2026-03-01"),
        letter_received_on: None,
        note: None,
    });
    assert!(matches!(
        apply(&c, &clerk("c1"), &early_letter, d("2026-03-20")),
        Err(WorkflowError::InvalidInput {
            field: "letter_date",
            ..
        })
    ));
}

#[test]
fn a_not_processed_answer_is_drafted_approved_and_delivered_like_any_other() {
    // 书面答复制: no action closes a case without a letter approved by someone else.
    assert!(ActionKind::parse("close_without_processing").is_none());
    let c = step(
        &received_case(),
        &clerk("c1"),
        propose(Outcome::NotProcessedPetition),
    );
    assert_eq!(c.status(), Status::Decision);
    let c = step(&c, &approver("a1"), Action::Approve(Note::default()));
    let c = step(
        &c,
        &clerk("c1"),
        Action::Deliver(Deliver {
            method: DeliveryMethod::Online,
            posted_on: None,
            delivered_on: Some(d("2026-03-20")),
            note: None,
        }),
    );
    assert_eq!(
        (c.status(), c.outcome),
        (Status::Delivered, Some(Outcome::NotProcessedPetition))
    );
}

#[test]
fn abandonment_outcomes_are_not_proposed_by_hand() {
    let c = step(
        &received_case(),
        &clerk("c1"),
        Action::Accept(Note::default()),
    );
    let r = apply(
        &c,
        &clerk("c1"),
        &propose(Outcome::OtherFeeUnpaid),
        d("2026-03-20"),
    );
    assert!(matches!(
        r,
        Err(WorkflowError::InvalidInput {
            field: "outcome",
            ..
        })
    ));
}
