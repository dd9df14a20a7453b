//! Organisations, domains, users and partner delegations.

use super::assignments::rename_holder;
use super::{Store, StoreError, decode, flag, from_flag};
use crate::domain::market::CountryCode;
use crate::domain::search::search_terms;
use selfserve_api::session::OrganizationKind;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// An organisation (customer or partner) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRow {
    /// `org_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    pub kind: OrganizationKind,
    /// `None` for partners.
    pub country: Option<CountryCode>,
    /// False for unmanaged tenants.
    pub managed: bool,
    /// Its domains, primary first.
    pub domains: Vec<String>,
}

/// A user as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    /// `usr_…`.
    pub id: String,
    /// The organisation the account lives in.
    pub organization_id: String,
    /// Lowercased address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: Option<String>,
    /// A guest in its organisation.
    pub guest: bool,
    /// Disabled accounts cannot sign in.
    pub enabled: bool,
    /// False once the directory no longer lists the user.
    pub in_directory: bool,
    /// Holds the global admin role.
    pub global_admin: bool,
    /// Holds the billing admin role.
    pub billing_admin: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}

/// Everything the directory import compares a file against.
#[derive(Debug, Default, Clone)]
pub struct DirectorySnapshot {
    /// Organisations by id.
    pub organizations: BTreeMap<String, OrganizationRow>,
    /// Users by email.
    pub users: BTreeMap<String, UserRow>,
    /// Partner id → customer ids it administers.
    pub delegations: BTreeMap<String, Vec<String>>,
    /// Emails of users created by a first SSO sign-in or by SCIM: the file does not govern
    /// them, so its silence about them does not make them leavers.
    pub provisioned_elsewhere: BTreeSet<String>,
}

/// One write of a directory import. Applied together, in order, in one transaction.
#[derive(Debug, Clone)]
pub enum DirectoryChange {
    /// Create an organisation (the row's `domains` are ignored: see `SetDomains`).
    InsertOrganization(OrganizationRow),
    /// Update name, kind, country and managed.
    UpdateOrganization(OrganizationRow),
    /// Replace an organisation's domains.
    SetDomains {
        /// Which organisation.
        organization_id: String,
        /// Its new domains, primary first.
        domains: Vec<String>,
    },
    /// Create a user.
    InsertUser(UserRow),
    /// Update every field of a user but its id.
    UpdateUser(UserRow),
    /// Replace the customers a partner administers.
    SetDelegations {
        /// The partner organisation.
        partner_id: String,
        /// The customer organisations.
        customer_ids: Vec<String>,
    },
}

pub(crate) fn user_from_row(row: &AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        guest: from_flag(row.try_get("guest")?),
        enabled: from_flag(row.try_get("enabled")?),
        in_directory: from_flag(row.try_get("in_directory")?),
        global_admin: from_flag(row.try_get("global_admin")?),
        billing_admin: from_flag(row.try_get("billing_admin")?),
    })
}

/// The column list [`user_from_row`] reads.
pub(crate) const USER_COLUMNS: &str = "id, organization_id, email, name, password_hash, guest, \
     enabled, in_directory, global_admin, billing_admin";

impl Store {
    /// Reads the whole directory (organisations, users, delegations).
    pub async fn directory_snapshot(&self) -> Result<DirectorySnapshot, StoreError> {
        let mut snapshot = DirectorySnapshot::default();
        let orgs = sqlx::query("SELECT id, name, kind, country, managed FROM organizations")
            .fetch_all(self.reader())
            .await?;
        for row in orgs {
            let org = organization_from_row(&row)?;
            snapshot.organizations.insert(org.id.clone(), org);
        }
        let domains = sqlx::query(
            "SELECT domain, organization_id FROM organization_domains ORDER BY position, domain",
        )
        .fetch_all(self.reader())
        .await?;
        for row in domains {
            let org_id: String = row.try_get("organization_id")?;
            if let Some(org) = snapshot.organizations.get_mut(&org_id) {
                org.domains.push(row.try_get("domain")?);
            }
        }
        let users = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users"))
            .fetch_all(self.reader())
            .await?;
        for row in users {
            let user = user_from_row(&row)?;
            snapshot.users.insert(user.email.clone(), user);
        }
        snapshot.provisioned_elsewhere =
            sqlx::query_scalar("SELECT email FROM users WHERE provisioned_by <> 'directory'")
                .fetch_all(self.reader())
                .await?
                .into_iter()
                .collect();
        let delegations =
            sqlx::query("SELECT partner_id, customer_id FROM partner_delegations ORDER BY 1, 2")
                .fetch_all(self.reader())
                .await?;
        for row in delegations {
            snapshot
                .delegations
                .entry(row.try_get("partner_id")?)
                .or_default()
                .push(row.try_get("customer_id")?);
        }
        Ok(snapshot)
    }

