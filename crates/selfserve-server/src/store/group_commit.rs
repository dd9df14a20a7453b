//! Group commit on SQLite: many requests' write transactions share one `COMMIT`, so one fsync.
//!
//! Why: with `synchronous = FULL` every commit waits for its own fsync, and a purchase records
//! its phases in several commits (issue 14 measured ~14 fsyncs' worth of time per purchase).
//! SQLite has one writer anyway, so the write transactions of concurrent requests already run
//! one after another; here they run one after another *inside one outer transaction*, each in a
//! savepoint, and the outer transaction commits when nobody is queued behind it.
//!
//! How (one [`Committer`] per [`super::Store`]):
//! - a job locks the committer (a FIFO mutex), opens the outer transaction with
//!   `BEGIN IMMEDIATE` if no batch is open, and works inside `SAVEPOINT job`;
//! - its commit is `RELEASE job`. If no job is queued, it `COMMIT`s the batch itself there and
//!   then (so under no load a write is exactly a plain transaction). Otherwise the first job of
//!   the batch to release spawns a flusher, which queues on the same FIFO mutex: every job
//!   already waiting gets in before it, and the flusher then `COMMIT`s them all at once (unless
//!   the last of them, finding nobody queued, did). Jobs arriving later wait behind it and start
//!   the next batch;
//! - the job's `commit()` returns only when the batch's `COMMIT` has returned, with its outcome:
//!   a caller never hears "committed" before its rows are durable, so the recorded phases of a
//!   payment keep their meaning (a phase is on disk before the processor is called);
//! - a job that rolls back (explicitly, or by being dropped) undoes only its savepoint; if it
//!   was alone in its batch the outer transaction is rolled back and the connection released.
//!   An explicit rollback returns only once the batch's earlier jobs are committed: the job may
//!   have rolled back because of what they wrote (the last seat), and answers on it;
//! - a bulk job (a directory import, [`super::Store::begin_bulk_write`]) commits the open batch
//!   before it starts, so nobody released before it waits for it or shares its fate.
//!
//! Invariants:
//! - the outer transaction holds SQLite's write lock from `BEGIN IMMEDIATE` to its `COMMIT` or
//!   `ROLLBACK`, and the committer's mutex is held whenever a statement runs on it;
//! - if a statement the committer itself issues fails (`RELEASE`, `ROLLBACK TO`, `COMMIT`), the
//!   whole batch is rolled back and every job in it, released or not, gets the error: no job is
//!   told it committed unless `COMMIT` succeeded;
//! - begin, commit and rollback run in spawned tasks, so a request dropped halfway (a client
//!   that hangs up) cannot leave the batch with a half-run statement.
//!
//! PostgreSQL needs none of this (its own WAL flush already groups concurrent commits, and
//! writers there do not serialise): [`WriteTx::Plain`] is an ordinary transaction.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::Backend;

/// How long a job waits for its turn before giving up (the writer pool's acquire timeout).
const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

/// What a batch's `COMMIT` came to: `None` while it is open.
type Outcome = Option<Result<(), Arc<str>>>;

struct Batch {
    conn: PoolConnection<Any>,
    outcome: watch::Sender<Outcome>,
    /// Whether a job has released its savepoint, so a flusher is on its way.
    flush_requested: bool,
    /// A job was dropped halfway and its undo has not run yet (it is a task of its own). If
    /// that task never runs (a runtime shutting down), the next job must not build on the
    /// half-done savepoint: it rolls the whole batch back instead.
    poisoned: bool,
}

type Slot = Arc<Mutex<Option<Batch>>>;

/// The SQLite writer's queue of jobs and its open batch.
#[derive(Clone, Default)]
pub(crate) struct Committer {
    slot: Slot,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    /// Jobs waiting for their turn. With none, a job commits its batch itself at once: nobody
    /// would join it, and the write lock is not held a moment longer than a plain commit's.
    queued: AtomicUsize,
    /// Batches committed so far (the tests compare it with the jobs).
    commits: AtomicU64,
}

/// Counts a job as queued until it has its turn (or gives up, or is dropped).
struct Queued(Arc<Counters>);

impl Queued {
    fn new(counters: &Arc<Counters>) -> Self {
        counters.queued.fetch_add(1, Ordering::SeqCst);
        Self(counters.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for Committer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Committer")
    }
}

impl Committer {
    #[cfg(test)]
    pub(crate) fn commits(&self) -> u64 {
        self.counters.commits.load(Ordering::Relaxed)
    }

    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.counters.queued.load(Ordering::SeqCst)
    }

