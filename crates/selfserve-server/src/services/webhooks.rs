//! Events Stripe sends to `POST /webhooks/stripe`, once their signature was verified.

use super::{ServiceError, Services};

/// Whether an event was new or a repeat Stripe sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    New,
    Repeat,
}

/// Records a verified event once by id. Settling what it reports (an intent's late outcome, a
/// refund, a dispute) is a later slice; the events are kept so none is lost meanwhile.
pub async fn receive_stripe_event(
    services: &Services,
    id: &str,
    kind: &str,
) -> Result<Received, ServiceError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    if services.store.record_stripe_event(id, kind, now).await? {
        tracing::info!(event = id, kind, "Stripe event received");
        Ok(Received::New)
    } else {
        Ok(Received::Repeat)
    }
}
