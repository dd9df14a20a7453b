//! Idempotency keys, orders and the writes that complete a purchase.

use super::gateway::StoredCard;
use super::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What `begin_idempotent` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// A new key: the request runs.
    Started,
    /// The same key and request are running (or crashed mid-way: see `created_at`).
    InProgress {
        /// When the first request started.
        created_at: i64,
        /// The order it created, if it got that far.
        order_id: Option<String>,
    },
    /// The key was used with a different request.
    Mismatch,
    /// The key's request finished: replay its response.
    Done {
        /// HTTP status.
        status: u16,
        /// The exact body sent the first time.
        body: String,
    },
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// `ord_…`.
    pub id: String,
    /// The buyer's organisation.
    pub organization_id: String,
    /// The buyer.
    pub purchaser_id: String,
    /// Set once paid.
    pub subscription_id: Option<String>,
    /// `purchase`, `seat_increase`, …
    pub kind: String,
    /// Product id.
    pub product: String,
    /// Seats.
    pub quantity: i64,
    /// Price per seat.
    pub unit_amount: i64,
    /// Before tax.
    pub subtotal: i64,
    /// Tax.
    pub tax: i64,
    /// Rate used.
    pub tax_rate_bps: i64,
    /// Charged: subtotal + tax.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
    /// Period the order pays for.
    pub period_start: i64,
    /// End of that period.
    pub period_end: i64,
    /// `created`, `paid`, `failed`, `scheduled`.
    pub phase: String,
    /// Token or saved card charged.
    pub payment_source: Option<String>,
    /// Why it failed.
    pub decline_code: Option<String>,
    /// When.
    pub created_at: i64,
}

pub(super) const ORDER_COLUMNS: &str = "id, organization_id, purchaser_id, subscription_id, kind, product, \
    quantity, unit_amount, subtotal, tax, tax_rate_bps, amount, currency, period_start, \
    period_end, phase, payment_source, decline_code, created_at";

fn order_from_row(row: &AnyRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        purchaser_id: row.try_get("purchaser_id")?,
        subscription_id: row.try_get("subscription_id")?,
        kind: row.try_get("kind")?,
        product: row.try_get("product")?,
        quantity: row.try_get("quantity")?,
        unit_amount: row.try_get("unit_amount")?,
        subtotal: row.try_get("subtotal")?,
        tax: row.try_get("tax")?,
        tax_rate_bps: row.try_get("tax_rate_bps")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        period_start: row.try_get("period_start")?,
        period_end: row.try_get("period_end")?,
        phase: row.try_get("phase")?,
        payment_source: row.try_get("payment_source")?,
        decline_code: row.try_get("decline_code")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A new subscription, written when its first order is paid.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// `sub_…`.
    pub id: String,
    /// `in_…` of the first invoice.
    pub invoice_id: String,
    /// The line on the invoice.
    pub line_description: String,
}

impl Store {
    /// Claims an idempotency key for a request, or reports what happened to it before.
    pub async fn begin_idempotent(
        &self,
        user_id: &str,
        key: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<IdempotencyBegin, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at) \
             VALUES ($1, $2, $3, 'in_progress', $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(self.writer())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(IdempotencyBegin::Started);
        }
        let row = sqlx::query(
            "SELECT request_hash, state, response_status, response_body, order_id, created_at \
             FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_one(self.writer())
        .await?;
        let stored_hash: String = row.try_get("request_hash")?;
        if stored_hash != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        let state: String = row.try_get("state")?;
        if state == "done" {
            let status: i64 = row.try_get("response_status")?;
            return Ok(IdempotencyBegin::Done {
                status: status as u16,
                body: row
                    .try_get::<Option<String>, _>("response_body")?
                    .unwrap_or_default(),
            });
        }
        Ok(IdempotencyBegin::InProgress {
            created_at: row.try_get("created_at")?,
            order_id: row.try_get("order_id")?,
        })
    }

