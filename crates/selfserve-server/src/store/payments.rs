//! Recording and completing the orders that move money: purchases, seat increases and bill
//! payments. Recording happens before the charge; completing after it, in one transaction
//! guarded by the order's phase, so completing twice (a replay, a recovery) changes nothing.

use super::assignments::insert_assignment;
use super::central::convert_trial;
use super::events::insert_events;
use super::idempotency::bind_key;
use super::invoices::{NewInvoice, insert_invoice, mark_paid};
use super::locks::{lock_invoice_of, lock_subscription};
use super::orders::{OrderRow, PaymentSource, claim_failed, claim_paid, insert_order};
use super::{Store, StoreError};
use crate::domain::lifecycle::{
    PAYABLE, RECEIVES_TRIAL_USERS, RESTORED_BY_PAYMENT, SEATS_CHANGEABLE, failure_makes_past_due,
    sql_list,
};
use crate::events::Event;
use crate::payments::Card;
use selfserve_api::guardrails::ReachedLimit;
use selfserve_api::subscription::InvoiceStatus;

/// A new subscription, written when its first order is paid.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub id: String,
    /// Its first (paid) bill.
    pub invoice_id: String,
    pub line_description: String,
}

/// Active again once nothing is unpaid (a cancelled subscription stays cancelled).
fn restore_status_sql() -> String {
    format!(
        "UPDATE subscriptions SET \
         status = CASE WHEN status IN ({}) THEN 'active' ELSE status END, \
         past_due_since = NULL, updated_at = $2 \
         WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.subscription_id = $1 \
         AND i.status IN ({}))",
        sql_list(RESTORED_BY_PAYMENT),
        sql_list(PAYABLE)
    )
}

