//! The admin view's webhooks: a global admin adds an endpoint (errors at their fields, the
//! secret shown once), sees it in the table and removes it after confirming.

use super::{Journey, sign_in_at_gate};

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_global_admin_adds_and_removes_a_webhook_endpoint() {
    let journey = Journey::start().await;
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=webhooks]", "No endpoints yet")
        .await;

    // Checked in the browser: not https, tied to the URL field.
    journey
        .fill("[data-testid=webhook-url]", "http://hooks.example")
        .await;
    journey.click("[data-testid=webhook-add]").await;
    journey.wait_text("#webhook-url-error", "https://").await;
    let field = journey.element("[data-testid=webhook-url]").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        field
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap()
            .contains("webhook-url-error")
    );

    // Refused by the server (this machine is not a public host), shown at the same field.
    journey
        .element("[data-testid=webhook-url]")
        .await
        .clear()
        .await
        .unwrap();
    journey
        .fill("[data-testid=webhook-url]", "https://localhost/in")
        .await;
    journey.click("[data-testid=webhook-add]").await;
    journey
        .wait_text("#webhook-url-error", "internal address")
        .await;

    // No event chosen: the fieldset says so.
    journey
        .element("[data-testid=webhook-url]")
        .await
        .clear()
        .await
        .unwrap();
    journey
        .fill("[data-testid=webhook-url]", "https://93.184.216.34/hooks")
        .await;
    journey.click("[data-testid=webhook-every]").await;
    journey.click("[data-testid=webhook-add]").await;
    journey
        .wait_text("#webhook-events-error", "at least one")
        .await;
    journey.click("input[value=purchase]").await;
    journey.click("[data-testid=webhook-add]").await;
    journey
        .wait_text("[data-testid=webhook-secret-box]", "added")
        .await;
    let secret = journey
        .element("[data-testid=webhook-secret]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let row = journey
        .wait_text("[data-testid=webhook-row]", "93.184.216.34")
        .await;
    // The kind in words, not its wire name.
    assert!(
        row.contains("Purchase") && !row.contains("purchase") && !row.contains("whsec_"),
        "{row}"
    );
    journey.assert_accessible("admin webhooks").await;
    for (width, height) in [(375, 812), (1280, 900)] {
        journey.client.set_window_size(width, height).await.unwrap();
        journey
            .client
            .execute(
                "document.querySelector('[data-testid=webhooks]').scrollIntoView();",
                vec![],
            )
            .await
            .unwrap();
        journey.screenshot(&format!("admin-webhooks-{width}")).await;
    }

    // Removal asks first; accepting it empties the table.
    journey.click("[data-testid=webhook-remove]").await;
    journey.client.accept_alert().await.unwrap();
    journey
        .wait_text("[data-testid=webhooks]", "No endpoints yet")
        .await;
    journey.finish().await;
}
