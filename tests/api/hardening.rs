//! Issue 13, "Leaks and hardening found in review": hostile input at the edge (NUL, invisible
//! text, loose dates, duplicate keys, stalled bodies, broken requests), what the logs keep,
//! forwarded addresses, CSV injection, access tokens in the outbox, and unusable addresses.

use gongkai::domain::problem_code::ProblemCode;
use std::io::{Read, Write};
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use gongkai::db::schema::{applications, notices};
use gongkai::domain::workflow::Role;
use gongkai::http::limits::IntakeLimitSettings;
use gongkai::service::delivery::{deliver_due, Mailer};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, filing, id_number, office, Action, Reply, TestApp};

fn case_count(app: &TestApp) -> i64 {
    let conn = &mut *app.services.conn().unwrap();
    applications::table.count().get_result(conn).unwrap()
}

/// The field errors of a 422, as (field, code).
fn field_codes(r: &Reply) -> Vec<(String, String)> {
    r.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A validation problem naming `field` with `code`.
#[track_caller]
fn assert_refused(r: &Reply, status: u16, field: &str, code: &str) {
    assert_problem(r, status, ProblemCode::ValidationFailed);
    assert!(
        field_codes(r).contains(&(field.to_owned(), code.to_owned())),
        "expected {field}: {code} in {}",
        r.body
    );
}

/// A raw HTTP/1.1 exchange, for requests a client library will not send: the whole answer
/// (head and body) as the service wrote it, up to the connection's close.
async fn raw_exchange(app: &TestApp, parts: Vec<(Vec<u8>, Duration)>) -> (u16, String, String) {
    let addr = app.address.trim_start_matches("http://").to_owned();
    let answer = actix_rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        for (bytes, pause) in parts {
            s.write_all(&bytes).unwrap();
            std::thread::sleep(pause);
        }
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn is_problem(head: &str, body: &str, code: &str) {
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{head}\n{body:?}"));
    assert_eq!(v["code"], code, "{body}");
}

#[actix_rt::test]
async fn nul_in_any_text_is_refused_with_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut f = filing("BJHD");
    f["applicant"]["name"] = json!("王\u{0}五");
    assert_refused(
        &app.public().file(&f).await,
        422,
        "applicant.name",
        "nul_character",
    );
    let mut f = filing("BJHD");
    f["request"]["description"] = json!("合同\u{0}");
    f["applicant"]["address"] = json!("\u{0}");
    let r = app.public().file(&f).await;
    assert_refused(&r, 422, "request.description", "nul_character");
    assert_refused(&r, 422, "applicant.address", "nul_character");
    // In a key, and in an action's text.
    let r = app
        .public()
        .send(
            "POST",
            "/api/v1/applications",
            &[],
            Some(br#"{"agency_code": "BJHD", "x\u0000": 1}"#.to_vec()),
        )
        .await;
    assert_refused(&r, 422, "x\\u0000", "nul_character");
    let (id, token) = file_one(&app, "BJHD").await;
    let r = app
        .as_(&token)
        .act(&id, Action::Withdraw, json!({ "reason": "\u{0}" }))
        .await;
    assert_refused(&r, 422, "reason", "nul_character");
    // In the URL, with or without a token: before any database sees it.
    for (path, field) in [
        ("/api/v1/applications?q=%00", "query"),
        ("/api/v1/applications/%00", "path"),
        ("/api/v1/applications/BJHD%00/events", "path"),
        ("/api/v1/fees/quote?pages=%00", "query"),
    ] {
        let r = o.clerk().get(path).await;
        assert_refused(&r, 422, field, "nul_character");
        let r = app.public().get(path).await;
        assert_refused(&r, 422, field, "nul_character");
    }
    assert_eq!(case_count(&app), 1);
}

#[actix_rt::test]
async fn blank_invisible_and_multi_line_names_and_descriptions_are_refused() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    for blank in [
        " ",
        "\u{3000}",
        "\u{200b}\u{200d}",
        "\u{202e}\u{2066}",
        "\u{feff}",
        "\t\n",
    ] {
        let mut f = filing("BJHD");
        f["applicant"]["name"] = json!(blank);
        f["request"]["description"] = json!(blank);
        f["request"]["document_number"] = json!(blank);
        let r = app.public().file(&f).await;
        assert_refused(&r, 422, "applicant.name", "blank");
        assert_refused(&r, 422, "request.description", "blank");
        assert_refused(&r, 422, "request.document_number", "blank");
    }
    // A name heads an e-mail: one line only.
    for name in ["王五\r\nBcc: x@example.com", "王五\n", "王\t五"] {
        let mut f = filing("BJHD");
        f["applicant"]["name"] = json!(name);
        let r = app.public().file(&f).await;
        assert_refused(&r, 422, "applicant.name", "control_character");
    }
    // A description may have lines; a name may have a zero-width joiner among visible letters.
    let mut f = filing("BJHD");
    f["request"]["description"] = json!("第一项\n第二项");
    f["applicant"]["name"] = json!("王\u{200d}五");
    let r = app.public().file(&f).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(case_count(&app), 1);
}

#[actix_rt::test]
async fn dates_are_yyyy_mm_dd_only() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut body = filing("X");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("in_person");
    for loose in [
        "2026-11-2",
        "2026-1-05",
        "+2026-11-25",
        "2026-11-25T00:00:00",
        " 2026-11-25",
        "2026/11/25",
    ] {
        body["received_on"] = json!(loose);
        let r = o.clerk().post("/api/v1/registrations", &body).await;
        assert_refused(&r, 422, "received_on", "invalid");
    }
    assert_eq!(case_count(&app), 0);
    body["received_on"] = json!(crate::helpers::TEST_DAY);
    let r = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["received_on"], crate::helpers::TEST_DAY);
    // The same for every date an action, the queue or the calculator takes.
    let id = r.body["id"].as_str().unwrap().to_owned();
    let start =
        json!({ "party_kind": "agency", "party_name": "区财政局", "letter_date": "2026-11-2" });
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let r = o.clerk().act(&id, Action::StartConsultation, start).await;
    assert_refused(&r, 422, "letter_date", "invalid");
    let deliver = json!({ "method": "post", "posted_on": "2026-1-05" });
    let r = o.clerk().act(&id, Action::Deliver, deliver).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    for query in [
        "/api/v1/applications?received_from=2026-1-5",
        "/api/v1/calendar/add?from=2026-1-5&working_days=3",
        "/api/v1/calendar/between?from=2026-01-05&to=2026-2-1",
    ] {
        let r = o.clerk().get(query).await;
        assert_problem(&r, 400, ProblemCode::InvalidQuery);
    }
}

