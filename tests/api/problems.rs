//! Problems (issue 14): one list of codes, the spec's table true to it both ways; internal
//! failures as an opaque 500; every text in Chinese and English, chosen per request; every
//! fault of a body in one answer; `reason` wherever a reason is given.

use std::collections::BTreeSet;

use gongkai::domain::message::Language;
use gongkai::domain::problem_code::ProblemCode;
use serde_json::{json, Value};

use crate::helpers::{file_one, filing, office, Action, Reply, TestApp};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api/openapi.yaml"))
        .expect("api/openapi.yaml exists");
    serde_norway::from_str(&text).expect("api/openapi.yaml is valid YAML")
}

#[test]
fn the_spec_lists_exactly_the_problem_codes_both_ways_with_their_status() {
    let spec = spec();
    let ours: BTreeSet<(u16, String)> = ProblemCode::ALL
        .iter()
        .map(|c| (c.status(), c.to_string()))
        .collect();
    // The table under "## Errors": `| 409 | `own_account` | … |`.
    let description = spec["info"]["description"].as_str().unwrap();
    let errors = description
        .split("## Errors")
        .nth(1)
        .expect("an Errors section");
    let table: BTreeSet<(u16, String)> = errors
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse().ok()?;
            let code = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((status, code.to_owned()))
        })
        .collect();
    assert_eq!(table, ours, "the Errors table and ProblemCode differ");
    let listed: BTreeSet<String> = spec["components"]["schemas"]["Problem"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let ours: BTreeSet<String> = ProblemCode::ALL.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        listed, ours,
        "the Problem schema's code enum and ProblemCode differ"
    );
}

async fn file_in(app: &TestApp, body: &Value, language: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = language
        .map(|l| ("Accept-Language", l))
        .into_iter()
        .collect();
    app.send(
        "POST",
        "/api/v1/applications",
        None,
        &headers,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

/// The shared `assert_problem`, and the language the problem was answered in.
fn assert_problem_in(r: &Reply, status: u16, code: ProblemCode, language: &str) {
    crate::helpers::assert_problem(r, status, code);
    assert_eq!(r.header("content-language").as_deref(), Some(language));
}

fn field<'a>(r: &'a Reply, name: &str) -> &'a Value {
    r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == name)
        .unwrap_or_else(|| panic!("no error for {name} in {}", r.body))
}

