//! The law at its edges, through the API on a clock the test moves (RULES §8): the last day and
//! the day after, a holiday in between, a late or missing reply, a posted letter, a calendar
//! loaded after a case closed. Dates are around National Day 2026 (Sep 20 and Oct 10 are
//! make-up working days; Sep 25–27 and Oct 1–7 are days off). A case received Tuesday
//! 2026-09-01 must have its correction notice by 2026-09-10 and its answer by 2026-09-29.

use diesel::prelude::*;
use gongkai::db::schema::notices;
use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::Role;
use gongkai::service::{admin, jobs, reminders};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, filing, noon_in_china, office, Action, Office, TestApp};

/// A paper application received (and registered) on `received_on`, accepted that day.
async fn accepted(app: &TestApp, o: &Office<'_>, received_on: &str) -> String {
    app.set_today(received_on);
    let mut body = filing("X");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("in_person");
    body["received_on"] = json!(received_on);
    let r = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let case = r.body["id"].as_str().unwrap().to_owned();
    o.clerk().act_ok(&case, Action::Accept, json!({})).await;
    case
}

async fn clock(app: &TestApp, id: &str, token: &str) -> Value {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

fn deadlines<'a>(clock: &'a Value, kind: &str) -> Vec<&'a Value> {
    clock["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == kind)
        .collect()
}

fn answer(clock: &Value) -> Value {
    deadlines(clock, "answer")[0].clone()
}

