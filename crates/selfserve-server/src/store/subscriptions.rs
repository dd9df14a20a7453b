//! Subscriptions as stored ([`SubscriptionRow`], what billing and the rules need) and as the
//! API shows them ([`Subscription`], with purchaser, licences, orders and the latest bill).

use super::invoices::card_from;
use super::{
    Backend, Store, StoreError, decode, decode_currency, decode_optional, decode_product,
    from_flag, placeholders,
};
use crate::domain::lifecycle::{LIVE, sql_list};
use crate::domain::price_book;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::subscription::{
    Dispute, Invoice, Order, Source, Subscription, SubscriptionStatus, UserRef,
};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

mod holders;
mod pages;
pub(crate) use holders::holder_order;
pub use holders::{HoldersListed, filter_words};
pub use pages::{ListFilter, ListOrder, PageRow, SortKey};

/// `sql` with each of `ids` bound in turn.
fn bind_all<'q>(
    sql: &'q str,
    ids: &[String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for id in ids {
        query = query.bind(id.clone());
    }
    query
}

/// A subscription's own row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub id: String,
    pub organization_id: String,
    pub product: ProductId,
    pub source: Source,
    pub status: SubscriptionStatus,
    /// Seats paid for this period.
    pub quantity: i64,
    /// Seats from the next renewal, when a decrease is scheduled.
    pub pending_quantity: Option<i64>,
    /// Seats given to users (kept equal to the assignments by the seat invariant).
    pub assigned_count: i64,
    pub purchaser_id: String,
    /// Price per seat and period, before tax.
    pub unit_amount: i64,
    pub currency: Currency,
    pub tax_rate_bps: i64,
    /// When the first period started: later periods end on the same day of the month.
    pub billing_anchor: i64,
    /// Periods completed since the anchor (the optimistic lock of renewals).
    pub periods_elapsed: i64,
    pub current_period_start: i64,
    pub current_period_end: i64,
    pub cancel_at_period_end: bool,
    /// The card on file (the processor's id).
    pub payment_method_id: Option<String>,
}

impl SubscriptionRow {
    /// The seats that bound assignments: this period's, or a scheduled decrease's if lower.
    pub fn seat_limit(&self) -> i64 {
        self.pending_quantity.unwrap_or(self.quantity)
    }

    /// Seats free for more people now.
    pub fn free_seats(&self) -> i64 {
        (self.seat_limit() - self.assigned_count).max(0)
    }
}

pub(crate) const SUBSCRIPTION_COLUMNS: &str = "id, organization_id, product, source, status, \
    quantity, pending_quantity, assigned_count, purchaser_id, unit_amount, currency, \
    tax_rate_bps, billing_anchor, periods_elapsed, current_period_start, current_period_end, \
    cancel_at_period_end, payment_method_id";

pub(crate) fn subscription_from_row(row: &AnyRow) -> Result<SubscriptionRow, StoreError> {
    Ok(SubscriptionRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        product: decode_product(row, "product")?,
        source: decode(row, "source")?,
        status: decode(row, "status")?,
        quantity: row.try_get("quantity")?,
        pending_quantity: row.try_get("pending_quantity")?,
        assigned_count: row.try_get("assigned_count")?,
        purchaser_id: row.try_get("purchaser_id")?,
        unit_amount: row.try_get("unit_amount")?,
        currency: decode_currency(row, "currency")?,
        tax_rate_bps: row.try_get("tax_rate_bps")?,
        billing_anchor: row.try_get("billing_anchor")?,
        periods_elapsed: row.try_get("periods_elapsed")?,
        current_period_start: row.try_get("current_period_start")?,
        current_period_end: row.try_get("current_period_end")?,
        cancel_at_period_end: from_flag(row.try_get("cancel_at_period_end")?),
        payment_method_id: row.try_get("payment_method_id")?,
    })
}

