//! The signed-in admin's own choice about admin notices: a mail for each, one digest a day, or
//! none. Shown only to those who get them (global and billing admins of their own
//! organisation, `SessionUser::gets_admin_notices`): the server refuses a partner's read.

use crate::api;
use crate::components::loaded::Query;
use crate::components::mutation::{Mutation, failure_of};
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::admin::{NoticePreference, NoticePreferences};

const CHOICES: [(NoticePreference, Msg); 3] = [
    (NoticePreference::Each, Msg::NoticesEach),
    (NoticePreference::Daily, Msg::NoticesDaily),
    (NoticePreference::Off, Msg::NoticesNone),
];

#[component]
pub fn NoticePreferencesForm() -> impl IntoView {
    let current = Query::new(api::notice_preferences);
    let loaded = move || current.with(|state| state.and_then(Result::ok).map(|p| p.notices));
    view! { {move || loaded().map(|stored| view! { <NoticeChoice stored /> })} }
}

/// The form itself, starting from the `stored` choice.
#[component]
pub fn NoticeChoice(stored: NoticePreference) -> impl IntoView {
    let chosen = RwSignal::new(None::<NoticePreference>);
    let save = Mutation::new(move |notices: &NoticePreference| {
        let body = NoticePreferences { notices: *notices };
        async move { api::set_notice_preferences(&body).await }
    });
    let failure = failure_of(save);
    let saved = Signal::derive(move || {
        !save.pending().get() && save.with_value(|last| matches!(last, Some(Ok(_))))
    });
    let selected = move || chosen.get().unwrap_or(stored);
    view! {
        <section class="section" aria-labelledby="notices-heading" data-testid="notices">
            <h2 id="notices-heading">{t(Msg::NoticesHeading)}</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.submit(chosen.get_untracked().unwrap_or(stored));
            }>
                <fieldset class="choices">
                    <legend>{t(Msg::NoticesLegend)}</legend>
                    {CHOICES.into_iter().map(|(value, label)| {
                        let id = format!("notices-{}", value.as_str());
                        view! {
                            <div class="choice">
                                <input type="radio" id=id.clone() name="notices"
                                    value=value.as_str()
                                    prop:checked=move || selected() == value
                                    on:change=move |_| {
                                        chosen.set(Some(value));
                                        save.clear();
                                    } />
                                <label for=id>{t(label)}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="row-actions">
                    <button type="submit" class="button" data-testid="notices-save"
                        aria-disabled=move || save.pending().get().then_some("true")>
                        {move || if save.pending().get() { t(Msg::NoticesSaving) } else { t(Msg::NoticesSave) }}
                    </button>
                    <p role="status" data-testid="notices-saved">
                        {move || saved.get().then(|| t(Msg::NoticesSaved))}
                    </p>
                    <p role="alert" class="field-error" data-testid="notices-error">
                        {move || failure.get()}
                    </p>
                </div>
            </form>
        </section>
    }
}
