//! Colleague search: the words a person is found by, and how a query is matched.
//!
//! A user is found by any word of their name, their whole email address, or any dot-, dash- or
//! underscore-separated part of its local part, typed from the start ("meg", "bow", "megan@co").
//! Matching a prefix of stored words is a range scan of an index, so it stays fast in an
//! organisation of 100,000 people.

use std::collections::BTreeSet;

/// The longest query worth matching; longer ones are cut (no word is longer).
pub const MAX_QUERY_CHARS: usize = 64;

/// Lowercased words a user is found by.
pub fn search_terms(name: &str, email: &str) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for word in name.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"')) {
        let word = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !word.is_empty() {
            terms.insert(word);
        }
    }
    let email = email.to_lowercase();
    if let Some((local, _)) = email.split_once('@') {
        for part in local.split(['.', '-', '_', '+']) {
            if !part.is_empty() {
                terms.insert(part.to_owned());
            }
        }
    }
    terms.insert(email);
    terms
}

/// The query as matched: trimmed, lowercased, cut to [`MAX_QUERY_CHARS`]; `None` if empty.
pub fn normalize_query(query: &str) -> Option<String> {
    let query: String = query
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    (!query.is_empty()).then_some(query)
}

/// The exclusive upper bound of the range holding every string that starts with `prefix`
/// (the prefix followed by the largest character).
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_found_by_each_name_and_email_part() {
        let terms = search_terms("Megan Bowen", "Megan.Bowen@Contoso.com");
        for term in ["megan", "bowen", "megan.bowen@contoso.com"] {
            assert!(terms.contains(term), "{term} in {terms:?}");
        }
        let guest = search_terms(
            "Gina Guest (Fabrikam)",
            "gina_fabrikam.nl#ext#@contoso.onmicrosoft.com",
        );
        assert!(guest.contains("fabrikam"));
        assert!(guest.contains("gina"));
        let accented = search_terms("Zoë d'Arc", "zoe@x.fr");
        assert!(accented.contains("zoë") && accented.contains("d'arc"));
    }

    #[test]
    fn queries_are_normalised() {
        assert_eq!(normalize_query("  MeG ").as_deref(), Some("meg"));
        assert_eq!(normalize_query("   "), None);
        assert_eq!(
            normalize_query(&"x".repeat(500)).unwrap().len(),
            MAX_QUERY_CHARS
        );
    }

    #[test]
    fn the_prefix_range_holds_exactly_the_prefixed_words() {
        let upper = prefix_upper_bound("meg");
        let inside = |word: &str| word >= "meg" && word < upper.as_str();
        assert!(inside("meg") && inside("megan") && inside("meg\u{ffff}"));
        assert!(!inside("me") && !inside("mef") && !inside("mei"));
    }
}
