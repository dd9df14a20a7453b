//! Who may do what: the whole role matrix, in one table, decided in one function.
//!
//! Every route and the command line ask [`decide`]; nothing else compares roles, purchaser
//! ids or organisation kinds to grant a right. The table is public so that tests can run every
//! action × relation against the real server and compare with it.
//!
//! A right comes from a *relation* between the actor and the thing acted on:
//! - the **owner** (purchaser) of a subscription, and only while they belong to the
//!   subscription's organisation: someone who moved to another organisation keeps nothing;
//!   an account that left the directory or was disabled holds no relation to anything;
//! - a **global** or **billing admin** of the organisation;
//! - a **delegated partner**: a user of a partner organisation whose delegation for the
//!   customer is in force now (read per request, so revoking it takes effect at once);
//! - the **operator** (the command line on the server itself; room for a support role).
//!
//! What a refusal looks like depends on what was asked: about a subscription, "not found"
//! (never confirm that someone else's subscription exists); about an organisation, "admin
//! required".

use selfserve_api::admin::AdminRole;

/// Who is acting.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in person.
    User(Principal),
    /// The server itself (renewals, expiries, recovery): bound by the rules of billing, not by
    /// this matrix.
    System,
    /// The operator, on the server's command line.
    Operator,
    /// An organisation's identity provider pushing users and groups over SCIM, with that
    /// organisation's bearer token: it provisions that organisation's people and nothing else.
    Provisioner {
        /// The organisation whose token it presented.
        organization_id: String,
    },
    /// Whoever opened the `List-Unsubscribe` link of an admin notice: the link's HMAC names one
    /// person, and it is the only right it carries (to stop that person's admin notices).
    UnsubscribeLink {
        /// The person the link was made for.
        user_id: String,
    },
}

/// A signed-in person, as far as rights go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub name: String,
    /// The organisation the account belongs to now.
    pub organization_id: String,
    /// Whether the account is an enabled member listed in the directory now. A leaver or a
    /// disabled account holds no relation at all, whatever session it kept.
    pub active: bool,
    pub global_admin: bool,
    pub billing_admin: bool,
    /// Customers this person's partner organisation administers now (empty for customers).
    pub delegated_customers: Vec<String>,
}

/// How an actor stands to what it acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    Owner,
    GlobalAdmin,
    BillingAdmin,
    DelegatedPartner,
    Operator,
    /// The organisation's own SCIM client.
    Provisioner,
    /// Any active person of the organisation (asking its admins for something).
    Member,
    /// Holds a valid unsubscribe link for the person acted on.
    LinkHolder,
}

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a subscription, its licences and bills.
    ViewSubscription,
    /// Give out and take back a subscription's licences.
    ManageLicences,
    /// What only the one who pays does: change seats, pay bills, replace the card, cancel.
    ActAsPurchaser,
    /// Take a self-service subscription over, or ask its purchaser to cancel.
    AdministerSubscription,
    /// See every purchase, capacity, policies and the audit log of an organisation.
    ReadOrganization,
    /// Record central purchases for an organisation.
    BuyCentrally,
    /// Turn self-service purchase of a product on or off.
    ChangePolicy,
    /// Register and remove the organisation's webhook endpoints (which receive every event).
    ManageWebhooks,
    /// Create, change and deactivate an organisation's users and groups (SCIM).
    ProvisionUsers,
    /// Give back money paid for a bill: the seller's support staff only.
    RefundInvoice,
    /// Ask the organisation's admins for a product one may not buy (a request to IT).
    AskAdmins,
    /// Answer a request to IT without changing policy (buy centrally, decline).
    AnswerRequest,
    /// Choose how one gets admin notices (each, a daily digest, none): only admins get them.
    ChooseNotices,
    /// Stop a person's admin notices (the one-click unsubscribe).
    StopNotices,
}

/// Why an action is refused, which decides what the refusal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// As if it did not exist (subscriptions, bills).
    Hidden,
    /// "Only admins may do this" (organisation-wide actions).
    AdminRequired,
}

use Action::*;
use Relation::*;