    /// Starts a job: waits for its turn, then works in a savepoint of the open batch. A job
    /// `alone` (a bulk write that runs for seconds) first commits the open batch, so jobs
    /// released before it do not wait for it or share its fate.
    pub(crate) async fn begin(&self, pool: &AnyPool, alone: bool) -> Result<WriteTx, sqlx::Error> {
        let slot = self.slot.clone();
        let counters = self.counters.clone();
        let pool = pool.clone();
        let started = tokio::spawn(async move {
            // As long as the pool would have waited for its one connection: a job that begins
            // another inside itself gets an error instead of waiting for itself for ever.
            let queued = Queued::new(&counters);
            let mut guard = tokio::time::timeout(WAIT_FOR_WRITER, slot.clone().lock_owned())
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)?;
            drop(queued);
            if guard.as_ref().is_some_and(|batch| batch.poisoned) {
                fail_batch(&mut guard, &lost("a job dropped halfway was never undone")).await;
            }
            if alone {
                commit_batch(&mut guard, &counters).await;
            }
            if guard.is_none() {
                let mut conn = pool.acquire().await?;
                conn.execute("BEGIN IMMEDIATE").await?;
                *guard = Some(Batch {
                    conn,
                    outcome: watch::channel(None).0,
                    flush_requested: false,
                    poisoned: false,
                });
            }
            let batch = guard.as_mut().expect("a batch was just opened");
            if let Err(error) = batch.conn.execute("SAVEPOINT job").await {
                fail_batch(&mut guard, &error).await;
                return Err(error);
            }
            Ok(GroupedTx {
                guard: Some(guard),
                slot,
                counters,
            })
        });
        joined(started).await.map(WriteTx::Grouped)
    }
}

/// A write transaction: a job in a batch on SQLite, an ordinary transaction on PostgreSQL.
pub(crate) enum WriteTx {
    Grouped(GroupedTx),
    Plain(sqlx::Transaction<'static, Any>),
}

pub(crate) struct GroupedTx {
    /// `None` once `commit` or `rollback` has taken it; `Drop` rolls back what is left.
    guard: Option<OwnedMutexGuard<Option<Batch>>>,
    slot: Slot,
    counters: Arc<Counters>,
}

impl WriteTx {
    /// Makes the job's writes durable: returns once its batch has committed.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            WriteTx::Plain(tx) => tx.commit().await,
            WriteTx::Grouped(mut job) => {
                let guard = job.guard.take().expect("a job commits once");
                let released = joined(tokio::spawn(release(
                    guard,
                    job.slot.clone(),
                    job.counters.clone(),
                )))
                .await?;
                batch_outcome(released).await
            }
        }
    }

    /// The engine: a group commit is SQLite's, an ordinary transaction PostgreSQL's.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            WriteTx::Grouped(_) => Backend::Sqlite,
            WriteTx::Plain(_) => Backend::Postgres,
        }
    }

    /// Undoes the job's writes; others in its batch keep theirs. Returns once those others
    /// are committed: the job may have decided to roll back on what they wrote (a seat they
    /// took), and must not answer on it before it is durable. If their batch failed, so does
    /// this.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            WriteTx::Plain(tx) => tx.rollback().await,
            WriteTx::Grouped(mut job) => {
                let guard = job.guard.take().expect("a job rolls back once");
                match joined(tokio::spawn(undo(guard, job.counters.clone()))).await? {
                    Some(others) => batch_outcome(others).await,
                    None => Ok(()),
                }
            }
        }
    }
}

impl Drop for GroupedTx {
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            if let Some(batch) = guard.as_mut() {
                batch.poisoned = true;
            }
            let counters = self.counters.clone();
            // Dropped without commit or rollback (an early `?`, a cancelled request): undo the
            // job before anyone else gets the batch. Without a runtime the process is ending,
            // and closing the connection rolls the batch back.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = undo(guard, counters).await.map(drop) {
                        tracing::warn!(%error, "rolling back a dropped write transaction failed");
                    }
                });
            }
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            WriteTx::Plain(tx) => tx,
            WriteTx::Grouped(job) => job.connection(),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriteTx::Plain(tx) => tx,
            WriteTx::Grouped(job) => job.connection_mut(),
        }
    }
}

impl GroupedTx {
    fn batch(&self) -> &Batch {
        let guard = self.guard.as_ref().expect("a live job holds the batch");
        guard.as_ref().expect("a live job's batch is open")
    }

    fn connection(&self) -> &AnyConnection {
        &self.batch().conn
    }

    fn connection_mut(&mut self) -> &mut AnyConnection {
        let guard = self.guard.as_mut().expect("a live job holds the batch");
        &mut guard.as_mut().expect("a live job's batch is open").conn
    }
}

