//! Ids for rows the application creates: a type prefix and 128 random bits, as Stripe's are
//! (`sub_…`), so an id says what it names in logs and support requests and cannot be guessed.

use rand::RngCore;

/// A new random id such as `org_5kq0…` (prefix, underscore, 26 base32 characters).
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", base32(&bytes))
}

/// A secret of 256 random bits, base32: session ids, tokens.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32(&bytes)
}

fn base32(bytes: &[u8]) -> String {
    // Crockford's alphabet: no I, L, O or U to misread.
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer = 0u32;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_differ() {
        let a = new_id("org");
        let b = new_id("org");
        assert!(a.starts_with("org_"));
        assert_eq!(a.len(), 4 + 26);
        assert_ne!(a, b);
        assert_eq!(new_secret().len(), 52);
    }

    #[test]
    fn base32_is_crockfords() {
        assert_eq!(base32(&[0xff]), "zw");
        assert_eq!(base32(&[0, 0, 0, 0, 0]), "00000000");
    }
}
