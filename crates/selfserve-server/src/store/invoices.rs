//! Bills: written in one place ([`insert_invoice`]) for every order that produces one, and read
//! as the API shows them.

use super::orders::OrderRow;
use super::{Store, StoreError, Tx, decode, decode_currency, placeholders};
use selfserve_api::card::CardBrand;
use selfserve_api::money::Currency;
use selfserve_api::subscription::{CardSummary, Invoice, InvoiceLine, InvoiceStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An invoice with whose it is, for the billing code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub id: String,
    pub subscription_id: String,
    pub status: InvoiceStatus,
    pub total: i64,
    pub subtotal: i64,
    pub tax: i64,
    pub currency: Currency,
    pub period_start: i64,
    pub period_end: i64,
}

/// The next human-readable number, `SS-2026-000042`.
async fn next_number(tx: &mut Tx, now: i64) -> Result<String, sqlx::Error> {
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ('invoice', 1) ON CONFLICT (name) \
         DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    let year = crate::domain::calendar::date_of(now).year;
    Ok(format!("SS-{year}-{sequence:06}"))
}

/// A bill to write for an order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewInvoice<'a> {
    pub id: &'a str,
    pub subscription_id: &'a str,
    pub order: &'a OrderRow,
    pub status: InvoiceStatus,
    /// Its single line's description.
    pub line: &'a str,
    /// The card charged, for a paid bill.
    pub card: Option<&'a CardSummary>,
}

