//! SCIM provisioning: organisations' bearer tokens (hashed), users as the provider sees them
//! (`externalId`, who created them), and the groups it pushes.

use super::WriteStatement;
use super::directory::{USER_COLUMNS, UserRow, insert_user, user_from_row};
use super::{Store, StoreError};
use sqlx::Row;

/// A user with what SCIM adds to them.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub user: UserRow,
    /// The provider's id for them, as it sent it.
    pub external_id: Option<String>,
}

/// Which users a SCIM list asks for.
#[derive(Debug, Clone, Copy)]
pub enum UserLookup<'a> {
    /// The (lowercased) email, SCIM's `userName`.
    Email(&'a str),
    /// The provider's `externalId`.
    ExternalId(&'a str),
}

/// A group the provider pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroup {
    /// `grp_…`.
    pub id: String,
    pub organization_id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// Member user ids, sorted.
    pub members: Vec<String>,
}

fn user_columns() -> String {
    USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{}", c.trim()))
        .chain(std::iter::once("u.scim_external_id".to_owned()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn scim_user_from_row(row: &sqlx::any::AnyRow) -> Result<ScimUser, StoreError> {
    Ok(ScimUser {
        user: user_from_row(row)?,
        external_id: row.try_get("scim_external_id")?,
    })
}

impl Store {
    /// Sets the organisation's token (its SHA-256), replacing any earlier one.
    pub async fn set_scim_token(
        &self,
        organization_id: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO scim_tokens (organization_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organization_id) DO UPDATE SET token_hash = excluded.token_hash, \
             created_at = excluded.created_at",
        )
        .bind(organization_id)
        .bind(token_hash)
        .bind(now)
        .write(self)
        .await?;
        Ok(())
    }

    /// Forgets the organisation's token; whether there was one.
    pub async fn revoke_scim_token(&self, organization_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM scim_tokens WHERE organization_id = $1")
            .bind(organization_id)
            .write(self)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The organisation whose token has this hash.
    pub async fn scim_token_organization(
        &self,
        token_hash: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT organization_id FROM scim_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    /// One page of the organisation's users (all of them, or those `lookup` finds), in the
    /// order they were created, and how many there are in all.
    pub async fn scim_users(
        &self,
        organization_id: &str,
        lookup: Option<UserLookup<'_>>,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<ScimUser>), StoreError> {
        // `$2 IS NULL` would need a typed NULL on PostgreSQL; two texts are simpler.
        let (filter, email) = match lookup {
            Some(UserLookup::Email(email)) => (" AND u.email = $2", Some(email)),
            Some(UserLookup::ExternalId(id)) => (" AND u.scim_external_id = $2", Some(id)),
            None => ("", None),
        };
        let total_sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users u WHERE u.organization_id = $1 \
             AND u.scim_deleted = 0{filter}"
        );
        let mut total = sqlx::query_scalar::<_, i64>(&total_sql).bind(organization_id);
        if let Some(email) = email {
            total = total.bind(email);
        }
        let total = total.fetch_one(self.reader()).await?;
        let (limit_at, offset_at) = if email.is_some() { (3, 4) } else { (2, 3) };
        let page_sql = format!(
            "SELECT {} FROM users u WHERE u.organization_id = $1 AND u.scim_deleted = 0{filter} \
             ORDER BY u.created_at, u.id LIMIT ${limit_at} OFFSET ${offset_at}",
            user_columns()
        );
        let mut page = sqlx::query(&page_sql).bind(organization_id);
        if let Some(email) = email {
            page = page.bind(email);
        }
        let rows = page
            .bind(limit)
            .bind(offset)
            .fetch_all(self.reader())
            .await?;
        let users = rows
            .iter()
            .map(scim_user_from_row)
            .collect::<Result<_, _>>()?;
        Ok((total, users))
    }

    /// The organisation's user with this id.
    pub async fn scim_user(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<ScimUser>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM users u WHERE u.organization_id = $1 AND u.id = $2 \
             AND u.scim_deleted = 0",
            user_columns()
        ))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(scim_user_from_row).transpose()
    }

    /// Creates a user the provider pushed.
    pub async fn insert_scim_user(&self, user: &ScimUser, now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_user(&mut tx, &user.user, now).await?;
        sqlx::query(
            "UPDATE users SET provisioned_by = 'scim', scim_external_id = $2 WHERE id = $1",
        )
        .bind(&user.user.id)
        .bind(&user.external_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the provider's id for a user, and whether SCIM deleted them.
    pub async fn set_scim_state(
        &self,
        user_id: &str,
        external_id: Option<&str>,
        deleted: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET scim_external_id = $2, scim_deleted = $3 WHERE id = $1")
            .bind(user_id)
            .bind(external_id)
            .bind(super::flag(deleted))
            .write(self)
            .await?;
        Ok(())
    }

    /// Creates a group with its members.
    pub async fn insert_scim_group(&self, group: &ScimGroup, now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO scim_groups (id, organization_id, display_name, external_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&group.id)
        .bind(&group.organization_id)
        .bind(&group.display_name)
        .bind(&group.external_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        write_members(&mut tx, &group.id, &group.members).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a group's name, external id and members.
    pub async fn replace_scim_group(&self, group: &ScimGroup) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE scim_groups SET display_name = $2, external_id = $3 WHERE id = $1")
            .bind(&group.id)
            .bind(&group.display_name)
            .bind(&group.external_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM scim_group_members WHERE group_id = $1")
            .bind(&group.id)
            .execute(&mut *tx)
            .await?;
        write_members(&mut tx, &group.id, &group.members).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a group; whether it existed in this organisation.
    pub async fn delete_scim_group(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM scim_group_members WHERE group_id IN \
             (SELECT id FROM scim_groups WHERE id = $1 AND organization_id = $2)",
        )
        .bind(id)
        .bind(organization_id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM scim_groups WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The organisation's groups (all, or the one with this name), by name.
    pub async fn scim_groups(
        &self,
        organization_id: &str,
        display_name: Option<&str>,
    ) -> Result<Vec<ScimGroup>, StoreError> {
        let rows = match display_name {
            Some(name) => sqlx::query(
                "SELECT id FROM scim_groups WHERE organization_id = $1 AND display_name = $2",
            )
            .bind(organization_id)
            .bind(name),
            None => sqlx::query(
                "SELECT id FROM scim_groups WHERE organization_id = $1 ORDER BY display_name",
            )
            .bind(organization_id),
        }
        .fetch_all(self.reader())
        .await?;
        let mut groups = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            if let Some(group) = self.scim_group(organization_id, &id).await? {
                groups.push(group);
            }
        }
        Ok(groups)
    }

    /// The organisation's group with this id, with its members.
    pub async fn scim_group(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<ScimGroup>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, organization_id, display_name, external_id FROM scim_groups \
             WHERE id = $1 AND organization_id = $2",
        )
        .bind(id)
        .bind(organization_id)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(None);
        };
        let members = sqlx::query_scalar(
            "SELECT user_id FROM scim_group_members WHERE group_id = $1 ORDER BY user_id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        Ok(Some(ScimGroup {
            id: row.try_get("id")?,
            organization_id: row.try_get("organization_id")?,
            display_name: row.try_get("display_name")?,
            external_id: row.try_get("external_id")?,
            members,
        }))
    }

    /// The names of the pushed groups a user is a member of.
    pub async fn scim_group_names_of(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT g.display_name FROM scim_groups g JOIN scim_group_members m \
             ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY g.display_name",
        )
        .bind(user_id)
        .fetch_all(self.reader())
        .await?)
    }
}

async fn write_members(
    tx: &mut super::Tx,
    group_id: &str,
    members: &[String],
) -> Result<(), StoreError> {
    for user_id in members {
        sqlx::query(
            "INSERT INTO scim_group_members (group_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(group_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
