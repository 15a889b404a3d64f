//! The decision side through the API: every outcome to its letter, extensions, art. 35, fees
//! and the automatic closures.

use chrono::{Duration, Utc};
use gongkai::domain::case::Outcome;
use gongkai::domain::problem_code::ProblemCode;

use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, filing, office, today, Action, Office, TestApp};

/// What each proposable outcome needs besides its reasons.
pub fn decision_for(outcome: Outcome, earlier: &str) -> Value {
    let mut d = json!({ "outcome": outcome.as_str(), "reasoning": "经审查作出本答复" });
    match outcome {
        Outcome::PartlyDisclosed => {
            d["withheld"] = json!([{ "part": "合同单价", "ground": "withheld_third_party_rights",
                                     "legal_basis": "条例第十五条", "reasoning": "涉及商业秘密" }]);
        }
        o if o.is_withheld() => d["legal_basis"] = json!("《政府信息公开条例》第十四条"),
        Outcome::Disclosed => d["public_location"] = json!("本机关门户网站“政府信息公开”专栏"),
        Outcome::UnavailableNotHeld => {
            d["not_this_office"] = json!(true);
            d["responsible_office"] = json!("区交通委员会");
            d["responsible_contact"] = json!("010-12345678");
            d["convenience_reply"] = json!("建议向区交通委员会提出申请");
        }
        Outcome::UnavailableNeedsCreation => d["convenience_reply"] = json!("可查阅年度统计公报"),
        Outcome::NotProcessedRepeat => d["earlier_application"] = json!(earlier),
        Outcome::Other => {
            d["other_procedure"] = json!("不动产登记资料查询请依《不动产登记资料查询暂行办法》办理")
        }
        _ => {}
    }
    d
}

async fn to_delivery(app: &TestApp, o: &Office<'_>, decision: Value) -> (String, String, Value) {
    let (id, applicant) = file_one(app, "BJHD").await;
    let (clerk, applicant_) = (o.clerk(), app.as_(&applicant));
    // Outcomes that stand on an earlier step (RULES §8) take it first.
    match decision["outcome"].as_str() {
        Some("unavailable_unclear_after_correction") => {
            let ask = json!({ "items": ["请写明文件名称"], "period_working_days": 10 });
            clerk.act_ok(&id, Action::RequestCorrection, ask).await;
            let fix = json!({ "statement": "补正如下" });
            applicant_.act_ok(&id, Action::SubmitCorrection, fix).await;
        }
        Some("not_processed_excessive") => {
            clerk.act_ok(&id, Action::Accept, json!({})).await;
            let ask = json!({ "questions": "请说明申请理由" });
            clerk.act_ok(&id, Action::AskForReasons, ask).await;
        }
        _ => {
            clerk.act_ok(&id, Action::Accept, json!({})).await;
        }
    }
    let r = o
        .clerk()
        .act(&id, Action::ProposeDecision, decision.clone())
        .await;
    assert_eq!(r.status, 200, "{decision}: {}", r.body);
    let r = o.approver().act(&id, Action::Approve, json!({})).await;
    assert_eq!(r.body["status"], "approved", "{}", r.body);
    let r = o
        .clerk()
        .act(
            &id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today().to_string() }),
        )
        .await;
    assert_eq!(r.body["status"], "delivered", "{}", r.body);
    (id, applicant, r.body)
}

