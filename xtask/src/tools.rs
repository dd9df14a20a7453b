//! Installs the pinned tools when they are missing, from the registries this project can reach
//! (crates.io, npm, PyPI, Debian's apt): never from GitHub or a vendor site.
//!
//! Each tool is checked by running it and reading its version, so a second run installs nothing
//! and a wrong version is replaced.

use crate::{Env, run_checked};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Trunk 0.22+ needs a newer rustc than this machine's.
pub const TRUNK_VERSION: &str = "0.21.14";
pub const GECKODRIVER_VERSION: &str = "0.37.1";
/// Debian's binaryen (108) produces wasm that fails to start; npm's 132 works.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The accessibility checker the end-to-end tests run in the browser.
pub const AXE_CORE_VERSION: &str = "4.14.1";
/// The OpenID Provider the tests sign in with (OpenID-certified; 9.x runs on Node 20 with a
/// warning that it prefers 22).
pub const OIDC_PROVIDER_VERSION: &str = "9.13.3";
pub const CARGO_DENY_VERSION: &str = "0.20.2";
/// The page audit `cargo xtask bench` runs (issue 14 pins it).
pub const LIGHTHOUSE_VERSION: &str = "12.2.3";
/// localstripe and aiosmtpd, every dependency pinned.
const PYTHON_REQUIREMENTS: &str = "xtask/test-servers-requirements.txt";

/// What building the app needs: the wasm target, Trunk, wasm-bindgen-cli, wasm-opt.
pub fn ensure_build_tools(env: &Env) -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool(
        env,
        "trunk",
        &["--version"],
        TRUNK_VERSION,
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    )?;
    let bindgen = wasm_bindgen_version(env)?;
    // wasm-bindgen-cli does not build with --locked (TOOLCHAIN.md); the version is exact anyway.
    ensure_cargo_tool(
        env,
        "wasm-bindgen",
        &["--version"],
        &bindgen,
        &["install", "wasm-bindgen-cli", "--version", &bindgen],
    )?;
    ensure_binaryen(env)
}

