//! Who is signed in, shared by every page: loaded once at start, updated on sign-in and
//! sign-out.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::session::SessionUser;

/// The signed-in user, if any, and whether that is known yet.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The user; `None` when signed out (or not yet known).
    pub user: RwSignal<Option<SessionUser>>,
    /// False until the first `GET /session` answered.
    pub checked: RwSignal<bool>,
}

impl Session {
    /// Asks the server who is signed in.
    pub fn refresh(self) {
        spawn_local(async move {
            let user = api::session().await.ok();
            self.user.set(user);
            self.checked.set(true);
        });
    }

    /// Signs out on the server and here.
    pub fn sign_out(self) {
        spawn_local(async move {
            let _ = api::sign_out().await;
            self.user.set(None);
        });
    }
}

/// Creates the session context for the app and starts loading it.
pub fn provide_session() -> Session {
    let session = Session {
        user: RwSignal::new(None),
        checked: RwSignal::new(false),
    };
    provide_context(session);
    session.refresh();
    session
}

/// The session context (or a signed-out one outside the app, e.g. in component tests).
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        user: RwSignal::new(None),
        checked: RwSignal::new(true),
    })
}
