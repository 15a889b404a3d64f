//! What each person may see (issue 13): the applicant's view of a whole case, walked through
//! every kind of step, asserts what is absent as well as what is present; staff see the whole
//! case; a case is found by its tracking number; a lost access token is replaced.

use diesel::prelude::*;
use gongkai::db::schema::notices;
use gongkai::domain::problem_code::ProblemCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, filing, office, Action, Caller, Reply, TestApp};

/// Words only staff may read: notes, drafts, comments, whom the office consulted and what they
/// said, staff names and ids.
const STAFF_ONLY: &[&str] = &[
    "内部备注甲",
    "秘密建设公司",
    "secret@company.example",
    "异议内容乙",
    "审批意见丁",
    "草稿理由戊",
    "退回意见己",
    "批准意见庚",
    "公开内容辛",
    "区财政局",
    "张三",
    "李四",
    "赵六",
    "收发室签收",
    "party_name",
    "party_email",
    "reply_summary",
    "drafted_by",
    "approved_by",
    "requested_by",
    "internal",
];

/// One case walked through every step, checking after each what its applicant can read.
struct Walk<'a> {
    id: String,
    applicant: Caller<'a>,
}

impl Walk<'_> {
    async fn act(&self, who: &Caller<'_>, action: Action, body: Value) -> Value {
        who.act_ok(&self.id, action, body).await
    }

    /// Everything the applicant can read of the case, as one text.
    async fn applicant_reads(&self) -> String {
        let mut all = String::new();
        for path in ["", "/events", "/clock"] {
            let r = self
                .applicant
                .get(&format!("/api/v1/applications/{}{path}", self.id))
                .await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            all.push_str(&r.body.to_string());
        }
        let notices = self
            .applicant
            .get(&format!("/api/v1/applications/{}/notices", self.id))
            .await;
        // Notices are staff's.
        assert_problem(&notices, 403, ProblemCode::Forbidden);
        all
    }

    async fn nothing_staff_only(&self, step: &str) {
        let text = self.applicant_reads().await;
        for word in STAFF_ONLY {
            assert!(
                !text.contains(word),
                "after {step}, the applicant reads {word:?} in\n{text}"
            );
        }
    }
}

