//! Child processes for end-to-end tests: the real server binary, ChromeDriver (which starts
//! Chromium) and geckodriver (Firefox). Each runs in a process group of its own, and only that group is signalled when
//! the guard drops, so a failing test never leaves a browser behind and never touches any
//! other process on the machine.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A child process group, terminated (then killed) on drop.
pub struct Group {
    child: Child,
}

impl Group {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(mut command: Command) -> (Self, Option<std::process::ChildStdout>) {
        command.process_group(0);
        let mut child = command.spawn().expect("child process starts");
        let stdout = child.stdout.take();
        (Self { child }, stdout)
    }

    /// The process id (also the group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the leader to exit by itself, up to `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Kills the group at once (`kill -9`: no shutdown, nothing flushed) and reaps the leader.
    pub fn kill(&mut self) -> std::process::ExitStatus {
        self.signal_group(libc::SIGKILL);
        self.child.wait().expect("the killed server is reaped")
    }

    fn signal_group(&self, signal: libc::c_int) {
        let group = self.child.id() as libc::pid_t;
        // SAFETY: killpg only sends a signal; the group id is our own child's, which leads a
        // group we created with process_group(0), so no other process is touched.
        #[allow(unsafe_code)]
        unsafe {
            libc::killpg(group, signal);
        }
    }

    /// Asks the group to stop (SIGTERM) and waits for the leader, up to `timeout`.
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        self.signal_group(libc::SIGTERM);
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.terminate(Duration::from_secs(5)).is_none() {
            self.signal_group(libc::SIGKILL);
            let _ = self.child.wait();
        }
        // Children of the leader (Chromium's helpers) may outlive it: end the rest of the group.
        self.signal_group(libc::SIGKILL);
    }
}

/// Reads lines from a child's stdout on a thread, handing them over a channel.
fn lines_of(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Waits for a line starting with `prefix`, up to `timeout`.
fn wait_for_line(lines: &mpsc::Receiver<String>, prefix: &str, timeout: Duration) -> String {
    first_line_starting(lines, prefix, timeout).unwrap_or_else(|missing| panic!("{missing}"))
}

/// The first line starting with `prefix`, or why none came: the process ended (its stdout
/// closed) or `timeout` passed.
fn first_line_starting(
    lines: &mpsc::Receiver<String>,
    prefix: &str,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.starts_with(prefix) => return Ok(line),
            Ok(_) => continue,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no line starting with {prefix:?} within {timeout:?}"
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!(
                    "the process ended before a line starting with {prefix:?}"
                ));
            }
        }
    }
}

/// The real `selfserve-server serve` on free ports with a fresh database.
pub struct ServerProcess {
    pub group: Group,
    pub base: String,
    pub gateway: String,
    pub dir: Option<tempfile::TempDir>,
    pub log: PathBuf,
    pub database: PathBuf,
}

impl ServerProcess {
    /// Starts the binary with `--demo --test-clock`, serving `dist`; logs go to a file.
    pub fn start(dist: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Self::start_in(dist, dir.path(), &[]);
        server.dir = Some(dir);
        server
    }

    /// Starts the binary on the database and log in `dir` (kept across restarts), with extra
    /// environment variables.
    pub fn start_in(dist: &Path, dir: &Path, env: &[(&str, &str)]) -> Self {
        let database = dir.join("e2e.db");
        let url = format!("sqlite://{}", database.display());
        Self::start_on(dist, dir, &url, env)
    }

    /// Starts the binary on the database at `url` (SQLite or PostgreSQL), logging into `dir`.
    pub fn start_on(dist: &Path, dir: &Path, url: &str, env: &[(&str, &str)]) -> Self {
        let log = dir.join("server.log");
        let database = PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url));
        let mut command = Command::new(env!("CARGO_BIN_EXE_selfserve-server"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--gateway-listen",
                "127.0.0.1:0",
            ])
            .arg("--database")
            .arg(url)
            .arg("--dist")
            .arg(dist)
            .args(["--demo", "--test-clock"])
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .expect("log file"),
            );
        let (group, stdout) = Group::spawn(command);
        let lines = lines_of(stdout.expect("piped stdout"));
        let timeout = Duration::from_secs(60);
        let base = wait_for_line(&lines, "listening on ", timeout)
            .trim_start_matches("listening on ")
            .to_owned();
        let gateway = wait_for_line(&lines, "gateway listening on ", timeout)
            .trim_start_matches("gateway listening on ")
            .to_owned();
        Self {
            group,
            base,
            gateway,
            dir: None,
            log,
            database,
        }
    }
}

/// ChromeDriver on a free port.
pub struct ChromeDriver {
    pub group: Group,
    pub url: String,
}

impl ChromeDriver {
    pub fn start() -> Self {
        const STARTED: &str = "ChromeDriver was started successfully on port ";
        // Once in a whole CI-like run (two cores, browsers of other suites running) a driver
        // said nothing for 30 s, while the same test alone started one at once: a driver that
        // does not start is ended and another is started, up to three.
        let mut attempts = Vec::new();
        let (group, lines, line) = loop {
            let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
            let mut command = Command::new(driver);
            command
                .arg("--port=0")
                .stdout(Stdio::piped())
                .stderr(Stdio::null());
            let (group, stdout) = Group::spawn(command);
            let lines = lines_of(stdout.expect("piped stdout"));
            match first_line_starting(&lines, STARTED, Duration::from_secs(30)) {
                Ok(line) => break (group, lines, line),
                Err(missing) if attempts.len() < 2 => {
                    attempts.push(missing);
                    drop(group);
                }
                Err(missing) => panic!("ChromeDriver did not start: {attempts:?}, {missing}"),
            }
        };
        let port: u16 = line
            .trim_start_matches(STARTED)
            .trim_end_matches('.')
            .trim()
            .parse()
            .expect("port number");
        // Keep draining stdout so the driver never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            group,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// geckodriver on a free port (it starts Firefox per session).
pub struct GeckoDriver {
    pub group: Group,
    pub url: String,
}

impl GeckoDriver {
    pub fn start() -> Self {
        let driver = std::env::var("GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
        let mut command = Command::new(driver);
        // Port 0 for BiDi too: two sessions at once must not both want 9222. System access
        // lets the WCAG walk zoom the page (Firefox's window stops at 500 px; 320 px needs 200 %).
        command
            .args([
                "--port",
                "0",
                "--websocket-port",
                "0",
                "--allow-system-access",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let (group, stdout) = Group::spawn(command);
        let lines = lines_of(stdout.expect("piped stdout"));
        // Its log lines start with a timestamp: look for the words, not a prefix.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let line = loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) if line.contains("Listening on ") => break line,
                Ok(_) => continue,
                Err(_) => panic!("geckodriver never said where it listens"),
            }
        };
        let address = line
            .rsplit("Listening on ")
            .next()
            .expect("geckodriver names its address")
            .trim()
            .to_owned();
        std::thread::spawn(move || for _ in lines {});
        Self {
            group,
            url: format!("http://{address}"),
        }
    }
}
