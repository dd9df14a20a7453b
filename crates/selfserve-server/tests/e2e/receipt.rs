//! Issue 13's polish after a purchase, in the real app: the confirmation is a receipt with the
//! card's mark and a link to the invoice, whose "Download PDF" carries the language chosen in
//! the app (not the browser's); and an admin's saved policy is said beside its Save button
//! only, not also at the top of `/admin`.

use super::{Journey, choose_seats, enter_card, sign_in_at_gate, start_and_sign_in};
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_receipt_links_the_invoice_whose_pdf_follows_the_apps_language() {
    let journey = Journey::start().await;
    start_and_sign_in(&journey, "megan@contoso.com").await;
    choose_seats(&journey, 2).await;
    enter_card(&journey, "4242 4242 4242 4242").await;
    journey.wait_text("[data-testid=pay]", "Pay $28.00").await;
    journey.click("[data-testid=pay]").await;
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    let receipt = journey.text_of("[data-testid=receipt]").await;
    assert!(receipt.contains("Receipt"), "{receipt}");
    assert!(!receipt.contains("ord_"), "the raw order id: {receipt}");
    assert!(
        journey
            .text_of("[data-testid=confirmation-invoice]")
            .await
            .starts_with("SS-")
    );
    assert_eq!(
        journey.text_of("[data-testid=confirmation-subtotal]").await,
        "$28.00"
    );
    assert_eq!(
        journey.text_of("[data-testid=confirmation-card]").await,
        "Visa •••• 4242"
    );
    let mark = journey
        .element("[data-testid=confirmation-card] [data-testid=card-mark]")
        .await;
    assert_eq!(
        mark.attr("data-brand").await.unwrap().as_deref(),
        Some("visa")
    );
    journey.assert_accessible("receipt").await;

    journey
        .click("[data-testid=confirmation-invoice-link]")
        .await;
    journey.wait_text("#invoice-heading", "Invoice SS-").await;
    let href = journey
        .element("[data-testid=download-invoice-pdf]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(href.ends_with("/pdf?language=en"), "{href}");

    // The browser asks for English; the reader chooses Dutch in the app.
    journey.click("[data-testid=language-nl]").await;
    journey.wait_text("#invoice-heading", "Factuur SS-").await;
    let href = journey
        .element("[data-testid=download-invoice-pdf]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(href.ends_with("/pdf?language=nl"), "{href}");
    // The link works as the browser follows it: with the session's cookie, a PDF.
    let answer = journey
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => done([r.status, r.headers.get('content-type')]))
               .catch(e => done([0, String(e)]));",
            vec![serde_json::Value::String(href.clone())],
        )
        .await
        .unwrap();
    assert_eq!(
        answer,
        serde_json::json!([200, "application/pdf"]),
        "{href}"
    );
    journey.click("[data-testid=language-en]").await;
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_saved_policy_is_said_beside_its_button_not_at_the_top_of_the_page() {
    let journey = Journey::start().await;
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey.wait_text("[data-testid=policies]", "Allowed").await;
    journey
        .element("[data-testid=policy-power-bi-pro]")
        .await
        .select_by_value("disabled")
        .await
        .unwrap();
    journey
        .click("[data-testid=policy-save-power-bi-pro]")
        .await;
    journey
        .wait_text(
            "[data-testid=policy-status-power-bi-pro]",
            "Power BI Pro: Turned off",
        )
        .await;
    // Both places were filled by the same answer: once the status beside the button says it,
    // a message at the top would be there too.
    assert!(
        journey
            .client
            .find(Locator::Css("[data-testid=admin-flash]"))
            .await
            .is_err(),
        "the policy's message is also at the top of /admin"
    );
    let top = journey.text_of("[data-testid=admin]").await;
    assert_eq!(
        top.matches("Power BI Pro: Turned off").count(),
        1,
        "said once, beside the button: {top}"
    );
    journey.finish().await;
}
