//! Admins' choices about their notices, and the server's own key for the links that change
//! them.

use super::{Store, StoreError};
use crate::notifications::unsubscribe::UnsubscribeKey;

impl Store {
    /// The key of unsubscribe links, made by whichever server needs it first (the loser of a
    /// race inserts nothing and reads the winner's).
    pub async fn unsubscribe_key(&self, now: i64) -> Result<UnsubscribeKey, StoreError> {
        let fresh: [u8; 32] = rand::random();
        sqlx::query(
            "INSERT INTO server_keys (name, key_hex, created_at) VALUES ('unsubscribe', $1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(hex::encode(fresh))
        .bind(now)
        .execute(self.writer())
        .await?;
        let stored: String =
            sqlx::query_scalar("SELECT key_hex FROM server_keys WHERE name = 'unsubscribe'")
                .fetch_one(self.writer())
                .await?;
        hex::decode(stored)
            .map(UnsubscribeKey)
            .map_err(|_| StoreError::Corrupt("the unsubscribe key is not hex".into()))
    }

    /// `user_id` gets no more admin notices.
    pub async fn opt_out_of_admin_notices(
        &self,
        user_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO admin_notice_preferences (user_id, notices, updated_at) \
             VALUES ($1, 'none', $2) \
             ON CONFLICT (user_id) DO UPDATE SET notices = 'none', updated_at = $2",
        )
        .bind(user_id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
