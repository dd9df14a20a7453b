//! `cargo xtask`: the project's set-up commands.
//!
//! - `cargo xtask run`: installs what is missing, builds the app (release, Trunk), and starts
//!   `selfserve-server serve --demo` on 127.0.0.1:8080 with the embedded SQLite file, and a
//!   local OpenID Provider at which one demo organisation signs in (see [`run`]).
//! - `cargo xtask test`: installs what is missing (browsers, and the real servers the tests
//!   start: an OpenID Provider, localstripe, an SMTP server, nginx), then runs every check and
//!   test and ends with one line `N passed, N failed`.
//! - `cargo xtask build`: only builds the app into `dist/` (release, precompressed).
//! - `cargo xtask bench`: measures the release bundles, the checkout's first load against a
//!   Leptos skeleton ([`bench::first_load`]), time to interactive against Leptos's counter
//!   example and Lighthouse's scores ([`bench::interactive`]), a big organisation, its
//!   10,000-seat licence list in the browser ([`bench::licence_list`]; alone: `cargo xtask
//!   bench-licences`), and purchases and reads under load ([`load`]; alone: `cargo xtask
//!   bench-load`); see BENCHMARKS.md.
//! - `cargo xtask soak [--seconds N] [--clients N] [--release]`: the real server under mixed
//!   traffic (default 50 clients for 5 minutes), then zero 5xx, the seat and money invariants
//!   and flat memory are checked (see [`soak`]).
//! - `cargo xtask screenshots`: the main screens in English and Dutch at 375 and 1280 px,
//!   to `docs/screenshots/` (see [`screenshots`]).
//! - `cargo xtask schemathesis [--seconds N]`: schemathesis against the OpenAPI document,
//!   signed in, stateful phase included, every check; zero failures (see [`schemathesis`]).
//!
//! # Layout
//! - [`tools`]: pinned tool installation.
//! - [`dist`]: the Trunk build, precompression and size report.
//! - [`run`]: the demo.
//! - [`summary`]: counts test results from libtest's output.
//! - [`soak`]: the load run and its checks.
//! - [`load`]: purchases and reads under load against their baselines (`bench`).

mod bench;
mod dist;
mod load;
mod run;
mod schemathesis;
mod screenshots;
mod soak;
mod summary;
mod tools;

use bench::report::Part;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;
use summary::Summary;

/// Where things are, for every command.
#[derive(Clone)]
pub struct Env {
    /// The workspace root.
    pub root: PathBuf,
    /// The cargo that runs xtask.
    pub cargo: OsString,
    /// PATH with cargo's bin directory and the npm tools in front.
    pub path: OsString,
    /// Under `cargo xtask bench`, where its parts keep what they found for BENCHMARKS.md.
    pub records: Option<PathBuf>,
}

impl Env {
    fn new() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
            .unwrap_or_default();
        let mut paths = vec![
            cargo_home.join("bin"),
            root.join(".tools/npm/node_modules/.bin"),
        ];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(paths).unwrap_or_default();
        Self {
            root,
            cargo,
            path,
            records: None,
        }
    }

    /// `cargo ARGS` in the workspace root, with the tools on PATH.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cargo);
        command
            .args(args)
            .current_dir(&self.root)
            .env("PATH", &self.path);
        command
    }
}

/// Runs a command with inherited output; an error if it cannot start or fails.
pub fn run_checked(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed ({status})", command.get_program()))
    }
}

