//! Group commit: writes that arrive together share one transaction and one commit.
//!
//! When many people act in the same moment (fifty chairs moving to the next item), each write would
//! otherwise take the write lock (SQLite) or the event chain's head row (PostgreSQL) in turn, with a
//! commit and a hand-over to the next thread each. Here one writer thread takes every write that is
//! waiting, runs each in a savepoint of its own inside one transaction, commits once, and only then
//! answers each of them. A write that fails rolls back to its savepoint and is answered with its error;
//! the others still commit. Nobody is answered before the shared commit, so an acknowledged write is
//! as durable as with a transaction of its own.
//!
//! The web layer sends its frequent meeting writes here on both engines (`AppState::write`). On
//! PostgreSQL every append holds the chain head's row lock until its transaction commits, so fifty
//! writers each in a transaction of their own hand that lock on fifty times, each after a commit and a
//! round trip; in a shared transaction the lock is taken once and the commit is one (issue 23: the
//! burst of fifty chairs).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;

use super::{DbConn, Pool, SQLITE_WRITER};

/// The most writes one transaction takes; more wait for the next.
const MOST_PER_COMMIT: usize = 64;

/// What a write leaves for after the commit: whether it succeeded (its savepoint is kept) and how to
/// answer it once the commit's outcome is known.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConn) -> (bool, Finish) + Send>;

/// The way to the writer thread; dropping the last one ends the thread.
#[derive(Clone)]
pub struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

/// Why a grouped write was not done: its own error, or the shared transaction's.
#[derive(Debug)]
pub enum GroupError<E> {
    Write(E),
    /// The commit (or the transaction around the writes) failed: nothing of this write was kept.
    Commit(String),
}

impl GroupWriter {
    /// Starts the writer thread on `pool`, running each write on `clock`. The server gives it a pool of
    /// its own, of one connection, so a batch never waits for a connection behind the requests whose
    /// writes it carries.
    pub fn start(pool: Pool, clock: crate::time::Clock) -> GroupWriter {
        let (jobs, waiting) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("group-commit".into())
            .spawn(move || clock.run(|| run(&pool, &waiting)))
            .expect("a thread for group commit");
        GroupWriter { jobs }
    }

    /// Runs `f` in the next shared transaction; the answer comes after its commit.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, GroupError<E>>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let answer = match (result, commit) {
                    (Err(e), _) => Err(GroupError::Write(e)),
                    (Ok(_), Err(e)) => Err(GroupError::Commit(e)),
                    (Ok(value), Ok(())) => Ok(value),
                };
                let _ = tx.send(answer);
            });
            (ok, finish)
        });
        if self.jobs.send(job).is_err() {
            return Err(GroupError::Commit("the writer has stopped".into()));
        }
        // A write that panicked drops its answer unsent.
        rx.await
            .unwrap_or_else(|_| Err(GroupError::Commit("the write stopped halfway".into())))
    }
}

/// The writer thread: waits for a write, takes every other one waiting too, and commits them together.
fn run(pool: &Pool, waiting: &mpsc::Receiver<Job>) {
    while let Ok(first) = waiting.recv() {
        let mut batch = vec![first];
        while batch.len() < MOST_PER_COMMIT {
            match waiting.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        let n = batch.len();
        match pool.get() {
            Ok(mut conn) => commit_together(&mut conn, batch),
            Err(e) => fail_all(batch, &e.to_string()),
        }
        tracing::debug!(
            writes = n,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "group commit"
        );
    }
}

/// Answers every write of a batch that could not start with `why`.
fn fail_all(batch: Vec<Job>, why: &str) {
    tracing::warn!(error = why, "group commit could not start a transaction");
    drop(batch);
}

/// The savepoint each write runs in: set after BEGIN, and after each kept write released and set again
/// in the same round trip, so a write costs one statement of its own here, not two (a savepoint and its
/// release). A failed write rolls back to it (which keeps it set for the next write).
const BEGIN_POSTGRES: &str = "BEGIN; SAVEPOINT group_write";
const BEGIN_SQLITE: &str = "BEGIN IMMEDIATE; SAVEPOINT group_write";
const KEEP: &str = "RELEASE SAVEPOINT group_write; SAVEPOINT group_write";
const UNDO: &str = "ROLLBACK TO SAVEPOINT group_write";

/// One transaction for the batch: a savepoint per write, one commit, then every answer.
fn commit_together(conn: &mut DbConn, batch: Vec<Job>) {
    // SQLite: the process's one writer at a time, as `db::write` (BEGIN IMMEDIATE after the lock).
    let _writer = matches!(conn, DbConn::Sqlite(_)).then(|| {
        SQLITE_WRITER
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    });
    let begun = match conn {
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(c, BEGIN_POSTGRES),
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, BEGIN_SQLITE),
    };
    if let Err(e) = begun {
        return fail_all(batch, &e.to_string());
    }
    let mut finishes = Vec::with_capacity(batch.len());
    let last = batch.len().saturating_sub(1);
    for (n, job) in batch.into_iter().enumerate() {
        // The last write kept needs no new savepoint: the commit follows.
        match in_savepoint(conn, job, n < last) {
            Ok(Some(finish)) => finishes.push(finish),
            Ok(None) => {}
            Err(e) => {
                // The transaction itself is no longer sound: nothing of the batch is kept.
                let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
                let why = e.to_string();
                for finish in finishes {
                    finish(Err(why.clone()));
                }
                return;
            }
        }
    }
    let outcome = <DbConn as Connection>::TransactionManager::commit_transaction(conn)
        .map_err(|e| e.to_string());
    if outcome.is_err() {
        let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
    }
    for finish in finishes {
        finish(outcome.clone());
    }
}

