//! 3-D Secure with Stripe: a PaymentIntent that comes back `requires_action` is 402
//! `authentication_required` whose `next_action` carries the intent's client secret for
//! Stripe.js; the buyer authenticates in Stripe.js and pays again with a new key, and that
//! attempt settles the same intent, so the card is charged once.
//!
//! DRIVEN THROUGH LOCALSTRIPE'S API: the browser's step (`stripe.confirmCardPayment(secret)`)
//! is what localstripe's Stripe.js stand-in does itself: `POST
//! /v1/payment_intents/{id}/_authenticate?success=…` with the publishable key and the client
//! secret (never the secret key). The test makes that same request.

use super::StripeApp;
use super::start;
use super::support::real_servers::stripe::LocalStripe;
use selfserve_api::error::{ErrorCode, NextAction};
use selfserve_api::subscription::{Subscription, SubscriptionStatus};
use sqlx::Row;

/// localstripe's card whose bank asks for 3-D Secure on every payment.
pub(super) const THREE_D_SECURE_CARD: &str = "4000002760003184";

/// What Stripe.js does after the bank's page: the intent authenticated (or failed) with the
/// publishable key and the client secret.
pub(super) async fn authenticate_in_stripe_js(
    app: &StripeApp,
    next: &NextAction,
    success: bool,
) -> String {
    let secret = next
        .client_secret
        .as_deref()
        .expect("the client secret for Stripe.js");
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/payment_intents/{}/_authenticate?success={success}",
            app.stripe.api_base, next.challenge_id
        ))
        .json(&serde_json::json!({
            "key": LocalStripe::PUBLISHABLE_KEY,
            "client_secret": secret,
        }))
        .send()
        .await
        .expect("localstripe answers");
    assert_eq!(response.status().as_u16(), 200);
    let intent: serde_json::Value = response.json().await.unwrap();
    intent["status"].as_str().unwrap().to_owned()
}

