//! Notices through a real SMTP server on loopback (and to .eml files): written with the step
//! that causes them, delivered once, retried while the server is down.

use gongkai::domain::problem_code::ProblemCode;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use gongkai::service::delivery::{deliver_due, Delivered, Mailer};
use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use serde_json::json;

use crate::helpers::{assert_problem, file_one, office, Action, TestApp};

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

#[derive(Clone, Default)]
struct Collect {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Handler for Collect {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = std::mem::take(&mut self.buf);
        self.inbox.lock().unwrap().push(Received {
            to: self.to.clone(),
            raw,
        });
        response::OK
    }
}

/// A real SMTP server on a loopback port, in a thread of its own.
pub fn smtp_server(listener: TcpListener) -> Arc<Mutex<Vec<Received>>> {
    let handler = Collect::default();
    let inbox = handler.inbox.clone();
    let mut server = Server::new(handler);
    server
        .with_name("test.local")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    inbox
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn parsed(r: &Received) -> (String, String, String) {
    let m = mail_parser::MessageParser::default()
        .parse(&r.raw)
        .expect("a MIME message");
    (
        m.subject().unwrap_or_default().to_owned(),
        m.body_text(0).unwrap_or_default().to_string(),
        m.message_id().unwrap_or_default().to_owned(),
    )
}

fn deliver(app: &TestApp, mailer: &Mailer, minutes_later: i64) -> Delivered {
    deliver_due(
        &app.services,
        mailer,
        "gongkai@test.local",
        Utc::now() + Duration::minutes(minutes_later),
    )
    .unwrap()
}

#[actix_rt::test]
async fn each_step_s_notice_reaches_the_applicant_once_by_smtp() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        std::path::Path::new("unused"),
    )
    .unwrap();

    {
        let conn = &mut *app.services.conn().unwrap();
        let signature = Some("北京市海淀区人民政府办公室");
        gongkai::service::admin::set_sender(conn, "BJHD", "gongkai@bjhd.gov.cn", None, signature)
            .unwrap();
    }
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk()
        .act_ok(
            &id,
            Action::RequestCorrection,
            json!({ "items": ["请写明合同名称"], "period_working_days": 10 }),
        )
        .await;
    let done = deliver(&app, &mailer, 0);
    assert_eq!(
        done,
        Delivered {
            sent: 2,
            retried: 0,
            failed: 0
        }
    );
    assert_eq!(
        deliver(&app, &mailer, 10),
        Delivered::default(),
        "nothing is sent twice"
    );

    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let case = o.clerk().view(&id).await;
    let tracking = case.body["tracking_number"].as_str().unwrap().to_owned();
    let (subject, text, _) = parsed(&got[0]);
    assert_eq!(got[0].to, ["wangwu@example.com"]);
    assert!(
        subject.contains("登记回执") && subject.contains(&tracking),
        "{subject}"
    );
    assert!(
        text.contains(&tracking) && text.contains("查询凭证"),
        "{text}"
    );
    assert!(
        text.contains("北京市海淀区人民政府办公室"),
        "the office's signature: {text}"
    );
    let m = mail_parser::MessageParser::default()
        .parse(&got[0].raw)
        .unwrap();
    assert_eq!(
        m.from().unwrap().first().unwrap().address().unwrap(),
        "gongkai@bjhd.gov.cn"
    );
    let (subject, text, _) = parsed(&got[1]);
    assert!(subject.contains("补正告知书"), "{subject}");
    assert!(
        text.contains("1. 请写明合同名称") && text.contains("视为放弃申请"),
        "{text}"
    );
    // Every sent notice is an event on the case, without the body.
    let events = o.clerk().events(&id).await;
    let sent: Vec<_> = events
        .iter()
        .filter(|e| e["action"] == "notice_sent")
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["payload"]["template"], "receipt");
    assert_eq!(sent[0]["payload"]["recipient"], "wangwu@example.com");
    assert!(sent[0]["payload"]["message_id"]
        .as_str()
        .unwrap()
        .ends_with("@gongkai>"));
    assert!(sent[0]["payload"].get("body").is_none());
    // The case's version is untouched by sending: the clerk's copy is still good.
    assert_eq!(case.body["version"], 2);
}

#[actix_rt::test]
async fn notices_wait_while_the_mail_server_is_down_and_go_out_once_when_it_is_back() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let port = free_port();
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        std::path::Path::new("unused"),
    )
    .unwrap();
    for _ in 0..3 {
        file_one(&app, "BJHD").await;
    }
    // Down: every attempt fails and is retried later.
    assert_eq!(
        deliver(&app, &mailer, 0),
        Delivered {
            sent: 0,
            retried: 3,
            failed: 0
        }
    );
    assert_eq!(
        deliver(&app, &mailer, 0),
        Delivered::default(),
        "not before the backoff"
    );
    // Back up: each notice is delivered exactly once, with the Message-ID it was written with.
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    assert_eq!(
        deliver(&app, &mailer, 5),
        Delivered {
            sent: 3,
            retried: 0,
            failed: 0
        }
    );
    assert_eq!(deliver(&app, &mailer, 60), Delivered::default());
    let got = inbox.lock().unwrap().clone();
    let mut ids: Vec<String> = got.iter().map(|r| parsed(r).2).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (3, 3));
}

