//! The site header: skip link and brand.

use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos_router::components::A;

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    {t(Msg::AppName)}
                </A>
            </div>
        </header>
    }
}
