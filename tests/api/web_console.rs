//! The clerk's console (issue 15): the queue with its badges, filters and search; the case page
//! with exactly the allowed actions, taken through its forms; notices retried; a paper
//! application registered; the printable documents.

use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{file_one, filing, office, Action, TestApp};

/// The position of `needle` in the page, which must hold it.
#[track_caller]
fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page:\n{html}"))
}

/// The row of the queue holding `tracking`: from its link to the end of its `<tr>`.
#[track_caller]
fn row<'a>(html: &'a str, tracking: &str) -> &'a str {
    let start = at(html, tracking);
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

async fn tracking_of(app: &TestApp, token: &str, id: &str) -> String {
    let v = app.as_(token).view(id).await;
    v.body["tracking_number"].as_str().unwrap().to_owned()
}

#[actix_rt::test]
async fn web_console_queue_sorts_by_deadline_with_badges_filters_and_search() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let (a, _) = file_one(&app, "BJHD").await;
    app.set_today("2026-11-27");
    let mut other = filing("BJHD");
    other["applicant"]["name"] = json!("赵钱孙");
    other["request"]["description"] = json!("2026年公园绿化养护预算");
    let r = app.public().file(&other).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let b = r.body["id"].as_str().unwrap().to_owned();
    let (c, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&c, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &c,
            Action::RequestCorrection,
            json!({ "items": ["写明合同名称"], "period_working_days": 60 }),
        )
        .await;
    // The day after the first case's answer was due: it is overdue, the second due soon.
    let due = o.clerk().view(&a).await.body["next_deadline"]["due_on"]
        .as_str()
        .unwrap()
        .parse::<chrono::NaiveDate>()
        .unwrap();
    app.set_today(&(due + chrono::Duration::days(1)).to_string());
    let (ta, tb, tc) = (
        tracking_of(&app, &o.clerk, &a).await,
        tracking_of(&app, &o.clerk, &b).await,
        tracking_of(&app, &o.clerk, &c).await,
    );

    let web = app.web();
    web.sign_in(&login, &password).await;
    let q = web.get("/console/").await;
    assert_eq!(q.status, 200, "{}", q.html);
    q.assert_has("<h1>案件队列</h1>");
    let html = &q.html;
    assert!(at(html, &ta) < at(html, &tb), "sorted by the next deadline");
    assert!(row(html, &ta).contains("badge overdue\">已逾期"));
    assert!(row(html, &tb).contains("badge due-soon\">3个工作日内到期"));
    assert!(!row(html, &tb).contains("已逾期"));
    assert!(row(html, &tc).contains("badge paused\">已暂停"));
    assert!(!row(html, &tc).contains("已逾期"));
    assert!(html.contains(&format!("href=\"/console/cases/{a}\"")));
    q.assert_lacks(">correction<").assert_lacks(">accepted<");

    // Filters: overdue only; a status; due within N working days; search by text and number (what the API's `q` offers).
    let overdue = web.get("/console/?overdue=1").await;
    overdue.assert_has(&ta).assert_lacks(&tb).assert_lacks(&tc);
    let corr = web.get("/console/?status=correction").await;
    corr.assert_has(&tc).assert_lacks(&ta).assert_lacks(&tb);
    let soon = web.get("/console/?due_within=3").await;
    soon.assert_has(&ta).assert_has(&tb).assert_lacks(&tc);
    let by_text = web.get("/console/?q=%E7%BB%BF%E5%8C%96").await;
    by_text.assert_has(&tb).assert_lacks(&tc);
    let by_number = web.get(&format!("/console/?q={tc}")).await;
    by_number.assert_has(&tc).assert_lacks(&tb);
    // A wrong filter is told in Chinese, not a 400 page.
    let bad = web.get("/console/?due_within=abc").await;
    assert_eq!(bad.status, 200);
    bad.assert_has("须为 0 至 250 的整数");

    // Paging with the API's cursor: one row a page, three pages, in the same order.
    let mut seen = Vec::new();
    let mut path = "/console/?sort=deadline&limit=1".to_owned();
    loop {
        let p = web.get(&path).await;
        assert_eq!(
            p.html.matches("href=\"/console/cases/").count(),
            1,
            "{}",
            p.html
        );
        seen.push(
            [&ta, &tb, &tc]
                .into_iter()
                .find(|t| p.html.contains(t.as_str()))
                .unwrap()
                .clone(),
        );
        let Some(at) = p.html.find("\">下一页</a>") else {
            break;
        };
        let start = p.html[..at].rfind("href=\"").unwrap() + 6;
        path = p.html[start..at]
            .replace("&amp;", "&")
            .replace("&#x2f;", "/");
    }
    assert_eq!(seen, vec![ta.clone(), tb.clone(), tc.clone()]);
}