/// The matrix: for each action, the relations that grant it, and how a refusal reads.
pub const MATRIX: &[(Action, &[Relation], Denied)] = &[
    (
        ViewSubscription,
        &[Owner, GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::Hidden,
    ),
    (
        ManageLicences,
        &[Owner, GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::Hidden,
    ),
    (ActAsPurchaser, &[Owner], Denied::Hidden),
    (
        AdministerSubscription,
        &[GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::Hidden,
    ),
    (
        ReadOrganization,
        &[GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::AdminRequired,
    ),
    (
        BuyCentrally,
        &[GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::AdminRequired,
    ),
    (
        ChangePolicy,
        &[GlobalAdmin, Operator],
        Denied::AdminRequired,
    ),
    // Every event of the organisation leaves through an endpoint: like policy, global admins.
    (
        ManageWebhooks,
        &[GlobalAdmin, Operator],
        Denied::AdminRequired,
    ),
    // Only the organisation's own provider: another organisation's users are "not found".
    (ProvisionUsers, &[Provisioner], Denied::Hidden),
    (RefundInvoice, &[Operator], Denied::Hidden),
    (AskAdmins, &[Member], Denied::AdminRequired),
    (
        AnswerRequest,
        &[GlobalAdmin, BillingAdmin, DelegatedPartner, Operator],
        Denied::AdminRequired,
    ),
    // Their own (the service always targets the caller): partners get no notices of customers.
    (
        ChooseNotices,
        &[GlobalAdmin, BillingAdmin],
        Denied::AdminRequired,
    ),
    (
        StopNotices,
        &[GlobalAdmin, BillingAdmin, LinkHolder],
        Denied::Hidden,
    ),
];

/// What answering a request to IT with `outcome` amounts to: turning the product's policy on
/// is a policy change (global admins), buying centrally is a central purchase (it gives the
/// requester a central licence), a decline only records what admins decided.
pub fn answering(outcome: selfserve_api::requests::RequestOutcome) -> Action {
    use selfserve_api::requests::RequestOutcome;
    match outcome {
        RequestOutcome::Enabled => ChangePolicy,
        RequestOutcome::BoughtCentrally => BuyCentrally,
        RequestOutcome::Declined => AnswerRequest,
    }
}

/// What is acted on: an organisation, and for a subscription also who bought it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub organization_id: &'a str,
    pub purchaser_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// An organisation as a whole.
    pub fn organization(organization_id: &'a str) -> Self {
        Self {
            organization_id,
            purchaser_id: None,
        }
    }

    /// `user_id` of `organization_id`, as the one whose own settings are changed.
    pub fn person(organization_id: &'a str, user_id: &'a str) -> Self {
        Self {
            organization_id,
            purchaser_id: Some(user_id),
        }
    }

    /// A subscription of `organization_id` bought by `purchaser_id`.
    pub fn subscription(organization_id: &'a str, purchaser_id: &'a str) -> Self {
        Self {
            organization_id,
            purchaser_id: Some(purchaser_id),
        }
    }
}

/// Every relation `actor` has to `target`, strongest role first.
pub fn relations(actor: &Actor, target: Target<'_>) -> Vec<Relation> {
    let principal = match actor {
        Actor::Operator => return vec![Operator],
        Actor::System => return Vec::new(),
        Actor::Provisioner { organization_id } => {
            return if *organization_id == target.organization_id {
                vec![Provisioner]
            } else {
                Vec::new()
            };
        }
        Actor::UnsubscribeLink { user_id } => {
            return if target.purchaser_id == Some(user_id.as_str()) {
                vec![LinkHolder]
            } else {
                Vec::new()
            };
        }
        Actor::User(principal) => principal,
    };
    if !principal.active {
        return Vec::new();
    }
    let member = principal.organization_id == target.organization_id;
    let mut found = Vec::new();
    if member && principal.global_admin {
        found.push(GlobalAdmin);
    }
    if member && principal.billing_admin {
        found.push(BillingAdmin);
    }
    if principal
        .delegated_customers
        .iter()
        .any(|customer| customer == target.organization_id)
    {
        found.push(DelegatedPartner);
    }
    if member && target.purchaser_id == Some(principal.user_id.as_str()) {
        found.push(Owner);
    }
    if member {
        found.push(Member);
    }
    found
}

/// Whether `actor` may do `action` to `target`: the relation that grants it, or how to
/// refuse.
pub fn decide(actor: &Actor, action: Action, target: Target<'_>) -> Result<Relation, Denied> {
    let (_, granted_by, denied) = MATRIX
        .iter()
        .find(|(listed, _, _)| *listed == action)
        .copied()
        .unwrap_or((action, &[], Denied::Hidden));
    relations(actor, target)
        .into_iter()
        .find(|relation| granted_by.contains(relation))
        .ok_or(denied)
}

/// The admin role a relation shows as in the admin view.
pub fn admin_role(relation: Relation) -> Option<AdminRole> {
    match relation {
        GlobalAdmin | Operator => Some(AdminRole::GlobalAdmin),
        BillingAdmin => Some(AdminRole::BillingAdmin),
        DelegatedPartner => Some(AdminRole::Partner),
        Owner | Provisioner | Member | LinkHolder => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(org: &str) -> Principal {
        Principal {
            user_id: "usr_me".into(),
            name: "Me".into(),
            organization_id: org.into(),
            active: true,
            global_admin: false,
            billing_admin: false,
            delegated_customers: Vec::new(),
        }
    }

    #[test]
    fn every_action_is_in_the_matrix_once() {
        let all = [
            ViewSubscription,
            ManageLicences,
            ActAsPurchaser,
            AdministerSubscription,
            ReadOrganization,
            BuyCentrally,
            ChangePolicy,
            ManageWebhooks,
            ProvisionUsers,
            RefundInvoice,
            AskAdmins,
            AnswerRequest,
            ChooseNotices,
            StopNotices,
        ];
        for action in all {
            assert_eq!(
                MATRIX.iter().filter(|(a, _, _)| *a == action).count(),
                1,
                "{action:?}"
            );
        }
        assert_eq!(MATRIX.len(), all.len());
    }

    #[test]
    fn an_owner_acts_only_while_in_the_subscriptions_organisation() {
        let mine = Target::subscription("org_contoso", "usr_me");
        let at_home = Actor::User(person("org_contoso"));
        assert_eq!(decide(&at_home, ActAsPurchaser, mine), Ok(Owner));
        assert_eq!(decide(&at_home, ViewSubscription, mine), Ok(Owner));
        assert_eq!(
            decide(&at_home, ReadOrganization, mine),
            Err(Denied::AdminRequired)
        );
        // Moved to another organisation (a guest there, say): the purchase is no longer theirs
        // to run.
        let moved = Actor::User(person("org_fabrikam"));
        assert_eq!(decide(&moved, ActAsPurchaser, mine), Err(Denied::Hidden));
        assert_eq!(decide(&moved, ManageLicences, mine), Err(Denied::Hidden));
        // Left (out of the directory) or disabled: nothing, not even as an admin.
        let mut gone = person("org_contoso");
        gone.active = false;
        gone.global_admin = true;
        let gone = Actor::User(gone);
        for (action, _, _) in MATRIX {
            assert!(decide(&gone, *action, mine).is_err(), "{action:?}");
        }
    }

    #[test]
    fn admins_act_on_their_own_organisation_and_only_global_admins_change_policy() {
        let contoso = Target::organization("org_contoso");
        let theirs = Target::subscription("org_contoso", "usr_megan");
        let mut billing = person("org_contoso");
        billing.billing_admin = true;
        let billing = Actor::User(billing);
        assert_eq!(
            decide(&billing, ReadOrganization, contoso),
            Ok(BillingAdmin)
        );
        assert_eq!(decide(&billing, ManageLicences, theirs), Ok(BillingAdmin));
        assert_eq!(
            decide(&billing, ActAsPurchaser, theirs),
            Err(Denied::Hidden)
        );
        assert_eq!(
            decide(&billing, ChangePolicy, contoso),
            Err(Denied::AdminRequired)
        );
        let mut global = person("org_contoso");
        global.global_admin = true;
        let global = Actor::User(global);
        assert_eq!(decide(&global, ChangePolicy, contoso), Ok(GlobalAdmin));
        let elsewhere = Target::organization("org_fabrikam");
        assert_eq!(
            decide(&global, ReadOrganization, elsewhere),
            Err(Denied::AdminRequired)
        );
    }

    #[test]
    fn partners_act_through_a_delegation_in_force() {
        let mut pat = person("org_northwind");
        pat.delegated_customers = vec!["org_contoso".into()];
        let pat = Actor::User(pat);
        let contoso = Target::organization("org_contoso");
        assert_eq!(
            decide(&pat, ReadOrganization, contoso),
            Ok(DelegatedPartner)
        );
        assert_eq!(
            decide(&pat, ChangePolicy, contoso),
            Err(Denied::AdminRequired)
        );
        let revoked = Actor::User(person("org_northwind"));
        assert_eq!(
            decide(
                &revoked,
                ManageLicences,
                Target::subscription("org_contoso", "usr_megan")
            ),
            Err(Denied::Hidden)
        );
        assert_eq!(admin_role(DelegatedPartner), Some(AdminRole::Partner));
    }

    #[test]
    fn the_operator_may_do_everything_and_the_server_nothing_through_the_matrix() {
        let target = Target::subscription("org_contoso", "usr_megan");
        for (action, _, _) in MATRIX {
            let allowed = decide(&Actor::Operator, *action, target);
            assert_eq!(
                allowed.is_ok(),
                !matches!(
                    action,
                    ActAsPurchaser | ProvisionUsers | AskAdmins | ChooseNotices | StopNotices
                ),
                "{action:?}"
            );
            assert!(decide(&Actor::System, *action, target).is_err());
        }
    }

    #[test]
    fn a_provisioner_provisions_its_own_organisation_and_nothing_else() {
        let contoso = Actor::Provisioner {
            organization_id: "org_contoso".into(),
        };
        assert_eq!(
            decide(
                &contoso,
                ProvisionUsers,
                Target::organization("org_contoso")
            ),
            Ok(Provisioner)
        );
        assert_eq!(
            decide(
                &contoso,
                ProvisionUsers,
                Target::organization("org_fabrikam")
            ),
            Err(Denied::Hidden)
        );
        for (action, _, _) in MATRIX.iter().filter(|(a, _, _)| *a != ProvisionUsers) {
            let target = Target::subscription("org_contoso", "usr_megan");
            assert!(decide(&contoso, *action, target).is_err(), "{action:?}");
        }
        let admin = Actor::User(Principal {
            global_admin: true,
            ..person("org_contoso")
        });
        assert!(decide(&admin, ProvisionUsers, Target::organization("org_contoso")).is_err());
    }

    #[test]
    fn members_ask_and_only_global_admins_answer_by_turning_the_policy_on() {
        use selfserve_api::requests::RequestOutcome;
        let contoso = Target::organization("org_contoso");
        let member = Actor::User(person("org_contoso"));
        assert_eq!(decide(&member, AskAdmins, contoso), Ok(Member));
        assert!(decide(&member, AnswerRequest, contoso).is_err());
        let outsider = Actor::User(person("org_fabrikam"));
        assert!(decide(&outsider, AskAdmins, contoso).is_err());
        let billing = Actor::User(Principal {
            billing_admin: true,
            ..person("org_contoso")
        });
        assert!(decide(&billing, answering(RequestOutcome::Declined), contoso).is_ok());
        assert!(
            decide(
                &billing,
                answering(RequestOutcome::BoughtCentrally),
                contoso
            )
            .is_ok()
        );
        assert_eq!(
            decide(&billing, answering(RequestOutcome::Enabled), contoso),
            Err(Denied::AdminRequired)
        );
        let global = Actor::User(Principal {
            global_admin: true,
            ..person("org_contoso")
        });
        assert_eq!(
            decide(&global, answering(RequestOutcome::Enabled), contoso),
            Ok(GlobalAdmin)
        );
    }

    #[test]
    fn admins_choose_their_notices_and_a_link_stops_only_its_own_persons() {
        let me = Target::person("org_contoso", "usr_me");
        let member = Actor::User(person("org_contoso"));
        assert_eq!(
            decide(&member, ChooseNotices, me),
            Err(Denied::AdminRequired)
        );
        let billing = Actor::User(Principal {
            billing_admin: true,
            ..person("org_contoso")
        });
        assert_eq!(decide(&billing, ChooseNotices, me), Ok(BillingAdmin));
        let mut partner = person("org_northwind");
        partner.delegated_customers = vec!["org_contoso".into()];
        assert!(decide(&Actor::User(partner), ChooseNotices, me).is_err());
        let link = Actor::UnsubscribeLink {
            user_id: "usr_me".into(),
        };
        assert_eq!(decide(&link, StopNotices, me), Ok(LinkHolder));
        assert!(decide(&link, ChooseNotices, me).is_err());
        let someone_else = Target::person("org_contoso", "usr_megan");
        assert_eq!(
            decide(&link, StopNotices, someone_else),
            Err(Denied::Hidden)
        );
        for (action, _, _) in MATRIX.iter().filter(|(a, _, _)| *a != StopNotices) {
            assert!(decide(&link, *action, me).is_err(), "{action:?}");
        }
    }
}
