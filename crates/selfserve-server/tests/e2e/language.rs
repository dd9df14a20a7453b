//! The app in Dutch: a browser whose language is Dutch gets the Dutch app, `<html lang="nl">`
//! and Dutch amounts, with zero accessibility violations; the reader's switch to English
//! survives a reload.

use super::{Journey, dist};
use crate::support::process::ServerProcess;

/// A journey in a Chromium whose preferred language is Dutch (the Netherlands).
async fn dutch_browser() -> Journey {
    let server = ServerProcess::start(&dist());
    let base = server.base.clone();
    Journey::in_browser(server, base, &["--lang=nl-NL".to_owned()], Vec::new()).await
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_dutch_browser_gets_the_app_in_dutch_and_a_switch_to_english_is_remembered() {
    let journey = dutch_browser().await;
    journey.open("/buy/power-bi-pro").await;
    journey
        .wait_text("#step-heading", "Vul je zakelijke e-mailadres in")
        .await;
    let lang = journey
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "nl");
    // The list price for the Netherlands, the Dutch way: euro sign first, decimal comma.
    let price = journey.text_of("[data-testid=summary-unit]").await;
    assert!(
        price.starts_with('€') && price.contains(',') && !price.contains('.'),
        "not a Dutch amount: {price:?}"
    );
    assert_eq!(
        journey.text_of("[data-testid=language-nl]").await,
        "Nederlands"
    );
    journey.screenshot("nl-checkout-email").await;
    journey.assert_accessible("the Dutch checkout").await;

    journey.click("[data-testid=language-en]").await;
    journey
        .wait_text("#step-heading", "Enter your work email")
        .await;
    journey.client.refresh().await.unwrap();
    journey
        .wait_text("#step-heading", "Enter your work email")
        .await;
    let lang = journey
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "en");
    let pressed = journey
        .element("[data-testid=language-en]")
        .await
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    journey.finish().await;
}
