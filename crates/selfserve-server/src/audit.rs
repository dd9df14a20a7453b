//! Writing the audit log: who did what to which subscription or policy, with before and after.
//!
//! Recording happens after the change it describes has been committed. A failure to record is
//! logged loudly but does not undo (or fail) a change that already happened, such as a charge.

use crate::store::Store;
use crate::store::admin::AuditEvent;
use serde_json::Value;

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user.
    User {
        /// `usr_…`.
        id: String,
        /// Display name.
        name: String,
    },
    /// The server itself (renewals, expiries, recovery).
    Billing,
    /// The operator, through the command line.
    Cli,
}

impl Actor {
    /// A signed-in user.
    pub fn user(user: &crate::store::directory::UserRow) -> Self {
        Self::User {
            id: user.id.clone(),
            name: user.name.clone(),
        }
    }
}

/// What happened, for [`record`].
#[derive(Debug, Clone, Default)]
pub struct Change<'a> {
    /// The action's name (see `AuditEntry::action`).
    pub action: &'a str,
    /// The subscription concerned.
    pub subscription_id: Option<&'a str>,
    /// The product concerned.
    pub product: Option<&'a str>,
    /// State before.
    pub before: Option<Value>,
    /// State after.
    pub after: Option<Value>,
}

/// Appends one event to `organization_id`'s log.
pub async fn record(
    store: &Store,
    organization_id: &str,
    actor: &Actor,
    change: Change<'_>,
    at: i64,
) {
    let (actor_id, actor_name) = match actor {
        Actor::User { id, name } => (Some(id.clone()), name.clone()),
        Actor::Billing => (None, "Billing".to_owned()),
        Actor::Cli => (None, "CLI".to_owned()),
    };
    let event = AuditEvent {
        organization_id: organization_id.to_owned(),
        at,
        actor_id,
        actor_name,
        action: change.action.to_owned(),
        subscription_id: change.subscription_id.map(str::to_owned),
        product: change.product.map(str::to_owned),
        before: change.before.map(|v| v.to_string()),
        after: change.after.map(|v| v.to_string()),
    };
    if let Err(error) = store.record_audit(&event).await {
        tracing::error!(%error, action = %event.action, "could not record an audit event");
    }
}
