//! Component tests in a real browser (headless Chromium and Firefox, via
//! `wasm-bindgen-test-runner`). Elements are found by `data-testid`; tests wait for a condition,
//! never for a fixed time.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use selfserve::pages::products::{ProductCard, ProductsPage};
use selfserve_api::money::Currency;
use selfserve_api::product::{Interval, Product, ProductId, SeatLimits};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

mod support {
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement};

    /// A fresh element in `<body>` to mount a component into.
    pub fn container() -> HtmlElement {
        let document = leptos::prelude::document();
        let section = document.create_element("section").unwrap();
        document.body().unwrap().append_child(&section).unwrap();
        section.unchecked_into()
    }

    /// Yields to the browser for one macrotask, so fetches, effects and renders can run.
    async fn next_turn() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback(&resolve)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }

    /// Waits until `selector` matches inside `root`, failing after about five seconds.
    pub async fn wait_for(root: &HtmlElement, selector: &str) -> Element {
        let started = js_sys::Date::now();
        loop {
            if let Some(found) = root.query_selector(selector).unwrap() {
                return found;
            }
            if js_sys::Date::now() - started > 5_000.0 {
                panic!(
                    "timed out waiting for {selector}; page is: {}",
                    root.inner_html()
                );
            }
            next_turn().await;
        }
    }
}

fn product(id: ProductId, amount: i64, currency: Currency) -> Product {
    Product {
        id,
        name: "Power BI Pro".into(),
        description: "Reports and dashboards.".into(),
        unit_amount: amount,
        currency,
        interval: Interval::Month,
        seat_limits: SeatLimits { min: 1, max: 2500 },
    }
}

#[wasm_bindgen_test]
async fn product_card_shows_name_and_price_for_the_locale() {
    let root = support::container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <ProductCard product=product(ProductId::PowerBiPro, 1400, Currency::USD) locale="en-US" />
        }
    });
    let card = support::wait_for(&root, "[data-testid=product-power-bi-pro]").await;
    assert_eq!(
        card.query_selector("h2")
            .unwrap()
            .unwrap()
            .text_content()
            .as_deref(),
        Some("Power BI Pro")
    );
    let price = card.query_selector("[data-testid=price]").unwrap().unwrap();
    assert_eq!(price.text_content().as_deref(), Some("$14.00"));
    // The card is labelled by its heading, so screen readers announce the product name.
    let heading_id = card.query_selector("h2").unwrap().unwrap().id();
    assert_eq!(card.get_attribute("aria-labelledby"), Some(heading_id));
}

#[wasm_bindgen_test]
async fn prices_follow_the_currencys_minor_unit() {
    let root = support::container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <ProductCard product=product(ProductId::PowerBiPro, 1410, Currency::EUR) locale="nl-NL" />
            <ProductCard product=product(ProductId::PowerAppsPerUser, 2098, Currency::JPY) locale="en-US" />
        }
    });
    let euro = support::wait_for(
        &root,
        "[data-testid=product-power-bi-pro] [data-testid=price]",
    )
    .await;
    let text = euro.text_content().unwrap();
    assert!(text.contains("14,10") && text.contains('€'), "{text}");
    let yen = support::wait_for(
        &root,
        "[data-testid=product-power-apps-per-user] [data-testid=price]",
    )
    .await;
    let text = yen.text_content().unwrap();
    // 2098 yen, not 20.98: the yen has no minor unit.
    assert!(text.contains("2,098") && !text.contains('.'), "{text}");
}

#[wasm_bindgen_test]
async fn products_page_explains_a_failed_load_and_offers_a_retry() {
    // The test runner's server has no API, so the load fails the way a broken proxy would.
    let root = support::container();
    let _mounted = mount_to(root.clone(), || view! { <ProductsPage /> });
    let panel = support::wait_for(&root, "[data-testid=error-panel]").await;
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    let retry: HtmlElement = panel
        .query_selector("button")
        .unwrap()
        .expect("a retry button")
        .unchecked_into();
    assert_eq!(retry.text_content().as_deref(), Some("Try again"));
    retry.click();
    // Retrying loads again and, failing again, shows the panel again rather than nothing.
    support::wait_for(&root, "[data-testid=error-panel]").await;
    assert!(
        root.query_selector("[data-testid=product-list]")
            .unwrap()
            .is_none()
    );
}
