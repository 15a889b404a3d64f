//! Time to recompute every open case after a calendar change (issue 3 aims under 2 s for
//! 100,000 open cases on SQLite). `cargo bench --bench recompute`; set
//! GONGKAI_BENCH_DATABASE_URL=postgres://… to measure PostgreSQL instead.

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use gongkai::db::models::ApplicationRow;
use gongkai::db::schema::applications;
use gongkai::db::{DatabaseUrl, DbConnection};
use gongkai::domain::notice::{DayKind, NoticeDay, YearNotice};
use gongkai::security::SecretKey;
use gongkai::service::{admin, calendar};
use gongkai::startup::open_services;

const CASES: usize = 100_000;
const RUNS: usize = 5;

fn row(i: usize, agency_id: &str) -> ApplicationRow {
    let received =
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap() + chrono::Days::new((i % 29) as u64);
    let now = Utc::now().naive_utc();
    ApplicationRow {
        id: uuid::Uuid::now_v7().to_string(),
        agency_id: agency_id.to_owned(),
        tracking_number: format!("BENCH-2026-{i:06}"),
        channel: "online".into(),
        status: "accepted".into(),
        version: 1,
        applicant_kind: "natural_person".into(),
        organisation_type: None,
        applicant_name: "测试".into(),
        id_document_type: "resident_id_card".into(),
        id_number_hash: format!("{i:064x}"),
        id_number_masked: "1101**********0000".into(),
        phone: "13800000000".into(),
        email: None,
        address: None,
        description: "基准测试申请".into(),
        document_number: None,
        information_form: "electronic".into(),
        delivery_wanted: "online".into(),
        assistance_needed: None,
        access_token_hash: format!("bench{i:059x}"),
        registered_by: None,
        registered_at: now,
        registered_on: received,
        received_on: Some(received),
        correction_requested_on: None,
        correction_period_days: None,
        corrected_received_on: None,
        consultation_letter_on: None,
        outcome: None,
        decision_drafted_by: None,
        approved_by: None,
        delivered_on: None,
        delivery_method: None,
        closed_on: None,
        updated_at: now,
        clock_pauses: "[]".into(),
        next_deadline_kind: None,
        next_deadline_on: None,
        next_deadline_provisional: false,
        decision: None,
        extension_state: None,
        extension_days: None,
        extension_requested_by: None,
        office_set_period: None,
        fee_scale: None,
        fee_amount_fen: None,
        fee_notice_on: None,
        fee_received_on: None,
        fee_paid_on: None,
        event_seq: 0,
    }
}

fn seed(conn: &mut DbConnection, agency_id: &str) {
    let rows: Vec<ApplicationRow> = (0..CASES).map(|i| row(i, agency_id)).collect();
    gongkai::db::write_tx(conn, |conn| {
        for chunk in rows.chunks(500) {
            match conn {
                DbConnection::Sqlite(c) => diesel::insert_into(applications::table)
                    .values(chunk)
                    .execute(c)?,
                DbConnection::Postgres(c) => diesel::insert_into(applications::table)
                    .values(chunk)
                    .execute(c)?,
            };
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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
            &notice_2026(extra),
            None,
            Utc::now(),
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
