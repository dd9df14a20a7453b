//! Who may buy: the FAQ's rules as one pure function per question.
//!
//! - The email step decides on the organisation of the address's **domain** only, never on the
//!   mailbox, so its answer (and its timing) cannot reveal whether an account exists.
//! - The purchase checks the same organisation rules again (policy may have changed since the
//!   email step), plus what only a signed-in user has: being a guest.

use super::directory::OrganizationKind;
use super::market::{CountryCode, is_allowed_market};
pub use selfserve_api::eligibility::IneligibleReason as Ineligible;

pub use selfserve_api::admin::Policy;

/// What kind of tenant a domain belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tenant {
    /// A customer organisation.
    Customer {
        /// Commercial, government, nonprofit or education.
        kind: OrganizationKind,
        /// False for self-signup tenants.
        managed: bool,
        /// Where it is.
        country: CountryCode,
    },
    /// A partner: its users administer customers but buy nothing here.
    Partner,
}

/// The answer of the email step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailCheck {
    /// The domain belongs to an organisation whose users may buy: sign in.
    SignIn,
    /// The organisation cannot buy: contact the IT admin, for this reason.
    ContactAdmin(Ineligible),
    /// No organisation has this domain.
    UnknownOrganization,
}

/// The email step: decided on the domain's tenant and the product's policy only.
pub fn check_email(tenant: Option<Tenant>, policy: Policy) -> EmailCheck {
    match tenant {
        None | Some(Tenant::Partner) => EmailCheck::UnknownOrganization,
        Some(tenant) => match organization_rules(tenant, policy, false) {
            Ok(()) => EmailCheck::SignIn,
            Err(reason) => EmailCheck::ContactAdmin(reason),
        },
    }
}

/// Whether a signed-in user may pay for the product now. `with_card` is false for a trial.
pub fn check_purchase(
    tenant: Tenant,
    policy: Policy,
    guest: bool,
    with_card: bool,
) -> Result<(), Ineligible> {
    organization_rules(tenant, policy, with_card)?;
    if guest {
        return Err(Ineligible::Guest);
    }
    Ok(())
}

