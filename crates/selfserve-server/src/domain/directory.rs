//! The directory file (`selfserve-server directory import FILE.json`): organisations, their
//! users and partners, as an identity provider would sync them.
//!
//! Parsing checks everything that can be checked without the database, so that an import
//! either applies a file that makes sense as a whole or changes nothing.

use super::market::CountryCode;
use selfserve_api::email::{EmailAddress, is_valid_domain};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use selfserve_api::session::OrganizationKind;

pub use selfserve_api::session::Role;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDirectory {
    organizations: Vec<RawOrganization>,
    #[serde(default)]
    partners: Vec<RawPartner>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    name: String,
    domains: Vec<String>,
    kind: OrganizationKind,
    country: String,
    #[serde(default = "yes")]
    managed: bool,
    #[serde(default)]
    users: Vec<RawUser>,
    #[serde(default)]
    sso: Option<RawSso>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSso {
    issuer: String,
    client_id: String,
    client_secret_env: String,
    #[serde(default)]
    admin_groups: Vec<String>,
    #[serde(default)]
    billing_admin_groups: Vec<String>,
}

/// An organisation's OpenID Provider, from the file. The secret is never in the file: only the
/// name of the server's environment variable that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoEntry {
    /// Issuer URL, without a trailing `/`.
    pub issuer: String,
    pub client_id: String,
    /// The environment variable with the client secret.
    pub client_secret_env: String,
    pub admin_groups: Vec<String>,
    pub billing_admin_groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    email: String,
    name: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    guest: bool,
    #[serde(default = "yes")]
    enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    name: String,
    domains: Vec<String>,
    #[serde(default)]
    users: Vec<RawUser>,
    #[serde(default)]
    delegated_admin_for: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A directory file that passed every check.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Customer organisations, in file order.
    pub organizations: Vec<OrganizationEntry>,
    /// Partners, in file order.
    pub partners: Vec<PartnerEntry>,
}

/// One customer organisation.
#[derive(Debug, Clone)]
pub struct OrganizationEntry {
    /// Display name.
    pub name: String,
    /// Lowercased, unique across the file; the first is the primary domain.
    pub domains: Vec<String>,
    /// Commercial, government, nonprofit or education.
    pub kind: OrganizationKind,
    /// Where the organisation is, which decides market and currency.
    pub country: CountryCode,
    /// False for self-signup ("unmanaged") tenants.
    pub managed: bool,
    /// Its users.
    pub users: Vec<UserEntry>,
    /// Sign-in at its identity provider; `None` leaves what the database has (set from the
    /// command line, or passwords).
    pub sso: Option<SsoEntry>,
}

/// One partner organisation.
#[derive(Debug, Clone)]
pub struct PartnerEntry {
    /// Display name.
    pub name: String,
    /// Lowercased, unique across the file.
    pub domains: Vec<String>,
    /// Its users (roles and guest flags do not apply to partners).
    pub users: Vec<UserEntry>,
    /// Primary domains of the customer organisations it administers.
    pub delegated_admin_for: Vec<String>,
}

/// One user.
#[derive(Clone)]
pub struct UserEntry {
    /// Unique across the file.
    pub email: EmailAddress,
    /// Display name.
    pub name: String,
    /// Clear-text password from the file; only its argon2id hash is ever stored. `None` for
    /// accounts that cannot sign in with a password.
    pub password: Option<String>,
    /// Administrative roles, sorted and without repeats.
    pub roles: Vec<Role>,
    /// A guest in this organisation (cannot buy here).
    pub guest: bool,
    /// Disabled accounts cannot sign in.
    pub enabled: bool,
}

impl fmt::Debug for UserEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEntry")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("roles", &self.roles)
            .field("guest", &self.guest)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// Everything wrong with a directory file, each problem with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryErrors(pub Vec<String>);

impl fmt::Display for DirectoryErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(problem)?;
        }
        Ok(())
    }
}

impl std::error::Error for DirectoryErrors {}

