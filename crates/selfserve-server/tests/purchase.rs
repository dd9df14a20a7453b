//! The purchase journey's API: email check, sign-in, quotes, the gateway, purchases with
//! idempotency, and who may see what. Real server, real SQLite file, one per test.

mod support;

use selfserve_server::domain::calendar::add_months;
use serde_json::{Value, json};
use support::app::{DEMO_PASSWORD, TestApp, assert_error, spawn_app, status_and_json};

async fn eligibility(app: &TestApp, email: &str) -> (u16, Value) {
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
    let cases = [
        (
            "megan@contoso.com",
            json!({"outcome": "sign_in", "organization": {"name": "Contoso"}}),
        ),
        (
            "sanne@fabrikam.nl",
            json!({"outcome": "sign_in", "organization": {"name": "Fabrikam Nederland B.V."}}),
        ),
        ("marge@springfield.gov", json!("organization_kind")),
        ("nora@helpinghands.org", json!("organization_kind")),
        ("eli@woodgrove.edu", json!("organization_kind")),
        ("ursula@tailspintoys.com", json!("unmanaged_organization")),
        ("priya@litware.in", json!("market")),
        (
            "someone@no-such-company.example",
            json!({"outcome": "unknown_organization"}),
        ),
        (
            "pat@northwind.example",
            json!({"outcome": "unknown_organization"}),
        ),
    ];
    for (email, expected) in cases {
        let (status, body) = eligibility(&app, email).await;
        assert_eq!(status, 200, "{email}: {body}");
        if expected.is_string() {
            assert_eq!(body["outcome"], "contact_admin", "{email}: {body}");
            assert_eq!(body["reason"], expected, "{email}: {body}");
            assert!(body["message"].as_str().unwrap().len() > 20);
        } else {
            assert_eq!(body, expected, "{email}");
        }
    }
}

#[tokio::test]
async fn the_email_step_does_not_reveal_whether_a_mailbox_exists() {
    let app = spawn_app().await;
    let (_, real) = eligibility(&app, "megan@contoso.com").await;
    let (_, made_up) = eligibility(&app, "nobody-by-this-name@contoso.com").await;
    assert_eq!(real, made_up);
    let (_, disabled) = eligibility(&app, "former@contoso.com").await;
    assert_eq!(real, disabled);
}

#[tokio::test]
async fn the_email_step_follows_product_policy_at_once() {
    let app = spawn_app().await;
    let contoso = org_id(&app, "megan@contoso.com").await;
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let (_, body) = eligibility(&app, "megan@contoso.com").await;
    assert_eq!(body["outcome"], "contact_admin");
    assert_eq!(body["reason"], "policy_disabled");
    // Other products are unaffected.
    let (_, body) = app
        .post(
            "/api/v1/eligibility",
            &json!({"email": "megan@contoso.com", "product": "power-apps-per-user"}),
        )
        .await;
    assert_eq!(body["outcome"], "sign_in");
}

#[tokio::test]
async fn bad_email_step_requests_get_precise_errors() {
    let app = spawn_app().await;
    let (status, body) = eligibility(&app, "not-an-email").await;
    assert_error(status, &body, 400, "invalid_email");
    assert_eq!(body["error"]["field"], "email");
    let (status, body) = app
        .post(
            "/api/v1/eligibility",
            &json!({"email": "a@contoso.com", "product": "excel"}),
        )
        .await;
    assert_error(status, &body, 404, "unknown_product");
    let (status, body) = app
        .post("/api/v1/eligibility", &json!({"email": "a@contoso.com"}))
        .await;
    assert_error(status, &body, 400, "invalid_request");
    assert_eq!(body["error"]["field"], "product");
    let (status, body) = app
        .post(
            "/api/v1/eligibility",
            &json!({"email": 42, "product": "power-bi-pro"}),
        )
        .await;
    assert_error(status, &body, 400, "invalid_request");
    assert_eq!(body["error"]["field"], "email");

    let raw = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/eligibility"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let (status, body) =
        status_and_json(raw("{\"email\": ", "application/json").await.unwrap()).await;
    assert_error(status, &body, 400, "invalid_json");
    let (status, body) = status_and_json(
        raw("email=a", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 415, "unsupported_media_type");
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(300 * 1024));
    let response = app
        .client
        .post(app.url("/api/v1/eligibility"))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_error(status, &body, 413, "payload_too_large");
}

