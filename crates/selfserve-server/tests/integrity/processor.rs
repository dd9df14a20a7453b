//! The card processor a crash test runs against: the built-in gateway, or Stripe (the real
//! localstripe). Each test runs once per processor, and its audit reads the charges from the
//! processor's own records: the gateway's table, or Stripe's API.

use super::support::app::Client;
use super::support::real_servers::stripe::LocalStripe;
use serde_json::Value;
use sqlx::Row;
use std::path::Path;

/// Which processor a test runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Builtin,
    Stripe,
}

/// The processor of one test's site.
pub enum Processor {
    Builtin,
    Stripe(LocalStripe),
}

/// A charge that moved money, under our key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Charge {
    pub key: String,
    pub amount: i64,
    /// Lower case, as Stripe spells it.
    pub currency: String,
}

impl Processor {
    pub fn start(kind: Kind) -> Self {
        match kind {
            Kind::Builtin => Self::Builtin,
            Kind::Stripe => Self::Stripe(LocalStripe::start()),
        }
    }

    /// The server's environment for this processor (`--payments stripe` and its key files,
    /// written into `dir`).
    pub fn env(&self, dir: &Path) -> Vec<(&'static str, String)> {
        let Self::Stripe(stripe) = self else {
            return Vec::new();
        };
        let key = dir.join("stripe-secret-key");
        std::fs::write(&key, LocalStripe::SECRET_KEY).unwrap();
        let hook = dir.join("stripe-webhook-secret");
        std::fs::write(&hook, "whsec_integrity").unwrap();
        vec![
            ("SELFSERVE_PAYMENTS", "stripe".into()),
            (
                "SELFSERVE_STRIPE_SECRET_KEY_FILE",
                key.to_str().unwrap().into(),
            ),
            (
                "SELFSERVE_STRIPE_PUBLISHABLE_KEY",
                LocalStripe::PUBLISHABLE_KEY.into(),
            ),
            ("SELFSERVE_STRIPE_API_BASE", stripe.api_base.clone()),
            (
                "SELFSERVE_STRIPE_WEBHOOK_SECRET_FILE",
                hook.to_str().unwrap().into(),
            ),
        ]
    }

    /// What the browser gets from the card form: a gateway token, or (as Stripe.js would make
    /// it) a PaymentMethod made through localstripe's API.
    pub async fn card(&self, client: &Client, number: &str) -> String {
        match self {
            Self::Builtin => client.token(number).await,
            Self::Stripe(stripe) => {
                let (status, pm) = stripe
                    .post(
                        "payment_methods",
                        &[
                            ("type", "card"),
                            ("card[number]", number),
                            ("card[exp_month]", "12"),
                            ("card[exp_year]", "2034"),
                            ("card[cvc]", "123"),
                        ],
                    )
                    .await;
                assert_eq!(status, 200, "{pm}");
                pm["id"].as_str().unwrap().to_owned()
            }
        }
    }

    /// Every charge that succeeded at the processor, with the key it was made under, sorted.
    pub async fn charges(&self, db: &mut sqlx::AnyConnection) -> Vec<Charge> {
        let mut charges = match self {
            Self::Builtin => sqlx::query(
                "SELECT idempotency_key, amount, currency FROM gateway_charges \
                 WHERE outcome = 'succeeded'",
            )
            .fetch_all(db)
            .await
            .unwrap()
            .iter()
            .map(|row| Charge {
                key: row.get("idempotency_key"),
                amount: row.get("amount"),
                currency: row.get::<String, _>("currency").to_ascii_lowercase(),
            })
            .collect(),
            Self::Stripe(stripe) => stripe_charges(stripe).await,
        };
        charges.sort();
        charges
    }
}

impl Processor {
    /// Every refund the processor made, as (our refund key, amount), sorted.
    pub async fn refunds(&self, db: &mut sqlx::AnyConnection) -> Vec<(String, i64)> {
        let mut refunds: Vec<(String, i64)> = match self {
            Self::Builtin => sqlx::query("SELECT idempotency_key, amount FROM gateway_refunds")
                .fetch_all(db)
                .await
                .unwrap()
                .iter()
                .map(|row| (row.get("idempotency_key"), row.get("amount")))
                .collect(),
            Self::Stripe(stripe) => list_all(stripe, "refunds")
                .await
                .iter()
                .map(|refund| {
                    (
                        refund["metadata"]["refund_key"]
                            .as_str()
                            .unwrap_or("(no key)")
                            .to_owned(),
                        refund["amount"].as_i64().unwrap(),
                    )
                })
                .collect(),
        };
        refunds.sort();
        refunds
    }
}

/// Succeeded charges at Stripe, each keyed by its PaymentIntent's `metadata[charge_key]`.
async fn stripe_charges(stripe: &LocalStripe) -> Vec<Charge> {
    let intents = list_all(stripe, "payment_intents").await;
    let key_of = |intent_id: &str| {
        intents
            .iter()
            .find(|intent| intent["id"] == intent_id)
            .and_then(|intent| intent["metadata"]["charge_key"].as_str())
            .unwrap_or("(no intent)")
            .to_owned()
    };
    list_all(stripe, "charges")
        .await
        .iter()
        .filter(|charge| charge["status"] == "succeeded")
        .map(|charge| Charge {
            key: key_of(charge["payment_intent"].as_str().unwrap_or_default()),
            amount: charge["amount"].as_i64().unwrap(),
            currency: charge["currency"].as_str().unwrap().to_ascii_lowercase(),
        })
        .collect()
}

/// Every object of a Stripe list, page after page.
async fn list_all(stripe: &LocalStripe, what: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let after = all
            .last()
            .map(|last| format!("&starting_after={}", last["id"].as_str().unwrap()))
            .unwrap_or_default();
        let (status, page) = stripe.get(&format!("{what}?limit=100{after}")).await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        if page["has_more"] != true {
            return all;
        }
    }
}
