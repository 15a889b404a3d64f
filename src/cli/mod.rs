//! The command line: global options, the subcommand groups (one module each) and dispatch.

mod agency;
mod audit;
mod calendar;
mod context;
mod division;
mod ops;
mod output;
mod progress;
mod register;
mod report;
mod serve;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use context::Context;

#[derive(Parser)]
#[command(
    name = "gongkai",
    version,
    about = "政府信息公开申请办理 — disclosure application case files"
)]
pub struct Cli {
    /// sqlite://PATH (the embedded default) or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "GONGKAI_DATABASE_URL",
        default_value = "sqlite://data/gongkai.db",
        // A PostgreSQL URL may carry a password: `--help` does not print it.
        hide_env_values = true,
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
    Serve(serve::ServeArgs),
    /// Copy a SQLite database while the service runs: a consistent snapshot of one moment.
    Backup {
        /// The new file (it must not exist; its folder is created if missing).
        to: PathBuf,
    },
    /// Close cases whose correction or fee payment period has lapsed, once, now.
    CloseLapsed,
    /// Create or update the database schema (serve does this too).
    Migrate,
    /// Offices.
    Agency {
        #[command(subcommand)]
        command: agency::AgencyCommand,
    },
    /// An office's divisions (处室).
    Division {
        #[command(subcommand)]
        command: division::DivisionCommand,
    },
    /// An office's register of documents (公文公开属性台账): CSV import and export.
    Document {
        #[command(subcommand)]
        command: register::DocumentCommand,
    },
    /// Staff and their API tokens.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// The official working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Verify the hash chain and export the record (auditors).
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// The statutory annual report.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        // Each line one object: the request span's fields (request_id, route) come along.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => logs.init(),
    }
}

/// Runs the command; its exit code is 0 unless the command's answer says otherwise (a broken
/// chain from `audit verify`). Errors are the caller's to print.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    init_logs(cli.log_format);
    let ctx = Context::new(
        &cli.database_url,
        cli.secret_key.as_deref(),
        cli.secret_key_file.as_ref(),
    )?;
    let done = match &cli.command {
        Command::Audit { command } => return audit::run(&ctx, command),
        Command::Serve(args) => serve::serve(ctx.url, ctx.key, args),
        Command::Backup { to } => ops::backup(&ctx, to),
        Command::CloseLapsed => ops::close_lapsed(&ctx),
        Command::Migrate => ops::migrate(&ctx),
        Command::Agency { command } => agency::run(&ctx, command),
        Command::Division { command } => division::run(&ctx, command),
        Command::Document { command } => register::run(&ctx, command),
        Command::User { command } => user::run(&ctx, command),
        Command::Calendar { command } => calendar::run(&ctx, command),
        Command::Report { command } => report::run(&ctx, command),
    };
    done.map(|()| ExitCode::SUCCESS)
}
