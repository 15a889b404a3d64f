//! Issue 6's measurements: exporting 1,000,000 events (throughput, and the exporting process's
//! peak memory, against an export of nothing), and the annual report over a year of 1,000,000
//! cases. `cargo bench --bench audit`; GONGKAI_BENCH_DATABASE_URL=postgres://… measures
//! PostgreSQL instead of SQLite.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::NaiveDate;
use gongkai::db::models::{ApplicationRow, EventRow};
use gongkai::db::{DatabaseUrl, DbConnection};
use gongkai::domain::case::{ApplicantKind, OrganisationType, Outcome, Status};
use gongkai::domain::workflow::Role;
use gongkai::security::SecretKey;
use gongkai::service::{admin, report};
use gongkai::startup::open_services;

#[path = "common/mod.rs"]
mod common;
use common::{median, row};

const CASES: usize = 1_000_000;
/// Cases with a full history: 100,000 × 10 events = 1,000,000 events.
const WITH_EVENTS: usize = 100_000;
const EVENTS_PER_CASE: i32 = 10;
const RUNS: usize = 3;

/// A mix across a year: every applicant kind, received from December 2025 to December 2026,
/// seven in ten finished with one of the results, the rest open.
fn case(i: usize, agency_id: &str) -> ApplicationRow {
    let mut r = row(i, agency_id);
    let received =
        NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + chrono::Days::new((i % 395) as u64);
    r.registered_on = received;
    r.clock.received_on = Some(received);
    r.tracking_number = format!("BENCH-2026-{:07}", i + 1);
    if i % 4 == 0 {
        r.applicant.kind = ApplicantKind::Organisation;
        r.applicant.organisation_type = Some(OrganisationType::ALL[i / 4 % 5]);
    }
    if i % 10 < 7 {
        r.clock.status = Status::Delivered;
        r.handling.outcome = Some(Outcome::ALL[i % Outcome::ALL.len()]);
        r.clock.closed_on = Some(received + chrono::Days::new(15 + (i % 20) as u64));
        r.clock.delivered_on = r.clock.closed_on;
    }
    r.event_seq = if i < WITH_EVENTS { EVENTS_PER_CASE } else { 0 };
    r
}

fn events(app: &ApplicationRow) -> Vec<EventRow> {
    let mut prev: Option<String> = None;
    (1..=EVENTS_PER_CASE)
        .map(|seq| {
            let mut e = EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                application_id: app.id.clone(),
                seq,
                occurred_at: chrono::Utc::now().naive_utc(),
                actor_role: Role::Clerk,
                actor_id: Some("bench-clerk".into()),
                actor_name: Some("张三".into()),
                action: "accept".into(),
                status_before: Some(Status::Registered),
                status_after: Status::Accepted,
                payload: r#"{"note":"经审查，申请内容明确，予以受理"}"#.into(),
                prev_hash: None,
                hash: None,
            };
            e.chain_to(prev.as_deref());
            prev = e.hash.clone();
            e
        })
        .collect()
}

fn seed(conn: &mut DbConnection, agency_id: &str) {
    for start in (0..CASES).step_by(50_000) {
        let rows: Vec<ApplicationRow> = (start..start + 50_000)
            .map(|i| case(i, agency_id))
            .collect();
        let evs: Vec<EventRow> = rows
            .iter()
            .take_while(|r| r.event_seq > 0)
            .flat_map(events)
            .collect();
        common::insert_cases(conn, &rows, &evs);
    }
}

