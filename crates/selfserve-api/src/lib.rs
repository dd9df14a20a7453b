//! Wire types of the selfserve HTTP API and the validation that both sides share.
//!
//! The app (wasm) and the server (native) both depend on this crate, so a rule such as "a card
//! number must pass Luhn" or "an email needs a domain with a dot" is written once and cannot
//! drift between what the form accepts and what the server enforces.
//!
//! # Layout
//! - [`error`]: the single JSON error envelope and every error code the API can return.
//! - [`list`]: the `{"data": [...], "has_more": bool}` list wrapper.
//! - [`money`]: currencies and amounts in integer minor units.
//! - [`email`]: [`email::EmailAddress`], parsed and normalised.
//! - [`card`]: card number, brand, expiry and CVC rules (used by the card form and the gateway).
//! - [`product`]: product ids and the product catalogue entry.
//! - [`eligibility`]: the email step and the reasons someone may not buy.
//! - [`session`]: signing in and the signed-in user.
//! - [`purchase`]: quotes and purchases.
//! - [`subscription`]: subscriptions, orders, invoices, cards on file.
//! - [`manage`]: licences, seat changes, bills, the test clock.
//! - [`bundle`]: which of the app's bundles (checkout, purchaser, admin) owns a page.
//! - [`admin`]: admins' and partners' views, policies, capacity, the audit log; trials.
//! - [`guardrails`]: an organisation's limits on self-service buying of a product.
//! - [`wire_enum`]: how states and kinds are declared once, as closed sets of wire texts.
//!
//! # Invariants
//! - No framework, no I/O: only `serde` (and `serde_json::Value` for the audit log's free-form
//!   before/after). Everything here compiles to `wasm32-unknown-unknown`.
//! - No business logic beyond validation of single values: eligibility, pricing and proration
//!   live in the server's `domain`.

pub mod admin;
pub mod bundle;
pub mod card;
pub mod eligibility;
pub mod email;
pub mod error;
pub mod guardrails;
pub mod integer;
pub mod list;
pub mod manage;
pub mod money;
pub mod product;
pub mod purchase;
pub mod requests;
pub mod session;
pub mod subscription;
pub mod wire_enum;

pub use error::{ApiError, ErrorBody, ErrorCode};
pub use list::List;
