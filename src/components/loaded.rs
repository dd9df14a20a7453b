//! The one way a page shows something it reads from the server: while the first answer is on
//! its way, "Loading…"; then the data; on failure, the error panel with a way to retry. A
//! reload (inputs changed, retry) keeps what is shown until the new answer is in.

use crate::api::ApiFailure;
use crate::components::error_panel::ErrorPanel;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Shows `resource`'s data with `view`, inside a `<Transition>`.
///
/// `view` runs untracked: it is called again only when the resource has a new answer, so the
/// parts of the page that must follow other signals read them in their own closures.
#[component]
pub fn Loaded<T, F>(
    /// The read; its fetcher reads the signals it depends on, so it reloads when they change
    /// and an older answer never replaces a newer one.
    resource: LocalResource<Result<T, ApiFailure>>,
    /// Renders the data.
    view: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> AnyView + Send + Sync + 'static,
{
    let view = Arc::new(view);
    let load: Load = Arc::new(move || {
        let view = Arc::clone(&view);
        Box::pin(async move { resource.await.map(|data| untrack(|| view(data))) })
    });
    shell(load, Callback::new(move |()| resource.refetch()))
}

type Load = Arc<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<AnyView, ApiFailure>> + Send>> + Send + Sync,
>;

/// The part that does not depend on the data's type, so the wasm holds it once.
fn shell(load: Load, retry: Callback<()>) -> AnyView {
    view! {
        <Transition fallback=|| view! {
            <p class="loading" role="status" data-testid="loading">{t(Msg::Loading)}</p>
        }>
            {move || {
                let load = Arc::clone(&load);
                Suspend::new(async move {
                    match load().await {
                        Ok(shown) => shown,
                        Err(failure) => view! { <ErrorPanel failure on_retry=retry /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}
