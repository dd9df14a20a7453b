//! `directory import`: brings the database in line with a directory file.
//!
//! The import reads the current directory, works out the smallest set of changes, hashes the
//! passwords that changed (before taking the write lock: argon2 is slow on purpose) and applies
//! everything in one transaction. Importing the same file twice changes nothing, because a
//! password that still verifies against the stored hash keeps that hash.
//!
//! Users the file no longer lists are kept but marked as out of the directory (and so cannot
//! sign in): the FAQ's leaver rule keeps their subscriptions running until cancelled.

use crate::auth::password_hash as password;
use crate::domain::directory::{Directory, OrganizationKind, Role, UserEntry};
use crate::ids::new_id;
use crate::store::directory::{DirectoryChange, DirectorySnapshot, OrganizationRow, UserRow};
use crate::store::sso::{SecretRef, SsoConfig};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Organisations (customers and partners) created.
    pub organizations_created: usize,
    /// Organisations whose name, kind, country, managed flag or domains changed.
    pub organizations_updated: usize,
    /// Organisations left as they were.
    pub organizations_unchanged: usize,
    /// Users created.
    pub users_created: usize,
    /// Users changed (including a changed password).
    pub users_updated: usize,
    /// Users left as they were.
    pub users_unchanged: usize,
    /// Users no longer in the file, now marked as out of the directory.
    pub users_removed: usize,
}

impl ImportReport {
    /// Whether the import wrote anything.
    pub fn changed_anything(&self) -> bool {
        self.organizations_created
            + self.organizations_updated
            + self.users_created
            + self.users_updated
            + self.users_removed
            > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "organizations: {} created, {} updated, {} unchanged; \
             users: {} created, {} updated, {} unchanged, {} removed",
            self.organizations_created,
            self.organizations_updated,
            self.organizations_unchanged,
            self.users_created,
            self.users_updated,
            self.users_unchanged,
            self.users_removed
        )
    }
}

/// Why an import was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a valid directory.
    #[error("{0}")]
    Invalid(#[from] crate::domain::directory::DirectoryErrors),
    /// The file's domains would merge organisations that are separate in the database.
    #[error(
        "{name}: its domains belong to {count} different organisations in the database; \
         give each organisation its own domains"
    )]
    AmbiguousOrganization {
        /// The organisation in the file.
        name: String,
        /// How many stored organisations its domains name.
        count: usize,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One organisation of the file, customer or partner, in the shape it is stored.
struct Wanted<'a> {
    row: OrganizationRow,
    users: &'a [UserEntry],
    delegated_domains: Option<&'a [String]>,
}

