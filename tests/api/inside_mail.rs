//! Inside the office (issue 16), by e-mail through a real SMTP server on loopback: each person's
//! digest lists only what is theirs, a division's overdue reply alerts the division and the
//! assignee once, forwarding and assignment tell the people concerned, and the exports carry
//! the assignee and the divisions consulted.

use std::net::TcpListener;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use gongkai::domain::workflow::Role;
use gongkai::service::delivery::{deliver_due, Mailer};
use gongkai::service::divisions::{add_division, set_handling, HandlingSettings, Placement};
use gongkai::service::reminders::{remind_staff, Reminded};
use serde_json::{json, Value};

use crate::helpers::{file_one, office, Action, TestApp};
use crate::mail::{free_port, parsed, smtp_server, Received};

const EIGHT: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).unwrap();

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    gongkai::domain::time::cst()
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// A person of the office with an address: (user id, API token).
struct Person {
    id: String,
    token: String,
    email: &'static str,
}

fn person(
    app: &TestApp,
    name: &str,
    role: Role,
    email: &'static str,
    placement: Placement<'_>,
) -> Person {
    let conn = &mut *app.services.conn().unwrap();
    let (user, token) = gongkai::service::admin::add_placed_user(
        conn,
        name,
        role,
        Some("BJHD"),
        Some(email),
        &placement,
    )
    .unwrap();
    Person {
        id: user.id.to_string(),
        token,
        email,
    }
}

fn tracking(app: &TestApp, id: &str) -> String {
    let conn = &mut *app.services.conn().unwrap();
    let id = gongkai::domain::case::ApplicationId::parse(id).unwrap();
    gongkai::db::cases::application(conn, &id)
        .unwrap()
        .unwrap()
        .tracking_number
}

/// Delivers what the outbox holds at `now` to a fresh SMTP server; the messages it received.
fn deliver(app: &TestApp, now: DateTime<Utc>) -> Vec<Received> {
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        "unused".as_ref(),
    )
    .unwrap();
    let sent = deliver_due(&app.services, &mailer, "gongkai@test.local", now).unwrap();
    let got = inbox.lock().unwrap().clone();
    assert_eq!(sent.sent, got.len());
    got
}

/// (subject, body) of the messages to `to` whose subject starts with `prefix`.
fn mail_to(inbox: &[Received], to: &str, prefix: &str) -> Vec<(String, String)> {
    inbox
        .iter()
        .filter(|m| m.to.iter().any(|t| t == to))
        .map(parsed)
        .filter(|(s, _, _)| s.starts_with(prefix))
        .map(|(s, b, _)| (s, b))
        .collect()
}

fn decision() -> Value {
    json!({ "outcome": "disclosed", "reasoning": "经审查予以公开", "public_location": "本机关门户网站" })
}

