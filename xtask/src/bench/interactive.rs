//! Time to interactive and Lighthouse (issue 14), in one `cargo xtask bench` run.
//!
//! - Navigation start → the checkout's email field in the DOM and enabled on
//!   `/buy/power-bi-pro`, median of [`LOADS`] cold loads in headless Chromium, against the
//!   first render (its `+1` button) of Leptos's counter example (`bench/counter`), built with
//!   the same `wasm-release` profile and wasm-opt and served by the same release server.
//!   Each load is a new ChromeDriver session, so a fresh profile: nothing cached, not even
//!   compiled wasm. The moment is taken inside the page by a `MutationObserver` installed
//!   before the page's own scripts (`performance.now()` counts from navigation start); Leptos
//!   attaches a field's handlers when it creates the element, so "present" is "interactive".
//! - Lighthouse (npm, pinned) with Debian's Chromium, mobile (its default), on the same page:
//!   performance, accessibility and best-practices scores and the audits that fall short.

use super::browser::{CHROMIUM_FLAGS, ChromeDriver, Served, build_server, work_dir};
use super::record::Record;
use super::report::{Part, Target};
use crate::{Env, run_checked};
use std::path::PathBuf;
use std::process::Command;

/// Cold loads per page.
const LOADS: usize = 15;
/// Issue 14's targets.
const TARGET_RATIO: f64 = 1.5;
const TARGET_SCORES: [(&str, Target, u32); 3] = [
    ("performance", Target::LighthousePerformance, 98),
    ("accessibility", Target::LighthouseAccessibility, 100),
    ("best-practices", Target::LighthouseBestPractices, 100),
];
const PAGE: &str = "/buy/power-bi-pro";
const EMAIL_FIELD: &str = "[data-testid=email]";
const COUNTER_BUTTON: &str = "#increment";

/// Measures, prints the Markdown for BENCHMARKS.md. Expects `dist/` built (`dist::build`).
pub fn run(env: &Env) -> Result<(), String> {
    println!("\nxtask: ── time to interactive and Lighthouse on {PAGE}");
    let counter_dist = build_counter(env)?;
    let server = build_server(env)?;
    let app = Served::start(&server, &env.root.join("dist"), &work_dir(env, "tti-app")?)?;
    let counter = Served::start(&server, &counter_dist, &work_dir(env, "tti-counter")?)?;
    let driver = ChromeDriver::start()?;
    let page = format!("http://{}{PAGE}", app.addr);
    let baseline = format!("http://{}/", counter.addr);
    // One untimed load each: the server's first answers (opening SQLite, reading files) are
    // not the browser's cost.
    cold_load(&driver, &page, EMAIL_FIELD)?;
    cold_load(&driver, &baseline, COUNTER_BUTTON)?;
    let (mut app_ms, mut counter_ms) = (Vec::new(), Vec::new());
    for _ in 0..LOADS {
        // Alternating, so a busy moment of the machine falls on both.
        counter_ms.push(cold_load(&driver, &baseline, COUNTER_BUTTON)?);
        app_ms.push(cold_load(&driver, &page, EMAIL_FIELD)?);
    }
    drop(driver);
    let (app_median, counter_median) = (median(&mut app_ms), median(&mut counter_ms));
    let ratio = app_median / counter_median;
    let mut record = Record::new(Part::Interactive.id(), env.records.clone());
    record.line(format!(
        "| cold load, headless Chromium ({LOADS} each) | median ms | min ms | max ms |\n|---|---:|---:|---:|"
    ));
    for (name, times, median) in [
        (
            "checkout `/buy/power-bi-pro`: email field interactive",
            &app_ms,
            app_median,
        ),
        (
            "baseline: Leptos counter, first render",
            &counter_ms,
            counter_median,
        ),
    ] {
        record.line(format!(
            "| {name} | {median:.1} | {:.1} | {:.1} |",
            times[0],
            times[times.len() - 1]
        ));
    }
    let met = ratio <= TARGET_RATIO;
    record.line(format!(
        "\nratio {ratio:.2}× (target ≤ {TARGET_RATIO}×: {})",
        if met { "met" } else { "not met" }
    ));
    record.target(
        Target::TimeToInteractive.id(),
        &format!("{ratio:.2}× ({app_median:.1} ms, median of {LOADS} cold loads)"),
        &format!("counter {counter_median:.1} ms"),
        met,
    );
    let scores = lighthouse(env, &page, &mut record);
    record.finish();
    scores
}

