//! The purchase journey's API: email check, sign-in, quotes, the gateway, purchases with
//! idempotency, and who may see what. Real server, real SQLite file, one per test.

mod support;

use selfserve_api::card::{CardBrand, CardToken};
use selfserve_api::eligibility::{CanBuy, EligibilityResponse, IneligibleReason, OrganizationName};
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::purchase::Quote;
use selfserve_api::session::SessionUser;
use selfserve_api::subscription::{
    InvoiceStatus, OrderPhase, Source, Subscription, SubscriptionStatus,
};
use selfserve_api::{ErrorCode, List};
use selfserve_server::domain::calendar::add_months;
use serde_json::{Value, json};
use support::app::{DEMO_PASSWORD, Reply, Spawn, TestApp, spawn_app, spawn_app_with};

async fn eligibility(app: &TestApp, email: &str) -> Reply {
    app.post(
        "/api/v1/eligibility",
        &json!({"email": email, "product": "power-bi-pro"}),
    )
    .await
}

async fn org_id(app: &TestApp, email: &str) -> String {
    app.server
        .store
        .user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .organization_id
}

#[tokio::test]
async fn the_email_step_applies_every_rule_by_domain() {
    let app = spawn_app().await;
    let sign_in = |name: &str| {
        Ok(EligibilityResponse::SignIn {
            organization: OrganizationName { name: name.into() },
            method: selfserve_api::session::SignInMethod::Password,
        })
    };
    // Ok: the whole answer; Err: `contact_admin` with this reason (and a message in words).
    let cases = [
        ("megan@contoso.com", sign_in("Contoso")),
        ("sanne@fabrikam.nl", sign_in("Fabrikam Nederland B.V.")),
        (
            "marge@springfield.gov",
            Err(IneligibleReason::OrganizationKind),
        ),
        (
            "nora@helpinghands.org",
            Err(IneligibleReason::OrganizationKind),
        ),
        ("eli@woodgrove.edu", Err(IneligibleReason::OrganizationKind)),
        (
            "ursula@tailspintoys.com",
            Err(IneligibleReason::UnmanagedOrganization),
        ),
        ("priya@litware.in", Err(IneligibleReason::Market)),
        (
            "someone@no-such-company.example",
            Ok(EligibilityResponse::UnknownOrganization),
        ),
        (
            "pat@northwind.example",
            Ok(EligibilityResponse::UnknownOrganization),
        ),
    ];
    for (email, expected) in cases {
        let answer: EligibilityResponse = eligibility(&app, email).await.expect_as(200, email);
        match expected {
            Ok(expected) => assert_eq!(answer, expected, "{email}"),
            Err(expected_reason) => {
                let EligibilityResponse::ContactAdmin { reason, message } = &answer else {
                    panic!("{email}: {answer:?}");
                };
                assert_eq!(*reason, expected_reason, "{email}: {answer:?}");
                assert!(message.len() > 20);
            }
        }
    }
}

#[tokio::test]
async fn the_email_step_does_not_reveal_whether_a_mailbox_exists() {
    let app = spawn_app().await;
    // The raw answers are compared: not one byte may tell the mailboxes apart.
    let real = eligibility(&app, "megan@contoso.com").await.json();
    let made_up = eligibility(&app, "nobody-by-this-name@contoso.com")
        .await
        .json();
    assert_eq!(real, made_up);
    let disabled = eligibility(&app, "former@contoso.com").await.json();
    assert_eq!(real, disabled);
}

#[tokio::test]
async fn the_email_step_follows_product_policy_at_once() {
    let app = spawn_app().await;
    let contoso = org_id(&app, "megan@contoso.com").await;
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let answer: EligibilityResponse = eligibility(&app, "megan@contoso.com").await.ok();
    assert!(
        matches!(
            answer,
            EligibilityResponse::ContactAdmin {
                reason: IneligibleReason::PolicyDisabled,
                ..
            }
        ),
        "{answer:?}"
    );
    // Other products are unaffected.
    let answer: EligibilityResponse = app
        .post_as(
            "/api/v1/eligibility",
            &json!({"email": "megan@contoso.com", "product": "power-apps-per-user"}),
        )
        .await;
    assert!(
        matches!(answer, EligibilityResponse::SignIn { .. }),
        "{answer:?}"
    );
}