#[actix_rt::test]
async fn a_template_that_fails_is_an_opaque_500_not_a_conflict() {
    let templates = tempfile::tempdir().unwrap();
    // Parses at start-up, fails when a filing's receipt is rendered.
    std::fs::write(
        templates.path().join("receipt.txt"),
        "{{ secret_internal_function() }}",
    )
    .unwrap();
    let mail = tempfile::tempdir().unwrap();
    let (dir, mail_dir) = (templates.path().to_owned(), mail.path().to_owned());
    let app = TestApp::spawn_with(move |s| {
        s.mail = Some(gongkai::startup::MailSettings {
            smtp_url: None,
            mail_dir,
            from: "gongkai@localhost".into(),
            interval: std::time::Duration::from_secs(3600),
            template_dir: Some(dir),
            digest_at: chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            lease: chrono::Duration::seconds(60),
        })
    })
    .await;
    app.add_agency("BJHD");
    for (language, detail) in [
        (None, "内部错误"),
        (Some("en"), "an internal error occurred"),
    ] {
        let r = file_in(&app, &filing("BJHD"), language).await;
        assert_problem_in(
            &r,
            500,
            ProblemCode::Internal,
            if language.is_some() { "en" } else { "zh" },
        );
        assert_eq!(r.body["detail"], detail);
        let text = r.body.to_string();
        for leak in ["secret_internal_function", "receipt", "render", "template"] {
            assert!(!text.contains(leak), "{leak} leaked: {text}");
        }
    }
    // The filing's transaction did not commit.
    let clerk = app.add_user("张三", gongkai::domain::workflow::Role::Clerk, Some("BJHD"));
    let list = app.as_(&clerk).get("/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]));
}

#[actix_rt::test]
async fn refusals_speak_the_language_asked_for_and_staff_default_to_the_configured_one() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    // A second head, so that the first may draft (a lone approver may not: issue 16).
    app.add_user(
        "王主任",
        gongkai::domain::workflow::Role::Approver,
        Some("BJHD"),
    );
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": "disclosed", "reasoning": "可以公开" });
    o.approver()
        .act_ok(&id, Action::ProposeDecision, draft)
        .await;
    let path = format!("/api/v1/applications/{id}/actions/approve");
    let approve = |language: Option<&'static str>| {
        let mut headers = vec![("If-Match", "\"3\"")];
        headers.extend(language.map(|l| ("Accept-Language", l)));
        o.approver()
            .send("POST", &path, &headers, Some(b"{}".to_vec()))
    };
    let zh = approve(Some("en;q=0.5, zh")).await;
    assert_problem_in(&zh, 409, ProblemCode::DrafterCannotApprove, "zh");
    assert_eq!(zh.body["detail"], "审批人不能审批自己起草的答复");
    assert_eq!(zh.body["title"], "冲突");
    let en = approve(Some("zh-CN;q=0.3, en-GB")).await;
    assert_problem_in(&en, 409, ProblemCode::DrafterCannotApprove, "en");
    assert!(en.body["detail"].as_str().unwrap().contains("four eyes"));
    assert_eq!(en.body["title"], "Conflict");
    // No preference on a staff endpoint: the configured default (English in the tests).
    let default = approve(None).await;
    assert_problem_in(&default, 409, ProblemCode::DrafterCannotApprove, "en");

    // A service configured for Chinese answers staff in Chinese too.
    let zh_app = TestApp::spawn_with(|s| s.default_language = Language::Zh).await;
    let r = zh_app.as_("gks_unknown").get("/api/v1/applications").await;
    assert_problem_in(&r, 401, ProblemCode::Unauthenticated, "zh");
    let r = zh_app
        .as_("gks_unknown")
        .send(
            "GET",
            "/api/v1/applications",
            &[("Accept-Language", "en")],
            None,
        )
        .await;
    assert_problem_in(&r, 401, ProblemCode::Unauthenticated, "en");
}

#[actix_rt::test]
async fn applicants_get_chinese_without_a_preference() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (id, token) = file_one(&app, "BJHD").await;
    let mut body = filing("BJHD");
    body["applicant"]["name"] = json!("");
    let r = file_in(&app, &body, None).await;
    assert_problem_in(&r, 422, ProblemCode::ValidationFailed, "zh");
    assert_eq!(field(&r, "applicant.name")["message"], "长度须为 1 至 200");
    let r = file_in(&app, &body, Some("en")).await;
    assert_problem_in(&r, 422, ProblemCode::ValidationFailed, "en");
    assert_eq!(
        field(&r, "applicant.name")["message"],
        "must be 1 to 200 long"
    );
    // Acting with the access token: the applicant's own case.
    let r = app.as_(&token).act(&id, Action::Approve, json!({})).await;
    assert_problem_in(&r, 403, ProblemCode::RoleNotAllowed, "zh");
    assert_eq!(r.body["detail"], "申请人不能进行“批准答复”操作");
    // A route that does not exist, asked in Chinese.
    let r = app
        .send(
            "GET",
            "/api/v1/nothing",
            None,
            &[("Accept-Language", "zh")],
            None,
        )
        .await;
    assert_problem_in(&r, 404, ProblemCode::RouteNotFound, "zh");
}

#[actix_rt::test]
async fn parser_wording_becomes_a_sentence_naming_the_field_and_the_values() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let mut body = filing("BJHD");
    body["applicant"]["id_document_type"] = json!("身份证");
    body["request"]["description"] = json!(42);
    let zh = file_in(&app, &body, Some("zh")).await;
    assert_problem_in(&zh, 422, ProblemCode::ValidationFailed, "zh");
    let doc = field(&zh, "applicant.id_document_type")["message"]
        .as_str()
        .unwrap();
    assert!(
        doc.contains("“身份证”无效") && doc.contains("居民身份证、统一社会信用代码"),
        "{doc}"
    );
    assert!(!doc.contains("unknown variant"), "{doc}");
    assert_eq!(
        field(&zh, "request.description")["message"],
        "request.description 应为文本，收到的是数字 42"
    );
    let en = file_in(&app, &body, Some("en")).await;
    let doc = field(&en, "applicant.id_document_type")["message"]
        .as_str()
        .unwrap();
    assert!(
        doc.contains("\"身份证\" is not allowed") && doc.contains("passport"),
        "{doc}"
    );
    assert_eq!(
        field(&en, "request.description")["message"],
        "request.description must be text, not the number 42"
    );
}

