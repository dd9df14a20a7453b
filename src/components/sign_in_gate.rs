//! Pages for signed-in people show a sign-in form in place (keeping the address, so deep links
//! work) until the session is known and present. The form asks for the work email first; the
//! organisation then decides how: a password here, or its own sign-in page.

use crate::api;
use crate::components::error_panel::sign_in_failure_text;
use crate::components::loaded::Loaded;
use crate::components::mutation::{Mutation, failure_of, submit_email};
use crate::components::sso_sign_in::{SsoSignIn, error_in_address};
use crate::i18n::{Msg, t};
use crate::session::use_session;
use crate::sso;
use leptos::prelude::*;
use selfserve_api::eligibility::EligibilityResponse;
use selfserve_api::email::EmailAddress;
use selfserve_api::product::ProductId;
use selfserve_api::session::SignInMethod;

/// Where the address typed at the gate waits while the person is at their provider, so a
/// failure brings them back to it.
const EMAIL_KEY: &str = "selfserve.gate.email";

/// Shows `children` to a signed-in user, a sign-in form to anyone else, and the error panel
/// when who is signed in could not be found out.
#[component]
pub fn SignInGate(
    /// What the page is about, for the form's heading.
    heading: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    view! {
        <Loaded read=session.state view=move |user| match user {
            Some(_) => children().into_any(),
            None => view! { <SignInForm heading /> }.into_any(),
        } />
    }
}

/// The work email, and once it is known how its organisation signs in.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Email,
    Method(EmailAddress, SignInMethod),
}

