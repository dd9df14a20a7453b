//! A stored mail's facts read back, by the kind its template names.

use crate::notifications::{DigestFacts, DigestItem, FactsKind, MailFacts, Template};
use crate::store::StoreError;

/// A stored mail's facts, of the kind its template tells.
pub(crate) fn mail_facts(template: Template, json: &str) -> Result<MailFacts, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("outbox facts: {e}"));
    Ok(match template.facts_kind() {
        FactsKind::Digest => MailFacts::Digest(digest_facts(json)?),
        FactsKind::Request => MailFacts::Request(serde_json::from_str(json).map_err(corrupt)?),
        FactsKind::Policy => MailFacts::Policy(serde_json::from_str(json).map_err(corrupt)?),
        FactsKind::Subscription => {
            MailFacts::Subscription(serde_json::from_str(json).map_err(corrupt)?)
        }
    })
}

/// A stored digest's facts: each item decoded by its own template.
fn digest_facts(json: &str) -> Result<DigestFacts, StoreError> {
    #[derive(serde::Deserialize)]
    struct Stored {
        day_start: i64,
        items: Vec<StoredItem>,
    }
    #[derive(serde::Deserialize)]
    struct StoredItem {
        template: String,
        facts: serde_json::Value,
    }
    let stored: Stored = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("digest facts: {e}")))?;
    let mut items = Vec::with_capacity(stored.items.len());
    for item in stored.items {
        let template: Template =
            item.template
                .parse()
                .map_err(|e: selfserve_api::wire_enum::UnknownValue| {
                    StoreError::Corrupt(format!("digest item: {e}"))
                })?;
        if template == Template::AdminDigest {
            return Err(StoreError::Corrupt("a digest inside a digest".into()));
        }
        items.push(DigestItem {
            template,
            facts: mail_facts(template, &item.facts.to_string())?,
        });
    }
    Ok(DigestFacts {
        day_start: stored.day_start,
        items,
    })
}
