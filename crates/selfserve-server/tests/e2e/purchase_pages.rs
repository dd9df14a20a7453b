//! Long subscription lists in the browser (issue 14): the admins' purchases and "My
//! subscriptions" read a page of 50 and "Show more" reads the next; the admins' search, filter
//! and sort are the server's; an admin's own list holds what they bought, not the
//! organisation's; a change made further down keeps the rows shown.

use super::{Journey, purchase_through_the_api, sign_in_at_gate, signed_in_through_the_api};

/// Megan's purchases (one licence each): more than a page of 50, as Alex's one of seven
/// makes the organisation's.
const MEGANS: usize = 55;

/// Buys `count` subscriptions of `seats` licences as `email`, through the API.
async fn buy_many(journey: &Journey, email: &str, count: usize, seats: u32) {
    let client = signed_in_through_the_api(journey, email).await;
    for n in 0..count {
        purchase_through_the_api(journey, &client, seats, &format!("pages-{email}-{n}")).await;
    }
}

/// Waits until `table` has `count` body rows and is not waiting for the server.
async fn wait_rows(journey: &Journey, table: &str, count: usize) {
    journey
        .wait_until(
            &format!("{count} rows in {table}"),
            &format!(
                "const table = document.querySelector('[data-testid={table}]');
                 return !!table && !table.hasAttribute('aria-busy')
                   && table.querySelectorAll('tbody > tr:not(.details-row)').length === {count};"
            ),
        )
        .await;
}

/// The query strings the page sent to `GET /admin/subscriptions`.
async fn admin_reads(journey: &Journey) -> Vec<String> {
    serde_json::from_value(
        journey
            .client
            .execute(
                "return performance.getEntriesByType('resource')
                   .map((e) => new URL(e.name))
                   .filter((u) => u.pathname === '/api/v1/admin/subscriptions')
                   .map((u) => u.search);",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn long_purchase_lists_come_a_page_at_a_time_and_the_server_searches_and_sorts() {
    let journey = Journey::start().await;
    buy_many(&journey, "megan@contoso.com", MEGANS, 1).await;
    buy_many(&journey, "alex@contoso.com", 1, 7).await;

    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    wait_rows(&journey, "purchases", 50).await;
    journey.click("[data-testid=show-more-rows]").await;
    wait_rows(&journey, "purchases", MEGANS + 1).await;
    journey
        .wait_until(
            "no more to show",
            "return !document.querySelector('[data-testid=show-more-rows]');",
        )
        .await;
    let reads = admin_reads(&journey).await;
    assert!(
        reads.iter().all(|q| q.contains("limit=50")),
        "every read is a page: {reads:?}"
    );
    assert!(
        reads.iter().any(|q| q.contains("starting_after=")),
        "{reads:?}"
    );

    // A change on the second page: the list is read again as far down as it was shown, so the
    // admin sees the changed row where they made the change, not the top of the list.
    journey
        .click("[data-testid=purchases] tbody > tr:nth-last-child(2) [data-testid=details-toggle]")
        .await;
    journey
        .click("[data-testid=purchases] tbody > tr:last-child [data-testid=ask-cancel]")
        .await;
    journey
        .wait_until(
            "the last row's purchaser asked to cancel, the row still shown",
            "return document.querySelectorAll('[data-testid=cancel-asked]').length === 1;",
        )
        .await;
    wait_rows(&journey, "purchases", MEGANS + 1).await;
    // Read again once: the first page and the one after it, no more.
    let reads = admin_reads(&journey).await;
    assert_eq!(reads.len(), 4, "{reads:#?}");
    assert!(reads[3].contains("starting_after="), "{reads:#?}");

    // The server finds Alex's among all of them.
    journey.fill("[data-testid=purchase-search]", "alex").await;
    wait_rows(&journey, "purchases", 1).await;
    assert!(
        admin_reads(&journey)
            .await
            .iter()
            .any(|q| q.starts_with("?q=alex&")),
        "the search is the server's"
    );
    journey
        .client
        .execute(
            "const search = document.querySelector('[data-testid=purchase-search]');
             search.value = '';
             search.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![],
        )
        .await
        .unwrap();
    wait_rows(&journey, "purchases", 50).await;

    // Most licences first: the seats column sorted twice (up, then down) by the server.
    for _ in 0..2 {
        journey
            .click("[data-testid=purchases] th:nth-child(4) .sort-button")
            .await;
    }
    journey
        .wait_until(
            "Alex's seven licences first",
            "const row = document.querySelector('[data-testid=purchase-row]');
             return !!row && row.textContent.includes('Alex')
               && !document.querySelector('[data-testid=purchases]').hasAttribute('aria-busy');",
        )
        .await;
    assert!(
        admin_reads(&journey)
            .await
            .iter()
            .any(|q| q.contains("sort=quantity&order=desc")),
        "the sort is the server's"
    );

    // The admin bought nothing: their own list is empty, however much the organisation bought.
    journey.open("/manage").await;
    journey.element("[data-testid=no-subscriptions]").await;

    // Megan's own list, a page at a time.
    journey.click("[data-testid=sign-out]").await;
    journey.element("[data-testid=nav-sign-in]").await;
    sign_in_at_gate(&journey, "/manage", "megan@contoso.com").await;
    wait_rows(&journey, "subscriptions", 50).await;
    journey.click("[data-testid=show-more-rows]").await;
    wait_rows(&journey, "subscriptions", MEGANS).await;
    journey.finish().await;
}
