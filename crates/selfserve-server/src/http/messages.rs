//! Every message the server puts in an error envelope, in English and Dutch.
//!
//! A [`Template`] is made only by `messages!`, which takes both texts: a message cannot exist in
//! one language only. Placeholders are named (`{free}`); [`Text::arg`] fills them, and the tests
//! check that both languages of every template name the same ones.

pub mod requests;
pub mod service;
pub mod validation;

use super::language::Language;
use std::fmt::Display;

/// One message in both languages, with `{name}` placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    en: &'static str,
    nl: &'static str,
}

/// A message to render: a template and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    template: Template,
    args: Vec<(&'static str, String)>,
}

impl Template {
    /// The text with placeholders, in `language`.
    pub fn raw(self, language: Language) -> &'static str {
        match language {
            Language::English => self.en,
            Language::Dutch => self.nl,
        }
    }

    /// Fills the placeholder `name`.
    pub fn arg(self, name: &'static str, value: impl Display) -> Text {
        Text::from(self).arg(name, value)
    }
}

impl From<Template> for Text {
    fn from(template: Template) -> Self {
        Self {
            template,
            args: Vec::new(),
        }
    }
}

impl Text {
    /// Fills the placeholder `name`.
    pub fn arg(mut self, name: &'static str, value: impl Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The message in `language`, its placeholders filled. Values are put in once, left to
    /// right, so a value that happens to contain `{x}` is never filled in again.
    pub fn render(&self, language: Language) -> String {
        let mut rest = self.template.raw(language);
        let mut out = String::with_capacity(rest.len() + 16);
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let name = &rest[open + 1..close];
            out.push_str(&rest[..open]);
            match self.args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Declares templates (`NAME => "English", "Dutch";`) and, for the tests, the list of them all.
macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident => $en:literal, $nl:literal;)*) => {
        $($(#[$doc])* pub const $name: super::Template = super::Template { en: $en, nl: $nl };)*

        /// Every template of this module, by name.
        #[cfg(test)]
        pub const ALL: &[(&str, super::Template)] = &[$((stringify!($name), $name)),*];
    };
}
use messages;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        let mut names = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("a closed placeholder");
            names.insert(&rest[open + 1..close]);
            rest = &rest[close + 1..];
        }
        names
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_placeholders() {
        let all = requests::ALL
            .iter()
            .chain(service::ALL)
            .chain(validation::ALL);
        let mut count = 0;
        for (name, template) in all {
            count += 1;
            for language in Language::ALL {
                let text = template.raw(language);
                assert!(!text.trim().is_empty(), "{name} is empty in {language:?}");
                assert!(
                    !text.contains("  "),
                    "{name} has a double space in {language:?}"
                );
            }
            assert_ne!(template.en, template.nl, "{name} is not translated");
            assert_eq!(
                placeholders(template.en),
                placeholders(template.nl),
                "{name} names different placeholders in English and Dutch"
            );
        }
        assert!(count > 100, "only {count} messages were checked");
    }

    #[test]
    fn rendering_fills_each_placeholder_once() {
        let template = Template {
            en: "Only {free} of {all} are free.",
            nl: "Maar {free} van {all} zijn vrij.",
        };
        let text = template.arg("free", "{all}").arg("all", 7);
        assert_eq!(text.render(Language::English), "Only {all} of 7 are free.");
        assert_eq!(text.render(Language::Dutch), "Maar {all} van 7 zijn vrij.");
    }
}
