//! A big subscription's licence list, in a real browser: while the page has only the first
//! holders, the filter asks the server; when that read fails, the page says so beside the
//! filter and shows neither the unfiltered rows nor a count under the typed words.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos_router::components::Router;
use selfserve::components::loaded::Query;
use selfserve::pages::subscription::SubscriptionContext;
use selfserve::pages::subscription::licences::Licences;
use selfserve_api::subscription::{Subscription, UserRef};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;
use support::{bought, container, wait_for};

/// A hundred licences, read with the first 25 holders only (as the page reads a big one).
fn read_with_first_holders() -> Subscription {
    read_with_holders(25, 100)
}

/// `listed` holders of `held`, on a subscription of a hundred licences.
fn read_with_holders(listed: usize, held: u32) -> Subscription {
    let first: Vec<UserRef> = (0..listed)
        .map(|n| UserRef {
            id: format!("usr_{n:02}"),
            email: format!("holder{n:02}@contoso.com"),
            name: format!("Holder {n:02}"),
        })
        .collect();
    Subscription {
        quantity: 100,
        assigned_users: first,
        assigned_count: held,
        ..bought()
    }
}

/// Mounts the licence list of `subscription` into a new container.
fn mounted(subscription: Subscription) -> HtmlElement {
    let root = container();
    std::mem::forget(mount_to(root.clone(), move || {
        let loaded = subscription.clone();
        provide_context(SubscriptionContext {
            loaded: Query::new(move || {
                let loaded = loaded.clone();
                async move { Ok(loaded) }
            }),
            subscription: RwSignal::new(subscription.clone()),
            bills: Query::new(|| async { Ok(Vec::new()) }),
            flash: RwSignal::new(None),
        });
        view! { <Router><Licences /></Router> }
    }));
    root
}

fn rows(root: &HtmlElement) -> u32 {
    root.query_selector_all("[data-testid=assigned-users] tbody tr")
        .unwrap()
        .length()
}

fn status_text(root: &HtmlElement) -> String {
    root.query_selector("[data-testid=holders-shown]")
        .unwrap()
        .and_then(|status| status.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_failed_filter_says_so_instead_of_showing_the_unfiltered_holders() {
    let root = mounted(read_with_first_holders());
    wait_for(&root, "[data-testid=assigned-users] tbody tr").await;
    assert_eq!(rows(&root), 25);
    assert_eq!(status_text(&root), "Showing 25 of 100 people");

    // The test runner's own server has no API: the filter's read fails.
    let filter: HtmlInputElement = wait_for(&root, "[data-testid=holder-filter]")
        .await
        .unchecked_into();
    filter.set_value("holder07");
    filter
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let error = wait_for(&root, "[data-testid=holder-filter-error]").await;
    assert!(
        !error.text_content().unwrap_or_default().trim().is_empty(),
        "the failure is told in words"
    );
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(rows(&root), 0, "no unfiltered rows under the typed filter");
    assert_eq!(
        status_text(&root),
        "",
        "no count for a filter that was not answered"
    );
    assert!(
        root.query_selector("[data-testid=show-more]")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn the_last_holders_take_the_focus_show_more_had() {
    // Every holder read (as after a change): the page draws 25, then the last 5.
    let root = mounted(read_with_holders(30, 30));
    wait_for(&root, "[data-testid=assigned-users] tbody tr").await;
    assert_eq!(rows(&root), 25);
    let more: HtmlElement = wait_for(&root, "[data-testid=show-more]")
        .await
        .unchecked_into();
    more.focus().unwrap();
    more.click();
    let started = js_sys::Date::now();
    let row_26 = loop {
        let focused = leptos::prelude::document().active_element();
        if let Some(row) = focused.filter(|element| element.tag_name() == "TR") {
            break row;
        }
        assert!(
            js_sys::Date::now() - started < 5_000.0,
            "the focus never reached a holder's row"
        );
        support::next_turn().await;
    };
    assert_eq!(rows(&root), 30);
    assert!(
        row_26
            .text_content()
            .unwrap_or_default()
            .contains("Holder 25"),
        "the first holder the click brought"
    );
    assert!(
        root.query_selector("[data-testid=show-more]")
            .unwrap()
            .is_none()
    );
}
