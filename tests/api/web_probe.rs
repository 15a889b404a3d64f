//! The defects a probe of the web pages found (issue 15), each kept fixed: what people read is
//! Chinese and says what they typed as they typed it; forms and addresses behave as a browser
//! expects.

use gongkai::domain::workflow::Role;

use crate::helpers::web::{Page, WebClient};
use crate::helpers::{filing as filing_body, office, TestApp};

const ID_NUMBER: &str = "11010519491231002X";

/// A valid filing on the applicant's form, with `changes` applied.
fn filing(key: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = [
        ("applicant.kind", "natural_person"),
        ("applicant.name", "王五"),
        ("applicant.id_document_type", "resident_id_card"),
        ("applicant.id_number", ID_NUMBER),
        ("applicant.phone", "138 0000 0000"),
        ("applicant.email", "wangwu@example.com"),
        ("request.description", "2025年海淀区道路维修工程合同"),
        ("request.information_form", "electronic"),
        ("request.delivery_method", "email"),
        ("_idempotency_key", key),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in changes {
        match all.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = (*v).to_owned(),
            None => all.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    all
}

async fn post(web: &WebClient<'_>, path: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    web.post(path, &borrowed).await
}

fn is_html(page: &Page) -> bool {
    page.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[actix_rt::test]
async fn a_blank_optional_query_field_is_absent_and_a_bad_one_is_a_chinese_page() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user("shenji", Role::Auditor, None);
    let web = app.web();
    web.sign_in(&login, &password).await;
    // The auditor's form with the optional year (and office) left blank.
    let csv = web
        .get("/console/audit/cases?agency=&year=&format=csv")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.html);
    let report = web.get("/console/report?agency=&year=").await;
    assert_eq!(report.status, 200, "{}", report.html);

    for path in [
        "/console/report?year=abc",
        "/console/audit/cases?agency=&year=abc&format=csv",
    ] {
        let bad = web.get(path).await;
        assert_eq!(bad.status, 400, "{path}: {}", bad.html);
        assert!(is_html(&bad), "{path}: {:?}", bad.headers);
        bad.assert_has("年份应为四位数字").assert_has("“abc”");
    }
    let cell = web
        .get("/console/report/cases?agency=BJHD&year=2026&row=arrow")
        .await;
    assert_eq!(cell.status, 400, "{}", cell.html);
    assert!(is_html(&cell));
    cell.assert_has("年度报告表中没有这一格")
        .assert_lacks("请修改以下字段")
        .assert_lacks("rows[]");
}

#[actix_rt::test]
async fn enum_values_show_their_chinese_names_and_the_input_is_quoted_as_typed() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let web = app.web();
    let form = web.get("/apply/BJHD").await;
    let key = form.input("_idempotency_key").unwrap();

    let page = post(
        &web,
        "/apply/BJHD",
        &filing(
            &key,
            &[("applicant.id_document_type", "unified_social_credit_code")],
        ),
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.html);
    page.assert_has("公民不能使用统一社会信用代码作为身份证明")
        .assert_lacks("unified_social_credit_code 作为");

    let page = post(
        &web,
        "/apply/BJHD",
        &filing(&key, &[("applicant.kind", "bogus")]),
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.html);
    page.assert_has("可选的值：公民（自然人）、法人或者其他组织")
        .assert_lacks("natural_person、organisation")
        .assert_lacks("此项 ");

    let page = post(
        &web,
        "/apply/BJHD",
        &filing(&key, &[("applicant.email", "notanemail")]),
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.html);
    page.assert_has("notanemail")
        .assert_lacks("notan此项")
        .assert_lacks("此项 ");

    // The API's Chinese message names the values in Chinese too (its English keeps the codes).
    let mut body = filing_body("BJHD");
    body["applicant"]["kind"] = serde_json::json!("bogus");
    let api = app.public().file(&body).await;
    assert_eq!(api.status, 422, "{}", api.body);
    let said = api.body.to_string();
    assert!(said.contains("公民（自然人）、法人或者其他组织"), "{said}");
}

