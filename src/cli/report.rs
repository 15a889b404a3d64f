//! `gongkai report …`: the statutory annual report, written to standard output or a file.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use gongkai::service::{report, report_format};

use super::context::Context;
use super::output::{agency, out};
use super::progress::Progress;

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
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

pub fn run(ctx: &Context, command: &ReportCommand) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    let ReportCommand::Annual {
        agency: code,
        year,
        format,
        output,
    } = command;
    let agency = agency(conn, code)?;
    let year = report::check_year(*year)?;
    let progress = Progress::counter("cases read");
    let r = report::annual(conn, agency, year, Some(&mut |n| progress.set(n)))?;
    progress.done();
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
