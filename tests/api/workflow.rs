use futures_util::future::join_all;
use gongkai::domain::problem_code::ProblemCode;
use serde_json::json;

use crate::helpers::{assert_problem, file_one, office, today, Action, TestApp};

fn actions_of(events: &[serde_json::Value]) -> Vec<(String, String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["status_before"].as_str().unwrap_or("-").to_owned(),
                e["status_after"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_rt::test]
async fn a_case_goes_from_filing_through_correction_and_consultation_to_delivery() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let today = today().to_string();

    let r = o
        .clerk()
        .act(
            &id,
            Action::RequestCorrection,
            json!({
                "items": ["请写明合同所涉路段", "请写明合同签订年份"],
                "period_working_days": 10
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "correction");
    assert_eq!(r.body["correction"]["period_working_days"], 10);
    assert_eq!(r.header("etag").unwrap(), "\"2\"");

    // The applicant answers with their access token; the corrected date restarts the clock.
    let case = app.as_(&applicant).view(&id).await;
    assert_eq!(
        case.body["allowed_actions"],
        json!(["submit_correction", "withdraw"])
    );
    let r = app
        .as_(&applicant)
        .act(
            &id,
            Action::SubmitCorrection,
            json!({
                "statement": "补正：海淀区中关村大街路段，2025年签订",
                "description": "2025年海淀区中关村大街道路维修工程合同"
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "accepted");
    assert_eq!(r.body["correction"]["corrected_received_on"], today);
    assert_eq!(
        r.body["request"]["description"],
        "2025年海淀区中关村大街道路维修工程合同"
    );

    let r = o
        .clerk()
        .act(
            &id,
            Action::StartConsultation,
            json!({
                "party_kind": "third_party",
                "party_name": "某建设工程有限公司",
                "party_email": "legal@example.com",
                "letter_date": today
            }),
        )
        .await;
    assert_eq!(r.body["status"], "consultation", "{}", r.body);
    let r = o
        .clerk()
        .act(
            &id,
            Action::EndConsultation,
            json!({
                "reply": "objection", "reply_date": today, "reply_summary": "涉及商业秘密"
            }),
        )
        .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);

    let r = o
        .clerk()
        .act(
            &id,
            Action::ProposeDecision,
            json!({
                "outcome": "partly_disclosed",
                "reasoning": "合同单价部分涉及商业秘密，不予公开",
                "legal_basis": "《政府信息公开条例》第十五条、第三十七条",
                "withheld": [{
                    "part": "合同单价", "ground": "withheld_third_party_rights",
                    "legal_basis": "条例第十五条", "reasoning": "第三方不同意公开且理由成立"
                }]
            }),
        )
        .await;
    assert_eq!(r.body["status"], "decision", "{}", r.body);
    // The applicant does not see a draft answer.
    let seen = app.as_(&applicant).view(&id).await;
    assert_eq!(seen.body["decision"], json!(null));

    let r = o
        .approver()
        .act(
            &id,
            Action::Return,
            json!({ "comments": "请补充第三方意见的处理理由" }),
        )
        .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    let r = o
        .clerk()
        .act(
            &id,
            Action::ProposeDecision,
            json!({
                "outcome": "partly_disclosed", "reasoning": "第三方异议理由成立，单价部分不予公开",
                "third_party_objection_upheld": true,
                "withheld": [{
                    "part": "合同单价", "ground": "withheld_third_party_rights",
                    "legal_basis": "条例第十五条", "reasoning": "第三方不同意公开且理由成立"
                }]
            }),
        )
        .await;
    assert_eq!(r.body["status"], "decision");
    let r = o.approver().act(&id, Action::Approve, json!({})).await;
    assert_eq!(r.body["status"], "approved", "{}", r.body);
    let r = o
        .clerk2()
        .act(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "delivered");
    assert_eq!(
        r.body["delivery"],
        json!({ "method": "email", "delivered_on": today })
    );
    assert_eq!(r.body["closed_on"], today);
    assert_eq!(
        r.body["allowed_actions"],
        json!(["record_challenge", "record_challenge_result"])
    );

    let events = o.clerk().events(&id).await;
    let expected = [
        ("file", "-", "registered"),
        ("request_correction", "registered", "correction"),
        ("submit_correction", "correction", "accepted"),
        ("start_consultation", "accepted", "consultation"),
        ("end_consultation", "consultation", "accepted"),
        ("propose_decision", "accepted", "decision"),
        ("return", "decision", "accepted"),
        ("propose_decision", "accepted", "decision"),
        ("approve", "decision", "approved"),
        ("deliver", "approved", "delivered"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(actions_of(&events), expected);
    let seqs: Vec<_> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
    assert_eq!(events[1]["payload"]["items"][1], "请写明合同签订年份");
    assert_eq!(events[6]["actor"]["name"], "李四");
    assert_eq!(events[6]["payload"]["reason"], "请补充第三方意见的处理理由");
    // Applicants see the steps that concern them, without staff names: not the drafts, the
    // return or the approval (domain::visibility; tests/api/visibility.rs walks every step).
    let theirs = app.as_(&applicant).events(&id).await;
    let theirs_actions: Vec<&str> = theirs
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        theirs_actions,
        [
            "file",
            "request_correction",
            "submit_correction",
            "start_consultation",
            "end_consultation",
            "deliver"
        ]
    );
    assert_eq!(
        theirs[5]["actor"],
        json!({ "role": "clerk", "id": null, "name": null })
    );
    let seen = app.as_(&applicant).view(&id).await;
    assert_eq!(seen.body["decision"]["outcome"], "partly_disclosed");
    assert_eq!(seen.body["decision"]["approved_by"], json!(null));
}

#[actix_rt::test]
async fn the_drafter_cannot_approve_and_wrong_steps_are_refused_with_what_is_allowed() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let head2 = app.add_user(
        "王主任",
        gongkai::domain::workflow::Role::Approver,
        Some("BJHD"),
    );
    let (id, _) = file_one(&app, "BJHD").await;

    let early = o
        .clerk()
        .act(
            &id,
            Action::Deliver,
            json!({ "method": "post", "delivered_on": today().to_string() }),
        )
        .await;
    assert_problem(&early, 409, ProblemCode::ActionNotAllowed);
    assert_eq!(
        early.body["allowed_actions"],
        json!([
            "confirm_receipt",
            "accept",
            "request_correction",
            "propose_decision",
            "withdraw",
            "ask_for_reasons",
            "record_challenge",
            "record_challenge_result",
            // Filed online: nobody handles it yet (issue 16).
            "assign"
        ])
    );
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    // The head drafts this one himself.
    let r = o
        .approver()
        .act(
            &id,
            Action::ProposeDecision,
            json!({ "outcome": "disclosed", "reasoning": "可以公开" }),
        )
        .await;
    assert_eq!(r.body["status"], "decision", "{}", r.body);
    // He may not approve his own draft (a longer period, art. 35, comes only after the
    // applicant was asked for reasons); he may only hand the case to someone (issue 16).
    assert_eq!(r.body["allowed_actions"], json!(["assign"]));
    let own = o.approver().act(&id, Action::Approve, json!({})).await;
    assert_problem(&own, 409, ProblemCode::DrafterCannotApprove);
    assert_eq!(own.body["allowed_actions"], json!(["assign"]));
    let clerk = o.clerk().act(&id, Action::Approve, json!({})).await;
    assert_problem(&clerk, 403, ProblemCode::RoleNotAllowed);
    let other = app.as_(&head2).act(&id, Action::Approve, json!({})).await;
    assert_eq!(other.body["status"], "approved", "{}", other.body);
    // Nothing changed by the refusals: four events, versions 1..=3 and the approval.
    assert_eq!(o.clerk().events(&id).await.len(), 4);
}

#[actix_rt::test]
async fn correction_is_requested_only_once() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let ask = json!({ "items": ["请说明所需信息的名称"], "period_working_days": 15 });
    o.clerk()
        .act_ok(&id, Action::RequestCorrection, ask.clone())
        .await;
    app.as_(&applicant)
        .act_ok(
            &id,
            Action::SubmitCorrection,
            json!({ "statement": "名称为某某合同" }),
        )
        .await;
    let again = o.clerk().act(&id, Action::RequestCorrection, ask).await;
    assert_problem(&again, 409, ProblemCode::CorrectionAlreadyRequested);
}

#[actix_rt::test]
async fn two_clerks_acting_at_once_never_both_win() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    for _ in 0..3 {
        let (id, _) = file_one(&app, "BJHD").await;
        let accept = o
            .clerk()
            .act_at(&id, Action::Accept, 1, json!({ "note": "张三受理" }));
        let close = o.clerk2().act_at(
            &id,
            Action::RequestCorrection,
            1,
            json!({ "items": ["请写明文件名称"], "period_working_days": 10 }),
        );
        let (a, b) = futures_util::future::join(accept, close).await;
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} {}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        assert_eq!(loser.code(), "version_conflict");
        assert_eq!(loser.body["current_version"], 2);
        assert_eq!(o.clerk().events(&id).await.len(), 2);
    }
    // Many at once on one case: exactly one wins.
    let (id, _) = file_one(&app, "BJHD").await;
    let replies =
        join_all((0..8).map(|_| o.clerk().act_at(&id, Action::Accept, 1, json!({})))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
    assert!(replies
        .iter()
        .filter(|r| r.status != 200)
        .all(|r| r.code() == "version_conflict"));
    assert_eq!(o.clerk().events(&id).await.len(), 2);
}

#[actix_rt::test]
async fn the_version_comes_in_if_match_or_the_body_and_must_be_given() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let path = format!("/api/v1/applications/{id}/actions/accept");
    let none = o.clerk().post_empty(&path).await;
    assert_problem(&none, 428, ProblemCode::VersionRequired);
    let stale = o
        .clerk()
        .send("POST", &path, &[("If-Match", "\"7\"")], None)
        .await;
    assert_problem(&stale, 409, ProblemCode::VersionConflict);
    let garbled = o
        .clerk()
        .send("POST", &path, &[("If-Match", "seven")], None)
        .await;
    assert_problem(&garbled, 400, ProblemCode::InvalidHeader);
    let mismatch = o
        .clerk()
        .send(
            "POST",
            &path,
            &[("If-Match", "\"1\"")],
            Some(br#"{"version":2}"#.to_vec()),
        )
        .await;
    assert_problem(&mismatch, 422, ProblemCode::ValidationFailed);
    let ok = o
        .clerk()
        .send("POST", &path, &[("If-Match", "\"1\"")], None)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("etag").unwrap(), "\"2\"");
}

#[actix_rt::test]
async fn an_applicant_withdraws_and_the_case_is_closed() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": "unavailable_not_held", "reasoning": "本机关未制作" });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    let r = app
        .as_(&applicant)
        .act(
            &id,
            Action::Withdraw,
            json!({ "reason": "已通过其他途径获得" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "withdrawn");
    assert_eq!(r.body["closed_on"], today().to_string());
    // A draft left behind by the withdrawal was never an answer: the applicant does not see it.
    assert_eq!(r.body["decision"], json!(null));
    let staff_view = o.clerk().view(&id).await;
    assert_eq!(
        staff_view.body["decision"]["outcome"],
        "unavailable_not_held"
    );
    let after = app
        .as_(&applicant)
        .act(&id, Action::Withdraw, json!({}))
        .await;
    assert_problem(&after, 409, ProblemCode::ActionNotAllowed);
    assert_eq!(after.body["allowed_actions"], json!([]));
    // 书面答复制: no action closes a case without an approved letter any more.
    let unknown = o
        .clerk()
        .post(
            &format!("/api/v1/applications/{id}/actions/close_without_processing"),
            &json!({ "version": 4 }),
        )
        .await;
    assert_problem(&unknown, 404, ProblemCode::UnknownAction);
}
