//! The staff pages (issue 15): the approver's inbox and the admin's pages, through the real
//! server with a signed-in browser-like client (the auditor's and the dashboard: web_staff_audit).

use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{file_one, office, Action, Office, TestApp};

/// A case of `agency` with a clerk's draft awaiting approval.
async fn drafted(app: &TestApp, o: &Office<'_>, agency: &str, reasoning: &str) -> String {
    let (id, _) = file_one(app, agency).await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({
        "outcome": "unavailable_not_held",
        "reasoning": reasoning,
        "legal_basis": "《政府信息公开条例》第三十六条第四项",
        "convenience_reply": "可向区档案馆查询",
    });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    id
}

async fn status(app: &TestApp, token: &str, id: &str) -> String {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/applications/{id}"))
        .await;
    r.body["status"].as_str().unwrap().to_owned()
}

#[actix_rt::test]
async fn the_approver_reads_a_clerks_draft_in_the_inbox_and_approves_or_returns_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let first = drafted(&app, &o, "BJHD", "本机关未制作该信息，经检索无记录").await;
    let second = drafted(&app, &o, "BJHD", "第二件的理由").await;
    let (login, password) = app.add_console_user("wangwu", Role::Approver, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;

    let inbox = web.get("/console/inbox").await;
    assert_eq!(inbox.status, 200, "{}", inbox.html);
    inbox
        .assert_has("待我审批")
        .assert_has("本机关未制作该信息，经检索无记录")
        .assert_has("本机关不掌握相关政府信息")
        .assert_has("《政府信息公开条例》第三十六条第四项")
        .assert_has("可向区档案馆查询")
        .assert_has("答复期限")
        .assert_has(&format!("/console/cases/{first}/actions/approve"))
        .assert_has(&format!("/console/cases/{second}/actions/return"))
        .assert_has("name=\"_back\" value=\"/console/inbox\"")
        // No raw codes for a person to read.
        .assert_lacks(">unavailable_not_held<");
    // Each draft carries the case's whole clock, as the case page draws it: the answer
    // period's article, where it started, and each span counted or not.
    let draft = &inbox.html[inbox.html.find(&format!("id=\"d-{first}\"")).unwrap()..];
    let draft = &draft[..draft.find("</article>").unwrap()];
    assert!(draft.contains("期限的计算"), "{draft}");
    assert!(draft.contains("<ol class=\"timeline\">"), "{draft}");
    assert!(draft.contains("次日起 20 个工作日"), "{draft}");
    assert!(draft.contains("计入 "), "{draft}");

    let version = |id: &str| {
        let at = inbox
            .html
            .find(&format!("/console/cases/{id}/actions/approve"))
            .unwrap();
        let rest = &inbox.html[at..];
        let v = rest.find("name=\"version\" value=\"").unwrap() + 22;
        rest[v..v + rest[v..].find('"').unwrap()].to_owned()
    };
    let (v1, v2) = (version(&first), version(&second));
    let done = web
        .post(
            &format!("/console/cases/{first}/actions/approve"),
            &[("version", &v1), ("_back", "/console/inbox")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(done.location().as_deref(), Some("/console/inbox"));
    assert_eq!(status(&app, &o.clerk, &first).await, "approved");

    // Returning needs a reason: without one the refusal is in Chinese, nothing changes.
    let bare = web
        .post(
            &format!("/console/cases/{second}/actions/return"),
            &[("version", &v2), ("_back", "/console/inbox")],
        )
        .await;
    assert_eq!(bare.status, 422, "{}", bare.html);
    assert_eq!(status(&app, &o.clerk, &second).await, "decision");
    let back = web
        .post(
            &format!("/console/cases/{second}/actions/return"),
            &[
                ("version", &v2),
                ("reason", "请补充检索范围"),
                ("_back", "/console/inbox"),
            ],
        )
        .await;
    assert_eq!(back.status, 303, "{}", back.html);
    assert_eq!(status(&app, &o.clerk, &second).await, "accepted");
    let after = web.get("/console/inbox").await;
    after
        .assert_has("目前没有待审批的答复草稿")
        .assert_lacks("第二件的理由");
}

#[actix_rt::test]
async fn an_approver_is_not_offered_their_own_draft_and_a_clerk_may_not_open_staff_pages() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let (login, password) = app.add_console_user("zhaoliu", Role::Approver, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let case = app
        .as_(&o.clerk)
        .get(&format!("/api/v1/applications/{id}"))
        .await;
    let version = case.body["version"].to_string();
    web.get("/console/inbox").await;
    // The approver drafts through the console's action endpoint.
    let drafted = web
        .post(
            &format!("/console/cases/{id}/actions/propose_decision"),
            &[
                ("version", &version),
                ("outcome", "disclosed"),
                ("reasoning", "审批人自己拟定的答复"),
                ("_back", "/console/inbox"),
            ],
        )
        .await;
    assert_eq!(drafted.status, 303, "{}", drafted.html);
    let inbox = web.get("/console/inbox").await;
    inbox
        .assert_has("审批人自己拟定的答复")
        .assert_lacks(&format!("/console/cases/{id}/actions/approve"))
        .assert_has("由您本人拟定的答复须由其他审批人审批");

    let (clerk, pw) = app.add_console_user("clerkzhou", Role::Clerk, Some("BJHD"));
    let c = app.web();
    c.sign_in(&clerk, &pw).await;
    for page in [
        "/console/inbox",
        "/console/admin/users",
        "/console/admin/agencies",
        "/console/admin/calendar",
        "/console/audit",
    ] {
        let r = c.get(page).await;
        assert_eq!(r.status, 403, "{page}");
        r.assert_has("无权访问");
    }
}

#[actix_rt::test]
async fn the_admin_adds_a_user_who_signs_in_and_changes_an_office_s_sender() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("guanli", Role::Admin, None);
    let web = app.web();
    web.sign_in(&login, &password).await;
    let users = web.get("/console/admin/users").await;
    assert_eq!(users.status, 200, "{}", users.html);

    // A refusal is shown beside its input, in Chinese, and adds nobody.
    let short = web
        .post(
            "/console/admin/users",
            &[
                ("name", "李四"),
                ("role", "clerk"),
                ("agency", "BJHD"),
                ("login", "lisi"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 422, "{}", short.html);
    short
        .assert_has("密码须为 10 至 200 个字符")
        .assert_lacks("<td>李四</td>");

    let made = web
        .post(
            "/console/admin/users",
            &[
                ("name", "李四"),
                ("role", "clerk"),
                ("agency", "BJHD"),
                ("login", "lisi"),
                ("password", "lisi-first-password"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.html);
    made.assert_has("只显示这一次").assert_has("gks_");
    assert_eq!(
        made.headers.get("cache-control").unwrap().to_str().unwrap(),
        "no-store"
    );
    let lisi = app.web();
    lisi.sign_in("lisi", "lisi-first-password").await;
    lisi.get("/console/").await.assert_has("李四");

    // A new password set by the admin: the old one no longer works, the new one does.
    let list = web.get("/console/admin/users").await;
    let at = list.html.find("<td>李四</td>").unwrap();
    let rest = &list.html[at..];
    let form = rest.find("/console/admin/users/").unwrap() + "/console/admin/users/".len();
    let id = rest[form..form + rest[form..].find('/').unwrap()].to_owned();
    let set = web
        .post(
            &format!("/console/admin/users/{id}/sign-in"),
            &[("password", "lisi-second-password")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.html);
    app.web().sign_in("lisi", "lisi-second-password").await;

    // A rotated token is shown once; the one shown when the user was added stops working.
    let token = |html: &str| {
        let at = html.find("gks_").unwrap();
        html[at..at + html[at..].find('<').unwrap()].to_owned()
    };
    let first = token(&made.html);
    assert_eq!(
        app.as_(&first).get("/api/v1/applications").await.status,
        200
    );
    let rotated = web
        .post(
            &format!("/console/admin/users/{id}/rotate"),
            &[("_confirmed", "1")],
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.html);
    rotated.assert_has("已更换 API 令牌");
    let second = token(&rotated.html);
    assert_ne!(first, second);
    assert_eq!(
        app.as_(&first).get("/api/v1/applications").await.status,
        401
    );
    assert_eq!(
        app.as_(&second).get("/api/v1/applications").await.status,
        200
    );
    web.get("/console/admin/users").await;
    let off = web
        .post(
            &format!("/console/admin/users/{id}/disable"),
            &[("_confirmed", "1")],
        )
        .await;
    assert_eq!(off.status, 303, "{}", off.html);
    web.get("/console/admin/users").await.assert_has("已停用");
    assert_eq!(
        app.as_(&second).get("/api/v1/applications").await.status,
        401
    );

    // The office's sender.
    let offices = web.get("/console/admin/agencies").await;
    assert_eq!(offices.status, 200, "{}", offices.html);
    let bad = web
        .post(
            "/console/admin/agencies/BJHD/sender",
            &[("email", "not an address"), ("name", "海淀区信息公开办")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("不是有效的电子邮箱地址")
        .assert_has("field-error");
    let ok = web
        .post(
            "/console/admin/agencies/BJHD/sender",
            &[
                ("email", "gongkai@bjhd.gov.cn"),
                ("name", "海淀区信息公开办"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    let conn = &mut *app.services.conn().unwrap();
    let a = gongkai::db::staff::agency_by_code(conn, "BJHD")
        .unwrap()
        .unwrap();
    assert_eq!(a.sender_email.as_deref(), Some("gongkai@bjhd.gov.cn"));
    assert_eq!(a.sender_name.as_deref(), Some("海淀区信息公开办"));
}

#[actix_rt::test]
async fn the_approver_grants_an_extension_request_from_the_inbox() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let ask = json!({ "working_days": 20, "reason": "需调取档案馆的历史档案" });
    o.clerk().act_ok(&id, Action::RequestExtension, ask).await;
    let (login, password) = app.add_console_user("sunqi", Role::Approver, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let inbox = web.get("/console/inbox").await;
    assert_eq!(inbox.status, 200, "{}", inbox.html);
    inbox
        .assert_has("待决定的延期申请（1 件）")
        .assert_has("需调取档案馆的历史档案")
        .assert_has(&format!("/console/cases/{id}/actions/grant_extension"))
        .assert_has(&format!("/console/cases/{id}/actions/refuse_extension"));
    let version = app
        .as_(&o.clerk)
        .get(&format!("/api/v1/applications/{id}"))
        .await
        .body["version"]
        .to_string();
    let done = web
        .post(
            &format!("/console/cases/{id}/actions/grant_extension"),
            &[("version", &version), ("_back", "/console/inbox")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let case = app
        .as_(&o.clerk)
        .get(&format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(case.body["internal"]["extension"]["state"], "granted");
    web.get("/console/inbox")
        .await
        .assert_has("目前没有待决定的延期申请");
}

#[actix_rt::test]
async fn the_admin_sees_the_calendar_and_a_bad_upload_is_refused_beside_its_input() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("guanli", Role::Admin, None);
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get("/console/admin/calendar").await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("已导入的全国节假日安排")
        .assert_has("导入记录")
        .assert_has("<label for=\"load-notice\">");
    let bad = web
        .post(
            "/console/admin/calendar/years",
            &[("year", "2030"), ("notice", "{\"year\": 2030}")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("节假日安排文件无法读取");
    let days = web
        .post(
            "/console/admin/calendar/days-off",
            &[
                ("agency", "BJHD"),
                ("year", "2026"),
                ("days", "五月六日 区庆"),
            ],
        )
        .await;
    assert_eq!(days.status, 422, "{}", days.html);
    days.assert_has("第 1 行不是");
    let ok = web
        .post(
            "/console/admin/calendar/days-off",
            &[
                ("agency", "BJHD"),
                ("year", "2026"),
                ("days", "2026-12-30 区庆"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    let page = web.get("/console/admin/calendar").await;
    page.assert_has("BJHD").assert_has("guanli 同志");
    // The office's days off are listed on their own, beside the national years.
    let listed = page.html.split("id=\"office-days-h\"").nth(1).unwrap();
    let listed = listed.split("</table>").next().unwrap();
    assert!(
        listed.contains("2026-12-30") && listed.contains("区庆") && listed.contains("BJHD"),
        "{listed}"
    );

    // A year's notice is uploaded as the file itself (the form is multipart/form-data).
    page.assert_has("enctype=\"multipart/form-data\"")
        .assert_has("type=\"file\"");
    let notice = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("calendar/cn/2025.json"),
    )
    .unwrap();
    let upload = |csrf: &str, file: &str| {
        let b = "gongkaiCalendarForm";
        format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2025\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2025.json\"\r\n\
             Content-Type: application/json\r\n\r\n{file}\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"notice\"\r\n\r\n\r\n--{b}--\r\n"
        )
        .into_bytes()
    };
    let csrf = page.csrf().unwrap();
    // Without the page's token nothing is loaded.
    let forged = web
        .post_multipart(
            "/console/admin/calendar/years",
            "gongkaiCalendarForm",
            upload("x", &notice),
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.html);
    let broken = web
        .post_multipart(
            "/console/admin/calendar/years",
            "gongkaiCalendarForm",
            upload(&csrf, "{\"year\": 2025}"),
        )
        .await;
    assert_eq!(broken.status, 422, "{}", broken.html);
    broken.assert_has("节假日安排文件无法读取");
    let loaded = web
        .post_multipart(
            "/console/admin/calendar/years",
            "gongkaiCalendarForm",
            upload(&csrf, &notice),
        )
        .await;
    assert_eq!(loaded.status, 303, "{}", loaded.html);
    let records = web.get("/console/admin/calendar").await;
    let records = records.html.split("id=\"loads-h\"").nth(1).unwrap();
    let records = records.split("</table>").next().unwrap();
    assert!(
        records.contains("<td>2025</td>") && records.contains("guanli"),
        "the upload is recorded with who loaded it: {records}"
    );
}

#[actix_rt::test]
async fn an_admin_bound_to_an_office_manages_that_office_only() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    app.add_agency("SHPD");
    let (login, password) = app.add_console_user("bjadmin", Role::Admin, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get("/console/admin/agencies").await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("/console/admin/agencies/BJHD/sender")
        .assert_lacks("SHPD")
        .assert_lacks("添加机关");
    let other = web
        .post(
            "/console/admin/agencies/SHPD/sender",
            &[("email", "x@shpd.gov.cn")],
        )
        .await;
    assert_eq!(other.status, 404, "{}", other.html);
    let added = web
        .post(
            "/console/admin/users",
            &[("name", "王五"), ("role", "clerk"), ("agency", "SHPD")],
        )
        .await;
    assert_eq!(added.status, 422, "{}", added.html);
    added.assert_has("您管理的机关中没有代码为");
}
