//! Step 5: everything on one screen, and a button that says exactly what it will charge
//! (WCAG 3.3.4: the buyer reviews and confirms before a financial commitment).
//!
//! Paying uses one idempotency key per attempt. A network error keeps the key, so "Try again"
//! can never charge twice; any answer from the server ends the attempt. A decline returns to
//! the card step with the reason; 3-D Secure opens the bank's challenge and then pays again.

use super::use_checkout;
use crate::api::{self, ApiFailure};
use crate::checkout::{Checkout, Step};
use crate::components::three_d_secure::ThreeDSecureDialog;
use crate::format;
use crate::i18n::{Msg, fill, t};
use crate::pages::checkout::email::reason_text;
use crate::storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use selfserve_api::ErrorCode;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::purchase::PurchaseRequest;

/// Where the payment is.
#[derive(Debug, Clone, PartialEq)]
enum Payment {
    Idle,
    Paying,
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
    let payment = RwSignal::new(Payment::Idle);
    let challenge = RwSignal::new(None::<String>);
    let total_text = Signal::derive(move || {
        ctx.quote
            .with(|q| q.as_ref().map(|q| format::money(q.total, q.currency, None)))
            .unwrap_or_default()
    });

    let pay = StoredValue::new(None::<Callback<()>>);
    let run = Callback::new(move |()| {
        let Some(card) = ctx.state.with_untracked(|s| s.card.clone()) else {
            ctx.go(Step::Payment);
            return;
        };
        let key = ctx
            .state
            .try_update(|s| s.attempt_key(storage::random_key))
            .unwrap_or_default();
        let request = PurchaseRequest {
            product: ctx.product.as_str().to_owned(),
            quantity: i64::from(ctx.state.with_untracked(|s| s.quantity)),
            payment_token: card.token,
            convert_trial: ctx.state.with_untracked(|s| s.convert_trial.clone()),
        };
        payment.set(Payment::Paying);
        let navigate = navigate.clone();
        spawn_local(async move {
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
            match result {
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
                }
                Err(ApiFailure::Network) => payment.set(Payment::Unconfirmed),
                Err(failure) if failure.status().is_some_and(|s| s >= 500) => {
                    payment.set(Payment::Unconfirmed);
                }
                Err(ApiFailure::Api { error, .. }) => {
                    ctx.state.update(Checkout::attempt_answered);
                    match error.code {
                        ErrorCode::AuthenticationRequired => {
                            payment.set(Payment::Idle);
                            challenge.set(error.next_action.map(|action| action.url));
                        }
                        ErrorCode::CardDeclined
                        | ErrorCode::TokenAlreadyUsed
                        | ErrorCode::InvalidToken => {
                            ctx.state.update(Checkout::card_refused);
                            ctx.notice.set(Some(error.message));
                            ctx.go(Step::Payment);
                        }
                        ErrorCode::NotAuthenticated => {
                            ctx.state.update(Checkout::signed_out);
                            ctx.notice.set(Some(t(Msg::SessionEnded).to_owned()));
                            ctx.go(Step::SignIn);
                        }
                        ErrorCode::NotEligible => {
                            let reason = error
                                .reason
                                .and_then(|r| {
                                    serde_json::from_value(serde_json::Value::String(r)).ok()
                                })
                                .unwrap_or(IneligibleReason::Unknown);
                            payment.set(Payment::Refused(format!(
                                "{} {}",
                                reason_text(reason),
                                t(Msg::ContactAdminBody)
                            )));
                        }
                        _ => payment.set(Payment::Refused(error.message)),
                    }
                }
                Err(ApiFailure::Unexpected { .. }) => payment.set(Payment::Unconfirmed),
            }
        });
    });
    pay.set_value(Some(run));
    let pay_now = move || {
        if payment.get_untracked() != Payment::Paying
            && let Some(run) = pay.get_value()
        {
            run.run(());
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
                <dd>{move || ctx.listing.with(|l| l.as_ref().map(|p| p.name.clone()))}</dd>
            </div>
            <div>
                <dt>{t(Msg::Licences)}</dt>
                <dd data-testid="review-quantity">{move || ctx.state.with(|s| s.quantity)}</dd>
                <dd><button type="button" class="link-button" on:click=move |_| ctx.go(Step::Seats)>{t(Msg::Change)}</button></dd>
            </div>
            <div>
                <dt>{t(Msg::TotalToday)}</dt>
                <dd data-testid="review-total">{move || total_text.get()}</dd>
            </div>
            <div>
                <dt>{t(Msg::Renewal)}</dt>
                <dd data-testid="review-renewal">
                    {move || ctx.quote.get().map(|q| fill(t(Msg::RenewsMonthlyOn), &[&format::date(q.period_end, None)]))}
                </dd>
            </div>
            <div>
                <dt>{t(Msg::PaymentMethod)}</dt>
                <dd data-testid="review-card">
                    {move || card().map(|c| format::card(c.brand, &c.last4, c.exp_month, c.exp_year))}
                </dd>
                <dd><button type="button" class="link-button" on:click=move |_| ctx.go(Step::Payment)>{t(Msg::Change)}</button></dd>
            </div>
        </dl>
        {move || match payment.get() {
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
            aria-disabled=move || (payment.get() == Payment::Paying || ctx.quote.read().is_none()).then_some("true")
            on:click=move |_| {
                if ctx.quote.read_untracked().is_some() {
                    pay_now();
                }
            }
        >
            {move || match payment.get() {
                Payment::Paying => t(Msg::Paying).to_owned(),
                Payment::Unconfirmed => t(Msg::TryAgain).to_owned(),
                _ => fill(t(Msg::PayAmount), &[&total_text.get()]),
            }}
        </button>
        <ThreeDSecureDialog challenge amount=total_text on_answered />
    }
}