impl Directory {
    /// Parses and checks a directory file.
    pub fn parse(json: &str) -> Result<Self, DirectoryErrors> {
        let raw: RawDirectory = serde_json::from_str(json)
            .map_err(|e| DirectoryErrors(vec![format!("not a directory file: {e}")]))?;
        let mut problems = Vec::new();
        let mut seen_domains = BTreeSet::new();
        let mut seen_emails = BTreeSet::new();
        let mut check_domains = |place: &str, domains: &[String], problems: &mut Vec<String>| {
            if domains.is_empty() {
                problems.push(format!("{place}.domains: at least one domain is needed"));
            }
            let mut out = Vec::new();
            for (i, domain) in domains.iter().enumerate() {
                let domain = domain.trim().to_ascii_lowercase();
                if !is_valid_domain(&domain) {
                    problems.push(format!(
                        "{place}.domains[{i}]: {domain:?} is not a domain name"
                    ));
                } else if !seen_domains.insert(domain.clone()) {
                    problems.push(format!(
                        "{place}.domains[{i}]: {domain} belongs to more than one organisation"
                    ));
                } else {
                    out.push(domain);
                }
            }
            out
        };

        let mut organizations = Vec::new();
        for (i, org) in raw.organizations.into_iter().enumerate() {
            let place = format!("organizations[{i}]");
            let domains = check_domains(&place, &org.domains, &mut problems);
            if org.name.trim().is_empty() {
                problems.push(format!("{place}.name: must not be empty"));
            }
            if org.kind == OrganizationKind::Partner {
                problems.push(format!(
                    "{place}.kind: partners are listed under \"partners\", not as organisations"
                ));
            }
            let country = CountryCode::parse(&org.country).unwrap_or_else(|_| {
                problems.push(format!(
                    "{place}.country: {:?} is not an ISO 3166-1 alpha-2 code",
                    org.country
                ));
                CountryCode::US
            });
            let users = check_users(&place, org.users, &mut seen_emails, &mut problems, |user| {
                // Members sign in with an address of their own organisation; a guest's address
                // may be anyone's.
                user.guest || domains.iter().any(|d| d == user.email.domain())
            });
            let sso = org.sso.and_then(|sso| {
                let issuer = sso.issuer.trim().trim_end_matches('/').to_owned();
                let mut fine = true;
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    problems.push(format!(
                        "{place}.sso.issuer: {issuer:?} is not an http(s) URL"
                    ));
                    fine = false;
                }
                if sso.client_id.trim().is_empty() {
                    problems.push(format!("{place}.sso.client_id: must not be empty"));
                    fine = false;
                }
                let env = sso.client_secret_env.trim();
                if env.is_empty() || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    problems.push(format!(
                        "{place}.sso.client_secret_env: {env:?} is not an environment variable name"
                    ));
                    fine = false;
                }
                fine.then(|| SsoEntry {
                    issuer,
                    client_id: sso.client_id.trim().to_owned(),
                    client_secret_env: env.to_owned(),
                    admin_groups: sso.admin_groups,
                    billing_admin_groups: sso.billing_admin_groups,
                })
            });
            organizations.push(OrganizationEntry {
                name: org.name.trim().to_owned(),
                domains,
                kind: org.kind,
                country,
                managed: org.managed,
                users,
                sso,
            });
        }

        let customer_domains: BTreeMap<&str, usize> = organizations
            .iter()
            .enumerate()
            .flat_map(|(i, org)| org.domains.iter().map(move |d| (d.as_str(), i)))
            .collect();
        let mut partners = Vec::new();
        for (i, partner) in raw.partners.into_iter().enumerate() {
            let place = format!("partners[{i}]");
            let domains = check_domains(&place, &partner.domains, &mut problems);
            if partner.name.trim().is_empty() {
                problems.push(format!("{place}.name: must not be empty"));
            }
            let users = check_users(
                &place,
                partner.users,
                &mut seen_emails,
                &mut problems,
                |user| domains.iter().any(|d| d == user.email.domain()),
            );
            let mut delegated = Vec::new();
            for (j, domain) in partner.delegated_admin_for.iter().enumerate() {
                let domain = domain.trim().to_ascii_lowercase();
                match customer_domains.get(domain.as_str()) {
                    Some(&org) => {
                        let primary = organizations[org].domains[0].clone();
                        if !delegated.contains(&primary) {
                            delegated.push(primary);
                        }
                    }
                    None => problems.push(format!(
                        "{place}.delegated_admin_for[{j}]: no organisation has the domain {domain}"
                    )),
                }
            }
            partners.push(PartnerEntry {
                name: partner.name.trim().to_owned(),
                domains,
                users,
                delegated_admin_for: delegated,
            });
        }

        if problems.is_empty() {
            Ok(Self {
                organizations,
                partners,
            })
        } else {
            Err(DirectoryErrors(problems))
        }
    }
}

