//! Inside the office (issue 16), end to end over the API on either backend: divisions and
//! forwardings with internal due dates (one late, one replying), the office drafting from a
//! reply, two approval levels with a return at level two, what a division's staff may read,
//! and the dead ends refused before they happen.

use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::Role;
use gongkai::service::admin;
use gongkai::service::divisions::{self, HandlingSettings, Placement};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, office, Action, Reply, TestApp};

/// An office BJHD with its clerk and head of unit (from `office`), a leader in charge at level
/// 2, two divisions (法规处 FGC, 财务处 CWC) with a clerk each, and two approval levels.
struct Inside {
    leader: String,
    fgc: String,
    cwc: String,
}

fn place(app: &TestApp, name: &str, role: Role, p: Placement<'_>) -> String {
    let conn = &mut *app.services.conn().unwrap();
    admin::add_placed_user(conn, name, role, Some("BJHD"), None, &p)
        .unwrap()
        .1
}

fn set_up(app: &TestApp) -> Inside {
    let conn = &mut *app.services.conn().unwrap();
    let agency = admin::agency_by_code(conn, "BJHD").unwrap();
    divisions::add_division(conn, &agency, "FGC", "法规处").unwrap();
    divisions::add_division(conn, &agency, "cwc", "财务处").unwrap();
    let leader = place(
        app,
        "赵分管",
        Role::Approver,
        Placement {
            approval_level: Some(2),
            ..Placement::default()
        },
    );
    let head_of = |code| Placement {
        division: Some(code),
        head: true,
        ..Placement::default()
    };
    let fgc = place(app, "法规处 钱", Role::Clerk, head_of("FGC"));
    let cwc = place(app, "财务处 孙", Role::Clerk, head_of("CWC"));
    let two = HandlingSettings {
        approval_levels: Some(2),
        ..HandlingSettings::default()
    };
    divisions::set_handling(conn, &agency, &two).unwrap();
    Inside { leader, fgc, cwc }
}

