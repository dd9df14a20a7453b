//! Who is signed in, shared by every page: read once at start; signing in and out write the
//! answer they got in its place.

use crate::api::{self, ApiFailure};
use crate::components::loaded::Query;
use leptos::prelude::*;
use selfserve_api::session::SessionUser;

/// The session, as a resource that sign-in and sign-out overwrite.
#[derive(Clone, Copy)]
pub struct Session {
    /// The read of `GET /session`: the user, or `None` when nobody is signed in.
    pub state: Query<Option<SessionUser>>,
}

impl Session {
    /// Applies `f` to the signed-in user (`None` when signed out, not yet known, or unknown
    /// because the check failed), tracking it.
    pub fn with_user<R>(self, f: impl FnOnce(Option<&SessionUser>) -> R) -> R {
        self.state
            .with(|answer| f(answer.and_then(Result::ok).and_then(Option::as_ref)))
    }

    /// Whether the first check has answered (successfully or not).
    pub fn checked(self) -> bool {
        self.state.with(|answer| answer.is_some())
    }

    /// Records who is signed in now, as a sign-in or sign-out answered.
    pub fn set_user(self, user: Option<SessionUser>) {
        self.state.set(Ok(user));
    }
}

async fn who_is_signed_in() -> Result<Option<SessionUser>, ApiFailure> {
    match api::session().await {
        Ok(user) => Ok(Some(user)),
        Err(failure) if failure.status() == Some(401) => Ok(None),
        Err(failure) => Err(failure),
    }
}

/// Creates the session context for the app and starts loading it.
pub fn provide_session() -> Session {
    let session = Session {
        state: Query::new(who_is_signed_in),
    };
    provide_context(session);
    session
}

/// The session context (outside the app, e.g. in component tests, a check of its own).
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        state: Query::new(who_is_signed_in),
    })
}
