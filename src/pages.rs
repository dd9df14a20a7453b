//! One module per route.

pub mod admin;
pub mod checkout;
pub mod confirmation;
pub mod invoice;
pub mod manage;
pub mod not_found;
pub mod products;
pub mod sign_in;
pub mod subscription;
