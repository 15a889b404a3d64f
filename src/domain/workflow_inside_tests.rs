//! Inside the office at its edges: two approval levels with a return at level two, the dead
//! ends refused before they happen, division staff confined to their replies, and internal due
//! dates that never pass the statutory one.

use super::tests::{approver, clerk, d, propose, received_case};
use super::*;
use crate::domain::calendar::tests::official;
use crate::domain::case::{Outcome, Status};
use crate::domain::handling::{Division, Member};

fn member(id: &str, role: Role, level: u8, division: Option<&str>) -> Member {
    Member {
        id: id.into(),
        name: format!("{id} 同志"),
        role,
        division_id: division.map(str::to_owned),
        approval_level: level,
    }
}

/// An office with a clerk, a head of the unit (level 1), a leader (level 2) and two divisions
/// with one clerk each.
fn office(levels: u8) -> Office {
    Office {
        approval_levels: levels,
        staffing: Some(Staffing {
            members: vec![
                member("c1", Role::Clerk, 1, None),
                member("h1", Role::Approver, 1, None),
                member("l2", Role::Approver, 2, None),
                member("fg", Role::Clerk, 1, Some("d-fgc")),
                member("cw", Role::Clerk, 1, Some("d-cwc")),
            ],
            divisions: vec![
                Division {
                    id: "d-fgc".into(),
                    code: "FGC".into(),
                    name: "法规处".into(),
                },
                Division {
                    id: "d-cwc".into(),
                    code: "CWC".into(),
                    name: "财务处".into(),
                },
            ],
        }),
        ..Office::default()
    }
}

fn accepted(levels: u8) -> Case {
    Case {
        status: Some(Status::Accepted),
        office: office(levels),
        ..received_case()
    }
}

const TODAY: &str = "2026-03-20";

fn try_step(case: &Case, actor: &Actor, action: Action) -> Result<Case, WorkflowError> {
    super::apply(case, actor, &action, d(TODAY), official()).map(|t| t.case)
}

fn step(case: &Case, actor: &Actor, action: Action) -> Case {
    try_step(case, actor, action).expect("accepted")
}

