//! The annual report through the API: a year of cases across every outcome and applicant kind,
//! with cases carried over from the year before and into the next, checked cell by cell.

use gongkai::domain::problem_code::ProblemCode;
use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use gongkai::domain::case::Outcome;
use gongkai::domain::report::{COLUMNS, ROWS};
use serde_json::{json, Value};

use crate::answers::decision_for;
use crate::helpers::{assert_problem, filing, office, today, Action, Office, TestApp};

/// The applicant of each column: a natural person, then the five kinds of organisation.
fn applicant(column: usize) -> Value {
    const TYPES: [&str; 5] = [
        "commercial_enterprise",
        "research_institution",
        "public_interest_organisation",
        "legal_services_organisation",
        "other",
    ];
    match column {
        0 => filing("BJHD")["applicant"].clone(),
        n => json!({ "kind": "organisation", "organisation_type": TYPES[n - 1], "name": "某单位",
                     "id_document_type": "unified_social_credit_code", "id_number": "91350100M000100Y43",
                     "phone": "010-12345678", "email": "office@example.com" }),
    }
}

pub async fn register(o: &Office<'_>, column: usize, received_on: NaiveDate) -> String {
    let mut body = filing("BJHD");
    body.as_object_mut().unwrap().remove("agency_code");
    body["applicant"] = applicant(column);
    body["channel"] = json!("in_person");
    body["received_on"] = json!(received_on.to_string());
    let r = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Accepts, decides, approves and delivers on `delivered_on`, taking first the step an outcome
/// stands on (a correction, or the art. 35 request for reasons).
pub async fn answer(o: &Office<'_>, id: &str, outcome: Outcome, delivered_on: NaiveDate) {
    let first = match outcome {
        Outcome::UnavailableUnclearAfterCorrection => vec![
            (
                Action::RequestCorrection,
                o.clerk(),
                json!({ "items": ["请写明文件名称"], "period_working_days": 10 }),
            ),
            (
                Action::SubmitCorrection,
                o.clerk(),
                json!({ "statement": "补正如下", "received_on": delivered_on.to_string() }),
            ),
        ],
        Outcome::NotProcessedExcessive => vec![
            (Action::Accept, o.clerk(), json!({})),
            (
                Action::AskForReasons,
                o.clerk(),
                json!({ "questions": "请说明申请理由" }),
            ),
        ],
        _ => vec![(Action::Accept, o.clerk(), json!({}))],
    };
    let steps = first.into_iter().chain([
        (
            Action::ProposeDecision,
            o.clerk(),
            decision_for(outcome, "BJHD-2020-000001"),
        ),
        (Action::Approve, o.approver(), json!({})),
        (
            Action::Deliver,
            o.clerk(),
            json!({ "method": "post", "posted_on": delivered_on.to_string() }),
        ),
    ]);
    for (action, who, body) in steps {
        let r = who.act(id, action, body).await;
        assert_eq!(r.status, 200, "{action} {outcome}: {}", r.body);
    }
}

async fn report(app: &TestApp, token: &str, year: i32) -> Value {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/reports/annual?agency=BJHD&year={year}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Every cell of part 三 against the expected counts (cells not named are 0).
fn assert_table(report: &Value, expected: &HashMap<(&str, usize), u64>) {
    for row in report["rows"].as_array().unwrap() {
        let key = row["key"].as_str().unwrap();
        let Some(counts) = row["counts"].as_object() else {
            continue;
        };
        let mut total = 0;
        for (col, (ckey, _)) in COLUMNS.iter().enumerate().take(6) {
            let want = expected.get(&(key, col)).copied().unwrap_or(0);
            assert_eq!(counts[*ckey], want, "row {key}, column {ckey}");
            total += want;
        }
        assert_eq!(counts["total"], total, "row {key}, total");
    }
}

#[actix_rt::test]
async fn a_year_of_cases_fills_the_annual_report_cell_by_cell() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计", gongkai::domain::workflow::Role::Auditor, None);
    let (t, year) = (today(), today().year());
    let last_year_end = NaiveDate::from_ymd_opt(year - 1, 12, 30).unwrap();
    let mut want: HashMap<(&str, usize), u64> = HashMap::new();
    let mut add = |row: &'static str, col: usize| *want.entry((row, col)).or_default() += 1;

    // Every result a clerk can propose, across the six kinds of applicant, received and
    // answered this year.
    let proposable: Vec<Outcome> = Outcome::ALL
        .iter()
        .copied()
        .filter(|o| o.is_proposable())
        .collect();
    let mut answered = vec![];
    for (i, outcome) in proposable.iter().enumerate() {
        let col = i % 6;
        let id = register(&o, col, t).await;
        answer(&o, &id, *outcome, t).await;
        answered.push(id);
        add("new", col);
        add(outcome.as_str(), col);
        add("results_total", col);
    }
    // Received at the end of last year: one answered this year, one still open.
    let over = register(&o, 2, last_year_end).await;
    answer(&o, &over, Outcome::Disclosed, t).await;
    add("carried_over", 2);
    add("disclosed", 2);
    add("results_total", 2);
    let still_open = register(&o, 3, last_year_end).await;
    o.clerk()
        .act_ok(&still_open, Action::Accept, json!({}))
        .await;
    add("carried_over", 3);
    add("carried_forward", 3);
    // Received and answered last year: in last year's report only.
    let old = register(&o, 1, last_year_end).await;
    answer(
        &o,
        &old,
        Outcome::PartlyDisclosed,
        last_year_end.succ_opt().unwrap(),
    )
    .await;
    // Withdrawn after an answer was drafted: （六）3 其他, not the draft's row. And one case
    // open at the year's end.
    let withdrawn = register(&o, 4, t).await;
    o.clerk()
        .act_ok(&withdrawn, Action::Accept, json!({}))
        .await;
    let draft = decision_for(Outcome::Disclosed, "");
    let r = o
        .clerk()
        .act(&withdrawn, Action::ProposeDecision, draft)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = o
        .clerk()
        .act(
            &withdrawn,
            Action::Withdraw,
            json!({ "reason": "不再需要" }),
        )
        .await;
    assert_eq!(r.body["status"], "withdrawn", "{}", r.body);
    add("new", 4);
    add("other", 4);
    add("results_total", 4);
    let open = register(&o, 5, t).await;
    add("new", 5);
    add("carried_forward", 5);
    // A fee paid this year, then the answer.
    let fee = register(&o, 0, t).await;
    o.clerk().act_ok(&fee, Action::Accept, json!({})).await;
    let r = o
        .clerk()
        .act(
            &fee,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 31 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = o
        .clerk()
        .act(
            &fee,
            Action::RecordPayment,
            json!({ "paid_on": t.to_string(), "amount_fen": 1000 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    add("new", 0);
    add("carried_forward", 0);
    // Abandoned when the correction or fee period lapses; closed on the day the job runs.
    let no_correction = register(&o, 1, t).await;
    let r = o
        .clerk()
        .act(
            &no_correction,
            Action::RequestCorrection,
            json!({ "items": ["请说明"], "period_working_days": 5 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let unpaid = register(&o, 2, t).await;
    o.clerk().act_ok(&unpaid, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &unpaid,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 50 }),
        )
        .await;
    let lapse = Utc::now() + Duration::days(45);
    let closed = gongkai::service::jobs::close_lapsed(&app.services, lapse).unwrap();
    assert_eq!(
        (closed.abandoned_no_correction, closed.abandoned_fee_unpaid),
        (1, 1)
    );
    add("new", 1);
    add("new", 2);
    if gongkai::domain::time::legal_date(lapse).year() == year {
        add("other_no_correction", 1);
        add("other_fee_unpaid", 2);
        add("results_total", 1);
        add("results_total", 2);
    } else {
        add("carried_forward", 1);
        add("carried_forward", 2);
    }

    // Challenges: a reconsideration that upheld the answer, a lawsuit after it still pending.
    let first = &answered[0];
    let r = o.clerk().act(first, Action::RecordChallenge, json!({ "kind": "reconsideration", "filed_on": t.to_string(), "authority": "区人民政府" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events = o.clerk().events(first).await;
    let challenge = events.last().unwrap()["payload"]["challenge_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = o
        .clerk()
        .act(
            first,
            Action::RecordChallengeResult,
            json!({ "challenge_id": challenge, "result": "upheld", "decided_on": t.to_string() }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let again = o.clerk().act(first, Action::RecordChallengeResult, json!({ "challenge_id": challenge, "result": "corrected", "decided_on": t.to_string() })).await;
    // A result is recorded once.
    assert_problem(&again, 422, ProblemCode::ValidationFailed);
    let r = o.clerk().act(first, Action::RecordChallenge, json!({ "kind": "litigation", "after_reconsideration": true, "filed_on": t.to_string() })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = o
        .clerk()
        .act(
            &open,
            Action::RecordChallenge,
            json!({ "kind": "litigation", "filed_on": t.to_string() }),
        )
        .await;
    // A case never answered can be challenged too (failure to act, art. 51).
    assert_eq!(r.status, 200, "{}", r.body);

    let body = report(&app, &auditor, year).await;
    assert_table(&body, &want);
    assert_eq!(body["check"]["holds"], true, "{}", body["check"]);
    assert_eq!(body["fees_collected_fen"], 1000);
    assert_eq!(body["fees_collected_yuan"], "10.00");
    // Delivered this year with a 便民答复: the not-held and the needs-creation answers.
    assert_eq!(body["convenience_replies"], 2);
    let groups = &body["challenges"]["groups"];
    assert_eq!(
        groups[0]["counts"],
        json!({ "upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1 })
    );
    // The lawsuit over the open case (failure to act) is counted, pending.
    assert_eq!(
        groups[1]["counts"],
        json!({ "upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1 })
    );
    assert_eq!(
        groups[2]["counts"],
        json!({ "upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1 })
    );
    assert_eq!(body["rows"].as_array().unwrap().len(), ROWS.len());

    // Last year: the old case answered, two carried forward — what this year carried over.
    let before = report(&app, &auditor, year - 1).await;
    let mut last = HashMap::new();
    last.insert(("new", 1), 1);
    last.insert(("partly_disclosed", 1), 1);
    last.insert(("results_total", 1), 1);
    last.insert(("new", 2), 1);
    last.insert(("new", 3), 1);
    last.insert(("carried_forward", 2), 1);
    last.insert(("carried_forward", 3), 1);
    assert_table(&before, &last);
    assert_eq!(before["convenience_replies"], 0);

    // Every cell opens onto its cases.
    let cell = app
        .as_(&auditor)
        .get(&format!(
            "/api/v1/reports/annual/cases?agency=BJHD&year={year}&row=carried_over&column=total"
        ))
        .await;
    assert_eq!(cell.status, 200, "{}", cell.body);
    let ids: Vec<&str> = cell.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [over.as_str(), still_open.as_str()]);
    let cell = o.clerk().get(&format!("/api/v1/reports/annual/cases?agency=BJHD&year={year}&row=other&column=legal_services_organisation")).await;
    assert_eq!(cell.body["count"], want[&("other", 4)], "{}", cell.body);
    let bad = app
        .as_(&auditor)
        .get(&format!(
            "/api/v1/reports/annual/cases?agency=BJHD&year={year}&row=withheld&column=total"
        ))
        .await;
    // A heading has no cases.
    assert_problem(&bad, 422, ProblemCode::ValidationFailed);

    // The same table as CSV (for spreadsheets) and as a printable page.
    let csv = app
        .as_(&auditor)
        .get(&format!(
            "/api/v1/reports/annual?agency=BJHD&year={year}&format=csv"
        ))
        .await;
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'), "CSV starts with a BOM");
    assert!(
        text.contains("项目,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计"),
        "{text}"
    );
    assert!(text.contains("（七）总计,"), "{text}");
    assert!(text.contains("勾稽关系 一+二=三（七）+四：成立"), "{text}");
    assert!(text.contains("本年度答复中提供便民答复（件）,2"), "{text}");
    let html = app
        .as_(&auditor)
        .get(&format!(
            "/api/v1/reports/annual?agency=BJHD&year={year}&format=html"
        ))
        .await;
    assert_eq!(
        html.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let page = html.text();
    for row in ROWS {
        assert!(page.contains(row.label), "{} is on the page", row.label);
    }
    assert!(page.contains("法人或其他组织") && page.contains("成立"));
    assert!(
        page.contains("本年度送达的答复中提供便民答复：2件。"),
        "{page}"
    );

    // Staff of another office may not read this one's report.
    let other = office(&app, "SHPD");
    let r = other
        .clerk()
        .get(&format!("/api/v1/reports/annual?agency=BJHD&year={year}"))
        .await;
    assert_problem(&r, 403, ProblemCode::Forbidden);
}

/// Cases written straight to the store, varied as real data never is all at once: every column,
/// outcome and status, received from 2024 to 2028 (so crossing every year end asked), receipt
/// never confirmed, withdrawn after a draft, closed before being received (bad data, which the
/// check must show). `seed` makes it the same each run.
fn varied_cases(agency_id: &str, n: usize, seed: u64) -> Vec<gongkai::db::models::ApplicationRow> {
    use gongkai::db::models::{ApplicantColumns, ApplicationRow, NewApplication, Request};
    use gongkai::domain::case::{
        ApplicantKind, ApplicationId, Channel, DeliveryMethod, InformationForm, OrganisationType,
        Status,
    };
    let mut x = seed;
    // A small linear congruential generator: varied, and the same on both backends.
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let start = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    (0..n)
        .map(|i| {
            let registered = start + chrono::Days::new(next(1500));
            // One in six never has its receipt confirmed: it counts from registration (art. 31).
            let received = (next(6) != 0).then(|| registered + chrono::Days::new(next(12)));
            let mut r = ApplicationRow::new(NewApplication {
                id: ApplicationId::from_uuid(uuid::Uuid::now_v7()),
                agency_id: agency_id.to_owned(),
                tracking_number: format!("VARIED-{seed}-{i:05}"),
                channel: Channel::InPerson,
                applicant: ApplicantColumns {
                    kind: ApplicantKind::NaturalPerson,
                    organisation_type: None,
                    name: "测试".into(),
                    id_document_type: gongkai::domain::identity::IdDocumentType::ResidentIdCard,
                    id_number_hash: format!("{seed:032x}{i:032x}"),
                    id_number_masked: "1101**********0000".into(),
                    phone: "13800000000".into(),
                    email: None,
                    address: None,
                },
                request: Request {
                    description: "汇总核对".into(),
                    document_number: None,
                    information_form: InformationForm::Paper,
                    delivery_wanted: DeliveryMethod::Post,
                    assistance_needed: None,
                },
                access_token_hash: format!("varied{seed:026x}{i:032x}"),
                registered_by: None,
                opened_at: Utc::now().naive_utc(),
                opened_on: registered,
                received_on: received,
            });
            r.registered_on = registered;
            // Seven columns' worth of applicants: an organisation of no recorded type counts
            // under 其他.
            let kind = next(7);
            if kind > 0 {
                r.applicant.kind = ApplicantKind::Organisation;
                r.applicant.organisation_type = OrganisationType::ALL.get(kind as usize - 1).copied();
            }
            r.clock.status = Status::ALL[next(Status::ALL.len() as u64) as usize];
            // An outcome on open cases too (a draft), and on withdrawn ones (counted as 其他).
            r.handling.outcome = (next(5) != 0)
                .then(|| Outcome::ALL[next(Outcome::ALL.len() as u64) as usize]);
            if r.clock.status.is_terminal() || next(10) == 0 {
                let from = received.unwrap_or(registered);
                // Mostly weeks after receipt, sometimes a year later, now and then before it.
                let days = match next(10) {
                    0 => -(next(40) as i64),
                    1 => 300 + next(200) as i64,
                    _ => next(60) as i64,
                };
                r.clock.closed_on = Some(from + chrono::Duration::days(days));
            }
            if r.clock.status == Status::Delivered {
                r.clock.delivered_on = r.clock.closed_on;
                r.handling.decision = Some(match next(4) {
                    0 => r#"{"outcome":"unavailable_not_held","convenience_reply":"可向区交通委申请"}"#,
                    1 => r#"{"outcome":"disclosed","convenience_reply":"  "}"#,
                    2 => r#"{"outcome":"disclosed","convenience_reply":null}"#,
                    _ => r#"{"outcome":"disclosed"}"#,
                }
                .into());
            }
            r
        })
        .collect()
}

#[actix_rt::test]
async fn the_report_counted_in_groups_equals_the_one_counted_case_by_case() {
    use diesel::prelude::*;
    use gongkai::domain::report::{has_convenience_reply, Table};
    use gongkai::service::report as service;
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    office(&app, "SHPD");
    let auditor = app.add_user("审计", gongkai::domain::workflow::Role::Auditor, None);
    let mut pooled = app.services.conn().unwrap();
    let conn = &mut *pooled;
    let bjhd = gongkai::db::staff::agency_by_code(conn, "BJHD")
        .unwrap()
        .unwrap();
    let shpd = gongkai::db::staff::agency_by_code(conn, "SHPD")
        .unwrap()
        .unwrap();
    let rows = varied_cases(&bjhd.id, 3000, 7);
    // Another office's cases count in its own report only.
    let others = varied_cases(&shpd.id, 500, 11);
    for chunk in rows.chunks(250).chain(others.chunks(250)) {
        let written = match conn {
            gongkai::db::DbConnection::Sqlite(c) => {
                diesel::insert_into(gongkai::db::schema::applications::table)
                    .values(chunk)
                    .execute(c)
            }
            gongkai::db::DbConnection::Postgres(c) => {
                diesel::insert_into(gongkai::db::schema::applications::table)
                    .values(chunk)
                    .execute(c)
            }
        };
        assert_eq!(written.unwrap(), chunk.len());
    }

    let mut all_years = Table::of([], 2026);
    let mut failed_checks = 0;
    for year in 2023..=2029 {
        let grouped = service::annual(conn, bjhd.clone(), year, None).unwrap();
        let by_case = service::table_case_by_case(conn, &bjhd.id, year).unwrap();
        assert_eq!(grouped.table.counts, by_case.counts, "{year}");
        failed_checks += usize::from(!by_case.check_holds());
        for (sum, n) in all_years.counts.iter_mut().zip(&by_case.counts) {
            for (s, n) in sum.iter_mut().zip(n) {
                *s += n;
            }
        }
        // Answers delivered in the year with a non-blank 便民答复, counted from the rows.
        let (first, last) = (
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
        );
        let convenience = rows
            .iter()
            .filter(|r| r.clock.status == gongkai::domain::case::Status::Delivered)
            .filter(|r| r.clock.closed_on.is_some_and(|d| first <= d && d <= last))
            .filter(|r| {
                r.handling
                    .decision
                    .as_deref()
                    .is_some_and(has_convenience_reply)
            })
            .count() as u64;
        assert_eq!(grouped.convenience_replies, convenience, "{year}");
        let other = service::annual(conn, shpd.clone(), year, None).unwrap();
        let other_by_case = service::table_case_by_case(conn, &shpd.id, year).unwrap();
        assert_eq!(other.table.counts, other_by_case.counts, "{year}");
    }
    // The data reached every counted cell of the table over the years, and the cases closed
    // before their receipt broke the check in some year, in both counts alike.
    for (row, counts) in ROWS.iter().zip(&all_years.counts) {
        if row.counted {
            assert!(counts.iter().all(|&n| n > 0), "{}: {counts:?}", row.key);
        }
    }
    assert!(failed_checks > 0);

    // The API serves the grouped count.
    let year = 2026;
    let by_case = service::table_case_by_case(conn, &bjhd.id, year).unwrap();
    drop(pooled);
    let body = report(&app, &auditor, year).await;
    let mut want = HashMap::new();
    for (row, counts) in ROWS.iter().zip(&by_case.counts) {
        for (col, n) in counts.iter().enumerate().take(6) {
            want.insert((row.key, col), *n);
        }
    }
    assert_table(&body, &want);
    assert_eq!(body["check"]["holds"], by_case.check_holds());
}
