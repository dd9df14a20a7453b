//! A subscription's life after purchase: cancelling and undoing it, scheduled seat decreases,
//! the card on file, renewing, ending and suspending. Each change is one transaction with its
//! event; the conditions of `domain::lifecycle` are re-checked inside it, under the row lock.

use super::WriteStatement;
use super::events::insert_events;
use super::invoices::{NewInvoice, insert_invoice};
use super::locks::lock_unless_increasing;
use super::orders::{OrderRow, insert_order};
use super::subscriptions::{SUBSCRIPTION_COLUMNS, SubscriptionRow, subscription_from_row};
use super::{Store, StoreError};
use crate::domain::lifecycle::{LIVE, RENEWS, TAKES_A_CARD, sql_list};
use crate::events::Event;
use selfserve_api::subscription::InvoiceStatus;

/// A renewal about to be charged: the period moves on and an open bill is written.
#[derive(Debug, Clone)]
pub struct Renewal {
    /// The order that pays it (phase `created`).
    pub order: OrderRow,
    pub invoice_id: String,
    pub line_description: String,
    /// `periods_elapsed` before the renewal (the optimistic lock).
    pub from_period: i64,
    /// Seats and scheduled seats the amount was computed from: if they changed since, the
    /// renewal is left for the next run to compute again.
    pub from_quantity: i64,
    pub from_pending: Option<i64>,
}

