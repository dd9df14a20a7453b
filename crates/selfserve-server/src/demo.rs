//! The demo directory that `serve --demo` loads on first start: one organisation or user for
//! every rule of the FAQ (see the README's table of demo accounts).

/// The demo directory file, embedded so that `--demo` works from any working directory.
pub const DIRECTORY_JSON: &str = include_str!("../demo/directory.json");
