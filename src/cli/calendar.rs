//! `gongkai calendar …`: loading the official calendar, and what was loaded by whom.

use std::path::PathBuf;

use clap::Subcommand;
use gongkai::domain::notice::YearNotice;
use gongkai::service::calendar;

use super::context::{operator, Context};
use super::progress::Progress;

#[derive(Subcommand)]
pub enum CalendarCommand {
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

pub fn run(ctx: &Context, command: &CalendarCommand) -> anyhow::Result<()> {
    match command {
        CalendarCommand::Load { file, by } => load(ctx, file, by.as_deref()),
        CalendarCommand::Years => {
            let services = ctx.services()?;
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
        CalendarCommand::Loads => {
            let services = ctx.services()?;
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
    }
}

/// Checks the file before opening the database, then loads it and recomputes every open case
/// in one transaction (with a bar of the cases on a terminal).
fn load(ctx: &Context, file: &PathBuf, by: Option<&str>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let notice = YearNotice::parse(&text, None)
        .map_err(|e| anyhow::anyhow!("{} was not loaded: {e}", file.display()))?;
    let services = ctx.services()?;
    let progress = Progress::bar("recomputing open cases");
    let loaded = calendar::load_year(
        &mut *services.conn()?,
        &services.calendars,
        &services.templates,
        &notice,
        &calendar::Loader::command_line(&operator(by)),
        chrono::Utc::now(),
        Some(&mut |done, of| progress.set_of(done, of)),
    )?;
    progress.done();
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