/// Runs one write in the savepoint: kept when it succeeds (and the savepoint set again when `more`
/// follow), rolled back to it when it fails or panics. Returns how to answer it (None after a panic:
/// its answer was dropped), or the error that leaves the transaction unusable.
fn in_savepoint(conn: &mut DbConn, job: Job, more: bool) -> QueryResult<Option<Finish>> {
    let outcome = catch_unwind(AssertUnwindSafe(|| job(conn)));
    // A write leaves the transaction as it found it (its own nested transactions closed); one that
    // panicked inside a nested one may not have.
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.map(|d| d.get()) != Some(1) {
        return Err(diesel::result::Error::BrokenTransactionManager);
    }
    match outcome {
        Ok((true, finish)) => {
            if more {
                conn.batch_execute(KEEP)?;
            }
            Ok(Some(finish))
        }
        Ok((false, finish)) => {
            conn.batch_execute(UNDO)?;
            // A failed write is answered at once: nothing of it waits for the commit.
            finish(Ok(()));
            Ok(None)
        }
        Err(_) => {
            conn.batch_execute(UNDO)?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::BigInt;

    use super::*;

    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }

    fn insert(conn: &mut DbConn, table: &str, v: i64) -> QueryResult<usize> {
        diesel::sql_query(format!("INSERT INTO {table} (v) VALUES ({v})")).execute(conn)
    }

    #[actix_web::test]
    async fn writes_that_arrive_together_commit_together_and_a_failed_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = super::super::DatabaseUrl::Sqlite(dir.path().join("group.db"));
        writes_together(super::super::connect(&url, 2).unwrap(), "t").await;
    }

    /// The same on PostgreSQL (with `TEST_DATABASE_URL`), where a statement that fails spoils the whole
    /// transaction until it is rolled back to the savepoint.
    #[actix_web::test]
    async fn on_postgres_too() {
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        // A database of its own on the shared server, removed after.
        let name = format!("group_commit_{}", std::process::id());
        let admin =
            super::super::connect(&super::super::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
        let mut admin = admin.get().unwrap();
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin.batch_execute(&sql).unwrap();
        }
        let (base, _) = url.rsplit_once('/').unwrap();
        let own = super::super::DatabaseUrl::parse(&format!("{base}/{name}")).unwrap();
        let pool = super::super::connect(&own, 2).unwrap();
        writes_together(pool.clone(), "t").await;
        drop(pool);
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .unwrap();
    }

    async fn writes_together(pool: Pool, table: &str) {
        pool.get()
            .unwrap()
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (v BIGINT NOT NULL UNIQUE)"
            ))
            .unwrap();
        let writer = GroupWriter::start(pool.clone(), crate::time::Clock::wall());
        // Twenty writes at once; 7 is written twice (the second breaks the unique rule), and 13 writes
        // its row and then refuses (its row must go with it).
        let writes = (0..21).map(|n| {
            let (writer, table) = (writer.clone(), table.to_string());
            async move {
                let v = if n == 20 { 7 } else { n };
                writer
                    .write(move |conn| -> Result<i64, String> {
                        insert(conn, &table, v).map_err(|e| e.to_string())?;
                        if v == 13 {
                            return Err("refused".into());
                        }
                        Ok(v)
                    })
                    .await
            }
        });
        let answers = futures_util::future::join_all(writes).await;
        let failed = answers.iter().filter(|a| a.is_err()).count();
        assert_eq!(failed, 2, "{answers:?}");
        assert!(matches!(&answers[13], Err(GroupError::Write(e)) if e == "refused"));
        let mut stored: Vec<i64> = diesel::sql_query(format!("SELECT v FROM {table} ORDER BY v"))
            .load::<Value>(&mut *pool.get().unwrap())
            .unwrap()
            .into_iter()
            .map(|r| r.v)
            .collect();
        stored.dedup();
        let expected: Vec<i64> = (0..20).filter(|v| *v != 13).collect();
        assert_eq!(stored, expected);
    }
}
