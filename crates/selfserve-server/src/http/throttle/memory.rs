//! Token-bucket throttling in memory, for the built-in test gateway's own listener (the app's
//! throttles are in the database: see the parent module).
//!
//! A bucket holds `capacity` tokens and refills at `capacity` per `window`, so a client under
//! the rate is never refused and a client over it waits seconds, not hours: throttling slows
//! abuse down without locking a real user out. (With several servers on PostgreSQL each has its
//! own buckets, which multiplies the allowance by the number of servers; that is acceptable for
//! slowing down guessing, which argon2 already makes expensive.)

use crate::http::error::AppError;
use axum::http::{HeaderMap, StatusCode};
use selfserve_api::ErrorCode;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Buckets by key (`"signin-ip:127.0.0.1"`).
#[derive(Debug, Clone)]
pub struct Throttle {
    capacity: f64,
    per_second: f64,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Past this many keys, full buckets are forgotten (they are the same as absent ones).
const MAX_KEYS: usize = 50_000;

impl Throttle {
    /// `capacity` requests per `window`, refilled continuously.
    pub fn new(capacity: u32, window: Duration) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_second: f64::from(capacity) / window.as_secs_f64(),
            buckets: Arc::default(),
        }
    }

    /// Takes one token for `key`, or says how many seconds until one is available.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        self.update(key, |bucket| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                Err(((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0) as u64)
            }
        })
    }

    /// Whether `key` has a token, without taking it.
    pub fn available(&self, key: &str) -> Result<(), u64> {
        self.update(key, |bucket| {
            if bucket.tokens >= 1.0 {
                Ok(())
            } else {
                Err(((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0) as u64)
            }
        })
    }

    /// Forgets `key` (a successful sign-in clears its failures).
    pub fn reset(&self, key: &str) {
        if let Ok(mut buckets) = self.buckets.lock() {
            buckets.remove(key);
        }
    }

    /// Takes a token or fails with 429 `rate_limited`.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        self.take(key).map_err(|seconds| {
            AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("Too many requests. Try again in {seconds} s."),
            )
            .retry_after(seconds)
        })
    }

    fn update<T>(&self, key: &str, f: impl FnOnce(&mut Bucket) -> T) -> T {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(buckets) => buckets,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() > MAX_KEYS {
            let (capacity, per_second) = (self.capacity, self.per_second);
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.updated = now;
        f(bucket)
    }
}

/// The address to count per-address limits under, or `None` for loopback: on loopback every
/// client looks the same (a reverse proxy on the host, a test suite), so a per-address limit
/// would throttle all of them together. Per-account limits still apply.
/// (Only the test gateway, which only accepts test cards, still exempts loopback.)
pub fn throttled_address(_headers: &HeaderMap, peer: SocketAddr) -> Option<IpAddr> {
    let ip = super::throttle_address(peer.ip());
    (!ip.is_loopback()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_under_the_rate_is_never_refused() {
        let throttle = Throttle::new(30, Duration::from_secs(60));
        for _ in 0..30 {
            assert!(throttle.take("k").is_ok());
        }
        let wait = throttle.take("k").unwrap_err();
        assert!((1..=2).contains(&wait), "waits about one refill: {wait}");
        assert!(throttle.take("other").is_ok(), "keys are independent");
        throttle.reset("k");
        assert!(throttle.take("k").is_ok());
    }

    #[test]
    fn loopback_clients_are_not_counted_per_address() {
        let headers = HeaderMap::new();
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        assert_eq!(throttled_address(&headers, local), None);
        assert_eq!(
            throttled_address(&headers, remote),
            Some("203.0.113.9".parse().unwrap())
        );
    }

    #[test]
    fn available_does_not_consume() {
        let throttle = Throttle::new(1, Duration::from_secs(60));
        assert!(throttle.available("k").is_ok());
        assert!(throttle.available("k").is_ok());
        assert!(throttle.take("k").is_ok());
        assert!(throttle.available("k").is_err());
    }
}
