//! Group commit. Writes submitted here go to a writer thread, which runs every write waiting at
//! that moment inside one transaction and commits them with one flush; nobody hears back before
//! the commit is durable, so an acknowledged write is never lost.
//!
//! - **SQLite** has one writer at a time and, with `synchronous = FULL`, each commit waits for
//!   the disk: one lane, and every write of the process goes through it.
//! - **PostgreSQL** runs writers side by side; what costs there is each transaction's own
//!   statements and round trips. Filings go through several lanes, an office always to the
//!   same lane, so one lane's transaction holds only its own offices' number counters and lanes
//!   never wait on each other. Within a batch the writes run in the order of their key (the
//!   office), so two instances' batches take the counters in the same order and cannot
//!   deadlock.
//!
//! A batch first runs its writes back to back with no savepoints (two statements fewer each).
//! If one of them fails, the whole transaction is rolled back unheard and the batch runs again,
//! each write in a savepoint of its own, so a failing write rolls back alone. Writes are
//! `FnMut`, so running one again is running it from the start.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;

use super::pool::{connect, DatabaseUrl};
use super::{DbConnection, RetryHint};

/// Writes one commit carries at most: a bound on how long the first waits for the last.
const MAX_BATCH: usize = 64;
/// Tries of one write in its savepoint when it loses a race another instance can win (a unique
/// key, a deadlock): the retry then sees the winner's row.
const ATTEMPTS: usize = 4;

/// Tells a submitted write whether the transaction holding it committed.
type Finish = Box<dyn FnOnce(Result<(), &DieselError>) + Send>;

/// One submitted write: run it (in a savepoint or not); it answers whether it succeeded and how
/// to tell its caller once the transaction's fate is known.
struct Job {
    key: Option<String>,
    run: Box<Run>,
}

/// Runs a write, in a savepoint when asked: whether it succeeded, and how to answer its caller.
type Run = dyn FnMut(&mut DbConnection, bool) -> (bool, Finish) + Send;

pub struct GroupCommit {
    lanes: Vec<mpsc::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// SQLite: every write of the process comes here. PostgreSQL: only those given a key.
    every_write: bool,
}

impl GroupCommit {
    /// Starts `lanes` writer threads, each on its own connection; they end when `self` is
    /// dropped. SQLite always gets one lane (it has one writer at a time).
    pub fn start(url: &DatabaseUrl, lanes: usize) -> anyhow::Result<Self> {
        let every_write = matches!(url, DatabaseUrl::Sqlite(_));
        let lanes = if every_write { 1 } else { lanes.max(1) };
        let mut threads = Vec::with_capacity(lanes);
        let senders = (0..lanes)
            .map(|i| {
                let (tx, rx) = mpsc::channel::<Job>();
                let mut lane = Lane {
                    url: url.clone(),
                    conn: Some(connect(url)?),
                };
                threads.push(
                    std::thread::Builder::new()
                        .name(format!("gongkai-writer-{i}"))
                        .spawn(move || {
                            while let Ok(first) = rx.recv() {
                                let mut batch = vec![first];
                                batch.extend(rx.try_iter().take(MAX_BATCH - 1));
                                lane.commit(batch);
                            }
                        })?,
                );
                Ok(tx)
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            lanes: senders,
            threads,
            every_write,
        })
    }

    /// Whether writes without a key come here too (SQLite), or run on their own (PostgreSQL).
    pub fn takes_every_write(&self) -> bool {
        self.every_write
    }

