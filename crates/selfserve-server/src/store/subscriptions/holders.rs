//! A subscription's licence holders a page at a time: the first few for its view, and those
//! matching a filter. A 10,000-seat subscription's page is one short list, not 10,000 rows to
//! send and decode (issue 14: its first screen).
//!
//! Holders are always in one order, by name then email, so the first few here are the first
//! few of the whole list [`Store::subscription_views`] gives.

use super::super::{Backend, Store, StoreError};
use super::pages::contains_pattern;
use selfserve_api::subscription::UserRef;
use sqlx::Row;
use std::collections::HashMap;

/// How many of its holders a subscription's view lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldersListed {
    Every,
    /// The first this many by name then email; `assigned_count` still counts every one.
    First(u32),
}

/// The most filter words matched: each is one `LIKE` over every holder.
pub const MAX_FILTER_WORDS: usize = 8;

/// The words of a holders' filter, lowercased as the names and emails they are matched
/// against are stored; at most [`MAX_FILTER_WORDS`].
pub fn filter_words(filter: &str) -> Vec<String> {
    let filter = crate::domain::search::normalize_query(filter).unwrap_or_default();
    filter
        .split_whitespace()
        .take(MAX_FILTER_WORDS)
        .map(str::to_owned)
        .collect()
}

/// The one order of a subscription's holders, in every query that lists them: by name then
/// email. On SQLite read from the assignment's copies of them, which `assignments_by_holder`
/// keeps in that order (migration 0029); on PostgreSQL from `users`.
pub(crate) fn holder_order(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "ORDER BY a.holder_name, a.holder_email",
        Backend::Postgres => "ORDER BY u.name, u.email",
    }
}

/// `SELECT columns` over subscription `$1`'s holders (`a`, and their users `u` when `join`)
/// matching each of `words` (`$2`, …), then `tail`; and the `LIKE` patterns to bind. The text
/// matched is the name lowercased as Rust does it (`name_search`), a space and the email
/// (stored lowercased): the same text the app's own filter matches when it has every holder.
/// On SQLite it is made of the assignment's copies, in `assignments_by_holder`, so a filter
/// reads no user it does not list; on PostgreSQL the users are always joined.
fn holders_sql(
    backend: Backend,
    columns: &str,
    join: bool,
    words: &[String],
    tail: &str,
) -> (String, Vec<String>) {
    let (searched, join) = match backend {
        Backend::Sqlite => ("(a.holder_search || ' ' || a.holder_email)", join),
        Backend::Postgres => ("(u.name_search || ' ' || u.email)", true),
    };
    let conditions: String = (0..words.len())
        .map(|n| format!(" AND {searched} LIKE ${} ESCAPE '\\'", n + 2))
        .collect();
    let users = if join {
        " JOIN users u ON u.id = a.user_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns} FROM assignments a{users} WHERE a.subscription_id = $1{conditions} {tail}"
    );
    (
        sql,
        words.iter().map(|word| contains_pattern(word)).collect(),
    )
}

impl Store {
    /// The first `limit` holders of subscription `id` whose name or email contains every one
    /// of `words` (as [`filter_words`] gives them; none: every holder), and how many match.
    pub async fn holders_matching(
        &self,
        id: &str,
        words: &[String],
        limit: u32,
    ) -> Result<(Vec<UserRef>, u32), StoreError> {
        let holders = self.first_matching(id, words, limit).await?;
        // A page with room to spare holds every match: no second scan to count them (a
        // narrowing filter's usual answer).
        let matching: i64 = if holders.len() < limit as usize {
            holders.len() as i64
        } else if words.is_empty() {
            sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE subscription_id = $1")
                .bind(id)
                .fetch_one(self.reader())
                .await?
        } else {
            let (sql, patterns) = holders_sql(self.backend, "COUNT(*)", false, words, "");
            let mut query = sqlx::query_scalar(&sql).bind(id);
            for pattern in &patterns {
                query = query.bind(pattern);
            }
            query.fetch_one(self.reader()).await?
        };
        // The page and the count are two reads: a removal between them must not make the
        // count smaller than the page ("25 of 24").
        let matching = matching.max(holders.len() as i64);
        let matching = u32::try_from(matching)
            .map_err(|_| StoreError::Corrupt(format!("{matching} holders match")))?;
        Ok((holders, matching))
    }

    /// The first `limit` holders of subscription `id` matching every one of `words`.
    async fn first_matching(
        &self,
        id: &str,
        words: &[String],
        limit: u32,
    ) -> Result<Vec<UserRef>, StoreError> {
        // Counted apart: a window `COUNT(*) OVER ()` here made SQLite sort every holder instead
        // of keeping the first `limit` (15 ms against 5 ms for 10,000 holders).
        let (sql, patterns) = holders_sql(
            self.backend,
            "u.id, u.email, u.name",
            true,
            words,
            &format!("{} LIMIT ${}", holder_order(self.backend), words.len() + 2),
        );
        let mut query = sqlx::query(&sql).bind(id);
        for pattern in &patterns {
            query = query.bind(pattern);
        }
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(UserRef {
                    id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    name: row.try_get("name")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?)
    }

    /// The first `count` holders of each of `ids`: one query per subscription, each cut by
    /// `LIMIT`, so a big one's holders are never all sorted or sent.
    pub(super) async fn first_holders(
        &self,
        ids: &[String],
        count: u32,
    ) -> Result<HashMap<String, Vec<UserRef>>, StoreError> {
        let mut first = HashMap::new();
        if count == 0 {
            return Ok(first);
        }
        for id in ids {
            let holders = self.first_matching(id, &[], count).await?;
            first.insert(id.clone(), holders);
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_FILTER_WORDS, contains_pattern, filter_words};

    #[test]
    fn a_filter_is_lowercased_words_and_at_most_a_few_of_them() {
        assert_eq!(filter_words("  Maya   SATO "), ["maya", "sato"]);
        assert!(filter_words("   ").is_empty());
        assert_eq!(filter_words("a b c d e f g h i j").len(), MAX_FILTER_WORDS);
    }

    #[test]
    fn like_wildcards_in_a_word_match_only_themselves() {
        assert_eq!(contains_pattern("maya"), "%maya%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
