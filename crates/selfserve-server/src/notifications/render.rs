//! What each mail says: a subject, a plain-text body and the same in simple, accessible HTML
//! (a `lang`, one heading, a table with headers, links written out), in the recipient's
//! language (`users.language`, English while not known).

mod changes;
mod digest;
mod policy;
mod requests;
mod words;

use super::format::{date, money};
use super::{MailFacts, TakeOverOutcome, Template};
use crate::domain::price_book;
use crate::http::language::Language;
use crate::store::outbox::OutboxMail;
use selfserve_api::money::Currency;
use words::{Label, TakeOverWords, Values};

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
    label: Label,
    value: String,
}

/// Writes `mail` for its recipient, in their language; links point into the app at
/// `app_origin`.
pub fn render(mail: &OutboxMail, app_origin: &str) -> Rendered {
    let facts = match &mail.facts {
        MailFacts::Subscription(facts) => facts,
        MailFacts::Request(request) => return requests::render(mail, request, app_origin),
        MailFacts::Policy(policy) => return policy::render(mail, policy, app_origin),
        MailFacts::Digest(digest) => return digest::render(mail, digest, app_origin),
    };
    let language = mail.language;
    let country = market(mail);
    let product = price_book::entry(facts.product).name;
    let period = format!(
        "{} – {}",
        date(facts.period_start, country, language),
        date(facts.period_end, country, language)
    );
    let amount = |minor: i64| match Currency::parse(&facts.currency) {
        Ok(currency) => money(minor, currency, country),
        Err(_) => format!("{minor} {}", facts.currency),
    };
    let period_end = date(facts.period_end, country, language);
    let refunded = match facts.take_over {
        Some(TakeOverOutcome::EndedNow { refunded }) => amount(refunded),
        _ => String::new(),
    };
    let take_over = facts.take_over.map(|outcome| match outcome {
        // A take-over that left the subscription running asked for its cancellation.
        TakeOverOutcome::LeftRunning => TakeOverWords::LeftRunning,
        TakeOverOutcome::EndsAtPeriodEnd => TakeOverWords::EndsAtPeriodEnd,
        TakeOverOutcome::EndedNow { .. } => TakeOverWords::EndedNow {
            refunded: &refunded,
        },
    });
    let words = words::subscription(
        mail.template,
        &Values {
            product,
            purchaser: &facts.purchaser_name,
            actor: &facts.actor_name,
            organization: &facts.organization_name,
            quantity: facts.quantity,
            period_end: &period_end,
            take_over,
            previous_quantity: facts.previous_quantity,
        },
        language,
    );
    let line = |label, value: String| Line { label, value };
    let subscription_link = format!("{app_origin}/manage/{}", facts.subscription_id);
    let admin_link = format!("{app_origin}/admin");
    let (lines, link) = match mail.template {
        Template::Receipt => {
            let mut lines = vec![
                line(Label::Product, product.to_owned()),
                line(Label::Seats, facts.quantity.to_string()),
            ];
            if let Some(total) = facts.total {
                lines.push(line(Label::TotalPaid, amount(total)));
            }
            lines.push(line(Label::Period, period));
            (lines, subscription_link)
        }
        Template::AdminPurchase => (
            vec![
                line(Label::Seats, facts.quantity.to_string()),
                line(
                    Label::TotalPaid,
                    facts.total.map_or_else(|| "—".to_owned(), amount),
                ),
                line(Label::Period, period),
            ],
            admin_link,
        ),
        Template::AdminTrial => (
            vec![
                line(Label::Seats, facts.quantity.to_string()),
                line(Label::Trial, period),
            ],
            admin_link,
        ),
        Template::LicenceAssigned => (
            vec![line(Label::Product, product.to_owned())],
            format!("{app_origin}/"),
        ),
        Template::PaymentFailed | Template::Suspended => {
            (vec![line(Label::Period, period)], subscription_link)
        }
        Template::CancellationRequested => (
            vec![line(Label::CurrentPeriodEnds, period_end.clone())],
            subscription_link,
        ),
        // The outbox reads these templates' facts as a request's (`Template::about_a_request`),
        // so they are rendered above.
        Template::AdminRequest
        | Template::RequestAnswered
        | Template::AdminDigest
        | Template::AdminPolicyChanged => (Vec::new(), format!("{app_origin}/")),
        Template::RenewalReceipt | Template::SeatsAddedReceipt => {
            let mut lines = vec![
                line(Label::Product, product.to_owned()),
                line(Label::Seats, facts.quantity.to_string()),
            ];
            if let Some(total) = facts.total {
                lines.push(line(Label::TotalPaid, amount(total)));
            }
            lines.push(line(Label::Period, period));
            (lines, subscription_link)
        }
        Template::SeatsDecreaseScheduled | Template::CancellationUndone => (
            vec![
                line(Label::RenewsOn, period_end.clone()),
                line(Label::Seats, facts.quantity.to_string()),
            ],
            subscription_link,
        ),
        Template::Cancelled => (
            vec![line(Label::EndsOn, period_end.clone())],
            subscription_link,
        ),
        Template::LicenceRemoved => (
            vec![line(Label::Product, product.to_owned())],
            format!("{app_origin}/"),
        ),
        Template::RenewalUpcoming => {
            let mut lines = vec![
                line(Label::RenewsOn, period_end.clone()),
                line(Label::Seats, facts.quantity.to_string()),
            ];
            if let Some(total) = facts.total {
                lines.push(line(Label::AmountToBeCharged, amount(total)));
            }
            (lines, subscription_link)
        }
        Template::TrialEnding => (vec![line(Label::Trial, period)], subscription_link),
        Template::TakenOver => (
            vec![line(Label::Seats, facts.quantity.to_string())],
            subscription_link,
        ),
    };
    // A receipt also links the printable invoice, first: it is what a receipt is for.
    let invoice_link = match (mail.template, &facts.invoice_id) {
        (
            Template::Receipt | Template::RenewalReceipt | Template::SeatsAddedReceipt,
            Some(invoice),
        ) => Some(format!("{app_origin}/invoices/{invoice}")),
        _ => None,
    };
    let mut links = Vec::new();
    if let Some(invoice_link) = &invoice_link {
        links.push((words::invoice_link_text(language), invoice_link.as_str()));
    }
    links.push((words.link_text, link.as_str()));
    layout_links(
        mail,
        words.subject,
        &words.heading,
        &words.intro,
        &lines,
        &links,
    )
}