#[actix_rt::test]
async fn two_workers_at_once_send_each_notice_once() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    for _ in 0..6 {
        file_one(&app, "BJHD").await;
    }
    let url = gongkai::security::SecretUrl::new(format!("smtp://127.0.0.1:{port}"));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (services, url) = (app.services.clone(), url.clone());
            std::thread::spawn(move || {
                let mailer = Mailer::new(Some(&url), std::path::Path::new("unused")).unwrap();
                deliver_due(&services, &mailer, "gongkai@test.local", Utc::now()).unwrap()
            })
        })
        .collect();
    let sent: usize = workers.into_iter().map(|w| w.join().unwrap().sent).sum();
    assert_eq!(sent, 6);
    assert_eq!(inbox.lock().unwrap().len(), 6);
}

#[actix_rt::test]
async fn without_a_mail_server_notices_are_written_as_eml_files() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::new(None, dir.path()).unwrap();
    let (id, applicant) = file_one(&app, "BJHD").await;
    assert_eq!(deliver(&app, &mailer, 0).sent, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert!(m.subject().unwrap().contains("登记回执"));
    assert!(
        m.body_text(0).unwrap().contains(&applicant),
        "the receipt carries the access details"
    );
    let events = app.as_(&applicant).events(&id).await;
    assert_eq!(events.last().unwrap()["action"], "notice_sent");
}

#[actix_rt::test]
async fn a_notice_that_keeps_failing_is_shown_to_clerks_and_can_be_retried() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let other = office(&app, "SHPD");
    let port = free_port();
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        std::path::Path::new("unused"),
    )
    .unwrap();
    let (id, applicant) = file_one(&app, "BJHD").await;
    let mut minutes = 0;
    let mut failed = 0;
    for _ in 0..gongkai::service::delivery::MAX_ATTEMPTS {
        failed += deliver(&app, &mailer, minutes).failed;
        minutes += 61; // past the longest backoff
    }
    assert_eq!(failed, 1);
    let list = o.clerk().get("/api/v1/notices?status=failed").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["template"].as_str(), items[0]["attempts"].as_i64()),
        (Some("receipt"), Some(8))
    );
    assert!(items[0]["last_error"].as_str().is_some());
    assert_eq!(
        other
            .clerk()
            .get("/api/v1/notices?status=failed")
            .await
            .body["items"],
        json!([])
    );
    assert_problem(
        &app.as_(&applicant)
            .get("/api/v1/notices?status=failed")
            .await,
        403,
        ProblemCode::Forbidden,
    );
    let on_case = o
        .clerk()
        .get(&format!("/api/v1/applications/{id}/notices"))
        .await;
    assert_eq!(on_case.body["items"][0]["status"], "failed");

    let notice = items[0]["id"].as_str().unwrap();
    let path = format!("/api/v1/notices/{notice}/retry");
    assert_problem(
        &other.clerk().post(&path, &json!({})).await,
        404,
        ProblemCode::NotFound,
    );
    let r = o.clerk().post(&path, &json!({})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["status"].as_str()),
        (200, Some("pending")),
        "{}",
        r.body
    );
    assert_problem(
        &o.clerk().post(&path, &json!({})).await,
        409,
        ProblemCode::NoticeNotFailed,
    );
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    assert_eq!(deliver(&app, &mailer, minutes).sent, 1);
    assert_eq!(inbox.lock().unwrap().len(), 1);
}

#[actix_rt::test]
async fn the_fee_notice_e_mail_says_whom_to_pay_and_dates_without_leading_zeros() {
    let app = TestApp::spawn().await;
    let o = office(&app, "BJHD");
    let port = free_port();
    let inbox = smtp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mailer = Mailer::new(
        Some(&gongkai::security::SecretUrl::new(format!(
            "smtp://127.0.0.1:{port}"
        ))),
        std::path::Path::new("unused"),
    )
    .unwrap();
    {
        let conn = &mut *app.services.conn().unwrap();
        let a = gongkai::service::admin::set_payment(
            conn,
            "BJHD",
            "北京市海淀区财政局",
            Some("中国工商银行北京海淀支行 0200 0000 0000 0000 000"),
            Some("“北京非税缴费”平台，缴款码见本通知"),
        )
        .unwrap();
        assert!(gongkai::db::staff::payment_details(&a).is_some());
    }
    let (id, _) = file_one(&app, "BJHD").await;
    o.clerk().act_ok(&id, Action::Accept, json!({})).await;
    let r = o
        .clerk()
        .act(
            &id,
            Action::IssueFeeNotice,
            json!({ "scale": "per_page", "pages": 31 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let fee_due: chrono::NaiveDate = r.body["next_deadline"]["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    deliver(&app, &mailer, 0);
    let got = inbox.lock().unwrap().clone();
    let fee = got
        .iter()
        .map(parsed)
        .find(|(subject, ..)| subject.contains("缴费通知"))
        .expect("the fee notice was sent");
    let text = &fee.1;
    for needle in [
        "收款单位：北京市海淀区财政局".to_owned(),
        "收款账号：中国工商银行北京海淀支行 0200 0000 0000 0000 000".to_owned(),
        "缴费渠道：“北京非税缴费”平台，缴款码见本通知".to_owned(),
        "应缴金额：10.00元".to_owned(),
        format!("即{}前", gongkai::domain::letter::cn_date(fee_due)),
    ] {
        assert!(text.contains(&needle), "{needle} missing from\n{text}");
    }
    assert!(!text.contains(&fee_due.to_string()), "{text}");
}
