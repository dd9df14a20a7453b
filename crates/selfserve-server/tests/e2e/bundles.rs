//! The app is three bundles (`selfserve_api::bundle`): a page loads only its own wasm, and a
//! link to another bundle's page is a full page load of that bundle, after which the new
//! page's heading has focus as after any route change.

use super::{Journey, sign_in_at_gate};

/// The wasm files this document fetched, as paths.
async fn wasm_fetched(journey: &Journey) -> Vec<String> {
    let names = journey
        .client
        .execute(
            "return performance.getEntriesByType('resource')
               .map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm'));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

/// Waits for the page at `path` to be shown by a freshly loaded `directory` bundle (the
/// checkout's is the root), its heading focused; then no other bundle's wasm was fetched.
async fn arrive_in_bundle(journey: &Journey, path: &str, directory: &str) {
    journey
        .wait_until(
            &format!("{path} in the bundle at /{directory}"),
            &format!(
                "return location.pathname === '{path}'
               && performance.getEntriesByType('resource').some(e =>
                    e.name.endsWith('.wasm') && new URL(e.name).pathname.startsWith('/{directory}'))
               && document.activeElement !== null
               && document.activeElement.matches('main h1');"
            ),
        )
        .await;
    let wasm = wasm_fetched(journey).await;
    assert_eq!(wasm.len(), 1, "one bundle per page: {wasm:?}");
    let file = wasm[0].trim_start_matches('/');
    let expected = if directory.is_empty() {
        !file.contains('/')
    } else {
        file.strip_prefix(directory)
            .is_some_and(|rest| rest.matches('/').count() == 1)
    };
    assert!(
        expected,
        "{path} loaded {wasm:?}, not the bundle at /{directory}"
    );
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn each_area_loads_its_own_bundle_and_links_cross_between_them() {
    let journey = Journey::start().await;
    journey.open("/buy/power-bi-pro").await;
    journey.element("[data-testid=email]").await;
    let wasm = wasm_fetched(&journey).await;
    assert!(
        wasm.len() == 1 && !wasm[0].starts_with("/bundles/"),
        "a buyer fetches the checkout's wasm only: {wasm:?}"
    );

    // The admin console, signed in at its gate (within its bundle).
    sign_in_at_gate(&journey, "/admin", "admin@contoso.com").await;
    journey.element("[data-testid=nav-manage]").await;
    let wasm = wasm_fetched(&journey).await;
    assert!(
        wasm.len() == 1 && wasm[0].starts_with("/bundles/admin/"),
        "{wasm:?}"
    );

    // The header's "My subscriptions": the purchaser's bundle, heading focused.
    journey.click("[data-testid=nav-manage]").await;
    arrive_in_bundle(&journey, "/manage", "bundles/purchaser").await;

    // The brand link home: the checkout's bundle again.
    journey.click(".site-header .brand").await;
    arrive_in_bundle(&journey, "/", "").await;

    // Back returns to the purchaser's page, loaded by its own bundle.
    journey.client.back().await.unwrap();
    journey
        .wait_until(
            "back to /manage",
            "return location.pathname === '/manage' && document.querySelector('main h1') !== null;",
        )
        .await;
    let wasm = wasm_fetched(&journey).await;
    assert!(
        wasm.iter().all(|w| w.starts_with("/bundles/purchaser/")),
        "{wasm:?}"
    );
    journey.finish().await;
}
