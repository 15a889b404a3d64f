use gongkai::domain::problem_code::ProblemCode;
use serde_json::json;

use crate::helpers::{assert_problem, file_one, filing, office, today, Action, TestApp};
use futures_util::future::join_all;

#[actix_rt::test]
async fn filing_online_opens_a_registered_case_with_a_tracking_number_and_access_token() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let r = app.public().file(&filing("bjhd")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let b = &r.body;
    let year = today().format("%Y").to_string();
    assert_eq!(b["tracking_number"], format!("BJHD-{year}-000001"));
    assert_eq!(b["status"], "registered");
    assert_eq!(b["version"], 1);
    assert_eq!(b["channel"], "online");
    assert_eq!(b["received_on"], today().to_string());
    assert_eq!(b["registered_on"], today().to_string());
    assert_eq!(b["applicant"]["id_number_masked"], "1101**********002X");
    assert_eq!(b["allowed_actions"], json!(["withdraw"]));
    let id = b["id"].as_str().unwrap();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v1/applications/{id}")
    );
    assert_eq!(r.header("etag").unwrap(), "\"1\"");

    // The access token is the applicant's bearer for this case, and it is not shown again.
    let token = b["access_token"].as_str().unwrap();
    let own = app.as_(token).view(id).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["tracking_number"], b["tracking_number"]);
    assert!(own.body.get("access_token").is_none());

    let events = app.as_(token).events(id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "file");
    assert_eq!(events[0]["status_before"], json!(null));
    assert_eq!(events[0]["status_after"], "registered");
    assert_eq!(events[0]["actor"]["role"], "applicant");
    assert_eq!(
        events[0]["payload"]["applicant"]["id_number_masked"],
        "1101**********002X"
    );
}

#[actix_rt::test]
async fn tracking_numbers_run_per_agency_and_year_without_gaps_under_concurrency() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    office(&app, "SHPD");
    let filings = (0..12).map(|i| {
        let app = &app;
        async move {
            let agency = if i % 3 == 0 { "SHPD" } else { "BJHD" };
            let r = app.public().file(&filing(agency)).await;
            assert_eq!(r.status, 201, "{}", r.body);
            r.body["tracking_number"].as_str().unwrap().to_owned()
        }
    });
    let mut numbers = join_all(filings).await;
    numbers.sort();
    let year = today().format("%Y").to_string();
    let mut expected: Vec<String> = (1..=8).map(|n| format!("BJHD-{year}-{n:06}")).collect();
    expected.extend((1..=4).map(|n| format!("SHPD-{year}-{n:06}")));
    assert_eq!(numbers, expected);
}

#[actix_rt::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_same_application() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let body = serde_json::to_vec(&filing("BJHD")).unwrap();
    let headers = [("Idempotency-Key", "0b6a9d7c-retry-1")];
    let first = app
        .public()
        .send("POST", "/api/v1/applications", &headers, Some(body.clone()))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    // The same request, even concurrently, creates nothing more and gives the same token back.
    let again = join_all((0..4).map(|_| {
        app.public()
            .send("POST", "/api/v1/applications", &headers, Some(body.clone()))
    }))
    .await;
    for r in &again {
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["id"], first.body["id"]);
        assert_eq!(r.body["tracking_number"], first.body["tracking_number"]);
        assert_eq!(r.body["access_token"], first.body["access_token"]);
        assert_eq!(r.header("idempotent-replayed").as_deref(), Some("true"));
    }
    let token = first.body["access_token"].as_str().unwrap();
    let id = first.body["id"].as_str().unwrap();
    assert_eq!(app.as_(token).view(id).await.status, 200);

    // The same key with another body is refused and changes nothing.
    let mut other = filing("BJHD");
    other["request"]["description"] = json!("另一项信息");
    let r = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &headers,
            Some(serde_json::to_vec(&other).unwrap()),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::IdempotencyKeyReused);
    let list = o.clerk().get("/api/v1/applications").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[actix_rt::test]
