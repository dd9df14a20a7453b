//! Sign-in at an organisation's identity provider: its configuration, the sign-ins on their way
//! to the provider, and which provider subject is which user.

use super::WriteStatement;
use super::directory::{USER_COLUMNS, UserRow, insert_user, user_from_row};
use super::{Store, StoreError, flag};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::path::PathBuf;

/// How long a sign-in may stay at the provider before its callback is refused.
pub const PENDING_LOGIN_TTL_SECONDS: i64 = 600;

/// Where the client secret is read from when the server needs it. The secret itself is never
/// stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A file holding the secret (trailing whitespace ignored).
    File(PathBuf),
    /// An environment variable of the server process.
    Env(String),
}

impl SecretRef {
    fn encode(&self) -> String {
        match self {
            Self::File(path) => format!("file:{}", path.display()),
            Self::Env(name) => format!("env:{name}"),
        }
    }

    fn decode(text: &str) -> Result<Self, StoreError> {
        if let Some(path) = text.strip_prefix("file:") {
            Ok(Self::File(PathBuf::from(path)))
        } else if let Some(name) = text.strip_prefix("env:") {
            Ok(Self::Env(name.to_owned()))
        } else {
            Err(StoreError::Corrupt("client secret reference".into()))
        }
    }
}

/// An organisation's OpenID Provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoConfig {
    pub organization_id: String,
    /// The provider's issuer URL (discovery is under it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretRef,
    /// Members of any of these groups are global admins.
    pub admin_groups: Vec<String>,
    /// Members of any of these groups are billing admins.
    pub billing_admin_groups: Vec<String>,
}

impl SsoConfig {
    /// The roles (global admin, billing admin) that membership of these groups gives: the
    /// `groups` claim at an SSO sign-in, and the groups SCIM pushes, map the same way.
    pub fn roles_for_groups(&self, groups: &[String]) -> (bool, bool) {
        let in_any = |wanted: &[String]| groups.iter().any(|g| wanted.contains(g));
        (
            in_any(&self.admin_groups),
            in_any(&self.billing_admin_groups),
        )
    }
}

/// A sign-in sent to the provider whose callback has not come back yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    /// SHA-256 (hex) of the `state` sent to the provider.
    pub state_hash: String,
    /// SHA-256 (hex) of the value in the starting browser's cookie.
    pub browser_hash: String,
    pub organization_id: String,
    pub pkce_verifier: String,
    pub nonce: String,
    /// A path of this app.
    pub return_to: String,
    pub created_at: i64,
}

fn groups(row: &AnyRow, column: &str) -> Result<Vec<String>, StoreError> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt(format!("{column} {text:?}")))
}

