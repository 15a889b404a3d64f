//! Building and running the service (`Application::build`, as in zero-to-production).

use std::net::TcpListener;
use std::path::PathBuf;

use actix_web::dev::Server;
use actix_web::{middleware, web, App};
use tracing_actix_web::TracingLogger;

use crate::db::{self, DatabaseUrl};
use crate::http;
use crate::security::SecretKey;
use crate::service::calendar::{self, CalendarCache};
use crate::service::Services;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: String,
    pub secret_key: SecretKey,
    pub pool_size: u32,
    /// PostgreSQL: how many group-commit writers take filings (an office always goes to the
    /// same one). SQLite always has one.
    pub write_lanes: usize,
    pub workers: Option<usize>,
    /// How often the lapse job runs; `None` turns it off (tests run it by hand).
    pub job_interval: Option<std::time::Duration>,
    /// Delivering the outbox; `None` turns the worker off (tests deliver by hand).
    pub mail: Option<MailSettings>,
    pub intake_limits: http::limits::IntakeLimitSettings,
    /// How many writes and reads are worked on at once; past that, 503 at once.
    pub admission: http::admission::AdmissionSettings,
    /// How long a stopping server lets in-flight requests finish.
    pub shutdown_timeout: std::time::Duration,
    /// Where "now" comes from: the system clock, or a test's.
    pub clock: crate::service::clock_source::Clock,
    /// The language of problems on staff endpoints when a request states no preference
    /// (applicants get Chinese).
    pub default_language: crate::domain::message::Language,
    /// The web pages' cookies and sessions.
    pub web: crate::web::session::WebSettings,
    /// Attached files: their limits, and what the answer e-mail carries.
    pub files: crate::service::attachments::FileSettings,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://…`, `smtp://…?tls=required` (STARTTLS) or `smtps://…`; `None` writes `.eml` files.
    pub smtp_url: Option<crate::security::SecretUrl>,
    pub mail_dir: PathBuf,
    /// The sender when an office has set none.
    pub from: String,
    pub interval: std::time::Duration,
    /// Templates that replace the built-in ones, file by file.
    pub template_dir: Option<PathBuf>,
    /// When (China Standard Time) staff get their daily digest on working days.
    pub digest_at: chrono::NaiveTime,
    /// How long a worker holds a notice while sending it; a killed worker's notice is sent
    /// again (with the same Message-ID) once this has passed.
    pub lease: chrono::Duration,
}

/// Where the secret key lives when none is given: beside the SQLite file, or in the working
/// directory for PostgreSQL (several instances must then share one key: set GONGKAI_SECRET_KEY).
pub fn default_key_file(url: &DatabaseUrl) -> PathBuf {
    match url {
        DatabaseUrl::Sqlite(path) => path.with_file_name("secret.key"),
        DatabaseUrl::Postgres(_) => PathBuf::from("gongkai-secret.key"),
    }
}

/// Opens the database (creating and migrating it), checks the key, and prepares the services.
pub fn open_services(
    url: &DatabaseUrl,
    key: SecretKey,
    pool_size: u32,
) -> anyhow::Result<Services> {
    open_services_with(url, key, pool_size, 0)
}

/// PostgreSQL's group-commit writers for `serve` unless set: none, each filing its own
/// transaction. Measured on 2 cores, lanes did not make filing faster (README "Under load").
pub const DEFAULT_WRITE_LANES: usize = 0;

