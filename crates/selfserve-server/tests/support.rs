//! Test harness shared by the test binaries (each uses part of it, hence `dead_code`).
//!
//! - [`app`]: an in-process server on random ports with a fresh database (zero2prod's
//!   `spawn_app`), clients that decode answers into the wire crate's types, and
//!   `app.as_user(email)` for a person signed in with a browser of their own.
//! - [`process`]: the real `selfserve-server` binary and ChromeDriver as child processes in
//!   their own process groups, ended by group on drop.
//! - [`deployment`]: `deploy/` for real: nginx with its site in front of two server processes
//!   on one PostgreSQL database.
//! - [`real_servers`]: third-party servers the tests talk to (OpenID Provider, Stripe, SMTP,
//!   nginx), installed by `cargo xtask test`.
#![allow(dead_code)]

pub mod app;
pub mod deployment;
pub mod process;
pub mod real_servers;