fn tracking_numbers(page: &Reply) -> Vec<String> {
    assert_eq!(page.status, 200, "{}", page.body);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tracking_number"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_rt::test]
async fn forwarded_to_two_divisions_drafted_from_a_reply_and_approved_at_two_levels() {
    let app = TestApp::spawn().await; // Wednesday 25 November 2026
    let o = office(&app, "BJHD");
    let inside = set_up(&app);
    let (fgc, cwc, leader) = (
        app.as_(&inside.fgc),
        app.as_(&inside.cwc),
        app.as_(&inside.leader),
    );
    let (id, _) = file_one(&app, "BJHD").await;
    let (other, _) = file_one(&app, "BJHD").await;

    // Filed online, nobody handles it yet; the clerk takes it.
    let unassigned = o.clerk().get("/api/v1/applications?assignee=none").await;
    assert_eq!(tracking_numbers(&unassigned).len(), 2);
    let clerk_id = user_id(&app, "张三");
    let c = o
        .clerk()
        .act_ok(&id, Action::Assign, json!({ "assignee_id": clerk_id }))
        .await;
    assert_eq!(c["handling"]["assignee"]["name"], "张三");
    let mine = o.clerk().get("/api/v1/applications?assignee=me").await;
    assert_eq!(
        tracking_numbers(&mine),
        [c["tracking_number"].as_str().unwrap()]
    );
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;

    // Forwarded to both divisions: due in 5 working days (Wednesday 2 December), internal.
    let asked = "请提出是否公开及依据";
    let c = o
        .clerk()
        .act_ok(
            &id,
            Action::Forward,
            json!({ "divisions": ["FGC", "CWC"], "asked": asked }),
        )
        .await;
    let fw = c["handling"]["forwardings"].as_array().unwrap().clone();
    assert_eq!(fw.len(), 2);
    assert_eq!(
        (
            fw[0]["id"].as_str(),
            fw[0]["division"].as_str(),
            fw[0]["due_on"].as_str()
        ),
        (Some("f1"), Some("FGC"), Some("2026-12-02"))
    );
    assert_eq!(fw[1]["division_name"], "财务处");
    assert_eq!(c["handling"]["internal_due_on"], "2026-12-02");
    assert_eq!(c["status"], "accepted", "forwarding answers nobody");
    // The statutory deadline is the answer's, not the division's.
    assert_eq!(c["next_deadline"]["kind"], "answer");

    // The division's staff see the forwarded case only, and only what they need.
    let page = fgc.get("/api/v1/applications").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        tracking_numbers(&page),
        [c["tracking_number"].as_str().unwrap()]
    );
    let seen = fgc.view(&id).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    let text = seen.body.to_string();
    for absent in [
        "王五",
        "11010519491231002X",
        "1101**",
        "wangwu@example.com",
        "财务处",
    ] {
        assert!(
            !text.contains(absent),
            "{absent} shown to the division: {text}"
        );
    }
    assert!(seen.body.get("applicant").is_none());
    assert!(seen.body.get("internal").is_none());
    assert_eq!(
        seen.body["handling"]["forwardings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(seen.body["allowed_actions"], json!(["reply_to_forwarding"]));
    for part in ["clock", "notices", "letter", "applicant-history"] {
        let r = fgc.get(&format!("/api/v1/applications/{id}/{part}")).await;
        assert_eq!(r.status, 404, "{part}: {}", r.body);
    }
    assert_eq!(
        fgc.view(&other).await.status,
        404,
        "a case not forwarded to it"
    );
    let history = fgc.events(&id).await;
    let actions: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["forward"]);
    assert_eq!(
        history[0]["payload"]["forwardings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let refused = fgc.act(&id, Action::Accept, json!({})).await;
    assert_problem(&refused, 403, ProblemCode::DivisionStaffOnly);

    // 法规处 replies on time; 财务处 lets its day pass.
    app.set_today("2026-11-30");
    let reply = json!({
        "outcome": "disclosed",
        "reasoning": "该合同不涉及国家秘密和商业秘密，可以公开",
        "legal_basis": "《政府信息公开条例》第十九条",
        "documents": ["海政发〔2025〕8号"]
    });
    let r = fgc
        .act_ok(&id, Action::ReplyToForwarding, reply.clone())
        .await;
    assert_eq!(r["handling"]["forwardings"][0]["replied_on"], "2026-11-30");
    assert_eq!(r["handling"]["forwardings"][0]["late"], false);
    let again = fgc.act(&id, Action::ReplyToForwarding, reply.clone()).await;
    assert_problem(&again, 409, ProblemCode::NoForwardingOpen);

    app.set_today("2026-12-03");
    let late = o
        .clerk()
        .get("/api/v1/applications?internal_overdue=true")
        .await;
    assert_eq!(
        tracking_numbers(&late),
        [c["tracking_number"].as_str().unwrap()]
    );
    let by_division = o.clerk().get("/api/v1/applications?division=CWC").await;
    assert_eq!(tracking_numbers(&by_division).len(), 1);
    let turnaround = o
        .clerk()
        .get("/api/v1/agencies/BJHD/divisions/turnaround?from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(turnaround.status, 200, "{}", turnaround.body);
    let rows = turnaround.body["items"].as_array().unwrap();
    let row = |code: &str| rows.iter().find(|r| r["division"] == code).unwrap().clone();
    assert_eq!(
        (
            row("FGC")["replied"].clone(),
            row("FGC")["median_working_days"].clone()
        ),
        (json!(1), json!(3))
    );
    assert_eq!(
        (
            row("CWC")["open"].clone(),
            row("CWC")["open_overdue"].clone()
        ),
        (json!(1), json!(1))
    );

    let r = cwc
        .act_ok(
            &id,
            Action::ReplyToForwarding,
            json!({ "outcome": "unavailable_not_held", "reasoning": "本处未保存该合同" }),
        )
        .await;
    // 财务处 reads its own forwarding only, now replied late; nothing waits for the divisions.
    let theirs = r["handling"]["forwardings"].as_array().unwrap();
    assert_eq!(
        (theirs.len(), theirs[0]["division"].as_str()),
        (1, Some("CWC"))
    );
    assert_eq!(theirs[0]["late"], true);
    let c = o.clerk().view(&id).await.body;
    assert_eq!(c["handling"]["internal_due_on"], Value::Null);
    assert_eq!(c["handling"]["forwardings"][1]["replied_on"], "2026-12-03");

    // The office drafts from 法规处's reply; the chain runs level 1, then level 2.
    let draft = json!({ "outcome": "disclosed", "reasoning": "经法规处审核，可以公开",
                        "from_forwarding": "f1" });
    let c = o
        .clerk()
        .act_ok(&id, Action::ProposeDecision, draft.clone())
        .await;
    assert_eq!(c["handling"]["awaiting_approval_level"], 1);
    let inbox2 = leader
        .get("/api/v1/applications?awaiting_approval_level=2")
        .await;
    assert!(tracking_numbers(&inbox2).is_empty());
    let jump = leader.act(&id, Action::Approve, json!({})).await;
    assert_problem(&jump, 409, ProblemCode::NotYourApprovalLevel);
    let c = o.approver().act_ok(&id, Action::Approve, json!({})).await;
    assert_eq!(
        (
            c["status"].as_str(),
            c["handling"]["awaiting_approval_level"].clone()
        ),
        (Some("decision"), json!(2))
    );
    assert_eq!(c["handling"]["first_approved_by"]["name"], "李四");
    let twice = o.approver().act(&id, Action::Approve, json!({})).await;
    assert_problem(&twice, 409, ProblemCode::NotYourApprovalLevel);
    // The leader sends it back; it goes to the drafter, and climbs both levels again.
    let back = leader
        .act_ok(
            &id,
            Action::Return,
            json!({ "reason": "请写明公开的具体方式" }),
        )
        .await;
    assert_eq!(back["status"], "accepted");
    assert_eq!(back["handling"]["awaiting_approval_level"], Value::Null);
    let returned = o.clerk().events(&id).await;
    let last = returned.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["payload"]["level"].clone()),
        (Some("return"), json!(2))
    );
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    let done = leader.act_ok(&id, Action::Approve, json!({})).await;
    assert_eq!(done["status"], "approved");
    assert_eq!(
        done["decision"]["approved_by"],
        json!(user_id(&app, "赵分管"))
    );
    // The division still reads its own part, never the draft or the approvals.
    let text = fgc.view(&id).await.body.to_string();
    for absent in ["经法规处审核", "李四", "赵分管", "请写明公开的具体方式"] {
        assert!(!text.contains(absent), "{absent} shown to the division");
    }
    let history = fgc.events(&id).await;
    assert_eq!(history.len(), 2, "their forwarding and their reply only");
}

/// A staff member's id, by name.
fn user_id(app: &TestApp, name: &str) -> String {
    let conn = &mut *app.services.conn().unwrap();
    gongkai::db::staff::users(conn, None)
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .unwrap()
        .id
        .to_string()
}

#[actix_rt::test]
async fn an_office_with_one_approver_refuses_the_dead_end_when_it_would_be_made() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    // The only approver drafts: nobody could approve it, so the draft is refused, in Chinese.
    let draft = json!({ "outcome": "disclosed", "reasoning": "可以公开" });
    let path = format!("/api/v1/applications/{id}/actions/propose_decision");
    let mut body = draft.clone();
    body["version"] = json!(app.version_of(&id));
    let r = o
        .approver()
        .send(
            "POST",
            &path,
            &[("Accept-Language", "zh")],
            Some(body.to_string().into_bytes()),
        )
        .await;
    assert_problem(&r, 409, ProblemCode::NoEligibleApprover);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("没有可以进行第一级审批"),
        "{}",
        r.body
    );
    assert!(!r.body["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("propose_decision")));
    // The clerk's draft goes to him as before.
    let c = o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    assert_eq!(c["handling"]["awaiting_approval_level"], 1);
    o.approver().act_ok(&id, Action::Approve, json!({})).await;

    // Two levels need a leader in charge first: the office refuses to set them without one.
    let conn = &mut *app.services.conn().unwrap();
    let agency = admin::agency_by_code(conn, "BJHD").unwrap();
    let two = HandlingSettings {
        approval_levels: Some(2),
        ..HandlingSettings::default()
    };
    let err = divisions::set_handling(conn, &agency, &two).unwrap_err();
    assert!(
        matches!(
            &err,
            gongkai::service::ServiceError::Conflict(ProblemCode::NoEligibleApprover, _)
        ),
        "{err:?}"
    );
    assert_eq!(
        admin::agency_by_code(conn, "BJHD").unwrap().approval_levels,
        1
    );
}

#[actix_rt::test]
async fn divisions_are_added_by_admins_listed_to_the_office_and_unique_in_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    office(&app, "SHPD");
    let admin = app.add_user("管理员", Role::Admin, Some("BJHD"));
    let other_admin = app.add_user("浦东管理员", Role::Admin, Some("SHPD"));
    let admin = app.as_(&admin);
    let add = |body: Value| admin.post("/api/v1/agencies/BJHD/divisions", &body);
    let r = add(json!({ "code": "fgc", "name": "法规处" })).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["code"], "FGC");
    let dup = add(json!({ "code": "FGC", "name": "另一个法规处" })).await;
    assert_problem(&dup, 409, ProblemCode::DivisionExists);
    let bad = add(json!({ "code": "法规", "name": "" })).await;
    assert_problem(&bad, 422, ProblemCode::ValidationFailed);
    let by_clerk = o
        .clerk()
        .post(
            "/api/v1/agencies/BJHD/divisions",
            &json!({ "code": "X", "name": "某处" }),
        )
        .await;
    assert_eq!(by_clerk.status, 403, "{}", by_clerk.body);
    let elsewhere = app
        .as_(&other_admin)
        .get("/api/v1/agencies/BJHD/divisions")
        .await;
    assert_eq!(elsewhere.status, 404);
    // A clerk placed in it shows as its member; an approver cannot be.
    let user = admin
        .post(
            "/api/v1/users",
            &json!({ "name": "钱处长", "role": "clerk", "division": "FGC", "division_head": true }),
        )
        .await;
    assert_eq!(user.status, 201, "{}", user.body);
    assert_eq!(
        (
            user.body["division"].as_str(),
            user.body["division_head"].as_bool()
        ),
        (Some("FGC"), Some(true))
    );
    let approver = admin
        .post(
            "/api/v1/users",
            &json!({ "name": "错", "role": "approver", "division": "FGC" }),
        )
        .await;
    assert_problem(&approver, 422, ProblemCode::ValidationFailed);
    let list = o.clerk().get("/api/v1/agencies/BJHD/divisions").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["members"][0]["name"], "钱处长");
    assert_eq!(list.body["items"][0]["members"][0]["head"], true);
}