#[actix_rt::test]
async fn the_applicant_never_reads_what_is_staff_s_at_any_step() {
    let app = TestApp::spawn_on("2026-09-01").await;
    let o = office(&app, "BJHD");
    let r = app.public().file(&filing("BJHD")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let w = Walk {
        id: r.body["id"].as_str().unwrap().to_owned(),
        applicant: app.as_(r.body["access_token"].as_str().unwrap()),
    };
    w.nothing_staff_only("filing").await;
    w.act(&o.clerk(), Action::Accept, json!({ "note": "内部备注甲" }))
        .await;
    w.nothing_staff_only("accept").await;
    w.act(
        &o.clerk(),
        Action::AskForReasons,
        json!({ "questions": "请说明申请理由" }),
    )
    .await;
    let applicant = w.applicant.clone();
    w.act(
        &applicant,
        Action::ReplyToReasons,
        json!({ "reply": "课题研究需要" }),
    )
    .await;
    app.set_today("2026-09-08");
    let third = json!({ "party_kind": "third_party", "party_name": "秘密建设公司",
        "party_email": "secret@company.example", "letter_date": "2026-09-08", "note": "内部备注甲" });
    w.act(&o.clerk(), Action::StartConsultation, third).await;
    let agency =
        json!({ "party_kind": "agency", "party_name": "区财政局", "letter_date": "2026-09-08" });
    w.act(&o.clerk(), Action::StartConsultation, agency).await;
    let receipt = json!({ "document": "consultation_letter", "consultation_id": "c1",
                          "received_on": "2026-09-08" });
    w.act(&o.clerk(), Action::RecordNoticeReceived, receipt)
        .await;
    w.nothing_staff_only("consultation letters").await;
    app.set_today("2026-09-10");
    let objection = json!({ "consultation_id": "c1", "reply": "objection",
        "reply_date": "2026-09-10", "reply_summary": "异议内容乙" });
    w.act(&o.clerk(), Action::EndConsultation, objection).await;
    app.set_today("2026-09-29");
    let silence =
        json!({ "consultation_id": "c2", "reply": "no_reply", "reply_date": "2026-09-29" });
    w.act(&o.clerk(), Action::EndConsultation, silence).await;
    w.nothing_staff_only("consultation replies").await;
    // The clock says a consultation paused it.
    let clock = w
        .applicant
        .get(&format!("/api/v1/applications/{}/clock", w.id))
        .await;
    assert!(clock.body.to_string().contains("征求"), "{}", clock.body);

    let ask = json!({ "working_days": 10, "reason": "延期理由丙" });
    w.act(&o.clerk(), Action::RequestExtension, ask.clone())
        .await;
    w.nothing_staff_only("an extension asked").await;
    assert!(
        !w.applicant_reads().await.contains("延期理由丙"),
        "not before it is decided"
    );
    w.act(
        &o.approver(),
        Action::RefuseExtension,
        json!({ "comments": "审批意见丁" }),
    )
    .await;
    w.act(&o.clerk(), Action::RequestExtension, ask).await;
    w.act(
        &o.approver(),
        Action::GrantExtension,
        json!({ "note": "审批意见丁" }),
    )
    .await;
    w.nothing_staff_only("an extension granted").await;
    // Granted, its reason is told to the applicant (art. 33 ¶1).
    assert!(w.applicant_reads().await.contains("延期理由丙"));

    let draft = json!({ "outcome": "disclosed", "reasoning": "草稿理由戊" });
    w.act(&o.clerk(), Action::ProposeDecision, draft).await;
    w.nothing_staff_only("a draft").await;
    w.act(
        &o.approver(),
        Action::Return,
        json!({ "comments": "退回意见己" }),
    )
    .await;
    w.nothing_staff_only("a return").await;
    let answer = json!({ "outcome": "disclosed", "reasoning": "涉及公共利益，依法予以公开" });
    w.act(&o.clerk(), Action::ProposeDecision, answer).await;
    w.act(
        &o.approver(),
        Action::Approve,
        json!({ "note": "批准意见庚" }),
    )
    .await;
    let tell = json!({ "content": "公开内容辛", "reasons": "涉及重大公共利益" });
    w.act(&o.clerk(), Action::NotifyThirdParty, tell).await;
    w.nothing_staff_only("approval and the third party told")
        .await;
    w.act(
        &o.clerk(),
        Action::Deliver,
        json!({ "method": "email", "delivered_on": "2026-09-29" }),
    )
    .await;
    w.nothing_staff_only("delivery").await;
    w.act(
        &o.clerk(),
        Action::RecordChallenge,
        json!({ "kind": "reconsideration", "filed_on": "2026-09-29" }),
    )
    .await;

    // What concerns them is there: the steps, the answer, its letter.
    let events = w.applicant.events(&w.id).await;
    let seen: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for step in [
        "file",
        "accept",
        "ask_for_reasons",
        "reply_to_reasons",
        "start_consultation",
        "end_consultation",
        "grant_extension",
        "deliver",
        "record_challenge",
    ] {
        assert!(seen.contains(&step), "{step} missing from {seen:?}");
    }
    for hidden in [
        "propose_decision",
        "approve",
        "return",
        "request_extension",
        "refuse_extension",
        "notify_third_party",
        "record_notice_received",
    ] {
        assert!(!seen.contains(&hidden), "{hidden} shown to the applicant");
    }
    let case = w.applicant.view(&w.id).await;
    assert_eq!(case.body["decision"]["outcome"], "disclosed");
    let letter = w
        .applicant
        .get(&format!("/api/v1/applications/{}/letter", w.id))
        .await;
    assert_eq!(letter.status, 200);
    let text = letter.body["text"].as_str().unwrap();
    assert!(text.contains("涉及公共利益，依法予以公开"));
    for word in STAFF_ONLY {
        assert!(!text.contains(word), "the letter says {word:?}");
    }
}

#[actix_rt::test]
async fn staff_see_the_whole_case_in_the_case_view() {
    let app = TestApp::spawn_on("2026-09-01").await;
    let o = office(&app, "BJHD");
    let (id, applicant) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    o.clerk()
        .act_ok(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 40 }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::RequestExtension,
            json!({ "working_days": 5, "reason": "调档" }),
        )
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::RecordChallenge,
            json!({ "kind": "litigation", "filed_on": "2026-09-01" }),
        )
        .await;
    let r = o.clerk().view(&id).await;
    let internal = &r.body["internal"];
    assert_eq!(internal["extension"]["state"], "requested", "{}", r.body);
    assert_eq!(internal["extension"]["reason"], "调档");
    assert_eq!(internal["extension"]["working_days"], 5);
    let challenge_id = internal["challenges"][0]["id"]
        .as_str()
        .expect("a challenge with its id");
    assert_eq!(internal["challenges"][0]["kind"], "litigation");
    // The fee asked and its due day: 20 working days from the day after Sep 1.
    assert_eq!(r.body["fee"]["amount_fen"], 10_000);
    assert_eq!(r.body["fee"]["due_on"], "2026-09-29");
    let result =
        json!({ "challenge_id": challenge_id, "result": "upheld", "decided_on": "2026-09-01" });
    o.clerk()
        .act_ok(&id, Action::RecordChallengeResult, result)
        .await;
    o.clerk()
        .act_ok(
            &id,
            Action::RecordPayment,
            json!({ "paid_on": "2026-09-01", "amount_fen": 10_000 }),
        )
        .await;
    let draft = json!({ "outcome": "partly_disclosed", "reasoning": "单价涉及商业秘密",
        "legal_basis": "条例第十五条",
        "withheld": [{ "part": "合同单价", "ground": "withheld_third_party_rights",
                       "legal_basis": "条例第十五条", "reasoning": "第三方不同意" }] });
    o.clerk().act_ok(&id, Action::ProposeDecision, draft).await;
    let r = o.approver().view(&id).await;
    let d = &r.body["internal"]["draft"];
    assert_eq!(d["reasoning"], "单价涉及商业秘密", "{}", r.body);
    assert_eq!(d["withheld"][0]["part"], "合同单价");
    assert_eq!(r.body["internal"]["challenges"][0]["result"], "upheld");
    // The applicant sees the fee they were asked and paid, not the draft or the challenges.
    let theirs = app.as_(&applicant).view(&id).await;
    assert_eq!(
        theirs.body["fee"]["paid_on"], "2026-09-01",
        "{}",
        theirs.body
    );
    assert!(theirs.body.get("internal").is_none(), "{}", theirs.body);
    assert!(theirs.body["decision"].is_null());
}

