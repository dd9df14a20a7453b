//! Purchases and reads under load (issue 14's "Purchases" targets), for `cargo xtask bench`.
//!
//! Everything runs in one go on this machine, the measured server and each baseline pinned to
//! core [`SERVER_CORE`] and `wrk` (or `pgbench`) to core [`LOAD_CORE`], release builds:
//!
//! 1. baseline: a raw loop of one-row insert transactions on a fresh SQLite file with
//!    `journal_mode = WAL, synchronous = FULL` (the server's settings), on the same disk;
//! 2. baseline: an axum hello-JSON handler, under the same wrk settings as the reads;
//! 3. the server (`serve --demo`, SQLite file next to the baseline's): `GET /subscriptions`
//!    of a purchaser with one subscription over 32 connections;
//! 4. `POST /purchases` with distinct `Idempotency-Key`s and fresh test-card tokens, at 8, 32
//!    and 64 connections; a run in which anything was refused (non-2xx) is reported invalid
//!    (and run once more with more tokens, in case they ran out);
//! 5. the same purchases at 32 connections with the server on PostgreSQL, against `pgbench -N`
//!    (simple update) at 32 clients on the same cluster.
//!
//! Prints the figures and the ratios as Markdown rows for BENCHMARKS.md.

mod server;
mod wrk;

use crate::bench::record::{Record, grouped};
use crate::bench::report::{Part, Target};
use crate::soak::http::Connection;
use crate::{Env, run_checked};
use server::{Pinned, free_addr, pinned, sign_in, start_server, tokens};
use std::path::Path;
use std::process::Command;
use wrk::Measured;

/// The core the measured server (and each baseline) runs on.
pub const SERVER_CORE: &str = "0";
/// The core the load generator runs on.
pub const LOAD_CORE: &str = "1";
/// Seconds per measured run.
const SECONDS: u64 = 5;
const PRODUCT: &str = "power-bi-pro";
const PASSWORD: &str = "selfserve-demo";
/// Demo buyers who may buy [`PRODUCT`] (checked with a quote before the runs).
const BUYERS: &[&str] = &[
    "megan@contoso.com",
    "alex@contoso.com",
    "lee@contoso.com",
    "isaiah@contoso.com",
    "diego@contoso.com",
    "lynne@contoso.com",
    "nestor@contoso.com",
    "patti@contoso.com",
    "sanne@fabrikam.nl",
    "daan@fabrikam.nl",
    "oliver@adatum.co.uk",
];
/// The purchaser whose list is read: buys one subscription first, and nothing after.
const READER: &str = "haruto@kyototrading.jp";

