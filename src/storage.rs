//! `sessionStorage` for state that must survive a refresh of one tab (the checkout), and
//! random keys from the browser's CSPRNG.

use serde::Serialize;
use serde::de::DeserializeOwned;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Reads and decodes `key`; `None` if absent or unreadable.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = session_storage()?.get_item(key).ok()??;
    crate::json::from_str(&text)
}

/// Encodes and writes `value` under `key` (best effort: private modes may refuse).
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Some(text)) = (session_storage(), crate::json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

/// Removes `key`.
pub fn remove(key: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}

/// 128 random bits as hex, from `crypto.getRandomValues` (which, unlike `randomUUID`, also
/// works on plain-http origins).
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
