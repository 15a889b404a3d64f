//! Where a command's output goes, and looking up an office by its code.

use std::io::Write;
use std::path::PathBuf;

use gongkai::db::{staff, DbConnection};

/// A file, or standard output when none is given.
pub fn out(path: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// The office's id for its code, case-insensitive; an unknown code is an error.
pub fn agency_id(conn: &mut DbConnection, code: &Option<String>) -> anyhow::Result<Option<String>> {
    match code {
        None => Ok(None),
        Some(code) => Ok(Some(agency(conn, code)?.id)),
    }
}

pub fn agency(conn: &mut DbConnection, code: &str) -> anyhow::Result<gongkai::db::models::Agency> {
    staff::agency_by_code(conn, &code.trim().to_uppercase())?
        .ok_or_else(|| anyhow::anyhow!("no agency has the code {code}"))
}
