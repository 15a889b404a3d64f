use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{file_one, office, today, TestApp};

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

    let r = app
        .act(
            &id,
            "request_correction",
            &o.clerk,
            1,
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
    let case = app
        .get(&format!("/api/v1/applications/{id}"), Some(&applicant))
        .await;
    assert_eq!(
        case.body["allowed_actions"],
        json!(["submit_correction", "withdraw"])
    );
    let r = app
        .act(
            &id,
            "submit_correction",
            &applicant,
            2,
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

    let r = app
        .act(
            &id,
            "start_consultation",
            &o.clerk,
            3,
            json!({
                "party_kind": "third_party",
                "party_name": "某建设工程有限公司",
                "party_email": "legal@example.com",
                "letter_date": today
            }),
        )
        .await;
    assert_eq!(r.body["status"], "consultation", "{}", r.body);
    let r = app
        .act(
            &id,
            "end_consultation",
            &o.clerk,
            4,
            json!({
                "reply": "objection", "reply_date": today, "reply_summary": "涉及商业秘密"
            }),
        )
        .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);

    let r = app
        .act(
            &id,
            "propose_decision",
            &o.clerk,
            5,
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
    let seen = app
        .get(&format!("/api/v1/applications/{id}"), Some(&applicant))
        .await;
    assert_eq!(seen.body["decision"], json!(null));

    let r = app
        .act(
            &id,
            "return",
            &o.approver,
            6,
            json!({ "comments": "请补充第三方意见的处理理由" }),
        )
        .await;
    assert_eq!(r.body["status"], "accepted", "{}", r.body);
    let r = app
        .act(
            &id,
            "propose_decision",
            &o.clerk,
            7,
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
    let r = app.act(&id, "approve", &o.approver, 8, json!({})).await;
    assert_eq!(r.body["status"], "approved", "{}", r.body);
    let r = app
        .act(
            &id,
            "deliver",
            &o.clerk2,
            9,
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

    let events = app.events(&id, &o.clerk).await;
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
    let theirs = app.events(&id, &applicant).await;
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
    let seen = app
        .get(&format!("/api/v1/applications/{id}"), Some(&applicant))
        .await;
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

    let early = app
        .act(
            &id,
            "deliver",
            &o.clerk,
            1,
            json!({ "method": "post", "delivered_on": today().to_string() }),
        )
        .await;
    assert_eq!(
        (early.status.as_u16(), early.code()),
        (409, "action_not_allowed")
    );
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
            "record_challenge_result"
        ])
    );
    app.act(&id, "accept", &o.clerk, 1, json!({})).await;
    // The head drafts this one himself.
    let r = app
        .act(
            &id,
            "propose_decision",
            &o.approver,
            2,
            json!({ "outcome": "disclosed", "reasoning": "可以公开" }),
        )
        .await;
    assert_eq!(r.body["status"], "decision", "{}", r.body);
    // He may not approve his own draft (a longer period, art. 35, comes only after the
    // applicant was asked for reasons).
    assert_eq!(r.body["allowed_actions"], json!([]));
    let own = app.act(&id, "approve", &o.approver, 3, json!({})).await;
    assert_eq!(
        (own.status.as_u16(), own.code()),
        (409, "drafter_cannot_approve")
    );
    assert_eq!(own.body["allowed_actions"], json!([]));
    let clerk = app.act(&id, "approve", &o.clerk, 3, json!({})).await;
    assert_eq!(
        (clerk.status.as_u16(), clerk.code()),
        (403, "role_not_allowed")
    );
    let other = app.act(&id, "approve", &head2, 3, json!({})).await;
    assert_eq!(other.body["status"], "approved", "{}", other.body);
    // Nothing changed by the refusals: four events, versions 1..=3 and the approval.
    assert_eq!(app.events(&id, &o.clerk).await.len(), 4);
}

