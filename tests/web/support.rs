//! What the component tests share: a place to mount into and waiting for the browser. Included
//! by each `tests/web*.rs` (each its own test crate) with `#[path]`.

// Not every test crate uses every helper.
#![allow(dead_code)]

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
