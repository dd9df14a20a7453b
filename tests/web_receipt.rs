//! Issue 13's polish of what a purchase leaves behind, in a real browser: the confirmation
//! reads as a receipt (number, date, amounts, card with its mark, the invoice's link, no raw
//! order id), a trial says until when it is free instead of a price, and the card form shows
//! the detected brand's mark — in English and Dutch.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos_router::components::Router;
use selfserve::components::card_form::CardForm;
use selfserve::components::price;
use selfserve::format;
use selfserve::i18n::{Language, Msg, choose_language};
use selfserve::pages::confirmation::Receipt;
use selfserve_api::money::Currency;
use selfserve_api::subscription::{Subscription, SubscriptionStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;
use support::{PAID, PERIOD_END, bought, container, wait_for};

fn text(root: &HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} in {}", root.inner_html()))
        .text_content()
        .unwrap_or_default()
}

/// A trial of Power BI Pro for 3 people: nothing paid, free until 4 January 2027.
fn trial() -> Subscription {
    Subscription {
        status: SubscriptionStatus::Trialing,
        quantity: 3,
        unit_amount: 50_000,
        payment_method: None,
        orders: vec![],
        latest_invoice: None,
        ..bought()
    }
}

fn mount_receipt(sub: Subscription) -> HtmlElement {
    let root = container();
    std::mem::forget(mount_to(root.clone(), move || {
        view! { <Router><Receipt sub=sub.clone() /></Router> }
    }));
    root
}

#[wasm_bindgen_test]
async fn the_confirmation_is_a_receipt_with_number_date_amounts_card_and_the_invoice() {
    for language in Language::ALL {
        choose_language(language);
        let root = mount_receipt(bought());
        wait_for(&root, "[data-testid=receipt]").await;
        let receipt = text(&root, "[data-testid=receipt]");
        assert!(
            receipt.contains(Msg::Receipt.text(language)),
            "{language:?}: {receipt}"
        );
        assert!(
            text(&root, "[data-testid=confirmation-invoice]").starts_with("SS-2026-000042"),
            "{language:?}"
        );
        assert_eq!(
            text(&root, "[data-testid=confirmation-date]"),
            format::date(PAID, None)
        );
        let money = |minor| format::money(minor, Currency::USD, None);
        assert_eq!(
            text(&root, "[data-testid=confirmation-subtotal]"),
            money(7000)
        );
        assert_eq!(text(&root, "[data-testid=confirmation-tax]"), money(1470));
        assert_eq!(text(&root, "[data-testid=confirmation-paid]"), money(8470));
        assert!(
            text(&root, "[data-testid=confirmation-line]").contains(&money(1400)),
            "{language:?}"
        );
        assert_eq!(
            text(&root, "[data-testid=confirmation-card]"),
            "Visa •••• 4242"
        );
        let mark = wait_for(
            &root,
            "[data-testid=confirmation-card] [data-testid=card-mark]",
        )
        .await;
        assert_eq!(mark.get_attribute("data-brand").as_deref(), Some("visa"));
        assert_eq!(mark.get_attribute("aria-hidden").as_deref(), Some("true"));
        assert!(
            text(&root, "[data-testid=confirmation-renewal]")
                .contains(&format::date(PERIOD_END, None))
        );
        let link = wait_for(&root, "[data-testid=confirmation-invoice-link]").await;
        assert_eq!(
            link.get_attribute("href").as_deref(),
            Some("/invoices/in_42")
        );
        assert_eq!(
            link.text_content().as_deref(),
            Some(Msg::ViewInvoice.text(language))
        );
        // The raw order id is for support tools, not for the buyer.
        assert!(!root.inner_html().contains("ord_"), "{}", root.inner_html());
        root.remove();
    }
    choose_language(Language::English);
}

#[wasm_bindgen_test]
async fn a_trial_says_until_when_it_is_free_instead_of_a_price() {
    for (language, words) in [
        (Language::English, "Free trial until "),
        (Language::Dutch, "Gratis proefversie tot "),
    ] {
        choose_language(language);
        let sub = trial();
        let expected = format!("{words}{}", format::date(PERIOD_END, None));
        // The words every view of a subscription uses (purchaser's list and detail, admins').
        assert_eq!(price::per_licence(&sub), expected);
        assert_eq!(price::trial_text(&bought()), None);
        let root = mount_receipt(sub);
        let shown = wait_for(&root, "[data-testid=confirmation-price]").await;
        assert_eq!(shown.text_content().unwrap_or_default(), expected);
        let html = root.inner_html();
        assert!(
            !html.contains("500"),
            "{language:?}: a price for a trial: {html}"
        );
        assert!(
            root.query_selector("[data-testid=confirmation-renewal]")
                .unwrap()
                .is_none(),
            "a trial does not renew"
        );
        root.remove();
    }
    choose_language(Language::English);
}

fn type_into(root: &HtmlElement, selector: &str, value: &str) {
    let input: HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .expect(selector)
        .unchecked_into();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_card_form_shows_the_mark_of_the_brand_typed() {
    let root = container();
    std::mem::forget(mount_to(root.clone(), || {
        view! { <CardForm on_tokenized=Callback::new(|_| ()) submit_label="Continue" /> }
    }));
    wait_for(&root, "[data-testid=card-form]").await;
    assert!(
        root.query_selector("[data-testid=card-brand] [data-testid=card-mark]")
            .unwrap()
            .is_none(),
        "no mark before a brand is known"
    );
    for (number, brand, name) in [
        ("4242424242424242", "visa", "Visa"),
        ("5555555555554444", "mastercard", "Mastercard"),
    ] {
        type_into(&root, "[data-testid=card-number]", number);
        let mark = wait_for(
            &root,
            &format!("[data-testid=card-brand] [data-testid=card-mark][data-brand={brand}]"),
        )
        .await;
        assert_eq!(mark.get_attribute("aria-hidden").as_deref(), Some("true"));
        // Drawn by CSS: the mark adds nothing to what a screen reader reads.
        assert_eq!(mark.text_content().as_deref(), Some(""));
        assert_eq!(text(&root, "[data-testid=card-brand]"), name);
    }
}

/// Counts are grouped as the chosen language groups them, and the kept formatter follows a
/// change of language (a 10,000-seat subscription says "10,000", in Dutch "10.000").
#[wasm_bindgen_test]
fn counts_are_grouped_for_the_chosen_language() {
    choose_language(Language::English);
    assert_eq!(format::count(10_000), "10,000");
    choose_language(Language::Dutch);
    assert_eq!(format::count(10_000), "10.000");
    assert_eq!(format::count(25), "25");
    choose_language(Language::English);
    assert_eq!(format::count(1_234_567), "1,234,567");
}
