//! Pages for signed-in people show a sign-in form in place (keeping the address, so deep links
//! work) until the session is known and present.

use crate::api;
use crate::components::error_panel::sign_in_failure_text;
use crate::components::loaded::Loaded;
use crate::components::mutation::Mutation;
use crate::i18n::{Msg, t};
use crate::session::use_session;
use leptos::prelude::*;

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

#[component]
fn SignInForm(heading: &'static str) -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Mutation::new(move |_: &()| {
        let (typed_email, typed_password) = (email.get_untracked(), password.get_untracked());
        async move {
            let user = api::sign_in(&typed_email, &typed_password).await?;
            password.set(String::new());
            session.set_user(Some(user));
            Ok(())
        }
    });
    let pending = sign_in.pending();
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
        <section class="page page-narrow panel" aria-labelledby="gate-heading">
            <h1 id="gate-heading">{heading}</h1>
            <p>{t(Msg::SignInToContinue)}</p>
            <form novalidate on:submit=submit data-testid="gate-form">
                {move || error.get().map(|message| view! {
                    <p class="field-error" role="alert" id="gate-error">{message}</p>
                })}
                <div class="field">
                    <label for="gate-email">{t(Msg::WorkEmail)}</label>
                    <input id="gate-email" type="email" autocomplete="username"
                        prop:value=move || email.get()
                        on:input:target=move |ev| email.set(ev.target().value())
                        data-testid="gate-email" />
                </div>
                <div class="field">
                    <label for="gate-password">{t(Msg::Password)}</label>
                    <input id="gate-password" type="password" autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input:target=move |ev| password.set(ev.target().value())
                        aria-describedby=move || error.read().is_some().then_some("gate-error")
                        data-testid="gate-password" />
                </div>
                <button type="submit" class="button" aria-disabled=move || pending.get().then_some("true") data-testid="gate-submit">
                    {move || if pending.get() { t(Msg::SigningIn) } else { t(Msg::SignIn) }}
                </button>
            </form>
        </section>
    }
}