    /// Runs `f` in the next group transaction of the lane `key` falls in, and returns its
    /// result once that transaction has committed, or the commit's error.
    pub fn run<T, E>(
        &self,
        key: Option<&str>,
        mut f: impl FnMut(&mut DbConnection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DieselError> + RetryHint + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel::<Result<T, E>>(1);
        let run = move |conn: &mut DbConnection, savepoint: bool| {
            let result = if savepoint {
                in_savepoint(conn, &mut f)
            } else {
                f(conn)
            };
            let ok = result.is_ok();
            let tx = tx.clone();
            let finish: Finish = Box::new(move |committed: Result<(), &DieselError>| {
                let out = match committed {
                    Ok(()) => result,
                    Err(e) => Err(E::from(copy(e))),
                };
                let _ = tx.send(out);
            });
            (ok, finish)
        };
        let job = Job {
            key: key.map(str::to_owned),
            run: Box::new(run),
        };
        let lane = key.map_or(0, |k| lane_of(k, self.lanes.len()));
        if self.lanes[lane].send(job).is_err() {
            return Err(E::from(DieselError::BrokenTransactionManager));
        }
        rx.recv()
            .unwrap_or_else(|_| Err(E::from(DieselError::BrokenTransactionManager)))
    }
}

/// The writers finish their batches and close their connections before this returns: a
/// PostgreSQL connection closed while the process is exiting (its TLS library already torn
/// down) crashed it.
impl Drop for GroupCommit {
    fn drop(&mut self) {
        self.lanes.clear();
        let me = std::thread::current().id();
        for thread in self.threads.drain(..) {
            // The last handle may be dropped by a write running in a lane: never join oneself.
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
    }
}

/// The same key always to the same lane (FNV-1a: stable, and no dependency for it).
fn lane_of(key: &str, lanes: usize) -> usize {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash % lanes as u64) as usize
}

/// A write in its own savepoint, tried again when it lost a race another writer can win.
fn in_savepoint<T, E>(
    conn: &mut DbConnection,
    f: &mut impl FnMut(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError> + RetryHint,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match conn.transaction(&mut *f) {
            Err(e) if attempt < ATTEMPTS && e.is_retryable() => continue,
            other => return other,
        }
    }
}

fn copy(e: &DieselError) -> DieselError {
    DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(e.to_string()))
}

/// A writer thread's connection, opened again if the database went away under it.
struct Lane {
    url: DatabaseUrl,
    conn: Option<DbConnection>,
}

impl Lane {
    fn commit(&mut self, mut batch: Vec<Job>) {
        // The same order in every instance: counters are locked in key order.
        batch.sort_by(|a, b| a.key.cmp(&b.key));
        let mut savepoints = false;
        let mut reconnected = false;
        loop {
            let Some(conn) = self.connection() else {
                // Dropping the jobs unrun drops their reply channels: each caller hears an error.
                return;
            };
            let _writer = matches!(conn, DbConnection::Sqlite(_)).then(super::sqlite_writer);
            match attempt(conn, &mut batch, savepoints) {
                Attempt::Done => return,
                // One write failed or panicked: none of the batch was kept or answered. The rest
                // run again, each in a savepoint, so that one rolls back alone.
                Attempt::Failed(panicked) => {
                    if let Some(i) = panicked {
                        tracing::error!("a write panicked: it was dropped from its batch");
                        batch.remove(i);
                    }
                    savepoints = true;
                }
                // The connection may have died with the database's restart: one new try.
                Attempt::NotBegun if !reconnected => {
                    reconnected = true;
                    self.conn = None;
                }
                Attempt::NotBegun => {
                    self.conn = None;
                    return;
                }
            }
        }
    }

    fn connection(&mut self) -> Option<&mut DbConnection> {
        if self.conn.is_none() {
            match connect(&self.url) {
                Ok(c) => self.conn = Some(c),
                Err(e) => tracing::error!(error = %e, "the group committer cannot connect"),
            }
        }
        self.conn.as_mut()
    }
}

enum Attempt {
    Done,
    /// Rolled back unanswered; the write that panicked, if one did.
    Failed(Option<usize>),
    /// The transaction could not begin; nothing ran.
    NotBegun,
}

/// Runs the batch in one transaction and answers every write, unless (without savepoints) one
/// of them failed: then nothing is kept and nobody is answered.
fn attempt(conn: &mut DbConnection, batch: &mut [Job], savepoints: bool) -> Attempt {
    let begun = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)
        }
    };
    if let Err(e) = begun {
        tracing::error!(error = %e, "group commit could not begin");
        return Attempt::NotBegun;
    }
    let mut finishes = Vec::with_capacity(batch.len());
    for (i, job) in batch.iter_mut().enumerate() {
        let ran = catch_unwind(AssertUnwindSafe(|| (job.run)(conn, savepoints)));
        match ran {
            Ok((true, finish)) => finishes.push(finish),
            Ok((false, finish)) if savepoints => finishes.push(finish),
            Ok((false, _)) => return rolled_back(conn, None),
            // A panic may leave a savepoint open: nothing of this batch may be committed.
            Err(_) => return rolled_back(conn, Some(i)),
        }
    }
    let outcome = <DbConnection as Connection>::TransactionManager::commit_transaction(conn);
    if let Err(e) = &outcome {
        tracing::error!(error = %e, writes = finishes.len(), "group commit failed");
        let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
    }
    for finish in finishes {
        finish(outcome.as_ref().map(|_| ()));
    }
    Attempt::Done
}

