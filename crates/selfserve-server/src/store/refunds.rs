//! Refunds of paid bills. A refund is reserved on the invoice (`amount_refunded`, whose CHECK
//! keeps it within the total) and recorded `pending` in one transaction before the processor is
//! asked, under a key made of the invoice and the refund's sequence; then it is settled. A
//! crash in between leaves it pending, and finishing it sends the same key again, so the
//! processor refunds once.
//!
//! Lock order: the invoice row first (as paying a bill does), then its refund rows.

use super::events::insert_event;
use super::{Store, StoreError, Tx};
use crate::events::Event;
use sqlx::Row;

/// Which processor recorded a charge key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeProcessor {
    Builtin,
    Stripe,
}

/// A refund recorded and not yet settled (or just settled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRefund {
    pub id: String,
    pub invoice_id: String,
    pub sequence: i64,
    /// The processor's idempotency key: `refund_<invoice id>_<sequence>`.
    pub refund_key: String,
    /// The key of the charge that paid the invoice.
    pub charge_key: String,
    pub amount: i64,
    pub reason: String,
}

/// What reserving a refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reserved {
    Reserved(PendingRefund),
    /// No such invoice.
    NoInvoice,
    /// The invoice was not paid by a card charge.
    NotPaid,
    /// Asked for more than is left; `refundable` may be 0.
    TooMuch {
        refundable: i64,
    },
}

/// How the processor answered a pending refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundSettlement {
    Succeeded {
        processor_refund_id: String,
    },
    /// Refused: nothing moved; the amount is refundable again.
    Refused,
}

const PENDING_COLUMNS: &str = "id, invoice_id, sequence, refund_key, charge_key, amount, reason";

fn pending_from(row: &sqlx::any::AnyRow) -> Result<PendingRefund, StoreError> {
    Ok(PendingRefund {
        id: row.try_get("id")?,
        invoice_id: row.try_get("invoice_id")?,
        sequence: row.try_get("sequence")?,
        refund_key: row.try_get("refund_key")?,
        charge_key: row.try_get("charge_key")?,
        amount: row.try_get("amount")?,
        reason: row.try_get("reason")?,
    })
}

/// How much of a bill to refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundAmount {
    Exactly(i64),
    /// All that is left to refund.
    Rest,
    /// The part of the bill's total for `[start, end)` that `now` leaves unused
    /// ([`crate::domain::billing::unused_refund`]), within what is left to refund.
    Unused {
        now: i64,
        start: i64,
        end: i64,
    },
}

/// Inside `tx` (which the caller commits, or rolls back unless `Reserved`): reserves a refund
/// of a paid invoice under its row lock and records it pending under the next sequence.
pub(crate) async fn reserve_in(
    tx: &mut Tx,
    id: &str,
    invoice_id: &str,
    ask: RefundAmount,
    reason: &str,
    now: i64,
) -> Result<Reserved, StoreError> {
    if !lock_invoice(tx, invoice_id).await? {
        return Ok(Reserved::NoInvoice);
    }
    let row = sqlx::query("SELECT status, total, amount_refunded FROM invoices WHERE id = $1")
        .bind(invoice_id)
        .fetch_one(&mut **tx)
        .await?;
    let status: String = row.try_get("status")?;
    let total: i64 = row.try_get("total")?;
    let refunded: i64 = row.try_get("amount_refunded")?;
    let order: Option<String> = sqlx::query_scalar(
        "SELECT id FROM orders WHERE invoice_id = $1 AND phase = 'paid' \
         AND payment_source IS NOT NULL AND amount > 0",
    )
    .bind(invoice_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (true, Some(order)) = (status == "paid", order) else {
        return Ok(Reserved::NotPaid);
    };
    let refundable = total - refunded;
    let amount = match ask {
        RefundAmount::Exactly(amount) => amount,
        RefundAmount::Rest => refundable,
        RefundAmount::Unused { now, start, end } => {
            crate::domain::billing::unused_refund(total, now, start, end).min(refundable)
        }
    };
    if amount <= 0 || amount > refundable {
        return Ok(Reserved::TooMuch { refundable });
    }
    sqlx::query(
        "UPDATE invoices SET amount_refunded = amount_refunded + $2 \
         WHERE id = $1 AND amount_refunded + $2 <= total",
    )
    .bind(invoice_id)
    .bind(amount)
    .execute(&mut **tx)
    .await?;
    let sequence: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) + 1 AS BIGINT) FROM invoice_refunds WHERE invoice_id = $1",
    )
    .bind(invoice_id)
    .fetch_one(&mut **tx)
    .await?;
    let pending = PendingRefund {
        id: id.to_owned(),
        invoice_id: invoice_id.to_owned(),
        sequence,
        refund_key: format!("refund_{invoice_id}_{sequence}"),
        charge_key: crate::payments::charge_key(&order),
        amount,
        reason: reason.to_owned(),
    };
    sqlx::query(
        "INSERT INTO invoice_refunds (id, invoice_id, sequence, refund_key, charge_key, \
         amount, reason, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)",
    )
    .bind(&pending.id)
    .bind(&pending.invoice_id)
    .bind(pending.sequence)
    .bind(&pending.refund_key)
    .bind(&pending.charge_key)
    .bind(pending.amount)
    .bind(&pending.reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Reserved::Reserved(pending))
}

