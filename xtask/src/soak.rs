//! `cargo xtask soak [--seconds N] [--clients N] [--release]`: the real server under mixed
//! traffic for a while, then the guarantees checked.
//!
//! Starts `selfserve-server serve --demo` on a fresh SQLite file (its own process group, free
//! ports), signs in N clients as demo buyers and admins, runs their traffic ([`traffic`]) until
//! the time is up while sampling the server's resident memory, stops the server, and runs the
//! `integrity` example against the database. It passes when no request got a 5xx, no
//! subscription showed more people than seats, every retried purchase answered the same, the
//! gateway's succeeded charges match the paid card orders one to one, and memory in the last
//! minute (or fifth of the run, if shorter) is within 25% + 16 MiB of the first.

pub mod http;
mod traffic;

use crate::{Env, run_checked};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use traffic::{Client, Tally};

/// How long and how many.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seconds: u64,
    pub clients: usize,
    pub release: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Self {
            seconds: 300,
            clients: 50,
            release: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| {
                args.next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .filter(|v| *v > 0)
                    .ok_or(format!("{name} needs a positive number"))
            };
            match arg.as_str() {
                "--seconds" => options.seconds = number("--seconds")?,
                "--clients" => options.clients = number("--clients")? as usize,
                "--release" => options.release = true,
                other => return Err(format!("unknown soak option {other}")),
            }
        }
        Ok(options)
    }
}

/// The server child, stopped (SIGTERM, then SIGKILL) on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

fn stop(child: &mut Child) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    // SAFETY: kill only sends a signal, to our own child's pid.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn free_addr() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))
}

fn rss_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// The real server on free ports with a fresh SQLite file and the demo directory.
pub struct Running {
    server: Server,
    pub app: SocketAddr,
    pub gateway: SocketAddr,
    /// Where its database and empty `dist` are (under `target/`).
    pub work: std::path::PathBuf,
    pub database: String,
    /// `target/debug` or `target/release`: the binary, and the examples built with it.
    pub target: std::path::PathBuf,
}

