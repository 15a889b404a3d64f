//! Faults, with the real `gongkai serve` processes: killed (SIGKILL) under a load of filings
//! and actions, stopped (SIGTERM) with requests in flight, and two instances on one database.
//! A real SMTP server on loopback receives the notices.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use gongkai::db::models::NoticeRow;
use gongkai::db::schema::{applications, notices};
use gongkai::domain::outbox::NoticeStatus;
use gongkai::domain::workflow::Role;
use serde_json::{json, Value};

use crate::helpers::{filing, id_number, office, TestApp};
use crate::mail::{free_port, parsed, smtp_server, Received};

type Inbox = std::sync::Arc<std::sync::Mutex<Vec<Received>>>;

/// One `gongkai serve` process on the test's database.
struct Instance {
    child: Child,
    address: String,
}

impl Instance {
    async fn start(app: &TestApp, smtp_port: u16, job_interval: &str) -> Self {
        Self::launch(app, smtp_port, job_interval, &[], Stdio::null()).await
    }

    async fn launch(
        app: &TestApp,
        smtp_port: u16,
        job_interval: &str,
        args: &[&str],
        stderr: Stdio,
    ) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp_port}")])
            .args(["--job-interval", job_interval, "--shutdown-timeout", "10"])
            .env("GONGKAI_DATABASE_URL", &app.database_url)
            .env("GONGKAI_SECRET_KEY", app.key.to_hex())
            .env("GONGKAI_INTAKE_PER_CLIENT_PER_MINUTE", "0")
            .env("GONGKAI_INTAKE_PER_IDENTITY_PER_HOUR", "0")
            .env("GONGKAI_MAIL_LEASE", "2")
            .env("GONGKAI_MAIL_INTERVAL", "1")
            // Group commit on PostgreSQL too: the kills and the two instances run through it.
            .env("GONGKAI_WRITE_LANES", "3")
            .env("RUST_LOG", "warn,gongkai=info")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("gongkai serve starts");
        let address = format!("http://127.0.0.1:{port}");
        let client = awc::Client::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let up = client.get(format!("{address}/healthz")).send().await;
            if up.is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(Instant::now() < deadline, "the instance did not come up");
            actix_rt::time::sleep(Duration::from_millis(20)).await;
        }
        Self { child, address }
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {signal}");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request that may fail (the service may be gone): status and body, or the error.
async fn call(
    client: &awc::Client,
    method: &str,
    url: String,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, url);
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let mut res = match body {
        Some(b) => req.send_json(b).await,
        None => req.send().await,
    }
    .map_err(|e| e.to_string())?;
    let bytes = res.body().await.map_err(|e| e.to_string())?;
    Ok((
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

fn filing_by(agency: &str, n: u64) -> Value {
    let mut f = filing(agency);
    f["applicant"]["id_number"] = id_number(n).into();
    f["applicant"]["email"] = format!("applicant{n}@example.com").into();
    f
}

fn outbox(app: &TestApp) -> Vec<NoticeRow> {
    let conn = &mut *app.services.conn().unwrap();
    notices::table
        .select(NoticeRow::as_select())
        .load(conn)
        .unwrap()
}

/// Waits until no notice is pending (sent or failed, every one).
async fn drained(app: &TestApp) -> Vec<NoticeRow> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let all = outbox(app);
        if all.iter().all(|n| n.status != NoticeStatus::Pending) {
            return all;
        }
        if Instant::now() > deadline {
            let pending: Vec<_> = all
                .iter()
                .filter(|n| n.status == NoticeStatus::Pending)
                .collect();
            panic!(
                "the outbox did not drain: {} of {} pending, e.g. {:?}",
                pending.len(),
                all.len(),
                pending
                    .first()
                    .map(|n| (&n.attempts, &n.last_error, &n.claimed_until))
            );
        }
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Message-IDs the SMTP server received, with how many times each.
fn received(inbox: &Inbox) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for r in inbox.lock().unwrap().iter() {
        *seen.entry(format!("<{}>", parsed(r).2)).or_insert(0) += 1;
    }
    seen
}

async fn verify_chains(client: &awc::Client, instance: &Instance, auditor: &str) -> Value {
    let (status, report) = call(
        client,
        "GET",
        format!("{}/api/v1/audit/verify", instance.address),
        Some(auditor),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["first_broken"], Value::Null, "{report}");
    report
}

/// A real SMTP server on a loopback port: its port and what it receives.
fn mail_server() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (port, smtp_server(listener))
}

