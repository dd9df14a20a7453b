//! The provider's discovery document and key set (JWKS), kept per issuer for a few minutes:
//! without it every sign-in fetched both twice (at the start and at the callback). A provider
//! that rotates its signing key signs with a key id the kept set does not have yet; the
//! callback then fetches once more ([`Fetch::Fresh`]) before refusing the token. Each instance
//! keeps its own copy: it is a cache of what the provider publishes, not state of ours.

use super::{SsoFailure, http};
use openidconnect::IssuerUrl;
use openidconnect::core::CoreProviderMetadata;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a discovery document and its keys are used without asking the provider again.
const KEPT_FOR: Duration = Duration::from_secs(300);

/// Whether a kept copy may serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fetch {
    /// A copy younger than [`KEPT_FOR`] will do.
    Kept,
    /// Ask the provider now (the ID token names a key the kept set does not have).
    Fresh,
}

type Kept = HashMap<String, (Instant, CoreProviderMetadata)>;

fn kept() -> &'static Mutex<Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
}

/// Whether a copy fetched at `fetched` serves a request at `now`.
fn serves(fetched: Instant, now: Instant, fetch: Fetch) -> bool {
    fetch == Fetch::Kept && now.saturating_duration_since(fetched) < KEPT_FOR
}

/// The issuer's discovery document with its current keys.
pub(super) async fn metadata(
    issuer: &str,
    fetch: Fetch,
) -> Result<CoreProviderMetadata, SsoFailure> {
    let now = Instant::now();
    if let Ok(kept) = kept().lock()
        && let Some((fetched, metadata)) = kept.get(issuer)
        && serves(*fetched, now, fetch)
    {
        return Ok(metadata.clone());
    }
    let url = IssuerUrl::new(issuer.to_owned()).map_err(|_| SsoFailure::NotConfigured)?;
    let metadata = CoreProviderMetadata::discover_async(url, http())
        .await
        .map_err(|error| {
            tracing::warn!(%issuer, %error, "OpenID Provider discovery failed");
            SsoFailure::ProviderUnavailable
        })?;
    if let Ok(mut kept) = kept().lock() {
        kept.insert(issuer.to_owned(), (Instant::now(), metadata.clone()));
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_serves_for_five_minutes_and_never_when_a_key_is_missing() {
        let fetched = Instant::now();
        assert!(serves(fetched, fetched, Fetch::Kept));
        assert!(serves(
            fetched,
            fetched + Duration::from_secs(299),
            Fetch::Kept
        ));
        assert!(!serves(fetched, fetched + KEPT_FOR, Fetch::Kept));
        assert!(!serves(fetched, fetched, Fetch::Fresh));
    }
}
