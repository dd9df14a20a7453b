//! An OpenID Provider: npm `oidc-provider` run by `tests/fixtures/oidc/provider.mjs`.
//!
//! Issuer `http://127.0.0.1:PORT`; Authorization Code with PKCE (S256) required; ID tokens
//! signed RS256 with a key made for this run, carrying `email`, `email_verified` and `groups`
//! like Entra ID's. Any login and password sign in: the login is the account's `sub` and
//! `email`; groups come from `tests/fixtures/oidc/accounts.json` (e.g. `admin@contoso.com` is in
//! `contoso-global-admins`) or from [`OidcAccount`]s given at start. No consent screen.

use super::{installed_tool, spawn_until_line, workspace_root};
use crate::support::process::Group;
use serde_json::{Value, json};
use std::process::Command;

/// A relying party registered at the provider (the selfserve server, in most tests).
#[derive(Clone, Debug)]
pub struct OidcClient {
    pub id: String,
    pub secret: String,
    /// Exact redirect URIs, e.g. `{server}/api/v1/sso/callback`.
    pub redirect_uris: Vec<String>,
}

impl OidcClient {
    pub fn new(id: &str, secret: &str, redirect_uri: &str) -> Self {
        Self {
            id: id.to_owned(),
            secret: secret.to_owned(),
            redirect_uris: vec![redirect_uri.to_owned()],
        }
    }
}

/// An account besides those in `accounts.json` (or replacing one with the same login).
#[derive(Clone, Debug)]
pub struct OidcAccount {
    pub login: String,
    pub groups: Vec<String>,
    pub email_verified: bool,
}

/// A running provider, stopped (by process group) on drop.
pub struct OidcProvider {
    pub issuer: String,
    _group: Group,
    _dir: tempfile::TempDir,
}

impl OidcProvider {
    /// A provider with one client and the accounts of `accounts.json`.
    pub fn start(client: OidcClient) -> Self {
        Self::start_with(&[client], &[], None)
    }

    /// A provider with these clients, extra accounts, and optionally a short ID token lifetime
    /// (seconds; 600 by default).
    pub fn start_with(
        clients: &[OidcClient],
        accounts: &[OidcAccount],
        id_token_ttl_seconds: Option<u64>,
    ) -> Self {
        Self::start_slow(clients, accounts, id_token_ttl_seconds, None)
    }

    /// As [`Self::start_with`], and the token endpoint's answers are held back this many
    /// milliseconds after the tokens were made (a slow network: with a short ID token
    /// lifetime, the relying party receives an ID token that has already expired).
    pub fn start_slow(
        clients: &[OidcClient],
        accounts: &[OidcAccount],
        id_token_ttl_seconds: Option<u64>,
        token_response_delay_ms: Option<u64>,
    ) -> Self {
        let package = installed_tool(
            "SELFSERVE_TEST_OIDC_PROVIDER",
            workspace_root().join(".tools/npm/node_modules/oidc-provider"),
            "OpenID Provider (npm oidc-provider)",
        );
        let clients: Vec<Value> = clients
            .iter()
            .map(|client| {
                json!({
                    "client_id": client.id,
                    "client_secret": client.secret,
                    "redirect_uris": client.redirect_uris,
                })
            })
            .collect();
        let accounts: serde_json::Map<String, Value> = accounts
            .iter()
            .map(|account| {
                (
                    account.login.clone(),
                    json!({"groups": account.groups, "email_verified": account.email_verified}),
                )
            })
            .collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(super::on_path(
            "node",
            "the OpenID Provider (npm oidc-provider)",
        ));
        command
            .arg(super::fixture("oidc/provider.mjs"))
            .env("OIDC_PROVIDER_PACKAGE", package)
            .env("OIDC_CLIENTS", Value::from(clients).to_string())
            .env("OIDC_ACCOUNTS", Value::from(accounts).to_string());
        if let Some(ttl) = id_token_ttl_seconds {
            command.env("OIDC_ID_TOKEN_TTL", ttl.to_string());
        }
        if let Some(delay) = token_response_delay_ms {
            command.env("OIDC_TOKEN_RESPONSE_DELAY_MS", delay.to_string());
        }
        let (group, line) = spawn_until_line(
            command,
            &dir.path().join("provider.log"),
            "issuer ",
            "the OpenID Provider",
        );
        Self {
            issuer: line.trim_start_matches("issuer ").trim().to_owned(),
            _group: group,
            _dir: dir,
        }
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// Plays the person at the provider: opens `authorize_url` (where a relying party sent the
    /// browser), signs in as `login` on the login form, and returns the URL the provider then
    /// redirects to: the relying party's redirect URI with `code` and `state` (or `error`), or
    /// `authorize_url` itself when the provider refuses it with an error page (unknown client,
    /// unregistered redirect URI). Uses a fresh cookie jar: nobody is signed in before.
    pub async fn sign_in(&self, authorize_url: &str, login: &str) -> String {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        let absolute = |location: &str| {
            if location.starts_with('/') {
                format!("{}{location}", self.issuer)
            } else {
                location.to_owned()
            }
        };
        let location_of = |response: &reqwest::Response| {
            response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(absolute)
        };
        let authorize = browser.get(authorize_url).send().await.expect("authorize");
        let Some(interaction) = location_of(&authorize) else {
            return authorize.url().to_string();
        };
        if !interaction.starts_with(&format!("{}/interaction/", self.issuer)) {
            return interaction;
        }
        let form = browser.get(&interaction).send().await.expect("login form");
        let html = form.text().await.expect("login form body");
        assert!(
            html.contains("name=\"login\""),
            "the provider did not show its login form:\n{html}"
        );
        let submitted = browser
            .post(&interaction)
            .form(&[("prompt", "login"), ("login", login), ("password", "any")])
            .send()
            .await
            .expect("login form submission");
        let mut next = location_of(&submitted).expect("a redirect after signing in");
        // Back to the authorization endpoint, which ends at the relying party.
        while next.starts_with(&self.issuer) {
            let response = browser
                .get(&next)
                .send()
                .await
                .expect("authorization resumes");
            next = location_of(&response).unwrap_or_else(|| {
                panic!(
                    "the provider stopped at {next} ({}) instead of redirecting back",
                    response.status()
                )
            });
        }
        next
    }
}
