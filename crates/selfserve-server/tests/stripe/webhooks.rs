//! `POST /webhooks/stripe`: localstripe's signed deliveries are stored once by id; a
//! tampered, foreign, old or unsigned one is refused and stores nothing.

use super::{WEBHOOK_SECRET, start};
use selfserve_api::error::ErrorCode;
use selfserve_api::subscription::Subscription;
use serde_json::Value;

/// `t=…,v1=…` as Stripe signs: HMAC-SHA256 of `t.body` under `secret`.
pub(super) fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

pub(super) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_verified_stored_once_and_refused_when_tampered_or_old() {
    let app = start().await;
    // localstripe delivers its events signed with the secret, as Stripe would.
    app.stripe
        .send_webhooks_to(
            &format!("{}/webhooks/stripe", app.server.base),
            WEBHOOK_SECRET,
            &["payment_intent.succeeded"],
        )
        .await;
    let pm = app.payment_method("4242424242424242").await;
    app.buy("stripe-webhook-buy", 1, &pm)
        .await
        .expect_as::<Subscription>(201, "buying");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.stored_events("payment_intent.succeeded").await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "localstripe's payment_intent.succeeded never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A refund of a charge that is not ours: stored, nothing to act on.
    let body = r#"{"id":"evt_selfserve_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_not_ours","amount_refunded":100,"currency":"usd"}}}"#;
    let now = unix_now();
    let first: Value = app
        .webhook(body, Some(signature(WEBHOOK_SECRET, now, body)))
        .await
        .expect_as(200, "a signed event");
    assert_eq!(first["repeat"], false);
    let again: Value = app
        .webhook(body, Some(signature(WEBHOOK_SECRET, now, body)))
        .await
        .expect_as(200, "the same event again");
    assert_eq!(again["repeat"], true, "stored once by id");
    assert_eq!(app.stored_events("charge.refunded").await, 1);

    let tampered = body.replace("evt_selfserve_1", "evt_selfserve_2");
    app.webhook(&tampered, Some(signature(WEBHOOK_SECRET, now, body)))
        .await
        .error(400, ErrorCode::InvalidRequest);
    app.webhook(
        &tampered,
        Some(signature("whsec_someone_else", now, &tampered)),
    )
    .await
    .error(400, ErrorCode::InvalidRequest);
    // Signed right, but captured and replayed more than 300 seconds later.
    app.webhook(
        &tampered,
        Some(signature(WEBHOOK_SECRET, now - 301, &tampered)),
    )
    .await
    .error(400, ErrorCode::InvalidRequest);
    app.webhook(&tampered, None)
        .await
        .error(400, ErrorCode::InvalidRequest);
    assert_eq!(
        app.stored_events("charge.refunded").await,
        1,
        "nothing refused was stored"
    );
    app.assert_charges_are_paid_orders().await;
}
