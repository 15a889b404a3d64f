//! `gongkai division …`: an office's divisions (处室), which cases are forwarded to.

use clap::Subcommand;
use gongkai::service::{admin, divisions};

use super::context::Context;

#[derive(Subcommand)]
pub enum DivisionCommand {
    /// Add a division to an office (e.g. --code FGC --name 法规处).
    Add {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// List an office's divisions with their people.
    List {
        #[arg(long)]
        agency: String,
    },
}

pub fn run(ctx: &Context, command: &DivisionCommand) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    match command {
        DivisionCommand::Add { agency, code, name } => {
            let a = admin::agency_by_code(conn, agency)?;
            let d = divisions::add_division(conn, &a, code, name)?;
            println!("added division {} ({}) to {}", d.code, d.name, a.code);
        }
        DivisionCommand::List { agency } => {
            let a = admin::agency_by_code(conn, agency)?;
            for d in divisions::list(conn, &a.id)? {
                let people: Vec<String> = d
                    .members
                    .iter()
                    .map(|m| match m.head {
                        true => format!("{} (head)", m.name),
                        false => m.name.clone(),
                    })
                    .collect();
                println!("{}  {}  {}", d.code, d.name, people.join(", "));
            }
        }
    }
    Ok(())
}
