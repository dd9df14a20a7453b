//! Any address the app does not know.

use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos_router::components::A;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">{t(Msg::NotFoundHeading)}</h1>
            <p>{t(Msg::NotFoundBody)}</p>
            <p><A href="/">{t(Msg::BackToProducts)}</A></p>
        </section>
    }
}
