//! The words of the purchaser's and colleague's mails about a change they made or that
//! concerns them: renewal and seat-change receipts, a scheduled decrease, a cancellation and
//! its undoing, a licence taken back. A match on (template, language) with no fallback arm.

use super::words::{Values, Words, seats};
use crate::http::language::Language::{self, Dutch, English};
use crate::notifications::Template;

/// The words of `template`, one of this file's; `None` for any other (worded in `words.rs`).
pub(super) fn words(template: Template, v: &Values, language: Language) -> Option<Words> {
    let Values {
        product,
        purchaser,
        actor,
        organization,
        quantity,
        period_end,
        previous_quantity,
        ..
    } = *v;
    let words = |subject: String, heading: String, intro: String, link_text| {
        Some(Words {
            subject,
            heading,
            intro,
            link_text,
        })
    };
    let count = seats(quantity, language);
    let previous = seats(previous_quantity.unwrap_or(quantity), language);
    match (template, language) {
        (Template::RenewalReceipt, English) => words(
            format!("Your receipt: {product} renewed, {count}"),
            format!("Your {product} subscription is renewed"),
            format!(
                "Your {product} subscription for {organization} renewed for a new period, until \
                 {period_end}, and the card on file was charged. The invoice is below."
            ),
            "Your subscription and bills",
        ),
        (Template::RenewalReceipt, Dutch) => words(
            format!("Je betaalbewijs: {product} verlengd, {count}"),
            format!("Je abonnement op {product} is verlengd"),
            format!(
                "Je abonnement op {product} voor {organization} is verlengd met een nieuwe \
                 periode, tot {period_end}, en het bedrag is van de opgeslagen kaart afgeschreven. Je factuur staat \
                 hieronder."
            ),
            "Je abonnement en facturen",
        ),
        (Template::SeatsAddedReceipt, English) => words(
            format!("Your receipt: {product}, now {count}"),
            format!("You added seats to {product}"),
            format!(
                "Your {product} subscription now has {count} (it had {previous}). The added \
                 seats were charged for the rest of the current period, until {period_end}; \
                 from the renewal on, all seats are billed together."
            ),
            "Your subscription and bills",
        ),
        (Template::SeatsAddedReceipt, Dutch) => words(
            format!("Je betaalbewijs: {product}, nu {count}"),
            format!("Je hebt licenties toegevoegd aan {product}"),
            format!(
                "Je abonnement op {product} heeft nu {count} (eerst {previous}). De extra \
                 licenties zijn naar rato berekend voor de rest van de huidige periode, tot \
                 {period_end}; vanaf de verlenging worden alle licenties samen gefactureerd."
            ),
            "Je abonnement en facturen",
        ),
        (Template::SeatsDecreaseScheduled, English) => words(
            format!("{product}: {count} from {period_end}"),
            format!("Fewer {product} seats from your renewal on"),
            format!(
                "Your {product} subscription goes from {previous} to {count} when it renews on \
                 {period_end}; until then you keep all {previous}. You can change this in your \
                 subscription before that date."
            ),
            "Your subscription",
        ),
        (Template::SeatsDecreaseScheduled, Dutch) => words(
            format!("{product}: {count} vanaf {period_end}"),
            format!("Minder licenties voor {product} vanaf je verlenging"),
            format!(
                "Je abonnement op {product} gaat van {previous} naar {count} bij de verlenging \
                 op {period_end}; tot dan houd je alle {previous}. Je kunt dit vóór die datum \
                 nog wijzigen in je abonnement."
            ),
            "Je abonnement",
        ),
        (Template::Cancelled, English) => words(
            format!("{product} is cancelled: it ends on {period_end}"),
            format!("Your {product} subscription is cancelled"),
            format!(
                "You cancelled your {product} subscription for {organization}. It ends on \
                 {period_end} and is not charged again; its {count} work until then. Changed \
                 your mind? You can undo the cancellation in your subscription until \
                 {period_end}."
            ),
            "Your subscription",
        ),
        (Template::Cancelled, Dutch) => words(
            format!("{product} is opgezegd: het eindigt op {period_end}"),
            format!("Je abonnement op {product} is opgezegd"),
            format!(
                "Je hebt je abonnement op {product} voor {organization} opgezegd. Het eindigt \
                 op {period_end} en er wordt niets meer voor afgeschreven; de {count} werken tot \
                 die datum. Toch van gedachten veranderd? Tot {period_end} kun je de opzegging \
                 ongedaan maken in je abonnement."
            ),
            "Je abonnement",
        ),
        (Template::CancellationUndone, English) => words(
            format!("{product} continues"),
            format!("Your {product} subscription continues"),
            format!(
                "You undid the cancellation: your {product} subscription for {organization} \
                 continues and renews on {period_end} with {count}."
            ),
            "Your subscription",
        ),
        (Template::CancellationUndone, Dutch) => words(
            format!("{product} loopt door"),
            format!("Je abonnement op {product} loopt door"),
            format!(
                "Je hebt de opzegging ongedaan gemaakt: je abonnement op {product} voor \
                 {organization} loopt door en wordt op {period_end} verlengd met {count}."
            ),
            "Je abonnement",
        ),
        (Template::LicenceRemoved, English) => words(
            format!("You can no longer use {product}"),
            format!("You can no longer use {product}"),
            format!(
                "{actor} took back your {product} licence from {purchaser}'s subscription, so \
                 you can no longer use {product}. If you still need it, ask your IT admin (you \
                 can do so in the app)."
            ),
            "Open the app",
        ),
        (Template::LicenceRemoved, Dutch) => words(
            format!("Je kunt {product} niet meer gebruiken"),
            format!("Je kunt {product} niet meer gebruiken"),
            format!(
                "{actor} heeft je licentie voor {product} uit het abonnement van {purchaser} \
                 ingetrokken, dus je kunt {product} niet meer gebruiken. Heb je het nog nodig? \
                 Vraag het je IT-beheerder (dat kan in de app)."
            ),
            "Open de app",
        ),
        (
            Template::Receipt
            | Template::AdminPurchase
            | Template::AdminTrial
            | Template::LicenceAssigned
            | Template::PaymentFailed
            | Template::CancellationRequested
            | Template::AdminRequest
            | Template::RequestAnswered
            | Template::RenewalUpcoming
            | Template::TrialEnding
            | Template::Suspended
            | Template::TakenOver
            | Template::AdminDigest
            | Template::AdminPolicyChanged,
            _,
        ) => None,
    }
}
