//! The console's pages for the handling inside the office (issue 16): the case page's 「内部办理」
//! (assignee, forwardings with their internal due days and replies, the approval chain), the
//! forms for assigning, forwarding, a division's reply and drafting from it; the queue's
//! filters; what a division's staff see (and never see); the approver's inbox by level; the
//! admin's divisions and handling settings.

use gongkai::domain::workflow::Role;
use gongkai::service::divisions::Placement;
use gongkai::service::{admin, divisions, sign_in};
use serde_json::json;

use crate::helpers::{file_one, filing, office, Action, TestApp};

/// A staff user placed in a division or at an approval level, who can sign in: (login,
/// password, user id).
fn placed_user(
    app: &TestApp,
    login: &str,
    name: &str,
    role: Role,
    placement: &Placement<'_>,
) -> (String, String, String) {
    let conn = &mut *app.services.conn().unwrap();
    let (user, _) =
        admin::add_placed_user(conn, name, role, Some("BJHD"), None, placement).unwrap();
    let password = format!("{login}-secret-password");
    sign_in::set_login(conn, &user.id, login).unwrap();
    sign_in::set_password(conn, &user.id, &password).unwrap();
    (login.to_owned(), password, user.id.to_string())
}

fn add_division(app: &TestApp, code: &str, name: &str) {
    let conn = &mut *app.services.conn().unwrap();
    let agency = gongkai::db::staff::agency_by_code(conn, "BJHD")
        .unwrap()
        .unwrap();
    divisions::add_division(conn, &agency, code, name).unwrap();
}

fn in_division(code: &str) -> Placement<'_> {
    Placement {
        division: Some(code),
        ..Placement::default()
    }
}

async fn tracking_of(app: &TestApp, token: &str, id: &str) -> String {
    let v = app.as_(token).view(id).await;
    v.body["tracking_number"].as_str().unwrap().to_owned()
}

