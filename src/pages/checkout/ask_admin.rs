//! "Ask your IT admin": the signed-in buyer who may not buy sends the organisation's admins a
//! request with one button (the server adds why they may not buy, and mails the admins).

use crate::api;
use crate::components::error_panel::InlineError;
use crate::components::mutation::{Mutation, failure_of};
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::product::ProductId;

/// The button, then what came of it: admins told, or asked before; a failure is announced.
#[component]
pub fn AskAdmin(product: ProductId) -> impl IntoView {
    let ask = Mutation::new(move |_: &()| async move { api::ask_admins(product.as_str()).await });
    let pending = ask.pending();
    // `Some(true)`: a new request; `Some(false)`: the open one from before.
    let sent =
        move || ask.with_value(|answer| answer.and_then(|a| a.as_ref().ok()).map(|(_, new)| *new));
    view! {
        <div class="ask-admin" data-testid="ask-admin">
            // A live region present from the start, so the outcome is announced when it lands.
            <p role="status" data-testid="ask-admin-status">
                {move || match sent() {
                    Some(true) => t(Msg::AskAdminSent),
                    Some(false) => t(Msg::AskAdminAlready),
                    None => "",
                }}
            </p>
            <Show when=move || sent().is_none()>
                <InlineError message=failure_of(ask) testid="ask-admin-error" />
                <button type="button" class="button" data-testid="ask-admin-button"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| ask.submit(())>
                    {move || if pending.get() { t(Msg::AskingAdmin) } else { t(Msg::AskAdmin) }}
                </button>
            </Show>
        </div>
    }
}
