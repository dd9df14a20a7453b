//! A Stripe API server: PyPI `localstripe` (`localstripe --port 0 --from-scratch`).
//!
//! It accepts any `sk_test_…` key (HTTP Basic user or Bearer), creates PaymentMethods from raw
//! card numbers, and serves a Stripe.js stand-in at `/js.stripe.com/v3/`. Its state is in
//! memory (it also pickles it to `/tmp/localstripe.pickle` on every write, a file that every
//! instance on the machine overwrites and none reads, thanks to `--from-scratch`).

use super::{installed_tool, spawn_until_line, workspace_root};
use crate::support::process::Group;
use std::process::Command;

/// A running localstripe, stopped (by process group) on drop.
pub struct LocalStripe {
    /// `http://127.0.0.1:PORT`: what `--stripe-api-base` takes.
    pub api_base: String,
    _group: Group,
    _dir: tempfile::TempDir,
}

impl LocalStripe {
    /// localstripe accepts any test key; these are the ones the tests use.
    pub const SECRET_KEY: &str = "sk_test_selfserve";
    pub const PUBLISHABLE_KEY: &str = "pk_test_selfserve";

    pub fn start() -> Self {
        let venv = installed_tool(
            "SELFSERVE_TEST_VENV",
            workspace_root().join(".tools/venv"),
            "Stripe server (PyPI localstripe)",
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(venv.join("bin/localstripe"));
        command
            .args(["--port", "0", "--from-scratch"])
            .env("PYTHONUNBUFFERED", "1");
        // aiohttp prints `======== Running on http://[::]:PORT ========` once it accepts.
        let (group, line) = spawn_until_line(
            command,
            &dir.path().join("localstripe.log"),
            "======== Running on ",
            "localstripe",
        );
        let port = line
            .trim_end_matches(" ========")
            .rsplit(':')
            .next()
            .and_then(|port| port.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no port in localstripe's line {line:?}"));
        Self {
            api_base: format!("http://127.0.0.1:{port}"),
            _group: group,
            _dir: dir,
        }
    }

    /// The Stripe.js stand-in, for the app's `<script src>`.
    pub fn stripe_js_url(&self) -> String {
        format!("{}/js.stripe.com/v3/", self.api_base)
    }

    /// `POST /v1/{path}` with a form body and the test secret key; the JSON answer and status.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/{path}", self.api_base))
            .basic_auth(Self::SECRET_KEY, Some(""))
            .form(form)
            .send()
            .await
            .expect("localstripe answers");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.expect("JSON from localstripe"),
        )
    }

    /// `GET /v1/{path}` with the test secret key.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(format!("{}/v1/{path}", self.api_base))
            .basic_auth(Self::SECRET_KEY, Some(""))
            .send()
            .await
            .expect("localstripe answers");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.expect("JSON from localstripe"),
        )
    }

    /// Makes localstripe send its events to `url`, signed with `secret` in `Stripe-Signature`
    /// (localstripe's own configuration call; real Stripe is configured in its dashboard).
    /// `events`: only these types, or all when empty.
    pub async fn send_webhooks_to(&self, url: &str, secret: &str, events: &[&str]) {
        let mut form = vec![("url", url), ("secret", secret)];
        form.extend(events.iter().map(|event| ("events[]", *event)));
        let response = reqwest::Client::new()
            .post(format!("{}/_config/webhooks/selfserve", self.api_base))
            .form(&form)
            .send()
            .await
            .expect("localstripe answers");
        assert!(
            response.status().is_success(),
            "localstripe refused the webhook configuration: {}",
            response.status()
        );
    }
}
