//! What the browser benchmarks share: the release server serving a `dist`, Debian's
//! ChromeDriver and a WebDriver session on it, spoken to over plain HTTP (no client crate for
//! a handful of calls). Each process runs in its own group and is ended with it on drop.

use crate::soak::http::Connection;
use crate::{Env, run_checked};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// As the end-to-end tests start Chromium (TOOLCHAIN.md): without the background-networking
/// flags it floods the closed network with refused connections, which would be timed too.
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// The release server binary, built with the examples the benches run beside it: the examples
/// bring the dev-dependencies' features, so a build without them would compile the server
/// again with other features.
pub fn build_server(env: &Env) -> Result<PathBuf, String> {
    run_checked(&mut env.cargo(&[
        "build",
        "--release",
        "--package",
        "selfserve-server",
        "--bin",
        "selfserve-server",
        "--examples",
    ]))?;
    Ok(std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| env.root.join("target"))
        .join("release/selfserve-server"))
}

pub fn work_dir(env: &Env, name: &str) -> Result<PathBuf, String> {
    let dir = env
        .root
        .join(format!("target/{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

pub fn free_addr() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))
}

/// A child process in its own group, ended (SIGTERM, then SIGKILL to the group) on drop.
pub struct Owned(pub Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let group = self.0.id() as libc::pid_t;
        // SAFETY: killpg only sends a signal, to the group this child leads (`process_group(0)`).
        #[allow(unsafe_code)]
        unsafe {
            libc::killpg(group, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.0.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; whatever of the group is left (Chromium outlives its driver).
        #[allow(unsafe_code)]
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

/// `selfserve-server serve` of `dist` on a fresh SQLite file: the app and the counter are
/// served by the same code with the same headers (precompressed files, caching, CSP).
pub struct Served {
    pub addr: SocketAddr,
    _child: Owned,
}

impl Served {
    pub fn start(binary: &Path, dist: &Path, work: &Path) -> Result<Self, String> {
        let (addr, gateway) = (free_addr()?, free_addr()?);
        let child = Command::new(binary)
            .args(["serve", "--demo", "--listen", &addr.to_string()])
            .args(["--gateway-listen", &gateway.to_string()])
            .arg("--database")
            .arg(format!("sqlite://{}", work.join("server.db").display()))
            .arg("--dist")
            .arg(dist)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut child = Owned(child);
        let ready_by = Instant::now() + Duration::from_secs(60);
        loop {
            let probe = Connection::new(addr).send("GET", "/healthz", &[], None);
            if probe.is_ok_and(|r| r.status == 200) {
                return Ok(Self {
                    addr,
                    _child: child,
                });
            }
            if Instant::now() > ready_by || child.0.try_wait().ok().flatten().is_some() {
                return Err("the server did not become ready".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Debian's ChromeDriver (`CHROMEDRIVER`), on the port it picks.
pub struct ChromeDriver {
    addr: SocketAddr,
    _child: Owned,
}

impl ChromeDriver {
    pub fn start() -> Result<Self, String> {
        use std::io::BufRead;
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut child = Command::new(&program)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let child = Owned(child);
        let mut lines = std::io::BufReader::new(stdout).lines();
        let marker = "was started successfully on port ";
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let (_, rest) = line.split_once(marker)?;
                rest.trim().trim_end_matches('.').parse::<u16>().ok()
            })
            .ok_or("ChromeDriver never said its port")?;
        // Keep reading, so the driver never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            _child: child,
        })
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        let answer = Connection::new(self.addr).send(method, path, &[], body)?;
        if answer.status != 200 {
            return Err(format!(
                "ChromeDriver {method} {path}: {} {}",
                answer.status,
                answer.text()
            ));
        }
        let mut json = answer.json();
        Ok(json
            .as_object_mut()
            .and_then(|object| object.remove("value"))
            .unwrap_or_default())
    }

    /// A new browser with a fresh profile and a window of `width` × `height`; ended on drop.
    pub fn session(&self, width: u32, height: u32) -> Result<Session<'_>, String> {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut args: Vec<String> = CHROMIUM_FLAGS.map(String::from).to_vec();
        args.push(format!("--window-size={width},{height}"));
        let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let session = self.call("POST", "/session", Some(&capabilities))?;
        let id = session["sessionId"]
            .as_str()
            .ok_or("ChromeDriver gave no session id")?
            .to_owned();
        Ok(Session { driver: self, id })
    }
}

/// One browser of a [`ChromeDriver`].
pub struct Session<'a> {
    driver: &'a ChromeDriver,
    id: String,
}

impl Session<'_> {
    fn call(
        &self,
        method: &str,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let path = format!("/session/{}{path}", self.id);
        self.driver.call(method, &path, Some(&body))
    }

    /// Runs `source` in every document this browser opens from now on, before the page's own
    /// scripts.
    pub fn on_every_document(&self, source: &str) -> Result<(), String> {
        self.call(
            "POST",
            "/goog/cdp/execute",
            serde_json::json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": {"source": source},
            }),
        )
        .map(drop)
    }

    pub fn navigate(&self, url: &str) -> Result<(), String> {
        self.call("POST", "/url", serde_json::json!({"url": url}))
            .map(drop)
    }

    /// The value `script` (a function body) returns in the page.
    pub fn execute(&self, script: &str) -> Result<serde_json::Value, String> {
        self.call(
            "POST",
            "/execute/sync",
            serde_json::json!({"script": script, "args": []}),
        )
    }

    /// What `script` passes to its callback (`arguments[0]`), for promises.
    pub fn execute_async(&self, script: &str) -> Result<serde_json::Value, String> {
        self.call(
            "POST",
            "/execute/async",
            serde_json::json!({"script": script, "args": []}),
        )
    }

    /// Waits up to 60 s for `script` to return something other than `null`; returns it.
    /// Polls the page's own record, so a time the page measured is not this loop's.
    pub fn wait_for(&self, script: &str, what: &str) -> Result<serde_json::Value, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let value = self.execute(script)?;
            if !value.is_null() {
                return Ok(value);
            }
            if Instant::now() > deadline {
                return Err(format!("{what} never happened"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The WebDriver reference of the element `css` matches, once there is one.
    pub fn element(&self, css: &str) -> Result<serde_json::Value, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.call(
                "POST",
                "/element",
                serde_json::json!({"using": "css selector", "value": css}),
            );
            if let Ok(element) = found {
                return Ok(element);
            }
            if Instant::now() > deadline {
                return Err(format!("{css} never appeared"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn element_id(element: &serde_json::Value) -> Result<&str, String> {
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("not an element: {element}"))
    }

    /// A real click (pointer events and all), as WebDriver does it.
    pub fn click(&self, element: &serde_json::Value) -> Result<(), String> {
        let id = Self::element_id(element)?;
        self.call(
            "POST",
            &format!("/element/{id}/click"),
            serde_json::json!({}),
        )
        .map(drop)
    }

    /// Key presses, as WebDriver types them (key down, input, key up per character).
    pub fn type_keys(&self, element: &serde_json::Value, text: &str) -> Result<(), String> {
        let id = Self::element_id(element)?;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            serde_json::json!({"text": text}),
        )
        .map(drop)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}
