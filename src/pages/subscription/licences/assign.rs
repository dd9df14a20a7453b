//! Giving licences: colleagues found as you type, or pasted email addresses, all given a
//! licence at once.

use super::super::use_subscription;
use crate::api;
use crate::components::error_panel::{InlineError, failure_text};
use crate::components::loaded::Query;
use crate::components::mutation::Mutation;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use selfserve_api::ErrorCode;
use selfserve_api::manage::AssignRequest;
use selfserve_api::subscription::UserRef;

/// Finds colleagues as you type; each can be added to the selection; "Assign" gives all of
/// the selection a licence at once.
#[component]
pub(super) fn AssignForm() -> impl IntoView {
    let ctx = use_subscription();
    let query = RwSignal::new(String::new());
    let found = Query::new(move || {
        let text = query.get();
        async move {
            if text.trim().is_empty() {
                return Ok(Vec::new());
            }
            api::search_users(&text, 8).await.map(|list| list.data)
        }
    });
    let results = Memo::new(move |_| found.latest().unwrap_or_default());
    let search_error = Signal::derive(move || found.failure_text());
    let active = RwSignal::new(None::<usize>);
    let open = RwSignal::new(false);
    let selected = RwSignal::new(Vec::<UserRef>::new());
    let pasted = RwSignal::new(String::new());
    // What is wrong with the request before it is sent (nobody chosen, nothing pasted).
    let invalid = RwSignal::new(None::<String>);
    let assign = Mutation::new(move |(request, clear_paste): &(AssignRequest, bool)| {
        let (request, clear_paste, id) = (request.clone(), *clear_paste, ctx.id());
        async move {
            let count = request.user_ids.len() + request.emails.len();
            let sub = api::assign(&id, &request).await?;
            selected.set(Vec::new());
            if clear_paste {
                pasted.set(String::new());
            }
            ctx.updated(
                sub,
                fill(
                    plural(
                        Msg::LicencesAssignedOne,
                        Msg::LicencesAssigned,
                        count as u64,
                    ),
                    &[&count.to_string()],
                ),
            );
            Ok(())
        }
    });
    let pending = assign.pending();
    let error = Memo::new(move |_| {
        invalid.get().or_else(|| {
            assign.with_value(|last| match last {
                Some(Err(failure)) if !pending.get() => Some(failure_text(failure)),
                _ => None,
            })
        })
    });
    // Refused for want of free licences: offer to buy more.
    let no_seats = move || {
        invalid.read().is_none()
            && assign.with_value(|last| {
                matches!(last, Some(Err(f)) if f.code() == Some(ErrorCode::NoSeatsAvailable))
            })
    };

    let search = move |text: String| {
        active.set(None);
        open.set(!text.trim().is_empty());
        query.set(text);
    };
    let choose = move |user: UserRef| {
        selected.update(|list| {
            if !list.iter().any(|u| u.id == user.id) {
                list.push(user);
            }
        });
        query.set(String::new());
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
        invalid.set(None);
        assign.submit((request, clear_paste));
    };
    let refuse = move |reason: Msg| {
        assign.clear();
        invalid.set(Some(t(reason).to_owned()));
    };
    let assign_selected = move |_| {
        let ids: Vec<String> =
            selected.with_untracked(|s| s.iter().map(|u| u.id.clone()).collect());
        if ids.is_empty() {
            refuse(Msg::ChooseSomeone);
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
            refuse(Msg::PasteSomeEmails);
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
                    {no_seats().then(|| view! {
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
                <InlineError message=search_error />
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
                    {move || { let n = selected.read().len(); fill(plural(Msg::AssignCountOne, Msg::AssignCount, n as u64), &[&n.to_string()]) }}
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
