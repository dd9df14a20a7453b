//! The one way the app reads from the server, and the one way a page shows what it read.
//!
//! [`Query`] is a `LocalResource` whose fetcher reads the signals it depends on: it reloads when
//! they change, and an older answer never replaces a newer one. [`Loaded`] shows it: while the
//! first answer is on its way, "Loading…"; then the data; on failure, the error panel with a
//! way to retry. A reload keeps what is shown until the new answer is in.
//!
//! Every read shares one resource type underneath (the answer behind `dyn Any`), so the wasm
//! holds Leptos's resource machinery once instead of once per kind of data.

use crate::api::ApiFailure;
use crate::components::error_panel::ErrorPanel;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

type Data = Arc<dyn Any + Send + Sync>;
type Answer = Result<Data, ApiFailure>;
type Fetch = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Answer>>>>;

/// A read from the server that yields a `T`.
pub struct Query<T> {
    resource: LocalResource<Answer>,
    data: PhantomData<fn() -> T>,
}

impl<T> Clone for Query<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Query<T> {}

impl<T: Send + Sync + 'static> Query<T> {
    /// Starts the read. `fetch` is called again whenever a signal it read changes.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    {
        Self {
            resource: resource(Box::new(move || {
                let answer = fetch();
                Box::pin(async move { answer.await.map(|data| Arc::new(data) as Data) })
            })),
            data: PhantomData,
        }
    }

    /// Applies `f` to the latest answer (`None` until there is one), tracking it.
    pub fn with<R>(self, f: impl FnOnce(Option<Result<&T, &ApiFailure>>) -> R) -> R {
        self.resource.with(|answer| f(typed(answer.as_ref())))
    }

    /// The same, without tracking.
    pub fn with_untracked<R>(self, f: impl FnOnce(Option<Result<&T, &ApiFailure>>) -> R) -> R {
        self.resource
            .with_untracked(|answer| f(typed(answer.as_ref())))
    }

    /// The latest successful answer, tracking it.
    pub fn latest(self) -> Option<T>
    where
        T: Clone,
    {
        self.with(|answer| answer.and_then(Result::ok).cloned())
    }

    /// The latest answer's failure in words, tracking it.
    pub fn failure_text(self) -> Option<String> {
        self.with(|answer| match answer {
            Some(Err(failure)) => Some(crate::components::error_panel::failure_text(failure)),
            _ => None,
        })
    }

    /// Reads again with the same inputs.
    pub fn refetch(self) {
        self.resource.refetch();
    }

    /// Replaces the answer with one that came another way (a sign-in's user, say).
    pub fn set(self, answer: Result<T, ApiFailure>) {
        self.resource
            .set(Some(answer.map(|data| Arc::new(data) as Data)));
    }
}

fn typed<T: 'static>(answer: Option<&Answer>) -> Option<Result<&T, &ApiFailure>> {
    match answer? {
        Ok(data) => data.downcast_ref::<T>().map(Ok),
        Err(failure) => Some(Err(failure)),
    }
}

/// Every read's resource: one concrete fetcher type, so one copy of the resource's code.
fn resource(fetch: Fetch) -> LocalResource<Answer> {
    LocalResource::new(fetch)
}

type Render = Arc<dyn Fn(&Data) -> Option<AnyView> + Send + Sync>;

/// Shows `read`'s data with `view`, inside a `<Transition>`.
///
/// `view` runs untracked: it is called again only when the read has a new answer, so the parts
/// of the page that must follow other signals read them in their own closures.
#[component]
pub fn Loaded<T, F>(
    /// The read.
    read: Query<T>,
    /// Renders the data.
    view: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> AnyView + Send + Sync + 'static,
{
    let render: Render = Arc::new(move |data| data.downcast_ref::<T>().cloned().map(&view));
    shell(read.resource, render)
}

/// The part that does not depend on the data's type.
fn shell(resource: LocalResource<Answer>, render: Render) -> AnyView {
    let retry = Callback::new(move |()| resource.refetch());
    view! {
        <Transition fallback=|| view! {
            <p class="loading" role="status" data-testid="loading">{t(Msg::Loading)}</p>
        }>
            {move || {
                let render = Arc::clone(&render);
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => untrack(|| render(&data)).unwrap_or_else(|| ().into_any()),
                        Err(failure) => view! { <ErrorPanel failure on_retry=retry /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}
