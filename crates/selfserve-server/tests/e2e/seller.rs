//! The seller a deployment names (`--seller-name`, `--terms-url`, `--privacy-url`, here through
//! their environment variables) is in every page's footer and on the invoice, which also links
//! its PDF.

use super::{Journey, choose_seats, dist, enter_card, start_and_sign_in};
use crate::support::process::ServerProcess;

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_seller_is_in_the_footer_and_on_the_invoice_with_a_pdf_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_in(
        &dist(),
        dir.path(),
        &[
            ("SELFSERVE_SELLER_NAME", "Fabrikam Licensing B.V."),
            ("SELFSERVE_TERMS_URL", "https://shop.example/terms"),
            ("SELFSERVE_PRIVACY_URL", "https://shop.example/privacy"),
        ],
    );
    let base = server.base.clone();
    let journey = Journey::in_browser(server, base, &[], vec![Box::new(dir)]).await;
    journey.open("/").await;
    journey
        .wait_text(
            "[data-testid=footer-seller]",
            "Sold by Fabrikam Licensing B.V.",
        )
        .await;
    let terms = journey.element("[data-testid=footer-terms]").await;
    assert_eq!(
        terms.attr("href").await.unwrap().as_deref(),
        Some("https://shop.example/terms")
    );
    assert_eq!(terms.text().await.unwrap(), "Terms of sale");
    let privacy = journey.element("[data-testid=footer-privacy]").await;
    assert_eq!(
        privacy.attr("href").await.unwrap().as_deref(),
        Some("https://shop.example/privacy")
    );
    journey
        .assert_accessible("products with the seller's footer")
        .await;

    start_and_sign_in(&journey, "megan@contoso.com").await;
    choose_seats(&journey, 2).await;
    enter_card(&journey, "4242 4242 4242 4242").await;
    journey.click("[data-testid=pay]").await;
    journey.click("[data-testid=manage-link]").await;
    journey.click("[data-testid=bills] a").await;
    journey
        .wait_text("[data-testid=invoice-seller]", "Fabrikam Licensing B.V.")
        .await;
    let pdf = journey.element("[data-testid=download-invoice-pdf]").await;
    let href = pdf.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.starts_with("/api/v1/invoices/in_") && href.ends_with("/pdf?language=en"),
        "{href}"
    );
    assert_eq!(pdf.text().await.unwrap(), "Download PDF");
    // The link answers the signed-in browser with the PDF (read with its cookie).
    let magic = journey
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer())
               .then(b => done(String.fromCharCode(...new Uint8Array(b).slice(0, 5))))
               .catch(e => done('failed: ' + e));",
            vec![serde_json::Value::String(href)],
        )
        .await
        .unwrap();
    assert_eq!(magic, "%PDF-");
    journey
        .assert_accessible("the invoice with the seller")
        .await;
    journey.finish().await;
}