fn check_users(
    place: &str,
    users: Vec<RawUser>,
    seen_emails: &mut BTreeSet<EmailAddress>,
    problems: &mut Vec<String>,
    domain_allowed: impl Fn(&UserEntry) -> bool,
) -> Vec<UserEntry> {
    let mut out = Vec::new();
    for (j, user) in users.into_iter().enumerate() {
        let place = format!("{place}.users[{j}]");
        let email = match EmailAddress::parse(&user.email) {
            Ok(email) => email,
            Err(reason) => {
                problems.push(format!("{place}.email: {:?}: {reason}", user.email));
                continue;
            }
        };
        if !seen_emails.insert(email.clone()) {
            problems.push(format!("{place}.email: {email} appears more than once"));
            continue;
        }
        if user.name.trim().is_empty() {
            problems.push(format!("{place}.name: must not be empty"));
        }
        if user.password.as_deref().is_some_and(str::is_empty) {
            problems.push(format!(
                "{place}.password: must not be empty (leave it out for accounts without one)"
            ));
        }
        let mut roles = user.roles;
        roles.sort();
        roles.dedup();
        let entry = UserEntry {
            email,
            name: user.name.trim().to_owned(),
            password: user.password,
            roles,
            guest: user.guest,
            enabled: user.enabled,
        };
        if !domain_allowed(&entry) {
            problems.push(format!(
                "{place}.email: {} is not at one of the organisation's domains",
                entry.email
            ));
        }
        out.push(entry);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_directory_is_valid() {
        let directory = Directory::parse(crate::demo::DIRECTORY_JSON).unwrap();
        assert!(directory.organizations.len() >= 7);
        assert!(!directory.partners.is_empty());
    }

    #[test]
    fn an_organisation_may_name_its_identity_provider_but_never_its_secret() {
        let file = |sso: &str| {
            format!(
                r#"{{"organizations": [{{"name": "C", "domains": ["c.com"], "kind": "commercial",
                "country": "US", "sso": {sso}}}]}}"#
            )
        };
        let directory = Directory::parse(&file(
            r#"{"issuer": "https://idp.c.com/", "client_id": "shop",
                "client_secret_env": "C_SSO_SECRET", "admin_groups": ["it"]}"#,
        ))
        .unwrap();
        let sso = directory.organizations[0].sso.clone().unwrap();
        assert_eq!(sso.issuer, "https://idp.c.com");
        assert_eq!(sso.client_secret_env, "C_SSO_SECRET");
        assert_eq!(sso.admin_groups, ["it"]);
        assert!(sso.billing_admin_groups.is_empty());
        // A secret in clear text is not a field.
        assert!(
            Directory::parse(&file(
                r#"{"issuer": "https://i", "client_id": "s", "client_secret_env": "E",
                    "client_secret": "hunter2"}"#
            ))
            .is_err()
        );
        let errors = Directory::parse(&file(
            r#"{"issuer": "ftp://i", "client_id": " ", "client_secret_env": "not a name"}"#,
        ))
        .unwrap_err();
        assert_eq!(errors.0.len(), 3, "{errors}");
    }

    #[test]
    fn defaults_follow_the_contract() {
        let directory = Directory::parse(
            r#"{"organizations": [{"name": "C", "domains": ["C.com"], "kind": "commercial",
                "country": "us", "users": [{"email": "A@c.com", "name": "A"}]}]}"#,
        )
        .unwrap();
        let org = &directory.organizations[0];
        assert!(org.managed);
        assert_eq!(org.domains, ["c.com"]);
        assert_eq!(org.country.as_str(), "US");
        let user = &org.users[0];
        assert_eq!(user.email.as_str(), "a@c.com");
        assert!(user.enabled && !user.guest && user.roles.is_empty() && user.password.is_none());
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let errors = Directory::parse(
            r#"{"organizations": [
                {"name": "", "domains": ["c.com", "bad domain"], "kind": "commercial",
                 "country": "USA", "users": [
                    {"email": "a@c.com", "name": "A"},
                    {"email": "a@c.com", "name": "A again"},
                    {"email": "b@elsewhere.com", "name": "B"},
                    {"email": "nope", "name": "N"}]},
                {"name": "D", "domains": ["C.com"], "kind": "education", "country": "NL"}],
              "partners": [{"name": "P", "domains": ["p.example"],
                            "delegated_admin_for": ["unknown.com"]}]}"#,
        )
        .unwrap_err();
        let text = errors.to_string();
        for expected in [
            "organizations[0].name",
            "organizations[0].domains[1]",
            "organizations[0].country",
            "organizations[0].users[1].email: a@c.com appears more than once",
            "organizations[0].users[2].email: b@elsewhere.com is not at one of",
            "organizations[0].users[3].email",
            "organizations[1].domains[0]: c.com belongs to more than one",
            "partners[0].delegated_admin_for[0]",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn unknown_fields_and_kinds_are_refused() {
        assert!(Directory::parse(r#"{"organizations": [], "orgs": []}"#).is_err());
        assert!(
            Directory::parse(
                r#"{"organizations": [{"name": "C", "domains": ["c.com"], "kind": "military",
                    "country": "US"}]}"#
            )
            .is_err()
        );
    }
}
