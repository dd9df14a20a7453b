//! Replacing the card on file with a newly tokenised one.

use super::{failure_text, use_subscription};
use crate::api;
use crate::components::card_form::CardForm;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::card::CardToken;

#[component]
pub fn ReplaceCard() -> impl IntoView {
    let ctx = use_subscription();
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_tokenized = Callback::new(move |card: CardToken| {
        error.set(None);
        spawn_local(async move {
            match api::set_payment_method(&ctx.id.get_value(), &card.token).await {
                Ok(sub) => {
                    editing.set(false);
                    ctx.updated(sub, t(Msg::CardReplaced).to_owned());
                }
                Err(failure) => error.set(Some(failure_text(&failure))),
            }
        });
    });
    view! {
        <section class="section" aria-labelledby="card-heading">
            <h2 id="card-heading">{t(Msg::PaymentMethod)}</h2>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <button type="button" class="button button-secondary" data-testid="replace-card"
                        on:click=move |_| editing.set(true)>{t(Msg::ReplaceCard)}</button>
                }
            >
                <CardForm gateway_url=ctx.gateway_url.into() on_tokenized submit_label=t(Msg::SaveCard) />
                <button type="button" class="link-button" on:click=move |_| editing.set(false)>{t(Msg::CancelEdit)}</button>
            </Show>
        </section>
    }
}