/// Whose subscriptions a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// Those a user bought.
    Purchaser(&'a str),
    /// Every one of an organisation.
    Organization(&'a str),
}

impl Store {
    /// A subscription's row, as last committed. Every change re-checks what it relies on
    /// inside its own transaction, so reading from the pool (not the one writer) is safe.
    pub async fn subscription_row(&self, id: &str) -> Result<Option<SubscriptionRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| subscription_from_row(&row)).transpose()
    }

    /// Rows of subscriptions, newest first, optionally of one source and product.
    pub async fn subscription_rows(
        &self,
        owner: Owner<'_>,
        source: Option<Source>,
        product: Option<ProductId>,
    ) -> Result<Vec<SubscriptionRow>, StoreError> {
        let (column, id) = match owner {
            Owner::Purchaser(id) => ("purchaser_id", id),
            Owner::Organization(id) => ("organization_id", id),
        };
        let rows = sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE {column} = $1 \
             AND ($2 IS NULL OR source = $2) AND ($3 IS NULL OR product = $3) \
             ORDER BY created_at DESC, id"
        ))
        .bind(id)
        .bind(source.map(Source::as_str))
        .bind(product.map(ProductId::as_str))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    /// Subscriptions whose period has ended by `now` and that still have to renew or end.
    pub async fn due_subscriptions(&self, now: i64) -> Result<Vec<SubscriptionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE current_period_end <= $1 \
             AND status IN ({}) ORDER BY current_period_end",
            sql_list(LIVE)
        ))
        .bind(now)
        .fetch_all(self.writer())
        .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    /// One subscription as the API shows it.
    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        self.subscription_listing(id, HoldersListed::Every).await
    }

    /// One subscription as the API shows it, listing `holders` of its licence holders.
    pub async fn subscription_listing(
        &self,
        id: &str,
        holders: HoldersListed,
    ) -> Result<Option<Subscription>, StoreError> {
        Ok(self
            .subscription_views(&[id.to_owned()], holders)
            .await?
            .into_iter()
            .next())
    }

    /// The subscriptions a list shows, newest first, as the API shows them.
    pub async fn subscriptions(
        &self,
        owner: Owner<'_>,
        source: Option<Source>,
    ) -> Result<Vec<Subscription>, StoreError> {
        let ids: Vec<String> = self
            .subscription_rows(owner, source, None)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        self.subscription_views(&ids, HoldersListed::Every).await
    }

    /// Subscriptions by id, in the order given, with everything the API shows: a fixed number
    /// of queries however many there are (but one per subscription for the first few holders).
    pub async fn subscription_views(
        &self,
        ids: &[String],
        holders_listed: HoldersListed,
    ) -> Result<Vec<Subscription>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, ids.len());
        // The card on file is the built-in gateway's or Stripe's, whichever processor made it.
        let heads_sql = format!(
            "SELECT s.id, s.product, s.source, s.status, s.quantity, s.pending_quantity, \
             s.unit_amount, s.currency, s.current_period_start, s.current_period_end, \
             s.cancel_at_period_end, s.created_at, s.cancel_requested_at, s.assigned_count, \
             s.cancel_requested_by, s.converted_to, \
             u.id AS purchaser_id, u.email AS purchaser_email, u.name AS purchaser_name, \
             COALESCE(gpm.brand, spm.brand) AS pm_brand, \
             COALESCE(gpm.last4, spm.last4) AS pm_last4, \
             COALESCE(gpm.exp_month, spm.exp_month) AS pm_exp_month, \
             COALESCE(gpm.exp_year, spm.exp_year) AS pm_exp_year \
             FROM subscriptions s JOIN users u ON u.id = s.purchaser_id \
             LEFT JOIN gateway_payment_methods gpm ON gpm.id = s.payment_method_id \
             LEFT JOIN stripe_cards spm ON spm.payment_method_id = s.payment_method_id \
             WHERE s.id IN ({list})"
        );
        let heads = bind_all(&heads_sql, ids).fetch_all(self.reader()).await?;

        let mut assigned = match holders_listed {
            HoldersListed::Every => self.every_holder(ids).await?,
            HoldersListed::First(count) => self.first_holders(ids, count).await?,
        };

        let mut orders: HashMap<String, Vec<Order>> = HashMap::new();
        let orders_sql = format!(
            "SELECT subscription_id, id, kind, quantity, amount, currency, phase, created_at \
             FROM orders WHERE subscription_id IN ({list}) ORDER BY created_at DESC, id DESC"
        );
        for row in bind_all(&orders_sql, ids).fetch_all(self.reader()).await? {
            orders
                .entry(row.try_get("subscription_id")?)
                .or_default()
                .push(Order {
                    id: row.try_get("id")?,
                    kind: decode(&row, "kind")?,
                    quantity: row.try_get::<i64, _>("quantity")? as u32,
                    amount: row.try_get("amount")?,
                    currency: decode_currency(&row, "currency")?,
                    status: decode(&row, "phase")?,
                    created: row.try_get("created_at")?,
                });
        }

        let mut latest: HashMap<String, Invoice> = self
            .latest_invoices_of(ids)
            .await?
            .into_iter()
            .map(|invoice| (invoice.subscription_id.clone(), invoice))
            .collect();

        let mut disputes: HashMap<String, Dispute> = HashMap::new();
        let disputes_sql = format!(
            "SELECT subscription_id, amount, currency, opened_at, outcome FROM stripe_disputes \
             WHERE subscription_id IN ({list}) ORDER BY opened_at, id"
        );
        // Oldest first: the latest one stays.
        for row in bind_all(&disputes_sql, ids)
            .fetch_all(self.reader())
            .await?
        {
            disputes.insert(
                row.try_get("subscription_id")?,
                Dispute {
                    opened: row.try_get("opened_at")?,
                    amount: row.try_get("amount")?,
                    currency: decode_currency(&row, "currency")?,
                    outcome: decode_optional(&row, "outcome")?,
                },
            );
        }

        let mut by_id: HashMap<String, Subscription> = HashMap::new();
        for row in &heads {
            let id: String = row.try_get("id")?;
            let product = decode_product(row, "product")?;
            let pending: Option<i64> = row.try_get("pending_quantity")?;
            let holders = assigned.remove(&id).unwrap_or_default();
            let view = Subscription {
                product,
                product_name: price_book::entry(product).name.to_owned(),
                source: decode(row, "source")?,
                status: decode(row, "status")?,
                quantity: row.try_get::<i64, _>("quantity")? as u32,
                pending_quantity: pending.map(|q| q as u32),
                assigned_count: match holders_listed {
                    // The holders and the count are separate reads: a list of every holder
                    // counts itself, so it never looks cut when a write came between them.
                    HoldersListed::Every => holders.len(),
                    HoldersListed::First(_) => {
                        usize::try_from(row.try_get::<i64, _>("assigned_count")?)
                            .map_err(|_| StoreError::Corrupt(format!("{id}: a negative count")))?
                    }
                }
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("{id}: too many holders")))?,
                assigned_users: holders,
                purchaser: UserRef {
                    id: row.try_get("purchaser_id")?,
                    email: row.try_get("purchaser_email")?,
                    name: row.try_get("purchaser_name")?,
                },
                current_period_start: row.try_get("current_period_start")?,
                current_period_end: row.try_get("current_period_end")?,
                cancel_at_period_end: from_flag(row.try_get("cancel_at_period_end")?),
                unit_amount: row.try_get("unit_amount")?,
                currency: decode_currency(row, "currency")?,
                payment_method: card_from(row, "pm_")?,
                orders: orders.remove(&id).unwrap_or_default(),
                latest_invoice: latest.remove(&id),
                created: row.try_get("created_at")?,
                cancel_requested_at: row.try_get("cancel_requested_at")?,
                cancel_requested_by: row.try_get("cancel_requested_by")?,
                converted_to: row.try_get("converted_to")?,
                dispute: disputes.remove(&id),
                id: id.clone(),
            };
            by_id.insert(id, view);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Every holder of each of `ids`.
    async fn every_holder(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<UserRef>>, StoreError> {
        // One row per subscription, its holders already a JSON array: a 10,000-seat
        // subscription is one string to hand over instead of 10,000 rows, each a trip through
        // the driver (the query took 31 ms as rows, 20.5 ms as one array; BENCHMARKS.md).
        // `ORDER BY` inside an aggregate needs SQLite 3.44; sqlx bundles 3.46.
        let order = holder_order(self.backend);
        let holders = match self.backend {
            Backend::Sqlite => {
                format!(
                    "json_group_array(json_object('id', u.id, 'email', u.email, 'name', u.name) \
                     {order})"
                )
            }
            Backend::Postgres => format!(
                "json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name) \
                 {order})::text"
            ),
        };
        let list = placeholders(1, ids.len());
        let assigned_sql = format!(
            "SELECT a.subscription_id, {holders} AS holders FROM assignments a \
             JOIN users u ON u.id = a.user_id WHERE a.subscription_id IN ({list}) \
             GROUP BY a.subscription_id"
        );
        let mut assigned: HashMap<String, Vec<UserRef>> = HashMap::new();
        for row in bind_all(&assigned_sql, ids)
            .fetch_all(self.reader())
            .await?
        {
            let holders: String = row.try_get("holders")?;
            let holders = serde_json::from_str(&holders)
                .map_err(|e| StoreError::Corrupt(format!("licence holders: {e}")))?;
            assigned.insert(row.try_get("subscription_id")?, holders);
        }

        Ok(assigned)
    }
}
