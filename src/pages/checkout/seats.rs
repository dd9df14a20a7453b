//! Step 3: how many licences, priced live by the server.

use super::use_checkout;
use crate::checkout::Step;
use crate::components::error_panel::{InlineError, failure_text, is_cap_reached};
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, fill, t};
use crate::session::use_session;
use leptos::prelude::*;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::product::SeatCount;

/// The seats, or (for someone whose organisation does not let them buy this product, e.g.
/// back from their organisation's sign-in, which does not ask first) why not.
#[component]
pub fn SeatsStep() -> impl IntoView {
    let ctx = use_checkout();
    let session = use_session();
    let refused = Memo::new(move |_| super::refusal(session, ctx.product));
    view! {
        <Show
            when=move || refused.get().is_none()
            fallback=move || view! {
                <h2 id="step-heading" tabindex="-1">{t(Msg::SignedInHeading)}</h2>
                <super::sign_in::Refused reason=refused.get().unwrap_or(IneligibleReason::Unknown) />
            }
        >
            <SeatsForm />
        </Show>
    }
}

#[component]
fn SeatsForm() -> impl IntoView {
    let ctx = use_checkout();
    let limits = ctx.product.seat_limits();
    let text = RwSignal::new(ctx.state.with_untracked(|s| s.quantity).to_string());
    let error = RwSignal::new(None::<String>);
    // A guardrail the quote ran into: said at the field, before the card step, and Continue
    // stays off until fewer licences fit.
    let capped = move || {
        ctx.quote.with(|answer| match answer {
            Some(Err(failure)) if is_cap_reached(failure) => Some(failure_text(failure)),
            _ => None,
        })
    };

    // Every valid change is priced at once; the summary shows the result.
    let changed = move |value: String| {
        text.set(value.clone());
        match SeatCount::parse(&value, limits) {
            Ok(seats) => {
                error.set(None);
                // The summary's quote follows the quantity.
                ctx.state.update(|s| {
                    if s.quantity != seats.get() {
                        s.quantity = seats.get();
                        s.attempt_key = None;
                    }
                });
            }
            Err(reason) => error.set(Some(reason.to_string())),
        }
    };
    let step_by = move |delta: i64| {
        let current = text.get_untracked().trim().parse::<i64>().unwrap_or(1);
        let next = (current + delta).clamp(i64::from(limits.min), i64::from(limits.max));
        changed(next.to_string());
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if capped().is_some() {
            return;
        }
        match SeatCount::parse(&text.get_untracked(), limits) {
            Ok(seats) => {
                ctx.state.update(|s| s.quantity_chosen(seats.get()));
                ctx.go(Step::Payment);
            }
            Err(reason) => error.set(Some(reason.to_string())),
        }
    };

    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::SeatsHeading)}</h2>
        <p>{t(Msg::SeatsIntro)}</p>
        <form novalidate on:submit=submit data-testid="seats-form">
            <div class="field" class:field-invalid=move || error.read().is_some()>
                <label for="quantity">{t(Msg::NumberOfLicences)}</label>
                <p class="hint" id="quantity-hint">
                    {fill(t(Msg::SeatsHint), &[&limits.min.to_string(), &limits.max.to_string()])}
                </p>
                {move || error.get().or_else(capped).map(|message| view! {
                    <p class="field-error" id="quantity-error" role="alert" data-testid="quantity-error">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                    </p>
                })}
                <div class="stepper">
                    <button type="button" class="stepper-button" aria-label=t(Msg::OneFewer)
                        on:click=move |_| step_by(-1) data-testid="quantity-decrease">"−"</button>
                    <input
                        id="quantity"
                        type="text"
                        inputmode="numeric"
                        pattern="[0-9]*"
                        class="input-short"
                        autocomplete="off"
                        prop:value=move || text.get()
                        on:input:target=move |ev| changed(ev.target().value())
                        aria-invalid=move || (error.read().is_some() || capped().is_some()).then_some("true")
                        aria-describedby=move || if error.read().is_some() || capped().is_some() { "quantity-hint quantity-error" } else { "quantity-hint" }
                        data-testid="quantity"
                    />
                    <button type="button" class="stepper-button" aria-label=t(Msg::OneMore)
                        on:click=move |_| step_by(1) data-testid="quantity-increase">"+"</button>
                </div>
            </div>
            <button type="submit" class="button" data-testid="seats-submit"
                disabled=move || capped().is_some()>{t(Msg::Continue)}</button>
        </form>
        <TrialLink />
    }
}

/// "Or try it free for 30 days": a trial without a card, instead of buying.
#[component]
fn TrialLink() -> impl IntoView {
    let trial = super::start_trial(use_checkout());
    let pending = trial.pending();
    view! {
        <p class="trial-link">
            <button type="button" class="link-button" data-testid="trial-instead"
                aria-disabled=move || pending.get().then_some("true")
                on:click=move |_| trial.submit(())>
                {t(Msg::TrialInstead)}
            </button>
        </p>
        <InlineError message=failure_of(trial) />
    }
}
