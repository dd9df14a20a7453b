//! Pieces of `cargo xtask bench`, one module each.

pub mod first_load;
