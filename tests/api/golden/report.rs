//! The annual report (年度报告) of a small fixed year, on the tests' fixed day, as JSON, as CSV
//! and as the printable page.

use chrono::NaiveDate;
use gongkai::domain::case::Outcome;
use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{office, Action, TestApp};
use crate::report::{answer, register};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[actix_rt::test]
async fn the_annual_report_reads_as_reviewed_in_each_format() {
    let _s = super::settings().bind_to_scope();
    let app = TestApp::spawn_on("2026-11-25").await;
    let o = office(&app, "BJHD");
    let auditor = app.as_(app.add_user("审计", Role::Auditor, None));
    // Five applicants of different kinds: three answered, one carried over from last year and
    // answered, one still open at the year's end.
    let cases = [
        (
            0,
            day("2026-03-02"),
            Some((Outcome::Disclosed, day("2026-03-20"))),
        ),
        (
            1,
            day("2026-05-11"),
            Some((Outcome::PartlyDisclosed, day("2026-06-01"))),
        ),
        (
            2,
            day("2026-09-01"),
            Some((Outcome::WithheldStateSecret, day("2026-09-15"))),
        ),
        (
            3,
            day("2025-12-30"),
            Some((Outcome::NotProcessedRepeat, day("2026-01-12"))),
        ),
        (4, day("2026-11-25"), None),
    ];
    for (column, received_on, answered) in cases {
        let id = register(&o, column, received_on).await;
        match answered {
            Some((outcome, on)) => answer(&o, &id, outcome, on).await,
            None => {
                o.clerk().act_ok(&id, Action::Accept, json!({})).await;
            }
        }
    }
    let path = "/api/v1/reports/annual?agency=BJHD&year=2026";
    let data = auditor.get(path).await;
    assert_eq!(data.status, 200, "{}", data.body);
    insta::assert_json_snapshot!("report_2026_json", data.body);
    let csv = auditor.get(&format!("{path}&format=csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    insta::assert_snapshot!("report_2026_csv", csv.text());
    let page = auditor.get(&format!("{path}&format=html")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    insta::assert_snapshot!("report_2026_html", page.text());
}
