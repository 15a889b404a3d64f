//! Time to recompute every open case after a calendar change (issue 3 aims under 2 s for
//! 100,000 open cases on SQLite). `cargo bench --bench recompute`; set
//! GONGKAI_BENCH_DATABASE_URL=postgres://… to measure PostgreSQL instead.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use gongkai::db::models::ApplicationRow;
use gongkai::db::{DatabaseUrl, DbConnection};
use gongkai::domain::notice::{DayKind, NoticeDay, YearNotice};
use gongkai::security::SecretKey;
use gongkai::service::{admin, calendar};
use gongkai::startup::open_services;

#[path = "common/mod.rs"]
mod common;
use common::{median, row};

const CASES: usize = 100_000;
const RUNS: usize = 5;

fn seed(conn: &mut DbConnection, agency_id: &str) {
    let rows: Vec<ApplicationRow> = (0..CASES).map(|i| row(i, agency_id)).collect();
    common::insert_cases(conn, &rows, &[]);
}

fn notice_2026(extra_day_off: bool) -> YearNotice {
    let shipped = calendar::SHIPPED
        .iter()
        .find(|(y, _)| *y == 2026)
        .unwrap()
        .1;
    let mut n = YearNotice::parse(shipped, Some(2026)).unwrap();
    if extra_day_off {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        n.days.push(NoticeDay {
            date,
            kind: DayKind::Off,
            name: "基准测试".into(),
        });
        n = YearNotice::new(n.year, n.source, n.days).unwrap();
    }
    n
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("GONGKAI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let services =
        open_services(&DatabaseUrl::parse(&url).unwrap(), SecretKey::generate(), 2).unwrap();
    let conn = &mut *services.conn().unwrap();
    let agency = admin::add_agency(conn, "BENCH", "基准测试机关").unwrap();
    let t = Instant::now();
    seed(conn, &agency.id);
    println!(
        "seeded {CASES} open cases in {:.1} s ({url})",
        t.elapsed().as_secs_f64()
    );
    let load = |conn: &mut DbConnection, extra: bool| {
        let t = Instant::now();
        let loaded = calendar::load_year(
            conn,
            &services.calendars,
            &services.templates,
            &notice_2026(extra),
            &calendar::Loader::command_line("bench"),
            Utc::now(),
            None,
        )
        .unwrap();
        (t.elapsed().as_secs_f64(), loaded.recomputed)
    };
    let (secs, r) = load(conn, false);
    println!(
        "first computation of every deadline: {secs:.2} s ({} open, {} changed)",
        r.open_cases, r.changed_cases
    );
    let mut changing = Vec::new();
    for i in 0..RUNS {
        let (secs, r) = load(conn, i % 2 == 0);
        println!(
            "  run {i}: {secs:.2} s, {} open cases, {} changed (each with an event)",
            r.open_cases, r.changed_cases
        );
        changing.push(secs);
    }
    let mut unchanged = Vec::new();
    for _ in 0..3 {
        let extra = RUNS % 2 == 1;
        unchanged.push(load(conn, extra).0);
    }
    println!(
        "recompute after a calendar change: median {:.2} s for {CASES} open cases; when nothing changes: median {:.2} s",
        median(changing),
        median(unchanged)
    );
}
