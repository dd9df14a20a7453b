//! One module per route.

pub mod checkout;
pub mod confirmation;
pub mod not_found;
pub mod products;
