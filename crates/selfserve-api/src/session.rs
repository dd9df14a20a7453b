//! Signing in (`POST /session`) and the signed-in user (`GET /session`).

use crate::eligibility::CanBuyMap;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// What kind of organisation a tenant is; only commercial ones may buy self-service, and
    /// partners administer customers but buy nothing here.
    pub enum OrganizationKind {
        /// A business.
        Commercial => "commercial",
        /// A government body.
        Government => "government",
        /// A nonprofit.
        Nonprofit => "nonprofit",
        /// A school or university.
        Education => "education",
        /// A partner with (possibly) delegated admin rights for customers.
        Partner => "partner",
    }
}

wire_enum! {
    /// How an organisation's people sign in (`POST /eligibility`'s `method`).
    pub enum SignInMethod {
        /// At the organisation's identity provider: `GET /sso/start`.
        Sso => "sso",
        /// With a password: `POST /session`.
        Password => "password",
    }
}

wire_enum! {
    /// An administrative role a user holds in their own organisation.
    pub enum Role {
        /// Sees and controls everything, including product policies.
        GlobalAdmin => "global_admin",
        /// Sees all purchases and bills; cannot change policy.
        BillingAdmin => "billing_admin",
    }
}

/// Body of `POST /session`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// The account's email address.
    pub email: String,
    /// The account's password.
    pub password: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// An organisation as its own users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// `org_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its domains, primary first.
    pub domains: Vec<String>,
    /// ISO 3166-1 alpha-2 country; absent for partners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub kind: OrganizationKind,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionUser {
    /// `usr_…`.
    pub id: String,
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Empty for everyone but admins.
    pub roles: Vec<Role>,
    /// True for a guest in `organization`.
    pub guest: bool,
    /// The organisation the account belongs to.
    pub organization: Organization,
    /// For each product: `true`, or the reason this user may not buy it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub can_buy: CanBuyMap,
    /// Customer organisations this user administers as a delegated partner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegated_organizations: Vec<Organization>,
}

impl SessionUser {
    /// Whether the user may see every purchase of an organisation.
    pub fn is_admin(&self) -> bool {
        !self.roles.is_empty() || !self.delegated_organizations.is_empty()
    }

    /// Whether admin notices are sent to the user, so that they choose how: an admin of
    /// their own organisation. A partner gets none of a customer's.
    pub fn gets_admin_notices(&self) -> bool {
        !self.roles.is_empty()
    }
}
