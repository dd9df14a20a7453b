//! Whole-database checks of the money and seat invariants, for soak runs and operators: they
//! read everything, so they are for after a run, not for a request.

use super::{Store, StoreError};

/// What the invariants look like in the database now. Every count but the totals must be 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integrity {
    /// Orders paid with a card (central purchases charge nothing).
    pub charged_orders: i64,
    /// Charges the gateway recorded as succeeded.
    pub succeeded_charges: i64,
    /// Paid card orders without a succeeded charge under their key.
    pub paid_without_charge: i64,
    /// Succeeded charges whose order is not paid (or does not exist).
    pub charge_without_paid_order: i64,
    /// Subscriptions with more seats given than bought, or a count that differs from the rows.
    pub seat_violations: i64,
}

impl Integrity {
    /// Whether every invariant holds.
    pub fn holds(&self) -> bool {
        self.paid_without_charge == 0
            && self.charge_without_paid_order == 0
            && self.seat_violations == 0
    }
}

impl Store {
    /// Counts what breaks the invariants (see [`Integrity`]).
    pub async fn integrity(&self) -> Result<Integrity, StoreError> {
        let count = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(self.reader())
                .await
        };
        Ok(Integrity {
            charged_orders: count(
                "SELECT COUNT(*) FROM orders WHERE phase = 'paid' AND payment_source IS NOT NULL \
                 AND amount > 0",
            )
            .await?,
            succeeded_charges: count(
                "SELECT COUNT(*) FROM gateway_charges WHERE outcome = 'succeeded'",
            )
            .await?,
            paid_without_charge: count(
                "SELECT COUNT(*) FROM orders o WHERE o.phase = 'paid' \
                 AND o.payment_source IS NOT NULL AND o.amount > 0 AND NOT EXISTS ( \
                 SELECT 1 FROM gateway_charges c WHERE c.idempotency_key = 'charge_' || o.id \
                 AND c.outcome = 'succeeded')",
            )
            .await?,
            charge_without_paid_order: count(
                "SELECT COUNT(*) FROM gateway_charges c WHERE c.outcome = 'succeeded' \
                 AND NOT EXISTS (SELECT 1 FROM orders o WHERE 'charge_' || o.id = \
                 c.idempotency_key AND o.phase = 'paid')",
            )
            .await?,
            seat_violations: count(
                "SELECT COUNT(*) FROM subscriptions s WHERE s.assigned_count > s.quantity \
                 OR s.assigned_count <> (SELECT COUNT(*) FROM assignments a \
                 WHERE a.subscription_id = s.id)",
            )
            .await?,
        })
    }
}
