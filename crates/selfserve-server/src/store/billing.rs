//! Managing a subscription after purchase: licences, seat changes, renewals, bills.

use super::gateway::StoredCard;
use super::purchases::OrderRow;
use super::{Store, StoreError, from_flag};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A subscription's billing state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRow {
    /// `sub_…`.
    pub id: String,
    /// Its organisation.
    pub organization_id: String,
    /// Product id.
    pub product: String,
    /// `self_service` or `central`.
    pub source: String,
    /// Lifecycle status.
    pub status: String,
    /// Seats paid for this period.
    pub quantity: i64,
    /// Seats from the next renewal.
    pub pending_quantity: Option<i64>,
    /// Seats given to users.
    pub assigned_count: i64,
    /// Who pays.
    pub purchaser_id: String,
    /// Price per seat and period.
    pub unit_amount: i64,
    /// Currency code.
    pub currency: String,
    /// Tax rate.
    pub tax_rate_bps: i64,
    /// When the first period started.
    pub billing_anchor: i64,
    /// Periods completed since the anchor.
    pub periods_elapsed: i64,
    /// Current period start.
    pub current_period_start: i64,
    /// Current period end.
    pub current_period_end: i64,
    /// Cancelled: ends at period end.
    pub cancel_at_period_end: bool,
    /// The card on file.
    pub payment_method_id: Option<String>,
}

const BILLING_COLUMNS: &str = "id, organization_id, product, source, status, quantity, \
    pending_quantity, assigned_count, purchaser_id, unit_amount, currency, tax_rate_bps, \
    billing_anchor, periods_elapsed, current_period_start, current_period_end, \
    cancel_at_period_end, payment_method_id";

fn billing_from_row(row: &AnyRow) -> Result<BillingRow, sqlx::Error> {
    Ok(BillingRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        product: row.try_get("product")?,
        source: row.try_get("source")?,
        status: row.try_get("status")?,
        quantity: row.try_get("quantity")?,
        pending_quantity: row.try_get("pending_quantity")?,
        assigned_count: row.try_get("assigned_count")?,
        purchaser_id: row.try_get("purchaser_id")?,
        unit_amount: row.try_get("unit_amount")?,
        currency: row.try_get("currency")?,
        tax_rate_bps: row.try_get("tax_rate_bps")?,
        billing_anchor: row.try_get("billing_anchor")?,
        periods_elapsed: row.try_get("periods_elapsed")?,
        current_period_start: row.try_get("current_period_start")?,
        current_period_end: row.try_get("current_period_end")?,
        cancel_at_period_end: from_flag(row.try_get("cancel_at_period_end")?),
        payment_method_id: row.try_get("payment_method_id")?,
    })
}

/// An invoice with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    /// `in_…`.
    pub id: String,
    /// The subscription billed.
    pub subscription_id: String,
    /// `paid`, `open`, `past_due`, `void`.
    pub status: String,
    /// Amount due.
    pub total: i64,
    /// Before tax.
    pub subtotal: i64,
    /// Tax.
    pub tax: i64,
    /// Currency code.
    pub currency: String,
    /// Period billed.
    pub period_start: i64,
    /// End of the period billed.
    pub period_end: i64,
}

/// What an assignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    /// This many users newly hold a seat (already assigned ones are not counted twice).
    Added(i64),
    /// Not enough free seats for all of them: nothing was assigned.
    NoSeats {
        /// Seats free now.
        free: i64,
    },
    /// The subscription cannot take assignments now (suspended, expired).
    NotAssignable,
}

/// A renewal about to be charged: the period moves on and an open invoice is written.
#[derive(Debug, Clone)]
pub struct Renewal {
    /// The order that pays it (phase `created`).
    pub order: OrderRow,
    /// The invoice it pays.
    pub invoice_id: String,
    /// Its line.
    pub line_description: String,
    /// `periods_elapsed` before the renewal (the optimistic lock).
    pub from_period: i64,
    /// Seats and scheduled seats the amount was computed from: if they changed since, the
    /// renewal is left for the next run to compute again.
    pub from_quantity: i64,
    /// See `from_quantity`.
    pub from_pending: Option<i64>,
}