/// Imports `directory` into `store`.
pub async fn import(
    store: &Store,
    directory: &Directory,
    now: i64,
) -> Result<ImportReport, ImportError> {
    let snapshot = store.directory_snapshot().await?;
    let plan = plan(&snapshot, directory)?;
    let mut report = plan.report;
    let mut changes = plan.changes;

    // Hash outside the transaction, on the blocking pool.
    let pending = plan.passwords;
    let hashed = tokio::task::spawn_blocking(move || {
        pending
            .into_iter()
            .map(|(index, password, stored)| {
                let keep = stored
                    .as_deref()
                    .is_some_and(|h| password::verify(&password, h));
                (
                    index,
                    if keep {
                        stored
                    } else {
                        Some(password::hash(&password))
                    },
                )
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("hashing task failed: {e}")))?;

    for (index, new_hash) in hashed {
        if let DirectoryChange::InsertUser(user) | DirectoryChange::UpdateUser(user) =
            &mut changes[index]
        {
            user.password_hash = new_hash;
        }
    }
    // A user whose only possible change was the password is unchanged if the hash was kept.
    let mut kept = Vec::new();
    for (index, change) in changes.into_iter().enumerate() {
        if let DirectoryChange::UpdateUser(user) = &change
            && plan.password_only.contains(&index)
            && snapshot.users.get(&user.email) == Some(user)
        {
            report.users_updated -= 1;
            report.users_unchanged += 1;
            continue;
        }
        kept.push(change);
    }
    if !kept.is_empty() {
        store.apply_directory_changes(&kept, now).await?;
    }
    // After the organisations exist. An organisation without `sso` in the file keeps what the
    // database has (the command line may have set it).
    for organization in &directory.organizations {
        let (Some(sso), Some(primary)) = (&organization.sso, organization.domains.first()) else {
            continue;
        };
        let Some(stored) = store.organization_by_domain(primary).await? else {
            continue;
        };
        store
            .set_sso_config(
                &SsoConfig {
                    organization_id: stored.id,
                    issuer: sso.issuer.clone(),
                    client_id: sso.client_id.clone(),
                    client_secret: SecretRef::Env(sso.client_secret_env.clone()),
                    admin_groups: sso.admin_groups.clone(),
                    billing_admin_groups: sso.billing_admin_groups.clone(),
                },
                now,
            )
            .await?;
    }
    Ok(report)
}

struct Plan {
    changes: Vec<DirectoryChange>,
    /// (index into `changes`, clear-text password, stored hash to try first).
    passwords: Vec<(usize, String, Option<String>)>,
    /// Updates that exist only because the password might have changed.
    password_only: BTreeSet<usize>,
    report: ImportReport,
}

fn plan(snapshot: &DirectorySnapshot, directory: &Directory) -> Result<Plan, ImportError> {
    let domain_owner: BTreeMap<&str, &str> = snapshot
        .organizations
        .values()
        .flat_map(|org| org.domains.iter().map(|d| (d.as_str(), org.id.as_str())))
        .collect();

    let wanted: Vec<Wanted<'_>> = directory
        .organizations
        .iter()
        .map(|org| Wanted {
            row: OrganizationRow {
                id: String::new(),
                name: org.name.clone(),
                kind: org.kind,
                country: Some(org.country),
                managed: org.managed,
                domains: org.domains.clone(),
            },
            users: &org.users,
            delegated_domains: None,
        })
        .chain(directory.partners.iter().map(|partner| Wanted {
            row: OrganizationRow {
                id: String::new(),
                name: partner.name.clone(),
                kind: OrganizationKind::Partner,
                country: None,
                managed: true,
                domains: partner.domains.clone(),
            },
            users: &partner.users,
            delegated_domains: Some(&partner.delegated_admin_for),
        }))
        .collect();

    let mut plan = Plan {
        changes: Vec::new(),
        passwords: Vec::new(),
        password_only: BTreeSet::new(),
        report: ImportReport::default(),
    };
    let mut org_id_by_domain: BTreeMap<String, String> = BTreeMap::new();
    let mut claimed = BTreeSet::new();
    let mut org_ids = Vec::new();

    for wanted in &wanted {
        let existing: BTreeSet<&str> = wanted
            .row
            .domains
            .iter()
            .filter_map(|d| domain_owner.get(d.as_str()).copied())
            .collect();
        if existing.len() > 1 {
            return Err(ImportError::AmbiguousOrganization {
                name: wanted.row.name.clone(),
                count: existing.len(),
            });
        }
        let mut row = wanted.row.clone();
        match existing
            .into_iter()
            .next()
            .filter(|id| claimed.insert(id.to_string()))
        {
            Some(id) => {
                let stored = &snapshot.organizations[id];
                row.id = id.to_owned();
                let fields_changed = stored.name != row.name
                    || stored.kind != row.kind
                    || stored.country != row.country
                    || stored.managed != row.managed;
                if fields_changed {
                    plan.changes
                        .push(DirectoryChange::UpdateOrganization(row.clone()));
                }
                if stored.domains != row.domains {
                    plan.changes.push(DirectoryChange::SetDomains {
                        organization_id: row.id.clone(),
                        domains: row.domains.clone(),
                    });
                }
                if fields_changed || stored.domains != row.domains {
                    plan.report.organizations_updated += 1;
                } else {
                    plan.report.organizations_unchanged += 1;
                }
            }
            None => {
                row.id = new_id("org");
                plan.changes
                    .push(DirectoryChange::InsertOrganization(row.clone()));
                plan.changes.push(DirectoryChange::SetDomains {
                    organization_id: row.id.clone(),
                    domains: row.domains.clone(),
                });
                plan.report.organizations_created += 1;
            }
        }
        for domain in &row.domains {
            org_id_by_domain.insert(domain.clone(), row.id.clone());
        }
        org_ids.push(row.id);
    }

    let mut listed = BTreeSet::new();
    for (wanted, org_id) in wanted.iter().zip(&org_ids) {
        for user in wanted.users {
            listed.insert(user.email.as_str().to_owned());
            plan_user(&mut plan, snapshot, user, org_id);
        }
    }

    // Leavers: users of the imported organisations that the file no longer lists. Users that
    // SSO or SCIM created never were in the file; their provider says when they leave.
    let imported: BTreeSet<&String> = org_ids.iter().collect();
    for user in snapshot.users.values() {
        if user.in_directory
            && imported.contains(&user.organization_id)
            && !listed.contains(&user.email)
            && !snapshot.provisioned_elsewhere.contains(&user.email)
        {
            let mut gone = user.clone();
            gone.in_directory = false;
            plan.changes.push(DirectoryChange::UpdateUser(gone));
            plan.report.users_removed += 1;
        }
    }

    for (wanted, partner_id) in wanted.iter().zip(&org_ids) {
        let Some(domains) = wanted.delegated_domains else {
            continue;
        };
        let mut customer_ids: Vec<String> = domains
            .iter()
            .filter_map(|d| org_id_by_domain.get(d).cloned())
            .collect();
        customer_ids.sort();
        customer_ids.dedup();
        let stored = snapshot
            .delegations
            .get(partner_id)
            .cloned()
            .unwrap_or_default();
        if stored != customer_ids {
            plan.changes.push(DirectoryChange::SetDelegations {
                partner_id: partner_id.clone(),
                customer_ids,
            });
        }
    }
    Ok(plan)
}

fn plan_user(plan: &mut Plan, snapshot: &DirectorySnapshot, user: &UserEntry, org_id: &str) {
    let stored = snapshot.users.get(user.email.as_str());
    let row = UserRow {
        id: stored.map_or_else(|| new_id("usr"), |s| s.id.clone()),
        organization_id: org_id.to_owned(),
        email: user.email.as_str().to_owned(),
        name: user.name.clone(),
        password_hash: stored.and_then(|s| s.password_hash.clone()),
        guest: user.guest,
        enabled: user.enabled,
        in_directory: true,
        global_admin: user.roles.contains(&Role::GlobalAdmin),
        billing_admin: user.roles.contains(&Role::BillingAdmin),
    };
    let index = plan.changes.len();
    match stored {
        None => {
            plan.changes.push(DirectoryChange::InsertUser(row));
            plan.report.users_created += 1;
        }
        Some(stored) => {
            let mut without_password = row.clone();
            if user.password.is_none() {
                without_password.password_hash = None;
            }
            let other_fields_changed = {
                let mut comparable = without_password.clone();
                comparable.password_hash = stored.password_hash.clone();
                &comparable != stored
            };
            let password_removed = user.password.is_none() && stored.password_hash.is_some();
            if !other_fields_changed && !password_removed && user.password.is_none() {
                plan.report.users_unchanged += 1;
                return;
            }
            if !other_fields_changed && !password_removed {
                plan.password_only.insert(index);
            }
            plan.changes
                .push(DirectoryChange::UpdateUser(without_password));
            plan.report.users_updated += 1;
        }
    }
    if let Some(password) = &user.password {
        plan.passwords.push((
            index,
            password.clone(),
            stored.and_then(|s| s.password_hash.clone()),
        ));
    }
}
