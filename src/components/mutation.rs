//! The one way the app writes to the server: an `Action` whose `pending()` drives its button and
//! whose value drives its message; what the write changes on the page is applied when its
//! answer arrives, inside the action.
//!
//! Every write shares one action type underneath (input and answer behind `dyn Any`), so the
//! wasm holds Leptos's action machinery once instead of once per kind of write.
//!
//! A page that shows its writes' outcomes (a success note at the top, errors and "Saved" beside
//! the forms) provides `Outcomes`: a write created under it that starts clears the page's
//! success note and the other writes' answers, so only the latest outcome is ever on screen
//! (an old "Saved" beside a new error reads as if the new attempt worked).

use crate::api::ApiFailure;
use crate::components::error_panel::failure_text;
use leptos::prelude::*;
use selfserve_api::email::EmailAddress;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

type Data = Arc<dyn Any + Send + Sync>;
type Run = Box<dyn Fn(&Data) -> Pin<Box<dyn Future<Output = Data>>>>;

/// A write that takes an `I` and answers an `O`.
pub struct Mutation<I, O> {
    action: Action<Data, Data>,
    /// The page's outcomes it belongs to, and its number there.
    outcomes: Option<(Outcomes, usize)>,
    pending: Memo<bool>,
    input: MappedSignal<Option<Data>>,
    value: MappedSignal<Option<Data>>,
    types: PhantomData<fn(I) -> O>,
}

impl<I, O> Clone for Mutation<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for Mutation<I, O> {}

impl<I, O> Mutation<I, O>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    /// `run` is called when the write is dispatched (so what it reads then is the state at that
    /// moment); its future does the request and applies the answer.
    pub fn new<Fut>(run: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        Self::create(run, true)
    }

    /// Like `new`, but its own answer stays when another write on the page starts (a secret
    /// shown once must not vanish because something else was saved); starting it still clears
    /// the others'.
    pub fn new_lasting<Fut>(run: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        Self::create(run, false)
    }

    fn create<Fut>(run: impl Fn(&I) -> Fut + 'static, cleared_by_others: bool) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        let action = action(Box::new(move |input| {
            let answer = input.downcast_ref::<I>().map(&run);
            Box::pin(async move {
                match answer {
                    Some(answer) => Arc::new(answer.await) as Data,
                    None => Arc::new(()) as Data,
                }
            })
        }));
        let outcomes = use_context::<Outcomes>()
            .map(|outcomes| (outcomes, outcomes.register(action, cleared_by_others)));
        Self {
            action,
            outcomes,
            pending: action.pending(),
            input: action.input(),
            value: action.value(),
            types: PhantomData,
        }
    }

    /// Starts the write.
    pub fn dispatch(self, input: I) {
        if let Some((outcomes, number)) = self.outcomes {
            outcomes.started(number);
        }
        self.action.dispatch(Arc::new(input));
    }

    /// Starts the write unless it is already running (a second click does nothing).
    pub fn submit(self, input: I) {
        if !self.pending.get_untracked() {
            self.dispatch(input);
        }
    }

    /// Whether it is running.
    pub fn pending(self) -> Memo<bool> {
        self.pending
    }

    /// Applies `f` to the input it runs with (`None` when it is not running), tracking it.
    pub fn with_input<R>(self, f: impl FnOnce(Option<&I>) -> R) -> R {
        self.input
            .with(|input| f(input.as_ref().and_then(|i| i.downcast_ref::<I>())))
    }

    /// Applies `f` to its last answer (`None` before the first), tracking it.
    pub fn with_value<R>(self, f: impl FnOnce(Option<&O>) -> R) -> R {
        self.value
            .with(|value| f(value.as_ref().and_then(|v| v.downcast_ref::<O>())))
    }

    /// Forgets the last answer (what it said no longer applies).
    pub fn clear(self) {
        self.action.clear();
    }

    /// How many times it has answered.
    pub fn version(self) -> RwSignal<usize> {
        self.action.version()
    }
}

/// A write registered with a page's [`Outcomes`]: its number, and its action when another
/// write's start clears its answer.
type Registered = (usize, Option<Action<Data, Data>>);

/// The outcomes of a page's writes: its success note (`flash`, announced by the page) and the
/// writes created under it (`provide` before creating them).
#[derive(Clone, Copy)]
pub struct Outcomes {
    /// The latest success, in words.
    pub flash: RwSignal<Option<String>>,
    /// The writes whose answers a new start clears, by number.
    writes: StoredValue<Vec<Registered>>,
}

impl Outcomes {
    /// Makes the page's outcomes, the context of every write created below.
    pub fn provide() -> Self {
        let outcomes = Self {
            flash: RwSignal::new(None),
            writes: StoredValue::new(Vec::new()),
        };
        provide_context(outcomes);
        outcomes
    }

    /// Records a write; its number.
    fn register(self, action: Action<Data, Data>, cleared_by_others: bool) -> usize {
        self.writes
            .try_update_value(|writes| {
                let number = writes.len();
                writes.push((number, cleared_by_others.then_some(action)));
                number
            })
            .unwrap_or_default()
    }

    /// Write `number` starts: what any write said before no longer applies.
    fn started(self, number: usize) {
        self.flash.set(None);
        self.writes.with_value(|writes| {
            for (other, action) in writes {
                // A write gone with its component is skipped by `clear` itself.
                if let (true, Some(action)) = (*other != number, action) {
                    action.clear();
                }
            }
        });
    }
}

/// Every write's action: one concrete function type, so one copy of the action's code.
fn action(run: Run) -> Action<Data, Data> {
    Action::new_local(move |input: &Data| run(input))
}

/// The failure of the write's last run, in words; nothing after a success or while it runs
/// again.
pub fn failure_of<I, T>(write: Mutation<I, Result<T, ApiFailure>>) -> Signal<Option<String>>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || {
        if write.pending().get() {
            return None;
        }
        write.with_value(|last| match last {
            Some(Err(failure)) => Some(failure_text(failure)),
            _ => None,
        })
    })
}

/// A form's submit for a typed work email: a second submit while the check runs is ignored; an
/// address that does not parse says why in `invalid` (and forgets the last answer) without a
/// request; a valid one is checked by `check`. The checkout's email step and the sign-in gate
/// share it.
pub fn submit_email<O>(
    email: RwSignal<String>,
    invalid: RwSignal<Option<String>>,
    check: Mutation<EmailAddress, O>,
) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static
where
    O: Send + Sync + 'static,
{
    move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check.pending().get_untracked() {
            return;
        }
        match EmailAddress::parse(&email.get_untracked()) {
            Ok(address) => {
                invalid.set(None);
                check.dispatch(address);
            }
            Err(reason) => {
                check.clear();
                invalid.set(Some(reason.to_string()));
            }
        }
    }
}
