//! The applicant's pages (issue 15): filing through the form, the receipt, following a case
//! with its tracking number and access token, the applicant's own steps, and what an
//! applicant page never shows.

use serde_json::json;

use crate::helpers::web::{Page, WebClient};
use crate::helpers::{file_one, office, Action, TestApp};

/// The valid identity number the API tests file with.
const ID_NUMBER: &str = "11010519491231002X";

/// A complete, valid filing as the form's inputs.
fn fields(key: &str) -> Vec<(&'static str, String)> {
    [
        ("applicant.kind", "natural_person"),
        ("applicant.organisation_type", ""),
        ("applicant.name", "王五"),
        ("applicant.id_document_type", "resident_id_card"),
        ("applicant.id_number", ID_NUMBER),
        ("applicant.phone", "138 0000 0000"),
        ("applicant.email", "wangwu@example.com"),
        ("applicant.address", ""),
        ("request.description", "2025年海淀区道路维修工程合同"),
        ("request.document_number", ""),
        ("request.information_form", "electronic"),
        ("request.delivery_method", "email"),
        ("assistance_needed", ""),
        ("_idempotency_key", key),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

async fn post_form(web: &WebClient<'_>, path: &str, fields: &[(&'static str, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    web.post(path, &borrowed).await
}

/// The text between `<dd class="mono tracking-number">` and its end.
fn tracking_number(page: &Page) -> String {
    let at = page.html.find("tracking-number\">").unwrap() + "tracking-number\">".len();
    let len = page.html[at..].find('<').unwrap();
    page.html[at..at + len].to_owned()
}

fn access_token(page: &Page) -> Option<String> {
    let at = page.html.find("access-token\">")? + "access-token\">".len();
    let len = page.html[at..].find('<')?;
    Some(page.html[at..at + len].to_owned())
}

async fn cases_of(app: &TestApp, clerk: &str) -> usize {
    let r = app.as_(clerk).get("/api/v1/applications").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().len()
}

/// Opens the tracking page of a case; asserts it opens.
async fn track(web: &WebClient<'_>, tracking: &str, token: &str) -> Page {
    web.get("/track").await;
    let r = web
        .post(
            "/track",
            &[("tracking_number", tracking), ("access_token", token)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(r.location().as_deref(), Some("/track/case"));
    let page = web.get("/track/case").await;
    assert_eq!(page.status, 200, "{}", page.html);
    page
}

/// Words an applicant page never shows: staff names, comments, notes, whom the office consulted.
const STAFF_ONLY: &[&str] = &[
    "张三",
    "李四",
    "赵六",
    "内部备注甲",
    "退回意见己",
    "批准意见庚",
    "草稿理由戊",
    "秘密建设公司",
    "secret@company.example",
    "drafted_by",
    "approved_by",
    ID_NUMBER,
    "gks_",
];

#[track_caller]
fn nothing_staff_only(page: &Page) {
    for word in STAFF_ONLY {
        page.assert_lacks(word);
    }
}

#[actix_rt::test]
async fn an_applicant_files_through_the_form_and_the_api_sees_the_case() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let web = app.web();

    let home = web.get("/").await;
    assert_eq!(home.status, 200);
    home.assert_has("BJHD 人民政府")
        .assert_has("href=\"/apply/BJHD\"")
        .assert_has("href=\"/track\"")
        .assert_has("第二十九条");

    let form = web.get("/apply/BJHD").await;
    assert_eq!(form.status, 200, "{}", form.html);
    for name in [
        "applicant.kind",
        "applicant.id_number",
        "request.description",
    ] {
        form.assert_has(&format!("name=\"{name}\""));
    }
    form.assert_has("<label for=\"applicant-id_number\"");
    let key = form.input("_idempotency_key").unwrap();

    let receipt = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(receipt.status, 200, "{}", receipt.html);
    receipt
        .assert_has("政府信息公开申请回执")
        .assert_has("data-print")
        .assert_has("2026年11月25日")
        .assert_lacks(ID_NUMBER);
    let tracking = tracking_number(&receipt);
    let token = access_token(&receipt).unwrap();
    assert!(token.starts_with("gka_"), "{token}");
    assert_eq!(
        receipt
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap(),
        "no-store"
    );

    // The API sees the case, with the applicant's token.
    let r = app.as_(&token).view(&tracking).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["request"]["description"],
        "2025年海淀区道路维修工程合同"
    );
    assert_eq!(r.body["channel"], "online");
    // The receipt shows the answer's due day the API gives.
    let clock = app
        .as_(&token)
        .get(&format!("/api/v1/applications/{tracking}/clock"))
        .await;
    let answer = clock.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer")
        .unwrap()
        .clone();
    let due = answer["due_on"].as_str().unwrap();
    let d: chrono::NaiveDate = due.parse().unwrap();
    receipt.assert_has(&gongkai::domain::letter::cn_date(d));
    assert_eq!(cases_of(&app, &o.clerk).await, 1);

    // An unknown office is a page in Chinese, 404.
    let none = web.get("/apply/NOPE").await;
    assert_eq!(none.status, 404);
    none.assert_has("没有这个机关");
}

#[actix_rt::test]
async fn a_field_error_is_shown_beside_its_input_in_chinese_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let web = app.web();
    let form = web.get("/apply/BJHD").await;
    let key = form.input("_idempotency_key").unwrap();
    let wrong = "110105194912310021";
    let mut sent = fields(&key);
    for (k, v) in &mut sent {
        match *k {
            "applicant.id_number" => *v = wrong.to_owned(),
            "request.description" => *v = String::new(),
            "request.delivery_method" => *v = "post".to_owned(),
            _ => {}
        }
    }
    let page = post_form(&web, "/apply/BJHD", &sent).await;
    assert_eq!(page.status, 422, "{}", page.html);
    page.assert_has("申请未提交");
    // Each message beside its input, in Chinese.
    let beside = |id: &str, message: &str| {
        let input = page.html.find(&format!("id=\"{id}\"")).unwrap();
        let error = page.html.find(&format!("id=\"{id}-error\"")).unwrap();
        assert!(error > input, "{id}'s error after its input");
        assert!(
            page.html[error..].find(message).unwrap() < 200,
            "{id}: {message}"
        );
    };
    beside("applicant-id_number", "校验码不符");
    beside("applicant-address", "选择邮寄送达，须填写通信地址");
    beside("request-description", "缺少必填项");
    page.assert_lacks("request.description</p>");
    page.assert_has("field invalid");
    // What was typed is kept: in its input, and nowhere else for the identity number.
    assert_eq!(page.input("applicant.name").as_deref(), Some("王五"));
    assert_eq!(page.input("applicant.id_number").as_deref(), Some(wrong));
    assert_eq!(page.html.matches(wrong).count(), 1);
    assert!(page.html.contains("value=\"post\" selected"));
    assert_eq!(
        page.input("_idempotency_key").as_deref(),
        Some(key.as_str())
    );
    assert_eq!(cases_of(&app, &o.clerk).await, 0);

    // Fixed, the same form files.
    let fixed = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(fixed.status, 200, "{}", fixed.html);
    assert_eq!(cases_of(&app, &o.clerk).await, 1);
}

#[actix_rt::test]
async fn a_double_submit_files_once_and_shows_the_same_token() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let web = app.web();
    let form = web.get("/apply/BJHD").await;
    let key = form.input("_idempotency_key").unwrap();
    let first = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(first.status, 200, "{}", first.html);
    let token = access_token(&first).unwrap();
    // Sent again (a double click without the script, a reload): the same case, and the same
    // token, derived from the form's own key, so the sender who only saw the second answer
    // still gets it (nobody else holds that key).
    let again = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(again.status, 200, "{}", again.html);
    assert_eq!(tracking_number(&again), tracking_number(&first));
    assert_eq!(access_token(&again).as_deref(), Some(token.as_str()));
    again.assert_has("没有重复登记");
    assert_eq!(cases_of(&app, &o.clerk).await, 1);
    // No page shows it again.
    for path in ["/apply/BJHD", "/", "/track"] {
        web.get(path).await.assert_lacks(&token);
    }
    // The key with another form files nothing, and says so.
    let mut other = fields(&key);
    other[8].1 = "另一份申请".to_owned();
    let refused = post_form(&web, "/apply/BJHD", &other).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused.assert_has("此前已提交过");
    assert_ne!(refused.input("_idempotency_key").unwrap(), key);
    assert_eq!(cases_of(&app, &o.clerk).await, 1);
}

