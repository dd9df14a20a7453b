//! The message catalogue: every text the app shows comes from here, so adding a locale means
//! adding one column of texts, not hunting through components. Texts with values use `{}`
//! placeholders filled by [`fill`].

macro_rules! catalogue {
    ($($name:ident => $english:expr,)*) => {
        /// A message of the user interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $(#[allow(missing_docs)] $name,)*
        }

        impl Msg {
            /// Every message, for completeness checks.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];
        }

        /// The text of `msg` in the current locale (English is the only one so far).
        pub fn t(msg: Msg) -> &'static str {
            match msg {
                $(Msg::$name => $english,)*
            }
        }
    };
}

catalogue! {
    AppName => "selfserve",
    SkipToContent => "Skip to main content",
    ProductsHeading => "Buy licences for yourself and your team",
    ProductsIntro =>
        "Pay by card, start right away, and give licences to colleagues in your organisation.",
    PerUserPerMonth => "per user / month",
    PricesExcludeTax => "Prices exclude tax. You see the tax before you pay.",
    PricesFor => "Prices for {}",
    MarketUnavailable =>
        "Self-service purchase isn't available in your country or region yet. \
         Contact your IT admin to get a licence.",
    Loading => "Loading…",
    LoadFailed => "We couldn't load this page.",
    NetworkFailed => "We couldn't reach the server. Check your connection and try again.",
    TryAgain => "Try again",
    NotFoundHeading => "Page not found",
    NotFoundBody => "There is nothing at this address.",
    BackToProducts => "Back to products",
}

/// Replaces each `{}` in `template` with the next value.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push_str(values.next().copied().unwrap_or(""));
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_text() {
        for &msg in Msg::ALL {
            assert!(!t(msg).trim().is_empty(), "{msg:?}");
        }
    }

    #[test]
    fn fill_replaces_placeholders_in_order() {
        assert_eq!(fill("Prices for {}", &["NL"]), "Prices for NL");
        assert_eq!(fill("{} of {}", &["3", "5"]), "3 of 5");
        assert_eq!(fill("{} and {}", &["one"]), "one and ");
        assert_eq!(fill("none", &["x"]), "none");
    }
}
