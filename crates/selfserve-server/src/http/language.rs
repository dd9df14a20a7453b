//! The language of a request's error messages, negotiated once from `Accept-Language`.
//!
//! The middleware [`negotiate`] reads the header before any handler runs and keeps the answer
//! for the rest of the request in a task-local, so that every `AppError` — however deep it was
//! made, and axum's own rejections wrapped in the envelope — renders its message in it without
//! every function carrying a language.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// The languages the server writes messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English, the fallback.
    English,
    /// Dutch (nl, nl-NL, nl-BE).
    Dutch,
}

tokio::task_local! {
    /// The request's language, and whether the request named any (`Accept-Language` sent).
    static CURRENT: (Language, bool);
}

impl Language {
    /// Every language, for tests that check each message in each.
    pub const ALL: [Language; 2] = [Language::English, Language::Dutch];

    /// The language negotiated for the request being served. Outside a request (the command
    /// line, background tasks) nobody asked for one: English.
    pub fn current() -> Language {
        CURRENT.try_with(|(l, _)| *l).unwrap_or(Language::English)
    }

    /// The language the request being served asked for; `None` when it sent no
    /// `Accept-Language` (a script, not a person's browser: it says nothing about them).
    pub fn asked() -> Option<Language> {
        CURRENT
            .try_with(|(l, asked)| asked.then_some(*l))
            .ok()
            .flatten()
    }

    /// Runs `work` as if a request had asked for this language (tests, and the middleware).
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        CURRENT.scope((self, true), work).await
    }

    /// The stored text (`users.language`).
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Dutch => "nl",
        }
    }

    /// Reads a stored text back.
    pub fn from_stored(text: &str) -> Option<Language> {
        match text {
            "en" => Some(Language::English),
            "nl" => Some(Language::Dutch),
            _ => None,
        }
    }

    /// Picks a language from an `Accept-Language` value (RFC 9110 §12.5.4): of the languages
    /// we have, the one the client weighs highest (its `q`), the earlier one on a tie; `*`
    /// weighs every language the list does not name. Nothing we have, or a header we cannot
    /// read: English.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        let Some(header) = header else {
            return Language::English;
        };
        // (weight, position) of the best entry naming each language, and of `*`.
        let mut dutch: Option<(u16, usize)> = None;
        let mut english: Option<(u16, usize)> = None;
        let mut any: Option<(u16, usize)> = None;
        for (position, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let Some(weight) = weight(parts) else {
                continue;
            };
            let primary = tag.split('-').next().unwrap_or_default();
            let slot = match primary {
                "nl" => &mut dutch,
                "en" => &mut english,
                "*" => &mut any,
                _ => continue,
            };
            if slot.is_none_or(|(best, _)| weight > best) {
                *slot = Some((weight, position));
            }
        }
        let dutch = dutch.or(any).filter(|(weight, _)| *weight > 0);
        let english = english.or(any);
        match (dutch, english) {
            (Some((nl, nl_at)), Some((en, en_at))) if nl > en || (nl == en && nl_at < en_at) => {
                Language::Dutch
            }
            (Some(_), None) => Language::Dutch,
            _ => Language::English,
        }
    }
}

/// The entry's `q` in thousandths: 1000 when absent, `None` when malformed (the entry is
/// ignored rather than guessed at).
fn weight<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    let mut weight = 1000;
    for param in params {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value: f64 = value.trim().parse().ok()?;
        if !(0.0..=1.0).contains(&value) {
            return None;
        }
        weight = (value * 1000.0).round() as u16;
    }
    Some(weight)
}

/// Negotiates the request's language once and serves the request in it.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let header = request.headers().get(header::ACCEPT_LANGUAGE);
    let asked = header.is_some();
    let language = Language::from_accept_language(header.and_then(|v| v.to_str().ok()));
    CURRENT.scope((language, asked), next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::Language::{Dutch, English};
    use super::*;

    fn pick(header: &str) -> Language {
        Language::from_accept_language(Some(header))
    }

    #[test]
    fn dutch_when_asked_for_first_or_weighed_highest() {
        assert_eq!(pick("nl"), Dutch);
        assert_eq!(pick("nl-NL"), Dutch);
        assert_eq!(pick("NL-be"), Dutch);
        assert_eq!(pick("nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7"), Dutch);
        assert_eq!(pick("en;q=0.5, nl;q=0.8"), Dutch);
        assert_eq!(pick("nl, en"), Dutch);
        // German first, then Dutch: of what we have, Dutch is preferred.
        assert_eq!(pick("de-DE, nl;q=0.9"), Dutch);
        assert_eq!(pick("de, *;q=0.5"), English);
    }

    #[test]
    fn english_for_everything_else() {
        assert_eq!(Language::from_accept_language(None), English);
        assert_eq!(pick(""), English);
        assert_eq!(pick("en"), English);
        assert_eq!(pick("de"), English);
        assert_eq!(pick("fr-FR, de;q=0.8"), English);
        assert_eq!(pick("en, nl"), English);
        assert_eq!(pick("en;q=0.9, nl;q=0.8"), English);
        assert_eq!(pick("nl;q=0, en;q=0.1"), English);
        assert_eq!(pick("nl;q=0"), English);
        assert_eq!(pick("*"), English);
        assert_eq!(pick("nlx"), English);
    }

    #[test]
    fn garbage_is_english_and_malformed_entries_are_ignored() {
        assert_eq!(pick(";;;,,,"), English);
        assert_eq!(pick("nl;q=abc"), English);
        assert_eq!(pick("nl;q=2"), English);
        assert_eq!(pick("nl;q"), English);
        assert_eq!(pick("nl;q=abc, en;q=0.1"), English);
        assert_eq!(pick("en;q=abc, nl;q=0.1"), Dutch);
    }
}