#[actix_rt::test]
async fn a_date_of_the_wrong_shape_in_a_query_names_the_parameter() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    for (language, words) in [("zh", "YYYY-MM-DD 格式"), ("en", "written YYYY-MM-DD")] {
        let r = app
            .send(
                "GET",
                "/api/v1/applications?received_from=2026/02/13",
                Some(&o.clerk),
                &[("Accept-Language", language)],
                None,
            )
            .await;
        assert_problem_in(&r, 400, ProblemCode::InvalidQuery, language);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("received_from") && detail.contains(words),
            "{detail}"
        );
    }
}

fn registration() -> Value {
    let mut body = filing("BJHD");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("in_person");
    body["received_on"] = json!("2026-11-25");
    body
}

#[actix_rt::test]
async fn a_form_with_a_missing_field_a_bad_date_and_a_bad_checksum_gets_one_answer() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut body = registration();
    body["applicant"].as_object_mut().unwrap().remove("phone");
    body["received_on"] = json!("2026/02/13");
    body["applicant"]["id_number"] = json!("110105194912310021");
    for language in ["zh", "en"] {
        let r = app
            .send(
                "POST",
                "/api/v1/registrations",
                Some(&o.clerk),
                &[("Accept-Language", language)],
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await;
        assert_problem_in(&r, 422, ProblemCode::ValidationFailed, language);
        let got: Vec<(&str, &str)> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("applicant.id_number", "invalid_id_number"),
                ("applicant.phone", "required"),
                ("received_on", "invalid"),
            ],
            "{}",
            r.body
        );
        let date = field(&r, "received_on")["message"].as_str().unwrap();
        assert!(
            date.contains("received_on") && date.contains("YYYY-MM-DD"),
            "{date}"
        );
        assert!(date.contains("2026/02/13"), "{date}");
    }
    // Online: an unknown value, a missing object and a checksum, also at once; the checks
    // that would read the missing object are left out.
    let mut body = filing("BJHD");
    body["applicant"]["kind"] = json!("alien");
    body["applicant"]["id_number"] = json!("110105194912310021");
    body.as_object_mut().unwrap().remove("request");
    let r = file_in(&app, &body, None).await;
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["applicant.id_number", "applicant.kind", "request"],
        "{}",
        r.body
    );
    // Nothing was stored.
    let list = o.clerk().get("/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]));
}

#[actix_rt::test]
async fn an_action_body_gets_every_fault_at_once() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    let r = o
        .clerk()
        .act(
            &id,
            Action::RequestCorrection,
            json!({ "items": "写明年份", "by_pigeon": true }),
        )
        .await;
    assert_problem_in(&r, 422, ProblemCode::ValidationFailed, "en");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["by_pigeon", "items", "period_working_days"],
        "{}",
        r.body
    );
    assert!(field(&r, "by_pigeon")["message"]
        .as_str()
        .unwrap()
        .contains("period_working_days"));
}

#[actix_rt::test]
async fn a_reason_is_called_reason_and_the_old_name_still_works() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": "disclosed", "reasoning": "可以公开",
                        "public_location": "本机关门户网站" });
    for body in [
        json!({ "reason": "请补充理由" }),
        json!({ "comments": "再议" }),
    ] {
        let (clerk, approver) = (o.clerk(), o.approver());
        clerk
            .act_ok(&id, Action::ProposeDecision, draft.clone())
            .await;
        approver.act_ok(&id, Action::Return, body).await;
    }
    let events = o.clerk().events(&id).await;
    let reasons: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "return")
        .map(|e| &e["payload"]["reason"])
        .collect();
    assert_eq!(reasons, [&json!("请补充理由"), &json!("再议")]);
    // Both names at once is one reason too many.
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    let r = o
        .approver()
        .act(
            &id,
            Action::Return,
            json!({ "reason": "甲", "comments": "乙" }),
        )
        .await;
    assert_problem_in(&r, 422, ProblemCode::ValidationFailed, "en");
}
