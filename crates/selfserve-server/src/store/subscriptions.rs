//! Reading subscriptions in the shape the API returns them.

use super::{Store, StoreError, from_flag};
use crate::domain::price_book;
use selfserve_api::card::CardBrand;
use selfserve_api::money::Currency;
use selfserve_api::product::ProductId;
use selfserve_api::subscription::{
    CardSummary, Invoice, InvoiceLine, Order, Source, Subscription, SubscriptionStatus, UserRef,
};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A subscription with who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    /// As the API shows it.
    pub view: Subscription,
    /// Its organisation (admins and delegated partners of it may see it).
    pub organization_id: String,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unexpected {what} {value:?}"))
}

fn parse_status(text: &str) -> Result<SubscriptionStatus, StoreError> {
    Ok(match text {
        "active" => SubscriptionStatus::Active,
        "trialing" => SubscriptionStatus::Trialing,
        "past_due" => SubscriptionStatus::PastDue,
        "suspended" => SubscriptionStatus::Suspended,
        "canceled" => SubscriptionStatus::Canceled,
        "expired" => SubscriptionStatus::Expired,
        other => return Err(corrupt("status", other)),
    })
}

fn parse_brand(text: &str) -> CardBrand {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or(CardBrand::Unknown)
}

fn card_from(row: &AnyRow, prefix: &str) -> Result<Option<CardSummary>, sqlx::Error> {
    let brand: Option<String> = row.try_get(format!("{prefix}brand").as_str())?;
    let Some(brand) = brand else {
        return Ok(None);
    };
    Ok(Some(CardSummary {
        brand: parse_brand(&brand),
        last4: row.try_get(format!("{prefix}last4").as_str())?,
        exp_month: row.try_get::<i64, _>(format!("{prefix}exp_month").as_str())? as u32,
        exp_year: row.try_get::<i64, _>(format!("{prefix}exp_year").as_str())? as u32,
    }))
}

const INVOICE_COLUMNS: &str = "id, number, subscription_id, status, subtotal, tax, total, \
    currency, period_start, period_end, card_brand, card_last4, card_exp_month, card_exp_year, \
    created_at, paid_at";

impl Store {
    /// One subscription, everything included.
    pub async fn subscription(&self, id: &str) -> Result<Option<SubscriptionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, s.organization_id, s.product, s.source, s.status, s.quantity, \
             s.pending_quantity, s.unit_amount, s.currency, s.current_period_start, \
             s.current_period_end, s.cancel_at_period_end, s.created_at, \
             s.cancel_requested_at, s.cancel_requested_by, s.converted_to, \
             u.id AS purchaser_id, u.email AS purchaser_email, u.name AS purchaser_name, \
             pm.brand AS pm_brand, pm.last4 AS pm_last4, pm.exp_month AS pm_exp_month, \
             pm.exp_year AS pm_exp_year \
             FROM subscriptions s JOIN users u ON u.id = s.purchaser_id \
             LEFT JOIN gateway_payment_methods pm ON pm.id = s.payment_method_id \
             WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let product_text: String = row.try_get("product")?;
        let product: ProductId = product_text
            .parse()
            .map_err(|_| corrupt("product", &product_text))?;
        let currency_text: String = row.try_get("currency")?;
        let currency =
            Currency::parse(&currency_text).map_err(|_| corrupt("currency", &currency_text))?;
        let source_text: String = row.try_get("source")?;
        let source = match source_text.as_str() {
            "central" => Source::Central,
            _ => Source::SelfService,
        };
        let pending: Option<i64> = row.try_get("pending_quantity")?;

        let assigned_users = sqlx::query(
            "SELECT u.id, u.email, u.name FROM assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.subscription_id = $1 ORDER BY u.name, u.email",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(UserRef {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

        let orders = sqlx::query(
            "SELECT id, kind, quantity, amount, currency, phase, created_at FROM orders \
             WHERE subscription_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let currency: String = r.try_get("currency")?;
            Ok(Order {
                id: r.try_get("id")?,
                kind: super::decode(r, "kind")?,
                quantity: r.try_get::<i64, _>("quantity")? as u32,
                amount: r.try_get("amount")?,
                currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
                status: super::decode(r, "phase")?,
                created: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

        let latest_invoice = self.invoices_of(id, 1).await?.into_iter().next();

        let view = Subscription {
            id: row.try_get("id")?,
            product,
            product_name: price_book::entry(product).name.to_owned(),
            source,
            status: parse_status(&row.try_get::<String, _>("status")?)?,
            quantity: row.try_get::<i64, _>("quantity")? as u32,
            pending_quantity: pending.map(|q| q as u32),
            assigned_users,
            purchaser: UserRef {
                id: row.try_get("purchaser_id")?,
                email: row.try_get("purchaser_email")?,
                name: row.try_get("purchaser_name")?,
            },
            current_period_start: row.try_get("current_period_start")?,
            current_period_end: row.try_get("current_period_end")?,
            cancel_at_period_end: from_flag(row.try_get("cancel_at_period_end")?),
            unit_amount: row.try_get("unit_amount")?,
            currency,
            payment_method: card_from(&row, "pm_")?,
            orders,
            latest_invoice,
            created: row.try_get("created_at")?,
            cancel_requested_at: row.try_get("cancel_requested_at")?,
            cancel_requested_by: row.try_get("cancel_requested_by")?,
            converted_to: row.try_get("converted_to")?,
        };
        Ok(Some(SubscriptionRecord {
            view,
            organization_id: row.try_get("organization_id")?,
        }))
    }

    /// Ids of the subscriptions a user bought, newest first.
    pub async fn subscription_ids_of_purchaser(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT id FROM subscriptions WHERE purchaser_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        Ok(ids)
    }

    /// Ids of every subscription of an organisation, newest first.
    pub async fn subscription_ids_of_organization(
        &self,
        organization_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT id FROM subscriptions WHERE organization_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        Ok(ids)
    }

    /// A subscription's invoices, newest first, at most `limit`.
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
        let mut invoices = Vec::with_capacity(rows.len());
        for row in &rows {
            invoices.push(self.invoice_from_row(row).await?);
        }
        Ok(invoices)
    }

    /// One invoice with its lines.
    pub async fn invoice(&self, id: &str) -> Result<Option<Invoice>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(row) => Ok(Some(self.invoice_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    async fn invoice_from_row(&self, row: &AnyRow) -> Result<Invoice, StoreError> {
        let id: String = row.try_get("id")?;
        let lines = sqlx::query(
            "SELECT description, quantity, unit_amount, amount FROM invoice_lines \
             WHERE invoice_id = $1 ORDER BY position",
        )
        .bind(&id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(InvoiceLine {
                description: r.try_get("description")?,
                quantity: r.try_get::<i64, _>("quantity")? as u32,
                unit_amount: r.try_get("unit_amount")?,
                amount: r.try_get("amount")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let currency: String = row.try_get("currency")?;
        Ok(Invoice {
            id,
            number: row.try_get("number")?,
            subscription_id: row.try_get("subscription_id")?,
            status: super::decode(row, "status")?,
            lines,
            subtotal: row.try_get("subtotal")?,
            tax: row.try_get("tax")?,
            total: row.try_get("total")?,
            currency: Currency::parse(&currency).map_err(|_| corrupt("currency", &currency))?,
            period_start: row.try_get("period_start")?,
            period_end: row.try_get("period_end")?,
            created: row.try_get("created_at")?,
            paid_at: row.try_get("paid_at")?,
            card: card_from(row, "card_")?,
        })
    }
}
