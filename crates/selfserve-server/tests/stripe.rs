//! Stripe as the card processor: the real server binary with `--payments stripe` against a
//! real Stripe API server (PyPI `localstripe`). The browser's Stripe.js step (card → `pm_…`)
//! is done here through localstripe's API directly (`POST /v1/payment_methods` with a test card
//! number), as Stripe.js would do it against Stripe; the server only ever sees the `pm_…` id.
//! Every test ends by checking that the succeeded charges at Stripe are our paid orders, amount
//! and currency, one for one.

#[path = "stripe/abandoned.rs"]
mod abandoned;
#[path = "stripe/events.rs"]
mod events;
#[path = "stripe/money.rs"]
mod money;
mod support;
#[path = "stripe/three_d_secure.rs"]
mod three_d_secure;
#[path = "stripe/webhooks.rs"]
mod webhooks;

use selfserve_api::error::ErrorCode;
use selfserve_api::subscription::{InvoiceStatus, OrderKind, Subscription, SubscriptionStatus};
use serde_json::{Value, json};
use sqlx::Row;
use support::app::{Client, fresh_database};
use support::process::ServerProcess;
use support::real_servers::stripe::LocalStripe;

/// The webhook endpoint's signing secret, shared with localstripe.
const WEBHOOK_SECRET: &str = "whsec_selfserve_test";

/// The server binary in Stripe mode, its database, and the Stripe server it talks to.
struct StripeApp {
    stripe: LocalStripe,
    server: ServerProcess,
    /// Signed in as the demo's Megan.
    megan: Client,
    database_url: String,
    dir: tempfile::TempDir,
    dist: tempfile::TempDir,
}

async fn start() -> StripeApp {
    start_with(&[]).await
}

/// The server's Stripe settings, every flag from its SELFSERVE_* variable as the systemd
/// unit's environment file gives them.
fn stripe_env(dir: &std::path::Path, api_base: &str) -> Vec<(&'static str, String)> {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    vec![
        ("SELFSERVE_PAYMENTS", "stripe".into()),
        (
            "SELFSERVE_STRIPE_SECRET_KEY_FILE",
            path("stripe-secret-key"),
        ),
        (
            "SELFSERVE_STRIPE_PUBLISHABLE_KEY",
            LocalStripe::PUBLISHABLE_KEY.into(),
        ),
        ("SELFSERVE_STRIPE_API_BASE", api_base.to_owned()),
        (
            "SELFSERVE_STRIPE_WEBHOOK_SECRET_FILE",
            path("stripe-webhook-secret"),
        ),
        // Each test's database has this one server: on PostgreSQL too, a restart settles every
        // order the last run left unfinished at once.
        (selfserve_server::server::SOLE_SERVER_ENV, "1".into()),
    ]
}

/// Starts the binary in Stripe mode on `url`, with `extra` environment, and signs Megan in.
async fn serve(
    dir: &std::path::Path,
    dist: &std::path::Path,
    url: &str,
    api_base: &str,
    extra: &[(&str, &str)],
) -> (ServerProcess, Client) {
    let env = stripe_env(dir, api_base);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    let server = ServerProcess::start_on(dist, dir, url, &env);
    let megan = Client::new(server.base.clone(), server.gateway.clone());
    megan
        .sign_in("megan@contoso.com")
        .await
        .expect_as::<Value>(200, "Megan signs in");
    (server, megan)
}

async fn start_with(extra: &[(&str, &str)]) -> StripeApp {
    let stripe = LocalStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stripe-secret-key"),
        format!("{}\n", LocalStripe::SECRET_KEY),
    )
    .unwrap();
    std::fs::write(dir.path().join("stripe-webhook-secret"), WEBHOOK_SECRET).unwrap();
    let database_url = fresh_database(dir.path()).await;
    let (server, megan) = serve(
        dir.path(),
        dist.path(),
        &database_url,
        &stripe.api_base,
        extra,
    )
    .await;
    StripeApp {
        stripe,
        server,
        megan,
        database_url,
        dir,
        dist,
    }
}

impl StripeApp {
    /// Starts the binary again on the same database (the last one exited or was killed).
    async fn restart(&mut self) {
        let (server, megan) = serve(
            self.dir.path(),
            self.dist.path(),
            &self.database_url,
            &self.stripe.api_base,
            &[],
        )
        .await;
        self.server = server;
        self.megan = megan;
    }

    /// A client signed in as Contoso's global admin.
    async fn admin(&self) -> Client {
        let admin = Client::new(self.server.base.clone(), self.server.gateway.clone());
        admin
            .sign_in("admin@contoso.com")
            .await
            .expect_as::<Value>(200, "the admin signs in");
        admin
    }