#[actix_rt::test]
async fn a_case_is_found_by_its_tracking_number_by_whoever_may_see_it() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let other = office(&app, "SHPD");
    let (id, token) = file_one(&app, "BJHD").await;
    let (_, someone_else) = file_one(&app, "BJHD").await;
    let tracking = app.as_(&token).view(&id).await.body["tracking_number"]
        .as_str()
        .unwrap()
        .to_owned();
    for (who, token, status) in [
        ("the applicant", &token, 200),
        ("the clerk", &o.clerk, 200),
        ("another applicant", &someone_else, 404),
        ("another office's clerk", &other.clerk, 404),
    ] {
        for path in ["", "/events", "/clock"] {
            let r = app
                .as_(token)
                .get(&format!("/api/v1/applications/{tracking}{path}"))
                .await;
            assert_eq!(r.status, status, "{who} {path}: {}", r.body);
        }
    }
    let lower = tracking.to_lowercase();
    let r = app.as_(&token).view(&lower).await;
    assert_eq!(
        (r.status.as_u16(), r.body["id"].as_str()),
        (200, Some(id.as_str()))
    );
}

fn access_token_notices(app: &TestApp, id: &str) -> Vec<String> {
    let conn = &mut *app.services.conn().unwrap();
    notices::table
        .filter(notices::application_id.eq(id))
        .filter(notices::template.eq("access_token"))
        .select(notices::body_text)
        .load(conn)
        .unwrap()
}

