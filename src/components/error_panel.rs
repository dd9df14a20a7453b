//! Failures in words: the one text for any failed request, and the panel a failed load shows.

use crate::api::ApiFailure;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use selfserve_api::guardrails::{LimitKind, ReachedLimit};

/// A failed request in words, for every place that shows one: the server's own sentence when
/// it sent one, else what kind of failure it was.
pub fn failure_text(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Api { error, .. } if error.limit.is_some() => {
            return error.limit.as_ref().map(cap_text).unwrap_or_default();
        }
        ApiFailure::Network => t(Msg::NetworkFailed),
        ApiFailure::Api { error, .. } => &error.message,
        ApiFailure::Unexpected { .. } => t(Msg::ServerFailed),
    }
    .to_owned()
}

/// A guardrail an admin set, in words, with amounts formatted for the reader.
pub fn cap_text(limit: &ReachedLimit) -> String {
    match (limit.kind, limit.currency) {
        (LimitKind::MaxSeatsPerPurchase, _) => fill(
            plural(
                Msg::CapMaxSeatsPerPurchaseOne,
                Msg::CapMaxSeatsPerPurchase,
                limit.value.max(0) as u64,
            ),
            &[&limit.value.to_string()],
        ),
        (LimitKind::MaxSeats, _) => fill(
            plural(
                Msg::CapMaxSeatsOne,
                Msg::CapMaxSeats,
                limit.value.max(0) as u64,
            ),
            &[&limit.value.to_string(), &limit.available.to_string()],
        ),
        (LimitKind::MonthlyCap, Some(currency)) => fill(
            t(Msg::CapMonthly),
            &[
                &crate::format::money(limit.value, currency, None),
                &crate::format::money(limit.available, currency, None),
            ],
        ),
        (LimitKind::MonthlyCap, None) => t(Msg::ReasonCapReached).to_owned(),
    }
}

/// Whether a failure is a guardrail (403 `cap_reached`): a fewer licences may fit, a retry
/// of the same will not.
pub fn is_cap_reached(failure: &ApiFailure) -> bool {
    matches!(failure, ApiFailure::Api { error, .. } if error.limit.is_some())
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

/// A failure next to what failed, announced when it appears.
#[component]
pub fn InlineError(
    /// The text, when there is a failure to show.
    message: Signal<Option<String>>,
    /// `data-testid` for tests.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="field-error" role="alert" data-testid=testid>{text}</p> })
    }
}
