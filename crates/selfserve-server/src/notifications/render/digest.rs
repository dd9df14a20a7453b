//! The daily digest of admin notices: one line per notice, each the subject its own mail would
//! have had (the same words), then a link to the admin pages.

use super::{Rendered, escape};
use crate::notifications::DigestFacts;
use crate::notifications::format::date;
use crate::store::outbox::OutboxMail;

/// Writes a digest: the day, and each notice in the order it happened.
pub(super) fn render(mail: &OutboxMail, digest: &DigestFacts, app_origin: &str) -> Rendered {
    let day = date(digest.day_start, mail.country.as_deref());
    let lines: Vec<String> = digest
        .items
        .iter()
        .map(|item| {
            let single = OutboxMail {
                template: item.template,
                facts: item.facts.clone(),
                ..mail.clone()
            };
            super::render(&single, app_origin).subject
        })
        .collect();
    let count = match lines.len() {
        1 => "1 admin notice".to_owned(),
        n => format!("{n} admin notices"),
    };
    let subject = format!("Daily digest for {day}: {count}");
    let greeting = format!("Hello {},", mail.recipient_name);
    let intro = format!("This is what happened in your organisation on {day}:");
    let link = format!("{app_origin}/admin");
    let link_text = "Self-service purchases in your organisation";
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    for line in &lines {
        text.push_str(&format!("- {line}\n"));
    }
    text.push_str(&format!(
        "\n{link_text}: {link}\n\nYou get one digest a day because you chose it in the admin \
         pages; you can change that there.\n"
    ));
    let items: String = lines
        .iter()
        .map(|line| format!("<li>{}</li>", escape(line)))
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">\n\
         <main>\n<h1 style=\"font-size:1.4em\">{heading}</h1>\n<p>{greeting}</p>\n\
         <p>{intro}</p>\n<ul>{items}</ul>\n\
         <p><a href=\"{href}\">{link_text}</a>: {href}</p>\n\
         <p>You get one digest a day because you chose it in the admin pages; you can change \
         that there.</p>\n</main>\n</body>\n</html>\n",
        title = escape(&subject),
        heading = escape(&format!("Daily digest for {day}")),
        greeting = escape(&greeting),
        intro = escape(&intro),
        href = escape(&link),
        link_text = escape(link_text),
    );
    Rendered {
        subject,
        text,
        html,
        language: "en",
    }
}
