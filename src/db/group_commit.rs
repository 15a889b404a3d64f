//! Group commit on SQLite. SQLite has one writer at a time and, with `synchronous = FULL`,
//! each commit waits for the disk. Writes submitted here go to one writer thread, which runs
//! every write waiting at that moment inside one transaction, each in a savepoint of its own,
//! and commits them with one flush. A write that fails rolls back its savepoint only; nobody
//! hears back before the commit is durable, so an acknowledged write is never lost.
//!
//! PostgreSQL needs none of this: it runs writers side by side and groups their flushes itself.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;

use super::DbConnection;

/// Writes one commit carries at most: a bound on how long the first waits for the last.
const MAX_BATCH: usize = 64;

/// Tells a submitted write whether the transaction holding it committed.
type Finish = Box<dyn FnOnce(Result<(), &DieselError>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConnection) -> Finish + Send>;

pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer thread on its own connection; it ends when `self` is dropped.
    pub fn start(mut conn: DbConnection) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("gongkai-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter().take(MAX_BATCH - 1));
                    commit_batch(&mut conn, batch);
                }
            })?;
        Ok(Self { jobs })
    }

    /// Runs `f` in the next group transaction (in a savepoint of its own) and returns its result
    /// once that transaction has committed, or the commit's error.
    pub fn run<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DieselError> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel::<Result<T, E>>(1);
        let job: Job = Box::new(move |conn| {
            let result = conn.transaction(f);
            Box::new(move |committed: Result<(), &DieselError>| {
                let out = match committed {
                    Ok(()) => result,
                    Err(e) => Err(E::from(copy(e))),
                };
                let _ = tx.send(out);
            })
        });
        if self.jobs.send(job).is_err() {
            return Err(E::from(DieselError::BrokenTransactionManager));
        }
        rx.recv()
            .unwrap_or_else(|_| Err(E::from(DieselError::BrokenTransactionManager)))
    }
}

fn copy(e: &DieselError) -> DieselError {
    DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(e.to_string()))
}

fn commit_batch(conn: &mut DbConnection, batch: Vec<Job>) {
    let _writer = super::sqlite_writer();
    let begun = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)
        }
    };
    if let Err(e) = begun {
        // Each job is told; dropping a job unrun drops its reply channel too.
        tracing::error!(error = %e, "group commit could not begin");
        return;
    }
    let mut finishes = Vec::with_capacity(batch.len());
    let mut panicked = false;
    for job in batch {
        match catch_unwind(AssertUnwindSafe(|| job(conn))) {
            Ok(finish) => finishes.push(finish),
            // A panic may leave its savepoint open: nothing of this batch may be committed.
            Err(_) => panicked = true,
        }
    }
    let outcome = if panicked {
        let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
        Err(DieselError::RollbackTransaction)
    } else {
        <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
    };
    if let Err(e) = &outcome {
        tracing::error!(error = %e, writes = finishes.len(), "group commit failed");
        if !panicked {
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
        }
    }
    for finish in finishes {
        finish(outcome.as_ref().map(|_| ()));
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use super::*;
    use crate::db::pool::{connect, DatabaseUrl};

    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    /// Writes that fail roll back alone; the others commit together, and each caller hears of
    /// its own outcome.
    #[test]
    fn a_failing_write_rolls_back_alone_and_the_rest_commit() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("g.db"));
        let mut setup = connect(&url).unwrap();
        setup
            .batch_execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
            .unwrap();
        let writer = std::sync::Arc::new(GroupCommit::start(connect(&url).unwrap()).unwrap());
        let threads: Vec<_> = (0..40i64)
            .map(|k| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    writer.run(move |conn| {
                        diesel::sql_query(format!("INSERT INTO t (k) VALUES ({k})"))
                            .execute(conn)?;
                        // Every third write inserts, then fails: its row must not stay.
                        if k % 3 == 0 {
                            return Err(DieselError::RollbackTransaction);
                        }
                        Ok(k)
                    })
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        for (k, outcome) in outcomes.iter().enumerate() {
            assert_eq!(outcome.is_ok(), k % 3 != 0, "write {k}");
        }
        let kept: Vec<N> = diesel::sql_query("SELECT k AS n FROM t ORDER BY k")
            .load(&mut setup)
            .unwrap();
        let kept: Vec<i64> = kept.into_iter().map(|r| r.n).collect();
        let expected: Vec<i64> = (0..40).filter(|k| k % 3 != 0).collect();
        assert_eq!(kept, expected);
    }
}
