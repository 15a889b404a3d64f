//! Delivering the outbox: SMTP through lettre when GONGKAI_SMTP_URL is set (`smtp://` plain,
//! `smtp://…?tls=required` STARTTLS, `smtps://` TLS), otherwise `.eml` files in a mail folder.
//!
//! A worker claims a notice with a lease, sends it, and marks it sent together with a
//! `notice_sent` event on the case. A worker that dies mid-send leaves the lease to expire and
//! the notice is sent again with the same Message-ID: nothing is lost, and a receiver sees one
//! message id. A notice that keeps failing is marked failed after `MAX_ATTEMPTS`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message, SmtpTransport, Transport};
use serde::Serialize;

use super::{ServiceError, Services};
use crate::db::models::{EventRow, NoticeRow};
use crate::db::{cases, events, notices, staff, DbConnection};
use crate::security::{redact_access_tokens, SecretUrl};

pub const MAX_ATTEMPTS: i32 = 8;
/// How long a worker holds a notice it is sending. Longer than an SMTP exchange can take
/// (`SMTP_TIMEOUT` per step), so that a live worker is never overtaken by another one.
pub const DEFAULT_LEASE: chrono::Duration = chrono::Duration::minutes(2);
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

enum Backend {
    Smtp(SmtpTransport),
    /// `.eml` files in this folder, each readable by the service's user only (0600).
    Files(PathBuf),
}

pub struct Mailer {
    transport: Backend,
    lease: chrono::Duration,
}

impl Mailer {
    pub fn new(smtp_url: Option<&SecretUrl>, mail_dir: &Path) -> anyhow::Result<Self> {
        let transport = match smtp_url {
            // The error names the URL without its password (lettre's own never quotes it).
            Some(url) => Backend::Smtp(
                SmtpTransport::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("GONGKAI_SMTP_URL {}: {e}", url.redacted()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(mail_dir)?;
                Backend::Files(mail_dir.to_owned())
            }
        };
        Ok(Self {
            transport,
            lease: DEFAULT_LEASE,
        })
    }

    /// A shorter lease brings a dead worker's notices back sooner (tests; fast local relays).
    pub fn with_lease(self, lease: chrono::Duration) -> Self {
        Self { lease, ..self }
    }

    fn send(&self, message: &Message) -> Result<(), String> {
        match &self.transport {
            Backend::Smtp(t) => t.send(message).map(drop).map_err(|e| e.to_string()),
            Backend::Files(dir) => write_eml(dir, message).map_err(|e| e.to_string()),
        }
    }
}

/// Writes a message as `<uuid>.eml` (as lettre's file transport names them), created with
/// mode 0600: a notice may carry an access token or a personal reply.
fn write_eml(dir: &Path, message: &Message) -> std::io::Result<()> {
    let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path)?;
    std::io::Write::write_all(&mut file, &message.formatted())?;
    file.sync_all()
}

/// A sender address the mailer can use (`GONGKAI_MAIL_FROM`, an office's sender).
pub fn check_sender(address: &str) -> Result<(), String> {
    address
        .parse::<Address>()
        .map(drop)
        .map_err(|e| format!("{address:?} is not an e-mail address the mailer can use: {e}"))
}