#[actix_rt::test]
async fn a_key_named_twice_is_refused() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let good = serde_json::to_string(&filing("BJHD")).unwrap();
    let twice_top = good.replacen('{', r#"{"agency_code": "SHPD", "#, 1);
    let twice_nested = good.replacen(
        r#""applicant":{"#,
        r#""applicant":{"email": "other@example.com", "#,
        1,
    );
    assert_ne!(twice_nested, good);
    for body in [twice_top, twice_nested] {
        let r = app
            .public()
            .send("POST", "/api/v1/applications", &[], Some(body.into_bytes()))
            .await;
        assert_problem(&r, 400, ProblemCode::DuplicateKey);
    }
    assert_eq!(case_count(&app), 0);
}

#[actix_rt::test]
async fn errors_written_by_the_http_layer_are_problems_too() {
    let app = TestApp::spawn().await;
    // An unencoded Chinese query string.
    let (status, head, body) = raw_exchange(
        &app,
        vec![(
            "GET /api/v1/applications?q=王五 HTTP/1.1\r\nHost: x\r\n\r\n"
                .as_bytes()
                .to_vec(),
            Duration::ZERO,
        )],
    )
    .await;
    assert_eq!(status, 400);
    is_problem(&head, &body, "malformed_request");
    // A request line that is not HTTP.
    let (status, head, body) = raw_exchange(
        &app,
        vec![(b"GET / HTTP/1.1 junk\r\n\r\n".to_vec(), Duration::ZERO)],
    )
    .await;
    assert_eq!(status, 400);
    is_problem(&head, &body, "malformed_request");
    // More headers than the service reads: 431.
    let many: String = (0..120).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let big = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    let (status, head, body) = raw_exchange(&app, vec![(big.into_bytes(), Duration::ZERO)]).await;
    assert_eq!(status, 431);
    is_problem(&head, &body, "headers_too_large");
    // A head that never ends: 408 after 5 s.
    let (status, head, body) = raw_exchange(
        &app,
        vec![(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n".to_vec(),
            Duration::ZERO,
        )],
    )
    .await;
    assert_eq!(status, 408);
    is_problem(&head, &body, "request_timeout");
    // The service still answers.
    assert_eq!(app.public().get("/healthz").await.status, 200);
}

