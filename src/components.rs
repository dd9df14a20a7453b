//! Building blocks shared by several pages.

pub mod error_panel;
pub mod header;
