//! The deployment of `deploy/`, for real: nginx with `deploy/nginx/selfserve.conf` itself
//! (only ports, listen addresses, upstream addresses and certificate paths swapped for the
//! test's) terminating TLS with HTTP/2 for both origins (`shop.example.com` and
//! `pay.shop.example.com`, resolved to 127.0.0.1 by the client, behind a self-signed
//! certificate) in front of TWO real `selfserve-server` processes on ONE PostgreSQL database,
//! configured with the variables of `deploy/selfserve.env` (public URLs, `127.0.0.1/32` as the
//! trusted proxy, secure cookies).
//!
//! Clients connect from loopback addresses of their own (127.0.0.2, 127.0.0.3), so nginx sees
//! two real sources and writes each one's address into `X-Forwarded-For`, as it would for two
//! people on the internet.
//!
//! PostgreSQL only (two servers never share a SQLite file): without `SELFSERVE_TEST_POSTGRES`
//! each test says so and passes without running.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::card::CardToken;
use selfserve_api::manage::SeatChangeQuote;
use selfserve_api::subscription::Subscription;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use support::app::{DEMO_PASSWORD, fresh_database, postgres_base};
use support::process::ServerProcess;
use support::real_servers::nginx::{NginxProxy, SiteFiles};

const APP_NAME: &str = "shop.example.com";
const GATEWAY_NAME: &str = "pay.shop.example.com";
const CLIENT_A: [u8; 4] = [127, 0, 0, 2];
const CLIENT_B: [u8; 4] = [127, 0, 0, 3];

/// nginx and two servers, as `deploy/` describes them.
struct Deployment {
    /// `https://shop.example.com:PORT`.
    app_url: String,
    /// `https://pay.shop.example.com:PORT`.
    gateway_url: String,
    servers: [ServerProcess; 2],
    /// The request-id prefix (`req-XXXXXX-`) of each server, to tell who answered.
    prefixes: [String; 2],
    proxy: NginxProxy,
    _dirs: Vec<tempfile::TempDir>,
}

