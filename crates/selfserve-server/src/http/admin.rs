//! The organisation's admins and delegated partners: every purchase with CSV export, central
//! purchases, take-over, cancellation requests, product policies, capacity, the audit log,
//! webhook endpoints.
//!
//! Who may do what is `access::MATRIX` (global and billing admins and delegated partners read
//! and act; only global admins change policy). A partner picks the customer with
//! `?organization=DOMAIN` (default: its first customer by name); an admin's `?organization=`
//! may only name their own organisation.

pub mod audit;
pub mod capacity;
pub mod central;
pub mod export;
pub mod notices;
pub mod organizations;
pub mod policies;
pub mod purchases;
pub mod requests;
pub mod take_over;
pub mod webhooks;

use serde::Deserialize;
use utoipa::IntoParams;

/// `?organization=DOMAIN` on every admin request.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// For partners: the customer's domain (default: the first customer by name).
    pub organization: Option<String>,
}
