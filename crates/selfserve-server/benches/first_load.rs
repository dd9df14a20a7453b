//! First load: what a cold headless Chromium fetches for a page until its email field is
//! there (HTML + CSS + JS + wasm + API answers, as served: brotli), read from Chromium's
//! performance log (`Network.loadingFinished.encodedDataLength`). The app's bundles are
//! measured against a bare Leptos router + gloo-net fetch skeleton (`bench/skeleton`) built
//! with the same profile and wasm-opt, served by the same server, in the same run.
//!
//! Run by `cargo xtask bench`, which builds both and sets `FIRST_LOAD_APP_DIST` and
//! `FIRST_LOAD_SKELETON_DIST`; prints Markdown tables for BENCHMARKS.md (and, under `cargo
//! xtask bench`, keeps them for its latest run).

#[path = "../tests/support/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "../../../xtask/src/bench/record.rs"]
mod record;

use fantoccini::{Client, ClientBuilder, Locator};
use process::{ChromeDriver, ServerProcess};
use record::{Record, grouped};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// The issue's targets for the checkout's first load.
const TARGET_BYTES: u64 = 150 * 1000;
const TARGET_RATIO: f64 = 1.3;

/// ChromeDriver's log endpoint: the performance log gathered since the last read.
#[derive(Debug)]
struct PerformanceLog;

impl fantoccini::wd::WebDriverCompatibleCommand for PerformanceLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "performance"}).to_string()),
        )
    }
}

/// One response the browser finished loading.
struct Fetched {
    path: String,
    bytes: u64,
}

/// What one cold load fetched until the email field appeared.
struct Load {
    label: String,
    fetched: Vec<Fetched>,
}

impl Load {
    fn total(&self) -> u64 {
        self.fetched.iter().map(|f| f.bytes).sum()
    }

    fn wasm(&self) -> u64 {
        self.fetched
            .iter()
            .filter(|f| f.path.ends_with(".wasm"))
            .map(|f| f.bytes)
            .sum()
    }
}

fn dist(variable: &str) -> PathBuf {
    std::env::var_os(variable)
        .unwrap_or_else(|| panic!("{variable}: run through `cargo xtask bench`"))
        .into()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let driver = ChromeDriver::start();
    let app = ServerProcess::start(&dist("FIRST_LOAD_APP_DIST"));
    let skeleton = ServerProcess::start(&dist("FIRST_LOAD_SKELETON_DIST"));
    let loads = [
        (&skeleton, "/buy/power-bi-pro", "skeleton (baseline)"),
        (&app, "/buy/power-bi-pro", "checkout: `/buy/power-bi-pro`"),
        (&app, "/manage", "purchaser: `/manage` (sign-in gate)"),
        (&app, "/admin", "admin: `/admin` (sign-in gate)"),
    ];
    let mut results = Vec::new();
    for (server, path, label) in loads {
        let fetched = first_load(&driver.url, &format!("{}{path}", server.base)).await;
        results.push(Load {
            label: label.to_owned(),
            fetched,
        });
    }
    report(&results);
}

/// A fresh Chromium profile (empty cache) opens `url`; once an email field is in the page, the
/// performance log says what was fetched.
async fn first_load(driver: &str, url: &str) -> Vec<Fetched> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,900", "--lang=en-US",
            ],
            "prefs": {"intl": {"accept_languages": "en-US"}},
        }),
    );
    capabilities.insert("goog:loggingPrefs".into(), json!({"performance": "ALL"}));
    let client: Client =
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(driver)
            .await
            .expect("WebDriver session");
    client.goto(url).await.expect("the page opens");
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("input[type=email]:not([hidden]):enabled"))
        .await
        .unwrap_or_else(|e| panic!("no email field at {url}: {e}"));
    let log = client
        .issue_cmd(PerformanceLog)
        .await
        .expect("Chromium's performance log");
    client.close().await.expect("the session ends");
    fetched_from(&log)
}

/// Pairs each `Network.loadingFinished` with its request's URL.
fn fetched_from(log: &Value) -> Vec<Fetched> {
    let mut urls = HashMap::new();
    let mut finished = Vec::new();
    for entry in log.as_array().into_iter().flatten() {
        let Some(message) = entry["message"]
            .as_str()
            .and_then(|m| serde_json::from_str::<Value>(m).ok())
        else {
            continue;
        };
        let message = &message["message"];
        let params = &message["params"];
        let id = params["requestId"].as_str().unwrap_or_default().to_owned();
        match message["method"].as_str() {
            Some("Network.responseReceived") => {
                urls.insert(
                    id,
                    params["response"]["url"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            Some("Network.loadingFinished") => {
                finished.push((id, params["encodedDataLength"].as_f64().unwrap_or(0.0)));
            }
            _ => {}
        }
    }
    finished
        .into_iter()
        .map(|(id, bytes)| {
            let url = urls.get(&id).cloned().unwrap_or_else(|| format!("({id})"));
            let path = url::Url::parse(&url)
                .map(|u| match u.query() {
                    Some(query) => format!("{}?{query}", u.path()),
                    None => u.path().to_owned(),
                })
                .unwrap_or(url);
            Fetched {
                path,
                bytes: bytes as u64,
            }
        })
        .collect()
}

fn report(loads: &[Load]) {
    let mut record = Record::from_environment("first-load");
    let baseline = loads[0].total() as f64;
    record.line(
        "| first load until the email field | requests | wasm (br) | total (as served) | × skeleton |\n\
         |---|---:|---:|---:|---:|",
    );
    for load in loads {
        record.line(format!(
            "| {} | {} | {} | {} | {:.2} |",
            load.label,
            load.fetched.len(),
            load.wasm(),
            load.total(),
            load.total() as f64 / baseline,
        ));
    }
    record.line("\nEvery response, bytes as received (body as encoded, plus headers):\n");
    for load in loads {
        record.line(format!("- {}:", load.label));
        for fetched in &load.fetched {
            record.line(format!("  - `{}`: {}", fetched.path, fetched.bytes));
        }
    }
    let checkout = &loads[1];
    let ratio = checkout.total() as f64 / baseline;
    let within_bytes = checkout.total() <= TARGET_BYTES;
    let within_ratio = ratio <= TARGET_RATIO;
    record.target(
        "first-load-bytes",
        &format!("{} B", grouped(checkout.total() as f64)),
        "—",
        within_bytes,
    );
    record.target(
        "first-load-ratio",
        &format!("{ratio:.2}× ({} B)", grouped(checkout.total() as f64)),
        &format!("skeleton {} B", grouped(baseline)),
        within_ratio,
    );
    let verdict = |met: bool| if met { "met" } else { "not met" };
    record.line(format!(
        "\nCheckout first load: {} bytes (target ≤ {TARGET_BYTES}: {}), {ratio:.2}× the skeleton \
         (target ≤ {TARGET_RATIO}: {}).",
        checkout.total(),
        verdict(within_bytes),
        verdict(within_ratio),
    ));
    record.finish();
}
