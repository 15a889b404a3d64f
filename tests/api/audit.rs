//! The audit trail: the hash chain verified, a row altered behind the service's back named,
//! and the exports an auditor takes away (checked offline against their hashes).

use gongkai::domain::problem_code::ProblemCode;
use std::collections::HashMap;
use std::process::Command;

use diesel::connection::SimpleConnection;
use gongkai::db::DbConnection;
use gongkai::domain::audit::{event_hash, EventContent, GENESIS};
use gongkai::domain::workflow::Role;
use gongkai::service::export::EventLine;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, office, today, Action, TestApp};

/// SQL run behind the service's back, with the append-only triggers out of the way.
fn tamper(app: &TestApp, sql: &str) {
    let conn = &mut *app.services.conn().unwrap();
    match conn {
        DbConnection::Sqlite(c) => c
            .batch_execute(&format!(
                "DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete; {sql}"
            ))
            .unwrap(),
        DbConnection::Postgres(c) => c
            .batch_execute(&format!(
                "ALTER TABLE events DISABLE TRIGGER USER; {sql}; ALTER TABLE events ENABLE TRIGGER USER"
            ))
            .unwrap(),
    }
}

async fn verify(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/audit/verify{query}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn verification_names_the_first_link_altered_behind_the_service_s_back() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计", Role::Auditor, None);
    let mut ids = vec![];
    for _ in 0..3 {
        let (id, _) = file_one(&app, "BJHD").await;
        o.clerk().act_ok(&id, Action::Accept, json!({})).await;
        ids.push(id);
    }
    let v = verify(&app, &auditor, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        (v["cases"].as_u64(), v["events"].as_u64()),
        (Some(3), Some(6))
    );
    assert_problem(
        &o.clerk().get("/api/v1/audit/verify").await,
        403,
        ProblemCode::Forbidden,
    );

    // The last event of the third case removed: its count no longer matches.
    tamper(
        &app,
        &format!(
            "DELETE FROM events WHERE application_id = '{}' AND seq = 2",
            ids[2]
        ),
    );
    let v = verify(&app, &auditor, "").await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken"]["application_id"], ids[2].as_str());
    assert_eq!(
        v["first_broken"]["problem"],
        json!({ "count_mismatch": { "recorded": 2, "found": 1 } })
    );

    // The second case's first event edited: named before the third case's break.
    tamper(&app, &format!(
        "UPDATE events SET payload = '{{\"note\":\"changed\"}}' WHERE application_id = '{}' AND seq = 1",
        ids[1]
    ));
    let v = verify(&app, &auditor, "?agency=BJHD").await;
    assert_eq!(v["first_broken"]["application_id"], ids[1].as_str(), "{v}");
    assert_eq!(v["first_broken"]["seq"], 1);
    assert_eq!(v["first_broken"]["problem"], "hash_mismatch");

    // The command line says the same and fails.
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["audit", "verify"])
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("hash_mismatch"));

    // A whole case removed from another office: its tracking number is missing.
    office(&app, "SHPD");
    let (gone, _) = file_one(&app, "SHPD").await;
    assert_eq!(verify(&app, &auditor, "?agency=SHPD").await["ok"], true);
    tamper(&app, &format!(
        "DELETE FROM notices WHERE application_id = '{gone}'; DELETE FROM idempotency_keys WHERE application_id = '{gone}'; \
         DELETE FROM events WHERE application_id = '{gone}'; DELETE FROM applications WHERE id = '{gone}'"
    ));
    let v = verify(&app, &auditor, "?agency=SHPD").await;
    let number = format!("SHPD-{}-000001", today().format("%Y"));
    assert_eq!(
        v["first_broken"]["problem"],
        json!({ "missing_case": { "tracking_number": number } })
    );
}

/// Checks each exported event against its hash and its case's chain, with nothing but the file.
fn verify_offline(lines: &[EventLine]) {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    for l in lines {
        let content = EventContent {
            id: &l.event_id,
            application_id: &l.application_id,
            seq: l.seq,
            occurred_at: chrono::NaiveDateTime::parse_from_str(
                &l.occurred_at,
                "%Y-%m-%dT%H:%M:%S%.fZ",
            )
            .unwrap(),
            actor_role: &l.actor_role,
            actor_id: l.actor_id.as_deref(),
            actor_name: l.actor_name.as_deref(),
            action: &l.action,
            status_before: l.status_before.as_deref(),
            status_after: &l.status_after,
            payload: &l.payload,
        };
        let link = l.prev_hash.as_deref().unwrap();
        assert_eq!(
            link,
            prev.get(l.application_id.as_str())
                .copied()
                .unwrap_or(GENESIS)
        );
        assert_eq!(Some(event_hash(&content, link)), l.hash);
        prev.insert(&l.application_id, l.hash.as_deref().unwrap());
    }
}

