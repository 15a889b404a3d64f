//! Staff accounts (issue 13): who may list, add, disable, re-enable and rotate users, and load
//! the calendar, role by role; what each sees; disabled and rotated tokens; last use; and the
//! audit of calendar loads.

use gongkai::domain::problem_code::ProblemCode;
use std::collections::BTreeSet;

use gongkai::domain::workflow::Role;
use gongkai::service::admin;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, office, real_today, Action, Reply, TestApp};

/// A user's id and token.
fn user(app: &TestApp, name: &str, role: Role, agency: Option<&str>) -> (String, String) {
    let conn = &mut *app.services.conn().unwrap();
    let (u, token) = admin::add_user(conn, name, role, agency, None).unwrap();
    (u.id.to_string(), token)
}

/// The staff of two offices and of none.
struct Staff {
    clerk: String,
    approver: String,
    auditor: String,
    admin: (String, String),
    other_admin: (String, String),
    unbound_auditor: String,
    unbound_admin: (String, String),
    /// A BJHD clerk that the tests disable, re-enable and give new tokens.
    target: (String, String),
    /// A SHPD clerk.
    other_clerk: (String, String),
}

fn staff(app: &TestApp) -> Staff {
    let bj = office(app, "BJHD");
    office(app, "SHPD");
    Staff {
        clerk: bj.clerk,
        approver: bj.approver,
        auditor: user(app, "审计甲", Role::Auditor, Some("BJHD")).1,
        admin: user(app, "管理甲", Role::Admin, Some("BJHD")),
        other_admin: user(app, "管理乙", Role::Admin, Some("SHPD")),
        unbound_auditor: user(app, "审计总", Role::Auditor, None).1,
        unbound_admin: user(app, "管理总", Role::Admin, None),
        target: user(app, "对象", Role::Clerk, Some("BJHD")),
        other_clerk: user(app, "他人", Role::Clerk, Some("SHPD")),
    }
}

/// Exactly the fields an administrator sees of a user: never a token or its hash.
const USER_FIELDS: [&str; 12] = [
    "agency",
    "approval_level",
    "created_at",
    "disabled",
    "disabled_at",
    "division",
    "division_head",
    "email",
    "id",
    "last_used_on",
    "name",
    "role",
];

fn assert_user_view(u: &Value, with_token: bool) {
    let keys: BTreeSet<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want: BTreeSet<&str> = USER_FIELDS.into_iter().collect();
    if with_token {
        want.insert("token");
    }
    assert_eq!(keys, want, "{u}");
    let text = u.to_string();
    assert!(!text.contains("hash"), "{text}");
}

fn items(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.body["items"].as_array().unwrap().clone();
    for u in &items {
        assert_user_view(u, false);
    }
    items
}

fn agencies_of(items: &[Value]) -> BTreeSet<Option<String>> {
    items
        .iter()
        .map(|u| u["agency"].as_str().map(str::to_owned))
        .collect()
}