/// What the browser tests need on top: Chromium, ChromeDriver, Firefox, geckodriver.
pub fn ensure_browsers(env: &Env) -> Result<(), String> {
    let packages = [
        ("chromium", "/usr/bin/chromium"),
        ("chromium-driver", "/usr/bin/chromedriver"),
        ("firefox-esr", "/usr/bin/firefox-esr"),
    ];
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, path)| !std::path::Path::new(path).exists())
        .map(|(package, _)| *package)
        .collect();
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    ensure_cargo_tool(
        env,
        "geckodriver",
        &["--version"],
        GECKODRIVER_VERSION,
        &[
            "install",
            "--locked",
            "geckodriver",
            "--version",
            GECKODRIVER_VERSION,
        ],
    )
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    println!("xtask: installing the wasm32-unknown-unknown target");
    run_checked(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Runs `cargo install` unless `tool --version` already prints `version`.
fn ensure_cargo_tool(
    env: &Env,
    tool: &str,
    version_args: &[&str],
    version: &str,
    install_args: &[&str],
) -> Result<(), String> {
    let current = Command::new(tool)
        .args(version_args)
        .env("PATH", &env.path)
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if current.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    println!("xtask: installing {tool} {version} from crates.io (takes a few minutes, once)");
    let started = Instant::now();
    run_checked(
        Command::new(&env.cargo)
            .args(install_args)
            .env("PATH", &env.path),
    )?;
    report_installed(tool, version, started);
    Ok(())
}

/// The exact wasm-bindgen version in Cargo.lock (the CLI must match it).
fn wasm_bindgen_version(env: &Env) -> Result<String, String> {
    let lock = std::fs::read_to_string(env.root.join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".to_owned())
}

/// Where npm packages go: inside the checkout, ignored by git.
pub fn npm_bin(env: &Env) -> PathBuf {
    env.root.join(".tools/npm/node_modules/.bin")
}

/// axe-core from npm; returns the path of `axe.min.js`.
pub fn ensure_axe(env: &Env) -> Result<PathBuf, String> {
    Ok(ensure_npm_package(env, "axe-core", AXE_CORE_VERSION)?.join("axe.min.js"))
}

/// Lighthouse from npm (13 needs Node 22; this machine has Node 20); returns its folder.
pub fn ensure_lighthouse(env: &Env) -> Result<PathBuf, String> {
    ensure_npm_package(env, "lighthouse", LIGHTHOUSE_VERSION)
}

/// `name@version` from npm into the checkout's `.tools/npm`, unless that version is there;
/// returns the package's folder.
fn ensure_npm_package(env: &Env, name: &str, version: &str) -> Result<PathBuf, String> {
    let prefix = env.root.join(".tools/npm");
    let package = prefix.join("node_modules").join(name);
    let installed = std::fs::read_to_string(package.join("package.json"))
        .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")));
    if !installed {
        println!("xtask: installing {name} {version} from npm");
        let started = Instant::now();
        std::fs::create_dir_all(&prefix)
            .map_err(|e| format!("creating {}: {e}", prefix.display()))?;
        run_checked(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&prefix)
                .arg(format!("{name}@{version}")),
        )?;
        report_installed(name, version, started);
    }
    Ok(package)
}

fn report_installed(name: &str, version: &str, started: Instant) {
    println!(
        "xtask: installed {name} {version} in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Where the real servers the tests start are; handed to the tests as environment variables
/// (read by `crates/selfserve-server/tests/support/real_servers.rs`).
pub struct TestServers {
    oidc_provider: PathBuf,
    venv: PathBuf,
    nginx: PathBuf,
    openssl: PathBuf,
}

impl TestServers {
    /// Tells a test command where every server is.
    pub fn pass_to(&self, command: &mut Command) {
        command
            .env("SELFSERVE_TEST_OIDC_PROVIDER", &self.oidc_provider)
            .env("SELFSERVE_TEST_VENV", &self.venv)
            .env("SELFSERVE_TEST_NGINX", &self.nginx)
            .env("SELFSERVE_TEST_OPENSSL", &self.openssl);
    }
}

/// The OpenID Provider package (npm `oidc-provider`), for the tests and the demo.
pub fn ensure_oidc_provider(env: &Env) -> Result<PathBuf, String> {
    ensure_npm_package(env, "oidc-provider", OIDC_PROVIDER_VERSION)
}

/// The servers the tests start instead of imitating them: an OpenID Provider (npm), a Stripe
/// server and an SMTP server (PyPI, in a venv), nginx and openssl (apt).
pub fn ensure_test_servers(env: &Env) -> Result<TestServers, String> {
    let oidc_provider = ensure_oidc_provider(env)?;
    let venv = ensure_python_servers(env)?;
    let (nginx, openssl) = (
        PathBuf::from("/usr/sbin/nginx"),
        PathBuf::from("/usr/bin/openssl"),
    );
    let missing: Vec<&str> = [("nginx", &nginx), ("openssl", &openssl)]
        .into_iter()
        .filter(|(_, path)| !path.exists())
        .map(|(package, _)| package)
        .collect();
    if !missing.is_empty() {
        let started = Instant::now();
        apt_install(&missing)?;
        report_installed(&missing.join(" "), "(Debian's)", started);
    }
    Ok(TestServers {
        oidc_provider,
        venv,
        nginx,
        openssl,
    })
}

/// A venv in `.tools/venv` with the pinned Python servers. A copy of the requirements it was
/// made from is kept in it, so a second run compares two files instead of asking pip.
fn ensure_python_servers(env: &Env) -> Result<PathBuf, String> {
    let venv = env.root.join(".tools/venv");
    let requirements = env.root.join(PYTHON_REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("reading {}: {e}", requirements.display()))?;
    let stamp = venv.join("installed-requirements.txt");
    let python = venv.join("bin/python");
    let python_runs = || {
        Command::new(&python)
            .args(["-c", ""])
            .status()
            .is_ok_and(|status| status.success())
    };
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == wanted) && python_runs() {
        return Ok(venv);
    }
    println!("xtask: installing localstripe and aiosmtpd from PyPI into .tools/venv");
    let started = Instant::now();
    if !python_runs() {
        let create = || {
            run_checked(
                Command::new("python3")
                    .args(["-m", "venv", "--clear"])
                    .arg(&venv),
            )
        };
        // Debian's python3 makes venvs only with python3-venv installed.
        create().or_else(|_| {
            apt_install(&["python3-venv"])?;
            create()
        })?;
    }
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "--quiet",
                "--requirement",
            ])
            .arg(&requirements),
    )?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    report_installed("localstripe and aiosmtpd", "(pinned)", started);
    Ok(venv)
}

