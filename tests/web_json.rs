//! JSON through the browser (`selfserve::json`) reads and writes the wire types exactly as the
//! server's serde_json does: the same texts give the same values, and what the app sends
//! parses to what serde_json would have written.

#![cfg(target_arch = "wasm32")]

use selfserve::checkout::Checkout;
use selfserve::json;
use selfserve_api::admin::{
    AuditAction, AuditEntry, OrganizationSignIn, Policy, PolicyEntry, PolicyUpdate,
};
use selfserve_api::card::{CardBrand, CardToken};
use selfserve_api::eligibility::{CanBuyMap, EligibilityResponse, IneligibleReason};
use selfserve_api::guardrails::{Guardrails, LimitChange, LimitKind, SeatLimit, SpendCap};
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::purchase::PurchaseRequest;
use selfserve_api::{ApiError, ErrorCode};
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

/// `value` as the server writes it (serde_json), read back through the browser, is `value`.
fn round_trip<T>(value: &T)
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let read: T = json::from_str(&text).unwrap_or_else(|| panic!("the browser read {text}"));
    assert_eq!(&read, value, "{text}");
}

#[wasm_bindgen_test]
fn what_the_server_writes_reads_back_as_written() {
    // Flattened guardrails, each limit set, and none.
    let limits = Guardrails {
        max_seats_per_purchase: Some(SeatLimit::new(5, LimitKind::MaxSeatsPerPurchase).unwrap()),
        max_seats: Some(SeatLimit::new(40, LimitKind::MaxSeats).unwrap()),
        monthly_cap: Some(SpendCap::new(1_000_000_000_000).unwrap()),
    };
    for guardrails in [limits, Guardrails::default()] {
        round_trip(&PolicyEntry {
            product: ProductId::PowerBiPro,
            value: Policy::OnlyTrialsWithoutPaymentMethod,
            guardrails,
            currency: Currency::EUR,
        });
    }
    // Tagged variants with and without data.
    round_trip(&OrganizationSignIn::Password);
    round_trip(&OrganizationSignIn::Sso {
        issuer: "https://login.example".to_owned(),
    });
    // Free-form values in an audit entry, and a timestamp-sized integer.
    round_trip(&AuditEntry {
        id: "aud_1".to_owned(),
        at: 1_798_113_600,
        actor: "admin@contoso.com".to_owned(),
        action: AuditAction::Purchase,
        subscription_id: Some("sub_1".to_owned()),
        product: None,
        before: None,
        after: Some(serde_json::json!({
            "quantity": 3, "amount": 4200, "emails": ["a@contoso.com"], "note": null,
            "nested": {"deep": [1, {"deeper": true}]}
        })),
    });
    // A code this version does not know reads as such.
    let future = r#"{"error": {"code": "a_code_from_the_future", "message": "New."}}"#;
    assert_eq!(
        json::from_str::<ApiError>(future).map(|e| e.error.code),
        Some(ErrorCode::Unknown)
    );
}

#[wasm_bindgen_test]
fn checkout_progress_saved_by_serde_json_still_loads() {
    // A tab mid-checkout during an upgrade kept its progress as serde_json wrote it.
    let mut checkout = Checkout::new();
    checkout.quantity_chosen(4);
    checkout.card_added(CardToken {
        token: "tok_1".to_owned(),
        brand: CardBrand::Mastercard,
        last4: "4444".to_owned(),
        exp_month: 7,
        exp_year: 2031,
    });
    round_trip(&checkout);
    // And what the app saves now reads back in serde_json, for the other direction.
    let saved = json::to_string(&checkout).unwrap();
    assert_eq!(serde_json::from_str::<Checkout>(&saved).unwrap(), checkout);
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
    // A whole number in any notation reads as that number (`JSON.parse` already makes `3.0` a
    // 3); a fraction is refused by both (`integer::integer`).
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

    // A limit cleared is written as `null`; one kept is left out.
    let update = PolicyUpdate {
        max_seats: LimitChange::Clear,
        ..PolicyUpdate::default()
    };
    let written = json::to_string(&update).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        serde_json::to_value(&update).unwrap()
    );
    assert!(written.contains(r#""max_seats":null"#), "{written}");

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
