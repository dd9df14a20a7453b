//! Admins' choices about their notices, and the server's own key for the links that change
//! them.

use super::WriteStatement;
use super::{Store, StoreError};
use crate::notifications::unsubscribe::UnsubscribeKey;
use selfserve_api::admin::NoticePreference;

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
        .write(self)
        .await?;
        let stored: String =
            sqlx::query_scalar("SELECT key_hex FROM server_keys WHERE name = 'unsubscribe'")
                .fetch_one(self.writer())
                .await?;
        hex::decode(stored)
            .map(UnsubscribeKey)
            .map_err(|_| StoreError::Corrupt("the unsubscribe key is not hex".into()))
    }

    /// `user_id`'s choice about admin notices (`each` when they never chose).
    pub async fn notice_preference(&self, user_id: &str) -> Result<NoticePreference, StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT notices FROM admin_notice_preferences WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.reader())
                .await?;
        match stored {
            Some(text) => text
                .parse()
                .map_err(|e: selfserve_api::wire_enum::UnknownValue| {
                    StoreError::Corrupt(e.to_string())
                }),
            None => Ok(NoticePreference::Each),
        }
    }

    /// Records `user_id`'s choice about admin notices.
    pub async fn set_notice_preference(
        &self,
        user_id: &str,
        notices: NoticePreference,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO admin_notice_preferences (user_id, notices, updated_at) \
             VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET notices = $2, updated_at = $3",
        )
        .bind(user_id)
        .bind(notices.as_str())
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }
}
