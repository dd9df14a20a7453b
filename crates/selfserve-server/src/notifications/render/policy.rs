//! The global admins' notice of a changed policy: the product's policy and each limit as it is
//! now, with what it was where it changed; in the recipient's language (a match on the
//! language with no fallback arm).

use super::words::Label;
use super::{Line, Rendered, layout, market};
use crate::domain::price_book;
use crate::http::language::Language::{self, Dutch, English};
use crate::notifications::PolicyFacts;
use crate::notifications::format::money;
use crate::store::outbox::OutboxMail;
use selfserve_api::admin::Policy;

fn policy_words(policy: Policy, language: Language) -> &'static str {
    match (policy, language) {
        (Policy::Enabled, English) => "on (people may buy and start trials)",
        (Policy::Enabled, Dutch) => "aan (mensen kunnen kopen en proefversies starten)",
        (Policy::Disabled, English) => "off",
        (Policy::Disabled, Dutch) => "uit",
        (Policy::OnlyTrialsWithoutPaymentMethod, English) => "trials without a card only",
        (Policy::OnlyTrialsWithoutPaymentMethod, Dutch) => "alleen proefversies zonder kaart",
    }
}

fn no_limit(language: Language) -> &'static str {
    match language {
        English => "no limit",
        Dutch => "geen limiet",
    }
}

/// "now" or "now (was: before)" when it changed.
fn now_and_before(now: String, before: String, language: Language) -> String {
    if now == before {
        return now;
    }
    match language {
        English => format!("{now} (was: {before})"),
        Dutch => format!("{now} (voorheen: {before})"),
    }
}

pub(super) fn render(mail: &OutboxMail, facts: &PolicyFacts, app_origin: &str) -> Rendered {
    let language = mail.language;
    let country = market(mail);
    let product = price_book::entry(facts.product).name;
    let actor = &facts.actor_name;
    let organization = &facts.organization_name;
    let (before, after) = (&facts.before, &facts.after);
    let seats = |limit: Option<selfserve_api::guardrails::SeatLimit>| {
        limit.map_or_else(|| no_limit(language).to_owned(), |l| l.get().to_string())
    };
    let cap = |state: &crate::notifications::PolicyState| {
        state.limits.monthly_cap.map_or_else(
            || no_limit(language).to_owned(),
            |cap| money(cap.get(), state.currency, country),
        )
    };
    let line = |label, now, was| Line {
        label,
        value: now_and_before(now, was, language),
    };
    let lines = [
        line(
            Label::SelfServicePurchase,
            policy_words(after.value, language).to_owned(),
            policy_words(before.value, language).to_owned(),
        ),
        line(
            Label::MaxSeatsPerPurchase,
            seats(after.limits.max_seats_per_purchase),
            seats(before.limits.max_seats_per_purchase),
        ),
        line(
            Label::MaxSeats,
            seats(after.limits.max_seats),
            seats(before.limits.max_seats),
        ),
        line(Label::MonthlyCap, cap(after), cap(before)),
    ];
    let (subject, heading, intro, link_text) = match language {
        English => (
            format!("Self-service policy changed: {product} by {actor}"),
            format!("{actor} changed the self-service policy for {product}"),
            format!(
                "{actor} changed whether and how much of {product} people in {organization} \
                 may buy with self-service. You are told as a global admin; you can review or \
                 change it in the admin pages."
            ),
            "Self-service policies in your organisation",
        ),
        Dutch => (
            format!("Selfservicebeleid gewijzigd: {product} door {actor}"),
            format!("{actor} heeft het selfservicebeleid voor {product} gewijzigd"),
            format!(
                "{actor} heeft gewijzigd of en hoeveel mensen in {organization} {product} via \
                 selfservice kunnen kopen. Je krijgt dit bericht als globale beheerder; op de \
                 beheerpagina's kun je het bekijken of wijzigen."
            ),
            "Selfservicebeleid in je organisatie",
        ),
    };
    layout(
        mail,
        subject,
        &heading,
        &intro,
        &lines,
        link_text,
        &format!("{app_origin}/admin"),
    )
}
