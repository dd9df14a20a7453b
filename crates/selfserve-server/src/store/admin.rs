//! What admins and partners see and do: the audit log, central purchases, take-overs and
//! cancellation requests, capacity, trials.

use super::billing::{Assigned, claim_seats, insert_order_row};
use super::purchases::OrderRow;
use super::{Store, StoreError};
use sqlx::Row;

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The organisation it happened in.
    pub organization_id: String,
    /// When (server time).
    pub at: i64,
    /// Who, if a user (`None`: the server or the CLI).
    pub actor_id: Option<String>,
    /// Who, for display ("Megan Bowen", "CLI", "Billing").
    pub actor_name: String,
    /// What: `purchase`, `seats_changed`, `licences_assigned`, `policy_changed`, …
    pub action: String,
    /// The subscription concerned.
    pub subscription_id: Option<String>,
    /// The product concerned.
    pub product: Option<String>,
    /// The state before, as JSON.
    pub before: Option<String>,
    /// The state after, as JSON.
    pub after: Option<String>,
}

/// An audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// `evt_…`.
    pub id: String,
    /// The event.
    pub event: AuditEvent,
}

/// Seats of one product and source in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityRow {
    /// Product id.
    pub product: String,
    /// `self_service` or `central`.
    pub source: String,
    /// Seats paid for.
    pub seats: i64,
    /// Seats given to users.
    pub assigned: i64,
}

/// A subscription to create without a card: central (billed through the agreement) or a trial.
#[derive(Debug, Clone)]
pub struct NewUnbilled {
    /// `sub_…`.
    pub id: String,
    /// The organisation.
    pub organization_id: String,
    /// Product id.
    pub product: String,
    /// `central` or `self_service` (a trial).
    pub source: &'static str,
    /// `active` or `trialing`.
    pub status: &'static str,
    /// Seats.
    pub quantity: i64,
    /// Who recorded or started it.
    pub purchaser_id: String,
    /// Price per seat and period.
    pub unit_amount: i64,
    /// Currency code.
    pub currency: String,
    /// Period start.
    pub period_start: i64,
    /// Period end (a month for central, 30 days for a trial).
    pub period_end: i64,
    /// Give the purchaser a seat at once (trials).
    pub assign_purchaser: bool,
    /// The order recording it (central purchases), already `paid`.
    pub order: Option<OrderRow>,
}

impl Store {
    /// Appends to the audit log.
    pub async fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ('audit', 1) ON CONFLICT (name) \
             DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO audit_events (id, seq, organization_id, at, actor_id, actor_name, \
             action, subscription_id, product, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(crate::ids::new_id("evt"))
        .bind(seq)
        .bind(&event.organization_id)
        .bind(event.at)
        .bind(&event.actor_id)
        .bind(&event.actor_name)
        .bind(&event.action)
        .bind(&event.subscription_id)
        .bind(&event.product)
        .bind(&event.before)
        .bind(&event.after)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organisation's audit log, newest first, optionally only some actions.
    pub async fn audit_events(
        &self,
        organization_id: &str,
        actions: &[String],
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organization_id, at, actor_id, actor_name, action, subscription_id, \
             product, before_json, after_json FROM audit_events WHERE organization_id = $1 \
             ORDER BY seq DESC LIMIT $2",
        )
        .bind(organization_id)
        // Filtering happens below; over-fetch so a filtered page is still full.
        .bind(if actions.is_empty() {
            limit
        } else {
            limit * 20
        })
        .fetch_all(self.reader())
        .await?;
        let mut events = Vec::new();
        for row in rows {
            let action: String = row.try_get("action")?;
            if !actions.is_empty() && !actions.contains(&action) {
                continue;
            }
            events.push(AuditRow {
                id: row.try_get("id")?,
                event: AuditEvent {
                    organization_id: row.try_get("organization_id")?,
                    at: row.try_get("at")?,
                    actor_id: row.try_get("actor_id")?,
                    actor_name: row.try_get("actor_name")?,
                    action,
                    subscription_id: row.try_get("subscription_id")?,
                    product: row.try_get("product")?,
                    before: row.try_get("before_json")?,
                    after: row.try_get("after_json")?,
                },
            });
            if events.len() as i64 >= limit {
                break;
            }
        }
        Ok(events)
    }

