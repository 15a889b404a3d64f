use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{file_one, office, TestApp};

#[actix_rt::test]
async fn nobody_sees_a_case_they_have_no_business_with() {
    let app = TestApp::spawn().await;
    let bj = office(&app, "BJHD");
    let sh = office(&app, "SHPD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let (other_id, other_applicant) = file_one(&app, "SHPD").await;
    let path = format!("/api/v1/applications/{id}");

    let anonymous = app.get(&path, None).await;
    assert_eq!(
        (anonymous.status.as_u16(), anonymous.code()),
        (401, "unauthenticated")
    );
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    assert_eq!(
        anonymous.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(
        app.get(&path, Some("gks_not-a-real-token")).await.status,
        401
    );
    assert_eq!(
        app.get(&path, Some("gka_not-a-real-token")).await.status,
        401
    );
    let basic = app
        .send("GET", &path, None, &[("Authorization", "Basic eDp5")], None)
        .await;
    assert_eq!(basic.status, 401);

    // Another agency's clerk and another applicant get the same 404 as for an unknown id.
    let unknown = app
        .get(
            "/api/v1/applications/01a1ff9e-0000-7000-8000-000000000000",
            Some(&bj.clerk),
        )
        .await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.code()),
        (404, "not_found")
    );
    for token in [&sh.clerk, &sh.approver, &other_applicant] {
        let r = app.get(&path, Some(token)).await;
        assert_eq!(r.body, unknown.body);
        assert_eq!(
            app.get(&format!("{path}/events"), Some(token)).await.status,
            404
        );
        let act = app.act(&id, "withdraw", token, 1, json!({})).await;
        assert_eq!(act.status, 404);
    }
    assert_eq!(
        app.get("/api/v1/applications/not-a-uuid", Some(&bj.clerk))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path, Some(&applicant)).await.status, 200);
    assert_eq!(
        app.get(
            &format!("/api/v1/applications/{other_id}"),
            Some(&applicant)
        )
        .await
        .status,
        404
    );
    assert_eq!(app.get(&path, Some(&bj.approver)).await.status, 200);

    // Auditors and admins: all cases when bound to none, their agency's when bound.
    let auditor = app.add_user("审计", Role::Auditor, None);
    let admin = app.add_user("管理员", Role::Admin, None);
    let sh_auditor = app.add_user("上海审计", Role::Auditor, Some("SHPD"));
    assert_eq!(app.get(&path, Some(&auditor)).await.status, 200);
    assert_eq!(app.get(&path, Some(&admin)).await.status, 200);
    assert_eq!(app.get(&path, Some(&sh_auditor)).await.status, 404);
    let all = app.get("/api/v1/applications", Some(&auditor)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["items"][0]["allowed_actions"], json!([]));
    let one = app
        .get("/api/v1/applications?agency=shpd", Some(&auditor))
        .await;
    assert_eq!(one.body["items"].as_array().unwrap().len(), 1);
    let theirs = app
        .get("/api/v1/applications?agency=BJHD", Some(&sh_auditor))
        .await;
    assert_eq!(theirs.body["items"], json!([]));

    // Auditors read but never act; applicants never list.
    let r = app.act(&id, "accept", &auditor, 1, json!({})).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "role_not_allowed"));
    let list = app.get("/api/v1/applications", Some(&applicant)).await;
    assert_eq!((list.status.as_u16(), list.code()), (403, "forbidden"));
    // Clerks list only their own agency's cases.
    let bj_list = app.get("/api/v1/applications", Some(&bj.clerk)).await;
    assert_eq!(bj_list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(bj_list.body["items"][0]["id"], json!(id));
}