#[actix_rt::test]
async fn only_admins_list_users_and_an_office_s_admin_only_its_own() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    for token in [&s.clerk, &s.approver, &s.auditor, &s.unbound_auditor] {
        for path in [
            "/api/v1/users".to_owned(),
            "/api/v1/users?agency=BJHD".to_owned(),
            format!("/api/v1/users/{}", s.target.0),
        ] {
            let r = app.as_(token).get(&path).await;
            assert_problem(&r, 403, ProblemCode::Forbidden);
        }
    }
    let r = app.public().get("/api/v1/users").await;
    assert_problem(&r, 401, ProblemCode::Unauthenticated);

    // The office's admin: its own office's users, and nobody else's.
    let mine = items(&app.as_(&s.admin.1).get("/api/v1/users").await);
    assert_eq!(agencies_of(&mine), BTreeSet::from([Some("BJHD".into())]));
    // 张三, 赵六, 李四, 审计甲, 管理甲, 对象
    assert_eq!(mine.len(), 6, "{mine:?}");
    assert_eq!(
        items(&app.as_(&s.admin.1).get("/api/v1/users?agency=bjhd").await).len(),
        6
    );
    for path in ["/api/v1/users?agency=SHPD", "/api/v1/users?agency=NOPE"] {
        let r = app.as_(&s.admin.1).get(path).await;
        assert_problem(&r, 404, ProblemCode::NotFound);
    }
    let r = app
        .as_(&s.admin.1)
        .get(&format!("/api/v1/users/{}", s.other_clerk.0))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    let r = app
        .as_(&s.admin.1)
        .get(&format!("/api/v1/users/{}", s.unbound_admin.0))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    let r = app
        .as_(&s.admin.1)
        .get(&format!("/api/v1/users/{}", s.target.0))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_user_view(&r.body, false);
    assert_eq!(
        (r.body["name"].as_str(), r.body["agency"].as_str()),
        (Some("对象"), Some("BJHD"))
    );

    // The other office's admin: its office only.
    let theirs = items(&app.as_(&s.other_admin.1).get("/api/v1/users").await);
    assert_eq!(agencies_of(&theirs), BTreeSet::from([Some("SHPD".into())]));
    let r = app
        .as_(&s.other_admin.1)
        .get(&format!("/api/v1/users/{}", s.target.0))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);

    // The unbound admin: everyone, or one office.
    let all = items(&app.as_(&s.unbound_admin.1).get("/api/v1/users").await);
    assert_eq!(all.len(), 6 + 5 + 2, "{all:?}");
    assert_eq!(
        agencies_of(&all),
        BTreeSet::from([None, Some("BJHD".into()), Some("SHPD".into())])
    );
    let sh = items(
        &app.as_(&s.unbound_admin.1)
            .get("/api/v1/users?agency=SHPD")
            .await,
    );
    assert_eq!(sh.len(), 5);
    let r = app
        .as_(&s.unbound_admin.1)
        .get("/api/v1/users?agency=NOPE")
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    let r = app
        .as_(&s.unbound_admin.1)
        .get("/api/v1/users?office=BJHD")
        .await;
    assert_problem(&r, 400, ProblemCode::InvalidQuery);

    // The day a token was last used is kept; a token never used shows none.
    let me = all.iter().find(|u| u["name"] == "管理总").unwrap();
    assert_eq!(me["last_used_on"], real_today().to_string());
    let never = all.iter().find(|u| u["name"] == "他人").unwrap();
    assert_eq!(never["last_used_on"], Value::Null);
    assert_eq!(never["disabled"], false);
}