#[component]
fn SignInForm(heading: &'static str) -> impl IntoView {
    let sso_error = error_in_address();
    // Back from a failed sign-in at the provider: straight to trying again, address kept.
    let returning = sso_error
        .get_untracked()
        .and_then(|_| crate::storage::load::<String>(EMAIL_KEY))
        .and_then(|e| EmailAddress::parse(&e).ok());
    let email = RwSignal::new(
        returning
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
    );
    let stage = RwSignal::new(match returning {
        Some(address) => Stage::Method(address, SignInMethod::Sso),
        None => Stage::Email,
    });
    let invalid = RwSignal::new(None::<String>);
    // The organisation's method is part of the email step's answer, which names a product:
    // any will do, and whatever it says about buying it is not the question here.
    let check = Mutation::new(move |address: &EmailAddress| {
        let address = address.clone();
        async move {
            let answer = api::eligibility(address.as_str(), ProductId::ALL[0].as_str()).await?;
            let method = match answer {
                EligibilityResponse::SignIn { method, .. } => method,
                // A refusal to buy says nothing about signing in; a password sign-in that the
                // organisation refuses answers `sso_required`, which switches over.
                EligibilityResponse::ContactAdmin { .. }
                | EligibilityResponse::UnknownOrganization => SignInMethod::Password,
            };
            stage.set(Stage::Method(address, method));
            Ok(())
        }
    });
    let pending = check.pending();
    let failure = failure_of(check);
    let error = Memo::new(move |_| invalid.get().or_else(|| failure.get()));
    let submit = submit_email(email, invalid, check);
    let change = Callback::new(move |()| {
        check.clear();
        stage.set(Stage::Email);
    });

    view! {
        <section class="page page-narrow panel" aria-labelledby="gate-heading">
            <h1 id="gate-heading">{heading}</h1>
            {move || match stage.get() {
                Stage::Email => view! {
                    <p>{t(Msg::SignInToContinue)}</p>
                    <form novalidate on:submit=submit data-testid="gate-email-form">
                        <div class="field" class:field-invalid=move || error.read().is_some()>
                            <label for="gate-email">{t(Msg::WorkEmail)}</label>
                            {move || error.get().map(|message| view! {
                                <p class="field-error" id="gate-email-error" role="alert">
                                    <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                                </p>
                            })}
                            <input id="gate-email" type="email" autocomplete="username"
                                spellcheck="false" autocapitalize="none"
                                prop:value=move || email.get()
                                on:input:target=move |ev| email.set(ev.target().value())
                                aria-invalid=move || error.read().is_some().then_some("true")
                                aria-describedby=move || error.read().is_some().then_some("gate-email-error")
                                data-testid="gate-email" />
                        </div>
                        <button type="submit" class="button" aria-disabled=move || pending.get().then_some("true") data-testid="gate-continue">
                            {move || if pending.get() { t(Msg::Checking) } else { t(Msg::Continue) }}
                        </button>
                    </form>
                }.into_any(),
                Stage::Method(address, SignInMethod::Sso) => {
                    let path = sso::current_path();
                    let typed = address.as_str().to_owned();
                    let remember = Callback::new(move |()| crate::storage::save(EMAIL_KEY, &typed));
                    view! {
                        <p>{t(Msg::SsoGateIntro)}</p>
                        <SsoSignIn
                            email=address.as_str().to_owned()
                            return_to=sso::without_error(&path)
                            resume=path
                            error=sso_error
                            on_leave=remember
                        >
                            <EmailRow email=address.as_str().to_owned() change />
                        </SsoSignIn>
                    }.into_any()
                }
                Stage::Method(address, SignInMethod::Password) => view! {
                    <PasswordForm address stage change />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn EmailRow(email: String, change: Callback<()>) -> impl IntoView {
    view! {
        // Text, not a read-only input (a tab stop with nothing to do); the hidden input tells
        // password managers whose password the next field is.
        <div class="field">
            <span class="label" id="gate-email-label">{t(Msg::WorkEmail)}</span>
            <div class="readonly-row">
                <span class="readonly-value" id="gate-email-shown" data-testid="gate-email-shown">{email.clone()}</span>
                <input type="email" autocomplete="username" hidden prop:value=email />
                <button type="button" class="link-button" aria-label=t(Msg::ChangeEmail) on:click=move |_| change.run(()) data-testid="gate-change">
                    {t(Msg::Change)}
                </button>
            </div>
        </div>
    }
}

#[component]
fn PasswordForm(
    address: EmailAddress,
    stage: RwSignal<Stage>,
    change: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let typed_email = address.as_str().to_owned();
    let sign_in = Mutation::new(move |_: &()| {
        let (typed_email, typed_password) = (typed_email.clone(), password.get_untracked());
        async move {
            let user = api::sign_in(&typed_email, &typed_password).await?;
            password.set(String::new());
            session.set_user(Some(user));
            Ok::<(), api::ApiFailure>(())
        }
    });
    let pending = sign_in.pending();
    // The organisation signs in at its provider after all: go there instead.
    Effect::new({
        let address = address.clone();
        move |_| {
            let sso = sign_in.with_value(|r| {
                matches!(r, Some(Err(f)) if f.code() == Some(selfserve_api::ErrorCode::SsoRequired))
            });
            if sso {
                stage.set(Stage::Method(address.clone(), SignInMethod::Sso));
            }
        }
    });
    let error = Memo::new(move |_| {
        if pending.get() {
            return None;
        }
        sign_in.with_value(|r| match r {
            Some(Err(failure)) => Some(sign_in_failure_text(failure)),
            _ => None,
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.submit(());
    };
    view! {
        <p>{t(Msg::SignInToContinue)}</p>
        <form novalidate on:submit=submit data-testid="gate-form">
            <EmailRow email=address.as_str().to_owned() change />
            <div class="field" class:field-invalid=move || error.read().is_some()>
                <label for="gate-password">{t(Msg::Password)}</label>
                {move || error.get().map(|message| view! {
                    <p class="field-error" role="alert" id="gate-error">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                    </p>
                })}
                <input id="gate-password" type="password" autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input:target=move |ev| password.set(ev.target().value())
                    aria-invalid=move || error.read().is_some().then_some("true")
                    aria-describedby=move || error.read().is_some().then_some("gate-error")
                    data-testid="gate-password" />
            </div>
            <button type="submit" class="button" aria-disabled=move || pending.get().then_some("true") data-testid="gate-submit">
                {move || if pending.get() { t(Msg::SigningIn) } else { t(Msg::SignIn) }}
            </button>
        </form>
    }
}
