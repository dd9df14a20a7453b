//! The bank's 3-D Secure challenge. With the built-in gateway, in a native modal `<dialog>`:
//! the test gateway's stand-in for the bank page a real card would show; the buyer approves or
//! fails it and the answer goes to the gateway's origin. With Stripe (the server's
//! `next_action` carries the intent's client secret), Stripe.js shows the bank's page itself
//! and no dialog of ours opens. Either way the page then pays again.

use crate::api::{self, ApiFailure, CardProcessor};
use crate::components::error_panel::InlineError;
use crate::components::focus::ModalDialog;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::stripe_card;
use crate::config::{Config, use_config};
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::error::NextAction;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Numbers the dialogs: a page may hold several (seats and card on the subscription page), and
/// each one's `aria-labelledby`/`aria-describedby` must name its own title and text.
static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// Runs the challenge while `challenge` holds it; calls `on_answered` with whether the buyer
/// approved, after the gateway recorded the answer (with Stripe: `true` once Stripe.js ran the
/// check, whose outcome the next payment attempt brings back).
#[component]
pub fn ThreeDSecureDialog(
    /// The server's `next_action`, or `None` when closed.
    challenge: RwSignal<Option<NextAction>>,
    /// The amount being confirmed, formatted.
    #[prop(into)]
    amount: Signal<String>,
    /// Called with `true` (approved) or `false` (failed) once the gateway has the answer.
    on_answered: Callback<bool>,
) -> impl IntoView {
    let dialog = ModalDialog::new();
    let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
    let title_id = format!("three-ds-title-{instance}");
    let body_id = format!("three-ds-body-{instance}");
    let config = use_config();
    // Set when Stripe.js could not run the check (never loaded, or no Stripe keys).
    let stripe_problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let action = challenge.get();
        if let Some(secret) = action.as_ref().and_then(|a| a.client_secret.clone()) {
            let keys = untrack(|| match config.and_then(Config::processor) {
                Some(CardProcessor::Stripe(keys)) => Some(keys),
                _ => None,
            });
            stripe_problem.set(None);
            leptos::task::spawn_local(async move {
                let checked = match keys {
                    Some(keys) => stripe_card::confirm_payment(&keys, &secret).await,
                    None => Err(t(Msg::GatewayUnavailable).to_owned()),
                };
                match checked {
                    Ok(()) => {
                        challenge.set(None);
                        on_answered.run(true);
                    }
                    Err(message) => stripe_problem.set(Some(message)),
                }
            });
        }
        // Stripe.js shows the bank's page itself: our dialog is the built-in gateway's.
        let open = action.is_some_and(|a| a.client_secret.is_none());
        if open && !dialog.is_open() {
            dialog.open();
        } else if !open {
            dialog.close();
        }
    });
    let answer = Mutation::new(move |approve: &bool| {
        let (approve, url) = (
            *approve,
            challenge.with_untracked(|c| c.as_ref().map(|a| a.url.clone())),
        );
        async move {
            let url = url.ok_or(ApiFailure::Network)?;
            api::answer_challenge(&url, approve).await?;
            challenge.set(None);
            on_answered.run(approve);
            Ok(())
        }
    });
    let pending = answer.pending();
    let respond = move |approve: bool| {
        answer.submit(approve);
    };
    view! {
        {move || stripe_problem.get().map(|message| view! {
            <p class="notice notice-error" role="alert" data-testid="three-ds-stripe-error">{message}</p>
        })}
        <dialog
            node_ref=dialog.node()
            class="dialog"
            aria-labelledby=title_id
            aria-describedby=body_id
            data-testid="three-d-secure"
            // Focus goes back to what opened it (the pay or save button).
            on:close=move |_| dialog.restore_focus()
            on:cancel=move |ev: leptos::ev::Event| {
                // Escape counts as "fail": the bank did not confirm the payment.
                ev.prevent_default();
                respond(false);
            }
        >
            <h2 id=title_id.clone()>{t(Msg::ThreeDsTitle)}</h2>
            <p id=body_id.clone()>{t(Msg::ThreeDsBody)}</p>
            <p class="dialog-amount">{move || amount.get()}</p>
            <p class="fine-print">{t(Msg::ThreeDsTestHint)}</p>
            <InlineError message=failure_of(answer) />
            <div class="dialog-actions">
                <button type="button" class="button" data-testid="three-ds-approve" autofocus
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| respond(true)>{t(Msg::ThreeDsApprove)}</button>
                <button type="button" class="button button-secondary" data-testid="three-ds-fail"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| respond(false)>{t(Msg::ThreeDsFail)}</button>
            </div>
        </dialog>
    }
}
