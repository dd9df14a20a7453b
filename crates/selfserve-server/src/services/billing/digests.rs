//! Daily digests: after each billing day ends (billing time, UTC), every admin on `daily`
//! with held notices gets one digest mail. Each run plans what is due; the store makes each
//! admin's day happen once however many runs or servers see it.

use super::Services;
use crate::store::StoreError;
use crate::store::digests::day_of;

/// Plans the digests due at `now`; how many this run planned.
pub async fn send_due(services: &Services, now: i64) -> Result<u32, StoreError> {
    let mut planned = 0;
    for (user_id, day) in services.store.due_digests(day_of(now)).await? {
        if services.store.plan_digest(&user_id, day).await? {
            planned += 1;
        }
    }
    Ok(planned)
}