#[tokio::test]
async fn bad_email_step_requests_get_precise_errors() {
    let app = spawn_app().await;
    let error = eligibility(&app, "not-an-email")
        .await
        .error(400, ErrorCode::InvalidEmail);
    assert_eq!(error.field.as_deref(), Some("email"));
    app.post(
        "/api/v1/eligibility",
        &json!({"email": "a@contoso.com", "product": "excel"}),
    )
    .await
    .error(404, ErrorCode::UnknownProduct);
    let error = app
        .post("/api/v1/eligibility", &json!({"email": "a@contoso.com"}))
        .await
        .error(400, ErrorCode::InvalidRequest);
    assert_eq!(error.field.as_deref(), Some("product"));
    let error = app
        .post(
            "/api/v1/eligibility",
            &json!({"email": 42, "product": "power-bi-pro"}),
        )
        .await
        .error(400, ErrorCode::InvalidRequest);
    assert_eq!(error.field.as_deref(), Some("email"));

    let app = &app;
    let raw = |body: String, content_type: &'static str| async move {
        let response = app
            .http
            .post(app.url("/api/v1/eligibility"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    };
    raw("{\"email\": ".into(), "application/json")
        .await
        .error(400, ErrorCode::InvalidJson);
    raw("email=a".into(), "application/x-www-form-urlencoded")
        .await
        .error(415, ErrorCode::UnsupportedMediaType);
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(300 * 1024));
    raw(huge, "application/json")
        .await
        .error(413, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn sign_in_opens_a_session_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/session",
            &json!({"email": "Megan@Contoso.com", "password": DEMO_PASSWORD}),
        )
        .await;
    let cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("selfserve_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let user: SessionUser = reply.ok();
    assert_eq!(user.email, "megan@contoso.com");
    assert_eq!(user.name, "Megan Bowen");
    assert_eq!(user.organization.name, "Contoso");
    assert_eq!(user.organization.domains[0], "contoso.com");
    assert_eq!(user.can_buy[&ProductId::PowerBiPro], CanBuy::Yes(true));

    let again: SessionUser = app.get_as("/api/v1/session").await;
    assert_eq!(again.id, user.id);

    assert_eq!(app.delete("/api/v1/session").await.status, 200);
    app.get("/api/v1/session")
        .await
        .error(401, ErrorCode::NotAuthenticated);
}

#[tokio::test]
async fn every_kind_of_bad_sign_in_gets_the_same_answer() {
    let app = spawn_app().await;
    let attempts = [
        ("megan@contoso.com", "wrong password"),
        ("nobody@contoso.com", DEMO_PASSWORD),
        ("former@contoso.com", DEMO_PASSWORD),
        ("not even an email", DEMO_PASSWORD),
    ];
    let mut bodies = Vec::new();
    for (email, password) in attempts {
        let reply = app
            .post(
                "/api/v1/session",
                &json!({"email": email, "password": password}),
            )
            .await;
        reply.error(401, ErrorCode::InvalidCredentials);
        // The raw bodies are compared: not one field may tell the cases apart.
        bodies.push(reply.json());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
}

#[tokio::test]
async fn a_new_sign_in_replaces_the_old_session() {
    let app = spawn_app().await;
    let first = app
        .http
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let old = first.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let second = app
        .http
        .post(app.url("/api/v1/session"))
        .header("Cookie", old.clone())
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let new = second.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(old, new, "the session id is rotated at sign-in");
    let stale = app
        .new_client()
        .http
        .get(app.url("/api/v1/session"))
        .header("Cookie", old)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401, "the old session ended");
    let fresh = app
        .new_client()
        .http
        .get(app.url("/api/v1/session"))
        .header("Cookie", new)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status().as_u16(), 200);
}