#[actix_rt::test]
async fn every_outcome_goes_from_filing_to_a_delivered_letter() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut earlier = String::from("BJHD-2026-000001");
    for outcome in Outcome::ALL.iter().filter(|o| o.is_proposable()) {
        let (id, applicant, case) = to_delivery(&app, &o, decision_for(*outcome, &earlier)).await;
        assert_eq!(case["decision"]["outcome"], outcome.as_str());
        let letter = app
            .as_(&applicant)
            .get(&format!("/api/v1/applications/{id}/letter"))
            .await;
        assert_eq!(letter.status, 200, "{}", letter.body);
        let text = letter.body["text"].as_str().unwrap();
        let tracking = case["tracking_number"].as_str().unwrap();
        for needle in [
            "BJHD 人民政府",
            "政府信息公开申请答复书",
            tracking,
            outcome.label(),
            "六十日内",
            "六个月内",
        ] {
            assert!(
                text.contains(needle),
                "{outcome}: {needle} missing from\n{text}"
            );
        }
        match outcome {
            Outcome::UnavailableNotHeld => {
                assert!(text.contains("便民答复") && text.contains("区交通委员会"))
            }
            Outcome::PartlyDisclosed => assert!(text.contains("不予公开部分1：合同单价")),
            Outcome::Other => assert!(text.contains("不动产登记资料查询")),
            Outcome::NotProcessedRepeat => assert!(text.contains(&earlier)),
            _ => {}
        }
        assert_eq!(letter.body["sha256"].as_str().unwrap().len(), 64);
        earlier = tracking.to_owned();
    }
    // The same letter as a printable page and as text, for staff too.
    let (id, _, _) = to_delivery(&app, &o, decision_for(Outcome::Disclosed, &earlier)).await;
    let html = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/letter?format=html"))
        .await;
    assert_eq!(
        html.header("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    let (id2, applicant2) = file_one(&app, "BJHD").await;
    let none = app
        .as_(&applicant2)
        .get(&format!("/api/v1/applications/{id2}/letter"))
        .await;
    assert_problem(&none, 404, ProblemCode::NoLetter);
    // Letters are immutable in the database itself.
    use diesel::connection::SimpleConnection;
    let conn = &mut *app.services.conn().unwrap();
    let err = conn
        .batch_execute("UPDATE documents SET text = 'forged'")
        .unwrap_err();
    assert!(err.to_string().contains("immutable"));
}

#[actix_rt::test]
async fn answers_need_what_their_outcome_needs_and_never_change_once_approved() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    for (decision, field) in [
        (
            json!({ "outcome": "partly_disclosed", "reasoning": "x" }),
            "withheld",
        ),
        (
            json!({ "outcome": "withheld_state_secret", "reasoning": "x" }),
            "legal_basis",
        ),
        (
            json!({ "outcome": "disclosed", "reasoning": "x", "convenience_reply": "y" }),
            "convenience_reply",
        ),
        (
            json!({ "outcome": "not_processed_repeat", "reasoning": "x" }),
            "earlier_application",
        ),
        (
            json!({ "outcome": "disclosed", "reasoning": "x", "not_this_office": true }),
            "not_this_office",
        ),
        (
            json!({ "outcome": "other_fee_unpaid", "reasoning": "x" }),
            "outcome",
        ),
        (
            json!({ "outcome": "partly_disclosed", "reasoning": "x", "withheld": [
            { "part": "p", "ground": "disclosed", "legal_basis": "b", "reasoning": "r" }] }),
            "withheld",
        ),
    ] {
        let r = o
            .clerk()
            .act(&id, Action::ProposeDecision, decision.clone())
            .await;
        assert_problem(&r, 422, ProblemCode::ValidationFailed);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    o.clerk()
        .act_ok(
            &id,
            Action::ProposeDecision,
            decision_for(Outcome::Disclosed, ""),
        )
        .await;
    o.approver().act_ok(&id, Action::Approve, json!({})).await;
    let change = o
        .clerk()
        .act(
            &id,
            Action::ProposeDecision,
            decision_for(Outcome::Other, ""),
        )
        .await;
    assert_problem(&change, 409, ProblemCode::ActionNotAllowed);
    let back = o
        .approver()
        .act(&id, Action::Return, json!({ "comments": "再议" }))
        .await;
    assert_problem(&back, 409, ProblemCode::ActionNotAllowed);
}

#[actix_rt::test]
async fn an_extension_is_granted_once_by_an_approver_and_moves_the_answer_deadline() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let ask = json!({ "working_days": 20, "reason": "需调取档案" });
    let r = o
        .clerk()
        .act(&id, Action::RequestExtension, ask.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let by_clerk = o.clerk2().act(&id, Action::GrantExtension, json!({})).await;
    assert_problem(&by_clerk, 403, ProblemCode::RoleNotAllowed);
    let too_long = o
        .clerk()
        .act(
            &id,
            Action::RequestExtension,
            json!({ "working_days": 21, "reason": "x" }),
        )
        .await;
    assert_problem(&too_long, 422, ProblemCode::ValidationFailed);
    let before = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    let due_before = before.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer")
        .unwrap()["due_on"]
        .clone();
    let r = o
        .approver()
        .act(&id, Action::GrantExtension, json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    let answer = after.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer")
        .unwrap()
        .clone();
    assert_eq!(answer["extension_working_days"], 20);
    let moved = app
        .public()
        .get(&format!(
            "/api/v1/calendar/add?from={}&working_days=20",
            due_before.as_str().unwrap()
        ))
        .await;
    assert_eq!(answer["due_on"], moved.body["date"]);
    let again = o
        .clerk()
        .act(&id, Action::RequestExtension, ask.clone())
        .await;
    assert_problem(&again, 409, ProblemCode::ExtensionAlreadyGranted);
    let events = o.clerk().events(&id).await;
    assert_eq!(events.last().unwrap()["action"], "grant_extension");

    // A refused extension may be asked for again while the period runs (art. 33 ¶1 allows one
    // extension, and none was given); the second request is decided like the first.
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(&id, Action::RequestExtension, ask.clone())
        .await;
    let r = o
        .approver()
        .act(
            &id,
            Action::RefuseExtension,
            json!({ "comments": "理由不充分" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let none = o
        .approver()
        .act(&id, Action::GrantExtension, json!({}))
        .await;
    assert_problem(&none, 409, ProblemCode::NoExtensionRequested);
    let again = o.clerk().act(&id, Action::RequestExtension, ask).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a != "request_extension"));
}

#[actix_rt::test]
async fn clerks_see_frequent_and_repeat_applicants_and_the_office_may_set_a_longer_period() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let first = to_delivery(&app, &o, decision_for(Outcome::Disclosed, ""))
        .await
        .0;
    let mut last = String::new();
    for _ in 0..10 {
        last = file_one(&app, "BJHD").await.0;
    }
    let mut other = filing("BJHD");
    other["applicant"]["id_number"] = json!("110101199003077758");
    assert_eq!(app.public().file(&other).await.status, 201);
    let h = o
        .clerk()
        .get(&format!("/api/v1/applications/{last}/applicant-history"))
        .await;
    assert_eq!(h.status, 200, "{}", h.body);
    assert_eq!(h.body["applications_this_month"], 11);
    assert_eq!(
        (
            h.body["art35_monthly_threshold"].as_i64(),
            h.body["above_threshold"].as_bool()
        ),
        (Some(10), Some(true))
    );
    assert_eq!(h.body["earlier_answers"][0]["id"], json!(first));
    let (_, applicant) = file_one(&app, "BJHD").await;
    // Applicants never see it (403 like every staff-only endpoint).
    assert_problem(
        &app.as_(&applicant)
            .get(&format!("/api/v1/applications/{last}/applicant-history"))
            .await,
        403,
        ProblemCode::Forbidden,
    );

    let asked = o
        .clerk()
        .act(
            &last,
            Action::AskForReasons,
            json!({ "questions": "请说明本月频繁申请的理由" }),
        )
        .await;
    assert_eq!(
        (asked.status.as_u16(), asked.body["status"].as_str()),
        (200, Some("registered")),
        "{}",
        asked.body
    );
    o.clerk().act_ok(&last, Action::Accept, json!({})).await;
    // A longer period answers reasons found reasonable: the applicant's reply comes first.
    let early = o
        .approver()
        .act(
            &last,
            Action::SetAnswerPeriod,
            json!({ "working_days": 40, "reason": "申请数量明显超过合理范围" }),
        )
        .await;
    assert_problem(&early, 409, ProblemCode::ReasonsNotGiven);
    let reply = json!({ "reply": "课题研究需要", "received_on": today().to_string() });
    let r = o.clerk().act(&last, Action::ReplyToReasons, reply).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = o
        .approver()
        .act(
            &last,
            Action::SetAnswerPeriod,
            json!({ "working_days": 40, "reason": "申请数量明显超过合理范围" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 5);
    // The applicant is told the new period and its due day (art. 35).
    let texts: Vec<(String, String)> = {
        use diesel::prelude::*;
        use gongkai::db::schema::notices as n;
        let conn = &mut *app.services.conn().unwrap();
        n::table
            .filter(n::application_id.eq(&last))
            .select((n::template, n::body_text))
            .load(conn)
            .unwrap()
    };
    let told = texts
        .iter()
        .find(|(t, _)| t == "answer_period_set")
        .expect("the applicant is told the longer period");
    assert!(told.1.contains("40个工作日"), "{}", told.1);
    assert!(texts.iter().any(|(t, _)| t == "reasons_request"));
    let clock = o
        .clerk()
        .get(&format!("/api/v1/applications/{last}/clock"))
        .await;
    let answer = clock.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer")
        .unwrap()
        .clone();
    assert_eq!(
        (answer["working_days"].as_i64(), answer["article"].as_str()),
        (Some(40), Some("条例第三十五条"))
    );
    let twice = o
        .approver()
        .act(
            &last,
            Action::SetAnswerPeriod,
            json!({ "working_days": 60, "reason": "x" }),
        )
        .await;
    assert_problem(&twice, 409, ProblemCode::AnswerPeriodAlreadySet);
}

#[actix_rt::test]
async fn fees_are_quoted_noticed_paid_and_stop_the_answer_clock() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let q = app
        .public()
        .get("/api/v1/fees/quote?scale=per_application&rank=11")
        .await;
    assert_eq!(q.body["amount_fen"], 10_000);
    let q = app
        .public()
        .get("/api/v1/fees/quote?scale=per_page&pages=201")
        .await;
    assert_eq!(q.body["amount_fen"], 274_000);
    assert_eq!(q.body["breakdown"].as_array().unwrap().len(), 4);
    for bad in [
        "scale=per_page",
        "scale=per_application&pages=3",
        "scale=by_weight&pages=3",
        "scale=per_application&rank=0",
    ] {
        let r = app.public().get(&format!("/api/v1/fees/quote?{bad}")).await;
        assert!(r.status == 400 || r.status == 422, "{bad}: {}", r.status);
    }

    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    // The applicant's first application this month is free on the per-application scale.
    let free = o
        .clerk()
        .act(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_application" }),
        )
        .await;
    assert_eq!(
        (
            free.status.as_u16(),
            free.body["errors"][0]["field"].as_str()
        ),
        (422, Some("scale"))
    );
    let r = o
        .clerk()
        .act(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 31 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["next_deadline"]["kind"], "fee_payment");
    let events = o.clerk().events(&id).await;
    assert_eq!(events.last().unwrap()["payload"]["amount_fen"], 1_000);
    let blocked = o
        .clerk()
        .act(
            &id,
            Action::ProposeDecision,
            decision_for(Outcome::Disclosed, ""),
        )
        .await;
    assert_problem(&blocked, 409, ProblemCode::FeeUnpaid);
    let paused = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    let answer = paused.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer")
        .unwrap()
        .clone();
    assert_eq!(answer["state"], "paused");
    let wrong = o
        .clerk()
        .act(
            &id,
            Action::RecordPayment,
            json!({ "paid_on": today().to_string(), "amount_fen": 999 }),
        )
        .await;
    assert_eq!(
        (
            wrong.status.as_u16(),
            wrong.body["errors"][0]["field"].as_str()
        ),
        (422, Some("amount_fen"))
    );
    let paid = o.clerk().act(&id, Action::RecordPayment, json!({ "paid_on": today().to_string(), "amount_fen": 1000, "receipt_number": "No.001" })).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.body["next_deadline"]["kind"], "answer");
    let second = o
        .clerk()
        .act(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 40 }),
        )
        .await;
    assert_problem(&second, 409, ProblemCode::FeeNoticeAlreadyIssued);

    // The eleventh application of the month costs ¥100 on the per-application scale.
    let mut last = String::new();
    for _ in 0..10 {
        last = file_one(&app, "BJHD").await.0;
    }
    o.clerk().act_ok(&last, Action::Accept, json!({})).await;
    let r = o.clerk().act(&last, Action::IssueFeeNotice, json!({ "scale": "per_application", "reduction_fen": 5000, "reduction_reason": "经济困难" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events = o.clerk().events(&last).await;
    let payload = &events.last().unwrap()["payload"];
    assert_eq!(
        (
            payload["quote"]["quantity"].as_i64(),
            payload["quote"]["amount_fen"].as_i64(),
            payload["amount_fen"].as_i64()
        ),
        (Some(11), Some(10_000), Some(5_000))
    );
}

#[actix_rt::test]
async fn lapsed_corrections_and_unpaid_fees_are_closed_once_by_the_service() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let (no_correction, applicant) = file_one(&app, "BJHD").await;
    o.clerk()
        .act_ok(
            &no_correction,
            Action::RequestCorrection,
            json!({ "items": ["请说明"], "period_working_days": 5 }),
        )
        .await;
    let (unpaid, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&unpaid, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &unpaid,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 50 }),
        )
        .await;
    let (paid, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&paid, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &paid,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 50 }),
        )
        .await;
    o.clerk()
        .act_ok(
            &paid,
            Action::RecordPayment,
            json!({ "paid_on": today().to_string(), "amount_fen": 20_000 }),
        )
        .await;

    // Nothing has lapsed yet today.
    let now = gongkai::service::jobs::close_lapsed(&app.services, Utc::now()).unwrap();
    assert_eq!(now, Default::default());
    // Two instances run the job at once, sixty days on: each case is closed exactly once.
    let later = Utc::now() + Duration::days(60);
    let (a, b) = (app.services.clone(), app.services.clone());
    let t1 = std::thread::spawn(move || gongkai::service::jobs::close_lapsed(&a, later).unwrap());
    let t2 = std::thread::spawn(move || gongkai::service::jobs::close_lapsed(&b, later).unwrap());
    let (r1, r2) = (t1.join().unwrap(), t2.join().unwrap());
    assert_eq!(r1.abandoned_no_correction + r2.abandoned_no_correction, 1);
    assert_eq!(r1.abandoned_fee_unpaid + r2.abandoned_fee_unpaid, 1);

    let case = app.as_(&applicant).view(&no_correction).await;
    assert_eq!(case.body["status"], "abandoned_no_correction");
    assert_eq!(case.body["decision"]["outcome"], "other_no_correction");
    let events = o.clerk().events(&no_correction).await;
    let last = events.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["actor"]["role"].as_str()),
        (Some("abandon_no_correction"), Some("system"))
    );
    let case = o.clerk().view(&unpaid).await;
    assert_eq!(
        (
            case.body["status"].as_str(),
            case.body["decision"]["outcome"].as_str()
        ),
        (Some("abandoned_fee_unpaid"), Some("other_fee_unpaid"))
    );
    let case = o.clerk().view(&paid).await;
    assert_eq!(case.body["status"], "accepted");
    // Nobody may take the system's actions by hand.
    let r = o
        .clerk()
        .act(&paid, Action::AbandonFeeUnpaid, json!({}))
        .await;
    assert_problem(&r, 403, ProblemCode::RoleNotAllowed);
}

