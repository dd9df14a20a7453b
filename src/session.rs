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

/// The server sets this script-readable cookie beside the (HttpOnly) session cookie and
/// clears it with it; `__Host-` behind TLS. It grants nothing: it only spares a visitor who
/// never signed in a `GET /session` whose 401 browsers log as an error.
const HINTS: [&str; 2] = ["selfserve_signed_in", "__Host-selfserve_signed_in"];

/// Whether `document.cookie`'s text holds the signed-in hint.
pub fn hint_in(cookies: &str) -> bool {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| HINTS.contains(&name) && value == "1")
}

fn signed_in_hint() -> bool {
    // Read through `Reflect`: `document.cookie` is on web-sys's `HtmlDocument`, a binding
    // the app needs for nothing else.
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| js_sys::Reflect::get(&document, &"cookie".into()).ok())
        .and_then(|cookies| cookies.as_string())
        .is_some_and(|cookies| hint_in(&cookies))
}

async fn who_is_signed_in() -> Result<Option<SessionUser>, ApiFailure> {
    if !signed_in_hint() {
        return Ok(None);
    }
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

#[cfg(test)]
mod tests {
    use super::hint_in;

    #[test]
    fn only_the_hint_set_to_one_counts_as_signed_in() {
        assert!(hint_in("theme=dark; selfserve_signed_in=1"));
        assert!(hint_in("__Host-selfserve_signed_in=1"));
        assert!(!hint_in(""));
        assert!(!hint_in("selfserve_signed_in="));
        assert!(!hint_in("not_selfserve_signed_in=1; x=y"));
        assert!(!hint_in("selfserve_session=abc"));
    }
}
