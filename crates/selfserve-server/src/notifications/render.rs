//! What each mail says: a subject, a plain-text body and the same in simple, accessible HTML
//! (a `lang`, one heading, a table with headers, links written out). English only until the
//! app has another language.

mod digest;
mod requests;

use super::format::{date, money};
use super::{MailFacts, Template};
use crate::domain::price_book;
use crate::store::outbox::OutboxMail;
use selfserve_api::money::Currency;

/// A mail ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The language of both bodies (`Content-Language`).
    pub language: &'static str,
}

/// One line of a mail's summary.
struct Line {
    label: &'static str,
    value: String,
}

/// Writes `mail` for its recipient; links point into the app at `app_origin`.
pub fn render(mail: &OutboxMail, app_origin: &str) -> Rendered {
    let facts = match &mail.facts {
        MailFacts::Subscription(facts) => facts,
        MailFacts::Request(request) => return requests::render(mail, request, app_origin),
        MailFacts::Digest(digest) => return digest::render(mail, digest, app_origin),
    };
    let country = mail.country.as_deref();
    let product = price_book::entry(facts.product).name;
    let period = format!(
        "{} – {}",
        date(facts.period_start, country),
        date(facts.period_end, country)
    );
    let amount = |minor: i64| match Currency::parse(&facts.currency) {
        Ok(currency) => money(minor, currency, country),
        Err(_) => format!("{minor} {}", facts.currency),
    };
    let subscription_link = format!("{app_origin}/manage/{}", facts.subscription_id);
    let seats = |n: i64| {
        if n == 1 {
            "1 seat".to_owned()
        } else {
            format!("{n} seats")
        }
    };
    let (subject, heading, intro, lines, link_text, link) = match mail.template {
        Template::Receipt => {
            let mut lines = vec![
                Line {
                    label: "Product",
                    value: product.to_owned(),
                },
                Line {
                    label: "Seats",
                    value: facts.quantity.to_string(),
                },
            ];
            if let Some(total) = facts.total {
                lines.push(Line {
                    label: "Total paid",
                    value: amount(total),
                });
            }
            lines.push(Line {
                label: "Period",
                value: period,
            });
            (
                format!("Your receipt: {product}, {}", seats(facts.quantity)),
                format!("Thank you for buying {product}"),
                format!(
                    "Your subscription for {} is active. You can assign its licences to \
                     colleagues, change seats and see your bills in the app.",
                    facts.organization_name
                ),
                lines,
                "Your subscription and bills",
                subscription_link,
            )
        }
        Template::AdminPurchase => (
            format!(
                "New self-service purchase: {product} by {}",
                facts.purchaser_name
            ),
            format!("{} bought {product}", facts.purchaser_name),
            format!(
                "{} bought {product} with self-service for {}. You can see it, take it over \
                 or change the product's policy in the admin pages.",
                facts.purchaser_name, facts.organization_name
            ),
            vec![
                Line {
                    label: "Seats",
                    value: facts.quantity.to_string(),
                },
                Line {
                    label: "Total paid",
                    value: facts.total.map_or_else(|| "—".to_owned(), amount),
                },
                Line {
                    label: "Period",
                    value: period,
                },
            ],
            "Self-service purchases in your organisation",
            format!("{app_origin}/admin"),
        ),
        Template::AdminTrial => (
            format!(
                "New self-service trial: {product} by {}",
                facts.purchaser_name
            ),
            format!("{} started a trial of {product}", facts.purchaser_name),
            format!(
                "{} started a free trial of {product} for {}. It ends on {} unless it is \
                 bought.",
                facts.purchaser_name,
                facts.organization_name,
                date(facts.period_end, country)
            ),
            vec![
                Line {
                    label: "Seats",
                    value: facts.quantity.to_string(),
                },
                Line {
                    label: "Trial",
                    value: period,
                },
            ],
            "Self-service purchases in your organisation",
            format!("{app_origin}/admin"),
        ),
        Template::LicenceAssigned => (
            format!("You can now use {product}"),
            format!("You can now use {product}"),
            format!(
                "{} gave you a {product} licence from {}'s subscription.",
                facts.actor_name, facts.purchaser_name
            ),
            vec![Line {
                label: "Product",
                value: product.to_owned(),
            }],
            "Open the app",
            format!("{app_origin}/"),
        ),
        Template::PaymentFailed => (
            format!("Payment failed: {product}"),
            format!("We could not charge your card for {product}"),
            format!(
                "The renewal of your {product} subscription could not be paid, so it is past \
                 due. Pay the open bill (with this card or another) to keep your {} licensed: \
                 a subscription left unpaid for 30 days is suspended.",
                seats(facts.quantity)
            ),
            vec![Line {
                label: "Period",
                value: period,
            }],
            "Pay the bill",
            subscription_link,
        ),
        Template::CancellationRequested => (
            format!("Your IT admin asks you to cancel {product}"),
            format!("Please cancel {product}"),
            format!(
                "{} of {} asks you to cancel your self-service {product} subscription, \
                 usually because the organisation provides it centrally.",
                facts.actor_name, facts.organization_name
            ),
            vec![Line {
                label: "Current period ends",
                value: date(facts.period_end, country),
            }],
            "Your subscription",
            subscription_link,
        ),
        // The outbox reads these templates' facts as a request's (`Template::about_a_request`),
        // so they are rendered above; were that ever broken, the mail still says nothing false.
        Template::AdminRequest | Template::RequestAnswered | Template::AdminDigest => (
            format!("About {product}"),
            format!("About {product}"),
            format!(
                "There is news about {product} for {}.",
                facts.organization_name
            ),
            Vec::new(),
            "Open the app",
            format!("{app_origin}/"),
        ),
        Template::RenewalUpcoming => {
            let renews_on = date(facts.period_end, country);
            let mut lines = vec![
                Line {
                    label: "Renews on",
                    value: renews_on.clone(),
                },
                Line {
                    label: "Seats",
                    value: facts.quantity.to_string(),
                },
            ];
            if let Some(total) = facts.total {
                lines.push(Line {
                    label: "Amount to be charged",
                    value: amount(total),
                });
            }
            (
                format!("{product} renews on {renews_on}"),
                format!("Your {product} subscription renews in 7 days"),
                format!(
                    "On {renews_on} your {product} subscription renews and the card on file is \
                     charged. To change seats or cancel, open your subscription before then."
                ),
                lines,
                "Your subscription",
                subscription_link,
            )
        }
        Template::TrialEnding => {
            let ends_on = date(facts.period_end, country);
            (
                format!("Your {product} trial ends on {ends_on}"),
                format!("Your {product} trial ends soon"),
                format!(
                    "Your free trial of {product} ends on {ends_on}; its {} will stop working \
                     then. Buy it to keep using it.",
                    seats(facts.quantity)
                ),
                vec![Line {
                    label: "Trial",
                    value: period,
                }],
                "Buy it or see your trial",
                subscription_link,
            )
        }
        Template::Suspended => (
            format!("Suspended: {product}"),
            format!("Your {product} subscription is suspended"),
            format!(
                "The bill for your {product} subscription stayed unpaid for 30 days, so its \
                 {} are suspended. Pay the open bill to use them again.",
                seats(facts.quantity)
            ),
            vec![Line {
                label: "Period",
                value: period,
            }],
            "Pay the bill",
            subscription_link,
        ),
    };
    layout(mail, subject, &heading, &intro, &lines, link_text, &link)
}

