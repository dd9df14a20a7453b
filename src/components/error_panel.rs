//! What a page shows when loading it failed: a plain explanation and a way to retry.

use crate::api::ApiFailure;
use crate::i18n::{Msg, t};
use leptos::prelude::*;

/// An alert with the failure explained and a "Try again" button.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    failure: ApiFailure,
    /// Called when the reader asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let detail = match &failure {
        ApiFailure::Network => t(Msg::NetworkFailed).to_owned(),
        ApiFailure::Api { error, .. } => error.message.clone(),
        ApiFailure::Unexpected { .. } => t(Msg::LoadFailed).to_owned(),
    };
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
