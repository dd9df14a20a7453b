//! A page that lives in another bundle (see `selfserve_api::bundle`): this wasm does not hold
//! it, so the browser loads the address again and the server answers with the bundle that
//! does. Every link and `navigate` between bundles goes through here, so none of them has to
//! know where the bundles split.

use crate::i18n::{Msg, t};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use std::cell::RefCell;

/// `sessionStorage`: the address left for, read by the next document.
const LEFT_FOR: &str = "left-for-another-bundle";

thread_local! {
    /// The address this document was loaded for by `Elsewhere`, if it was.
    static ARRIVED_FOR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// At start-up, before any page: was this load a hop from another bundle? Read once.
pub fn arrive() {
    let left_for = crate::storage::load::<String>(LEFT_FOR);
    crate::storage::remove(LEFT_FOR);
    ARRIVED_FOR.with(|arrived| *arrived.borrow_mut() = left_for);
}

/// This document was reached through a link in another bundle: to whoever followed it, a
/// route change (so the page's heading takes focus, `components::focus`).
pub fn arrived_from_another_bundle() -> bool {
    ARRIVED_FOR.with(|arrived| arrived.borrow().is_some())
}

/// Reloads the current address as a full page load, after which the new page's heading takes
/// focus as after any route change; shows "Loading…" meanwhile. If this document is already
/// that load (the server answered with a bundle that does not have the page, a dist missing
/// one of them), the page is not found rather than reloaded forever.
#[component]
pub fn Elsewhere() -> impl IntoView {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return NotFound().into_any();
    };
    // The router's location, not `window.location`: while a link's route renders, the
    // browser's address may still be the page being left, and reloading that would loop.
    let target = leptos_router::hooks::use_location();
    let path = crate::sso::router_address(
        &target.pathname.get_untracked(),
        &target.search.get_untracked(),
        &target.hash.get_untracked(),
    );
    let href = format!("{}{path}", location.origin().unwrap_or_default());
    if ARRIVED_FOR.with(|arrived| arrived.borrow().as_deref() == Some(href.as_str())) {
        return NotFound().into_any();
    }
    crate::storage::save(LEFT_FOR, &href);
    // `replace`, not `assign`: the router already pushed this address; a second entry would
    // make Back land on it and load it again.
    let _ = location.replace(&href);
    view! { <p class="page" role="status">{t(Msg::Loading)}</p> }.into_any()
}
