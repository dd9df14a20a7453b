//! Replacing the card on file with a newly tokenised one; a card whose bank asks for 3-D
//! Secure is saved once the buyer passed the challenge in the dialog.

use super::use_subscription;
use crate::api::{self, ApiFailure};
use crate::components::card_form::CardForm;
use crate::components::error_panel::InlineError;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::three_d_secure::ThreeDSecureDialog;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::ErrorCode;
use selfserve_api::card::CardToken;
use selfserve_api::error::NextAction;

#[component]
pub fn ReplaceCard() -> impl IntoView {
    let ctx = use_subscription();
    let editing = RwSignal::new(false);
    // The token waiting for its bank's answer, saved again once the challenge is passed.
    let waiting = StoredValue::new(None::<String>);
    let challenge = RwSignal::new(None::<NextAction>);
    let replace = Mutation::new(move |token: &String| {
        let (token, id) = (token.clone(), ctx.id());
        async move {
            match api::set_payment_method(&id, &token).await {
                Ok(sub) => {
                    waiting.set_value(None);
                    editing.set(false);
                    ctx.updated(sub, t(Msg::CardReplaced).to_owned());
                    Ok(())
                }
                Err(ApiFailure::Api { error: body, .. })
                    if body.code == ErrorCode::AuthenticationRequired =>
                {
                    waiting.set_value(Some(token));
                    challenge.set(body.next_action);
                    Ok(())
                }
                Err(failure) => {
                    waiting.set_value(None);
                    Err(failure)
                }
            }
        }
    });
    let on_tokenized = Callback::new(move |card: CardToken| {
        replace.dispatch(card.token);
    });
    // Approved or failed, the gateway has the answer: saving again saves the card or brings
    // back the bank's refusal.
    let on_answered = Callback::new(move |_approved: bool| {
        if let Some(token) = waiting.get_value() {
            replace.dispatch(token);
        }
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
            <ThreeDSecureDialog challenge amount=Signal::derive(String::new) on_answered />
        </section>
    }
}
