//! Subscriptions without a card (central purchases, trials), take-overs and capacity.

use super::assignments::{claim_seats, insert_assignment};
use super::events::insert_events;
use super::locks::lock_unless_paying;
use super::orders::{OrderRow, insert_order};
use super::refunds::{PendingRefund, RefundAmount, Reserved, lock_invoice, reserve_in};
use super::{Store, StoreError, Tx, decode, decode_product};
use crate::domain::lifecycle::{ASSIGNABLE, LIVE, PAYABLE, TAKES_OVER, sql_list};
use crate::events::Event;
use selfserve_api::guardrails::ReachedLimit;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::subscription::{Source, SubscriptionStatus};
use sqlx::Row;

/// What a take-over does to the purchaser's subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeOverEnd<'a> {
    /// It runs on with a request to cancel, by `requested_by`.
    AskPurchaser {
        requested_by: &'a str,
    },
    AtPeriodEnd,
    /// It ends now; the unused part of the period's paid bills is refunded, saying `reason`.
    NowWithRefund {
        reason: &'a str,
    },
}

/// What a take-over did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakenOver {
    /// Everything, with the refunds recorded pending (with [`TakeOverEnd::NowWithRefund`]).
    Done { refunds: Vec<PendingRefund> },
    /// Nothing: the central subscription has `free` seats, too few for everyone.
    NoSeats { free: i64 },
    /// Nothing: the subscription was already cancelled or ended.
    Ended,
    /// Nothing: one of its payments (renewal, bill, seat increase) is in flight.
    Paying,
}

/// Seats of one product and source in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityRow {
    pub product: ProductId,
    pub source: Source,
    /// Seats paid for.
    pub seats: i64,
    /// Seats given to users.
    pub assigned: i64,
}

/// A subscription to create without a card: central (billed through the agreement) or a trial.
#[derive(Debug, Clone)]
pub struct NewUnbilled {
    pub id: String,
    pub organization_id: String,
    pub product: ProductId,
    pub source: Source,
    pub status: SubscriptionStatus,
    pub quantity: i64,
    /// Who recorded or started it.
    pub purchaser_id: String,
    pub unit_amount: i64,
    pub currency: Currency,
    pub period_start: i64,
    /// A month for central, 30 days for a trial.
    pub period_end: i64,
    /// Give the purchaser a seat at once (trials).
    pub assign_purchaser: bool,
    /// The order recording it (central purchases), already `paid`.
    pub order: Option<OrderRow>,
}

