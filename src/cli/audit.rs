//! `gongkai audit …`: the auditors' endpoints from the command line, writing to standard
//! output (or a file) with the same streaming exports, with progress on a terminal.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use gongkai::service::export::{self, CaseFilter, EventFilter, Format};
use gongkai::service::{audit, report};

use super::context::Context;
use super::output::{agency_id, out};
use super::progress::Progress;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every case's hash chain (or one office's); exits 1 naming the first broken link.
    Verify {
        #[arg(long)]
        agency: Option<String>,
    },
    /// Export events as JSON Lines or CSV (UTF-8 with BOM), each with its chain hashes.
    Export {
        #[arg(long)]
        agency: Option<String>,
        /// An application's id or tracking number.
        #[arg(long)]
        application: Option<String>,
        /// A staff member's id, or `applicant` / `system`.
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        action: Option<String>,
        /// From this instant (RFC 3339), inclusive.
        #[arg(long)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// Up to this instant (RFC 3339), exclusive.
        #[arg(long)]
        to: Option<chrono::DateTime<chrono::Utc>>,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: EventFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Export the case list (one row per case) as CSV or JSON.
    Cases {
        #[arg(long)]
        agency: Option<String>,
        /// Cases received in this year.
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_enum, default_value = "csv")]
        format: CaseFormat,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum EventFormat {
    Jsonl,
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum CaseFormat {
    Csv,
    Json,
}

/// Streams an export to `w`; a write error (a closed pipe) stops it.
fn run_export(
    w: &mut dyn Write,
    export: impl FnOnce(
        &mut dyn FnMut(Vec<u8>) -> bool,
    ) -> Result<usize, gongkai::service::ServiceError>,
) -> anyhow::Result<usize> {
    let mut failed = None;
    let n = export(&mut |chunk| match w.write_all(&chunk) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    w.flush()?;
    Ok(n)
}

pub fn run(ctx: &Context, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    match command {
        AuditCommand::Verify { agency } => {
            let agency = agency_id(conn, agency)?;
            let progress = Progress::counter("cases checked");
            let v = audit::verify(conn, agency.as_deref(), Some(&mut |n| progress.set(n)))?;
            progress.done();
            println!("{}", serde_json::to_string_pretty(&v)?);
            // A broken chain is the command's answer, not an error: exit 1 after printing it.
            Ok(if v.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Export {
            agency,
            application,
            actor,
            action,
            from,
            to,
            format,
            output,
        } => {
            let filter = EventFilter {
                agency_id: agency_id(conn, agency)?,
                application: application.clone(),
                actor: actor.clone(),
                action: action.clone(),
                from: *from,
                to: *to,
            };
            let format = match format {
                EventFormat::Jsonl => Format::Jsonl,
                EventFormat::Csv => Format::Csv,
            };
            let mut w = out(output)?;
            let progress = Progress::counter("events exported");
            let n = run_export(&mut w, |sink| {
                export::events(conn, &filter, format, sink, Some(&mut |n| progress.set(n)))
            })?;
            progress.done();
            eprintln!("exported {n} events");
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Cases {
            agency,
            year,
            format,
            output,
        } => {
            if let Some(y) = year {
                report::check_year(*y)?;
            }
            let filter = CaseFilter {
                agency_id: agency_id(conn, agency)?,
                year: *year,
                ..CaseFilter::default()
            };
            let format = match format {
                CaseFormat::Csv => Format::Csv,
                CaseFormat::Json => Format::Json,
            };
            let mut w = out(output)?;
            let now = chrono::Utc::now();
            let progress = Progress::counter("cases exported");
            let n = run_export(&mut w, |sink| {
                let progress: &mut dyn FnMut(usize) = &mut |n| progress.set(n);
                export::cases(
                    conn,
                    &services.calendars,
                    &filter,
                    format,
                    now,
                    sink,
                    Some(progress),
                )
            })?;
            progress.done();
            eprintln!("exported {n} cases");
            Ok(ExitCode::SUCCESS)
        }
    }
}
