//! What a page shows when loading it failed: a plain explanation and a way to retry.

use crate::api::ApiFailure;
use crate::i18n::{Msg, t};
use leptos::prelude::*;

/// A failed request in words, for messages next to what failed.
pub fn failure_text(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Network => t(Msg::NetworkFailed).to_owned(),
        other => other.message().unwrap_or(t(Msg::LoadFailed)).to_owned(),
    }
}

/// A failed sign-in in words (the same for every way an account can't sign in).
pub fn sign_in_failure_text(failure: &ApiFailure) -> String {
    match failure.code() {
        Some(selfserve_api::ErrorCode::InvalidCredentials) => t(Msg::WrongPassword).to_owned(),
        Some(selfserve_api::ErrorCode::TooManyAttempts) => t(Msg::TooManyAttempts).to_owned(),
        _ => failure_text(failure),
    }
}

/// An alert with the failure explained and a "Try again" button.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    failure: ApiFailure,
    /// Called when the reader asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let detail = failure_text(&failure);
    view! {
        <div class="panel panel-error" role="alert" data-testid="error-panel">
            <h2 class="panel-title">{t(Msg::LoadFailed)}</h2>
            <p>{detail}</p>
            <button type="button" class="button button-secondary" on:click=move |_| on_retry.run(())>
                {t(Msg::TryAgain)}
            </button>
        </div>
    }
}
