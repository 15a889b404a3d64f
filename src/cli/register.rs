//! `gongkai document …`: the office's register of documents (公文公开属性台账) in and out of CSV.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use gongkai::service::register::{self, Who};

use super::context::Context;

#[derive(Subcommand)]
pub enum DocumentCommand {
    /// Import a CSV (UTF-8, a BOM optional, headers in English or Chinese): each row creates or
    /// updates the document of its number (文号); any bad row and nothing is imported.
    Import {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Export the register as CSV (UTF-8 with a BOM), to a file or to standard output.
    Export {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

pub fn run(ctx: &Context, command: &DocumentCommand) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    match command {
        DocumentCommand::Import { agency, file } => {
            let a = register::office(conn, agency)?;
            let bytes =
                std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let s = register::import_csv(conn, &a, &bytes, &Who::command_line(), services.now())?;
            println!(
                "{}: {} created, {} updated, {} unchanged",
                a.code, s.created, s.updated, s.unchanged
            );
        }
        DocumentCommand::Export { agency, file } => {
            let a = register::office(conn, agency)?;
            let bytes = register::export_csv(conn, &a)?;
            match file {
                Some(path) => std::fs::write(path, &bytes)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => std::io::stdout().write_all(&bytes)?,
            }
        }
    }
    Ok(())
}