/// Starts the deployment, or says why not (no PostgreSQL for tests).
async fn deploy() -> Option<Deployment> {
    if postgres_base().is_none() {
        eprintln!(
            "SKIPPED: two servers need one PostgreSQL database; set SELFSERVE_TEST_POSTGRES=\
             postgres://USER:PASS@HOST/ (cargo xtask test does) to run this suite"
        );
        return None;
    }
    let dist = tempfile::tempdir().unwrap();
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
    let mut dirs = vec![dist, db_dir];
    let mut start = || {
        let dir = tempfile::tempdir().unwrap();
        // One after the other: the first loads the demo directory, the second finds it loaded.
        let server = ServerProcess::start_on(dirs[0].path(), dir.path(), &database, &env);
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
        _dirs: dirs,
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
    fn browser(&self, source: [u8; 4]) -> reqwest::Client {
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
    fn served_by(&self, response: &reqwest::Response) -> usize {
        let prefix = request_prefix(response).expect("X-Request-Id through nginx");
        self.prefixes
            .iter()
            .position(|p| *p == prefix)
            .unwrap_or_else(|| panic!("{prefix} is neither server's"))
    }

    /// A sign-in through nginx as a browser on the app's page would send it.
    async fn sign_in(&self, browser: &reqwest::Client, password: &str) -> reqwest::Response {
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
fn request_prefix(response: &reqwest::Response) -> Option<String> {
    let id = response.headers().get("x-request-id")?.to_str().ok()?;
    let (prefix, _) = id.rsplit_once('-')?;
    Some(format!("{prefix}-"))
}

#[tokio::test]
async fn a_purchase_over_https_through_nginx_is_served_by_both_servers_on_one_clock() {
    let Some(deployment) = deploy().await else {
        return;
    };
    let started = std::time::Instant::now();
    let browser = deployment.browser(CLIENT_A);
    let mut served = [0_usize; 2];

    // Sign in: only the Secure `__Host-` cookie, over HTTP/2, with HSTS.
    let response = deployment.sign_in(&browser, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200, "sign-in through nginx");
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert!(
        response.headers().contains_key("strict-transport-security"),
        "HSTS behind TLS"
    );
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-selfserve_session="))
        .unwrap_or_else(|| panic!("a __Host- session cookie: {cookies:?}"));
    assert!(session.contains("Secure"), "{session}");
    assert!(
        !cookies.iter().any(|c| c.starts_with("selfserve_session=")),
        "no insecure cookie: {cookies:?}"
    );
    let session_value = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-selfserve_session=")
        .to_owned();
    served[deployment.served_by(&response)] += 1;

    // The app tells the browser where the gateway is: its public origin, not a bind address.
    let response = browser
        .get(format!("{}/api/v1/config", deployment.app_url))
        .send()
        .await
        .unwrap();
    served[deployment.served_by(&response)] += 1;
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["gateway_url"], deployment.gateway_url.as_str());

    // The card goes to the gateway's own origin, through nginx, from the app's page.
    let response = browser
        .post(format!("{}/v1/tokens", deployment.gateway_url))
        .header("Origin", &deployment.app_url)
        .json(
            &json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034,
                      "cvc": "123", "name": "Megan Bowen"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "tokenising through nginx");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        deployment.app_url.as_str(),
        "the gateway admits the app's public origin"
    );
    let token: CardToken = response.json().await.unwrap();

    let response = browser
        .post(format!("{}/api/v1/purchases", deployment.app_url))
        .header("Origin", &deployment.app_url)
        .header("Idempotency-Key", format!("deploy-{}", token.token))
        .json(&json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token.token}))
        .send()
        .await
        .unwrap();
    served[deployment.served_by(&response)] += 1;
    assert_eq!(response.status(), 201, "the purchase through nginx");
    let bought: Subscription = response.json().await.unwrap();
    assert_eq!(bought.quantity, 3);

    // Viewed again and again: whichever server answers, it is the same subscription.
    for _ in 0..6 {
        let response = browser
            .get(format!(
                "{}/api/v1/subscriptions/{}",
                deployment.app_url, bought.id
            ))
            .send()
            .await
            .unwrap();
        served[deployment.served_by(&response)] += 1;
        assert_eq!(response.status(), 200);
        let seen: Subscription = response.json().await.unwrap();
        assert_eq!((seen.id.as_str(), seen.quantity), (bought.id.as_str(), 3));
    }
    assert!(
        served[0] >= 2 && served[1] >= 2,
        "round-robin: both servers answered the buyer: {served:?}"
    );
    eprintln!(
        "requests per server: {served:?}; purchase journey {:?}",
        started.elapsed()
    );

    // The test clock moved through one server is the clock of the other. Straight to each
    // server (the session cookie by hand: it is Secure, and these are plain HTTP on loopback).
    let http = reqwest::Client::new();
    let quote_on = |server: usize| {
        let request = http
            .post(format!(
                "{}/api/v1/subscriptions/{}/seats/quote",
                deployment.servers[server].base, bought.id
            ))
            .header(
                "Cookie",
                format!("__Host-selfserve_session={session_value}"),
            )
            .json(&json!({"quantity": 4}));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "a seat quote");
            response.json::<SeatChangeQuote>().await.unwrap()
        }
    };
    let before = quote_on(1).await;
    let moved: Value = http
        .post(format!(
            "{}/api/v1/test-clock/advance",
            deployment.servers[0].base
        ))
        .json(&json!({"days": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["offset_seconds"], 10 * 86_400);
    let after_on_second = quote_on(1).await;
    let after_on_first = quote_on(0).await;
    assert!(
        after_on_second.subtotal < before.subtotal,
        "the second server prorates for the 10 days the first one moved: {} then {}",
        before.subtotal,
        after_on_second.subtotal
    );
    assert_eq!(
        after_on_second, after_on_first,
        "both servers quote at the same time"
    );
}

#[tokio::test]
async fn sign_in_limits_count_each_client_behind_the_proxy_and_ignore_forged_hops() {
    let Some(deployment) = deploy().await else {
        return;
    };
    let started = std::time::Instant::now();
    let a = deployment.browser(CLIENT_A);
    let b = deployment.browser(CLIENT_B);

    // Client A guesses until the per-account-and-address limit (30 a minute) refuses it. The
    // bucket refills one guess per 2 s while argon2 runs, so a few more may pass first.
    let mut served = BTreeMap::<usize, usize>::new();
    let mut refused = None;
    for attempt in 1..=90 {
        let response = deployment.sign_in(&a, "wrong password").await;
        *served.entry(deployment.served_by(&response)).or_default() += 1;
        match response.status().as_u16() {
            401 => continue,
            429 => {
                assert!(response.headers().contains_key("retry-after"));
                refused = Some(attempt);
                break;
            }
            other => panic!("guess {attempt}: {other}"),
        }
    }
    let refused = refused.expect("client A is throttled within 90 guesses");
    assert!(refused > 30, "30 guesses are allowed, got {refused}");
    assert_eq!(
        served.len(),
        2,
        "both servers counted A's guesses: {served:?}"
    );

    // A's right password is refused too (the limit comes before argon2) …
    let response = deployment.sign_in(&a, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429, "client A stays throttled");
    // … while B, another address nginx vouches for, signs in to the same account.
    let response = deployment.sign_in(&b, DEMO_PASSWORD).await;
    assert_eq!(
        response.status(),
        200,
        "client B is not throttled for A's guesses"
    );

    // A forged X-Forwarded-For buys A no new bucket: through nginx (which appends A's real
    // address, the hop the server believes) …
    let response = a
        .post(format!("{}/api/v1/session", deployment.app_url))
        .header("X-Forwarded-For", "127.0.0.3")
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "a forged hop through nginx");
    // … nor straight to a server, which does not trust A's own address.
    let direct = reqwest::Client::builder()
        .local_address(IpAddr::from(CLIENT_A))
        .build()
        .unwrap();
    let response = direct
        .post(format!("{}/api/v1/session", deployment.servers[1].base))
        .header("X-Forwarded-For", "127.0.0.3")
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some(ErrorCode::TooManyAttempts.as_str())),
        "an untrusted peer's X-Forwarded-For is ignored"
    );
    eprintln!(
        "A refused at guess {refused}; guesses per server {served:?}; {:?}",
        started.elapsed()
    );
}