#[actix_rt::test]
async fn correction_is_requested_only_once() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let ask = json!({ "items": ["请说明所需信息的名称"], "period_working_days": 15 });
    app.act(&id, "request_correction", &o.clerk, 1, ask.clone())
        .await;
    app.act(
        &id,
        "submit_correction",
        &applicant,
        2,
        json!({ "statement": "名称为某某合同" }),
    )
    .await;
    let again = app.act(&id, "request_correction", &o.clerk, 3, ask).await;
    assert_eq!(
        (again.status.as_u16(), again.code()),
        (409, "correction_already_requested")
    );
}

#[actix_rt::test]
async fn two_clerks_acting_at_once_never_both_win() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    for _ in 0..3 {
        let (id, _) = file_one(&app, "BJHD").await;
        let accept = app.act(&id, "accept", &o.clerk, 1, json!({ "note": "张三受理" }));
        let close = app.act(
            &id,
            "request_correction",
            &o.clerk2,
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
        assert_eq!(app.events(&id, &o.clerk).await.len(), 2);
    }
    // Many at once on one case: exactly one wins.
    let (id, _) = file_one(&app, "BJHD").await;
    let replies = join_all((0..8).map(|_| app.act(&id, "accept", &o.clerk, 1, json!({})))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
    assert!(replies
        .iter()
        .filter(|r| r.status != 200)
        .all(|r| r.code() == "version_conflict"));
    assert_eq!(app.events(&id, &o.clerk).await.len(), 2);
}

#[actix_rt::test]
async fn the_version_comes_in_if_match_or_the_body_and_must_be_given() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let path = format!("/api/v1/applications/{id}/actions/accept");
    let none = app.send("POST", &path, Some(&o.clerk), &[], None).await;
    assert_eq!(
        (none.status.as_u16(), none.code()),
        (428, "version_required")
    );
    let stale = app
        .send(
            "POST",
            &path,
            Some(&o.clerk),
            &[("If-Match", "\"7\"")],
            None,
        )
        .await;
    assert_eq!(
        (stale.status.as_u16(), stale.code()),
        (409, "version_conflict")
    );
    let garbled = app
        .send(
            "POST",
            &path,
            Some(&o.clerk),
            &[("If-Match", "seven")],
            None,
        )
        .await;
    assert_eq!(
        (garbled.status.as_u16(), garbled.code()),
        (400, "invalid_header")
    );
    let mismatch = app
        .send(
            "POST",
            &path,
            Some(&o.clerk),
            &[("If-Match", "\"1\"")],
            Some(br#"{"version":2}"#.to_vec()),
        )
        .await;
    assert_eq!(mismatch.status, 422);
    let ok = app
        .send(
            "POST",
            &path,
            Some(&o.clerk),
            &[("If-Match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("etag").unwrap(), "\"2\"");
}

#[actix_rt::test]
async fn an_applicant_withdraws_and_the_case_is_closed() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    app.act(&id, "accept", &o.clerk, 1, json!({})).await;
    let draft = json!({ "outcome": "unavailable_not_held", "reasoning": "本机关未制作" });
    app.act(&id, "propose_decision", &o.clerk, 2, draft).await;
    let r = app
        .act(
            &id,
            "withdraw",
            &applicant,
            3,
            json!({ "reason": "已通过其他途径获得" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "withdrawn");
    assert_eq!(r.body["closed_on"], today().to_string());
    // A draft left behind by the withdrawal was never an answer: the applicant does not see it.
    assert_eq!(r.body["decision"], json!(null));
    let staff_view = app
        .get(&format!("/api/v1/applications/{id}"), Some(&o.clerk))
        .await;
    assert_eq!(
        staff_view.body["decision"]["outcome"],
        "unavailable_not_held"
    );
    let after = app.act(&id, "withdraw", &applicant, 4, json!({})).await;
    assert_eq!(
        (after.status.as_u16(), after.code()),
        (409, "action_not_allowed")
    );
    assert_eq!(after.body["allowed_actions"], json!([]));
    // 书面答复制: no action closes a case without an approved letter any more.
    let unknown = app
        .act(&id, "close_without_processing", &o.clerk, 4, json!({}))
        .await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.code()),
        (404, "unknown_action")
    );
}
