//! Throttle buckets and the addresses accounts sign in from, shared by every server on the
//! database. Keys arrive already hashed (fixed size, never raw client input).

use super::WriteStatement;
use super::{Store, StoreError};
use sqlx::Row;

/// What taking a token from a bucket gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// A token was taken.
    Yes,
    /// The bucket is empty; a token is available in this many milliseconds.
    No {
        /// Milliseconds until the next token.
        wait_ms: i64,
    },
}

impl Store {
    /// Takes one token from the bucket `key_hash` (GCRA: `interval_ms` per token, at most
    /// `window_ms` of tokens ahead), atomically: the check and the debit are one statement, so
    /// concurrent requests on any server cannot take more than the bucket holds.
    pub async fn take_throttle_token(
        &self,
        key_hash: &str,
        now_ms: i64,
        interval_ms: i64,
        window_ms: i64,
    ) -> Result<Taken, StoreError> {
        let row = sqlx::query(
            "INSERT INTO throttle_buckets (key_hash, tat_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (key_hash) DO UPDATE SET tat_ms = \
               (CASE WHEN throttle_buckets.tat_ms > $2 THEN throttle_buckets.tat_ms ELSE $2 END) + $3 \
             WHERE (CASE WHEN throttle_buckets.tat_ms > $2 THEN throttle_buckets.tat_ms ELSE $2 END) \
                   + $3 - $2 <= $4 \
             RETURNING tat_ms",
        )
        .bind(key_hash)
        .bind(now_ms)
        .bind(interval_ms)
        .bind(window_ms)
        .fetch_optional(self.writer())
        .await?;
        if row.is_some() {
            return Ok(Taken::Yes);
        }
        let tat: Option<i64> =
            sqlx::query("SELECT tat_ms FROM throttle_buckets WHERE key_hash = $1")
                .bind(key_hash)
                .fetch_optional(self.writer())
                .await?
                .map(|row| row.try_get("tat_ms"))
                .transpose()?;
        let wait_ms = tat.map_or(0, |tat| tat + interval_ms - now_ms - window_ms);
        Ok(Taken::No {
            wait_ms: wait_ms.max(1),
        })
    }

    /// Empties the record of `key_hash` (a full bucket).
    pub async fn reset_throttle(&self, key_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM throttle_buckets WHERE key_hash = $1")
            .bind(key_hash)
            .write(self)
            .await?;
        Ok(())
    }

    /// Whether the account signed in successfully from the address since `since`.
    pub async fn is_known_sign_in_address(
        &self,
        account_hash: &str,
        address_hash: &str,
        since: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS known FROM sign_in_addresses \
             WHERE account_hash = $1 AND address_hash = $2 AND last_success_at >= $3",
        )
        .bind(account_hash)
        .bind(address_hash)
        .bind(since)
        .fetch_optional(self.writer())
        .await?;
        Ok(row.is_some())
    }

    /// Notes a successful sign-in of the account from the address.
    pub async fn remember_sign_in_address(
        &self,
        account_hash: &str,
        address_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_in_addresses (account_hash, address_hash, last_success_at) \
             VALUES ($1, $2, $3) \
             ON CONFLICT (account_hash, address_hash) DO UPDATE SET last_success_at = $3",
        )
        .bind(account_hash)
        .bind(address_hash)
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// Deletes full buckets (tat in the past) and addresses not used since `addresses_before`.
    pub async fn sweep_throttles(
        &self,
        now_ms: i64,
        addresses_before: i64,
    ) -> Result<u64, StoreError> {
        let buckets = sqlx::query("DELETE FROM throttle_buckets WHERE tat_ms < $1")
            .bind(now_ms)
            .write(self)
            .await?;
        let addresses = sqlx::query("DELETE FROM sign_in_addresses WHERE last_success_at < $1")
            .bind(addresses_before)
            .write(self)
            .await?;
        Ok(buckets.rows_affected() + addresses.rows_affected())
    }

    /// How many throttle buckets are stored (tests check that they expire).
    pub async fn throttle_bucket_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM throttle_buckets")
            .fetch_one(self.reader())
            .await?;
        Ok(row.try_get("n")?)
    }
}
