//! The daily digest of admin notices: one line per notice, each the subject its own mail would
//! have had (the same words), then a link to the admin pages.

use super::{Rendered, escape, market};
use crate::http::language::Language::{Dutch, English};
use crate::notifications::DigestFacts;
use crate::notifications::format::date;
use crate::store::outbox::OutboxMail;

/// Writes a digest: the day, and each notice in the order it happened.
pub(super) fn render(mail: &OutboxMail, digest: &DigestFacts, app_origin: &str) -> Rendered {
    let language = mail.language;
    let day = date(digest.day_start, market(mail), language);
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
    let count = match (language, lines.len()) {
        (English, 1) => "1 admin notice".to_owned(),
        (English, n) => format!("{n} admin notices"),
        (Dutch, 1) => "1 beheerdersmelding".to_owned(),
        (Dutch, n) => format!("{n} beheerdersmeldingen"),
    };
    let (subject, heading, intro, link_text, why) = match language {
        English => (
            format!("Daily digest for {day}: {count}"),
            format!("Daily digest for {day}"),
            format!("This is what happened in your organisation on {day}:"),
            "Self-service purchases in your organisation",
            "You get one digest a day because you chose it in the admin pages; you can change \
             that there.",
        ),
        Dutch => (
            format!("Dagoverzicht van {day}: {count}"),
            format!("Dagoverzicht van {day}"),
            format!("Dit is er op {day} in je organisatie gebeurd:"),
            "Selfservice-aankopen in je organisatie",
            "Je krijgt één overzicht per dag omdat je dat in de beheerpagina's hebt gekozen; daar \
             kun je het wijzigen.",
        ),
    };
    let greeting = super::words::greeting(&mail.recipient_name, language);
    let link = format!("{app_origin}/admin");
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    for line in &lines {
        text.push_str(&format!("- {line}\n"));
    }
    text.push_str(&format!("\n{link_text}: {link}\n\n{why}\n"));
    let items: String = lines
        .iter()
        .map(|line| format!("<li>{}</li>", escape(line)))
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">\n\
         <main>\n<h1 style=\"font-size:1.4em\">{heading}</h1>\n<p>{greeting}</p>\n\
         <p>{intro}</p>\n<ul>{items}</ul>\n\
         <p><a href=\"{href}\">{link_text}</a>: {href}</p>\n\
         <p>{why}</p>\n</main>\n</body>\n</html>\n",
        lang = language.as_str(),
        why = escape(why),
        title = escape(&subject),
        heading = escape(&heading),
        greeting = escape(&greeting),
        intro = escape(&intro),
        href = escape(&link),
        link_text = escape(link_text),
    );
    Rendered {
        subject,
        text,
        html,
        language: language.as_str(),
    }
}
