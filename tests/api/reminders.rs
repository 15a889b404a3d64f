//! Reminders to staff: the overdue alert at once, the daily digest on working days from the
//! set hour, each written once however often (and by however many instances) the job runs.

use std::net::TcpListener;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use gongkai::domain::calendar::Calendar;
use gongkai::domain::letter::cn_date;
use gongkai::domain::workflow::Role;
use gongkai::service::delivery::{deliver_due, Mailer};
use gongkai::service::reminders::{remind_staff, Reminded};
use serde_json::json;

use crate::helpers::{file_one, office, Action, TestApp};
use crate::mail::{free_port, parsed, smtp_server};

const EIGHT: NaiveTime = NaiveTime::from_hms_opt(8, 0, 0).unwrap();

/// An instant on a legal date at a Beijing wall-clock hour.
fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    gongkai::domain::time::cst()
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn remind(app: &TestApp, now: DateTime<Utc>) -> Reminded {
    remind_staff(&app.services, now, EIGHT).unwrap()
}

fn calendar(app: &TestApp) -> Arc<Calendar> {
    let conn = &mut *app.services.conn().unwrap();
    app.services.calendars.get(conn, None).unwrap()
}

/// Staff with addresses: a clerk and the head of the unit.
fn staff_with_email(app: &TestApp) {
    let conn = &mut *app.services.conn().unwrap();
    for (name, role, email) in [
        ("王clerk", Role::Clerk, "clerk@bjhd.gov.cn"),
        ("钱head", Role::Approver, "head@bjhd.gov.cn"),
    ] {
        gongkai::service::admin::add_user(conn, name, role, Some("BJHD"), Some(email)).unwrap();
    }
    let bad = gongkai::service::admin::add_user(conn, "x", Role::Clerk, Some("BJHD"), Some("no"));
    assert!(bad.is_err(), "a malformed address is refused");
}

#[actix_rt::test]
async fn overdue_alerts_and_daily_digests_reach_each_person_once() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    staff_with_email(&app);
    let (a, _) = file_one(&app, "BJHD").await;
    let (b, _) = file_one(&app, "BJHD").await;
    for id in [&a, &b] {
        o.clerk().act_ok(id, Action::Accept, json!({})).await;
    }
    let decision = json!({ "outcome": "disclosed", "reasoning": "经审查予以公开",
                           "public_location": "本机关门户网站" });
    let r = o.clerk().act(&b, Action::ProposeDecision, decision).await;
    assert_eq!(r.body["status"], "decision", "{}", r.body);
    let r = o.clerk().view(&a).await;
    let due: NaiveDate = r.body["next_deadline"]["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let cal = calendar(&app);

    // Two working days before the answer is due: both cases in the digest, nothing overdue.
    let soon = (0..60)
        .map(|n| due - chrono::Days::new(n))
        .find(|d| cal.is_working(*d).unwrap() && cal.between(*d, due).unwrap() == 2)
        .unwrap();
    assert_eq!(
        remind(&app, at(soon, 7)),
        Reminded::default(),
        "no digest before 08:00"
    );
    let r = remind(&app, at(soon, 9));
    assert_eq!(
        r,
        Reminded {
            overdue_alerts: 0,
            internal_alerts: 0,
            digests: 2
        }
    );
    assert_eq!(
        remind(&app, at(soon, 15)),
        Reminded::default(),
        "one digest a day"
    );

    // The first working day after: an alert per case per person at once, then the digest.
    let late = cal.add(due, 1).unwrap();
    let r = remind(&app, at(late, 0));
    assert_eq!(
        r,
        Reminded {
            overdue_alerts: 4,
            internal_alerts: 0,
            digests: 0
        }
    );
    assert_eq!(
        remind(&app, at(late, 1)),
        Reminded::default(),
        "an alert is sent once"
    );
    assert_eq!(remind(&app, at(late, 9)).digests, 2);

    // No digest on a day off.
    let day_off = (1..30)
        .map(|n| late + chrono::Days::new(n))
        .find(|d| !cal.is_working(*d).unwrap())
        .unwrap();
    assert_eq!(remind(&app, at(day_off, 9)), Reminded::default());

    // Two instances at once on the next working day: still one digest each.
    let next = cal.add(late, 1).unwrap();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let s = app.services.clone();
            std::thread::spawn(move || remind_staff(&s, at(next, 9), EIGHT).unwrap())
        })
        .collect();
    let total: usize = runs.into_iter().map(|t| t.join().unwrap().digests).sum();
    assert_eq!(total, 2, "each person's digest is written once");

    // Delivered through a real SMTP server: to the right people, with the right cases.
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        "unused".as_ref(),
    )
    .unwrap();
    let sent = deliver_due(&app.services, &mailer, "gongkai@test.local", at(next, 10)).unwrap();
    let inbox = inbox.lock().unwrap().clone();
    assert_eq!(sent.sent, inbox.len());
    let mut alerts = 0;
    let mut digests = 0;
    let tracking = |id: &str| {
        let conn = &mut *app.services.conn().unwrap();
        let id = gongkai::domain::case::ApplicationId::parse(id).unwrap();
        gongkai::db::cases::application(conn, &id)
            .unwrap()
            .unwrap()
            .tracking_number
    };
    let (ta, tb) = (tracking(&a), tracking(&b));
    for m in &inbox {
        let (subject, body, _) = parsed(m);
        if subject.starts_with("【逾期提醒】") {
            alerts += 1;
            assert!(
                subject.contains("答复期限") && subject.contains(&cn_date(due)),
                "{subject}"
            );
            assert!(subject.contains(&ta) || subject.contains(&tb), "{subject}");
        } else if subject.starts_with("【每日提醒】") {
            digests += 1;
            assert!(
                !body.contains("accepted") && !body.contains("decision"),
                "{body}"
            );
            // Each person is told what is theirs: the clerk the unassigned cases (filed
            // online, nobody handles them yet), the head of the unit the draft to approve.
            if m.to[0] == "clerk@bjhd.gov.cn" {
                assert!(body.contains(&ta) && body.contains(&tb), "{body}");
                assert!(
                    subject.contains("逾期0件，3个工作日内到期0件，待审批0件，待分派2件"),
                    "{subject}"
                );
                assert!(!body.contains("答复待您审批"), "{body}");
            } else {
                assert!(body.contains(&tb) && !body.contains(&ta), "{body}");
                assert!(
                    subject.contains("逾期0件，3个工作日内到期0件，待审批1件")
                        && !subject.contains("待分派"),
                    "{subject}"
                );
            }
        } else {
            continue; // the applicants' receipts
        }
        let to = &m.to[0];
        assert!(
            to == "clerk@bjhd.gov.cn" || to == "head@bjhd.gov.cn",
            "{to}"
        );
    }
    assert_eq!(
        (alerts, digests),
        (4, 6),
        "2 alerts and 3 digests for each of two people"
    );

    // An alert is on its case's record; a digest (about many cases) is not.
    let events = o.clerk().events(&a).await;
    let alerts_on_a: Vec<_> = events
        .iter()
        .filter(|e| e["action"] == "notice_sent" && e["payload"]["template"] == "overdue_alert")
        .collect();
    assert_eq!(alerts_on_a.len(), 2, "{events:?}");
}
