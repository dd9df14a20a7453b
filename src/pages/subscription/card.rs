//! Replacing the card on file with a newly tokenised one.

use super::use_subscription;
use crate::api;
use crate::components::card_form::CardForm;
use crate::components::error_panel::InlineError;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::card::CardToken;

#[component]
pub fn ReplaceCard() -> impl IntoView {
    let ctx = use_subscription();
    let editing = RwSignal::new(false);
    let replace = Mutation::new(move |token: &String| {
        let (token, id) = (token.clone(), ctx.id());
        async move {
            let sub = api::set_payment_method(&id, &token).await?;
            editing.set(false);
            ctx.updated(sub, t(Msg::CardReplaced).to_owned());
            Ok(())
        }
    });
    let on_tokenized = Callback::new(move |card: CardToken| {
        replace.dispatch(card.token);
    });
    view! {
        <section class="section" aria-labelledby="card-heading">
            <h2 id="card-heading">{t(Msg::PaymentMethod)}</h2>
            <InlineError message=failure_of(replace) />
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <button type="button" class="button button-secondary" data-testid="replace-card"
                        on:click=move |_| editing.set(true)>{t(Msg::ReplaceCard)}</button>
                }
            >
                <CardForm on_tokenized submit_label=t(Msg::SaveCard) />
                <button type="button" class="link-button" on:click=move |_| editing.set(false)>{t(Msg::CancelEdit)}</button>
            </Show>
        </section>
    }
}
