use super::*;

#[test]
fn every_message_has_text_in_every_language() {
    for &msg in Msg::ALL {
        for language in Language::ALL {
            assert!(
                !msg.text(language).trim().is_empty(),
                "{msg:?} in {language:?}"
            );
        }
    }
}

#[test]
fn every_language_has_the_same_placeholders() {
    for &msg in Msg::ALL {
        let english = msg.text(Language::English).matches("{}").count();
        let dutch = msg.text(Language::Dutch).matches("{}").count();
        assert_eq!(english, dutch, "{msg:?}");
    }
}

#[test]
fn dutch_is_not_english_left_untranslated() {
    // Names (products, the app) are the same in both; anything longer was left untranslated.
    let same: Vec<_> = Msg::ALL
        .iter()
        .filter(|m| m.text(Language::English) == m.text(Language::Dutch))
        .filter(|m| m.text(Language::English).len() > 12)
        .collect();
    assert!(same.is_empty(), "untranslated: {same:?}");
}

#[test]
fn every_message_is_used_somewhere_in_the_app() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = String::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("i18n/tests.rs")
            {
                sources.push_str(&std::fs::read_to_string(&path).expect("read source"));
            }
        }
    }
    assert_eq!(Msg::ALL.len(), Msg::NAMES.len());
    let unused: Vec<_> = Msg::NAMES
        .iter()
        .filter(|name| {
            let needle = format!("Msg::{name}");
            // A name that is a prefix of another (`SeatsAdded`, `SeatsAddedOne`) must match
            // as a whole word.
            !sources.match_indices(&needle).any(|(at, _)| {
                !sources[at + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
        .collect();
    assert!(unused.is_empty(), "messages no code uses: {unused:?}");
}

#[test]
fn the_first_spoken_browser_language_wins() {
    assert_eq!(negotiate(["nl-NL", "en-US"]), Language::Dutch);
    assert_eq!(negotiate(["de-DE", "nl-BE", "en"]), Language::Dutch);
    assert_eq!(negotiate(["en-GB", "nl"]), Language::English);
    assert_eq!(negotiate(["fr-FR", "de"]), Language::English);
    assert_eq!(negotiate(["NL"]), Language::Dutch);
    assert_eq!(negotiate([]), Language::English);
    // "nld"/"nn" are not Dutch as the app speaks it: only the exact primary subtag counts.
    assert_eq!(negotiate(["nn-NO", "en"]), Language::English);
}

#[test]
fn languages_round_trip_through_their_codes() {
    for language in Language::ALL {
        assert_eq!(Language::from_tag(language.code()), Some(language));
    }
    assert_eq!(Language::Dutch.locale("NL"), "nl-NL");
    assert_eq!(Language::English.locale("GB"), "en-GB");
}

#[test]
fn counts_choose_their_form() {
    assert_eq!(
        plural(Msg::SeatsAddedOne, Msg::SeatsAdded, 1),
        t(Msg::SeatsAddedOne)
    );
    assert_eq!(
        plural(Msg::SeatsAddedOne, Msg::SeatsAdded, 0),
        t(Msg::SeatsAdded)
    );
    assert_eq!(
        plural(Msg::SeatsAddedOne, Msg::SeatsAdded, 2),
        t(Msg::SeatsAdded)
    );
}

#[test]
fn fill_replaces_placeholders_in_order() {
    assert_eq!(fill("Prices for {}", &["NL"]), "Prices for NL");
    assert_eq!(fill("{} of {}", &["3", "5"]), "3 of 5");
    assert_eq!(fill("{} and {}", &["one"]), "one and ");
    assert_eq!(fill("none", &["x"]), "none");
}
