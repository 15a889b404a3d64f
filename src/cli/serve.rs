//! `gongkai serve`: its options, and starting the service with them.

use std::path::PathBuf;
use std::time::Duration;

use gongkai::db::DatabaseUrl;
use gongkai::http::admission::AdmissionSettings;
use gongkai::http::limits::IntakeLimitSettings;
use gongkai::security::SecretKey;
use gongkai::startup::{Application, MailSettings, Settings};

#[derive(clap::Args)]
pub struct ServeArgs {
    #[arg(long, env = "GONGKAI_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[arg(long, env = "GONGKAI_POOL_SIZE", default_value_t = 8)]
    pool_size: u32,
    /// PostgreSQL: group-commit writers for filings (each on its own connection, besides the
    /// pool; 0, the default: none, each filing its own transaction); SQLite always has one.
    #[arg(long, env = "GONGKAI_WRITE_LANES", default_value_t = gongkai::startup::DEFAULT_WRITE_LANES)]
    write_lanes: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "GONGKAI_WORKERS")]
    workers: Option<usize>,
    /// Seconds between runs of the job that closes cases whose correction or fee period lapsed.
    #[arg(long, env = "GONGKAI_JOB_INTERVAL", default_value_t = 300)]
    job_interval: u64,
    /// Send notices by SMTP: smtp://host:25, smtp://user:pass@host:587?tls=required (STARTTLS)
    /// or smtps://user:pass@host:465 (TLS). Without it notices are written as .eml files.
    #[arg(long, env = "GONGKAI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<gongkai::security::SecretUrl>,
    /// Where .eml files go when no SMTP server is set (default: mail/ beside the database).
    #[arg(long, env = "GONGKAI_MAIL_DIR")]
    mail_dir: Option<PathBuf>,
    /// The sender address for offices that have not set their own.
    #[arg(long, env = "GONGKAI_MAIL_FROM", default_value = "gongkai@localhost")]
    mail_from: String,
    /// A folder of NAME.subject / NAME.txt / NAME.html files replacing the built-in templates.
    #[arg(long, env = "GONGKAI_TEMPLATE_DIR")]
    template_dir: Option<PathBuf>,
    /// When (China Standard Time, HH:MM) clerks and approvers get their daily digest on
    /// working days.
    #[arg(long, env = "GONGKAI_DIGEST_AT", default_value = "08:00")]
    digest_at: chrono::NaiveTime,
    /// Seconds a worker holds a notice while sending it; a crashed worker's notices are
    /// sent again after this. Keep it above a slow SMTP exchange (the default is 120).
    #[arg(long, env = "GONGKAI_MAIL_LEASE", default_value_t = 120, hide = true)]
    mail_lease: u32,
    /// Seconds between looks at the outbox.
    #[arg(long, env = "GONGKAI_MAIL_INTERVAL", default_value_t = 5, hide = true)]
    mail_interval: u64,
    /// Online filings a minute from one client address (0: no limit).
    #[arg(
        long,
        env = "GONGKAI_INTAKE_PER_CLIENT_PER_MINUTE",
        default_value_t = 60
    )]
    intake_per_client_per_minute: u32,
    /// Online filings an hour under one identity document (0: no limit).
    #[arg(
        long,
        env = "GONGKAI_INTAKE_PER_IDENTITY_PER_HOUR",
        default_value_t = 20
    )]
    intake_per_identity_per_hour: u32,
    /// Take the client address from X-Forwarded-For, as appended by your own proxy: `true` (or
    /// the flag alone) trusts one proxy (the right-most entry), a number N trusts N proxies in a
    /// row (the N-th entry from the right); `false` or 0 (the default) uses the peer address.
    #[arg(
        long,
        env = "GONGKAI_TRUST_FORWARDED",
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false",
        value_parser = parse_trusted_proxies,
    )]
    trust_forwarded: u8,
    /// Requests that write (POST, PUT, DELETE) worked on at once; more are refused at once with
    /// 503 `overloaded` and Retry-After (0: no bound).
    #[arg(long, env = "GONGKAI_MAX_WRITES", default_value_t = AdmissionSettings::default().writes)]
    max_writes: usize,
    /// Requests that read (GET, HEAD) worked on at once; more are refused as above (0: no
    /// bound). /healthz and /metrics are never refused.
    #[arg(long, env = "GONGKAI_MAX_READS", default_value_t = AdmissionSettings::default().reads)]
    max_reads: usize,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "GONGKAI_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    shutdown_timeout: u64,
    /// The language of error messages on staff endpoints when a request states none: zh or en
    /// (applicants get Chinese; `Accept-Language` always decides when given).
    #[arg(long, env = "GONGKAI_DEFAULT_LANGUAGE", default_value = "en", value_parser = language)]
    default_language: gongkai::domain::message::Language,
    /// The address people reach this service at (e.g. https://gongkai.example.gov.cn): an
    /// https address makes the pages' cookies Secure.
    #[arg(long, env = "GONGKAI_PUBLIC_URL")]
    public_url: Option<String>,
    /// Minutes after which an unused web session (console or tracking page) is closed.
    #[arg(long, env = "GONGKAI_SESSION_IDLE_MINUTES", default_value_t = 30)]
    session_idle_minutes: u32,
    /// The largest file one upload may carry, in MiB.
    #[arg(long, env = "GONGKAI_FILE_LIMIT_MIB", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1024))]
    file_limit_mib: u32,
    /// What the files of one case may weigh together, in MiB.
    #[arg(long, env = "GONGKAI_CASE_FILES_LIMIT_MIB", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10240))]
    case_files_limit_mib: u32,
    /// The answer e-mail carries the delivered files when together they weigh at most this many
    /// MiB; otherwise it tells the applicant to download them from the tracking page.
    #[arg(long, env = "GONGKAI_MAIL_FILES_LIMIT_MIB", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100))]
    mail_files_limit_mib: u32,
}

