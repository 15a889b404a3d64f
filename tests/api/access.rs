use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{assert_problem, file_one, office, Action, TestApp};

#[actix_rt::test]
async fn nobody_sees_a_case_they_have_no_business_with() {
    let app = TestApp::spawn().await;
    let bj = office(&app, "BJHD");
    let sh = office(&app, "SHPD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    let (other_id, other_applicant) = file_one(&app, "SHPD").await;
    let path = format!("/api/v1/applications/{id}");

    let anonymous = app.public().get(&path).await;
    assert_problem(&anonymous, 401, ProblemCode::Unauthenticated);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    assert_problem(
        &app.as_("gks_not-a-real-token").get(&path).await,
        401,
        ProblemCode::Unauthenticated,
    );
    assert_problem(
        &app.as_("gka_not-a-real-token").get(&path).await,
        401,
        ProblemCode::Unauthenticated,
    );
    let basic = app
        .public()
        .send("GET", &path, &[("Authorization", "Basic eDp5")], None)
        .await;
    assert_problem(&basic, 401, ProblemCode::Unauthenticated);

    // Another agency's clerk and another applicant get the same 404 as for an unknown id.
    let unknown = bj
        .clerk()
        .get("/api/v1/applications/01a1ff9e-0000-7000-8000-000000000000")
        .await;
    assert_problem(&unknown, 404, ProblemCode::NotFound);
    for token in [&sh.clerk, &sh.approver, &other_applicant] {
        let r = app.as_(token).get(&path).await;
        // The same as an unknown id for that caller (an applicant's problems are in Chinese).
        let unknown = app
            .as_(token)
            .get("/api/v1/applications/01a1ff9e-0000-7000-8000-000000000000")
            .await;
        assert_eq!(r.body, unknown.body);
        assert_problem(
            &app.as_(token).get(&format!("{path}/events")).await,
            404,
            ProblemCode::NotFound,
        );
        let act = app.as_(token).act(&id, Action::Withdraw, json!({})).await;
        assert_problem(&act, 404, ProblemCode::NotFound);
    }
    assert_problem(
        &bj.clerk().get("/api/v1/applications/not-a-uuid").await,
        404,
        ProblemCode::NotFound,
    );
    assert_eq!(app.as_(&applicant).get(&path).await.status, 200);
    assert_problem(
        &app.as_(&applicant).view(&other_id).await,
        404,
        ProblemCode::NotFound,
    );
    assert_eq!(bj.approver().get(&path).await.status, 200);

    // Auditors and admins: all cases when bound to none, their agency's when bound.
    let auditor = app.add_user("审计", Role::Auditor, None);
    let admin = app.add_user("管理员", Role::Admin, None);
    let sh_auditor = app.add_user("上海审计", Role::Auditor, Some("SHPD"));
    assert_eq!(app.as_(&auditor).get(&path).await.status, 200);
    assert_eq!(app.as_(&admin).get(&path).await.status, 200);
    assert_problem(
        &app.as_(&sh_auditor).get(&path).await,
        404,
        ProblemCode::NotFound,
    );
    let all = app.as_(&auditor).get("/api/v1/applications").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["items"][0]["allowed_actions"], json!([]));
    let one = app
        .as_(&auditor)
        .get("/api/v1/applications?agency=shpd")
        .await;
    assert_eq!(one.body["items"].as_array().unwrap().len(), 1);
    let theirs = app
        .as_(&sh_auditor)
        .get("/api/v1/applications?agency=BJHD")
        .await;
    assert_eq!(theirs.body["items"], json!([]));

    // Auditors read but never act; applicants never list.
    let r = app.as_(&auditor).act(&id, Action::Accept, json!({})).await;
    assert_problem(&r, 403, ProblemCode::RoleNotAllowed);
    let list = app.as_(&applicant).get("/api/v1/applications").await;
    assert_problem(&list, 403, ProblemCode::Forbidden);
    // Clerks list only their own agency's cases.
    let bj_list = bj.clerk().get("/api/v1/applications").await;
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
    for (action, who, body) in [
        (Action::Accept, bj.clerk(), json!({ "note": "内部备注" })),
        (
            Action::ProposeDecision,
            bj.clerk(),
            json!({ "outcome": "disclosed", "reasoning": "予以公开" }),
        ),
        (Action::Approve, bj.approver(), json!({ "note": "同意" })),
        (
            Action::Deliver,
            bj.clerk(),
            json!({ "method": "email", "delivered_on": crate::helpers::today().to_string() }),
        ),
    ] {
        who.act_ok(&id, action, body).await;
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
        async move { app.as_(&token).get(&path).await }
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
            let r = app.as_(token).get(path).await;
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