/// Runs the command line's export; (seconds, the most memory of its own the process held, the
/// peak of all it had resident) in MiB. Its own memory is `RssAnon`, sampled every 5 ms; the
/// resident peak is the kernel's high-water mark (`VmHWM`, afresh at exec), which also counts
/// the database pages SQLite maps in (up to 256 MiB, given back whenever the kernel wants).
fn export(url: &str, key: &SecretKey, args: &[&str]) -> (f64, f64, f64) {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["audit", "export", "--output", "/dev/null"])
        .args(args)
        .env("GONGKAI_DATABASE_URL", url)
        .env("GONGKAI_SECRET_KEY", key.to_hex())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let (mut own_kib, mut peak_kib) = (0u64, 0u64);
    let kib = |s: &str, key: &str| {
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
    };
    loop {
        if let Ok(s) = std::fs::read_to_string(&status) {
            own_kib = own_kib.max(kib(&s, "RssAnon:").unwrap_or(0));
            peak_kib = peak_kib.max(kib(&s, "VmHWM:").unwrap_or(0));
        }
        if let Some(done) = child.try_wait().unwrap() {
            assert!(done.success(), "the export ran");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mib = |k: u64| k as f64 / 1024.0;
    (t.elapsed().as_secs_f64(), mib(own_kib), mib(peak_kib))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("GONGKAI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let key = SecretKey::generate();
    let services = open_services(&DatabaseUrl::parse(&url).unwrap(), key.clone(), 2).unwrap();
    let conn = &mut *services.conn().unwrap();
    assert!(
        gongkai::db::staff::agency_by_code(conn, "BENCH")
            .unwrap()
            .is_none(),
        "GONGKAI_BENCH_DATABASE_URL must name an empty database: it is seeded afresh"
    );
    let agency = admin::add_agency(conn, "BENCH", "基准测试机关").unwrap();
    let t = Instant::now();
    seed(conn, &agency.id);
    let events = WITH_EVENTS * EVENTS_PER_CASE as usize;
    println!(
        "seeded {CASES} cases and {events} chained events in {:.1} s ({url})",
        t.elapsed().as_secs_f64()
    );

    // The seed writes closed cases as they were before closed clocks were kept; the first
    // start keeps them, once. Done here, so that no export below pays for it.
    let t = Instant::now();
    let kept =
        gongkai::service::clock::keep_clocks_of_closed_cases(conn, &services.calendars).unwrap();
    println!(
        "kept the clocks of {kept} closed cases (once, at the first start): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // A bulk load leaves PostgreSQL without statistics, and every page still to be marked
    // visible: the first reader pays for both (62 s for the verification below, measured
    // 2026-11-28). Autovacuum does this within a minute of a load on a running database, so
    // the figures are taken after it.
    if url.starts_with("postgres") {
        use diesel::connection::SimpleConnection;
        let t = Instant::now();
        conn.batch_execute("VACUUM ANALYZE").unwrap();
        println!("VACUUM ANALYZE: {:.1} s", t.elapsed().as_secs_f64());
    }
    let mut times = vec![];
    for _ in 0..RUNS {
        let t = Instant::now();
        let v = gongkai::service::audit::verify(conn, None, None).unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert!(v.ok, "the seeded chain verifies");
        assert_eq!((v.cases, v.events), (CASES, events));
    }
    println!(
        "verify the whole chain ({CASES} cases, {events} events): median {:.2} s of {RUNS}",
        median(times)
    );
    let (_, idle_own, idle_peak) = export(&url, &key, &["--from", "2099-01-01T00:00:00Z"]);
    for format in ["jsonl", "csv"] {
        let runs: Vec<(f64, f64, f64)> = (0..RUNS)
            .map(|_| export(&url, &key, &["--format", format]))
            .collect();
        let secs = median(runs.iter().map(|r| r.0).collect());
        let own = runs.iter().map(|r| r.1).fold(0.0, f64::max);
        let peak = runs.iter().map(|r| r.2).fold(0.0, f64::max);
        println!(
            "export {events} events as {format}: median {secs:.2} s = {:.0} events/s; own memory at most {own:.1} MiB, resident with mapped pages {peak:.1} MiB (an empty export: {idle_own:.1} and {idle_peak:.1} MiB)",
            events as f64 / secs
        );
    }

    let mut times = vec![];
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = report::annual(conn, agency.clone(), 2026, None).unwrap();
        times.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.unwrap();
    let counted = r.table.get("new").unwrap()[6] + r.table.get("carried_over").unwrap()[6];
    println!(
        "annual report 2026 over {CASES} cases ({counted} counted, check holds: {}): median {:.2} s",
        r.table.check_holds(),
        median(times)
    );
    // The same table counted case by case, as the report was before it was counted in groups.
    let mut times = vec![];
    for _ in 0..RUNS {
        let t = Instant::now();
        let by_case = report::table_case_by_case(conn, &agency.id, 2026).unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(by_case.counts, r.table.counts, "the same table");
    }
    println!(
        "part 三 counted case by case (every case read): median {:.2} s",
        median(times)
    );
    let mut times = vec![];
    let mut found = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let cell =
            report::cell_cases(conn, &agency.id, 2026, "disclosed", "natural_person").unwrap();
        times.push(t.elapsed().as_secs_f64());
        found = cell.len();
    }
    println!("one cell's cases ({found}): median {:.2} s", median(times));
}
