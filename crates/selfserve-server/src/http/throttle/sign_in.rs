//! The limits on `POST /session`, and the bound on concurrent argon2 verifications.
//!
//! Every attempt takes its tokens before its password is verified, so concurrent guesses are
//! counted as they arrive, not after argon2 has let them all through. Three buckets:
//!
//! - per client address (every attempt, any account): one machine cannot spray accounts;
//! - per account and address: one machine cannot guess one account fast; a successful
//!   sign-in refills it, so the real user's own typos never add up against them;
//! - per account, from addresses the account has never signed in from: many machines cannot
//!   guess one account fast together.
//!
//! Why the last one exempts known addresses: a per-account bucket that every failure drains
//! lets anyone lock the real user out by guessing badly on purpose. Failures from the user's
//! usual addresses (where they signed in successfully within [`KNOWN_ADDRESS_SECONDS`]) are
//! already held by the per-account-and-address bucket, so they neither drain nor are refused
//! by it. An attacker cannot claim a known address: the address is the TCP peer, or what a
//! `--trusted-proxy` forwarded for. An attacker sharing the user's address (one NAT) can
//! still slow them down through the per-address buckets, which no address-based scheme
//! avoids. A user on a new address during an attack waits with everyone else (at most a few
//! minutes: the bucket refills continuously).

use super::{Limit, Throttles, key};
use crate::http::error::AppError;
use crate::http::messages::requests as msg;
use crate::store::StoreError;
use axum::http::StatusCode;
use selfserve_api::ErrorCode;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Every attempt per client address.
pub const PER_ADDRESS: Limit = Limit {
    name: "signin-address",
    capacity: 120,
    window_seconds: 60,
};

/// Attempts per account and client address (the contract's floor: 30 a minute).
pub const PER_ACCOUNT_AND_ADDRESS: Limit = Limit {
    name: "signin-account-address",
    capacity: 30,
    window_seconds: 60,
};

/// Attempts per account from addresses it has not signed in from: 100, then 30 a minute
/// (the contract's floor: one client alone at 30 a minute is never refused by it).
pub const PER_ACCOUNT_FROM_NEW_ADDRESSES: Limit = Limit {
    name: "signin-account-new-address",
    capacity: 100,
    window_seconds: 200,
};

/// How long an address stays known after a successful sign-in from it.
pub const KNOWN_ADDRESS_SECONDS: i64 = 90 * 24 * 3600;

/// An attempt that was let through: what to record if its password is right.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: String,
}

impl Throttles {
    /// Takes the attempt's tokens, or refuses it with 429 `too_many_attempts`.
    /// `account` is the normalised email (already validated, so of bounded length).
    pub async fn admit_sign_in(&self, account: &str, address: IpAddr) -> Result<Attempt, AppError> {
        let address = address.to_string();
        let account_and_address = format!("{account}\n{address}");
        let refused = |seconds: u64| {
            AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                msg::TOO_MANY_SIGN_INS.arg("seconds", seconds),
            )
            .retry_after(seconds)
        };
        if let Some(seconds) = self.take(&PER_ADDRESS, &address).await? {
            return Err(refused(seconds));
        }
        if let Some(seconds) = self
            .take(&PER_ACCOUNT_AND_ADDRESS, &account_and_address)
            .await?
        {
            return Err(refused(seconds));
        }
        let since = self.clock().now_ms() / 1000 - KNOWN_ADDRESS_SECONDS;
        let known = self
            .store()
            .is_known_sign_in_address(&key("account", account), &key("address", &address), since)
            .await?;
        if !known && let Some(seconds) = self.take(&PER_ACCOUNT_FROM_NEW_ADDRESSES, account).await?
        {
            return Err(refused(seconds));
        }
        Ok(Attempt {
            account: account.to_owned(),
            address,
        })
    }

    /// The attempt's password was right: forgive its account-and-address failures and
    /// remember the address as one the account uses.
    pub async fn signed_in(&self, attempt: &Attempt) -> Result<(), StoreError> {
        self.reset(
            &PER_ACCOUNT_AND_ADDRESS,
            &format!("{}\n{}", attempt.account, attempt.address),
        )
        .await?;
        self.store()
            .remember_sign_in_address(
                &key("account", &attempt.account),
                &key("address", &attempt.address),
                self.clock().now_ms() / 1000,
            )
            .await
    }
}

/// At most this many argon2 verifications at once (each holds 19 MiB and a core); the rest
/// wait briefly in line, then get 503 with `Retry-After`.
#[derive(Debug, Clone)]
pub struct VerifyGate {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl VerifyGate {
    /// `permits` verifications at once; a request waits at most `wait` for one.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
        }
    }

    /// One verification per core, two seconds in line.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(cores, Duration::from_secs(2))
    }

    /// A permit to verify one password, or 503 `service_unavailable`. The permit is moved into
    /// the blocking task that hashes, so it is held for as long as the hashing runs, even when
    /// the client goes away and the request's future is dropped.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, AppError> {
        let permit = if self.wait.is_zero() {
            Arc::clone(&self.permits).try_acquire_owned().ok()
        } else {
            tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
                .await
                .ok()
                .and_then(Result::ok)
        };
        permit.ok_or_else(|| {
            AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                msg::SIGN_IN_BUSY,
            )
            .retry_after(1)
        })
    }
}