#[actix_rt::test]
async fn a_request_body_that_stalls_is_cut_off() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let head = "POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"agency_code\"";
    let started = std::time::Instant::now();
    let (status, head, body) = raw_exchange(
        &app,
        vec![(head.as_bytes().to_vec(), Duration::from_millis(10))],
    )
    .await;
    assert_eq!(status, 408, "{head}");
    is_problem(&head, &body, "body_timeout");
    let waited = started.elapsed();
    assert!(
        waited >= gongkai::http::extract::BODY_TIMEOUT && waited < Duration::from_secs(25),
        "{waited:?}"
    );
    assert_eq!(case_count(&app), 0);
}

#[actix_rt::test]
async fn behind_a_trusted_proxy_the_client_is_the_hop_it_appended() {
    let app = TestApp::spawn_with(|s| {
        s.intake_limits = IntakeLimitSettings {
            per_client_per_minute: 2,
            per_identity_per_hour: 0,
            trusted_proxies: 1,
        }
    })
    .await;
    office(&app, "BJHD");
    let file_via = |xff: &'static str, n: u64| {
        let app = &app;
        async move {
            let mut f = filing("BJHD");
            f["applicant"]["id_number"] = json!(id_number(n));
            app.public()
                .send(
                    "POST",
                    "/api/v1/applications",
                    &[("X-Forwarded-For", xff)],
                    Some(serde_json::to_vec(&f).unwrap()),
                )
                .await
                .status
                .as_u16()
        }
    };
    assert_eq!(file_via("6.6.6.1, 1.1.1.1", 1).await, 201);
    assert_eq!(file_via("6.6.6.2, 1.1.1.1", 2).await, 201);
    // A new left-most (client-written) entry is not a new client.
    assert_eq!(file_via("6.6.6.3, 1.1.1.1", 3).await, 429);
    assert_eq!(file_via("1.1.1.1", 4).await, 429);
    // The proxy appended another address: another client.
    assert_eq!(file_via("1.1.1.1, 2.2.2.2", 5).await, 201);
    // Whatever cannot be read as an address is one client, not a way around the limit.
    assert_eq!(file_via("unknown", 6).await, 201);
    assert_eq!(file_via("1.1.1.1, garbage", 7).await, 201);
    assert_eq!(file_via("1.1.1.1, 999.1.1.1", 8).await, 429);
    assert_eq!(case_count(&app), 5);
}

/// One `gongkai serve` process on the test's database, its log in `log`.
struct Served {
    child: std::process::Child,
    address: String,
    log: std::path::PathBuf,
}

