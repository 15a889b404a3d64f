//! Seeds a database with a realistic caseload for load tests: ten offices, three years of
//! applications (January 2024 to yesterday), each office's tracking numbers gapless, closed
//! cases with their outcomes, the last weeks still open in every state, every case with its
//! hash-chained history, and one clerk per office whose token is written out for the load script.
//!
//! cargo run --release --example seed -- --database-url sqlite://load/gongkai.db \
//!     --cases 1000000 --tokens load/tokens.json
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Datelike, Days, NaiveDate, Utc};
use gongkai::db::models::{ApplicationRow, EventRow};
use gongkai::db::DatabaseUrl;
use gongkai::domain::case::{
    ApplicantKind, Channel, DeliveryMethod, OrganisationType, Outcome, Status,
};
use gongkai::domain::time::legal_date;
use gongkai::domain::workflow::Role;
use gongkai::security::SecretKey;
use gongkai::service::{admin, clock};
use gongkai::startup::open_services;

#[path = "../benches/common/mod.rs"]
mod common;

use common::OFFICES;
const BATCH: usize = 20_000;

struct Args {
    url: String,
    cases: usize,
    tokens: Option<String>,
    key_hex: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        url: "sqlite://load/gongkai.db".into(),
        cases: 1_000_000,
        tokens: None,
        key_hex: std::env::var("GONGKAI_SECRET_KEY").ok(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--database-url" => a.url = value,
            "--cases" => a.cases = value.parse().expect("--cases is a number"),
            "--tokens" => a.tokens = Some(value),
            other => panic!("unknown option {other}"),
        }
    }
    a
}

/// Case `i` of `n`: received on a day between 2024-01-02 and yesterday, in filing order.
fn case(
    i: usize,
    n: usize,
    agency_id: &str,
    number: i32,
    code: &str,
    today: NaiveDate,
) -> ApplicationRow {
    let first = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    let span = (today - first).num_days() as usize - 1;
    let received = first + Days::new((i * span / n) as u64);
    let age = (today - received).num_days();
    let mut r = common::row(i, agency_id);
    r.tracking_number = format!("{code}-{}-{number:06}", received.year());
    r.registered_on = received;
    r.clock.received_on = Some(received);
    r.registered_at = received.and_hms_opt(2, 0, 0).unwrap();
    r.updated_at = r.registered_at;
    // Repeat applicants: 300,000 identities among a million cases.
    r.applicant.id_number_hash = format!("{:064x}", i % 300_000);
    r.channel = [
        Channel::Online,
        Channel::Online,
        Channel::Online,
        Channel::Mail,
        Channel::InPerson,
        Channel::Fax,
    ][i % 6];
    if i % 5 == 0 {
        r.applicant.kind = ApplicantKind::Organisation;
        r.applicant.organisation_type = Some(OrganisationType::ALL[i / 5 % 5]);
    }
    let (clock, handling) = (&mut r.clock, &mut r.handling);
    if age > 30 {
        // Closed: mostly answered, some withdrawn or abandoned.
        let closed = received + Days::new(10 + (i % 25) as u64);
        clock.closed_on = Some(closed);
        match i % 20 {
            0 => clock.status = Status::Withdrawn,
            1 => {
                clock.status = Status::AbandonedNoCorrection;
                handling.outcome = Some(Outcome::OtherNoCorrection);
            }
            _ => {
                clock.status = Status::Delivered;
                handling.outcome = Some(Outcome::ALL[i % Outcome::ALL.len()]);
                clock.delivered_on = Some(closed);
                clock.delivery_method = Some(DeliveryMethod::Online);
            }
        }
    } else {
        clock.status = [
            Status::Registered,
            Status::Accepted,
            Status::Accepted,
            Status::Accepted,
            Status::Correction,
            Status::Decision,
            Status::Approved,
        ][i % 7];
        if clock.status == Status::Correction {
            clock.correction_requested_on = Some(received + Days::new(2));
            clock.correction_notice_received_on = clock.correction_requested_on;
            clock.correction_period_days = Some(15);
        }
        if matches!(clock.status, Status::Decision | Status::Approved) {
            handling.outcome = Some(Outcome::Disclosed);
        }
    }
    r.event_seq = 1 + i32::from(r.clock.closed_on.is_some());
    r
}