/// Releases the job's savepoint; commits the batch now if nobody is queued to join it, or
/// makes sure a flusher will once they have.
async fn release(
    mut guard: OwnedMutexGuard<Option<Batch>>,
    slot: Slot,
    counters: Arc<Counters>,
) -> Result<watch::Receiver<Outcome>, sqlx::Error> {
    let batch = guard.as_mut().expect("a live job's batch is open");
    if let Err(error) = batch.conn.execute("RELEASE job").await {
        fail_batch(&mut guard, &error).await;
        return Err(error);
    }
    let outcome = batch.outcome.subscribe();
    if counters.queued.load(Ordering::SeqCst) == 0 {
        commit_batch(&mut guard, &counters).await;
    } else if !batch.flush_requested {
        batch.flush_requested = true;
        tokio::spawn(flush(slot, counters));
    }
    Ok(outcome)
}

/// Commits whatever batch is open once every job queued before it has had its turn.
async fn flush(slot: Slot, counters: Arc<Counters>) {
    let mut guard = slot.lock_owned().await;
    commit_batch(&mut guard, &counters).await;
}

/// Commits the open batch, if any (a job may have committed it already), and tells its jobs.
async fn commit_batch(guard: &mut OwnedMutexGuard<Option<Batch>>, counters: &Counters) {
    let Some(mut batch) = guard.take() else {
        return;
    };
    let outcome = match batch.conn.execute("COMMIT").await {
        Ok(_) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(error) => {
            tracing::error!(%error, "a group commit failed; its batch is rolled back");
            roll_back_outer(&mut batch.conn).await;
            Err(Arc::from(error.to_string()))
        }
    };
    batch.outcome.send_replace(Some(outcome));
}

/// Undoes one job; an otherwise empty batch is rolled back and its connection released, and
/// one with released jobs and nobody queued is committed now. Gives the outcome to wait for
/// when the batch holds other jobs' writes.
async fn undo(
    mut guard: OwnedMutexGuard<Option<Batch>>,
    counters: Arc<Counters>,
) -> Result<Option<watch::Receiver<Outcome>>, sqlx::Error> {
    let batch = guard.as_mut().expect("a live job's batch is open");
    if let Err(error) = batch.conn.execute("ROLLBACK TO job; RELEASE job").await {
        fail_batch(&mut guard, &error).await;
        return Err(error);
    }
    batch.poisoned = false;
    let others = batch.flush_requested.then(|| batch.outcome.subscribe());
    if !batch.flush_requested {
        let mut batch = guard.take().expect("checked above");
        if let Err(error) = batch.conn.execute("ROLLBACK").await {
            tracing::warn!(%error, "rolling back an empty batch failed; closing its connection");
            batch.conn.close_on_drop();
        }
    } else if counters.queued.load(Ordering::SeqCst) == 0 {
        commit_batch(&mut guard, &counters).await;
    }
    Ok(others)
}

/// Rolls the whole batch back and tells every job in it why.
async fn fail_batch(guard: &mut OwnedMutexGuard<Option<Batch>>, error: &sqlx::Error) {
    if let Some(mut batch) = guard.take() {
        roll_back_outer(&mut batch.conn).await;
        batch
            .outcome
            .send_replace(Some(Err(Arc::from(error.to_string()))));
    }
}

/// Ends the outer transaction without keeping anything. A connection that cannot even do that
/// is closed rather than handed to the next job still inside a transaction.
async fn roll_back_outer(conn: &mut PoolConnection<Any>) {
    if conn.execute("ROLLBACK").await.is_err() {
        conn.close_on_drop();
    }
}

/// What a task spawned for a job came to; a task that panicked loses the job.
pub(super) async fn joined<T>(
    task: tokio::task::JoinHandle<Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    task.await.map_err(|join| lost(&join.to_string()))?
}

/// Waits for the `COMMIT` of a batch the job was in.
async fn batch_outcome(mut outcome: watch::Receiver<Outcome>) -> Result<(), sqlx::Error> {
    let done = outcome
        .wait_for(Option::is_some)
        .await
        .map_err(|_| lost("the batch ended without an outcome"))?;
    match done.as_ref() {
        Some(Ok(())) => Ok(()),
        Some(Err(message)) => Err(lost(message)),
        None => unreachable!("waited for an outcome"),
    }
}

/// A batch lost for a reason the job did not cause (another statement, a task that panicked).
fn lost(message: &str) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!("group commit: {message}")))
}

#[cfg(test)]
mod tests;
