//! The register of documents (公文公开属性台账, issue 17) end to end over the API, on either
//! backend: entering documents and their grounds, the status history, CSV in and out (a BOM,
//! Chinese headers, all rows or none), cases naming documents (never shown to the applicant),
//! the annual review over several applicants with the office's threshold (art. 44), its
//! decisions, and who is refused.

use gongkai::domain::case::Outcome;
use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::Role;
use gongkai::service::{admin, divisions, register};
use serde_json::{json, Value};

use crate::answers::decision_for;
use crate::helpers::{
    assert_problem, filing, id_number, office, today, Action, Caller, Office, Reply, TestApp,
};

const DOCS: &str = "/api/v1/agencies/BJHD/documents";

fn withheld(number: &str) -> Value {
    json!({
        "document_number": number,
        "title": "关于某建设项目安全评估的报告",
        "issued_by": "办公室",
        "issued_on": "2026-03-02",
        "status": "withheld",
        "grounds": "《政府信息公开条例》第十四条",
        "reasons": "公开后可能危及公共安全",
    })
}

fn on_request(number: &str) -> Value {
    json!({
        "document_number": number,
        "title": "2025年道路维修工程合同",
        "issued_by": "FGC",
        "issued_on": "2026-01-15",
        "status": "on_request",
        "grounds": "《政府信息公开条例》第二十七条",
        "reasons": "仅涉及特定人群，依申请公开",
    })
}

fn items(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn create(caller: &Caller<'_>, body: &Value) -> String {
    create_at(caller, DOCS, body).await
}

async fn create_at(caller: &Caller<'_>, path: &str, body: &Value) -> String {
    let r = caller.post(path, body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn set_up_division(app: &TestApp) {
    let conn = &mut *app.services.conn().unwrap();
    let agency = admin::agency_by_code(conn, "BJHD").unwrap();
    divisions::add_division(conn, &agency, "FGC", "法规处").unwrap();
}

fn division_clerk(app: &TestApp) -> String {
    let conn = &mut *app.services.conn().unwrap();
    let p = divisions::Placement {
        division: Some("FGC"),
        ..divisions::Placement::default()
    };
    admin::add_placed_user(conn, "法规处 钱", Role::Clerk, Some("BJHD"), None, &p)
        .unwrap()
        .1
}

async fn import(caller: &Caller<'_>, csv: &[u8]) -> Reply {
    caller
        .send(
            "POST",
            &format!("{DOCS}/import"),
            &[("Content-Type", "text/csv; charset=utf-8")],
            Some(csv.to_vec()),
        )
        .await
}

#[actix_rt::test]
async fn documents_are_entered_with_their_grounds_and_every_status_change_is_kept() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    set_up_division(&app);

    // Withheld without grounds or reasons: refused, both named, nothing entered.
    let mut bare = withheld("海政发〔2026〕1号");
    bare["grounds"] = json!("  ");
    bare.as_object_mut().unwrap().remove("reasons");
    let r = o.clerk().post(DOCS, &bare).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["grounds", "reasons"], "{}", r.body);
    assert!(items(&o.clerk().get(DOCS).await).is_empty());
    // A status the register does not know, a date that is not one.
    let mut odd = withheld("海政发〔2026〕1号");
    odd["status"] = json!("secret");
    odd["issued_on"] = json!("2026-02-30");
    let r = o.clerk().post(DOCS, &odd).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);

    // Proactive needs no grounds; the issuer given as a division's code is that division.
    let proactive = json!({ "document_number": "海政发〔2026〕2号", "title": "关于道路维修的通知",
        "issued_by": "fgc", "issued_on": "2026-02-01", "status": "proactive" });
    let r = o.clerk().post(DOCS, &proactive).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["issuing_division"]["name"], "法规处");
    assert_eq!(r.body["issued_by"], "FGC");
    assert_eq!(
        r.header("location").unwrap(),
        format!("{DOCS}/{}", r.body["id"].as_str().unwrap())
    );

    let id = create(&o.clerk(), &withheld("海政发〔2026〕1号")).await;
    // 文号 is unique within the office.
    let r = o.clerk().post(DOCS, &withheld("海政发〔2026〕1号")).await;
    assert_problem(&r, 409, ProblemCode::DocumentNumberTaken);

    // A change to on request needs its grounds too; with them it is a new history row.
    let path = format!("{DOCS}/{id}/status");
    let r = o
        .clerk()
        .post(&path, &json!({ "status": "on_request" }))
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let r = o
        .clerk()
        .post(
            &path,
            &json!({ "status": "on_request", "grounds": "条例第二十七条", "reasons": "安全评估已过时效" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "on_request");
    let history = r.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0]["status"].as_str(), history[0]["source"].as_str()),
        (Some("withheld"), Some("created"))
    );
    assert_eq!(history[0]["grounds"], "《政府信息公开条例》第十四条");
    assert_eq!(history[1]["status"], "on_request");
    assert_eq!(history[1]["changed_by"]["name"], "张三");
    let got = o.approver().get(&format!("{DOCS}/{id}")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["history"], r.body["history"]);

    let listed = items(&o.clerk().get(&format!("{DOCS}?status=on_request")).await);
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("history").is_none(), "lists carry no history");
    assert_eq!(items(&o.clerk().get(DOCS).await).len(), 2);
    let r = o.clerk().get(&format!("{DOCS}?status=secret")).await;
    assert_problem(&r, 400, ProblemCode::InvalidQuery);
    let r = o
        .clerk()
        .get(&format!("{DOCS}/0190a000-0000-7000-8000-000000000000"))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);
}

