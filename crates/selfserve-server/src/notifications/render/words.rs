//! The words of the mails about a subscription, in each language: every template's subject,
//! heading, introduction and link, and the labels of the summary lines. A match on
//! (template, language) with no fallback arm: a template cannot be worded in one language only.

use crate::http::language::Language::{self, Dutch, English};
use crate::notifications::Template;

/// The label of one summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Product,
    Seats,
    TotalPaid,
    Period,
    Trial,
    CurrentPeriodEnds,
    EndsOn,
    SelfServicePurchase,
    MaxSeatsPerPurchase,
    MaxSeats,
    MonthlyCap,
    RenewsOn,
    AmountToBeCharged,
    WhyTheyCouldNotBuy,
    MessageFromYourItAdmin,
}

impl Label {
    pub(crate) fn text(self, language: Language) -> &'static str {
        match (self, language) {
            (Label::Product, English) => "Product",
            (Label::Product, Dutch) => "Product",
            (Label::Seats, English) => "Seats",
            (Label::Seats, Dutch) => "Licenties",
            (Label::TotalPaid, English) => "Total paid",
            (Label::TotalPaid, Dutch) => "Totaal betaald",
            (Label::Period, English) => "Period",
            (Label::Period, Dutch) => "Periode",
            (Label::Trial, English) => "Trial",
            (Label::Trial, Dutch) => "Proefperiode",
            (Label::CurrentPeriodEnds, English) => "Current period ends",
            (Label::CurrentPeriodEnds, Dutch) => "Huidige periode eindigt op",
            (Label::EndsOn, English) => "Ends on",
            (Label::EndsOn, Dutch) => "Eindigt op",
            (Label::SelfServicePurchase, English) => "Self-service purchase",
            (Label::SelfServicePurchase, Dutch) => "Selfservice-aankoop",
            (Label::MaxSeatsPerPurchase, English) => "Most seats per purchase",
            (Label::MaxSeatsPerPurchase, Dutch) => "Maximaal aantal licenties per aankoop",
            (Label::MaxSeats, English) => "Most self-service seats in the organisation",
            (Label::MaxSeats, Dutch) => "Maximaal aantal selfservice-licenties in de organisatie",
            (Label::MonthlyCap, English) => "Monthly spend cap",
            (Label::MonthlyCap, Dutch) => "Maximaal bedrag per maand",
            (Label::RenewsOn, English) => "Renews on",
            (Label::RenewsOn, Dutch) => "Wordt verlengd op",
            (Label::AmountToBeCharged, English) => "Amount to be charged",
            (Label::AmountToBeCharged, Dutch) => "Af te schrijven bedrag",
            (Label::WhyTheyCouldNotBuy, English) => "Why they could not buy it",
            (Label::WhyTheyCouldNotBuy, Dutch) => "Waarom het niet gekocht kon worden",
            (Label::MessageFromYourItAdmin, English) => "Message from your IT admin",
            (Label::MessageFromYourItAdmin, Dutch) => "Bericht van je IT-beheerder",
        }
    }
}

/// What a subscription's mail fills in.
pub(super) struct Values<'a> {
    pub product: &'a str,
    pub purchaser: &'a str,
    pub actor: &'a str,
    pub organization: &'a str,
    pub quantity: i64,
    /// The end of the period (or trial), written for the recipient.
    pub period_end: &'a str,
    /// What a take-over did to the subscription (only for [`Template::TakenOver`]).
    pub take_over: Option<TakeOverWords<'a>>,
    /// The seats before a seat change (seat-change mails only).
    pub previous_quantity: Option<i64>,
}

/// What became of a subscription an admin took over, with the refund written for the reader.
#[derive(Debug, Clone, Copy)]
pub(super) enum TakeOverWords<'a> {
    LeftRunning,
    EndsAtPeriodEnd,
    EndedNow { refunded: &'a str },
}

/// The text of the receipt's link to its printable invoice.
pub(super) fn invoice_link_text(language: Language) -> &'static str {
    match language {
        English => "Your invoice (to print or save as PDF)",
        Dutch => "Je factuur (om af te drukken of als pdf te bewaren)",
    }
}