impl Store {
    /// Completes a paid purchase in one transaction: the subscription, the purchaser's seat,
    /// the paid invoice and its line, the trial it replaces, the order marked paid and the
    /// event. Returns the subscription's id; if the order was already completed (a replay, a
    /// second recovery), the id it got then.
    pub async fn complete_purchase(
        &self,
        order: &OrderRow,
        new: &NewSubscription,
        card: &Card,
        event: &Event,
        now: i64,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        if !claim_paid(&mut tx, &order.id, &card.charged_as(), now).await? {
            tx.rollback().await?;
            let existing: Option<String> =
                sqlx::query_scalar("SELECT subscription_id FROM orders WHERE id = $1")
                    .bind(&order.id)
                    .fetch_one(self.writer())
                    .await?;
            return existing.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "order {} is settled without subscription",
                    order.id
                ))
            });
        }
        sqlx::query(
            "INSERT INTO subscriptions (id, organization_id, product, source, status, quantity, \
             pending_quantity, assigned_count, purchaser_id, unit_amount, currency, tax_rate_bps, \
             billing_anchor, periods_elapsed, current_period_start, current_period_end, \
             cancel_at_period_end, payment_method_id, created_at, updated_at) \
             VALUES ($1, $2, $3, 'self_service', 'active', $4, NULL, 1, $5, $6, $7, $8, $9, 0, \
             $9, $10, 0, $11, $12, $12)",
        )
        .bind(&new.id)
        .bind(&order.organization_id)
        .bind(order.product.as_str())
        .bind(order.quantity)
        .bind(&order.purchaser_id)
        .bind(order.unit_amount)
        .bind(order.currency.as_str())
        .bind(order.tax_rate_bps)
        .bind(order.period_start)
        .bind(order.period_end)
        .bind(card.saved_id())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE orders SET subscription_id = $2 WHERE id = $1")
            .bind(&order.id)
            .bind(&new.id)
            .execute(&mut *tx)
            .await?;
        insert_assignment(&mut tx, &new.id, &order.purchaser_id, now).await?;
        // Buying a trial moves its users in the same transaction: never both, never neither.
        if let Some(trial) = &order.converts_subscription_id {
            convert_trial(&mut tx, trial, &new.id, RECEIVES_TRIAL_USERS, now).await?;
        }
        insert_events(&mut tx, Some(event)).await?;
        // Last: it takes the invoice counter's lock (see `insert_invoice`).
        insert_invoice(
            &mut tx,
            NewInvoice {
                id: &new.invoice_id,
                subscription_id: &new.id,
                order,
                status: InvoiceStatus::Paid,
                line: &new.line_description,
                card: Some(&card.summary),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(new.id.clone())
    }

    /// Records a seat-increase order in phase `created`, tied to its idempotency key; false if
    /// the seats changed since `expected_quantity` was read or another increase is in flight
    /// (so two increases computed from the same count cannot both charge).
    pub async fn insert_seat_increase(
        &self,
        order: &OrderRow,
        expected_quantity: i64,
        idempotency: (&str, &str),
        guard: Option<&super::guardrails::Guard<'_>>,
    ) -> Result<Result<bool, ReachedLimit>, StoreError> {
        let mut tx = self.begin_write().await?;
        // The guardrail's lock comes before the subscription's (the lock order).
        if let Some(guard) = guard
            && let Err(reached) = super::guardrails::check_under_lock(&mut tx, guard).await?
        {
            tx.rollback().await?;
            return Ok(Err(reached));
        }
        // The period too, still running: the increase is prorated to this period's end, and a
        // renewal that slipped in since the quote would leave the new seats unpaid for the next
        // one (after the end and before the renewal, the prorated price is nothing). Not being
        // cancelled is checked again here, under the lock, for a cancellation since the caller
        // looked.
        let current = sqlx::query(&format!(
            "UPDATE subscriptions SET updated_at = updated_at WHERE id = $1 AND quantity = $2 \
             AND current_period_end = $3 AND current_period_end > $4 \
             AND cancel_at_period_end = 0 AND status IN ({})",
            sql_list(SEATS_CHANGEABLE)
        ))
        .bind(&order.subscription_id)
        .bind(expected_quantity)
        .bind(order.period_end)
        .bind(order.created_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if current != 1 {
            tx.rollback().await?;
            return Ok(Ok(false));
        }
        match insert_order(&mut tx, order).await {
            Ok(()) => {}
            // The unique index on in-flight increases per subscription.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(Ok(false));
            }
            Err(e) => return Err(e.into()),
        }
        bind_key(&mut tx, Some(idempotency), &order.id).await?;
        tx.commit().await?;
        Ok(Ok(true))
    }

    /// A paid seat increase: more seats now, the order and a paid invoice, the new card on
    /// file if one was used, and the event. A no-op (false) if the order is already settled.
    pub async fn complete_seat_increase(
        &self,
        order: &OrderRow,
        card: &Card,
        invoice_id: &str,
        line: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let Some(subscription_id) = order.subscription_id.as_deref() else {
            return Err(StoreError::Corrupt(format!(
                "seat increase {} has no subscription",
                order.id
            )));
        };
        let mut tx = self.begin_write().await?;
        // The subscription before the order, the order `insert_seat_increase` takes them in.
        lock_subscription(&mut tx, subscription_id).await?;
        if !claim_paid(&mut tx, &order.id, &card.charged_as(), now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE subscriptions SET quantity = quantity + $2, pending_quantity = NULL, \
             payment_method_id = COALESCE($3, payment_method_id), updated_at = $4 WHERE id = $1",
        )
        .bind(subscription_id)
        .bind(order.quantity)
        .bind(card.saved_id())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_events(&mut tx, Some(event)).await?;
        // Last: it takes the invoice counter's lock (see `insert_invoice`).
        insert_invoice(
            &mut tx,
            NewInvoice {
                id: invoice_id,
                subscription_id,
                order,
                status: InvoiceStatus::Paid,
                line,
                card: Some(&card.summary),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a payment order for an existing invoice; false if it is paid or a payment is
    /// already in flight.
    pub async fn insert_invoice_payment(
        &self,
        order: &OrderRow,
        idempotency: Option<(&str, &str)>,
    ) -> Result<bool, StoreError> {
        let Some(invoice_id) = order.invoice_id.as_deref() else {
            return Err(StoreError::Corrupt(format!(
                "bill payment {} names no bill",
                order.id
            )));
        };
        let mut tx = self.begin_write().await?;
        // Still unpaid, checked under the invoice's row lock: a payment that completed since
        // the caller looked (the in-flight index no longer covers it) must not charge again.
        let unpaid = sqlx::query(&format!(
            "UPDATE invoices SET status = status WHERE id = $1 AND status IN ({})",
            sql_list(PAYABLE)
        ))
        .bind(invoice_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if unpaid != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        match insert_order(&mut tx, order).await {
            Ok(()) => {}
            // The unique index on in-flight payments per invoice.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        }
        bind_key(&mut tx, idempotency, &order.id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A paid renewal or bill: the order paid, the invoice paid with the card, the card saved
    /// as the one on file if it is new, the subscription active again when nothing is unpaid,
    /// and the event if any. A no-op (false) if the order is already settled.
    pub async fn complete_invoice_payment(
        &self,
        order: &OrderRow,
        card: &Card,
        event: Option<&Event>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (Some(invoice_id), Some(subscription_id)) = (
            order.invoice_id.as_deref(),
            order.subscription_id.as_deref(),
        ) else {
            return Err(StoreError::Corrupt(format!(
                "bill payment {} names no bill or subscription",
                order.id
            )));
        };
        let mut tx = self.begin_write().await?;
        lock_invoice_of(&mut tx, &order.id).await?;
        if !claim_paid(&mut tx, &order.id, &card.charged_as(), now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        mark_paid(&mut tx, invoice_id, &card.summary, now).await?;
        if let Some(saved) = card.saved_id() {
            sqlx::query("UPDATE subscriptions SET payment_method_id = $2 WHERE id = $1")
                .bind(subscription_id)
                .bind(saved)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&restore_status_sql())
            .bind(subscription_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        insert_events(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A declined renewal or bill payment: the order failed; for a renewal, the invoice is
    /// past due and so is the subscription (from now, unless it already was). With the event
    /// if any, written only if this call settled the order.
    pub async fn fail_invoice_payment(
        &self,
        order: &OrderRow,
        decline_code: &str,
        event: Option<&Event>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        lock_invoice_of(&mut tx, &order.id).await?;
        let claimed = claim_failed(&mut tx, &order.id, decline_code, now).await?;
        if claimed && failure_makes_past_due(order.kind) {
            sqlx::query(
                "UPDATE invoices SET status = 'past_due' WHERE order_id = $1 AND status = 'open'",
            )
            .bind(&order.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE subscriptions SET status = CASE WHEN status = 'active' THEN 'past_due' \
                 ELSE status END, past_due_since = COALESCE(past_due_since, $2), updated_at = $2 \
                 WHERE id = $1",
            )
            .bind(&order.subscription_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        if claimed {
            insert_events(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Card {
    /// What the order records as charged.
    fn charged_as(&self) -> PaymentSource {
        if self.saved {
            PaymentSource::SavedCard(self.id.clone())
        } else {
            PaymentSource::NewCard(self.id.clone())
        }
    }

    /// The id to keep on file, if the card is saved.
    fn saved_id(&self) -> Option<&str> {
        self.saved.then_some(self.id.as_str())
    }
}
