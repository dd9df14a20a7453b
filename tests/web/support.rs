//! What the component tests share: a place to mount into and waiting for the browser. Included
//! by each `tests/web*.rs` (each its own test crate) with `#[path]`.

// Not every test crate uses every helper.
#![allow(dead_code)]

use selfserve_api::card::CardBrand;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::subscription::{
    CardSummary, Invoice, InvoiceLine, InvoiceStatus, Order, OrderKind, OrderPhase, Source,
    Subscription, SubscriptionStatus, UserRef,
};
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
pub async fn next_turn() {
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

/// Waits until `check` holds, failing after about five seconds with `what`.
pub async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let started = js_sys::Date::now();
    while !check() {
        assert!(js_sys::Date::now() - started < 5_000.0, "timed out: {what}");
        next_turn().await;
    }
}

/// 4 January 2027, noon UTC: the same calendar day in every time zone a test runs in.
pub const PERIOD_END: i64 = 1_799_064_000;
/// 4 December 2026, noon UTC.
pub const PAID: i64 = 1_796_385_600;

pub fn card() -> CardSummary {
    CardSummary {
        brand: CardBrand::Visa,
        last4: "4242".into(),
        exp_month: 12,
        exp_year: 2034,
    }
}

pub fn megan() -> UserRef {
    UserRef {
        id: "usr_megan".into(),
        email: "megan@contoso.com".into(),
        name: "Megan Bowen".into(),
    }
}

/// Five licences of Power BI Pro at $14.00 with 21% tax, paid by Visa •••• 4242.
pub fn bought() -> Subscription {
    Subscription {
        id: "sub_1".into(),
        product: ProductId::PowerBiPro,
        product_name: "Power BI Pro".into(),
        source: Source::SelfService,
        status: SubscriptionStatus::Active,
        quantity: 5,
        pending_quantity: None,
        assigned_users: vec![megan()],
        assigned_count: 1,
        purchaser: megan(),
        current_period_start: PAID,
        current_period_end: PERIOD_END,
        cancel_at_period_end: false,
        unit_amount: 1400,
        currency: Currency::USD,
        payment_method: Some(card()),
        orders: vec![Order {
            id: "ord_raw_id_nobody_reads".into(),
            kind: OrderKind::Purchase,
            quantity: 5,
            amount: 8470,
            currency: Currency::USD,
            status: OrderPhase::Paid,
            created: PAID,
        }],
        latest_invoice: Some(Invoice {
            id: "in_42".into(),
            number: "SS-2026-000042".into(),
            subscription_id: "sub_1".into(),
            status: InvoiceStatus::Paid,
            lines: vec![InvoiceLine {
                description: "Power BI Pro".into(),
                quantity: 5,
                unit_amount: 1400,
                amount: 7000,
            }],
            subtotal: 7000,
            tax: 1470,
            total: 8470,
            currency: Currency::USD,
            period_start: PAID,
            period_end: PERIOD_END,
            created: PAID,
            paid_at: Some(PAID),
            card: Some(card()),
            amount_refunded: 0,
        }),
        created: PAID,
        cancel_requested_at: None,
        cancel_requested_by: None,
        converted_to: None,
        dispute: None,
    }
}
