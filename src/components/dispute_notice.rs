//! A calm note that the cardholder's bank disputed a payment (a chargeback): shown to the
//! purchaser and to admins, informational only — nobody here can act on it in the app.

use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use selfserve_api::subscription::{Dispute, DisputeOutcome};

/// "The cardholder's bank disputed a payment of X on DATE."
pub fn dispute_text(dispute: &Dispute) -> String {
    let message = match dispute.outcome {
        None => Msg::DisputeNotice,
        Some(DisputeOutcome::Won) => Msg::DisputeWon,
        Some(DisputeOutcome::Lost) => Msg::DisputeLost,
    };
    fill(
        t(message),
        &[
            &format::money(dispute.amount, dispute.currency, None),
            &format::date(dispute.opened, None),
        ],
    )
}

/// The note for `dispute`; nothing when there is none.
#[component]
pub fn DisputeNotice(#[prop(into)] dispute: Signal<Option<Dispute>>) -> impl IntoView {
    move || {
        dispute.get().map(|dispute| {
            view! {
                <div class="banner banner-info" role="note" data-testid="dispute-notice">
                    <p>{dispute_text(&dispute)}</p>
                </div>
            }
        })
    }
}
