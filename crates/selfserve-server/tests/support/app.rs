//! `spawn_app`: a real server (both listeners) on `127.0.0.1:0` with its own database file.

use selfserve_server::server::{self, RunningServer, ServeOptions};
use serde_json::Value;

/// A running server for one test, with a client that keeps cookies.
pub struct TestApp {
    pub server: RunningServer,
    pub base: String,
    pub gateway: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The database the server uses (a fresh SQLite file, or a fresh PostgreSQL database).
    pub database_url: String,
}

/// `SELFSERVE_TEST_POSTGRES=postgres://USER:PASS@HOST/` runs every test on its own new
/// PostgreSQL database instead of a SQLite file.
async fn fresh_database(dir: &std::path::Path) -> String {
    let Ok(base) = std::env::var("SELFSERVE_TEST_POSTGRES") else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    // The creation time in the name lets `cargo xtask test` drop what crashed runs left
    // without touching the databases of a run still going on in another checkout.
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let name = format!(
        "selfserve_test_{created}_{}",
        selfserve_server::ids::new_secret()[..12].to_ascii_lowercase()
    );
    let base = base.trim_end_matches('/');
    let mut admin = sqlx::AnyConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("PostgreSQL for tests");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    format!("{base}/{name}")
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct Spawn {
    /// Load the demo directory.
    pub demo: bool,
    /// Write this `index.html` (and a fingerprinted asset) into a dist directory.
    pub index_html: Option<&'static str>,
    /// Start without `--test-clock`.
    pub no_test_clock: bool,
}

/// A server with the demo directory loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await
}

pub async fn spawn_app_with(options: Spawn) -> TestApp {
    // Server logs appear with a failing test's output (libtest captures them otherwise).
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,selfserve_server=info")
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    if let Some(html) = options.index_html {
        std::fs::write(dist.join("index.html"), html).unwrap();
        std::fs::write(dist.join("app-0123456789abcdef.js"), "export {};").unwrap();
    }
    let database_url = fresh_database(dir.path()).await;
    let server = server::start(ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        gateway_listen: "127.0.0.1:0".parse().unwrap(),
        database: database_url.clone(),
        dist,
        demo: options.demo,
        test_clock: !options.no_test_clock,
        secure_cookies: false,
    })
    .await
    .expect("server starts");
    let base = format!("http://{}", server.addr);
    let gateway = format!("http://{}", server.gateway_addr);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        server,
        base,
        gateway,
        client,
        dir,
        database_url,
    }
}

impl TestApp {
    /// Whether this test runs on SQLite (some tests read the database file itself).
    pub fn on_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`, returning status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        status_and_json(response).await
    }

    /// POST `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        status_and_json(response).await
    }
}

pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
    (status, json)
}

/// Asserts that `body` is the error envelope with `code`.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "envelope needs a message: {body}"
    );
}

/// The demo directory's password.
pub const DEMO_PASSWORD: &str = "selfserve-demo";

impl TestApp {
    /// A second client with its own cookie jar (another person in another browser).
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    /// Signs `email` in on this app's client.
    pub async fn sign_in(&self, email: &str) -> (u16, Value) {
        self.post(
            "/api/v1/session",
            &serde_json::json!({"email": email, "password": DEMO_PASSWORD}),
        )
        .await
    }

    /// A single-use token for a test card, from the gateway (as the browser would get it).
    pub async fn token(&self, number: &str) -> String {
        let response = self
            .client
            .post(format!("{}/v1/tokens", self.gateway))
            .json(&serde_json::json!({
                "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123",
                "name": "Test Buyer"
            }))
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 200, "tokenising {number}: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// `POST /purchases` with an idempotency key; returns status, parsed and raw body.
    pub async fn purchase(&self, key: &str, body: &Value) -> (u16, Value, String) {
        let response = self
            .client
            .post(self.url("/api/v1/purchases"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let raw = response.text().await.unwrap();
        let json = serde_json::from_str(&raw).unwrap_or(Value::Null);
        (status, json, raw)
    }

    /// Signs `email` in and buys `quantity` seats of Power BI Pro with the 4242 card.
    pub async fn buy(&self, email: &str, quantity: u32) -> Value {
        let (status, body) = self.sign_in(email).await;
        assert_eq!(status, 200, "{body}");
        let token = self.token("4242424242424242").await;
        let (status, body, _) = self
            .purchase(
                &format!("buy-{email}-{quantity}-{token}"),
                &serde_json::json!({"product": "power-bi-pro", "quantity": quantity,
                                    "payment_token": token}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }
}

impl TestApp {
    /// Moves the server's clock forward; returns the billing report.
    pub async fn advance_days(&self, days: i64) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/test-clock/advance",
                &serde_json::json!({"days": days}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// `POST path` with an idempotency key.
    pub async fn post_with_key(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        status_and_json(response).await
    }

    /// `PUT path`.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        status_and_json(response).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let response = self.client.delete(self.url(path)).send().await.unwrap();
        status_and_json(response).await
    }

    /// Sets a product's policy for an organisation, as the operator would from the command
    /// line (the change is audited as `CLI`).
    pub async fn set_policy(&self, organization_id: &str, product: &str, value: &str) {
        selfserve_server::services::admin::policies::change(
            &self.server.services,
            &selfserve_server::access::Actor::Operator,
            organization_id,
            product.parse().unwrap(),
            value.parse().unwrap(),
        )
        .await
        .unwrap();
    }

    /// The id of the user with this email.
    pub async fn user_id(&self, email: &str) -> String {
        self.server
            .store
            .user_by_email(email)
            .await
            .unwrap()
            .unwrap()
            .id
    }
}
