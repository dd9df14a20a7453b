//! Guardrails per organisation and product (`product_guardrails`), and what the organisation
//! already has of a product, counted under the guardrail row's lock.

use super::events::insert_event;
use super::{Store, StoreError, Tx, decode_product};
use crate::domain::guardrails::Usage;
use crate::domain::lifecycle::{LIVE, sql_list};
use crate::events::Event;
use selfserve_api::admin::Policy;
use selfserve_api::guardrails::{Guardrails, LimitKind, ReachedLimit, SeatLimit, SpendCap};
use selfserve_api::product::ProductId;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where a guardrail check is: the organisation, product and month it counts in, and the
/// trial a purchase converts (its seats are replaced, not added).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub organization_id: &'a str,
    pub product: ProductId,
    /// `[start, end)` of the calendar month, unix seconds.
    pub month: (i64, i64),
    pub replaces_subscription: Option<&'a str>,
}

/// A check to make inside a transaction that adds seats or spend.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    pub scope: Scope<'a>,
    pub request: crate::domain::guardrails::Request,
}

fn guardrails_from_row(row: &AnyRow) -> Result<Guardrails, StoreError> {
    let seat = |column: &str, kind| -> Result<Option<SeatLimit>, StoreError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(|v| SeatLimit::new(v, kind))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
    };
    Ok(Guardrails {
        max_seats_per_purchase: seat("max_seats_per_purchase", LimitKind::MaxSeatsPerPurchase)?,
        max_seats: seat("max_seats", LimitKind::MaxSeats)?,
        monthly_cap: row
            .try_get::<Option<i64>, _>("monthly_cap")?
            .map(SpendCap::new)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("monthly_cap: {e}")))?,
    })
}

const COLUMNS: &str = "max_seats_per_purchase, max_seats, monthly_cap";

async fn read_guardrails(
    conn: &mut sqlx::AnyConnection,
    organization_id: &str,
    product: ProductId,
) -> Result<Guardrails, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM product_guardrails WHERE organization_id = $1 AND product = $2"
    ))
    .bind(organization_id)
    .bind(product.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref()
        .map_or(Ok(Guardrails::default()), guardrails_from_row)
}

/// Seats and this month's spend of the product in the organisation. Orders still `created`
/// count (their charge may go through), failed ones do not; orders without a card (central
/// purchases) are not self-service.
async fn usage(conn: &mut sqlx::AnyConnection, scope: &Scope<'_>) -> Result<Usage, StoreError> {
    let seats: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE((SELECT SUM(quantity) FROM subscriptions \
           WHERE organization_id = $1 AND product = $2 AND source = 'self_service' \
           AND status IN ({live}) AND id <> $3), 0) \
         + COALESCE((SELECT SUM(quantity) FROM orders \
           WHERE organization_id = $1 AND product = $2 AND phase = 'created' \
           AND kind IN ('purchase', 'seat_increase') AND payment_source IS NOT NULL), 0) \
         AS BIGINT)",
        live = sql_list(LIVE)
    ))
    .bind(scope.organization_id)
    .bind(scope.product.as_str())
    .bind(scope.replaces_subscription.unwrap_or(""))
    .fetch_one(&mut *conn)
    .await?;
    let spent: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM orders \
         WHERE organization_id = $1 AND product = $2 AND phase IN ('created', 'paid') \
         AND kind IN ('purchase', 'seat_increase') AND payment_source IS NOT NULL \
         AND created_at >= $3 AND created_at < $4",
    )
    .bind(scope.organization_id)
    .bind(scope.product.as_str())
    .bind(scope.month.0)
    .bind(scope.month.1)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Usage { seats, spent })
}

