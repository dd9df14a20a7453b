//! JSON through the browser's own `JSON.parse` and `JSON.stringify`, with serde-wasm-bindgen
//! between their JavaScript values and the wire types: the wasm carries no JSON parser or
//! printer of its own (BENCHMARKS.md, eighth stop).
//!
//! What differs from serde_json, none of it in what the server sends: integers beyond 2^53
//! (a JavaScript number's exact range) cannot be written or read exactly, and there is no
//! nesting limit. `tests/web_json.rs` checks the wire types both ways against serde_json.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// `text` decoded as a `T`; `None` if it is not JSON or not a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_value(js_sys::JSON::parse(text).ok()?)
}

/// A JavaScript value (as `JSON.parse` or a browser API gives it) decoded as a `T`.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// `value` as JSON text, as serde_json would write it: maps as objects, `None` as `null`,
/// 64-bit integers as numbers.
pub fn to_string(value: &impl Serialize) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// One of a closed set of wire values (`"visa"`, `"policy_disabled"`) read from its text,
/// without a JSON round trip.
pub fn from_wire_text<T: DeserializeOwned>(text: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let text: StrDeserializer<'_, Error> = text.into_deserializer();
    T::deserialize(text).ok()
}
