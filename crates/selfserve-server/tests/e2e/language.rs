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

/// Resizes the window to `width` and saves a screenshot; returns the page's and the
/// window's widths.
async fn looked_at(journey: &Journey, screen: &str, width: u32) -> (u64, u64) {
    journey.client.set_window_size(width, 900).await.unwrap();
    let sizes = journey
        .client
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    journey.screenshot(&format!("nl-{screen}-{width}")).await;
    (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap())
}

/// Fails when Dutch makes the page wider than the window: a page that overflows in Dutch must
/// overflow in English too. Some screens overflow a phone in both languages (wide tables:
/// issue 13's 320 px item fixes those on their own); then a long Dutch word is not the cause.
async fn fits(journey: &Journey, screen: &str, width: u32) {
    let (dutch, window) = looked_at(journey, screen, width).await;
    if dutch <= window {
        return;
    }
    let culprits = {
        journey
            .client
            .execute(
                "const w = document.documentElement.clientWidth;
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > w + 1
                     && ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                   .slice(0, 6)
                   .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)
                     + ' ' + (e.textContent || '').slice(0, 40));",
                vec![],
            )
            .await
            .unwrap()
            .to_string()
    };
    let parts = tested_parts(journey).await;
    journey.click("[data-testid=language-en]").await;
    wait_for_lang(journey, "en").await;
    // The rebuilt page loads again: measure it once it shows as much as the Dutch one did.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while tested_parts(journey).await < parts {
        assert!(
            std::time::Instant::now() < deadline,
            "{screen} never loaded again in English"
        );
        tokio::task::yield_now().await;
    }
    let english = looked_at(journey, &format!("{screen}-en"), width).await.0;
    journey.click("[data-testid=language-nl]").await;
    wait_for_lang(journey, "nl").await;
    assert!(
        english > window,
        "{screen} at {width} px is {dutch} px wide in Dutch, {english} px in English \
         (window {window} px); too wide: {culprits}"
    );
}

/// How many parts of the page tests can find: the same page, loaded as far, has as many.
async fn tested_parts(journey: &Journey) -> u64 {
    journey
        .client
        .execute(
            "return document.querySelectorAll('main [data-testid]').length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

async fn wait_for_lang(journey: &Journey, code: &str) {
    journey
        .wait_text(
            "[aria-pressed=true][data-testid^=language-]",
            match code {
                "nl" => "Nederlands",
                _ => "English",
            },
        )
        .await;
}

async fn fits_both(journey: &Journey, screen: &str) {
    fits(journey, screen, 375).await;
    fits(journey, screen, 1280).await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_dutch_screens_fit_a_phone_and_a_desktop() {
    let journey = dutch_browser().await;
    journey.open("/").await;
    journey.wait_text("h1", "Koop licenties").await;
    fits_both(&journey, "products").await;

    journey
        .click("[data-testid=product-power-bi-pro] [data-testid=buy]")
        .await;
    journey
        .fill("[data-testid=email]", "megan@contoso.com")
        .await;
    journey.click("[data-testid=email-submit]").await;
    journey.text_of("[data-testid=sign-in-form]").await;
    fits_both(&journey, "sign-in").await;
    journey
        .fill("[data-testid=password]", "selfserve-demo")
        .await;
    journey.click("[data-testid=sign-in-submit]").await;
    // Contoso is in the United States: dollars, written the Dutch way.
    journey
        .wait_text("[data-testid=summary-total]", "US$ 14,00")
        .await;
    fits_both(&journey, "seats").await;
    journey.click("[data-testid=seats-submit]").await;
    journey.click("[data-testid=card-submit]").await;
    journey
        .wait_text("[data-testid=card-errors]", "Er is een probleem")
        .await;
    fits_both(&journey, "card-errors").await;
    super::enter_card(&journey, "4242 4242 4242 4242").await;
    journey.wait_text("[data-testid=pay]", "betalen").await;
    fits_both(&journey, "review").await;
    journey.assert_accessible("the Dutch review step").await;
    journey.click("[data-testid=pay]").await;
    journey
        .wait_text("[data-testid=confirmation]", "Aankoop voltooid")
        .await;
    fits_both(&journey, "confirmation").await;
    journey.click("[data-testid=manage-link]").await;
    journey
        .wait_text("[data-testid=fact-seats]", "1 van 1")
        .await;
    fits_both(&journey, "subscription").await;
    journey
        .assert_accessible("the Dutch subscription page")
        .await;
    journey.click("[data-testid=nav-manage]").await;
    journey.text_of("[data-testid=subscriptions]").await;
    fits_both(&journey, "manage").await;

    journey.click("[data-testid=sign-out]").await;
    super::sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=purchases]", "Megan Bowen")
        .await;
    fits_both(&journey, "admin").await;
    journey.assert_accessible("the Dutch admin view").await;
    journey.finish().await;
}