/// Inside a purchase's, seat increase's or trial's own transaction, before anything else is
/// locked: takes the product's guardrail row lock (first in the lock order), then counts and
/// asks `check`. Everything that adds seats or spend of the product takes this lock first, so
/// on PostgreSQL the count sees every competitor that committed before; on SQLite the one
/// writer connection serialises them anyway. No row: no limits, nothing to wait for.
pub(crate) async fn check_under_lock(
    tx: &mut Tx,
    guard: &Guard<'_>,
) -> Result<Result<(), ReachedLimit>, StoreError> {
    let scope = &guard.scope;
    let locked = sqlx::query(
        "UPDATE product_guardrails SET updated_at = updated_at \
         WHERE organization_id = $1 AND product = $2",
    )
    .bind(scope.organization_id)
    .bind(scope.product.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if locked == 0 {
        return Ok(Ok(()));
    }
    let limits = read_guardrails(tx, scope.organization_id, scope.product).await?;
    if limits == Guardrails::default() {
        return Ok(Ok(()));
    }
    let usage = usage(tx, scope).await?;
    Ok(crate::domain::guardrails::check(
        &limits,
        usage,
        guard.request,
    ))
}

impl Store {
    /// Every product's guardrails in the organisation, in `ProductId::ALL` order.
    pub async fn all_guardrails(
        &self,
        organization_id: &str,
    ) -> Result<Vec<(ProductId, Guardrails)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT product, {COLUMNS} FROM product_guardrails WHERE organization_id = $1"
        ))
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        let mut stored = Vec::with_capacity(rows.len());
        for row in &rows {
            stored.push((decode_product(row, "product")?, guardrails_from_row(row)?));
        }
        Ok(ProductId::ALL
            .into_iter()
            .map(|product| {
                let limits = stored
                    .iter()
                    .find(|(p, _)| *p == product)
                    .map_or_else(Guardrails::default, |(_, limits)| *limits);
                (product, limits)
            })
            .collect())
    }

    /// One product's guardrails and what the organisation has of it now, without a lock: for
    /// quotes and `can_buy`, which answer before paying; the purchase checks again under the
    /// lock.
    pub async fn guardrails_and_usage(
        &self,
        scope: &Scope<'_>,
    ) -> Result<(Guardrails, Usage), StoreError> {
        let mut conn = self.reader().acquire().await?;
        let limits = read_guardrails(&mut conn, scope.organization_id, scope.product).await?;
        if limits == Guardrails::default() {
            return Ok((limits, Usage::default()));
        }
        let usage = usage(&mut conn, scope).await?;
        Ok((limits, usage))
    }

    /// Sets a product's policy (when `value` is given) and guardrails in one transaction;
    /// returns what they were. The event, built from before and after, is written in the same
    /// transaction when anything changed.
    pub async fn set_policy_and_guardrails(
        &self,
        organization_id: &str,
        product: ProductId,
        value: Option<Policy>,
        change: impl FnOnce(Guardrails) -> Guardrails,
        event: impl FnOnce((Policy, Guardrails), (Policy, Guardrails)) -> Event,
        now: i64,
    ) -> Result<((Policy, Guardrails), (Policy, Guardrails)), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed =
            change_policy_in(&mut tx, organization_id, product, value, change, event, now).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// Changes a product's policy and limits inside `tx` (a policy change, or an answer to a
/// request to IT that turns the product on), with its `policy_changed` event when anything
/// changed; returns the policy and limits before and after.
pub(crate) async fn change_policy_in(
    tx: &mut Tx,
    organization_id: &str,
    product: ProductId,
    value: Option<Policy>,
    change: impl FnOnce(Guardrails) -> Guardrails,
    event: impl FnOnce((Policy, Guardrails), (Policy, Guardrails)) -> Event,
    now: i64,
) -> Result<((Policy, Guardrails), (Policy, Guardrails)), StoreError> {
    let policy_before: Option<String> = sqlx::query_scalar(
        "SELECT value FROM product_policies WHERE organization_id = $1 AND product = $2",
    )
    .bind(organization_id)
    .bind(product.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let policy_before = match policy_before {
        Some(text) => text
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("policy: {e}")))?,
        None => Policy::default(),
    };
    let limits_before = read_guardrails(tx, organization_id, product).await?;
    let before = (policy_before, limits_before);
    let after = (value.unwrap_or(policy_before), change(limits_before));
    if before == after {
        return Ok((before, after));
    }
    if after.0 != before.0 {
        sqlx::query(
            "INSERT INTO product_policies (organization_id, product, value, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, product) \
                 DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(organization_id)
        .bind(product.as_str())
        .bind(after.0.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    if after.1 != before.1 {
        let limits = after.1;
        sqlx::query(
            "INSERT INTO product_guardrails (organization_id, product, \
                 max_seats_per_purchase, max_seats, monthly_cap, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization_id, product) \
                 DO UPDATE SET max_seats_per_purchase = excluded.max_seats_per_purchase, \
                 max_seats = excluded.max_seats, monthly_cap = excluded.monthly_cap, \
                 updated_at = excluded.updated_at",
        )
        .bind(organization_id)
        .bind(product.as_str())
        .bind(limits.max_seats_per_purchase.map(|l| i64::from(l.get())))
        .bind(limits.max_seats.map(|l| i64::from(l.get())))
        .bind(limits.monthly_cap.map(SpendCap::get))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    insert_event(tx, &event(before, after)).await?;
    Ok((before, after))
}