async fn case_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let r = app
        .as_(token)
        .get(&format!("/api/v1/applications?{query}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The notices written for a case: (template, recipient, plain text).
fn notices_of(app: &TestApp, id: &str) -> Vec<(String, String, String)> {
    let conn = &mut *app.services.conn().unwrap();
    notices::table
        .filter(notices::application_id.eq(id))
        .order(notices::created_at.asc())
        .select((notices::template, notices::recipient, notices::body_text))
        .load(conn)
        .unwrap()
}

/// Runs the scheduled job as the service does, at noon (China) of the test's day.
fn run_job(app: &TestApp, day: &str) -> jobs::Lapsed {
    jobs::close_lapsed(&app.services, noon_in_china(day)).unwrap()
}

#[actix_rt::test]
async fn a_consultation_without_a_reply_never_leaves_the_answer_paused_for_ever() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    {
        let conn = &mut *app.services.conn().unwrap();
        let email = Some("duty@bjhd.example");
        admin::add_user(conn, "值班", Role::Clerk, Some("BJHD"), email).unwrap();
    }
    let case = accepted(&app, &o, "2026-09-01").await;
    app.set_today("2026-09-10");
    let letter = json!({
        "party_kind": "third_party", "party_name": "某建设公司", "party_email": "legal@company.example",
        "letter_date": "2026-09-08", "letter_received_on": "2026-09-10"
    });
    let r = o
        .clerk()
        .act_ok(&case, Action::StartConsultation, letter)
        .await;
    // 15 working days from the day the party received the letter: Sep 11 … Oct 8.
    assert_eq!(r["next_deadline"]["kind"], "consultation_reply");
    assert_eq!(r["next_deadline"]["due_on"], "2026-10-08");

    // The window's last day: still paused, never overdue.
    app.set_today("2026-10-08");
    let c = clock(&app, &case, &o.clerk).await;
    assert_eq!(answer(&c)["state"], "paused");
    assert!(!case_ids(&app, &o.clerk, "overdue=true")
        .await
        .contains(&case));

    // The day after, the job lets the answer clock run again: due Oct 28 (Oct 9, the make-up
    // Saturday 10th, Oct 12–16, 19–23, 26–28 are its last 15 working days).
    app.set_today("2026-10-09");
    assert_eq!(run_job(&app, "2026-10-09").deadlines_rolled, 1);
    let c = clock(&app, &case, &o.clerk).await;
    assert_eq!(deadlines(&c, "consultation_reply")[0]["state"], "lapsed");
    assert_eq!(
        (answer(&c)["due_on"].as_str(), answer(&c)["state"].as_str()),
        (Some("2026-10-28"), Some("open"))
    );
    let r = o.clerk().view(&case).await;
    assert_eq!(r.body["next_deadline"]["kind"], "answer");
    assert_eq!(r.body["next_deadline"]["due_on"], "2026-10-28");

    // On the last day it is due, not overdue; the day after it is overdue, listed and alerted.
    app.set_today("2026-10-28");
    run_job(&app, "2026-10-28");
    assert!(!case_ids(&app, &o.clerk, "overdue=true")
        .await
        .contains(&case));
    app.set_today("2026-10-29");
    run_job(&app, "2026-10-29");
    assert_eq!(
        case_ids(&app, &o.clerk, "overdue=true").await,
        [case.as_str()]
    );
    reminders::remind_staff(
        &app.services,
        noon_in_china("2026-10-29"),
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    )
    .unwrap();
    let alerts: Vec<_> = notices_of(&app, &case)
        .into_iter()
        .filter(|(t, to, _)| t == "overdue_alert" && to == "duty@bjhd.example")
        .collect();
    assert_eq!(alerts.len(), 1, "one overdue alert for the answer");
    assert!(alerts[0].2.contains("答复期限"), "{}", alerts[0].2);
    // A late reply is recorded; the clock stopped only until the window closed.
    let late =
        json!({ "reply": "objection", "reply_date": "2026-10-29", "reply_summary": "不同意" });
    let r = o.clerk().act_ok(&case, Action::EndConsultation, late).await;
    assert_eq!(r["next_deadline"]["due_on"], "2026-10-28");
    // The clock says that a consultation paused it, never with whom.
    let spans = answer(&clock(&app, &case, &o.clerk).await)["spans"].to_string();
    assert!(
        spans.contains("征求") && !spans.contains("某建设公司"),
        "{spans}"
    );
}

#[actix_rt::test]
async fn a_fee_notice_on_the_last_day_stops_the_clock_and_nothing_starts_after_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let paused = accepted(&app, &o, "2026-09-01").await;
    let late = accepted(&app, &o, "2026-09-01").await;
    app.set_today("2026-09-29");
    let fee = json!({ "scale": "per_page", "pages": 40 });
    let r = o
        .clerk()
        .act_ok(&paused, Action::IssueFeeNotice, fee.clone())
        .await;
    assert_eq!(r["next_deadline"]["kind"], "fee_payment");

    app.set_today("2026-09-30");
    assert_eq!(
        answer(&clock(&app, &paused, &o.clerk).await)["state"],
        "paused"
    );
    assert!(!case_ids(&app, &o.clerk, "overdue=true")
        .await
        .contains(&paused));
    // The other case's period ended yesterday: nothing may stop or lengthen it now.
    let r = o.clerk().act(&late, Action::IssueFeeNotice, fee).await;
    assert_problem(&r, 409, ProblemCode::AnswerPeriodExpired);
    let offered: Vec<String> = serde_json::from_value(r.body["allowed_actions"].clone()).unwrap();
    // (A consultation letter is judged by its own date: it is still offered, and refused below.)
    for action in ["issue_fee_notice", "request_extension"] {
        assert!(
            !offered.contains(&action.to_owned()),
            "{action} offered: {offered:?}"
        );
    }
    let letter =
        json!({ "party_kind": "agency", "party_name": "区财政局", "letter_date": "2026-09-30" });
    let r = o
        .clerk()
        .act(&late, Action::StartConsultation, letter)
        .await;
    assert_problem(&r, 409, ProblemCode::AnswerPeriodExpired);
    let ask = json!({ "working_days": 10, "reason": "材料较多" });
    let r = o.clerk().act(&late, Action::RequestExtension, ask).await;
    assert_problem(&r, 409, ProblemCode::AnswerPeriodExpired);
    assert!(case_ids(&app, &o.clerk, "overdue=true")
        .await
        .contains(&late));

    // Paid on Oct 9: the answer is due that very day, overdue the (make-up working) day after.
    app.set_today("2026-10-09");
    let pay = json!({ "paid_on": "2026-10-09", "amount_fen": 10_000 });
    let r = o.clerk().act_ok(&paused, Action::RecordPayment, pay).await;
    assert_eq!(
        (
            r["next_deadline"]["due_on"].as_str(),
            r["next_deadline"]["working_days_left"].as_i64()
        ),
        (Some("2026-10-09"), Some(0))
    );
    app.set_today("2026-10-10");
    assert!(case_ids(&app, &o.clerk, "overdue=true")
        .await
        .contains(&paused));
    let spans = answer(&clock(&app, &paused, &o.clerk).await)["spans"].clone();
    for s in spans.as_array().unwrap() {
        if let Some(to) = s["to"].as_str() {
            assert!(s["from"].as_str().unwrap() <= to, "reversed span {s}");
        }
    }

    // A posted fee notice: no lapse before its receipt is recorded; then 20 working days from
    // the day after receipt (Oct 13–16, 19–23, 26–30, Nov 2–6, 9).
    let posted = accepted(&app, &o, "2026-10-10").await;
    let fee = json!({ "scale": "per_page", "pages": 40, "by_post": true });
    let r = o.clerk().act_ok(&posted, Action::IssueFeeNotice, fee).await;
    assert_eq!(r["next_deadline"]["kind"], "notice_receipt");
    app.set_today("2026-12-31");
    assert_eq!(run_job(&app, "2026-12-31").abandoned_fee_unpaid, 0);
    let receipt = json!({ "document": "fee_notice", "received_on": "2026-10-12" });
    let r = o
        .clerk()
        .act_ok(&posted, Action::RecordNoticeReceived, receipt)
        .await;
    assert_eq!(r["next_deadline"]["kind"], "fee_payment");
    assert_eq!(r["next_deadline"]["due_on"], "2026-11-09");
    assert_eq!(run_job(&app, "2026-12-31").abandoned_fee_unpaid, 1);
}

