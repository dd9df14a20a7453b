//! The link in an admin notice's `List-Unsubscribe` (RFC 2369, one-click per RFC 8058): it
//! names the recipient and carries an HMAC-SHA256 of their id under the server's own key
//! (`server_keys`, made once per database), so it cannot be guessed or moved to someone else,
//! and every server on the database checks it alike. The key is never logged.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The server's key for these links (32 random bytes).
#[derive(Clone)]
pub struct UnsubscribeKey(pub(crate) Vec<u8>);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(…)")
    }
}

fn mac(key: &UnsubscribeKey, user_id: &str) -> Hmac<Sha256> {
    // Any key length is valid for HMAC.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
    mac.update(b"unsubscribe admin notices\0");
    mac.update(user_id.as_bytes());
    mac
}

/// The token for `user_id`'s link.
pub fn token(key: &UnsubscribeKey, user_id: &str) -> String {
    hex::encode(mac(key, user_id).finalize().into_bytes())
}

/// Whether `token` is `user_id`'s (constant time).
pub fn verify(key: &UnsubscribeKey, user_id: &str, token: &str) -> bool {
    match hex::decode(token) {
        Ok(bytes) => mac(key, user_id).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The link for `user_id` at `origin` (outside `/api/v1`: mail providers post a form to it).
pub fn link(origin: &str, key: &UnsubscribeKey, user_id: &str) -> String {
    format!("{origin}/unsubscribe?u={user_id}&t={}", token(key, user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_its_recipients_only() {
        let key = UnsubscribeKey(vec![7; 32]);
        let t = token(&key, "usr_a");
        assert!(verify(&key, "usr_a", &t));
        assert!(!verify(&key, "usr_b", &t));
        assert!(!verify(&UnsubscribeKey(vec![8; 32]), "usr_a", &t));
        assert!(!verify(&key, "usr_a", "zz"));
    }
}