#[actix_rt::test]
async fn exports_stream_every_event_with_its_hash_and_every_case_in_one_row() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计", Role::Auditor, None);
    let (a, _) = file_one(&app, "BJHD").await;
    let (b, _) = file_one(&app, "BJHD").await;
    let steps = [
        (Action::Accept, o.clerk(), json!({})),
        (
            Action::ProposeDecision,
            o.clerk(),
            json!({ "outcome": "disclosed", "reasoning": "经审查予以公开", "public_location": "门户网站" }),
        ),
        (Action::Approve, o.approver(), json!({})),
        (
            Action::Deliver,
            o.clerk(),
            json!({ "method": "email", "delivered_on": today().to_string() }),
        ),
    ];
    for (action, who, body) in steps {
        who.act_ok(&a, action, body).await;
    }
    o.clerk().act_ok(&b, Action::Withdraw, json!({})).await;

    let r = app
        .as_(&auditor)
        .get("/api/v1/audit/events?format=jsonl")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/jsonl; charset=utf-8")
    );
    let lines: Vec<EventLine> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{}", r.text());
    verify_offline(&lines);
    assert!(
        !r.text().contains("11010519491231002X"),
        "identity numbers never leave in full"
    );

    // Filters: one case (by tracking number), one action, the applicant, a time range.
    let tracking = &lines
        .iter()
        .find(|l| l.application_id == a)
        .unwrap()
        .tracking_number;
    let count = |q: String| {
        let app = &app;
        let auditor = &auditor;
        async move {
            let r = app
                .as_(auditor)
                .get(&format!("/api/v1/audit/events?{q}"))
                .await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            r.text().lines().count()
        }
    };
    assert_eq!(count(format!("application={tracking}")).await, 5);
    assert_eq!(count("action=withdraw".into()).await, 1);
    assert_eq!(count("actor=applicant".into()).await, 2);
    assert_eq!(count("from=2099-01-01T00:00:00Z".into()).await, 0);
    assert_eq!(count("to=2099-01-01T00:00:00Z&agency=BJHD".into()).await, 7);

    // CSV for spreadsheets: a BOM, a header, the same rows, Chinese intact.
    let csv = app
        .as_(&auditor)
        .get("/api/v1/audit/events?format=csv")
        .await;
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'));
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<EventLine> = reader.deserialize().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    verify_offline(&rows);
    assert!(text.contains("经审查予以公开"));

    // The case list: one row per case.
    let cases = app
        .as_(&auditor)
        .get("/api/v1/audit/cases?format=json")
        .await;
    assert_eq!(cases.status, 200, "{}", cases.body);
    let list = cases.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let answered = list.iter().find(|c| c["status"] == "delivered").unwrap();
    assert_eq!(answered["answered_on_time"], true);
    assert_eq!(answered["outcome"], "disclosed");
    assert!(answered["answer_due_on"].is_string());
    let csv = app.as_(&auditor).get("/api/v1/audit/cases").await;
    assert!(csv
        .text()
        .starts_with("\u{feff}tracking_number,agency_code,applicant_kind"));
    assert_eq!(csv.text().lines().count(), 3);
    // JSON Lines: the same cases, one object a line, saved as cases.jsonl.
    let jsonl = app
        .as_(&auditor)
        .get("/api/v1/audit/cases?format=jsonl")
        .await;
    assert_eq!(jsonl.status, 200, "{}", jsonl.text());
    assert_eq!(
        jsonl.headers.get("content-type").unwrap(),
        "application/jsonl; charset=utf-8"
    );
    assert!(jsonl
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("filename=\"cases.jsonl\""));
    let lines: Vec<Value> = jsonl
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, list, "the same cases as the JSON array, in order");

    // Only auditors and admins export; bad parameters are refused before anything streams.
    assert_problem(
        &o.clerk().get("/api/v1/audit/events").await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &app.as_(&auditor)
            .get("/api/v1/audit/events?format=xml")
            .await,
        400,
        ProblemCode::InvalidQuery,
    );
    assert_problem(
        &app.as_(&auditor).get("/api/v1/audit/cases?year=1999").await,
        422,
        ProblemCode::ValidationFailed,
    );

    // The command line writes the same export.
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["audit", "export", "--format", "jsonl"])
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), r.text());
}

#[actix_rt::test]
async fn events_from_before_the_chain_are_chained_once_and_then_frozen() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let auditor = app.add_user("审计", Role::Auditor, None);
    let (id, _) = file_one(&app, "BJHD").await;
    // An event as an older version wrote it: no hashes.
    let legacy = format!(
        "INSERT INTO events (id, application_id, seq, occurred_at, actor_role, action, status_after, payload) \
         VALUES ('legacy-1', '{id}', 2, '2026-03-02 01:02:03.123456789', 'system', 'note', 'registered', '{{}}'); \
         UPDATE applications SET event_seq = 2 WHERE id = '{id}'"
    );
    {
        let conn = &mut *app.services.conn().unwrap();
        match conn {
            DbConnection::Sqlite(c) => c
                .batch_execute(&format!("DROP TRIGGER events_hashed_on_insert; {legacy}"))
                .unwrap(),
            DbConnection::Postgres(c) => c
                .batch_execute(&format!(
                    "ALTER TABLE events DISABLE TRIGGER events_hashed_on_insert; {legacy}; \
                     ALTER TABLE events ENABLE TRIGGER events_hashed_on_insert"
                ))
                .unwrap(),
        }
    }
    let v = verify(&app, &auditor, "").await;
    assert_eq!(v["first_broken"]["problem"], "unchained", "{v}");
    let conn = &mut *app.services.conn().unwrap();
    assert_eq!(gongkai::service::audit::chain_unchained(conn).unwrap(), 1);
    assert_eq!(gongkai::service::audit::chain_unchained(conn).unwrap(), 0);
    // Once chained, neither its hash nor its content can change.
    for sql in [
        "UPDATE events SET hash = 'x' WHERE id = 'legacy-1'",
        "UPDATE events SET payload = '{\"a\":1}' WHERE id = 'legacy-1'",
        "DELETE FROM events WHERE id = 'legacy-1'",
    ] {
        let refused = match conn {
            DbConnection::Sqlite(c) => c.batch_execute(sql).unwrap_err(),
            DbConnection::Postgres(c) => c.batch_execute(sql).unwrap_err(),
        };
        assert!(
            refused.to_string().contains("append-only"),
            "{sql}: {refused}"
        );
    }
    let v = verify(&app, &auditor, "").await;
    assert_eq!(v["ok"], true, "{v}");
}
