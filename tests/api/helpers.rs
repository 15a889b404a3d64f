//! `TestApp`: the service on a random port over its own database (a SQLite file in a temporary
//! folder, or a PostgreSQL schema of its own), with helpers to set up staff and file cases.
//! Tests speak through a caller per person (`caller.rs`: `o.clerk().act(&id, Action::Accept, …)`)
//! and check every refusal with `assert_problem` (`problem.rs`).

use std::sync::OnceLock;

use awc::http::StatusCode;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use gongkai::db::DatabaseUrl;
use gongkai::domain::workflow::Role;
use gongkai::http::limits::IntakeLimitSettings;
use gongkai::security::SecretKey;
use gongkai::service::clock_source::Clock;
use gongkai::service::{admin, Services};
use gongkai::startup::{Application, Settings};
use serde_json::{json, Value};

mod caller;
mod problem;
pub mod web;

pub use caller::{Action, Caller};
pub use problem::assert_problem;

pub const PG_ENV: &str = "GONGKAI_TEST_POSTGRES_URL";

/// 12:00 in China (UTC+8) on `day`.
pub fn noon_in_china(day: &str) -> chrono::DateTime<chrono::Utc> {
    let d: chrono::NaiveDate = day.parse().expect("a YYYY-MM-DD day");
    d.and_hms_opt(4, 0, 0).unwrap().and_utc()
}

pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub services: Services,
    pub database_url: String,
    pub key: SecretKey,
    _dir: tempfile::TempDir,
    pg_schema: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// A body that is not JSON (CSV, JSON Lines, HTML).
    pub fn text(&self) -> &str {
        self.body.as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

/// The PostgreSQL URL the tests run on (`GONGKAI_TEST_POSTGRES_URL`), without TLS unless the
/// URL asks for it: libpq's TLS is OpenSSL, whose clean-up at process exit races the closing of
/// connections that the last tests' server workers still hold, and the test binary then dies
/// of SIGSEGV in libcrypto after every test has passed (seen on the PostgreSQL run).
fn postgres_base() -> Option<String> {
    let base = std::env::var(PG_ENV).ok().filter(|b| !b.is_empty())?;
    if base.contains("sslmode=") {
        return Some(base);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}sslmode=disable"))
}

/// A fresh database URL for one test.
fn fresh_database(dir: &std::path::Path) -> (String, Option<String>) {
    match postgres_base() {
        Some(base) => {
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            let mut conn =
                PgConnection::establish(&base).expect("PostgreSQL for tests is reachable");
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .unwrap();
            (
                format!("{base}&options=-csearch_path%3D{schema}"),
                Some(schema),
            )
        }
        None => (
            format!("sqlite://{}", dir.join("gongkai.db").display()),
            None,
        ),
    }
}

pub fn init_tracing() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            tracing_subscriber::fmt()
                .with_env_filter("info")
                .with_test_writer()
                .init();
        }
    });
}

impl TestApp {
    /// The service on a clock standing at noon of `TEST_DAY`.
    pub async fn spawn() -> Self {
        Self::spawn_on(TEST_DAY).await
    }

    /// The service on a clock standing at noon (China) of `day`, moved with `set_today`: the
    /// law's boundaries are tried on the days they fall, whatever day the suite runs.
    pub async fn spawn_on(day: &str) -> Self {
        let clock = Clock::fixed(noon_in_china(day));
        Self::spawn_with(move |s| s.clock = clock).await
    }

    /// Moves a clocked service (see `spawn_on`) to noon (China) of `day`.
    pub fn set_today(&self, day: &str) {
        self.services.clock.set(noon_in_china(day));
    }

    /// The service with settings changed from the tests' defaults (no rate limits, no jobs).
    pub async fn spawn_with(change: impl FnOnce(&mut Settings)) -> Self {
        init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg_schema) = fresh_database(dir.path());
        let key = SecretKey::generate();
        let url = DatabaseUrl::parse(&database_url).unwrap();
        let settings = Settings {
            database_url: url.clone(),
            bind: "127.0.0.1:0".into(),
            secret_key: key.clone(),
            // The service's four, and two for the test's own reads and writes.
            pool_size: 6,
            write_lanes: 2,
            workers: Some(2),
            job_interval: None,
            mail: None,
            intake_limits: IntakeLimitSettings {
                per_client_per_minute: 0,
                per_identity_per_hour: 0,
                trusted_proxies: 0,
            },
            admission: Default::default(),
            shutdown_timeout: std::time::Duration::from_secs(5),
            clock: Clock::fixed(noon_in_china(TEST_DAY)),
            default_language: gongkai::domain::message::Language::En,
            web: Default::default(),
            files: Default::default(),
        };
        let mut settings = settings;
        change(&mut settings);
        let app = Application::build(settings).expect("the service starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        // The service's own pool, clock and (on SQLite) group committer: a test's writes queue
        // with the service's, as another request's would.
        let services = app.services();
        actix_rt::spawn(app.run_until_stopped());
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish();
        Self {
            address,
            client,
            services,
            database_url,
            key,
            _dir: dir,
            pg_schema,
        }
    }

