//! Sessions: a random id in the browser's cookie, only its SHA-256 in the database, ended after
//! 30 idle minutes or 12 hours. Security time is the machine's clock, never the test clock.

use crate::ids::new_secret;
use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;

/// Opens a session for `user_id`; returns its id (for the cookie).
pub async fn open(store: &Store, user_id: &str, now: i64) -> Result<String, StoreError> {
    let session_id = new_secret();
    store
        .insert_session(&hash_session_id(&session_id), user_id, now)
        .await?;
    Ok(session_id)
}

/// What is stored of a session id.
pub fn hash_session_id(session_id: &str) -> String {
    Sha256::digest(session_id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a session of these times is still valid at `now`.
pub fn session_is_live(created_at: i64, last_seen_at: i64, now: i64) -> bool {
    now - created_at < ABSOLUTE_TIMEOUT_SECONDS && now - last_seen_at < IDLE_TIMEOUT_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let start = 1_000_000;
        assert!(session_is_live(start, start, start + 60));
        assert!(session_is_live(start, start + 29 * 60, start + 30 * 60));
        assert!(!session_is_live(start, start, start + IDLE_TIMEOUT_SECONDS));
        assert!(!session_is_live(
            start,
            start + ABSOLUTE_TIMEOUT_SECONDS - 10,
            start + ABSOLUTE_TIMEOUT_SECONDS
        ));
    }

    #[test]
    fn session_ids_are_stored_hashed() {
        let hash = hash_session_id("abc");
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, "abc");
        assert_eq!(hash, hash_session_id("abc"));
    }
}
