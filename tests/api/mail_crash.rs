//! The delivery worker killed (SIGKILL) in the middle of sending: the real `gongkai serve`
//! process, a real SMTP server on loopback. Nothing is lost, nothing already sent goes again,
//! and the notice that was in flight goes again with the same Message-ID.

use std::collections::HashSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use gongkai::db::models::NoticeRow;
use gongkai::db::schema::notices;
use gongkai::domain::outbox::NoticeStatus;
use mailin_embedded::{response, Handler, Response, Server, SslConfig};

use crate::helpers::{file_one, office, TestApp};
use crate::mail::free_port;

/// Accepts messages, except that the `stall_at`-th one hangs until the test lets it go and is
/// then refused (the server never took it).
#[derive(Clone)]
struct Stalling {
    accepted: Arc<Mutex<Vec<Vec<u8>>>>,
    attempts: Arc<Mutex<Vec<Vec<u8>>>>,
    stall_at: usize,
    stalled: mpsc::SyncSender<()>,
    release: Arc<Mutex<mpsc::Receiver<()>>>,
    buf: Vec<u8>,
}

impl Handler for Stalling {
    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> Response {
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = std::mem::take(&mut self.buf);
        let n = {
            let mut attempts = self.attempts.lock().unwrap();
            attempts.push(raw.clone());
            attempts.len()
        };
        if n == self.stall_at {
            let _ = self.stalled.send(());
            let _ = self.release.lock().unwrap().recv();
            return response::INTERNAL_ERROR;
        }
        self.accepted.lock().unwrap().push(raw);
        response::OK
    }
}

fn message_id(raw: &[u8]) -> String {
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    format!("<{}>", m.message_id().unwrap())
}

fn serve(app: &TestApp, smtp_port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--bind", "127.0.0.1:0", "--job-interval", "3600"])
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp_port}")])
        .env("GONGKAI_DATABASE_URL", &app.database_url)
        .env("GONGKAI_SECRET_KEY", app.key.to_hex())
        .env("GONGKAI_MAIL_LEASE", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongkai serve starts")
}

fn outbox(app: &TestApp) -> Vec<NoticeRow> {
    let conn = &mut *app.services.conn().unwrap();
    notices::table
        .order(notices::created_at.asc())
        .select(NoticeRow::as_select())
        .load(conn)
        .unwrap()
}

#[actix_rt::test]
async fn a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice() {
    let app = TestApp::spawn().await;
    office(&app, "BJHD");
    let mut cases = vec![];
    for _ in 0..5 {
        cases.push(file_one(&app, "BJHD").await.0);
    }
    assert_eq!(outbox(&app).len(), 5, "a receipt per filing");

    let (stalled_tx, stalled) = mpsc::sync_channel(1);
    let (release, release_rx) = mpsc::channel();
    let handler = Stalling {
        accepted: Arc::default(),
        attempts: Arc::default(),
        stall_at: 3,
        stalled: stalled_tx,
        release: Arc::new(Mutex::new(release_rx)),
        buf: vec![],
    };
    let (accepted, attempts) = (handler.accepted.clone(), handler.attempts.clone());
    let port = free_port();
    let mut server = Server::new(handler);
    server
        .with_name("test.local")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_tcp_listener(TcpListener::bind(("127.0.0.1", port)).unwrap());
    std::thread::spawn(move || {
        let _ = server.serve();
    });

    // The worker hangs on the third message the server sees: kill it there, once its other
    // lanes (it sends several at once) have had time to finish what they had.
    let mut first = serve(&app, port);
    stalled
        .recv_timeout(Duration::from_secs(60))
        .expect("the worker reaches the third notice");
    std::thread::sleep(Duration::from_millis(1000));
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    release.send(()).unwrap();

    let after_kill = outbox(&app);
    let sent: Vec<_> = after_kill
        .iter()
        .filter(|n| n.status == NoticeStatus::Sent)
        .collect();
    let taken = accepted.lock().unwrap().len();
    assert!(taken >= 2, "{taken}");
    assert_eq!(
        sent.len(),
        taken,
        "those the server took are recorded as sent"
    );
    assert_eq!(after_kill.len(), 5, "nothing left the outbox");
    let in_flight = message_id(&attempts.lock().unwrap()[2]);
    let held = after_kill
        .iter()
        .find(|n| n.message_id == in_flight)
        .unwrap();
    assert_eq!(
        held.status,
        NoticeStatus::Pending,
        "the one in flight is still to send"
    );
    assert!(
        held.claimed_until.is_some(),
        "held by the dead worker's lease"
    );

    // A new process takes over once the lease has run out.
    let mut second = serve(&app, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while outbox(&app).iter().any(|n| n.status != NoticeStatus::Sent) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    second.kill().unwrap();
    second.wait().unwrap();

    let finally = outbox(&app);
    assert!(
        finally.iter().all(|n| n.status == NoticeStatus::Sent),
        "every notice went out"
    );
    let accepted = accepted.lock().unwrap();
    let ids: Vec<String> = accepted.iter().map(|m| message_id(m)).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 5, "five messages taken by the server: {ids:?}");
    assert_eq!(unique.len(), 5, "no message taken twice");
    let expected: HashSet<String> = finally.iter().map(|n| n.message_id.clone()).collect();
    assert_eq!(
        unique,
        expected.iter().collect(),
        "each notice's own Message-ID"
    );
    assert!(
        ids.contains(&in_flight),
        "the interrupted one went with its Message-ID"
    );
    // Each case records exactly one sent receipt.
    for id in &cases {
        let conn = &mut *app.services.conn().unwrap();
        let id = gongkai::domain::case::ApplicationId::parse(id).unwrap();
        let sent = gongkai::db::events::for_application(conn, &id)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "notice_sent")
            .count();
        assert_eq!(sent, 1, "case {id}");
    }
}
