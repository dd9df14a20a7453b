//! Webhook events acted on: an intent's outcome settles an order left open (through the
//! recovery), a refund made in Stripe's dashboard is recorded on the bill, a dispute marks the
//! subscription for its admins. localstripe neither sends `charge.refunded` nor disputes, so
//! those events are signed here as Stripe signs them, around localstripe's real objects.

use super::webhooks::{signature, unix_now};
use super::{StripeApp, WEBHOOK_SECRET, start, start_with, stripe_env};
use selfserve_api::List;
use selfserve_api::admin::AuditEntry;
use selfserve_api::error::ErrorCode;
use selfserve_api::subscription::{Invoice, Subscription};
use selfserve_server::fault::CRASH_AT_ENV;
use serde_json::{Value, json};
use sqlx::Row;
use std::time::Duration;

pub(super) async fn db(app: &StripeApp) -> sqlx::AnyConnection {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions = app.database_url.parse().unwrap();
    options
        .connect()
        .await
        .expect("the test reads the database")
}

/// The PaymentIntent of the (only) charge key that has one.
async fn intent_id(app: &StripeApp) -> String {
    sqlx::query("SELECT intent_id FROM stripe_charges WHERE intent_id IS NOT NULL")
        .fetch_one(&mut db(app).await)
        .await
        .unwrap()
        .get("intent_id")
}

/// Sends `object` as a signed event `id` of type `kind`.
pub(super) async fn send(
    app: &StripeApp,
    id: &str,
    kind: &str,
    object: &Value,
) -> support::app::Reply {
    let body = json!({"id": id, "type": kind, "data": {"object": object}}).to_string();
    app.webhook(&body, Some(signature(WEBHOOK_SECRET, unix_now(), &body)))
        .await
}

use super::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_made_in_stripes_dashboard_is_recorded_on_the_bill_once() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app
        .buy("dash-refund", 2, &pm)
        .await
        .expect_as(201, "buying");
    let bill = bought.latest_invoice.expect("the bill");
    let intent = intent_id(&app).await;

    // As someone would in Stripe's dashboard: a refund this server never asked for.
    let (status, refund) = app
        .stripe
        .post("refunds", &[("payment_intent", &intent), ("amount", "300")])
        .await;
    assert_eq!(status, 200, "{refund}");
    let (_, charges) = app.stripe.get("charges?limit=100").await;
    let charge = charges["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|charge| charge["payment_intent"] == intent.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("the intent's charge: {charges}"));
    assert_eq!(charge["amount_refunded"], 300, "{charge}");

    let first: Value = send(&app, "evt_refund_1", "charge.refunded", &charge)
        .await
        .expect_as(200, "charge.refunded");
    assert_eq!(first["repeat"], false);
    // Stripe delivers the same event again, and another event reporting the same total.
    let again: Value = send(&app, "evt_refund_1", "charge.refunded", &charge)
        .await
        .expect_as(200, "the same event");
    assert_eq!(again["repeat"], true);
    send(&app, "evt_refund_2", "charge.refunded", &charge)
        .await
        .expect_as::<Value>(200, "the same total again");

    let seen: Invoice = app
        .megan
        .get_as(&format!("/api/v1/invoices/{}", bill.id))
        .await;
    assert_eq!(seen.amount_refunded, 300, "recorded once");
    let admin = app.admin().await;
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=refunded").await;
    assert_eq!(log.data.len(), 1, "{:?}", log.data);
    assert_eq!(log.data[0].after.as_ref().unwrap()["amount"], 300);
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_marks_the_subscription_for_the_organisations_admins_once() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app.buy("dispute", 2, &pm).await.expect_as(201, "buying");
    let total = bought.latest_invoice.as_ref().unwrap().total;
    let intent = intent_id(&app).await;
    let dispute = json!({
        "id": "dp_selfserve_1", "object": "dispute", "amount": total, "currency": "usd",
        "payment_intent": intent, "reason": "fraudulent", "status": "needs_response",
    });

    let no_intent = json!({"id": "dp_selfserve_2", "object": "dispute", "amount": total});
    send(&app, "evt_dispute_0", "charge.dispute.created", &no_intent)
        .await
        .error(400, ErrorCode::InvalidRequest);

    for event in ["evt_dispute_1", "evt_dispute_2"] {
        send(&app, event, "charge.dispute.created", &dispute)
            .await
            .expect_as::<Value>(200, "charge.dispute.created");
    }
    let admin = app.admin().await;
    let list: List<Subscription> = admin
        .get_as("/api/v1/admin/subscriptions?organization=contoso.com")
        .await;
    let marked = list
        .data
        .iter()
        .find(|sub| sub.id == bought.id)
        .expect("the subscription");
    let seen = marked.dispute.as_ref().expect("marked disputed");
    assert_eq!(seen.amount, total);
    assert_eq!(seen.outcome, None, "open");
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=disputed").await;
    assert_eq!(log.data.len(), 1, "recorded once: {:?}", log.data);
    assert_eq!(app.stored_events("charge.dispute.created").await, 2);

    // Decided: lost, then a late `won` for the same dispute changes nothing (closed once).
    let mut lost = dispute.clone();
    lost["status"] = "lost".into();
    send(&app, "evt_dispute_3", "charge.dispute.closed", &lost)
        .await
        .expect_as::<Value>(200, "charge.dispute.closed");
    let mut won = dispute.clone();
    won["status"] = "won".into();
    send(&app, "evt_dispute_4", "charge.dispute.closed", &won)
        .await
        .expect_as::<Value>(200, "a second close");
    let decided: Subscription = admin
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    assert_eq!(
        decided.dispute.expect("still marked").outcome,
        Some(selfserve_api::subscription::DisputeOutcome::Lost),
        "the admins' note says how it ended"
    );
    assert_eq!(app.stored_events("charge.dispute.closed").await, 2);
    app.assert_charges_are_paid_orders().await;
}