    /// Stores the response of a key's request, for replays. A key already answered keeps its
    /// first answer.
    pub async fn finish_idempotent(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4 \
             WHERE user_id = $1 AND key = $2 AND state = 'in_progress'",
        )
        .bind(user_id)
        .bind(key)
        .bind(i64::from(status))
        .bind(body)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Stores the response for the key that created `order_id` (crash recovery).
    pub async fn finish_idempotent_for_order(
        &self,
        order_id: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $2, response_body = $3 \
             WHERE order_id = $1 AND state = 'in_progress'",
        )
        .bind(order_id)
        .bind(i64::from(status))
        .bind(body)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Forgets a key whose request did nothing lasting, so a retry runs afresh.
    pub async fn abandon_idempotent(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'in_progress'",
        )
        .bind(user_id)
        .bind(key)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Forgets the in-progress key of an order that moved no money (crash recovery).
    pub async fn abandon_idempotent_for_order(&self, order_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE order_id = $1 AND state = 'in_progress'")
            .bind(order_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records an order in phase `created` and ties it to its idempotency key, together: from
    /// here on a crash leaves a trace that recovery can finish or roll back.
    pub async fn insert_order(
        &self,
        order: &OrderRow,
        idempotency: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        super::billing::insert_order_row(&mut tx, order).await?;
        if let Some((user_id, key)) = idempotency {
            sqlx::query(
                "UPDATE idempotency_keys SET order_id = $3 WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .bind(&order.id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks an order failed (declined, or abandoned before any charge).
    pub async fn fail_order(
        &self,
        order_id: &str,
        decline_code: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE orders SET phase = 'failed', decline_code = $2, updated_at = $3 \
             WHERE id = $1 AND phase = 'created'",
        )
        .bind(order_id)
        .bind(decline_code)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// An order by id.
    pub async fn order(&self, id: &str) -> Result<Option<OrderRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.writer())
            .await?;
        Ok(row.map(|row| order_from_row(&row)).transpose()?)
    }

    /// Orders still in phase `created` since before `created_before`: their outcome is unknown
    /// (the server that made them stopped mid-way, or is still at it if recent).
    pub async fn unfinished_orders(
        &self,
        created_before: i64,
    ) -> Result<Vec<OrderRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE phase = 'created' AND created_at <= $1 \
             ORDER BY created_at"
        ))
        .bind(created_before)
        .fetch_all(self.writer())
        .await?;
        Ok(rows.iter().map(order_from_row).collect::<Result<_, _>>()?)
    }

    /// Completes a paid purchase in one transaction: the subscription, the purchaser's seat,
    /// the paid invoice and its line, and the order marked paid. Does nothing if the order is
    /// already paid (a replay or a second recovery), so it is safe to call twice.
    pub async fn complete_purchase(
        &self,
        order: &OrderRow,
        new: &NewSubscription,
        card: &StoredCard,
        now: i64,
    ) -> Result<String, StoreError> {
        let mut tx = self.writer().begin().await?;
        // Claiming the order first makes a second completion (a replay, a second recovery) a
        // no-op on both engines.
        let claimed = super::billing::claim_order(&mut tx, &order.id, &card.id, now).await?;
        if !claimed {
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
        .bind(&order.product)
        .bind(order.quantity)
        .bind(&order.purchaser_id)
        .bind(order.unit_amount)
        .bind(&order.currency)
        .bind(order.tax_rate_bps)
        .bind(order.period_start)
        .bind(order.period_end)
        .bind(&card.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE orders SET subscription_id = $2 WHERE id = $1")
            .bind(&order.id)
            .bind(&new.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO assignments (subscription_id, user_id, assigned_at) VALUES ($1, $2, $3)",
        )
        .bind(&new.id)
        .bind(&order.purchaser_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ('invoice', 1) ON CONFLICT (name) \
             DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .fetch_one(&mut *tx)
        .await?;
        let year = crate::domain::calendar::date_of(now).year;
        sqlx::query(
            "INSERT INTO invoices (id, number, subscription_id, order_id, status, subtotal, tax, \
             total, currency, period_start, period_end, card_brand, card_last4, card_exp_month, \
             card_exp_year, created_at, paid_at) \
             VALUES ($1, $2, $3, $4, 'paid', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(&new.invoice_id)
        .bind(format!("SS-{year}-{sequence:06}"))
        .bind(&new.id)
        .bind(&order.id)
        .bind(order.subtotal)
        .bind(order.tax)
        .bind(order.amount)
        .bind(&order.currency)
        .bind(order.period_start)
        .bind(order.period_end)
        .bind(&card.brand)
        .bind(&card.last4)
        .bind(i64::from(card.exp_month))
        .bind(i64::from(card.exp_year))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_amount, \
             amount) VALUES ($1, 0, $2, $3, $4, $5)",
        )
        .bind(&new.invoice_id)
        .bind(&new.line_description)
        .bind(order.quantity)
        .bind(order.unit_amount)
        .bind(order.subtotal)
        .execute(&mut *tx)
        .await?;
        // Buying a trial moves its users in the same transaction: never both, never neither.
        let converts: Option<String> =
            sqlx::query_scalar("SELECT converts_subscription_id FROM orders WHERE id = $1")
                .bind(&order.id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(trial) = converts {
            super::admin::convert_trial(&mut tx, &trial, &new.id, now).await?;
        }
        tx.commit().await?;
        Ok(new.id.clone())
    }
}