async fn ask_for_token(app: &TestApp, key: &str, id_number: &str) -> Reply {
    app.public()
        .post(
            &format!("/api/v1/applications/{key}/access-token"),
            &json!({ "id_number": id_number }),
        )
        .await
}

#[actix_rt::test]
async fn a_lost_access_token_is_replaced_through_the_contact_on_file_and_says_nothing() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let (id, old) = file_one(&app, "BJHD").await;
    let tracking = app.as_(&old).view(&id).await.body["tracking_number"]
        .as_str()
        .unwrap()
        .to_owned();
    // A wrong number, an unknown case: the same answer, nothing changes.
    let wrong = ask_for_token(&app, &tracking, "110105194912310038").await;
    let unknown = ask_for_token(&app, "BJHD-2026-999999", "11010519491231002X").await;
    assert_eq!((wrong.status.as_u16(), unknown.status.as_u16()), (202, 202));
    assert_eq!(wrong.body, unknown.body);
    // In Chinese for the applicant, in English when the request prefers it: the same either way.
    assert_eq!(wrong.header("content-language").as_deref(), Some("zh"));
    assert!(wrong.body["detail"].as_str().unwrap().contains("查询凭证"));
    let english = app
        .public()
        .send(
            "POST",
            &format!("/api/v1/applications/{tracking}/access-token"),
            &[("Accept-Language", "en")],
            Some(br#"{"id_number": "110105194912310038"}"#.to_vec()),
        )
        .await;
    assert_eq!(english.status, 202);
    assert_eq!(english.header("content-language").as_deref(), Some("en"));
    assert!(english.body["detail"]
        .as_str()
        .unwrap()
        .contains("access token"));
    assert!(access_token_notices(&app, &id).is_empty());
    let still = app.as_(&old).view(&id).await;
    assert_eq!(still.status, 200);
    // The right number (written as the applicant may write it): a new token by e-mail.
    let right = ask_for_token(&app, &tracking, "11010519491231002x").await;
    assert_eq!((right.status.as_u16(), &right.body), (202, &wrong.body));
    let sent = access_token_notices(&app, &id);
    assert_eq!(sent.len(), 1);
    let new = sent[0]
        .split_whitespace()
        .flat_map(|w| w.split('：'))
        .find(|w| w.starts_with("gka_"))
        .expect("the new token is in the e-mail")
        .to_owned();
    let gone = app.as_(&old).view(&id).await;
    // The old token stops working at once.
    assert_problem(&gone, 401, ProblemCode::Unauthenticated);
    let works = app.as_(&new).view(&tracking).await;
    assert_eq!(works.status, 200, "{}", works.body);
    // The event says a token was sent, never the token.
    let events = app.as_(&new).events(&id).await;
    let reset = events
        .iter()
        .find(|e| e["action"] == "reset_access_token")
        .unwrap();
    assert!(!reset.to_string().contains(&new));
    // Guessing is slowed: five requests an hour for one case (three so far, the English one
    // included).
    for _ in 0..2 {
        assert_eq!(
            ask_for_token(&app, &tracking, "110105194912310038")
                .await
                .status,
            202
        );
    }
    let limited = ask_for_token(&app, &tracking, "110105194912310038").await;
    assert_problem(&limited, 429, ProblemCode::RateLimited);
    assert!(limited.header("retry-after").is_some());
}
