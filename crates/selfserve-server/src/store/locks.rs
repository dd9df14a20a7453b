//! Row locks, always taken in one order so two transactions on PostgreSQL never wait on each
//! other in a circle (ARCHITECTURE.md lists the order):
//! 1. an invoice before the orders that pay it;
//! 2. a subscription before its orders and its assignments;
//! 3. assignments in user-id order;
//! 4. of two subscriptions (a take-over), the central one (whose seats are claimed) first.
//!
//! A lock is a no-op write (`UPDATE … SET x = x`), since SQLite has no `SELECT … FOR UPDATE`;
//! there the single writer connection serialises transactions anyway. A transaction that needs
//! a row earlier in the order only later takes its lock up front.

use super::{StoreError, Tx};

/// Takes a subscription's row lock until `tx` ends.
pub(crate) async fn lock_subscription(
    tx: &mut Tx,
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
pub(crate) async fn lock_unless_increasing(
    tx: &mut Tx,
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

/// Takes the subscription's row lock; false (lock taken all the same) if any of its payments
/// is in flight: a renewal, a bill payment or a seat increase. Ending a subscription now with
/// a refund must not race a charge that would complete after it and bill a period nobody gets.
pub(crate) async fn lock_unless_paying(
    tx: &mut Tx,
    subscription_id: &str,
) -> Result<bool, StoreError> {
    lock_subscription(tx, subscription_id).await?;
    let in_flight: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE subscription_id = $1 AND phase = 'created'",
    )
    .bind(subscription_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(in_flight == 0)
}

/// Takes the row lock of the invoice an order pays, if it has one yet. Every transaction that
/// touches both an invoice and its payment orders locks the invoice first: on PostgreSQL a
/// payment being recorded (invoice locked, then the in-flight index checked against the other
/// order) and one being settled (order updated, then the invoice) otherwise deadlock.
pub(crate) async fn lock_invoice_of(tx: &mut Tx, order_id: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE invoices SET status = status \
         WHERE id = (SELECT invoice_id FROM orders WHERE id = $1)",
    )
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