#[actix_rt::test]
async fn a_form_without_its_token_is_refused() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let web = app.web();
    web.get("/apply/BJHD").await;
    let sent: Vec<(String, String)> = fields("k1")
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let r = web.post_raw("/apply/BJHD", &sent).await;
    assert_eq!(r.status, 403);
    assert_eq!(cases_of(&app, &o.clerk).await, 0);
}

#[actix_rt::test]
async fn tracking_with_a_wrong_token_is_refused_and_repeated_failures_are_limited() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let (_, other_token) = file_one(&app, "BJHD").await;
    let tracking = app.public().view(&id).await;
    let _ = tracking;
    let number = {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::db::cases::by_id_or_tracking_number(conn, &id)
            .unwrap()
            .unwrap()
            .tracking_number
    };
    let web = app.web();
    web.get("/track").await;
    // Another case's token does not open this case.
    let r = web
        .post(
            "/track",
            &[("tracking_number", &number), ("access_token", &other_token)],
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.html);
    r.assert_has("查询号或访问码不正确")
        .assert_lacks(&other_token);
    assert_eq!(r.input("tracking_number").as_deref(), Some(number.as_str()));
    assert!(web.cookie("gongkai_track").is_none());
    assert_eq!(
        web.get("/track/case").await.location().as_deref(),
        Some("/track")
    );
    for _ in 0..4 {
        let r = web
            .post(
                "/track",
                &[("tracking_number", &number), ("access_token", "gka_wrong")],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let limited = web
        .post(
            "/track",
            &[("tracking_number", &number), ("access_token", "gka_wrong")],
        )
        .await;
    assert_eq!(limited.status, 429, "{}", limited.html);
    limited.assert_has("输错次数过多");
}

/// A case filed through the API, opened on its tracking page: (id, tracking number, token).
async fn filed(app: &TestApp) -> (String, String, String) {
    let (id, token) = file_one(app, "BJHD").await;
    let r = app.as_(&token).view(&id).await;
    let number = r.body["tracking_number"].as_str().unwrap().to_owned();
    (id, number, token)
}

#[actix_rt::test]
async fn the_applicant_corrects_the_application_on_the_track_page() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, number, token) = filed(&app).await;
    let ask =
        json!({ "items": ["请写明合同的签订年份", "请说明工程路段"], "period_working_days": 10 });
    o.clerk().act_ok(&id, Action::RequestCorrection, ask).await;
    let web = app.web();
    let page = track(&web, &number, &token).await;
    page.assert_has("待补正")
        .assert_has("请写明合同的签订年份")
        .assert_has("请说明工程路段")
        .assert_has("action=\"/track/correction\"")
        .assert_has("name=\"statement\"")
        .assert_has("暂停计时");
    nothing_staff_only(&page);
    let version = page.input("version").unwrap();

    // Empty, it is refused beside its input.
    let refused = web
        .post(
            "/track/correction",
            &[
                ("version", &version),
                ("statement", ""),
                ("document_number", "海政发〔2025〕3号"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    refused
        .assert_has("id=\"statement-error\"")
        .assert_has("缺少必填项</p>");
    assert_eq!(
        refused.input("document_number").as_deref(),
        Some("海政发〔2025〕3号")
    );

    let done = web
        .post(
            "/track/correction",
            &[
                ("version", &version),
                ("statement", "合同为2025年签订，路段为中关村大街"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let after = web.get(done.location().as_deref().unwrap()).await;
    after
        .assert_has("补正内容已提交")
        .assert_lacks("name=\"statement\"");
    let r = app.as_(&token).view(&id).await;
    assert!(
        r.body["correction"]["corrected_received_on"].is_string(),
        "{}",
        r.body
    );
    let events = o.clerk().events(&id).await;
    assert_eq!(events.last().unwrap()["action"], "submit_correction");
}

#[actix_rt::test]
async fn the_fee_notice_says_how_much_and_how_to_pay() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, number, token) = filed(&app).await;
    o.clerk()
        .act_ok(&id, Action::Accept, json!({ "note": "内部备注甲" }))
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 50 }),
        )
        .await;
    let fee = app.as_(&token).view(&id).await.body["fee"].clone();
    let amount = fee["amount_fen"].as_i64().unwrap();
    let web = app.web();
    let page = track(&web, &number, &token).await;
    page.assert_has("信息处理费")
        .assert_has(&format!("{}.{:02} 元", amount / 100, amount % 100))
        .assert_has("BJHD 财政局")
        .assert_has("6222 0000 1111 2222")
        .assert_has("缴费期限")
        .assert_has("不计入答复期限")
        .assert_has("恢复计时后重新确定答复期限");
    nothing_staff_only(&page);
}

