//! "Step 3 of 5": where the buyer is, what is done, and a way back to any done step.

use crate::checkout::{Checkout, Step};
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;

fn step_name(step: Step) -> &'static str {
    t(match step {
        Step::Email => Msg::StepEmail,
        Step::SignIn => Msg::StepSignIn,
        Step::Seats => Msg::StepSeats,
        Step::Payment => Msg::StepPayment,
        Step::Review => Msg::StepReview,
    })
}

/// The checkout's progress as an ordered list.
#[component]
pub fn StepIndicator(
    /// The step shown.
    #[prop(into)]
    current: Signal<Step>,
    /// The checkout (to know which steps are done).
    state: RwSignal<Checkout>,
    /// Called with a done step the buyer wants to go back to.
    on_select: Callback<Step>,
) -> impl IntoView {
    let total = Step::ALL.len().to_string();
    view! {
        <nav class="steps" aria-label=t(Msg::CheckoutProgress)>
            <p class="steps-count" data-testid="step-count">
                {move || fill(t(Msg::StepOf), &[&current.get().number().to_string(), &total])}
            </p>
            <ol>
                {Step::ALL
                    .into_iter()
                    .map(|step| {
                        let done = move || step < state.with(Checkout::next_step) && step != current.get();
                        view! {
                            <li
                                class:step-current=move || step == current.get()
                                class:step-done=done
                                aria-current=move || (step == current.get()).then_some("step")
                            >
                                <Show
                                    when=done
                                    fallback=move || view! { <span>{step_name(step)}</span> }
                                >
                                    <button
                                        type="button"
                                        class="link-button"
                                        on:click=move |_| on_select.run(step)
                                    >
                                        {step_name(step)}
                                    </button>
                                </Show>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