fn code(r: Result<Case, WorkflowError>) -> ProblemCode {
    match r {
        Err(WorkflowError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn forward(divisions: &[&str], due_on: Option<&str>) -> Action {
    Action::Forward(Forward {
        divisions: divisions.iter().map(|s| (*s).to_owned()).collect(),
        asked: "请提出是否公开的意见".into(),
        due_on: due_on.map(d),
    })
}

fn reply(forwarding_id: Option<&str>) -> Action {
    Action::ReplyToForwarding(ReplyToForwarding {
        forwarding_id: forwarding_id.map(str::to_owned),
        outcome: Outcome::Disclosed,
        reasoning: "不涉及秘密，可以公开".into(),
        legal_basis: None,
        withheld: vec![],
        documents: vec!["区政办发〔2025〕12号".into()],
    })
}

#[test]
fn two_levels_go_up_one_at_a_time_and_a_return_at_level_two_goes_back_to_the_drafter() {
    let c = step(&accepted(2), &clerk("c1"), propose(Outcome::Disclosed));
    assert_eq!((c.status(), c.approval_stage), (Status::Decision, Some(1)));
    // The leader cannot jump the queue; the head approves level 1.
    let early = try_step(&c, &approver("l2"), Action::Approve(Note::default()));
    assert_eq!(code(early), ProblemCode::NotYourApprovalLevel);
    let c = step(&c, &approver("h1"), Action::Approve(Note::default()));
    assert_eq!(
        (c.status(), c.approval_stage, c.first_approved_by.as_deref()),
        (Status::Decision, Some(2), Some("h1"))
    );
    // Level 1 is done: the head cannot approve again, nor return it.
    assert!(allowed_actions_of(&c, "h1").is_empty());
    assert_eq!(
        allowed_actions_of(&c, "l2"),
        vec![ActionKind::Approve, ActionKind::Return]
    );
    let back = step(
        &c,
        &approver("l2"),
        Action::Return(Review {
            reason: "请补充法律依据".into(),
        }),
    );
    assert_eq!(
        (
            back.status(),
            back.approval_stage,
            back.first_approved_by.clone()
        ),
        (Status::Accepted, None, None)
    );
    // The next draft climbs both levels again.
    let c = step(&back, &clerk("c1"), propose(Outcome::Disclosed));
    let c = step(&c, &approver("h1"), Action::Approve(Note::default()));
    let c = step(&c, &approver("l2"), Action::Approve(Note::default()));
    assert_eq!(
        (c.status(), c.approved_by.as_deref(), c.approval_stage),
        (Status::Approved, Some("l2"), None)
    );
}

fn allowed_actions_of(case: &Case, approver_id: &str) -> Vec<ActionKind> {
    super::allowed_actions(case, &approver(approver_id), official(), d(TODAY))
        .into_iter()
        .filter(|k| matches!(k, ActionKind::Approve | ActionKind::Return))
        .collect()
}

#[test]
fn a_draft_that_nobody_could_approve_is_refused_when_drafted() {
    // One approver, who drafts himself: nobody else could approve (the old dead end).
    let mut lone = accepted(1);
    lone.office.staffing = Some(Staffing {
        members: vec![member("h1", Role::Approver, 1, None)],
        divisions: vec![],
    });
    let r = try_step(&lone, &approver("h1"), propose(Outcome::Disclosed));
    assert_eq!(code(r), ProblemCode::NoEligibleApprover);
    assert!(
        !super::allowed_actions(&lone, &approver("h1"), official(), d(TODAY))
            .contains(&ActionKind::ProposeDecision),
        "never offered"
    );
    // A clerk's draft in the same office goes to him.
    lone.office
        .staffing
        .as_mut()
        .unwrap()
        .members
        .push(member("c1", Role::Clerk, 1, None));
    assert!(try_step(&lone, &clerk("c1"), propose(Outcome::Disclosed)).is_ok());
    // An office without any approver: an extension asked for would have nobody to decide it.
    let mut none = accepted(1);
    none.office.staffing = Some(Staffing {
        members: vec![member("c1", Role::Clerk, 1, None)],
        divisions: vec![],
    });
    let ask = Action::RequestExtension(RequestExtension {
        working_days: 10,
        reason: "材料较多".into(),
    });
    assert_eq!(
        code(try_step(&none, &clerk("c1"), ask.clone())),
        ProblemCode::NoEligibleApprover
    );
    assert!(try_step(&accepted(1), &clerk("c1"), ask).is_ok());
}

#[test]
fn two_levels_with_the_leader_drafting_leave_level_two_empty() {
    // The leader drafts: level 2 has nobody else, so the draft is refused at once.
    let c = accepted(2);
    let r = try_step(&c, &approver("l2"), propose(Outcome::Disclosed));
    assert_eq!(code(r), ProblemCode::NoEligibleApprover);
    // The head's draft has no level-1 approver besides him.
    let r = try_step(&c, &approver("h1"), propose(Outcome::Disclosed));
    assert_eq!(code(r), ProblemCode::NoEligibleApprover);
    // Approving level 1 when the only level-2 approver left is the drafter is refused too.
    let mut drafted = step(&c, &clerk("c1"), propose(Outcome::Disclosed));
    drafted.decision_drafted_by = Some("l2".into());
    let r = try_step(&drafted, &approver("h1"), Action::Approve(Note::default()));
    assert_eq!(code(r), ProblemCode::NoEligibleApprover);
}

#[test]
fn forwarding_defaults_to_the_office_period_and_never_passes_the_statutory_due_day() {
    let c = accepted(1);
    let f = step(&c, &clerk("c1"), forward(&["FGC", "cwc"], None));
    assert_eq!(f.forwardings.len(), 2);
    assert_eq!(
        f.forwardings
            .iter()
            .map(|x| x.id.as_str())
            .collect::<Vec<_>>(),
        ["f1", "f2"]
    );
    // 5 working days from Friday 20 March 2026: Friday 27 March.
    assert_eq!(f.forwardings[0].due_on, d("2026-03-27"));
    assert_eq!(f.forwardings[1].division_id, "d-cwc");
    // Received 2 March: the answer is due 30 March (20 working days); 31 March is after it.
    let late = try_step(&c, &clerk("c1"), forward(&["FGC"], Some("2026-03-31")));
    assert!(matches!(
        late,
        Err(WorkflowError::InvalidInput {
            field: "due_on",
            ..
        })
    ));
    let past = try_step(&c, &clerk("c1"), forward(&["FGC"], Some("2026-03-19")));
    assert!(matches!(
        past,
        Err(WorkflowError::InvalidInput {
            field: "due_on",
            ..
        })
    ));
    let unknown = try_step(&c, &clerk("c1"), forward(&["XYZ"], None));
    assert!(matches!(
        unknown,
        Err(WorkflowError::InvalidInput {
            field: "divisions",
            ..
        })
    ));
    // A division already asked and not yet replied is not asked twice.
    let again = try_step(&f, &clerk("c1"), forward(&["FGC"], None));
    assert_eq!(code(again), ProblemCode::AlreadyForwarded);
    // Near the end of the period the default stops at the statutory due day.
    let mut near = c.clone();
    near.received_on = Some(d("2026-02-24"));
    near.registered_on = Some(d("2026-02-24"));
    // Received 24 February (the make-up Saturday 28 February counts): due 23 March, before
    // the 5 working days from 20 March would run out (27 March).
    let f = step(&near, &clerk("c1"), forward(&["FGC"], None));
    assert_eq!(f.forwardings[0].due_on, d("2026-03-23"));
}

#[test]
fn division_staff_reply_to_their_own_forwarding_and_do_nothing_else() {
    let c = step(&accepted(1), &clerk("c1"), forward(&["FGC", "CWC"], None));
    let fg = clerk("fg");
    assert_eq!(
        super::allowed_actions(&c, &fg, official(), d(TODAY)),
        vec![ActionKind::ReplyToForwarding]
    );
    let accept = try_step(&c, &fg, propose(Outcome::Disclosed));
    assert_eq!(code(accept), ProblemCode::DivisionStaffOnly);
    // The office's clerk does not answer for a division.
    let office_reply = try_step(&c, &clerk("c1"), reply(None));
    assert_eq!(code(office_reply), ProblemCode::DivisionStaffOnly);
    // Not another division's forwarding.
    let other = try_step(&c, &fg, reply(Some("f2")));
    assert!(matches!(
        other,
        Err(WorkflowError::InvalidInput {
            field: "forwarding_id",
            ..
        })
    ));
    let r = step(&c, &fg, reply(None));
    assert_eq!(r.forwardings[0].replied_on, Some(d(TODAY)));
    assert_eq!(r.forwardings[0].replied_by.as_deref(), Some("fg"));
    assert!(r.forwardings[1].is_open());
    assert_eq!(r.status(), Status::Accepted, "a reply answers nobody");
    // Replied: nothing waits for the division any more.
    assert!(super::allowed_actions(&r, &fg, official(), d(TODAY)).is_empty());
    // The office drafts from the reply that came, not from one still open.
    let mut from = ProposeDecision::new(Outcome::Disclosed, "依据法规处意见");
    from.from_forwarding = Some("f2".into());
    let bad = try_step(&r, &clerk("c1"), Action::ProposeDecision(from.clone()));
    assert!(matches!(
        bad,
        Err(WorkflowError::InvalidInput {
            field: "from_forwarding",
            ..
        })
    ));
    from.from_forwarding = Some("f1".into());
    let drafted = step(&r, &clerk("c1"), Action::ProposeDecision(from));
    assert_eq!(drafted.status(), Status::Decision);
}

#[test]
fn assignment_goes_to_the_office_s_own_people_and_changes_with_a_reason() {
    let c = accepted(1);
    let to = |id: &str| {
        Action::Assign(Assign {
            assignee_id: id.into(),
            reason: None,
        })
    };
    let r = try_step(&c, &clerk("c1"), to("fg"));
    assert!(matches!(
        r,
        Err(WorkflowError::InvalidInput {
            field: "assignee_id",
            ..
        })
    ));
    let r = try_step(&c, &clerk("c1"), to("nobody"));
    assert!(matches!(
        r,
        Err(WorkflowError::InvalidInput {
            field: "assignee_id",
            ..
        })
    ));
    let a = step(&c, &clerk("c1"), to("c1"));
    assert_eq!(a.assignee.as_deref(), Some("c1"));
    assert_eq!(
        code(try_step(&a, &clerk("c1"), to("h1"))),
        ProblemCode::AlreadyAssigned
    );
    let moved = step(
        &a,
        &approver("h1"),
        Action::Reassign(Reassign {
            assignee_id: "h1".into(),
            reason: "张三休假".into(),
        }),
    );
    assert_eq!(moved.assignee.as_deref(), Some("h1"));
    let unassigned = try_step(
        &c,
        &clerk("c1"),
        Action::Reassign(Reassign {
            assignee_id: "h1".into(),
            reason: "x".into(),
        }),
    );
    assert_eq!(code(unassigned), ProblemCode::NotAssigned);
}
