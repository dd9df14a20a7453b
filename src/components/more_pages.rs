//! The rest of a subscription list the server sends a page at a time (at most 100 a page): the
//! first page is a page's [`Query`](crate::components::loaded::Query); "Show more" asks for the
//! page after the last row shown and adds its rows below. A big organisation's 10,000
//! purchases are then one page to read, not a hundred.
//!
//! A read, not a write: it is not a `Mutation`, whose start would clear the page's outcomes
//! (the admin's note of a change just made).

use crate::api::ApiFailure;
use crate::components::error_panel::{InlineError, failure_text};
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::List;
use selfserve_api::subscription::Subscription;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Page = Pin<Box<dyn Future<Output = Result<List<Subscription>, ApiFailure>>>>;
type ReadAfter = Rc<dyn Fn(String) -> Page>;

/// The pages after a first one; [`MorePages::start_after`] each first page as it arrives.
#[derive(Clone, Copy)]
pub struct MorePages {
    rows: RwSignal<Vec<Subscription>>,
    last: RwSignal<Option<String>>,
    has_more: RwSignal<bool>,
    loading: RwSignal<bool>,
    failure: RwSignal<Option<String>>,
    /// Counts first pages: an answer asked for after an older one is dropped.
    epoch: RwSignal<u64>,
    read_after: StoredValue<ReadAfter, LocalStorage>,
}

impl MorePages {
    /// `read_after(id)` reads the page after the row `id`.
    pub fn new<Fut>(read_after: impl Fn(String) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<List<Subscription>, ApiFailure>> + 'static,
    {
        let read_after: ReadAfter = Rc::new(move |id| Box::pin(read_after(id)));
        Self {
            rows: RwSignal::new(Vec::new()),
            last: RwSignal::new(None),
            has_more: RwSignal::new(false),
            loading: RwSignal::new(false),
            failure: RwSignal::new(None),
            epoch: RwSignal::new(0),
            read_after: StoredValue::new_local(read_after),
        }
    }

    /// A new first page (other filters, or the list read again after a change): the later
    /// pages are read again from its end.
    pub fn start_after(self, first: &List<Subscription>) {
        self.epoch.update(|epoch| *epoch += 1);
        self.rows.set(Vec::new());
        self.last.set(first.data.last().map(|s| s.id.clone()));
        self.has_more.set(first.has_more);
        self.loading.set(false);
        self.failure.set(None);
    }

    /// The same listing read again after a change: the pages after `first` are read again
    /// until they hold as many rows as were shown, so an admin three pages down stays there
    /// instead of being sent back to the top. The rows shown stay until the new ones are in;
    /// if a read fails, the rows read so far are shown and "Show more" goes on from them.
    pub fn read_again_after(self, first: &List<Subscription>) {
        let keep = self.rows.with_untracked(Vec::len);
        if keep == 0 {
            return self.start_after(first);
        }
        self.epoch.update(|epoch| *epoch += 1);
        self.loading.set(true);
        self.failure.set(None);
        let epoch = self.epoch.get_untracked();
        let mut last = first.data.last().map(|s| s.id.clone());
        let mut has_more = first.has_more;
        leptos::task::spawn_local(async move {
            let mut rows = Vec::new();
            let mut failure = None;
            while has_more && rows.len() < keep {
                let Some(after) = last.clone() else { break };
                // The list is gone: nobody to read for.
                let Some(page) = self.read_after.try_with_value(|read| read(after)) else {
                    return;
                };
                let Some(answer) = self.answered(page, epoch).await else {
                    return;
                };
                match answer {
                    Ok(page) => {
                        if let Some(row) = page.data.last() {
                            last = Some(row.id.clone());
                        }
                        has_more = page.has_more;
                        rows.extend(page.data);
                    }
                    Err(error) => {
                        failure = Some(failure_text(&error));
                        break;
                    }
                }
            }
            // A newer first page may have come before this task first ran.
            if !self.is_current(epoch) {
                return;
            }
            self.last.set(last);
            self.has_more.set(has_more);
            self.rows.set(rows);
            self.failure.set(failure);
            self.loading.set(false);
        });
    }

    /// `page`'s answer, or `None` if another first page came while it was read or the list
    /// is gone.
    async fn answered(
        self,
        page: Page,
        epoch: u64,
    ) -> Option<Result<List<Subscription>, ApiFailure>> {
        let answer = page.await;
        self.is_current(epoch).then_some(answer)
    }

    /// Whether `epoch` is still the first page's (`try_` on a disposed signal gives `None`).
    fn is_current(self, epoch: u64) -> bool {
        self.epoch.try_get_untracked() == Some(epoch)
    }

    /// The rows the later pages brought (tracked).
    pub fn rows(self) -> Vec<Subscription> {
        self.rows.get()
    }

    /// Reads the next page, unless one is on its way or there is none; with `take_focus`, its
    /// first row gets the focus once drawn.
    fn next(self, take_focus: bool) {
        let Some(after) = self.last.get_untracked() else {
            return;
        };
        if self.loading.get_untracked() || !self.has_more.get_untracked() {
            return;
        }
        self.loading.set(true);
        self.failure.set(None);
        let epoch = self.epoch.get_untracked();
        let page = self.read_after.with_value(|read| read(after));
        leptos::task::spawn_local(async move {
            let Some(answer) = self.answered(page, epoch).await else {
                return;
            };
            match answer {
                Ok(page) => {
                    if let Some(last) = page.data.last() {
                        self.last.set(Some(last.id.clone()));
                    }
                    self.has_more.set(page.has_more);
                    if let (true, Some(first)) = (take_focus, page.data.first()) {
                        focus_next_frame(format!("[{ROW_ATTRIBUTE}=\"{}\"]", first.id));
                    }
                    self.rows.update(|rows| rows.extend(page.data));
                }
                Err(failure) => self.failure.set(Some(failure_text(&failure))),
            }
            self.loading.set(false);
        });
    }
}

/// The `data-row` attribute a list's rows carry (the subscription's id), and `tabindex="-1"`:
/// after "Show more", focus moves to the first row it brought.
pub const ROW_ATTRIBUTE: &str = "data-row";

/// "Show more" while the server has more, busy while the next page is on its way, and what
/// went wrong if it failed (a retry is the same button). Focus, if the button had it, moves to
/// the first row the page brought: the reader goes on from there, and the last page's button
/// does not vanish from under the focus.
#[component]
pub fn ShowMore(more: MorePages) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    view! {
        <Show when=move || more.has_more.get()>
            <button type="button" class="button button-secondary show-more" data-testid="show-more-rows"
                node_ref=button
                aria-disabled=move || more.loading.get().then_some("true")
                on:click=move |_| more.next(has_focus(button))>
                {move || if more.loading.get() { t(Msg::Loading) } else { t(Msg::ShowMore) }}
            </button>
        </Show>
        <InlineError message=Signal::derive(move || more.failure.get()) testid="show-more-error" />
    }
}

/// Whether `button` has the focus now.
pub fn has_focus(button: NodeRef<leptos::html::Button>) -> bool {
    let active = document().active_element();
    button
        .get_untracked()
        .is_some_and(|button| active.is_some_and(|active| active == **button))
}

/// Focuses what `selector` finds in the next frame, once the rows just added are drawn.
pub fn focus_next_frame(selector: String) {
    request_animation_frame(move || {
        if let Ok(Some(element)) = document().query_selector(&selector) {
            let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&element).focus();
        }
    });
}
