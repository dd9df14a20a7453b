//! The outbox: events are inserted inside the transaction of the change they describe, and
//! read back as the audit log.

use super::{Store, StoreError, Tx, decode, placeholders};
use crate::events::Event;
use selfserve_api::admin::AuditAction;
use selfserve_api::product::ProductId;
use sqlx::Row;
use std::sync::atomic::{AtomicI64, Ordering};

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: String,
    pub at: i64,
    pub actor_name: String,
    pub kind: AuditAction,
    pub subscription_id: Option<String>,
    pub product: Option<ProductId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Microseconds of real time, strictly increasing within this process, so events one request
/// writes in a row keep their order even within one microsecond.
fn recorded_us() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// Writes `event` inside `tx`, with the mails it causes ([`super::outbox::plan_mails`]). Takes
/// no lock on another table's rows (beyond the key-share of its foreign keys), so it adds
/// nothing to the lock order.
pub(crate) async fn insert_event(tx: &mut Tx, event: &Event) -> Result<(), sqlx::Error> {
    let id = crate::ids::new_id("evt");
    sqlx::query(
        "INSERT INTO events (id, organization_id, at, recorded_us, actor_kind, actor_id, \
         actor_name, kind, subscription_id, product, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&event.organization_id)
    .bind(event.at)
    .bind(recorded_us())
    .bind(event.actor_kind.as_str())
    .bind(&event.actor_id)
    .bind(&event.actor_name)
    .bind(event.kind.as_str())
    .bind(&event.subscription_id)
    .bind(event.product.map(|p| p.as_str()))
    .bind(event.before.as_ref().map(|v| v.to_string()))
    .bind(event.after.as_ref().map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    super::outbox::plan_mails(tx, &id, event).await?;
    super::admin_webhooks::plan_deliveries(tx, &id, event).await
}

/// Writes `event` when there is one.
pub(crate) async fn insert_events(tx: &mut Tx, events: Option<&Event>) -> Result<(), sqlx::Error> {
    if let Some(event) = events {
        insert_event(tx, event).await?;
    }
    Ok(())
}

impl Store {
    /// Records an event that changes nothing else (kept for changes made outside any other
    /// transaction).
    pub async fn record_event(&self, event: &Event) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organisation's events, newest first, only `kinds` if any are given; at most `limit`.
    pub async fn events(
        &self,
        organization_id: &str,
        kinds: &[AuditAction],
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let filter = if kinds.is_empty() {
            String::new()
        } else {
            format!("AND kind IN ({})", placeholders(3, kinds.len()))
        };
        let sql = format!(
            "SELECT id, at, actor_name, kind, subscription_id, product, before_json, after_json \
             FROM events WHERE organization_id = $1 {filter} \
             ORDER BY recorded_us DESC, id DESC LIMIT $2"
        );
        let mut query = sqlx::query(&sql).bind(organization_id).bind(limit);
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        let rows = query.fetch_all(self.reader()).await?;
        let json = |text: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            text.map(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| StoreError::Corrupt(format!("event state: {e}")))
            })
            .transpose()
        };
        rows.iter()
            .map(|row| {
                Ok(StoredEvent {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor_name: row.try_get("actor_name")?,
                    kind: decode(row, "kind")?,
                    subscription_id: row.try_get("subscription_id")?,
                    product: decode_optional_product(row)?,
                    before: json(row.try_get("before_json")?)?,
                    after: json(row.try_get("after_json")?)?,
                })
            })
            .collect()
    }
}

fn decode_optional_product(row: &sqlx::any::AnyRow) -> Result<Option<ProductId>, StoreError> {
    let text: Option<String> = row.try_get("product")?;
    text.map(|t| {
        t.parse()
            .map_err(|_| StoreError::Corrupt(format!("event product {t:?}")))
    })
    .transpose()
}
