//! The language switcher in a real browser: choosing Nederlands re-renders the header in Dutch,
//! sets `<html lang>` and is remembered in `localStorage`.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos_router::components::Router;
use selfserve::components::header::Header;
use selfserve::i18n::{Language, Msg, choose_language};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;
use support::wait_until;

#[wasm_bindgen_test]
async fn switching_to_dutch_rerenders_the_header_sets_html_lang_and_is_remembered() {
    choose_language(Language::English);
    let document = leptos::prelude::document();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    std::mem::forget(mount_to(root.clone(), || {
        selfserve::session::provide_session();
        view! { <Router><Header /></Router> }
    }));
    let skip = root
        .query_selector(".skip-link")
        .unwrap()
        .expect("skip link");
    assert_eq!(
        skip.text_content().as_deref(),
        Some(Msg::SkipToContent.text(Language::English))
    );
    let dutch: HtmlElement = root
        .query_selector("[data-testid=language-nl]")
        .unwrap()
        .expect("the Nederlands button")
        .unchecked_into();
    // Each option is named in its own language, and says whether it is the one in use.
    assert_eq!(dutch.get_attribute("lang").as_deref(), Some("nl"));
    assert_eq!(dutch.text_content().as_deref(), Some("Nederlands"));
    assert_eq!(
        dutch.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    assert_eq!(dutch.tag_name(), "BUTTON");

    dutch.click();

    let expected = Msg::SkipToContent.text(Language::Dutch);
    wait_until("the header in Dutch", || {
        skip.text_content().as_deref() == Some(expected)
    })
    .await;
    assert_eq!(dutch.get_attribute("aria-pressed").as_deref(), Some("true"));
    let html = document.document_element().unwrap();
    assert_eq!(html.get_attribute("lang").as_deref(), Some("nl"));
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("selfserve.language")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("nl"));

    // And back, so other tests in this browser start in English.
    let english: HtmlElement = root
        .query_selector("[data-testid=language-en]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    english.click();
    wait_until("the header in English again", || {
        html.get_attribute("lang").as_deref() == Some("en")
    })
    .await;
}

#[wasm_bindgen_test]
fn counts_take_the_dutch_plural_forms_from_intl() {
    choose_language(Language::Dutch);
    let one = selfserve::i18n::plural(Msg::SeatsAddedOne, Msg::SeatsAdded, 1);
    let many = selfserve::i18n::plural(Msg::SeatsAddedOne, Msg::SeatsAdded, 3);
    choose_language(Language::English);
    assert_eq!(one, "Je hebt nu {} licentie.");
    assert_eq!(many, "Je hebt nu {} licenties.");
}
