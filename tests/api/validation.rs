use gongkai::domain::problem_code::ProblemCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, filing, office, Action, TestApp};

/// Sets the value at a JSON pointer, adding the last key if it is not there.
fn with(body: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    with_new(body, parent, key, value)
}

fn with_new(mut body: Value, parent: &str, key: &str, value: Value) -> Value {
    body.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(key.into(), value);
    body
}

fn without(mut body: Value, parent: &str, key: &str) -> Value {
    body.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    body
}

#[actix_rt::test]
async fn bad_filings_get_a_clear_4xx_naming_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let good = filing("BJHD");
    let org = with(
        with(good.clone(), "/applicant/kind", json!("organisation")),
        "/applicant/id_document_type",
        json!("unified_social_credit_code"),
    );
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            without(good.clone(), "/applicant", "id_number"),
            "applicant.id_number",
            "required",
        ),
        (without(good.clone(), "", "request"), "request", "required"),
        (
            with(good.clone(), "/applicant/kind", json!("alien")),
            "applicant.kind",
            "invalid",
        ),
        (
            with(good.clone(), "/request/delivery_method", json!("pigeon")),
            "request.delivery_method",
            "invalid",
        ),
        (
            with(
                good.clone(),
                "/applicant/id_number",
                json!("110105194912310021"),
            ),
            "applicant.id_number",
            "invalid_id_number",
        ),
        (
            with(
                good.clone(),
                "/applicant/id_number",
                json!("110105194902300020"),
            ),
            "applicant.id_number",
            "invalid_id_number",
        ),
        (
            with(good.clone(), "/applicant/name", json!("")),
            "applicant.name",
            "length",
        ),
        (
            with(good.clone(), "/applicant/email", json!("not-an-email")),
            "applicant.email",
            "email",
        ),
        (
            with(good.clone(), "/applicant/phone", json!("call me")),
            "applicant.phone",
            "phone",
        ),
        (
            with(
                good.clone(),
                "/request/description",
                json!("长".repeat(10_001)),
            ),
            "request.description",
            "length",
        ),
        (
            with(good.clone(), "/agency_code", json!("NOPE")),
            "agency_code",
            "unknown_agency",
        ),
        (
            with(good.clone(), "/applicant/extra", json!(1)),
            "applicant.extra",
            "unknown_field",
        ),
        (
            with(good.clone(), "/request/description", json!(42)),
            "request.description",
            "invalid",
        ),
        (
            without(good.clone(), "/applicant", "email"),
            "applicant.email",
            "required",
        ),
        (
            with(
                org.clone(),
                "/applicant/id_number",
                json!("91350100M000100Y43"),
            ),
            "applicant.organisation_type",
            "required",
        ),
        (
            with(
                with(
                    org,
                    "/applicant/organisation_type",
                    json!("research_institution"),
                ),
                "/applicant/id_number",
                json!("91350100M000100Y44"),
            ),
            "applicant.id_number",
            "invalid_id_number",
        ),
        (
            with(
                good.clone(),
                "/applicant/id_document_type",
                json!("unified_social_credit_code"),
            ),
            "applicant.id_document_type",
            "wrong_document",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.public().file(&body).await;
        assert_problem(&r, 422, ProblemCode::ValidationFailed);
        let errors = r.body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "expected {field}/{code} in {}",
            r.body
        );
    }

    let raw = |body: &'static [u8], content_type: &'static str| {
        let app = &app;
        async move {
            app.public()
                .send(
                    "POST",
                    "/api/v1/applications",
                    &[("Content-Type", content_type)],
                    Some(body.to_vec()),
                )
                .await
        }
    };
    let r = raw(b"{\"agency_code\": ", "application/json").await;
    assert_problem(&r, 400, ProblemCode::MalformedJson);
    let r = raw(b"", "application/json").await;
    assert_problem(&r, 400, ProblemCode::MalformedJson);
    let r = raw(b"[1,2]", "application/json").await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let r = raw(b"agency_code=BJHD", "application/x-www-form-urlencoded").await;
    assert_problem(&r, 415, ProblemCode::UnsupportedMediaType);
    let huge = format!("{{\"agency_code\": \"{}\"}}", "x".repeat(70 * 1024));
    let r = app
        .public()
        .send("POST", "/api/v1/applications", &[], Some(huge.into_bytes()))
        .await;
    assert_problem(&r, 413, ProblemCode::PayloadTooLarge);
    let r = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &[("Idempotency-Key", "")],
            Some(serde_json::to_vec(&good).unwrap()),
        )
        .await;
    assert_problem(&r, 400, ProblemCode::InvalidHeader);

    // None of it was stored.
    let list = o.clerk().get("/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]));
}

