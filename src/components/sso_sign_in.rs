//! The "continue at your organisation's sign-in page" form, for the checkout's sign-in step
//! and the sign-in gate of the signed-in views: no password here, one button that leaves for
//! the provider, and the failure that brought the person back, announced.

use crate::i18n::{Msg, t};
use crate::sso::{self, SsoError};
use leptos::prelude::*;

/// The failure named by the address's `sso_error`, if any.
pub fn error_in_address() -> Memo<Option<SsoError>> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get(sso::ERROR_PARAM)
            .map(|code| SsoError::from_code(&code))
    })
}

/// The form. `children` come inside it, after the failure (the address row).
#[component]
pub fn SsoSignIn(
    /// The work email, sent to the provider as a hint.
    email: String,
    /// Where to come back signed in.
    return_to: String,
    /// Where a failure is shown.
    resume: String,
    /// The failure that brought the person back.
    error: Memo<Option<SsoError>>,
    /// Called just before the browser leaves (to remember what must survive the trip).
    #[prop(optional)]
    on_leave: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    let leaving = RwSignal::new(false);
    // Back from the provider with the back button, the page may be restored as it was left.
    let restored = window_event_listener(leptos::ev::pageshow, move |_| leaving.set(false));
    on_cleanup(move || restored.remove());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if leaving.get_untracked() {
            return;
        }
        leaving.set(true);
        if let Some(on_leave) = on_leave {
            on_leave.run(());
        }
        sso::start(&email, &return_to, &resume);
    };
    let shown = move || error.get().filter(|_| !leaving.get());
    view! {
        <form novalidate on:submit=submit data-testid="sso-form">
            {move || shown().map(|failure| view! {
                <div class="notice notice-error" id="sso-error" role="alert" data-testid="sso-error">
                    <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{t(failure.message())}
                </div>
            })}
            {children()}
            <p class="hint" id="sso-hint">{t(Msg::SsoComeBack)}</p>
            <button
                type="submit"
                class="button"
                aria-disabled=move || leaving.get().then_some("true")
                aria-describedby=move || if shown().is_some() { "sso-error sso-hint" } else { "sso-hint" }
                data-testid="sso-continue"
            >
                {move || if leaving.get() { t(Msg::SsoLeaving) } else { t(Msg::SsoContinue) }}
            </button>
        </form>
    }
}