#[actix_rt::test]
async fn a_division_s_staff_reach_nothing_of_the_office_beyond_what_is_forwarded() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let inside = set_up(&app);
    let fgc = app.as_(&inside.fgc);
    let mut paper = crate::helpers::filing("BJHD");
    paper.as_object_mut().unwrap().remove("agency_code");
    paper["channel"] = json!("in_person");
    paper["received_on"] = json!("2026-11-25");
    let r = fgc.post("/api/v1/registrations", &paper).await;
    assert_problem(&r, 403, ProblemCode::Forbidden);
    for path in [
        "/api/v1/notices?status=failed",
        "/api/v1/reports/annual/cases?agency=BJHD&year=2026&row=received&column=total",
        "/api/v1/reports/annual?agency=BJHD&year=2026",
        "/api/v1/audit/cases",
    ] {
        let r = fgc.get(path).await;
        assert_eq!(r.status, 403, "{path}: {}", r.body);
    }
    // Nothing forwarded yet: an empty queue, and the office's cases are not theirs to open.
    let (id, _) = file_one(&app, "BJHD").await;
    let page = fgc.get("/api/v1/applications").await;
    assert!(tracking_numbers(&page).is_empty());
    assert_eq!(fgc.view(&id).await.status, 404);
    // The office's own clerk still registers.
    assert_eq!(
        o.clerk().post("/api/v1/registrations", &paper).await.status,
        201
    );
}

