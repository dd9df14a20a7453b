//! Building blocks shared by several pages.

pub mod card_form;
pub mod error_panel;
pub mod header;
pub mod step_indicator;
pub mod three_d_secure;
