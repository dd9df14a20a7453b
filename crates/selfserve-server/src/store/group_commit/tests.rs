//! The group commit on a real SQLite file: what each job is told is what is on disk.

use std::collections::BTreeSet;

use sqlx::Executor;

use crate::store::{Store, Tx};

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("group.db").display());
    let store = Store::open(&url).await.unwrap();
    store
        .writer()
        .execute("CREATE TABLE jobs (id BIGINT PRIMARY KEY)")
        .await
        .unwrap();
    (dir, store)
}

async fn insert(tx: &mut Tx, id: i64) {
    sqlx::query("INSERT INTO jobs (id) VALUES ($1)")
        .bind(id)
        .execute(&mut **tx)
        .await
        .unwrap();
}

async fn stored(store: &Store) -> BTreeSet<i64> {
    sqlx::query_scalar::<_, i64>("SELECT id FROM jobs")
        .fetch_all(store.reader())
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// How job `id` ends: most commit, some roll back, some are dropped halfway (an early `?`).
enum Ending {
    Commit,
    Rollback,
    Drop,
}

fn ending(id: i64) -> Ending {
    match id % 5 {
        0 => Ending::Rollback,
        1 => Ending::Drop,
        _ => Ending::Commit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_jobs_keep_exactly_the_committed_rows_in_fewer_commits() {
    let (_dir, store) = store().await;
    let jobs: Vec<_> = (0..64)
        .map(|id| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                insert(&mut tx, id).await;
                match ending(id) {
                    Ending::Commit => {
                        tx.commit().await.unwrap();
                        // Told it committed: every reader sees it from now on.
                        assert!(stored(&store).await.contains(&id), "job {id} not visible");
                    }
                    Ending::Rollback => tx.rollback().await.unwrap(),
                    Ending::Drop => drop(tx),
                }
            })
        })
        .collect();
    for job in jobs {
        job.await.unwrap();
    }
    let committed: BTreeSet<i64> = (0..64)
        .filter(|id| matches!(ending(*id), Ending::Commit))
        .collect();
    // A dropped job is undone by a task of its own: the next job waits its turn behind it.
    let mut tx = store.begin_write().await.unwrap();
    insert(&mut tx, 1000).await;
    tx.commit().await.unwrap();
    let mut expected = committed.clone();
    expected.insert(1000);
    assert_eq!(stored(&store).await, expected);
    let commits = store.committer.commits();
    assert!(
        commits < committed.len() as u64,
        "{commits} commits for {} committed jobs: nothing was grouped",
        committed.len()
    );
}

#[tokio::test]
async fn a_lone_job_commits_at_once_and_a_lone_rollback_leaves_the_writer_free() {
    let (_dir, store) = store().await;
    let mut tx = store.begin_write().await.unwrap();
    insert(&mut tx, 1).await;
    tx.rollback().await.unwrap();
    // The batch was empty, so it was rolled back whole and the connection went back: an
    // autocommit write on the writer pool does not wait for a flusher.
    store
        .writer()
        .execute("INSERT INTO jobs (id) VALUES (2)")
        .await
        .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    insert(&mut tx, 3).await;
    tx.commit().await.unwrap();
    assert_eq!(stored(&store).await, BTreeSet::from([2, 3]));
    assert_eq!(store.committer.commits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_wait_for_each_other_instead_of_failing() {
    // Two processes (a server and the CLI) each with its own committer: `BEGIN IMMEDIATE`
    // makes the second wait out the busy timeout rather than fail with "database is locked".
    let (dir, first) = store().await;
    let url = format!("sqlite://{}", dir.path().join("group.db").display());
    let second = Store::open(&url).await.unwrap();
    let jobs: Vec<_> = (0..40)
        .map(|id| {
            let store = if id % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                // Read, then write: the pattern a deferred transaction fails on.
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                insert(&mut tx, id + 100 * count).await;
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for job in jobs {
        job.await.unwrap();
    }
    let ids = stored(&first).await;
    assert_eq!(ids.len(), 40);
    // Each job saw every earlier one: the counts 0..40 each appear once.
    let counts: BTreeSet<i64> = ids.iter().map(|id| id / 100).collect();
    assert_eq!(counts, (0..40).collect());
}

/// Waits until `count` jobs are queued for their turn.
async fn until_queued(store: &Store, count: usize) {
    while store.committer.queued() < count {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_returns_only_once_the_jobs_it_saw_are_committed() {
    let (_dir, store) = store().await;
    // Held open so that A, B and C queue behind it and share the next batch.
    let mut first = store.begin_write().await.unwrap();
    insert(&mut first, 1).await;
    let a = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin_write().await.unwrap();
            insert(&mut tx, 2).await;
            tx.commit().await.unwrap();
        }
    });
    until_queued(&store, 1).await;
    // B sees A's row, decides against it and rolls back: what it answers on must be durable.
    let b = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin_write().await.unwrap();
            let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            tx.rollback().await.unwrap();
            (seen, stored(&store).await)
        }
    });
    until_queued(&store, 2).await;
    // C keeps the batch open after B: it starts only once B's rollback is done, and commits
    // when told.
    let (started, c_started) = tokio::sync::oneshot::channel();
    let (go, c_go) = tokio::sync::oneshot::channel::<()>();
    let c = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin_write().await.unwrap();
            started.send(()).unwrap();
            c_go.await.unwrap();
            insert(&mut tx, 3).await;
            tx.commit().await.unwrap();
        }
    });
    until_queued(&store, 3).await;
    let first = tokio::spawn(first.commit());
    c_started.await.unwrap();
    go.send(()).unwrap();
    let (seen, visible) = b.await.unwrap();
    assert_eq!(seen, 2, "B saw the first job's and A's rows");
    assert!(
        visible.contains(&2),
        "B's rollback returned before A's row was committed: {visible:?}"
    );
    for job in [a, c] {
        job.await.unwrap();
    }
    first.await.unwrap().unwrap();
    assert_eq!(stored(&store).await, BTreeSet::from([1, 2, 3]));
}
