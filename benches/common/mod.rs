//! Shared by the benchmarks: realistic rows written straight through diesel.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use gongkai::db::models::{ApplicationRow, EventRow};
use gongkai::db::schema::applications;
use gongkai::db::DbConnection;

/// An open, accepted case received in November 2026, numbered `i`.
pub fn row(i: usize, agency_id: &str) -> ApplicationRow {
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
        correction_notice_received_on: None,
        posted_on: None,
        reasons_asked_on: None,
        reasons_replied_on: None,
        reopened_on: None,
        final_clock: None,
        final_answer_due_on: None,
        fee_waived_on: None,
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes cases and their (already chained) events in one transaction, 500 rows a statement.
pub fn insert_cases(conn: &mut DbConnection, rows: &[ApplicationRow], events: &[EventRow]) {
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
        gongkai::db::events::insert_many(conn, events)?;
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

/// The `n`th of many distinct valid resident identity numbers (a real birth date, the right
/// check character), the same as `scripts/load/filing.lua` makes.
pub fn id_number(n: u64) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let born = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(n % 20000);
    let body = format!("110105{}{:03}", born.format("%Y%m%d"), n / 20000 % 1000);
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}