/// `open_services` with `write_lanes` group-commit writers for filings on PostgreSQL.
pub fn open_services_with(
    url: &DatabaseUrl,
    key: SecretKey,
    pool_size: u32,
    write_lanes: usize,
) -> anyhow::Result<Services> {
    let pool = db::pool::open(url, pool_size)?;
    let conn = &mut *pool.get()?;
    db::staff::check_key_fingerprint(conn, &key.fingerprint())?;
    let calendars = std::sync::Arc::new(CalendarCache::default());
    let templates = std::sync::Arc::new(crate::service::templates::Templates::built_in());
    if let Some(r) = calendar::seed_shipped(conn, &calendars, &templates, chrono::Utc::now())? {
        tracing::info!(
            open_cases = r.open_cases,
            changed = r.changed_cases,
            "loaded the shipped calendar"
        );
    }
    let kept = crate::service::clock::keep_clocks_of_closed_cases(conn, &calendars)?;
    if kept > 0 {
        tracing::info!(
            kept,
            "kept the clocks of cases closed before closed clocks were kept"
        );
    }
    let chained = crate::service::audit::chain_unchained(conn)?;
    if chained > 0 {
        tracing::info!(
            chained,
            "hash-chained events written before the audit chain existed"
        );
    }
    // SQLite always group-commits; PostgreSQL unless `write_lanes` is 0 (each filing then its
    // own transaction on a pooled connection).
    let writer = match url {
        DatabaseUrl::Postgres(_) if write_lanes == 0 => None,
        _ => Some(std::sync::Arc::new(db::group_commit::GroupCommit::start(
            url,
            write_lanes,
        )?)),
    };
    Ok(Services {
        writer,
        pool: pool.clone(),
        key,
        calendars,
        templates,
        clock: Default::default(),
        public_url: None,
        files: Default::default(),
    })
}

/// Runs the scheduled jobs every `every`, off the request workers: the lapse job (automatic
/// abandonment), then staff reminders when mail is on. Safe when several instances run them:
/// each closure is a conditional write, each reminder a unique key.
fn spawn_jobs(
    services: Services,
    every: std::time::Duration,
    digest_at: Option<chrono::NaiveTime>,
    session_idle: chrono::Duration,
) {
    use crate::service::{jobs, reminders, sign_in};
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let s = services.clone();
            let run = web::block(move || {
                let now = s.now();
                let lapsed = jobs::close_lapsed(&s, now);
                let reminded = digest_at.map(|at| reminders::remind_staff(&s, now, at));
                if let Err(e) = sign_in::forget_idle(&s, session_idle, now) {
                    tracing::warn!(error = %e, "could not forget idle web sessions");
                }
                (lapsed, reminded)
            });
            let Ok((lapsed, reminded)) = run.await else {
                return;
            };
            match lapsed {
                Ok(done) if done != Default::default() => {
                    tracing::info!(?done, "closed lapsed cases")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "the lapse job failed"),
            }
            match reminded {
                Some(Ok(done)) if done != Default::default() => {
                    tracing::info!(?done, "reminded staff")
                }
                Some(Err(e)) => tracing::error!(error = %e, "staff reminders failed"),
                _ => {}
            }
        }
    });
}

/// Delivers the outbox every `interval`, off the request workers (several instances may run it).
fn spawn_delivery(
    services: Services,
    mailer: std::sync::Arc<crate::service::delivery::Mailer>,
    mail: MailSettings,
) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(mail.interval);
        loop {
            tick.tick().await;
            let (s, m, from) = (services.clone(), mailer.clone(), mail.from.clone());
            let run = web::block(move || {
                crate::service::delivery::deliver_due(&s, &m, &from, chrono::Utc::now())
            });
            match run.await {
                Ok(Ok(done)) if done != Default::default() => {
                    tracing::info!(?done, "delivered notices")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "notice delivery failed"),
                Err(_) => return,
            }
        }
    });
}

/// Drops rate-limit state of clients and identities that have been quiet long enough.
fn spawn_forget_idle(limits: std::sync::Arc<http::limits::IntakeLimits>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.forget_idle();
        }
    });
}