    pub fn add_agency(&self, code: &str) {
        let conn = &mut *self.services.conn().unwrap();
        admin::add_agency(conn, code, &format!("{code} 人民政府")).unwrap();
    }

    /// A staff user's token.
    pub fn add_user(&self, name: &str, role: Role, agency: Option<&str>) -> String {
        let conn = &mut *self.services.conn().unwrap();
        admin::add_user(conn, name, role, agency, None).unwrap().1
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let has_type = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !has_type {
            req = req.insert_header(("Content-Type", "application/json"));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("the request reaches the service");
        let bytes = res.body().limit(16 * 1024 * 1024).await.unwrap();
        let json = res
            .headers()
            .get("content-type")
            .and_then(|t| t.to_str().ok())
            .is_some_and(|t| t.contains("json") && !t.contains("jsonl"));
        let body = match (bytes.is_empty(), json) {
            (true, _) => Value::Null,
            (false, true) => serde_json::from_slice(&bytes).unwrap(),
            (false, false) => Value::String(String::from_utf8(bytes.to_vec()).unwrap()),
        };
        Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let (Some(schema), Some(base)) = (&self.pg_schema, postgres_base()) {
            if let Ok(mut conn) = PgConnection::establish(&base) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
            }
        }
    }
}

/// A valid online filing by a natural person.
pub fn filing(agency: &str) -> Value {
    json!({
        "agency_code": agency,
        "applicant": {
            "kind": "natural_person",
            "name": "王五",
            "id_document_type": "resident_id_card",
            "id_number": "11010519491231002X",
            "phone": "138 0000 0000",
            "email": "wangwu@example.com"
        },
        "request": {
            "description": "2025年海淀区道路维修工程合同",
            "information_form": "electronic",
            "delivery_method": "email"
        }
    })
}

/// An office with a clerk, a second clerk and an approver (their tokens, and each as a caller).
pub struct Office<'a> {
    app: &'a TestApp,
    pub clerk: String,
    pub clerk2: String,
    pub approver: String,
}

impl<'a> Office<'a> {
    pub fn clerk(&self) -> Caller<'a> {
        self.app.as_(&self.clerk)
    }

    pub fn clerk2(&self) -> Caller<'a> {
        self.app.as_(&self.clerk2)
    }

    pub fn approver(&self) -> Caller<'a> {
        self.app.as_(&self.approver)
    }
}

/// An office with its staff, set up to charge fees (it says how to pay).
pub fn office<'a>(app: &'a TestApp, code: &str) -> Office<'a> {
    app.add_agency(code);
    admin::set_payment(
        &mut app.services.conn().unwrap(),
        code,
        &format!("{code} 财政局"),
        Some("6222 0000 1111 2222"),
        None,
    )
    .unwrap();
    Office {
        app,
        clerk: app.add_user("张三", Role::Clerk, Some(code)),
        clerk2: app.add_user("赵六", Role::Clerk, Some(code)),
        approver: app.add_user("李四", Role::Approver, Some(code)),
    }
}

/// Files a valid application; returns (id, access token).
pub async fn file_one(app: &TestApp, agency: &str) -> (String, String) {
    let r = app.public().file(&filing(agency)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    (
        r.body["id"].as_str().unwrap().to_owned(),
        r.body["access_token"].as_str().unwrap().to_owned(),
    )
}

/// Today's legal date (China).
/// The day the tests' service stands on unless a test sets another: a Wednesday and an
/// ordinary working day, so that no test depends on the day of the week the suite runs.
pub const TEST_DAY: &str = "2026-11-25";

/// Today for the service under test (see `TEST_DAY`).
pub fn today() -> chrono::NaiveDate {
    TEST_DAY.parse().unwrap()
}

/// Today in China by the system clock, for tests that run the real binary.
pub fn real_today() -> chrono::NaiveDate {
    gongkai::domain::time::legal_date(chrono::Utc::now())
}

/// Distinct valid resident identity numbers, the same as the load scripts make.
pub use crate::bench_common::id_number;
