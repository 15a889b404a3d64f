//! Connections: the URL scheme picks the backend; SQLite gets its PRAGMAs on every connection.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;
use crate::security::SecretUrl;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type DbPool = r2d2::Pool<Manager>;

/// `sqlite://PATH` (relative, or absolute as `sqlite:///abs/path.db`) or `postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    /// Its password never shows in `Debug`, logs or errors.
    Postgres(SecretUrl),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            anyhow::ensure!(
                !path.is_empty(),
                "sqlite:// needs a file path, e.g. sqlite://data/gongkai.db"
            );
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(SecretUrl::new(url)));
        }
        anyhow::bail!(
            "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
            SecretUrl::new(url).redacted()
        )
    }
}

/// Opens connections by URL scheme (diesel's own manager would try each backend in turn).
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

/// Write-ahead log so readers never wait for the writer; a busy timeout so writers queue;
/// foreign keys enforced; FULL sync so an acknowledged commit survives power loss; savepoints'
/// journals in memory rather than in temporary files; pages read through a shared memory map
/// rather than copied into each connection's cache.
/// The busy timeout comes first: switching a new file to WAL takes a lock that the pool's other
/// connections, opening at the same moment, must wait for rather than fail on.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;
PRAGMA temp_store = MEMORY;
PRAGMA mmap_size = 268435456;";

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url.expose())
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Opens the pool, creating the SQLite file and its folder if needed, and migrates.
pub fn open(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<DbPool> {
    if let DatabaseUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    // One connection first: it switches a new file to WAL and migrates before the pool opens
    // the others, so they never race for the schema lock.
    let manager = Manager { url: url.clone() };
    migrate(&mut manager.connect()?)?;
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)?;
    Ok(pool)
}

/// One connection outside the pool, set up as the pool's are.
pub fn connect(url: &DatabaseUrl) -> anyhow::Result<DbConnection> {
    Ok(Manager { url: url.clone() }.connect()?)
}

/// Runs the embedded migrations of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let ran = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    ran.map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_sqlite_file_opens_every_pooled_connection_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("sub/new.db"));
        let pool = open(&url, 8).unwrap();
        // r2d2 opens the pool's connections in parallel; none may have failed on a lock.
        assert_eq!(pool.state().connections, 8);
        let conn = &mut *pool.get().unwrap();
        let mut pragma = |name: &str| -> String {
            let q = format!("CAST((SELECT * FROM pragma_{name}()) AS TEXT)");
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(&q))
                .get_result(conn)
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("synchronous"), "2"); // FULL
        assert_eq!(pragma("busy_timeout"), "10000");
    }

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/g.db").unwrap(),
            DatabaseUrl::Sqlite("data/g.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/g.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/g.db".into())
        );
        assert!(DatabaseUrl::parse("postgres://u@h/db").unwrap() != DatabaseUrl::Sqlite("".into()));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn a_database_password_shows_nowhere() {
        let url = DatabaseUrl::parse("postgres://gongkai:hunter2@db.internal/gongkai").unwrap();
        let debug = format!("{url:?}");
        assert!(
            debug.contains("db.internal") && !debug.contains("hunter2"),
            "{debug}"
        );
        let err = DatabaseUrl::parse("mysql://gongkai:hunter2@db.internal/gongkai").unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"), "{err:#}");
    }
}