#[actix_rt::test]
async fn nobody_leaves_a_waiting_draft_without_an_approver_and_a_withdrawal_ends_the_chain() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let inside = set_up(&app);
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": "disclosed", "reasoning": "可以公开" });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    // The draft waits at level 2: its only approver cannot be disabled, nor moved to level 1.
    let admin = app.as_(app.add_user("管理员", Role::Admin, None));
    let leader = user_id(&app, "赵分管");
    let r = admin
        .post_empty(&format!("/api/v1/users/{leader}/disable"))
        .await;
    assert_problem(&r, 409, ProblemCode::NoEligibleApprover);
    assert!(
        r.body["detail"].as_str().unwrap().contains("BJHD-2026-"),
        "{}",
        r.body
    );
    let conn = &mut *app.services.conn().unwrap();
    let down = Placement {
        approval_level: Some(1),
        ..Placement::default()
    };
    let moved = divisions::place_user(conn, &leader, &down);
    assert!(
        matches!(
            moved,
            Err(gongkai::service::ServiceError::Conflict(
                ProblemCode::NoEligibleApprover,
                _
            ))
        ),
        "{moved:?}"
    );
    drop(inside);
    // The applicant withdraws: nothing waits any more, and the leader may go.
    let applicant_withdraws = o.clerk().act_ok(&id, Action::Withdraw, json!({})).await;
    assert_eq!(
        applicant_withdraws["handling"]["awaiting_approval_level"],
        Value::Null
    );
    assert_eq!(
        applicant_withdraws["handling"]["first_approved_by"],
        Value::Null
    );
    let r = admin
        .post_empty(&format!("/api/v1/users/{leader}/disable"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[actix_rt::test]
async fn the_edges_a_probe_found_hold() {
    let app = TestApp::spawn().await; // Wednesday 25 November 2026
    let o = office(&app, "BJHD");
    let inside = set_up(&app);
    let fgc = app.as_(&inside.fgc);
    let (id, token) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;

    // A division named twice, or an internal due day that is no working day, is a 422.
    let twice = json!({ "divisions": ["FGC", "fgc"], "asked": "请提出意见" });
    let r = o.clerk().act(&id, Action::Forward, twice).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let sunday = json!({ "divisions": ["FGC"], "asked": "请提出意见", "due_on": "2026-11-29" });
    let r = o.clerk().act(&id, Action::Forward, sunday).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    assert_eq!(r.body["errors"][0]["field"], "due_on", "{}", r.body);
    o.clerk()
        .act_ok(
            &id,
            Action::Forward,
            json!({ "divisions": ["FGC"], "asked": "请提出意见" }),
        )
        .await;

    // The clock lists the internal due day apart from the statutory ones, for staff only.
    let clock = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    assert_eq!(
        clock.body["internal_deadlines"][0]["division"], "FGC",
        "{}",
        clock.body
    );
    assert_eq!(clock.body["internal_deadlines"][0]["due_on"], "2026-12-02");
    assert_eq!(clock.body["next_deadline"]["kind"], "answer");
    let theirs = app
        .as_(&token)
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    assert_eq!(theirs.status, 200);
    assert!(
        theirs.body.get("internal_deadlines").is_none(),
        "{}",
        theirs.body
    );

    // A division cannot find the applicant by name, nor ask who handles what.
    let by_name = fgc.get("/api/v1/applications?q=%E7%8E%8B%E4%BA%94").await; // 王五
    assert!(tracking_numbers(&by_name).is_empty());
    let by_text = fgc.get("/api/v1/applications?q=%E9%81%93%E8%B7%AF").await; // 道路
    assert_eq!(tracking_numbers(&by_text).len(), 1);
    let by_level = fgc
        .get("/api/v1/applications?awaiting_approval_level=1")
        .await;
    assert_eq!(
        tracking_numbers(&by_level).len(),
        1,
        "the parameter is ignored for them"
    );
    let turnaround = fgc
        .get("/api/v1/agencies/BJHD/divisions/turnaround?from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(turnaround.status, 403, "{}", turnaround.body);

    // A draft waiting at level 1 whose drafter is the only level-2 approver: going from two
    // levels to one and back would strand it, so the way back is refused.
    let conn = &mut *app.services.conn().unwrap();
    let agency = admin::agency_by_code(conn, "BJHD").unwrap();
    let levels = |n| HandlingSettings {
        approval_levels: Some(n),
        ..HandlingSettings::default()
    };
    divisions::set_handling(conn, &agency, &levels(1)).unwrap();
    let (other, _) = file_one(&app, "BJHD").await;
    let leader = app.as_(&inside.leader);
    o.clerk().act_ok(&other, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": "disclosed", "reasoning": "领导起草" });
    leader.act_ok(&other, Action::ProposeDecision, draft).await;
    let agency = admin::agency_by_code(conn, "BJHD").unwrap();
    let back = divisions::set_handling(conn, &agency, &levels(2)).unwrap_err();
    assert!(
        matches!(
            &back,
            gongkai::service::ServiceError::Conflict(ProblemCode::NoEligibleApprover, _)
        ),
        "{back:?}"
    );

    // Whoever still handles open cases is handed over before leaving.
    let clerk_id = user_id(&app, "张三");
    o.clerk()
        .act_ok(&other, Action::Assign, json!({ "assignee_id": clerk_id }))
        .await;
    let admin = app.as_(app.add_user("管理员", Role::Admin, None));
    let r = admin
        .post_empty(&format!("/api/v1/users/{clerk_id}/disable"))
        .await;
    assert_problem(&r, 409, ProblemCode::StillAssigned);

    // A withdrawn case's forwarding waits no more: not open, not overdue, not late.
    o.clerk().act_ok(&id, Action::Withdraw, json!({})).await;
    app.set_today("2026-12-07");
    let t = o
        .clerk()
        .get("/api/v1/agencies/BJHD/divisions/turnaround?from=2026-11-01&to=2026-11-30")
        .await;
    let fgc_row = t.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["division"] == "FGC")
        .unwrap()
        .clone();
    assert_eq!(
        (
            fgc_row["forwarded"].clone(),
            fgc_row["open"].clone(),
            fgc_row["open_overdue"].clone()
        ),
        (json!(1), json!(0), json!(0))
    );
    let c = o.clerk().view(&id).await.body;
    assert_eq!(c["handling"]["forwardings"][0]["late"], false);
}

#[actix_rt::test]
async fn an_office_without_divisions_is_never_offered_forward() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let c = o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    assert!(!c["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("forward")));
    let r = o
        .clerk()
        .act(
            &id,
            Action::Forward,
            json!({ "divisions": ["FGC"], "asked": "请提出意见" }),
        )
        .await;
    assert_problem(&r, 409, ProblemCode::NoDivisions);
}
