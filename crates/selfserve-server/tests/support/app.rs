//! `spawn_app`: a real server (both listeners) on `127.0.0.1:0` with its own database, and
//! clients that speak to it in the wire crate's types.
//!
//! - [`Client`]: one browser (its own cookie jar). Requests answer a [`Reply`]; the `*_as`
//!   helpers assert the success status and decode the body into a `selfserve_api` type, and
//!   [`Reply::error`] asserts an error envelope with its status and code.
//! - [`TestApp`]: the server plus the test's own client (it derefs to it).
//! - [`User`]: `app.as_user(email)`, a client of its own signed in as a demo user.

use selfserve_api::card::CardToken;
use selfserve_api::session::SessionUser;
use selfserve_api::subscription::Subscription;
use selfserve_api::{ApiError, ErrorBody, ErrorCode};
use selfserve_server::server::{self, RunningServer, ServeOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::ops::Deref;

/// A running server for one test, with a client that keeps cookies.
pub struct TestApp {
    pub server: RunningServer,
    client: Client,
    pub dir: tempfile::TempDir,
    /// The database the server uses (a fresh SQLite file, or a fresh PostgreSQL database).
    pub database_url: String,
}

/// The test's own client: `app.get(…)`, `app.sign_in(…)` and so on.
impl Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// `SELFSERVE_TEST_POSTGRES=postgres://USER:PASS@HOST/` runs every test on its own new
/// PostgreSQL database instead of a SQLite file.
pub fn postgres_base() -> Option<String> {
    std::env::var("SELFSERVE_TEST_POSTGRES")
        .ok()
        .map(|base| base.trim_end_matches('/').to_owned())
}

/// A connection to the cluster's `postgres` database, for creating and blocking test databases.
async fn postgres_admin(base: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("PostgreSQL for tests")
}

/// A fresh database for one test: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Some(base) = postgres_base() else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
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
    let mut admin = postgres_admin(&base).await;
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
    /// `--secure-cookies`.
    pub secure_cookies: bool,
    /// `--public-url`.
    pub public_url: Option<&'static str>,
    /// `--trusted-proxy` ranges.
    pub trusted_proxies: Vec<&'static str>,
    /// `--smtp-url` (with `--mail-from shop@selfserve.test`); else `.eml` files in the temp
    /// dir's `outbox/`.
    pub smtp_url: Option<String>,
    /// `--allow-private-webhook-targets` (the admin webhook suites' receivers are local).
    pub allow_private_webhook_targets: bool,
    /// `--seller-name`, `--terms-url`, `--privacy-url`.
    pub seller: selfserve_server::seller::Seller,
    /// Frozen throttle clock, argon2 bound.
    pub tuning: server::Tuning,
}

/// A server with the demo directory loaded.
///
/// The server runs on the test's runtime. A test that runs the command line while it is up
/// (`Command::output()` blocks its thread) uses the multi-thread runtime: on a current-thread
/// one the server stops while the test waits, and a write transaction it had open would hold
/// SQLite's write lock against the command until its busy timeout.
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
        secure_cookies: options.secure_cookies,
        public_url: options
            .public_url
            .map(|url| selfserve_server::http::site::Origin::parse(url).unwrap()),
        gateway_public_url: None,
        trusted_proxies: options
            .trusted_proxies
            .iter()
            .map(|range| range.parse().unwrap())
            .collect(),
        processor: selfserve_server::payments::ProcessorOptions::Builtin,
        mail: selfserve_server::notifications::sender::MailOptions::from_args(
            options.smtp_url.as_deref(),
            None,
            Some("shop@selfserve.test"),
            dir.path().join("outbox"),
        )
        .expect("mail options"),
        webhook_targets: selfserve_server::admin_webhooks::WebhookTargets::from_flag(
            options.allow_private_webhook_targets,
        ),
        seller: options.seller,
        tuning: options.tuning,
    })
    .await
    .expect("server starts");
    let client = Client::new(
        format!("http://{}", server.addr),
        format!("http://{}", server.gateway_addr),
    );
    TestApp {
        server,
        client,
        dir,
        database_url,
    }
}

/// The demo directory's password.
pub const DEMO_PASSWORD: &str = "selfserve-demo";

impl TestApp {
    /// Whether this test runs on SQLite (some tests read the database file itself).
    pub fn on_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Another browser with an empty cookie jar.
    pub fn new_client(&self) -> Client {
        Client::new(self.base.clone(), self.gateway.clone())
    }

