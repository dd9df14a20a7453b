//! Who sells (issue 13, "Trust"): the deployment's `--seller-name`, `--terms-url` and
//! `--privacy-url`, shown in the app's footer and on invoices. Each is absent unless the
//! deployment names it: nothing is invented in its place.

/// The seller as the deployment names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seller {
    pub name: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
}

/// The longest seller name taken: it fits a footer line and an invoice's heading.
const MAX_NAME: usize = 200;

impl Seller {
    /// From the flags; an error names the flag that is wrong.
    pub fn from_flags(
        name: Option<&str>,
        terms_url: Option<&str>,
        privacy_url: Option<&str>,
    ) -> Result<Self, String> {
        let name = match name.map(str::trim) {
            None => None,
            Some("") => return Err("--seller-name is empty".into()),
            Some(n) if n.chars().count() > MAX_NAME || n.chars().any(char::is_control) => {
                return Err(format!(
                    "--seller-name must be one line of at most {MAX_NAME} characters"
                ));
            }
            Some(n) => Some(n.to_owned()),
        };
        Ok(Self {
            name,
            terms_url: terms_url.map(|u| link("--terms-url", u)).transpose()?,
            privacy_url: privacy_url.map(|u| link("--privacy-url", u)).transpose()?,
        })
    }
}

/// An absolute `https://` (or `http://`) URL: a link readers follow from every page, so never
/// `javascript:` or a relative path.
fn link(flag: &str, text: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(text.trim())
        .map_err(|e| format!("{flag} {text:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" | "http" if url.host_str().is_some() => Ok(url.to_string()),
        _ => Err(format!("{flag} must be an https:// or http:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_flags_name_nothing_and_bad_ones_are_refused() {
        assert_eq!(Seller::from_flags(None, None, None), Ok(Seller::default()));
        let seller = Seller::from_flags(
            Some(" Fabrikam B.V. "),
            Some("https://fabrikam.example/terms"),
            None,
        )
        .unwrap();
        assert_eq!(seller.name.as_deref(), Some("Fabrikam B.V."));
        assert_eq!(
            seller.terms_url.as_deref(),
            Some("https://fabrikam.example/terms")
        );
        assert_eq!(seller.privacy_url, None);
        for (name, terms) in [
            (Some(""), None),
            (Some("a\nb"), None),
            (None, Some("javascript:alert(1)")),
            (None, Some("/terms")),
        ] {
            assert!(
                Seller::from_flags(name, terms, None).is_err(),
                "{name:?} {terms:?}"
            );
        }
    }
}