    /// Creates a subscription without a card (central or trial), with its order if any.
    pub async fn create_unbilled(&self, new: &NewUnbilled, now: i64) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO subscriptions (id, organization_id, product, source, status, quantity, \
             pending_quantity, assigned_count, purchaser_id, unit_amount, currency, tax_rate_bps, \
             billing_anchor, periods_elapsed, current_period_start, current_period_end, \
             cancel_at_period_end, payment_method_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, 0, $11, 0, $11, $12, 0, NULL, \
             $13, $13)",
        )
        .bind(&new.id)
        .bind(&new.organization_id)
        .bind(&new.product)
        .bind(new.source)
        .bind(new.status)
        .bind(new.quantity)
        .bind(i64::from(new.assign_purchaser))
        .bind(&new.purchaser_id)
        .bind(new.unit_amount)
        .bind(&new.currency)
        .bind(new.period_start)
        .bind(new.period_end)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if new.assign_purchaser {
            sqlx::query(
                "INSERT INTO assignments (subscription_id, user_id, assigned_at) VALUES ($1, $2, $3)",
            )
            .bind(&new.id)
            .bind(&new.purchaser_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(order) = &new.order {
            insert_order_row(&mut tx, order).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether `user_id` ever had a trial of `product` (a self-service subscription without a
    /// card is a trial: every purchase keeps its card).
    pub async fn had_trial(&self, user_id: &str, product: &str) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM subscriptions WHERE purchaser_id = $1 AND product = $2 \
             AND source = 'self_service' AND payment_method_id IS NULL",
        )
        .bind(user_id)
        .bind(product)
        .fetch_one(self.reader())
        .await?;
        Ok(count > 0)
    }

    /// Gives `user_ids` seats on the central subscription, all or nothing, and asks the
    /// self-service purchaser to cancel, in one transaction.
    pub async fn take_over(
        &self,
        self_service_id: &str,
        central_id: &str,
        user_ids: &[String],
        requested_by: &str,
        now: i64,
    ) -> Result<Assigned, StoreError> {
        let mut tx = self.writer().begin().await?;
        let Some(added) =
            claim_seats(&mut tx, central_id, user_ids, "'active', 'past_due'", now).await?
        else {
            tx.rollback().await?;
            let free: Option<i64> = sqlx::query_scalar(
                "SELECT COALESCE(pending_quantity, quantity) - assigned_count FROM subscriptions \
                 WHERE id = $1",
            )
            .bind(central_id)
            .fetch_optional(self.reader())
            .await?;
            return Ok(Assigned::NoSeats {
                free: free.unwrap_or(0).max(0),
            });
        };
        sqlx::query(
            "UPDATE subscriptions SET cancel_requested_at = $2, cancel_requested_by = $3 \
             WHERE id = $1",
        )
        .bind(self_service_id)
        .bind(now)
        .bind(requested_by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Assigned::Added(added))
    }

    /// Asks a self-service purchaser to cancel.
    pub async fn request_cancellation(
        &self,
        subscription_id: &str,
        requested_by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE subscriptions SET cancel_requested_at = $2, cancel_requested_by = $3 \
             WHERE id = $1",
        )
        .bind(subscription_id)
        .bind(now)
        .bind(requested_by)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Seats per product and source in an organisation (subscriptions that still count).
    pub async fn capacity(&self, organization_id: &str) -> Result<Vec<CapacityRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT product, source, CAST(SUM(quantity) AS BIGINT) AS seats, \
             CAST(SUM(assigned_count) AS BIGINT) AS assigned FROM subscriptions \
             WHERE organization_id = $1 \
             AND status IN ('active', 'trialing', 'past_due', 'suspended') \
             GROUP BY product, source ORDER BY product, source",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CapacityRow {
                    product: row.try_get("product")?,
                    source: row.try_get("source")?,
                    seats: row.try_get("seats")?,
                    assigned: row.try_get("assigned")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Records on a purchase order that it converts a trial (for recovery).
    pub async fn set_order_converts(
        &self,
        order_id: &str,
        trial_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET converts_subscription_id = $2 WHERE id = $1")
            .bind(order_id)
            .bind(trial_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Inside `tx`: ends a trial that was bought; its users move to the new subscription (as many
/// as fit) and it is marked converted. A no-op if it is no longer a trial.
pub(crate) async fn convert_trial(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trial_id: &str,
    new_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE subscriptions SET status = 'expired', converted_to = $2, assigned_count = 0, \
         updated_at = $3 WHERE id = $1 AND status = 'trialing'",
    )
    .bind(trial_id)
    .bind(new_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(());
    }
    let users: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM assignments WHERE subscription_id = $1")
            .bind(trial_id)
            .fetch_all(&mut **tx)
            .await?;
    sqlx::query("DELETE FROM assignments WHERE subscription_id = $1")
        .bind(trial_id)
        .execute(&mut **tx)
        .await?;
    for user in users {
        // One at a time, so that those who fit keep a licence even if not all do.
        claim_seats(tx, new_id, std::slice::from_ref(&user), "'active'", now).await?;
    }
    Ok(())
}
