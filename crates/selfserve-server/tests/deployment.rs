//! The deployment of `deploy/`, for real (see `support/deployment.rs`): nginx terminating TLS
//! for both origins in front of TWO real `selfserve-server` processes on ONE PostgreSQL
//! database. The same purchase in Chromium is `tests/e2e/deployment.rs`.
//!
//! Clients connect from loopback addresses of their own (127.0.0.2, 127.0.0.3), so nginx sees
//! two real sources and writes each one's address into `X-Forwarded-For`, as it would for two
//! people on the internet.
//!
//! PostgreSQL only (two servers never share a SQLite file): without `SELFSERVE_TEST_POSTGRES`
//! each test says so and passes without running.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::card::CardToken;
use selfserve_api::manage::SeatChangeQuote;
use selfserve_api::subscription::Subscription;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::IpAddr;
use support::app::DEMO_PASSWORD;
use support::deployment::{CLIENT_A, CLIENT_B, deploy};

#[tokio::test]
async fn a_purchase_over_https_through_nginx_is_served_by_both_servers_on_one_clock() {
    let Some(deployment) = deploy(None).await else {
        return;
    };
    let started = std::time::Instant::now();
    let browser = deployment.browser(CLIENT_A);
    let mut served = [0_usize; 2];

    // Sign in: only the Secure `__Host-` cookie, over HTTP/2, with HSTS.
    let response = deployment.sign_in(&browser, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200, "sign-in through nginx");
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert!(
        response.headers().contains_key("strict-transport-security"),
        "HSTS behind TLS"
    );
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-selfserve_session="))
        .unwrap_or_else(|| panic!("a __Host- session cookie: {cookies:?}"));
    assert!(session.contains("Secure"), "{session}");
    assert!(
        !cookies.iter().any(|c| c.starts_with("selfserve_session=")),
        "no insecure cookie: {cookies:?}"
    );
    let session_value = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-selfserve_session=")
        .to_owned();
    served[deployment.served_by(&response)] += 1;

    // The app tells the browser where the gateway is: its public origin, not a bind address.
    let response = browser
        .get(format!("{}/api/v1/config", deployment.app_url))
        .send()
        .await
        .unwrap();
    served[deployment.served_by(&response)] += 1;
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["gateway_url"], deployment.gateway_url.as_str());

    // The card goes to the gateway's own origin, through nginx, from the app's page.
    let response = browser
        .post(format!("{}/v1/tokens", deployment.gateway_url))
        .header("Origin", &deployment.app_url)
        .json(
            &json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034,
                      "cvc": "123", "name": "Megan Bowen"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "tokenising through nginx");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        deployment.app_url.as_str(),
        "the gateway admits the app's public origin"
    );
    let token: CardToken = response.json().await.unwrap();

    let response = browser
        .post(format!("{}/api/v1/purchases", deployment.app_url))
        .header("Origin", &deployment.app_url)
        .header("Idempotency-Key", format!("deploy-{}", token.token))
        .json(&json!({"product": "power-bi-pro", "quantity": 3, "payment_token": token.token}))
        .send()
        .await
        .unwrap();
    served[deployment.served_by(&response)] += 1;
    assert_eq!(response.status(), 201, "the purchase through nginx");
    let bought: Subscription = response.json().await.unwrap();
    assert_eq!(bought.quantity, 3);

    // Viewed again and again: whichever server answers, it is the same subscription.
    for _ in 0..6 {
        let response = browser
            .get(format!(
                "{}/api/v1/subscriptions/{}",
                deployment.app_url, bought.id
            ))
            .send()
            .await
            .unwrap();
        served[deployment.served_by(&response)] += 1;
        assert_eq!(response.status(), 200);
        let seen: Subscription = response.json().await.unwrap();
        assert_eq!((seen.id.as_str(), seen.quantity), (bought.id.as_str(), 3));
    }
    assert!(
        served[0] >= 2 && served[1] >= 2,
        "round-robin: both servers answered the buyer: {served:?}"
    );
    eprintln!(
        "requests per server: {served:?}; purchase journey {:?}",
        started.elapsed()
    );

    // The test clock moved through one server is the clock of the other. Straight to each
    // server (the session cookie by hand: it is Secure, and these are plain HTTP on loopback).
    let http = reqwest::Client::new();
    let quote_on = |server: usize| {
        let request = http
            .post(format!(
                "{}/api/v1/subscriptions/{}/seats/quote",
                deployment.servers[server].base, bought.id
            ))
            .header(
                "Cookie",
                format!("__Host-selfserve_session={session_value}"),
            )
            .json(&json!({"quantity": 4}));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "a seat quote");
            response.json::<SeatChangeQuote>().await.unwrap()
        }
    };
    let before = quote_on(1).await;
    let moved: Value = http
        .post(format!(
            "{}/api/v1/test-clock/advance",
            deployment.servers[0].base
        ))
        .json(&json!({"days": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["offset_seconds"], 10 * 86_400);
    let after_on_second = quote_on(1).await;
    let after_on_first = quote_on(0).await;
    assert!(
        after_on_second.subtotal < before.subtotal,
        "the second server prorates for the 10 days the first one moved: {} then {}",
        before.subtotal,
        after_on_second.subtotal
    );
    assert_eq!(
        after_on_second, after_on_first,
        "both servers quote at the same time"
    );
}

#[tokio::test]
async fn sign_in_limits_count_each_client_behind_the_proxy_and_ignore_forged_hops() {
    let Some(deployment) = deploy(None).await else {
        return;
    };
    let started = std::time::Instant::now();
    let a = deployment.browser(CLIENT_A);
    let b = deployment.browser(CLIENT_B);

    // Client A guesses until the per-account-and-address limit (30 a minute) refuses it. The
    // bucket refills one guess per 2 s while argon2 runs, so a few more may pass first.
    let mut served = BTreeMap::<usize, usize>::new();
    let mut refused = None;
    for attempt in 1..=90 {
        let response = deployment.sign_in(&a, "wrong password").await;
        *served.entry(deployment.served_by(&response)).or_default() += 1;
        match response.status().as_u16() {
            401 => continue,
            429 => {
                assert!(response.headers().contains_key("retry-after"));
                refused = Some(attempt);
                break;
            }
            other => panic!("guess {attempt}: {other}"),
        }
    }
    let refused = refused.expect("client A is throttled within 90 guesses");
    assert!(refused > 30, "30 guesses are allowed, got {refused}");
    assert_eq!(
        served.len(),
        2,
        "both servers counted A's guesses: {served:?}"
    );

    // A's right password is refused too (the limit comes before argon2) …
    let response = deployment.sign_in(&a, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429, "client A stays throttled");
    // … while B, another address nginx vouches for, signs in to the same account.
    let response = deployment.sign_in(&b, DEMO_PASSWORD).await;
    assert_eq!(
        response.status(),
        200,
        "client B is not throttled for A's guesses"
    );

    // A forged X-Forwarded-For buys A no new bucket: through nginx (which appends A's real
    // address, the hop the server believes) nor straight to a server, which does not trust A's
    // own address. A's bucket gets a token back every 2 s, so on a slow machine one guess may
    // pass; a new bucket would pass 30.
    let through_nginx = format!("{}/api/v1/session", deployment.app_url);
    assert!(
        guesses_before_refusal(&a, &through_nginx).await <= 2,
        "a forged hop through nginx"
    );
    let direct = reqwest::Client::builder()
        .local_address(IpAddr::from(CLIENT_A))
        .build()
        .unwrap();
    let straight = format!("{}/api/v1/session", deployment.servers[1].base);
    assert!(
        guesses_before_refusal(&direct, &straight).await <= 2,
        "an untrusted peer's X-Forwarded-For is ignored"
    );
    eprintln!(
        "A refused at guess {refused}; guesses per server {served:?}; {:?}",
        started.elapsed()
    );
}

/// How many wrong guesses claiming to come from 127.0.0.3 are answered before the first 429
/// `too_many_attempts` (at most 10 tried).
async fn guesses_before_refusal(client: &reqwest::Client, url: &str) -> usize {
    for guess in 0..10 {
        let response = client
            .post(url)
            .header("X-Forwarded-For", "127.0.0.3")
            .json(&json!({"email": "megan@contoso.com", "password": "not-her-password"}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        match (status, body["error"]["code"].as_str()) {
            (429, Some(code)) if code == ErrorCode::TooManyAttempts.as_str() => return guess,
            (401, _) => {}
            other => panic!("guess {guess} with a forged hop: {other:?}"),
        }
    }
    10
}
