//! Step 4: the card, tokenised by the gateway. A declined card lands here with its reason; the
//! quantity is kept.

use super::use_checkout;
use crate::checkout::Step;
use crate::components::card_form::CardForm;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::card::CardToken;

#[component]
pub fn PaymentStep() -> impl IntoView {
    let ctx = use_checkout();
    let on_tokenized = Callback::new(move |card: CardToken| {
        ctx.notice.set(None);
        ctx.state.update(|s| s.card_added(card));
        ctx.go(Step::Review);
    });
    view! {
        <h2 id="step-heading" tabindex="-1">{t(Msg::PaymentHeading)}</h2>
        <p>{t(Msg::PaymentIntro)}</p>
        <p class="test-mode" data-testid="test-mode">{t(Msg::TestModeHint)}</p>
        <CardForm on_tokenized submit_label=t(Msg::ContinueToReview) cardholder=ctx.cardholder />
    }
}
