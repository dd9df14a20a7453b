//! Card-brand marks: a small badge in the brand's colour with a short name, drawn by CSS from
//! `data-label` (no image files, no copied logo artwork). The mark is decorative
//! (`aria-hidden`); the brand's name is always in the text beside it for screen readers, and
//! a `::before` label adds nothing to the element's text content.

use crate::format;
use leptos::prelude::*;
use selfserve_api::card::CardBrand;

/// The short name on the badge; `None` for a brand not recognised (no mark is drawn).
pub fn mark_label(brand: CardBrand) -> Option<&'static str> {
    match brand {
        CardBrand::Visa => Some("VISA"),
        CardBrand::Mastercard => Some("MC"),
        CardBrand::Amex => Some("AMEX"),
        CardBrand::Discover => Some("DISC"),
        CardBrand::Diners => Some("DC"),
        CardBrand::Jcb => Some("JCB"),
        CardBrand::Unionpay => Some("UP"),
        CardBrand::Unknown => None,
    }
}

/// The decorative badge of `brand` (nothing for an unknown brand).
#[component]
pub fn CardMark(#[prop(into)] brand: Signal<CardBrand>) -> impl IntoView {
    move || {
        let brand = brand.get();
        mark_label(brand).map(|label| {
            view! {
                <span class="card-mark" aria-hidden="true" data-brand=brand.as_str()
                    data-label=label data-testid="card-mark"></span>
            }
        })
    }
}

/// A card as people recognise it: the mark, then `Visa •••• 4242` (with the expiry when
/// given, where a choice between cards is made).
#[component]
pub fn CardLabel(
    brand: CardBrand,
    last4: String,
    #[prop(optional)] expiry: Option<(u32, u32)>,
) -> impl IntoView {
    // The expiry may wrap onto its own line where the card is shown in a narrow box; the mark,
    // brand and number stay together.
    let expiry = expiry.map(|(month, year)| format!(" {}", format::card_expiry(month, year)));
    view! {
        <span class="card-label"><CardMark brand=brand />{format::card_short(brand, &last4)}</span>
        {expiry}
    }
}
