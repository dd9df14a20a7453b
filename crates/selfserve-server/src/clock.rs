//! Server time. Everything that depends on "now" (renewals, expiries, sessions) asks a
//! [`Clock`], so that `--test-clock` can move time forward for tests and demos without
//! touching the machine's clock.
//!
//! The test clock's offset lives in the database (`test_clock`, one row), not in a process:
//! several servers behind one proxy must agree on billing time, or a renewal made due through
//! one of them would be "not yet due" on the next request, which the proxy sends elsewhere.

use crate::store::{Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time plus an offset that only `--test-clock` ever changes.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// The offset as last read from the database; `now()` must stay synchronous and free.
    offset_seconds: Arc<AtomicI64>,
    /// With `--test-clock`: where the offset every server shares is kept.
    shared: Option<Store>,
}

impl Clock {
    /// The machine's clock, never moved.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock whose offset is the one in `store` (`--test-clock`), read now.
    pub async fn shared(store: Store) -> Result<Self, StoreError> {
        let clock = Self {
            offset_seconds: Arc::default(),
            shared: Some(store),
        };
        clock.refresh().await?;
        Ok(clock)
    }

    /// Re-reads the shared offset. Called before each request's work and each billing tick
    /// rather than cached for a while: another server may have moved the clock a moment ago,
    /// and a test (or a demo) that moves time and then looks at a renewal must see it whichever
    /// server answers. The read is one primary-key row, and only with `--test-clock`, which a
    /// production server never runs with: the machine's clock costs nothing.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        if let Some(store) = &self.shared {
            let offset = store.test_clock_offset().await?;
            // Only ever forward: a request that read before a concurrent move must not undo
            // what a later read already saw.
            self.offset_seconds.fetch_max(offset, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Moves the shared clock `seconds` ahead (one atomic update, so two servers moving it at
    /// once both count) and returns the new offset. A clock without `--test-clock` stays put.
    pub async fn advance(&self, seconds: i64) -> Result<i64, StoreError> {
        if let Some(store) = &self.shared {
            let offset = store.advance_test_clock(seconds).await?;
            self.offset_seconds.fetch_max(offset, Ordering::SeqCst);
        }
        Ok(self.offset())
    }

    /// Seconds since the Unix epoch, as the server sees them.
    pub fn now(&self) -> i64 {
        self.real_now() + self.offset_seconds.load(Ordering::SeqCst)
    }

    /// The machine's own time, never moved: for security timeouts (sessions), which must not
    /// expire or outlive their real duration because billing time was moved for a test.
    pub fn real_now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// How far the clock has been moved ahead of the machine's.
    pub fn offset(&self) -> i64 {
        self.offset_seconds.load(Ordering::SeqCst)
    }
}