/// What a load task saw acknowledged: filed cases, and which of them it saw accepted.
#[derive(Default)]
struct Acked {
    filed: Vec<String>,
    accepted: HashSet<String>,
}

#[actix_rt::test]
async fn killed_under_load_nothing_acknowledged_is_lost_and_no_notice_is_lost_or_doubled() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计员", Role::Auditor, None);
    let (smtp_port, inbox) = mail_server();
    // GONGKAI_LONG_FAULTS=1: five kills of longer loads instead of one.
    let long = std::env::var_os("GONGKAI_LONG_FAULTS").is_some();
    let (rounds, load_ms) = if long { (5u64, 3000) } else { (1, 1500) };
    let acked = Rc::new(RefCell::new(Acked::default()));
    // Notices a worker held when it died: the only ones that may reach the server again.
    let mut in_flight: HashMap<String, usize> = HashMap::new();
    for round in 0..rounds {
        let instance = Instance::start(&app, smtp_port, "3600").await;
        // Sixteen clients file and accept as fast as they can until the service dies under them.
        let mut tasks = Vec::new();
        for t in 0..16u64 {
            let (acked, base) = (acked.clone(), instance.address.clone());
            let clerk = o.clerk.clone();
            tasks.push(actix_rt::spawn(async move {
                let client = awc::Client::default();
                for i in 0.. {
                    let body = filing_by("BJHD", round * 2_000_000 + t * 100_000 + i);
                    let url = format!("{base}/api/v1/applications");
                    let Ok((201, case)) = call(&client, "POST", url, None, Some(&body)).await
                    else {
                        return;
                    };
                    let id = case["id"].as_str().unwrap().to_owned();
                    acked.borrow_mut().filed.push(id.clone());
                    let url = format!("{base}/api/v1/applications/{id}/actions/accept");
                    let accept = json!({ "version": 1 });
                    match call(&client, "POST", url, Some(&clerk), Some(&accept)).await {
                        Ok((200, _)) => acked.borrow_mut().accepted.insert(id),
                        _ => return,
                    };
                }
            }));
        }
        actix_rt::time::sleep(Duration::from_millis(load_ms)).await;
        instance.signal("-KILL");
        for t in tasks {
            t.await.unwrap();
        }
        drop(instance);
        for n in outbox(&app) {
            if n.status == NoticeStatus::Pending && n.claimed_until.is_some() {
                *in_flight.entry(n.message_id).or_default() += 1;
            }
        }
    }
    let acked = std::mem::take(&mut *acked.borrow_mut());
    assert!(
        acked.filed.len() as u64 >= 50 * rounds,
        "the load ran: {}",
        acked.filed.len()
    );

    let second = Instance::start(&app, smtp_port, "3600").await;
    let client = awc::Client::default();
    for id in &acked.filed {
        let url = format!("{}/api/v1/applications/{id}", second.address);
        let (status, case) = call(&client, "GET", url, Some(&o.clerk), None)
            .await
            .unwrap();
        assert_eq!(status, 200, "an acknowledged filing is gone: {id}");
        if acked.accepted.contains(id) {
            assert_eq!(
                case["status"], "accepted",
                "an acknowledged action is gone: {id}"
            );
        }
    }
    let report = verify_chains(&client, &second, &auditor).await;
    let stored: i64 = {
        let conn = &mut *app.services.conn().unwrap();
        applications::table.count().get_result(conn).unwrap()
    };
    assert_eq!(report["cases"], stored, "{report}");

    let sent = drained(&app).await;
    let arrived = received(&inbox);
    // One receipt per stored case, each sent, each at the server: none lost.
    let receipts: Vec<&NoticeRow> = sent.iter().filter(|n| n.template == "receipt").collect();
    assert_eq!(receipts.len() as i64, stored);
    let cases: HashSet<_> = receipts.iter().map(|n| &n.application_id).collect();
    assert_eq!(cases.len(), receipts.len(), "one receipt per case");
    for n in &sent {
        assert_eq!(n.status, NoticeStatus::Sent, "{}", n.dedup_key);
        assert!(arrived.contains_key(&n.message_id), "lost: {}", n.dedup_key);
    }
    // None doubled, but for one that was on the wire at a kill (with the same Message-ID).
    for (id, times) in &arrived {
        let killed_mid_send = in_flight.get(id).copied().unwrap_or(0);
        assert!(*times <= 1 + killed_mid_send, "{id} arrived {times} times");
    }
    assert_eq!(arrived.len(), sent.len());
}

