//! The staff pages (issue 15) of the auditor and of any staff: verifying the record, the
//! exports, the annual report with its cells' cases, and the dashboard, which agrees with it.

use diesel::connection::SimpleConnection;
use gongkai::db::DbConnection;
use gongkai::domain::workflow::Role;
use serde_json::json;

use crate::helpers::{file_one, office, today, Action, Office, TestApp};

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

#[actix_rt::test]
async fn the_auditor_verifies_the_chain_names_a_broken_link_and_downloads_the_exports() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut ids = vec![];
    for _ in 0..2 {
        let (id, _) = file_one(&app, "BJHD").await;
        o.clerk().act_ok(&id, Action::Accept, json!({})).await;
        ids.push(id);
    }
    let (login, password) = app.add_console_user("shenji", Role::Auditor, None);
    let web = app.web();
    web.sign_in(&login, &password).await;
    let home = web.get("/console/audit").await;
    assert_eq!(home.status, 200, "{}", home.html);
    home.assert_has("核验办理记录")
        .assert_has("/console/audit/events?format=csv");

    let good = web.get("/console/audit/verify").await;
    assert_eq!(good.status, 200, "{}", good.html);
    good.assert_has("记录完整").assert_has("2 件案件、4 个事件");

    let csv = web.get("/console/audit/events?format=csv").await;
    assert_eq!(csv.status, 200);
    let disposition = csv
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(disposition.contains("attachment") && disposition.contains("events.csv"));
    assert!(
        csv.html.contains(&ids[0]) && csv.html.contains("accept"),
        "{}",
        csv.html
    );
    let jsonl = web
        .get("/console/audit/events?format=jsonl&agency=BJHD")
        .await;
    assert_eq!(jsonl.status, 200);
    assert_eq!(jsonl.html.lines().count(), 4, "{}", jsonl.html);
    let cases = web.get("/console/audit/cases?format=csv&year=2026").await;
    assert_eq!(cases.status, 200);
    assert!(cases
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("cases.csv"));
    assert_eq!(cases.html.lines().count(), 3, "{}", cases.html);
    // People open it in a spreadsheet: the heading is in Chinese, one name a column, and none
    // of the API's English column names.
    let heading = cases
        .html
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap();
    assert!(
        heading.starts_with("申请编号,机关代码,申请人类型,"),
        "{heading}"
    );
    assert!(heading.ends_with(",附件,随答复送达的附件"), "{heading}");
    for english in ["tracking_number", "agency_code", "status", "answer_due_on"] {
        assert!(!heading.contains(english), "{heading}");
    }
    let columns = |line: &str| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .len()
    };
    let row = cases.html.lines().nth(1).unwrap();
    assert_eq!(columns(heading), columns(row), "a name for every column");
    let jsonl = web.get("/console/audit/cases?format=jsonl&year=2026").await;
    assert_eq!(jsonl.status, 200);
    assert_eq!(jsonl.html.lines().count(), 2, "{}", jsonl.html);
    for line in jsonl.html.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(case["tracking_number"].is_string(), "{line}");
    }
    // A format the page does not offer is said so, never answered in another one.
    for path in [
        "/console/audit/events?format=xml",
        "/console/audit/cases?format=xlsx",
    ] {
        let refused = web.get(path).await;
        assert_eq!(refused.status, 422, "{path}");
        assert!(refused.html.contains("导出格式只能是"), "{}", refused.html);
    }
    // The exports need a session: a stranger is sent to sign in.
    let stranger = app.web().get("/console/audit/events?format=csv").await;
    assert_eq!(stranger.status, 303);

    tamper(
        &app,
        &format!(
            "UPDATE events SET payload = '{{\"note\":\"changed\"}}' WHERE application_id = '{}' AND seq = 1",
            ids[1]
        ),
    );
    let bad = web.get("/console/audit/verify?agency=BJHD").await;
    assert_eq!(bad.status, 200, "{}", bad.html);
    let number = app
        .as_(&o.clerk)
        .get(&format!("/api/v1/applications/{}", ids[1]))
        .await
        .body["tracking_number"]
        .as_str()
        .unwrap()
        .to_owned();
    bad.assert_has("记录不完整")
        .assert_has(&number)
        .assert_has("第 1 号")
        .assert_has("事件内容与其哈希值不符")
        .assert_has(&format!("/console/cases/{}", ids[1]));
}

