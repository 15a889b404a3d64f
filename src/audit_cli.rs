//! `gongkai audit …` and `gongkai report …`: the auditors' endpoints from the command line,
//! writing to standard output (or a file) with the same streaming exports.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use gongkai::db::{staff, DbConnection};
use gongkai::service::export::{self, CaseFilter, EventFilter, Format};
use gongkai::service::{audit, report, report_format, Services};

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

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The annual report's part 三 and 四 and the fees collected, for one office and year.
    Annual {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value = "csv")]
        format: ReportFormat,
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

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

fn out(path: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

fn agency_id(conn: &mut DbConnection, code: &Option<String>) -> anyhow::Result<Option<String>> {
    match code {
        None => Ok(None),
        Some(code) => Ok(Some(
            staff::agency_by_code(conn, &code.trim().to_uppercase())?
                .ok_or_else(|| anyhow::anyhow!("no agency has the code {code}"))?
                .id,
        )),
    }
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

pub fn audit(services: &Services, command: &AuditCommand) -> anyhow::Result<()> {
    let conn = &mut *services.conn()?;
    match command {
        AuditCommand::Verify { agency } => {
            let agency = agency_id(conn, agency)?;
            let v = audit::verify(conn, agency.as_deref())?;
            println!("{}", serde_json::to_string_pretty(&v)?);
            if !v.ok {
                std::process::exit(1);
            }
            Ok(())
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
            let n = run_export(&mut w, |sink| export::events(conn, &filter, format, sink))?;
            eprintln!("exported {n} events");
            Ok(())
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
            };
            let format = match format {
                CaseFormat::Csv => Format::Csv,
                CaseFormat::Json => Format::Json,
            };
            let mut w = out(output)?;
            let now = chrono::Utc::now();
            let n = run_export(&mut w, |sink| {
                export::cases(conn, &services.calendars, &filter, format, now, sink)
            })?;
            eprintln!("exported {n} cases");
            Ok(())
        }
    }
}

pub fn report(services: &Services, command: &ReportCommand) -> anyhow::Result<()> {
    let conn = &mut *services.conn()?;
    let ReportCommand::Annual {
        agency,
        year,
        format,
        output,
    } = command;
    let agency = staff::agency_by_code(conn, &agency.trim().to_uppercase())?
        .ok_or_else(|| anyhow::anyhow!("no agency has the code {agency}"))?;
    let r = report::annual(conn, agency, report::check_year(*year)?)?;
    let bytes = match format {
        ReportFormat::Json => serde_json::to_vec_pretty(&report_format::json(&r))?,
        ReportFormat::Csv => report_format::csv(&r).map_err(anyhow::Error::msg)?,
        ReportFormat::Html => report_format::html(&r)
            .map_err(anyhow::Error::msg)?
            .into_bytes(),
    };
    let mut w = out(output)?;
    w.write_all(&bytes)?;
    w.flush()?;
    if !r.table.check_holds() {
        eprintln!("warning: the check 一+二=三（七）+四 does not hold; see the report");
    }
    Ok(())
}
