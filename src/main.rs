//! The `gongkai` command: serve the API, migrate, and set up offices and staff.

mod audit_cli;
mod serve_cli;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use gongkai::db::{self, DatabaseUrl};
use gongkai::domain::notice::YearNotice;
use gongkai::domain::workflow::Role;
use gongkai::security::SecretKey;
use gongkai::service::admin::Manager;
use gongkai::service::{admin, calendar};
use gongkai::startup::{default_key_file, open_services};

#[derive(Parser)]
#[command(
    name = "gongkai",
    version,
    about = "政府信息公开申请办理 — disclosure application case files"
)]
struct Cli {
    /// sqlite://PATH (the embedded default) or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "GONGKAI_DATABASE_URL",
        default_value = "sqlite://data/gongkai.db",
        global = true
    )]
    database_url: String,
    /// The secret key for identity-number hashes, as 64 hex digits (overrides the key file).
    #[arg(
        long,
        env = "GONGKAI_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    secret_key: Option<String>,
    /// Where the secret key is kept; created on first start (default: beside the SQLite file).
    #[arg(long, env = "GONGKAI_SECRET_KEY_FILE", global = true)]
    secret_key_file: Option<PathBuf>,
    /// Log lines as text or as JSON objects (one per line, for a log collector).
    #[arg(
        long,
        env = "GONGKAI_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve(serve_cli::ServeArgs),
    /// Copy a SQLite database while the service runs: a consistent snapshot of one moment.
    Backup {
        /// The new file (it must not exist).
        to: PathBuf,
    },
    /// Close cases whose correction or fee payment period has lapsed, once, now.
    CloseLapsed,
    /// Create or update the database schema (serve does this too).
    Migrate,
    /// Offices.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// Staff and their API tokens.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Verify the hash chain and export the record (auditors).
    Audit {
        #[command(subcommand)]
        command: audit_cli::AuditCommand,
    },
    /// The statutory annual report.
    Report {
        #[command(subcommand)]
        command: audit_cli::ReportCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load or replace a year from a notice file (our format or holiday-cn's JSON); every open
    /// case's deadlines are recomputed. The load is audited with who made it.
    Load {
        file: PathBuf,
        /// Who is loading it, for the record (default: your login name).
        #[arg(long)]
        by: Option<String>,
    },
    /// List the loaded years, with who loaded each.
    Years,
    /// The audit of calendar loads (national years and offices' local days off), newest first.
    Loads,
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Set the sender address, sender name and signature of an office's notices.
    SetSender {
        #[arg(long)]
        code: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        /// The closing line of every notice (default: the office's name).
        #[arg(long)]
        signature: Option<String>,
    },
    /// Set how many applications from one applicant in a month are flagged to clerks (art. 35).
    SetThreshold {
        #[arg(long)]
        code: String,
        #[arg(long)]
        art35_monthly_threshold: i32,
    },
    /// Set what an office's answer letters say: the document-number prefix (海政信复 gives
    /// 海政信复〔2026〕4号) and the reconsideration body and court named in the remedies. Options
    /// left out keep their value; "" clears one.
    SetLetter {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        prefix: Option<String>,
        /// e.g. 北京市海淀区人民政府 (行政复议法 art. 20: usually the government at the same level).
        #[arg(long)]
        reconsideration_body: Option<String>,
        /// e.g. 北京市海淀区人民法院.
        #[arg(long)]
        court: Option<String>,
        /// Working days a case reopened after a justified late correction gets (default 20).
        #[arg(long)]
        reopen_working_days: Option<i32>,
    },
    /// Set how applicants pay processing fees: the payee and a bank account, a channel, or both.
    /// Until this is set the office cannot send fee notices.
    SetPayment {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        payee: String,
        /// Bank and account number.
        #[arg(long)]
        account: Option<String>,
        /// Other ways to pay (a payment platform and its reference, a counter and its hours).
        #[arg(long)]
        channel: Option<String>,
    },
    /// Set the working days a case reopened after a justified late correction gets.
    SetReopenDays {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        working_days: i32,
    },
    /// List the offices with their settings.
    List,
    /// Add an office; its code starts every tracking number (CODE-2026-000001).
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum StaffRole {
    Clerk,
    Approver,
    Auditor,
    Admin,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff user; prints the API token (shown once) as the last line.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: StaffRole,
        /// Required for clerks and approvers; auditors and admins may be bound to none.
        #[arg(long)]
        agency: Option<String>,
        /// Where the daily digest and overdue alerts go (clerks and approvers).
        #[arg(long)]
        email: Option<String>,
    },
    /// Set (or with no --email, clear) the address a user's digest and alerts go to.
    SetEmail {
        #[arg(long)]
        id: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// List staff users (never their tokens): all, or one office's.
    List {
        #[arg(long)]
        agency: Option<String>,
    },
    /// Disable a user: their token is refused (401) at once.
    Disable {
        #[arg(long)]
        id: String,
    },
    /// Re-enable a disabled user.
    Enable {
        #[arg(long)]
        id: String,
    },
    /// Give a user a new API token, printed (once) as the last line; the old one stops working
    /// at once.
    RotateToken {
        #[arg(long)]
        id: String,
    },
}

fn secret_key(cli: &Cli, url: &DatabaseUrl) -> anyhow::Result<SecretKey> {
    match &cli.secret_key {
        Some(hex) => SecretKey::from_hex(hex),
        None => {
            let path = cli
                .secret_key_file
                .clone()
                .unwrap_or_else(|| default_key_file(url));
            SecretKey::load_or_create(&path)
                .map_err(|e| anyhow::anyhow!("secret key file {}: {e}", path.display()))
        }
    }
}

/// Who runs a command, for the record: as given, or the login name.
fn operator(given: Option<&str>) -> String {
    given
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// A staff user on one line (never a token or its hash).
fn print_user(u: &admin::UserView) {
    println!(
        "{}  {:<8} {}  office: {}  e-mail: {}  {}  last used: {}",
        u.id,
        u.role,
        u.name,
        u.agency.as_deref().unwrap_or("-"),
        u.email.as_deref().unwrap_or("-"),
        match &u.disabled_at {
            Some(at) => format!("disabled since {at}"),
            None => "enabled".into(),
        },
        u.last_used_on
            .map_or_else(|| "never".to_owned(), |d| d.to_string()),
    );
}

/// An office and its settings, a few lines each ("-" for unset).
fn print_agency(a: &gongkai::db::models::Agency) {
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("{}  {}", a.code, a.name);
    println!(
        "  sender: {} {}  signature: {}",
        or_unset(&a.sender_email),
        or_unset(&a.sender_name),
        or_unset(&a.signature)
    );
    println!(
        "  art. 35 threshold: {} a month  reopening period: {} working days",
        a.art35_monthly_threshold, a.reopen_working_days
    );
    println!(
        "  letter prefix: {}  reconsideration body: {}  court: {}",
        or_unset(&a.letter_prefix),
        or_unset(&a.reconsideration_body),
        or_unset(&a.court)
    );
    println!(
        "  fees paid to: {}  account: {}  channel: {}",
        or_unset(&a.payee),
        or_unset(&a.payment_account),
        or_unset(&a.payment_channel)
    );
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One readable line with its causes, not a debug dump.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.log_format {
        // Each line one object: the request span's fields (request_id, route) come along.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => logs.init(),
    }
    let url = DatabaseUrl::parse(&cli.database_url)?;
    let key = secret_key(&cli, &url)?;
    match &cli.command {
        Command::Agency {
            command:
                AgencyCommand::SetSender {
                    code,
                    email,
                    name,
                    signature,
                },
        } => {
            let services = open_services(&url, key, 1)?;
            let conn = &mut *services.conn()?;
            let agency =
                admin::set_sender(conn, code, email, name.as_deref(), signature.as_deref())?;
            println!("{}: notices are sent from {}", agency.code, email);
            Ok(())
        }
        Command::Audit { command } => audit_cli::audit(&open_services(&url, key, 1)?, command),
        Command::Report { command } => audit_cli::report(&open_services(&url, key, 1)?, command),
        Command::CloseLapsed => {
            let services = open_services(&url, key, 1)?;
            let done = gongkai::service::jobs::close_lapsed(&services, chrono::Utc::now())?;
            println!(
                "abandoned for no correction: {}; abandoned for an unpaid fee: {}",
                done.abandoned_no_correction, done.abandoned_fee_unpaid
            );
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::SetThreshold {
                    code,
                    art35_monthly_threshold,
                },
        } => {
            let services = open_services(&url, key, 1)?;
            let agency =
                admin::set_art35_threshold(&mut *services.conn()?, code, *art35_monthly_threshold)?;
            println!(
                "{}: more than {} applications a month from one applicant are flagged",
                agency.code, agency.art35_monthly_threshold
            );
            Ok(())
        }
        Command::Serve(args) => serve_cli::serve(url, key, args),
        Command::Backup { to } => {
            let taken = gongkai::service::backup::sqlite(&url, to)?;
            println!(
                "backed up to {} ({} bytes); restore by stopping the service and putting it in place of the database file",
                to.display(),
                taken
            );
            Ok(())
        }
        Command::Migrate => {
            let pool = db::pool::open(&url, 1)?;
            let ran = db::pool::migrate(&mut *pool.get()?)?;
            println!("database is up to date ({ran} migrations were pending)");
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::SetLetter {
                    agency,
                    prefix,
                    reconsideration_body,
                    court,
                    reopen_working_days,
                },
        } => {
            let services = open_services(&url, key, 1)?;
            let conn = &mut *services.conn()?;
            let mut a = admin::set_letter(
                conn,
                agency,
                prefix.as_deref(),
                reconsideration_body.as_deref(),
                court.as_deref(),
            )?;
            if let Some(days) = reopen_working_days {
                a = admin::set_reopen_working_days(conn, agency, *days)?;
            }
            print_agency(&a);
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::SetPayment {
                    agency,
                    payee,
                    account,
                    channel,
                },
        } => {
            let services = open_services(&url, key, 1)?;
            let a = admin::set_payment(
                &mut *services.conn()?,
                agency,
                payee,
                account.as_deref(),
                channel.as_deref(),
            )?;
            print_agency(&a);
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::SetReopenDays {
                    agency,
                    working_days,
                },
        } => {
            let services = open_services(&url, key, 1)?;
            let a = admin::set_reopen_working_days(&mut *services.conn()?, agency, *working_days)?;
            print_agency(&a);
            Ok(())
        }
        Command::Agency {
            command: AgencyCommand::List,
        } => {
            let services = open_services(&url, key, 1)?;
            for a in admin::agencies(&mut *services.conn()?)? {
                print_agency(&a);
            }
            Ok(())
        }
        Command::Agency {
            command: AgencyCommand::Add { code, name },
        } => {
            let services = open_services(&url, key, 1)?;
            let agency = admin::add_agency(&mut *services.conn()?, code, name)?;
            println!("added agency {} ({})", agency.code, agency.name);
            Ok(())
        }
        Command::Calendar {
            command: CalendarCommand::Load { file, by },
        } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let notice = YearNotice::parse(&text, None)
                .map_err(|e| anyhow::anyhow!("{} was not loaded: {e}", file.display()))?;
            let services = open_services(&url, key, 1)?;
            let loaded = calendar::load_year(
                &mut *services.conn()?,
                &services.calendars,
                &services.templates,
                &notice,
                &calendar::Loader::command_line(&operator(by.as_deref())),
                chrono::Utc::now(),
            )?;
            println!(
                "{} {}: {} days off, {} make-up working days; {} open cases recomputed, {} changed",
                if loaded.replaced {
                    "replaced"
                } else {
                    "loaded"
                },
                loaded.year,
                loaded.days_off,
                loaded.make_up_working_days,
                loaded.recomputed.open_cases,
                loaded.recomputed.changed_cases
            );
            Ok(())
        }
        Command::Calendar {
            command: CalendarCommand::Years,
        } => {
            let services = open_services(&url, key, 1)?;
            for y in calendar::years(&services, true)? {
                println!(
                    "{}  {:>2} days off  {} make-up days  loaded {} by {}  {}",
                    y.year,
                    y.days_off,
                    y.make_up_working_days,
                    y.loaded_at,
                    y.loaded_by.as_deref().unwrap_or("-"),
                    y.source.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    agency,
                    email,
                },
        } => {
            let role = match role {
                StaffRole::Clerk => Role::Clerk,
                StaffRole::Approver => Role::Approver,
                StaffRole::Auditor => Role::Auditor,
                StaffRole::Admin => Role::Admin,
            };
            let services = open_services(&url, key, 1)?;
            let (user, token) = admin::add_user(
                &mut *services.conn()?,
                name,
                role,
                agency.as_deref(),
                email.as_deref(),
            )?;
            println!("added {} {} ({})", user.role, user.name, user.id);
            println!("API token (shown once; send it as Authorization: Bearer TOKEN):");
            println!("{token}");
            Ok(())
        }
        Command::Calendar {
            command: CalendarCommand::Loads,
        } => {
            let services = open_services(&url, key, 1)?;
            for l in calendar::loads_in(&mut *services.conn()?, None)? {
                println!(
                    "{}  {} {}  by {}{}  via {}  {}",
                    l.loaded_at,
                    l.agency.as_deref().unwrap_or("national"),
                    l.year,
                    l.by,
                    match (&l.by_role, &l.by_agency) {
                        (Some(r), Some(a)) => format!(" ({r}, {a})"),
                        (Some(r), None) => format!(" ({r})"),
                        _ => String::new(),
                    },
                    l.via,
                    l.changes
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::List { agency },
        } => {
            let services = open_services(&url, key, 1)?;
            let users = admin::list_users(
                &mut *services.conn()?,
                Manager::CommandLine,
                agency.as_deref(),
            )?;
            for u in users {
                print_user(&u);
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Disable { id },
        } => {
            let services = open_services(&url, key, 1)?;
            let u = admin::disable_user(
                &mut *services.conn()?,
                Manager::CommandLine,
                id,
                chrono::Utc::now(),
            )?;
            print_user(&u);
            Ok(())
        }
        Command::User {
            command: UserCommand::Enable { id },
        } => {
            let services = open_services(&url, key, 1)?;
            let u = admin::enable_user(&mut *services.conn()?, Manager::CommandLine, id)?;
            print_user(&u);
            Ok(())
        }
        Command::User {
            command: UserCommand::RotateToken { id },
        } => {
            let services = open_services(&url, key, 1)?;
            let (u, token) = admin::rotate_token(&mut *services.conn()?, Manager::CommandLine, id)?;
            print_user(&u);
            println!("new API token (shown once; the old one no longer works):");
            println!("{token}");
            Ok(())
        }
        Command::User {
            command: UserCommand::SetEmail { id, email },
        } => {
            let services = open_services(&url, key, 1)?;
            admin::set_user_email(&mut *services.conn()?, id, email.as_deref())?;
            match email {
                Some(e) => println!("reminders for {id} go to {e}"),
                None => println!("{id} gets no reminders"),
            }
            Ok(())
        }
    }
}