#[actix_rt::test]
async fn the_correction_notice_comes_within_seven_working_days_and_a_posted_one_waits_for_receipt()
{
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    // Received Thursday Sep 24: seven working days are Sep 28–30, Oct 8, 9, the make-up
    // Saturday 10th and Oct 12.
    let mut in_time = String::new();
    let mut too_late = String::new();
    for case in [&mut in_time, &mut too_late] {
        app.set_today("2026-09-24");
        let mut body = filing("X");
        body.as_object_mut().unwrap().remove("agency_code");
        body["channel"] = json!("mail");
        body["received_on"] = json!("2026-09-24");
        let r = o.clerk().post("/api/v1/registrations", &body).await;
        *case = r.body["id"].as_str().unwrap().to_owned();
    }
    let posted = json!({ "items": ["请写明文件名称"], "period_working_days": 10, "by_post": true });
    app.set_today("2026-10-12");
    let r = o
        .clerk()
        .act_ok(&in_time, Action::RequestCorrection, posted.clone())
        .await;
    assert_eq!(r["next_deadline"]["kind"], "notice_receipt");
    app.set_today("2026-10-13");
    let r = o
        .clerk()
        .act(&too_late, Action::RequestCorrection, posted)
        .await;
    assert_problem(&r, 409, ProblemCode::CorrectionNoticeLate);

    // Until the return receipt is recorded, no lapse closes the case, however late.
    app.set_today("2026-12-01");
    assert_eq!(run_job(&app, "2026-12-01").abandoned_no_correction, 0);
    let receipt = json!({ "document": "correction_notice", "received_on": "2026-10-14" });
    let r = o
        .clerk()
        .act_ok(&in_time, Action::RecordNoticeReceived, receipt)
        .await;
    // Ten working days from Oct 14: Oct 15, 16, 19–23, 26–28.
    assert_eq!(r["next_deadline"]["kind"], "correction_period");
    assert_eq!(r["next_deadline"]["due_on"], "2026-10-28");
    assert_eq!(run_job(&app, "2026-12-01").abandoned_no_correction, 1);

    // Closed for no correction: an approver may reopen it once, within 20 working days.
    let reopen = json!({ "reason": "申请人因病住院，提交了病历", "statement": "补正如下" });
    let r = o
        .clerk()
        .act(&in_time, Action::Reopen, reopen.clone())
        .await;
    // A clerk does not reopen.
    assert_problem(&r, 403, ProblemCode::RoleNotAllowed);
    let r = o
        .approver()
        .act_ok(&in_time, Action::Reopen, reopen.clone())
        .await;
    assert_eq!(r["status"], "accepted");
    assert_eq!(r["next_deadline"]["kind"], "answer");
}

