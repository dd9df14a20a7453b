//! Cancelling (confirmed in a dialog; usable until the period ends) and undoing it.

use super::{SubscriptionContext, use_subscription};
use crate::api::{self, ApiFailure};
use crate::components::error_panel::InlineError;
use crate::components::focus::ModalDialog;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::status_badge::{has_ended, is_ending};
use crate::format;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;

/// Cancelling at period end (`true`) or undoing it (`false`).
fn cancel_action(ctx: SubscriptionContext) -> Mutation<bool, Result<(), ApiFailure>> {
    Mutation::new(move |cancel: &bool| {
        let (cancel, id) = (*cancel, ctx.id());
        async move {
            let sub = api::set_cancelled(&id, cancel).await?;
            let message = if cancel {
                fill(
                    t(Msg::CancelledUntil),
                    &[&format::date(sub.current_period_end, None)],
                )
            } else {
                t(Msg::CancellationUndone).to_owned()
            };
            ctx.updated(sub, message);
            Ok(())
        }
    })
}

/// An admin asked the purchaser to cancel (after moving the users to central licences).
#[component]
pub fn CancelRequest() -> impl IntoView {
    let ctx = use_subscription();
    move || {
        // What the banner shows, not the whole subscription (see `TrialNotice`).
        ctx.subscription
            .with(|s| match (s.cancel_requested_at, s.cancel_at_period_end) {
                (Some(at), false) => Some((s.cancel_requested_by.clone().unwrap_or_default(), at)),
                _ => None,
            })
            .map(|(by, at)| {
                let when = format::date(at, None);
                view! {
                    <div class="banner banner-info" role="note" data-testid="cancel-request">
                        <p>{fill(t(Msg::CancelRequested), &[&by, &when])}</p>
                        <a href="#cancel-heading" class="button button-secondary">{t(Msg::CancelSubscription)}</a>
                    </div>
                }
            })
    }
}

/// "Ends on …; undo" for a cancelled subscription.
#[component]
pub fn CancelNotice() -> impl IntoView {
    let ctx = use_subscription();
    let undo = cancel_action(ctx);
    let pending = undo.pending();
    let error = failure_of(undo);
    move || {
        ctx.subscription.with(|s| {
            (s.cancel_at_period_end && !has_ended(s.status)).then_some(s.current_period_end)
        }).map(|end| {
            let date = format::date(end, None);
            view! {
                <div class="notice" role="note" data-testid="cancel-notice">
                    <p>{fill(t(Msg::CancelledNotice), &[&date])}</p>
                    <InlineError message=error />
                    <button type="button" class="button button-secondary" data-testid="undo-cancel"
                        aria-disabled=move || pending.get().then_some("true")
                        on:click=move |_| undo.submit(false)>{t(Msg::UndoCancel)}</button>
                </div>
            }
        })
    }
}

/// The "Cancel subscription" button and its confirmation dialog.
#[component]
pub fn CancelSection() -> impl IntoView {
    let ctx = use_subscription();
    let dialog = ModalDialog::new();
    let cancel = cancel_action(ctx);
    let pending = cancel.pending();
    // Shown beside the button: the dialog is closed by then.
    let error = failure_of(cancel);
    let cancellable = move || ctx.subscription.with(|s| !is_ending(s));
    let details = move || {
        ctx.subscription.with(|s| {
            fill(
                // The licences bought (what stops), not only those given to someone.
                plural(
                    Msg::CancelExplainOne,
                    Msg::CancelExplain,
                    u64::from(s.quantity),
                ),
                &[
                    &format::date(s.current_period_end, None),
                    &s.quantity.to_string(),
                ],
            )
        })
    };
    view! {
        <Show when=cancellable>
            <section class="section" aria-labelledby="cancel-heading">
                <h2 id="cancel-heading">{t(Msg::CancelHeading)}</h2>
                <button type="button" class="button button-danger" data-testid="cancel-subscription"
                    on:click=move |_| dialog.open()>
                    {t(Msg::CancelSubscription)}
                </button>
                <InlineError message=error />
            </section>
        </Show>
        // Opens on "Keep subscription" (autofocus), the choice that changes nothing; Escape
        // closes it (the browser's `cancel`), and focus goes back to the button that opened it.
        <dialog node_ref=dialog.node() class="dialog" aria-labelledby="cancel-title" aria-describedby="cancel-body" data-testid="cancel-dialog"
            on:close=move |_| dialog.restore_focus()>
            <h2 id="cancel-title">{t(Msg::CancelConfirmTitle)}</h2>
            <p id="cancel-body">{details}</p>
            <div class="dialog-actions">
                <button type="button" class="button button-danger" data-testid="confirm-cancel"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| {
                        dialog.close();
                        cancel.submit(true);
                    }>{t(Msg::CancelSubscription)}</button>
                <button type="button" class="button button-secondary" data-testid="keep-subscription" autofocus
                    on:click=move |_| dialog.close()>{t(Msg::KeepSubscription)}</button>
            </div>
        </dialog>
    }
}