fn history(c: &ApplicationRow) -> Vec<EventRow> {
    let mut out = Vec::new();
    let mut prev: Option<String> = None;
    // Filed by the applicant; a closed case then closed by a clerk from `approved`.
    let steps: &[(&str, Role, Option<Status>)] = if c.clock.closed_on.is_some() {
        &[
            ("file", Role::Applicant, None),
            ("close", Role::Clerk, Some(Status::Approved)),
        ]
    } else {
        &[("file", Role::Applicant, None)]
    };
    for (seq, (action, role, before)) in steps.iter().enumerate() {
        let after = if seq == 0 {
            Status::Registered
        } else {
            c.status()
        };
        let mut e = EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: c.id.clone(),
            seq: seq as i32 + 1,
            occurred_at: c.registered_at,
            actor_role: *role,
            actor_id: None,
            actor_name: None,
            action: (*action).into(),
            status_before: *before,
            status_after: after,
            payload: format!(r#"{{"tracking_number":"{}"}}"#, c.tracking_number),
            prev_hash: None,
            hash: None,
        };
        e.chain_to(prev.as_deref());
        prev = e.hash.clone();
        out.push(e);
    }
    out
}

fn main() -> anyhow::Result<()> {
    let a = args();
    let url = DatabaseUrl::parse(&a.url)?;
    let key = match &a.key_hex {
        Some(hex) => SecretKey::from_hex(hex)?,
        None => SecretKey::load_or_create(
            &std::env::var_os("GONGKAI_SECRET_KEY_FILE")
                .map(Into::into)
                .unwrap_or_else(|| gongkai::startup::default_key_file(&url)),
        )?,
    };
    let services = open_services(&url, key, 2)?;
    let conn = &mut *services.conn()?;
    let mut agencies = Vec::new();
    let mut tokens = HashMap::new();
    for code in OFFICES {
        let agency = admin::add_agency(conn, code, &format!("{code} 人民政府办公室"))?;
        let (_, token) = admin::add_user(
            conn,
            &format!("{code} 办事员"),
            Role::Clerk,
            Some(code),
            None,
        )?;
        tokens.insert(code.to_string(), token);
        agencies.push(agency);
    }
    let (_, auditor) = admin::add_user(conn, "审计员", Role::Auditor, None, None)?;
    tokens.insert("auditor".into(), auditor);
    let today = legal_date(Utc::now());
    let started = Instant::now();
    // Gapless numbers per office and year, as the audit anchors expect.
    let mut counters: HashMap<(usize, i32), i32> = HashMap::new();
    for start in (0..a.cases).step_by(BATCH) {
        let rows: Vec<ApplicationRow> = (start..(start + BATCH).min(a.cases))
            .map(|i| {
                let office = i % OFFICES.len();
                let first = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
                let span = (today - first).num_days() as usize - 1;
                let year = (first + Days::new((i * span / a.cases) as u64)).year();
                let n = counters.entry((office, year)).or_default();
                *n += 1;
                case(i, a.cases, &agencies[office].id, *n, OFFICES[office], today)
            })
            .collect();
        let events: Vec<EventRow> = rows.iter().flat_map(history).collect();
        common::insert_cases(conn, &rows, &events);
        eprint!("\rseeded {} cases", start + rows.len());
    }
    gongkai::db::write_tx(conn, |conn| {
        for ((office, year), last) in &counters {
            gongkai::db::cases::set_tracking_counter(conn, &agencies[*office].id, *year, *last)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    let seeded = started.elapsed();
    // The open cases' deadlines, computed by the service's own clock on the official calendar.
    let recomputed = gongkai::db::write_tx(conn, |conn| {
        clock::recompute_open_cases(
            conn,
            &services.calendars,
            None,
            "seed",
            Utc::now(),
            None,
            None,
        )
    })?;
    // The closed cases' clocks, kept as they stood when each closed (as the service keeps them).
    clock::keep_clocks_of_closed_cases(conn, &services.calendars)?;
    eprintln!(
        "\nseeded {} cases in {:.1} s; deadlines of {} open cases set in {:.1} s more",
        a.cases,
        seeded.as_secs_f64(),
        recomputed.open_cases,
        (started.elapsed() - seeded).as_secs_f64()
    );
    if let Some(path) = a.tokens {
        // "CODE TOKEN" lines, which the wrk scripts read.
        let mut lines: Vec<String> = tokens.iter().map(|(c, t)| format!("{c} {t}\n")).collect();
        lines.sort();
        std::fs::write(&path, lines.concat())?;
        eprintln!("clerk and auditor tokens written to {path}");
    }
    Ok(())
}
