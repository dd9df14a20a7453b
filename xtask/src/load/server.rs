//! The processes the load runs measure: the release server (and the hello baseline) pinned to
//! the server's core, stopped on drop; and what a buyer needs before buying (a session, test
//! card tokens).

use super::SERVER_CORE;
use crate::soak::http::Connection;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A child process (through `taskset`, which execs it: same pid), SIGTERM then SIGKILL on drop.
pub struct Pinned(Child);

impl Pinned {
    /// Starts `program args` on the server's core and waits until `probe` answers 200.
    pub fn start(mut command: Command, probe: SocketAddr, path: &str) -> Result<Self, String> {
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
        let mut pinned = Self(child);
        let ready_by = Instant::now() + Duration::from_secs(120);
        loop {
            if Connection::new(probe)
                .send("GET", path, &[], None)
                .is_ok_and(|r| r.status == 200)
            {
                return Ok(pinned);
            }
            if Instant::now() > ready_by || pinned.0.try_wait().ok().flatten().is_some() {
                return Err(format!("{:?} did not become ready", command.get_program()));
            }
            // Polling a port that is not open yet: there is nothing to wait on instead.
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_some() {
            return;
        }
        // SAFETY: kill only sends a signal, to our own child's pid.
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_addr() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))
}

/// `taskset -c SERVER_CORE program`.
pub fn pinned(program: &Path) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", SERVER_CORE]).arg(program);
    command
}

/// The release server with the demo directory on `database`, pinned; its app and gateway
/// addresses.
pub fn start_server(
    binary: &Path,
    work: &Path,
    database: &str,
) -> Result<(Pinned, SocketAddr, SocketAddr), String> {
    let (app, gateway) = (free_addr()?, free_addr()?);
    std::fs::create_dir_all(work.join("dist")).map_err(|e| e.to_string())?;
    let mut command = pinned(binary);
    command
        .args([
            "serve",
            "--demo",
            "--listen",
            &app.to_string(),
            "--gateway-listen",
            &gateway.to_string(),
        ])
        .arg("--database")
        .arg(database)
        .arg("--dist")
        .arg(work.join("dist"))
        .env("RUST_LOG", "warn")
        .current_dir(work);
    let server = Pinned::start(command, app, "/healthz")?;
    Ok((server, app, gateway))
}

/// Signs in as a demo user: the session cookie (`name=value`).
pub fn sign_in(app: SocketAddr, email: &str, password: &str) -> Result<String, String> {
    let body = serde_json::json!({"email": email, "password": password});
    let answer = Connection::new(app).send("POST", "/api/v1/session", &[], Some(&body))?;
    answer
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .filter(|_| answer.status == 200)
        .map(str::to_owned)
        .ok_or_else(|| format!("{email} cannot sign in: {}", answer.text()))
}

/// `count` single-use test card tokens from the gateway, over a few connections at once.
pub fn tokens(gateway: SocketAddr, count: usize) -> Result<Vec<String>, String> {
    const CLIENTS: usize = 8;
    let per_client = count.div_ceil(CLIENTS);
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            std::thread::spawn(move || -> Result<Vec<String>, String> {
                let card = serde_json::json!({"number": "4242424242424242", "exp_month": 12,
                    "exp_year": 2034, "cvc": "123", "name": "Load Buyer"});
                let mut connection = Connection::new(gateway);
                (0..per_client)
                    .map(|_| {
                        let answer = connection.send("POST", "/v1/tokens", &[], Some(&card))?;
                        answer.json()["token"]
                            .as_str()
                            .filter(|_| answer.status == 200)
                            .map(str::to_owned)
                            .ok_or_else(|| format!("no token: {}", answer.text()))
                    })
                    .collect()
            })
        })
        .collect();
    let mut all = Vec::with_capacity(count);
    for worker in workers {
        all.extend(worker.join().map_err(|_| "a token client panicked")??);
    }
    Ok(all)
}
