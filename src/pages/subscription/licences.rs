//! Who holds a licence; giving licences by type-ahead search (several at once) or by pasting a
//! list of emails; taking one back. Assigning is all or nothing: without enough free licences
//! nobody is assigned, and the page offers to buy more.

use super::{failure_text, use_subscription};
use crate::api;
use crate::components::status_badge::has_ended;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::ErrorCode;
use selfserve_api::manage::AssignRequest;
use selfserve_api::subscription::{SubscriptionStatus, UserRef};

#[component]
pub fn Licences() -> impl IntoView {
    let ctx = use_subscription();
    let assigned = move || {
        ctx.subscription
            .with(|s| s.as_ref().map(|s| s.assigned_users.clone()))
            .unwrap_or_default()
    };
    let can_assign = move || {
        ctx.subscription.with(|s| {
            // Suspended: licences are kept, but no new ones until the bill is paid.
            s.as_ref()
                .is_some_and(|s| s.status != SubscriptionStatus::Suspended && !has_ended(s.status))
        })
    };
    let removing = RwSignal::new(None::<String>);
    let remove_error = RwSignal::new(None::<String>);
    let remove = move |user: UserRef| {
        removing.set(Some(user.id.clone()));
        remove_error.set(None);
        spawn_local(async move {
            let result = api::unassign(&ctx.id.get_value(), &user.id).await;
            removing.set(None);
            match result {
                Ok(sub) => ctx.updated(sub, fill(t(Msg::LicenceRemoved), &[&user.name])),
                Err(failure) => remove_error.set(Some(failure_text(&failure))),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="licences-heading">
            <h2 id="licences-heading">{t(Msg::LicencesHeading)}</h2>
            {move || remove_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="table-wrap">
                <table class="data-table" data-testid="assigned-users">
                    <caption class="visually-hidden">{t(Msg::LicencesHeading)}</caption>
                    <thead><tr>
                        <th scope="col">{t(Msg::Name)}</th>
                        <th scope="col">{t(Msg::Email)}</th>
                        <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=assigned key=|u| u.id.clone() let:user>
                            {
                                let label = fill(t(Msg::RemoveLicenceFrom), &[&user.name]);
                                let id = user.id.clone();
                                let target = user.clone();
                                view! {
                                    <tr>
                                        <th scope="row">{user.name.clone()}</th>
                                        <td>{user.email.clone()}</td>
                                        <td class="numeric">
                                            <button type="button" class="link-button" aria-label=label
                                                aria-disabled=move || (removing.get().as_deref() == Some(id.as_str())).then_some("true")
                                                on:click=move |_| remove(target.clone())>
                                                {t(Msg::Remove)}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=can_assign>
                <AssignForm />
            </Show>
        </section>
    }
}

/// Finds colleagues as you type; each can be added to the selection; "Assign" gives all of
/// the selection a licence at once.
#[component]
fn AssignForm() -> impl IntoView {
    let ctx = use_subscription();
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<UserRef>::new());
    let active = RwSignal::new(None::<usize>);
    let open = RwSignal::new(false);
    let selected = RwSignal::new(Vec::<UserRef>::new());
    let pasted = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let no_seats = RwSignal::new(false);

    let search = move |text: String| {
        query.set(text.clone());
        active.set(None);
        if text.trim().is_empty() {
            results.set(Vec::new());
            open.set(false);
            return;
        }
        spawn_local(async move {
            if let Ok(found) = api::search_users(&text, 8).await
                // Only the answer to what is typed now: a slower, older answer is dropped.
                && query.get_untracked() == text
            {
                results.set(found.data);
                open.set(true);
            }
        });
    };
    let choose = move |user: UserRef| {
        selected.update(|list| {
            if !list.iter().any(|u| u.id == user.id) {
                list.push(user);
            }
        });
        query.set(String::new());
        results.set(Vec::new());
        open.set(false);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = results.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                if let Some(user) = active
                    .get_untracked()
                    .and_then(|i| results.with_untracked(|r| r.get(i).cloned()))
                {
                    ev.prevent_default();
                    choose(user);
                }
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };
    let send = move |request: AssignRequest, clear_paste: bool| {
        pending.set(true);
        error.set(None);
        no_seats.set(false);
        spawn_local(async move {
            let count = request.user_ids.len() + request.emails.len();
            let result = api::assign(&ctx.id.get_value(), &request).await;
            pending.set(false);
            match result {
                Ok(sub) => {
                    selected.set(Vec::new());
                    if clear_paste {
                        pasted.set(String::new());
                    }
                    ctx.updated(sub, fill(t(Msg::LicencesAssigned), &[&count.to_string()]));
                }
                Err(failure) => {
                    no_seats.set(failure.code() == Some(ErrorCode::NoSeatsAvailable));
                    error.set(Some(failure_text(&failure)));
                }
            }
        });
    };
    let assign_selected = move |_| {
        let ids: Vec<String> =
            selected.with_untracked(|s| s.iter().map(|u| u.id.clone()).collect());
        if ids.is_empty() {
            error.set(Some(t(Msg::ChooseSomeone).to_owned()));
            return;
        }
        send(
            AssignRequest {
                user_ids: ids,
                emails: Vec::new(),
            },
            false,
        );
    };
    let assign_pasted = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let emails: Vec<String> = pasted
            .get_untracked()
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect();
        if emails.is_empty() {
            error.set(Some(t(Msg::PasteSomeEmails).to_owned()));
            return;
        }
        send(
            AssignRequest {
                user_ids: Vec::new(),
                emails,
            },
            true,
        );
    };
    let option_id = |i: usize| format!("user-option-{i}");

    view! {
        <div class="assign panel">
            <h3>{t(Msg::AssignHeading)}</h3>
            {move || error.get().map(|message| view! {
                <div class="notice notice-error" role="alert" data-testid="assign-error">
                    <p>{message}</p>
                    {no_seats.get().then(|| view! {
                        <a href="#seats-quantity" class="button button-secondary" data-testid="buy-more-offer">{t(Msg::BuyMoreLicences)}</a>
                    })}
                </div>
            })}
            <div class="field combobox">
                <label for="user-search">{t(Msg::FindColleagues)}</label>
                <p class="hint" id="user-search-hint">{t(Msg::FindColleaguesHint)}</p>
                <input
                    id="user-search"
                    type="search"
                    role="combobox"
                    autocomplete="off"
                    aria-autocomplete="list"
                    aria-controls="user-results"
                    aria-describedby="user-search-hint"
                    aria-expanded=move || if open.get() && !results.read().is_empty() { "true" } else { "false" }
                    aria-activedescendant=move || active.get().map(option_id)
                    prop:value=move || query.get()
                    on:input:target=move |ev| search(ev.target().value())
                    on:keydown=on_key
                    data-testid="user-search"
                />
                <ul id="user-results" role="listbox" class="listbox" aria-label=t(Msg::FindColleagues)
                    hidden=move || !open.get() || results.read().is_empty()>
                    {move || results.get().into_iter().enumerate().map(|(i, user)| {
                        let chosen = user.clone();
                        view! {
                            <li id=option_id(i) role="option"
                                aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                                class:option-active=move || active.get() == Some(i)
                                on:mousedown=move |ev| { ev.prevent_default(); choose(chosen.clone()); }
                                data-testid="user-option">
                                <span class="option-name">{user.name.clone()}</span>
                                " "
                                <span class="option-email">{user.email.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
            <Show when=move || !selected.read().is_empty()>
                <ul class="chips" aria-label=t(Msg::Selected) data-testid="selected-users">
                    {move || selected.get().into_iter().map(|user| {
                        let id = user.id.clone();
                        view! {
                            <li class="chip">
                                {user.name.clone()}
                                <button type="button" class="chip-remove"
                                    aria-label=fill(t(Msg::Unselect), &[&user.name])
                                    on:click=move |_| selected.update(|s| s.retain(|u| u.id != id))>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button type="button" class="button" data-testid="assign-selected"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=assign_selected>
                    {move || fill(t(Msg::AssignCount), &[&selected.read().len().to_string()])}
                </button>
            </Show>
            <form class="paste" novalidate on:submit=assign_pasted>
                <div class="field">
                    <label for="paste-emails">{t(Msg::PasteEmails)}</label>
                    <p class="hint" id="paste-hint">{t(Msg::PasteEmailsHint)}</p>
                    <textarea id="paste-emails" rows="3" aria-describedby="paste-hint"
                        prop:value=move || pasted.get()
                        on:input:target=move |ev| pasted.set(ev.target().value())
                        data-testid="paste-emails"></textarea>
                </div>
                <button type="submit" class="button button-secondary" data-testid="assign-pasted"
                    aria-disabled=move || pending.get().then_some("true")>
                    {t(Msg::AssignPasted)}
                </button>
            </form>
        </div>
    }
}