#[actix_rt::test]
async fn a_posted_answer_is_timely_by_the_day_it_was_posted_and_a_closed_case_keeps_its_clock() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let admin = app.add_user("管理员", Role::Admin, None);
    let auditor = app.add_user("审计", Role::Auditor, None);
    let closed = accepted(&app, &o, "2026-09-01").await;
    let open = accepted(&app, &o, "2026-09-01").await;
    let decision = json!({ "outcome": "not_processed_petition", "reasoning": "属于信访事项" });
    o.clerk()
        .act_ok(&closed, Action::ProposeDecision, decision)
        .await;
    o.approver()
        .act_ok(&closed, Action::Approve, json!({}))
        .await;
    app.set_today("2026-10-09");
    let by_post = json!({ "method": "post" });
    let r = o.clerk().act(&closed, Action::Deliver, by_post).await;
    assert_eq!(r.body["errors"][0]["field"], "posted_on", "{}", r.body);
    let by_post = json!({ "method": "post", "posted_on": "2026-09-29" });
    o.clerk().act_ok(&closed, Action::Deliver, by_post).await;
    let c = clock(&app, &closed, &o.clerk).await;
    let a = answer(&c);
    assert_eq!(
        (
            a["state"].as_str(),
            a["done_on"].as_str(),
            a["done_basis"].as_str()
        ),
        (Some("met"), Some("2026-09-29"), Some("posted_on"))
    );
    let receipt = json!({ "document": "answer", "received_on": "2026-10-09" });
    o.clerk()
        .act_ok(&closed, Action::RecordNoticeReceived, receipt)
        .await;

    // A day off added to 2026 afterwards moves the open case, never the closed one.
    let before = clock(&app, &closed, &o.clerk).await;
    let (year, notice) = crate::clock::notice_with_day_off("2026-09-15");
    let r = app
        .as_(&admin)
        .put(
            &format!("/api/v1/calendar/years/{year}"),
            notice.to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = clock(&app, &closed, &o.clerk).await;
    assert_eq!(before["deadlines"], after["deadlines"]);
    assert_eq!(after["as_closed_on"], "2026-09-29");
    let moved = answer(&clock(&app, &open, &o.clerk).await);
    assert_eq!(
        moved["due_on"], "2026-09-30",
        "one more day off, one working day later"
    );
    // The applicant of the open case is told the new date, in the official form.
    let told: Vec<_> = notices_of(&app, &open)
        .into_iter()
        .filter(|(t, ..)| t == "deadline_moved")
        .collect();
    assert_eq!(told.len(), 1);
    assert!(
        told[0].2.contains("2026年9月29日") && told[0].2.contains("2026年9月30日"),
        "{}",
        told[0].2
    );
    // The case list says which date made the answer timely.
    let r = app
        .as_(&auditor)
        .get("/api/v1/audit/cases?format=json&agency=BJHD")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let row = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["answered_on_basis"] == "posted_on")
        .expect("the posted answer is in the list");
    assert_eq!(
        (
            row["answered_on"].as_str(),
            row["answered_on_time"].as_bool(),
            row["answer_due_on"].as_str()
        ),
        (Some("2026-09-29"), Some(true), Some("2026-09-29"))
    );
}

#[actix_rt::test]
async fn an_online_filing_on_a_day_off_is_received_on_the_next_working_day() {
    let app = TestApp::spawn_on("2026-10-03").await;
    let r = {
        office(&app, "BJHD");
        app.public().file(&filing("BJHD")).await
    };
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (
            r.body["registered_on"].as_str(),
            r.body["received_on"].as_str()
        ),
        (Some("2026-10-03"), Some("2026-10-08"))
    );
    let id = r.body["id"].as_str().unwrap();
    let receipt = notices_of(&app, id)
        .into_iter()
        .find(|(t, ..)| t == "receipt")
        .expect("a receipt");
    assert!(
        receipt.2.contains("收到申请之日为2026年10月8日"),
        "{}",
        receipt.2
    );
}

