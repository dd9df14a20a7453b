//! Admin webhooks: an organisation's endpoints, and one delivery per event and endpoint,
//! planned inside the event's transaction and claimed by a sender with a lease (a conditional
//! `UPDATE`, atomic on both engines), as [`super::outbox`] does for mail.

use super::WriteStatement;
use super::leases::Leased;
use super::{Store, StoreError, Tx, decode};
use crate::events::Event;
use crate::store::outbox::real_now;
use selfserve_api::admin::{AuditAction, WebhookDelivery};
use sqlx::Row;
use std::collections::BTreeMap;

/// An endpoint as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpointRow {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    pub events: EventFilter,
    pub created_at: i64,
    pub last_delivery: Option<WebhookDelivery>,
}

/// Which events an endpoint receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// Every event, including kinds added later.
    All,
    /// Only these kinds (never empty: the service refuses an empty choice).
    Only(Vec<AuditAction>),
}

/// A delivery as claimed by a sender: where, with which key, what.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// Plans a delivery of `event` (stored as `event_id`) to each of its organisation's endpoints,
/// inside the event's transaction. Reads endpoints without locking them, so it adds nothing to
/// the lock order; a removal is an `UPDATE` of non-key columns, so it never makes this insert's
/// foreign key fail.
pub(crate) async fn plan_deliveries(
    tx: &mut Tx,
    event_id: &str,
    event: &Event,
) -> Result<(), sqlx::Error> {
    let endpoints: Vec<String> = sqlx::query_scalar(
        "SELECT e.id FROM webhook_endpoints e WHERE e.organization_id = $1 \
         AND e.removed_at IS NULL AND (e.events = 'all' OR EXISTS (SELECT 1 FROM \
         webhook_endpoint_events k WHERE k.endpoint_id = e.id AND k.kind = $2)) ORDER BY e.id",
    )
    .bind(&event.organization_id)
    .bind(event.kind.as_str())
    .fetch_all(&mut **tx)
    .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let body = crate::admin_webhooks::body(event_id, event);
    let now = real_now();
    for endpoint in endpoints {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, body, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
        )
        .bind(crate::ids::new_id("whd"))
        .bind(&endpoint)
        .bind(event_id)
        .bind(&body)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn endpoint(row: &sqlx::any::AnyRow) -> Result<WebhookEndpointRow, StoreError> {
    let filter: String = row.try_get("events")?;
    let events = match filter.as_str() {
        "all" => EventFilter::All,
        "selected" => EventFilter::Only(Vec::new()),
        other => return Err(StoreError::Corrupt(format!("events: {other:?}"))),
    };
    Ok(WebhookEndpointRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        url: row.try_get("url")?,
        events,
        created_at: row.try_get("created_at")?,
        last_delivery: None,
    })
}

