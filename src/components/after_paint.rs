//! What is below the fold is drawn, and what the first screen does not show is read, after the
//! first frame is painted: the top of a page shows sooner (the subscription page's sections
//! below its licence list cost ~9 ms before its first paint; BENCHMARKS.md).

use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsValue;

/// Runs `f` once the next frame has been painted: a task queued from a frame's callback runs
/// after that frame's paint.
pub fn after_paint(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, Duration::ZERO));
}

/// Resolves once the next frame has been painted.
pub async fn next_paint() {
    let painted = js_sys::Promise::new(&mut |resolve, _| {
        after_paint(move || {
            // Resolving a promise with a value cannot fail.
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    // The promise only resolves.
    let _ = wasm_bindgen_futures::JsFuture::from(painted).await;
}

/// Its children, drawn once the frame the page was first drawn in has been painted.
#[component]
pub fn AfterPaint(children: ChildrenFn) -> impl IntoView {
    let painted = RwSignal::new(false);
    // The page may be gone by then: `try_set` on a disposed signal does nothing.
    after_paint(move || {
        painted.try_set(true);
    });
    view! { <Show when=move || painted.get()>{children()}</Show> }
}