#[tokio::test]
async fn guessing_is_throttled_without_locking_the_real_user_out() {
    // Throttle time stands still: on a loaded machine argon2 is slow enough for the bucket to
    // refill between the 30th and 31st guess, which made this test flaky.
    let app = spawn_app_with(Spawn {
        demo: true,
        tuning: selfserve_server::server::Tuning {
            throttle_clock: selfserve_server::http::throttle::ThrottleClock::frozen(),
            verify_gate: None,
        },
        ..Spawn::default()
    })
    .await;
    let guess = json!({"email": "megan@contoso.com", "password": "guess"});
    for attempt in 1..=30 {
        let reply = app.post("/api/v1/session", &guess).await;
        assert_eq!(
            reply.status, 401,
            "attempt {attempt} is under the floor of 30: {reply:?}"
        );
    }
    let reply = app.post("/api/v1/session", &guess).await;
    let retry_after: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "refusals last seconds: {retry_after}"
    );
    reply.error(429, ErrorCode::TooManyAttempts);

    // Megan herself, from her own machine (another address), still gets in.
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let response = elsewhere
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "megan@contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn guests_may_sign_in_but_not_buy_in_the_host_organisation() {
    let app = spawn_app().await;
    let gina = app
        .as_user("gina_fabrikam.nl#ext#@contoso.onmicrosoft.com")
        .await;
    assert!(gina.me.guest);
    assert_eq!(
        gina.me.can_buy[&ProductId::PowerBiPro],
        CanBuy::No(IneligibleReason::Guest)
    );
    let error = gina
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 1}),
        )
        .await
        .error(403, ErrorCode::NotEligible);
    assert_eq!(error.reason.as_deref(), Some("guest"));
    let token = gina.token("4242424242424242").await;
    let error = gina
        .purchase(
            "guest-1",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await
        .error(403, ErrorCode::NotEligible);
    assert_eq!(error.reason.as_deref(), Some("guest"));
}

#[tokio::test]
async fn quotes_are_the_servers_price_in_the_organisations_currency() {
    let app = spawn_app().await;
    app.post(
        "/api/v1/quotes",
        &json!({"product": "power-bi-pro", "quantity": 5}),
    )
    .await
    .error(401, ErrorCode::NotAuthenticated);

    let sanne = app.as_user("sanne@fabrikam.nl").await;
    let quote: Quote = sanne
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 5}),
        )
        .await;
    assert_eq!(quote.currency, Currency::EUR);
    assert_eq!(quote.unit_amount, 1410);
    assert_eq!(quote.subtotal, 7050);
    assert_eq!(quote.tax, 1481);
    assert_eq!(quote.total, 8531);
    assert_eq!(quote.period_end, add_months(quote.period_start, 1));

    for (quantity, code) in [
        (json!(0), ErrorCode::InvalidQuantity),
        (json!(2501), ErrorCode::InvalidQuantity),
        (json!(2.5), ErrorCode::InvalidRequest),
    ] {
        let error = sanne
            .post(
                "/api/v1/quotes",
                &json!({"product": "power-bi-pro", "quantity": quantity}),
            )
            .await
            .error(400, code);
        assert_eq!(error.field.as_deref(), Some("quantity"));
    }
}

