//! A write cancelled at any moment (its client hung up, so axum dropped the request) leaves no
//! transaction open behind it: on PostgreSQL sqlx 0.8.6 counts a transaction only once
//! `BEGIN`'s answer is read, so a request dropped in between returned its connection to the
//! pool inside a transaction nobody would end (sqlx issue #4393). The next borrower's
//! statements ran in it, and a single autocommitted write there kept its row locks until the
//! connection happened to be used again.

use super::support::app::fresh_database;
use selfserve_server::store::Store;
use sqlx::Row;
use std::time::{Duration, Instant};

/// Connections of this test's database inside a transaction that is not running anything.
async fn idle_in_transaction(url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let row = sqlx::query(
        "SELECT count(*) AS stuck FROM pg_stat_activity \
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    row.get("stuck")
}

/// Runs `write` until it has waited `waits` times, then drops it (as axum drops a request
/// whose client hung up), unless it finished first.
async fn dropped_after_waits<F: std::future::Future>(write: F, waits: u64) {
    let mut write = std::pin::pin!(write);
    let mut waited = 0;
    std::future::poll_fn(|cx| match write.as_mut().poll(cx) {
        std::task::Poll::Ready(_) => std::task::Poll::Ready(()),
        std::task::Poll::Pending => {
            waited += 1;
            if waited >= waits {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_cancelled_at_any_moment_leave_no_transaction_open() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    let store = Store::open(&url).await.unwrap();
    // Eight writers at once, each dropped after its first, second, … sixth wait: before
    // `BEGIN` is sent, while its answer is on the way, during the write or during `COMMIT`.
    // (A timer could not aim: tokio's tick is a millisecond, longer than the whole write.)
    let writers = (0..8u64).map(|writer| {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..60u64 {
                let key = format!("cancelled-{writer}");
                let value = i.to_string();
                dropped_after_waits(store.set_setting(&key, &value), 1 + (i + writer) % 6).await;
            }
        })
    });
    for writer in futures_util::future::join_all(writers).await {
        writer.unwrap();
    }
    // Then as many writes at once as PostgreSQL's pool has connections (16), each dropped in
    // its first waits: nothing after them uses a connection again and so ends a transaction
    // left open by accident.
    let burst = (0..16u64).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let key = format!("burst-{i}");
            dropped_after_waits(store.set_setting(&key, "x"), 1 + i % 2).await;
        })
    });
    for write in futures_util::future::join_all(burst).await {
        write.unwrap();
    }
    if url.starts_with("postgres") {
        // A rollback sqlx queued for a dropped transaction is sent as its connection goes back
        // to the pool, in a task of the pool's: wait for those, not for a leak.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let stuck = idle_in_transaction(&url).await;
            if stuck == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{stuck} connections were left inside a transaction"
            );
            // Polling the server's own view of its sessions.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Every connection still writes and commits: as many writes at once as there were writers.
    let after = (0..8).map(|writer| {
        let store = store.clone();
        async move {
            let key = format!("after-{writer}");
            store.set_setting(&key, "written").await.unwrap();
            store.setting(&key).await.unwrap()
        }
    });
    for value in futures_util::future::join_all(after).await {
        assert_eq!(value.as_deref(), Some("written"));
    }
}