pub(crate) async fn lock_invoice(tx: &mut Tx, invoice_id: &str) -> Result<bool, StoreError> {
    let locked = sqlx::query("UPDATE invoices SET amount_refunded = amount_refunded WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(locked == 1)
}

impl Store {
    /// Which processor charged under `charge_key`, if any did.
    pub async fn charge_processor(
        &self,
        charge_key: &str,
    ) -> Result<Option<ChargeProcessor>, StoreError> {
        let stripe: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM stripe_charges WHERE charge_key = $1")
                .bind(charge_key)
                .fetch_one(self.writer())
                .await?;
        if stripe > 0 {
            return Ok(Some(ChargeProcessor::Stripe));
        }
        let builtin: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key = $1")
                .bind(charge_key)
                .fetch_one(self.writer())
                .await?;
        Ok((builtin > 0).then_some(ChargeProcessor::Builtin))
    }

    /// The id of the order whose card charge paid `invoice_id`, if one did.
    pub async fn paying_order_of(&self, invoice_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM orders WHERE invoice_id = $1 AND phase = 'paid' \
             AND payment_source IS NOT NULL AND amount > 0",
        )
        .bind(invoice_id)
        .fetch_optional(self.writer())
        .await?)
    }

    /// Reserves `amount` (or, when `None`, all that is left) of a paid invoice for a refund
    /// and records it pending under the next sequence, in one transaction under the
    /// invoice's row lock: concurrent refunds of one bill never sum past its total.
    pub async fn reserve_refund(
        &self,
        id: &str,
        invoice_id: &str,
        amount: Option<i64>,
        reason: &str,
        now: i64,
    ) -> Result<Reserved, StoreError> {
        let mut tx = self.begin_write().await?;
        let ask = amount.map_or(RefundAmount::Rest, RefundAmount::Exactly);
        let reserved = reserve_in(&mut tx, id, invoice_id, ask, reason, now).await?;
        if matches!(reserved, Reserved::Reserved(_)) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(reserved)
    }

    /// An invoice's refunds still waiting for the processor's answer, oldest first.
    pub async fn pending_refunds(
        &self,
        invoice_id: &str,
    ) -> Result<Vec<PendingRefund>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM invoice_refunds \
             WHERE invoice_id = $1 AND state = 'pending' ORDER BY sequence"
        ))
        .bind(invoice_id)
        .fetch_all(self.writer())
        .await?;
        rows.iter().map(pending_from).collect()
    }

    /// Every refund still pending that was recorded before `before` (the start-up and billing
    /// loop's recovery: a run cut off between recording a refund and settling it), oldest first.
    pub async fn pending_refunds_before(
        &self,
        before: i64,
    ) -> Result<Vec<PendingRefund>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM invoice_refunds \
             WHERE state = 'pending' AND created_at <= $1 ORDER BY created_at, sequence"
        ))
        .bind(before)
        .fetch_all(self.writer())
        .await?;
        rows.iter().map(pending_from).collect()
    }

    /// Settles a pending refund with the processor's answer, and writes `event` (the audit
    /// entry of a refund that went through) in the same transaction. False if it was settled
    /// already (by a concurrent run), in which case nothing is written.
    pub async fn settle_refund(
        &self,
        refund: &PendingRefund,
        settlement: &RefundSettlement,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        lock_invoice(&mut tx, &refund.invoice_id).await?;
        let settled = match settlement {
            RefundSettlement::Succeeded {
                processor_refund_id,
            } => sqlx::query(
                "UPDATE invoice_refunds SET state = 'succeeded', processor_refund_id = $2, \
                 settled_at = $3 WHERE id = $1 AND state = 'pending'",
            )
            .bind(&refund.id)
            .bind(processor_refund_id)
            .bind(now),
            RefundSettlement::Refused => sqlx::query(
                "UPDATE invoice_refunds SET state = 'refused', settled_at = $2 \
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(&refund.id)
            .bind(now),
        }
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !settled {
            tx.rollback().await?;
            return Ok(false);
        }
        match settlement {
            RefundSettlement::Succeeded { .. } => insert_event(&mut tx, event).await?,
            RefundSettlement::Refused => {
                sqlx::query(
                    "UPDATE invoices SET amount_refunded = amount_refunded - $2 WHERE id = $1",
                )
                .bind(&refund.invoice_id)
                .bind(refund.amount)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records what the processor refunded of `charge_key`'s charge beyond what this server
    /// asked for (a refund made in Stripe's dashboard): `processor_total` is the charge's
    /// refunded total there. Under the invoice's lock, anything above the invoice's
    /// `amount_refunded` (which counts this server's refunds from before they are sent) is
    /// recorded as a refund with the event `event(amount)`, in one transaction; returns that
    /// amount (0: nothing new, e.g. this server's own refund reported back).
    pub async fn record_processor_refunded(
        &self,
        charge_key: &str,
        processor_total: i64,
        reason: &str,
        event: impl FnOnce(i64) -> Event,
        now: i64,
    ) -> Result<i64, StoreError> {
        let Some(order_id) = charge_key.strip_prefix("charge_") else {
            return Ok(0);
        };
        let invoice_id: Option<Option<String>> =
            sqlx::query_scalar("SELECT invoice_id FROM orders WHERE id = $1 AND phase = 'paid'")
                .bind(order_id)
                .fetch_optional(self.writer())
                .await?;
        let Some(invoice_id) = invoice_id.flatten() else {
            return Ok(0);
        };
        let mut tx = self.begin_write().await?;
        lock_invoice(&mut tx, &invoice_id).await?;
        let refunded: i64 =
            sqlx::query_scalar("SELECT amount_refunded FROM invoices WHERE id = $1")
                .bind(&invoice_id)
                .fetch_one(&mut *tx)
                .await?;
        let amount = processor_total - refunded;
        if amount <= 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        sqlx::query("UPDATE invoices SET amount_refunded = amount_refunded + $2 WHERE id = $1")
            .bind(&invoice_id)
            .bind(amount)
            .execute(&mut *tx)
            .await?;
        let sequence: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) + 1 AS BIGINT) FROM invoice_refunds WHERE invoice_id = $1",
        )
        .bind(&invoice_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO invoice_refunds (id, invoice_id, sequence, refund_key, charge_key, \
             amount, reason, state, created_at, settled_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'succeeded', $8, $8)",
        )
        .bind(crate::ids::new_id("rf"))
        .bind(&invoice_id)
        .bind(sequence)
        .bind(format!("refund_{invoice_id}_{sequence}"))
        .bind(charge_key)
        .bind(amount)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, &event(amount)).await?;
        tx.commit().await?;
        Ok(amount)
    }
}