#[tokio::test]
async fn a_purchase_creates_a_subscription_a_paid_invoice_and_the_purchasers_licence() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let quote: Quote = megan
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 5}),
        )
        .await;
    let token = megan.token("4242424242424242").await;
    let sub: Subscription = megan
        .purchase(
            "attempt-1",
            &json!({"product": "power-bi-pro", "quantity": 5, "payment_token": token}),
        )
        .await
        .expect_as(201, "the purchase");
    assert!(sub.id.starts_with("sub_"));
    assert_eq!(sub.product, ProductId::PowerBiPro);
    assert_eq!(sub.source, Source::SelfService);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.quantity, 5);
    assert!(!sub.cancel_at_period_end);
    assert_eq!(sub.purchaser.email, "megan@contoso.com");
    assert_eq!(sub.assigned_users.len(), 1);
    assert_eq!(sub.assigned_users[0].email, "megan@contoso.com");
    assert_eq!(sub.unit_amount, 1400);
    assert_eq!(sub.currency, Currency::USD);
    let card = sub.payment_method.as_ref().expect("the card on file");
    assert_eq!(card.brand, CardBrand::Visa);
    assert_eq!(card.last4, "4242");
    assert_eq!(
        sub.current_period_end,
        add_months(sub.current_period_start, 1)
    );
    let invoice = sub.latest_invoice.as_ref().expect("the first bill");
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert_eq!(invoice.total, quote.total);
    assert_eq!(invoice.lines[0].quantity, 5);
    assert!(invoice.number.starts_with("SS-"));
    assert_eq!(sub.orders.len(), 1);
    assert_eq!(sub.orders[0].status, OrderPhase::Paid);
    assert_eq!(sub.orders[0].amount, quote.total);

    let fetched: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(fetched, sub);
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1);
    assert!(!list.has_more);
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_response_byte_for_byte() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 2, "payment_token": token});
    let first = megan.purchase("retry-me", &body).await;
    let subscription: Subscription = first.expect_as(201, "the first attempt");
    let second = megan.purchase("retry-me", &body).await;
    assert_eq!(second.status, 201);
    // The raw bodies are compared: a replay is the stored response, byte for byte.
    assert_eq!(first.text, second.text);
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1, "one subscription, not two");
    let order = &subscription.orders[0].id;
    let charges = app
        .server
        .store
        .count_successful_charges(&format!("charge_{order}"))
        .await
        .unwrap();
    assert_eq!(charges, 1, "charged exactly once");

    // The same key for a different request is refused; the token is spent for new keys.
    let other = json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token});
    megan
        .purchase("retry-me", &other)
        .await
        .error(422, ErrorCode::IdempotencyKeyReused);
    megan
        .purchase("a-new-key", &body_with(&other, 2))
        .await
        .error(400, ErrorCode::TokenAlreadyUsed);
}

fn body_with(body: &Value, quantity: u32) -> Value {
    let mut body = body.clone();
    body["quantity"] = json!(quantity);
    body
}

#[tokio::test]
async fn a_purchase_needs_an_idempotency_key() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4242424242424242").await;
    megan
        .post(
            "/api/v1/purchases",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await
        .error(400, ErrorCode::IdempotencyKeyRequired);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_charge_once() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    // Polled together, so the requests really overlap.
    let results =
        futures_util::future::join_all((0..8).map(|_| megan.purchase("same-key", &body))).await;
    // The raw bodies are compared: every 201 is the one stored response.
    let created: Vec<&String> = results
        .iter()
        .filter(|reply| reply.status == 201)
        .map(|reply| &reply.text)
        .collect();
    assert!(!created.is_empty());
    assert!(
        created.windows(2).all(|w| w[0] == w[1]),
        "every 201 is the same response"
    );
    for reply in &results {
        assert!(
            reply.status == 201 || reply.is_error(409, ErrorCode::IdempotencyInProgress),
            "{reply:?}"
        );
    }
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert_eq!(list.data.len(), 1);
}

#[tokio::test]
async fn a_key_still_in_progress_answers_409() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4242424242424242").await;
    let request = selfserve_api::purchase::PurchaseRequest {
        product: "power-bi-pro".into(),
        quantity: 1,
        payment_token: token.clone(),
        convert_trial: None,
    };
    let hash = selfserve_server::http::idempotency::fingerprint("POST /purchases", &request);
    let now = selfserve_server::clock::Clock::system().now();
    app.server
        .store
        .begin_idempotent(&megan.me.id, "busy-key", &hash, now)
        .await
        .unwrap();
    megan
        .purchase(
            "busy-key",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await
        .error(409, ErrorCode::IdempotencyInProgress);
}

#[tokio::test]
async fn each_decline_has_its_code_and_the_next_card_can_succeed() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    for (number, decline_code) in [
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000119", "processing_error"),
        ("4000000000000341", "generic_decline"),
    ] {
        let token = megan.token(number).await;
        let error = megan
            .purchase(
                &format!("decline-{number}"),
                &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}),
            )
            .await
            .error(402, ErrorCode::CardDeclined);
        assert_eq!(
            error.decline_code.as_deref(),
            Some(decline_code),
            "{number}"
        );
    }
    let list: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    assert!(list.data.is_empty(), "declines create nothing");
    let token = megan.token("4242 4242 4242 4242").await;
    let sub: Subscription = megan
        .purchase(
            "after-declines",
            &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}),
        )
        .await
        .expect_as(201, "a purchase after declines");
    assert_eq!(sub.quantity, 3);
}

