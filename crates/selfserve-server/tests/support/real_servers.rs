//! Real third-party servers for the tests, each a child process in a process group of its own
//! on a free port, ended by group when its guard drops (see [`super::process::Group`]):
//!
//! - [`oidc::OidcProvider`]: npm `oidc-provider`, an OpenID-certified OpenID Provider.
//! - [`stripe::LocalStripe`]: PyPI `localstripe`, a Stripe API server with a Stripe.js stand-in.
//! - [`smtp::SmtpSink`]: PyPI `aiosmtpd`, an SMTP server that keeps each message as a file.
//! - [`nginx::NginxProxy`]: Debian's nginx terminating TLS (HTTP/2) in front of test servers.
//!
//! `cargo xtask test` installs them and tells the tests where they are through environment
//! variables (`SELFSERVE_TEST_OIDC_PROVIDER`, `SELFSERVE_TEST_VENV`, `SELFSERVE_TEST_NGINX`,
//! `SELFSERVE_TEST_OPENSSL`). Run directly with `cargo test`, a launcher falls back to what an
//! earlier `cargo xtask test` installed in this checkout's `.tools/`, and otherwise panics
//! saying how to get it. Starting blocks until the server answers (polled, 60 s at most).

pub mod nginx;
pub mod oidc;
pub mod smtp;
pub mod stripe;

use super::process::Group;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a server may take to start: node and Python start slowly on a busy 2-core machine.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The workspace root (tools installed by xtask live in its `.tools/`).
fn workspace_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(crate_dir)
        .to_path_buf()
}

/// A file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The path in `var`, else `fallback` if it exists, else a panic that says how to install it.
fn installed_tool(var: &str, fallback: PathBuf, what: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "{var}={} does not exist: `cargo xtask test` installs it ({what})",
            path.display()
        );
        return path;
    }
    if fallback.exists() {
        return fallback;
    }
    panic!(
        "{var} is not set and {} does not exist. This test starts a real {what}; \
         `cargo xtask test` installs it and sets {var}. Run `cargo xtask test` once \
         (or set {var} to an installed copy), then `cargo test` finds it.",
        fallback.display()
    )
}

/// `program` from PATH, or a panic naming what needs it.
fn on_path(program: &str, needed_for: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("`{program}` is not on PATH; {needed_for} needs it"))
}

/// Starts `command` in its own process group with stdout and stderr going to `log`.
fn spawn_logged(mut command: Command, log: &Path) -> Group {
    let log_file = std::fs::File::create(log).expect("log file");
    command
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log file handle"))
        .stderr(log_file);
    Group::spawn(command).0
}

/// The last lines of a log file, for a panic message.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Starts `command` in its own process group with stdout and stderr going to `log`, and waits
/// until a stdout line starts with `ready_prefix`; returns the group and that line. Panics with
/// the log if the process exits or stays silent past [`START_TIMEOUT`].
fn spawn_until_line(
    mut command: Command,
    log: &Path,
    ready_prefix: &str,
    what: &str,
) -> (Group, String) {
    let log_file = std::fs::File::create(log).expect("log file");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file.try_clone().expect("log file handle"));
    let (group, stdout) = Group::spawn(command);
    let stdout = stdout.expect("piped stdout");
    let (sender, lines) = mpsc::channel();
    // Keeps reading after the ready line so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut log_file = log_file;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = writeln!(log_file, "{line}");
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.starts_with(ready_prefix) => return (group, line),
            Ok(_) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!(
                    "{what} exited before it was ready; its log:\n{}",
                    log_tail(log)
                )
            }
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "{what} printed no {ready_prefix:?} within {START_TIMEOUT:?}; its log:\n{}",
                log_tail(log)
            ),
        }
    }
}

/// Polls `ready` until it holds, up to [`START_TIMEOUT`], checking between tries (for 20 ms)
/// whether the group's leader exited, so a child that failed to start fails the test at once
/// with its log instead of at the deadline.
fn poll_until(group: &mut Group, log: &Path, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if ready() {
            return;
        }
        if let Some(status) = group.wait_exit(Duration::from_millis(20)) {
            panic!(
                "{what} exited ({status}) before it was ready; its log:\n{}",
                log_tail(log)
            );
        }
    }
    panic!(
        "{what} was not ready within {START_TIMEOUT:?}; its log:\n{}",
        log_tail(log)
    );
}

/// A port that was free a moment ago, for servers that cannot listen on port 0 and report it.
/// Another process could take it before the server binds it; the window is a few milliseconds.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}
