//! Stripe-style idempotency keys: the first response to a key is stored and replayed; the key
//! is tied to the order its request created, so recovery can answer it.

use super::WriteStatement;
use super::{Store, StoreError, Tx};
use sqlx::Row;

/// What `begin_idempotent` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// A new key: the request runs.
    Started,
    /// The same key and request are running (or crashed mid-way: see `created_at`).
    InProgress {
        /// When the first request started.
        created_at: i64,
        /// The order it created, if it got that far.
        order_id: Option<String>,
    },
    /// The key was used with a different request.
    Mismatch,
    /// The key's request finished: replay its response.
    Done {
        /// HTTP status.
        status: u16,
        /// The exact body sent the first time.
        body: String,
    },
}

/// Ties the idempotency key `(user id, key)` to the order its request created, inside the
/// transaction that records the order: the one place this happens.
pub(crate) async fn bind_key(
    tx: &mut Tx,
    idempotency: Option<(&str, &str)>,
    order_id: &str,
) -> Result<(), sqlx::Error> {
    if let Some((user_id, key)) = idempotency {
        sqlx::query("UPDATE idempotency_keys SET order_id = $3 WHERE user_id = $1 AND key = $2")
            .bind(user_id)
            .bind(key)
            .bind(order_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Claims an idempotency key for a request, or reports what happened to it before.
    pub async fn begin_idempotent(
        &self,
        user_id: &str,
        key: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<IdempotencyBegin, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, state, created_at) \
             VALUES ($1, $2, $3, 'in_progress', $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .write(self)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(IdempotencyBegin::Started);
        }
        let row = sqlx::query(
            "SELECT request_hash, state, response_status, response_body, order_id, created_at \
             FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_one(self.writer())
        .await?;
        let stored_hash: String = row.try_get("request_hash")?;
        if stored_hash != request_hash {
            return Ok(IdempotencyBegin::Mismatch);
        }
        let state: String = row.try_get("state")?;
        if state == "done" {
            let status: i64 = row.try_get("response_status")?;
            return Ok(IdempotencyBegin::Done {
                status: status as u16,
                body: row
                    .try_get::<Option<String>, _>("response_body")?
                    .unwrap_or_default(),
            });
        }
        Ok(IdempotencyBegin::InProgress {
            created_at: row.try_get("created_at")?,
            order_id: row.try_get("order_id")?,
        })
    }

    /// Stores the response of a key's request, for replays. A key already answered keeps its
    /// first answer.
    pub async fn finish_idempotent(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4 \
             WHERE user_id = $1 AND key = $2 AND state = 'in_progress'",
        )
        .bind(user_id)
        .bind(key)
        .bind(i64::from(status))
        .bind(body)
        .write(self)
        .await?;
        Ok(())
    }

    /// Stores the response for the key that created `order_id` (crash recovery).
    pub async fn finish_idempotent_for_order(
        &self,
        order_id: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $2, response_body = $3 \
             WHERE order_id = $1 AND state = 'in_progress'",
        )
        .bind(order_id)
        .bind(i64::from(status))
        .bind(body)
        .write(self)
        .await?;
        Ok(())
    }

    /// Forgets a key whose request did nothing lasting, so a retry runs afresh.
    pub async fn abandon_idempotent(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'in_progress'",
        )
        .bind(user_id)
        .bind(key)
        .write(self)
        .await?;
        Ok(())
    }

    /// Forgets the in-progress key of an order that moved no money (crash recovery).
    pub async fn abandon_idempotent_for_order(&self, order_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE order_id = $1 AND state = 'in_progress'")
            .bind(order_id)
            .write(self)
            .await?;
        Ok(())
    }

    /// Deletes keys answered before `cutoff`: a retry that late is a new request. Keys still in
    /// progress stay until recovery settles their order.
    pub async fn purge_idempotency_keys(&self, cutoff: i64) -> Result<u64, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM idempotency_keys WHERE state = 'done' AND created_at < $1")
                .bind(cutoff)
                .write(self)
                .await?
                .rows_affected();
        Ok(deleted)
    }

    /// Forgets every key in progress without an order: at start-up, when no request of this
    /// database can still be running.
    pub async fn release_orphan_keys(&self) -> Result<u64, StoreError> {
        let released = sqlx::query(
            "DELETE FROM idempotency_keys WHERE state = 'in_progress' AND order_id IS NULL",
        )
        .write(self)
        .await?
        .rows_affected();
        Ok(released)
    }
}
