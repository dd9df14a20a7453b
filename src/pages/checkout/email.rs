//! Step 1: the work email decides the organisation, and whether its people may buy.

use super::use_checkout;
use crate::api;
use crate::checkout::Step;
use crate::components::mutation::{Mutation, failure_of, submit_email};
use crate::i18n::{Msg, fill, t};
use crate::session::use_session;
use leptos::prelude::*;
use selfserve_api::eligibility::{EligibilityResponse, IneligibleReason};
use selfserve_api::email::EmailAddress;

/// What the email check said, when it was not "sign in".
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    ContactAdmin(IneligibleReason),
    UnknownOrganization(String),
}

/// The plain-words reason a buyer must contact their IT admin.
pub fn reason_text(reason: IneligibleReason) -> &'static str {
    t(match reason {
        IneligibleReason::OrganizationKind => Msg::ReasonOrganizationKind,
        IneligibleReason::UnmanagedOrganization => Msg::ReasonUnmanaged,
        IneligibleReason::Market => Msg::ReasonMarket,
        IneligibleReason::PolicyDisabled => Msg::ReasonPolicyDisabled,
        IneligibleReason::PolicyTrialsOnly => Msg::ReasonTrialsOnly,
        IneligibleReason::Guest => Msg::ReasonGuest,
        IneligibleReason::CapReached => Msg::ReasonCapReached,
        IneligibleReason::Unknown => Msg::ReasonUnknown,
    })
}

/// A panel telling the buyer to contact their IT admin, and why.
#[component]
pub fn ContactAdmin(
    reason: IneligibleReason,
    /// Signed in: offer to ask the admins right here.
    #[prop(optional)]
    ask: bool,
) -> impl IntoView {
    if reason == IneligibleReason::Guest {
        // This organisation's IT admins cannot let a guest buy for it; their own can.
        return view! {
            <div class="panel panel-info" role="alert" data-testid="contact-admin" data-reason=reason.as_str()>
                <h3 class="panel-title">{t(Msg::GuestTitle)}</h3>
                <p>{t(Msg::ReasonGuest)}</p>
                <p>{t(Msg::GuestBody)}</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="panel panel-info" role="alert" data-testid="contact-admin" data-reason=reason.as_str()>
            <h3 class="panel-title">{t(Msg::ContactAdminTitle)}</h3>
            <p>{reason_text(reason)}</p>
            <p>{t(if ask { Msg::AskAdminBody } else { Msg::ContactAdminBody })}</p>
            {ask.then(|| view! { <super::ask_admin::AskAdmin product=super::use_checkout().product /> })}
        </div>
    }
    .into_any()
}

#[component]
pub fn EmailStep() -> impl IntoView {
    let ctx = use_checkout();
    let session = use_session();
    let initial = ctx
        .state
        .with_untracked(|s| s.email.clone())
        .or_else(|| untrack(|| session.with_user(|u| u.map(|u| u.email.clone()))))
        .unwrap_or_default();
    let email = RwSignal::new(initial);
    // What is wrong with the address as typed, found before asking the server.
    let invalid = RwSignal::new(None::<String>);
    let check = Mutation::new(move |address: &EmailAddress| {
        let address = address.clone();
        async move {
            let answer = api::eligibility(address.as_str(), ctx.product.as_str()).await?;
            if let EligibilityResponse::SignIn {
                organization,
                method,
            } = &answer
            {
                ctx.notice.set(None);
                ctx.state
                    .update(|s| s.email_checked(address.as_str(), &organization.name, *method));
                let already = session.with_user(|u| u.is_some_and(|u| u.email == address.as_str()));
                if already {
                    ctx.state.update(|s| s.signed_in(address.as_str()));
                    ctx.go(Step::Seats);
                } else {
                    ctx.go(Step::SignIn);
                }
            }
            Ok((address, answer))
        }
    });
    let pending = check.pending();
    let failure = failure_of(check);
    let error = Memo::new(move |_| invalid.get().or_else(|| failure.get()));
    let outcome = move || {
        if pending.get() {
            return None;
        }
        check.with_value(|answer| match answer {
            Some(Ok((_, EligibilityResponse::ContactAdmin { reason, .. }))) => {
                Some(Outcome::ContactAdmin(*reason))
            }
            Some(Ok((address, EligibilityResponse::UnknownOrganization))) => {
                Some(Outcome::UnknownOrganization(address.domain().to_owned()))
            }
            _ => None,
        })
    };

    Effect::new(move |_| {
        let refused = match outcome() {
            Some(Outcome::ContactAdmin(reason)) => Some(reason),
            _ => None,
        };
        if ctx.refused_at_email.get_untracked() != refused {
            ctx.refused_at_email.set(refused);
        }
    });
    let submit = submit_email(email, invalid, check);
    // Told to contact IT about this address: Continue stays off until the address changes.
    let blocked = move || ctx.refused_at_email.with(Option::is_some);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if blocked() {
            ev.prevent_default();
        } else {
            submit(ev);
        }
    };

    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::EmailHeading)}</h2>
        <p>{t(Msg::EmailIntro)}</p>
        <form novalidate on:submit=submit data-testid="email-form">
            <div class="field" class:field-invalid=move || error.read().is_some()>
                <label for="email">{t(Msg::WorkEmail)}</label>
                {move || error.get().map(|message| view! {
                    <p class="field-error" id="email-error" role="alert">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                    </p>
                })}
                <input
                    id="email"
                    type="email"
                    autocomplete="email"
                    spellcheck="false"
                    autocapitalize="none"
                    prop:value=move || email.get()
                    on:input:target=move |ev| {
                        email.set(ev.target().value());
                        // A new address is a new question: the last answer no longer applies.
                        if ctx.refused_at_email.with_untracked(Option::is_some) {
                            ctx.refused_at_email.set(None);
                            check.clear();
                        }
                    }
                    aria-invalid=move || error.read().is_some().then_some("true")
                    aria-describedby=move || error.read().is_some().then_some("email-error")
                    data-testid="email"
                />
            </div>
            <button type="submit" class="button" aria-disabled=move || (pending.get() || blocked()).then_some("true") data-testid="email-submit">
                {move || if pending.get() { t(Msg::Checking) } else { t(Msg::Continue) }}
            </button>
        </form>
        {move || outcome().map(|outcome| match outcome {
            Outcome::ContactAdmin(reason) => view! { <ContactAdmin reason /> }.into_any(),
            Outcome::UnknownOrganization(domain) => view! {
                <div class="panel panel-info" role="alert" data-testid="unknown-organization">
                    <h3 class="panel-title">{t(Msg::UnknownOrganizationTitle)}</h3>
                    <p>{fill(t(Msg::UnknownOrganizationBody), &[&domain])}</p>
                </div>
            }.into_any(),
        })}
    }
}
