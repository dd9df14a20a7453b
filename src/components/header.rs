//! The site header: skip link, brand, and the signed-in user's menu.

use crate::api;
use crate::components::error_panel::InlineError;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, t};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let sign_out = Mutation::new(move |_: &()| async move {
        let result = api::sign_out().await.map(drop);
        if result.is_ok() {
            session.set_user(None);
        }
        result
    });
    let pending = sign_out.pending();
    let signed_in = move || session.with_user(|u| u.is_some());
    view! {
        <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    {t(Msg::AppName)}
                </A>
                <Show when=signed_in>
                    <nav class="site-nav" aria-label=t(Msg::AccountNavigation)>
                        <A href="/manage" attr:data-testid="nav-manage">{t(Msg::MySubscriptions)}</A>
                        <Show when=move || session.with_user(|u| u.is_some_and(|u| u.is_admin()))>
                            <A href="/admin" attr:data-testid="nav-admin">{t(Msg::AdminNav)}</A>
                        </Show>
                        <span class="site-user" data-testid="signed-in-user">
                            {move || session.with_user(|u| u.map(|u| u.name.clone()))}
                        </span>
                        <button
                            type="button"
                            class="link-button"
                            data-testid="sign-out"
                            aria-disabled=move || pending.get().then_some("true")
                            on:click=move |_| {
                                sign_out.submit(());
                            }
                        >
                            {t(Msg::SignOut)}
                        </button>
                    </nav>
                </Show>
                <InlineError message=failure_of(sign_out) />
            </div>
        </header>
    }
}
