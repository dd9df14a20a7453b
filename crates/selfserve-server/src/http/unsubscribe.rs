//! `/unsubscribe`: the link of an admin notice's `List-Unsubscribe`. A POST (the mail
//! provider's one-click, RFC 8058, or the page's button) records the opt-out; a GET only shows
//! a page with that button, because mail scanners follow links. The link's HMAC is the only
//! right it needs (`notifications::unsubscribe`), so it works signed out, from any mailbox: the
//! service turns it into `access::Actor::UnsubscribeLink`, which `access` lets stop that one
//! person's admin notices and nothing else.

use super::AppState;
use super::error::AppError;
use super::extract::ApiQuery;
use crate::services::notices;
use axum::extract::State;
use axum::response::Html;

/// The link's query.
#[derive(Debug, serde::Deserialize)]
pub struct Link {
    /// The recipient's user id.
    u: String,
    /// HMAC-SHA256 of it under the server's key, hex.
    t: String,
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5\">\n<main>\n<h1>{title}</h1>\n\
         {body}\n</main>\n</body>\n</html>\n"
    ))
}

/// `GET /unsubscribe?u=…&t=…`: asks, changes nothing.
pub async fn ask(
    State(state): State<AppState>,
    ApiQuery(link): ApiQuery<Link>,
) -> Result<Html<String>, AppError> {
    notices::link_holder(&state.services, &link.u, &link.t).await?;
    // `u` and `t` passed the HMAC check, so they are an id and hex: nothing to escape.
    Ok(page(
        "Stop admin notices?",
        &format!(
            "<p>You will no longer be mailed about new self-service purchases and trials in \
             your organisation. The admin pages still list them.</p>\n\
             <form method=\"post\" action=\"/unsubscribe?u={}&amp;t={}\">\
             <button type=\"submit\">Stop admin notices</button></form>",
            link.u, link.t
        ),
    ))
}

/// `POST /unsubscribe?u=…&t=…`: records the opt-out (repeating it changes nothing).
pub async fn confirm(
    State(state): State<AppState>,
    ApiQuery(link): ApiQuery<Link>,
) -> Result<Html<String>, AppError> {
    let holder = notices::link_holder(&state.services, &link.u, &link.t).await?;
    notices::stop(&state.services, &holder, &link.u).await?;
    Ok(page(
        "Admin notices stopped",
        "<p>You will no longer be mailed about new self-service purchases and trials.</p>",
    ))
}