#[actix_rt::test]
async fn admins_add_users_to_the_offices_they_administer_and_see_the_token_once() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    let form = json!({ "name": "新人", "role": "clerk", "agency": "BJHD" });
    for token in [&s.clerk, &s.approver, &s.auditor, &s.unbound_auditor] {
        let r = app.as_(token).post("/api/v1/users", &form).await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
    }
    // The office's admin: its own office, by default or by name.
    for body in [
        json!({ "name": "新人", "role": "clerk" }),
        json!({ "name": "新审批", "role": "approver", "agency": "bjhd", "email": "x@example.com" }),
    ] {
        let r = app.as_(&s.admin.1).post("/api/v1/users", &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_user_view(&r.body, true);
        assert_eq!(r.body["agency"], "BJHD");
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        let location = r.header("location").unwrap();
        assert_eq!(
            location,
            format!("/api/v1/users/{}", r.body["id"].as_str().unwrap())
        );
        let token = r.body["token"].as_str().unwrap();
        assert!(token.starts_with("gks_") && token.len() == 68);
        // The token works; reading the user again never shows it.
        assert_eq!(app.as_(token).get("/api/v1/applications").await.status, 200);
        let again = app.as_(&s.admin.1).get(&location).await;
        assert_user_view(&again.body, false);
    }
    // …never another office, nor staff bound to no office.
    let r = app
        .as_(&s.admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "越权", "role": "clerk", "agency": "SHPD" }),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    assert_eq!(r.body["errors"][0]["field"], "agency");
    assert_eq!(r.body["errors"][0]["code"], "unknown_agency");
    let r = app
        .as_(&s.other_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "越权", "role": "admin", "agency": "BJHD" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["code"], "unknown_agency", "{}", r.body);
    let r = app
        .as_(&s.admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "总审计", "role": "auditor" }),
        )
        .await;
    assert_eq!(r.body["agency"], "BJHD", "{}", r.body);

    // The unbound admin: any office, or none for auditors and admins.
    let r = app
        .as_(&s.unbound_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "总管理二", "role": "admin" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["agency"], Value::Null);
    let r = app
        .as_(&s.unbound_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "浦东", "role": "clerk", "agency": "SHPD" }),
        )
        .await;
    assert_eq!(r.body["agency"], "SHPD", "{}", r.body);

    // Bad forms: every field at fault named.
    let r = app
        .as_(&s.unbound_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": " ", "role": "applicant", "email": "nope" }),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let fields: BTreeSet<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, BTreeSet::from(["name", "role", "email"]));
    let r = app
        .as_(&s.unbound_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "无机关", "role": "clerk" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["code"], "required", "{}", r.body);
    let r = app
        .as_(&s.unbound_admin.1)
        .post(
            "/api/v1/users",
            &json!({ "name": "x", "role": "clerk", "agency": "BJHD", "token_hash": "x" }),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
}

#[actix_rt::test]
async fn a_disabled_user_s_token_is_refused_everywhere_until_re_enabled() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    let (case, _) = file_one(&app, "BJHD").await;
    let disable = format!("/api/v1/users/{}/disable", s.target.0);
    let enable = format!("/api/v1/users/{}/enable", s.target.0);
    for token in [&s.clerk, &s.approver, &s.auditor, &s.unbound_auditor] {
        for path in [&disable, &enable] {
            let r = app.as_(token).post_empty(path).await;
            assert_problem(&r, 403, ProblemCode::Forbidden);
        }
    }
    for path in [&disable, &enable] {
        let r = app.as_(&s.other_admin.1).post_empty(path).await;
        assert_problem(&r, 404, ProblemCode::NotFound);
    }
    let r = app
        .as_(&s.unbound_admin.1)
        .post_empty("/api/v1/users/nobody/disable")
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);

    let case_path = format!("/api/v1/applications/{case}");
    assert_eq!(app.as_(&s.target.1).get(&case_path).await.status, 200);
    let r = app.as_(&s.admin.1).post_empty(&disable).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_user_view(&r.body, false);
    assert_eq!(r.body["disabled"], true);
    assert!(r.body["disabled_at"].as_str().unwrap().ends_with('Z'));
    // Disabling again changes nothing.
    let again = app.as_(&s.unbound_admin.1).post_empty(&disable).await;
    assert_eq!(again.body["disabled_at"], r.body["disabled_at"]);
    let clock = format!("{case_path}/clock");
    for path in [
        case_path.as_str(),
        clock.as_str(),
        "/api/v1/applications",
        "/api/v1/audit/verify",
        "/api/v1/calendar/years",
    ] {
        let r = app.as_(&s.target.1).get(path).await;
        assert_problem(&r, 401, ProblemCode::Unauthenticated);
    }
    let r = app
        .as_(&s.target.1)
        .act(&case, Action::Accept, json!({}))
        .await;
    assert_problem(&r, 401, ProblemCode::Unauthenticated);

    let r = app.as_(&s.unbound_admin.1).post_empty(&enable).await;
    assert_eq!(
        (r.status.as_u16(), &r.body["disabled"]),
        (200, &json!(false))
    );
    assert_eq!(app.as_(&s.target.1).get(&case_path).await.status, 200);

    // A disabled admin is refused too, on the admin endpoints as everywhere.
    let r = app
        .as_(&s.unbound_admin.1)
        .post_empty(&format!("/api/v1/users/{}/disable", s.admin.0))
        .await;
    assert_eq!(r.status, 200);
    for path in [
        "/api/v1/users",
        "/api/v1/audit/verify",
        "/api/v1/calendar/loads",
    ] {
        let r = app.as_(&s.admin.1).get(path).await;
        assert_problem(&r, 401, ProblemCode::Unauthenticated);
    }
}

