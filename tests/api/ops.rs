//! Running the service: intake rate limits, request ids and security headers, `/metrics`,
//! and `gongkai backup` of a live database.

use diesel::prelude::*;
use gongkai::db::schema::applications;
use gongkai::domain::problem_code::ProblemCode;
use gongkai::http::limits::IntakeLimitSettings;
use serde_json::Value;

use crate::helpers::{assert_problem, file_one, filing, office, today, TestApp};

fn filing_as(agency: &str, id_number: &str) -> Value {
    let mut f = filing(agency);
    f["applicant"]["id_number"] = id_number.into();
    f
}

fn case_count(app: &TestApp) -> i64 {
    let conn = &mut *app.services.conn().unwrap();
    applications::table.count().get_result(conn).unwrap()
}

#[actix_rt::test]
async fn online_intake_is_limited_per_client_and_per_identity() {
    let app = TestApp::spawn_with(|s| {
        s.intake_limits = IntakeLimitSettings {
            per_client_per_minute: 4,
            per_identity_per_hour: 2,
            trusted_proxies: 0,
        }
    })
    .await;
    let o = office(&app, "BJHD");
    let (a, b) = ("110105198001011238", "440306199002154562");
    for _ in 0..2 {
        let r = app.public().file(&filing_as("BJHD", a)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // A third filing under the same identity document: refused, with when to come back.
    let r = app.public().file(&filing_as("BJHD", a)).await;
    assert_problem(&r, 429, ProblemCode::RateLimited);
    // The applicant's endpoint answers in Chinese.
    assert!(r.body["detail"].as_str().unwrap().contains("身份证件"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    // Two an hour: the next one is 30 minutes away.
    assert!((1..=1800).contains(&wait), "{wait}");
    assert_eq!(case_count(&app), 2, "a refused filing changes nothing");

    // Another applicant from the same address: the address has had 3 of its 4.
    let r = app.public().file(&filing_as("BJHD", b)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.public().file(&filing_as("BJHD", b)).await;
    assert_problem(&r, 429, ProblemCode::RateLimited);
    assert!(r.body["detail"].as_str().unwrap().contains("地址"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(case_count(&app), 3);

    // Clerks registering paper applications are not limited.
    let mut reg = filing_as("BJHD", a);
    reg.as_object_mut().unwrap().remove("agency_code");
    reg["channel"] = "mail".into();
    reg["received_on"] = today().to_string().into();
    let r = o.clerk().post("/api/v1/registrations", &reg).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[actix_rt::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for path in ["/healthz", "/no/such/route", "/api/v1/applications"] {
        let r = app.public().get(path).await;
        let id = r.header("x-request-id").expect("a request id");
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        ids.push(id);
        assert_eq!(r.header("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(r.header("x-frame-options").unwrap(), "DENY");
        assert!(r
            .header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'"));
        assert_eq!(r.header("referrer-policy").unwrap(), "no-referrer");
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each request has its own id");
}

fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[actix_rt::test]
async fn metrics_count_requests_the_outbox_and_overdue_cases() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (late, _) = file_one(&app, "BJHD").await;
    file_one(&app, "BJHD").await;
    app.public().get("/no/such/route").await;
    // Made-up methods share one label, so that nobody can grow the series without end.
    for m in ["FOO1", "FOO2"] {
        app.public().send(m, "/healthz", &[], None).await;
    }
    // The answer to one case was due yesterday.
    {
        let conn = &mut *app.services.conn().unwrap();
        diesel::update(applications::table.find(&late))
            .set((
                applications::next_deadline_kind.eq("answer"),
                applications::next_deadline_on.eq(today() - chrono::Days::new(1)),
            ))
            .execute(conn)
            .unwrap();
    }
    let r = app.public().get("/metrics").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text();
    let filed =
        r#"gongkai_http_requests_total{method="POST",route="/api/v1/applications",status="201"}"#;
    assert_eq!(metric(text, filed), Some(2.0), "{text}");
    let unmatched = r#"gongkai_http_requests_total{method="GET",route="unmatched",status="404"}"#;
    assert_eq!(metric(text, unmatched), Some(1.0), "{text}");
    let other = r#"gongkai_http_requests_total{method="other",route="/healthz",status="405"}"#;
    assert_eq!(metric(text, other), Some(2.0), "{text}");
    assert!(!text.contains("FOO1"));
    let count = r#"gongkai_http_request_duration_seconds_count{method="POST",route="/api/v1/applications"}"#;
    assert_eq!(metric(text, count), Some(2.0), "{text}");
    // Two receipts wait in the outbox; none has failed.
    assert_eq!(
        metric(text, r#"gongkai_outbox_notices{status="pending"}"#),
        Some(2.0)
    );
    assert_eq!(
        metric(text, r#"gongkai_outbox_notices{status="failed"}"#),
        Some(0.0)
    );
    assert_eq!(
        metric(text, r#"gongkai_overdue_cases{deadline="answer"}"#),
        Some(1.0)
    );
    assert_eq!(
        metric(
            text,
            r#"gongkai_overdue_cases{deadline="correction_notice"}"#
        ),
        Some(0.0)
    );
}

#[actix_rt::test]
async fn backup_copies_the_live_database_and_the_copy_verifies() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    for _ in 0..3 {
        file_one(&app, "BJHD").await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let (ok, out, err) = crate::cli::gongkai(&app, &["backup", copy.to_str().unwrap()]);
    if app.database_url.starts_with("postgres") {
        assert!(!ok && err.contains("pg_dump"), "{out}{err}");
        return;
    }
    assert!(ok, "{out}{err}");
    // The service goes on while the copy stands as it was.
    file_one(&app, "BJHD").await;
    let (ok, again_out, err) = crate::cli::gongkai(&app, &["backup", copy.to_str().unwrap()]);
    assert!(!ok && err.contains("already exists"), "{again_out}{err}");

    let copy_url = format!("sqlite://{}", copy.display());
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["audit", "verify"])
        .env("GONGKAI_DATABASE_URL", &copy_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert!(verify.status.success(), "{report}");
    assert_eq!(report["cases"], 3, "{report}");
    assert_eq!(report["first_broken"], Value::Null);
}

/// Waits (up to 5 s) until `/metrics` shows `want` requests of `kind` being worked on.
async fn wait_in_flight(app: &TestApp, kind: &str, want: f64) {
    let series = format!(r#"gongkai_requests_in_flight{{kind="{kind}"}}"#);
    for _ in 0..100 {
        let r = app.public().get("/metrics").await;
        if metric(r.text(), &series) == Some(want) {
            return;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{series} never reached {want}");
}

/// Past the bound on writes worked on at once, a write is refused at once: 503 `overloaded`
/// with `Retry-After`, nothing filed, in Chinese (a page for a person at a page). Reads and the
/// health check are still answered meanwhile, and a freed place takes writes again.
#[actix_rt::test]
async fn writes_past_the_bound_are_refused_at_once_and_change_nothing() {
    use gongkai::http::admission::AdmissionSettings;
    use std::io::Write;
    let app = TestApp::spawn_with(|s| {
        s.admission = AdmissionSettings {
            writes: 1,
            reads: 8,
        }
    })
    .await;
    let o = office(&app, "BJHD");
    // A filing whose body never finishes arriving holds the only place for writes.
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut held = std::net::TcpStream::connect(addr).unwrap();
    held.write_all(
        b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{\"agency_code\":",
    )
    .unwrap();
    wait_in_flight(&app, "write", 1.0).await;

    let r = app.public().file(&filing("BJHD")).await;
    assert_problem(&r, 503, ProblemCode::Overloaded);
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    // Its small body was read, so the client keeps its connection for the next request.
    assert_ne!(r.header("connection").as_deref(), Some("close"));
    assert!(
        r.body["detail"].as_str().unwrap().contains("服务繁忙"),
        "{}",
        r.body
    );
    let en = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &[("Accept-Language", "en")],
            Some(filing("BJHD").to_string().into_bytes()),
        )
        .await;
    assert_problem(&en, 503, ProblemCode::Overloaded);
    assert!(en.body["detail"].as_str().unwrap().contains("busy"));
    // A person sending the public form gets a page, not JSON.
    let page = app.web().post("/apply/BJHD", &[("name", "王五")]).await;
    assert_eq!(page.status.as_u16(), 503);
    assert!(page.html.contains("服务繁忙"), "{}", page.html);
    assert!(page.html.contains("没有提交"), "{}", page.html);
    assert_eq!(
        page.headers.get("retry-after").map(|v| v.to_str().unwrap()),
        Some("1")
    );

    // Reads have places of their own, and operators always get an answer.
    let queue = o.clerk().get("/api/v1/applications").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(queue.body["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.public().get("/healthz").await.status, 200);
    assert_eq!(case_count(&app), 0, "nothing refused was filed");
    let text = app.public().get("/metrics").await.text().to_owned();
    let refused = r#"gongkai_requests_refused_total{kind="write"}"#;
    assert_eq!(metric(&text, refused), Some(3.0), "{text}");
    assert_eq!(
        metric(&text, r#"gongkai_requests_refused_total{kind="read"}"#),
        Some(0.0)
    );

    // The held client goes away; its place is free again.
    drop(held);
    wait_in_flight(&app, "write", 0.0).await;
    let r = app.public().file(&filing("BJHD")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(case_count(&app), 1);
}