fn cn_today() -> String {
    gongkai::domain::letter::cn_date(today())
}

async fn letter_of(app: &TestApp, id: &str, token: &str) -> Value {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/applications/{id}/letter"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn letters_are_numbered_in_the_office_s_gapless_yearly_series_and_name_its_remedy_bodies() {
    use chrono::Datelike;
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    // No prefix yet: the tracking number takes the number's place; generic remedies.
    let (id, applicant, case) = to_delivery(&app, &o, decision_for(Outcome::Disclosed, "")).await;
    let l = letter_of(&app, &id, &applicant).await;
    let text = l["text"].as_str().unwrap();
    assert_eq!(l["document_number"], Value::Null);
    assert_eq!(text.lines().nth(1), case["tracking_number"].as_str());
    assert!(text.contains("六十日内依法申请行政复议"), "{text}");
    assert!(text.contains(&cn_today()), "{text}");

    {
        let conn = &mut *app.services.conn().unwrap();
        gongkai::service::admin::set_letter(
            conn,
            "BJHD",
            Some("海政信复"),
            Some("北京市海淀区人民政府"),
            Some("北京市海淀区人民法院"),
        )
        .unwrap();
    }
    let year = today().year();
    for n in 1..=2 {
        let (id, applicant, case) =
            to_delivery(&app, &o, decision_for(Outcome::UnavailableNotHeld, "")).await;
        let l = letter_of(&app, &id, &applicant).await;
        let number = format!("海政信复〔{year}〕{n}号");
        assert_eq!(l["document_number"], number.as_str());
        let text = l["text"].as_str().unwrap();
        assert_eq!(text.lines().nth(1), Some(number.as_str()), "{text}");
        assert!(
            text.contains(&format!(
                "申请编号：{}",
                case["tracking_number"].as_str().unwrap()
            )),
            "{text}"
        );
        assert!(
            text.contains(
                "如对本答复不服，可以自收到本答复之日起六十日内向北京市海淀区人民政府申请行政复议，\
                 或者自收到本答复之日起六个月内向北京市海淀区人民法院提起行政诉讼。"
            ),
            "{text}"
        );
        // Art. 36(5), not the not-held opening.
        assert!(text.contains("不属于本机关负责公开的政府信息"), "{text}");
        let html = l["html"].as_str().unwrap();
        assert!(html.contains(&format!("<p class=\"number\">{number}</p>")));
        assert!(html.contains("@page { size: A4"));
        // Staff read the same letter; the applicant's e-mail carries it too.
        assert_eq!(
            letter_of(&app, &id, &o.clerk).await["document_number"],
            number.as_str()
        );
    }
    // Deliveries at once take consecutive numbers, none twice and none skipped.
    let mut approved = vec![];
    for _ in 0..4 {
        let (id, _) = file_one(&app, "BJHD").await;
        o.clerk().act_ok(&id, Action::Accept, json!({})).await;
        let decision = decision_for(Outcome::Disclosed, "");
        o.clerk()
            .act_ok(&id, Action::ProposeDecision, decision)
            .await;
        let r = o.approver().act(&id, Action::Approve, json!({})).await;
        assert_eq!(r.body["status"], "approved", "{}", r.body);
        approved.push(id);
    }
    let deliveries = approved.iter().map(|id| {
        o.clerk().act(
            id,
            Action::Deliver,
            json!({ "method": "email", "delivered_on": today().to_string() }),
        )
    });
    for r in futures_util::future::join_all(deliveries).await {
        assert_eq!(r.body["status"], "delivered", "{}", r.body);
    }
    let mut numbers = vec![];
    for id in &approved {
        numbers.push(letter_of(&app, id, &o.clerk).await["document_number"].clone());
    }
    let mut got: Vec<String> = numbers
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want: Vec<String> = (3..=6)
        .map(|n| format!("海政信复〔{year}〕{n}号"))
        .collect();
    want.sort();
    assert_eq!(got, want);
}
