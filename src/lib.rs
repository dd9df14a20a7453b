//! The selfserve app: a client-side-rendered Leptos single-page app, built to wasm with Trunk
//! and served by `selfserve-server`.
//!
//! # Layout
//! - [`api`]: the only module that knows URLs; one fetch helper, typed endpoint functions.
//! - [`i18n`]: the message catalogue; every visible text comes from it.
//! - [`json`]: JSON by the browser's `JSON.parse`/`JSON.stringify`.
//! - [`format`]: money and dates for the reader's locale, through the browser's `Intl`.
//! - [`checkout`]: the purchase flow's state machine (pure, tested natively).
//! - [`session`]: who is signed in, and [`config`]: the server's settings for the app; each read
//!   once and shared by all pages. [`storage`]: `sessionStorage`.
//! - [`sso`]: leaving for the organisation's identity provider and coming back (pure parts
//!   tested natively).
//! - [`pages`]: one component per route. The app is built as three bundles (cargo features
//!   `checkout`, `purchaser`, `admin`; all three by default, for tests): see [`App`].
//! - [`components`]: pieces shared by pages (header, the loading wrapper, error panel).
//!
//! # How pages talk to the server
//! - Every read is a [`components::loaded::Query`]: a `LocalResource` whose fetcher reads the
//!   signals it depends on (so it reloads when they change, and an older answer never replaces
//!   a newer one), shown through [`components::loaded::Loaded`]: "Loading…", then the data, or
//!   the error panel with a retry.
//! - Every write is a [`components::mutation::Mutation`]: an `Action` whose `pending()` drives
//!   its button and whose value drives its message; what it changes on the page is applied
//!   when its answer arrives.
//! - Both share one resource and one action type underneath, so each of Leptos's machineries is
//!   in the wasm once, whatever the number of reads and writes.
//!
//! # Invariants
//! - No card number or CVC is ever put in a signal, an action's input, storage or a URL; it is
//!   read from the card form's inputs when it is submitted and posted to the gateway's origin
//!   only.
//! - Every network action shows that it is in progress and every failure is shown in words.

pub mod api;
pub mod checkout;
pub mod components;
pub mod config;
pub mod format;
pub mod i18n;
pub mod json;
pub mod pages;
pub mod session;
pub mod sso;
pub mod storage;

use components::focus::FocusOnNavigation;
use components::footer::Footer;
use components::header::Header;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use pages::not_found::NotFound;
// Each bundle (a cargo feature, one Trunk build each; `selfserve_api::bundle` says which
// paths it owns) links only its own pages: the others' routes stay, so the router still knows
// them, but show `Elsewhere`, a full page load that the server answers with the right bundle.
// The pages left out are then unreachable and the linker drops them from this wasm.
#[cfg(feature = "admin")]
use pages::admin::AdminPage;
#[cfg(feature = "checkout")]
use pages::checkout::CheckoutPage;
#[cfg(feature = "checkout")]
use pages::confirmation::ConfirmationPage;
#[cfg(not(feature = "admin"))]
use pages::elsewhere::Elsewhere as AdminPage;
#[cfg(not(feature = "checkout"))]
use pages::elsewhere::Elsewhere as CheckoutPage;
#[cfg(not(feature = "checkout"))]
use pages::elsewhere::Elsewhere as ConfirmationPage;
#[cfg(not(feature = "purchaser"))]
use pages::elsewhere::Elsewhere as InvoicePage;
#[cfg(not(feature = "purchaser"))]
use pages::elsewhere::Elsewhere as ManagePage;
#[cfg(not(feature = "checkout"))]
use pages::elsewhere::Elsewhere as ProductsPage;
#[cfg(not(feature = "checkout"))]
use pages::elsewhere::Elsewhere as SignInPage;
#[cfg(not(feature = "purchaser"))]
use pages::elsewhere::Elsewhere as SubscriptionPage;
#[cfg(feature = "purchaser")]
use pages::invoice::InvoicePage;
#[cfg(feature = "purchaser")]
use pages::manage::ManagePage;
#[cfg(feature = "checkout")]
use pages::products::ProductsPage;
#[cfg(feature = "checkout")]
use pages::sign_in::SignInPage;
#[cfg(feature = "purchaser")]
use pages::subscription::SubscriptionPage;

/// The whole app: header, then the page of the current route.
#[component]
pub fn App() -> impl IntoView {
    i18n::start_language();
    sso::resume_after_failure();
    pages::elsewhere::arrive();
    session::provide_session();
    components::header::provide_open_requests();
    config::provide_config();
    view! {
        <Router>
            <FocusOnNavigation />
            <Header />
            <main id="main" class="site-main" tabindex="-1">
                // Every page is built again in the new language when it changes: pages read `t`
                // once while building. The checkout's progress (sessionStorage), the session
                // and the config (contexts above) survive; text typed and not yet sent does not.
                {move || {
                    i18n::tracked_language();
                    view! {
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=ProductsPage />
                    <Route path=path!("/buy/:product") view=CheckoutPage />
                    <Route path=path!("/confirmation/:id") view=ConfirmationPage />
                    <Route path=path!("/manage") view=ManagePage />
                    <Route path=path!("/manage/:id") view=SubscriptionPage />
                    <Route path=path!("/invoices/:id") view=InvoicePage />
                    <Route path=path!("/admin") view=AdminPage />
                    <Route path=path!("/sign-in") view=SignInPage />
                </Routes>
                    }
                }}
            </main>
            <Footer />
        </Router>
    }
}
