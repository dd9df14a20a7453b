//! Mails about requests to IT: the admins' notice of a new request, and the requester's
//! answer; in the recipient's language (a match on the language with no fallback arm).

use super::words::Label;
use super::{Line, Rendered, layout};
use crate::domain::price_book;
use crate::http::language::Language::{self, Dutch, English};
use crate::notifications::{RequestFacts, Template};
use crate::store::outbox::OutboxMail;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::requests::RequestOutcome;

/// Why the requester could not buy, in words.
fn reason_words(reason: IneligibleReason, language: Language) -> &'static str {
    match (reason, language) {
        (IneligibleReason::OrganizationKind, English) => {
            "the organisation's kind (government, nonprofit or education) cannot buy self-service"
        }
        (IneligibleReason::OrganizationKind, Dutch) => {
            "het soort organisatie (overheid, non-profit of onderwijs) kan niet via selfservice kopen"
        }
        (IneligibleReason::UnmanagedOrganization, English) => {
            "the organisation is not managed by IT"
        }
        (IneligibleReason::UnmanagedOrganization, Dutch) => {
            "de organisatie wordt niet door IT beheerd"
        }
        (IneligibleReason::Market, English) => {
            "self-service purchase is not offered in the organisation's country"
        }
        (IneligibleReason::Market, Dutch) => {
            "selfservice-aankoop wordt niet aangeboden in het land van de organisatie"
        }
        (IneligibleReason::PolicyDisabled, English) => {
            "self-service purchase of the product is turned off"
        }
        (IneligibleReason::PolicyDisabled, Dutch) => {
            "selfservice-aankoop van het product is uitgezet"
        }
        (IneligibleReason::PolicyTrialsOnly, English) => {
            "only trials without a card are allowed for the product"
        }
        (IneligibleReason::PolicyTrialsOnly, Dutch) => {
            "voor het product zijn alleen proefversies zonder kaart toegestaan"
        }
        (IneligibleReason::Guest, English) => "guests cannot buy in this organisation",
        (IneligibleReason::Guest, Dutch) => "gasten kunnen in deze organisatie niet kopen",
        (IneligibleReason::CapReached, English) => "a limit set by the admins is reached",
        (IneligibleReason::CapReached, Dutch) => {
            "een limiet die de beheerders hebben ingesteld, is bereikt"
        }
        (IneligibleReason::Unknown, English) => "self-service purchase is not possible",
        (IneligibleReason::Unknown, Dutch) => "selfservice-aankoop is niet mogelijk",
    }
}

/// The answer's subject and introduction.
fn answer(
    outcome: RequestOutcome,
    facts: &RequestFacts,
    product: &str,
    language: Language,
) -> (String, String) {
    let (actor, organization) = (&facts.actor_name, &facts.organization_name);
    match (outcome, language) {
        (RequestOutcome::Enabled, English) => (
            format!("You can now buy {product}"),
            format!(
                "{actor} turned self-service purchase of {product} on for {organization}. You \
                 can buy it in the app now."
            ),
        ),
        (RequestOutcome::Enabled, Dutch) => (
            format!("Je kunt {product} nu kopen"),
            format!(
                "{actor} heeft selfservice-aankoop van {product} aangezet voor \
                 {organization}. Je kunt het nu in de app kopen."
            ),
        ),
        (RequestOutcome::BoughtCentrally, English) => (
            format!("You can now use {product}"),
            format!(
                "{actor} gave you a {product} licence that {organization} provides centrally: \
                 you can use it now, there is nothing for you to buy."
            ),
        ),
        (RequestOutcome::BoughtCentrally, Dutch) => (
            format!("Je kunt {product} nu gebruiken"),
            format!(
                "{actor} heeft je een licentie voor {product} gegeven die {organization} centraal \
                 levert: je kunt het nu gebruiken en hoeft zelf niets te kopen."
            ),
        ),
        (RequestOutcome::Declined, English) => (
            format!("Your request for {product} was declined"),
            format!("{actor} declined your request for {product}."),
        ),
        (RequestOutcome::Declined, Dutch) => (
            format!("Je verzoek om {product} is afgewezen"),
            format!("{actor} heeft je verzoek om {product} afgewezen."),
        ),
    }
}

/// Writes a mail about a request to IT.
pub(super) fn render(mail: &OutboxMail, facts: &RequestFacts, app_origin: &str) -> Rendered {
    let language = mail.language;
    let product = price_book::entry(facts.product).name;
    let product_line = Line {
        label: Label::Product,
        value: product.to_owned(),
    };
    match (mail.template, facts.outcome) {
        (Template::RequestAnswered, Some(outcome)) => {
            let (subject, intro) = answer(outcome, facts, product, language);
            let mut lines = vec![product_line];
            if let Some(message) = &facts.message {
                lines.push(Line {
                    label: Label::MessageFromYourItAdmin,
                    value: message.clone(),
                });
            }
            let link_text = match language {
                English => "Open the app",
                Dutch => "Open de app",
            };
            layout(
                mail,
                subject.clone(),
                &subject,
                &intro,
                &lines,
                link_text,
                &format!("{app_origin}/"),
            )
        }
        _ => {
            let (requester, email, organization) = (
                &facts.requester_name,
                &facts.requester_email,
                &facts.organization_name,
            );
            let (subject, intro, link_text) = match language {
                English => (
                    format!("Request to IT: {requester} asks for {product}"),
                    format!(
                        "{requester} ({email}) of {organization} cannot buy {product} with \
                         self-service and asks you for it. You can turn the product on, buy it \
                         centrally and assign a licence, or decline with a message in the admin \
                         pages."
                    ),
                    "Requests to IT",
                ),
                Dutch => (
                    format!("Verzoek aan IT: {requester} vraagt om {product}"),
                    format!(
                        "{requester} ({email}) van {organization} kan {product} niet via \
                         selfservice kopen en vraagt het aan jou. Op de beheerpagina's kun je \
                         selfservice-aankoop van het product aanzetten, het centraal kopen en een \
                         licentie toewijzen, of het verzoek met een bericht afwijzen."
                    ),
                    "Verzoeken aan IT",
                ),
            };
            let reason = Line {
                label: Label::WhyTheyCouldNotBuy,
                value: reason_words(facts.reason, language).to_owned(),
            };
            layout(
                mail,
                subject.clone(),
                &subject,
                &intro,
                &[product_line, reason],
                link_text,
                &format!("{app_origin}/admin#requests"),
            )
        }
    }
}