impl Store {
    /// Registers an endpoint for the organisation's events (those `events` lets through) from
    /// now on.
    pub async fn add_webhook_endpoint(
        &self,
        organization_id: &str,
        url: &str,
        events: &EventFilter,
        secret: &str,
        now: i64,
    ) -> Result<WebhookEndpointRow, StoreError> {
        let id = crate::ids::new_id("whe");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, organization_id, url, secret, created_at, events) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(organization_id)
        .bind(url)
        .bind(secret)
        .bind(now)
        .bind(match events {
            EventFilter::All => "all",
            EventFilter::Only(_) => "selected",
        })
        .execute(&mut *tx)
        .await?;
        if let EventFilter::Only(kinds) = events {
            for kind in kinds {
                sqlx::query(
                    "INSERT INTO webhook_endpoint_events (endpoint_id, kind) VALUES ($1, $2)",
                )
                .bind(&id)
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(WebhookEndpointRow {
            id,
            organization_id: organization_id.to_owned(),
            url: url.to_owned(),
            events: events.clone(),
            created_at: now,
            last_delivery: None,
        })
    }

    /// The organisation's endpoints in use, oldest first, with their event kinds and latest
    /// delivery.
    pub async fn webhook_endpoints(
        &self,
        organization_id: &str,
    ) -> Result<Vec<WebhookEndpointRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organization_id, url, events, created_at FROM webhook_endpoints \
             WHERE organization_id = $1 AND removed_at IS NULL ORDER BY created_at, id",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        let mut endpoints = rows.iter().map(endpoint).collect::<Result<Vec<_>, _>>()?;
        let kinds = sqlx::query(
            "SELECT k.endpoint_id, k.kind FROM webhook_endpoint_events k \
             JOIN webhook_endpoints e ON e.id = k.endpoint_id \
             WHERE e.organization_id = $1 AND e.removed_at IS NULL ORDER BY k.kind",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        let mut by_endpoint: BTreeMap<String, Vec<AuditAction>> = BTreeMap::new();
        for row in &kinds {
            by_endpoint
                .entry(row.try_get("endpoint_id")?)
                .or_default()
                .push(decode(row, "kind")?);
        }
        let latest = sqlx::query(
            "SELECT d.endpoint_id, d.status, d.created_at, d.attempts, d.last_error \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE e.organization_id = $1 AND e.removed_at IS NULL AND d.id = (SELECT l.id \
             FROM webhook_deliveries l WHERE l.endpoint_id = d.endpoint_id \
             ORDER BY l.created_at DESC, l.id DESC LIMIT 1)",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        let mut deliveries: BTreeMap<String, WebhookDelivery> = BTreeMap::new();
        for row in &latest {
            deliveries.insert(
                row.try_get("endpoint_id")?,
                WebhookDelivery {
                    status: decode(row, "status")?,
                    created: row.try_get("created_at")?,
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                },
            );
        }
        for endpoint in &mut endpoints {
            if let EventFilter::Only(kinds) = &mut endpoint.events {
                *kinds = by_endpoint.remove(&endpoint.id).unwrap_or_default();
            }
            endpoint.last_delivery = deliveries.remove(&endpoint.id);
        }
        Ok(endpoints)
    }

    /// Stops an endpoint of the organisation: it forgets its secret and its pending deliveries
    /// are cancelled, in one transaction. False when the organisation has no such endpoint.
    pub async fn remove_webhook_endpoint(
        &self,
        organization_id: &str,
        endpoint_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query(
            "UPDATE webhook_endpoints SET removed_at = $1, secret = NULL \
             WHERE id = $2 AND organization_id = $3 AND removed_at IS NULL",
        )
        .bind(now)
        .bind(endpoint_id)
        .bind(organization_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if removed {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'cancelled', lease_owner = NULL, \
                 lease_until = NULL WHERE endpoint_id = $1 AND status = 'pending'",
            )
            .bind(endpoint_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Claims up to `limit` due deliveries for `owner` until `lease_until` (each by
    /// [`Store::take_lease`]). Deliveries to an endpoint removed meanwhile are never claimed.
    pub async fn claim_webhook_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let candidates: Vec<String> = sqlx::query_scalar(
            "SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status = 'pending' AND e.removed_at IS NULL AND d.next_attempt_at <= $1 \
             AND (d.lease_until IS NULL OR d.lease_until <= $1) \
             ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT $2",
        )
        .bind(now)
        .bind(limit + 16)
        .fetch_all(self.reader())
        .await?;
        let mut claimed = Vec::new();
        for id in candidates {
            if claimed.len() as i64 >= limit {
                break;
            }
            let taken = self
                .take_lease(Leased::WebhookDeliveries, &id, owner, now, lease_until)
                .await?;
            if !taken {
                continue;
            }
            let Some(row) = sqlx::query(
                "SELECT d.id, d.endpoint_id, e.url, e.secret, d.body, d.attempts \
                 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                 WHERE d.id = $1 AND e.removed_at IS NULL",
            )
            .bind(&id)
            .fetch_optional(self.writer())
            .await?
            else {
                continue;
            };
            let Some(secret) = row.try_get::<Option<String>, _>("secret")? else {
                continue;
            };
            claimed.push(ClaimedDelivery {
                id: row.try_get("id")?,
                endpoint_id: row.try_get("endpoint_id")?,
                url: row.try_get("url")?,
                secret,
                body: row.try_get("body")?,
                attempts: row.try_get("attempts")?,
            });
        }
        Ok(claimed)
    }

    /// Records a delivery the endpoint took (only while `owner` holds it).
    pub async fn webhook_delivered(
        &self,
        id: &str,
        owner: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, \
             attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, last_error = NULL \
             WHERE id = $2 AND lease_owner = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        .write(self)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: tried again at `retry_at`, or never (`None`: failed).
    pub async fn webhook_attempt_failed(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let (status, next) = match retry_at {
            Some(at) => ("pending", Some(at)),
            None => ("failed", None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, \
             next_attempt_at = COALESCE($2, next_attempt_at), attempts = attempts + 1, \
             last_error = $3, lease_owner = NULL, lease_until = NULL \
             WHERE id = $4 AND lease_owner = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(next)
        .bind(error)
        .bind(id)
        .bind(owner)
        .write(self)
        .await?;
        Ok(())
    }
}