#[actix_rt::test]
async fn bad_action_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = crate::helpers::file_one(&app, "BJHD").await;
    for (action, body, field) in [
        (
            Action::RequestCorrection,
            json!({ "items": [], "period_working_days": 10 }),
            "items",
        ),
        (
            Action::RequestCorrection,
            json!({ "items": ["  "], "period_working_days": 10 }),
            "items",
        ),
        (
            Action::RequestCorrection,
            json!({ "items": ["x"], "period_working_days": 0 }),
            "period_working_days",
        ),
        (
            Action::RequestCorrection,
            json!({ "items": ["x"] }),
            "period_working_days",
        ),
        (
            Action::ProposeDecision,
            json!({ "outcome": "other_fee_unpaid", "reasoning": "x" }),
            "outcome",
        ),
        (
            Action::ProposeDecision,
            json!({ "outcome": "not_processed_petition", "reasoning": "x", "extra": true }),
            "extra",
        ),
        (
            Action::ConfirmReceipt,
            json!({ "received_on": "2026-02-30" }),
            "received_on",
        ),
        (
            Action::ProposeDecision,
            json!({ "outcome": "disclosed", "reasoning": "\u{200b} \u{3000}" }),
            "reasoning",
        ),
        (
            Action::StartConsultation,
            json!({ "party_kind": "agency", "party_name": "区财政局\r\nBcc: x@example.com",
                    "letter_date": "2026-11-25" }),
            "party_name",
        ),
        (
            Action::StartConsultation,
            json!({ "party_kind": "agency", "party_name": "区财政局",
                    "party_email": "财政局 <office@finance.example>", "letter_date": "2026-11-25" }),
            "party_email",
        ),
    ] {
        let r = o.clerk().act(&id, action, body.clone()).await;
        assert_problem(&r, 422, ProblemCode::ValidationFailed);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    let path = format!("/api/v1/applications/{id}/actions/accept");
    let r = o.clerk().post(&path, &json!({ "version": "one" })).await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["field"].as_str()),
        (422, Some("version"))
    );
    let case = o.clerk().view(&id).await;
    assert_eq!(
        (case.body["status"].as_str(), case.body["version"].as_i64()),
        (Some("registered"), Some(1))
    );
}

#[actix_rt::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = TestApp::spawn().await;
    let r = app.public().get("/api/v1/nothing").await;
    assert_problem(&r, 404, ProblemCode::RouteNotFound);
    let r = app
        .public()
        .send("DELETE", "/api/v1/applications", &[], None)
        .await;
    assert_problem(&r, 405, ProblemCode::MethodNotAllowed);
    let r = app.public().get("/healthz").await;
    assert_eq!(
        (r.status.as_u16(), r.body["status"].as_str()),
        (200, Some("ok"))
    );
    // HEAD is GET without the body; where GET is not served, it is a 405 like any other.
    let r = app.public().send("HEAD", "/healthz", &[], None).await;
    assert_eq!(
        (r.status.as_u16(), &r.body),
        (200, &serde_json::Value::Null)
    );
    assert!(r.header("x-request-id").is_some());
    let r = app
        .public()
        .send("HEAD", "/api/v1/registrations", &[], None)
        .await;
    assert_eq!(r.status.as_u16(), 405);
    assert_eq!(r.header("allow").as_deref(), Some("POST"));
    let r = app
        .public()
        .send("PUT", "/api/v1/applications", &[], None)
        .await;
    assert_eq!(r.header("allow").as_deref(), Some("POST, GET, HEAD"));
}
