//! Leptos's `examples/counter`: a count and the buttons that change it.

use leptos::prelude::*;

/// A count with buttons to clear, decrement and increment it.
#[component]
fn SimpleCounter(initial_value: i32, step: i32) -> impl IntoView {
    let (value, set_value) = signal(initial_value);
    view! {
        <div>
            <button on:click=move |_| set_value.set(0)>"Clear"</button>
            <button on:click=move |_| *set_value.write() -= step>"-1"</button>
            <span>"Value: " {value} "!"</span>
            <button id="increment" on:click=move |_| set_value.update(|value| *value += step)>
                "+1"
            </button>
        </div>
    }
}

fn main() {
    leptos::mount::mount_to_body(|| view! { <SimpleCounter initial_value=0 step=1 /> });
}
