//! The baselines `cargo xtask bench` measures the server's purchases and reads against, in the
//! same run on the same machine (BENCHMARKS.md, "Purchases and reads under load"):
//!
//! - `load_baselines sqlite-loop PATH SECONDS`: one connection inserting one row per
//!   transaction into a fresh SQLite file with `journal_mode = WAL, synchronous = FULL` (the
//!   server's settings) for SECONDS; prints `transactions=N seconds=S`. What the disk allows a
//!   writer that commits every change on its own.
//! - `load_baselines hello ADDRESS`: an axum server answering `GET /` with a small JSON object,
//!   the same runtime and HTTP stack as the server with no work behind it.

use axum::Json;
use axum::routing::get;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["sqlite-loop", path, seconds] => match seconds.parse() {
            Ok(seconds) => sqlite_loop(path, Duration::from_secs(seconds)).await,
            Err(_) => Err(format!("{seconds:?} is not a number of seconds")),
        },
        ["hello", address] => hello(address).await,
        _ => Err("usage: load_baselines sqlite-loop PATH SECONDS | hello ADDRESS".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("load_baselines: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn sqlite_loop(path: &str, duration: Duration) -> Result<(), String> {
    let _ = std::fs::remove_file(path);
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(|e| e.to_string())?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL, at BIGINT)")
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut transactions: u64 = 0;
    while started.elapsed() < duration {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        sqlx::query("INSERT INTO rows (value, at) VALUES ($1, $2)")
            .bind(format!("row {transactions}"))
            .bind(transactions as i64)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        transactions += 1;
    }
    println!(
        "transactions={transactions} seconds={:.3}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn hello(address: &str) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let app = axum::Router::new().route(
        "/",
        get(|| async { Json(serde_json::json!({"object": "hello", "data": []})) }),
    );
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