#[tokio::test]
async fn sign_in_opens_a_session_and_sign_out_ends_it() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "Megan@Contoso.com", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("selfserve_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let (status, user) = status_and_json(response).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["email"], "megan@contoso.com");
    assert_eq!(user["name"], "Megan Bowen");
    assert_eq!(user["organization"]["name"], "Contoso");
    assert_eq!(user["organization"]["domains"][0], "contoso.com");
    assert_eq!(user["can_buy"]["power-bi-pro"], true);

    let (status, again) = app.get("/api/v1/session").await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], user["id"]);

    let response = app
        .client
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, body) = app.get("/api/v1/session").await;
    assert_error(status, &body, 401, "not_authenticated");
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
        let (status, body) = app
            .post(
                "/api/v1/session",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_error(status, &body, 401, "invalid_credentials");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
}

#[tokio::test]
async fn a_new_sign_in_replaces_the_old_session() {
    let app = spawn_app().await;
    let first = app
        .client
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
        .client
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
        .get(app.url("/api/v1/session"))
        .header("Cookie", old)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401, "the old session ended");
    let fresh = app
        .new_client()
        .get(app.url("/api/v1/session"))
        .header("Cookie", new)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status().as_u16(), 200);
}

#[tokio::test]
async fn guessing_is_throttled_without_locking_the_real_user_out() {
    let app = spawn_app().await;
    for attempt in 1..=30 {
        let (status, body) = app
            .post(
                "/api/v1/session",
                &json!({"email": "megan@contoso.com", "password": "guess"}),
            )
            .await;
        assert_eq!(
            status, 401,
            "attempt {attempt} is under the floor of 30: {body}"
        );
    }
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": "megan@contoso.com", "password": "guess"}))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "refusals last seconds: {retry_after}"
    );
    let (status, body) = status_and_json(response).await;
    assert_error(status, &body, 429, "too_many_attempts");

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
    let (status, user) = app
        .sign_in("gina_fabrikam.nl#ext#@contoso.onmicrosoft.com")
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["guest"], true);
    assert_eq!(user["can_buy"]["power-bi-pro"], "guest");
    let (status, body) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 1}),
        )
        .await;
    assert_error(status, &body, 403, "not_eligible");
    assert_eq!(body["error"]["reason"], "guest");
    let token = app.token("4242424242424242").await;
    let (status, body, _) = app
        .purchase(
            "guest-1",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await;
    assert_error(status, &body, 403, "not_eligible");
    assert_eq!(body["error"]["reason"], "guest");
}

#[tokio::test]
async fn quotes_are_the_servers_price_in_the_organisations_currency() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 5}),
        )
        .await;
    assert_error(status, &body, 401, "not_authenticated");

    app.sign_in("sanne@fabrikam.nl").await;
    let (status, quote) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 5}),
        )
        .await;
    assert_eq!(status, 200, "{quote}");
    assert_eq!(quote["currency"], "eur");
    assert_eq!(quote["unit_amount"], 1410);
    assert_eq!(quote["subtotal"], 7050);
    assert_eq!(quote["tax"], 1481);
    assert_eq!(quote["total"], 8531);
    let start = quote["period_start"].as_i64().unwrap();
    assert_eq!(quote["period_end"].as_i64().unwrap(), add_months(start, 1));

    for (quantity, code) in [
        (json!(0), "invalid_quantity"),
        (json!(2501), "invalid_quantity"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/quotes",
                &json!({"product": "power-bi-pro", "quantity": quantity}),
            )
            .await;
        assert_error(status, &body, 400, code);
        assert_eq!(body["error"]["field"], "quantity");
    }
    let (status, body) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 2.5}),
        )
        .await;
    assert_error(status, &body, 400, "invalid_request");
    assert_eq!(body["error"]["field"], "quantity");
}