pub fn run(env: &Env) -> Result<(), String> {
    println!("\nxtask: ── purchases and reads under load");
    crate::tools::ensure_load_tools()?;
    let server = crate::bench::browser::build_server(env)?;
    let release = server
        .parent()
        .ok_or("the server binary has no directory")?
        .to_owned();
    let work = env
        .root
        .join(format!("target/bench-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let result = measure(&release, &work);
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    report.print(env.records.clone());
    Ok(())
}

struct Report {
    raw_loop: f64,
    hello: Measured,
    reads: Measured,
    purchases: Vec<Measured>,
    postgres: Option<(Measured, f64)>,
}

fn measure(release: &Path, work: &Path) -> Result<Report, String> {
    let baselines = release.join("examples/load_baselines");
    let raw_loop = raw_loop(&baselines, work)?;
    println!("raw SQLite loop: {raw_loop:.0} transactions/s");

    let hello_addr = free_addr()?;
    let mut hello_command = pinned(&baselines);
    hello_command.args(["hello", &hello_addr.to_string()]);
    let hello_server = Pinned::start(hello_command, hello_addr, "/")?;
    let hello = wrk::run(
        &wrk::get_script("/", "none=1"),
        work,
        "hello",
        &format!("http://{hello_addr}"),
        32,
        SECONDS,
    )?;
    drop(hello_server);
    print_run("hello JSON", &hello);

    let database = format!("sqlite://{}", work.join("server.db").display());
    let (server, app, gateway) = start_server(&release.join("selfserve-server"), work, &database)?;
    let reads = reads(work, app, gateway)?;
    print_run("GET /subscriptions", &reads);
    let cookies = buyers(app)?;
    let mut purchases = Vec::new();
    let mut expected_rate = 1500.0;
    for connections in [8, 32, 64] {
        let run = purchase_run(
            work,
            app,
            gateway,
            &cookies,
            connections,
            expected_rate,
            "sqlite",
        )?;
        expected_rate = run.per_second().max(expected_rate);
        purchases.push(run);
    }
    drop(server);

    let postgres = match postgres(release, work, expected_rate) {
        Ok(found) => Some(found),
        Err(error) => {
            println!("PostgreSQL runs skipped: {error}");
            None
        }
    };
    Ok(Report {
        raw_loop,
        hello,
        reads,
        purchases,
        postgres,
    })
}

fn raw_loop(baselines: &Path, work: &Path) -> Result<f64, String> {
    let output = pinned(baselines)
        .arg("sqlite-loop")
        .arg(work.join("raw.db"))
        .arg(SECONDS.to_string())
        .output()
        .map_err(|e| format!("cannot run the SQLite loop: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        stdout
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
    };
    match (field("transactions"), field("seconds")) {
        (Some(count), Some(seconds)) if output.status.success() => Ok(count / seconds),
        _ => Err(format!(
            "the SQLite loop failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// The reader buys one subscription, then its list is read over 32 connections.
fn reads(
    work: &Path,
    app: std::net::SocketAddr,
    gateway: std::net::SocketAddr,
) -> Result<Measured, String> {
    let cookie = sign_in(app, READER, PASSWORD)?;
    let token = tokens(gateway, 1)?.remove(0);
    let body = serde_json::json!({"product": PRODUCT, "quantity": 1, "payment_token": token});
    let bought = Connection::new(app).send(
        "POST",
        "/api/v1/purchases",
        &[("Cookie", &cookie), ("Idempotency-Key", "load-reader")],
        Some(&body),
    )?;
    if bought.status != 201 {
        return Err(format!("the reader cannot buy: {}", bought.text()));
    }
    let list =
        Connection::new(app).send("GET", "/api/v1/subscriptions", &[("Cookie", &cookie)], None)?;
    let count = list.json()["data"].as_array().map_or(0, Vec::len);
    if count != 1 {
        return Err(format!("the reader has {count} subscriptions, not 1"));
    }
    wrk::run(
        &wrk::get_script("/api/v1/subscriptions", &cookie),
        work,
        "reads",
        &format!("http://{app}"),
        32,
        SECONDS,
    )
}

/// Sessions of every demo buyer whose quote for [`PRODUCT`] is accepted.
fn buyers(app: std::net::SocketAddr) -> Result<Vec<String>, String> {
    let mut cookies = Vec::new();
    for email in BUYERS {
        let cookie = sign_in(app, email, PASSWORD)?;
        let quote = Connection::new(app).send(
            "POST",
            "/api/v1/quotes",
            &[("Cookie", &cookie)],
            Some(&serde_json::json!({"product": PRODUCT, "quantity": 1})),
        )?;
        if quote.status == 200 {
            cookies.push(cookie);
        } else {
            println!("{email} may not buy {PRODUCT}: {}", quote.text());
        }
    }
    if cookies.is_empty() {
        return Err(format!("no demo buyer may buy {PRODUCT}"));
    }
    Ok(cookies)
}

/// Purchases at `connections` with enough tokens for `expected_rate`; once more with twice as
/// many tokens when the first run ran out of them.
fn purchase_run(
    work: &Path,
    app: std::net::SocketAddr,
    gateway: std::net::SocketAddr,
    cookies: &[String],
    connections: usize,
    expected_rate: f64,
    label: &str,
) -> Result<Measured, String> {
    let mut wanted = (expected_rate * 1.5 * SECONDS as f64) as usize + 500;
    for attempt in 0..2 {
        let made = tokens(gateway, wanted)?;
        let file = work.join(format!("tokens-{label}-{connections}-{attempt}.txt"));
        std::fs::write(&file, made.join("\n")).map_err(|e| e.to_string())?;
        let name = format!("purchases-{label}-{connections}-{attempt}");
        let run = wrk::run(
            &wrk::purchase_script(&file, cookies, &name, PRODUCT),
            work,
            &name,
            &format!("http://{app}"),
            connections,
            SECONDS,
        )?;
        print_run(
            &format!("purchases ({label}, {connections} connections)"),
            &run,
        );
        if run.valid() || run.requests as usize <= made.len() {
            return Ok(run);
        }
        wanted = run.requests as usize * 2;
    }
    Err(format!(
        "purchases at {connections} connections ran out of tokens twice"
    ))
}

/// Purchases at 32 connections with the server on PostgreSQL, and `pgbench -N` at 32 clients
/// on the same cluster (tps).
fn postgres(release: &Path, work: &Path, expected_rate: f64) -> Result<(Measured, f64), String> {
    let base = crate::tools::ensure_postgres()?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // The name `ensure_postgres` cleans up after an hour if this run dies before dropping it.
    let (app_db, bench_db) = (
        format!("selfserve_test_{stamp}_loadapp"),
        format!("selfserve_test_{stamp}_pgbench"),
    );
    let psql = |sql: &str| {
        run_checked(
            Command::new("psql")
                .args(["-q", "-v", "ON_ERROR_STOP=1"])
                .arg(format!("{base}postgres"))
                .args(["-c", sql]),
        )
    };
    psql(&format!("CREATE DATABASE {app_db}"))?;
    psql(&format!("CREATE DATABASE {bench_db}"))?;
    let measured = (|| -> Result<(Measured, f64), String> {
        let pg_work = work.join("postgres");
        let (server, app, gateway) = start_server(
            &release.join("selfserve-server"),
            &pg_work,
            &format!("{base}{app_db}"),
        )?;
        let cookies = buyers(app)?;
        let run = purchase_run(
            &pg_work,
            app,
            gateway,
            &cookies,
            32,
            expected_rate / 2.0,
            "pg",
        )?;
        drop(server);
        let url = format!("{base}{bench_db}");
        run_checked(Command::new("pgbench").args(["-i", "-q", "-s", "1", &url]))?;
        let output = Command::new("taskset")
            .args([
                "-c", LOAD_CORE, "pgbench", "-N", "-c", "32", "-j", "1", "-T",
            ])
            .arg(SECONDS.to_string())
            .arg(&url)
            .output()
            .map_err(|e| format!("cannot run pgbench: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let tps = stdout
            .lines()
            .find_map(|line| line.strip_prefix("tps = "))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .ok_or_else(|| format!("pgbench printed no tps: {stdout}"))?;
        println!("pgbench -N, 32 clients: {tps:.0} tps");
        Ok((run, tps))
    })();
    let _ = psql(&format!("DROP DATABASE {app_db} WITH (FORCE)"));
    let _ = psql(&format!("DROP DATABASE {bench_db} WITH (FORCE)"));
    measured
}

fn print_run(what: &str, run: &Measured) {
    println!(
        "{what}: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, {} requests, {} non-2xx, {} socket errors{}",
        run.per_second(),
        run.p50_ms,
        run.p99_ms,
        run.requests,
        run.non_2xx,
        run.socket_errors,
        if run.valid() {
            ""
        } else {
            " — NOT A VALID RUN"
        }
    );
}

impl Report {
    fn print(&self, records: Option<std::path::PathBuf>) {
        println!("\nxtask: purchases and reads, Markdown rows for BENCHMARKS.md");
        let mut record = Record::new(Part::Load.id(), records);
        record.line(format!(
            "Release builds; the server and each baseline on core {SERVER_CORE}, `wrk` or \
             `pgbench` on core {LOAD_CORE}; {SECONDS} s a run.\n"
        ));
        record.line("| run | connections | per second | p50 ms | p99 ms | non-2xx |");
        record.line("|---|---:|---:|---:|---:|---:|");
        record.line(format!(
            "| baseline: raw SQLite loop (WAL, FULL) | 1 | {:.0} | — | — | — |",
            self.raw_loop
        ));
        let row = |record: &mut Record, what: &str, run: &Measured| {
            record.line(format!(
                "| {what} | {} | {:.0} | {:.2} | {:.2} | {} |",
                run.connections,
                run.per_second(),
                run.p50_ms,
                run.p99_ms,
                run.non_2xx + run.socket_errors
            ));
        };
        row(&mut record, "baseline: axum hello JSON", &self.hello);
        row(
            &mut record,
            "`GET /subscriptions` (one subscription)",
            &self.reads,
        );
        for run in &self.purchases {
            row(&mut record, "`POST /purchases`, SQLite", run);
        }
        if let Some((run, tps)) = &self.postgres {
            record.line(format!(
                "| baseline: `pgbench -N` | 32 | {tps:.0} | — | — | — |"
            ));
            row(&mut record, "`POST /purchases`, PostgreSQL", run);
        }
        let invalid = self
            .purchases
            .iter()
            .chain([&self.reads, &self.hello])
            .chain(self.postgres.iter().map(|(run, _)| run))
            .filter(|run| !run.valid())
            .count();
        // A run with refusals measured something else: its target is not met, whatever its rate.
        let valid = |runs: &[&Measured]| runs.iter().all(|run| run.valid());
        let at = |connections| self.purchases.iter().find(|r| r.connections == connections);
        record.line("\nRatios (target):");
        if let Some(run) = at(32) {
            let ratio = run.per_second() / self.raw_loop;
            record.line(format!(
                "- purchases at 32 ÷ raw loop: {ratio:.2} (≥ 1.0); p99 at 32: {:.2} ms (≤ 10)",
                run.p99_ms
            ));
            record.target(
                Target::Purchases.id(),
                &format!("{ratio:.2}× ({}/s)", grouped(run.per_second())),
                &format!("raw loop {}/s", grouped(self.raw_loop)),
                ratio >= 1.0 && valid(&[run]),
            );
            record.target(
                Target::PurchaseP99.id(),
                &format!("{:.2} ms", run.p99_ms),
                "—",
                run.p99_ms <= 10.0 && valid(&[run]),
            );
        }
        let reads = self.reads.per_second() / self.hello.per_second();
        record.line(format!("- reads ÷ hello: {reads:.2} (≥ 0.5)"));
        record.target(
            Target::Reads.id(),
            &format!("{reads:.2}× ({}/s)", grouped(self.reads.per_second())),
            &format!("hello {}/s", grouped(self.hello.per_second())),
            reads >= 0.5 && valid(&[&self.reads, &self.hello]),
        );
        if let (Some(eight), Some(sixty_four)) = (at(8), at(64)) {
            let ratio = sixty_four.per_second() / eight.per_second();
            record.line(format!("- purchases at 64 ÷ at 8: {ratio:.2} (≥ 0.9)"));
            record.target(
                Target::Scaling.id(),
                &format!("{ratio:.2}× ({}/s)", grouped(sixty_four.per_second())),
                &format!("8 connections {}/s", grouped(eight.per_second())),
                ratio >= 0.9 && valid(&[eight, sixty_four]),
            );
        }
        if let Some((run, tps)) = &self.postgres {
            let ratio = run.per_second() / tps;
            record.line(format!(
                "- PostgreSQL purchases ÷ pgbench -N at 32: {ratio:.2} (≥ 0.7)"
            ));
            record.target(
                Target::Postgres.id(),
                &format!("{ratio:.2}× ({}/s)", grouped(run.per_second())),
                &format!("`pgbench -N` {} tps", grouped(*tps)),
                ratio >= 0.7 && valid(&[run]),
            );
        }
        if invalid > 0 {
            record.line(format!(
                "- {invalid} run(s) had refusals or socket errors: NOT VALID"
            ));
        }
        record.finish();
    }
}
