//! The selfserve backend: the JSON API, the built app, and the test card gateway.
//!
//! # Layout
//! - [`cli`]: the command line (`serve`, `directory import`, `policy`).
//! - [`server`]: binds the listeners, runs billing, serves until Ctrl-C/SIGTERM.
//! - [`http`]: routes and handlers (parse → authorise → call a service → render), the error
//!   envelope, middleware.
//! - [`services`]: what the server does, below HTTP; shared by the handlers and the CLI.
//! - [`access`]: who may do what, decided in one place.
//! - [`auth`]: sign-in methods and sessions.
//! - [`payments`]: the card processor seam; [`gateway`]: the built-in test gateway behind it
//!   (own listener, own origin).
//! - [`events`]: domain events, written with each change (the outbox; the audit log).
//! - [`notifications`]: which event mails whom, the mails' text, and their delivery.
//! - [`domain`]: pure business rules (markets, prices, lifecycles, the directory file); no I/O.
//! - [`store`]: the database; the only module with SQL.
//! - [`directory_import`]: brings the database in line with a directory file.
//! - [`ids`], [`clock`]: random ids, server time. [`demo`]: the embedded demo directory.

pub mod access;
pub mod admin_webhooks;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod directory_import;
pub mod domain;
pub mod events;
pub mod fault;
pub mod gateway;
pub mod http;
pub mod ids;
pub mod invoice_pdf;
pub mod notifications;
pub mod payments;
pub mod seller;
pub mod server;
pub mod services;
pub mod store;
pub mod stripe;
