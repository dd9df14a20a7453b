//! Rate limits, kept in the database so that every server on it counts together.
//!
//! Each [`Limit`] is a token bucket (the generic cell rate algorithm, one row per key in
//! `throttle_buckets`): `capacity` requests per `window`, refilled continuously, so a client
//! under the rate is never refused and a client over it waits seconds, not hours. A token is
//! taken by one conditional upsert before the work it guards, so concurrent requests on any
//! number of servers cannot take more than the bucket holds. Keys are SHA-256 hashes of the
//! limit's name and its subject: a hostile 200 KB "email" costs 64 characters, and full buckets
//! are deleted by [`Throttles::sweep`].
//!
//! - [`sign_in`]: the sign-in limits, and the bound on concurrent password verifications.

pub mod sign_in;

pub use super::client_address::throttle_address;

use super::error::AppError;
use crate::http::messages::requests as msg;
use crate::store::throttles::Taken;
use crate::store::{Store, StoreError};
use axum::http::StatusCode;
use selfserve_api::ErrorCode;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// One rate limit: `capacity` requests per `window_seconds` per subject.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Part of every key, so that limits never share buckets.
    pub name: &'static str,
    /// Requests allowed at once (the burst), and per window.
    pub capacity: u32,
    /// The window over which `capacity` refills.
    pub window_seconds: i64,
}

/// Email checks per client address (the contract's floor is 30 a minute).
pub const ELIGIBILITY_PER_ADDRESS: Limit = Limit {
    name: "eligibility-address",
    capacity: 120,
    window_seconds: 60,
};

/// The time buckets refill by. Tests freeze it so that a slow machine (argon2 under load)
/// cannot refill a bucket between two requests that are meant to see it empty.
#[derive(Debug, Clone, Default)]
pub enum ThrottleClock {
    /// The machine's clock.
    #[default]
    System,
    /// Milliseconds since the epoch, moved only by [`ThrottleClock::advance`].
    Manual(Arc<AtomicI64>),
}

impl ThrottleClock {
    /// A clock stopped at the current time.
    pub fn frozen() -> Self {
        Self::Manual(Arc::new(AtomicI64::new(system_ms())))
    }

    /// Now, in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        match self {
            Self::System => system_ms(),
            Self::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward (a system clock moves by itself).
    pub fn advance(&self, seconds: i64) {
        if let Self::Manual(ms) = self {
            ms.fetch_add(seconds * 1000, Ordering::SeqCst);
        }
    }
}

fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The fixed-size key of a subject: a hex SHA-256 of the limit's name and the subject.
pub fn key(name: &str, subject: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update(subject.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The buckets, in the database.
#[derive(Debug, Clone)]
pub struct Throttles {
    store: Store,
    clock: ThrottleClock,
}

impl Throttles {
    /// Buckets in `store`, refilled by `clock`.
    pub fn new(store: Store, clock: ThrottleClock) -> Self {
        Self { store, clock }
    }

    /// Takes a token of `limit` for `subject`: `Ok(None)` when taken, `Ok(Some(seconds))` to
    /// wait when the bucket is empty.
    pub async fn take(&self, limit: &Limit, subject: &str) -> Result<Option<u64>, StoreError> {
        let window_ms = limit.window_seconds * 1000;
        let interval_ms = window_ms / i64::from(limit.capacity.max(1));
        let taken = self
            .store
            .take_throttle_token(
                &key(limit.name, subject),
                self.clock.now_ms(),
                interval_ms,
                window_ms,
            )
            .await?;
        Ok(match taken {
            Taken::Yes => None,
            Taken::No { wait_ms } => {
                Some(u64::try_from(wait_ms.max(1)).unwrap_or(1).div_ceil(1000))
            }
        })
    }

    /// Refills `subject`'s bucket of `limit` (a successful sign-in forgives its failures).
    pub async fn reset(&self, limit: &Limit, subject: &str) -> Result<(), StoreError> {
        self.store.reset_throttle(&key(limit.name, subject)).await
    }

    /// Takes a token or fails with 429 `rate_limited`.
    pub async fn check(&self, limit: &Limit, subject: &str) -> Result<(), AppError> {
        match self.take(limit, subject).await? {
            None => Ok(()),
            Some(seconds) => Err(AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                msg::RATE_LIMITED.arg("seconds", seconds),
            )
            .retry_after(seconds)),
        }
    }

    /// Deletes full buckets and sign-in addresses unused for [`sign_in::KNOWN_ADDRESS_SECONDS`].
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        let now_ms = self.clock.now_ms();
        self.store
            .sweep_throttles(now_ms, now_ms / 1000 - sign_in::KNOWN_ADDRESS_SECONDS)
            .await
    }

    /// The clock the buckets refill by.
    pub fn clock(&self) -> &ThrottleClock {
        &self.clock
    }

    fn store(&self) -> &Store {
        &self.store
    }
}
