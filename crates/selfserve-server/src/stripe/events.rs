//! The webhook events the server acts on, read from a verified event's `data.object`. Only ids
//! and amounts are taken from the body; an intent's outcome is looked up at Stripe by the
//! recovery that settles its order, never read from the event.

use serde_json::Value;

/// What a verified event asks of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeEvent {
    /// `payment_intent.succeeded` / `payment_intent.payment_failed`: an intent's outcome is
    /// known at Stripe; the order it charges may still be open here.
    IntentOutcome {
        intent_id: String,
        /// Our `charge_<order id>`, from the intent's metadata.
        charge_key: Option<String>,
    },
    /// `charge.refunded`: the charge's refunded total at Stripe (refunds made in Stripe's
    /// dashboard included).
    ChargeRefunded {
        intent_id: String,
        amount_refunded: i64,
    },
    /// `charge.dispute.created`: the cardholder's bank disputes the charge.
    DisputeCreated {
        dispute_id: String,
        intent_id: String,
        amount: i64,
    },
    /// `charge.dispute.closed` with a decision (`won` or `lost`; Stripe's other closed status,
    /// `warning_closed`, ends an inquiry that never became a dispute and is `Other`).
    /// It carries the whole dispute, so one that arrives before its `created` records both.
    DisputeClosed {
        dispute_id: String,
        intent_id: String,
        amount: i64,
        outcome: selfserve_api::subscription::DisputeOutcome,
    },
    /// Anything else: stored, not acted on.
    Other,
}

/// An event the server acts on whose object lacks what it needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {kind} event's object has no {missing}")]
pub struct Malformed {
    pub kind: String,
    pub missing: &'static str,
}

/// Reads `object` (the event's `data.object`) for an event of type `kind`.
pub fn parse(kind: &str, object: &Value) -> Result<StripeEvent, Malformed> {
    let text = |field: &'static str| {
        object[field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Malformed {
                kind: kind.to_owned(),
                missing: field,
            })
    };
    let missing = |field: &'static str| Malformed {
        kind: kind.to_owned(),
        missing: field,
    };
    // Stripe's unit, which differs from ours in a few currencies (see `amount.rs`).
    let amount = |field: &'static str| {
        let value = object[field].as_i64().ok_or_else(|| missing(field))?;
        let currency = object["currency"]
            .as_str()
            .and_then(|code| selfserve_api::money::Currency::parse(code).ok())
            .ok_or_else(|| missing("currency"))?;
        Ok::<_, Malformed>(super::amount::from_stripe(value, currency))
    };
    Ok(match kind {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            StripeEvent::IntentOutcome {
                intent_id: text("id")?,
                charge_key: object["metadata"]["charge_key"].as_str().map(str::to_owned),
            }
        }
        "charge.refunded" => StripeEvent::ChargeRefunded {
            intent_id: text("payment_intent")?,
            amount_refunded: amount("amount_refunded")?,
        },
        "charge.dispute.created" => StripeEvent::DisputeCreated {
            dispute_id: text("id")?,
            intent_id: text("payment_intent")?,
            amount: amount("amount")?,
        },
        "charge.dispute.closed" => match text("status")?.parse() {
            Ok(outcome) => StripeEvent::DisputeClosed {
                dispute_id: text("id")?,
                intent_id: text("payment_intent")?,
                amount: amount("amount")?,
                outcome,
            },
            Err(_) => StripeEvent::Other,
        },
        _ => StripeEvent::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_read_from_their_objects_and_a_missing_field_is_named() {
        assert_eq!(
            parse(
                "charge.refunded",
                &json!({"payment_intent": "pi_1", "amount_refunded": 300, "currency": "usd"})
            ),
            Ok(StripeEvent::ChargeRefunded {
                intent_id: "pi_1".into(),
                amount_refunded: 300
            })
        );
        assert_eq!(
            parse(
                "charge.dispute.created",
                &json!({"id": "dp_1", "amount": 5})
            ),
            Err(Malformed {
                kind: "charge.dispute.created".into(),
                missing: "payment_intent"
            })
        );
        assert_eq!(
            parse(
                "charge.refunded",
                &json!({"payment_intent": "pi_1", "amount_refunded": 500, "currency": "isk"})
            ),
            Ok(StripeEvent::ChargeRefunded {
                intent_id: "pi_1".into(),
                amount_refunded: 5
            }),
            "ISK: Stripe's hundredths, our whole krónur"
        );
        assert_eq!(
            parse(
                "charge.refunded",
                &json!({"payment_intent": "pi_1", "amount_refunded": 300})
            ),
            Err(Malformed {
                kind: "charge.refunded".into(),
                missing: "currency"
            })
        );
        assert_eq!(
            parse("customer.created", &json!({})),
            Ok(StripeEvent::Other)
        );
    }
}