impl Store {
    /// Creates a subscription without a card (central or trial), with its order and event.
    /// A trial also claims its purchaser's one trial of the product in the same transaction:
    /// `false` (nothing written) when that was claimed before, by any request.
    pub async fn create_unbilled(
        &self,
        new: &NewUnbilled,
        event: &Event,
        guard: Option<&super::guardrails::Guard<'_>>,
        now: i64,
    ) -> Result<Result<bool, ReachedLimit>, StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(guard) = guard
            && let Err(reached) = super::guardrails::check_under_lock(&mut tx, guard).await?
        {
            tx.rollback().await?;
            return Ok(Err(reached));
        }
        insert_unbilled(&mut tx, new, now).await?;
        if new.status == SubscriptionStatus::Trialing {
            // The primary key decides between concurrent starts on both engines; the loser's
            // transaction is rolled back whole.
            let claimed = sqlx::query(
                "INSERT INTO trial_claims (user_id, product, subscription_id, claimed_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, product) DO NOTHING",
            )
            .bind(&new.purchaser_id)
            .bind(new.product.as_str())
            .bind(&new.id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                tx.rollback().await?;
                return Ok(Ok(false));
            }
        }
        if let Some(order) = &new.order {
            insert_order(&mut tx, order).await?;
        }
        insert_events(&mut tx, Some(event)).await?;
        tx.commit().await?;
        Ok(Ok(true))
    }

    /// Whether `user_id` ever had a trial of `product` (its claim is never deleted). Only a
    /// fast answer: [`Store::create_unbilled`] decides under the claim's primary key.
    pub async fn had_trial(&self, user_id: &str, product: ProductId) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM trial_claims WHERE user_id = $1 AND product = $2",
        )
        .bind(user_id)
        .bind(product.as_str())
        .fetch_one(self.reader())
        .await?;
        Ok(count > 0)
    }

    /// Moves `user_ids` onto the central subscription and ends the self-service one as `end`
    /// says, all in one transaction with `event`: every user moves or nobody does, and a
    /// cancellation now records its refunds (pending) with it, so a crash leaves either
    /// nothing or all of it for the processor call and the recovery to finish.
    ///
    /// Lock order: the period's paid bills (invoice → as paying a bill), then the central
    /// subscription's assignments and row, then the self-service subscription.
    #[allow(clippy::too_many_arguments)]
    pub async fn take_over(
        &self,
        self_service_id: &str,
        central_id: &str,
        user_ids: &[String],
        end: &TakeOverEnd<'_>,
        event: &Event,
        now: i64,
    ) -> Result<TakenOver, StoreError> {
        let mut tx = self.begin_write().await?;
        let bills: Vec<(String, i64, i64)> = match end {
            TakeOverEnd::NowWithRefund { .. } => sqlx::query(
                "SELECT id, period_start, period_end FROM invoices WHERE subscription_id = $1 \
                 AND status = 'paid' AND period_start <= $2 AND period_end > $2 ORDER BY id",
            )
            .bind(self_service_id)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("id")?,
                    row.try_get("period_start")?,
                    row.try_get("period_end")?,
                ))
            })
            .collect::<Result<_, StoreError>>()?,
            _ => Vec::new(),
        };
        // Its unpaid bills are voided below: locked first too (invoice before the orders that
        // pay it), so a bill payment recorded meanwhile either is seen in flight or finds the
        // bill void.
        let unpaid: Vec<String> = match end {
            TakeOverEnd::NowWithRefund { .. } => {
                sqlx::query_scalar(&format!(
                    "SELECT id FROM invoices WHERE subscription_id = $1 AND status IN ({}) \
                 ORDER BY id",
                    sql_list(PAYABLE)
                ))
                .bind(self_service_id)
                .fetch_all(&mut *tx)
                .await?
            }
            _ => Vec::new(),
        };
        let mut locked: Vec<&String> = bills.iter().map(|(bill, _, _)| bill).collect();
        locked.extend(&unpaid);
        locked.sort();
        for bill in locked {
            lock_invoice(&mut tx, bill).await?;
        }
        let Some(_) = claim_seats(&mut tx, central_id, user_ids, TAKES_OVER, now).await? else {
            tx.rollback().await?;
            let free = self
                .subscription_row(central_id)
                .await?
                .map_or(0, |row| row.free_seats());
            return Ok(TakenOver::NoSeats { free });
        };
        let mut refunds = Vec::new();
        let ended = match end {
            TakeOverEnd::AskPurchaser { requested_by } => sqlx::query(
                "UPDATE subscriptions SET cancel_requested_at = $2, cancel_requested_by = $3 \
                 WHERE id = $1",
            )
            .bind(self_service_id)
            .bind(now)
            .bind(requested_by)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            TakeOverEnd::AtPeriodEnd => sqlx::query(&format!(
                "UPDATE subscriptions SET cancel_at_period_end = 1, updated_at = $2 \
                 WHERE id = $1 AND cancel_at_period_end = 0 AND status IN ({})",
                sql_list(LIVE)
            ))
            .bind(self_service_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            TakeOverEnd::NowWithRefund { reason } => {
                if !lock_unless_paying(&mut tx, self_service_id).await? {
                    tx.rollback().await?;
                    return Ok(TakenOver::Paying);
                }
                // Ended now, nothing of it is owed any more: an unpaid bill left payable
                // would charge for a period that was just taken away.
                sqlx::query(&format!(
                    "UPDATE invoices SET status = 'void' WHERE subscription_id = $1 \
                     AND status IN ({})",
                    sql_list(PAYABLE)
                ))
                .bind(self_service_id)
                .execute(&mut *tx)
                .await?;
                let ended = sqlx::query(&format!(
                    "UPDATE subscriptions SET status = 'canceled', cancel_at_period_end = 1, \
                     assigned_count = 0, current_period_end = $2, updated_at = $2 \
                     WHERE id = $1 AND status IN ({})",
                    sql_list(LIVE)
                ))
                .bind(self_service_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("DELETE FROM assignments WHERE subscription_id = $1")
                    .bind(self_service_id)
                    .execute(&mut *tx)
                    .await?;
                for (bill, start, end) in &bills {
                    let ask = RefundAmount::Unused {
                        now,
                        start: *start,
                        end: *end,
                    };
                    let id = crate::ids::new_id("rf");
                    if let Reserved::Reserved(pending) =
                        reserve_in(&mut tx, &id, bill, ask, reason, now).await?
                    {
                        refunds.push(pending);
                    }
                }
                ended
            }
        };
        if ended != 1 {
            tx.rollback().await?;
            return Ok(TakenOver::Ended);
        }
        // The take-over's one audit entry says what it reserved to give back.
        let mut event = event.clone();
        if let (Some(serde_json::Value::Object(after)), false) =
            (&mut event.after, refunds.is_empty())
        {
            let reserved: Vec<_> = refunds
                .iter()
                .map(|r| serde_json::json!({"invoice_id": r.invoice_id, "amount": r.amount}))
                .collect();
            after.insert("refunds".into(), reserved.into());
        }
        insert_events(&mut tx, Some(&event)).await?;
        tx.commit().await?;
        Ok(TakenOver::Done { refunds })
    }

    /// Seats per product and source in an organisation (subscriptions that still count).
    pub async fn capacity(&self, organization_id: &str) -> Result<Vec<CapacityRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT product, source, CAST(SUM(quantity) AS BIGINT) AS seats, \
             CAST(SUM(assigned_count) AS BIGINT) AS assigned FROM subscriptions \
             WHERE organization_id = $1 AND status IN ({}) \
             GROUP BY product, source ORDER BY product, source",
            sql_list(LIVE)
        ))
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CapacityRow {
                    product: decode_product(row, "product")?,
                    source: decode(row, "source")?,
                    seats: row.try_get("seats")?,
                    assigned: row.try_get("assigned")?,
                })
            })
            .collect()
    }
}

