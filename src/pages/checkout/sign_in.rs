//! Step 2: the password of the account the email belongs to, or, for an organisation with
//! its own identity provider, the way to its sign-in page.

use super::email::ContactAdmin;
use super::use_checkout;
use crate::api;
use crate::checkout::{Checkout, Step};
use crate::components::error_panel::{InlineError, sign_in_failure_text};
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::sso_sign_in::{SsoSignIn, error_in_address};
use crate::i18n::{Msg, fill, t};
use crate::session::use_session;
use leptos::prelude::*;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::session::SignInMethod;

#[component]
pub fn SignInStep() -> impl IntoView {
    let ctx = use_checkout();
    match ctx.state.with_untracked(|s| s.method) {
        Some(SignInMethod::Sso) => view! { <SsoStep /> }.into_any(),
        Some(SignInMethod::Password) | None => view! { <PasswordStep /> }.into_any(),
    }
}

/// The address the email step passed, with a way back to change it.
#[component]
fn EmailRow(email: String) -> impl IntoView {
    let ctx = use_checkout();
    view! {
        // Text, not a read-only input (which would be a tab stop with nothing to do); the hidden
        // input tells password managers whose password the next field is.
        <div class="field">
            <span class="label" id="sign-in-email-label">{t(Msg::WorkEmail)}</span>
            <div class="readonly-row">
                <span class="readonly-value" id="sign-in-email" data-testid="sign-in-email">{email.clone()}</span>
                <input type="email" autocomplete="username" hidden prop:value=email />
                <button type="button" class="link-button" aria-label=t(Msg::ChangeEmail) on:click=move |_| ctx.go(Step::Email)>
                    {t(Msg::Change)}
                </button>
            </div>
        </div>
    }
}

/// At the organisation's own sign-in page; the checkout resumes at the seats step.
#[component]
fn SsoStep() -> impl IntoView {
    let ctx = use_checkout();
    let (email, organization) = ctx.state.with_untracked(|s| {
        (
            s.email.clone().unwrap_or_default(),
            s.organization.clone().unwrap_or_default(),
        )
    });
    let error = error_in_address();
    Effect::new(move |_| {
        if error.get().is_some() {
            ctx.state.update(Checkout::sso_failed);
        }
    });
    let product = ctx.product;
    let on_leave = Callback::new(move |()| {
        ctx.state.update(Checkout::sso_leaving);
        // Saved now: the effect that saves changes may not run before the page is left.
        ctx.state
            .with_untracked(|s| crate::storage::save(&super::storage_key(product), s));
    });
    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::SignInHeading)}</h2>
        <p>{fill(t(Msg::SsoIntro), &[&organization])}</p>
        <SsoSignIn
            email=email.clone()
            return_to=Checkout::sso_return_to(product)
            resume=Checkout::sso_resume(product)
            error
            on_leave
        >
            <EmailRow email=email.clone() />
        </SsoSignIn>
    }
}

#[component]
fn PasswordStep() -> impl IntoView {
    let ctx = use_checkout();
    let session = use_session();
    let email = ctx
        .state
        .with_untracked(|s| s.email.clone())
        .unwrap_or_default();
    let organization = ctx
        .state
        .with_untracked(|s| s.organization.clone())
        .unwrap_or_default();
    let password = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let sign_in = {
        let email = email.clone();
        Mutation::new(move |_: &()| {
            let (email, secret) = (email.clone(), password.get_untracked());
            async move {
                let user = api::sign_in(&email, &secret).await?;
                password.set(String::new());
                // Signed in, but this person may not buy: say why and go no further.
                let refused = user
                    .can_buy
                    .get(&ctx.product)
                    .and_then(|answer| answer.reason());
                let user_email = user.email.clone();
                session.set_user(Some(user));
                ctx.notice.set(None);
                ctx.state.update(|s| s.signed_in(&user_email));
                if refused.is_none() {
                    ctx.go(Step::Seats);
                }
                Ok(refused)
            }
        })
    };
    let pending = sign_in.pending();
    let refused = Memo::new(move |_| {
        sign_in.with_value(|answer| match answer {
            Some(Ok(reason)) => *reason,
            _ => None,
        })
    });
    let error = Memo::new(move |_| {
        if missing.get() {
            return Some(t(Msg::PasswordMissing).to_owned());
        }
        if pending.get() {
            return None;
        }
        sign_in.with_value(|answer| match answer {
            Some(Err(failure)) => Some(sign_in_failure_text(failure)),
            _ => None,
        })
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let empty = password.with_untracked(String::is_empty);
        missing.set(empty);
        if !empty {
            sign_in.dispatch(());
        }
    };

    view! {
        // Signed in and refused (a guest, say): not "Sign in" again, but why not and whom to ask.
        {move || if refused.get().is_some() {
            view! { <h2 id="step-heading" tabindex="-1">{t(Msg::SignedInHeading)}</h2> }.into_any()
        } else {
            view! {
                <h2 id="step-heading" tabindex="-1">{t(Msg::SignInHeading)}</h2>
                <p>{fill(t(Msg::SignInIntro), &[&organization])}</p>
            }.into_any()
        }}
        <Show
            when=move || refused.get().is_none()
            fallback=move || view! { <Refused reason=refused.get().unwrap_or(IneligibleReason::Unknown) /> }
        >
            <form novalidate on:submit=submit data-testid="sign-in-form">
                <EmailRow email=email.clone() />
                <div class="field" class:field-invalid=move || error.read().is_some()>
                    <label for="password">{t(Msg::Password)}</label>
                    {move || error.get().map(|message| view! {
                        <p class="field-error" id="password-error" role="alert">
                            <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                        </p>
                    })}
                    <input
                        id="password"
                        type="password"
                        autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input:target=move |ev| password.set(ev.target().value())
                        aria-invalid=move || error.read().is_some().then_some("true")
                        aria-describedby=move || error.read().is_some().then_some("password-error")
                        data-testid="password"
                    />
                </div>
                <button type="submit" class="button" aria-disabled=move || pending.get().then_some("true") data-testid="sign-in-submit">
                    {move || if pending.get() { t(Msg::SigningIn) } else { t(Msg::SignIn) }}
                </button>
            </form>
        </Show>
    }
}

/// Signed in, but not allowed to buy this product: a trial when the admin allows only that,
/// otherwise whom to ask and why.
#[component]
pub fn Refused(reason: IneligibleReason) -> impl IntoView {
    match reason {
        IneligibleReason::PolicyTrialsOnly => view! { <TrialOffer /> }.into_any(),
        reason => view! { <ContactAdmin reason ask=true /> }.into_any(),
    }
}

/// The admin allows only a free trial of this product: offer it.
#[component]
fn TrialOffer() -> impl IntoView {
    let trial = super::start_trial(use_checkout());
    let pending = trial.pending();
    view! {
        <div class="panel panel-info" role="note" data-testid="trial-offer">
            <h3 class="panel-title">{t(Msg::TrialOfferTitle)}</h3>
            <p>{t(Msg::TrialOfferBody)}</p>
            <InlineError message=failure_of(trial) />
            <button type="button" class="button" data-testid="start-trial"
                aria-disabled=move || pending.get().then_some("true")
                on:click=move |_| trial.submit(())>
                {t(Msg::StartTrial)}
            </button>
        </div>
    }
}
