//! The bank's 3-D Secure challenge, in a native modal `<dialog>`: the test gateway's stand-in
//! for the bank page a real card would show. The buyer approves or fails it; the answer goes
//! to the gateway's origin.

use crate::api::{self, ApiFailure};
use crate::components::error_panel::InlineError;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, t};
use leptos::html;
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Numbers the dialogs: a page may hold several (seats and card on the subscription page), and
/// each one's `aria-labelledby`/`aria-describedby` must name its own title and text.
static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// Shows the challenge at `url` while `challenge` holds it; calls `on_answered` with whether
/// the buyer approved, after the gateway recorded the answer.
#[component]
pub fn ThreeDSecureDialog(
    /// The challenge URL (on the gateway's origin), or `None` when closed.
    challenge: RwSignal<Option<String>>,
    /// The amount being confirmed, formatted.
    #[prop(into)]
    amount: Signal<String>,
    /// Called with `true` (approved) or `false` (failed) once the gateway has the answer.
    on_answered: Callback<bool>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
    let title_id = format!("three-ds-title-{instance}");
    let body_id = format!("three-ds-body-{instance}");
    Effect::new(move |_| {
        let open = challenge.read().is_some();
        if let Some(element) = dialog.get() {
            if open && !element.open() {
                let _ = element.show_modal();
            } else if !open && element.open() {
                element.close();
            }
        }
    });
    let answer = Mutation::new(move |approve: &bool| {
        let (approve, url) = (*approve, challenge.get_untracked());
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
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby=title_id
            aria-describedby=body_id
            data-testid="three-d-secure"
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
                <button type="button" class="button" data-testid="three-ds-approve"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| respond(true)>{t(Msg::ThreeDsApprove)}</button>
                <button type="button" class="button button-secondary" data-testid="three-ds-fail"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| respond(false)>{t(Msg::ThreeDsFail)}</button>
            </div>
        </dialog>
    }
}