#[tokio::test]
async fn a_purchase_creates_a_subscription_a_paid_invoice_and_the_purchasers_licence() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let (_, quote) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 5}),
        )
        .await;
    let token = app.token("4242424242424242").await;
    let (status, sub, _) = app
        .purchase(
            "attempt-1",
            &json!({"product": "power-bi-pro", "quantity": 5, "payment_token": token}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    assert!(sub["id"].as_str().unwrap().starts_with("sub_"));
    assert_eq!(sub["product"], "power-bi-pro");
    assert_eq!(sub["source"], "self_service");
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["quantity"], 5);
    assert_eq!(sub["cancel_at_period_end"], false);
    assert_eq!(sub["purchaser"]["email"], "megan@contoso.com");
    assert_eq!(sub["assigned_users"].as_array().unwrap().len(), 1);
    assert_eq!(sub["assigned_users"][0]["email"], "megan@contoso.com");
    assert_eq!(sub["unit_amount"], 1400);
    assert_eq!(sub["currency"], "usd");
    assert_eq!(sub["payment_method"]["brand"], "visa");
    assert_eq!(sub["payment_method"]["last4"], "4242");
    let start = sub["current_period_start"].as_i64().unwrap();
    assert_eq!(
        sub["current_period_end"].as_i64().unwrap(),
        add_months(start, 1)
    );
    let invoice = &sub["latest_invoice"];
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["total"], quote["total"]);
    assert_eq!(invoice["lines"][0]["quantity"], 5);
    assert!(invoice["number"].as_str().unwrap().starts_with("SS-"));
    assert_eq!(sub["orders"].as_array().unwrap().len(), 1);
    assert_eq!(sub["orders"][0]["status"], "paid");
    assert_eq!(sub["orders"][0]["amount"], quote["total"]);

    let id = sub["id"].as_str().unwrap();
    let (status, fetched) = app.get(&format!("/api/v1/subscriptions/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(fetched, sub);
    let (_, list) = app.get("/api/v1/subscriptions").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["has_more"], false);
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_response_byte_for_byte() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let token = app.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 2, "payment_token": token});
    let (first_status, first, first_raw) = app.purchase("retry-me", &body).await;
    assert_eq!(first_status, 201, "{first}");
    let (second_status, _, second_raw) = app.purchase("retry-me", &body).await;
    assert_eq!(second_status, 201);
    assert_eq!(first_raw, second_raw);
    let (_, list) = app.get("/api/v1/subscriptions").await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "one subscription, not two"
    );
    let order = first["orders"][0]["id"].as_str().unwrap();
    let charges = app
        .server
        .store
        .count_successful_charges(&format!("charge_{order}"))
        .await
        .unwrap();
    assert_eq!(charges, 1, "charged exactly once");

    // The same key for a different request is refused; the token is spent for new keys.
    let other = json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token});
    let (status, body, _) = app.purchase("retry-me", &other).await;
    assert_error(status, &body, 422, "idempotency_key_reused");
    let (status, body, _) = app.purchase("a-new-key", &body_with(&other, 2)).await;
    assert_error(status, &body, 400, "token_already_used");
}

fn body_with(body: &Value, quantity: u32) -> Value {
    let mut body = body.clone();
    body["quantity"] = json!(quantity);
    body
}

#[tokio::test]
async fn a_purchase_needs_an_idempotency_key() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let token = app.token("4242424242424242").await;
    let response = app
        .client
        .post(app.url("/api/v1/purchases"))
        .json(&json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_error(status, &body, 400, "idempotency_key_required");
}