fn parse_trusted_proxies(s: &str) -> Result<u8, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(1),
        "false" | "no" | "off" | "" => Ok(0),
        n => n
            .parse::<u8>()
            .map_err(|_| format!("{s:?}: give true, false or the number of proxies (0-255)")),
    }
}

const MIB: u64 = 1024 * 1024;

pub fn serve(url: DatabaseUrl, key: SecretKey, a: &ServeArgs) -> anyhow::Result<()> {
    let mail = MailSettings {
        smtp_url: a.smtp_url.clone(),
        mail_dir: a
            .mail_dir
            .clone()
            .unwrap_or_else(|| gongkai::service::delivery::default_mail_dir(&url)),
        from: a.mail_from.clone(),
        interval: Duration::from_secs(a.mail_interval.max(1)),
        template_dir: a.template_dir.clone(),
        digest_at: a.digest_at,
        lease: chrono::Duration::seconds(i64::from(a.mail_lease.max(1))),
    };
    let settings = Settings {
        database_url: url,
        bind: a.bind.clone(),
        secret_key: key,
        pool_size: a.pool_size,
        write_lanes: a.write_lanes,
        workers: a.workers,
        job_interval: Some(Duration::from_secs(a.job_interval.max(1))),
        mail: Some(mail),
        intake_limits: IntakeLimitSettings {
            per_client_per_minute: a.intake_per_client_per_minute,
            per_identity_per_hour: a.intake_per_identity_per_hour,
            trusted_proxies: a.trust_forwarded,
        },
        admission: AdmissionSettings {
            writes: a.max_writes,
            reads: a.max_reads,
        },
        shutdown_timeout: Duration::from_secs(a.shutdown_timeout),
        clock: Default::default(),
        default_language: a.default_language,
        web: gongkai::web::session::WebSettings {
            secure_cookies: a
                .public_url
                .as_deref()
                .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://")),
            session_idle: chrono::Duration::minutes(i64::from(a.session_idle_minutes.max(1))),
            trusted_proxies: a.trust_forwarded,
            public_url: a.public_url.clone(),
        },
        files: gongkai::service::attachments::FileSettings {
            limits: gongkai::domain::attachment::Limits {
                per_file: u64::from(a.file_limit_mib) * MIB,
                per_case: u64::from(a.case_files_limit_mib) * MIB,
            },
            email_limit: u64::from(a.mail_files_limit_mib) * MIB,
        },
    };
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings)?;
        tracing::info!(port = app.port(), "gongkai is serving");
        app.run_until_stopped().await?;
        tracing::info!("gongkai has stopped");
        anyhow::Ok(())
    })
}

fn language(s: &str) -> Result<gongkai::domain::message::Language, String> {
    use gongkai::domain::message::Language;
    match s.trim() {
        "zh" => Ok(Language::Zh),
        "en" => Ok(Language::En),
        other => Err(format!("{other:?}: zh or en")),
    }
}
