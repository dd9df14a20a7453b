//! The site header: skip link, brand, the language switcher and the signed-in user's menu.
//! The header stays mounted when the language changes (so focus stays on the switcher): its
//! texts are closures that re-read `t`. An admin's link to `/admin` carries the count of open
//! requests to IT.

use crate::api;
use crate::components::error_panel::InlineError;
use crate::components::loaded::Query;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::i18n::{
    Language, Msg, choose_language, current_language, fill, plural, t_live, tracked_language,
};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use selfserve_api::requests::RequestStatus;

/// Tells the header that the inbox changed (a request was answered), so its count is read again
/// at once rather than on the next page.
#[derive(Clone, Copy)]
pub struct OpenRequests(Trigger);

impl OpenRequests {
    /// A request was answered.
    pub fn changed(self) {
        self.0.notify();
    }
}

/// Creates the context for the app (above the header and the pages).
pub fn provide_open_requests() {
    provide_context(OpenRequests(Trigger::new()));
}

/// The context (outside the app, e.g. in component tests, one nobody else sees).
pub fn use_open_requests() -> OpenRequests {
    use_context::<OpenRequests>().unwrap_or_else(|| OpenRequests(Trigger::new()))
}

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let sign_out = Mutation::new(move |_: &()| async move {
        let result = api::sign_out().await.map(drop);
        if result.is_ok() {
            session.set_user(None);
        }
        result
    });
    let pending = sign_out.pending();
    let signed_in = move || session.with_user(|u| u.is_some());
    // Known to be signed out (not while the check runs, nor when it failed: then we do not
    // know), and not already on the sign-in page.
    let location = use_location();
    let offer_sign_in = move || {
        session
            .state
            .with(|answer| matches!(answer, Some(Ok(None))))
            && location.pathname.with(|p| p != "/sign-in")
    };
    let sign_in_href = move || {
        let here = crate::sso::router_address(
            &location.pathname.get(),
            &location.search.get(),
            &location.hash.get(),
        );
        format!(
            "/sign-in?return_to={}",
            String::from(js_sys::encode_uri_component(&here))
        )
    };
    let is_admin = move || session.with_user(|u| u.is_some_and(|u| u.is_admin()));
    let inbox = use_open_requests();
    // Read once per page an admin opens and after an answer, never polled; nobody else asks
    // (the server would refuse them).
    let open_requests = Query::new(move || {
        location.pathname.track();
        inbox.0.track();
        let admin = is_admin();
        async move {
            if !admin {
                return Ok(None);
            }
            let list = api::admin_requests_default().await?;
            Ok(Some(
                list.data
                    .iter()
                    .filter(|r| r.status == RequestStatus::Open)
                    .count(),
            ))
        }
    });
    // Only while the user is an admin: a reply in flight after signing out shows nothing.
    let open_count = move || {
        open_requests
            .with(|answer| answer.and_then(Result::ok).copied().flatten())
            .filter(|n| *n > 0 && is_admin())
    };
    view! {
        <a class="skip-link" href="#main">{move || t_live(Msg::SkipToContent)}</a>
        <header class="site-header">
            <div class="site-header-inner">
                <A href="/" exact=true attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    {move || t_live(Msg::AppName)}
                </A>
                <LanguageSwitcher />
                <Show when=signed_in>
                    <nav class="site-nav" aria-label=move || t_live(Msg::AccountNavigation)>
                        <A href="/manage" exact=true attr:data-testid="nav-manage">{move || t_live(Msg::MySubscriptions)}</A>
                        <Show when=is_admin>
                            // The name says the count in words (an absolutely positioned
                            // hidden text would be read after a space: "Admin , 1 …").
                            <A
                                href="/admin"
                                exact=true
                                attr:data-testid="nav-admin"
                                attr:aria-label=move || open_count().map(|n| {
                                    tracked_language();
                                    fill(
                                        plural(Msg::AdminOpenRequestsOne, Msg::AdminOpenRequestsOther, n as u64),
                                        &[&n.to_string()],
                                    )
                                })
                            >
                                {move || t_live(Msg::AdminNav)}
                                {move || open_count().map(|n| view! {
                                    // A space, so the visible text "Admin 1" is in the name.
                                    " "
                                    <span class="nav-count" aria-hidden="true" data-testid="nav-admin-count">{n}</span>
                                })}
                            </A>
                        </Show>
                        <span class="site-user" data-testid="signed-in-user">
                            {move || session.with_user(|u| u.map(|u| u.name.clone()))}
                        </span>
                        <button
                            type="button"
                            class="link-button"
                            data-testid="sign-out"
                            aria-disabled=move || pending.get().then_some("true")
                            on:click=move |_| {
                                sign_out.submit(());
                            }
                        >
                            {move || t_live(Msg::SignOut)}
                        </button>
                    </nav>
                </Show>
                <Show when=offer_sign_in>
                    <A href=sign_in_href attr:class="site-sign-in" attr:data-testid="nav-sign-in">{move || t_live(Msg::SignIn)}</A>
                </Show>
                <InlineError message=failure_of(sign_out) />
            </div>
        </header>
    }
}

/// Two buttons, each naming its language in that language (with its own `lang`, so screen
/// readers pronounce it right); the one in use is pressed.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    view! {
        <div class="language-switch" role="group" aria-label=move || t_live(Msg::LanguageLabel)>
            {Language::ALL
                .into_iter()
                .map(|language| {
                    view! {
                        <button
                            type="button"
                            class="language-option"
                            lang=language.code()
                            aria-pressed=move || {
                                if tracked_language() == language { "true" } else { "false" }
                            }
                            data-testid=format!("language-{}", language.code())
                            on:click=move |_| {
                                if current_language() != language {
                                    choose_language(language);
                                }
                            }
                        >
                            {language.own_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
