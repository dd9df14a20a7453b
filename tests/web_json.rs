//! JSON through the browser (`selfserve::json`) reads and writes the wire types exactly as the
//! server's serde_json does: the same texts give the same values, and what the app sends
//! parses to what serde_json would have written.

#![cfg(target_arch = "wasm32")]

use selfserve::json;
use selfserve_api::ApiError;
use selfserve_api::card::{CardBrand, CardToken};
use selfserve_api::eligibility::{CanBuyMap, EligibilityResponse, IneligibleReason};
use selfserve_api::purchase::PurchaseRequest;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `text` read by the browser and by serde_json, both written back by serde_json.
fn read_both<T: DeserializeOwned + Serialize>(
    text: &str,
) -> (serde_json::Value, serde_json::Value) {
    let browser: T = json::from_str(text).unwrap_or_else(|| panic!("the browser read {text}"));
    let reference: T = serde_json::from_str(text).unwrap();
    (
        serde_json::to_value(&browser).unwrap(),
        serde_json::to_value(&reference).unwrap(),
    )
}

#[wasm_bindgen_test]
fn answers_read_as_serde_json_reads_them() {
    // Internally tagged, with a nested object.
    let (browser, reference) = read_both::<EligibilityResponse>(
        r#"{"outcome": "sign_in", "organization": {"name": "Contoso"}, "method": "sso"}"#,
    );
    assert_eq!(browser, reference);
    assert_eq!(browser["outcome"], "sign_in");
    // A map whose values are a boolean or a word (untagged).
    let (browser, reference) =
        read_both::<CanBuyMap>(r#"{"power-bi-pro": true, "power-apps-per-user": "guest"}"#);
    assert_eq!(browser, reference);
    // Integers, a closed set of texts, unknown fields left out.
    let (browser, reference) = read_both::<CardToken>(
        r#"{"token": "tok_1", "brand": "visa", "last4": "4242", "exp_month": 12,
            "exp_year": 2034, "not_ours": [1, 2]}"#,
    );
    assert_eq!(browser, reference);
    assert_eq!(browser["exp_year"], 2034);
    // The error envelope, with and without its optional parts.
    for text in [
        r#"{"error": {"code": "user_not_found", "message": "Nobody.", "field": "email"}}"#,
        r#"{"error": {"code": "not_found", "message": "No such thing."}}"#,
    ] {
        let (browser, reference) = read_both::<ApiError>(text);
        assert_eq!(browser, reference, "{text}");
    }
}

#[wasm_bindgen_test]
fn what_is_not_json_or_not_the_type_is_refused() {
    assert!(json::from_str::<CardToken>("<html>").is_none());
    assert!(json::from_str::<CardToken>("").is_none());
    assert!(json::from_str::<CardToken>(r#"{"token": "tok_1"}"#).is_none());
    assert!(
        json::from_str::<CardToken>(
            r#"{"token": "tok_1", "brand": "visa", "last4": "4242", "exp_month": "twelve",
                "exp_year": 2034}"#
        )
        .is_none()
    );
    // A whole number in any notation is one; a fraction is not (`integer::integer`).
    let purchase = |quantity: &str| {
        format!(r#"{{"product": "power-bi-pro", "quantity": {quantity}, "payment_token": "t"}}"#)
    };
    for quantity in ["3", "3.0", "3e0"] {
        let (browser, reference) = read_both::<PurchaseRequest>(&purchase(quantity));
        assert_eq!(browser, reference, "{quantity}");
        assert_eq!(browser["quantity"], 3, "{quantity}");
    }
    assert!(json::from_str::<PurchaseRequest>(&purchase("3.5")).is_none());
    assert!(serde_json::from_str::<PurchaseRequest>(&purchase("3.5")).is_err());
}

#[wasm_bindgen_test]
fn requests_are_written_as_serde_json_writes_them() {
    let purchase = PurchaseRequest {
        product: "power-bi-pro".to_owned(),
        quantity: 3,
        payment_token: "tok_1".to_owned(),
        convert_trial: None,
    };
    let written = json::to_string(&purchase).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        serde_json::to_value(&purchase).unwrap()
    );
    assert!(!written.contains("convert_trial"), "{written}");

    #[derive(Serialize)]
    struct WithNone {
        kept: Option<u32>,
        words: std::collections::BTreeMap<&'static str, i64>,
    }
    let value = WithNone {
        kept: None,
        words: [("a", 1), ("b", -2)].into_iter().collect(),
    };
    assert_eq!(
        json::to_string(&value).unwrap(),
        serde_json::to_string(&value).unwrap()
    );
}

#[wasm_bindgen_test]
fn wire_words_are_read_without_json() {
    assert_eq!(json::from_wire_text("visa"), Some(CardBrand::Visa));
    assert_eq!(json::from_wire_text::<CardBrand>("cartes_bancaires"), None);
    assert_eq!(
        json::from_wire_text("policy_disabled"),
        Some(IneligibleReason::PolicyDisabled)
    );
    // A reason this version does not know reads as such, as it did through serde_json.
    assert_eq!(
        json::from_wire_text("a_new_reason"),
        Some(IneligibleReason::Unknown)
    );
}
