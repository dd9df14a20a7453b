//! Orders: every movement of money is an order recorded in phase `created` before the card is
//! charged, then settled once to `paid` or `failed` (see `services::payments`).

use super::{Store, StoreError, Tx, decode, decode_currency, decode_product};
use selfserve_api::guardrails::ReachedLimit;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::subscription::{OrderKind, OrderPhase};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What an order charges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentSource {
    /// A card the buyer just entered: the processor's single-use token (or, with Stripe, a
    /// PaymentMethod not yet attached). Saved as the card on file when the charge succeeds.
    NewCard(String),
    /// The card on file, charged without the buyer present.
    SavedCard(String),
}

impl PaymentSource {
    /// The processor's id of the card or token.
    pub fn id(&self) -> &str {
        match self {
            Self::NewCard(id) | Self::SavedCard(id) => id,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::NewCard(_) => "new_card",
            Self::SavedCard(_) => "saved_card",
        }
    }
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: String,
    pub organization_id: String,
    pub purchaser_id: String,
    /// Set from the start for changes of a subscription, once paid for a purchase.
    pub subscription_id: Option<String>,
    pub kind: OrderKind,
    pub product: ProductId,
    /// Seats: all of them for a purchase or renewal, those added for an increase, the new
    /// total for a scheduled decrease.
    pub quantity: i64,
    pub unit_amount: i64,
    pub subtotal: i64,
    pub tax: i64,
    pub tax_rate_bps: i64,
    /// What is charged: subtotal + tax.
    pub amount: i64,
    pub currency: Currency,
    /// The period the order pays for.
    pub period_start: i64,
    pub period_end: i64,
    pub phase: OrderPhase,
    pub payment_source: Option<PaymentSource>,
    pub decline_code: Option<String>,
    pub created_at: i64,
    /// The bill it pays (renewals and bill payments) or produced (seat increases).
    pub invoice_id: Option<String>,
    /// The trial a purchase replaces.
    pub converts_subscription_id: Option<String>,
}

const ORDER_COLUMNS: &str = "id, organization_id, purchaser_id, subscription_id, kind, product, \
    quantity, unit_amount, subtotal, tax, tax_rate_bps, amount, currency, period_start, \
    period_end, phase, payment_source, payment_source_kind, decline_code, created_at, \
    invoice_id, converts_subscription_id";

fn order_from_row(row: &AnyRow) -> Result<OrderRow, StoreError> {
    let source: Option<String> = row.try_get("payment_source")?;
    let source_kind: Option<String> = row.try_get("payment_source_kind")?;
    let payment_source = match (source, source_kind.as_deref()) {
        (None, _) => None,
        (Some(id), Some("new_card")) => Some(PaymentSource::NewCard(id)),
        (Some(id), Some("saved_card")) => Some(PaymentSource::SavedCard(id)),
        (Some(_), other) => {
            return Err(StoreError::Corrupt(format!(
                "order payment source kind {other:?}"
            )));
        }
    };
    Ok(OrderRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        purchaser_id: row.try_get("purchaser_id")?,
        subscription_id: row.try_get("subscription_id")?,
        kind: decode(row, "kind")?,
        product: decode_product(row, "product")?,
        quantity: row.try_get("quantity")?,
        unit_amount: row.try_get("unit_amount")?,
        subtotal: row.try_get("subtotal")?,
        tax: row.try_get("tax")?,
        tax_rate_bps: row.try_get("tax_rate_bps")?,
        amount: row.try_get("amount")?,
        currency: decode_currency(row, "currency")?,
        period_start: row.try_get("period_start")?,
        period_end: row.try_get("period_end")?,
        phase: decode(row, "phase")?,
        payment_source,
        decline_code: row.try_get("decline_code")?,
        created_at: row.try_get("created_at")?,
        invoice_id: row.try_get("invoice_id")?,
        converts_subscription_id: row.try_get("converts_subscription_id")?,
    })
}

/// Inserts an order inside `tx`.
pub(crate) async fn insert_order(tx: &mut Tx, order: &OrderRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO orders ({ORDER_COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $20)"
    ))
    .bind(&order.id)
    .bind(&order.organization_id)
    .bind(&order.purchaser_id)
    .bind(&order.subscription_id)
    .bind(order.kind.as_str())
    .bind(order.product.as_str())
    .bind(order.quantity)
    .bind(order.unit_amount)
    .bind(order.subtotal)
    .bind(order.tax)
    .bind(order.tax_rate_bps)
    .bind(order.amount)
    .bind(order.currency.as_str())
    .bind(order.period_start)
    .bind(order.period_end)
    .bind(order.phase.as_str())
    .bind(order.payment_source.as_ref().map(PaymentSource::id))
    .bind(order.payment_source.as_ref().map(PaymentSource::kind))
    .bind(&order.decline_code)
    .bind(order.created_at)
    .bind(&order.invoice_id)
    .bind(&order.converts_subscription_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an order paid inside `tx`, if it is still `created`, recording the card charged (a
/// new card is saved by its charge): the guard that makes completing an order twice (a
/// replay, a second recovery) a no-op.
pub(crate) async fn claim_paid(
    tx: &mut Tx,
    order_id: &str,
    charged: &PaymentSource,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE orders SET phase = 'paid', payment_source = $2, payment_source_kind = $3, \
         updated_at = $4 WHERE id = $1 AND phase = 'created'",
    )
    .bind(order_id)
    .bind(charged.id())
    .bind(charged.kind())
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// Marks an order failed inside `tx`, if it is still `created`.
pub(crate) async fn claim_failed(
    tx: &mut Tx,
    order_id: &str,
    decline_code: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE orders SET phase = 'failed', decline_code = $2, updated_at = $3 \
         WHERE id = $1 AND phase = 'created'",
    )
    .bind(order_id)
    .bind(decline_code)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

impl Store {
    /// Records an order in phase `created` and ties it to its idempotency key, together: from
    /// here on a crash leaves a trace that recovery can finish or roll back.
    pub async fn insert_order(
        &self,
        order: &OrderRow,
        idempotency: Option<(&str, &str)>,
        guard: Option<&super::guardrails::Guard<'_>>,
    ) -> Result<Result<(), ReachedLimit>, StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(guard) = guard
            && let Err(reached) = super::guardrails::check_under_lock(&mut tx, guard).await?
        {
            tx.rollback().await?;
            return Ok(Err(reached));
        }
        insert_order(&mut tx, order).await?;
        super::idempotency::bind_key(&mut tx, idempotency, &order.id).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Marks an order failed (declined, or abandoned before any charge).
    pub async fn fail_order(
        &self,
        order_id: &str,
        decline_code: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        claim_failed(&mut tx, order_id, decline_code, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An order by id.
    pub async fn order(&self, id: &str) -> Result<Option<OrderRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.writer())
            .await?;
        row.map(|row| order_from_row(&row)).transpose()
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
        rows.iter().map(order_from_row).collect()
    }
}
