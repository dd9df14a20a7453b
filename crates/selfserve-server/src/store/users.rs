//! Looking users up, and searching colleagues by name or email.

use super::WriteStatement;
use super::directory::{USER_COLUMNS, UserRow, user_from_row, write_search_terms};
use super::{Store, StoreError};
use crate::domain::search::{normalize_query, prefix_upper_bound};

impl Store {
    /// The user with this (lowercased) email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|row| user_from_row(&row)).transpose()?)
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|row| user_from_row(&row)).transpose()?)
    }

    /// Remembers the language a person's own requests ask for, for their mails. Written only
    /// when it changes (a sign-in usually asks for the same one again).
    pub async fn remember_language(
        &self,
        user_id: &str,
        language: crate::http::language::Language,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET language = $1 WHERE id = $2 \
             AND (language IS NULL OR language <> $1)",
        )
        .bind(language.as_str())
        .bind(user_id)
        .write(self)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Enabled members of an organisation whose name or email has a word starting with `query`,
    /// by name; at most `limit`.
    pub async fn search_users(
        &self,
        organization_id: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let Some(query) = normalize_query(query) else {
            return Ok(Vec::new());
        };
        if query.chars().count() <= super::directory::SHORT_QUERY {
            // One row per person and prefix, in list order: the scan stops after `limit`.
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT user_id FROM user_search_prefixes \
                 WHERE organization_id = $1 AND prefix = $2 \
                 ORDER BY name_search, email, user_id LIMIT $3",
            )
            .bind(organization_id)
            .bind(&query)
            .bind(limit.max(0))
            .fetch_all(self.reader())
            .await?;
            return self.users_in_order(ids).await;
        }
        // One range scan of `user_search_terms_by_name` holds the words and what the list is
        // sorted by, so the database keeps only the first rows while it scans (no sort of every
        // match, no read of `users` per match). A person matching several words comes once per
        // word, next to each other in that order: read more until enough distinct people are in.
        let mut fetch = limit.max(1).saturating_mul(4);
        let ids = loop {
            let rows: Vec<String> = sqlx::query_scalar(
                "SELECT user_id FROM user_search_terms \
                 WHERE organization_id = $1 AND term >= $2 AND term < $3 \
                 ORDER BY name_search, email, user_id LIMIT $4",
            )
            .bind(organization_id)
            .bind(&query)
            .bind(prefix_upper_bound(&query))
            .bind(fetch)
            .fetch_all(self.reader())
            .await?;
            let exhausted = (rows.len() as i64) < fetch;
            let mut ids = rows;
            ids.dedup();
            if exhausted || ids.len() as i64 >= limit {
                ids.truncate(usize::try_from(limit).unwrap_or(0));
                break ids;
            }
            fetch = fetch.saturating_mul(4);
        };
        self.users_in_order(ids).await
    }

    /// The enabled members among `ids`, in the order of `ids`.
    async fn users_in_order(&self, ids: Vec<String>) -> Result<Vec<UserRow>, StoreError> {
        let mut users = self.users_among(&ids, false).await?;
        // Only enabled members have words (`write_search_terms`); checked again all the same.
        users.retain(|user| user.enabled && user.in_directory);
        users.sort_by_key(|user| ids.iter().position(|id| *id == user.id));
        Ok(users)
    }

    /// The search before issue 14 (candidate ids from the words' index, then every match's
    /// user read and sorted): not used by the server, kept as a baseline for `cargo xtask
    /// bench`.
    #[doc(hidden)]
    pub async fn search_users_by_join(
        &self,
        organization_id: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let Some(query) = normalize_query(query) else {
            return Ok(Vec::new());
        };
        let columns: Vec<String> = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM users u WHERE u.id IN (\
                 SELECT t.user_id FROM user_search_terms t \
                 WHERE t.organization_id = $1 AND t.term >= $2 AND t.term < $3) \
             AND u.enabled = 1 AND u.in_directory = 1 \
             ORDER BY u.name_search, u.email LIMIT $4",
            columns.join(", ")
        ))
        .bind(organization_id)
        .bind(&query)
        .bind(prefix_upper_bound(&query))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    /// The naive search (`LIKE '%q%'` over every member): not used by the server, kept as the
    /// baseline `cargo xtask bench` measures [`Store::search_users`] against.
    #[doc(hidden)]
    pub async fn search_users_by_scan(
        &self,
        organization_id: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let pattern = format!("%{}%", query.trim().to_lowercase());
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE organization_id = $1 \
             AND (name_search LIKE $2 OR email LIKE $2) AND enabled = 1 AND in_directory = 1 \
             ORDER BY name_search, email LIMIT $3"
        ))
        .bind(organization_id)
        .bind(pattern)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    /// The users whose id (`by_email`: email) is among `keys`, in one query.
    pub async fn users_among(
        &self,
        keys: &[String],
        by_email: bool,
    ) -> Result<Vec<UserRow>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
        let column = if by_email { "email" } else { "id" };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {column} IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for key in keys {
            query = query.bind(key);
        }
        let rows = query.fetch_all(self.reader()).await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    /// Fills the search index for users imported before it existed (once, at start-up).
    pub async fn backfill_search_terms(&self) -> Result<u64, StoreError> {
        let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_search_terms")
            .fetch_one(self.reader())
            .await?;
        if have > 0 {
            return Ok(0);
        }
        let users = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users"))
            .fetch_all(self.reader())
            .await?;
        let mut tx = self.begin_write().await?;
        let mut count = 0;
        for row in &users {
            write_search_terms(&mut tx, &user_from_row(row)?).await?;
            count += 1;
        }
        tx.commit().await?;
        Ok(count)
    }
}
