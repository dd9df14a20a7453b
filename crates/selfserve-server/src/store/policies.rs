//! Product policies per organisation (the MSCommerce `AllowSelfServicePurchase` setting).

use super::events::insert_event;
use super::{Store, StoreError, decode, decode_product};
use crate::events::Event;
use selfserve_api::admin::Policy;
use selfserve_api::product::ProductId;

impl Store {
    /// An organisation's policy for every product, in `ProductId::ALL` order (one query). A
    /// product without a setting is on; an unreadable setting is an error, never "on".
    pub async fn policies(
        &self,
        organization_id: &str,
    ) -> Result<Vec<(ProductId, Policy)>, StoreError> {
        let rows =
            sqlx::query("SELECT product, value FROM product_policies WHERE organization_id = $1")
                .bind(organization_id)
                .fetch_all(self.reader())
                .await?;
        let mut stored = Vec::with_capacity(rows.len());
        for row in &rows {
            stored.push((
                decode_product(row, "product")?,
                decode::<Policy>(row, "value")?,
            ));
        }
        Ok(ProductId::ALL
            .into_iter()
            .map(|product| {
                let policy = stored
                    .iter()
                    .find(|(p, _)| *p == product)
                    .map_or_else(Policy::default, |(_, value)| *value);
                (product, policy)
            })
            .collect())
    }

    /// An organisation's policy for one product.
    pub async fn policy(
        &self,
        organization_id: &str,
        product: ProductId,
    ) -> Result<Policy, StoreError> {
        Ok(self
            .policies(organization_id)
            .await?
            .into_iter()
            .find(|(p, _)| *p == product)
            .map_or_else(Policy::default, |(_, policy)| policy))
    }

    /// Sets one product's policy and returns the one it replaced; the event (built from the
    /// policy before) is written in the same transaction when the value changes.
    pub async fn set_policy(
        &self,
        organization_id: &str,
        product: ProductId,
        value: Policy,
        event: impl FnOnce(Policy) -> Event,
        now: i64,
    ) -> Result<Policy, StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT value FROM product_policies WHERE organization_id = $1 AND product = $2",
        )
        .bind(organization_id)
        .bind(product.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let before = match before {
            Some(text) => text
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("policy: {e}")))?,
            None => Policy::default(),
        };
        sqlx::query(
            "INSERT INTO product_policies (organization_id, product, value, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, product) \
             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(organization_id)
        .bind(product.as_str())
        .bind(value.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if before != value {
            insert_event(&mut tx, &event(before)).await?;
        }
        tx.commit().await?;
        Ok(before)
    }
}
