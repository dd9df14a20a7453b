//! Building blocks shared by several pages.

pub mod after_paint;
pub mod card_form;
pub mod card_mark;
pub mod dispute_notice;
pub mod error_panel;
pub mod focus;
pub mod footer;
pub mod header;
pub mod loaded;
pub mod more_pages;
pub mod mutation;
pub mod price;
pub mod sign_in_gate;
pub mod sso_sign_in;
pub mod status_badge;
pub mod step_indicator;
pub mod stripe_card;
pub mod three_d_secure;
