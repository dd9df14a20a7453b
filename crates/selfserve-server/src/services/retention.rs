//! Forgetting what is no longer needed, run with billing: answered idempotency keys (a retry a
//! day later is a new request) and gateway tokens (single-use, short-lived).

use super::Services;
use crate::store::StoreError;

/// How long an answered idempotency key replays its response.
pub const IDEMPOTENCY_KEY_SECONDS: i64 = 86_400;

/// How long a gateway token may be charged or saved.
pub const TOKEN_SECONDS: i64 = 86_400;

/// What a purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency_keys: u64,
    pub tokens: u64,
}

/// Deletes what is past its retention at `now`.
pub async fn purge(services: &Services, now: i64) -> Result<Purged, StoreError> {
    Ok(Purged {
        idempotency_keys: services
            .store
            .purge_idempotency_keys(now - IDEMPOTENCY_KEY_SECONDS)
            .await?,
        tokens: services.store.purge_tokens(now - TOKEN_SECONDS).await?,
    })
}