/// Writes the bill of an order with its single line, and ties the order to it.
///
/// Numbers are one gapless sequence, a single counter row every bill takes a lock on
/// (PostgreSQL holds it until the transaction ends). So the bill is written under its id first
/// and numbered last: callers write a bill as the last thing before they commit, and the
/// counter is held for one statement and the commit, not for the whole transaction (issue 14:
/// concurrent purchases on PostgreSQL queue on it).
pub(crate) async fn insert_invoice(
    tx: &mut Tx,
    invoice: NewInvoice<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let NewInvoice {
        id: invoice_id,
        subscription_id,
        order,
        status,
        line,
        card,
    } = invoice;
    sqlx::query(
        "INSERT INTO invoices (id, number, subscription_id, order_id, status, subtotal, tax, \
         total, currency, period_start, period_end, card_brand, card_last4, card_exp_month, \
         card_exp_year, created_at, paid_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(invoice_id)
    // Unique until the number replaces it below, and never seen outside this transaction.
    .bind(invoice_id)
    .bind(subscription_id)
    .bind(&order.id)
    .bind(status.as_str())
    .bind(order.subtotal)
    .bind(order.tax)
    .bind(order.amount)
    .bind(order.currency.as_str())
    .bind(order.period_start)
    .bind(order.period_end)
    .bind(card.map(|c| c.brand.as_str()))
    .bind(card.map(|c| c.last4.clone()))
    .bind(card.map(|c| i64::from(c.exp_month)))
    .bind(card.map(|c| i64::from(c.exp_year)))
    .bind(now)
    .bind((status == InvoiceStatus::Paid).then_some(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_amount, \
         amount) VALUES ($1, 0, $2, $3, $4, $5)",
    )
    .bind(invoice_id)
    .bind(line)
    .bind(order.quantity)
    // The line's price per seat for the billed period (prorated for an increase).
    .bind(if order.quantity > 0 {
        order.subtotal / order.quantity
    } else {
        0
    })
    .bind(order.subtotal)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE orders SET invoice_id = $2 WHERE id = $1")
        .bind(&order.id)
        .bind(invoice_id)
        .execute(&mut **tx)
        .await?;
    let number = next_number(tx, now).await?;
    sqlx::query("UPDATE invoices SET number = $2 WHERE id = $1")
        .bind(invoice_id)
        .bind(number)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a paid bill's card and time inside `tx`.
pub(crate) async fn mark_paid(
    tx: &mut Tx,
    invoice_id: &str,
    card: &CardSummary,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invoices SET status = 'paid', paid_at = $2, card_brand = $3, card_last4 = $4, \
         card_exp_month = $5, card_exp_year = $6 WHERE id = $1",
    )
    .bind(invoice_id)
    .bind(now)
    .bind(card.brand.as_str())
    .bind(&card.last4)
    .bind(i64::from(card.exp_month))
    .bind(i64::from(card.exp_year))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A card summary stored in columns `{prefix}brand`, `{prefix}last4`, … (absent when the brand
/// is null).
pub(crate) fn card_from(row: &AnyRow, prefix: &str) -> Result<Option<CardSummary>, StoreError> {
    let brand: Option<String> = row.try_get(format!("{prefix}brand").as_str())?;
    let Some(brand) = brand else {
        return Ok(None);
    };
    Ok(Some(CardSummary {
        brand: brand
            .parse::<CardBrand>()
            .map_err(|_| StoreError::Corrupt(format!("card brand {brand:?}")))?,
        last4: row.try_get(format!("{prefix}last4").as_str())?,
        exp_month: row.try_get::<i64, _>(format!("{prefix}exp_month").as_str())? as u32,
        exp_year: row.try_get::<i64, _>(format!("{prefix}exp_year").as_str())? as u32,
    }))
}

const INVOICE_COLUMNS: &str = "id, number, subscription_id, status, subtotal, tax, total, \
    currency, period_start, period_end, card_brand, card_last4, card_exp_month, card_exp_year, \
    created_at, paid_at, amount_refunded";

impl Store {
    /// A subscription's bills with their lines, newest first, at most `limit`.
    pub async fn invoices_of(
        &self,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<Invoice>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE subscription_id = $1 \
             ORDER BY created_at DESC, number DESC LIMIT $2"
        ))
        .bind(subscription_id)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        self.with_lines(&rows).await
    }

    /// One bill with its lines.
    pub async fn invoice(&self, id: &str) -> Result<Option<Invoice>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        Ok(match row {
            Some(row) => self.with_lines(&[row]).await?.pop(),
            None => None,
        })
    }

    /// The newest bill (by date, then number) of each of `subscription_ids`, with its lines:
    /// two queries however many subscriptions there are.
    pub(crate) async fn latest_invoices_of(
        &self,
        subscription_ids: &[String],
    ) -> Result<Vec<Invoice>, StoreError> {
        if subscription_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.subscription_id IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM invoices n WHERE n.subscription_id = i.subscription_id \
                 AND (n.created_at > i.created_at \
                      OR (n.created_at = i.created_at AND n.number > i.number)))",
            placeholders(1, subscription_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in subscription_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.reader()).await?;
        self.with_lines(&rows).await
    }

    /// The bill an order paid or produced.
    pub async fn invoice_of_order(&self, order_id: &str) -> Result<Option<Invoice>, StoreError> {
        let id: Option<Option<String>> =
            sqlx::query_scalar("SELECT invoice_id FROM orders WHERE id = $1")
                .bind(order_id)
                .fetch_optional(self.reader())
                .await?;
        match id.flatten() {
            Some(id) => self.invoice(&id).await,
            None => Ok(None),
        }
    }

    /// Invoices from `rows` with their lines, read in one query.
    async fn with_lines(&self, rows: &[AnyRow]) -> Result<Vec<Invoice>, StoreError> {
        let ids: Vec<String> = rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut lines: std::collections::HashMap<String, Vec<InvoiceLine>> = Default::default();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT invoice_id, description, quantity, unit_amount, amount FROM invoice_lines \
                 WHERE invoice_id IN ({}) ORDER BY invoice_id, position",
                placeholders(1, ids.len())
            );
            let mut query = sqlx::query(&sql);
            for id in &ids {
                query = query.bind(id);
            }
            for row in query.fetch_all(self.reader()).await? {
                lines
                    .entry(row.try_get("invoice_id")?)
                    .or_default()
                    .push(InvoiceLine {
                        description: row.try_get("description")?,
                        quantity: row.try_get::<i64, _>("quantity")? as u32,
                        unit_amount: row.try_get("unit_amount")?,
                        amount: row.try_get("amount")?,
                    });
            }
        }
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(Invoice {
                    lines: lines.remove(&id).unwrap_or_default(),
                    id,
                    number: row.try_get("number")?,
                    subscription_id: row.try_get("subscription_id")?,
                    status: decode(row, "status")?,
                    subtotal: row.try_get("subtotal")?,
                    tax: row.try_get("tax")?,
                    total: row.try_get("total")?,
                    currency: decode_currency(row, "currency")?,
                    period_start: row.try_get("period_start")?,
                    period_end: row.try_get("period_end")?,
                    created: row.try_get("created_at")?,
                    paid_at: row.try_get("paid_at")?,
                    card: card_from(row, "card_")?,
                    amount_refunded: row.try_get("amount_refunded")?,
                })
            })
            .collect()
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
            Ok(InvoiceRow {
                id: row.try_get("id")?,
                subscription_id: row.try_get("subscription_id")?,
                status: decode(&row, "status")?,
                total: row.try_get("total")?,
                subtotal: row.try_get("subtotal")?,
                tax: row.try_get("tax")?,
                currency: decode_currency(&row, "currency")?,
                period_start: row.try_get("period_start")?,
                period_end: row.try_get("period_end")?,
            })
        })
        .transpose()
    }
}
