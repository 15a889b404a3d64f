//! One case from the applicant's form to the letter, every step taken in the browser by the
//! person whose step it is (issue 15): the applicant files and tracks, the clerk accepts and
//! asks for a correction, the applicant corrects, the clerk drafts, the approver approves from
//! the inbox, the clerk delivers, the applicant reads the letter, the auditor opens the annual
//! report and a cell's cases. Screenshots of the main pages go to `target/screenshots/`.

use gongkai::domain::workflow::Role;

use crate::browser::{browser, Browser};
use crate::helpers::TestApp;

const ID_NUMBER: &str = "11010519491231002X";

/// Opens the sign-in page, signing out whoever is signed in at this browser first.
async fn to_sign_in_page(b: &Browser, app: &TestApp) {
    b.goto(&format!("{}/console/login", app.address)).await;
    if b.has("form.signout[action=\"/console/logout\"]").await {
        b.click_and_wait("form.signout[action=\"/console/logout\"] button")
            .await;
    }
    b.wait_path("/console/login").await;
}

async fn sign_in(b: &Browser, app: &TestApp, login: &str, password: &str) {
    to_sign_in_page(b, app).await;
    b.fill("username", login).await;
    b.fill("password", password).await;
    b.click_and_wait("main button[type=submit]").await;
    b.wait_path("/console/").await;
}

/// Opens the action's form on the case page (a closed `<details>`), fills it, submits it.
async fn act(b: &Browser, action: &str, fields: &[(&str, &str)], selects: &[(&str, &str)]) {
    let scope = format!("#action-{action}");
    b.click(&format!("{scope} summary")).await;
    for (name, value) in selects {
        b.select_in(&scope, name, value).await;
    }
    for (name, value) in fields {
        b.fill_in(&scope, name, value).await;
    }
    b.click_and_wait(&format!("{scope} button[type=submit]"))
        .await;
}

async fn track(b: &Browser, app: &TestApp, tracking: &str, token: &str) {
    b.goto(&format!("{}/track", app.address)).await;
    b.fill("tracking_number", tracking).await;
    b.fill("access_token", token).await;
    b.click_and_wait("main button[type=submit]").await;
    b.wait_path("/track/case").await;
}

async fn file_through_the_form(b: &Browser, app: &TestApp) -> (String, String) {
    b.goto(&format!("{}/", app.address)).await;
    b.assert_accessible("the home page").await;
    b.screenshot("public-home").await;
    b.click_and_wait("a[href=\"/apply/BJHD\"]").await;
    b.wait_path("/apply/BJHD").await;
    b.assert_accessible("the filing form").await;
    b.select_in("form", "applicant.kind", "natural_person")
        .await;
    b.fill("applicant.name", "王五").await;
    b.select_in("form", "applicant.id_document_type", "resident_id_card")
        .await;
    b.fill("applicant.id_number", ID_NUMBER).await;
    b.fill("applicant.phone", "13800000000").await;
    b.fill("applicant.email", "wangwu@example.com").await;
    b.fill("request.description", "2025年海淀区道路维修工程合同")
        .await;
    b.select_in("form", "request.information_form", "electronic")
        .await;
    b.select_in("form", "request.delivery_method", "email")
        .await;
    b.screenshot("public-apply").await;
    b.click_and_wait("form.apply-form button[type=submit]")
        .await;
    let tracking = b.text_of(".tracking-number").await;
    let token = b.text_of(".access-token").await;
    assert!(tracking.starts_with("BJHD-2026-"), "{tracking}");
    assert!(token.starts_with("gka_"), "{token}");
    b.assert_accessible("the receipt").await;
    b.screenshot("public-receipt").await;
    (tracking, token)
}