#[actix_rt::test]
async fn web_console_case_page_offers_exactly_the_allowed_actions_and_takes_them() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let (id, _) = file_one(&app, "BJHD").await;
    let web = app.web();
    web.sign_in(&login, &password).await;

    let page = web.get(&format!("/console/cases/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let view = o.clerk().view(&id).await.body;
    let allowed: Vec<&str> = view["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(allowed.contains(&"accept"), "{allowed:?}");
    for a in &allowed {
        page.assert_has(&format!("action=\"/console/cases/{id}/actions/{a}\""));
    }
    assert_eq!(
        page.html
            .matches(&format!("/console/cases/{id}/actions/"))
            .count(),
        allowed.len()
    );
    page.assert_has("受理")
        .assert_has("王五")
        .assert_has(view["applicant"]["id_number_masked"].as_str().unwrap())
        .assert_lacks("11010519491231002X")
        .assert_has("答复期限（第三十三条）")
        .assert_has("办理记录")
        .assert_has("name=\"version\"");
    page.assert_lacks(">accept<");

    // Accepting through its form: the API sees it.
    let version = view["version"].as_i64().unwrap().to_string();
    let r = web
        .post(
            &format!("/console/cases/{id}/actions/accept"),
            &[("version", &version), ("note", "材料齐全")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location().unwrap(), format!("/console/cases/{id}"));
    let after = o.clerk().view(&id).await.body;
    assert_eq!(after["status"], "accepted");

    // A bad input: its Chinese error beside the input, and nothing changed.
    let page = web.get(&format!("/console/cases/{id}")).await;
    let version = page.input("version").unwrap();
    let before = app.version_of(&id);
    let bad = web
        .post(
            &format!("/console/cases/{id}/actions/request_correction"),
            &[
                ("version", &version),
                ("items[]", "写明合同名称"),
                ("period_working_days", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("须在 1 至 60 之间")
        .assert_has(">写明合同名称</textarea>")
        .assert_has("field invalid")
        .assert_has("<details id=\"action-request_correction\" open>");
    assert_eq!(app.version_of(&id), before);
    // From another console page (`_back`), the refusal names the input in Chinese.
    let elsewhere = web
        .post(
            &format!("/console/cases/{id}/actions/request_correction"),
            &[
                ("version", &version),
                ("items[]", "写明合同名称"),
                ("period_working_days", "0"),
                ("_back", "/console/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.html);
    elsewhere
        .assert_has("补正期限（工作日）：须在 1 至 60 之间")
        .assert_lacks("period_working_days");
    assert_eq!(app.version_of(&id), before);

    // A stale version is refused (someone else acted since the page was read).
    let stale = (before - 1).to_string();
    let old = web
        .post(
            &format!("/console/cases/{id}/actions/request_correction"),
            &[
                ("version", &stale),
                ("items[]", "写明合同名称"),
                ("period_working_days", "10"),
            ],
        )
        .await;
    assert_eq!(old.status, 409, "{}", old.html);
    old.assert_has("案件已有更新，请重新打开页面后再操作");
    assert_eq!(app.version_of(&id), before);

    // Asking for correction with the page's version: taken, and the API sees it.
    let ok = web
        .post(
            &format!("/console/cases/{id}/actions/request_correction"),
            &[
                ("version", &before.to_string()),
                ("items[]", "写明合同名称"),
                ("items[]", ""),
                ("period_working_days", "10"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    let v = o.clerk().view(&id).await.body;
    assert_eq!(v["status"], "correction");
    assert_eq!(v["correction"]["period_working_days"], 10);
    let page = web.get(&format!("/console/cases/{id}")).await;
    page.assert_has("已暂停")
        .assert_has("写明合同名称")
        .assert_has("/print/correction");
    // A form without its token changes nothing.
    let forged = web
        .post_raw(
            &format!("/console/cases/{id}/actions/withdraw"),
            &[("version".to_owned(), v["version"].to_string())],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(o.clerk().view(&id).await.body["status"], "correction");
}

#[actix_rt::test]
async fn web_console_a_failed_notice_is_shown_and_retried() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let (id, _) = file_one(&app, "BJHD").await;
    {
        use diesel::prelude::*;
        use gongkai::db::schema::notices as n;
        let conn = &mut *app.services.conn().unwrap();
        diesel::update(n::table)
            .set((
                n::status.eq("failed"),
                n::attempts.eq(8),
                n::last_error.eq(Some("SMTP 服务器拒绝连接")),
            ))
            .execute(conn)
            .unwrap();
    }
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    page.assert_has("发送失败")
        .assert_has("SMTP 服务器拒绝连接")
        .assert_has("重新发送");
    let at = page.html.find("/retry\"").unwrap();
    let start = page.html[..at].rfind("action=\"").unwrap() + 8;
    let path = format!("{}/retry", &page.html[start..at]);
    let r = web.post(&path, &[]).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let page = web.get(&format!("/console/cases/{id}")).await;
    page.assert_has("待发送").assert_lacks("重新发送");
    // Retried again, a pending notice is refused in Chinese.
    let again = web.post(&path, &[]).await;
    assert_eq!(again.status, 409, "{}", again.html);
}

#[actix_rt::test]
async fn web_console_registers_a_paper_application_and_prints_its_documents() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let form = web.get("/console/register").await;
    assert_eq!(form.status, 200, "{}", form.html);
    form.assert_has("<label for=\"applicant-id_number\">");
    let fields = |name: &'static str, id_number: &'static str| {
        vec![
            ("channel", "mail"),
            ("received_on", "2026-11-24"),
            ("applicant.kind", "natural_person"),
            ("applicant.name", name),
            ("applicant.id_document_type", "resident_id_card"),
            ("applicant.id_number", id_number),
            ("applicant.phone", "010 6255 0000"),
            ("applicant.address", "北京市海淀区中关村大街1号"),
            ("request.description", "2025年海淀区老旧小区改造项目清单"),
            ("request.information_form", "paper"),
            ("request.delivery_method", "post"),
        ]
    };
    let bad = web
        .post("/console/register", &fields("", "110105194912310021"))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("field-error").assert_has("申请未登记");
    // What was typed stays in the form.
    bad.assert_has("老旧小区改造项目清单");

    let done = web
        .post("/console/register", &fields("钱七", "11010519491231002X"))
        .await;
    assert_eq!(done.status, 201, "{}", done.html);
    done.assert_has("申请已登记")
        .assert_has("class=\"doc\"")
        .assert_has("钱七")
        .assert_has("查询凭证");
    let at = done.html.find("打开案件").unwrap();
    let start = done.html[..at].rfind("href=\"/console/cases/").unwrap() + 6;
    let end = start + done.html[start..].find('"').unwrap();
    let case_path = done.html[start..end].to_owned();
    let id = case_path.trim_start_matches("/console/cases/").to_owned();
    let v = o.clerk().view(&id).await.body;
    assert_eq!(v["channel"], "mail");
    assert_eq!(v["received_on"], "2026-11-24");
    let page = web.get(&case_path).await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("钱七").assert_has("邮寄");

    // The receipt prints at once; the notices only once they were issued.
    let receipt = web.get(&format!("{case_path}/print/receipt")).await;
    assert_eq!(receipt.status, 200, "{}", receipt.html);
    receipt
        .assert_has("class=\"doc doc-receipt\"")
        .assert_has("政府信息公开申请回执")
        .assert_has(v["tracking_number"].as_str().unwrap())
        .assert_has("2026年11月24日");
    let none = web.get(&format!("{case_path}/print/correction")).await;
    assert_eq!(none.status, 404);
    none.assert_has("本案没有这份文书");
    assert_eq!(web.get(&format!("{case_path}/print/fee")).await.status, 404);
    assert_eq!(
        web.get(&format!("{case_path}/print/other")).await.status,
        404
    );

    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::RequestCorrection,
            json!({ "items": ["写明小区名称"], "period_working_days": 10, "by_post": true }),
        )
        .await;
    let corr = web.get(&format!("{case_path}/print/correction")).await;
    assert_eq!(corr.status, 200, "{}", corr.html);
    corr.assert_has("补正告知书")
        .assert_has("写明小区名称")
        .assert_has("10个工作日");
    o.clerk()
        .act_ok(
            &id,
            Action::SubmitCorrection,
            json!({ "statement": "补充小区名称：某某小区", "received_on": "2026-11-25" }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 31, "by_post": true }),
        )
        .await;
    // The clock's timeline shows the fee period as not counted, with its article.
    let page = web.get(&case_path).await;
    page.assert_has("li class=\"uncounted\"")
        .assert_has("不计入");
    let fee = web.get(&format!("{case_path}/print/fee")).await;
    assert_eq!(fee.status, 200, "{}", fee.html);
    fee.assert_has("缴费通知书")
        .assert_has("10.00元")
        .assert_has("BJHD 财政局")
        .assert_has("按量计收");
}

#[actix_rt::test]
async fn web_console_a_clerk_of_another_office_does_not_find_the_case() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    office(&app, "SHPD");
    let (login, password) = app.add_console_user("lisi", Role::Clerk, Some("SHPD"));
    let (id, _) = file_one(&app, "BJHD").await;
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    assert_eq!(page.status, 404, "{}", page.html);
    page.assert_lacks("王五");
    assert_eq!(
        web.get(&format!("/console/cases/{id}/print/receipt"))
            .await
            .status,
        404
    );
    let q = web.get("/console/").await;
    q.assert_lacks(&format!("/console/cases/{id}"));
    // Not signed in: to the sign-in page.
    let stranger = app.web();
    let r = stranger.get(&format!("/console/cases/{id}")).await;
    assert_eq!(r.status, 303);
}

#[actix_rt::test]
async fn web_console_a_decision_drafted_with_a_withheld_part_is_approved_through_the_forms() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (clerk, clerk_pw) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let (approver, approver_pw) = app.add_console_user("lisi", Role::Approver, Some("BJHD"));
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let web = app.web();
    web.sign_in(&clerk, &clerk_pw).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    page.assert_has("actions/propose_decision\"")
        .assert_lacks("actions/approve\"")
        .assert_has("<label for=\"propose_decision-withheld_0__part-0\">");
    let version = page.input("version").unwrap();
    let r = web
        .post(
            &format!("/console/cases/{id}/actions/propose_decision"),
            &[
                ("version", &version),
                ("outcome", "partly_disclosed"),
                ("reasoning", "合同价格部分涉及商业秘密，其余公开。"),
                ("legal_basis", "《政府信息公开条例》第十五条"),
                ("withheld[0].part", "合同单价"),
                ("withheld[0].ground", "withheld_third_party_rights"),
                ("withheld[0].legal_basis", "《政府信息公开条例》第十五条"),
                ("withheld[0].reasoning", "公开会损害第三方合法权益。"),
                ("withheld[1].part", ""),
                ("withheld[1].ground", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let v = o.clerk().view(&id).await.body;
    assert_eq!(v["status"], "decision");
    assert_eq!(v["internal"]["draft"]["withheld"][0]["part"], "合同单价");
    assert_eq!(
        v["internal"]["draft"]["withheld"].as_array().unwrap().len(),
        1
    );

    // The approver reads the draft on the case page and approves it there.
    let boss = app.web();
    boss.sign_in(&approver, &approver_pw).await;
    let page = boss.get(&format!("/console/cases/{id}")).await;
    page.assert_has("答复尚未送达")
        .assert_has("合同单价")
        .assert_has("部分公开")
        .assert_has("actions/approve\"")
        .assert_has("actions/return\"");
    let version = page.input("version").unwrap();
    let r = boss
        .post(
            &format!("/console/cases/{id}/actions/approve"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(o.clerk().view(&id).await.body["status"], "approved");
}