impl Served {
    async fn start(app: &TestApp, args: &[&str], log_format: &str) -> Self {
        let port = crate::mail::free_port();
        let log = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let log = log.keep().unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["--log-format", log_format, "serve"])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("GONGKAI_DATABASE_URL", &app.database_url)
            .env("GONGKAI_SECRET_KEY", app.key.to_hex())
            .env("GONGKAI_MAIL_DIR", log.with_extension("mail"))
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("gongkai serve starts");
        let address = format!("http://127.0.0.1:{port}");
        let client = awc::Client::default();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "serve did not come up"
            );
            actix_rt::time::sleep(Duration::from_millis(20)).await;
        }
        Self {
            child,
            address,
            log,
        }
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let text = std::fs::read_to_string(&self.log).unwrap();
        let _ = std::fs::remove_file(&self.log);
        text
    }
}

const FORGING_AGENT: &str = "curl\" status=200 route=\"/forged\" client=\"9.9.9.9";

async fn hostile_request(address: &str) {
    let r = awc::Client::default()
        .get(format!(
            "{address}/api/v1/applications?q=11010519491231002X&agency=BJHD"
        ))
        .insert_header(("User-Agent", FORGING_AGENT))
        .insert_header(("X-Forwarded-For", "6.6.6.6, 5.5.5.5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[actix_rt::test]
async fn logs_keep_the_route_the_real_client_and_quoted_values_never_the_query() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");

    // Text lines, no proxy trusted: the peer is the client.
    let served = Served::start(&app, &[], "text").await;
    hostile_request(&served.address).await;
    let log = served.stop();
    let line = log
        .lines()
        .find(|l| l.contains("status=401"))
        .unwrap_or_else(|| panic!("no request line in {log}"));
    for leak in ["11010519491231002X", "agency=BJHD", "6.6.6.6", "5.5.5.5"] {
        assert!(!log.contains(leak), "{leak} was logged: {log}");
    }
    assert!(line.contains(r#"route="/api/v1/applications""#), "{line}");
    assert!(line.contains("client=127.0.0.1"), "{line}");
    // The agent is one quoted, escaped value: its quotes cannot end it, so once it is taken
    // out, none of the fields it tried to forge is left.
    let agent = format!("user_agent={FORGING_AGENT:?}");
    assert!(line.contains(&agent), "{line}");
    let rest = line.replace(&agent, "");
    for forged in ["status=200", "/forged", "9.9.9.9"] {
        assert!(!rest.contains(forged), "{line}");
    }

    // JSON lines behind one trusted proxy: the hop it appended.
    let served = Served::start(&app, &["--trust-forwarded"], "json").await;
    hostile_request(&served.address).await;
    let log = served.stop();
    let line: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["fields"]["status"] == 401)
        .unwrap_or_else(|| panic!("no request line in {log}"));
    assert_eq!(line["span"]["client"], "5.5.5.5", "{line}");
    assert_eq!(line["span"]["route"], "/api/v1/applications", "{line}");
    assert_eq!(line["span"]["user_agent"], FORGING_AGENT, "{line}");
    for leak in ["11010519491231002X", "agency=BJHD", "6.6.6.6"] {
        assert!(!log.contains(leak), "{leak} was logged: {log}");
    }
}

#[actix_rt::test]
async fn csv_exports_neutralise_cells_a_spreadsheet_would_run() {
    let app = TestApp::spawn().await;
    {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::service::admin::add_agency(conn, "BJHD", "=HYPERLINK(\"http://x\")").unwrap();
    }
    let clerk = app.add_user("@SUM(1+1)", Role::Clerk, Some("BJHD"));
    let auditor = app.add_user("审计", Role::Auditor, None);
    let (id, _) = file_one(&app, "BJHD").await;
    let r = app.as_(&clerk).act(&id, Action::Accept, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let events = app
        .as_(&auditor)
        .get("/api/v1/audit/events?format=csv")
        .await;
    assert_eq!(events.status, 200);
    let cells = csv_cells(events.text());
    assert!(cells.contains(&"'@SUM(1+1)".to_owned()), "{cells:?}");
    assert_no_formula(&cells);

    let cases = app
        .as_(&auditor)
        .get("/api/v1/audit/cases?format=csv")
        .await;
    assert_eq!(cases.status, 200);
    assert_no_formula(&csv_cells(cases.text()));

    let report = app
        .as_(&auditor)
        .get("/api/v1/reports/annual?agency=BJHD&year=2026&format=csv")
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let cells = csv_cells(report.text());
    assert!(cells[0].starts_with("'=HYPERLINK"), "{cells:?}");
    assert_no_formula(&cells);
}

fn csv_cells(text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .flat_map(|rec| rec.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

fn assert_no_formula(cells: &[String]) {
    for c in cells {
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a formula-like cell: {c:?}"
        );
    }
}

#[actix_rt::test]
async fn a_sent_notice_keeps_no_access_token_and_eml_files_are_private() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, dir.path()).unwrap();
    let (_, token) = file_one(&app, "BJHD").await;
    let stored = |app: &TestApp| -> Vec<(String, String)> {
        let conn = &mut *app.services.conn().unwrap();
        notices::table
            .select((notices::body_text, notices::body_html))
            .load(conn)
            .unwrap()
    };
    // Until it has gone, the notice must carry the token (a crashed send is sent again).
    assert!(stored(&app).iter().any(|(t, _)| t.contains(&token)));
    let done = deliver_due(&app.services, &mailer, "gongkai@test.local", Utc::now()).unwrap();
    assert_eq!(done.sent, 1);
    for (text, html) in stored(&app) {
        assert!(!text.contains(&token) && !html.contains(&token), "{text}");
        assert!(text.contains(gongkai::security::REDACTED_TOKEN), "{text}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(
        m.body_text(0).unwrap().contains(&token),
        "the applicant got it"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[actix_rt::test]
async fn addresses_the_mailer_cannot_use_are_refused_at_input() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    for email in [
        "wang..wu@example.com",
        ".wangwu@example.com",
        "wangwu.@example.com",
    ] {
        let mut f = filing("BJHD");
        f["applicant"]["email"] = json!(email);
        let r = app.public().file(&f).await;
        assert_refused(&r, 422, "applicant.email", "email");
    }
    assert_eq!(case_count(&app), 0);
    {
        let conn = &mut *app.services.conn().unwrap();
        let bad_name = gongkai::service::admin::set_sender(
            conn,
            "BJHD",
            "office@example.com",
            Some("海淀区\r\nBcc: x@example.com"),
            None,
        );
        assert!(bad_name.is_err(), "a sender name on two lines");
        let bad_address =
            gongkai::service::admin::set_sender(conn, "BJHD", "a..b@example.com", None, None);
        assert!(bad_address.is_err());
    }
    // A sender the mailer cannot use stops the service from starting, not each notice.
    let dir = tempfile::tempdir().unwrap();
    let url = gongkai::db::DatabaseUrl::parse(&app.database_url).unwrap();
    let settings = gongkai::startup::Settings {
        database_url: url,
        bind: "127.0.0.1:0".into(),
        secret_key: app.key.clone(),
        pool_size: 2,
        write_lanes: 2,
        workers: Some(1),
        job_interval: None,
        mail: Some(gongkai::startup::MailSettings {
            smtp_url: None,
            mail_dir: dir.path().to_owned(),
            from: "gongkai@@localhost".into(),
            interval: Duration::from_secs(60),
            template_dir: None,
            digest_at: chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            lease: chrono::Duration::seconds(60),
        }),
        intake_limits: IntakeLimitSettings::default(),
        admission: Default::default(),
        shutdown_timeout: Duration::from_secs(1),
        clock: Default::default(),
        default_language: gongkai::domain::message::Language::En,
        web: Default::default(),
        files: Default::default(),
    };
    let err = gongkai::startup::Application::build(settings)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("GONGKAI_MAIL_FROM"), "{err}");
}