#[actix_rt::test]
async fn a_browser_at_an_unknown_page_address_gets_a_chinese_page_or_the_right_address() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let web = app.web();
    for (from, to) in [
        ("/console", "/console/"),
        ("/apply", "/"),
        ("/apply/", "/"),
        ("/track/", "/track"),
    ] {
        let p = web.browse(from).await;
        assert!(p.status.is_redirection(), "{from}: {}", p.status);
        assert_eq!(p.location().as_deref(), Some(to), "{from}");
    }
    for path in ["/index.html", "/console/admin", "/console/cases/"] {
        let p = web.browse(path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(is_html(&p), "{path}: {:?}", p.headers);
        p.assert_has("页面不存在").assert_lacks("nothing is served");
    }
    // The console's 404 is in the console's frame, with the way back to the console.
    web.browse("/console/admin")
        .await
        .assert_has("href=\"/console/\">返回工作台")
        .assert_lacks("href=\"/\">首页");
    web.browse("/index.html")
        .await
        .assert_has("href=\"/\">首页");
    // The API keeps its problem+json, whatever the client accepts.
    let api = web.browse("/api/v1/nothing").await;
    assert_eq!(api.status, 404);
    assert!(!is_html(&api));
    let plain = web.get("/index.html").await;
    assert_eq!(plain.status, 404);
    assert!(!is_html(&plain));
}

#[actix_rt::test]
async fn the_consoles_error_pages_are_in_the_console_and_lead_back_to_it() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let forbidden = web.browse("/console/admin/users").await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.html);
    forbidden
        .assert_has("无权访问")
        .assert_has("href=\"/console/\">返回工作台")
        .assert_lacks("href=\"/\">首页");
    let missing = web.browse("/console/cases/no-such-case").await;
    assert_eq!(missing.status, 404, "{}", missing.html);
    missing
        .assert_has("href=\"/console/\">返回工作台")
        .assert_lacks("href=\"/\">首页");
}

#[actix_rt::test]
async fn a_registration_form_sent_twice_registers_once_and_shows_the_first_receipt() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let form = web.get("/console/register").await;
    let key = form
        .input("_idempotency_key")
        .expect("the form carries its key");
    let fields = [
        ("channel", "mail"),
        ("received_on", "2026-11-24"),
        ("applicant.kind", "natural_person"),
        ("applicant.name", "钱七"),
        ("applicant.id_document_type", "resident_id_card"),
        ("applicant.id_number", ID_NUMBER),
        ("applicant.phone", "010 6255 0000"),
        ("applicant.address", "北京市海淀区中关村大街1号"),
        ("request.description", "2025年海淀区老旧小区改造项目清单"),
        ("request.information_form", "paper"),
        ("request.delivery_method", "post"),
        ("_idempotency_key", key.as_str()),
    ];
    let first = web.post("/console/register", &fields).await;
    assert_eq!(first.status, 201, "{}", first.html);
    let again = web.post("/console/register", &fields).await;
    assert!(again.status.is_success(), "{}", again.html);
    again.assert_has("没有重复登记");
    let secret = |p: &Page| {
        let at = p.html.find("class=\"secret\">").unwrap() + "class=\"secret\">".len();
        p.html[at..at + p.html[at..].find('<').unwrap()].to_owned()
    };
    assert_eq!(secret(&first), secret(&again));
    let r = app.as_(&o.clerk).get("/api/v1/applications").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.body);
}

#[actix_rt::test]
async fn staff_pages_speak_chinese_dates_labels_and_yuan() {
    use crate::helpers::{file_one, today, Action};
    use serde_json::json;
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let day = today().to_string();
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::StartConsultation,
            json!({ "party_kind": "third_party", "party_name": "某建设工程有限公司",
                "party_email": "legal@example.com", "letter_date": day }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::EndConsultation,
            json!({ "reply": "objection", "reply_date": day, "reply_summary": "涉及商业秘密" }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 201, "by_post": true }),
        )
        .await;
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    page.assert_has("不同意公开")
        .assert_lacks("</span>objection")
        .assert_has("2740.00 元")
        .assert_lacks("金额（分）：</span>")
        .assert_lacks("</span>274000");
    // Dates inside sentences are written in Chinese (inputs keep their ISO values).
    for (at, _) in page.html.match_indices("届满") {
        let before: String = page.html[..at].chars().rev().take(1).collect();
        assert_eq!(
            before,
            "日",
            "{}",
            &page.html[at.saturating_sub(80)..at + 6]
        );
    }

    // The calendar page names the years shipped with the program in Chinese.
    let (admin, admin_password) = app.add_console_user("guanli", Role::Admin, None);
    let web = app.web();
    web.sign_in(&admin, &admin_password).await;
    let cal = web.get("/console/admin/calendar").await;
    cal.assert_lacks("shipped with gongkai")
        .assert_has("随程序提供");
    let bad = web
        .post(
            "/console/admin/calendar/years",
            &[("year", "2030"), ("notice", "{\"year\": 2030}")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    bad.assert_has("节假日安排文件无法读取")
        .assert_lacks("missing field");

    // A form that is not one is refused in words, not the parser's.
    let raw = web.post_json_as_form("/console/admin/calendar/years").await;
    assert_eq!(raw.status, 400, "{}", raw.html);
    raw.assert_has("无法读取提交的内容")
        .assert_lacks("Content type error");
}

#[actix_rt::test]
async fn signing_out_with_an_empty_body_is_refused_like_a_wrong_token() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let empty = web.post_raw("/console/logout", &[]).await;
    assert_eq!(empty.status, 403, "{}", empty.html);
    let bare = web.post_json_as_form("/console/logout").await;
    assert_eq!(bare.status, 403, "{}", bare.html);
    // Still signed in.
    assert_eq!(web.get("/console/").await.status, 200);
}

