//! Staff sign-in to the web console (issue 15): Argon2id passwords, sessions in the database,
//! anti-forgery tokens, limits on repeated failures.

use gongkai::domain::workflow::Role;

use crate::helpers::TestApp;

#[actix_rt::test]
async fn a_clerk_signs_in_sees_the_console_and_signs_out() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("zhangsan", Role::Clerk, Some("BJHD"));
    let web = app.web();

    let before = web.get("/console/").await;
    assert_eq!(before.status, 303);
    assert_eq!(
        before.location().as_deref(),
        Some("/console/login?next=/console/")
    );

    let form = web.get("/console/login").await;
    assert_eq!(form.status, 200);
    form.assert_has("工作人员登录")
        .assert_has("name=\"csrf_token\"");
    let csp = form
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    web.sign_in(&login, &password).await;
    let cookie = form
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(cookie
        .clone()
        .all(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict")));
    let home = web.get("/console/").await;
    assert_eq!(home.status, 200, "{}", home.html);
    home.assert_has("zhangsan 同志")
        .assert_has("经办人")
        .assert_has("案件队列");
    // The API token never appears on a page, and the session is no API token.
    home.assert_lacks("gks_");
    let secret = web.cookie("gongkai_session").unwrap();
    let api = app.as_(&secret).get("/api/v1/applications").await;
    assert_eq!(api.status, 401);

    let out = web.post("/console/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(web.cookie("gongkai_session").is_none());
    // The session is gone from the database: the old cookie opens nothing.
    let replay = app.web();
    replay.get("/console/login").await;
    let again = app.web();
    let _ = again;
    let conn = &mut *app.services.conn().unwrap();
    let open = gongkai::service::sign_in::principal_of_session(
        conn,
        &secret,
        chrono::Duration::minutes(30),
        app.services.now(),
    )
    .unwrap();
    assert!(open.is_none());
}

#[actix_rt::test]
async fn a_wrong_password_is_refused_in_chinese_and_repeated_failures_are_limited() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("lisi", Role::Approver, Some("BJHD"));
    let web = app.web();
    web.get("/console/login").await;
    for _ in 0..5 {
        let p = web
            .post(
                "/console/login",
                &[("username", &login), ("password", "wrong-password")],
            )
            .await;
        assert_eq!(p.status, 401);
        p.assert_has("登录名或密码不正确").assert_lacks(&password);
        assert!(web.cookie("gongkai_session").is_none());
    }
    // The sixth try is refused even with the right password, until the window passes.
    let p = web
        .post(
            "/console/login",
            &[("username", &login), ("password", &password)],
        )
        .await;
    assert_eq!(p.status, 429, "{}", p.html);
    p.assert_has("登录失败次数过多");
    assert!(web.cookie("gongkai_session").is_none());

    // Every real attempt is on record; the refused one (429) is not a new failure.
    use diesel::prelude::*;
    use gongkai::db::schema::sign_in_attempts as a;
    let conn = &mut *app.services.conn().unwrap();
    let failed: i64 = a::table
        .filter(a::login.eq("lisi"))
        .filter(a::succeeded.eq(false))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(failed, 5);
}

#[actix_rt::test]
async fn one_addresss_console_failures_never_lock_the_tracking_page_or_other_staff() {
    use gongkai::service::sign_in::{self, SignInError, FAILURES_PER_ADDRESS};
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("wangwu", Role::Clerk, Some("BJHD"));
    let (other, other_password) = app.add_console_user("zhaoliu", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.get("/console/login").await;
    // One clerk mistypes until their login is refused; reloading the refusal adds nothing.
    for _ in 0..5 {
        let p = web
            .post(
                "/console/login",
                &[("username", &login), ("password", "typo-typo-typo")],
            )
            .await;
        assert_eq!(p.status, 401);
    }
    for _ in 0..20 {
        let p = web
            .post(
                "/console/login",
                &[("username", &login), ("password", "typo-typo-typo")],
            )
            .await;
        assert_eq!(p.status, 429);
    }
    // The same address (the office's NAT) still signs a colleague in ...
    let colleague = app.web();
    colleague.sign_in(&other, &other_password).await;
    // ... and an applicant behind it still reaches the tracking page's check (a wrong token
    // is 401, not 429).
    let applicant = app.web();
    applicant.get("/track").await;
    let p = applicant
        .post(
            "/track",
            &[
                ("tracking_number", "GK-2026-000001"),
                ("access_token", "gka_wrong"),
            ],
        )
        .await;
    assert_eq!(p.status, 401, "{}", p.html);
    let _ = password;

    // The per-address limit is the console's own: fifty console failures from one address
    // refuse the console, and the tracking page still answers.
    let s = &app.services;
    let now = s.now();
    for i in 0..FAILURES_PER_ADDRESS {
        let r = sign_in::staff(s, &format!("nobody{i}"), "x", "10.0.0.9", now);
        assert!(matches!(r, Err(SignInError::Wrong)), "{i}: {r:?}");
    }
    assert!(matches!(
        sign_in::staff(s, "someone-else", "x", "10.0.0.9", now),
        Err(SignInError::Limited { .. })
    ));
    assert!(matches!(
        sign_in::applicant(s, "GK-2026-000001", "gka_wrong", "10.0.0.9", now),
        Err(SignInError::Wrong)
    ));
}

#[actix_rt::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("wangwu", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.get("/console/login").await;
    let no_token = web
        .post_raw(
            "/console/login",
            &[
                ("username".to_owned(), login.clone()),
                ("password".to_owned(), password.clone()),
            ],
        )
        .await;
    assert_eq!(no_token.status, 403);
    no_token.assert_has("表单已失效");
    assert!(web.cookie("gongkai_session").is_none());

    // A token from another visitor's page is not this visitor's.
    let other = app.web();
    let page = other.get("/console/login").await;
    let foreign = page.csrf().unwrap();
    let p = web
        .post(
            "/console/login",
            &[
                ("username", &login),
                ("password", &password),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(p.status, 403);

    // Signed in, the sign-out form needs the session's token too.
    web.sign_in(&login, &password).await;
    let out = web.post_raw("/console/logout", &[]).await;
    assert_eq!(out.status, 403);
    assert_eq!(web.get("/console/").await.status, 200);
}

#[actix_rt::test]
async fn an_idle_session_ends_and_a_disabled_user_is_signed_out() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("zhaoliu", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    assert_eq!(web.get("/console/").await.status, 200);
    // Half an hour and a minute later (the test clock), the session has ended.
    app.services
        .clock
        .set(app.services.now() + chrono::Duration::minutes(31));
    let p = web.get("/console/").await;
    assert_eq!(p.status, 303);

    web.sign_in(&login, &password).await;
    assert_eq!(web.get("/console/").await.status, 200);
    let conn = &mut *app.services.conn().unwrap();
    let user = gongkai::db::sessions::user_by_login(conn, "zhaoliu")
        .unwrap()
        .unwrap();
    gongkai::service::admin::disable_user(
        conn,
        gongkai::service::admin::Manager::CommandLine,
        user.id.as_str(),
        app.services.now(),
    )
    .unwrap();
    assert_eq!(web.get("/console/").await.status, 303);
    // Nor can a disabled user sign in again.
    web.get("/console/login").await;
    let p = web
        .post(
            "/console/login",
            &[("username", &login), ("password", &password)],
        )
        .await;
    assert_eq!(p.status, 401);
}

#[actix_rt::test]
async fn the_sign_in_page_never_sends_a_visitor_to_another_site() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("qianqi", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.get("/console/login?next=//evil.example/").await;
    let p = web
        .post(
            "/console/login",
            &[
                ("username", &login),
                ("password", &password),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location().as_deref(), Some("/console/"));
}

#[actix_rt::test]
async fn the_scheduled_job_forgets_idle_sessions_and_keeps_live_ones() {
    use diesel::prelude::*;
    use gongkai::db::schema::sessions;
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (a, pa) = app.add_console_user("early", Role::Clerk, Some("BJHD"));
    let (b, pb) = app.add_console_user("late", Role::Clerk, Some("BJHD"));
    let first = app.web();
    first.sign_in(&a, &pa).await;
    app.services
        .clock
        .set(app.services.now() + chrono::Duration::minutes(20));
    let second = app.web();
    second.sign_in(&b, &pb).await;
    app.services
        .clock
        .set(app.services.now() + chrono::Duration::minutes(15));
    let gone = gongkai::service::sign_in::forget_idle(
        &app.services,
        chrono::Duration::minutes(30),
        app.services.now(),
    )
    .unwrap();
    assert_eq!(gone, 1);
    let conn = &mut *app.services.conn().unwrap();
    let left: i64 = sessions::table.count().get_result(conn).unwrap();
    assert_eq!(left, 1);
    assert_eq!(second.get("/console/").await.status, 200);
    assert_eq!(first.get("/console/").await.status, 303);
}

#[actix_rt::test]
async fn a_form_sent_after_the_session_ended_returns_to_the_console_after_sign_in() {
    let app = TestApp::spawn().await;
    app.add_agency("BJHD");
    let (login, password) = app.add_console_user("sunba", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    web.get("/console/").await;
    app.services
        .clock
        .set(app.services.now() + chrono::Duration::minutes(31));
    let p = web
        .post(
            "/console/cases/01900000-0000-7000-8000-000000000000/actions/accept",
            &[("version", "1")],
        )
        .await;
    assert_eq!(p.status, 303);
    // Not back to an address that answers only POST.
    assert_eq!(
        p.location().as_deref(),
        Some("/console/login?next=/console/")
    );
    // Sent from the case's page (as a browser says it), back to that page once signed in.
    let case = "/console/cases/01900000-0000-7000-8000-000000000000";
    let from_case = web
        .post_from(case, &format!("{case}/actions/accept"), &[("version", "1")])
        .await;
    assert_eq!(from_case.status, 303);
    assert_eq!(
        from_case.location().as_deref(),
        Some(format!("/console/login?next={case}").as_str())
    );
    // Never to another site's page, nor back to the sign-in page.
    for from in [
        "http://evil.example/console/cases/x",
        "/console/login?next=/console/",
    ] {
        let refused = web
            .post_from(from, &format!("{case}/actions/accept"), &[("version", "1")])
            .await;
        assert_eq!(refused.status, 303, "{from}");
        assert_eq!(
            refused.location().as_deref(),
            Some("/console/login?next=/console/"),
            "{from}"
        );
    }
}
