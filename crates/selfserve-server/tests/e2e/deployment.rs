//! The purchase in Chromium through the deployment of `deploy/` (see
//! `support/deployment.rs`): nginx terminating TLS for `https://shop.example.com` and
//! `https://pay.shop.example.com` in front of two server processes on one PostgreSQL database.
//! Chromium resolves both names to nginx's loopback address and accepts its self-signed
//! certificate; everything else (public URLs in the CSP and `/config`, the Origin check, the
//! `__Host-` cookie) is the deployment's own.
//!
//! PostgreSQL only: without `SELFSERVE_TEST_POSTGRES` it says so and passes without running
//! (`cargo xtask test` sets it for the end-to-end step).

use super::{Journey, assert_no_card_data, choose_seats, dist, enter_card};
use crate::support::deployment::{APP_NAME, GATEWAY_NAME, deploy};

#[tokio::test]
#[ignore = "needs the built app, Chromium and PostgreSQL: run `cargo xtask test`"]
async fn a_buyer_purchases_over_https_through_nginx_with_a_secure_session_cookie() {
    let Some(deployment) = deploy(Some(&dist())).await else {
        return;
    };
    let started = std::time::Instant::now();
    let [first, second] = deployment.servers;
    let logs = [first.log.clone(), second.log.clone()];
    let base = deployment.app_url.clone();
    let gateway = deployment.gateway_url.clone();
    // nginx listens on 127.0.0.1 only (the test's rendering of the site).
    let resolve =
        format!("--host-resolver-rules=MAP {APP_NAME} 127.0.0.1, MAP {GATEWAY_NAME} 127.0.0.1");
    let journey = Journey::in_browser(
        first,
        base.clone(),
        &[resolve, "--ignore-certificate-errors".to_owned()],
        vec![
            Box::new(second),
            Box::new(deployment.proxy),
            Box::new(deployment.dirs),
        ],
    )
    .await;

    journey.open("/").await;
    journey
        .click("[data-testid=product-power-bi-pro] [data-testid=buy]")
        .await;
    journey
        .fill("[data-testid=email]", "megan@contoso.com")
        .await;
    journey.click("[data-testid=email-submit]").await;
    journey
        .fill("[data-testid=password]", "selfserve-demo")
        .await;
    journey.click("[data-testid=sign-in-submit]").await;
    journey
        .wait_text("[data-testid=step-count]", "Step 3 of 5")
        .await;

    // Signed in through nginx: the browser holds only the `__Host-` cookie, Secure and
    // HttpOnly, for the app's public name.
    let cookies = journey.client.get_all_cookies().await.unwrap();
    let names: Vec<&str> = cookies.iter().map(|c| c.name()).collect();
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Host-selfserve_session")
        .unwrap_or_else(|| panic!("no __Host- session cookie in the browser: {names:?}"));
    assert_eq!(session.secure(), Some(true), "the session cookie is Secure");
    assert_eq!(
        session.http_only(),
        Some(true),
        "the session cookie is HttpOnly"
    );
    assert!(
        !names.contains(&"selfserve_session"),
        "no insecure session cookie: {names:?}"
    );
    // The page learnt the gateway's public origin, not a bind address.
    let config = journey
        .client
        .execute(
            "return fetch('/api/v1/config').then(r => r.json());",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(config["gateway_url"], gateway.as_str());

    choose_seats(&journey, 2).await;
    journey
        .wait_text("[data-testid=summary-total]", "$28.00")
        .await;
    // The card goes from the page at shop.example.com to pay.shop.example.com, through nginx.
    enter_card(&journey, "4242 4242 4242 4242").await;
    journey
        .wait_text("[data-testid=review-card]", "Visa •••• 4242")
        .await;
    journey.wait_text("[data-testid=pay]", "Pay $28.00").await;
    journey.click("[data-testid=pay]").await;
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    assert_eq!(
        journey.text_of("[data-testid=confirmation-assigned]").await,
        "Megan Bowen"
    );
    let url = journey.client.current_url().await.unwrap();
    assert_eq!(
        url.origin().ascii_serialization(),
        base,
        "the journey stayed on the public HTTPS origin"
    );
    eprintln!(
        "purchase in Chromium through nginx: {:?}",
        started.elapsed()
    );
    // `finish` scans the first server's log; the second one's is scanned here.
    for log in &logs[1..] {
        if let Ok(bytes) = std::fs::read(log) {
            assert_no_card_data(&bytes, &log.display().to_string());
        }
    }
    journey.finish().await;
}