/// Stripe does not promise the order of its deliveries: a dispute's close that comes first
/// records the dispute with how it ended, and the late `created` leaves it decided.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_closed_before_it_was_created_is_recorded_decided() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app
        .buy("early-close", 2, &pm)
        .await
        .expect_as(201, "buying");
    let total = bought.latest_invoice.as_ref().unwrap().total;
    let intent = intent_id(&app).await;
    let dispute = json!({
        "id": "dp_selfserve_early", "object": "dispute", "amount": total, "currency": "usd",
        "payment_intent": intent, "reason": "fraudulent", "status": "won",
    });
    send(&app, "evt_early_close", "charge.dispute.closed", &dispute)
        .await
        .expect_as::<Value>(200, "charge.dispute.closed first");
    let mut opened = dispute.clone();
    opened["status"] = "needs_response".into();
    send(&app, "evt_late_open", "charge.dispute.created", &opened)
        .await
        .expect_as::<Value>(200, "charge.dispute.created late");
    let admin = app.admin().await;
    let decided: Subscription = admin
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    let note = decided.dispute.expect("marked disputed");
    assert_eq!(note.amount, total);
    assert_eq!(
        note.outcome,
        Some(selfserve_api::subscription::DisputeOutcome::Won),
        "the admins' note says how it ended"
    );
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=disputed").await;
    assert_eq!(log.data.len(), 1, "recorded once: {:?}", log.data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_intent_succeeded_settles_a_purchase_whose_server_died_after_stripe_charged() {
    let mut app = start_with(&[(CRASH_AT_ENV, "charged")]).await;
    let pm = app.payment_method("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 3, "payment_token": pm});
    let cut_off = app
        .megan
        .http
        .post(app.megan.url("/api/v1/purchases"))
        .header("Idempotency-Key", "webhook-settles")
        .json(&body)
        .send()
        .await;
    assert!(cut_off.is_err(), "the server dies before answering");
    app.server
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault injection aborted the process");

    // One of several servers on PostgreSQL comes up: the order is too recent for its start-up
    // recovery (another server might still be settling it). A SQLite server owns the file, so
    // its start-up settles it at once, and the event finds nothing left to do.
    let env: Vec<(&str, String)> = stripe_env(app.dir.path(), &app.stripe.api_base)
        .into_iter()
        .filter(|(name, _)| *name != selfserve_server::server::SOLE_SERVER_ENV)
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.server = support::process::ServerProcess::start_on(
        app.dist.path(),
        app.dir.path(),
        &app.database_url,
        &env,
    );
    let on_postgres = app.database_url.starts_with("postgres");
    let phase = || async {
        sqlx::query("SELECT phase FROM orders")
            .fetch_one(&mut db(&app).await)
            .await
            .unwrap()
            .get::<String, _>("phase")
    };
    assert_eq!(
        phase().await,
        if on_postgres { "created" } else { "paid" },
        "before the event"
    );

    let intent = intent_id(&app).await;
    let (_, object) = app.stripe.get(&format!("payment_intents/{intent}")).await;
    assert_eq!(object["status"], "succeeded", "{object}");
    send(&app, "evt_intent_1", "payment_intent.succeeded", &object)
        .await
        .expect_as::<Value>(200, "payment_intent.succeeded");
    assert_eq!(phase().await, "paid", "settled by the event");
    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(log.contains("recovered a paid purchase"), "{log}");

    let megan = support::app::Client::new(app.server.base.clone(), app.server.gateway.clone());
    megan
        .sign_in("megan@contoso.com")
        .await
        .expect_as::<Value>(200, "Megan signs in");
    let retried: Subscription = megan
        .purchase("webhook-settles", &body)
        .await
        .expect_as(201, "the retry gets the settled purchase");
    assert_eq!(retried.quantity, 3);
    app.megan = megan;
    assert_eq!(app.stripe_charges().await.len(), 1, "charged once");
    app.assert_charges_are_paid_orders().await;
}
