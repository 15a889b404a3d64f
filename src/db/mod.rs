//! Storage: diesel over SQLite (the embedded default) and PostgreSQL, one code base.
//!
//! The backend is chosen by the URL scheme. Queries are written once against `DbConnection`
//! (diesel's `MultiConnection`); the few places where the dialects differ match on the variant.

pub mod attachments;
pub mod calendar;
pub mod case_row;
pub mod cases;
pub mod divisions;
pub mod documents;
pub mod events;
pub mod filing;
pub mod forwardings;
pub mod group_commit;
pub mod models;
pub mod notices;
pub mod pool;
pub mod register;
pub mod schema;
pub mod sessions;
mod sql_text;
pub mod staff;
pub mod stats;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use pool::{DatabaseUrl, DbPool};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `f` in a write transaction. On SQLite the transaction takes the write lock at BEGIN
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing when it
/// upgrades a read lock. A transaction that loses a race on a unique key or a serialisation
/// check is retried from the start: nothing of it was written.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    mut f: impl FnMut(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError> + RetryHint,
{
    const ATTEMPTS: usize = 4;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = once(conn, &mut f);
        match result {
            Err(e) if attempt < ATTEMPTS && e.is_retryable() => continue,
            other => return other,
        }
    }
}

/// In-process writers to SQLite queue here, in turn, rather than in SQLite's busy handler,
/// which polls with sleeps of up to 100 ms and so turns a short queue into long waits.
/// (One lock for the process: a test process with many databases only serialises a little more.)
pub(crate) fn sqlite_writer() -> std::sync::MutexGuard<'static, ()> {
    static WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    WRITER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn once<T, E>(
    conn: &mut DbConnection,
    f: &mut impl FnMut(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    let _writer = matches!(conn, DbConnection::Sqlite(_)).then(sqlite_writer);
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?
        }
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // A failed rollback leaves the connection broken; r2d2 then discards it.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Runs `f` inside one read-only snapshot of the database: what it reads in several queries is
/// the database of one moment, however much is written meanwhile (SQLite: a deferred
/// transaction, whose snapshot is fixed by its first read; PostgreSQL: repeatable read).
pub fn read_snapshot<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )?,
    }
    let result = f(conn);
    // Nothing was written: ending the snapshot either way is the same.
    match <DbConnection as Connection>::TransactionManager::commit_transaction(conn) {
        Ok(()) => result,
        Err(e) => {
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            result.and(Err(e.into()))
        }
    }
}

/// Whether an error is a lost race that a fresh attempt may win.
pub trait RetryHint {
    fn is_retryable(&self) -> bool;
}

impl RetryHint for DieselError {
    fn is_retryable(&self) -> bool {
        is_transient(self)
    }
}

pub fn is_transient(e: &DieselError) -> bool {
    // Unique keys whose losers should start again: the first filing of a year racing for the
    // counter row, two filings racing with the same Idempotency-Key (the retry replays), and
    // two instances writing the same notice (the retry finds it written and skips it), and the
    // first answer letter of a year racing for its office's letter counter row.
    const RACED_TABLES: [&str; 4] = [
        "tracking_counters",
        "idempotency_keys",
        "notices",
        "letter_counters",
    ];
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => RACED_TABLES
            .iter()
            .any(|t| info.table_name() == Some(t) || info.message().contains(&format!("{t}."))),
        // PostgreSQL chose this transaction to break a lock cycle: starting again succeeds.
        DieselError::DatabaseError(_, info) => {
            info.message().contains("database is locked")
                || info.message().contains("deadlock detected")
        }
        _ => false,
    }
}

pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}