fn encode_groups(groups: &[String]) -> String {
    serde_json::to_string(groups).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// The organisation's provider, if it signs in with one.
    pub async fn sso_config(&self, organization_id: &str) -> Result<Option<SsoConfig>, StoreError> {
        let row = sqlx::query(
            "SELECT organization_id, issuer, client_id, client_secret_ref, admin_groups, \
             billing_admin_groups FROM organization_sso WHERE organization_id = $1",
        )
        .bind(organization_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| {
            Ok(SsoConfig {
                organization_id: row.try_get("organization_id")?,
                issuer: row.try_get("issuer")?,
                client_id: row.try_get("client_id")?,
                client_secret: SecretRef::decode(&row.try_get::<String, _>("client_secret_ref")?)?,
                admin_groups: groups(&row, "admin_groups")?,
                billing_admin_groups: groups(&row, "billing_admin_groups")?,
            })
        })
        .transpose()
    }

    /// Sets (or replaces) the organisation's provider.
    pub async fn set_sso_config(&self, config: &SsoConfig, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organization_sso (organization_id, issuer, client_id, \
             client_secret_ref, admin_groups, billing_admin_groups, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organization_id) DO UPDATE SET \
             issuer = excluded.issuer, client_id = excluded.client_id, \
             client_secret_ref = excluded.client_secret_ref, \
             admin_groups = excluded.admin_groups, \
             billing_admin_groups = excluded.billing_admin_groups, \
             updated_at = excluded.updated_at",
        )
        .bind(&config.organization_id)
        .bind(&config.issuer)
        .bind(&config.client_id)
        .bind(config.client_secret.encode())
        .bind(encode_groups(&config.admin_groups))
        .bind(encode_groups(&config.billing_admin_groups))
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// Back to passwords; whether there was a provider.
    pub async fn remove_sso_config(&self, organization_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sso_pending_logins WHERE organization_id = $1")
            .bind(organization_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM organization_sso WHERE organization_id = $1")
            .bind(organization_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a sign-in on its way to the provider, and forgets those too old to come back.
    pub async fn insert_pending_login(&self, login: &PendingLogin) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sso_pending_logins WHERE created_at < $1")
            .bind(login.created_at - PENDING_LOGIN_TTL_SECONDS)
            .write(self)
            .await?;
        sqlx::query(
            "INSERT INTO sso_pending_logins (state_hash, browser_hash, organization_id, \
             pkce_verifier, nonce, return_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&login.state_hash)
        .bind(&login.browser_hash)
        .bind(&login.organization_id)
        .bind(&login.pkce_verifier)
        .bind(&login.nonce)
        .bind(&login.return_to)
        .bind(login.created_at)
        .write(self)
        .await?;
        Ok(())
    }

    /// Takes the pending sign-in with this state: one `DELETE … RETURNING`, so of two callbacks
    /// with the same state (on any instances) at most one gets it. `None` when unknown, already
    /// taken, or older than [`PENDING_LOGIN_TTL_SECONDS`].
    pub async fn take_pending_login(
        &self,
        state_hash: &str,
        now: i64,
    ) -> Result<Option<PendingLogin>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM sso_pending_logins WHERE state_hash = $1 RETURNING state_hash, \
             browser_hash, organization_id, pkce_verifier, nonce, return_to, created_at",
        )
        .bind(state_hash)
        .fetch_optional(self.writer())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let login = PendingLogin {
            state_hash: row.try_get("state_hash")?,
            browser_hash: row.try_get("browser_hash")?,
            organization_id: row.try_get("organization_id")?,
            pkce_verifier: row.try_get("pkce_verifier")?,
            nonce: row.try_get("nonce")?,
            return_to: row.try_get("return_to")?,
            created_at: row.try_get("created_at")?,
        };
        Ok((now - login.created_at <= PENDING_LOGIN_TTL_SECONDS).then_some(login))
    }

    /// The user the provider knows as `subject` in this organisation.
    pub async fn user_by_sso_subject(
        &self,
        organization_id: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(&format!(
            "SELECT {columns} FROM users u JOIN user_sso_subjects s ON s.user_id = u.id \
             WHERE s.organization_id = $1 AND s.subject = $2"
        ))
        .bind(organization_id)
        .bind(subject)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|row| user_from_row(&row)).transpose()?)
    }

    /// Ties a provider subject to a user: a new one (created just in time, `insert`) or one
    /// the directory already had. Fails (unique key) when either is already tied.
    pub async fn link_sso_user(
        &self,
        user: &UserRow,
        insert: bool,
        subject: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if insert {
            insert_user(&mut tx, user, now).await?;
            sqlx::query("UPDATE users SET provisioned_by = 'sso' WHERE id = $1")
                .bind(&user.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO user_sso_subjects (organization_id, subject, user_id) VALUES ($1, $2, $3)",
        )
        .bind(&user.organization_id)
        .bind(subject)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The admin roles the provider's groups give, at each sign-in.
    pub async fn set_sso_roles(
        &self,
        user_id: &str,
        global_admin: bool,
        billing_admin: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET global_admin = $2, billing_admin = $3, updated_at = $4 \
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(flag(global_admin))
        .bind(flag(billing_admin))
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }
}
