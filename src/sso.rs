//! Sign-in at the organisation's identity provider, as the app sees it: the browser leaves
//! for `GET /api/v1/sso/start` and comes back to `return_to` signed in. A failed sign-in comes
//! back to `/?sso_error=CODE` (the server may no longer know where the person was), so before
//! leaving the app keeps in `sessionStorage` where to show the failure: the step or page the
//! person started from. The pure parts are tested natively.

use crate::i18n::Msg;

/// The `sessionStorage` key of the path a failed sign-in resumes at.
const RESUME_KEY: &str = "selfserve.sso.resume";

/// The query parameter the server sends a failure in.
pub const ERROR_PARAM: &str = "sso_error";

/// Why a sign-in at the provider failed, from the server's `sso_error` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoError {
    /// `invalid_state`: the sign-in expired, was used already, or began in another browser.
    Expired,
    /// `provider_error`: the person cancelled at the provider, or it refused.
    Cancelled,
    /// `provider_unavailable`: the provider could not be reached.
    ProviderUnavailable,
    /// `code_rejected` or `invalid_id_token`: what the provider answered could not be trusted.
    Untrusted,
    /// `email_not_verified`: the provider has not verified the account's email.
    EmailNotVerified,
    /// `email_outside_organization`: the account is not of this organisation.
    OutsideOrganization,
    /// `account_disabled`: the account is disabled or has left.
    AccountDisabled,
    /// `sso_not_configured`: the organisation signs in with passwords.
    NotConfigured,
    /// `invalid_request`, `internal`, or a code this app does not know.
    Other,
}

impl SsoError {
    /// The failure a server's code names.
    pub fn from_code(code: &str) -> Self {
        match code {
            "invalid_state" => Self::Expired,
            "provider_error" => Self::Cancelled,
            "provider_unavailable" => Self::ProviderUnavailable,
            "code_rejected" | "invalid_id_token" => Self::Untrusted,
            "email_not_verified" => Self::EmailNotVerified,
            "email_outside_organization" => Self::OutsideOrganization,
            "account_disabled" => Self::AccountDisabled,
            "sso_not_configured" => Self::NotConfigured,
            _ => Self::Other,
        }
    }

    /// What to tell the person.
    pub fn message(self) -> Msg {
        match self {
            Self::Expired => Msg::SsoErrorExpired,
            Self::Cancelled => Msg::SsoErrorCancelled,
            Self::ProviderUnavailable => Msg::SsoErrorUnavailable,
            Self::Untrusted => Msg::SsoErrorUntrusted,
            Self::EmailNotVerified => Msg::SsoErrorEmailNotVerified,
            Self::OutsideOrganization => Msg::SsoErrorOutsideOrganization,
            Self::AccountDisabled => Msg::SsoErrorAccountDisabled,
            Self::NotConfigured => Msg::SsoErrorNotConfigured,
            Self::Other => Msg::SsoErrorOther,
        }
    }
}

/// `path` with `sso_error=code` added to its query (`code` is snake_case, see
/// [`after_failure`]).
fn with_error(path: &str, code: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{ERROR_PARAM}={code}")
}

/// `path` without the `sso_error` parameter (what to resume at, so an old failure is not
/// shown again after the next attempt).
pub fn without_error(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(ERROR_PARAM))
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// Where a browser that came back to `path` with `search` (`?…` or empty) should be: a failure
/// that came back to `/` goes to the page the sign-in started from (`resume`), with the code.
/// `None`: stay.
pub fn after_failure(path: &str, search: &str, resume: Option<&str>) -> Option<String> {
    if path != "/" {
        return None;
    }
    let code = search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == ERROR_PARAM)
        .map(|(_, value)| value)?;
    let resume = resume.filter(|r| r.starts_with('/') && !r.starts_with("//") && *r != "/")?;
    // Codes are snake_case words; anything else is not the server's and is not carried.
    let code = if code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        code
    } else {
        "invalid_request"
    };
    Some(with_error(resume, code))
}

