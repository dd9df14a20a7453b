//! Leases on rows that background senders deliver (mails, admin webhooks): several servers share
//! one database, and each row is sent by whoever holds its lease.

use super::WriteStatement;
use super::{Store, StoreError};

/// A table whose rows carry `status`, `next_attempt_at`, `lease_owner` and `lease_until`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Leased {
    Outbox,
    WebhookDeliveries,
}

impl Leased {
    fn table(self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::WebhookDeliveries => "webhook_deliveries",
        }
    }
}

impl Store {
    /// Leases row `id` of `table` to `owner` until `lease_until`, if it is still due and free.
    /// One conditional `UPDATE`: of two senders racing for a row, one updates it and the other's
    /// condition no longer holds (PostgreSQL re-checks it on the row it waited for), so the
    /// loser goes on to its next candidate.
    pub(crate) async fn take_lease(
        &self,
        table: Leased,
        id: &str,
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let taken = sqlx::query(&format!(
            "UPDATE {} SET lease_owner = $1, lease_until = $2 \
             WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4 \
             AND (lease_until IS NULL OR lease_until <= $4)",
            table.table()
        ))
        .bind(owner)
        .bind(lease_until)
        .bind(id)
        .bind(now)
        .write(self)
        .await?
        .rows_affected()
            == 1;
        Ok(taken)
    }
}
