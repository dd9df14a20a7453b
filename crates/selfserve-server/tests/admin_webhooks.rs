//! Admin webhooks reach the organisation's own tool: a receiver started here (the
//! organisation's side, a small real HTTP server) records what arrives and checks the
//! `Selfserve-Signature` with its own HMAC code and the secret it was shown once. A purchase is
//! delivered once, signed and fresh, and only to its organisation; a receiver answering 500
//! twice gets the same event id three times; deliveries pending when the server is SIGKILLed
//! arrive after the restart. On PostgreSQL too (`SELFSERVE_TEST_POSTGRES`).

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use selfserve_api::admin::{CreatedWebhookEndpoint, WebhookEndpoint};
use selfserve_api::subscription::Subscription;
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::app::{Client, Spawn, fresh_database, spawn_app_with};
use support::process::ServerProcess;

/// One request as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    content_type: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// Requests seen per event id (to fail the first ones of each).
    per_event: BTreeMap<String, usize>,
}

/// The organisation's receiver: answers 500 to the first `failures` requests of each event id,
/// then 200.
#[derive(Clone)]
struct Receiver {
    log: Arc<Mutex<Log>>,
    url: String,
}

impl Receiver {
    async fn start(failures: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, failures)
    }

    async fn start_on(port: u16, failures: usize) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        Self::serve(listener, failures)
    }

    fn serve(listener: tokio::net::TcpListener, failures: usize) -> Self {
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Log::default()));
        let state = (log.clone(), failures);
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(take))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { log, url }
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    /// Waits until `done` holds for what arrived.
    async fn wait_until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(Instant::now() < deadline, "{what}: got {received:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn take(
    State((log, failures)): State<(Arc<Mutex<Log>>, usize)>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let id = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut log = log.lock().unwrap();
    log.received.push(Received {
        signature: header("selfserve-signature"),
        content_type: header("content-type"),
        body,
    });
    let seen = log.per_event.entry(id).or_default();
    *seen += 1;
    if *seen <= failures {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// The receiver's own check, written from the documented scheme (not the server's code): the
/// timestamp if some `v1` is HMAC-SHA256(secret, "{t}.{body}").
fn verify(secret: &str, header: &str, body: &str) -> Option<i64> {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=')? {
            ("t", value) => t = value.parse::<i64>().ok(),
            ("v1", value) => v1.push(hex::decode(value).ok()?),
            _ => {}
        }
    }
    let t = t?;
    let ok = v1.iter().any(|sig| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        mac.verify_slice(sig).is_ok()
    });
    ok.then_some(t)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `(event kind, endpoint id, status, attempts)` of every delivery.
async fn deliveries(url: &str) -> Vec<(String, String, String, i64, bool)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url)
        .await
        .expect("the test database");
    let rows = sqlx::query(
        "SELECT e.kind, d.endpoint_id, d.status, d.attempts, d.lease_until \
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id ORDER BY d.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.iter()
        .map(|row| {
            let lease: Option<i64> = row.try_get("lease_until").unwrap();
            (
                row.try_get("kind").unwrap(),
                row.try_get("endpoint_id").unwrap(),
                row.try_get("status").unwrap(),
                row.try_get("attempts").unwrap(),
                lease.is_some(),
            )
        })
        .collect()
}

type Rows = [(String, String, String, i64, bool)];

