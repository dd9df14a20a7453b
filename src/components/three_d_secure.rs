//! The bank's 3-D Secure challenge, in a native modal `<dialog>`: the test gateway's stand-in
//! for the bank page a real card would show. The buyer approves or fails it; the answer goes
//! to the gateway's origin.

use crate::api;
use crate::i18n::{Msg, t};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let pending = RwSignal::new(false);
    let failed = RwSignal::new(false);
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
    let answer = move |approve: bool| {
        let Some(url) = challenge.get_untracked() else {
            return;
        };
        pending.set(true);
        failed.set(false);
        spawn_local(async move {
            let result = api::answer_challenge(&url, approve).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    challenge.set(None);
                    on_answered.run(approve);
                }
                Err(_) => failed.set(true),
            }
        });
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="three-ds-title"
            aria-describedby="three-ds-body"
            data-testid="three-d-secure"
            on:cancel=move |ev: leptos::ev::Event| {
                // Escape counts as "fail": the bank did not confirm the payment.
                ev.prevent_default();
                answer(false);
            }
        >
            <h2 id="three-ds-title">{t(Msg::ThreeDsTitle)}</h2>
            <p id="three-ds-body">{t(Msg::ThreeDsBody)}</p>
            <p class="dialog-amount">{move || amount.get()}</p>
            <p class="fine-print">{t(Msg::ThreeDsTestHint)}</p>
            {move || failed.get().then(|| view! { <p class="field-error" role="alert">{t(Msg::NetworkFailed)}</p> })}
            <div class="dialog-actions">
                <button type="button" class="button" data-testid="three-ds-approve"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| answer(true)>{t(Msg::ThreeDsApprove)}</button>
                <button type="button" class="button button-secondary" data-testid="three-ds-fail"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| answer(false)>{t(Msg::ThreeDsFail)}</button>
            </div>
        </dialog>
    }
}
