//! Stripe's webhook signatures: `Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]`, each `v1`
//! an HMAC-SHA256 of `TIMESTAMP.BODY` under the endpoint's signing secret. Several `v1`s come
//! while a secret is being rolled. A timestamp more than [`TOLERANCE_SECONDS`] away from the
//! machine's clock (security time, never the test clock) is refused, so a captured request
//! cannot be replayed later; within it, an event is stored once by id.

use super::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a webhook is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the signature's timestamp is more than 300 seconds away")]
    OutsideTolerance,
    #[error("no v1 signature matches the body")]
    Mismatch,
}

/// Checks `header` against `body` at unix time `now`.
pub fn verify(
    secret: &Secret,
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            // A v1 that is not hex cannot match; the others may.
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return Err(SignatureError::Malformed);
    };
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::OutsideTolerance);
    }
    let matches = |signature: &Vec<u8>| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Constant time: the comparison does not tell how many bytes matched.
        mac.verify_slice(signature).is_ok()
    };
    if signatures.iter().any(matches) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_signature_is_checked_against_body_secret_and_time() {
        let secret = Secret::new("whsec_test".into());
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let now = 1_800_000_000;
        let good = sign("whsec_test", now, body);
        let header = |t: i64, sig: &str| format!("t={t},v1={sig}");
        assert_eq!(
            verify(&secret, Some(&header(now, &good)), body, now),
            Ok(())
        );
        // A rolled secret: the old and the new signature, either matches.
        let rolled = format!("t={now},v1={},v1={good}", sign("whsec_old", now, body));
        assert_eq!(verify(&secret, Some(&rolled), body, now), Ok(()));
        assert_eq!(
            verify(&secret, Some(&header(now, &good)), b"{}", now),
            Err(SignatureError::Mismatch)
        );
        let other = sign("whsec_other", now, body);
        assert_eq!(
            verify(&secret, Some(&header(now, &other)), body, now),
            Err(SignatureError::Mismatch)
        );
        let old = sign("whsec_test", now - 301, body);
        assert_eq!(
            verify(&secret, Some(&header(now - 301, &old)), body, now),
            Err(SignatureError::OutsideTolerance)
        );
        assert_eq!(
            verify(&secret, None, body, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(&secret, Some("v1=abcd"), body, now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(&secret, Some(&format!("t={now}")), body, now),
            Err(SignatureError::Malformed)
        );
    }
}