/// A case delivered today with `outcome`.
async fn answered(app: &TestApp, o: &Office<'_>, outcome: &str) -> String {
    let (id, _) = file_one(app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let draft = json!({ "outcome": outcome, "reasoning": "理由", "legal_basis": "第三十六条" });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today().to_string() }),
        )
        .await;
    id
}

#[actix_rt::test]
async fn the_report_table_links_each_cell_to_its_cases_and_the_dashboard_agrees_with_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let a = answered(&app, &o, "unavailable_not_held").await;
    let b = answered(&app, &o, "unavailable_not_held").await;
    let c = answered(&app, &o, "disclosed").await;
    let (open, _) = file_one(&app, "BJHD").await;
    let (login, password) = app.add_console_user("shenji", Role::Auditor, None);
    let web = app.web();
    web.sign_in(&login, &password).await;

    let page = web.get("/console/report?agency=BJHD&year=2026").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let cell = "/console/report/cases?agency=BJHD&amp;year=2026&amp;row=unavailable_not_held&amp;column=natural_person";
    page.assert_has("2026年政府信息公开工作年度报告")
        .assert_has("1.本机关不掌握相关政府信息")
        .assert_has(cell)
        .assert_has("/console/report.csv?agency=BJHD&amp;year=2026")
        // Zero cells are not links.
        .assert_lacks("row=partly_disclosed&amp;column=natural_person");
    let listed = web
        .get("/console/report/cases?agency=BJHD&year=2026&row=unavailable_not_held&column=natural_person")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.html);
    listed
        .assert_has("共 2 件")
        .assert_has(&format!("/console/cases/{a}"))
        .assert_has(&format!("/console/cases/{b}"))
        .assert_lacks(&format!("/console/cases/{c}"))
        .assert_lacks(&format!("/console/cases/{open}"));
    let csv = web.get("/console/report.csv?agency=BJHD&year=2026").await;
    assert_eq!(csv.status, 200);
    assert!(csv.html.contains("本机关不掌握相关政府信息"));

    // The dashboard's numbers are the report's: received, answered, outcomes, open cases.
    let api = app
        .as_(&o.clerk)
        .get("/api/v1/reports/annual?agency=BJHD&year=2026")
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    let row = |k: &str| {
        api.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap()["counts"]["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (row("new"), row("disclosed"), row("unavailable_not_held")),
        (4, 1, 2)
    );
    let d = web.get("/console/dashboard?agency=BJHD").await;
    assert_eq!(d.status, 200, "{}", d.html);
    d.assert_has("<svg role=\"img\"")
        .assert_has("<title>近12个月收到的申请")
        .assert_has("aria-label=\"在办案件按下一期限分布\"");
    let table = |id: &str| {
        let at = d.html.find(&format!("id=\"table-{id}\"")).unwrap();
        let end = at + d.html[at..].find("</table>").unwrap();
        d.html[at..end].to_owned()
    };
    let cells = |id: &str, label: &str| -> Vec<u64> {
        let t = table(id);
        let at = t.find(&format!("<th scope=\"row\">{label}</th>")).unwrap();
        let row = &t[at..at + t[at..].find("</tr>").unwrap()];
        row.split("<td class=\"num\">")
            .skip(1)
            .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
            .collect()
    };
    assert_eq!(cells("received", "11月"), vec![row("new")]);
    assert_eq!(cells("answered", "11月"), vec![3, 3]);
    assert_eq!(cells("outcomes", "予以公开"), vec![row("disclosed")]);
    assert_eq!(
        cells("outcomes", "无法提供"),
        vec![row("unavailable_not_held")]
    );
    let open_total: u64 = [
        "已逾期",
        "3个工作日内到期",
        "4至10个工作日内到期",
        "10个工作日以后到期",
        "暂停计算（等待申请人或第三方）",
    ]
    .iter()
    .map(|l| cells("open", l)[0])
    .sum();
    assert_eq!(open_total, row("carried_forward"));
}