    /// Applies an import's changes atomically: all of them or none.
    pub async fn apply_directory_changes(
        &self,
        changes: &[DirectoryChange],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_bulk_write().await?;
        let mut rest = changes;
        while let Some((change, after)) = rest.split_first() {
            rest = after;
            // A run of new users (a first import is nothing else) is written in batches.
            if let DirectoryChange::InsertUser(first) = change {
                let mut run = vec![first];
                while let Some((DirectoryChange::InsertUser(user), after)) = rest.split_first() {
                    run.push(user);
                    rest = after;
                }
                insert_users(&mut tx, &run, now, self.row_by_row).await?;
                continue;
            }
            match change {
                DirectoryChange::InsertOrganization(org) => {
                    sqlx::query(
                        "INSERT INTO organizations \
                         (id, name, kind, country, managed, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(&org.id)
                    .bind(&org.name)
                    .bind(org.kind.as_str())
                    .bind(org.country.map(|c| c.as_str().to_owned()))
                    .bind(flag(org.managed))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                DirectoryChange::UpdateOrganization(org) => {
                    sqlx::query(
                        "UPDATE organizations SET name = $2, kind = $3, country = $4, \
                         managed = $5, updated_at = $6 WHERE id = $1",
                    )
                    .bind(&org.id)
                    .bind(&org.name)
                    .bind(org.kind.as_str())
                    .bind(org.country.map(|c| c.as_str().to_owned()))
                    .bind(flag(org.managed))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                DirectoryChange::SetDomains {
                    organization_id,
                    domains,
                } => {
                    sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1")
                        .bind(organization_id)
                        .execute(&mut *tx)
                        .await?;
                    for (position, domain) in domains.iter().enumerate() {
                        // A domain may move between organisations within one import: the
                        // upsert takes it over whichever order the organisations come in.
                        sqlx::query(
                            "INSERT INTO organization_domains (domain, organization_id, position) \
                             VALUES ($1, $2, $3) ON CONFLICT (domain) DO UPDATE \
                             SET organization_id = excluded.organization_id, \
                                 position = excluded.position",
                        )
                        .bind(domain)
                        .bind(organization_id)
                        .bind(position as i64)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                DirectoryChange::InsertUser(_) => unreachable!("written in batches above"),
                DirectoryChange::UpdateUser(user) => {
                    let name_search = user.name.to_lowercase();
                    sqlx::query(
                        "UPDATE users SET organization_id = $2, email = $3, name = $4, \
                         name_search = $5, password_hash = $6, guest = $7, enabled = $8, \
                         in_directory = $9, global_admin = $10, billing_admin = $11, \
                         updated_at = $12 WHERE id = $1",
                    )
                    .bind(&user.id)
                    .bind(&user.organization_id)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&name_search)
                    .bind(&user.password_hash)
                    .bind(flag(user.guest))
                    .bind(flag(user.enabled))
                    .bind(flag(user.in_directory))
                    .bind(flag(user.global_admin))
                    .bind(flag(user.billing_admin))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    write_search_terms(&mut tx, user).await?;
                    rename_holder(&mut tx, &user.id, &user.name, &name_search, &user.email).await?;
                    // A disabled or departed user is signed out everywhere at once, not at
                    // their session's next use.
                    if !user.enabled || !user.in_directory {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                            .bind(&user.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                DirectoryChange::SetDelegations {
                    partner_id,
                    customer_ids,
                } => {
                    sqlx::query("DELETE FROM partner_delegations WHERE partner_id = $1")
                        .bind(partner_id)
                        .execute(&mut *tx)
                        .await?;
                    for customer_id in customer_ids {
                        sqlx::query(
                            "INSERT INTO partner_delegations (partner_id, customer_id) \
                             VALUES ($1, $2)",
                        )
                        .bind(partner_id)
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many organisations and users there are (for start-up logs and tests).
    pub async fn directory_counts(&self) -> Result<(i64, i64), StoreError> {
        let orgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
            .fetch_one(self.reader())
            .await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.reader())
            .await?;
        Ok((orgs, users))
    }
}

/// Inserts a new user with their colleague-search words: the directory import and a first
/// sign-in at the organisation's provider (no password hash) both create users this way.
pub(crate) async fn insert_user(
    tx: &mut super::Tx,
    user: &UserRow,
    now: i64,
) -> Result<(), StoreError> {
    insert_users(tx, &[user], now, false).await
}

/// Users per multi-row `INSERT` (13 values each: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 placeholders). A full batch always has the same text, so it is prepared once.
const USERS_PER_INSERT: usize = 500;
/// Search words per multi-row `INSERT` (5 values each).
const TERMS_PER_INSERT: usize = 1_000;

/// Inserts new users and their colleague-search words in multi-row `INSERT`s: an import of
/// 100,000 people is a few hundred statements, not half a million. The words go in index
/// order, so the index grows at its end instead of at random places.
pub(crate) async fn insert_users(
    tx: &mut super::Tx,
    users: &[&UserRow],
    now: i64,
    row_by_row: bool,
) -> Result<(), StoreError> {
    let (users_per, terms_per) = if row_by_row {
        (1, 1)
    } else {
        (USERS_PER_INSERT, TERMS_PER_INSERT)
    };
    for batch in users.chunks(users_per) {
        let rows: Vec<String> = (0..batch.len())
            .map(|i| {
                format!(
                    "({})",
                    super::row_placeholders(tx.backend(), i * 13 + 1, 13)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO users (id, organization_id, email, name, name_search, \
             password_hash, guest, enabled, in_directory, global_admin, \
             billing_admin, created_at, updated_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for user in batch {
            query = query
                .bind(&user.id)
                .bind(&user.organization_id)
                .bind(&user.email)
                .bind(&user.name)
                .bind(user.name.to_lowercase())
                .bind(&user.password_hash)
                .bind(flag(user.guest))
                .bind(flag(user.enabled))
                .bind(flag(user.in_directory))
                .bind(flag(user.global_admin))
                .bind(flag(user.billing_admin))
                .bind(now)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    let mut terms: Vec<SearchTermRow> = users.iter().flat_map(|u| term_rows(u)).collect();
    terms.sort_unstable();
    insert_terms(tx, &terms, terms_per).await?;
    Ok(())
}

/// One `user_search_terms` row: organisation, word, user, and what the search sorts by (the
/// lowercased name, the email), kept beside the word so a search never reads `users` to sort.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SearchTermRow<'a> {
    organization_id: &'a str,
    term: String,
    user_id: &'a str,
    name_search: String,
    email: &'a str,
}

/// The search rows of a user: none once they are out of the directory or disabled (only
/// enabled members can be found and given a licence).
fn term_rows(user: &UserRow) -> Vec<SearchTermRow<'_>> {
    if !(user.enabled && user.in_directory) {
        return Vec::new();
    }
    let name_search = user.name.to_lowercase();
    search_terms(&user.name, &user.email)
        .into_iter()
        .map(|term| SearchTermRow {
            organization_id: &user.organization_id,
            term,
            user_id: &user.id,
            name_search: name_search.clone(),
            email: &user.email,
        })
        .collect()
}

async fn insert_terms(
    tx: &mut super::Tx,
    terms: &[SearchTermRow<'_>],
    per_insert: usize,
) -> Result<(), sqlx::Error> {
    insert_search_rows(
        tx,
        "INSERT INTO user_search_terms (organization_id, term, user_id, name_search, email)",
        terms,
        per_insert,
    )
    .await?;
    insert_search_rows(
        tx,
        "INSERT INTO user_search_prefixes (organization_id, prefix, user_id, name_search, email)",
        &prefix_rows(terms),
        per_insert,
    )
    .await
}

/// `rows` in multi-row `INSERT`s of `per_insert` rows, after `insert_into` (the table and its
/// five columns in [`SearchTermRow`]'s order); rows already there are left alone.
async fn insert_search_rows(
    tx: &mut super::Tx,
    insert_into: &str,
    rows: &[SearchTermRow<'_>],
    per_insert: usize,
) -> Result<(), sqlx::Error> {
    for batch in rows.chunks(per_insert) {
        let values: Vec<String> = (0..batch.len())
            .map(|i| format!("({})", super::row_placeholders(tx.backend(), i * 5 + 1, 5)))
            .collect();
        let sql = format!(
            "{insert_into} VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in batch {
            query = query
                .bind(row.organization_id)
                .bind(&row.term)
                .bind(row.user_id)
                .bind(&row.name_search)
                .bind(row.email);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The longest query answered from `user_search_prefixes` (in characters, as the search
/// counts them); longer ones scan a range of `user_search_terms`.
pub(crate) const SHORT_QUERY: usize = 2;

/// The `user_search_prefixes` rows of some words: each word's first one and two characters,
/// once per person.
fn prefix_rows<'a>(terms: &'a [SearchTermRow<'a>]) -> Vec<SearchTermRow<'a>> {
    let mut rows: Vec<SearchTermRow> = terms
        .iter()
        .flat_map(|row| {
            let chars = row.term.chars().count();
            (1..=SHORT_QUERY.min(chars)).map(move |n| SearchTermRow {
                organization_id: row.organization_id,
                term: row.term.chars().take(n).collect(),
                user_id: row.user_id,
                name_search: row.name_search.clone(),
                email: row.email,
            })
        })
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// Replaces a user's search words (none once they are out of the directory or disabled).
pub(crate) async fn write_search_terms(
    tx: &mut super::Tx,
    user: &UserRow,
) -> Result<(), sqlx::Error> {
    for table in ["user_search_terms", "user_search_prefixes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(&user.id)
            .execute(&mut **tx)
            .await?;
    }
    insert_terms(tx, &term_rows(user), TERMS_PER_INSERT).await
}

fn decode_country(row: &AnyRow, column: &str) -> Result<Option<CountryCode>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        CountryCode::parse(&text).map_err(|_| StoreError::Corrupt(format!("country {text:?}")))
    })
    .transpose()
}

const ORGANIZATION_COLUMNS: &str = "id, name, kind, country, managed";

fn organization_from_row(row: &AnyRow) -> Result<OrganizationRow, StoreError> {
    organization_from_prefixed(row, "")
}

/// An organisation (without its domains) from [`ORGANIZATION_COLUMNS`] each selected as
/// `{prefix}{column}`: a query joining it to users must tell the two `id`s and `name`s apart.
pub(crate) fn organization_from_prefixed(
    row: &AnyRow,
    prefix: &str,
) -> Result<OrganizationRow, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(OrganizationRow {
        id: row.try_get(column("id").as_str())?,
        name: row.try_get(column("name").as_str())?,
        kind: decode(row, &column("kind"))?,
        country: decode_country(row, &column("country"))?,
        managed: from_flag(row.try_get(column("managed").as_str())?),
        domains: Vec::new(),
    })
}

impl Store {
    /// An organisation with its domains.
    pub async fn organization(&self, id: &str) -> Result<Option<OrganizationRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(row) => {
                let mut org = organization_from_row(&row)?;
                org.domains = self.domains_of(&org.id).await?;
                Ok(Some(org))
            }
            None => Ok(None),
        }
    }

    /// The organisation that owns `domain` (lowercased), with its domains.
    pub async fn organization_by_domain(
        &self,
        domain: &str,
    ) -> Result<Option<OrganizationRow>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT organization_id FROM organization_domains WHERE domain = $1",
        )
        .bind(domain)
        .fetch_optional(self.reader())
        .await?;
        match id {
            Some(id) => self.organization(&id).await,
            None => Ok(None),
        }
    }

    /// The customers a partner organisation administers, by name.
    pub async fn delegated_customers(
        &self,
        partner_id: &str,
    ) -> Result<Vec<OrganizationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.kind, o.country, o.managed FROM organizations o \
             JOIN partner_delegations d ON d.customer_id = o.id \
             WHERE d.partner_id = $1 ORDER BY o.name",
        )
        .bind(partner_id)
        .fetch_all(self.reader())
        .await?;
        let mut orgs = Vec::with_capacity(rows.len());
        for row in rows {
            let mut org = organization_from_row(&row)?;
            org.domains = self.domains_of(&org.id).await?;
            orgs.push(org);
        }
        Ok(orgs)
    }

    async fn domains_of(&self, organization_id: &str) -> Result<Vec<String>, StoreError> {
        let domains = sqlx::query_scalar(
            "SELECT domain FROM organization_domains WHERE organization_id = $1 \
             ORDER BY position, domain",
        )
        .bind(organization_id)
        .fetch_all(self.reader())
        .await?;
        Ok(domains)
    }
}
