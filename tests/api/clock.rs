//! The statutory clock through the API: derivations, the deadline queue, and recomputation
//! when the calendar changes.

use gongkai::domain::problem_code::ProblemCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, file_one, filing, office, today, Action, TestApp};

/// Registers a paper application received on a given (past) day; returns its id.
async fn registered(app: &TestApp, clerk: &str, received_on: &str) -> String {
    let mut body = filing("X");
    body.as_object_mut().unwrap().remove("agency_code");
    body["channel"] = json!("mail");
    body["received_on"] = json!(received_on);
    let r = app.as_(clerk).post("/api/v1/registrations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn deadline<'a>(clock: &'a Value, kind: &str) -> &'a Value {
    clock["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap()
}

async fn add(app: &TestApp, from: &str, n: u32, agency: Option<&str>) -> Value {
    let agency = agency.map(|a| format!("&agency={a}")).unwrap_or_default();
    let r = app
        .public()
        .get(&format!(
            "/api/v1/calendar/add?from={from}&working_days={n}{agency}"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn the_clock_shows_every_deadline_and_how_it_was_counted() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    // Received the Monday before National Day 2026.
    let id = registered(&app, &o.clerk, "2026-09-28").await;
    let r = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let notice = deadline(&r.body, "correction_notice");
    assert_eq!(
        (notice["due_on"].as_str(), notice["article"].as_str()),
        (Some("2026-10-13"), Some("条例第三十条"))
    );
    let answer = deadline(&r.body, "answer");
    assert_eq!(answer["due_on"], "2026-10-30");
    assert_eq!(answer["start"], "2026-09-28");
    assert_eq!(answer["spans"][0]["from"], "2026-09-29");
    assert_eq!(answer["spans"][0]["working_days"], 20);
    assert_eq!(answer["provisional"], false);
    if today() > "2026-10-30".parse().unwrap() {
        assert_eq!(answer["state"], "overdue");
        assert!(answer["working_days_left"].as_i64().unwrap() < 0);
    }
    assert_eq!(r.body["next_deadline"]["kind"], "correction_notice");
    assert!(r.body["calendar_years"]
        .as_array()
        .unwrap()
        .contains(&json!(2026)));

    // The case view and the applicant see the same next deadline.
    let case = o.clerk().view(&id).await;
    assert_eq!(case.body["next_deadline"]["kind"], "correction_notice");
    assert_eq!(case.body["next_deadline"]["due_on"], "2026-10-13");
    let sh = office(&app, "SHPD");
    assert_problem(
        &sh.clerk()
            .get(&format!("/api/v1/applications/{id}/clock"))
            .await,
        404,
        ProblemCode::NotFound,
    );
    assert_problem(
        &app.public()
            .get(&format!("/api/v1/applications/{id}/clock"))
            .await,
        401,
        ProblemCode::Unauthenticated,
    );
}

#[actix_rt::test]
async fn consultation_days_are_not_counted_in_the_answer_period() {
    let app = TestApp::spawn_on("2026-03-13").await;
    let o = office(&app, "BJHD");
    let id = registered(&app, &o.clerk, "2026-03-02").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let start =
        json!({ "party_kind": "third_party", "party_name": "某公司", "letter_date": "2026-03-05" });
    let r = o.clerk().act(&id, Action::StartConsultation, start).await;
    assert_eq!(
        r.body["next_deadline"]["kind"], "consultation_reply",
        "{}",
        r.body
    );
    assert_eq!(r.body["next_deadline"]["due_on"], "2026-03-26");
    let paused = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    assert_eq!(deadline(&paused.body, "answer")["state"], "paused");
    let end = json!({ "reply": "consent", "reply_date": "2026-03-12" });
    let r = o.clerk().act(&id, Action::EndConsultation, end).await;
    assert_eq!(r.body["next_deadline"]["kind"], "answer", "{}", r.body);
    assert_eq!(r.body["next_deadline"]["due_on"], "2026-04-07");
    let clock = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/clock"))
        .await;
    let spans: Vec<(bool, i64)> = deadline(&clock.body, "answer")["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["counted"].as_bool().unwrap(),
                s["working_days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans, [(true, 3), (false, 5), (true, 17)]);
    assert_eq!(deadline(&clock.body, "consultation_reply")["state"], "met");
}

#[actix_rt::test]
async fn the_queue_finds_what_is_due_and_what_is_overdue() {
    let app = TestApp::spawn_on("2026-11-25").await;
    let o = office(&app, "BJHD");
    let overdue = registered(&app, &o.clerk, "2026-09-28").await;
    let (fresh, _) = file_one(&app, "BJHD").await;
    let mut pending = filing("X");
    pending.as_object_mut().unwrap().remove("agency_code");
    pending["channel"] = json!("mail");
    let no_date = o.clerk().post("/api/v1/registrations", &pending).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = |r: &Value| -> Vec<String> {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let q = |query: &str| {
        let (app, token) = (&app, o.clerk.clone());
        let path = format!("/api/v1/applications?{query}");
        async move {
            let r = app.as_(&token).get(&path).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body
        }
    };
    assert_eq!(
        ids(&q("overdue=true").await),
        std::slice::from_ref(&overdue)
    );
    let mut not_overdue = ids(&q("overdue=false").await);
    not_overdue.sort();
    let mut expected = vec![fresh.clone(), no_date.clone()];
    expected.sort();
    assert_eq!(not_overdue, expected);
    // The fresh case's next deadline is the correction notice, 7 working days out.
    let fresh_due = add(&app, "2026-11-25", 7, Some("BJHD")).await["date"].clone();
    let fresh_case = o.clerk().view(&fresh).await;
    assert_eq!(fresh_case.body["next_deadline"]["due_on"], fresh_due);
    assert_eq!(fresh_case.body["next_deadline"]["working_days_left"], 7);
    // The mail application whose receipt is not confirmed never drops out of sight: its legal
    // date of receipt is to be confirmed by the next working day (art. 31).
    let waiting = o.clerk().view(&no_date).await;
    assert_eq!(waiting.body["next_deadline"]["kind"], "confirm_receipt");
    assert_eq!(waiting.body["next_deadline"]["due_on"], "2026-11-26");
    assert_eq!(ids(&q("due_within=7").await).len(), 3);
    let mut within_6 = ids(&q("due_within=6").await);
    within_6.sort();
    let mut expected = vec![overdue.clone(), no_date.clone()];
    expected.sort();
    assert_eq!(within_6, expected);
    app.set_today("2026-11-27");
    assert_eq!(
        ids(&q("overdue=true").await).len(),
        2,
        "an unconfirmed receipt goes overdue too"
    );
    app.set_today("2026-11-25");
    // Sorted by deadline, one per page: overdue first.
    let mut order = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = q(&format!("sort=deadline&limit=1{cursor}")).await;
        order.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(order, [overdue, no_date, fresh]);
    let bad = o
        .clerk()
        .get("/api/v1/applications?sort=deadline&cursor=nonsense")
        .await;
    assert_problem(&bad, 400, ProblemCode::InvalidQuery);
}

#[actix_rt::test]
async fn the_public_calculator_counts_working_days() {
    let app = TestApp::spawn().await;
    let r = add(&app, "2026-02-13", 7, None).await;
    assert_eq!(
        (r["date"].as_str(), r["provisional"].as_bool()),
        (Some("2026-03-02"), Some(false))
    );
    assert!(r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["date"] == "2026-02-14" && n["working"] == true));
    let b = app
        .public()
        .get("/api/v1/calendar/between?from=2026-02-13&to=2026-03-02")
        .await;
    assert_eq!(b.body["working_days"], 7);
    let b = app
        .public()
        .get("/api/v1/calendar/between?from=2026-03-02&to=2026-02-13")
        .await;
    assert_eq!(b.body["working_days"], -7);
    let y = app.public().get("/api/v1/calendar/years").await;
    let years: Vec<i64> = y.body["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, (2019..=2026).collect::<Vec<_>>());
    assert_eq!(y.body["last_loaded_year"], 2026);
    let loaded_at = y.body["years"][0]["loaded_at"].as_str().unwrap();
    assert!(
        loaded_at.ends_with('Z') && loaded_at.len() == 24,
        "{loaded_at}"
    );
    assert!(y.body["years"][0].get("loaded_by").is_none());
    for (path, status) in [
        ("/api/v1/calendar/add?from=2026-02-30&working_days=1", 400),
        ("/api/v1/calendar/add?from=2026-02-13", 400),
        ("/api/v1/calendar/add?from=2026-02-13&working_days=-1", 400),
        (
            "/api/v1/calendar/add?from=2026-02-13&working_days=5000",
            422,
        ),
        ("/api/v1/calendar/add?from=1999-12-31&working_days=1", 422),
        (
            "/api/v1/calendar/add?from=2026-02-13&working_days=1&agency=NOPE",
            422,
        ),
    ] {
        assert_eq!(app.public().get(path).await.status, status, "{path}");
    }
    let r = app
        .public()
        .get("/api/v1/calendar/between?from=2026-01-01&to=2100-01-01")
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["field"].as_str()),
        (422, Some("to"))
    );
}

/// A notice for the year of `day` that makes `day` a day off (the shipped 2026 notice kept).
pub(crate) fn notice_with_day_off(day: &str) -> (i32, Value) {
    let year: i32 = day[..4].parse().unwrap();
    let mut days = Vec::new();
    if year == 2026 {
        let shipped: Value =
            serde_json::from_str(include_str!("../../calendar/cn/2026.json")).unwrap();
        for h in shipped["holidays"].as_array().unwrap() {
            let (from, to) = (
                h["off"]["from"].as_str().unwrap(),
                h["off"]["to"].as_str().unwrap(),
            );
            let mut d: chrono::NaiveDate = from.parse().unwrap();
            while d <= to.parse().unwrap() {
                days.push(json!({ "name": h["name"], "date": d.to_string(), "isOffDay": true }));
                d = d.succ_opt().unwrap();
            }
            for m in h["make_up_working_days"].as_array().unwrap() {
                days.push(json!({ "name": h["name"], "date": m, "isOffDay": false }));
            }
        }
    }
    days.push(json!({ "name": "临时休假", "date": day, "isOffDay": true }));
    (
        year,
        json!({ "year": year, "papers": ["测试通知"], "days": days }),
    )
}

#[actix_rt::test]
async fn loading_a_year_recomputes_every_open_case_and_says_so() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let admin = app.add_user("管理员", gongkai::domain::workflow::Role::Admin, None);
    let (id, _) = file_one(&app, "BJHD").await;
    let before = o.clerk().view(&id).await;
    let due_before = before.body["next_deadline"]["due_on"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = add(&app, &today().to_string(), 1, None).await["date"]
        .as_str()
        .unwrap()
        .to_owned();
    let (year, notice) = notice_with_day_off(&first);
    let path = format!("/api/v1/calendar/years/{year}");

    // Refused: not an admin, a bad file, a file for another year. Nothing changes.
    assert_problem(
        &o.clerk().put(&path, notice.to_string().into_bytes()).await,
        403,
        ProblemCode::Forbidden,
    );
    let mut bad = notice.clone();
    bad["days"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "x", "date": format!("{year}-03-03"), "isOffDay": false }));
    let bad_day: chrono::NaiveDate = format!("{year}-03-03").parse().unwrap();
    if !matches!(
        chrono::Datelike::weekday(&bad_day),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ) {
        let r = app
            .as_(&admin)
            .put(&path, bad.to_string().into_bytes())
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["errors"][0]["code"].as_str()),
            (422, Some("invalid_calendar"))
        );
        assert!(r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a Saturday or Sunday"));
    }
    let garbage = app.as_(&admin).put(&path, b"year: 2026".to_vec()).await;
    assert_problem(&garbage, 400, ProblemCode::MalformedJson);
    let other = format!("/api/v1/calendar/years/{}", year + 1);
    let r = app
        .as_(&admin)
        .put(&other, notice.to_string().into_bytes())
        .await;
    assert_problem(&r, 422, ProblemCode::ValidationFailed);
    let unchanged = o.clerk().view(&id).await;
    assert_eq!(unchanged.body["version"], 1);

    let r = app
        .as_(&admin)
        .put(&path, notice.to_string().into_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["recomputed"]["changed_cases"], 1);
    let after = o.clerk().view(&id).await;
    let due_after = after.body["next_deadline"]["due_on"].as_str().unwrap();
    let expected = add(&app, &due_before, 1, None).await["date"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        due_after, expected,
        "one more day off pushes the deadline one working day"
    );
    // A recomputed deadline is recorded, but makes no clerk's copy of the case stale.
    assert_eq!(after.body["version"], 1);
    let events = o.clerk().events(&id).await;
    let last = events.last().unwrap();
    assert_eq!(last["seq"], 2);
    assert_eq!(
        (last["action"].as_str(), last["actor"]["role"].as_str()),
        (Some("recompute_deadlines"), Some("system"))
    );
    assert_eq!(last["payload"]["before"]["due_on"], due_before);
    assert_eq!(last["payload"]["after"]["due_on"], expected);
    let accepted = o.clerk().act(&id, Action::Accept, json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let seqs: Vec<i64> = o
        .clerk()
        .events(&id)
        .await
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[actix_rt::test]
async fn an_office_s_local_day_off_moves_only_its_own_deadlines() {
    let app = TestApp::spawn().await;
    let bj = office(&app, "BJHD");
    let sh = office(&app, "SHPD");
    let admin = app.add_user("管理员", gongkai::domain::workflow::Role::Admin, None);
    let (bj_case, _) = file_one(&app, "BJHD").await;
    let (sh_case, _) = file_one(&app, "SHPD").await;
    let due = |id: String, token: String| {
        let app = &app;
        async move {
            let r = app.as_(&token).view(&id).await;
            r.body["next_deadline"]["due_on"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (bj_before, sh_before) = (
        due(bj_case.clone(), bj.clerk.clone()).await,
        due(sh_case.clone(), sh.clerk.clone()).await,
    );
    let first = add(&app, &today().to_string(), 1, None).await["date"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "days_off": [{ "date": first, "name": "地方性节日" }] });
    let path = format!("/api/v1/agencies/bjhd/days-off/{}", &first[..4]);
    let r = app
        .as_(&admin)
        .put(&path, body.to_string().into_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["recomputed"]["changed_cases"], 1);
    assert_eq!(
        due(bj_case, bj.clerk.clone()).await,
        add(&app, &bj_before, 1, None).await["date"]
            .as_str()
            .unwrap()
    );
    assert_eq!(due(sh_case, sh.clerk.clone()).await, sh_before);
    assert_eq!(
        add(&app, &today().to_string(), 1, Some("BJHD")).await["date"],
        add(&app, &first, 1, None).await["date"]
    );
    let wrong_year = json!({ "days_off": [{ "date": "2020-01-06", "name": "x" }] });
    let r = app
        .as_(&admin)
        .put(&path, wrong_year.to_string().into_bytes())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["code"].as_str()),
        (422, Some("outside_year"))
    );
    let r = bj.clerk().put(&path, body.to_string().into_bytes()).await;
    assert_problem(&r, 403, ProblemCode::Forbidden);
    let twice =
        json!({ "days_off": [{ "date": first, "name": "a" }, { "date": first, "name": "b" }] });
    let r = app
        .as_(&admin)
        .put(&path, twice.to_string().into_bytes())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["code"].as_str()),
        (422, Some("duplicate_date"))
    );
    let extra = json!({ "days_off": [{ "date": first, "name": "a", "region": "x" }] });
    let r = app
        .as_(&admin)
        .put(&path, extra.to_string().into_bytes())
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errors"][0]["code"].as_str()),
        (422, Some("unknown_field"))
    );
    let body = body.to_string().into_bytes();
    let nowhere = app
        .as_(&admin)
        .put("/api/v1/agencies/NOPE/days-off/2026", body)
        .await;
    assert_eq!(
        (nowhere.status.as_u16(), nowhere.body["detail"].as_str()),
        (404, Some("no such agency"))
    );
}

#[actix_rt::test]
async fn a_year_beyond_the_calendar_is_provisional_until_loaded() {
    let app = TestApp::spawn().await;
    let admin = app.add_user("管理员", gongkai::domain::workflow::Role::Admin, None);
    let r = add(&app, "2026-12-31", 1, None).await;
    assert_eq!(
        (r["date"].as_str(), r["provisional"].as_bool()),
        (Some("2027-01-01"), Some(true))
    );
    let n2027 = json!({ "year": 2027, "papers": [], "days": [{ "name": "元旦", "date": "2027-01-01", "isOffDay": true }] });
    let put = app
        .as_(&admin)
        .put(
            "/api/v1/calendar/years/2027",
            n2027.to_string().into_bytes(),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let r = add(&app, "2026-12-31", 1, None).await;
    assert_eq!(
        (r["date"].as_str(), r["provisional"].as_bool()),
        (Some("2027-01-04"), Some(false))
    );
}
