//! 3-D Secure intents nobody paid with: the buyer passes (or leaves) the bank's check in
//! Stripe.js and never pays again. Past the hour the reconciliation gives the money back once
//! (or cancels the intent before any moved), on the test clock's move, at start-up and on the
//! server's tick alike; a `payment_intent.succeeded` for it makes no subscription.
//!
//! DRIVEN THROUGH LOCALSTRIPE'S API: the browser's 3-D Secure step, as in three_d_secure.rs.

use super::events::{db, send};
use super::three_d_secure::{THREE_D_SECURE_CARD, authenticate_in_stripe_js};
use super::{StripeApp, start, start_with};
use selfserve_api::error::{ErrorCode, NextAction};
use selfserve_server::fault::CRASH_AT_ENV;
use sqlx::Row;
use std::time::Duration;

/// A purchase whose bank asks for 3-D Secure: the 402's next action.
async fn challenged(app: &StripeApp, key: &str) -> NextAction {
    let pm = app.payment_method(THREE_D_SECURE_CARD).await;
    app.buy(key, 2, &pm)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate")
}

/// Succeeded charges at Stripe less what was refunded of them, as (amount, currency), sorted;
/// fully refunded ones left out.
async fn net_charges(app: &StripeApp) -> Vec<(i64, String)> {
    let (status, list) = app.stripe.get("charges?limit=100").await;
    assert_eq!(status, 200, "{list}");
    let mut net: Vec<_> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|charge| charge["status"] == "succeeded")
        .map(|charge| {
            (
                charge["amount"].as_i64().unwrap() - charge["amount_refunded"].as_i64().unwrap(),
                charge["currency"].as_str().unwrap().to_ascii_lowercase(),
            )
        })
        .filter(|(amount, _)| *amount > 0)
        .collect();
    net.sort();
    net
}

/// The end of each test: what Stripe kept is exactly our paid orders; no secret key logged.
async fn assert_net_charges_are_paid_orders(app: &StripeApp) {
    assert_eq!(net_charges(app).await, app.paid_orders().await);
    let log = std::fs::read_to_string(&app.server.log).unwrap();
    assert!(!log.contains(super::LocalStripe::SECRET_KEY));
}

/// The intent's charge at Stripe: (amount, amount refunded).
async fn charge_of(app: &StripeApp, intent: &str) -> (i64, i64) {
    let (_, list) = app.stripe.get("charges?limit=100").await;
    let charge = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|charge| charge["payment_intent"] == intent)
        .cloned()
        .unwrap_or_else(|| panic!("the intent's charge: {list}"));
    (
        charge["amount"].as_i64().unwrap(),
        charge["amount_refunded"].as_i64().unwrap(),
    )
}

/// Our record of an abandoned intent: (phase, refund id), and whether it still waits.
async fn our_record(app: &StripeApp, intent: &str) -> (Option<(String, Option<String>)>, bool) {
    let mut db = db(app).await;
    let record = sqlx::query(
        "SELECT phase, refund_id FROM stripe_abandoned_authentications WHERE intent_id = $1",
    )
    .bind(intent)
    .fetch_optional(&mut db)
    .await
    .unwrap()
    .map(|row| (row.get("phase"), row.get("refund_id")));
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stripe_authentications WHERE intent_id = $1")
            .bind(intent)
            .fetch_one(&mut db)
            .await
            .unwrap();
    (record, waiting == 1)
}