#[actix_rt::test]
async fn a_stale_form_says_the_case_changed_without_version_numbers() {
    use crate::helpers::{file_one, Action};
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    let version = page.input("version").expect("the forms carry the version");
    // Meanwhile a colleague accepted the case.
    o.clerk()
        .act_ok(&id, Action::Accept, serde_json::json!({}))
        .await;
    let stale = web
        .post(
            &format!("/console/cases/{id}/actions/accept"),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.html);
    stale
        .assert_has("案件已有更新，请重新打开页面后再操作")
        .assert_lacks("版，不是第");
}

#[actix_rt::test]
async fn printed_notices_end_with_the_office_and_their_date() {
    use crate::helpers::{file_one, today, Action};
    use serde_json::json;
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::RequestCorrection,
            json!({ "items": ["写明小区名称"], "period_working_days": 10, "by_post": true }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::SubmitCorrection,
            json!({ "statement": "补充小区名称", "received_on": today().to_string() }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 201, "by_post": true }),
        )
        .await;
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let date = gongkai::domain::letter::cn_date(today());
    for doc in ["receipt", "correction", "fee"] {
        let p = web.get(&format!("/console/cases/{id}/print/{doc}")).await;
        assert_eq!(p.status, 200, "{doc}: {}", p.html);
        let foot = p
            .html
            .find("class=\"signature\"")
            .unwrap_or_else(|| panic!("{doc}"));
        let end = foot + p.html[foot..].find("</div>").unwrap();
        assert!(
            p.html[foot..end].contains(&date),
            "{doc}: {}",
            &p.html[foot..end]
        );
    }
    let fee = web.get(&format!("/console/cases/{id}/print/fee")).await;
    fee.assert_has("doc doc-fee");
}

#[actix_rt::test]
async fn what_cannot_be_undone_is_asked_first_without_script() {
    use crate::helpers::file_one;
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    let page = web.get(&format!("/console/cases/{id}")).await;
    let version = page.input("version").unwrap();
    let path = format!("/console/cases/{id}/actions/withdraw");
    // The form as sent without script: the empty `_confirmed` asks on a page, nothing done.
    let ask = web
        .post(&path, &[("version", version.as_str()), ("_confirmed", "")])
        .await;
    assert_eq!(ask.status, 200, "{}", ask.html);
    ask.assert_has("确定要撤回申请吗")
        .assert_has("name=\"_confirmed\" value=\"1\"")
        .assert_has(&format!("action=\"{}\"", path.replace('/', "&#x2f;")));
    assert_eq!(o.clerk().view(&id).await.body["status"], "registered");
    // Said yes on that page: taken.
    let done = web
        .post(&path, &[("version", version.as_str()), ("_confirmed", "1")])
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(o.clerk().view(&id).await.body["status"], "withdrawn");

    // The admin's 停用 and 更换令牌 likewise.
    let (admin, admin_password) = app.add_console_user("guanli", Role::Admin, None);
    let web = app.web();
    web.sign_in(&admin, &admin_password).await;
    let users = web.get("/console/admin/users").await;
    let row = users.html.find("zhangsan 同志").unwrap();
    let at = row + users.html[row..].find("/disable\"").unwrap();
    let start = users.html[..at].rfind("action=\"").unwrap() + 8;
    let disable = format!("{}/disable", &users.html[start..at]);
    let rotate = disable.replace("/disable", "/rotate");
    for (path, question) in [(&disable, "确定停用这个账户吗"), (&rotate, "确定更换吗")]
    {
        let ask = web.post(path, &[("_confirmed", "")]).await;
        assert_eq!(ask.status, 200, "{}", ask.html);
        ask.assert_has(question).assert_lacks("gks_");
    }
    let users = web.get("/console/admin/users").await;
    users.assert_lacks("已停用");
    let done = web.post(&disable, &[("_confirmed", "1")]).await;
    assert_eq!(done.status, 303, "{}", done.html);
    web.get("/console/admin/users").await.assert_has("已停用");
}