/// Where `.eml` files go by default: `mail/` beside the SQLite file, or `./mail`.
pub fn default_mail_dir(url: &crate::db::DatabaseUrl) -> PathBuf {
    match url {
        crate::db::DatabaseUrl::Sqlite(path) => path.with_file_name("mail"),
        crate::db::DatabaseUrl::Postgres(_) => PathBuf::from("mail"),
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The wait before attempt `n + 1`: 30 s, 1 min, 2 min, … up to an hour.
fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds((30i64 << attempts.clamp(0, 7)).min(3600))
}

fn message(conn: &mut DbConnection, n: &NoticeRow, default_from: &str) -> Result<Message, String> {
    let agency = staff::agency_by_id(conn, &n.agency_id).map_err(|e| e.to_string())?;
    let from_addr = agency.sender_email.as_deref().unwrap_or(default_from);
    let from_name = agency.sender_name.clone().unwrap_or(agency.name);
    // The name is encoded by lettre (quoted or RFC 2047), whatever punctuation it holds.
    let from = Mailbox::new(
        Some(from_name),
        from_addr.parse().map_err(|e| format!("sender: {e}"))?,
    );
    let to: Mailbox = n.recipient.parse().map_err(|e| format!("recipient: {e}"))?;
    let body = MultiPart::alternative_plain_html(n.body_text.clone(), n.body_html.clone());
    let body = with_files(conn, n, body)?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&n.subject)
        .message_id(Some(n.message_id.clone()))
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// The notice's files (the answer's, when they fit the e-mail), after its text: read from the
/// database at sending, each whole once (lettre encodes the message in memory).
fn with_files(
    conn: &mut DbConnection,
    n: &NoticeRow,
    body: MultiPart,
) -> Result<MultiPart, String> {
    let files =
        crate::db::attachments::of_notice(conn, n.id.as_str()).map_err(|e| e.to_string())?;
    if files.is_empty() {
        return Ok(body);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for f in files {
        let content = super::attachments::whole(conn, &f.sha256).map_err(|e| e.to_string())?;
        let media_type = lettre::message::header::ContentType::parse(f.kind.media_type())
            .map_err(|e| format!("{}: {e}", f.name))?;
        mixed =
            mixed.singlepart(lettre::message::Attachment::new(f.name).body(content, media_type));
    }
    Ok(mixed)
}

/// Sends every notice that is due, once each, however many workers run.
pub fn deliver_due(
    services: &Services,
    mailer: &Mailer,
    default_from: &str,
    now: DateTime<Utc>,
) -> Result<Delivered, ServiceError> {
    let mut done = Delivered::default();
    // Batches of 100 until the outbox is empty (a burst of filings is not rationed to 100 a
    // tick), at most 50 batches a call so that a broken server does not hold the worker.
    for _ in 0..50 {
        // Leases count from the real clock (or `now`, if later): a long run must not hand out
        // claims that have already run out.
        let at = now.naive_utc().max(Utc::now().naive_utc());
        let batch = notices::due(&mut *services.conn()?, at, BATCH)?;
        let full = batch.len() as i64 == BATCH;
        // Several conversations with the mail server at once: each takes a round trip or more
        // per command, so one at a time would cap the outbox at a few dozen a second. A case's
        // notices stay in one lane, in order.
        let mut lanes: Vec<Vec<NoticeRow>> = vec![Vec::new(); LANES];
        for n in batch {
            let key = n
                .application_id
                .as_ref()
                .map_or(n.recipient.as_str(), |id| id.as_str());
            let lane = key
                .bytes()
                .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
            lanes[lane % LANES].push(n);
        }
        let results: Vec<Result<Delivered, ServiceError>> = std::thread::scope(|scope| {
            let running: Vec<_> = lanes
                .into_iter()
                .filter(|lane| !lane.is_empty())
                .map(|lane| {
                    scope.spawn(move || {
                        let mut d = Delivered::default();
                        deliver_batch(services, mailer, default_from, lane, at, &mut d)?;
                        Ok(d)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|h| h.join().expect("a delivery lane panicked"))
                .collect()
        });
        for r in results {
            let d = r?;
            done.sent += d.sent;
            done.retried += d.retried;
            done.failed += d.failed;
        }
        if !full {
            break;
        }
    }
    Ok(done)
}

/// Conversations with the mail server at once (each lane holds a database connection too).
const LANES: usize = 4;
const BATCH: i64 = 100;

/// Sends one lane's notices in turn. The claims and the records of each send are written
/// through `Services::write`: on SQLite they join the group commit with everything else being
/// written, instead of each taking the write lock (and a flush) of its own.
fn deliver_batch(
    services: &Services,
    mailer: &Mailer,
    default_from: &str,
    batch: Vec<NoticeRow>,
    at: NaiveDateTime,
    done: &mut Delivered,
) -> Result<(), ServiceError> {
    for n in batch {
        let (id, until) = (n.id.clone(), at + mailer.lease);
        let claimed = services.write(move |conn| Ok(notices::claim(conn, &id, at, until)?))?;
        if !claimed {
            continue; // another worker has it
        }
        let sent = message(&mut *services.conn()?, &n, default_from).and_then(|m| mailer.send(&m));
        match sent {
            Ok(()) => {
                services.write(move |conn| {
                    notices::mark_sent(conn, &n.id, Utc::now().naive_utc())?;
                    // The applicant has the access token now: the outbox keeps no clear copy.
                    let text = redact_access_tokens(&n.body_text);
                    let html = redact_access_tokens(&n.body_html);
                    if text.is_some() || html.is_some() {
                        notices::replace_bodies(
                            conn,
                            &n.id,
                            text.as_deref().unwrap_or(&n.body_text),
                            html.as_deref().unwrap_or(&n.body_html),
                        )?;
                    }
                    Ok(record_sent(conn, &n, at)?)
                })?;
                done.sent += 1;
            }
            Err(error) => {
                let retry = (n.attempts + 1 < MAX_ATTEMPTS).then(|| at + backoff(n.attempts));
                tracing::warn!(notice = %n.id, attempts = n.attempts + 1, %error, "a notice was not delivered");
                let id = n.id.clone();
                services.write(move |conn| {
                    Ok(notices::mark_attempt_failed(conn, &id, &error, retry)?)
                })?;
                if retry.is_some() {
                    done.retried += 1;
                } else {
                    done.failed += 1;
                }
            }
        }
    }
    Ok(())
}

/// The case's record of a sent notice: to whom, which template, which message id.
fn record_sent(
    conn: &mut DbConnection,
    n: &NoticeRow,
    at: NaiveDateTime,
) -> Result<(), diesel::result::Error> {
    let Some(application_id) = &n.application_id else {
        return Ok(());
    };
    let (seq, status) = cases::next_event_seq(conn, application_id)?;
    events::insert(
        conn,
        &EventRow {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: application_id.clone(),
            seq,
            occurred_at: at,
            actor_role: crate::domain::workflow::Role::System,
            actor_id: None,
            actor_name: None,
            action: "notice_sent".into(),
            status_before: Some(status),
            status_after: status,
            payload: serde_json::json!({
                "notice_id": n.id,
                "template": n.template,
                "recipient": n.recipient,
                "recipient_role": n.recipient_role,
                "message_id": n.message_id,
            })
            .to_string(),
            prev_hash: None,
            hash: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::security::SecretUrl;

    #[test]
    fn a_bad_smtp_url_is_refused_without_its_password() {
        let dir = tempfile::tempdir().unwrap();
        for url in [
            "smtpx://mailer:hunter2@relay.example.cn:587",
            "smtp://mailer:hunter2@/",
        ] {
            let url = SecretUrl::new(url);
            let Err(e) = super::Mailer::new(Some(&url), dir.path()) else {
                panic!("{url:?} was taken");
            };
            let shown = format!("{e:#} {e:?}");
            assert!(shown.contains("GONGKAI_SMTP_URL"), "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }

    #[test]
    fn mail_settings_do_not_show_the_smtp_password() {
        let settings = crate::startup::MailSettings {
            smtp_url: Some(SecretUrl::new(
                "smtps://mailer:hunter2@relay.example.cn:465",
            )),
            mail_dir: "mail".into(),
            from: "gongkai@localhost".into(),
            interval: std::time::Duration::from_secs(5),
            template_dir: None,
            digest_at: chrono::NaiveTime::MIN,
            lease: chrono::Duration::minutes(2),
        };
        let debug = format!("{settings:?}");
        assert!(debug.contains("relay.example.cn"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let secs: Vec<i64> = (0..9).map(|n| super::backoff(n).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
