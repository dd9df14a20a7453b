//! One module per route; [`elsewhere`] stands in for the routes of the other bundles.

pub mod admin;
pub mod checkout;
pub mod confirmation;
pub mod elsewhere;
pub mod invoice;
pub mod manage;
pub mod not_found;
pub mod products;
pub mod sign_in;
pub mod subscription;
