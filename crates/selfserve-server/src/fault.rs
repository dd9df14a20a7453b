//! Test-only fault injection: `SELFSERVE_TEST_CRASH_AT=<point>` makes the process abort (no
//! unwinding, no graceful shutdown: as `kill -9` would stop it) the first time a request
//! reaches that point. The crash tests restart the server on the same database and check
//! that money moved exactly once. Unset (always, outside those tests) it costs one atomic
//! load per point.

use std::sync::OnceLock;

/// Names the point to crash at, as [`CrashPoint::as_str`] spells it.
pub const CRASH_AT_ENV: &str = "SELFSERVE_TEST_CRASH_AT";

/// The points a request that moves money passes, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The `Idempotency-Key` is claimed; nothing else is written yet.
    KeyClaimed,
    /// The order is recorded (`created`), the processor not yet asked.
    OrderRecorded,
    /// The processor recorded the charge; the order is not completed.
    Charged,
    /// The order is completed (`paid`) or failed; the response is not stored.
    Settled,
    /// The response is stored under the key; the client has not received it.
    Answered,
    /// A refund: the processor refunded; the refund is not settled (`invoice refund`).
    Refunded,
    /// An abandoned 3-D Secure intent: Stripe refunded it; the refund is not recorded.
    AbandonedRefunded,
}

impl CrashPoint {
    /// The points of a request that charges, in order.
    pub const ALL: [CrashPoint; 5] = [
        Self::KeyClaimed,
        Self::OrderRecorded,
        Self::Charged,
        Self::Settled,
        Self::Answered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeyClaimed => "key_claimed",
            Self::OrderRecorded => "order_recorded",
            Self::Charged => "charged",
            Self::Settled => "settled",
            Self::Answered => "answered",
            Self::Refunded => "refunded",
            Self::AbandonedRefunded => "abandoned_refunded",
        }
    }
}

fn armed() -> Option<CrashPoint> {
    static ARMED: OnceLock<Option<CrashPoint>> = OnceLock::new();
    *ARMED.get_or_init(|| {
        // The older switch of the first crash test: the point after the charge.
        if std::env::var_os(crate::services::payments::CRASH_AFTER_CHARGE_ENV).is_some() {
            return Some(CrashPoint::Charged);
        }
        let name = std::env::var(CRASH_AT_ENV).ok()?;
        let point = CrashPoint::ALL
            .into_iter()
            .chain([CrashPoint::Refunded, CrashPoint::AbandonedRefunded])
            .find(|p| p.as_str() == name);
        if point.is_none() {
            tracing::error!(%name, "{CRASH_AT_ENV} names no crash point: ignored");
        }
        point
    })
}

/// Aborts the process if the tests armed `point`.
pub fn crash_point(point: CrashPoint) {
    if armed() == Some(point) {
        tracing::error!(point = point.as_str(), "test fault injection: aborting");
        std::process::abort();
    }
}
