//! Issue 13's polish of the purchaser's and admin's views, in the browser: only the latest
//! outcome of a write on screen, a partner's customer named in the heading, a sentence for an
//! empty table, the seat-change form's button and radios, and a purchase's details as a row
//! as wide as the table.

use super::{Browser, Cdp, Journey, bought_through_the_api, sign_in_at_gate};
use fantoccini::Locator;
use fantoccini::key::Key;
use std::time::Duration;

/// Whether `css` matches an element the browser draws.
async fn displayed(journey: &Journey, css: &str) -> bool {
    match journey.client.find(Locator::Css(css)).await {
        Ok(element) => element.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

/// Waits until `css` is drawn (`true`) or not (`false`).
async fn wait_displayed(journey: &Journey, css: &str, wanted: bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while displayed(journey, css).await != wanted {
        assert!(
            std::time::Instant::now() < deadline,
            "{css} {} shown; {}",
            if wanted { "was never" } else { "stayed" },
            journey.whereabouts().await
        );
        // Polls the condition; the page changes when an answer arrives.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The seat form's radio buttons that are cut off: smaller than drawn, outside the window, or
/// clipped by a box around them (an `overflow` other than visible).
const CLIPPED_RADIOS: &str = "const out = [];
const radios = document.querySelectorAll('[data-testid=seats-card-choice] input[type=radio]');
if (radios.length !== 2) return ['found ' + radios.length + ' radio buttons'];
for (const r of radios) {
  r.scrollIntoView({block: 'center'});
  const b = r.getBoundingClientRect();
  const name = r.value + ' at ' + Math.round(b.left) + '..' + Math.round(b.right);
  if (b.width < 23.5 || b.height < 23.5) out.push(name + ' is ' + b.width + 'x' + b.height);
  if (b.left < 0 || b.right > document.documentElement.clientWidth) out.push(name + ' is outside the window');
  for (let n = r.parentElement; n && n !== document.body; n = n.parentElement) {
    const s = getComputedStyle(n);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const p = n.getBoundingClientRect();
    if (b.left < p.left - 0.5 || b.right > p.right + 0.5 || b.top < p.top - 0.5 || b.bottom > p.bottom + 0.5)
      out.push(name + ' is clipped by ' + n.tagName.toLowerCase() + '.' + n.className);
  }
  const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
  if (hit !== r && !(r.labels[0] && r.labels[0].contains(hit)))
    out.push(name + ' is under ' + (hit ? hit.tagName.toLowerCase() + '.' + hit.className : 'nothing'));
}
return out;";

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_new_error_replaces_the_last_success_and_the_seat_form_always_answers() {
    let journey = Journey::start().await;
    let id = bought_through_the_api(&journey, "megan@contoso.com", 2, &[]).await;
    sign_in_at_gate(&journey, &format!("/manage/{id}"), "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=fact-seats]", "1 of 2")
        .await;

    // The button is there before the number changes; today's number is answered at the field.
    let button = journey
        .wait_text("[data-testid=seats-confirm]", "Change licences")
        .await;
    assert_eq!(button.trim(), "Change licences");
    journey.click("[data-testid=seats-confirm]").await;
    let error = journey
        .wait_text(
            "#seats-quantity-error",
            "You have 2 licences now. Choose a different number of licences.",
        )
        .await;
    assert!(!error.is_empty());
    let field = journey.element("[data-testid=seats-quantity]").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let described = field
        .attr("aria-describedby")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(described.contains("seats-quantity-error"), "{described}");
    let role = journey
        .element("#seats-quantity-error")
        .await
        .attr("role")
        .await
        .unwrap();
    assert_eq!(role.as_deref(), Some("alert"));
    // Another number: the message goes, the price and the choice of card come.
    journey.fill("[data-testid=seats-quantity]", "4").await;
    journey
        .wait_text("[data-testid=seats-quote]", "2 more licences now")
        .await;
    assert!(!displayed(&journey, "#seats-quantity-error").await);
    for width in [375, 1280] {
        journey
            .client
            .issue_cmd(Cdp(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({"width": width, "height": 900,
                    "deviceScaleFactor": 1, "mobile": false}),
            ))
            .await
            .unwrap();
        let clipped = journey
            .client
            .execute(CLIPPED_RADIOS, vec![])
            .await
            .unwrap();
        assert_eq!(clipped, serde_json::json!([]), "at {width} px");
    }
    journey
        .client
        .issue_cmd(Cdp(
            "Emulation.clearDeviceMetricsOverride",
            serde_json::json!({}),
        ))
        .await
        .unwrap();
    journey.fill("[data-testid=seats-quantity]", "2").await;

    // Her own licence taken back: the table is replaced by a sentence.
    journey.click("[data-testid=assigned-users] button").await;
    journey
        .wait_text(
            "[data-testid=flash]",
            "Megan Bowen no longer has a licence.",
        )
        .await;
    journey
        .wait_text(
            "[data-testid=assigned-users-empty]",
            "Nobody has a licence yet.",
        )
        .await;
    assert!(!displayed(&journey, "[data-testid=assigned-users]").await);

    // A success, then a failing attempt: the success is gone, the error is shown and announced.
    journey
        .fill("[data-testid=paste-emails]", "alex@contoso.com")
        .await;
    journey.click("[data-testid=assign-pasted]").await;
    journey
        .wait_text("[data-testid=flash]", "Licence given to 1 person.")
        .await;
    journey
        .fill("[data-testid=paste-emails]", "nobody-here@fabrikam.example")
        .await;
    journey.click("[data-testid=assign-pasted]").await;
    let error = journey.element("[data-testid=assign-error]").await;
    assert_eq!(error.attr("role").await.unwrap().as_deref(), Some("alert"));
    assert!(!error.text().await.unwrap().trim().is_empty());
    wait_displayed(&journey, "[data-testid=flash]", false).await;
    let status = journey
        .client
        .execute(
            "return document.querySelector('[data-testid=flash-status]').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, "", "the old success is still in the live region");
    journey.finish().await;
}

/// A partner's customer is named in the heading, and its empty purchases say so (`lang`).
async fn partner_sees_customer(lang: &str, heading: &str, empty: &str, no_match: &str) {
    let journey = Journey::start_in(Browser::Chromium, lang).await;
    bought_through_the_api(&journey, "megan@contoso.com", 3, &["alex@contoso.com"]).await;
    sign_in_at_gate(&journey, "/admin", "pat@northwind.example").await;
    journey
        .wait_text("#admin-heading", &format!("{heading} Contoso"))
        .await;
    journey.wait_text("[data-testid=purchases]", "Megan").await;
    // A search that finds nothing: a sentence, not the table's headers.
    journey.fill("[data-testid=purchase-search]", "zzzz").await;
    journey
        .wait_text("[data-testid=purchases-empty]", no_match)
        .await;
    assert!(!displayed(&journey, "[data-testid=purchases]").await);
    // Erased key by key, as a person does: WebDriver's clear fires no `input` event.
    journey
        .element("[data-testid=purchase-search]")
        .await
        .send_keys(&Key::Backspace.to_string().repeat(4))
        .await
        .unwrap();
    wait_displayed(&journey, "[data-testid=purchases]", true).await;

    // The other customer has bought nothing.
    journey
        .element("[data-testid=org-switch]")
        .await
        .select_by_label("Fabrikam Nederland B.V.")
        .await
        .unwrap();
    journey
        .wait_text(
            "#admin-heading",
            &format!("{heading} Fabrikam Nederland B.V."),
        )
        .await;
    journey
        .wait_text("[data-testid=purchases-empty]", empty)
        .await;
    assert!(!displayed(&journey, "[data-testid=purchases]").await);
    journey.element("[data-testid=feed-empty]").await;
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_partner_sees_the_customers_name_and_a_sentence_for_empty_purchases() {
    partner_sees_customer(
        "en-US",
        "Purchases in",
        "Nothing has been bought here yet.",
        "No purchases match what you chose.",
    )
    .await;
    partner_sees_customer(
        "nl-NL",
        "Aankopen bij",
        "Hier is nog niets gekocht.",
        "Geen aankopen die passen bij je keuze.",
    )
    .await;
}

/// The details' cell, the table and the rows around them, as the browser lays them out.
const DETAILS_LAYOUT: &str = "const row = document.querySelector(
  '[data-testid=purchase-row][data-source=self_service]');
const details = row.nextElementSibling;
const cell = details.querySelector('td');
const toggle = row.querySelector('[data-testid=details-toggle]');
return {
  table: row.closest('table').getBoundingClientRect().width,
  cell: cell.getBoundingClientRect().width,
  colspan: cell.colSpan,
  columns: row.closest('table').querySelector('thead tr').children.length,
  details_id: details.id,
  testid: details.dataset.testid,
  controls: toggle.getAttribute('aria-controls'),
  expanded: toggle.getAttribute('aria-expanded'),
  shown: details.getClientRects().length > 0,
};";

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_purchases_details_open_as_a_row_as_wide_as_the_table() {
    let journey = Journey::start().await;
    bought_through_the_api(&journey, "megan@contoso.com", 3, &["alex@contoso.com"]).await;
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    // A global admin administers their own organisation.
    journey
        .wait_text("#admin-heading", "Purchases in your organisation")
        .await;
    journey.wait_text("[data-testid=purchases]", "Megan").await;
    let closed = journey
        .client
        .execute(DETAILS_LAYOUT, vec![])
        .await
        .unwrap();
    assert_eq!(closed["expanded"], "false", "{closed}");
    assert_eq!(closed["shown"], false, "{closed}");
    assert_eq!(closed["testid"], "purchase-details", "{closed}");
    assert_eq!(closed["controls"], closed["details_id"], "{closed}");

    let toggle =
        "[data-testid=purchase-row][data-source=self_service] [data-testid=details-toggle]";
    journey.click(toggle).await;
    let details = "[data-testid=purchase-details][data-source=self_service]";
    journey.wait_text(details, "Alex Wilber").await;
    let open = journey
        .client
        .execute(DETAILS_LAYOUT, vec![])
        .await
        .unwrap();
    assert_eq!(open["expanded"], "true", "{open}");
    assert_eq!(open["colspan"], open["columns"], "{open}");
    let (table, cell) = (
        open["table"].as_f64().unwrap(),
        open["cell"].as_f64().unwrap(),
    );
    assert!(
        (table - cell).abs() <= 1.0,
        "details {cell} px in a {table} px table"
    );
    journey
        .element(&format!("{details} [data-testid=take-over]"))
        .await;

    // With the keyboard: Enter on the focused button closes them again.
    journey
        .element(toggle)
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_displayed(&journey, details, false).await;
    let closed = journey
        .client
        .execute(DETAILS_LAYOUT, vec![])
        .await
        .unwrap();
    assert_eq!(closed["expanded"], "false", "{closed}");
    journey.finish().await;
}