fn rolled_back(conn: &mut DbConnection, panicked: Option<usize>) -> Attempt {
    // A panic can leave a write's own savepoints open: unwind every level, the outer included.
    type Tm = <DbConnection as Connection>::TransactionManager;
    while let Ok(Some(_)) = Tm::transaction_manager_status_mut(conn).transaction_depth() {
        if Tm::rollback_transaction(conn).is_err() {
            break;
        }
    }
    Attempt::Failed(panicked)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    /// A table of its own (PostgreSQL's test database is shared by the runs).
    fn table() -> String {
        format!("gc_{}", uuid::Uuid::now_v7().simple())
    }

    /// 40 writers at once, every third inserting and then failing, one panicking: each caller
    /// hears of its own outcome, the failed writes leave nothing, the rest are all kept.
    fn failing_writes_roll_back_alone(url: &DatabaseUrl, lanes: usize) {
        let t = table();
        let mut setup = connect(url).unwrap();
        setup
            .batch_execute(&format!("CREATE TABLE {t} (k BIGINT PRIMARY KEY)"))
            .unwrap();
        let writer = Arc::new(GroupCommit::start(url, lanes).unwrap());
        let panicked = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..40i64)
            .map(|k| {
                let (writer, t, panicked) = (writer.clone(), t.clone(), panicked.clone());
                std::thread::spawn(move || {
                    // Ten offices: keyed writes spread over the lanes.
                    let key = format!("office-{}", k % 10);
                    writer.run(Some(&key), move |conn| {
                        diesel::sql_query(format!("INSERT INTO {t} (k) VALUES ({k})"))
                            .execute(conn)?;
                        if k % 3 == 0 {
                            return Err(DieselError::RollbackTransaction);
                        }
                        // Write 7 panics the first time it runs (a bug in one write).
                        if k == 7 && !panicked.swap(true, Ordering::SeqCst) {
                            panic!("a write's own bug");
                        }
                        Ok(k)
                    })
                })
            })
            .collect();
        let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        for (k, outcome) in outcomes.iter().enumerate() {
            let expected = k % 3 != 0 && k != 7;
            assert_eq!(outcome.is_ok(), expected, "write {k}: {outcome:?}");
        }
        let kept: Vec<N> = diesel::sql_query(format!("SELECT k AS n FROM {t} ORDER BY k"))
            .load(&mut setup)
            .unwrap();
        let kept: Vec<i64> = kept.into_iter().map(|r| r.n).collect();
        let expected: Vec<i64> = (0..40).filter(|k| k % 3 != 0 && *k != 7).collect();
        assert_eq!(kept, expected);
        setup.batch_execute(&format!("DROP TABLE {t}")).unwrap();
    }

    #[test]
    fn a_failing_write_rolls_back_alone_and_the_rest_commit() {
        let dir = tempfile::tempdir().unwrap();
        failing_writes_roll_back_alone(&DatabaseUrl::Sqlite(dir.path().join("g.db")), 1);
    }

    /// PostgreSQL, with three lanes (set GONGKAI_TEST_POSTGRES_URL; CI does).
    #[test]
    fn on_postgresql_a_failing_write_rolls_back_alone_in_every_lane() {
        let Ok(url) = std::env::var("GONGKAI_TEST_POSTGRES_URL") else {
            return;
        };
        failing_writes_roll_back_alone(&DatabaseUrl::parse(&url).unwrap(), 3);
    }

    #[test]
    fn an_office_always_writes_in_the_same_lane() {
        for lanes in 1..6 {
            let lane = lane_of("ZFB", lanes);
            assert!(lane < lanes);
            assert_eq!(lane, lane_of("ZFB", lanes));
        }
        let spread: std::collections::HashSet<_> = (0..10)
            .map(|i| lane_of(&format!("office-{i}"), 4))
            .collect();
        assert!(spread.len() > 1, "ten offices all in one lane");
    }
}
