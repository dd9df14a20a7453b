//! Step 2: the password of the account the email belongs to.

use super::email::ContactAdmin;
use super::use_checkout;
use crate::api;
use crate::checkout::Step;
use crate::i18n::{Msg, fill, t};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::eligibility::IneligibleReason;

#[component]
pub fn SignInStep() -> impl IntoView {
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
    let error = RwSignal::new(None::<String>);
    let refused = RwSignal::new(None::<IneligibleReason>);
    let pending = RwSignal::new(false);

    let submit = {
        let email = email.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() {
                return;
            }
            let secret = password.get_untracked();
            if secret.is_empty() {
                error.set(Some(t(Msg::PasswordMissing).to_owned()));
                return;
            }
            error.set(None);
            refused.set(None);
            pending.set(true);
            let email = email.clone();
            spawn_local(async move {
                let result = api::sign_in(&email, &secret).await;
                pending.set(false);
                match result {
                    Ok(user) => {
                        password.set(String::new());
                        let reason = user
                            .can_buy
                            .get(&ctx.product)
                            .and_then(|answer| answer.reason());
                        let user_email = user.email.clone();
                        session.user.set(Some(user));
                        ctx.notice.set(None);
                        ctx.state.update(|s| s.signed_in(&user_email));
                        match reason {
                            // Signed in, but this person may not buy: say why, go no further.
                            Some(reason) => refused.set(Some(reason)),
                            None => ctx.go(Step::Seats),
                        }
                    }
                    Err(failure) => error.set(Some(
                        crate::components::error_panel::sign_in_failure_text(&failure),
                    )),
                }
            });
        }
    };

    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::SignInHeading)}</h2>
        <p>{fill(t(Msg::SignInIntro), &[&organization])}</p>
        <Show
            when=move || refused.get().is_none()
            fallback=move || match refused.get().unwrap_or(IneligibleReason::Unknown) {
                IneligibleReason::PolicyTrialsOnly => view! { <TrialOffer /> }.into_any(),
                reason => view! { <ContactAdmin reason /> }.into_any(),
            }
        >
            <form novalidate on:submit=submit.clone() data-testid="sign-in-form">
                <div class="field">
                    <label for="sign-in-email">{t(Msg::WorkEmail)}</label>
                    <div class="readonly-row">
                        <input id="sign-in-email" type="email" autocomplete="username" readonly prop:value=email.clone() />
                        <button type="button" class="link-button" on:click=move |_| ctx.go(Step::Email)>
                            {t(Msg::Change)}
                        </button>
                    </div>
                </div>
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

/// The admin allows only a free trial of this product: offer it.
#[component]
fn TrialOffer() -> impl IntoView {
    let ctx = use_checkout();
    let navigate = leptos_router::hooks::use_navigate();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let start = move |_| {
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::start_trial(ctx.product.as_str()).await;
            pending.set(false);
            match result {
                Ok(sub) => navigate(&format!("/manage/{}", sub.id), Default::default()),
                Err(failure) => error.set(Some(
                    failure
                        .message()
                        .unwrap_or(t(Msg::NetworkFailed))
                        .to_owned(),
                )),
            }
        });
    };
    view! {
        <div class="panel panel-info" role="note" data-testid="trial-offer">
            <h3 class="panel-title">{t(Msg::TrialOfferTitle)}</h3>
            <p>{t(Msg::TrialOfferBody)}</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="button" class="button" data-testid="start-trial"
                aria-disabled=move || pending.get().then_some("true") on:click=start>
                {t(Msg::StartTrial)}
            </button>
        </div>
    }
}
