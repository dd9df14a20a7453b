//! Money moves once with Stripe as with the built-in gateway: a purchase cut off by a crash
//! after Stripe charged, or before it was asked to, and refunds never past the charge (at the
//! processor seam, and by `invoice refund` on the command line).

use super::{StripeApp, start, start_with};
use selfserve_api::subscription::{InvoiceStatus, OrderPhase, Subscription};
use selfserve_server::fault::CRASH_AT_ENV;
use selfserve_server::payments::{CardProcessor, RefundError, charge_key};
use selfserve_server::stripe::{Secret, Stripe, StripeOptions};
use serde_json::json;
use sqlx::Row;
use std::time::Duration;

use super::support::real_servers::stripe::LocalStripe;

/// Buys 4 seats with a new card while the server aborts at `crash_at`, then restarts it and
/// retries with the same key, as the app does after a network error.
async fn purchase_cut_off_at(crash_at: &str) -> (StripeApp, Subscription) {
    let mut app = start_with(&[(CRASH_AT_ENV, crash_at)]).await;
    let pm = app.payment_method("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 4, "payment_token": pm});
    let cut_off = app
        .megan
        .http
        .post(app.megan.url("/api/v1/purchases"))
        .header("Idempotency-Key", "cut-off-attempt")
        .json(&body)
        .send()
        .await;
    assert!(cut_off.is_err(), "the server dies before answering");
    app.server
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault injection aborted the process");
    app.restart().await;
    let subscription: Subscription = app
        .megan
        .purchase("cut-off-attempt", &body)
        .await
        .expect_as(201, "the retried purchase");
    assert_eq!(subscription.quantity, 4);
    assert_eq!(
        subscription.latest_invoice.as_ref().map(|bill| bill.status),
        Some(InvoiceStatus::Paid)
    );
    (app, subscription)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_cut_off_after_stripe_charged_is_finished_on_restart_and_charged_once() {
    let (app, subscription) = purchase_cut_off_at("charged").await;
    assert_eq!(subscription.orders.len(), 1, "{:?}", subscription.orders);
    assert_eq!(subscription.orders[0].status, OrderPhase::Paid);
    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(log.contains("recovered a paid purchase"), "{log}");
    assert_eq!(app.stripe_charges().await.len(), 1, "charged once");
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_cut_off_before_stripe_was_asked_closes_its_key_and_the_retry_charges_once() {
    let (app, _) = purchase_cut_off_at("order_recorded").await;
    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(
        log.contains("rolled back an order that never charged"),
        "{log}"
    );
    assert_eq!(
        app.stripe_charges().await.len(),
        1,
        "only the retry charged"
    );
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_give_back_at_most_what_was_charged_and_each_key_refunds_once() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app.buy("refund-buy", 2, &pm).await.expect_as(201, "buying");
    let total = bought.latest_invoice.as_ref().unwrap().total;

    // The processor as the server runs it, on the same database and Stripe account: the seam
    // itself (the refund command's runs are below).
    let store = selfserve_server::store::Store::open(&app.database_url)
        .await
        .unwrap();
    let order_id: String = sqlx::query("SELECT id FROM orders WHERE phase = 'paid'")
        .fetch_one(&mut store_connection(&app.database_url).await)
        .await
        .unwrap()
        .get("id");
    let stripe = Stripe::new(
        &StripeOptions {
            secret_key: Secret::new(LocalStripe::SECRET_KEY.into()),
            publishable_key: LocalStripe::PUBLISHABLE_KEY.into(),
            webhook_secret: None,
            api_base: app.stripe.api_base.clone(),
            js_url: app.stripe.stripe_js_url(),
        },
        store,
        selfserve_server::clock::Clock::system(),
    );
    let payments = selfserve_server::payments::Payments::Stripe(stripe);
    let key = charge_key(&order_id);

    let first = payments.refund(&key, 500, "refund-1").await.unwrap();
    assert_eq!((first.amount, first.refunded_total), (500, 500));
    let again = payments.refund(&key, 500, "refund-1").await.unwrap();
    assert_eq!(again.id, first.id, "the same key refunds once");
    assert_eq!(again.refunded_total, 500);
    match payments.refund(&key, total, "refund-2").await {
        Err(RefundError::TooMuch { refundable }) => assert_eq!(refundable, total - 500),
        other => panic!("refunding more than is left: {other:?}"),
    }
    match payments.refund("charge_ord_unknown", 100, "refund-3").await {
        Err(RefundError::NoCharge) => {}
        other => panic!("refunding nothing: {other:?}"),
    }
    let (status, refunds) = app.stripe.get("refunds?limit=100").await;
    assert_eq!(status, 200, "{refunds}");
    let amounts: Vec<i64> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refund| refund["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![500], "one refund at Stripe");
    app.assert_charges_are_paid_orders().await;
}

async fn store_connection(url: &str) -> sqlx::AnyConnection {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions = url.parse().unwrap();
    options
        .connect()
        .await
        .expect("the test reads the database")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_card_is_saved_with_a_setup_intent_and_the_renewal_charges_it() {
    let app = start().await;
    let first = app.payment_method("4242424242424242").await;
    let sub: Subscription = app
        .buy("replace-buy", 1, &first)
        .await
        .expect_as(201, "buying");
    let path = format!("/api/v1/subscriptions/{}/payment-method", sub.id);

    let declined = app.payment_method("4000000000000002").await;
    let error = app
        .megan
        .put(&path, &json!({"payment_token": declined}))
        .await
        .error(402, selfserve_api::error::ErrorCode::CardDeclined);
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));

    let second = app.payment_method("5555555555554444").await;
    let replaced: Subscription = app
        .megan
        .put_as(&path, &json!({"payment_token": second}))
        .await;
    assert_eq!(replaced.payment_method.expect("the new card").last4, "4444");
    let (_, setups) = app.stripe.get("setup_intents?limit=100").await;
    let statuses: Vec<&str> = setups["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|setup| setup["status"].as_str())
        .collect();
    assert!(statuses.contains(&"succeeded"), "{setups}");

    let report = app.megan.advance_days(31).await;
    assert_eq!(report.billing.renewed, 1, "{report:?}");
    let (_, charges) = app.stripe.get("charges?limit=100").await;
    let renewal = charges["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|charge| charge["payment_method"] == second.as_str())
        .cloned();
    assert!(
        renewal.is_some(),
        "the renewal charged the new card: {charges}"
    );
    app.assert_charges_are_paid_orders().await;
}

/// `invoice refund INVOICE_ID ARGS…` as support staff run it: the server's Stripe settings from
/// the same SELFSERVE_* variables (the systemd unit's environment file), plus `extra`.
fn refund_command(
    app: &StripeApp,
    invoice_id: &str,
    args: &[&str],
    extra: &[(&str, &str)],
) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"));
    command
        .args(["invoice", "refund", invoice_id])
        .args(args)
        .envs(super::stripe_env(app.dir.path(), &app.stripe.api_base))
        .env("SELFSERVE_DATABASE", &app.database_url)
        .envs(extra.iter().copied());
    command.output().expect("run the binary")
}

fn said(output: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refund_command_gives_back_part_then_the_rest_at_stripe_once_even_after_a_cut_off() {
    let app = start().await;
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = app
        .buy("cli-refund-buy", 2, &pm)
        .await
        .expect_as(201, "buying");
    let bill = bought.latest_invoice.expect("the paid bill");
    let total = bill.total;

    let mut no_key = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"));
    let no_key = no_key
        .args(["invoice", "refund", &bill.id, "--reason", "x"])
        .env("SELFSERVE_DATABASE", &app.database_url)
        .env_remove("SELFSERVE_STRIPE_SECRET_KEY_FILE")
        .output()
        .unwrap();
    assert!(
        !no_key.status.success()
            && String::from_utf8_lossy(&no_key.stderr).contains("--stripe-secret-key-file"),
        "{}",
        said(&no_key)
    );

    let args = ["--amount", "500", "--reason", "Ticket 9"];
    let cut_off = refund_command(&app, &bill.id, &args, &[(CRASH_AT_ENV, "refunded")]);
    assert!(
        !cut_off.status.success()
            && String::from_utf8_lossy(&cut_off.stderr).contains("test fault injection"),
        "the run dies after Stripe refunded: {}",
        said(&cut_off)
    );
    let again = refund_command(&app, &bill.id, &args, &[]);
    assert!(
        again.status.success()
            && String::from_utf8_lossy(&again.stdout).contains("finished 500 USD"),
        "{}",
        said(&again)
    );
    let rest = refund_command(
        &app,
        &bill.id,
        &["--reason", "Cancelled through support"],
        &[],
    );
    assert!(
        rest.status.success()
            && String::from_utf8_lossy(&rest.stdout)
                .contains(&format!("refunded {} USD", total - 500)),
        "{}",
        said(&rest)
    );
    let more = refund_command(&app, &bill.id, &["--amount", "1", "--reason", "x"], &[]);
    assert!(
        !more.status.success() && String::from_utf8_lossy(&more.stderr).contains("only 0 of"),
        "{}",
        said(&more)
    );

    let (status, refunds) = app.stripe.get("refunds?limit=100").await;
    assert_eq!(status, 200, "{refunds}");
    let mut held: Vec<(String, i64)> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refund| {
            (
                refund["metadata"]["refund_key"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                refund["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    held.sort();
    assert_eq!(
        held,
        vec![
            (format!("refund_{}_1", bill.id), 500),
            (format!("refund_{}_2", bill.id), total - 500),
        ],
        "Stripe holds each refund once, amounts as asked: {refunds}"
    );
    let seen: selfserve_api::subscription::Invoice = app
        .megan
        .get_as(&format!("/api/v1/invoices/{}", bill.id))
        .await;
    assert_eq!(seen.amount_refunded, total);
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_decimal_market_is_charged_in_whole_yen_at_stripe() {
    let app = start().await;
    let haruto =
        super::support::app::Client::new(app.server.base.clone(), app.server.gateway.clone());
    haruto
        .sign_in("haruto@kyototrading.jp")
        .await
        .expect_as::<serde_json::Value>(200, "Haruto signs in");
    let pm = app.payment_method("4242424242424242").await;
    let bought: Subscription = haruto
        .purchase(
            "yen-buy",
            &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": pm}),
        )
        .await
        .expect_as(201, "buying in Japan");
    let bill = bought.latest_invoice.expect("the paid bill");
    assert_eq!(bill.currency.as_str(), "jpy");
    assert_eq!(
        app.stripe_charges().await,
        vec![(bill.total, "jpy".to_owned())],
        "yen have no minor unit, at Stripe as here: {} yen is {} at Stripe",
        bill.total,
        bill.total
    );
    app.assert_charges_are_paid_orders().await;
}