#[actix_rt::test]
async fn a_case_from_the_form_to_the_letter_in_the_browser() {
    let Some(b) = browser().await else { return };
    let app = TestApp::spawn().await;
    crate::helpers::office(&app, "BJHD");
    let (clerk, clerk_pw) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let (head, head_pw) = app.add_console_user("lisi", Role::Approver, Some("BJHD"));
    let (auditor, auditor_pw) = app.add_console_user("shenji", Role::Auditor, Some("BJHD"));

    let (tracking, token) = file_through_the_form(&b, &app).await;
    track(&b, &app, &tracking, &token).await;
    let text = b.text().await;
    Browser::assert_contains(&text, &tracking);
    Browser::assert_contains(&text, "提交申请");
    b.assert_accessible("the tracking page").await;
    b.screenshot("public-track").await;

    // Five days on, two working days are left to ask for a correction (art. 30): the clerk
    // finds the case in the queue with its badge, accepts it and asks for a correction.
    app.set_today("2026-12-02");
    sign_in(&b, &app, &clerk, &clerk_pw).await;
    let queue = b.text().await;
    Browser::assert_contains(&queue, &tracking);
    Browser::assert_contains(&queue, "3个工作日内到期");
    b.assert_accessible("the queue").await;
    b.screenshot("console-queue").await;
    b.click_and_wait("a[href^=\"/console/cases/\"]").await;
    Browser::assert_contains(&b.text().await, "2025年海淀区道路维修工程合同");
    act(&b, "accept", &[("note", "内部备注：申请人系重复来访")], &[]).await;
    act(
        &b,
        "request_correction",
        &[("items[]", "请写明合同所涉路段")],
        &[],
    )
    .await;
    Browser::assert_contains(&b.text().await, "待补正");
    b.assert_accessible("the case page").await;
    b.screenshot("console-case").await;
    let case_path = b.path().await;

    // The applicant answers the correction on the tracking page.
    track(&b, &app, &tracking, &token).await;
    let page = b.text().await;
    Browser::assert_contains(&page, "请写明合同所涉路段");
    for internal in ["内部备注", "重复来访", "zhangsan", "同志"] {
        assert!(
            !page.contains(internal),
            "{internal} on the applicant's page:\n{page}"
        );
    }
    b.fill("statement", "所涉路段为中关村大街").await;
    b.click_and_wait("form[action=\"/track/correction\"] button[type=submit]")
        .await;
    b.wait_path("/track/case").await;
    Browser::assert_contains(&b.text().await, "补正内容已提交");
    assert!(
        !b.has("form[action=\"/track/correction\"]").await,
        "the correction form is gone once answered"
    );

    // The clerk drafts the answer.
    sign_in(&b, &app, &clerk, &clerk_pw).await;
    b.goto(&format!("{}{case_path}", app.address)).await;
    act(
        &b,
        "propose_decision",
        &[
            ("reasoning", "经审查，该合同属于可以公开的政府信息"),
            ("public_location", "本机关门户网站“政府信息公开”专栏"),
        ],
        &[("outcome", "disclosed")],
    )
    .await;
    Browser::assert_contains(&b.text().await, "待审批");
    // The letter the draft makes, read before it goes to the approver.
    b.click("details.letter-preview summary").await;
    Browser::assert_contains(&b.text().await, "政府信息公开申请答复书");

    // The approver reads the whole draft in the inbox and approves it.
    sign_in(&b, &app, &head, &head_pw).await;
    b.goto(&format!("{}/console/inbox", app.address)).await;
    let inbox = b.text().await;
    Browser::assert_contains(&inbox, &tracking);
    Browser::assert_contains(&inbox, "经审查，该合同属于可以公开的政府信息");
    Browser::assert_contains(&inbox, "zhangsan 同志"); // who drafted it, by name
    b.assert_accessible("the approver's inbox").await;
    b.screenshot("console-inbox").await;
    b.click_and_wait("form[action$=\"/actions/approve\"] button[type=submit]")
        .await;
    b.wait_path("/console/inbox").await;

    // The clerk delivers it by e-mail.
    sign_in(&b, &app, &clerk, &clerk_pw).await;
    b.goto(&format!("{}{case_path}", app.address)).await;
    act(&b, "deliver", &[], &[]).await;
    Browser::assert_contains(&b.text().await, "已送达");

    // The applicant reads the letter.
    track(&b, &app, &tracking, &token).await;
    b.click_and_wait("a[href=\"/track/letter\"]").await;
    let letter = b.text().await;
    Browser::assert_contains(&letter, "王五");
    Browser::assert_contains(&letter, "予以公开");
    for staff in ["zhangsan", "lisi", "同志"] {
        assert!(
            !letter.contains(staff),
            "{staff} on the applicant's letter:\n{letter}"
        );
    }
    b.screenshot("public-letter").await;

    // A form whose anti-forgery token was taken out is refused, and signs nobody in.
    to_sign_in_page(&b, &app).await;
    b.client
        .execute(
            "document.querySelector('input[name=csrf_token]').remove()",
            vec![],
        )
        .await
        .unwrap();
    b.fill("username", &auditor).await;
    b.fill("password", &auditor_pw).await;
    b.click_and_wait("main button[type=submit]").await;
    Browser::assert_contains(&b.text().await, "表单已失效");

    // The auditor opens the annual report and the cases of the cell that counts it.
    sign_in(&b, &app, &auditor, &auditor_pw).await;
    b.goto(&format!(
        "{}/console/report?year=2026&agency=BJHD",
        app.address
    ))
    .await;
    b.assert_accessible("the annual report").await;
    b.screenshot("console-report").await;
    b.click_and_wait("td.num a").await;
    Browser::assert_contains(&b.text().await, &tracking);
    b.close().await;
}