/// Inside `tx`: ends a trial that was bought; its users move to the new subscription (as many
/// as fit) and it is marked converted. A no-op if it is no longer a trial.
pub(crate) async fn convert_trial(
    tx: &mut Tx,
    trial_id: &str,
    new_id: &str,
    receiving: &[SubscriptionStatus],
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
        claim_seats(tx, new_id, std::slice::from_ref(&user), receiving, now).await?;
    }
    Ok(())
}

/// Inside `tx`: the subscription row of `new` (and its purchaser's seat when asked).
async fn insert_unbilled(tx: &mut Tx, new: &NewUnbilled, now: i64) -> Result<(), sqlx::Error> {
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
    .bind(new.product.as_str())
    .bind(new.source.as_str())
    .bind(new.status.as_str())
    .bind(new.quantity)
    .bind(i64::from(new.assign_purchaser))
    .bind(&new.purchaser_id)
    .bind(new.unit_amount)
    .bind(new.currency.as_str())
    .bind(new.period_start)
    .bind(new.period_end)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if new.assign_purchaser {
        insert_assignment(tx, &new.id, &new.purchaser_id, now).await?;
    }
    Ok(())
}

/// Inside `tx`: gives `user_id` a central licence for `product` of `organization_id`: the one
/// they already hold, else a seat on the first central subscription with one free, else on
/// `new` (one seat, created here with its order and `event`). Returns the subscription's id.
///
/// Lock order: only the one central subscription whose seat is claimed (as assigning does).
pub(crate) async fn give_central_licence(
    tx: &mut Tx,
    organization_id: &str,
    product: ProductId,
    user_id: &str,
    new: &NewUnbilled,
    event: &Event,
    now: i64,
) -> Result<String, StoreError> {
    let held: Option<String> = sqlx::query_scalar(&format!(
        "SELECT s.id FROM subscriptions s JOIN assignments a ON a.subscription_id = s.id \
         WHERE s.organization_id = $1 AND s.product = $2 AND s.source = 'central' \
         AND s.status IN ({}) AND a.user_id = $3 ORDER BY s.id",
        sql_list(LIVE)
    ))
    .bind(organization_id)
    .bind(product.as_str())
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(held) = held {
        return Ok(held);
    }
    let free: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT id FROM subscriptions WHERE organization_id = $1 AND product = $2 \
         AND source = 'central' AND status IN ({}) \
         AND assigned_count < COALESCE(pending_quantity, quantity) ORDER BY created_at, id",
        sql_list(ASSIGNABLE)
    ))
    .bind(organization_id)
    .bind(product.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let user = [user_id.to_owned()];
    // A seat seen free may be taken meanwhile: the claim's conditional UPDATE decides.
    for id in free {
        if claim_seats(tx, &id, &user, ASSIGNABLE, now)
            .await?
            .is_some()
        {
            return Ok(id);
        }
    }
    insert_unbilled(tx, new, now).await?;
    if let Some(order) = &new.order {
        insert_order(tx, order).await?;
    }
    insert_events(tx, Some(event)).await?;
    if claim_seats(tx, &new.id, &user, ASSIGNABLE, now)
        .await?
        .is_none()
    {
        return Err(StoreError::Corrupt(format!(
            "the new central subscription {} has no seat",
            new.id
        )));
    }
    Ok(new.id.clone())
}
