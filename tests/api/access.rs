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
        // The same as an unknown id for that caller (an applicant's problems are in Chinese).
        let unknown = app
            .get(
                "/api/v1/applications/01a1ff9e-0000-7000-8000-000000000000",
                Some(token),
            )
            .await;
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

/// Every reader of a case, with what each may see of a delivered BJHD case.
#[actix_rt::test]
async fn every_role_reads_a_case_as_its_view_allows_and_no_more() {
    use crate::helpers::Reply;
    let app = TestApp::spawn().await;
    let bj = office(&app, "BJHD");
    let sh = office(&app, "SHPD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let (_, other_applicant) = file_one(&app, "BJHD").await;
    for (v, (action, token, body)) in (1..).zip([
        ("accept", &bj.clerk, json!({ "note": "内部备注" })),
        (
            "propose_decision",
            &bj.clerk,
            json!({ "outcome": "disclosed", "reasoning": "予以公开" }),
        ),
        ("approve", &bj.approver, json!({ "note": "同意" })),
        (
            "deliver",
            &bj.clerk,
            json!({ "method": "email", "delivered_on": crate::helpers::today().to_string() }),
        ),
    ]) {
        let r = app.act(&id, action, token, v, body).await;
        assert_eq!(r.status, 200, "{action}: {}", r.body);
    }
    let auditor = app.add_user("审计", Role::Auditor, None);
    let auditor_bj = app.add_user("海淀审计", Role::Auditor, Some("BJHD"));
    let auditor_sh = app.add_user("浦东审计", Role::Auditor, Some("SHPD"));
    let admin = app.add_user("管理员", Role::Admin, None);
    let admin_bj = app.add_user("海淀管理员", Role::Admin, Some("BJHD"));
    let admin_sh = app.add_user("浦东管理员", Role::Admin, Some("SHPD"));

    // (who, token, may read the case, is staff of its office)
    let readers: Vec<(&str, &str, bool, bool)> = vec![
        ("applicant", &applicant, true, false),
        ("another applicant", &other_applicant, false, false),
        ("clerk", &bj.clerk, true, true),
        ("approver", &bj.approver, true, true),
        ("another office's clerk", &sh.clerk, false, true),
        ("another office's approver", &sh.approver, false, true),
        ("unbound auditor", &auditor, true, true),
        ("auditor of the office", &auditor_bj, true, true),
        ("auditor of another office", &auditor_sh, false, true),
        ("unbound admin", &admin, true, true),
        ("admin of the office", &admin_bj, true, true),
        ("admin of another office", &admin_sh, false, true),
    ];
    let get = |path: String, token: &str| {
        let (app, token) = (&app, token.to_owned());
        async move { app.get(&path, Some(&token)).await }
    };
    for (who, token, may_read, staff) in readers {
        let status = |r: &Reply| r.status.as_u16();
        // What everyone who may read the case reads: the case, its history, clock and letter.
        for path in ["", "/events", "/clock", "/letter"] {
            let r = get(format!("/api/v1/applications/{id}{path}"), token).await;
            let want = if may_read { 200 } else { 404 };
            assert_eq!(status(&r), want, "{who} GET {path}: {}", r.body);
            if may_read {
                let text = r.body.to_string();
                for staff_only in ["内部备注", "drafted_by", "approved_by", "\"internal\""] {
                    let seen = text.contains(staff_only);
                    if !staff {
                        assert!(!seen, "{who} reads {staff_only} at {path}: {text}");
                    }
                }
            }
        }
        let case = get(format!("/api/v1/applications/{id}"), token).await;
        if may_read {
            assert_eq!(case.body.get("internal").is_some(), staff, "{who}");
        }
        // Staff-only readings of the case: its notices and the applicant's history.
        for path in ["/notices", "/applicant-history"] {
            let r = get(format!("/api/v1/applications/{id}{path}"), token).await;
            let want = match (staff, may_read) {
                (false, _) => 403,
                (true, true) => 200,
                (true, false) => 404,
            };
            assert_eq!(status(&r), want, "{who} GET {path}: {}", r.body);
        }
        // The queue: staff only, their office's cases (unbound auditors and admins: all).
        let r = get("/api/v1/applications".into(), token).await;
        if staff {
            let ids: Vec<&str> = r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids.contains(&id.as_str()), may_read, "{who} lists {ids:?}");
        } else {
            assert_eq!(status(&r), 403, "{who} lists cases");
        }
    }
}

/// The office-wide readings, role by role: the applicant none; clerks and approvers the notices
/// and the report; auditors the audit too; admins everything, staff accounts included.
#[actix_rt::test]
async fn every_role_reaches_the_office_wide_readings_its_role_allows() {
    let app = TestApp::spawn().await;
    let bj = office(&app, "BJHD");
    let (_, applicant) = file_one(&app, "BJHD").await;
    let auditor = app.add_user("海淀审计", Role::Auditor, Some("BJHD"));
    let admin = app.add_user("海淀管理员", Role::Admin, Some("BJHD"));
    let paths = [
        "/api/v1/notices?status=failed",
        "/api/v1/reports/annual?agency=BJHD&year=2026",
        "/api/v1/audit/verify?agency=BJHD",
        "/api/v1/audit/cases?agency=BJHD&format=json",
        "/api/v1/audit/events?agency=BJHD",
        "/api/v1/calendar/loads",
        "/api/v1/users",
    ];
    // 1 where the role may read, 0 where it is refused (403).
    let table: [(&str, &str, [u8; 7]); 5] = [
        ("applicant", &applicant, [0, 0, 0, 0, 0, 0, 0]),
        ("clerk", &bj.clerk, [1, 1, 0, 0, 0, 0, 0]),
        ("approver", &bj.approver, [1, 1, 0, 0, 0, 0, 0]),
        ("auditor", &auditor, [1, 1, 1, 1, 1, 1, 0]),
        ("admin", &admin, [1, 1, 1, 1, 1, 1, 1]),
    ];
    for (who, token, may) in table {
        for (path, may) in paths.iter().zip(may) {
            let r = app.get(path, Some(token)).await;
            let want = if may == 1 { 200 } else { 403 };
            assert_eq!(r.status.as_u16(), want, "{who} GET {path}: {}", r.body);
            // Nothing any of them reads carries a token or its hash.
            let text = r.body.to_string();
            for secret in [token, "token_hash", "access_token_hash", "id_number_hash"] {
                assert!(!text.contains(secret), "{who} reads {secret} at {path}");
            }
        }
    }
}