async fn a_clerk_registers_a_mailed_application_and_records_its_receipt_date_later() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut body = filing("BJHD");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("mail");
    body["request"]["delivery_method"] = json!("post");
    body["applicant"]["address"] = json!("北京市海淀区某路1号");
    let r = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["channel"], "mail");
    assert_eq!(r.body["received_on"], json!(null));
    assert!(r.body["access_token"].as_str().unwrap().starts_with("gka_"));
    // The answer is shown as the clerk sees the case.
    assert_eq!(r.body["allowed_actions"][0], "confirm_receipt");
    let id = r.body["id"].as_str().unwrap().to_owned();

    // Art. 31: no acceptance before the legal date of receipt is known.
    let case = o.clerk().view(&id).await;
    let allowed = case.body["allowed_actions"].as_array().unwrap();
    assert!(allowed.contains(&json!("confirm_receipt")) && !allowed.contains(&json!("accept")));
    let refused = o.clerk().act(&id, Action::Accept, json!({})).await;
    assert_problem(&refused, 409, ProblemCode::ReceiptDateMissing);
    assert!(refused.body["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("confirm_receipt")));

    let tomorrow = today().succ_opt().unwrap().to_string();
    let future = o
        .clerk()
        .act(
            &id,
            Action::ConfirmReceipt,
            json!({ "received_on": tomorrow }),
        )
        .await;
    assert_problem(&future, 422, ProblemCode::ValidationFailed);
    assert_eq!(future.body["errors"][0]["field"], "received_on");

    let signed = today().pred_opt().unwrap().to_string();
    let ok = o
        .clerk()
        .act(
            &id,
            Action::ConfirmReceipt,
            json!({ "received_on": signed, "basis": "收发室签收" }),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["received_on"], signed);
    let accepted = o.clerk().act(&id, Action::Accept, json!({})).await;
    assert_eq!(accepted.body["status"], "accepted");
    let events = o.clerk().events(&id).await;
    let actions: Vec<_> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["register", "confirm_receipt", "accept"]);
    assert_eq!(events[0]["actor"]["name"], "张三");
    assert_eq!(events[1]["payload"]["received_on"], signed);
}

#[actix_rt::test]
async fn registration_checks_the_receipt_date_and_the_role() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut body = filing("BJHD");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("in_person");
    let missing = o.clerk().post("/api/v1/registrations", &body).await;
    assert_problem(&missing, 422, ProblemCode::ValidationFailed);
    assert_eq!(missing.body["errors"][0]["field"], "received_on");
    body["received_on"] = json!(today().succ_opt().unwrap().to_string());
    let future = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(
        (
            future.status.as_u16(),
            future.body["errors"][0]["code"].as_str()
        ),
        (422, Some("in_the_future"))
    );
    body["received_on"] = json!(today().to_string());
    assert_problem(
        &app.public().post("/api/v1/registrations", &body).await,
        401,
        ProblemCode::Unauthenticated,
    );
    assert_problem(
        &o.approver().post("/api/v1/registrations", &body).await,
        403,
        ProblemCode::Forbidden,
    );
    let ok = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["received_on"], today().to_string());
}

#[actix_rt::test]
async fn identity_numbers_are_stored_only_hashed_and_masked() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    file_one(&app, "BJHD").await;
    let conn = &mut *app.services.conn().unwrap();
    let rows: Vec<gongkai::db::models::ApplicationRow> = gongkai::db::schema::applications::table
        .select(gongkai::db::models::ApplicationRow::as_select())
        .load(conn)
        .unwrap();
    let events: Vec<String> = gongkai::db::schema::events::table
        .select(gongkai::db::schema::events::payload)
        .load(conn)
        .unwrap();
    let everything = format!("{rows:?} {events:?}");
    assert!(!everything.contains("11010519491231002X"));
    assert!(!everything.contains("19491231"));
    assert_eq!(rows[0].applicant.id_number_masked, "1101**********002X");
    let expected = app
        .key
        .identity_hash(&gongkai::domain::identity::IdNumber::unchecked(
            gongkai::domain::identity::IdDocumentType::ResidentIdCard,
            "11010519491231002X",
        ));
    assert_eq!(rows[0].applicant.id_number_hash, expected);
    // The same person filing again, typed differently, is matched by the keyed hash.
    let mut again = filing("BJHD");
    again["applicant"]["id_number"] = json!(" 11010519491231002x");
    assert_eq!(app.public().file(&again).await.status, 201);
    let hashes: Vec<String> = gongkai::db::schema::applications::table
        .select(gongkai::db::schema::applications::id_number_hash)
        .load(conn)
        .unwrap();
    assert_eq!(hashes, vec![expected.clone(), expected]);
}
