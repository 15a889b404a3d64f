//! Shared by the benchmarks: realistic rows written straight through diesel.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use gongkai::db::models::{ApplicantColumns, ApplicationRow, EventRow, NewApplication, Request};
use gongkai::db::schema::applications;
use gongkai::db::DbConnection;
use gongkai::domain::case::{
    ApplicantKind, ApplicationId, Channel, DeliveryMethod, InformationForm, Status,
};
use gongkai::domain::identity::IdDocumentType;

/// An open, accepted case received in November 2026, numbered `i`.
pub fn row(i: usize, agency_id: &str) -> ApplicationRow {
    let received =
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap() + chrono::Days::new((i % 29) as u64);
    let mut row = ApplicationRow::new(NewApplication {
        id: ApplicationId::from_uuid(uuid::Uuid::now_v7()),
        agency_id: agency_id.to_owned(),
        tracking_number: format!("BENCH-2026-{i:06}"),
        channel: Channel::Online,
        applicant: ApplicantColumns {
            kind: ApplicantKind::NaturalPerson,
            organisation_type: None,
            name: "测试".into(),
            id_document_type: IdDocumentType::ResidentIdCard,
            id_number_hash: format!("{i:064x}"),
            id_number_masked: "1101**********0000".into(),
            phone: "13800000000".into(),
            email: None,
            address: None,
        },
        request: Request {
            description: "基准测试申请".into(),
            document_number: None,
            information_form: InformationForm::Electronic,
            delivery_wanted: DeliveryMethod::Online,
            assistance_needed: None,
        },
        access_token_hash: format!("bench{i:059x}"),
        registered_by: None,
        opened_at: Utc::now().naive_utc(),
        opened_on: received,
        received_on: Some(received),
    });
    row.clock.status = Status::Accepted;
    row.event_seq = 0;
    row
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

/// The ten offices the seed opens, which the load and the ceiling file with.
pub const OFFICES: [&str; 10] = [
    "ZFB", "FGW", "JYJ", "GAJ", "MZJ", "CZJ", "RSJ", "ZRZY", "STHJ", "ZJW",
];

/// The online filing numbered `n`: the offices in turn, a different applicant each time (as
/// `scripts/load/filing.lua` files them).
pub fn filing_json(n: u64) -> serde_json::Value {
    serde_json::json!({
        "agency_code": OFFICES[(n % 10) as usize],
        "applicant": {
            "kind": "natural_person", "name": "王五", "id_document_type": "resident_id_card",
            "id_number": id_number(n), "phone": format!("138 0000 {:04}", n % 10000),
            "email": format!("applicant{n}@example.com")
        },
        "request": {
            "description": "2025年海淀区道路维修工程合同及验收报告",
            "information_form": "electronic", "delivery_method": "email"
        }
    })
}
