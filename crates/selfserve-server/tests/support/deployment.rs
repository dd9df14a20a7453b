//! The deployment of `deploy/`, for real: nginx with `deploy/nginx/selfserve.conf` itself
//! (only ports, listen addresses, upstream addresses and certificate paths swapped for the
//! test's) terminating TLS with HTTP/2 for both origins (`shop.example.com` and
//! `pay.shop.example.com`, resolved to 127.0.0.1 by the client, behind a self-signed
//! certificate) in front of TWO real `selfserve-server` processes on ONE PostgreSQL database,
//! configured with the variables of `deploy/selfserve.env` (public URLs, `127.0.0.1/32` as the
//! trusted proxy, secure cookies). Used by `tests/deployment.rs` (HTTP clients) and the
//! Chromium journey in `tests/e2e/deployment.rs`.
//!
//! PostgreSQL only (two servers never share a SQLite file): without `SELFSERVE_TEST_POSTGRES`
//! [`deploy`] says so and returns `None`, and the test passes without running.

use super::app::{fresh_database, postgres_base};
use super::process::ServerProcess;
use super::real_servers::nginx::{NginxProxy, SiteFiles};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

pub const APP_NAME: &str = "shop.example.com";
pub const GATEWAY_NAME: &str = "pay.shop.example.com";
pub const CLIENT_A: [u8; 4] = [127, 0, 0, 2];
pub const CLIENT_B: [u8; 4] = [127, 0, 0, 3];

/// nginx and two servers, as `deploy/` describes them.
pub struct Deployment {
    /// `https://shop.example.com:PORT`.
    pub app_url: String,
    /// `https://pay.shop.example.com:PORT`.
    pub gateway_url: String,
    pub servers: [ServerProcess; 2],
    /// The request-id prefix (`req-XXXXXX-`) of each server, to tell who answered.
    pub prefixes: [String; 2],
    pub proxy: NginxProxy,
    /// Kept for the deployment's lifetime: the servers' logs and the database's folder.
    pub dirs: Vec<tempfile::TempDir>,
}

/// Starts the deployment, or says why not (no PostgreSQL for tests).
pub async fn deploy(dist: Option<&Path>) -> Option<Deployment> {
    if postgres_base().is_none() {
        eprintln!(
            "SKIPPED: two servers need one PostgreSQL database; set SELFSERVE_TEST_POSTGRES=\
             postgres://USER:PASS@HOST/ (cargo xtask test does) to run this suite"
        );
        return None;
    }
    // Without the built app the servers serve an empty folder (the API tests need no pages).
    let empty = tempfile::tempdir().unwrap();
    let dist = dist.map_or_else(|| empty.path().to_path_buf(), Path::to_path_buf);
    let db_dir = tempfile::tempdir().unwrap();
    let database = fresh_database(db_dir.path()).await;
    // Ports first: the servers must know their public URLs before they start.
    let plan = NginxProxy::reserve(2);
    let https_port: u16 = plan.urls()[0].rsplit(':').next().unwrap().parse().unwrap();
    let app_url = format!("https://{APP_NAME}:{https_port}");
    let gateway_url = format!("https://{GATEWAY_NAME}:{https_port}");
    // deploy/selfserve.env's settings (each variable is the flag of the same name).
    let env = [
        ("SELFSERVE_PUBLIC_URL", app_url.as_str()),
        ("SELFSERVE_GATEWAY_PUBLIC_URL", gateway_url.as_str()),
        ("SELFSERVE_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("SELFSERVE_SECURE_COOKIES", "true"),
    ];
    let mut dirs = vec![empty, db_dir];
    let mut start = || {
        let dir = tempfile::tempdir().unwrap();
        // One after the other: the first loads the demo directory, the second finds it loaded.
        let server = ServerProcess::start_on(&dist, dir.path(), &database, &env);
        dirs.push(dir);
        server
    };
    let servers = [start(), start()];
    let address = |url: &str| -> SocketAddr { url.trim_start_matches("http://").parse().unwrap() };
    let app = [address(&servers[0].base), address(&servers[1].base)];
    let gateway = [address(&servers[0].gateway), address(&servers[1].gateway)];
    let site = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx/selfserve.conf"),
    )
    .expect("deploy/nginx/selfserve.conf");
    let proxy = plan.start_site(&[APP_NAME, GATEWAY_NAME], |files| {
        render(&site, files, app, gateway)
    });
    let http = reqwest::Client::new();
    let mut prefixes = Vec::new();
    for server in &servers {
        let response = http
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap();
        prefixes.push(request_prefix(&response).expect("every response has an X-Request-Id"));
    }
    assert_ne!(prefixes[0], prefixes[1], "each process names its requests");
    Some(Deployment {
        app_url,
        gateway_url,
        servers,
        prefixes: [prefixes[0].clone(), prefixes[1].clone()],
        proxy,
        dirs,
    })
}