fn organization_rules(tenant: Tenant, policy: Policy, with_card: bool) -> Result<(), Ineligible> {
    let Tenant::Customer {
        kind,
        managed,
        country,
    } = tenant
    else {
        // Partner users buy for nobody here; the email step never sends them to sign in.
        return Err(Ineligible::OrganizationKind);
    };
    if kind != OrganizationKind::Commercial {
        return Err(Ineligible::OrganizationKind);
    }
    if !managed {
        return Err(Ineligible::UnmanagedOrganization);
    }
    if !is_allowed_market(country) {
        return Err(Ineligible::Market);
    }
    match policy {
        Policy::Enabled => Ok(()),
        Policy::Disabled => Err(Ineligible::PolicyDisabled),
        Policy::OnlyTrialsWithoutPaymentMethod if with_card => Err(Ineligible::PolicyTrialsOnly),
        Policy::OnlyTrialsWithoutPaymentMethod => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganizationKind::*;

    fn customer(kind: OrganizationKind, managed: bool, country: &str) -> Option<Tenant> {
        Some(Tenant::Customer {
            kind,
            managed,
            country: CountryCode::parse(country).unwrap(),
        })
    }

    #[test]
    fn the_email_step_follows_every_rule_of_the_faq() {
        use EmailCheck::*;
        use Ineligible as R;
        use Policy::*;
        let cases = [
            // (tenant, policy, expected)
            (customer(Commercial, true, "US"), Enabled, SignIn),
            (customer(Commercial, true, "NL"), Enabled, SignIn),
            (customer(Commercial, true, "XK"), Enabled, SignIn),
            (
                customer(Commercial, true, "US"),
                OnlyTrialsWithoutPaymentMethod,
                SignIn,
            ),
            (
                customer(Government, true, "US"),
                Enabled,
                ContactAdmin(R::OrganizationKind),
            ),
            (
                customer(Nonprofit, true, "US"),
                Enabled,
                ContactAdmin(R::OrganizationKind),
            ),
            (
                customer(Education, true, "US"),
                Enabled,
                ContactAdmin(R::OrganizationKind),
            ),
            (
                customer(Commercial, false, "US"),
                Enabled,
                ContactAdmin(R::UnmanagedOrganization),
            ),
            (
                customer(Commercial, true, "IN"),
                Enabled,
                ContactAdmin(R::Market),
            ),
            (
                customer(Commercial, true, "KP"),
                Enabled,
                ContactAdmin(R::Market),
            ),
            (
                customer(Commercial, true, "US"),
                Disabled,
                ContactAdmin(R::PolicyDisabled),
            ),
            // Kind is reported before management, market and policy.
            (
                customer(Education, false, "IN"),
                Disabled,
                ContactAdmin(R::OrganizationKind),
            ),
            (
                customer(Commercial, false, "IN"),
                Disabled,
                ContactAdmin(R::UnmanagedOrganization),
            ),
            (
                customer(Commercial, true, "IN"),
                Disabled,
                ContactAdmin(R::Market),
            ),
            (None, Enabled, UnknownOrganization),
            (Some(Tenant::Partner), Enabled, UnknownOrganization),
        ];
        for (tenant, policy, expected) in cases {
            assert_eq!(
                check_email(tenant, policy),
                expected,
                "{tenant:?} with {policy:?}"
            );
        }
    }

    #[test]
    fn a_purchase_rechecks_the_organisation_and_refuses_guests() {
        use Ineligible as R;
        use Policy::*;
        let contoso = customer(Commercial, true, "US").unwrap();
        let cases = [
            // (tenant, policy, guest, with_card, expected)
            (contoso, Enabled, false, true, Ok(())),
            (contoso, Enabled, true, true, Err(R::Guest)),
            (contoso, Disabled, false, true, Err(R::PolicyDisabled)),
            (contoso, Disabled, true, true, Err(R::PolicyDisabled)),
            (
                contoso,
                OnlyTrialsWithoutPaymentMethod,
                false,
                true,
                Err(R::PolicyTrialsOnly),
            ),
            (
                contoso,
                OnlyTrialsWithoutPaymentMethod,
                false,
                false,
                Ok(()),
            ),
            (
                contoso,
                OnlyTrialsWithoutPaymentMethod,
                true,
                false,
                Err(R::Guest),
            ),
            (
                customer(Government, true, "US").unwrap(),
                Enabled,
                false,
                true,
                Err(R::OrganizationKind),
            ),
            (
                customer(Commercial, false, "US").unwrap(),
                Enabled,
                false,
                true,
                Err(R::UnmanagedOrganization),
            ),
            (
                customer(Commercial, true, "CU").unwrap(),
                Enabled,
                false,
                true,
                Err(R::Market),
            ),
            (
                Tenant::Partner,
                Enabled,
                false,
                true,
                Err(R::OrganizationKind),
            ),
        ];
        for (tenant, policy, guest, with_card, expected) in cases {
            assert_eq!(
                check_purchase(tenant, policy, guest, with_card),
                expected,
                "{tenant:?} {policy:?} guest={guest} card={with_card}"
            );
        }
    }

    #[test]
    fn reasons_have_wire_names_and_plain_words() {
        for reason in [
            Ineligible::OrganizationKind,
            Ineligible::UnmanagedOrganization,
            Ineligible::Market,
            Ineligible::PolicyDisabled,
            Ineligible::PolicyTrialsOnly,
            Ineligible::Guest,
        ] {
            assert!(
                reason
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
            assert!(reason.to_string().ends_with('.'));
        }
        assert_eq!(
            "only_trials_without_payment_method".parse(),
            Ok(Policy::OnlyTrialsWithoutPaymentMethod)
        );
        assert!("maybe".parse::<Policy>().is_err());
    }
}