#[actix_rt::test]
async fn withdrawing_asks_for_confirmation_first() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, number, token) = filed(&app).await;
    let web = app.web();
    let page = track(&web, &number, &token).await;
    page.assert_has("href=\"/track/withdraw\"");
    let confirm = web.get("/track/withdraw").await;
    assert_eq!(confirm.status, 200, "{}", confirm.html);
    confirm
        .assert_has("data-confirm")
        .assert_has("确认撤回申请")
        .assert_has("撤回不能取消");
    // Opening the confirmation changes nothing.
    assert_eq!(app.as_(&token).view(&id).await.body["status"], "registered");
    let version = confirm.input("version").unwrap();
    let done = web
        .post(
            "/track/withdraw",
            &[("version", &version), ("reason", "已通过其他途径获得")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let after = web.get("/track/case?done=withdraw").await;
    after
        .assert_has("申请已撤回")
        .assert_has("已撤回")
        .assert_lacks("href=\"/track/withdraw\"");
    assert_eq!(o.clerk().view(&id).await.body["status"], "withdrawn");
}

#[actix_rt::test]
async fn the_letter_is_read_and_printed_after_delivery_and_nothing_staff_only_shows() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, number, token) = filed(&app).await;
    let web = app.web();
    o.clerk()
        .act_ok(&id, Action::Accept, json!({ "note": "内部备注甲" }))
        .await;
    let third = json!({ "party_kind": "third_party", "party_name": "秘密建设公司",
        "party_email": "secret@company.example", "letter_date": "2026-11-25", "note": "内部备注甲" });
    o.clerk()
        .act_ok(&id, Action::StartConsultation, third)
        .await;
    let paused = track(&web, &number, &token).await;
    paused.assert_has("征求意见").assert_has("不计入答复期限");
    nothing_staff_only(&paused);
    let reply = json!({ "consultation_id": "c1", "reply": "consent", "reply_date": "2026-11-25" });
    o.clerk().act_ok(&id, Action::EndConsultation, reply).await;
    let draft = json!({ "outcome": "disclosed", "reasoning": "草稿理由戊" });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    o.approver()
        .act_ok(&id, Action::Return, json!({ "comments": "退回意见己" }))
        .await;
    let answer = json!({ "outcome": "disclosed", "reasoning": "涉及公共利益，依法予以公开" });
    o.clerk().act_ok(&id, Action::ProposeDecision, answer).await;
    let drafted = web.get("/track/case").await;
    drafted.assert_lacks("涉及公共利益").assert_lacks("答复书");
    nothing_staff_only(&drafted);
    o.approver()
        .act_ok(&id, Action::Approve, json!({ "note": "批准意见庚" }))
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": "2026-11-25" }),
        )
        .await;

    let page = web.get("/track/case").await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("已答复")
        .assert_has("政府信息公开申请答复书")
        .assert_has("涉及公共利益，依法予以公开")
        .assert_has("href=\"/track/letter\"");
    nothing_staff_only(&page);
    let letter = web.get("/track/letter").await;
    assert_eq!(letter.status, 200, "{}", letter.html);
    letter
        .assert_has("data-print")
        .assert_has("class=\"doc answer-letter\"");
    nothing_staff_only(&letter);
    // The letter's text is the API's, paragraph by paragraph.
    let api = app
        .as_(&token)
        .get(&format!("/api/v1/applications/{id}/letter"))
        .await;
    let text = api.body["text"].as_str().unwrap();
    let paragraph = text.lines().nth(5).unwrap().trim_start_matches('\u{3000}');
    letter.assert_has(paragraph);
}

