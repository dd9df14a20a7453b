//! Sign-in sessions. Only a SHA-256 of each session id is stored.

use super::WriteStatement;
use super::directory::{OrganizationRow, UserRow, organization_from_prefixed, user_from_row};
use super::{Store, StoreError};
use sqlx::Row;

/// A session with its user and the user's organisation (domains included), as every signed-in
/// request needs them.
#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub session: SessionRow,
    pub user: UserRow,
    pub organization: OrganizationRow,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The signed-in user.
    pub user_id: String,
    /// When it was created (sign-in).
    pub created_at: i64,
    /// The last request it made.
    pub last_seen_at: i64,
}

impl Store {
    /// Records a new session under the hash of its id.
    pub async fn insert_session(
        &self,
        id_hash: &str,
        user_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// The session with this id hash.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                user_id: row.try_get("user_id")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }

    /// The session with this id hash, its user and organisation, in one query: it runs before
    /// every signed-in request, and one round trip to the database costs more than the join.
    /// One row per domain of the organisation (at least one row: the domains are left-joined).
    pub async fn session_caller(&self, id_hash: &str) -> Result<Option<SessionCaller>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.created_at AS session_created_at, s.last_seen_at AS session_last_seen_at, \
             u.id, u.organization_id, u.email, u.name, u.password_hash, u.guest, u.enabled, \
             u.in_directory, u.global_admin, u.billing_admin, \
             o.id AS org_id, o.name AS org_name, o.kind AS org_kind, o.country AS org_country, \
             o.managed AS org_managed, d.domain AS org_domain \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN organizations o ON o.id = u.organization_id \
             LEFT JOIN organization_domains d ON d.organization_id = o.id \
             WHERE s.id_hash = $1 ORDER BY d.position, d.domain",
        )
        .bind(id_hash)
        .fetch_all(self.reader())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let user = user_from_row(first)?;
        let mut organization = organization_from_prefixed(first, "org_")?;
        for row in &rows {
            if let Some(domain) = row.try_get::<Option<String>, _>("org_domain")? {
                organization.domains.push(domain);
            }
        }
        Ok(Some(SessionCaller {
            session: SessionRow {
                user_id: user.id.clone(),
                created_at: first.try_get("session_created_at")?,
                last_seen_at: first.try_get("session_last_seen_at")?,
            },
            user,
            organization,
        }))
    }

    /// Notes activity on a session (for the idle timeout).
    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .write(self)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .write(self)
            .await?;
        Ok(())
    }

    /// Ends sessions older than the absolute timeout or idle past the idle timeout.
    pub async fn delete_expired_sessions(
        &self,
        created_before: i64,
        idle_before: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
            .bind(created_before)
            .bind(idle_before)
            .write(self)
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of a user (disabled, or gone from the directory).
    pub async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .write(self)
            .await?;
        Ok(done.rows_affected())
    }
}
