//! Licences: giving seats to people and taking them back, and the seat invariant.

use super::events::insert_events;
use super::locks::lock_subscription;
use super::subscriptions::holder_order;
use super::{Backend, Store, StoreError, Tx};
use crate::domain::lifecycle::{ASSIGNABLE, sql_list};
use crate::events::Event;
use selfserve_api::subscription::SubscriptionStatus;

/// What an assignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    /// This many users newly hold a seat (already assigned ones are not counted twice).
    Added(i64),
    /// Not enough free seats for all of them: nothing was assigned.
    NoSeats { free: i64 },
    /// The subscription cannot take assignments now (suspended, ended).
    NotAssignable,
}

/// Gives `user_id` a licence on `subscription_id`: the one place the server inserts an
/// assignment. False when they already held one. On SQLite it also writes the copies of the
/// holder's name, email and search text that order and filter a subscription's holders
/// (migration 0029); a user who does not exist then fails it (the copies are `NOT NULL`), as
/// the foreign key does.
pub(crate) async fn insert_assignment(
    tx: &mut Tx,
    subscription_id: &str,
    user_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "INSERT INTO assignments \
             (subscription_id, user_id, assigned_at, holder_name, holder_email, holder_search) \
             VALUES ($1, $2, $3, (SELECT name FROM users WHERE id = $2), \
                     (SELECT email FROM users WHERE id = $2), \
                     (SELECT name_search FROM users WHERE id = $2)) \
             ON CONFLICT DO NOTHING"
        }
        Backend::Postgres => {
            "INSERT INTO assignments (subscription_id, user_id, assigned_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        }
    };
    let rows = sqlx::query(sql)
        .bind(subscription_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(rows == 1)
}

/// Where a user's name or email changes, the copies on their assignments change with it
/// (SQLite only, see migration 0029), or their licence would be listed in the old name's place
/// and found by its words. `name_search` is the name as `users.name_search` holds it.
pub(crate) async fn rename_holder(
    tx: &mut Tx,
    user_id: &str,
    name: &str,
    name_search: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    if tx.backend() != Backend::Sqlite {
        return Ok(());
    }
    // Only the rows that change: an import updates every user whose roles or status changed.
    sqlx::query(
        "UPDATE assignments SET holder_name = $2, holder_email = $3, holder_search = $4 \
         WHERE user_id = $1 \
         AND (holder_name <> $2 OR holder_email <> $3 OR holder_search <> $4)",
    )
    .bind(user_id)
    .bind(name)
    .bind(email)
    .bind(name_search)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives `user_ids` seats on `subscription_id` inside `tx`: inserts the assignments (skipping
/// users who already hold one) and takes that many seats with one conditional UPDATE, which is
/// the seat invariant: `assigned_count` never passes the seats (the lower of this period's and
/// a scheduled decrease's), however many requests race. `None` when they do not fit or the
/// status is not one of `statuses`; nothing is then assigned.
pub(crate) async fn claim_seats(
    tx: &mut Tx,
    subscription_id: &str,
    user_ids: &[String],
    statuses: &[SubscriptionStatus],
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    // Inserted in one order by every caller: two transactions inserting the same pair of
    // not-yet-committed rows in opposite orders deadlock on PostgreSQL.
    let mut user_ids: Vec<&String> = user_ids.iter().collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let mut inserted = Vec::new();
    for user_id in user_ids {
        if insert_assignment(tx, subscription_id, user_id, now).await? {
            inserted.push(user_id);
        }
    }
    let added = inserted.len() as i64;
    if added == 0 {
        return Ok(Some(0));
    }
    let fits = sqlx::query(&format!(
        "UPDATE subscriptions SET assigned_count = assigned_count + $2, updated_at = $3 \
         WHERE id = $1 AND status IN ({}) \
         AND assigned_count + $2 <= COALESCE(pending_quantity, quantity)",
        sql_list(statuses)
    ))
    .bind(subscription_id)
    .bind(added)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if fits == 1 {
        return Ok(Some(added));
    }
    // Undone here rather than left to the caller, so that a caller which carries on (trial
    // conversion keeps those who fit) cannot keep assignments the count does not include.
    for user_id in inserted {
        sqlx::query("DELETE FROM assignments WHERE subscription_id = $1 AND user_id = $2")
            .bind(subscription_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

impl Store {
    /// Gives seats to users, all or nothing, with its event.
    pub async fn assign(
        &self,
        subscription_id: &str,
        user_ids: &[String],
        event: &Event,
        now: i64,
    ) -> Result<Assigned, StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(added) =
            claim_seats(&mut tx, subscription_id, user_ids, ASSIGNABLE, now).await?
        {
            if added > 0 {
                insert_events(&mut tx, Some(event)).await?;
            }
            tx.commit().await?;
            return Ok(Assigned::Added(added));
        }
        tx.rollback().await?;
        match self.subscription_row(subscription_id).await? {
            Some(row) if crate::domain::lifecycle::may_assign(row.status) => {
                Ok(Assigned::NoSeats {
                    free: row.free_seats(),
                })
            }
            _ => Ok(Assigned::NotAssignable),
        }
    }

    /// Frees a user's seat, with its event; false if they held none.
    pub async fn unassign(
        &self,
        subscription_id: &str,
        user_id: &str,
        event: &Event,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // The subscription before its assignments, as `expire` and trial conversion take them:
        // the other way round they deadlock on PostgreSQL.
        lock_subscription(&mut tx, subscription_id).await?;
        let removed =
            sqlx::query("DELETE FROM assignments WHERE subscription_id = $1 AND user_id = $2")
                .bind(subscription_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if removed == 1 {
            sqlx::query(
                "UPDATE subscriptions SET assigned_count = assigned_count - 1, updated_at = $2 \
                 WHERE id = $1",
            )
            .bind(subscription_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_events(&mut tx, Some(event)).await?;
        }
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Whether a user holds a seat of a subscription.
    pub async fn holds_licence(
        &self,
        subscription_id: &str,
        user_id: &str,
    ) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assignments WHERE subscription_id = $1 AND user_id = $2",
        )
        .bind(subscription_id)
        .bind(user_id)
        .fetch_one(self.reader())
        .await?;
        Ok(count == 1)
    }

    /// Ids of the people holding a seat.
    pub async fn assigned_user_ids(
        &self,
        subscription_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT user_id FROM assignments WHERE subscription_id = $1 ORDER BY user_id",
        )
        .bind(subscription_id)
        .fetch_all(self.reader())
        .await?;
        Ok(ids)
    }

    /// How many of `user_ids` hold a seat of the subscription.
    pub async fn holding_licences(
        &self,
        subscription_id: &str,
        user_ids: &[String],
    ) -> Result<usize, StoreError> {
        let held = self.assigned_user_ids(subscription_id).await?;
        Ok(user_ids.iter().filter(|id| held.contains(id)).count())
    }

    /// Emails of the people holding a seat, by name.
    pub async fn assigned_emails(&self, subscription_id: &str) -> Result<Vec<String>, StoreError> {
        let emails = sqlx::query_scalar(&format!(
            "SELECT u.email FROM assignments a JOIN users u ON u.id = a.user_id \
             WHERE a.subscription_id = $1 {}",
            holder_order(self.backend)
        ))
        .bind(subscription_id)
        .fetch_all(self.reader())
        .await?;
        Ok(emails)
    }
}