impl Running {
    /// Builds (the server and the `integrity` example) and starts it; `name` names the work
    /// directory.
    pub fn start(env: &Env, release: bool, name: &str) -> Result<Self, String> {
        let profile = if release { "release" } else { "debug" };
        let mut build = env.cargo(&[
            "build",
            "--package",
            "selfserve-server",
            "--bin",
            "selfserve-server",
            "--example",
            "integrity",
        ]);
        if release {
            build.arg("--release");
        }
        run_checked(&mut build)?;
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| env.root.join("target"))
            .join(profile);
        let work = env
            .root
            .join(format!("target/{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(work.join("dist")).map_err(|e| e.to_string())?;
        let database = format!("sqlite://{}", work.join("server.db").display());
        let (app, gateway) = (free_addr()?, free_addr()?);
        let child = Command::new(target.join("selfserve-server"))
            .args([
                "serve",
                "--demo",
                "--listen",
                &app.to_string(),
                "--gateway-listen",
                &gateway.to_string(),
            ])
            .arg("--database")
            .arg(&database)
            .arg("--dist")
            .arg(work.join("dist"))
            .env("RUST_LOG", "warn")
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut server = Server(child);
        let ready_by = Instant::now() + Duration::from_secs(60);
        loop {
            let mut probe = http::Connection::new(app);
            if probe
                .send("GET", "/healthz", &[], None)
                .is_ok_and(|r| r.status == 200)
            {
                break;
            }
            if Instant::now() > ready_by || server.0.try_wait().ok().flatten().is_some() {
                return Err("the server did not become ready".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            server,
            app,
            gateway,
            work,
            database,
            target,
        })
    }

    pub fn pid(&self) -> u32 {
        self.server.0.id()
    }

    /// Stops the server (SIGTERM, then SIGKILL), so the database can be checked.
    pub fn stop(&mut self) {
        stop(&mut self.server.0);
    }
}

/// Signs in as a demo user; the session cookie (`name=value`).
pub fn session_cookie(app: SocketAddr, email: &str) -> Result<String, String> {
    let body = serde_json::json!({"email": email, "password": traffic::PASSWORD});
    let answer = http::Connection::new(app).send("POST", "/api/v1/session", &[], Some(&body))?;
    answer
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .filter(|_| answer.status == 200)
        .map(str::to_owned)
        .ok_or_else(|| format!("{email} cannot sign in: {}", answer.text()))
}

/// Runs the soak; an error says which guarantee broke.
pub fn soak(env: &Env, options: Options) -> Result<(), String> {
    let mut running = Running::start(env, options.release, "soak")?;
    let (app, gateway, pid) = (running.app, running.gateway, running.pid());
    println!(
        "soak: server {pid} on {app}, {} clients for {} s",
        options.clients, options.seconds
    );

    // Sign in one by one: a burst of password checks is not what this measures.
    let sign_in_by = Instant::now() + Duration::from_secs(120);
    let mut clients = Vec::with_capacity(options.clients);
    for index in 0..options.clients {
        clients.push(Client::sign_in(app, gateway, index, sign_in_by)?);
    }

    let started = Instant::now();
    let end = started + Duration::from_secs(options.seconds);
    let samples: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let sampler = {
        let samples = Arc::clone(&samples);
        std::thread::spawn(move || {
            while Instant::now() < end {
                if let Some(kib) = rss_kib(pid) {
                    samples
                        .lock()
                        .unwrap()
                        .push((started.elapsed().as_secs_f64(), kib));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    let workers: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            std::thread::spawn(move || {
                while Instant::now() < end {
                    client.step();
                }
                client.tally
            })
        })
        .collect();
    let tallies: Vec<Tally> = workers
        .into_iter()
        .map(|w| w.join().unwrap_or_default())
        .collect();
    let _ = sampler.join();
    let elapsed = started.elapsed().as_secs_f64();
    running.stop();

    let mut integrity = Command::new(running.target.join("examples/integrity"));
    let checked = integrity
        .arg(&running.database)
        .output()
        .map_err(|e| format!("integrity: {e}"))?;
    let integrity_line = String::from_utf8_lossy(&checked.stdout).trim().to_owned();

    let verdict = report(
        &tallies,
        &samples.lock().unwrap(),
        elapsed,
        options,
        &integrity_line,
        checked.status.success(),
    );
    // A failed run keeps its database for a look.
    if verdict.is_ok() {
        let _ = std::fs::remove_dir_all(&running.work);
    } else {
        println!("soak: the database is kept in {}", running.work.display());
    }
    verdict
}

fn report(
    tallies: &[Tally],
    samples: &[(f64, u64)],
    elapsed: f64,
    options: Options,
    integrity: &str,
    integrity_ok: bool,
) -> Result<(), String> {
    let requests: u64 = tallies.iter().map(|t| t.requests).sum();
    let class = |c: usize| tallies.iter().map(|t| t.by_class[c]).sum::<u64>();
    let server_errors = class(5);
    let seats: u64 = tallies.iter().map(|t| t.seat_violations).sum();
    let replays: u64 = tallies.iter().map(|t| t.replay_mismatches).sum();
    let purchases: u64 = tallies.iter().map(|t| t.purchases).sum();
    let mut latencies: Vec<u32> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.iter().copied())
        .collect();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    // First and last minute, or fifths of a shorter run.
    let window = (elapsed / 5.0).min(60.0);
    let mean = |from: f64, to: f64| {
        let inside: Vec<u64> = samples
            .iter()
            .filter(|(t, _)| *t >= from && *t <= to)
            .map(|(_, k)| *k)
            .collect();
        inside.iter().sum::<u64>() / (inside.len().max(1) as u64)
    };
    let (first, last) = (mean(0.0, window), mean(elapsed - window, elapsed));
    let peak = samples.iter().map(|(_, k)| *k).max().unwrap_or(0);
    println!(
        "soak: {requests} requests in {elapsed:.0} s ({:.0}/s) by {} clients: 2xx {} 3xx {} 4xx {} 5xx {server_errors}; \
         {purchases} purchases; latency p50 {:.1} ms p99 {:.1} ms max {:.1} ms",
        requests as f64 / elapsed,
        options.clients,
        class(2),
        class(3),
        class(4),
        percentile(0.5),
        percentile(0.99),
        percentile(1.0),
    );
    println!(
        "soak: server RSS first {window:.0} s {:.1} MiB, last {window:.0} s {:.1} MiB, peak {:.1} MiB",
        first as f64 / 1024.0,
        last as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    println!(
        "soak: integrity {integrity}; seats over quantity seen {seats}; retried purchases answering differently {replays}"
    );
    for error in tallies.iter().flat_map(|t| &t.server_errors).take(10) {
        println!("soak: 5xx: {error}");
    }
    let mut broken = Vec::new();
    if server_errors > 0 {
        broken.push(format!("{server_errors} answers were 5xx"));
    }
    if seats > 0 {
        broken.push(format!("{seats} reads showed more people than seats"));
    }
    if replays > 0 {
        broken.push(format!("{replays} retried purchases answered differently"));
    }
    if !integrity_ok {
        broken.push(format!("the database breaks an invariant ({integrity})"));
    }
    if last > first + first / 4 + 16 * 1024 {
        broken.push(format!("memory grew from {first} KiB to {last} KiB"));
    }
    if requests == 0 || purchases == 0 {
        broken.push("no traffic got through".into());
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken.join("; "))
    }
}
