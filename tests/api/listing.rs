use gongkai::domain::problem_code::ProblemCode;
use serde_json::json;

use crate::helpers::{assert_problem, filing, office, today, Action, TestApp};

#[actix_rt::test]
async fn the_clerk_queue_filters_and_pages_through_every_case_once() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut body = filing("BJHD");
        body["request"]["description"] = json!(format!(
            "第{i}号 {} 合同",
            if i % 2 == 0 { "道路" } else { "桥梁" }
        ));
        if i == 3 {
            body["applicant"] = json!({
                "kind": "organisation",
                "organisation_type": "legal_services_organisation",
                "name": "某律师事务所",
                "id_document_type": "unified_social_credit_code",
                "id_number": "91350100M000100Y43",
                "phone": "010-12345678",
                "email": "office@example.com"
            });
        }
        let r = app.public().file(&body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    o.clerk().act_ok(&ids[1], Action::Accept, json!({})).await;
    o.clerk().act_ok(&ids[2], Action::Accept, json!({})).await;

    let list = |q: String| {
        let app = &app;
        let token = o.clerk.clone();
        async move {
            let r = app
                .as_(&token)
                .get(&format!("/api/v1/applications{q}"))
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body
        }
    };
    let count = |b: &serde_json::Value| b["items"].as_array().unwrap().len();

    // Newest first, pages of 3, every case exactly once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(format!("?limit=3{cursor}")).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    assert_eq!(count(&list("?status=accepted".into()).await), 2);
    assert_eq!(count(&list("?status=accepted,registered".into()).await), 7);
    assert_eq!(count(&list("?applicant_kind=organisation".into()).await), 1);
    assert_eq!(count(&list("?q=%E6%A1%A5%E6%A2%81".into()).await), 3); // 桥梁
    assert_eq!(count(&list("?q=%25".into()).await), 0); // a literal %, not a wildcard
    assert_eq!(
        count(&list("?q=%E5%BE%8B%E5%B8%88%E4%BA%8B%E5%8A%A1%E6%89%80".into()).await),
        1
    ); // 律师事务所, the applicant's name
    let tracking = list("?status=registered".into()).await["items"][0]["tracking_number"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert_eq!(count(&list(format!("?q={tracking}")).await), 1);
    let d = today();
    let yesterday = d.pred_opt().unwrap();
    assert_eq!(
        count(&list(format!("?received_from={d}&received_to={d}")).await),
        7
    );
    assert_eq!(count(&list(format!("?received_to={yesterday}")).await), 0);
}

#[actix_rt::test]
async fn a_bad_query_is_a_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    for (q, field) in [
        ("status=lost", Some("status")),
        ("limit=0", Some("limit")),
        ("limit=500", Some("limit")),
        ("cursor=abc", Some("cursor")),
        (
            "received_from=2026-02-01&received_to=2026-01-01",
            Some("received_from"),
        ),
        ("received_from=2026-13-01", None),
        ("applicant_kind=robot", None),
        ("sort=fast", None),
    ] {
        let r = o.clerk().get(&format!("/api/v1/applications?{q}")).await;
        assert_problem(&r, 400, ProblemCode::InvalidQuery);
        if let Some(f) = field {
            assert_eq!(r.body["errors"][0]["field"], f, "{q}");
        }
    }
}

/// By deadline, the open cases come first in the order of their next deadline and the closed
/// ones (no deadline) after them, by filing; paging walks both once, a page at a time.
#[actix_rt::test]
async fn by_deadline_the_closed_cases_follow_the_open_ones_across_pages() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r = app.public().file(&filing("BJHD")).await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    // The first and the third are withdrawn: no deadline any more.
    for id in [&ids[0], &ids[2]] {
        o.clerk().act_ok(id, Action::Withdraw, json!({})).await;
    }
    // The fourth is accepted: its next deadline (the answer's) is later than the correction
    // window of the second.
    o.clerk().act_ok(&ids[3], Action::Accept, json!({})).await;
    let expected = [&ids[1], &ids[3], &ids[0], &ids[2]];
    let whole = o
        .clerk()
        .get("/api/v1/applications?sort=deadline&limit=10")
        .await;
    let all: Vec<&str> = whole.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(all, expected.map(String::as_str));
    for limit in [1, 3] {
        let (mut seen, mut cursor) = (Vec::new(), String::new());
        loop {
            let page = o
                .clerk()
                .get(&format!(
                    "/api/v1/applications?sort=deadline&limit={limit}{cursor}"
                ))
                .await;
            assert_eq!(page.status, 200, "{}", page.body);
            for c in page.body["items"].as_array().unwrap() {
                seen.push(c["id"].as_str().unwrap().to_owned());
            }
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, expected.map(String::clone), "pages of {limit}");
    }
}