/// Leaves for the organisation's sign-in page; a failure will be shown at `resume`.
pub fn start(email: &str, return_to: &str, resume: &str) {
    crate::storage::save(RESUME_KEY, &without_error(resume));
    if let Some(window) = web_sys::window() {
        let _ = window
            .location()
            .assign(&crate::api::sso_start_url(email, return_to));
    }
}

/// At start-up, before the router reads the address: a failure that came back to `/` is moved
/// to the page its sign-in started from (the history entry is replaced, not added).
pub fn resume_after_failure() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    let resume: Option<String> = crate::storage::load(RESUME_KEY);
    if let Some(target) = after_failure(&path, &search, resume.as_deref()) {
        crate::storage::remove(RESUME_KEY);
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
        }
    }
}

/// The address the router is at, from its parts: it keeps the query without its `?` (and the
/// fragment with its `#`), so the parts are not simply joined.
pub fn router_address(pathname: &str, search: &str, hash: &str) -> String {
    let mark = if search.is_empty() { "" } else { "?" };
    format!("{pathname}{mark}{search}{hash}")
}

/// The path the browser shows now (path and query), to come back to.
pub fn current_path() -> String {
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.pathname().ok()?,
                location.search().ok()?
            ))
        })
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_code_has_its_own_words() {
        let codes = [
            "invalid_state",
            "provider_error",
            "provider_unavailable",
            "code_rejected",
            "invalid_id_token",
            "email_not_verified",
            "email_outside_organization",
            "account_disabled",
            "sso_not_configured",
        ];
        for code in codes {
            assert_ne!(SsoError::from_code(code), SsoError::Other, "{code}");
        }
        assert_eq!(SsoError::from_code("invalid_request"), SsoError::Other);
        assert_eq!(SsoError::from_code("<script>"), SsoError::Other);
    }

    #[test]
    fn a_failure_at_the_root_goes_back_where_it_started() {
        assert_eq!(
            after_failure(
                "/",
                "?sso_error=invalid_state",
                Some("/buy/power-bi-pro?step=sign-in")
            )
            .as_deref(),
            Some("/buy/power-bi-pro?step=sign-in&sso_error=invalid_state")
        );
        assert_eq!(
            after_failure("/", "?x=1&sso_error=provider_error", Some("/admin")).as_deref(),
            Some("/admin?sso_error=provider_error")
        );
    }

    #[test]
    fn nothing_moves_without_a_failure_a_saved_page_or_at_another_path() {
        assert_eq!(after_failure("/", "", Some("/admin")), None);
        assert_eq!(after_failure("/", "?sso_error=invalid_state", None), None);
        assert_eq!(
            after_failure("/admin", "?sso_error=invalid_state", Some("/manage")),
            None
        );
        // Never off this app, whatever storage holds.
        assert_eq!(
            after_failure("/", "?sso_error=x", Some("//evil.example")),
            None
        );
        assert_eq!(
            after_failure("/", "?sso_error=x", Some("https://evil.example")),
            None
        );
    }

    #[test]
    fn a_strange_code_is_not_carried() {
        assert_eq!(
            after_failure("/", "?sso_error=%3Cb%3E", Some("/admin")).as_deref(),
            Some("/admin?sso_error=invalid_request")
        );
    }

    #[test]
    fn the_routers_address_keeps_its_query_apart_from_the_path() {
        assert_eq!(
            router_address("/buy/power-bi-pro", "step=email", ""),
            "/buy/power-bi-pro?step=email"
        );
        assert_eq!(router_address("/manage", "", "#bills"), "/manage#bills");
        assert_eq!(router_address("/admin", "", ""), "/admin");
    }

    #[test]
    fn an_old_failure_is_dropped_from_where_to_resume() {
        assert_eq!(
            without_error("/buy/p?step=sign-in&sso_error=invalid_state"),
            "/buy/p?step=sign-in"
        );
        assert_eq!(without_error("/admin?sso_error=x"), "/admin");
        assert_eq!(without_error("/admin"), "/admin");
    }
}