/// cargo-deny, for the licence, ban and source checks.
pub fn ensure_cargo_deny(env: &Env) -> Result<(), String> {
    ensure_cargo_tool(
        env,
        "cargo-deny",
        &["--version"],
        CARGO_DENY_VERSION,
        &[
            "install",
            "--locked",
            "cargo-deny",
            "--version",
            CARGO_DENY_VERSION,
        ],
    )
}

fn ensure_binaryen(env: &Env) -> Result<(), String> {
    let wasm_opt = npm_bin(env).join("wasm-opt");
    let current = Command::new(&wasm_opt)
        .arg("--version")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if current.contains(&format!("version {major}")) {
        return Ok(());
    }
    println!("xtask: installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm");
    let prefix = env.root.join(".tools/npm");
    std::fs::create_dir_all(&prefix).map_err(|e| format!("creating {}: {e}", prefix.display()))?;
    run_checked(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")),
    )
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    println!("xtask: installing {} from apt", packages.join(" "));
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        let mut command = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_checked(&mut command)
    };
    let mut install = vec!["install", "-y", "-q"];
    install.extend_from_slice(packages);
    // A fresh machine may have stale or no package lists: update once and retry.
    apt(&install).or_else(|_| {
        apt(&["update", "-q"])?;
        apt(&install)
    })
}

/// What the load benchmark runs besides the server: wrk (the HTTP load generator) and
/// taskset (to pin the server and the load to separate cores) from apt.
pub fn ensure_load_tools() -> Result<(), String> {
    let missing: Vec<&str> = [("wrk", "/usr/bin/wrk"), ("util-linux", "/usr/bin/taskset")]
        .into_iter()
        .filter(|(_, path)| !std::path::Path::new(path).exists())
        .map(|(package, _)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    apt_install(&missing)?;
    report_installed(&missing.join(" "), "(Debian's)", started);
    Ok(())
}

/// Starts the machine's PostgreSQL (installing it from apt if missing), makes sure the test role
/// exists, drops databases earlier test runs left, and returns the base URL for tests.
pub fn ensure_postgres() -> Result<String, String> {
    if !std::path::Path::new("/usr/bin/pg_lsclusters").exists() {
        apt_install(&["postgresql"])?;
    }
    let clusters = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .map_err(|e| format!("pg_lsclusters: {e}"))?;
    let listing = String::from_utf8_lossy(&clusters.stdout).into_owned();
    let mut fields = listing
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace();
    let (Some(version), Some(name), Some(port), Some(status)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("no PostgreSQL cluster found (pg_lsclusters is empty)".to_owned());
    };
    if status != "online" {
        run_checked(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            version,
            name,
            "start",
        ]))?;
    }
    let as_postgres = |sql: &str| {
        run_checked(
            Command::new("su")
                .args(["postgres", "-c"])
                .arg(format!("psql -q -p {port} -c \"{sql}\"")),
        )
    };
    as_postgres(
        "DO \\$\\$ BEGIN CREATE ROLE selfserve_test LOGIN PASSWORD 'selfserve_test' CREATEDB; \
         EXCEPTION WHEN duplicate_object THEN NULL; END \\$\\$;",
    )?;
    let leftovers = Command::new("su")
        .args(["postgres", "-c"])
        .arg(format!(
            "psql -Atq -p {port} -c \"SELECT datname FROM pg_database WHERE datname LIKE 'selfserve_test_%'\""
        ))
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    let hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .saturating_sub(3600);
    for database in String::from_utf8_lossy(&leftovers.stdout).lines() {
        let database = database.trim();
        // `selfserve_test_{unix seconds}_{random}`: only those older than an hour are
        // leftovers; younger ones may belong to a run in another checkout.
        let created = database
            .strip_prefix("selfserve_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok())
            .unwrap_or(0);
        if !database.is_empty()
            && created < hour_ago
            && database
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            as_postgres(&format!("DROP DATABASE {database}"))?;
        }
    }
    Ok(format!(
        "postgres://selfserve_test:selfserve_test@127.0.0.1:{port}/"
    ))
}