#[actix_rt::test]
async fn nobody_disables_their_own_account_nor_the_last_unbound_admin() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    for (id, token) in [&s.admin, &s.unbound_admin] {
        let r = app
            .as_(token)
            .post_empty(&format!("/api/v1/users/{id}/disable"))
            .await;
        assert_problem(&r, 409, ProblemCode::OwnAccount);
    }
    // An office's admin may not touch an unbound admin: it cannot see one.
    let r = app
        .as_(&s.admin.1)
        .post_empty(&format!("/api/v1/users/{}/disable", s.unbound_admin.0))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    // Two unbound admins: one may disable the other, which leaves the last one standing.
    let (second, second_token) = user(&app, "管理总二", Role::Admin, None);
    let r = app
        .as_(&s.unbound_admin.1)
        .post_empty(&format!("/api/v1/users/{second}/disable"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_problem(
        &app.as_(&second_token).get("/api/v1/users").await,
        401,
        ProblemCode::Unauthenticated,
    );
    let conn = &mut *app.services.conn().unwrap();
    let last = admin::disable_user(
        conn,
        admin::Manager::CommandLine,
        &s.unbound_admin.0,
        chrono::Utc::now(),
    );
    assert!(
        matches!(last, Err(admin::AccountError::LastUnboundAdmin)),
        "{last:?}"
    );
    // Re-enabled, the other one may be disabled again.
    admin::enable_user(conn, admin::Manager::CommandLine, &second).unwrap();
    admin::disable_user(
        conn,
        admin::Manager::CommandLine,
        &s.unbound_admin.0,
        chrono::Utc::now(),
    )
    .unwrap();
}

#[actix_rt::test]
async fn a_rotated_token_replaces_the_old_one_at_once() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    let rotate = format!("/api/v1/users/{}/rotate-token", s.target.0);
    for token in [&s.clerk, &s.approver, &s.auditor, &s.unbound_auditor] {
        let r = app.as_(token).post_empty(&rotate).await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
    }
    let r = app.as_(&s.other_admin.1).post_empty(&rotate).await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    assert_eq!(
        app.as_(&s.target.1)
            .get("/api/v1/applications")
            .await
            .status,
        200
    );

    let mut old = s.target.1.clone();
    for by in [&s.admin.1, &s.unbound_admin.1] {
        let r = app.as_(by).post_empty(&rotate).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_user_view(&r.body, true);
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        let new = r.body["token"].as_str().unwrap().to_owned();
        assert!(new.starts_with("gks_") && new != old);
        assert_problem(
            &app.as_(&old).get("/api/v1/applications").await,
            401,
            ProblemCode::Unauthenticated,
        );
        assert_eq!(app.as_(&new).get("/api/v1/applications").await.status, 200);
        old = new;
    }
    // An admin may rotate their own token.
    let r = app
        .as_(&s.admin.1)
        .post_empty(&format!("/api/v1/users/{}/rotate-token", s.admin.0))
        .await;
    assert_eq!(r.status, 200);
    assert_problem(
        &app.as_(&s.admin.1).get("/api/v1/users").await,
        401,
        ProblemCode::Unauthenticated,
    );
    let new = r.body["token"].as_str().unwrap();
    assert_eq!(app.as_(new).get("/api/v1/users").await.status, 200);
}

