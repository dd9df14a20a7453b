//! `cargo xtask bench`'s measurements that need more than one command, one module each.

pub mod first_load;
pub mod interactive;
