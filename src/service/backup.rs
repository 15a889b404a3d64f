//! `gongkai backup`: an online copy of the SQLite database. `VACUUM INTO` reads inside one
//! transaction, so the copy is the database as of one moment even while the service writes
//! (WAL lets it read alongside the writer). PostgreSQL is backed up with its own tools
//! (`pg_dump`), as the README explains.

use std::path::Path;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};

use crate::db::DatabaseUrl;

#[derive(diesel::QueryableByName)]
struct Check {
    #[diesel(sql_type = diesel::sql_types::Text)]
    quick_check: String,
}

/// Copies the database at `url` to the new file `to` (creating its folder), checks the copy,
/// and returns its size. `step`, if given, hears which step is under way.
pub fn sqlite(
    url: &DatabaseUrl,
    to: &Path,
    mut step: Option<&mut dyn FnMut(&str)>,
) -> anyhow::Result<u64> {
    let mut say = |what: &str| {
        if let Some(step) = step.as_mut() {
            step(what);
        }
    };
    let DatabaseUrl::Sqlite(from) = url else {
        anyhow::bail!(
            "gongkai backup copies SQLite databases; back up PostgreSQL with pg_dump (see the README)"
        );
    };
    anyhow::ensure!(from.exists(), "there is no database at {}", from.display());
    anyhow::ensure!(
        !to.exists(),
        "{} already exists: choose a new file",
        to.display()
    );
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "the folder {} does not exist and cannot be created",
                dir.display()
            )
        })?;
    }
    say("copying the database");
    let mut conn = SqliteConnection::establish(&from.to_string_lossy())
        .with_context(|| format!("opening {}", from.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    let target = to.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{target}'"))
        .with_context(|| format!("copying to {}", to.display()))?;
    // VACUUM INTO does not sync what it wrote: make the copy durable before calling it done.
    say("syncing the copy to disk");
    std::fs::File::open(to)?.sync_all()?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    say("checking the copy");
    let mut copy = SqliteConnection::establish(&to.to_string_lossy())?;
    let check: Vec<Check> = diesel::sql_query("PRAGMA quick_check").load(&mut copy)?;
    let ok = check.len() == 1 && check[0].quick_check == "ok";
    anyhow::ensure!(ok, "the copy at {} failed its check", to.display());
    Ok(std::fs::metadata(to)?.len())
}
