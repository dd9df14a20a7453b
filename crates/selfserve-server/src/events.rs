//! Domain events: what happened, to which subscription or policy, by whom, with the state
//! before and after.
//!
//! Each event is written by the store inside the transaction of the change it describes (the
//! outbox pattern): a change without its event, or an event without its change, cannot be
//! committed. The audit log reads them; notifications will be sent from them.

use crate::access::Actor;
use selfserve_api::admin::AuditAction;
use selfserve_api::product::ProductId;
use serde_json::Value;

/// Who an event says acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    /// The server itself (renewals, expiries, recovery).
    System,
    /// The command line.
    Operator,
}

impl ActorKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::System => "system",
            Self::Operator => "operator",
        }
    }
}

/// One event, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub organization_id: String,
    /// Billing time (the test clock's).
    pub at: i64,
    pub actor_kind: ActorKind,
    pub actor_id: Option<String>,
    /// As people read it: a person's name, "Billing" or "CLI".
    pub actor_name: String,
    pub kind: AuditAction,
    pub subscription_id: Option<String>,
    pub product: Option<ProductId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Event {
    /// A `kind` event in `organization_id` by `actor` at `at`.
    pub fn new(actor: &Actor, kind: AuditAction, organization_id: &str, at: i64) -> Self {
        let (actor_kind, actor_id, actor_name) = match actor {
            Actor::User(principal) => (
                ActorKind::User,
                Some(principal.user_id.clone()),
                principal.name.clone(),
            ),
            Actor::System => (ActorKind::System, None, "Billing".to_owned()),
            Actor::Operator => (ActorKind::Operator, None, "CLI".to_owned()),
            // The organisation's provider acts on the operator's standing order (its token).
            Actor::Provisioner { .. } => (ActorKind::Operator, None, "SCIM".to_owned()),
            Actor::UnsubscribeLink { user_id } => (
                ActorKind::User,
                Some(user_id.clone()),
                "Unsubscribe link".to_owned(),
            ),
        };
        Self {
            organization_id: organization_id.to_owned(),
            at,
            actor_kind,
            actor_id,
            actor_name,
            kind,
            subscription_id: None,
            product: None,
            before: None,
            after: None,
        }
    }

    /// About this subscription of this product.
    pub fn subscription(mut self, id: &str, product: ProductId) -> Self {
        self.subscription_id = Some(id.to_owned());
        self.product = Some(product);
        self
    }

    /// About this product (a policy).
    pub fn product(mut self, product: ProductId) -> Self {
        self.product = Some(product);
        self
    }

    /// The state before.
    pub fn before(mut self, state: Value) -> Self {
        self.before = Some(state);
        self
    }

    /// The state after.
    pub fn after(mut self, state: Value) -> Self {
        self.after = Some(state);
        self
    }
}