#[tokio::test]
async fn three_d_secure_asks_for_a_challenge_then_completes_or_fails_cleanly() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4000002760003184").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    let error = megan
        .purchase("3ds-1", &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired);
    let next = error.next_action.expect("a next action");
    assert_eq!(next.kind, "three_d_secure");
    assert!(
        next.url.starts_with(&app.gateway),
        "answered on the gateway's origin: {}",
        next.url
    );

    // The buyer fails the challenge: the retry is declined, and asks again afterwards.
    let answer = |result: &'static str, url: String| {
        let client = megan.http.clone();
        async move {
            client
                .post(url)
                .json(&json!({"result": result}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(answer("fail", next.url).await.status().as_u16(), 200);
    let error = megan
        .purchase("3ds-2", &body)
        .await
        .error(402, ErrorCode::CardDeclined);
    assert_eq!(error.decline_code.as_deref(), Some("authentication_failed"));

    let error = megan
        .purchase("3ds-3", &body)
        .await
        .error(402, ErrorCode::AuthenticationRequired);
    let url = error.next_action.expect("a next action").url;
    assert_eq!(answer("approve", url.clone()).await.status().as_u16(), 200);
    assert_eq!(
        answer("approve", url).await.status().as_u16(),
        404,
        "a challenge is answered once"
    );
    let sub: Subscription = megan
        .purchase("3ds-4", &body)
        .await
        .expect_as(201, "the purchase after the challenge");
    assert_eq!(sub.payment_method.expect("the card on file").last4, "3184");
}

#[tokio::test]
async fn policy_is_checked_again_when_paying() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let _: Quote = megan
        .post_as(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 1}),
        )
        .await;
    let contoso = org_id(&app, "megan@contoso.com").await;
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let token = megan.token("4242424242424242").await;
    let error = megan
        .purchase(
            "mid-checkout",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await
        .error(403, ErrorCode::NotEligible);
    assert_eq!(error.reason.as_deref(), Some("policy_disabled"));
    let session: SessionUser = megan.get_as("/api/v1/session").await;
    assert_eq!(
        session.can_buy[&ProductId::PowerBiPro],
        CanBuy::No(IneligibleReason::PolicyDisabled)
    );
}

#[tokio::test]
async fn unknown_tokens_are_refused() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    for token in ["tok_doesnotexist", "pm_notatoken", ""] {
        megan
            .purchase(
                &format!("bad-{token}"),
                &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
            )
            .await
            .error(400, ErrorCode::InvalidToken);
    }
}

#[tokio::test]
async fn only_the_purchaser_admins_and_delegated_partners_see_a_subscription() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let path = format!("/api/v1/subscriptions/{}", sub.id);
    for (email, expected) in [
        ("megan@contoso.com", 200),
        ("admin@contoso.com", 200),
        ("billing@contoso.com", 200),
        ("pat@northwind.example", 200),
        ("alex@contoso.com", 404),
        ("quinn@proseware.example", 404),
        ("admin@fabrikam.nl", 404),
    ] {
        let reply = app.as_user(email).await.get(&path).await;
        if expected == 404 {
            reply.error(404, ErrorCode::NotFound);
        } else {
            let seen: Subscription = reply.expect_as(expected, email);
            assert_eq!(seen.id, sub.id);
        }
    }
    megan
        .get("/api/v1/subscriptions/sub_doesnotexist")
        .await
        .error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn the_gateway_validates_cards_and_never_echoes_the_number() {
    let app = spawn_app().await;
    let tokenize = |body: Value| {
        let client = app.http.clone();
        let url = format!("{}/v1/tokens", app.gateway);
        async move { Reply::read(client.post(url).json(&body).send().await.unwrap()).await }
    };
    let card = |number: &str, month: u32, year: u32, cvc: &str| json!({"number": number, "exp_month": month, "exp_year": year, "cvc": cvc, "name": "A"});
    let reply = tokenize(card("4242 4242 4242 4242", 12, 2034, "123")).await;
    let token: CardToken = reply.ok();
    assert!(token.token.starts_with("tok_"));
    assert_eq!(token.brand, CardBrand::Visa);
    assert_eq!(token.last4, "4242");
    // The raw body is searched: the number must not be anywhere in it, under any field.
    assert!(!reply.text.contains("42424242"), "{reply:?}");

    for (request, code, field) in [
        (
            card("4242424242424241", 12, 2034, "123"),
            ErrorCode::IncorrectNumber,
            "number",
        ),
        (
            card("4242", 12, 2034, "123"),
            ErrorCode::IncorrectNumber,
            "number",
        ),
        (
            card("4242424242424242", 13, 2034, "123"),
            ErrorCode::InvalidExpiryMonth,
            "exp_month",
        ),
        (
            card("4242424242424242", 1, 2020, "123"),
            ErrorCode::InvalidExpiryYear,
            "exp_year",
        ),
        (
            card("4242424242424242", 12, 2034, "12"),
            ErrorCode::InvalidCvc,
            "cvc",
        ),
        (
            card("378282246310005", 12, 2034, "123"),
            ErrorCode::InvalidCvc,
            "cvc",
        ),
    ] {
        let error = tokenize(request).await.error(400, code);
        assert_eq!(error.field.as_deref(), Some(field));
    }
}