#[actix_rt::test]
async fn a_mail_application_is_watched_until_its_receipt_is_confirmed_and_the_applicant_is_told() {
    let app = TestApp::spawn_on("2026-09-30").await;
    let o = office(&app, "BJHD");
    let mut body = filing("X");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("mail");
    let r = o.clerk().post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["next_deadline"]["kind"], "confirm_receipt");
    assert_eq!(r.body["next_deadline"]["due_on"], "2026-10-08");
    let case = r.body["id"].as_str().unwrap().to_owned();
    app.set_today("2026-10-09");
    assert_eq!(
        case_ids(&app, &o.clerk, "overdue=true").await,
        [case.as_str()]
    );
    let confirm = json!({ "received_on": "2026-09-29", "basis": "收发室签收" });
    let r = o
        .clerk()
        .act_ok(&case, Action::ConfirmReceipt, confirm)
        .await;
    assert_eq!(r["next_deadline"]["kind"], "correction_notice");
    let told = notices_of(&app, &case)
        .into_iter()
        .find(|(t, ..)| t == "receipt_confirmed")
        .expect("the applicant is told the legal date of receipt");
    // Received Sep 29: the answer is due 20 working days on, Nov 2 (Sep 30, Oct 8–10, 12–16,
    // 19–23, 26–30, Nov 2).
    assert!(told.2.contains("收到申请之日为2026年9月29日"), "{}", told.2);
    assert!(told.2.contains("2026年11月2日前作出答复"), "{}", told.2);
}

#[actix_rt::test]
async fn disclosing_over_a_third_party_s_objection_tells_it_first_and_an_agency_s_silence_is_consent(
) {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let case = accepted(&app, &o, "2026-09-01").await;
    app.set_today("2026-09-08");
    let third = json!({ "party_kind": "third_party", "party_name": "某建设公司",
                        "party_email": "legal@company.example", "letter_date": "2026-09-08" });
    let agency = json!({ "party_kind": "agency", "party_name": "区财政局",
                         "party_email": "office@finance.example", "letter_date": "2026-09-08" });
    o.clerk()
        .act_ok(&case, Action::StartConsultation, third)
        .await;
    let r = o
        .clerk()
        .act_ok(&case, Action::StartConsultation, agency)
        .await;
    assert_eq!(r["status"], "consultation");
    let letters = notices_of(&app, &case);
    let to = |who: &str| {
        letters
            .iter()
            .find(|(t, r, _)| t == "consultation_letter" && r == who)
            .map(|(_, _, text)| text.clone())
            .unwrap()
    };
    assert!(to("office@finance.example").contains("视为同意公开"));
    assert!(!to("legal@company.example").contains("视为同意"));
    app.set_today("2026-09-10");
    let objection = json!({ "consultation_id": "c1", "reply": "objection",
                            "reply_date": "2026-09-10", "reply_summary": "涉及商业秘密" });
    o.clerk()
        .act_ok(&case, Action::EndConsultation, objection)
        .await;
    // The agency's silence: recorded once its window (Sep 9 … Sep 29) has passed.
    app.set_today("2026-09-30");
    let silence =
        json!({ "consultation_id": "c2", "reply": "no_reply", "reply_date": "2026-09-30" });
    o.clerk()
        .act_ok(&case, Action::EndConsultation, silence)
        .await;
    let disclose = json!({ "outcome": "disclosed", "reasoning": "涉及重大公共利益，予以公开" });
    o.clerk()
        .act_ok(&case, Action::ProposeDecision, disclose)
        .await;
    o.approver().act_ok(&case, Action::Approve, json!({})).await;
    let deliver = json!({ "method": "email", "delivered_on": "2026-09-30" });
    let r = o.clerk().act(&case, Action::Deliver, deliver.clone()).await;
    assert_problem(&r, 409, ProblemCode::ThirdPartyNotTold);
    let tell = json!({ "content": "工程合同全文", "reasons": "涉及重大公共利益" });
    o.clerk()
        .act_ok(&case, Action::NotifyThirdParty, tell)
        .await;
    let told = notices_of(&app, &case)
        .into_iter()
        .find(|(t, ..)| t == "third_party_disclosure")
        .expect("the third party is told in writing");
    assert_eq!(told.1, "legal@company.example");
    assert!(
        told.2.contains("工程合同全文") && told.2.contains("某建设公司"),
        "{}",
        told.2
    );
    o.clerk().act_ok(&case, Action::Deliver, deliver).await;
}

