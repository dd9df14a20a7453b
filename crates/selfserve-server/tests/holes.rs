//! Holes found by attacking the server (issue 9), each reproduced: free trials without end,
//! cards that skip 3-D Secure, asking to cancel what cannot be, and what must be forgotten.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::subscription::{Subscription, SubscriptionStatus};
use selfserve_server::services::retention;
use serde_json::json;
use support::app::{User, spawn_app};

fn sub_path(sub: &Subscription, rest: &str) -> String {
    format!("/api/v1/subscriptions/{}{rest}", sub.id)
}

async fn trial(user: &User) -> support::app::Reply {
    user.post(
        "/api/v1/trials",
        &json!({"product": "power-bi-pro", "quantity": 25}),
    )
    .await
}

#[tokio::test]
async fn a_card_on_a_trial_is_refused_and_a_second_trial_never_starts() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let first: Subscription = trial(&megan).await.expect_as(201, "the first trial");
    assert_eq!(first.status, SubscriptionStatus::Trialing);

    // The hole: a card on the trial made it look like a purchase, and the next trial started.
    let token = megan.token("4242424242424242").await;
    let refused = megan
        .put(
            &sub_path(&first, "/payment-method"),
            &json!({"payment_token": token}),
        )
        .await
        .error(409, ErrorCode::Conflict);
    assert!(refused.message.contains("trial"), "{}", refused.message);
    let after: Subscription = megan.get_as(&sub_path(&first, "")).await;
    assert!(after.payment_method.is_none(), "no card went on the trial");

    for _ in 0..3 {
        trial(&megan).await.error(409, ErrorCode::Conflict);
    }
    let list: selfserve_api::List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1, "one trial, ever");
}

#[tokio::test]
async fn concurrent_trial_starts_of_one_person_give_one_trial() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let replies = futures_util::future::join_all((0..8).map(|_| trial(&megan))).await;
    let started = replies.iter().filter(|r| r.status == 201).count();
    let refused = replies
        .iter()
        .filter(|r| r.is_error(409, ErrorCode::Conflict))
        .count();
    assert_eq!((started, refused), (1, 7), "{replies:?}");
    let list: selfserve_api::List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1);
}

/// Answers a 3-D Secure challenge on the gateway's origin, as the dialog does.
async fn answer(user: &User, url: &str, result: &str) {
    let response = user
        .http
        .post(url)
        .json(&json!({"result": result}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "answering {url}");
}

#[tokio::test]
async fn a_card_that_needs_its_bank_is_saved_only_after_the_challenge() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let path = sub_path(&sub, "/payment-method");
    let token = megan.token("4000002760003184").await;
    let body = json!({"payment_token": token});

    // The hole: this card was saved at once, and charged later without its bank.
    let error = megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired);
    let next = error.next_action.expect("a challenge");
    assert_eq!(next.kind, "three_d_secure");
    let unchanged: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(unchanged.payment_method.expect("the card").last4, "4242");

    answer(&megan, &next.url, "fail").await;
    let declined = megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(
        declined.decline_code.as_deref(),
        Some("authentication_failed")
    );
    let again = megan
        .put(&path, &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired);
    answer(
        &megan,
        &again.next_action.expect("a new challenge").url,
        "approve",
    )
    .await;
    let saved: Subscription = megan.put_as(&path, &body).await;
    assert_eq!(saved.payment_method.expect("the new card").last4, "3184");

    // Its bank confirms every payment: a charge of the saved card without the buyer is
    // declined, never made without the challenge.
    let more = megan
        .post_with_key(
            &sub_path(&sub, "/seats"),
            "more-with-3ds-card",
            &json!({"quantity": 4}),
        )
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(
        more.decline_code.as_deref(),
        Some("authentication_required")
    );
    let report = app.advance_days(31).await;
    assert_eq!(
        (report.billing.renewed, report.billing.failed),
        (0, 1),
        "the renewal is not charged without the bank"
    );
    let after: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(after.quantity, 2);
    assert_eq!(after.status, SubscriptionStatus::PastDue);
}

#[tokio::test]
async fn asking_to_cancel_needs_a_live_self_service_subscription() {
    let app = spawn_app().await;
    let admin = app.as_user("admin@contoso.com").await;
    let central: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 5, "unit_amount": 990}),
        )
        .await;
    let refused = admin
        .post(&sub_path(&central, "/cancel-request"), &json!({}))
        .await
        .error(409, ErrorCode::Conflict);
    assert!(
        refused.message.contains("self-service"),
        "{}",
        refused.message
    );

    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(1).await;
    let _: Subscription = megan.post_as(&sub_path(&sub, "/cancel"), &json!({})).await;
    app.advance_days(31).await;
    let ended: Subscription = megan.get_as(&sub_path(&sub, "")).await;
    assert_eq!(ended.status, SubscriptionStatus::Canceled);
    admin
        .post(&sub_path(&sub, "/cancel-request"), &json!({}))
        .await
        .error(409, ErrorCode::Conflict);
}

#[tokio::test]
async fn answered_keys_and_old_tokens_are_forgotten_after_a_day() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    let _: Subscription = megan
        .purchase("kept-a-day", &body)
        .await
        .expect_as(201, "bought");
    let replayed: Subscription = megan
        .purchase("kept-a-day", &body)
        .await
        .expect_as(201, "replay");
    assert_eq!(replayed.quantity, 1);

    let services = &app.server.services;
    let soon = retention::purge(services, services.clock.now() + 3_600)
        .await
        .unwrap();
    assert_eq!(
        soon,
        retention::Purged::default(),
        "nothing is due within the day"
    );
    let later = retention::purge(services, services.clock.now() + 2 * 86_400)
        .await
        .unwrap();
    assert_eq!(later.idempotency_keys, 1);
    assert!(later.tokens >= 1, "{later:?}");
    // The key is forgotten: the same request is a new one, and its token is gone.
    megan
        .purchase("kept-a-day", &body)
        .await
        .error(400, ErrorCode::InvalidToken);
}