#[actix_rt::test]
async fn a_track_session_opens_its_own_case_only_and_signs_out() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (_, number_a, token_a) = filed(&app).await;
    let (id_b, number_b, _) = filed(&app).await;
    let web = app.web();
    let page = track(&web, &number_a, &token_a).await;
    page.assert_has(&number_a).assert_lacks(&number_b);
    web.get("/track").await.assert_has("继续查看该申请");
    // The console's action route is staff's: the applicant's session takes nothing there.
    let version = o.clerk().view(&id_b).await.body["version"].to_string();
    let r = web
        .post(
            &format!("/console/cases/{id_b}/actions/withdraw"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(r.location().unwrap().starts_with("/console/login"));
    assert_eq!(o.clerk().view(&id_b).await.body["status"], "registered");
    // Signing out ends the session.
    let out = web.post("/track/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(web.cookie("gongkai_track").is_none());
    assert_eq!(
        web.get("/track/case").await.location().as_deref(),
        Some("/track")
    );
}

#[actix_rt::test]
async fn the_form_keeps_to_the_intake_limits_of_the_api() {
    let app = TestApp::spawn_with(|s| s.intake_limits.per_client_per_minute = 1).await;
    let o = office(&app, "BJHD");
    let web = app.web();
    let key = web
        .get("/apply/BJHD")
        .await
        .input("_idempotency_key")
        .unwrap();
    let first = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(first.status, 200, "{}", first.html);
    let next = web
        .get("/apply/BJHD")
        .await
        .input("_idempotency_key")
        .unwrap();
    let limited = post_form(&web, "/apply/BJHD", &fields(&next)).await;
    assert_eq!(limited.status, 429, "{}", limited.html);
    limited.assert_has("来自该地址的申请过多");
    assert_eq!(limited.input("applicant.name").as_deref(), Some("王五"));
    assert_eq!(cases_of(&app, &o.clerk).await, 1);
}

#[actix_rt::test]
async fn the_applicant_replies_to_the_office_s_questions() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, number, token) = filed(&app).await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let ask = json!({ "questions": "请说明申请理由" });
    o.clerk().act_ok(&id, Action::AskForReasons, ask).await;
    let web = app.web();
    let page = track(&web, &number, &token).await;
    page.assert_has("请说明申请理由")
        .assert_has("action=\"/track/reasons\"");
    let version = page.input("version").unwrap();
    let done = web
        .post(
            "/track/reasons",
            &[("version", &version), ("reply", "课题研究需要")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    web.get("/track/case?done=reasons")
        .await
        .assert_has("您的说明已提交")
        .assert_lacks("action=\"/track/reasons\"");
    let events = o.clerk().events(&id).await;
    assert_eq!(events.last().unwrap()["action"], "reply_to_reasons");
}

/// A replaced access token closes the tracking pages opened with the old one: whoever read the
/// case with a leaked token is out once the applicant asks for a new one.
#[actix_rt::test]
async fn a_new_access_token_closes_the_tracking_pages_opened_with_the_old_one() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let web = app.web();
    let form = web.get("/apply/BJHD").await;
    let key = form.input("_idempotency_key").unwrap();
    let receipt = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    assert_eq!(receipt.status, 200, "{}", receipt.html);
    let (tracking, token) = (tracking_number(&receipt), access_token(&receipt).unwrap());
    let reader = app.web();
    track(&reader, &tracking, &token).await;

    let reset = app
        .public()
        .post(
            &format!("/api/v1/applications/{tracking}/access-token"),
            &json!({ "id_number": ID_NUMBER }),
        )
        .await;
    assert_eq!(reset.status, 202, "{}", reset.body);
    let after = reader.get("/track/case").await;
    assert_eq!(after.status, 303);
    assert_eq!(after.location().as_deref(), Some("/track"));
}

/// The tracking page has a cookie of its own: a clerk who opens an applicant's case there (at
/// the counter, with the applicant) is still signed in to the console afterwards.
#[actix_rt::test]
async fn opening_a_tracking_page_keeps_the_console_signed_in() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user(
        "guitai",
        gongkai::domain::workflow::Role::Clerk,
        Some("BJHD"),
    );
    let web = app.web();
    web.sign_in(&login, &password).await;
    let form = web.get("/apply/BJHD").await;
    let key = form.input("_idempotency_key").unwrap();
    let receipt = post_form(&web, "/apply/BJHD", &fields(&key)).await;
    let (tracking, token) = (tracking_number(&receipt), access_token(&receipt).unwrap());
    track(&web, &tracking, &token).await;
    assert!(web.cookie("gongkai_track").is_some());
    assert_eq!(web.get("/console/").await.status, 200);
    let out = web.post("/track/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(web.cookie("gongkai_track").is_none());
    assert_eq!(web.get("/console/").await.status, 200);
}
