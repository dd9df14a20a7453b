//! Issue 13's polish items that one component shows, in a real browser: the card form's words
//! for empty fields and its kept cardholder name, the header's "Sign in" for a visitor, and
//! only the latest outcome of a page's writes on screen.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos_router::components::Router;
use selfserve::components::card_form::CardForm;
use selfserve::components::header::Header;
use selfserve::components::loaded::Query;
use selfserve::session::Session;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;
use support::{container, next_turn, wait_for};

fn click(root: &HtmlElement, selector: &str) {
    let button: HtmlElement = root
        .query_selector(selector)
        .unwrap()
        .expect(selector)
        .unchecked_into();
    button.click();
}

#[wasm_bindgen_test]
async fn an_empty_card_form_asks_for_each_field_instead_of_calling_it_invalid() {
    let root = container();
    std::mem::forget(mount_to(root.clone(), || {
        view! { <CardForm on_tokenized=Callback::new(|_| ()) submit_label="Continue" /> }
    }));
    wait_for(&root, "[data-testid=card-form]").await;
    click(&root, "[data-testid=card-submit]");
    wait_for(&root, "[data-testid=card-errors]:not([hidden])").await;
    for (id, expected) in [
        ("card-number-error", "Enter the card number"),
        ("card-exp-error", "Enter the expiry date"),
        ("card-cvc-error", "Enter the security code"),
    ] {
        let text = root
            .query_selector(&format!("#{id}"))
            .unwrap()
            .expect(id)
            .text_content()
            .unwrap_or_default();
        assert!(text.contains(expected), "{id}: {text:?}");
        assert!(!text.contains("not valid"), "{id}: {text:?}");
    }
}

#[wasm_bindgen_test]
async fn the_cardholder_name_survives_the_form_being_built_again() {
    let root = container();
    let kept = RwSignal::new(String::new());
    let shown = RwSignal::new(true);
    std::mem::forget(mount_to(root.clone(), move || {
        view! {
            <Show when=move || shown.get()>
                <CardForm on_tokenized=Callback::new(|_| ()) submit_label="Continue" cardholder=kept />
            </Show>
        }
    }));
    let input: web_sys::HtmlInputElement = wait_for(&root, "#card-name").await.unchecked_into();
    input.set_value("Ada Lovelace");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    // As after a decline: the card step is left and shown again.
    shown.set(false);
    next_turn().await;
    assert!(root.query_selector("#card-name").unwrap().is_none());
    shown.set(true);
    let again: web_sys::HtmlInputElement = wait_for(&root, "#card-name").await.unchecked_into();
    assert_eq!(again.value(), "Ada Lovelace");
    let number: web_sys::HtmlInputElement = wait_for(&root, "[data-testid=card-number]")
        .await
        .unchecked_into();
    assert_eq!(number.value(), "");
}

#[wasm_bindgen_test]
async fn a_signed_out_visitor_is_offered_sign_in_that_comes_back_here() {
    // On a step of the checkout: the way back keeps its query (the router holds it without
    // its `?`; joined as it was, it read `/buy/power-bi-prostep=email`).
    let history = web_sys::window().unwrap().history().unwrap();
    let test_page = web_sys::window().unwrap().location().href().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/buy/power-bi-pro?step=email"))
        .unwrap();
    let root = container();
    std::mem::forget(mount_to(root.clone(), || {
        provide_context(Session {
            state: Query::new(|| async { Ok(None) }),
        });
        view! { <Router><Header /></Router> }
    }));
    let link = wait_for(&root, "[data-testid=nav-sign-in]").await;
    let href = link.get_attribute("href").unwrap_or_default();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&test_page))
        .unwrap();
    assert_eq!(
        href,
        "/sign-in?return_to=%2Fbuy%2Fpower-bi-pro%3Fstep%3Demail"
    );
    assert_eq!(link.text_content().as_deref(), Some("Sign in"));
    assert!(
        root.query_selector("[data-testid=sign-out]")
            .unwrap()
            .is_none()
    );
}

/// Two writes of one page, as the purchaser's and admin's views have them: one whose success
/// goes to the page's note and shows "Saved" beside its form, and one that fails.
#[component]
fn TwoWrites() -> impl IntoView {
    use selfserve::api::ApiFailure;
    use selfserve::components::error_panel::InlineError;
    use selfserve::components::mutation::{Mutation, Outcomes, failure_of};
    let outcomes = Outcomes::provide();
    // `true`: it works; `false`: no answer.
    let write = move |text: &'static str| {
        Mutation::new(move |works: &bool| {
            let works = *works;
            async move {
                next_turn().await;
                if works {
                    outcomes.flash.set(Some(text.to_owned()));
                    Ok(())
                } else {
                    Err(ApiFailure::Network)
                }
            }
        })
    };
    let (first, second) = (write("First saved"), write("Second saved"));
    let saved = move || first.with_value(|last| matches!(last, Some(Ok(()))));
    view! {
        <p data-testid="flash">{move || outcomes.flash.get()}</p>
        <p data-testid="first-saved">{move || saved().then_some("Saved")}</p>
        <button data-testid="first-ok" on:click=move |_| first.dispatch(true)>"1"</button>
        <button data-testid="first-fails" on:click=move |_| first.dispatch(false)>"1!"</button>
        <InlineError message=failure_of(first) testid="first-error" />
        <button data-testid="second-fails" on:click=move |_| second.dispatch(false)>"2!"</button>
        <InlineError message=failure_of(second) testid="second-error" />
    }
}

async fn text_at(root: &HtmlElement, selector: &str) -> String {
    wait_for(root, selector)
        .await
        .text_content()
        .unwrap_or_default()
}

/// Waits until `selector`'s text is `expected` (empty: nothing shown).
async fn wait_text(root: &HtmlElement, selector: &str, expected: &str) {
    let started = js_sys::Date::now();
    loop {
        let text = text_at(root, selector).await;
        if text == expected {
            return;
        }
        assert!(
            js_sys::Date::now() - started < 5_000.0,
            "{selector} says {text:?}, not {expected:?}"
        );
        next_turn().await;
    }
}

#[wasm_bindgen_test]
async fn a_new_attempt_clears_the_last_success_so_only_the_latest_outcome_shows() {
    let root = container();
    std::mem::forget(mount_to(root.clone(), TwoWrites));
    // A success, then the same form fails: the success note is gone, the error announced.
    click(&root, "[data-testid=first-ok]");
    wait_text(&root, "[data-testid=flash]", "First saved").await;
    wait_text(&root, "[data-testid=first-saved]", "Saved").await;
    click(&root, "[data-testid=first-fails]");
    let error = wait_for(&root, "[data-testid=first-error]").await;
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(text_at(&root, "[data-testid=flash]").await, "");
    assert_eq!(text_at(&root, "[data-testid=first-saved]").await, "");
    // A success again, then another form fails: neither the note nor "Saved" stays beside it.
    click(&root, "[data-testid=first-ok]");
    wait_text(&root, "[data-testid=first-saved]", "Saved").await;
    assert!(
        root.query_selector("[data-testid=first-error]")
            .unwrap()
            .is_none()
    );
    click(&root, "[data-testid=second-fails]");
    wait_text(&root, "[data-testid=flash]", "").await;
    wait_text(&root, "[data-testid=first-saved]", "").await;
    let error = wait_for(&root, "[data-testid=second-error]").await;
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert!(!error.text_content().unwrap_or_default().is_empty());
    assert_eq!(text_at(&root, "[data-testid=flash]").await, "");
}