#[tokio::test]
async fn the_gateway_answers_cors_only_for_the_apps_origin() {
    let app = spawn_app().await;
    let preflight = |origin: String| {
        app.http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/tokens", app.gateway),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let allowed = preflight(app.base.clone()).await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap(),
        app.base
    );
    let refused = preflight("https://evil.example".into()).await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn an_order_that_never_reached_the_gateway_is_rolled_back_and_its_key_released() {
    use selfserve_api::subscription::{OrderKind, OrderPhase};
    use selfserve_server::payments::{CardProcessor, ChargeOutcome, ChargeRequest, charge_key};
    use selfserve_server::store::orders::{OrderRow, PaymentSource};
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let user_id = megan.me.id.as_str();
    let token = megan.token("4242424242424242").await;
    let request = selfserve_api::purchase::PurchaseRequest {
        product: "power-bi-pro".into(),
        quantity: 1,
        payment_token: token.clone(),
        convert_trial: None,
    };
    let hash = selfserve_server::http::idempotency::fingerprint("POST /purchases", &request);
    let services = &app.server.services;
    let store = &services.store;
    // What a process that died between recording the order and charging leaves behind.
    store
        .begin_idempotent(user_id, "died-early", &hash, 0)
        .await
        .unwrap();
    let order = OrderRow {
        id: "ord_died_early".into(),
        organization_id: megan.me.organization.id.clone(),
        purchaser_id: user_id.into(),
        subscription_id: None,
        kind: OrderKind::Purchase,
        product: selfserve_api::product::ProductId::PowerBiPro,
        quantity: 1,
        unit_amount: 1400,
        subtotal: 1400,
        tax: 0,
        tax_rate_bps: 0,
        amount: 1400,
        currency: selfserve_api::money::Currency::USD,
        period_start: 0,
        period_end: 0,
        phase: OrderPhase::Created,
        payment_source: Some(PaymentSource::NewCard(token.clone())),
        decline_code: None,
        created_at: 0,
        invoice_id: None,
        converts_subscription_id: None,
    };
    store
        .insert_order(&order, Some((user_id, "died-early")), None)
        .await
        .unwrap()
        .unwrap();
    let settled = selfserve_server::services::payments::recover(services, 1, 0)
        .await
        .unwrap();
    assert_eq!(settled, 1);
    assert_eq!(
        store.order("ord_died_early").await.unwrap().unwrap().phase,
        OrderPhase::Failed
    );
    // Had that process only stalled, its charge would now come too late: the key is closed.
    let late = services
        .payments
        .charge(ChargeRequest {
            source: &PaymentSource::NewCard(token.clone()),
            amount: 1400,
            currency: selfserve_api::money::Currency::USD,
            key: &charge_key("ord_died_early"),
            purchaser_id: "usr_died_early",
            target: "purchase:org_died_early",
        })
        .await
        .unwrap();
    assert_eq!(
        late,
        ChargeOutcome::Declined {
            decline_code: "abandoned".into()
        }
    );

    // No money moved, so the same key now runs the purchase for real.
    let _: Subscription = megan
        .purchase(
            "died-early",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await
        .expect_as(201, "the purchase under the released key");
}