#[actix_rt::test]
async fn stopped_with_requests_in_flight_it_answers_them_and_exits_cleanly() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (smtp_port, _inbox) = mail_server();
    let mut instance = Instance::start(&app, smtp_port, "3600").await;

    let answered = Rc::new(RefCell::new(Vec::<(u16, Value)>::new()));
    let mut tasks = Vec::new();
    for t in 0..8u64 {
        let (answered, base) = (answered.clone(), instance.address.clone());
        tasks.push(actix_rt::spawn(async move {
            // A connection of its own per request: a refused one is then told apart.
            for i in 0.. {
                let client = awc::Client::default();
                let body = filing_by("BJHD", t * 100_000 + i);
                let url = format!("{base}/api/v1/applications");
                match call(&client, "POST", url, None, Some(&body)).await {
                    Ok(reply) => answered.borrow_mut().push(reply),
                    Err(_) => return,
                }
            }
        }));
    }
    actix_rt::time::sleep(Duration::from_millis(700)).await;
    instance.signal("-TERM");
    for t in tasks {
        t.await.unwrap();
    }
    let status = instance.child.wait().unwrap();
    assert!(status.success(), "a clean exit: {status:?}");
    let answered = std::mem::take(&mut *answered.borrow_mut());
    assert!(answered.len() >= 8, "{}", answered.len());
    // Every answer given was a filing: nothing was cut off with an error.
    for (status, body) in &answered {
        assert_eq!(*status, 201, "{body}");
        let id = body["id"].as_str().unwrap();
        let conn = &mut *app.services.conn().unwrap();
        let n: i64 = applications::table
            .find(id)
            .count()
            .get_result(conn)
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// Filings for six offices at once through two instances. Each instance group-commits filings
/// (on PostgreSQL in several lanes, each batch holding several offices' counters); the batches of
/// the two take those counters in the same order, so all are answered, and every office's
/// numbers run from 1 to 20 without a gap or a repeat.
#[actix_rt::test]
async fn two_instances_group_committing_many_offices_number_each_without_a_gap() {
    let app = TestApp::spawn().await;
    let codes = ["GA", "GB", "GC", "GD", "GE", "GF"];
    for code in codes {
        app.add_agency(code);
    }
    let (smtp_port, _inbox) = mail_server();
    let a = Instance::start(&app, smtp_port, "60").await;
    let b = Instance::start(&app, smtp_port, "60").await;
    let both = [&a, &b];
    let client = awc::Client::default();
    let filings = (0..120u64).map(|i| {
        let url = format!("{}/api/v1/applications", both[i as usize % 2].address);
        let body = filing_by(codes[(i / 2) as usize % codes.len()], 900 + i);
        let client = &client;
        async move { call(client, "POST", url, None, Some(&body)).await.unwrap() }
    });
    let filed = futures_util::future::join_all(filings).await;
    let mut numbers: Vec<String> = filed
        .iter()
        .map(|(status, case)| {
            assert_eq!(*status, 201, "{case}");
            case["tracking_number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let year = crate::helpers::real_today().format("%Y").to_string();
    let mut expected: Vec<String> = codes
        .iter()
        .flat_map(|c| (1..=20).map(move |n| (c, n)))
        .map(|(c, n)| format!("{c}-{year}-{n:06}"))
        .collect();
    expected.sort();
    assert_eq!(numbers, expected);
}

#[actix_rt::test]
async fn two_instances_on_one_database_never_double_or_lose_anything() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计员", Role::Auditor, None);
    let (smtp_port, inbox) = mail_server();
    // Both run the lapse job every second and deliver the outbox every second.
    let a = Instance::start(&app, smtp_port, "1").await;
    let b = Instance::start(&app, smtp_port, "1").await;
    let both = [&a, &b];
    let client = awc::Client::default();

    // Forty filings at once, half through each: forty cases, numbered 1 to 40 without a gap.
    let filings = (0..40u64).map(|i| {
        let url = format!("{}/api/v1/applications", both[i as usize % 2].address);
        let body = filing_by("BJHD", 500 + i);
        let client = &client;
        async move { call(client, "POST", url, None, Some(&body)).await.unwrap() }
    });
    let filed = futures_util::future::join_all(filings).await;
    let mut numbers: Vec<String> = filed
        .iter()
        .map(|(status, case)| {
            assert_eq!(*status, 201, "{case}");
            case["tracking_number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=40)
        .map(|n| format!("BJHD-{}-{n:06}", crate::helpers::real_today().format("%Y")))
        .collect();
    assert_eq!(numbers, expected);
    let ids: Vec<String> = filed
        .iter()
        .map(|(_, c)| c["id"].as_str().unwrap().to_owned())
        .collect();

    // The same action on the same version through both at once: one wins, one is told.
    let races = ids[..20].iter().map(|id| {
        let client = &client;
        let clerk = &o.clerk;
        let (a, b) = (&a, &b);
        async move {
            let body = json!({ "version": 1 });
            let go = |inst: &Instance| {
                let url = format!("{}/api/v1/applications/{id}/actions/accept", inst.address);
                call(client, "POST", url, Some(clerk), Some(&body))
            };
            let (x, y) = futures_util::future::join(go(a), go(b)).await;
            let mut codes = [x.unwrap().0, y.unwrap().0];
            codes.sort();
            codes
        }
    });
    for codes in futures_util::future::join_all(races).await {
        assert_eq!(
            codes,
            [200, 409],
            "one accept wins, the other gets a conflict"
        );
    }

    // Five cases whose correction period ran out long ago: the lapse job of both closes them.
    let lapsing = &ids[20..25];
    for id in lapsing {
        let url = format!(
            "{}/api/v1/applications/{id}/actions/request_correction",
            a.address
        );
        let body =
            json!({ "version": 1, "items": ["请说明所需信息的名称"], "period_working_days": 5 });
        let (status, reply) = call(&client, "POST", url, Some(&o.clerk), Some(&body))
            .await
            .unwrap();
        assert_eq!(status, 200, "{reply}");
    }
    {
        let conn = &mut *app.services.conn().unwrap();
        let long_ago = crate::helpers::real_today() - chrono::Days::new(60);
        diesel::update(applications::table.filter(applications::id.eq_any(lapsing)))
            .set((
                applications::correction_requested_on.eq(long_ago),
                applications::correction_notice_received_on.eq(long_ago),
            ))
            .execute(conn)
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let closed: i64 = {
            let conn = &mut *app.services.conn().unwrap();
            applications::table
                .filter(applications::id.eq_any(lapsing))
                .filter(applications::status.eq("abandoned_no_correction"))
                .count()
                .get_result(conn)
                .unwrap()
        };
        if closed == 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the lapse job did not close them"
        );
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
    // Give the other instance's job a turn at the closed cases too.
    actix_rt::time::sleep(Duration::from_millis(2500)).await;

    for (i, id) in ids.iter().enumerate() {
        let url = format!("{}/api/v1/applications/{id}/events", b.address);
        let (_, events) = call(&client, "GET", url, Some(&o.clerk), None)
            .await
            .unwrap();
        let actions: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        let count = |a: &str| actions.iter().filter(|x| **x == a).count();
        assert_eq!(count("accept"), usize::from(i < 20), "{id}: {actions:?}");
        let lapsed = lapsing.contains(id);
        assert_eq!(
            count("abandon_no_correction"),
            usize::from(lapsed),
            "{id}: {actions:?}"
        );
    }
    verify_chains(&client, &a, &auditor).await;

    // Every notice (receipts, correction notices, abandonments) reached the server once.
    let sent = drained(&app).await;
    assert_eq!(sent.len(), 40 + 5 + 5);
    let arrived = received(&inbox);
    for n in &sent {
        assert_eq!(n.status, NoticeStatus::Sent);
        assert_eq!(arrived.get(&n.message_id), Some(&1), "{}", n.dedup_key);
    }
    assert_eq!(arrived.len(), sent.len());
}

#[actix_rt::test]
async fn json_logs_carry_each_request_id_and_never_an_identity_number() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let file = std::fs::File::create(&log).unwrap();
    let smtp_port = free_port();
    let mut instance = Instance::launch(
        &app,
        smtp_port,
        "3600",
        &["--log-format", "json"],
        file.into(),
    )
    .await;
    let client = awc::Client::default();
    let number = id_number(4242);
    let res = client
        .post(format!("{}/api/v1/applications", instance.address))
        .send_json(&filing_by("BJHD", 4242))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let request_id = res
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    instance.signal("-TERM");
    assert!(instance.child.wait().unwrap().success());

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&number), "an identity number in the log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let line = lines
        .iter()
        .find(|l| l["fields"]["request_id"] == request_id.as_str())
        .unwrap_or_else(|| panic!("no line for {request_id}: {text}"));
    assert_eq!(line["fields"]["message"], "request");
    assert_eq!(line["fields"]["route"], "/api/v1/applications");
    assert_eq!(line["fields"]["status"], 201);
    assert!(line["fields"]["elapsed_ms"].as_f64().unwrap() > 0.0);
    assert!(lines
        .iter()
        .any(|l| l["fields"]["message"] == "gongkai has stopped"));
}
