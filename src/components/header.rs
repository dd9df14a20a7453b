//! The site header: skip link, brand, and the signed-in user's menu.

use crate::i18n::{Msg, t};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    view! {
        <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    {t(Msg::AppName)}
                </A>
                <Show when=move || session.user.read().is_some()>
                    <nav class="site-nav" aria-label=t(Msg::AccountNavigation)>
                        <A href="/manage" attr:data-testid="nav-manage">{t(Msg::MySubscriptions)}</A>
                        <Show when=move || session.user.with(|u| u.as_ref().is_some_and(|u| u.is_admin()))>
                            <A href="/admin" attr:data-testid="nav-admin">{t(Msg::AdminNav)}</A>
                        </Show>
                        <span class="site-user" data-testid="signed-in-user">
                            {move || session.user.read().as_ref().map(|u| u.name.clone())}
                        </span>
                        <button
                            type="button"
                            class="link-button"
                            data-testid="sign-out"
                            on:click=move |_| session.sign_out()
                        >
                            {t(Msg::SignOut)}
                        </button>
                    </nav>
                </Show>
            </div>
        </header>
    }
}
