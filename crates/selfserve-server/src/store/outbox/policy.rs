//! What a mail about a changed policy is about: the organisation, and the product's policy and
//! limits before and after as the `policy_changed` event recorded them.

use super::About;
use crate::events::Event;
use crate::notifications::{PolicyFacts, PolicyState};
use crate::store::Tx;
use sqlx::Row;

pub(super) async fn about(tx: &mut Tx, event: &Event) -> Result<Option<About>, sqlx::Error> {
    let (Some(product), Some(before), Some(after)) = (event.product, &event.before, &event.after)
    else {
        return Ok(None);
    };
    let state = |value: &serde_json::Value| -> Result<PolicyState, sqlx::Error> {
        serde_json::from_value(value.clone())
            .map_err(|e| sqlx::Error::Decode(format!("policy_changed event: {e}").into()))
    };
    let Some(row) = sqlx::query("SELECT name, country FROM organizations WHERE id = $1")
        .bind(&event.organization_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let facts = PolicyFacts {
        organization_name: row.try_get("name")?,
        actor_name: event.actor_name.clone(),
        product,
        before: state(before)?,
        after: state(after)?,
    };
    Ok(Some(About {
        facts_json: serde_json::to_string(&facts).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
        country: row.try_get("country")?,
        purchaser: None,
        requester: None,
    }))
}