/// A mail's words.
pub(super) struct Words {
    pub subject: String,
    pub heading: String,
    pub intro: String,
    pub link_text: &'static str,
}

/// "1 seat" / "3 seats", "1 licentie" / "3 licenties".
pub(super) fn seats(n: i64, language: Language) -> String {
    match (language, n) {
        (English, 1) => "1 seat".to_owned(),
        (English, n) => format!("{n} seats"),
        (Dutch, 1) => "1 licentie".to_owned(),
        (Dutch, n) => format!("{n} licenties"),
    }
}

pub(super) fn greeting(name: &str, language: Language) -> String {
    match language {
        English => format!("Hello {name},"),
        Dutch => format!("Beste {name},"),
    }
}

pub(super) fn subscription(template: Template, v: &Values, language: Language) -> Words {
    let Values {
        product,
        purchaser,
        actor,
        organization,
        quantity,
        period_end,
        take_over,
        ..
    } = *v;
    if let Some(words) = super::changes::words(template, v, language) {
        return words;
    }
    let words = |subject: String, heading: String, intro: String, link_text| Words {
        subject,
        heading,
        intro,
        link_text,
    };
    let count = seats(quantity, language);
    match (template, language) {
        (Template::Receipt, English) => words(
            format!("Your receipt: {product}, {count}"),
            format!("Thank you for buying {product}"),
            format!(
                "Your subscription for {organization} is active. You can assign its licences \
                 to colleagues, change seats and see your bills in the app."
            ),
            "Your subscription and bills",
        ),
        (Template::Receipt, Dutch) => words(
            format!("Je betaalbewijs: {product}, {count}"),
            format!("Bedankt voor je aankoop van {product}"),
            format!(
                "Je abonnement voor {organization} is actief. In de app kun je de licenties \
                 aan collega's toewijzen, het aantal licenties wijzigen en je facturen bekijken."
            ),
            "Je abonnement en facturen",
        ),
        (Template::AdminPurchase, English) => words(
            format!("New self-service purchase: {product} by {purchaser}"),
            format!("{purchaser} bought {product}"),
            format!(
                "{purchaser} bought {product} with self-service for {organization}. You can \
                 see it, take it over or change the product's policy in the admin pages."
            ),
            "Self-service purchases in your organisation",
        ),
        (Template::AdminPurchase, Dutch) => words(
            format!("Nieuwe selfservice-aankoop: {product} door {purchaser}"),
            format!("{purchaser} heeft {product} gekocht"),
            format!(
                "{purchaser} heeft {product} via selfservice gekocht voor {organization}. Op \
                 de beheerpagina's kun je de aankoop bekijken, overnemen of het beleid voor \
                 het product wijzigen."
            ),
            "Selfservice-aankopen in je organisatie",
        ),
        (Template::AdminTrial, English) => words(
            format!("New self-service trial: {product} by {purchaser}"),
            format!("{purchaser} started a trial of {product}"),
            format!(
                "{purchaser} started a free trial of {product} for {organization}. It ends on \
                 {period_end} unless it is bought."
            ),
            "Self-service purchases in your organisation",
        ),
        (Template::AdminTrial, Dutch) => words(
            format!("Nieuwe selfservice-proefversie: {product} door {purchaser}"),
            format!("{purchaser} is een proefversie van {product} gestart"),
            format!(
                "{purchaser} is een gratis proefversie van {product} gestart voor \
                 {organization}. Die eindigt op {period_end}, tenzij het product wordt gekocht."
            ),
            "Selfservice-aankopen in je organisatie",
        ),
        (Template::LicenceAssigned, English) => words(
            format!("You can now use {product}"),
            format!("You can now use {product}"),
            format!("{actor} gave you a {product} licence from {purchaser}'s subscription."),
            "Open the app",
        ),
        (Template::LicenceAssigned, Dutch) => words(
            format!("Je kunt nu {product} gebruiken"),
            format!("Je kunt nu {product} gebruiken"),
            format!(
                "{actor} heeft je een licentie voor {product} gegeven uit het abonnement van \
                 {purchaser}."
            ),
            "Open de app",
        ),
        (Template::PaymentFailed, English) => words(
            format!("Payment failed: {product}"),
            format!("We could not charge your card for {product}"),
            format!(
                "The renewal of your {product} subscription could not be paid, so it is past \
                 due. Pay the open bill (with this card or another) to keep your {count} \
                 licensed: a subscription left unpaid for 30 days is suspended."
            ),
            "Pay the bill",
        ),
        (Template::PaymentFailed, Dutch) => words(
            format!("Betaling mislukt: {product}"),
            format!("We konden de betaling voor {product} niet van je kaart afschrijven"),
            format!(
                "De verlenging van je abonnement op {product} kon niet worden betaald, dus de \
                 betaling is achterstallig. Betaal de openstaande factuur (met deze of een \
                 andere kaart) om je {count} te behouden: een abonnement dat 30 dagen \
                 onbetaald blijft, wordt opgeschort."
            ),
            "Betaal de factuur",
        ),
        (Template::CancellationRequested, English) => words(
            format!("Your IT admin asks you to cancel {product}"),
            format!("Please cancel {product}"),
            format!(
                "{actor} of {organization} asks you to cancel your self-service {product} \
                 subscription, usually because the organisation provides it centrally."
            ),
            "Your subscription",
        ),
        (Template::CancellationRequested, Dutch) => words(
            format!("Je IT-beheerder vraagt je {product} op te zeggen"),
            format!("Zeg {product} alsjeblieft op"),
            format!(
                "{actor} van {organization} vraagt je om je selfservice-abonnement op {product} op \
                 te zeggen, meestal omdat de organisatie het centraal aanbiedt."
            ),
            "Je abonnement",
        ),
        // Worded by `requests.rs`, `policy.rs`, `digest.rs` (their facts are not a
        // subscription's) or `changes.rs` (above); were that ever broken, the mail still says
        // nothing false.
        (
            Template::AdminRequest
            | Template::RequestAnswered
            | Template::AdminDigest
            | Template::AdminPolicyChanged
            | Template::RenewalReceipt
            | Template::SeatsAddedReceipt
            | Template::SeatsDecreaseScheduled
            | Template::Cancelled
            | Template::CancellationUndone
            | Template::LicenceRemoved,
            English,
        ) => words(
            format!("About {product}"),
            format!("About {product}"),
            format!("There is news about {product} for {organization}."),
            "Open the app",
        ),
        (
            Template::AdminRequest
            | Template::RequestAnswered
            | Template::AdminDigest
            | Template::AdminPolicyChanged
            | Template::RenewalReceipt
            | Template::SeatsAddedReceipt
            | Template::SeatsDecreaseScheduled
            | Template::Cancelled
            | Template::CancellationUndone
            | Template::LicenceRemoved,
            Dutch,
        ) => words(
            format!("Over {product}"),
            format!("Over {product}"),
            format!("Er is nieuws over {product} voor {organization}."),
            "Open de app",
        ),
        (Template::RenewalUpcoming, English) => words(
            format!("{product} renews on {period_end}"),
            format!("Your {product} subscription renews in 7 days"),
            format!(
                "On {period_end} your {product} subscription renews and the card on file is \
                 charged. To change seats or cancel, open your subscription before then."
            ),
            "Your subscription",
        ),
        (Template::RenewalUpcoming, Dutch) => words(
            format!("{product} wordt verlengd op {period_end}"),
            format!("Je abonnement op {product} wordt over 7 dagen verlengd"),
            format!(
                "Op {period_end} wordt je abonnement op {product} verlengd en wordt het \
                 bedrag van de opgeslagen kaart afgeschreven. Open vóór die datum je abonnement om het aantal \
                 licenties te wijzigen of op te zeggen."
            ),
            "Je abonnement",
        ),
        (Template::TrialEnding, English) => words(
            format!("Your {product} trial ends on {period_end}"),
            format!("Your {product} trial ends soon"),
            format!(
                "Your free trial of {product} ends on {period_end}; its {count} will stop \
                 working then. Buy it to keep using it."
            ),
            "Buy it or see your trial",
        ),
        (Template::TrialEnding, Dutch) => words(
            format!("Je proefversie van {product} eindigt op {period_end}"),
            format!("Je proefversie van {product} eindigt binnenkort"),
            format!(
                "Je gratis proefversie van {product} eindigt op {period_end}; de {count} \
                 werken dan niet meer. Koop het product om het te blijven gebruiken."
            ),
            "Kopen of je proefversie bekijken",
        ),
        (Template::Suspended, English) => words(
            format!("Suspended: {product}"),
            format!("Your {product} subscription is suspended"),
            format!(
                "The bill for your {product} subscription stayed unpaid for 30 days, so its \
                 {count} are suspended. Pay the open bill to use them again."
            ),
            "Pay the bill",
        ),
        (Template::Suspended, Dutch) => words(
            format!("Opgeschort: {product}"),
            format!("Je abonnement op {product} is opgeschort"),
            format!(
                "De factuur voor je abonnement op {product} is 30 dagen onbetaald gebleven, \
                 dus de {count} zijn opgeschort. Betaal de openstaande factuur om ze weer te \
                 gebruiken."
            ),
            "Betaal de factuur",
        ),
        (Template::TakenOver, English) => {
            let what = match take_over {
                Some(TakeOverWords::EndsAtPeriodEnd) => format!(
                    "Your subscription is cancelled: it ends on {period_end} and is not charged \
                     again."
                ),
                Some(TakeOverWords::EndedNow { refunded }) => format!(
                    "Your subscription has ended now, and {refunded} for the unused part of the \
                     period is refunded to your card."
                ),
                Some(TakeOverWords::LeftRunning) | None => format!(
                    "Your subscription keeps running and renews on {period_end} unless you \
                     cancel it; please cancel it, as nobody needs its seats any more."
                ),
            };
            words(
                format!("Your {product} users now have central licences"),
                format!("{product} is now provided centrally"),
                format!(
                    "{actor} of {organization} moved the people on your self-service {product} \
                     subscription to licences the organisation provides centrally; they keep \
                     using {product}. {what}"
                ),
                "Your subscription",
            )
        }
        (Template::TakenOver, Dutch) => {
            let what = match take_over {
                Some(TakeOverWords::EndsAtPeriodEnd) => format!(
                    "Je abonnement is opgezegd: het eindigt op {period_end} en er wordt niets \
                     meer voor afgeschreven."
                ),
                Some(TakeOverWords::EndedNow { refunded }) => format!(
                    "Je abonnement is nu beëindigd en {refunded} voor het ongebruikte deel van \
                     de periode wordt teruggestort op je kaart."
                ),
                Some(TakeOverWords::LeftRunning) | None => format!(
                    "Je abonnement loopt door en wordt op {period_end} verlengd, tenzij je het \
                     opzegt; zeg het alsjeblieft op, want niemand heeft de licenties nog nodig."
                ),
            };
            words(
                format!("De gebruikers van jouw {product} hebben nu centrale licenties"),
                format!("{product} wordt nu centraal geleverd"),
                format!(
                    "{actor} van {organization} heeft de mensen op je selfservice-abonnement op \
                     {product} overgezet naar licenties die de organisatie centraal levert; zij \
                     blijven {product} gebruiken. {what}"
                ),
                "Je abonnement",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_worded_in_both_languages() {
        let values = Values {
            product: "Power BI Pro",
            purchaser: "Megan",
            actor: "Ann",
            organization: "Contoso",
            quantity: 3,
            period_end: "24 December 2026",
            take_over: None,
            previous_quantity: Some(5),
        };
        for template in Template::ALL {
            let english = subscription(template, &values, English);
            let dutch = subscription(template, &values, Dutch);
            for words in [&english, &dutch] {
                assert!(!words.subject.is_empty() && !words.heading.is_empty());
                assert!(!words.intro.is_empty() && !words.link_text.is_empty());
                assert!(!words.intro.contains("  "), "{template:?}: {}", words.intro);
            }
            assert_ne!(english.subject, dutch.subject, "{template:?}");
            assert_ne!(english.intro, dutch.intro, "{template:?}");
            assert_ne!(english.link_text, dutch.link_text, "{template:?}");
        }
    }
}
