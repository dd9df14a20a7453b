//! Admin webhooks (issue 12): an organisation's own tools receive every event as JSON, signed
//! like Stripe's (`Selfserve-Signature: t=…,v1=…`, HMAC-SHA256 over `"{t}.{body}"`).
//!
//! A delivery per endpoint is planned inside the event's transaction
//! ([`crate::store::admin_webhooks`]) with its body fixed then, so every retry sends the same
//! bytes and the same event id (`id`, for the receiver's deduplication); [`sender`] delivers
//! them at least once, with a lease and backoff, never inside a database transaction.

pub mod command;
pub mod sender;
pub mod targets;

use crate::events::Event;
use hmac::{Hmac, Mac};
use sha2::Sha256;
pub use targets::WebhookTargets;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Selfserve-Signature";

/// Longest URL accepted (a URL is stored and shown back).
const MAX_URL_LENGTH: usize = 2048;

/// Why an endpoint URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlRefusal {
    NotAUrl,
    TooLong,
    /// Not `https://` (`http://` only to loopback, with `--allow-private-webhook-targets`).
    NotHttps,
    /// The host is, or resolves to, a loopback, private, link-local, CGNAT, multicast or
    /// otherwise internal address (see [`targets`]).
    InternalAddress,
    /// The host name has no address.
    Unresolvable,
    /// `user:password@` in the URL: the signature authenticates us, the URL needs no secret
    /// of ours, and a password would be shown by every listing.
    Credentials,
    Fragment,
}

impl UrlRefusal {
    /// In words, for the command line and the API's error.
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotAUrl => "not an absolute URL",
            Self::TooLong => "longer than 2048 characters",
            Self::NotHttps => "must be https://",
            Self::InternalAddress => {
                "an internal address (loopback, private, link-local, CGNAT, multicast): \
                 webhooks go to public hosts only"
            }
            Self::Unresolvable => "a host name that does not resolve",
            Self::Credentials => "must not carry a user or password",
            Self::Fragment => "must not have a #fragment",
        }
    }
}

/// The URL's form: `https://` (or `http://` to loopback when `targets` allows private ones),
/// no credentials, no fragment, and an IP-literal host must be allowed. The host name's
/// addresses are [`check_target`]'s.
pub fn check_url(text: &str, targets: WebhookTargets) -> Result<reqwest::Url, UrlRefusal> {
    let text = text.trim();
    if text.len() > MAX_URL_LENGTH {
        return Err(UrlRefusal::TooLong);
    }
    let url = reqwest::Url::parse(text).map_err(|_| UrlRefusal::NotAUrl)?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or(UrlRefusal::NotAUrl)?;
    let literal = targets::literal_ip(host);
    match (url.scheme(), targets) {
        ("https", _) => {}
        // Loopback traffic never leaves the machine: TLS would protect nothing there, and
        // tests and local relays would need certificates.
        ("http", WebhookTargets::AllowPrivate)
            if literal.is_some_and(|ip| ip.is_loopback())
                || host.eq_ignore_ascii_case("localhost") => {}
        _ => return Err(UrlRefusal::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    if url.fragment().is_some() {
        return Err(UrlRefusal::Fragment);
    }
    if targets == WebhookTargets::PublicOnly && literal.is_some_and(targets::is_internal) {
        return Err(UrlRefusal::InternalAddress);
    }
    Ok(url)
}

/// [`check_url`], then every address the host resolves to (registration; each delivery
/// checks again through [`targets::GuardedResolver`]).
pub async fn check_target(text: &str, targets: WebhookTargets) -> Result<String, UrlRefusal> {
    let url = check_url(text, targets)?;
    let host = url.host_str().ok_or(UrlRefusal::NotAUrl)?;
    let port = url.port_or_known_default().ok_or(UrlRefusal::NotAUrl)?;
    targets::resolve_checked(host, port, targets).await?;
    Ok(url.to_string())
}

/// A new signing secret (`whsec_` + 256 random bits).
pub fn new_secret() -> String {
    format!("whsec_{}", crate::ids::new_secret())
}

/// The header value for `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &str, timestamp: i64, body: &str) -> Vec<u8> {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Why a signature is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    Malformed,
    /// No `v1` matches the body.
    Mismatch,
    /// The timestamp is further than the tolerance from now (a replay).
    Stale,
}

/// What a receiver does (the tests' receiver uses it; kept here next to [`signature`] so the
/// two cannot drift): checks `header` for `body` against `secret`, the timestamp within
/// `tolerance_seconds` of `now`, every `v1` compared in constant time.
pub fn verify(
    secret: &str,
    header: &str,
    body: &str,
    now: i64,
    tolerance_seconds: i64,
) -> Result<i64, VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(VerifyError::Malformed)?;
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| VerifyError::Malformed)?),
            "v1" => signatures.push(hex::decode(value).map_err(|_| VerifyError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    let matches = signatures.iter().any(|candidate| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        mac.verify_slice(candidate).is_ok()
    });
    if !matches {
        return Err(VerifyError::Mismatch);
    }
    if (now - timestamp).abs() > tolerance_seconds {
        return Err(VerifyError::Stale);
    }
    Ok(timestamp)
}

