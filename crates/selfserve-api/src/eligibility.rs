//! The email step (`POST /eligibility`) and the reasons someone may not buy.

use crate::product::ProductId;
use crate::session::SignInMethod;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why someone may not buy; the API's `reason` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IneligibleReason {
    /// Government, nonprofit and education organisations cannot buy self-service.
    OrganizationKind,
    /// Self-signup (unmanaged) organisations cannot buy.
    UnmanagedOrganization,
    /// The organisation's country is not one of the markets.
    Market,
    /// An admin turned self-service purchase of the product off.
    PolicyDisabled,
    /// An admin allows only trials without a card for the product.
    PolicyTrialsOnly,
    /// Guests cannot buy in the organisation where they are guests.
    Guest,
    /// A guardrail an admin set (seats or monthly spend) leaves no room; `error.limit` says
    /// which.
    CapReached,
    /// A reason this version does not know.
    #[serde(other)]
    Unknown,
}

impl IneligibleReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationKind => "organization_kind",
            Self::UnmanagedOrganization => "unmanaged_organization",
            Self::Market => "market",
            Self::PolicyDisabled => "policy_disabled",
            Self::PolicyTrialsOnly => "policy_trials_only",
            Self::Guest => "guest",
            Self::CapReached => "cap_reached",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for IneligibleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OrganizationKind => {
                "Self-service purchase isn't available to government, nonprofit or education \
                 organisations."
            }
            Self::UnmanagedOrganization => {
                "Your organisation's account isn't managed by an IT department, so self-service \
                 purchase isn't available."
            }
            Self::Market => {
                "Self-service purchase isn't available in your organisation's country or region."
            }
            Self::PolicyDisabled => {
                "Your IT admin has turned off self-service purchase of this product."
            }
            Self::PolicyTrialsOnly => {
                "Your IT admin allows only free trials of this product, without a card."
            }
            Self::Guest => "You're a guest in this organisation, and guests can't buy for it.",
            Self::CapReached => {
                "This goes beyond a limit your IT admin set on self-service purchases of this \
                 product."
            }
            Self::Unknown => "Self-service purchase isn't available to you.",
        })
    }
}

/// Body of `POST /eligibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EligibilityRequest {
    /// The address the person typed; only its domain is used. (The pattern is the
    /// addresses the server accepts, without dots before the @, within its length limits.)
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r#"^\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}@([A-Za-z0-9]([A-Za-z0-9-]{0,40}[A-Za-z0-9])?\.){1,3}[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\s*$"#
        )
    )]
    pub email: String,
    /// The product they want.
    pub product: String,
}

/// An organisation as named to someone who is not signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationName {
    /// Display name.
    pub name: String,
}

/// Answer of `POST /eligibility`: what the person should do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EligibilityResponse {
    /// The organisation's users may buy: sign in.
    SignIn {
        /// The organisation the domain belongs to.
        organization: OrganizationName,
        /// Where to sign in: at the organisation's identity provider or with a password.
        method: SignInMethod,
    },
    /// The organisation cannot buy this product self-service: contact the IT admin.
    ContactAdmin {
        /// Why.
        reason: IneligibleReason,
        /// The reason in plain words.
        message: String,
    },
    /// No organisation has this domain.
    UnknownOrganization,
}

/// For one product: `true`, or why not (`GET /session`'s `can_buy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum CanBuy {
    /// Always `true`.
    Yes(bool),
    /// The reason.
    No(IneligibleReason),
}

impl CanBuy {
    /// `None` when allowed, else the reason.
    pub fn reason(self) -> Option<IneligibleReason> {
        match self {
            Self::Yes(true) => None,
            Self::Yes(false) => Some(IneligibleReason::Unknown),
            Self::No(reason) => Some(reason),
        }
    }
}

/// The products a signed-in user may buy, by product.
pub type CanBuyMap = std::collections::BTreeMap<ProductId, CanBuy>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_have_the_contracts_shape() {
        let sign_in = EligibilityResponse::SignIn {
            organization: OrganizationName {
                name: "Contoso".into(),
            },
            method: SignInMethod::Sso,
        };
        assert_eq!(
            serde_json::to_value(&sign_in).unwrap(),
            serde_json::json!({"outcome": "sign_in", "organization": {"name": "Contoso"}, "method": "sso"})
        );
        let contact = EligibilityResponse::ContactAdmin {
            reason: IneligibleReason::Market,
            message: "m".into(),
        };
        let json = serde_json::to_value(&contact).unwrap();
        assert_eq!(json["outcome"], "contact_admin");
        assert_eq!(json["reason"], "market");
        assert_eq!(
            serde_json::to_value(EligibilityResponse::UnknownOrganization).unwrap(),
            serde_json::json!({"outcome": "unknown_organization"})
        );
    }

    #[test]
    fn can_buy_is_true_or_a_reason() {
        let mut map = CanBuyMap::new();
        map.insert(ProductId::PowerBiPro, CanBuy::Yes(true));
        map.insert(
            ProductId::PowerAppsPerUser,
            CanBuy::No(IneligibleReason::Guest),
        );
        let json = serde_json::to_value(&map).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"power-bi-pro": true, "power-apps-per-user": "guest"})
        );
        let back: CanBuyMap = serde_json::from_value(json).unwrap();
        assert_eq!(
            back[&ProductId::PowerAppsPerUser].reason(),
            Some(IneligibleReason::Guest)
        );
        assert_eq!(back[&ProductId::PowerBiPro].reason(), None);
    }
}