async fn loads(app: &TestApp, token: String) -> Vec<Value> {
    let r = app.as_(&token).get("/api/v1/calendar/loads").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn notice_2027() -> Vec<u8> {
    json!({
        "year": 2027,
        "papers": ["国务院办公厅关于2027年部分节假日安排的通知"],
        "days": [{ "name": "元旦", "date": "2027-01-01", "isOffDay": true }]
    })
    .to_string()
    .into_bytes()
}

#[actix_rt::test]
async fn the_national_calendar_is_loaded_by_an_unbound_admin_and_days_off_by_the_office_s() {
    let app = TestApp::spawn().await;
    let s = staff(&app);
    let days = json!({ "days_off": [{ "date": "2026-12-30", "name": "地方性节日" }] })
        .to_string()
        .into_bytes();
    let put = |path: &'static str, token: String, body: Vec<u8>| app.as_(token).put(path, body);
    for token in [&s.clerk, &s.approver, &s.auditor, &s.unbound_auditor] {
        let r = put("/api/v1/calendar/years/2027", token.clone(), notice_2027()).await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
        let r = put(
            "/api/v1/agencies/BJHD/days-off/2026",
            token.clone(),
            days.clone(),
        )
        .await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
    }
    // Office-bound admins: not the national calendar; their own office's days off only.
    for token in [&s.admin.1, &s.other_admin.1] {
        let r = put("/api/v1/calendar/years/2027", token.clone(), notice_2027()).await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
    }
    let r = put(
        "/api/v1/agencies/BJHD/days-off/2026",
        s.other_admin.1.clone(),
        days.clone(),
    )
    .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
    let r = put(
        "/api/v1/agencies/BJHD/days-off/2026",
        s.admin.1.clone(),
        days.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = put(
        "/api/v1/agencies/SHPD/days-off/2026",
        s.unbound_admin.1.clone(),
        days.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = put(
        "/api/v1/calendar/years/2027",
        s.unbound_admin.1.clone(),
        notice_2027(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Who loaded each year: for staff; the public sees how it came in.
    let public = app.public().get("/api/v1/calendar/years").await;
    let years = public.body["years"].as_array().unwrap();
    for y in years {
        assert!(y.get("loaded_by").is_none(), "{y}");
    }
    assert_eq!(years[0]["loaded_via"], "shipped");
    let last = years.last().unwrap();
    assert_eq!(
        (&last["year"], &last["loaded_via"]),
        (&json!(2027), &json!("api"))
    );
    for token in [
        &s.clerk,
        &s.approver,
        &s.auditor,
        &s.admin.1,
        &s.other_admin.1,
        &s.unbound_auditor,
        &s.unbound_admin.1,
    ] {
        let r = app.as_(token).get("/api/v1/calendar/years").await;
        assert_eq!(r.status, 200);
        let years = r.body["years"].as_array().unwrap();
        assert_eq!(years[0]["loaded_by"], "shipped with gongkai");
        assert_eq!(years.last().unwrap()["loaded_by"], "管理总");
    }
    let r = app
        .as_("gks_not-a-token")
        .get("/api/v1/calendar/years")
        .await;
    assert_problem(&r, 401, ProblemCode::Unauthenticated);

    // The audit of loads: who, in which role and office, when, what changed.
    for token in [&s.clerk, &s.approver] {
        let r = app.as_(token).get("/api/v1/calendar/loads").await;
        assert_problem(&r, 403, ProblemCode::Forbidden);
    }
    let loads = |token: String| loads(&app, token);
    let all = loads(s.unbound_auditor.clone()).await;
    assert_eq!(loads(s.unbound_admin.1.clone()).await, all);
    // 2019–2026 as shipped, two offices' days off, 2027.
    assert_eq!(all.len(), 8 + 3, "{all:?}");
    let national = &all[0];
    assert_eq!(
        (
            &national["year"],
            &national["agency"],
            &national["by"],
            &national["by_role"],
            &national["via"]
        ),
        (
            &json!(2027),
            &Value::Null,
            &json!("管理总"),
            &json!("admin"),
            &json!("api")
        )
    );
    assert_eq!(national["by_user_id"], json!(s.unbound_admin.0));
    assert_eq!(national["changes"]["replaced"], false);
    assert_eq!(national["changes"]["days_off"], 1);
    let bj = all.iter().find(|l| l["agency"] == "BJHD").unwrap();
    assert_eq!(
        (&bj["by"], &bj["by_agency"], &bj["year"]),
        (&json!("管理甲"), &json!("BJHD"), &json!(2026))
    );
    assert_eq!(bj["changes"]["added"][0]["date"], "2026-12-30");
    assert_eq!(bj["changes"]["removed"], json!([]));
    let shipped = all.last().unwrap();
    assert_eq!(
        (&shipped["via"], &shipped["by"]),
        (&json!("shipped"), &json!("shipped with gongkai"))
    );
    // An office's auditor and admin see the national loads and their own office's.
    for token in [&s.auditor, &s.admin.1] {
        let mine = loads(token.clone()).await;
        assert_eq!(mine.len(), 8 + 1 + 1);
        assert!(mine
            .iter()
            .all(|l| l["agency"].is_null() || l["agency"] == "BJHD"));
    }
    let theirs = loads(s.other_admin.1.clone()).await;
    assert!(theirs
        .iter()
        .all(|l| l["agency"].is_null() || l["agency"] == "SHPD"));
    assert_eq!(theirs.len(), 10);

    // Loading the days off again: what was removed is said.
    let none = json!({ "days_off": [] }).to_string().into_bytes();
    let r = put(
        "/api/v1/agencies/BJHD/days-off/2026",
        s.admin.1.clone(),
        none,
    )
    .await;
    assert_eq!(r.status, 200);
    let latest = &loads(s.admin.1.clone()).await[0];
    assert_eq!(latest["changes"]["removed"][0]["name"], "地方性节日");

    // The audit cannot be edited.
    use diesel::connection::SimpleConnection;
    let conn = &mut *app.services.conn().unwrap();
    let err = conn
        .batch_execute("UPDATE calendar_loads SET actor_name = 'forged'")
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}