    /// A browser of its own, signed in as the demo user `email`.
    pub async fn as_user(&self, email: &str) -> User {
        let client = self.new_client();
        let me = client
            .sign_in(email)
            .await
            .expect_as::<SessionUser>(200, &format!("{email} signs in"));
        User { client, me }
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

    /// Takes the database away from the running server, as an outage would.
    ///
    /// On PostgreSQL that is a real outage: the database refuses new connections and every
    /// connection the server holds is ended. A SQLite database is a file the server keeps open,
    /// and `SELECT 1` never reads it, so nothing done to the file is seen; there the server's
    /// own pool is closed instead.
    pub async fn take_database_away(&self) {
        if self.on_sqlite() {
            self.server.store.close().await;
            return;
        }
        let base = postgres_base().expect("a PostgreSQL test run");
        let name = self.postgres_database_name();
        let mut admin = postgres_admin(&base).await;
        // Refuse new connections first, so the pool cannot reconnect between the two steps.
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
            .execute(&mut admin)
            .await
            .expect("block connections to the test database");
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut admin)
        .await
        .expect("end the server's connections");
    }

    /// Ends the outage of [`Self::take_database_away`] on PostgreSQL.
    pub async fn bring_postgres_database_back(&self) {
        let base = postgres_base().expect("a PostgreSQL test run");
        let name = self.postgres_database_name();
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
            .execute(&mut postgres_admin(&base).await)
            .await
            .expect("allow connections to the test database again");
    }

    fn postgres_database_name(&self) -> &str {
        let name = self.database_url.rsplit('/').next().unwrap_or_default();
        // It is spliced into SQL (a database name cannot be a bound parameter).
        assert!(
            name.starts_with("selfserve_test_")
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{name}"
        );
        name
    }
}

/// One browser: its own cookie jar, talking to the app's API and to its card gateway.
#[derive(Clone)]
pub struct Client {
    /// For requests the helpers below do not cover (headers, raw bodies, other clients).
    pub http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, where the app and the API answer.
    pub base: String,
    /// The card gateway's origin.
    pub gateway: String,
}

impl Client {
    /// A browser with an empty cookie jar for the server at `base` and its gateway.
    pub fn new(base: String, gateway: String) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        Self {
            http,
            base,
            gateway,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `method path`, with a JSON body and an `Idempotency-Key` when given.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Reply::read(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None, None).await
    }

    /// POST `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &impl Serialize) -> Reply {
        let body = serde_json::to_value(body).unwrap();
        self.send(reqwest::Method::POST, path, Some(&body), None)
            .await
    }

    /// POST `body` with an idempotency key.
    pub async fn post_with_key(&self, path: &str, key: &str, body: &impl Serialize) -> Reply {
        let body = serde_json::to_value(body).unwrap();
        self.send(reqwest::Method::POST, path, Some(&body), Some(key))
            .await
    }

    pub async fn put(&self, path: &str, body: &impl Serialize) -> Reply {
        let body = serde_json::to_value(body).unwrap();
        self.send(reqwest::Method::PUT, path, Some(&body), None)
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(reqwest::Method::DELETE, path, None, None).await
    }

    /// GET `path`, which must answer 200 with a `T`.
    pub async fn get_as<T: DeserializeOwned>(&self, path: &str) -> T {
        self.get(path).await.expect_as(200, &format!("GET {path}"))
    }

    /// POST `body` to `path`, which must answer 200 with a `T`.
    pub async fn post_as<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> T {
        self.post(path, body)
            .await
            .expect_as(200, &format!("POST {path}"))
    }

    /// POST `body` to `path`, which must create something: 201 with a `T`.
    pub async fn create_as<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> T {
        self.post(path, body)
            .await
            .expect_as(201, &format!("POST {path}"))
    }

    /// POST `body` with an idempotency key; it must answer 200 with a `T`.
    pub async fn post_with_key_as<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        body: &impl Serialize,
    ) -> T {
        self.post_with_key(path, key, body)
            .await
            .expect_as(200, &format!("POST {path} ({key})"))
    }

    /// PUT `body` to `path`, which must answer 200 with a `T`.
    pub async fn put_as<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> T {
        self.put(path, body)
            .await
            .expect_as(200, &format!("PUT {path}"))
    }

    /// DELETE `path`, which must answer 200 with a `T`.
    pub async fn delete_as<T: DeserializeOwned>(&self, path: &str) -> T {
        self.delete(path)
            .await
            .expect_as(200, &format!("DELETE {path}"))
    }

    /// Signs `email` in on this client.
    pub async fn sign_in(&self, email: &str) -> Reply {
        self.post(
            "/api/v1/session",
            &json!({"email": email, "password": DEMO_PASSWORD}),
        )
        .await
    }

    /// A single-use token for a test card, from the gateway (as the browser would get it).
    pub async fn token(&self, number: &str) -> String {
        let response = self
            .http
            .post(format!("{}/v1/tokens", self.gateway))
            .json(&json!({
                "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123",
                "name": "Test Buyer"
            }))
            .send()
            .await
            .unwrap();
        Reply::read(response)
            .await
            .expect_as::<CardToken>(200, &format!("tokenising {number}"))
            .token
    }

    /// `POST /purchases` with an idempotency key.
    pub async fn purchase(&self, key: &str, body: &Value) -> Reply {
        self.post_with_key("/api/v1/purchases", key, body).await
    }

    /// Buys `quantity` seats of Power BI Pro with the 4242 card as whoever is signed in.
    pub async fn buy(&self, quantity: u32) -> Subscription {
        let token = self.token("4242424242424242").await;
        self.purchase(
            &format!("buy-{quantity}-{token}"),
            &json!({"product": "power-bi-pro", "quantity": quantity, "payment_token": token}),
        )
        .await
        .expect_as(201, "buying Power BI Pro")
    }

    /// Moves the server's clock forward; returns what billing did.
    pub async fn advance_days(&self, days: i64) -> ClockAdvanced {
        self.post_as("/api/v1/test-clock/advance", &json!({"days": days}))
            .await
    }
}