/// The one layout of every mail: greeting, intro, a table of lines and one link.
fn layout(
    mail: &OutboxMail,
    subject: String,
    heading: &str,
    intro: &str,
    lines: &[Line],
    link_text: &str,
    link: &str,
) -> Rendered {
    let greeting = format!("Hello {},", mail.recipient_name);
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    for line in lines {
        text.push_str(&format!("{}: {}\n", line.label, line.value));
    }
    text.push_str(&format!("\n{link_text}: {link}\n"));
    let rows: String = lines
        .iter()
        .map(|line| {
            format!(
                "<tr><th scope=\"row\" style=\"text-align:left;padding-right:1em\">{}</th>\
                 <td>{}</td></tr>",
                escape(line.label),
                escape(&line.value)
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">\n\
         <main>\n<h1 style=\"font-size:1.4em\">{heading}</h1>\n<p>{greeting}</p>\n\
         <p>{intro}</p>\n<table>{rows}</table>\n\
         <p><a href=\"{href}\">{link_text}</a>: {href}</p>\n</main>\n</body>\n</html>\n",
        title = escape(&subject),
        heading = escape(heading),
        greeting = escape(&greeting),
        intro = escape(intro),
        href = escape(link),
        link_text = escape(link_text),
    );
    Rendered {
        subject,
        text,
        html,
        language: "en",
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::Facts;
    use selfserve_api::product::ProductId;

    #[test]
    fn a_receipt_names_the_total_and_escapes_names_in_html() {
        let mail = OutboxMail {
            id: "msg_1".into(),
            template: Template::Receipt,
            recipient_id: "usr_1".into(),
            recipient_email: "a@example.com".into(),
            recipient_name: "Ann <script>".into(),
            country: Some("NL".into()),
            facts: MailFacts::Subscription(Facts {
                organization_name: "Contoso".into(),
                actor_name: "Ann".into(),
                product: ProductId::PowerBiPro,
                subscription_id: "sub_1".into(),
                purchaser_name: "Ann".into(),
                quantity: 3,
                total: Some(123_450),
                currency: "eur".into(),
                period_start: 0,
                period_end: 86_400 * 31,
            }),
            attempts: 0,
        };
        let mail = render(&mail, "https://shop.example");
        assert_eq!(mail.subject, "Your receipt: Power BI Pro, 3 seats");
        assert!(
            mail.text.contains("Total paid: €\u{a0}1.234,50"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("https://shop.example/manage/sub_1"));
        assert!(mail.html.contains("<html lang=\"en\">"));
        assert!(mail.html.contains("Ann &lt;script&gt;"));
        assert!(!mail.html.contains("<script>"));
    }
}