/// The row of the queue holding `tracking`: from its link to the end of its `<tr>`.
#[track_caller]
fn row<'a>(html: &'a str, tracking: &str) -> &'a str {
    let start = html
        .find(tracking)
        .unwrap_or_else(|| panic!("{tracking} not on the page:\n{html}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[actix_rt::test]
async fn web_inside_case_page_queue_and_a_division_that_sees_only_its_forwarding() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    add_division(&app, "FGC", "法规处");
    add_division(&app, "CWC", "财务处");
    let (clerk_login, clerk_pw, clerk_id) = placed_user(
        &app,
        "zhangsan",
        "张办事",
        Role::Clerk,
        &Placement::default(),
    );
    let (fg_login, fg_pw, _) = placed_user(
        &app,
        "fagui",
        "法规处小刘",
        Role::Clerk,
        &in_division("FGC"),
    );
    let (cw_login, cw_pw, _) = placed_user(
        &app,
        "caiwu",
        "财务处小陈",
        Role::Clerk,
        &in_division("CWC"),
    );

    let (a, _) = file_one(&app, "BJHD").await;
    let mut other = filing("BJHD");
    other["applicant"]["name"] = json!("赵钱孙");
    other["request"]["description"] = json!("2026年公园绿化养护预算");
    let r = app.public().file(&other).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let b = r.body["id"].as_str().unwrap().to_owned();
    let (ta, tb) = (
        tracking_of(&app, &o.clerk, &a).await,
        tracking_of(&app, &o.clerk, &b).await,
    );
    o.clerk().act_ok(&a, Action::Accept, json!({})).await;

    // The clerk assigns the case to themself and forwards it to 法规处 from the case page.
    let clerk = app.web();
    clerk.sign_in(&clerk_login, &clerk_pw).await;
    let page = clerk.get(&format!("/console/cases/{a}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("<h2 id=\"h-inside\">内部办理</h2>")
        .assert_has("badge due-soon\">未分配")
        .assert_has("尚未转办处室")
        .assert_has(&format!(
            "<option value=\"{clerk_id}\">张办事（经办人）</option>"
        ))
        .assert_has("name=\"divisions[]\" type=\"checkbox\" value=\"FGC\"")
        .assert_has("法规处（FGC）")
        .assert_lacks("法规处小刘（经办人）");
    let version = page.input("version").unwrap();
    let done = clerk
        .post(
            &format!("/console/cases/{a}/actions/assign"),
            &[("version", &version), ("assignee_id", &clerk_id)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let page = clerk.get(&format!("/console/cases/{a}")).await;
    let version = page.input("version").unwrap();
    // A forwarding without a division is refused beside its form, in Chinese.
    let refused = clerk
        .post(
            &format!("/console/cases/{a}/actions/forward"),
            &[("version", &version), ("asked", "请提出意见")],
        )
        .await;
    assert!(
        matches!(refused.status.as_u16(), 400 | 422),
        "{}",
        refused.html
    );
    refused.assert_has("id=\"action-forward\" open");
    let done = clerk
        .post(
            &format!("/console/cases/{a}/actions/forward"),
            &[
                ("version", &version),
                ("divisions[]", "FGC"),
                ("asked", "请提出该合同能否公开的意见"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let page = clerk.get(&format!("/console/cases/{a}")).await;
    page.assert_has("<dt>承办人</dt><dd>张办事</dd>")
        .assert_has("转办 f1 · 法规处（FGC）")
        .assert_has("<dt>内部期限</dt>")
        .assert_has("本机关内部期限，不是法定答复期限")
        .assert_has("请提出该合同能否公开的意见")
        .assert_has("badge paused\">待处室回复")
        .assert_has("<dt>审批级数</dt><dd>一级审批");

    // The queue: the assignee and the division consulted; the filters of the handling.
    let q = clerk.get("/console/").await;
    assert!(row(&q.html, &ta).contains("张办事"), "{}", q.html);
    assert!(row(&q.html, &ta).contains("法规处"));
    assert!(row(&q.html, &tb).contains("未分配"));
    q.assert_has("<option value=\"FGC\">法规处（FGC）</option>");
    let mine = clerk.get("/console/?assignee=me").await;
    mine.assert_has(&ta).assert_lacks(&tb);
    let nobody = clerk.get("/console/?assignee=none").await;
    nobody.assert_has(&tb).assert_lacks(&ta);
    let fgc = clerk.get("/console/?division=FGC").await;
    fgc.assert_has(&ta).assert_lacks(&tb);
    let cwc = clerk.get("/console/?division=CWC").await;
    cwc.assert_lacks(&ta).assert_lacks(&tb);

    // 财务处 was not asked: it sees neither case, and the case page is "not found".
    let cw = app.web();
    cw.sign_in(&cw_login, &cw_pw).await;
    let q = cw.get("/console/").await;
    assert_eq!(q.status, 200, "{}", q.html);
    q.assert_lacks(&ta).assert_lacks(&tb);
    assert_eq!(cw.get(&format!("/console/cases/{a}")).await.status, 404);

    // 法规处 sees the forwarded case only, without the applicant (the office does not allow
    // it), and nothing of the office's file.
    let fg = app.web();
    fg.sign_in(&fg_login, &fg_pw).await;
    let q = fg.get("/console/").await;
    assert_eq!(q.status, 200, "{}", q.html);
    q.assert_has(&ta)
        .assert_lacks(&tb)
        .assert_lacks("王五")
        .assert_lacks("赵钱孙")
        .assert_lacks("href=\"/console/register\"")
        .assert_lacks("href=\"/console/dashboard\"");
    assert_eq!(fg.get(&format!("/console/cases/{b}")).await.status, 404);
    // Nor the office's registering or statistics pages.
    assert_eq!(fg.get("/console/register").await.status, 403);
    assert_eq!(fg.get("/console/dashboard").await.status, 403);
    let page = fg.get(&format!("/console/cases/{a}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("2025年海淀区道路维修工程合同")
        .assert_has("转办 f1 · 法规处（FGC）")
        .assert_has("请提出该合同能否公开的意见")
        .assert_has("id=\"action-reply_to_forwarding\"");
    for absent in [
        "王五",
        "11010519491231002X",
        "wangwu@example.com",
        "h-applicant",
        "办理记录",
        "h-notices",
        "h-letter",
        "h-clock",
        "答复书预览",
        "/print/",
        "张办事",
        "action-propose_decision",
        "action-forward\"",
    ] {
        page.assert_lacks(absent);
    }

    // The division replies from the page.
    let version = page.input("version").unwrap();
    let done = fg
        .post(
            &format!("/console/cases/{a}/actions/reply_to_forwarding"),
            &[
                ("version", &version),
                ("forwarding_id", "f1"),
                ("outcome", "disclosed"),
                ("reasoning", "该合同已签订，不涉及商业秘密，可以公开"),
                ("legal_basis", "《政府信息公开条例》第二十七条"),
                ("documents[]", "海淀区道路维修工程合同（海建〔2025〕12号）"),
                ("documents[]", ""),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let view = o.clerk().view(&a).await;
    let reply = &view.body["handling"]["forwardings"][0]["reply"];
    assert_eq!(reply["outcome"], "disclosed", "{}", view.body);
    assert_eq!(
        reply["documents"],
        json!(["海淀区道路维修工程合同（海建〔2025〕12号）"])
    );
    let page = fg.get(&format!("/console/cases/{a}")).await;
    page.assert_has("该合同已签订，不涉及商业秘密，可以公开")
        .assert_has("本处室已回复")
        .assert_lacks("王五");

    // The office sees the reply and drafts its answer from it (pre-filled without script).
    let page = clerk.get(&format!("/console/cases/{a}")).await;
    page.assert_has("badge ok\">已回复")
        .assert_has("<dt>处室意见</dt><dd>予以公开</dd>")
        .assert_has("海建〔2025〕12号")
        .assert_has(&format!(
            "href=\"/console/cases/{a}?from_forwarding=f1#action-propose_decision\""
        ));
    let filled = clerk
        .get(&format!("/console/cases/{a}?from_forwarding=f1"))
        .await;
    assert_eq!(filled.status, 200, "{}", filled.html);
    filled
        .assert_has("id=\"action-propose_decision\" open")
        .assert_has("<option value=\"disclosed\" selected>")
        .assert_has("<option value=\"f1\" selected>")
        .assert_has("该合同已签订，不涉及商业秘密，可以公开</textarea>");
    let version = filled.input("version").unwrap();
    let done = clerk
        .post(
            &format!("/console/cases/{a}/actions/propose_decision"),
            &[
                ("version", &version),
                ("from_forwarding", "f1"),
                ("outcome", "disclosed"),
                ("reasoning", "经审查，该合同可以公开（办公室拟稿）"),
                ("legal_basis", "《政府信息公开条例》第二十七条"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let page = clerk.get(&format!("/console/cases/{a}")).await;
    page.assert_has("经审查，该合同可以公开（办公室拟稿）")
        .assert_has("待第1级审批");

    // The division still sees its reply, never the office's draft or history.
    let page = fg.get(&format!("/console/cases/{a}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_lacks("办公室拟稿")
        .assert_lacks("待第1级审批")
        .assert_lacks("王五")
        .assert_lacks("办理记录");

    // Past the internal due day an open forwarding is 内部逾期 in the queue.
    let r = o.clerk().act(&b, Action::Accept, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    o.clerk()
        .act_ok(
            &b,
            Action::Forward,
            json!({ "divisions": ["CWC"], "asked": "请核实预算是否已公开", "due_on": "2026-12-01" }),
        )
        .await;
    app.set_today("2026-12-03");
    // A week later the session has ended: sign in again.
    clerk.sign_in(&clerk_login, &clerk_pw).await;
    let q = clerk.get("/console/?internal_overdue=1").await;
    assert!(
        row(&q.html, &tb).contains("badge overdue\">内部逾期"),
        "{}",
        q.html
    );
    q.assert_lacks(&ta);
    let page = clerk.get(&format!("/console/cases/{b}")).await;
    page.assert_has("badge overdue\">内部逾期");
    // The dashboard counts each division's turnaround: 法规处 replied on the day it was asked,
    // 财务处's forwarding is open and overdue.
    let dash = clerk.get("/console/dashboard").await;
    assert_eq!(dash.status, 200, "{}", dash.html);
    dash.assert_has("处室转办办理情况");
    let fgc_row = row(&dash.html, "法规处（FGC）");
    assert!(
        fgc_row.contains("<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0个工作日</td>"),
        "{fgc_row}"
    );
    let cwc_row = row(&dash.html, "财务处（CWC）");
    assert!(
        cwc_row.contains("<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">—</td>"),
        "{cwc_row}"
    );
}

#[actix_rt::test]
async fn web_inside_the_approver_inbox_shows_what_waits_at_their_level() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let level = |n| Placement {
        approval_level: Some(n),
        ..Placement::default()
    };
    let (head_login, head_pw, _) =
        placed_user(&app, "chuzhang", "王处长", Role::Approver, &level(1));
    let (lead_login, lead_pw, _) =
        placed_user(&app, "lingdao", "陈局长", Role::Approver, &level(2));
    {
        let conn = &mut *app.services.conn().unwrap();
        let agency = gongkai::db::staff::agency_by_code(conn, "BJHD")
            .unwrap()
            .unwrap();
        let two = divisions::HandlingSettings {
            approval_levels: Some(2),
            ..divisions::HandlingSettings::default()
        };
        divisions::set_handling(conn, &agency, &two).unwrap();
    }
    let (id, _) = file_one(&app, "BJHD").await;
    let t = tracking_of(&app, &o.clerk, &id).await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::ProposeDecision,
            json!({ "outcome": "disclosed", "reasoning": "可以公开的合同" }),
        )
        .await;

    let head = app.web();
    head.sign_in(&head_login, &head_pw).await;
    let lead = app.web();
    lead.sign_in(&lead_login, &lead_pw).await;
    let inbox = head.get("/console/inbox").await;
    assert_eq!(inbox.status, 200, "{}", inbox.html);
    inbox
        .assert_has("您是第1级审批人")
        .assert_has(&t)
        .assert_has("待第1级审批")
        .assert_has(&format!("/console/cases/{id}/actions/approve"));
    let inbox = lead.get("/console/inbox").await;
    inbox.assert_has("您是第2级审批人").assert_lacks(&t);

    // The head of the unit approves at level 1 from the inbox: it moves to the leader's.
    let page = head.get("/console/inbox").await;
    let version = page.input("version").unwrap();
    let done = head
        .post(
            &format!("/console/cases/{id}/actions/approve"),
            &[
                ("version", &version),
                ("note", "同意"),
                ("_back", "/console/inbox"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    head.get("/console/inbox").await.assert_lacks(&t);
    let inbox = lead.get("/console/inbox").await;
    inbox
        .assert_has(&t)
        .assert_has("待第2级审批")
        .assert_has("<dt>第一级审批</dt><dd>王处长 已同意（")
        .assert_has(&format!("/console/cases/{id}/actions/approve"));
    // The case page says the same.
    let page = lead.get(&format!("/console/cases/{id}")).await;
    page.assert_has("两级审批")
        .assert_has("待第2级审批")
        .assert_has("<dt>第一级审批人</dt><dd>王处长（已同意）</dd>");
}

#[actix_rt::test]
async fn web_inside_the_admin_adds_divisions_people_and_two_levels() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("guanli", Role::Admin, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;

    let page = web.get("/console/admin/divisions").await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("尚未设立处室");
    let bad = web
        .post(
            "/console/admin/divisions",
            &[("agency", "BJHD"), ("code", "法规"), ("name", "法规处")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("class=\"field-error\">处室代码");
    let done = web
        .post(
            "/console/admin/divisions",
            &[("agency", "BJHD"), ("code", "fgc"), ("name", "法规处")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let again = web
        .post(
            "/console/admin/divisions",
            &[("agency", "BJHD"), ("code", "FGC"), ("name", "另一个")],
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.html);
    again.assert_has("本机关已有代码为 FGC 的处室");

    // A clerk of the division, its head, from the users page.
    let users = web.get("/console/admin/users").await;
    users
        .assert_has("<option value=\"FGC\" >法规处（FGC，BJHD 人民政府）</option>")
        .assert_has("第二级：分管领导");
    let made = web
        .post(
            "/console/admin/users",
            &[
                ("name", "法规处处长"),
                ("role", "clerk"),
                ("agency", "BJHD"),
                ("division", "FGC"),
                ("division_head", "true"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.html);
    let page = web.get("/console/admin/divisions").await;
    page.assert_has("法规处处长（负责人）");

    // Two levels without a level-2 approver: refused, in Chinese, beside the form.
    let form = web.get("/console/admin/agencies").await;
    form.assert_has("<h3>内部办理</h3>")
        .assert_has("<option value=\"1\" selected>一级审批");
    let refused = web
        .post(
            "/console/admin/agencies/BJHD/handling",
            &[("approval_levels", "2"), ("forwarding_working_days", "5")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused
        .assert_has("本机关还没有第二级审批人（分管领导），不能设为两级审批")
        .assert_lacks("approval_level 为 2");
    let levels = |app: &TestApp| {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::db::staff::agency_by_code(conn, "BJHD")
            .unwrap()
            .unwrap()
    };
    assert_eq!(levels(&app).approval_levels, 1);

    // With a leader at level 2, two levels, a 3-day period and divisions seeing the applicant.
    let made = web
        .post(
            "/console/admin/users",
            &[
                ("name", "分管副局长"),
                ("role", "approver"),
                ("agency", "BJHD"),
                ("approval_level", "2"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.html);
    web.get("/console/admin/users")
        .await
        .assert_has("第2级审批");
    let done = web
        .post(
            "/console/admin/agencies/BJHD/handling",
            &[
                ("approval_levels", "2"),
                ("forwarding_working_days", "3"),
                ("divisions_see_applicant", "true"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let agency = levels(&app);
    assert_eq!(
        (
            agency.approval_levels,
            agency.forwarding_working_days,
            agency.divisions_see_applicant
        ),
        (2, 3, true)
    );
    web.get("/console/admin/agencies")
        .await
        .assert_has("<option value=\"2\" selected>两级审批");
}