#[actix_rt::test]
async fn the_register_goes_out_to_csv_and_back_all_rows_or_none() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    set_up_division(&app);

    // As Excel writes it: a BOM, Chinese headers, Chinese status names, dates with slashes.
    let csv = "\u{feff}文号,标题,发文处室,成文日期,公开属性,认定依据,理由\r\n\
               海政发〔2026〕1号,关于某项目安全评估的报告,办公室,2026/3/2,不予公开,条例第十四条,危及公共安全\r\n\
               海政发〔2026〕2号,\"=HYPERLINK(\"\"http://x\"\")\",FGC,2026-01-15,依申请公开,条例第二十七条,仅涉及特定人群\r\n\
               海政发〔2026〕3号,关于道路维修的通知,FGC,2026-02-01,主动公开,,\r\n";
    let r = import(&o.clerk(), csv.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body,
        json!({ "created": 3, "updated": 0, "unchanged": 0 })
    );
    let listed = items(&o.clerk().get(DOCS).await);
    assert_eq!(listed.len(), 3);
    let first = listed
        .iter()
        .find(|d| d["document_number"] == "海政发〔2026〕1号")
        .unwrap();
    assert_eq!(
        (first["status"].as_str(), first["issued_on"].as_str()),
        (Some("withheld"), Some("2026-03-02"))
    );

    // Out again: a BOM, the formula neutralised, the same columns.
    let out = o.approver().get(&format!("{DOCS}.csv")).await;
    assert_eq!(out.status, 200);
    assert_eq!(
        out.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = out.text().to_owned();
    assert!(text.starts_with('\u{feff}'), "{text}");
    assert!(text
        .starts_with("\u{feff}document_number,title,issued_by,issued_on,status,grounds,reasons"));
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    // Back in as it came out: nothing changes, nothing is added to any history.
    let r = import(&o.clerk(), text.as_bytes()).await;
    assert_eq!(
        r.body,
        json!({ "created": 0, "updated": 0, "unchanged": 3 })
    );
    let formula = listed
        .iter()
        .find(|d| d["document_number"] == "海政发〔2026〕2号")
        .unwrap();
    let got = o
        .clerk()
        .get(&format!("{DOCS}/{}", formula["id"].as_str().unwrap()))
        .await;
    assert_eq!(got.body["title"], "=HYPERLINK(\"http://x\")");
    assert_eq!(got.body["history"].as_array().unwrap().len(), 1);

    // One good row and two bad ones: every fault listed by row and column, nothing written.
    let bad = "document_number,title,issued_by,issued_on,status,grounds,reasons\n\
               海政发〔2026〕1号,改过的标题,办公室,2026-03-02,主动公开,,\n\
               海政发〔2026〕4号,新文件,办公室,2026-13-01,不予公开,,\n\
               海政发〔2026〕5号,另一新文件,办公室,2026-04-01,秘密,,\n";
    let r = import(&o.clerk(), bad.as_bytes()).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "rows[2].issued_on",
            "rows[2].grounds",
            "rows[2].reasons",
            "rows[3].status"
        ],
        "{}",
        r.body
    );
    let after = items(&o.clerk().get(DOCS).await);
    assert_eq!(after.len(), 3, "nothing imported");
    let first_after = after
        .iter()
        .find(|d| d["document_number"] == "海政发〔2026〕1号")
        .unwrap();
    assert_eq!(
        first_after["status"], "withheld",
        "the good row was not applied either"
    );

    // A row changing a status: an update and a history row from the import.
    let change = "文号,标题,发文处室,成文日期,公开属性\n\
                  海政发〔2026〕1号,关于某项目安全评估的报告,办公室,2026-03-02,主动公开\n";
    let r = import(&o.clerk(), change.as_bytes()).await;
    assert_eq!(
        r.body,
        json!({ "created": 0, "updated": 1, "unchanged": 0 })
    );
    let got = o
        .clerk()
        .get(&format!("{DOCS}/{}", first["id"].as_str().unwrap()))
        .await;
    let history = got.body["history"].as_array().unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| (h["status"].as_str().unwrap(), h["source"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("withheld", "imported"), ("proactive", "imported")]
    );

    // Headers it does not know, a body that is not CSV, a number twice.
    let r = import(&o.clerk(), "编号,标题\nx,y\n".as_bytes()).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let r = o
        .clerk()
        .send(
            "POST",
            &format!("{DOCS}/import"),
            &[],
            Some(b"{\"a\": 1}".to_vec()),
        )
        .await;
    assert_problem(&r, 415, ProblemCode::UnsupportedMediaType);
    let twice = "文号,标题,发文处室,成文日期,公开属性\n\
                 海政发〔2026〕9号,甲,办公室,2026-03-02,主动公开\n\
                 海政发〔2026〕9号,乙,办公室,2026-03-02,主动公开\n";
    let r = import(&o.clerk(), twice.as_bytes()).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    assert_eq!(r.body["errors"][0]["field"], "rows[2].document_number");
    assert_eq!(items(&o.clerk().get(DOCS).await).len(), 3);
}

