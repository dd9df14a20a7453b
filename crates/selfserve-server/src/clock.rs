//! Server time. Everything that depends on "now" (renewals, expiries, sessions) asks a
//! [`Clock`], so that `--test-clock` can move time forward for tests and demos without
//! touching the machine's clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time plus an offset that only `--test-clock` ever changes.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// The machine's clock, not moved.
    pub fn system() -> Self {
        Self::default()
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

    /// Sets how far ahead of the machine's clock the server is.
    pub fn set_offset(&self, seconds: i64) {
        self.offset_seconds.store(seconds, Ordering::SeqCst);
    }
}