async fn next_invoice_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ('invoice', 1) ON CONFLICT (name) \
         DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    let year = crate::domain::calendar::date_of(now).year;
    Ok(format!("SS-{year}-{sequence:06}"))
}

/// Writes an invoice and its single line.
#[allow(clippy::too_many_arguments)]
async fn insert_invoice(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    invoice_id: &str,
    order: &OrderRow,
    status: &str,
    line: &str,
    card: Option<&StoredCard>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let number = next_invoice_number(tx, now).await?;
    sqlx::query(
        "INSERT INTO invoices (id, number, subscription_id, order_id, status, subtotal, tax, \
         total, currency, period_start, period_end, card_brand, card_last4, card_exp_month, \
         card_exp_year, created_at, paid_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(invoice_id)
    .bind(number)
    .bind(&order.subscription_id)
    .bind(&order.id)
    .bind(status)
    .bind(order.subtotal)
    .bind(order.tax)
    .bind(order.amount)
    .bind(&order.currency)
    .bind(order.period_start)
    .bind(order.period_end)
    .bind(card.map(|c| c.brand.clone()))
    .bind(card.map(|c| c.last4.clone()))
    .bind(card.map(|c| i64::from(c.exp_month)))
    .bind(card.map(|c| i64::from(c.exp_year)))
    .bind(now)
    .bind((status == "paid").then_some(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_amount, \
         amount) VALUES ($1, 0, $2, $3, $4, $5)",
    )
    .bind(invoice_id)
    .bind(line)
    .bind(order.quantity)
    .bind(if order.quantity > 0 {
        order.subtotal / order.quantity
    } else {
        0
    })
    .bind(order.subtotal)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Status after a payment: active again once nothing is unpaid (a cancelled subscription stays
/// cancelled).
const RESTORE_STATUS: &str = "UPDATE subscriptions SET \
    status = CASE WHEN status IN ('past_due', 'suspended') THEN 'active' ELSE status END, \
    past_due_since = NULL, updated_at = $2 \
    WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.subscription_id = $1 \
    AND i.status IN ('open', 'past_due'))";

impl Store {
    /// A subscription's billing state.
    pub async fn billing_row(&self, id: &str) -> Result<Option<BillingRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BILLING_COLUMNS} FROM subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.writer())
        .await?;
        Ok(row.map(|row| billing_from_row(&row)).transpose()?)
    }

    /// Subscriptions whose period has ended by `now` and that still have to renew or end.
    pub async fn due_subscriptions(&self, now: i64) -> Result<Vec<BillingRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BILLING_COLUMNS} FROM subscriptions WHERE current_period_end <= $1 \
             AND status IN ('active', 'past_due', 'suspended', 'trialing') \
             ORDER BY current_period_end"
        ))
        .bind(now)
        .fetch_all(self.writer())
        .await?;
        Ok(rows
            .iter()
            .map(billing_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Gives seats to users, all or nothing. The single conditional UPDATE is the seat
    /// invariant: it cannot take `assigned_count` past the seats (the lower of this period's
    /// and a scheduled decrease's), however many requests race.
    pub async fn assign(
        &self,
        subscription_id: &str,
        user_ids: &[String],
        now: i64,
    ) -> Result<Assigned, StoreError> {
        let mut tx = self.writer().begin().await?;
        if let Some(added) = claim_seats(
            &mut tx,
            subscription_id,
            user_ids,
            "'active', 'past_due', 'trialing'",
            now,
        )
        .await?
        {
            tx.commit().await?;
            return Ok(Assigned::Added(added));
        }
        tx.rollback().await?;
        match self.billing_row(subscription_id).await? {
            Some(row) if matches!(row.status.as_str(), "active" | "past_due" | "trialing") => {
                let seats = row.pending_quantity.unwrap_or(row.quantity);
                Ok(Assigned::NoSeats {
                    free: (seats - row.assigned_count).max(0),
                })
            }
            _ => Ok(Assigned::NotAssignable),
        }
    }

    /// Frees a user's seat; false if they held none.
    pub async fn unassign(
        &self,
        subscription_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        // The subscription before its assignments, as `expire` and trial conversion take them:
        // the other way round they deadlock on PostgreSQL.
        lock_subscription(&mut tx, subscription_id).await?;
        let removed =
            sqlx::query("DELETE FROM assignments WHERE subscription_id = $1 AND user_id = $2")
                .bind(subscription_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if removed == 1 {
            sqlx::query(
                "UPDATE subscriptions SET assigned_count = assigned_count - 1, updated_at = $2 \
                 WHERE id = $1",
            )
            .bind(subscription_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Schedules the seats for the next renewal (`None` cancels a scheduled decrease). Refused
    /// (false) if it is fewer than the seats assigned now.
    pub async fn set_pending_quantity(
        &self,
        subscription_id: &str,
        pending: Option<i64>,
        order: Option<&OrderRow>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
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
        if updated == 1
            && let Some(order) = order
        {
            insert_order_row(&mut tx, order).await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Replaces the card on file.
    pub async fn set_payment_method(
        &self,
        subscription_id: &str,
        payment_method_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE subscriptions SET payment_method_id = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(subscription_id)
        .bind(payment_method_id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Cancels at period end, as Stripe does: the status is untouched and only the flag is
    /// set, so the subscription stays usable (and its licences held) until
    /// `current_period_end`; false if it cannot be cancelled (already cancelled or ended).
    pub async fn cancel(&self, subscription_id: &str, now: i64) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE subscriptions SET cancel_at_period_end = 1, updated_at = $2 WHERE id = $1 \
             AND cancel_at_period_end = 0 \
             AND status IN ('active', 'past_due', 'suspended', 'trialing')",
        )
        .bind(subscription_id)
        .bind(now)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Undoes a cancellation before the period ends; false if there is none to undo.
    pub async fn reactivate(&self, subscription_id: &str, now: i64) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE subscriptions SET cancel_at_period_end = 0, updated_at = $2 WHERE id = $1 \
             AND cancel_at_period_end = 1 AND status NOT IN ('canceled', 'expired') \
             AND current_period_end > $2",
        )
        .bind(subscription_id)
        .bind(now)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Ends a subscription cancelled at period end (`canceled`) or a trial that ran out
    /// without being bought (`expired`) once its period is over, and releases its licences.
    /// False if it does not end now, or a seat increase is in flight (a later run ends it).
    pub async fn expire(&self, subscription_id: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        if !lock_unless_increasing(&mut tx, subscription_id).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        let updated = sqlx::query(
            "UPDATE subscriptions SET assigned_count = 0, updated_at = $2, \
             status = CASE WHEN cancel_at_period_end = 0 AND status = 'trialing' \
             THEN 'expired' ELSE 'canceled' END \
             WHERE id = $1 AND (cancel_at_period_end = 1 OR status = 'trialing') \
             AND status NOT IN ('canceled', 'expired') AND current_period_end <= $2",
        )
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
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Moves a subscription into its next period and records the renewal's order and open
    /// invoice, atomically; false if another run already renewed this period or a seat
    /// increase is in flight (a later run renews).
    pub async fn start_renewal(&self, renewal: &Renewal, now: i64) -> Result<bool, StoreError> {
        let order = &renewal.order;
        let subscription_id = order.subscription_id.clone().unwrap_or_default();
        let mut tx = self.writer().begin().await?;
        if !lock_unless_increasing(&mut tx, &subscription_id).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        // Not cancelled since the caller looked: a cancellation that landed after the period
        // end ends the subscription (the next run) instead of paying for another period.
        let moved = sqlx::query(
            "UPDATE subscriptions SET periods_elapsed = periods_elapsed + 1, \
             current_period_start = $3, current_period_end = $4, quantity = $5, \
             pending_quantity = NULL, updated_at = $6 \
             WHERE id = $1 AND periods_elapsed = $2 AND quantity = $7 \
             AND (pending_quantity = $8 OR (pending_quantity IS NULL AND $8 IS NULL)) \
             AND cancel_at_period_end = 0 AND status IN ('active', 'past_due', 'suspended')",
        )
        .bind(&subscription_id)
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
        insert_order_row(&mut tx, order).await?;
        insert_invoice(
            &mut tx,
            &renewal.invoice_id,
            order,
            "open",
            &renewal.line_description,
            None,
            now,
        )
        .await?;
        sqlx::query("UPDATE orders SET invoice_id = $2 WHERE id = $1")
            .bind(&order.id)
            .bind(&renewal.invoice_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a seat-increase order in phase `created`, tied to its idempotency key; false if
    /// the seats changed since `expected_quantity` was read or another increase is in flight
    /// (so two increases computed from the same count cannot both charge).
    pub async fn insert_seat_increase(
        &self,
        order: &OrderRow,
        expected_quantity: i64,
        idempotency: (&str, &str),
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        // The period too, still running: the increase is prorated to this period's end, and a
        // renewal that slipped in since the quote would leave the new seats unpaid for the next
        // one (after the end and before the renewal, the prorated price is nothing). Not being
        // cancelled is checked again here, under the lock, for a cancellation since the caller
        // looked.
        let current = sqlx::query(
            "UPDATE subscriptions SET updated_at = updated_at WHERE id = $1 AND quantity = $2 \
             AND current_period_end = $3 AND current_period_end > $4 \
             AND cancel_at_period_end = 0 AND status IN ('active', 'past_due')",
        )
        .bind(&order.subscription_id)
        .bind(expected_quantity)
        .bind(order.period_end)
        .bind(order.created_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if current != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        match insert_order_row(&mut tx, order).await {
            Ok(()) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        }
        sqlx::query("UPDATE idempotency_keys SET order_id = $3 WHERE user_id = $1 AND key = $2")
            .bind(idempotency.0)
            .bind(idempotency.1)
            .bind(&order.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a subscription billed elsewhere (central) into its next period without a charge;
    /// false if another run already did.
    pub async fn advance_period(
        &self,
        subscription: &BillingRow,
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
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(moved == 1)
    }

    /// Records a payment order for an existing invoice; false if it is paid or a payment is
    /// already in flight.
    pub async fn insert_invoice_payment(
        &self,
        order: &OrderRow,
        invoice_id: &str,
        idempotency: Option<(&str, &str)>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        // Still unpaid, checked under the invoice's row lock: a payment that completed since
        // the caller looked (the in-flight index no longer covers it) must not charge again.
        let unpaid = sqlx::query(
            "UPDATE invoices SET status = status WHERE id = $1 AND status IN ('open', 'past_due')",
        )
        .bind(invoice_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if unpaid != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let inserted = insert_order_row(&mut tx, order).await;
        match inserted {
            Ok(()) => {}
            // The unique index on in-flight payments per invoice.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        }
        let claimed = sqlx::query("UPDATE orders SET invoice_id = $2 WHERE id = $1")
            .bind(&order.id)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await;
        match claimed {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        }
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
        Ok(true)
    }

    /// A paid renewal or bill: the order paid, the invoice paid with the card, the card saved
    /// as the one on file if it is new, and the subscription active again when nothing is
    /// unpaid. A no-op if the order is already settled.
    pub async fn complete_invoice_payment(
        &self,
        order: &OrderRow,
        card: &StoredCard,
        now: i64,
    ) -> Result<bool, StoreError> {
        let invoice_id: Option<String> =
            sqlx::query_scalar("SELECT invoice_id FROM orders WHERE id = $1")
                .bind(&order.id)
                .fetch_one(self.writer())
                .await?;
        let mut tx = self.writer().begin().await?;
        lock_invoice_of(&mut tx, &order.id).await?;
        if !claim_order(&mut tx, &order.id, &card.id, now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE invoices SET status = 'paid', paid_at = $2, card_brand = $3, card_last4 = $4, \
             card_exp_month = $5, card_exp_year = $6 WHERE id = $1",
        )
        .bind(&invoice_id)
        .bind(now)
        .bind(&card.brand)
        .bind(&card.last4)
        .bind(i64::from(card.exp_month))
        .bind(i64::from(card.exp_year))
        .execute(&mut *tx)
        .await?;
        if card.id.starts_with("pm_") {
            sqlx::query("UPDATE subscriptions SET payment_method_id = $2 WHERE id = $1")
                .bind(&order.subscription_id)
                .bind(&card.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(RESTORE_STATUS)
            .bind(&order.subscription_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A declined renewal or bill payment: the order failed; for a renewal, the invoice is
    /// past due and so is the subscription (from now, unless it already was).
    pub async fn fail_invoice_payment(
        &self,
        order: &OrderRow,
        decline_code: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        lock_invoice_of(&mut tx, &order.id).await?;
        let claimed = sqlx::query(
            "UPDATE orders SET phase = 'failed', decline_code = $2, updated_at = $3 \
             WHERE id = $1 AND phase = 'created'",
        )
        .bind(&order.id)
        .bind(decline_code)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 1 && order.kind == "renewal" {
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
        tx.commit().await?;
        Ok(())
    }

    /// Suspends past-due subscriptions whose grace period is over; returns how many.
    pub async fn suspend_overdue(&self, past_due_before: i64, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE subscriptions SET status = 'suspended', updated_at = $2 \
             WHERE status = 'past_due' AND past_due_since IS NOT NULL AND past_due_since <= $1",
        )
        .bind(past_due_before)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    /// A paid seat increase: more seats now, the order and a paid invoice, and the new card on
    /// file if one was used. A no-op if the order is already settled.
    pub async fn complete_seat_increase(
        &self,
        order: &OrderRow,
        card: &StoredCard,
        invoice_id: &str,
        line: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        // The subscription before the order, the order `insert_seat_increase` takes them in:
        // the other way round the two deadlock on PostgreSQL (see `lock_invoice_of`).
        lock_subscription(
            &mut tx,
            order.subscription_id.as_deref().unwrap_or_default(),
        )
        .await?;
        if !claim_order(&mut tx, &order.id, &card.id, now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE subscriptions SET quantity = quantity + $2, pending_quantity = NULL, \
             payment_method_id = CASE WHEN substr($3, 1, 3) = 'pm_' THEN $3 ELSE payment_method_id END, \
             updated_at = $4 WHERE id = $1",
        )
        .bind(&order.subscription_id)
        .bind(order.quantity)
        .bind(&card.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_invoice(&mut tx, invoice_id, order, "paid", line, Some(card), now).await?;
        sqlx::query("UPDATE orders SET invoice_id = $2 WHERE id = $1")
            .bind(&order.id)
            .bind(invoice_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An invoice with its subscription id.
    pub async fn invoice_row(&self, id: &str) -> Result<Option<InvoiceRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, subscription_id, status, total, subtotal, tax, currency, period_start, \
             period_end FROM invoices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| {
            Ok::<_, sqlx::Error>(InvoiceRow {
                id: row.try_get("id")?,
                subscription_id: row.try_get("subscription_id")?,
                status: row.try_get("status")?,
                total: row.try_get("total")?,
                subtotal: row.try_get("subtotal")?,
                tax: row.try_get("tax")?,
                currency: row.try_get("currency")?,
                period_start: row.try_get("period_start")?,
                period_end: row.try_get("period_end")?,
            })
        })
        .transpose()
        .map_err(StoreError::from)
    }
}

/// Takes the subscription's row lock until `tx` ends (a no-op write, since `SELECT … FOR
/// UPDATE` is not SQLite; there the single writer already serialises).
async fn lock_subscription(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subscription_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE subscriptions SET updated_at = updated_at WHERE id = $1")
        .bind(subscription_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes the subscription's row lock; false (lock taken all the same) if one of its seat
/// increases is in flight. That increase was priced for the current period, so the period
/// must not end under it: renewing would carry its seats into the next period unpaid, expiring
/// would charge for seats of a subscription that has ended. Checked after the lock, so on
/// PostgreSQL the check sees an increase recorded while this waited for the lock.
async fn lock_unless_increasing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subscription_id: &str,
) -> Result<bool, StoreError> {
    lock_subscription(tx, subscription_id).await?;
    let increasing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE subscription_id = $1 \
         AND kind = 'seat_increase' AND phase = 'created'",
    )
    .bind(subscription_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(increasing == 0)
}

/// Takes the row lock of the invoice an order pays, if it has one yet. Every transaction that
/// touches both an invoice and its payment orders locks the invoice first: on PostgreSQL a
/// payment being recorded (invoice locked, then the in-flight index checked against the other
/// order) and one being settled (order updated, then the invoice) otherwise deadlock.
async fn lock_invoice_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE invoices SET status = status \
         WHERE id = (SELECT invoice_id FROM orders WHERE id = $1)",
    )
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives `user_ids` seats on `subscription_id` inside `tx`: inserts the assignments (skipping
/// users who already hold one) and takes that many seats with one conditional UPDATE, which is
/// the seat invariant: `assigned_count` never passes the seats (the lower of this period's and
/// a scheduled decrease's), however many requests race. `None` when they do not fit or the
/// status is not one of `statuses` (a SQL list); nothing is then assigned.
pub(crate) async fn claim_seats(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    subscription_id: &str,
    user_ids: &[String],
    statuses: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    // Inserted in one order by every caller: two transactions inserting the same pair of
    // not-yet-committed rows in opposite orders deadlock on PostgreSQL.
    let mut user_ids: Vec<&String> = user_ids.iter().collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let mut inserted = Vec::new();
    for user_id in user_ids {
        let rows = sqlx::query(
            "INSERT INTO assignments (subscription_id, user_id, assigned_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(subscription_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if rows == 1 {
            inserted.push(user_id);
        }
    }
    let added = inserted.len() as i64;
    if added == 0 {
        return Ok(Some(0));
    }
    let fits = sqlx::query(&format!(
        "UPDATE subscriptions SET assigned_count = assigned_count + $2, updated_at = $3 \
         WHERE id = $1 AND status IN ({statuses}) \
         AND assigned_count + $2 <= COALESCE(pending_quantity, quantity)"
    ))
    .bind(subscription_id)
    .bind(added)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if fits == 1 {
        return Ok(Some(added));
    }
    // Undone here rather than left to the caller, so that a caller which carries on (trial
    // conversion keeps those who fit) cannot keep assignments the count does not include.
    for user_id in inserted {
        sqlx::query("DELETE FROM assignments WHERE subscription_id = $1 AND user_id = $2")
            .bind(subscription_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

/// Marks an order paid by `source` inside `tx`, if it is still `created`: the guard that makes
/// completing an order twice (a replay, a second recovery) a no-op.
pub(crate) async fn claim_order(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order_id: &str,
    source: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE orders SET phase = 'paid', payment_source = $2, updated_at = $3 \
         WHERE id = $1 AND phase = 'created'",
    )
    .bind(order_id)
    .bind(source)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// Inserts an order row inside a transaction.
pub(crate) async fn insert_order_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    order: &OrderRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO orders ({}, updated_at) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
          $19)",
        super::purchases::ORDER_COLUMNS
    ))
    .bind(&order.id)
    .bind(&order.organization_id)
    .bind(&order.purchaser_id)
    .bind(&order.subscription_id)
    .bind(&order.kind)
    .bind(&order.product)
    .bind(order.quantity)
    .bind(order.unit_amount)
    .bind(order.subtotal)
    .bind(order.tax)
    .bind(order.tax_rate_bps)
    .bind(order.amount)
    .bind(&order.currency)
    .bind(order.period_start)
    .bind(order.period_end)
    .bind(&order.phase)
    .bind(&order.payment_source)
    .bind(&order.decline_code)
    .bind(order.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
