//! `/sign-in?return_to=PATH`: the header's "Sign in" for a signed-out visitor. The same gate as
//! every signed-in page, then back where they were (or to their subscriptions).

use crate::components::sign_in_gate::SignInGate;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where a sign-in goes back to: a path of this app only (never another origin's address,
/// so a link cannot send someone elsewhere after signing in here).
pub fn return_path(asked: Option<&str>) -> &str {
    match asked {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/sign-in") =>
        {
            path
        }
        _ => "/manage",
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <SignInGate heading=t(Msg::SignIn)>
            <Back />
        </SignInGate>
    }
}

/// Signed in: straight back (replacing this page, so "back" does not land on it again).
#[component]
fn Back() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let target = return_path(query.read_untracked().get("return_to").as_deref()).to_owned();
    request_animation_frame(move || {
        navigate(
            &target,
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        );
    });
    view! { <p class="loading" role="status">{t(Msg::Loading)}</p> }
}

#[cfg(test)]
mod tests {
    use super::return_path;

    #[test]
    fn only_a_path_of_this_app_is_gone_back_to() {
        assert_eq!(
            return_path(Some("/buy/power-bi-pro?step=seats")),
            "/buy/power-bi-pro?step=seats"
        );
        assert_eq!(return_path(Some("//evil.example/x")), "/manage");
        assert_eq!(return_path(Some("/\\evil.example")), "/manage");
        assert_eq!(return_path(Some("https://evil.example/")), "/manage");
        assert_eq!(return_path(Some("/sign-in?return_to=/admin")), "/manage");
        assert_eq!(return_path(None), "/manage");
    }
}