#[tokio::test]
async fn concurrent_requests_with_one_key_charge_once() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let token = app.token("4242424242424242").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    // Polled together, so the requests really overlap.
    let results =
        futures_util::future::join_all((0..8).map(|_| app.purchase("same-key", &body))).await;
    let created: Vec<&String> = results
        .iter()
        .filter(|(s, _, _)| *s == 201)
        .map(|(_, _, raw)| raw)
        .collect();
    assert!(!created.is_empty());
    assert!(
        created.windows(2).all(|w| w[0] == w[1]),
        "every 201 is the same response"
    );
    for (status, body, _) in &results {
        assert!(
            *status == 201
                || (*status == 409 && body["error"]["code"] == "idempotency_in_progress"),
            "{status} {body}"
        );
    }
    let (_, list) = app.get("/api/v1/subscriptions").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_still_in_progress_answers_409() {
    let app = spawn_app().await;
    let (_, user) = app.sign_in("megan@contoso.com").await;
    let token = app.token("4242424242424242").await;
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
        .begin_idempotent(user["id"].as_str().unwrap(), "busy-key", &hash, now)
        .await
        .unwrap();
    let (status, body, _) = app
        .purchase(
            "busy-key",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await;
    assert_error(status, &body, 409, "idempotency_in_progress");
}

#[tokio::test]
async fn each_decline_has_its_code_and_the_next_card_can_succeed() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    for (number, decline_code) in [
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000119", "processing_error"),
        ("4000000000000341", "generic_decline"),
    ] {
        let token = app.token(number).await;
        let (status, body, _) = app
            .purchase(
                &format!("decline-{number}"),
                &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}),
            )
            .await;
        assert_error(status, &body, 402, "card_declined");
        assert_eq!(body["error"]["decline_code"], decline_code, "{number}");
    }
    let (_, list) = app.get("/api/v1/subscriptions").await;
    assert!(
        list["data"].as_array().unwrap().is_empty(),
        "declines create nothing"
    );
    let token = app.token("4242 4242 4242 4242").await;
    let (status, sub, _) = app
        .purchase(
            "after-declines",
            &json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    assert_eq!(sub["quantity"], 3);
}

