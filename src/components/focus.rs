//! Where keyboard focus goes when the page changes under it: to the new page's `<h1>` after a
//! route change, into a dialog when it opens (on its safe choice), and back to what opened it
//! when it closes. Without this, focus falls to `<body>` and a keyboard or screen reader user
//! starts again at the top of the document.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// How many frames to wait for the new page's heading (pages behind a read render it only when
/// the answer arrives): about ten seconds, then give up (focus stays where the browser put it).
const HEADING_FRAMES: u32 = 600;

thread_local! {
    /// Bumped on every navigation, so an older wait for a heading stops when a newer one starts.
    static NAVIGATION: Cell<u64> = const { Cell::new(0) };
}

/// Mounted once inside the router: after every route change (not the first load, where the
/// browser starts at the top itself, unless the load was a link from another bundle), focus
/// moves to the new page's `<h1>`.
#[component]
pub fn FocusOnNavigation() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        let changed = match previous {
            Some(previous) => previous != path,
            None => crate::pages::elsewhere::arrived_from_another_bundle(),
        };
        if changed {
            let generation = NAVIGATION.with(|n| {
                n.set(n.get() + 1);
                n.get()
            });
            focus_heading_when_shown(generation, HEADING_FRAMES);
        }
        path
    });
}

/// Focuses `main h1` once it is in the document, trying once per frame.
fn focus_heading_when_shown(generation: u64, frames_left: u32) {
    request_animation_frame(move || {
        if NAVIGATION.with(Cell::get) != generation {
            return;
        }
        match page_heading() {
            Some(heading) => {
                focus_heading(&heading);
                stay_on(generation, heading, SETTLE_FRAMES, frames_left);
            }
            None if frames_left > 0 => focus_heading_when_shown(generation, frames_left - 1),
            None => {}
        }
    });
}

/// Frames during which the focused heading is watched after it took focus.
const SETTLE_FRAMES: u32 = 30;

/// The heading found first may be the old page's, still there for a frame while the new page
/// renders: if it leaves the document with focus on it, look again for the new one.
fn stay_on(generation: u64, heading: HtmlElement, frames: u32, frames_left: u32) {
    if frames == 0 {
        return;
    }
    request_animation_frame(move || {
        if NAVIGATION.with(Cell::get) != generation {
            return;
        }
        let dropped = document()
            .active_element()
            .is_none_or(|e| e.tag_name() == "BODY");
        if !heading.is_connected() && dropped {
            focus_heading_when_shown(generation, frames_left);
        } else {
            stay_on(generation, heading, frames - 1, frames_left);
        }
    });
}

fn page_heading() -> Option<HtmlElement> {
    document()
        .query_selector("main h1")
        .ok()
        .flatten()
        .map(JsCast::unchecked_into)
}

/// Focuses a heading: focusable by script only (`tabindex="-1"`), so it is no tab stop.
pub fn focus_heading(heading: &HtmlElement) {
    if !heading.has_attribute("tabindex") {
        let _ = heading.set_attribute("tabindex", "-1");
    }
    let _ = heading.focus();
}

/// A modal dialog that remembers what had focus when it opened and gives focus back to it when
/// it closes (however it closes: a button, Escape, or the page closing it); when that element
/// is gone by then (the change removed it), to the page's heading.
#[derive(Clone, Copy)]
pub struct ModalDialog {
    node: NodeRef<html::Dialog>,
    opener: StoredValue<Option<HtmlElement>, LocalStorage>,
}

impl ModalDialog {
    pub fn new() -> Self {
        Self {
            node: NodeRef::new(),
            opener: StoredValue::new_local(None),
        }
    }

    /// For the `<dialog>`'s `node_ref`.
    pub fn node(&self) -> NodeRef<html::Dialog> {
        self.node
    }

    /// Opens it modally; the browser focuses its `autofocus` element (its safe choice).
    pub fn open(&self) {
        let Some(dialog) = self.node.get_untracked() else {
            return;
        };
        if dialog.open() {
            return;
        }
        let opener = document()
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        self.opener.set_value(opener);
        let _ = dialog.show_modal();
    }

    /// Closes it (focus goes back through [`Self::restore_focus`] on the `close` event).
    pub fn close(&self) {
        if let Some(dialog) = self.node.get_untracked().filter(|d| d.open()) {
            dialog.close();
        }
    }

    /// Whether it is open now.
    pub fn is_open(&self) -> bool {
        self.node.get_untracked().is_some_and(|d| d.open())
    }

    /// For the dialog's `on:close`: focus back to the opener, or the heading if it is gone.
    /// In the next frame, after the change that closed it has rendered.
    pub fn restore_focus(&self) {
        let opener = self.opener.try_update_value(Option::take).flatten();
        request_animation_frame(move || match opener.filter(|o| o.is_connected()) {
            Some(opener) => {
                let _ = opener.focus();
            }
            None => {
                if let Some(heading) = page_heading() {
                    focus_heading(&heading);
                }
            }
        });
    }
}

impl Default for ModalDialog {
    fn default() -> Self {
        Self::new()
    }
}