    /// What Stripe.js does with the card form: a PaymentMethod from a test card number.
    async fn payment_method(&self, number: &str) -> String {
        let (status, pm) = self
            .stripe
            .post(
                "payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", number),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2034"),
                    ("card[cvc]", "123"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{pm}");
        pm["id"].as_str().unwrap().to_owned()
    }

    async fn buy(&self, key: &str, quantity: u32, pm: &str) -> support::app::Reply {
        self.megan
            .purchase(
                key,
                &json!({"product": "power-bi-pro", "quantity": quantity, "payment_token": pm}),
            )
            .await
    }

    /// Succeeded charges at Stripe, as (amount, currency), sorted.
    async fn stripe_charges(&self) -> Vec<(i64, String)> {
        let (status, list) = self.stripe.get("charges?limit=100").await;
        assert_eq!(status, 200, "{list}");
        let mut charges: Vec<_> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|charge| charge["status"] == "succeeded")
            .map(|charge| {
                (
                    charge["amount"].as_i64().unwrap(),
                    charge["currency"].as_str().unwrap().to_ascii_lowercase(),
                )
            })
            .collect();
        charges.sort();
        charges
    }

    /// How many webhook events of `kind` the server stored.
    async fn stored_events(&self, kind: &str) -> i64 {
        use sqlx::ConnectOptions;
        sqlx::any::install_default_drivers();
        let options: sqlx::any::AnyConnectOptions = self.database_url.parse().unwrap();
        let mut db = options
            .connect()
            .await
            .expect("the test reads the database");
        sqlx::query("SELECT COUNT(*) FROM stripe_events WHERE type = $1")
            .bind(kind)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    /// `POST /webhooks/stripe` with `body` and a `Stripe-Signature` header, if any.
    async fn webhook(&self, body: &str, signature: Option<String>) -> support::app::Reply {
        let mut request = self
            .megan
            .http
            .post(format!("{}/webhooks/stripe", self.server.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        support::app::Reply::read(request.send().await.unwrap()).await
    }

    /// Paid orders that charged a card, as (amount, currency), sorted.
    async fn paid_orders(&self) -> Vec<(i64, String)> {
        use sqlx::ConnectOptions;
        sqlx::any::install_default_drivers();
        let options: sqlx::any::AnyConnectOptions = self.database_url.parse().unwrap();
        let mut db = options
            .connect()
            .await
            .expect("the test reads the database");
        let rows = sqlx::query(
            "SELECT amount, currency FROM orders WHERE phase = 'paid' \
             AND payment_source IS NOT NULL ORDER BY amount, currency",
        )
        .fetch_all(&mut db)
        .await
        .unwrap();
        let mut orders: Vec<_> = rows
            .iter()
            .map(|row| {
                (
                    row.get::<i64, _>("amount"),
                    row.get::<String, _>("currency"),
                )
            })
            .collect();
        orders.sort();
        orders
    }

    /// The end of every test: money at Stripe is exactly our paid orders, and the secret key
    /// is nowhere in the server's log.
    async fn assert_charges_are_paid_orders(&self) {
        assert_eq!(
            self.stripe_charges().await,
            self.paid_orders().await,
            "Stripe's succeeded charges vs our paid orders"
        );
        let log = std::fs::read_to_string(&self.server.log).unwrap();
        assert!(
            !log.contains(LocalStripe::SECRET_KEY),
            "the secret key was logged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_charges_the_payment_method_once_and_a_replay_answers_the_first_response() {
    let app = start().await;
    let config: Value = app
        .megan
        .get("/api/v1/config")
        .await
        .expect_as(200, "config");
    assert_eq!(config["processor"], "stripe");
    assert_eq!(
        config["stripe_publishable_key"],
        LocalStripe::PUBLISHABLE_KEY
    );
    // Stripe.js comes from Stripe unless the flag says otherwise.
    assert_eq!(config["stripe_js_url"], "https://js.stripe.com/v3/");
    assert!(
        !config.to_string().contains(LocalStripe::SECRET_KEY),
        "only the publishable key reaches the browser: {config}"
    );

    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app.buy("stripe-buy", 2, &pm).await.expect_as(201, "buying");
    assert_eq!(bought.status, SubscriptionStatus::Active);
    let invoice = bought.latest_invoice.as_ref().expect("the purchase's bill");
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    let card = bought.payment_method.as_ref().expect("the card on file");
    assert_eq!(card.last4, "4242");
    assert_eq!(
        app.stripe_charges().await,
        vec![(
            invoice.total,
            invoice.currency.as_str().to_ascii_lowercase()
        )]
    );

    // The same Idempotency-Key again: the first answer, no second charge.
    let replay: Subscription = app
        .buy("stripe-buy", 2, &pm)
        .await
        .expect_as(201, "replaying");
    assert_eq!(replay.id, bought.id);
    assert_eq!(
        app.stripe_charges().await.len(),
        1,
        "one charge for one purchase"
    );

    // The PaymentMethod now belongs to Megan's Customer, so it can be charged off session.
    let (_, attached) = app.stripe.get(&format!("payment_methods/{pm}")).await;
    let customer = attached["customer"]
        .as_str()
        .expect("attached to a customer");
    assert!(customer.starts_with("cus_"), "{attached}");
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cards_are_402_card_declined_and_charge_nothing() {
    let app = start().await;
    // Declined when attached to the customer (localstripe's card_declined test card).
    let declined = app.payment_method("4000000000000002").await;
    let error = app
        .buy("stripe-declined", 1, &declined)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
    // Attached fine, declined when charged.
    let fails_charges = app.payment_method("4000000000000341").await;
    let error = app
        .buy("stripe-declined-charge", 1, &fails_charges)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
    assert!(app.stripe_charges().await.is_empty(), "nothing charged");
    // Not a PaymentMethod at all.
    app.buy("stripe-bogus", 1, "pm_doesnotexist")
        .await
        .error(400, ErrorCode::InvalidToken);

    // Another card then goes through.
    let good = app.payment_method("4242424242424242").await;
    app.buy("stripe-after-decline", 1, &good)
        .await
        .expect_as::<Subscription>(201, "buying with another card");
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_whose_bank_asks_for_3d_secure_gets_402_authentication_required_with_next_action() {
    let app = start().await;
    let pm = app.payment_method("4000002500003155").await;
    let error = app
        .buy("stripe-3ds", 1, &pm)
        .await
        .error(402, ErrorCode::AuthenticationRequired);
    let next = error.next_action.expect("how to authenticate");
    assert_eq!(next.kind, "three_d_secure");
    // Stripe.js answers it with the PaymentIntent's client secret (see three_d_secure.rs).
    assert!(next.challenge_id.starts_with("pi_"), "{next:?}");
    let (_, intent) = app
        .stripe
        .get(&format!("payment_intents/{}", next.challenge_id))
        .await;
    assert_eq!(intent["status"], "requires_action", "{intent}");
    assert_eq!(intent["payment_method"], pm.as_str());
    assert!(app.stripe_charges().await.is_empty(), "nothing charged");
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seat_increases_and_renewals_charge_the_saved_card_off_session() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let sub: Subscription = app.buy("stripe-buy", 2, &pm).await.expect_as(201, "buying");
    let path = |tail: &str| format!("/api/v1/subscriptions/{}{tail}", sub.id);

    let more: Subscription = app
        .megan
        .post_with_key_as(&path("/seats"), "stripe-more", &json!({"quantity": 5}))
        .await;
    assert_eq!(more.quantity, 5);
    assert!(
        more.orders
            .iter()
            .any(|order| order.kind == OrderKind::SeatIncrease),
        "{:?}",
        more.orders
    );
    assert_eq!(
        more.latest_invoice.as_ref().map(|bill| bill.status),
        Some(InvoiceStatus::Paid)
    );

    let report = app.megan.advance_days(31).await;
    assert_eq!(report.billing.renewed, 1, "{report:?}");
    let renewed: Subscription = app.megan.get_as(&path("")).await;
    assert_eq!(renewed.status, SubscriptionStatus::Active);
    assert!(renewed.current_period_end > sub.current_period_end);
    assert_eq!(
        renewed
            .latest_invoice
            .as_ref()
            .map(|bill| (bill.status, bill.total)),
        Some((InvoiceStatus::Paid, 7000)),
        "five seats renewed"
    );

    // Purchase, increase and renewal: three charges of one card of one Customer.
    let (_, charges) = app.stripe.get("charges?limit=100").await;
    let charges = charges["data"].as_array().unwrap().clone();
    assert_eq!(charges.len(), 3, "{charges:?}");
    for charge in &charges {
        assert_eq!(charge["payment_method"], pm.as_str(), "{charge}");
        assert_eq!(charge["customer"], charges[0]["customer"], "{charge}");
    }
    app.assert_charges_are_paid_orders().await;
}

#[test]
fn stripe_mode_refuses_to_start_without_its_keys_or_with_a_secret_key_as_publishable() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("refused.db").display());
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--gateway-listen",
                "127.0.0.1:0",
            ])
            .args(["--database", &database, "--payments", "stripe"])
            .args(extra)
            .output()
            .unwrap()
    };
    let missing = run(&[]);
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("--stripe-secret-key-file"), "{stderr}");

    let key_file = dir.path().join("key");
    std::fs::write(&key_file, "pk_test_not_a_secret").unwrap();
    let swapped = run(&[
        "--stripe-secret-key-file",
        key_file.to_str().unwrap(),
        "--stripe-publishable-key",
        "sk_test_oops",
    ]);
    assert!(!swapped.status.success());
    let stderr = String::from_utf8_lossy(&swapped.stderr);
    assert!(stderr.contains("pk_"), "{stderr}");
    assert!(
        !stderr.contains("sk_test_oops"),
        "a secret key is never echoed: {stderr}"
    );

    let wrong_file = run(&[
        "--stripe-secret-key-file",
        key_file.to_str().unwrap(),
        "--stripe-publishable-key",
        "pk_test_fine",
    ]);
    assert!(!wrong_file.status.success());
    let stderr = String::from_utf8_lossy(&wrong_file.stderr);
    assert!(
        stderr.contains("does not hold a Stripe secret key"),
        "{stderr}"
    );
    assert!(!stderr.contains("pk_test_not_a_secret"), "{stderr}");
}