impl Store {
    /// Cancels at period end, as Stripe does: the status is untouched and only the flag is
    /// set, so the subscription stays usable (and its licences held) until
    /// `current_period_end`; false if it cannot be cancelled (already cancelled or ended).
    pub async fn cancel(
        &self,
        subscription_id: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(&format!(
            "UPDATE subscriptions SET cancel_at_period_end = 1, updated_at = $2 WHERE id = $1 \
             AND cancel_at_period_end = 0 AND status IN ({})",
            sql_list(LIVE)
        ))
        .bind(subscription_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            insert_events(&mut tx, Some(event)).await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Undoes a cancellation before the period ends; false if there is none to undo.
    pub async fn reactivate(
        &self,
        subscription_id: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(&format!(
            "UPDATE subscriptions SET cancel_at_period_end = 0, updated_at = $2 WHERE id = $1 \
             AND cancel_at_period_end = 1 AND status IN ({}) AND current_period_end > $2",
            sql_list(LIVE)
        ))
        .bind(subscription_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            insert_events(&mut tx, Some(event)).await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Schedules the seats for the next renewal, with the order that records it and its
    /// event (`None` cancels a scheduled decrease). Refused (false) if it is fewer than the
    /// seats assigned now.
    pub async fn set_pending_quantity(
        &self,
        subscription_id: &str,
        pending: Option<i64>,
        order: Option<&OrderRow>,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE subscriptions SET pending_quantity = $2, updated_at = $3 \
             WHERE id = $1 AND ($2 IS NULL OR assigned_count <= $2)",
        )
        .bind(subscription_id)
        .bind(pending)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            if let Some(order) = order {
                insert_order(&mut tx, order).await?;
            }
            insert_events(&mut tx, Some(event)).await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Replaces the card on file of a subscription that takes one (`TAKES_A_CARD`); `false`
    /// when it does not (a trial, or ended).
    pub async fn set_payment_method(
        &self,
        subscription_id: &str,
        payment_method_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(&format!(
            "UPDATE subscriptions SET payment_method_id = $2, updated_at = $3 \
             WHERE id = $1 AND status IN ({})",
            sql_list(TAKES_A_CARD)
        ))
        .bind(subscription_id)
        .bind(payment_method_id)
        .bind(now)
        .write(self)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Asks the purchaser of a live self-service subscription to cancel, with its event;
    /// `false` (nothing written) for a central or ended one.
    pub async fn request_cancellation(
        &self,
        subscription_id: &str,
        requested_by: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(&format!(
            "UPDATE subscriptions SET cancel_requested_at = $2, cancel_requested_by = $3 \
             WHERE id = $1 AND source = 'self_service' AND status IN ({})",
            sql_list(LIVE)
        ))
        .bind(subscription_id)
        .bind(now)
        .bind(requested_by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_events(&mut tx, Some(event)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends a subscription cancelled at period end (`canceled`) or a trial that ran out
    /// without being bought (`expired`) once its period is over, and releases its licences.
    /// False if it does not end now, or a seat increase is in flight (a later run ends it).
    pub async fn expire(
        &self,
        subscription_id: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if !lock_unless_increasing(&mut tx, subscription_id).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        let updated = sqlx::query(&format!(
            "UPDATE subscriptions SET assigned_count = 0, updated_at = $2, \
             status = CASE WHEN cancel_at_period_end = 0 AND status = 'trialing' \
             THEN 'expired' ELSE 'canceled' END \
             WHERE id = $1 AND (cancel_at_period_end = 1 OR status = 'trialing') \
             AND status IN ({}) AND current_period_end <= $2",
            sql_list(LIVE)
        ))
        .bind(subscription_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            sqlx::query("DELETE FROM assignments WHERE subscription_id = $1")
                .bind(subscription_id)
                .execute(&mut *tx)
                .await?;
            insert_events(&mut tx, Some(event)).await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Past-due subscriptions whose grace period is over (`past_due_since <= past_due_before`).
    pub async fn overdue(&self, past_due_before: i64) -> Result<Vec<SubscriptionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE status = 'past_due' \
             AND past_due_since IS NOT NULL AND past_due_since <= $1 ORDER BY id"
        ))
        .bind(past_due_before)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    /// Suspends one overdue subscription with its `event`; false if it is no longer overdue
    /// (paid meanwhile). One row per transaction: a bulk UPDATE would lock many subscriptions
    /// in scan order, which no other transaction's lock order can be made to agree with.
    pub async fn suspend(
        &self,
        subscription_id: &str,
        past_due_before: i64,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE subscriptions SET status = 'suspended', updated_at = $3 WHERE id = $1 \
             AND status = 'past_due' AND past_due_since IS NOT NULL AND past_due_since <= $2",
        )
        .bind(subscription_id)
        .bind(past_due_before)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_events(&mut tx, Some(event)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a subscription into its next period and records the renewal's order and open
    /// invoice, atomically; false if another run already renewed this period, it was
    /// cancelled meanwhile, or a seat increase is in flight (a later run renews).
    pub async fn start_renewal(&self, renewal: &Renewal, now: i64) -> Result<bool, StoreError> {
        let order = &renewal.order;
        let Some(subscription_id) = order.subscription_id.as_deref() else {
            return Err(StoreError::Corrupt(format!(
                "renewal order {} has no subscription",
                order.id
            )));
        };
        let mut tx = self.begin_write().await?;
        if !lock_unless_increasing(&mut tx, subscription_id).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        // Not cancelled since the caller looked: a cancellation that landed after the period
        // end ends the subscription (the next run) instead of paying for another period.
        let moved = sqlx::query(&format!(
            "UPDATE subscriptions SET periods_elapsed = periods_elapsed + 1, \
             current_period_start = $3, current_period_end = $4, quantity = $5, \
             pending_quantity = NULL, updated_at = $6 \
             WHERE id = $1 AND periods_elapsed = $2 AND quantity = $7 \
             AND (pending_quantity = $8 OR (pending_quantity IS NULL AND $8 IS NULL)) \
             AND cancel_at_period_end = 0 AND status IN ({})",
            sql_list(RENEWS)
        ))
        .bind(subscription_id)
        .bind(renewal.from_period)
        .bind(order.period_start)
        .bind(order.period_end)
        .bind(order.quantity)
        .bind(now)
        .bind(renewal.from_quantity)
        .bind(renewal.from_pending)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        // The bill does not exist yet: `insert_invoice` ties the order to it.
        insert_order(
            &mut tx,
            &OrderRow {
                invoice_id: None,
                ..order.clone()
            },
        )
        .await?;
        insert_invoice(
            &mut tx,
            NewInvoice {
                id: &renewal.invoice_id,
                subscription_id,
                order,
                status: InvoiceStatus::Open,
                line: &renewal.line_description,
                card: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a subscription billed elsewhere (central) into its next period without a charge;
    /// false if another run already did.
    pub async fn advance_period(
        &self,
        subscription: &SubscriptionRow,
        start: i64,
        end: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let moved = sqlx::query(
            "UPDATE subscriptions SET periods_elapsed = periods_elapsed + 1, \
             current_period_start = $3, current_period_end = $4, \
             quantity = COALESCE(pending_quantity, quantity), pending_quantity = NULL, \
             updated_at = $5 WHERE id = $1 AND periods_elapsed = $2",
        )
        .bind(&subscription.id)
        .bind(subscription.periods_elapsed)
        .bind(start)
        .bind(end)
        .bind(now)
        .write(self)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }
}