#[tokio::test]
async fn three_d_secure_asks_for_a_challenge_then_completes_or_fails_cleanly() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let token = app.token("4000002760003184").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    let (status, error, _) = app.purchase("3ds-1", &body).await;
    assert_error(status, &error, 402, "authentication_required");
    let next = &error["error"]["next_action"];
    assert_eq!(next["type"], "three_d_secure");
    let url = next["url"].as_str().unwrap();
    assert!(
        url.starts_with(&app.gateway),
        "answered on the gateway's origin: {url}"
    );

    // The buyer fails the challenge: the retry is declined, and asks again afterwards.
    let answer = |result: &'static str, url: String| {
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .json(&json!({"result": result}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(answer("fail", url.to_owned()).await.status().as_u16(), 200);
    let (status, error, _) = app.purchase("3ds-2", &body).await;
    assert_error(status, &error, 402, "card_declined");
    assert_eq!(error["error"]["decline_code"], "authentication_failed");

    let (status, error, _) = app.purchase("3ds-3", &body).await;
    assert_error(status, &error, 402, "authentication_required");
    let url = error["error"]["next_action"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(answer("approve", url.clone()).await.status().as_u16(), 200);
    assert_eq!(
        answer("approve", url).await.status().as_u16(),
        404,
        "a challenge is answered once"
    );
    let (status, sub, _) = app.purchase("3ds-4", &body).await;
    assert_eq!(status, 201, "{sub}");
    assert_eq!(sub["payment_method"]["last4"], "3184");
}

#[tokio::test]
async fn policy_is_checked_again_when_paying() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    let (status, _) = app
        .post(
            "/api/v1/quotes",
            &json!({"product": "power-bi-pro", "quantity": 1}),
        )
        .await;
    assert_eq!(status, 200);
    let contoso = org_id(&app, "megan@contoso.com").await;
    app.set_policy(&contoso, "power-bi-pro", "disabled").await;
    let token = app.token("4242424242424242").await;
    let (status, body, _) = app
        .purchase(
            "mid-checkout",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await;
    assert_error(status, &body, 403, "not_eligible");
    assert_eq!(body["error"]["reason"], "policy_disabled");
    let (_, session) = app.get("/api/v1/session").await;
    assert_eq!(session["can_buy"]["power-bi-pro"], "policy_disabled");
}

#[tokio::test]
async fn unknown_tokens_are_refused() {
    let app = spawn_app().await;
    app.sign_in("megan@contoso.com").await;
    for token in ["tok_doesnotexist", "pm_notatoken", ""] {
        let (status, body, _) = app
            .purchase(
                &format!("bad-{token}"),
                &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
            )
            .await;
        assert_error(status, &body, 400, "invalid_token");
    }
}

#[tokio::test]
async fn only_the_purchaser_admins_and_delegated_partners_see_a_subscription() {
    let app = spawn_app().await;
    let sub = app.buy("megan@contoso.com", 2).await;
    let path = format!("/api/v1/subscriptions/{}", sub["id"].as_str().unwrap());
    for (email, expected) in [
        ("megan@contoso.com", 200),
        ("admin@contoso.com", 200),
        ("billing@contoso.com", 200),
        ("pat@northwind.example", 200),
        ("alex@contoso.com", 404),
        ("quinn@proseware.example", 404),
        ("admin@fabrikam.nl", 404),
    ] {
        let app_client = app.new_client();
        let response = app_client
            .post(app.url("/api/v1/session"))
            .json(&json!({"email": email, "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{email} signs in");
        let response = app_client.get(app.url(&path)).send().await.unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, expected, "{email}: {body}");
        if expected == 404 {
            assert_error(status, &body, 404, "not_found");
        }
    }
    let (status, body) = app.get("/api/v1/subscriptions/sub_doesnotexist").await;
    assert_error(status, &body, 404, "not_found");
}

#[tokio::test]
async fn the_gateway_validates_cards_and_never_echoes_the_number() {
    let app = spawn_app().await;
    let tokenize = |body: Value| {
        let client = app.client.clone();
        let url = format!("{}/v1/tokens", app.gateway);
        async move { status_and_json(client.post(url).json(&body).send().await.unwrap()).await }
    };
    let card = |number: &str, month: u32, year: u32, cvc: &str| json!({"number": number, "exp_month": month, "exp_year": year, "cvc": cvc, "name": "A"});
    let (status, body) = tokenize(card("4242 4242 4242 4242", 12, 2034, "123")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["token"].as_str().unwrap().starts_with("tok_"));
    assert_eq!(body["brand"], "visa");
    assert_eq!(body["last4"], "4242");
    assert!(!body.to_string().contains("42424242"), "{body}");

    for (request, code, field) in [
        (
            card("4242424242424241", 12, 2034, "123"),
            "incorrect_number",
            "number",
        ),
        (card("4242", 12, 2034, "123"), "incorrect_number", "number"),
        (
            card("4242424242424242", 13, 2034, "123"),
            "invalid_expiry_month",
            "exp_month",
        ),
        (
            card("4242424242424242", 1, 2020, "123"),
            "invalid_expiry_year",
            "exp_year",
        ),
        (
            card("4242424242424242", 12, 2034, "12"),
            "invalid_cvc",
            "cvc",
        ),
        (
            card("378282246310005", 12, 2034, "123"),
            "invalid_cvc",
            "cvc",
        ),
    ] {
        let (status, body) = tokenize(request).await;
        assert_error(status, &body, 400, code);
        assert_eq!(body["error"]["field"], field);
    }
}

#[tokio::test]
async fn the_gateway_answers_cors_only_for_the_apps_origin() {
    let app = spawn_app().await;
    let preflight = |origin: String| {
        app.client
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
    let (_, user) = app.sign_in("megan@contoso.com").await;
    let user_id = user["id"].as_str().unwrap();
    let token = app.token("4242424242424242").await;
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
        organization_id: user["organization"]["id"].as_str().unwrap().into(),
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
        .insert_order(&order, Some((user_id, "died-early")))
        .await
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
    let (status, sub, _) = app
        .purchase(
            "died-early",
            &json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
}