#[actix_rt::test]
async fn each_person_is_told_only_what_is_theirs() {
    let app = TestApp::spawn_with(|s| {
        s.web.public_url = Some("https://gongkai.example.gov.cn/".into());
    })
    .await;
    // The office (with the helper's own clerks and a level-1 approver, who have no address).
    let _office = office(&app, "BJHD");
    {
        let conn = &mut *app.services.conn().unwrap();
        let agency = gongkai::service::admin::agency_by_code(conn, "BJHD").unwrap();
        add_division(conn, &agency, "FGC", "法规处").unwrap();
        add_division(conn, &agency, "CWC", "财务处").unwrap();
    }
    let none = Placement::default;
    let clerk = person(&app, "王经办", Role::Clerk, "clerk@bjhd.gov.cn", none());
    let handler = person(&app, "孙承办", Role::Clerk, "handler@bjhd.gov.cn", none());
    let fgc = person(
        &app,
        "周法规",
        Role::Clerk,
        "fgc@bjhd.gov.cn",
        Placement {
            division: Some("FGC"),
            ..none()
        },
    );
    let cwc = person(
        &app,
        "吴财务",
        Role::Clerk,
        "cwc@bjhd.gov.cn",
        Placement {
            division: Some("CWC"),
            ..none()
        },
    );
    let head = person(&app, "钱处长", Role::Approver, "head@bjhd.gov.cn", none());
    let leader = person(
        &app,
        "郑分管",
        Role::Approver,
        "leader@bjhd.gov.cn",
        Placement {
            approval_level: Some(2),
            ..none()
        },
    );
    {
        let conn = &mut *app.services.conn().unwrap();
        let agency = gongkai::service::admin::agency_by_code(conn, "BJHD").unwrap();
        let two = HandlingSettings {
            approval_levels: Some(2),
            forwarding_working_days: None,
            divisions_see_applicant: None,
        };
        set_handling(conn, &agency, &two).unwrap();
    }
    let as_ = |p: &Person| app.as_(&p.token);

    // X: assigned to the handler, forwarded to both divisions; 财务处 replies, 法规处 is late.
    // Z: nobody handles it yet. W: a draft at level 1. V: a draft at level 2. U: a draft the
    // head wrote (the other level-1 approver, without an address, may approve it).
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (id, _) = file_one(&app, "BJHD").await;
        as_(&clerk).act_ok(&id, Action::Accept, json!({})).await;
        ids.push(id);
    }
    let [x, z, w, v, u] = <[String; 5]>::try_from(ids).unwrap();
    let r = as_(&clerk)
        .act_ok(&x, Action::Assign, json!({ "assignee_id": handler.id }))
        .await;
    assert_eq!(r["status"], "accepted", "{r}");
    let forward =
        json!({ "divisions": ["FGC", "CWC"], "asked": "请提出是否公开的意见，并说明依据" });
    let r = as_(&clerk).act_ok(&x, Action::Forward, forward).await;
    let due: NaiveDate = r["handling"]["forwardings"][0]["due_on"]
        .as_str()
        .or_else(|| r["handling"]["internal_due_on"].as_str())
        .unwrap_or_else(|| panic!("{r}"))
        .parse()
        .unwrap();
    let reply = json!({ "outcome": "disclosed", "reasoning": "不涉及财务秘密，可以公开" });
    as_(&cwc).act_ok(&x, Action::ReplyToForwarding, reply).await;
    for id in [&w, &v, &u] {
        let me = json!({ "assignee_id": clerk.id });
        as_(&clerk).act_ok(id, Action::Assign, me).await;
    }
    for id in [&w, &v] {
        as_(&clerk)
            .act_ok(id, Action::ProposeDecision, decision())
            .await;
    }
    let r = as_(&head).act_ok(&v, Action::Approve, json!({})).await;
    assert_eq!(r["status"], "decision", "{r}");
    as_(&head)
        .act_ok(&u, Action::ProposeDecision, decision())
        .await;
    let t = |id: &str| tracking(&app, id);
    let (tx, tz, tw, tv, tu) = (t(&x), t(&z), t(&w), t(&v), t(&u));

    // Forwarding and assignment tell the people concerned at once (through the outbox).
    let today = gongkai::domain::time::legal_date(app.services.now());
    let inbox = deliver(&app, at(today, 23));
    let assigned = mail_to(&inbox, handler.email, "【承办】");
    assert_eq!(assigned.len(), 1, "{assigned:?}");
    assert!(assigned[0].0.contains(&tx), "{assigned:?}");
    assert!(
        assigned[0]
            .1
            .contains(&format!("https://gongkai.example.gov.cn/console/cases/{x}")),
        "{}",
        assigned[0].1
    );
    // Who assigned a case to themselves is not told.
    assert!(mail_to(&inbox, clerk.email, "【承办】").is_empty());
    for p in [&fgc, &cwc] {
        let got = mail_to(&inbox, p.email, "【转办】");
        assert_eq!(got.len(), 1, "{}: {got:?}", p.email);
        let (subject, body) = &got[0];
        assert!(subject.contains(&tx), "{subject}");
        assert!(
            body.contains("请提出是否公开的意见") && body.contains(&cn(due)),
            "{body}"
        );
        assert!(body.contains(&format!("/console/cases/{x}")), "{body}");
        // The divisions never read the applicant's identity (the office does not allow it).
        assert!(!body.contains("王五"), "{body}");
    }
    for p in [&clerk, &head, &leader, &handler] {
        assert!(
            mail_to(&inbox, p.email, "【转办】").is_empty(),
            "{}",
            p.email
        );
    }

    // The working day after 法规处's internal due day: an alert to the division and to the
    // assignee, once; nothing to 财务处 (it replied) or anyone else.
    let cal = {
        let conn = &mut *app.services.conn().unwrap();
        app.services.calendars.get(conn, None).unwrap()
    };
    let late = cal.add(due, 1).unwrap();
    app.set_today(&late.to_string());
    let r = remind_staff(&app.services, at(late, 7), EIGHT).unwrap();
    assert_eq!(
        r,
        Reminded {
            overdue_alerts: 0,
            internal_alerts: 2,
            digests: 0
        }
    );
    assert_eq!(
        remind_staff(&app.services, at(late, 7), EIGHT).unwrap(),
        Reminded::default(),
        "an internal alert is sent once"
    );
    let r = remind_staff(&app.services, at(late, 9), EIGHT).unwrap();
    assert_eq!(r.internal_alerts, 0);
    assert_eq!(r.digests, 5, "all but 财务处, who has nothing");
    assert_eq!(
        remind_staff(&app.services, at(late, 10), EIGHT)
            .unwrap()
            .digests,
        0,
        "one digest a day"
    );
    let inbox = deliver(&app, at(late, 11));

    let alerts = |p: &Person| mail_to(&inbox, p.email, "【转办逾期】");
    let to_division = alerts(&fgc);
    assert_eq!(to_division.len(), 1, "{to_division:?}");
    assert!(to_division[0].0.contains(&tx) && to_division[0].0.contains("法规处"));
    assert!(!to_division[0].1.contains("王五"), "{}", to_division[0].1);
    let to_handler = alerts(&handler);
    assert_eq!(to_handler.len(), 1, "{to_handler:?}");
    assert!(to_handler[0].1.contains("督办"), "{}", to_handler[0].1);
    for p in [&cwc, &clerk, &head, &leader] {
        assert!(alerts(p).is_empty(), "{}", p.email);
    }

    // The digests: each person's items, and the others' tracking numbers absent.
    let digest = |p: &Person| {
        let got = mail_to(&inbox, p.email, "【每日提醒】");
        assert!(got.len() <= 1, "{}: {got:?}", p.email);
        got.into_iter().next()
    };
    let all = [&tx, &tz, &tw, &tv, &tu];
    let only = |p: &Person, mine: &[&String]| {
        let (subject, body) = digest(p).unwrap_or_else(|| panic!("no digest to {}", p.email));
        for n in all {
            assert_eq!(
                body.contains(n.as_str()),
                mine.contains(&n),
                "{} and {n}: {subject}\n{body}",
                p.email
            );
        }
        (subject, body)
    };
    // The clerk: the unassigned case (someone must pick it up); W, V, U are theirs but not due.
    let (s, b) = only(&clerk, &[&tz]);
    assert!(s.contains("待分派1件"), "{s}");
    assert!(b.contains("待分派"), "{b}");
    // The handler: X, whose forwarding to 法规处 is late, and the unassigned case.
    let (s, b) = only(&handler, &[&tx, &tz]);
    assert!(s.contains("处室逾期未回复1件"), "{s}");
    assert!(b.contains("法规处") && !b.contains("财务处"), "{b}");
    // 法规处: X only, without the applicant.
    let (s, b) = only(&fgc, &[&tx]);
    assert!(s.contains("转办法规处待回复1件，其中逾期1件"), "{s}");
    assert!(!b.contains("王五"), "{b}");
    assert!(
        b.contains("2025年海淀区道路维修工程合同"),
        "the request: {b}"
    );
    // 财务处 replied: nothing for it.
    assert!(digest(&cwc).is_none());
    // The head of the unit: W at level 1; not V (they approved it at level 1), not U (their
    // own draft).
    let (s, _) = only(&head, &[&tw]);
    assert!(s.contains("待审批1件"), "{s}");
    // The leader in charge: V at level 2 only.
    let (s, _) = only(&leader, &[&tv]);
    assert!(s.contains("待审批1件"), "{s}");
    for p in [&clerk, &handler, &fgc] {
        let (_, b) = digest(p).unwrap();
        assert!(!b.contains("答复待您审批"), "{}: {b}", p.email);
    }

    // The exports carry the assignee and the divisions consulted with their reply dates.
    let auditor = app.add_user("审计", Role::Auditor, None);
    let r = app
        .as_(&auditor)
        .get("/api/v1/audit/cases?format=json")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = r.body.as_array().unwrap();
    let row = |n: &str| rows.iter().find(|c| c["tracking_number"] == n).unwrap();
    assert_eq!(row(&tx)["assignee"], "孙承办");
    assert_eq!(row(&tx)["divisions_consulted"], format!("FGC:;CWC:{today}"));
    assert_eq!(row(&tz)["assignee"], Value::Null);
    assert_eq!(row(&tz)["divisions_consulted"], "");
    assert_eq!(row(&tw)["assignee"], "王经办");
    let csv = app.as_(&auditor).get("/api/v1/audit/cases").await;
    let text = csv.text();
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with(
            "fee_amount_fen,fee_paid_on,assignee,divisions_consulted,attachments,attachments_delivered"
        ),
        "new columns at the end: {header}"
    );
    let line = text.lines().find(|l| l.contains(&tx)).unwrap();
    assert!(
        // (then the two columns of files: none here)
        line.ends_with(&format!("孙承办,FGC:;CWC:{today},,")),
        "{line}"
    );
    let year = today.format("%Y");
    let cell = as_(&clerk)
        .get(&format!(
            "/api/v1/reports/annual/cases?agency=BJHD&year={year}&row=new&column=total"
        ))
        .await;
    assert_eq!(cell.status, 200, "{}", cell.body);
    let items = cell.body["items"].as_array().unwrap();
    let item = items.iter().find(|c| c["tracking_number"] == tx).unwrap();
    assert_eq!(item["assignee"], "孙承办");
    assert_eq!(item["divisions_consulted"], format!("FGC:;CWC:{today}"));
}

fn cn(d: NaiveDate) -> String {
    gongkai::domain::letter::cn_date(d)
}
