//! `cargo xtask bench`'s measurements that need more than one command, one module each.

pub mod browser;
pub mod first_load;
pub mod interactive;
pub mod licence_list;
pub mod record;
pub mod report;