/// The answer of `POST /test-clock/advance`. The wire crate has no type for it: the test
/// clock exists for tests and demos only.
#[derive(Debug, serde::Deserialize)]
pub struct ClockAdvanced {
    /// The server's time now (unix seconds).
    pub now: i64,
    /// What the billing run did.
    pub billing: BillingRun,
}

/// Counts of what one billing run did.
#[derive(Debug, serde::Deserialize)]
pub struct BillingRun {
    pub renewed: u32,
    pub failed: u32,
    pub expired: u32,
    pub suspended: u32,
    /// Reminders written (renewal in 7 days, trial ending).
    pub reminded: u32,
    /// Daily digests of admin notices planned.
    pub digests: u32,
}

/// A client of its own, signed in as one demo user (see [`TestApp::as_user`]).
pub struct User {
    client: Client,
    /// Who it is signed in as, as `POST /session` answered.
    pub me: SessionUser,
}

impl Deref for User {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// A response, read whole: its status, headers and the body as sent.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body exactly as it came (byte-for-byte comparisons use this).
    pub text: String,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text)
    }
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Self {
            status,
            headers,
            text,
        }
    }

    /// The body as untyped JSON, for assertions about the raw shape itself.
    #[track_caller]
    pub fn json(&self) -> Value {
        match serde_json::from_str(&self.text) {
            Ok(json) => json,
            Err(_) => panic!("body is not JSON: {self:?}"),
        }
    }

    /// Asserts `status` and decodes the body as a `T`; `what` names the request in a failure.
    #[track_caller]
    pub fn expect_as<T: DeserializeOwned>(&self, status: u16, what: &str) -> T {
        assert_eq!(self.status, status, "{what}: {self:?}");
        self.decode(what)
    }

    /// Asserts 200 and decodes the body as a `T`.
    #[track_caller]
    pub fn ok<T: DeserializeOwned>(&self) -> T {
        self.expect_as(200, "the request")
    }

    /// Decodes the body as a `T`, naming the field that does not fit if it fails.
    #[track_caller]
    pub fn decode<T: DeserializeOwned>(&self, what: &str) -> T {
        let mut json = serde_json::Deserializer::from_str(&self.text);
        match serde_path_to_error::deserialize(&mut json) {
            Ok(value) => value,
            Err(error) => panic!(
                "{what}: the body is not a {}: {error}: {self:?}",
                std::any::type_name::<T>()
            ),
        }
    }

    /// Asserts that this is the error envelope with `status` and `code`; returns its details.
    #[track_caller]
    pub fn error(&self, status: u16, code: ErrorCode) -> ErrorBody {
        assert_eq!(self.status, status, "{self:?}");
        let error: ApiError = self.decode("an error");
        assert_error(self.status, &error, status, code);
        error.error
    }

    /// Whether this is the error envelope with `status` and `code` (for counting outcomes of
    /// concurrent requests).
    pub fn is_error(&self, status: u16, code: ErrorCode) -> bool {
        self.status == status
            && serde_json::from_str::<ApiError>(&self.text).is_ok_and(|e| e.error.code == code)
    }
}

/// Asserts that `error`, answered with `status`, is `expected_status` with `code` and a message.
#[track_caller]
pub fn assert_error(status: u16, error: &ApiError, expected_status: u16, code: ErrorCode) {
    assert_eq!(status, expected_status, "{error:?}");
    assert_eq!(error.error.code, code, "{error:?}");
    assert!(
        !error.error.message.is_empty(),
        "envelope needs a message: {error:?}"
    );
}
