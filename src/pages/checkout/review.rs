//! Step 5: everything on one screen, and a button that says exactly what it will charge
//! (WCAG 3.3.4: the buyer reviews and confirms before a financial commitment).
//!
//! Paying uses one idempotency key per attempt. A network error keeps the key, so "Try again"
//! can never charge twice; any answer from the server ends the attempt. A decline returns to
//! the card step with the reason; 3-D Secure opens the bank's challenge and then pays again.

use super::use_checkout;
use crate::api::{self, ApiFailure};
use crate::checkout::{Checkout, Step};
use crate::components::card_mark::CardLabel;
use crate::components::mutation::Mutation;
use crate::components::three_d_secure::ThreeDSecureDialog;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::pages::checkout::email::reason_text;
use crate::storage;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use selfserve_api::ErrorCode;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::error::NextAction;
use selfserve_api::purchase::PurchaseRequest;

/// How the last payment attempt ended, when it did not lead away from this step.
#[derive(Debug, Clone, PartialEq)]
enum Payment {
    /// Nothing to say (no card, or the bank's challenge is open).
    Quiet,
    /// No answer: retrying reuses the key.
    Unconfirmed,
    /// Refused for a reason a new card would not fix.
    Refused(String),
}

async fn pause(milliseconds: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[component]
pub fn ReviewStep() -> impl IntoView {
    let ctx = use_checkout();
    let navigate = use_navigate();
    let challenge = RwSignal::new(None::<NextAction>);
    let total_text = Signal::derive(move || {
        ctx.latest_quote()
            .map(|q| format::money(q.total, q.currency, None))
            .unwrap_or_default()
    });

    let purchase = Mutation::new(move |_: &()| {
        let navigate = navigate.clone();
        let card = ctx.state.with_untracked(|s| s.card.clone());
        let key = ctx
            .state
            .try_update(|s| s.attempt_key(storage::random_key))
            .unwrap_or_default();
        let request = card.map(|card| PurchaseRequest {
            product: ctx.product.as_str().to_owned(),
            quantity: i64::from(ctx.state.with_untracked(|s| s.quantity)),
            payment_token: card.token,
            convert_trial: ctx.state.with_untracked(|s| s.convert_trial.clone()),
        });
        async move {
            let Some(request) = request else {
                ctx.go(Step::Payment);
                return Payment::Quiet;
            };
            let mut result = api::purchase(&request, &key).await;
            // The first request with this key is still running (a double click, a retry after a
            // timeout): ask again with the same key until it has an answer.
            for _ in 0..20 {
                if !matches!(&result, Err(f) if f.code() == Some(ErrorCode::IdempotencyInProgress))
                {
                    break;
                }
                pause(500).await;
                result = api::purchase(&request, &key).await;
            }
            let error = match result {
                Ok(subscription) => {
                    // The state is left as it is (changing it would make the checkout re-route
                    // while it unmounts); only its saved copy goes, so the next checkout starts
                    // fresh.
                    storage::remove(&super::storage_key(ctx.product));
                    // Replace: going back from the confirmation must not offer to pay again.
                    navigate(
                        &format!("/confirmation/{}", subscription.id),
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                    return Payment::Quiet;
                }
                // No answer, or the server failed: the outcome is unknown, so the key is kept.
                Err(ApiFailure::Api { status, error }) if status < 500 => error,
                Err(_) => return Payment::Unconfirmed,
            };
            ctx.state.update(Checkout::attempt_answered);
            match error.code {
                ErrorCode::AuthenticationRequired => {
                    challenge.set(error.next_action);
                    Payment::Quiet
                }
                ErrorCode::CardDeclined | ErrorCode::TokenAlreadyUsed | ErrorCode::InvalidToken => {
                    ctx.state.update(Checkout::card_refused);
                    ctx.notice.set(Some(error.message));
                    ctx.go(Step::Payment);
                    Payment::Quiet
                }
                ErrorCode::NotAuthenticated => {
                    ctx.state.update(Checkout::signed_out);
                    ctx.notice.set(Some(t(Msg::SessionEnded).to_owned()));
                    ctx.go(Step::SignIn);
                    Payment::Quiet
                }
                ErrorCode::NotEligible => {
                    let reason = error
                        .reason
                        .and_then(|r| crate::json::from_wire_text(&r))
                        .unwrap_or(IneligibleReason::Unknown);
                    Payment::Refused(format!(
                        "{} {}",
                        reason_text(reason),
                        t(Msg::ContactAdminBody)
                    ))
                }
                _ => Payment::Refused(error.message),
            }
        }
    });
    let paying = purchase.pending();
    let payment = move || {
        if paying.get() {
            return None;
        }
        purchase.with_value(|v| v.cloned())
    };
    let pay_now = move || {
        if !paying.get_untracked() {
            purchase.dispatch(());
        }
    };
    let on_answered = Callback::new(move |_approved: bool| {
        // Approved or not, the gateway now knows; paying again (with a new key) completes the
        // purchase or brings back the bank's refusal as a decline.
        pay_now();
    });

    let card = move || ctx.state.with(|s| s.card.clone());
    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::ReviewHeading)}</h2>
        <p>{t(Msg::ReviewIntro)}</p>
        <dl class="review-list" data-testid="review">
            <div>
                <dt>{t(Msg::Product)}</dt>
                <dd>{move || ctx.product_name()}</dd>
            </div>
            <div>
                <dt>{t(Msg::Licences)}</dt>
                <dd data-testid="review-quantity">{move || ctx.state.with(|s| s.quantity)}</dd>
                <dd><button type="button" class="link-button" aria-label=t(Msg::ChangeLicences) data-testid="review-change-licences" on:click=move |_| ctx.go(Step::Seats)>{t(Msg::Change)}</button></dd>
            </div>
            <div>
                <dt>{t(Msg::TotalToday)}</dt>
                <dd data-testid="review-total">{move || total_text.get()}</dd>
            </div>
            <div>
                <dt>{t(Msg::Renewal)}</dt>
                <dd data-testid="review-renewal">
                    {move || ctx.latest_quote().map(|q| fill(t(Msg::RenewsMonthlyOn), &[&format::date(q.period_end, None)]))}
                </dd>
            </div>
            <div>
                <dt>{t(Msg::PaymentMethod)}</dt>
                <dd data-testid="review-card">
                    {move || card().map(|c| view! { <CardLabel brand=c.brand last4=c.last4 expiry=(c.exp_month, c.exp_year) /> })}
                </dd>
                <dd><button type="button" class="link-button" aria-label=t(Msg::ChangeCard) data-testid="review-change-card" on:click=move |_| ctx.go(Step::Payment)>{t(Msg::Change)}</button></dd>
            </div>
        </dl>
        {move || match payment()? {
            Payment::Unconfirmed => Some(view! {
                <div class="notice notice-error" role="alert" data-testid="payment-unconfirmed">{t(Msg::PaymentUnconfirmed)}</div>
            }.into_any()),
            Payment::Refused(message) => Some(view! {
                <div class="notice notice-error" role="alert" data-testid="payment-refused">{message}</div>
            }.into_any()),
            _ => None,
        }}
        <p class="fine-print">{t(Msg::PayTerms)}</p>
        <button
            type="button"
            class="button button-pay"
            data-testid="pay"
            aria-disabled=move || (paying.get() || ctx.latest_quote().is_none()).then_some("true")
            on:click=move |_| {
                if ctx.latest_quote().is_some() {
                    pay_now();
                }
            }
        >
            {move || match (paying.get(), payment()) {
                (true, _) => t(Msg::Paying).to_owned(),
                (_, Some(Payment::Unconfirmed)) => t(Msg::TryAgain).to_owned(),
                _ => fill(t(Msg::PayAmount), &[&total_text.get()]),
            }}
        </button>
        <ThreeDSecureDialog challenge amount=total_text on_answered />
    }
}