/// Every stored response body, and how many PaymentIntents Stripe holds.
async fn stored_bodies_and_intents(app: &StripeApp) -> (Vec<String>, usize) {
    use sqlx::ConnectOptions;
    sqlx::any::install_default_drivers();
    let options: sqlx::any::AnyConnectOptions = app.database_url.parse().unwrap();
    let mut db = options.connect().await.unwrap();
    let bodies = sqlx::query("SELECT response_body FROM idempotency_keys")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .filter_map(|row| row.get::<Option<String>, _>("response_body"))
        .collect();
    let (status, intents) = app.stripe.get("payment_intents?limit=100").await;
    assert_eq!(status, 200, "{intents}");
    (bodies, intents["data"].as_array().unwrap().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_that_passes_3d_secure_in_stripe_js_is_charged_once_and_its_secret_is_never_stored()
{
    let app = start().await;
    let pm = app.payment_method(THREE_D_SECURE_CARD).await;
    let first = app.buy("stripe-3ds-1", 3, &pm).await;
    let next = first
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_eq!(next.kind, "three_d_secure");
    assert!(next.challenge_id.starts_with("pi_"), "{next:?}");
    let secret = next
        .client_secret
        .clone()
        .expect("the intent's client secret");
    assert!(
        secret.starts_with(&format!("{}_secret_", next.challenge_id)),
        "{secret}"
    );

    // The replay is the first response byte for byte, the secret included, though the stored
    // response holds none: it is read from Stripe for each response.
    let replay = app.buy("stripe-3ds-1", 3, &pm).await;
    assert_eq!((replay.status, &replay.text), (402, &first.text));
    let (bodies, intents) = stored_bodies_and_intents(&app).await;
    assert!(
        bodies.iter().any(|body| body.contains(&next.challenge_id)),
        "the stored response names the intent: {bodies:?}"
    );
    assert!(
        !bodies.iter().any(|body| body.contains("_secret_")),
        "a client secret was stored: {bodies:?}"
    );
    assert_eq!(intents, 1);
    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(!log.contains(&secret), "the client secret was logged");

    assert_eq!(
        authenticate_in_stripe_js(&app, &next, true).await,
        "succeeded"
    );
    // Paying again, with a new key as after the built-in gateway's challenge, settles the
    // intent the buyer authenticated instead of making another.
    let bought: Subscription = app
        .buy("stripe-3ds-2", 3, &pm)
        .await
        .expect_as(201, "paying after 3-D Secure");
    assert_eq!(bought.status, SubscriptionStatus::Active);
    assert_eq!(bought.quantity, 3);
    let (_, intents) = stored_bodies_and_intents(&app).await;
    assert_eq!(intents, 1, "one PaymentIntent for one purchase");
    assert_eq!(app.stripe_charges().await.len(), 1);
    // The first key gave its intent to the second: closed, so a webhook for the intent (a
    // refund, a dispute) finds the paid order's key, and recovery cannot settle the first
    // order from it too.
    let mut db = super::events::db(&app).await;
    let keys: Vec<(String, Option<String>)> =
        sqlx::query("SELECT state, intent_id FROM stripe_charges ORDER BY state")
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get("state"), row.get("intent_id")))
            .collect();
    assert_eq!(
        keys,
        [
            ("closed".to_owned(), None),
            ("open".to_owned(), Some(next.challenge_id.clone()))
        ]
    );
    // A replay of the paying request gives the subscription again, charging nothing.
    app.buy("stripe-3ds-2", 3, &pm)
        .await
        .expect_as::<Subscription>(201, "replaying the payment");
    app.assert_charges_are_paid_orders().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_3d_secure_is_declined_authentication_failed_and_charges_nothing() {
    let app = start().await;
    let pm = app.payment_method(THREE_D_SECURE_CARD).await;
    let next = app
        .buy("stripe-3ds-fail-1", 1, &pm)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_eq!(
        authenticate_in_stripe_js(&app, &next, false).await,
        "requires_payment_method"
    );
    let declined = app
        .buy("stripe-3ds-fail-2", 1, &pm)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(
        declined.decline_code.as_deref(),
        Some("authentication_failed")
    );
    assert!(app.stripe_charges().await.is_empty(), "nothing charged");
    app.assert_charges_are_paid_orders().await;
}

/// What localstripe's Stripe.js stand-in does in `confirmCardSetup` once its bank page is
/// answered: `POST /v1/setup_intents/{id}/confirm` (passed) or `/cancel` (failed) with the
/// publishable key and the client secret. localstripe has no `_authenticate` for SetupIntents;
/// this is what it supports. Returns the SetupIntent's status.
async fn confirm_card_setup_in_stripe_js(app: &StripeApp, next: &NextAction, pass: bool) -> String {
    let secret = next
        .client_secret
        .as_deref()
        .expect("the client secret for Stripe.js");
    let step = if pass { "confirm" } else { "cancel" };
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/setup_intents/{}/{step}",
            app.stripe.api_base, next.challenge_id
        ))
        .json(&serde_json::json!({
            "key": LocalStripe::PUBLISHABLE_KEY,
            "use_stripe_sdk": true,
            "client_secret": secret,
        }))
        .send()
        .await
        .expect("localstripe answers");
    assert_eq!(response.status().as_u16(), 200);
    let setup: serde_json::Value = response.json().await.unwrap();
    setup["status"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_card_whose_bank_asks_for_3d_secure_is_confirmed_in_stripe_js_then_kept() {
    let app = start().await;
    let first = app.payment_method("4242424242424242").await;
    let sub: Subscription = app
        .buy("setup-3ds-buy", 1, &first)
        .await
        .expect_as(201, "buying");
    let path = format!("/api/v1/subscriptions/{}/payment-method", sub.id);

    let card = app.payment_method(THREE_D_SECURE_CARD).await;
    let body = serde_json::json!({"payment_token": card});
    let next = app
        .megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_eq!(next.kind, "three_d_secure");
    assert!(next.challenge_id.starts_with("seti_"), "{next:?}");
    let secret = next
        .client_secret
        .clone()
        .expect("the SetupIntent's secret");
    assert!(
        secret.starts_with(&format!("{}_secret_", next.challenge_id)),
        "{secret}"
    );
    // Sent again before the check: the same SetupIntent, still waiting; no card kept.
    let again = app
        .megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("the same check");
    assert_eq!(again.challenge_id, next.challenge_id);
    let still: Subscription = app
        .megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(still.payment_method.expect("the old card").last4, "4242");

    assert_eq!(
        confirm_card_setup_in_stripe_js(&app, &next, true).await,
        "succeeded"
    );
    let replaced: Subscription = app.megan.put_as(&path, &body).await;
    assert_eq!(replaced.payment_method.expect("the new card").last4, "3184");
    let (_, setups) = app.stripe.get("setup_intents?limit=100").await;
    assert_eq!(
        setups["data"].as_array().unwrap().len(),
        1,
        "one SetupIntent: {setups}"
    );

    // One whose check fails is declined `authentication_failed`; the card on file stays.
    let other = app.payment_method("4000002500003155").await;
    let body = serde_json::json!({"payment_token": other});
    let next = app
        .megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_eq!(
        confirm_card_setup_in_stripe_js(&app, &next, false).await,
        "canceled"
    );
    let declined = app
        .megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(
        declined.decline_code.as_deref(),
        Some("authentication_failed")
    );
    let kept: Subscription = app
        .megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(kept.payment_method.expect("the card on file").last4, "3184");

    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(!log.contains(&secret), "the client secret was logged");
    app.assert_charges_are_paid_orders().await;
}