/// One load of `url` in a new browser with a fresh profile; milliseconds from navigation start
/// until `selector` matches an enabled element.
fn cold_load(driver: &ChromeDriver, url: &str, selector: &str) -> Result<f64, String> {
    // A phone's window, as Lighthouse's mobile run.
    let session = driver.session(412, 823)?;
    let selector = serde_json::Value::from(selector);
    session.on_every_document(&format!(
        "(() => {{
           const seen = () => {{
             const found = document.querySelector({selector});
             if (found && !found.disabled && window.__interactive === undefined) {{
               window.__interactive = performance.now();
               observer.disconnect();
             }}
           }};
           const observer = new MutationObserver(seen);
           observer.observe(document, {{childList: true, subtree: true, attributes: true}});
         }})();"
    ))?;
    session.navigate(url)?;
    session
        .wait_for(
            "return window.__interactive === undefined ? null : window.__interactive;",
            &format!("{selector} on {url}"),
        )?
        .as_f64()
        .ok_or_else(|| "the page recorded no time".to_owned())
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    let middle = times.len() / 2;
    if times.len().is_multiple_of(2) {
        (times[middle - 1] + times[middle]) / 2.0
    } else {
        times[middle]
    }
}

/// `bench/counter` with Trunk as the app is built (release, wasm-opt), precompressed as the
/// app's files are; returns its `dist`.
fn build_counter(env: &Env) -> Result<PathBuf, String> {
    let fixture = env.root.join("bench/counter");
    let target = env.root.join("target/bench-fixtures");
    run_checked(
        env.cargo(&["fetch", "--manifest-path"])
            .arg(fixture.join("Cargo.toml")),
    )?;
    run_checked(
        Command::new("trunk")
            .args(["build", "--release", "--skip-version-check"])
            .current_dir(&fixture)
            .env("PATH", &env.path)
            .env("CARGO_TARGET_DIR", &target),
    )?;
    let dist = fixture.join("dist");
    let entries =
        std::fs::read_dir(&dist).map_err(|e| format!("reading {}: {e}", dist.display()))?;
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["html", "js", "wasm", "css"].contains(&e))
        {
            crate::dist::compress(&path)?;
        }
    }
    Ok(dist)
}

/// Lighthouse's scores and shortfalls for `url`, as Markdown.
fn lighthouse(env: &Env, url: &str, record: &mut Record) -> Result<(), String> {
    let package = crate::tools::ensure_lighthouse(env)?;
    let report = env
        .root
        .join(format!("target/lighthouse-{}.json", std::process::id()));
    let chrome_flags = CHROMIUM_FLAGS.join(" ");
    run_checked(
        Command::new("node")
            .arg(package.join("cli/index.js"))
            .arg(url)
            .args([
                "--quiet",
                "--output=json",
                "--only-categories=performance,accessibility,best-practices",
            ])
            .arg(format!("--output-path={}", report.display()))
            .arg(format!("--chrome-flags={chrome_flags}"))
            .env("CHROME_PATH", "/usr/bin/chromium")
            .env("PATH", &env.path),
    )?;
    let json: serde_json::Value = std::fs::read(&report)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| format!("Lighthouse wrote no report to {}", report.display()))?;
    record.line(format!(
        "\nLighthouse {} (mobile, Debian's Chromium) on {PAGE}:\n\n| category | score | target |\n|---|---:|---:|",
        json["lighthouseVersion"].as_str().unwrap_or("?")
    ));
    let mut shortfalls = Vec::new();
    for (category, id, target) in TARGET_SCORES {
        let found = &json["categories"][category];
        let score = found["score"].as_f64().map(|s| (s * 100.0).round() as u32);
        let shown = score.map_or("—".to_owned(), |s| s.to_string());
        record.line(format!("| {category} | {shown} | ≥ {target} |"));
        record.target(
            id.id(),
            &shown,
            "—",
            score.is_some_and(|score| score >= target),
        );
        for reference in found["auditRefs"].as_array().into_iter().flatten() {
            let id = reference["id"].as_str().unwrap_or_default();
            let audit = &json["audits"][id];
            let counts = ["binary", "numeric", "metricSavings"]
                .contains(&audit["scoreDisplayMode"].as_str().unwrap_or_default());
            if let Some(score) = audit["score"].as_f64().filter(|s| counts && *s < 1.0) {
                shortfalls.push(format!(
                    "| {category} | `{id}` | {:.2} | {} |",
                    score,
                    audit["displayValue"]
                        .as_str()
                        .or(audit["title"].as_str())
                        .unwrap_or_default()
                        .replace('|', "/")
                ));
            }
        }
    }
    if shortfalls.is_empty() {
        record.line("\nNo audit falls short.");
    } else {
        record.line("\n| category | audit | score | detail |\n|---|---|---:|---|");
        for line in shortfalls {
            record.line(line);
        }
    }
    Ok(())
}