pub struct Application {
    port: u16,
    server: Server,
    services: Services,
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut services = open_services_with(
            &settings.database_url,
            settings.secret_key,
            settings.pool_size,
            settings.write_lanes,
        )?;
        services.clock = settings.clock.clone();
        services.public_url = settings.web.public_url.clone();
        services.files = settings.files;
        if let Some(dir) = settings
            .mail
            .as_ref()
            .and_then(|m| m.template_dir.as_deref())
        {
            let templates = crate::service::templates::Templates::load(Some(dir))
                .map_err(|e| anyhow::anyhow!("templates in {}: {e}", dir.display()))?;
            services.templates = std::sync::Arc::new(templates);
        }
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        if let Some(every) = settings.job_interval {
            let digest_at = settings.mail.as_ref().map(|m| m.digest_at);
            spawn_jobs(
                services.clone(),
                every,
                digest_at,
                settings.web.session_idle,
            );
        }
        if let Some(mail) = settings.mail.clone() {
            crate::service::delivery::check_sender(&mail.from)
                .map_err(|e| anyhow::anyhow!("GONGKAI_MAIL_FROM: {e}"))?;
            let mailer =
                crate::service::delivery::Mailer::new(mail.smtp_url.as_ref(), &mail.mail_dir)?
                    .with_lease(mail.lease);
            spawn_delivery(services.clone(), std::sync::Arc::new(mailer), mail);
        }
        let limits = web::Data::new(http::limits::IntakeLimits::new(settings.intake_limits));
        spawn_forget_idle(limits.clone().into_inner());
        let metrics = web::Data::new(http::metrics::Metrics::default());
        let admission = web::Data::new(http::admission::Admission::new(settings.admission));
        let resets = web::Data::new(http::access::ResetLimits::default());
        let data = web::Data::new(services.clone());
        let web_settings = web::Data::new(settings.web.clone());
        let languages = web::Data::new(http::language::Languages {
            default: settings.default_language,
        });
        let app = move || {
            // The last wrap is the outermost: the tracing span (and request id) comes first.
            App::new()
                .wrap(middleware::from_fn(http::admission::admit))
                .wrap(middleware::from_fn(crate::web::page::console_errors))
                .wrap(middleware::from_fn(http::observe::head_as_get))
                .wrap(middleware::from_fn(http::observe::refuse_nul))
                .wrap(middleware::from_fn(http::language::choose))
                .wrap(middleware::from_fn(http::observe::observe))
                .wrap(http::observe::security_headers())
                .wrap(TracingLogger::<http::observe::RequestSpan>::new())
                .app_data(data.clone())
                .app_data(limits.clone())
                .app_data(metrics.clone())
                .app_data(admission.clone())
                .app_data(resets.clone())
                .app_data(languages.clone())
                .app_data(web_settings.clone())
                .app_data(crate::web::form::config())
                .app_data(web::PayloadConfig::new(http::extract::BODY_LIMIT))
                .app_data(http::query_config())
                .app_data(http::path_config())
                .configure(http::configure)
                .configure(crate::web::configure)
                .default_service(web::to(http::route_not_found))
        };
        // actix-web's `HttpServer`, assembled by hand so that each connection is wrapped in
        // `ProblemIo`: what the HTTP/1.1 layer refuses on its own is a problem document too.
        // A client must send its request head within 5 s (slow-header attacks), idle keep-alive
        // connections close after 30 s; on SIGTERM/SIGINT in-flight requests get the shutdown
        // timeout to finish while no new connection is accepted.
        let mut builder =
            actix_server::Server::build().shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(n) = settings.workers {
            builder = builder.workers(n);
        }
        let shutdown = builder.graceful_shutdown_signal();
        let local = listener.local_addr()?;
        let server = builder
            .listen("gongkai", listener, move || {
                use actix_service::{fn_service, map_config, ServiceFactoryExt};
                let shutdown = shutdown.clone();
                let service = actix_http::HttpService::build()
                    .graceful_shutdown_signal(move || {
                        let signal = shutdown.clone();
                        async move { signal.notified().await }
                    })
                    .keep_alive(std::time::Duration::from_secs(30))
                    .client_request_timeout(std::time::Duration::from_secs(5))
                    .client_disconnect_timeout(std::time::Duration::from_secs(1))
                    .local_addr(local)
                    .h1(map_config(app(), |_| actix_web::dev::AppConfig::default()));
                fn_service(|io: actix_web::rt::net::TcpStream| {
                    let peer = io.peer_addr().ok();
                    std::future::ready(Ok((http::wire::ProblemIo::new(io), peer)))
                })
                .and_then(service)
            })?
            .run();
        Ok(Self {
            port,
            server,
            services,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The services the running application uses (its pool, clock and templates), so that an
    /// embedding program or a test works on the same ones rather than opening its own.
    pub fn services(&self) -> Services {
        self.services.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