/// The JSON an endpoint receives for `event` (stored as `event_id`): the event as the audit log
/// has it. `id` is the same in every retry, and `type` is the audit action.
pub fn body(event_id: &str, event: &Event) -> String {
    serde_json::json!({
        "id": event_id,
        "type": event.kind.as_str(),
        "created": event.at,
        "organization_id": event.organization_id,
        "data": {
            "subscription_id": event.subscription_id,
            "product": event.product.map(|p| p.as_str()),
            "actor": {"kind": event.actor_kind.as_str(), "name": event.actor_name},
            "before": event.before,
            "after": event.after,
        },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_to_public_hosts_unless_private_targets_are_allowed() {
        use WebhookTargets::{AllowPrivate, PublicOnly};
        for (ok, targets) in [
            ("https://hooks.contoso.com/selfserve", PublicOnly),
            ("https://93.184.216.34/in", PublicOnly),
            ("https://127.0.0.1/in", AllowPrivate),
            ("http://127.0.0.1:9000/in", AllowPrivate),
            ("http://localhost/x", AllowPrivate),
            ("http://[::1]:8080/", AllowPrivate),
        ] {
            assert!(check_url(ok, targets).is_ok(), "{ok}");
        }
        for (bad, targets, why) in [
            (
                "http://hooks.contoso.com/",
                PublicOnly,
                UrlRefusal::NotHttps,
            ),
            ("http://127.0.0.1/", PublicOnly, UrlRefusal::NotHttps),
            ("http://10.0.0.1/", AllowPrivate, UrlRefusal::NotHttps),
            (
                "https://127.0.0.1/",
                PublicOnly,
                UrlRefusal::InternalAddress,
            ),
            ("https://10.0.0.1/", PublicOnly, UrlRefusal::InternalAddress),
            ("https://[::1]/", PublicOnly, UrlRefusal::InternalAddress),
            (
                "https://169.254.169.254/",
                PublicOnly,
                UrlRefusal::InternalAddress,
            ),
            (
                "https://[::ffff:10.0.0.1]/",
                PublicOnly,
                UrlRefusal::InternalAddress,
            ),
            ("ftp://x.example/", PublicOnly, UrlRefusal::NotHttps),
            (
                "https://u:p@x.example/",
                PublicOnly,
                UrlRefusal::Credentials,
            ),
            ("https://x.example/#a", PublicOnly, UrlRefusal::Fragment),
            ("hooks.contoso.com", PublicOnly, UrlRefusal::NotAUrl),
        ] {
            assert_eq!(check_url(bad, targets).map(|_| ()), Err(why), "{bad}");
        }
    }

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let header = signature("whsec_a", 1_000, r#"{"id":"evt_1"}"#);
        assert_eq!(
            verify("whsec_a", &header, r#"{"id":"evt_1"}"#, 1_100, 300),
            Ok(1_000)
        );
        assert_eq!(
            verify("whsec_a", &header, r#"{"id":"evt_2"}"#, 1_100, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("whsec_b", &header, r#"{"id":"evt_1"}"#, 1_100, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("whsec_a", &header, r#"{"id":"evt_1"}"#, 2_000, 300),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify("whsec_a", "v1=zz", "{}", 0, 300),
            Err(VerifyError::Malformed)
        );
    }
}
