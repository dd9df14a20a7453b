//! Component tests in a real browser (headless Chromium and Firefox, via
//! `wasm-bindgen-test-runner`). Elements are found by `data-testid`; tests wait for a condition,
//! never for a fixed time.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos_router::components::Router;
use selfserve::components::card_form::CardForm;
use selfserve::pages::products::{ProductCard, ProductsPage};
use selfserve_api::money::Currency;
use selfserve_api::product::{Interval, Product, ProductId, SeatLimits};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;

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
            <Router>
                <ProductCard product=product(ProductId::PowerBiPro, 1400, Currency::USD) locale="en-US" />
            </Router>
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
    let buy = card.query_selector("[data-testid=buy]").unwrap().unwrap();
    assert_eq!(
        buy.get_attribute("href").as_deref(),
        Some("/buy/power-bi-pro")
    );
}

#[wasm_bindgen_test]
async fn prices_follow_the_currencys_minor_unit() {
    let root = support::container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <Router>
                <ProductCard product=product(ProductId::PowerBiPro, 1410, Currency::EUR) locale="nl-NL" />
                <ProductCard product=product(ProductId::PowerAppsPerUser, 2098, Currency::JPY) locale="en-US" />
            </Router>
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
    let _mounted = mount_to(root.clone(), || view! { <Router><ProductsPage /></Router> });
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

/// Types `text` into an input the way a person does: set the value, fire `input`.
fn type_into(root: &HtmlElement, selector: &str, text: &str) -> web_sys::HtmlInputElement {
    let input: web_sys::HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .expect(selector)
        .unchecked_into();
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    input
}

fn mount_card_form() -> HtmlElement {
    let root = support::container();
    // Outside the app there is no configuration, so no gateway to post to.
    std::mem::forget(mount_to(root.clone(), move || {
        view! {
            <CardForm on_tokenized=Callback::new(|_| ()) submit_label="Continue" />
        }
    }));
    root
}

#[wasm_bindgen_test]
async fn the_card_number_is_formatted_and_its_brand_shown_as_typed() {
    let root = mount_card_form();
    support::wait_for(&root, "[data-testid=card-form]").await;
    let number = type_into(&root, "[data-testid=card-number]", "4242424242424242");
    assert_eq!(number.value(), "4242 4242 4242 4242");
    leptos::task::tick().await;
    let brand = root
        .query_selector("[data-testid=card-brand]")
        .unwrap()
        .unwrap();
    assert_eq!(brand.text_content().as_deref(), Some("Visa"));

    let number = type_into(&root, "[data-testid=card-number]", "3782822463100059999");
    assert_eq!(
        number.value(),
        "3782 822463 10005",
        "Amex groups, cut at 15 digits"
    );
    leptos::task::tick().await;
    assert_eq!(brand.text_content().as_deref(), Some("American Express"));
    let hint = root.query_selector("#card-cvc-hint").unwrap().unwrap();
    assert!(
        hint.text_content().unwrap().contains("4 digits"),
        "Amex asks for 4 digits"
    );
}

#[wasm_bindgen_test]
async fn the_expiry_is_formatted_and_deleting_does_not_fight_back() {
    let root = mount_card_form();
    support::wait_for(&root, "[data-testid=card-form]").await;
    let expiry = type_into(&root, "[data-testid=card-exp]", "1228");
    assert_eq!(expiry.value(), "12 / 28");
    let expiry = type_into(&root, "[data-testid=card-exp]", "12 / ");
    assert_eq!(expiry.value(), "12 / ");
    // Backspace over the separator: it must go away, not come back.
    let expiry = type_into(&root, "[data-testid=card-exp]", "12 /");
    assert_eq!(expiry.value(), "12");
}

#[wasm_bindgen_test]
async fn every_error_is_listed_tied_to_its_field_and_announced() {
    let root = mount_card_form();
    support::wait_for(&root, "[data-testid=card-form]").await;
    type_into(&root, "[data-testid=card-number]", "4242 4242 4242 4241");
    type_into(&root, "[data-testid=card-exp]", "0120");
    type_into(&root, "[data-testid=card-cvc]", "12");
    let submit: HtmlElement = root
        .query_selector("[data-testid=card-submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    submit.click();
    let summary = support::wait_for(&root, "[data-testid=card-errors]:not([hidden])").await;
    assert_eq!(summary.get_attribute("role").as_deref(), Some("alert"));
    let items = summary.inner_html().matches("<li").count();
    assert_eq!(items, 4, "{}", summary.inner_html());
    for (field, error_id, expected) in [
        ("#card-name", "card-name-error", "Enter the name"),
        (
            "#card-number",
            "card-number-error",
            "incomplete or incorrect",
        ),
        ("#card-exp", "card-exp-error", "expired"),
        ("#card-cvc", "card-cvc-error", "security code"),
    ] {
        let input = root.query_selector(field).unwrap().unwrap();
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        let described = input.get_attribute("aria-describedby").unwrap_or_default();
        assert!(
            described.split(' ').any(|id| id == error_id),
            "{field}: {described}"
        );
        let error = root
            .query_selector(&format!("#{error_id}"))
            .unwrap()
            .expect(error_id);
        assert!(error.text_content().unwrap().contains(expected), "{field}");
    }
    // Each summary entry links to its field.
    let first_link = summary.query_selector("a").unwrap().unwrap();
    assert_eq!(
        first_link.get_attribute("href").as_deref(),
        Some("#card-name")
    );
}

#[wasm_bindgen_test]
async fn a_valid_card_with_no_gateway_says_so_instead_of_failing_silently() {
    let root = mount_card_form();
    support::wait_for(&root, "[data-testid=card-form]").await;
    type_into(&root, "#card-name", "Megan Bowen");
    type_into(&root, "[data-testid=card-number]", "4242424242424242");
    type_into(&root, "[data-testid=card-exp]", "1234");
    type_into(&root, "[data-testid=card-cvc]", "123");
    let submit: HtmlElement = root
        .query_selector("[data-testid=card-submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    submit.click();
    let summary = support::wait_for(&root, "[data-testid=card-errors]:not([hidden])").await;
    assert!(summary.text_content().unwrap().contains("payment service"));
    assert!(
        root.query_selector("[aria-invalid=true]")
            .unwrap()
            .is_none(),
        "no field is blamed"
    );
}

#[wasm_bindgen_test]
async fn the_step_indicator_marks_the_current_step_and_offers_done_ones() {
    use selfserve::checkout::{Checkout, Step};
    use selfserve::components::step_indicator::StepIndicator;
    let root = support::container();
    let mut checkout = Checkout::new();
    checkout.email_checked(
        "megan@contoso.com",
        "Contoso",
        selfserve_api::session::SignInMethod::Password,
    );
    checkout.signed_in("megan@contoso.com");
    let state = RwSignal::new(checkout);
    let chosen = RwSignal::new(None::<Step>);
    std::mem::forget(mount_to(root.clone(), move || {
        view! {
            <StepIndicator current=Signal::derive(|| Step::Seats) state
                on_select=Callback::new(move |step| chosen.set(Some(step))) />
        }
    }));
    let count = support::wait_for(&root, "[data-testid=step-count]").await;
    assert_eq!(count.text_content().as_deref(), Some("Step 3 of 5"));
    let current = root.query_selector("[aria-current=step]").unwrap().unwrap();
    assert_eq!(current.text_content().as_deref(), Some("Licences"));
    // Done steps are buttons that go back; later ones are plain text.
    let buttons = root.query_selector_all("li button").unwrap();
    assert_eq!(buttons.length(), 2);
    let first: HtmlElement = buttons.item(0).unwrap().unchecked_into();
    assert_eq!(first.text_content().as_deref(), Some("Email"));
    first.click();
    leptos::task::tick().await;
    assert_eq!(chosen.get_untracked(), Some(Step::Email));
}

#[wasm_bindgen_test]
async fn the_three_d_secure_dialog_opens_modally_with_the_amount() {
    use selfserve::components::three_d_secure::ThreeDSecureDialog;
    let root = support::container();
    let challenge = RwSignal::new(None::<selfserve_api::error::NextAction>);
    std::mem::forget(mount_to(root.clone(), move || {
        view! {
            <ThreeDSecureDialog challenge amount=Signal::derive(|| "$28.00".to_owned())
                on_answered=Callback::new(|_| ()) />
            <ThreeDSecureDialog challenge=RwSignal::new(None) amount=Signal::derive(String::new)
                on_answered=Callback::new(|_| ()) />
        }
    }));
    let dialog: web_sys::HtmlDialogElement =
        support::wait_for(&root, "[data-testid=three-d-secure]")
            .await
            .unchecked_into();
    assert!(!dialog.open(), "closed until the gateway asks");
    challenge.set(Some(selfserve_api::error::NextAction {
        kind: "three_d_secure".into(),
        challenge_id: "chl_x".into(),
        url: "http://127.0.0.1:1/v1/challenges/chl_x".into(),
        client_secret: None,
    }));
    leptos::task::tick().await;
    assert!(dialog.open(), "opens when a challenge arrives");
    assert!(dialog.text_content().unwrap().contains("$28.00"));
    // The name and description are the dialog's own title and text, even with two dialogs on
    // the page (the subscription page has one for seats and one for the card).
    let labelled = |dialog: &web_sys::Element, attr: &str| {
        let id = dialog.get_attribute(attr).expect(attr);
        let target = dialog
            .query_selector(&format!("[id='{id}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("{attr} {id} names an element inside its dialog"));
        target.text_content().unwrap()
    };
    assert_eq!(labelled(&dialog, "aria-labelledby"), "Confirm your payment");
    let dialogs = root
        .query_selector_all("[data-testid=three-d-secure]")
        .unwrap();
    assert_eq!(dialogs.length(), 2);
    let second: web_sys::Element = dialogs.item(1).unwrap().unchecked_into();
    assert_eq!(labelled(&second, "aria-labelledby"), "Confirm your payment");
    assert!(!labelled(&second, "aria-describedby").is_empty());
    assert_ne!(
        dialog.get_attribute("aria-labelledby"),
        second.get_attribute("aria-labelledby")
    );
    assert_ne!(
        dialog.get_attribute("aria-describedby"),
        second.get_attribute("aria-describedby")
    );
    challenge.set(None);
    leptos::task::tick().await;
    assert!(!dialog.open());
}

#[wasm_bindgen_test]
async fn status_badges_say_the_status_in_words() {
    use selfserve::components::status_badge::StatusBadge;
    use selfserve_api::subscription::SubscriptionStatus;
    let root = support::container();
    std::mem::forget(mount_to(root.clone(), || {
        view! {
            <StatusBadge status=SubscriptionStatus::PastDue />
            <StatusBadge status=SubscriptionStatus::Suspended />
        }
    }));
    support::wait_for(&root, "[data-testid=status]").await;
    let text = root.text_content().unwrap();
    assert!(
        text.contains("Payment due") && text.contains("Suspended"),
        "{text}"
    );
    assert!(root.query_selector(".badge-warn").unwrap().is_some());
    assert!(root.query_selector(".badge-bad").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn refunds_and_disputes_are_said_in_words() {
    use selfserve::components::dispute_notice::DisputeNotice;
    use selfserve::pages::subscription::bills::refund_text;
    use selfserve_api::subscription::{Dispute, Invoice, InvoiceStatus};
    let bill = |refunded: i64| Invoice {
        id: "in_1".into(),
        number: "SS-2026-000001".into(),
        subscription_id: "sub_1".into(),
        status: InvoiceStatus::Paid,
        lines: Vec::new(),
        subtotal: 2000,
        tax: 0,
        total: 2000,
        currency: Currency::USD,
        period_start: 1_767_225_600,
        period_end: 1_769_904_000,
        created: 1_767_225_600,
        paid_at: Some(1_767_225_600),
        card: None,
        amount_refunded: refunded,
    };
    assert_eq!(refund_text(&bill(0)), None);
    assert_eq!(refund_text(&bill(2000)).as_deref(), Some("Refunded"));
    let partly = refund_text(&bill(700)).unwrap();
    assert!(
        partly.starts_with("Refunded ") && partly.contains("7.00"),
        "{partly}"
    );

    let root = support::container();
    let dispute = RwSignal::new(None::<Dispute>);
    std::mem::forget(mount_to(root.clone(), move || {
        view! { <DisputeNotice dispute /> }
    }));
    leptos::task::tick().await;
    assert!(
        root.query_selector("[data-testid=dispute-notice]")
            .unwrap()
            .is_none()
    );
    dispute.set(Some(Dispute {
        opened: 1_767_225_600,
        amount: 2000,
        currency: Currency::USD,
        outcome: None,
    }));
    let note = support::wait_for(&root, "[data-testid=dispute-notice]").await;
    let text = note.text_content().unwrap();
    assert!(
        text.contains("bank disputed a payment of") && text.contains("20.00"),
        "{text}"
    );
    assert_eq!(note.get_attribute("role").as_deref(), Some("note"));
}

/// A future the test finishes by hand, and the hand that finishes it.
fn pending_answer() -> (
    js_sys::Promise,
    std::rc::Rc<std::cell::RefCell<Option<js_sys::Function>>>,
) {
    let resolve = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = resolve.clone();
    let promise = js_sys::Promise::new(&mut |done, _| {
        *slot.borrow_mut() = Some(done);
    });
    (promise, resolve)
}

#[wasm_bindgen_test]
async fn a_read_shows_loading_then_its_data() {
    use selfserve::components::loaded::{Loaded, Query};
    let root = support::container();
    let (promise, resolve) = pending_answer();
    std::mem::forget(mount_to(root.clone(), move || {
        let read = Query::new(move || {
            let answer = wasm_bindgen_futures::JsFuture::from(promise.clone());
            async move {
                let _ = answer.await;
                Ok::<_, selfserve::api::ApiFailure>(String::from("Contoso"))
            }
        });
        view! {
            <Loaded read view=|name: String| view! { <p data-testid="data">{name}</p> }.into_any() />
        }
    }));
    let loading = support::wait_for(&root, "[data-testid=loading]").await;
    assert_eq!(loading.get_attribute("role").as_deref(), Some("status"));
    assert!(root.query_selector("[data-testid=data]").unwrap().is_none());
    let done = resolve.borrow_mut().take().expect("the read started");
    done.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let data = support::wait_for(&root, "[data-testid=data]").await;
    assert_eq!(data.text_content().as_deref(), Some("Contoso"));
    assert!(
        root.query_selector("[data-testid=loading]")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn a_failed_read_shows_the_error_panel_and_retrying_reads_again() {
    use selfserve::api::ApiFailure;
    use selfserve::components::loaded::{Loaded, Query};
    let root = support::container();
    let (promise, resolve) = pending_answer();
    let reads = RwSignal::new(0);
    std::mem::forget(mount_to(root.clone(), move || {
        let read = Query::new(move || {
            reads.update(|n| *n += 1);
            let answer = wasm_bindgen_futures::JsFuture::from(promise.clone());
            async move {
                let _ = answer.await;
                Err::<String, _>(ApiFailure::Network)
            }
        });
        view! {
            <Loaded read view=|name: String| view! { <p data-testid="data">{name}</p> }.into_any() />
        }
    }));
    support::wait_for(&root, "[data-testid=loading]").await;
    let done = resolve.borrow_mut().take().expect("the read started");
    done.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let panel = support::wait_for(&root, "[data-testid=error-panel]").await;
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        panel
            .text_content()
            .unwrap()
            .contains("couldn't reach the server"),
        "the failure is said in words"
    );
    assert!(root.query_selector("[data-testid=data]").unwrap().is_none());
    let retry: HtmlElement = panel
        .query_selector("button")
        .unwrap()
        .expect("a retry button")
        .unchecked_into();
    let before = reads.get_untracked();
    retry.click();
    leptos::task::tick().await;
    assert_eq!(reads.get_untracked(), before + 1, "retrying reads again");
}

/// Mounts the central purchase form for `currency`; returns what it asked to record.
fn mount_central_form(
    currency: Currency,
) -> (
    HtmlElement,
    RwSignal<Option<selfserve_api::admin::CentralPurchaseRequest>>,
) {
    use selfserve::components::mutation::Mutation;
    use selfserve::pages::admin::central::CentralForm;
    use selfserve_api::admin::CentralPurchaseRequest;
    let root = support::container();
    let recorded = RwSignal::new(None::<CentralPurchaseRequest>);
    std::mem::forget(mount_to(root.clone(), move || {
        let record = Mutation::new(move |request: &CentralPurchaseRequest| {
            recorded.set(Some(request.clone()));
            async { Ok(()) }
        });
        view! { <CentralForm currency record /> }
    }));
    (root, recorded)
}

fn submit_central(root: &HtmlElement) {
    let submit: HtmlElement = root
        .query_selector("[data-testid=central-submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    submit.click();
}

#[wasm_bindgen_test]
async fn a_price_is_read_in_the_organisations_currency_and_a_wrong_one_is_explained_at_its_field() {
    let (root, recorded) = mount_central_form(Currency::JPY);
    support::wait_for(&root, "[data-testid=central-form]").await;
    let hint = root.query_selector("#central-price-hint").unwrap().unwrap();
    assert_eq!(hint.text_content().as_deref(), Some("In JPY."));

    type_into(&root, "[data-testid=central-price]", "12.50");
    submit_central(&root);
    leptos::task::tick().await;
    let error = support::wait_for(&root, "#central-price-error").await;
    assert!(
        error.text_content().unwrap().contains("no decimals"),
        "{:?}",
        error.text_content()
    );
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    let price = root.query_selector("#central-price").unwrap().unwrap();
    assert_eq!(price.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = price.get_attribute("aria-describedby").unwrap_or_default();
    assert!(
        described.split(' ').any(|id| id == "central-price-error"),
        "{described}"
    );
    assert_eq!(recorded.get_untracked(), None, "nothing is sent");

    // 1,250 yen is 1250 in the API, not 125000.
    type_into(&root, "[data-testid=central-price]", "1250");
    submit_central(&root);
    leptos::task::tick().await;
    let request = recorded.get_untracked().expect("recorded");
    assert_eq!(request.unit_amount, 1250);
    assert_eq!(request.quantity, 10);
    assert!(
        root.query_selector("#central-price-error")
            .unwrap()
            .is_none()
    );
    assert_eq!(price.get_attribute("aria-invalid"), None);
}

#[wasm_bindgen_test]
async fn a_price_in_euros_is_read_to_the_cent() {
    let (root, recorded) = mount_central_form(Currency::EUR);
    support::wait_for(&root, "[data-testid=central-form]").await;
    type_into(&root, "[data-testid=central-price]", "9,9");
    submit_central(&root);
    leptos::task::tick().await;
    assert_eq!(recorded.get_untracked().map(|r| r.unit_amount), Some(990));
}

#[wasm_bindgen_test]
async fn the_sso_form_asks_for_no_password_and_announces_why_the_last_try_failed() {
    use selfserve::components::sso_sign_in::SsoSignIn;
    use selfserve::sso::SsoError;
    let root = support::container();
    let failure = RwSignal::new(Some(SsoError::from_code("provider_error")));
    std::mem::forget(mount_to(root.clone(), move || {
        let error = Memo::new(move |_| failure.get());
        view! {
            <SsoSignIn email="megan@contoso.com".to_owned() return_to="/admin".to_owned()
                resume="/admin".to_owned() error>
                <p>"address"</p>
            </SsoSignIn>
        }
    }));
    let alert = support::wait_for(&root, "[data-testid=sso-error]").await;
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        alert
            .text_content()
            .unwrap_or_default()
            .contains("cancelled or refused"),
        "{:?}",
        alert.text_content()
    );
    let button = root
        .query_selector("[data-testid=sso-continue]")
        .unwrap()
        .unwrap();
    assert_eq!(button.get_attribute("type").as_deref(), Some("submit"));
    assert!(
        button
            .get_attribute("aria-describedby")
            .unwrap_or_default()
            .split(' ')
            .any(|id| id == "sso-error"),
        "the button names the failure"
    );
    assert!(
        root.query_selector("input[type=password]")
            .unwrap()
            .is_none(),
        "no password field"
    );
    failure.set(None);
    leptos::task::tick().await;
    assert!(
        root.query_selector("[data-testid=sso-error]")
            .unwrap()
            .is_none()
    );
}

/// A quote refused by a guardrail is said in words with the limit and what is left, amounts
/// formatted in the organisation's currency (the checkout shows this before the card step).
#[wasm_bindgen_test]
async fn a_guardrail_refusal_names_the_limit_with_formatted_amounts() {
    use selfserve::api::ApiFailure;
    use selfserve::components::error_panel::{failure_text, is_cap_reached};
    use selfserve_api::guardrails::{LimitKind, ReachedLimit};
    use selfserve_api::{ApiError, ErrorCode};
    let refused = |limit: ReachedLimit| {
        let mut error =
            ApiError::new(ErrorCode::NotEligible, "server words").with_reason("cap_reached");
        error.error.limit = Some(limit);
        ApiFailure::Api {
            status: 403,
            error: Box::new(error.error),
        }
    };
    let usd = Currency::parse("usd").unwrap();
    let monthly = refused(ReachedLimit {
        kind: LimitKind::MonthlyCap,
        value: 150_000,
        available: 2_550,
        currency: Some(usd),
    });
    assert!(is_cap_reached(&monthly));
    let text = failure_text(&monthly);
    assert!(
        text.contains("$1,500.00") && text.contains("$25.50"),
        "{text}"
    );
    let seats = failure_text(&refused(ReachedLimit {
        kind: LimitKind::MaxSeats,
        value: 50,
        available: 3,
        currency: None,
    }));
    assert!(
        seats.contains("50") && seats.contains("(3 left)"),
        "{seats}"
    );
    let other = ApiFailure::Api {
        status: 403,
        error: Box::new(ApiError::new(ErrorCode::NotEligible, "policy").error),
    };
    assert!(!is_cap_reached(&other));
}

/// The admin's activity reads as sentences: product names, counts, amounts and dates
/// formatted for the reader, never action ids or JSON.
#[wasm_bindgen_test]
async fn audit_entries_read_as_sentences() {
    use selfserve::pages::admin::activity::describe;
    use selfserve_api::admin::{AuditAction, AuditEntry};
    let entry = |action, before, after| AuditEntry {
        id: "evt_1".into(),
        at: 1_800_000_000,
        actor: "Megan Bowen".into(),
        action,
        subscription_id: Some("sub_1".into()),
        product: Some(ProductId::PowerAppsPerUser),
        before,
        after,
    };
    let bought = describe(&entry(
        AuditAction::Purchase,
        None,
        Some(serde_json::json!({"quantity": 3, "total": 6000, "currency": "usd"})),
    ));
    assert_eq!(
        bought,
        "Megan Bowen bought 3 licences of Power Apps per user for $60.00."
    );
    let trial = describe(&entry(
        AuditAction::TrialStarted,
        None,
        Some(serde_json::json!({"ends": "2027-01-01", "quantity": 25})),
    ));
    assert!(
        trial.contains("Power Apps per user") && trial.contains("25 licences"),
        "{trial}"
    );
    assert!(
        !trial.contains("2027-01-01") && trial.contains("2027"),
        "a formatted date: {trial}"
    );
    let policy = describe(&entry(
        AuditAction::PolicyChanged,
        Some(
            serde_json::json!({"value": "enabled", "currency": "usd", "max_seats": null, "max_seats_per_purchase": null, "monthly_cap": null}),
        ),
        Some(
            serde_json::json!({"value": "enabled", "currency": "usd", "max_seats": 50, "max_seats_per_purchase": null, "monthly_cap": 150000}),
        ),
    ));
    assert!(
        policy.contains("at most 50 in the organisation") && policy.contains("$1,500.00"),
        "{policy}"
    );
    assert!(
        !policy.contains('{') && !policy.contains("policy_changed"),
        "{policy}"
    );
}

#[wasm_bindgen_test]
async fn requests_to_it_read_as_sentences() {
    use selfserve::pages::admin::activity::describe;
    use selfserve_api::admin::{AuditAction, AuditEntry};
    let entry = |action, after| AuditEntry {
        id: "evt_1".into(),
        at: 1_800_000_000,
        actor: "Megan Bowen".into(),
        action,
        subscription_id: None,
        product: Some(ProductId::PowerBiPro),
        before: None,
        after: Some(after),
    };
    assert_eq!(
        describe(&entry(
            AuditAction::RequestOpened,
            serde_json::json!({"request": "req_1", "reason": "policy_disabled"})
        )),
        "Megan Bowen asked the IT admins for Power BI Pro."
    );
    assert_eq!(
        describe(&entry(
            AuditAction::RequestAnswered,
            serde_json::json!({"request": "req_1", "outcome": "declined", "message": null})
        )),
        "Megan Bowen answered a request for Power BI Pro: Declined."
    );
}

#[wasm_bindgen_test]
async fn asking_the_it_admin_announces_a_failure_and_keeps_the_button() {
    use selfserve::pages::checkout::ask_admin::AskAdmin;
    let root = support::container();
    let _mounted = mount_to(
        root.clone(),
        || view! { <AskAdmin product=ProductId::PowerBiPro /> },
    );
    let button: HtmlElement = support::wait_for(&root, "[data-testid=ask-admin-button]")
        .await
        .unchecked_into();
    assert_eq!(button.text_content().unwrap().trim(), "Ask your IT admin");
    let status = support::wait_for(&root, "[data-testid=ask-admin-status][role=status]").await;
    assert_eq!(
        status.text_content().unwrap(),
        "",
        "nothing said before asking"
    );
    // The test runner's server has no API: the request fails, and the page says so.
    button.click();
    let error = support::wait_for(&root, "[data-testid=ask-admin-error][role=alert]").await;
    assert!(!error.text_content().unwrap().trim().is_empty());
    assert!(
        root.query_selector("[data-testid=ask-admin-button]")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        status.text_content().unwrap(),
        "",
        "not told that admins were told"
    );
}

#[wasm_bindgen_test]
async fn the_notice_form_shows_the_stored_choice_and_announces_a_failed_save() {
    use selfserve::pages::admin::notices::NoticeChoice;
    use selfserve_api::admin::NoticePreference;
    let root = support::container();
    std::mem::forget(mount_to(root.clone(), || {
        view! { <NoticeChoice stored=NoticePreference::Daily /> }
    }));
    let form = support::wait_for(&root, "[data-testid=notices] form").await;
    let legend = form.query_selector("fieldset > legend").unwrap().unwrap();
    assert!(legend.text_content().unwrap().contains("Mail me about"));
    let radios = form.query_selector_all("input[type=radio]").unwrap();
    assert_eq!(radios.length(), 3);
    for i in 0..radios.length() {
        let radio: web_sys::HtmlInputElement = radios.item(i).unwrap().unchecked_into();
        let label = form
            .query_selector(&format!("label[for={}]", radio.id()))
            .unwrap();
        assert!(label.is_some(), "a label for {}", radio.id());
        assert_eq!(
            radio.checked(),
            radio.value() == "daily",
            "{}",
            radio.value()
        );
    }
    // Choose "none" and save: the test runner has no API, so the save fails, announced next to
    // the form; the button is usable again.
    let none: HtmlElement = form
        .query_selector("#notices-none")
        .unwrap()
        .unwrap()
        .unchecked_into();
    none.click();
    let save: HtmlElement = form
        .query_selector("[data-testid=notices-save]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    save.click();
    let error = support::wait_for(&root, "[data-testid=notices-error]:not(:empty)").await;
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    let status = root
        .query_selector("[data-testid=notices-saved]")
        .unwrap()
        .unwrap();
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(status.text_content().as_deref(), Some(""));
    assert_eq!(save.text_content().as_deref(), Some("Save"));
    assert!(save.get_attribute("aria-disabled").is_none());
    let chosen: web_sys::HtmlInputElement = none.unchecked_into();
    assert!(chosen.checked(), "the choice stays");
}
