//! The organisation's admins and its delegated partners: every purchase, central purchases,
//! take-overs and cancellation requests, policies, capacity and the audit log. Who may do
//! which is `access`'s matrix; [`scope`] picks the organisation a request is about.

pub mod audit;
pub mod capacity;
pub mod central;
pub mod policies;
pub mod purchases;
pub mod scope;
pub mod take_over;
pub mod webhooks;
