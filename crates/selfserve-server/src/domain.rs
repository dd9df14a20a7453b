//! Pure business rules: no I/O, no SQL, no HTTP. Everything here is a function of its inputs
//! (the clock is passed in), so it is unit-tested natively and exhaustively.

pub mod billing;
pub mod calendar;
pub mod directory;
pub mod eligibility;
pub mod guardrails;
pub mod lifecycle;
pub mod market;
pub mod price_book;
pub mod pricing;
pub mod search;
pub mod tax;