/// Whose conventions amounts and dates follow: the organisation's market, or the Netherlands
/// for a mail in Dutch (nl-NL, as the app's `Intl` writes them in Dutch).
fn market(mail: &OutboxMail) -> Option<&str> {
    match mail.language {
        Language::English => mail.country.as_deref(),
        Language::Dutch => Some("NL"),
    }
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
    layout_links(mail, subject, heading, intro, lines, &[(link_text, link)])
}

/// [`layout`] with several links, each `(text, href)`, in this order.
fn layout_links(
    mail: &OutboxMail,
    subject: String,
    heading: &str,
    intro: &str,
    lines: &[Line],
    links: &[(&str, &str)],
) -> Rendered {
    let language = mail.language;
    let greeting = words::greeting(&mail.recipient_name, language);
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    for line in lines {
        text.push_str(&format!("{}: {}\n", line.label.text(language), line.value));
    }
    text.push('\n');
    for (link_text, link) in links {
        text.push_str(&format!("{link_text}: {link}\n"));
    }
    let rows: String = lines
        .iter()
        .map(|line| {
            format!(
                "<tr><th scope=\"row\" style=\"text-align:left;padding-right:1em\">{}</th>\
                 <td>{}</td></tr>",
                escape(line.label.text(language)),
                escape(&line.value)
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">\n\
         <main>\n<h1 style=\"font-size:1.4em\">{heading}</h1>\n<p>{greeting}</p>\n\
         <p>{intro}</p>\n<table>{rows}</table>\n\
         {links}</main>\n</body>\n</html>\n",
        lang = language.as_str(),
        title = escape(&subject),
        heading = escape(heading),
        greeting = escape(&greeting),
        intro = escape(intro),
        links = links
            .iter()
            .map(|(text, href)| {
                format!(
                    "<p><a href=\"{href}\">{text}</a>: {href}</p>\n",
                    href = escape(href),
                    text = escape(text)
                )
            })
            .collect::<String>(),
    );
    Rendered {
        subject,
        text,
        html,
        language: language.as_str(),
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
            language: Language::English,
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
                take_over: None,
                invoice_id: Some("in_1".into()),
                previous_quantity: None,
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
        assert!(
            mail.html
                .contains("<a href=\"https://shop.example/invoices/in_1\">")
        );
        assert!(mail.html.contains("<html lang=\"en\">"));
        assert!(mail.html.contains("Ann &lt;script&gt;"));
        assert!(!mail.html.contains("<script>"));
    }
}