/// `deploy/nginx/selfserve.conf` with the test's ports, addresses and certificate. Every swap
/// must find its text, so a change of the deployed site that the test does not follow fails
/// here instead of testing something else.
fn render(site: &str, files: &SiteFiles, app: [SocketAddr; 2], gateway: [SocketAddr; 2]) -> String {
    let (https, http) = (files.ports[0], files.ports[1]);
    let swaps = [
        ("listen 443 ", format!("listen 127.0.0.1:{https} ")),
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        ("server 127.0.0.1:8080;", format!("server {};", app[0])),
        ("server 127.0.0.1:8090;", format!("server {};", app[1])),
        ("server 127.0.0.1:8081;", format!("server {};", gateway[0])),
        ("server 127.0.0.1:8091;", format!("server {};", gateway[1])),
        (
            "/etc/letsencrypt/live/shop.example.com/fullchain.pem",
            files.certificate.display().to_string(),
        ),
        (
            "/etc/letsencrypt/live/shop.example.com/privkey.pem",
            files.key.display().to_string(),
        ),
    ];
    // No IPv6 in every test machine: the `[::]` listeners go (the IPv4 ones stay).
    let mut rendered: String = site
        .lines()
        .filter(|line| !line.trim_start().starts_with("listen [::]"))
        .map(|line| format!("{line}\n"))
        .collect();
    for (from, to) in swaps {
        assert!(rendered.contains(from), "deploy's nginx site has {from:?}");
        rendered = rendered.replace(from, &to);
    }
    rendered
}

impl Deployment {
    /// A browser at `source`: HTTPS only, trusting the proxy's certificate, both names resolved
    /// to the proxy, cookies kept.
    pub fn browser(&self, source: [u8; 4]) -> reqwest::Client {
        let certificate = reqwest::Certificate::from_pem(&self.proxy.certificate_pem()).unwrap();
        let proxy = SocketAddr::from(([127, 0, 0, 1], 0));
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate)
            .resolve(APP_NAME, proxy)
            .resolve(GATEWAY_NAME, proxy)
            .local_address(IpAddr::from(source))
            .https_only(true)
            .cookie_store(true)
            .build()
            .unwrap()
    }

    /// Which server answered, by its request-id prefix.
    pub fn served_by(&self, response: &reqwest::Response) -> usize {
        let prefix = request_prefix(response).expect("X-Request-Id through nginx");
        self.prefixes
            .iter()
            .position(|p| *p == prefix)
            .unwrap_or_else(|| panic!("{prefix} is neither server's"))
    }

    /// A sign-in through nginx as a browser on the app's page would send it.
    pub async fn sign_in(&self, browser: &reqwest::Client, password: &str) -> reqwest::Response {
        browser
            .post(format!("{}/api/v1/session", self.app_url))
            .header("Origin", &self.app_url)
            .json(&json!({"email": "megan@contoso.com", "password": password}))
            .send()
            .await
            .expect("HTTPS through nginx")
    }
}

/// `req-XXXXXX-` of `req-XXXXXX-N`.
pub fn request_prefix(response: &reqwest::Response) -> Option<String> {
    let id = response.headers().get("x-request-id")?.to_str().ok()?;
    let (prefix, _) = id.rsplit_once('-')?;
    Some(format!("{prefix}-"))
}