async fn wait_for_deliveries(
    url: &str,
    what: &str,
    done: impl Fn(&Rows) -> bool,
) -> Vec<(String, String, String, i64, bool)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = deliveries(url).await;
        if done(&rows) {
            return rows;
        }
        assert!(Instant::now() < deadline, "{what}: deliveries are {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The id of the only event of `kind`.
async fn event_id(url: &str, kind: &str) -> String {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM events WHERE kind = $1")
        .bind(kind)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(ids.len(), 1, "one {kind} event: {ids:?}");
    ids[0].clone()
}

/// `selfserve-server org webhook ARGS… --database URL`: its stdout, or a panic with stderr.
fn cli(args: &[&str], database: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args(["org", "webhook"])
        .args(args)
        .args(["--database", database])
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn buy(client: &Client, quantity: u32) -> Subscription {
    let token = client.token("4242424242424242").await;
    client
        .purchase(
            &format!("hooks-{token}"),
            &json!({"product": "power-bi-pro", "quantity": quantity, "payment_token": token}),
        )
        .await
        .expect_as(201, "buying Power BI Pro")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_is_delivered_signed_and_fresh_to_its_organisation_only() {
    let app = spawn_app_with(Spawn {
        demo: true,
        allow_private_webhook_targets: true,
        ..Spawn::default()
    })
    .await;
    let contoso_tool = Receiver::start(0).await;
    let fabrikam_tool = Receiver::start(0).await;

    // Global admins only; https, or http to this machine only.
    let billing = app.as_user("billing@contoso.com").await;
    let refused = billing
        .post("/api/v1/admin/webhooks", &json!({"url": contoso_tool.url}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json()["error"]["code"], "admin_required");
    let admin = app.as_user("admin@contoso.com").await;
    let plain = admin
        .post(
            "/api/v1/admin/webhooks",
            &json!({"url": "http://hooks.contoso.com/in"}),
        )
        .await;
    assert_eq!(plain.status, 400, "{}", plain.text);
    assert_eq!(plain.json()["error"]["code"], "invalid_request");
    assert_eq!(plain.json()["error"]["field"], "url");

    let created: CreatedWebhookEndpoint = admin
        .post("/api/v1/admin/webhooks", &json!({"url": contoso_tool.url}))
        .await
        .expect_as(201, "registering an endpoint");
    assert!(created.secret.starts_with("whsec_"), "{}", created.secret);
    let listed = admin.get("/api/v1/admin/webhooks").await;
    assert_eq!(listed.status, 200);
    assert!(
        !listed.text.contains(&created.secret),
        "the secret is shown once"
    );
    let endpoints: Vec<WebhookEndpoint> =
        serde_json::from_value(listed.json()["data"].clone()).unwrap();
    assert_eq!(endpoints, vec![created.endpoint.clone()]);

    // The other organisation's endpoint, from the command line: the secret is the last line.
    let added = cli(
        &[
            "add",
            "--org",
            "fabrikam.nl",
            "--url",
            &fabrikam_tool.url,
            "--allow-private-webhook-targets",
        ],
        &app.database_url,
    );
    let fabrikam_secret = added.lines().last().unwrap().to_owned();
    assert!(fabrikam_secret.starts_with("whsec_"), "{added}");
    let fabrikam_endpoint = added.split_whitespace().nth(1).unwrap().to_owned();
    let listing = cli(&["list", "--org", "fabrikam.nl"], &app.database_url);
    assert!(
        listing.contains(&fabrikam_endpoint) && !listing.contains("whsec_"),
        "{listing}"
    );

    let megan = app.as_user("megan@contoso.com").await;
    let started = Instant::now();
    let sub = buy(&megan, 3).await;
    let purchase_id = event_id(&app.database_url, "purchase").await;
    let received = contoso_tool
        .wait_until("the purchase", |r| {
            r.iter().any(|m| m.json()["id"] == purchase_id.as_str())
        })
        .await;
    println!("purchase to its webhook received: {:?}", started.elapsed());
    let rows = wait_for_deliveries(&app.database_url, "all delivered", |rows| {
        !rows.is_empty()
            && rows
                .iter()
                .all(|(_, _, status, _, _)| status == "delivered")
    })
    .await;
    // Planned in the event's own transaction: no row for Fabrikam now means none ever.
    assert!(
        rows.iter()
            .all(|(_, endpoint, _, _, _)| *endpoint == created.endpoint.id),
        "{rows:?}"
    );
    assert!(fabrikam_tool.received().is_empty());

    let purchases: Vec<&Received> = received
        .iter()
        .filter(|m| m.json()["type"] == "purchase")
        .collect();
    assert_eq!(purchases.len(), 1, "{received:?}");
    let delivery = purchases[0];
    let body = delivery.json();
    assert_eq!(body["id"], purchase_id.as_str());
    assert_eq!(body["data"]["subscription_id"], sub.id.as_str());
    assert_eq!(body["data"]["product"], "power-bi-pro");
    assert_eq!(delivery.content_type, "application/json");
    let t = verify(&created.secret, &delivery.signature, &delivery.body)
        .unwrap_or_else(|| panic!("a valid signature: {}", delivery.signature));
    assert!((unix_now() - t).abs() <= 60, "fresh timestamp: {t}");

    // A tampered body, or another organisation's secret, does not verify (here and in the
    // verifier the server documents).
    let tampered = delivery
        .body
        .replace("\"power-bi-pro\"", "\"power-apps-per-user\"");
    assert_ne!(tampered, delivery.body);
    assert_eq!(
        verify(&created.secret, &delivery.signature, &tampered),
        None
    );
    assert_eq!(
        verify(&fabrikam_secret, &delivery.signature, &delivery.body),
        None
    );
    assert_eq!(
        selfserve_server::admin_webhooks::verify(
            &created.secret,
            &delivery.signature,
            &tampered,
            unix_now(),
            300
        ),
        Err(selfserve_server::admin_webhooks::VerifyError::Mismatch)
    );
    assert_eq!(
        selfserve_server::admin_webhooks::verify(
            &created.secret,
            &delivery.signature,
            &delivery.body,
            unix_now(),
            300
        ),
        Ok(t)
    );

    // Removed: gone from the list, a second removal is not found.
    let path = format!("/api/v1/admin/webhooks/{}", created.endpoint.id);
    assert_eq!(admin.delete(&path).await.status, 200);
    assert_eq!(admin.delete(&path).await.status, 404);
    let after: Value = admin.get("/api/v1/admin/webhooks").await.json();
    assert_eq!(after["data"], json!([]));
    cli(
        &["remove", "--org", "fabrikam.nl", &fabrikam_endpoint],
        &app.database_url,
    );
    assert_eq!(
        cli(&["list", "--org", "fabrikam.nl"], &app.database_url),
        ""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_answering_500_twice_gets_the_same_event_until_it_takes_it() {
    let app = spawn_app_with(Spawn {
        demo: true,
        allow_private_webhook_targets: true,
        ..Spawn::default()
    })
    .await;
    let tool = Receiver::start(2).await;
    let admin = app.as_user("admin@contoso.com").await;
    let created: CreatedWebhookEndpoint = admin
        .post("/api/v1/admin/webhooks", &json!({"url": tool.url}))
        .await
        .expect_as(201, "registering an endpoint");
    let megan = app.as_user("megan@contoso.com").await;
    let started = Instant::now();
    buy(&megan, 2).await;
    let purchase_id = event_id(&app.database_url, "purchase").await;
    let received = tool
        .wait_until("three attempts", |r| {
            r.iter()
                .filter(|m| m.json()["id"] == purchase_id.as_str())
                .count()
                >= 3
        })
        .await;
    println!("two 500s then taken: {:?}", started.elapsed());
    let attempts: Vec<&Received> = received
        .iter()
        .filter(|m| m.json()["id"] == purchase_id.as_str())
        .collect();
    assert_eq!(attempts.len(), 3);
    for attempt in &attempts {
        assert_eq!(attempt.body, attempts[0].body, "the same bytes every time");
        assert!(verify(&created.secret, &attempt.signature, &attempt.body).is_some());
    }
    let rows = wait_for_deliveries(&app.database_url, "purchase delivered", |rows| {
        rows.iter()
            .any(|(kind, _, status, _, _)| kind == "purchase" && status == "delivered")
    })
    .await;
    let purchase = rows.iter().find(|(kind, ..)| kind == "purchase").unwrap();
    assert_eq!(purchase.3, 3, "{rows:?}");
}

/// The receivers here are on this machine: allowed only by the deployment flag.
const PRIVATE_TARGETS: &[(&str, &str)] = &[("SELFSERVE_ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")];

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_pending_when_the_server_is_killed_arrive_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let url = fresh_database(dir.path()).await;
    let mut server = ServerProcess::start_on(&dist, dir.path(), &url, PRIVATE_TARGETS);
    let port = free_port();
    let added = cli(
        &[
            "add",
            "--org",
            "contoso.com",
            "--url",
            &format!("http://127.0.0.1:{port}/hooks"),
            "--allow-private-webhook-targets",
        ],
        &url,
    );
    let secret = added.lines().last().unwrap().to_owned();
    let megan = Client::new(server.base.clone(), server.gateway.clone());
    assert_eq!(megan.sign_in("megan@contoso.com").await.status, 200);
    buy(&megan, 2).await;
    buy(&megan, 4).await;
    // Each tried against the closed port and waiting for its retry: pending, not leased.
    let pending = wait_for_deliveries(&url, "pending after a failed attempt", |rows| {
        rows.iter().filter(|(kind, ..)| kind == "purchase").count() == 2
            && rows.iter().all(|(_, _, status, attempts, leased)| {
                status == "pending" && *attempts >= 1 && !leased
            })
    })
    .await;
    server.group.kill();

    let tool = Receiver::start_on(port, 0).await;
    let restarted = Instant::now();
    let _server = ServerProcess::start_on(&dist, dir.path(), &url, PRIVATE_TARGETS);
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let planned: BTreeSet<String> = sqlx::query_scalar("SELECT event_id FROM webhook_deliveries")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    pool.close().await;
    assert_eq!(planned.len(), pending.len());
    let received = tool
        .wait_until("every pending event", |r| {
            let ids: BTreeSet<String> = r
                .iter()
                .map(|m| m.json()["id"].as_str().unwrap().to_owned())
                .collect();
            ids == planned
        })
        .await;
    println!(
        "restart to {} pending deliveries received: {:?}",
        planned.len(),
        restarted.elapsed()
    );
    for delivery in &received {
        assert!(verify(&secret, &delivery.signature, &delivery.body).is_some());
    }
    wait_for_deliveries(&url, "all delivered", |rows| {
        rows.iter()
            .all(|(_, _, status, _, _)| status == "delivered")
    })
    .await;
}

/// `last_error` of every delivery.
async fn last_errors(url: &str) -> Vec<Option<String>> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let errors = sqlx::query_scalar("SELECT last_error FROM webhook_deliveries ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_targets_are_refused_at_registration_and_at_delivery_without_the_flag() {
    let app = spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await;
    let admin = app.as_user("admin@contoso.com").await;
    for url in [
        "http://hooks.contoso.com/in",
        "https://127.0.0.1/in",
        "https://10.0.0.1/in",
        "https://[::1]/in",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/in",
        "https://[fe80::1]/in",
        "https://localhost/in",
    ] {
        let refused = admin
            .post("/api/v1/admin/webhooks", &json!({"url": url}))
            .await;
        assert_eq!(refused.status, 400, "{url}: {}", refused.text);
        let body = refused.json();
        assert_eq!(body["error"]["code"], "invalid_request", "{url}");
        assert_eq!(body["error"]["field"], "url", "{url}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("https://") || message.contains("internal address"),
            "{url}: {message}"
        );
    }
    let listed: Value = admin.get("/api/v1/admin/webhooks").await.json();
    assert_eq!(listed["data"], json!([]));

    // The command line refuses the same without the flag.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args(["org", "webhook", "add", "--org", "contoso.com", "--url"])
        .arg("https://127.0.0.1/in")
        .args(["--database", &app.database_url])
        .env_remove("SELFSERVE_ALLOW_PRIVATE_WEBHOOK_TARGETS")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("internal address"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Registered while allowed (by the operator, with the flag), then delivered by this server
    // without it: the name resolves to loopback, so nothing is posted.
    let tool = Receiver::start(0).await;
    let port = tool
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    cli(
        &[
            "add",
            "--org",
            "contoso.com",
            "--url",
            &format!("https://localhost:{port}/hooks"),
            "--allow-private-webhook-targets",
        ],
        &app.database_url,
    );
    let megan = app.as_user("megan@contoso.com").await;
    buy(&megan, 1).await;
    wait_for_deliveries(&app.database_url, "an attempt refused", |rows| {
        rows.iter().any(|(_, _, _, attempts, _)| *attempts >= 1)
    })
    .await;
    let errors = last_errors(&app.database_url).await;
    assert!(
        errors
            .iter()
            .flatten()
            .any(|e| e.contains("address refused")),
        "{errors:?}"
    );
    assert!(tool.received().is_empty(), "nothing reached loopback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_receives_only_the_event_kinds_it_chose() {
    let app = spawn_app_with(Spawn {
        demo: true,
        allow_private_webhook_targets: true,
        ..Spawn::default()
    })
    .await;
    let admin = app.as_user("admin@contoso.com").await;
    let seats_tool = Receiver::start(0).await;
    let purchase_tool = Receiver::start(0).await;

    let unknown = admin
        .post(
            "/api/v1/admin/webhooks",
            &json!({"url": seats_tool.url, "events": ["purchase", "bought_a_yacht"]}),
        )
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(unknown.json()["error"]["code"], "invalid_request");
    let empty = admin
        .post(
            "/api/v1/admin/webhooks",
            &json!({"url": seats_tool.url, "events": []}),
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.text);
    assert_eq!(empty.json()["error"]["field"], "events");

    let seats: CreatedWebhookEndpoint = admin
        .post(
            "/api/v1/admin/webhooks",
            &json!({"url": seats_tool.url, "events": ["seats_changed"]}),
        )
        .await
        .expect_as(201, "an endpoint for seat changes");
    let added = cli(
        &[
            "add",
            "--org",
            "contoso.com",
            "--url",
            &purchase_tool.url,
            "--events",
            "purchase,purchase",
            "--allow-private-webhook-targets",
        ],
        &app.database_url,
    );
    let purchase_endpoint = added.split_whitespace().nth(1).unwrap().to_owned();
    let endpoints: Vec<WebhookEndpoint> =
        serde_json::from_value(admin.get("/api/v1/admin/webhooks").await.json()["data"].clone())
            .unwrap();
    // Both made in the same second: found by id, not by order.
    let events_of = |id: &str| {
        endpoints
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.events.clone())
    };
    use selfserve_api::admin::AuditAction;
    assert_eq!(endpoints.len(), 2);
    assert_eq!(
        events_of(&seats.endpoint.id),
        Some(Some(vec![AuditAction::SeatsChanged]))
    );
    assert_eq!(
        events_of(&purchase_endpoint),
        Some(Some(vec![AuditAction::Purchase])),
        "repeated kinds count once"
    );
    assert!(endpoints.iter().all(|e| e.last_delivery.is_none()));

    let megan = app.as_user("megan@contoso.com").await;
    buy(&megan, 2).await;
    let purchase_id = event_id(&app.database_url, "purchase").await;
    purchase_tool
        .wait_until("the purchase", |r| {
            r.iter().any(|m| m.json()["id"] == purchase_id.as_str())
        })
        .await;
    // Planned in the event's transaction: the purchase has no row for the seats endpoint.
    let rows = deliveries(&app.database_url).await;
    assert!(
        rows.iter()
            .all(|(kind, endpoint, ..)| kind == "purchase" && *endpoint == purchase_endpoint),
        "{rows:?}"
    );
    assert!(seats_tool.received().is_empty());
    wait_for_deliveries(&app.database_url, "delivered", |rows| {
        rows.iter()
            .all(|(_, _, status, _, _)| status == "delivered")
    })
    .await;
    let endpoints: Vec<WebhookEndpoint> =
        serde_json::from_value(admin.get("/api/v1/admin/webhooks").await.json()["data"].clone())
            .unwrap();
    let last = endpoints
        .iter()
        .find(|e| e.id == purchase_endpoint)
        .and_then(|e| e.last_delivery.clone())
        .expect("a last delivery");
    assert_eq!(
        last.status,
        selfserve_api::admin::WebhookDeliveryStatus::Delivered
    );
    assert!(
        endpoints
            .iter()
            .find(|e| e.id == seats.endpoint.id)
            .unwrap()
            .last_delivery
            .is_none()
    );
}