fn main() -> ExitCode {
    let env = Env::new();
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "run" => run::run(&env),
        "test" => return test(&env),
        "build" => tools::ensure_build_tools(&env).and_then(|()| dist::build(&env)),
        "bench" => bench(&env),
        // Only the load part of `bench` (it needs no app build).
        "bench-load" => load::run(&env),
        // Only the licence list in the browser (it needs `dist/` built).
        "bench-licences" => bench::licence_list::run(&env),
        "screenshots" => screenshots::run(&env),
        "soak" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            soak::Options::parse(&args).and_then(|options| soak::soak(&env, options))
        }
        "schemathesis" => {
            let seconds = match std::env::args().nth(2).as_deref() {
                Some("--seconds") => std::env::args().nth(3).and_then(|s| s.parse().ok()),
                _ => Some(120),
            };
            seconds
                .ok_or_else(|| "usage: cargo xtask schemathesis [--seconds N]".to_owned())
                .and_then(|seconds| schemathesis::run(&env, seconds))
        }
        _ => {
            eprintln!(
                "usage: cargo xtask run | test | build | bench | bench-load | bench-licences | soak | schemathesis | screenshots"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn test(env: &Env) -> ExitCode {
    let started = Instant::now();
    let mut summary = Summary::default();
    let setup = tools::ensure_build_tools(env).and_then(|()| tools::ensure_browsers(env));
    summary.record_step("install tools", setup);
    // Without them the tests that start real servers fail, each saying what is missing.
    let mut test_servers = None;
    summary.run_task(
        "install test servers (OpenID Provider, Stripe, SMTP, nginx)",
        || {
            test_servers = Some(tools::ensure_test_servers(env)?);
            Ok(())
        },
    );
    let with_test_servers = |mut command: std::process::Command| {
        if let Some(servers) = &test_servers {
            servers.pass_to(&mut command);
        }
        command
    };

    summary.run_step(
        "cargo fmt --check",
        &mut env.cargo(&["fmt", "--all", "--check"]),
    );
    summary.run_step(
        "clippy (native)",
        &mut env.cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "--deny",
            "warnings",
        ]),
    );
    summary.run_step(
        "clippy (wasm)",
        &mut env.cargo(&[
            "clippy",
            "--package",
            "selfserve",
            "--package",
            "selfserve-api",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "--deny",
            "warnings",
        ]),
    );
    // Offline: `advisories` needs the advisory database from GitHub (see README). Without
    // --workspace cargo-deny would check only the root package (the app). Duplicate versions
    // only warn; the graph of each would bury the verdict in hundreds of lines.
    summary.run_task("cargo deny check bans licenses sources", || {
        tools::ensure_cargo_deny(env)?;
        run_checked(&mut env.cargo(&[
            "deny",
            "--workspace",
            "--offline",
            "check",
            "--hide-inclusion-graph",
            "bans",
            "licenses",
            "sources",
        ]))
    });
    summary.run_tests(
        "native tests",
        &mut with_test_servers(env.cargo(&["test", "--workspace"])),
    );

    // The same API suites again on PostgreSQL: the store's SQL must hold on both engines.
    let postgres = tools::ensure_postgres();
    match &postgres {
        Ok(url) => {
            let mut on_postgres = with_test_servers(env.cargo(&[
                "test",
                "--package",
                "selfserve-server",
                "--test",
                "api",
                "--test",
                "purchase",
                "--test",
                "manage",
                "--test",
                "admin",
                "--test",
                "guardrails",
                "--test",
                "hardening",
                "--test",
                "integrity",
                "--test",
                "holes",
                "--test",
                "authorization",
                "--test",
                "sso",
                "--test",
                "deployment",
                "--test",
                "scim",
                "--test",
                "stripe",
                "--test",
                "refunds",
                "--test",
                "notifications",
                "--test",
                "requests",
                "--test",
                "admin_webhooks",
                "--test",
                "languages",
            ]));
            on_postgres.env("SELFSERVE_TEST_POSTGRES", url);
            summary.run_tests("API tests on PostgreSQL", &mut on_postgres);
        }
        Err(message) => summary.record_step("PostgreSQL for tests", Err(message.clone())),
    }

    summary.run_task("soak (10 clients, 20 s)", || {
        soak::soak(
            env,
            soak::Options {
                seconds: 20,
                clients: 10,
                release: false,
            },
        )
    });

    summary.run_task(
        "schemathesis (signed in, stateful, every check, 60 s): zero failures",
        || schemathesis::run(env, 60),
    );

    let mut wasm_tests = |browser: &str, driver_var: &str, driver: &str| {
        let mut command = env.cargo(&[
            "test",
            "--package",
            "selfserve",
            "--package",
            "selfserve-api",
            "--target",
            "wasm32-unknown-unknown",
        ]);
        // With both set the runner picks one; each run names exactly one browser.
        command
            .env_remove("CHROMEDRIVER")
            .env_remove("GECKODRIVER")
            .env_remove("SAFARIDRIVER")
            .env(driver_var, driver);
        summary.run_tests(&format!("browser tests ({browser})"), &mut command);
    };
    wasm_tests("Chromium", "CHROMEDRIVER", "/usr/bin/chromedriver");
    let geckodriver = which(env, "geckodriver").unwrap_or_else(|| "geckodriver".into());
    wasm_tests("Firefox", "GECKODRIVER", &geckodriver);

    let built = dist::build(env);
    let built_ok = built.is_ok();
    summary.record_step("app release build", built);
    if built_ok {
        let mut e2e = with_test_servers(env.cargo(&[
            "test",
            "--package",
            "selfserve-server",
            "--test",
            "e2e",
            "--",
            "--ignored",
        ]));
        // Journeys choose their browser themselves: the WCAG walk runs in both, one process.
        let firefox = which(env, "firefox-esr")
            .or_else(|| which(env, "firefox"))
            .unwrap_or_else(|| "firefox".into());
        e2e.env("SELFSERVE_E2E_DIST", env.root.join("dist"))
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("CHROMIUM", "/usr/bin/chromium")
            .env("GECKODRIVER", &geckodriver)
            .env("FIREFOX", firefox);
        // The purchase through nginx in front of two servers needs their one database.
        if let Ok(url) = &postgres {
            e2e.env("SELFSERVE_TEST_POSTGRES", url);
        }
        match tools::ensure_axe(env) {
            Ok(axe) => {
                e2e.env("SELFSERVE_E2E_AXE", axe);
            }
            Err(message) => summary.record_step("axe-core for accessibility checks", Err(message)),
        }
        summary.run_tests(
            "end-to-end (Chromium; the WCAG walk also in Firefox)",
            &mut e2e,
        );
    }

    summary.print(started.elapsed());
    if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Every part in one run, then BENCHMARKS.md's latest run from what they recorded. A part
/// that fails is written as not measured and the others still run; the command then fails.
fn bench(env: &Env) -> Result<(), String> {
    tools::ensure_build_tools(env)?;
    dist::build(env)?;
    let folder = env
        .root
        .join(format!("target/bench-records-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| format!("creating {}: {e}", folder.display()))?;
    let env = &Env {
        records: Some(folder.clone()),
        ..env.clone()
    };
    let mut outcomes = Vec::new();
    for part in Part::ALL {
        let outcome = match part {
            Part::Bundles => dist::print_sizes(env),
            Part::FirstLoad => bench::first_load::run(env),
            Part::Interactive => bench::interactive::run(env),
            Part::BigOrganisation => {
                println!("\nxtask: ── a big organisation: 100,000 people, 10,000 subscriptions");
                run_checked(&mut bench::server_bench(env, "big_org"))
            }
            Part::LicenceList => bench::licence_list::run(env),
            Part::Load => load::run(env),
        };
        if let Err(error) = &outcome {
            println!("xtask: {} failed: {error}", part.id());
        }
        outcomes.push((part, outcome));
    }
    let written = bench::report::write(&env.root, &folder, &outcomes);
    let _ = std::fs::remove_dir_all(&folder);
    written?;
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_err())
        .map(|(part, _)| part.id())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("not measured: {}", failed.join(", ")))
    }
}

/// The full path of `tool` on the tools PATH.
fn which(env: &Env, tool: &str) -> Option<String> {
    std::env::split_paths(&env.path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
        .map(|found| found.display().to_string())
}
