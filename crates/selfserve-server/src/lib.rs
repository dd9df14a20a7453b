//! The selfserve backend: the JSON API, the built app, and the test card gateway.
//!
//! # Layout
//! - [`cli`]: the command line (`serve`, `directory import`).
//! - [`server`]: binds the listeners, serves until Ctrl-C/SIGTERM, shuts down gracefully.
//! - [`http`]: routes, extractors, the error envelope, middleware.
//! - [`gateway`]: the test card gateway (own listener, own origin).
//! - [`domain`]: pure business rules (markets, prices, the directory file); no I/O.
//! - [`store`]: the database; the only module with SQL.
//! - [`directory_import`]: brings the database in line with a directory file.
//! - [`auth`]: sign-in, sessions, what a signed-in user may buy.
//! - [`purchases`]: buying, with recorded phases so money moves exactly once.
//! - [`billing`]: renewals, seats added mid-period, paying bills; grace and suspension.
//! - [`throttle`]: token-bucket rate limits.
//! - [`audit`]: writing the audit log.
//! - [`password`], [`ids`], [`clock`]: argon2id hashing, random ids, server time.
//! - [`demo`]: the embedded demo directory.

pub mod audit;
pub mod auth;
pub mod billing;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod directory_import;
pub mod domain;
pub mod gateway;
pub mod http;
pub mod ids;
pub mod password;
pub mod purchases;
pub mod server;
pub mod store;
pub mod throttle;
