//! Pages for signed-in people show a sign-in form in place (keeping the address, so deep links
//! work) until the session is known and present.

use crate::api;
use crate::i18n::{Msg, t};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shows `children` to a signed-in user, a sign-in form to anyone else.
#[component]
pub fn SignInGate(
    /// What the page is about, for the form's heading.
    heading: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    // Re-render only when the state changes, not whenever the user object is refreshed.
    let state = Memo::new(
        move |_| match (session.checked.get(), session.user.read().is_some()) {
            (false, _) => Gate::Loading,
            (true, false) => Gate::SignedOut,
            (true, true) => Gate::SignedIn,
        },
    );
    move || match state.get() {
        Gate::Loading => {
            view! { <p class="loading" role="status">{t(Msg::Loading)}</p> }.into_any()
        }
        Gate::SignedOut => view! { <SignInForm heading /> }.into_any(),
        Gate::SignedIn => children().into_any(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Loading,
    SignedOut,
    SignedIn,
}

#[component]
fn SignInForm(heading: &'static str) -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::sign_in(&email.get_untracked(), &password.get_untracked()).await;
            pending.set(false);
            match result {
                Ok(user) => {
                    password.set(String::new());
                    session.user.set(Some(user));
                }
                Err(failure) => error.set(Some(
                    crate::components::error_panel::sign_in_failure_text(&failure),
                )),
            }
        });
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
