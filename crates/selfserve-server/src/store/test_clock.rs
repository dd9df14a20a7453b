//! The test clock's offset, shared by every server on the database (one row, made by its
//! migration).

use super::{Store, StoreError};

impl Store {
    /// Seconds the test clock is ahead of the machine's.
    pub async fn test_clock_offset(&self) -> Result<i64, StoreError> {
        let offset = sqlx::query_scalar("SELECT offset_seconds FROM test_clock WHERE id = 1")
            .fetch_one(self.reader())
            .await?;
        Ok(offset)
    }

    /// Moves the test clock `seconds` further ahead in one statement (two servers moving it at
    /// once both count) and returns the new offset.
    pub async fn advance_test_clock(&self, seconds: i64) -> Result<i64, StoreError> {
        let offset = sqlx::query_scalar(
            "UPDATE test_clock SET offset_seconds = offset_seconds + $1 WHERE id = 1 \
             RETURNING offset_seconds",
        )
        .bind(seconds)
        .fetch_one(self.writer())
        .await?;
        Ok(offset)
    }
}
