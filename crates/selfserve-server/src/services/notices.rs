//! Admins' choice about admin notices (each, a daily digest, none), chosen in the admin pages
//! or stopped with the one-click link of a notice. Decided by `access` like everything else:
//! the caller for their own choice, the link's holder for that one person.

use super::{Caller, Invalid, ServiceError, Services};
use crate::access::{self, Action, Actor, Target};
use crate::notifications::unsubscribe;
use crate::store::outbox::real_now;
use selfserve_api::admin::NoticePreference;

fn own(caller: &Caller) -> Result<(), ServiceError> {
    access::decide(
        &caller.actor,
        Action::ChooseNotices,
        Target::person(&caller.user.organization_id, &caller.user.id),
    )?;
    Ok(())
}

/// The caller's own choice (admins only: only they get admin notices).
pub async fn preference(
    services: &Services,
    caller: &Caller,
) -> Result<NoticePreference, ServiceError> {
    own(caller)?;
    Ok(services.store.notice_preference(&caller.user.id).await?)
}

/// Records the caller's own choice.
pub async fn choose(
    services: &Services,
    caller: &Caller,
    notices: NoticePreference,
) -> Result<NoticePreference, ServiceError> {
    own(caller)?;
    services
        .store
        .set_notice_preference(&caller.user.id, notices, real_now())
        .await?;
    Ok(notices)
}

/// The actor an unsubscribe link makes, if its HMAC holds for `user_id`.
pub async fn link_holder(
    services: &Services,
    user_id: &str,
    token: &str,
) -> Result<Actor, ServiceError> {
    let key = services.store.unsubscribe_key(real_now()).await?;
    if !unsubscribe::verify(&key, user_id, token) {
        return Err(ServiceError::Invalid(Invalid::UnsubscribeLink));
    }
    Ok(Actor::UnsubscribeLink {
        user_id: user_id.to_owned(),
    })
}

/// Stops `user_id`'s admin notices (`none`), if `actor` may; repeating it changes nothing.
pub async fn stop(services: &Services, actor: &Actor, user_id: &str) -> Result<(), ServiceError> {
    let user = services
        .store
        .user_by_id(user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    access::decide(
        actor,
        Action::StopNotices,
        Target::person(&user.organization_id, &user.id),
    )?;
    services
        .store
        .set_notice_preference(&user.id, NoticePreference::Off, real_now())
        .await?;
    Ok(())
}