/// (refund events by the system, subscriptions) in the database.
async fn refund_events_and_subscriptions(app: &StripeApp) -> (i64, i64) {
    let mut db = db(app).await;
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE kind = 'refunded' AND actor_kind = 'system'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let subscriptions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions")
        .fetch_one(&mut db)
        .await
        .unwrap();
    (events, subscriptions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_who_passes_3d_secure_and_never_pays_again_is_refunded_once_after_the_hour() {
    let mut app = start().await;
    let subscriptions_before = refund_events_and_subscriptions(&app).await.1;
    let next = challenged(&app, "abandon-1").await;
    let intent = next.challenge_id.clone();
    assert_eq!(
        authenticate_in_stripe_js(&app, &next, true).await,
        "succeeded"
    );
    let (amount, refunded) = charge_of(&app, &intent).await;
    assert_eq!(refunded, 0);
    assert_eq!(net_charges(&app).await.len(), 1, "Stripe holds the money");

    // Stripe tells of the intent's success: no subscription comes of it, and it stays listed.
    let (_, object) = app.stripe.get(&format!("payment_intents/{intent}")).await;
    send(&app, "evt_abandoned_1", "payment_intent.succeeded", &object)
        .await
        .expect_as::<serde_json::Value>(200, "the event");
    assert_eq!(
        refund_events_and_subscriptions(&app).await,
        (0, subscriptions_before)
    );
    assert_eq!(our_record(&app, &intent).await, (None, true));

    // Within the hour the buyer may still pay with it: a restart's reconciliation leaves it.
    app.restart().await;
    assert_eq!(our_record(&app, &intent).await, (None, true));

    app.megan.advance_days(1).await;
    assert_eq!(
        charge_of(&app, &intent).await,
        (amount, amount),
        "refunded in full"
    );
    let (record, waiting) = our_record(&app, &intent).await;
    assert!(!waiting, "taken off the waiting list");
    let (phase, refund_id) = record.expect("recorded as abandoned");
    assert_eq!(phase, "refunded");
    let refund_id = refund_id.expect("the refund's id");
    let (status, refund) = app.stripe.get(&format!("refunds/{refund_id}")).await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["payment_intent"], intent.as_str());
    assert_eq!(refund["amount"], amount);
    assert_eq!(
        refund_events_and_subscriptions(&app).await,
        (1, subscriptions_before)
    );

    // Again, and on a restart's reconciliation, and with the event again: still once.
    app.megan.advance_days(1).await;
    send(&app, "evt_abandoned_2", "payment_intent.succeeded", &object)
        .await
        .expect_as::<serde_json::Value>(200, "the event again");
    assert_eq!(charge_of(&app, &intent).await, (amount, amount));
    assert_eq!(
        refund_events_and_subscriptions(&app).await,
        (1, subscriptions_before)
    );
    assert_net_charges_are_paid_orders(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intent_left_waiting_for_3d_secure_is_canceled_at_stripe_after_the_hour() {
    let app = start().await;
    let next = challenged(&app, "abandon-wait").await;
    let intent = next.challenge_id.clone();
    app.megan.advance_days(1).await;
    let (_, found) = app.stripe.get(&format!("payment_intents/{intent}")).await;
    assert_eq!(found["status"], "canceled", "{found}");
    assert_eq!(
        our_record(&app, &intent).await,
        (Some(("canceled".into(), None)), false)
    );
    // The buyer comes back with the same card: a new intent, not the canceled one.
    let again = challenged(&app, "abandon-wait-2").await;
    assert_ne!(again.challenge_id, intent);
    assert!(net_charges(&app).await.is_empty(), "nothing charged");
    assert_eq!(refund_events_and_subscriptions(&app).await.0, 0);
    assert_net_charges_are_paid_orders(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconciliation_cut_off_after_stripe_refunded_is_finished_once_on_restart() {
    let mut app = start_with(&[(CRASH_AT_ENV, "abandoned_refunded")]).await;
    let next = challenged(&app, "abandon-crash").await;
    let intent = next.challenge_id.clone();
    assert_eq!(
        authenticate_in_stripe_js(&app, &next, true).await,
        "succeeded"
    );
    let (amount, _) = charge_of(&app, &intent).await;
    let cut_off = app
        .megan
        .http
        .post(app.megan.url("/api/v1/test-clock/advance"))
        .json(&serde_json::json!({"days": 1}))
        .send()
        .await;
    assert!(cut_off.is_err(), "the server dies before answering");
    app.server
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault injection aborted the process");
    assert_eq!(
        charge_of(&app, &intent).await,
        (amount, amount),
        "Stripe refunded"
    );
    let (record, waiting) = our_record(&app, &intent).await;
    assert_eq!(record.map(|(phase, _)| phase).as_deref(), Some("pending"));
    assert!(!waiting);

    // The restart's reconciliation sends the same refund key: settled, once.
    app.restart().await;
    let (record, _) = our_record(&app, &intent).await;
    assert_eq!(record.map(|(phase, _)| phase).as_deref(), Some("refunded"));
    assert_eq!(charge_of(&app, &intent).await, (amount, amount));
    let (_, refunds) = app.stripe.get("refunds?limit=100").await;
    let of_intent = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|refund| refund["payment_intent"] == intent.as_str())
        .count();
    assert_eq!(of_intent, 1, "one refund at Stripe: {refunds}");
    assert_eq!(refund_events_and_subscriptions(&app).await.0, 1);
    assert_net_charges_are_paid_orders(&app).await;
}

/// A buyer who passed 3-D Secure and pays again for the same thing at another price (a seat
/// increase is priced again on every attempt, so its amount drifts; here: more seats) is never
/// charged for both: the intent the buyer passed is refunded at once, before the next is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_again_at_another_price_after_3d_secure_refunds_the_passed_intent_at_once() {
    let app = start().await;
    let pm = app.payment_method(THREE_D_SECURE_CARD).await;
    let first = app
        .buy("reprice-1", 2, &pm)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_eq!(
        authenticate_in_stripe_js(&app, &first, true).await,
        "succeeded"
    );
    let (amount, refunded) = charge_of(&app, &first.challenge_id).await;
    assert_eq!(refunded, 0);
    let second = app
        .buy("reprice-2", 3, &pm)
        .await
        .error(402, ErrorCode::AuthenticationRequired)
        .next_action
        .expect("how to authenticate");
    assert_ne!(second.challenge_id, first.challenge_id);
    assert_eq!(
        charge_of(&app, &first.challenge_id).await,
        (amount, amount),
        "the passed intent is refunded before another is made, not an hour later"
    );
    let (record, waiting) = our_record(&app, &first.challenge_id).await;
    assert_eq!(record.map(|(phase, _)| phase).as_deref(), Some("refunded"));
    assert!(!waiting);
    assert_eq!(refund_events_and_subscriptions(&app).await, (1, 0));
    assert_eq!(
        authenticate_in_stripe_js(&app, &second, true).await,
        "succeeded"
    );
    let bought: selfserve_api::subscription::Subscription = app
        .buy("reprice-3", 3, &pm)
        .await
        .expect_as(201, "paying after 3-D Secure at the new price");
    assert_eq!(bought.quantity, 3);
    assert_net_charges_are_paid_orders(&app).await;
}
