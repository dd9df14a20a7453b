//! Mails about requests to IT: the admins' notice of a new request, and the requester's
//! answer.

use super::{Line, Rendered, layout};
use crate::domain::price_book;
use crate::notifications::{RequestFacts, Template};
use crate::store::outbox::OutboxMail;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::requests::RequestOutcome;

/// Why the requester could not buy, in words.
fn reason_words(reason: IneligibleReason) -> &'static str {
    match reason {
        IneligibleReason::OrganizationKind => {
            "the organisation's kind (government, nonprofit or education) cannot buy self-service"
        }
        IneligibleReason::UnmanagedOrganization => "the organisation is not managed by IT",
        IneligibleReason::Market => {
            "self-service purchase is not offered in the organisation's country"
        }
        IneligibleReason::PolicyDisabled => "self-service purchase of the product is turned off",
        IneligibleReason::PolicyTrialsOnly => {
            "only trials without a card are allowed for the product"
        }
        IneligibleReason::Guest => "guests cannot buy in this organisation",
        IneligibleReason::CapReached => "a limit set by the admins is reached",
        IneligibleReason::Unknown => "self-service purchase is not possible",
    }
}

/// Writes a mail about a request to IT.
pub(super) fn render(mail: &OutboxMail, facts: &RequestFacts, app_origin: &str) -> Rendered {
    let product = price_book::entry(facts.product).name;
    let reason = Line {
        label: "Why they could not buy it",
        value: reason_words(facts.reason).to_owned(),
    };
    match (mail.template, facts.outcome) {
        (Template::RequestAnswered, Some(outcome)) => {
            let (subject, intro) = match outcome {
                RequestOutcome::Enabled => (
                    format!("You can now buy {product}"),
                    format!(
                        "{} turned self-service purchase of {product} on for {}. You can \
                         buy it in the app now.",
                        facts.actor_name, facts.organization_name
                    ),
                ),
                RequestOutcome::BoughtCentrally => (
                    format!("You can now use {product}"),
                    format!(
                        "{} gave you a {product} licence that {} provides centrally: you can \
                         use it now, there is nothing for you to buy.",
                        facts.actor_name, facts.organization_name
                    ),
                ),
                RequestOutcome::Declined => (
                    format!("Your request for {product} was declined"),
                    format!("{} declined your request for {product}.", facts.actor_name),
                ),
            };
            let mut lines = vec![Line {
                label: "Product",
                value: product.to_owned(),
            }];
            if let Some(message) = &facts.message {
                lines.push(Line {
                    label: "Message from your IT admin",
                    value: message.clone(),
                });
            }
            layout(
                mail,
                subject.clone(),
                &subject,
                &intro,
                &lines,
                "Open the app",
                &format!("{app_origin}/"),
            )
        }
        _ => {
            let subject = format!("Request to IT: {} asks for {product}", facts.requester_name);
            layout(
                mail,
                subject.clone(),
                &subject,
                &format!(
                    "{} ({}) of {} cannot buy {product} with self-service and asks you for it. \
                     You can turn the product on, buy it centrally and assign a licence, or \
                     decline with a message in the admin pages.",
                    facts.requester_name, facts.requester_email, facts.organization_name
                ),
                &[
                    Line {
                        label: "Product",
                        value: product.to_owned(),
                    },
                    reason,
                ],
                "Requests to IT",
                &format!("{app_origin}/admin#requests"),
            )
        }
    }
}