/// Files an application online as the `n`th applicant.
async fn file_as(app: &TestApp, n: u64) -> String {
    let mut f = filing("BJHD");
    f["applicant"]["id_number"] = json!(id_number(n));
    let r = app.public().file(&f).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn name(caller: &Caller<'_>, case: &str, docs: Value) -> Reply {
    caller
        .put(
            &format!("/api/v1/applications/{case}/documents"),
            serde_json::to_vec(&docs).unwrap(),
        )
        .await
}

/// Answers a case with `outcome`: accepted, drafted, approved, delivered.
async fn answer(o: &Office<'_>, id: &str, outcome: Outcome) {
    o.clerk().act_ok(id, Action::Accept, json!({})).await;
    let r = o
        .clerk()
        .act(id, Action::ProposeDecision, decision_for(outcome, ""))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    o.approver().act_ok(id, Action::Approve, json!({})).await;
    let deliver = json!({ "method": "email", "delivered_on": today().to_string() });
    let r = o.clerk().act(id, Action::Deliver, deliver).await;
    assert_eq!(r.body["status"], "delivered", "{}", r.body);
}

#[actix_rt::test]
async fn cases_name_documents_the_review_counts_applicants_and_a_decision_moves_one() {
    let app = TestApp::spawn().await; // Wednesday 25 November 2026
    let o = office(&app, "BJHD");
    set_up_division(&app);
    let a = create(&o.clerk(), &withheld("海政发〔2026〕1号")).await;
    let b = create(&o.clerk(), &on_request("海政发〔2026〕2号")).await;
    let proactive = json!({ "document_number": "海政发〔2026〕3号", "title": "通知",
        "issued_by": "办公室", "issued_on": "2026-02-01", "status": "proactive" });
    create(&o.clerk(), &proactive).await;

    // Applicant 1 asks twice, applicants 2 and 3 once: A is named by three people.
    let (c1, c2) = (file_as(&app, 1).await, file_as(&app, 1).await);
    let (c3, c4) = (file_as(&app, 2).await, file_as(&app, 3).await);
    let r = name(&o.clerk(), &c1, json!([{ "document_id": a }])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(items(&r)[0]["document_number"], "海政发〔2026〕1号");
    name(&o.clerk(), &c2, json!([{ "document_id": a }])).await;
    let r = name(
        &o.approver(),
        &c3,
        json!([{ "document_id": a, "outcome": "partly_disclosed" }, { "document_id": b }]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The answers given: c1 withheld as the case, c3 partly disclosed for A (its own outcome).
    answer(&o, &c1, Outcome::WithheldStateSecret).await;
    answer(&o, &c3, Outcome::Disclosed).await;

    // Naming again replaces what was named; an unknown document, or one named twice: 422.
    let r = name(&o.clerk(), &c4, json!([{ "document_id": b }])).await;
    assert_eq!(r.status, 200);
    let r = name(&o.clerk(), &c4, json!([{ "document_id": a }])).await;
    assert_eq!(items(&r).len(), 1);
    let r = name(
        &o.clerk(),
        &c4,
        json!([{ "document_id": a }, { "document_id": a }, { "document_id": "x" },
               { "document_id": b, "outcome": "perhaps" }]),
    )
    .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let r = name(&o.clerk(), &c4, json!({ "document_id": a })).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);

    // The staff's case view shows the named documents.
    let view = o.clerk().view(&c3).await;
    let named = view.body["internal"]["documents"].as_array().unwrap();
    assert_eq!(named.len(), 2, "{}", view.body);
    assert_eq!(named[0]["outcome"], "partly_disclosed");
    assert_eq!(named[1]["outcome"], Value::Null);
    // And so does the console's case page.
    let (login, password) = app.add_console_user("wangclerk", Role::Clerk, Some("BJHD"));
    let web = app.web();
    web.sign_in(&login, &password).await;
    web.get(&format!("/console/cases/{c3}"))
        .await
        .assert_has("涉及的公文")
        .assert_has("海政发〔2026〕2号")
        .assert_has("部分公开");

    // The review as of today: A by three applicants (four cases) reaches the threshold of 3.
    let review = o
        .approver()
        .get(&format!("{DOCS}/review?as_of={}", today()))
        .await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert_eq!(review.body["threshold"], 3);
    assert_eq!(review.body["from"], "2025-11-25");
    let rows = items(&review);
    assert_eq!(rows.len(), 2, "the proactive document is not reviewed");
    let row_a = rows.iter().find(|r| r["document"]["id"] == a).unwrap();
    assert_eq!(
        (row_a["applications"].as_u64(), row_a["applicants"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(
        row_a["answers"],
        json!({ "partly_disclosed": 1, "withheld_state_secret": 1 })
    );
    assert_eq!(row_a["proposed"], true);
    let row_b = rows.iter().find(|r| r["document"]["id"] == b).unwrap();
    assert_eq!(
        (row_b["applications"].as_u64(), row_b["applicants"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(row_b["answers"], json!({ "disclosed": 1 }));
    assert_eq!(row_b["proposed"], false);

    // The 12-month edge: cases received today still count a year on, not a day later.
    let year_on = o
        .approver()
        .get(&format!("{DOCS}/review?as_of=2027-11-25"))
        .await;
    let counted: u64 = items(&year_on)
        .iter()
        .map(|r| r["applications"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 5);
    let day_later = o
        .approver()
        .get(&format!("{DOCS}/review?as_of=2027-11-26"))
        .await;
    assert!(items(&day_later)
        .iter()
        .all(|r| r["applications"] == 0 && r["proposed"] == false));

    // The threshold edge: at 4 three applicants are not enough.
    {
        let conn = &mut *app.services.conn().unwrap();
        let a4 = register::set_review_threshold(conn, "BJHD", 4).unwrap();
        assert_eq!(a4.register_review_threshold, 4);
    }
    let review4 = o
        .clerk()
        .get(&format!("{DOCS}/review?as_of={}", today()))
        .await;
    assert!(items(&review4).iter().all(|r| r["proposed"] == false));
    assert_eq!(review4.body["threshold"], 4);

    // Decisions: only approvers; A moves to proactive, B is kept.
    let decisions = json!({ "decisions": [
        { "document_id": a, "decision": "move_to_proactive", "reason": "多人申请且可以公开" },
        { "document_id": b, "decision": "keep", "reason": "仅涉及特定人群" },
    ] });
    let path = format!("{DOCS}/review/decisions");
    let r = o.clerk().post(&path, &decisions).await;
    assert_problem(&r, 403, ProblemCode::Forbidden);
    let r = o.approver().post(&path, &decisions).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    let got = o.clerk().get(&format!("{DOCS}/{a}")).await;
    assert_eq!(got.body["status"], "proactive");
    assert_eq!(got.body["grounds"], Value::Null);
    let history = got.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[1]["source"].as_str(),
            history[1]["reasons"].as_str()
        ),
        (Some("review"), Some("多人申请且可以公开"))
    );
    assert_eq!(history[1]["changed_by"]["name"], "李四");
    assert_eq!(
        history[0]["status"], "withheld",
        "the first row is kept as it was"
    );
    let decided = got.body["review_decisions"].as_array().unwrap();
    assert_eq!(decided[0]["decision"], "move_to_proactive");
    let kept = o.clerk().get(&format!("{DOCS}/{b}")).await;
    assert_eq!(kept.body["status"], "on_request");
    assert_eq!(kept.body["history"].as_array().unwrap().len(), 1);
    // Moved once; moving a proactive document again is refused, nothing recorded.
    let again = json!({ "decisions": [
        { "document_id": b, "decision": "keep", "reason": "再审" },
        { "document_id": a, "decision": "move_to_proactive", "reason": "再次" } ] });
    let r = o.approver().post(&path, &again).await;
    assert_problem(&r, 409, ProblemCode::NotUnderReview);
    let kept = o.clerk().get(&format!("{DOCS}/{b}")).await;
    assert_eq!(kept.body["review_decisions"].as_array().unwrap().len(), 1);
    let r = o
        .approver()
        .post(
            &path,
            &json!({ "decisions": [{ "document_id": b, "decision": "drop", "reason": "x" }] }),
        )
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let review = o
        .clerk()
        .get(&format!("{DOCS}/review?as_of={}", today()))
        .await;
    assert_eq!(items(&review).len(), 1, "A is no longer reviewed");
}

#[actix_rt::test]
async fn the_applicant_never_sees_the_documents_named_and_other_people_are_refused() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    set_up_division(&app);
    let other = office(&app, "BJCY");
    let division = app.as_(division_clerk(&app));
    let auditor = app.as_(app.add_user("审计", Role::Auditor, None));
    let admin = app.as_(app.add_user("管理员", Role::Admin, None));
    let a = create(&o.clerk(), &withheld("海政发〔2026〕1号")).await;
    let (case, token) = crate::helpers::file_one(&app, "BJHD").await;
    let applicant = app.as_(&token);

    let r = name(&o.clerk(), &case, json!([{ "document_id": a }])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The chain has the step; the applicant's history and view do not.
    let staff_steps: Vec<String> = o
        .clerk()
        .events(&case)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(staff_steps.contains(&"name_documents".to_owned()));
    let theirs = applicant
        .get(&format!("/api/v1/applications/{case}/events"))
        .await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.to_string().contains("name_documents"));
    assert!(!theirs.body.to_string().contains("海政发"));
    let view = applicant.view(&case).await;
    assert_eq!(view.status, 200);
    assert!(view.body.get("internal").is_none());
    assert!(!view.body.to_string().contains("海政发"));
    let verify = auditor.get("/api/v1/audit/verify").await;
    assert_eq!(verify.status, 200, "{}", verify.body);
    assert_eq!(verify.body["ok"], true, "{}", verify.body);

    // Reading: the office's staff, auditors and admins; not a division, another office, the
    // applicant, nobody.
    for reader in [&o.clerk(), &o.approver(), &auditor, &admin] {
        assert_eq!(reader.get(DOCS).await.status, 200);
    }
    assert_problem(&division.get(DOCS).await, 403, ProblemCode::Forbidden);
    assert_problem(&other.clerk().get(DOCS).await, 404, ProblemCode::NotFound);
    assert_problem(
        &other.clerk().get(&format!("{DOCS}/{a}")).await,
        404,
        ProblemCode::NotFound,
    );
    assert_problem(&applicant.get(DOCS).await, 403, ProblemCode::Forbidden);
    assert_problem(
        &app.public().get(DOCS).await,
        401,
        ProblemCode::Unauthenticated,
    );
    // Another office's register does not hold this document.
    let r = other
        .clerk()
        .get(&format!("/api/v1/agencies/BJCY/documents/{a}"))
        .await;
    assert_problem(&r, 404, ProblemCode::NotFound);

    // Keeping it: clerks and admins; not approvers, auditors or divisions.
    let next = withheld("海政发〔2026〕2号");
    assert_problem(
        &o.approver().post(DOCS, &next).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &auditor.post(DOCS, &next).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &division.post(DOCS, &next).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &other.clerk().post(DOCS, &next).await,
        404,
        ProblemCode::NotFound,
    );
    assert_eq!(admin.post(DOCS, &next).await.status, 201);
    let csv =
        "文号,标题,发文处室,成文日期,公开属性\n海政发〔2026〕7号,甲,办公室,2026-03-02,主动公开\n";
    assert_problem(
        &import(&auditor, csv.as_bytes()).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &import(&division, csv.as_bytes()).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_eq!(items(&o.clerk().get(DOCS).await).len(), 2);
    // Deciding the review: approvers of the office only.
    let decision =
        json!({ "decisions": [{ "document_id": a, "decision": "keep", "reason": "维持" }] });
    let path = format!("{DOCS}/review/decisions");
    assert_problem(
        &auditor.post(&path, &decision).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &other.approver().post(&path, &decision).await,
        404,
        ProblemCode::NotFound,
    );
    assert_eq!(o.clerk().get(&format!("{DOCS}/review")).await.status, 200);
    // Naming a case's documents: the office's clerks and approvers, not a division's staff,
    // another office or the applicant.
    let body = json!([{ "document_id": a }]);
    assert_problem(
        &name(&division, &case, body.clone()).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &name(&other.clerk(), &case, body.clone()).await,
        404,
        ProblemCode::NotFound,
    );
    assert_problem(
        &name(&applicant, &case, body.clone()).await,
        403,
        ProblemCode::Forbidden,
    );
    assert_problem(
        &name(&auditor, &case, body).await,
        403,
        ProblemCode::Forbidden,
    );
    // A document of another office cannot be named.
    let theirs = create_at(
        &other.clerk(),
        "/api/v1/agencies/BJCY/documents",
        &withheld("朝政发〔2026〕1号"),
    )
    .await;
    let r = name(&o.clerk(), &case, json!([{ "document_id": theirs }])).await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
}

#[actix_rt::test]
async fn a_register_larger_than_a_json_body_is_imported_and_exported_whole() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    // Some 1,500 documents: well over the 64 KiB a JSON body may have, under the CSV's 4 MiB.
    let mut csv = String::from("文号,标题,发文处室,成文日期,公开属性,认定依据,理由\n");
    for n in 1..=1500 {
        csv.push_str(&format!(
            "海政发〔2025〕{n}号,关于第{n}号事项的通知,办公室,2025-06-01,依申请公开,条例第二十七条,仅涉及特定人群\n"
        ));
    }
    assert!(csv.len() > 64 * 1024);
    let r = import(&o.clerk(), csv.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["created"], 1500);
    let out = o.clerk().get(&format!("{DOCS}.csv")).await;
    assert_eq!(out.text().lines().count(), 1501);
    let review = o
        .clerk()
        .get(&format!("{DOCS}/review?as_of=2026-11-30"))
        .await;
    assert_eq!(items(&review).len(), 1500);
    // Over the CSV's limit: 413, nothing imported.
    let huge = "x".repeat(4 * 1024 * 1024 + 1);
    let r = import(&o.clerk(), huge.as_bytes()).await;
    assert_problem(&r, 413, ProblemCode::PayloadTooLarge);
}

#[actix_rt::test]
async fn an_admin_sets_the_review_threshold_on_the_offices_page() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (login, password) = app.add_console_user("guanli", Role::Admin, None);
    let web = app.web();
    web.sign_in(&login, &password).await;
    let threshold = |app: &TestApp| {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::db::staff::agency_by_code(conn, "BJHD")
            .unwrap()
            .unwrap()
            .register_review_threshold
    };
    assert_eq!(threshold(&app), 3, "the default");
    web.get("/console/admin/agencies")
        .await
        .assert_has("<h3>公文台账年度审查</h3>");
    let refused = web
        .post(
            "/console/admin/agencies/BJHD/review",
            &[("applicants", "0")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert_eq!(threshold(&app), 3);
    let done = web
        .post(
            "/console/admin/agencies/BJHD/review",
            &[("applicants", "5")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(threshold(&app), 5);
    web.get("/console/admin/agencies")
        .await
        .assert_has("value=\"5\"");
}