#[actix_rt::test]
async fn a_full_fee_waiver_is_the_head_s_recorded_decision_and_is_counted() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let auditor = app.add_user("审计", Role::Auditor, Some("BJHD"));
    let case = accepted(&app, &o, "2026-11-25").await;
    let waive = json!({ "scale": "per_page", "pages": 120, "reason": "申请人为低保户，全额免收" });
    let r = o.clerk().act(&case, Action::WaiveFee, waive.clone()).await;
    // A clerk does not waive.
    assert_problem(&r, 403, ProblemCode::RoleNotAllowed);
    let nothing = json!({ "scale": "per_page", "pages": 20, "reason": "r" });
    let r = o.approver().act(&case, Action::WaiveFee, nothing).await;
    assert_eq!(r.body["errors"][0]["field"], "scale", "{}", r.body);
    o.approver().act_ok(&case, Action::WaiveFee, waive).await;
    // Nothing to pay, no notice, and no notice can follow.
    let fee = json!({ "scale": "per_page", "pages": 120 });
    let r = o.clerk().act(&case, Action::IssueFeeNotice, fee).await;
    assert_problem(&r, 409, ProblemCode::FeeWaived);
    assert!(notices_of(&app, &case)
        .iter()
        .all(|(t, ..)| t != "fee_notice"));
    // What was waived is on record: 70 pages at 10 yuan and 20 at 20 = 1,100.00 yuan.
    let events = o.clerk().events(&case).await;
    let waived = events.iter().find(|e| e["action"] == "waive_fee").unwrap();
    assert_eq!(waived["payload"]["quote"]["amount_fen"], 110_000);
    assert_eq!(waived["payload"]["reason"], "申请人为低保户，全额免收");
    let report = app
        .as_(&auditor)
        .get("/api/v1/reports/annual?agency=BJHD&year=2026")
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["fees_waived"], 1);
    let csv = app
        .as_(&auditor)
        .get("/api/v1/reports/annual?agency=BJHD&year=2026&format=csv")
        .await;
    assert!(
        csv.text().contains("本年度决定免收信息处理费（件）,1"),
        "{}",
        csv.text()
    );
}

#[actix_rt::test]
async fn cases_closed_before_clocks_were_kept_get_theirs_once_as_of_their_closing_day() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let case = accepted(&app, &o, "2026-09-01").await;
    o.clerk()
        .act_ok(
            &case,
            Action::Withdraw,
            json!({ "reason": "申请人书面撤回" }),
        )
        .await;
    {
        use gongkai::db::schema::applications as a;
        let conn = &mut *app.services.conn().unwrap();
        diesel::update(a::table.find(&case))
            .set((
                a::final_clock.eq(None::<String>),
                a::final_answer_due_on.eq(None::<chrono::NaiveDate>),
            ))
            .execute(conn)
            .unwrap();
        let kept =
            gongkai::service::clock::keep_clocks_of_closed_cases(conn, &app.services.calendars)
                .unwrap();
        assert_eq!(kept, 1);
        let again =
            gongkai::service::clock::keep_clocks_of_closed_cases(conn, &app.services.calendars)
                .unwrap();
        assert_eq!(again, 0, "kept once");
    }
    let c = clock(&app, &case, &o.clerk).await;
    assert_eq!(c["as_closed_on"], "2026-09-01");
    assert_eq!(answer(&c)["due_on"], "2026-09-29");
    assert_eq!(answer(&c)["state"], "moot");
}
