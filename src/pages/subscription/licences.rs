//! Who holds a licence; giving licences by type-ahead search (several at once) or by pasting a
//! list of emails; taking one back. Assigning is all or nothing: without enough free licences
//! nobody is assigned, and the page offers to buy more.

use super::use_subscription;
use crate::api;
use crate::components::after_paint::AfterPaint;
use crate::components::error_panel::{InlineError, failure_text};
use crate::components::loaded::Query;
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::status_badge::has_ended;
use crate::format;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use selfserve_api::ErrorCode;
use selfserve_api::manage::AssignRequest;
use selfserve_api::subscription::{Subscription, SubscriptionStatus, UserRef};

/// How many licence holders are drawn at first, and how many more each "Show more" adds: a
/// subscription of 10,000 seats shows its first screen without drawing 10,000 rows. About
/// ten fit on a screen; each row costs ~0.1 ms before the first paint (BENCHMARKS.md).
pub const HOLDERS_AT_ONCE: u32 = 25;

/// The most holders the server lists at once (`GET /subscriptions/{id}/assignments`).
const MOST_HOLDERS_LISTED: u32 = 1_000;

/// The holders drawn, how many match, and the filter and count they answer (the page's own,
/// or those of the server's answer still shown while the next is on its way).
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    users: Vec<UserRef>,
    total: usize,
    answers: (String, u32),
    /// The server's last answer was a failure (said beside the filter): no rows, no count.
    failed: bool,
}

/// The first `count` holders matching every word of `filter` (in the name or email, any
/// case), and how many match.
fn holders_shown(users: &[UserRef], filter: &str, count: usize) -> (Vec<UserRef>, usize) {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    let mut matching = users.iter().filter(|user| {
        words.is_empty() || {
            let text = format!("{} {}", user.name, user.email).to_lowercase();
            words.iter().all(|word| text.contains(word.as_str()))
        }
    });
    let shown: Vec<UserRef> = matching.by_ref().take(count).cloned().collect();
    let total = shown.len() + matching.count();
    (shown, total)
}

/// Whether the page has every holder it needs to draw `count` of those matching `filter`:
/// all of them, or (unfiltered) at least the first `count`. Otherwise the server finds them.
fn drawn_here(subscription: &Subscription, filter: &str, count: u32) -> bool {
    subscription.lists_every_holder()
        || (filter.trim().is_empty() && count as usize <= subscription.assigned_users.len())
}

#[component]
pub fn Licences() -> impl IntoView {
    let ctx = use_subscription();
    let filter = RwSignal::new(String::new());
    let count = RwSignal::new(HOLDERS_AT_ONCE);
    let held = move || ctx.subscription.with(|s| s.assigned_count);
    let many = move || held() > HOLDERS_AT_ONCE;
    // A subscription read with its first holders only (a big one): filtering and "Show more"
    // ask the server. A change's answer lists every holder, and from then on the page filters.
    let found = Query::new(move || {
        let (text, limit) = (filter.get(), count.get());
        let (id, here) = ctx
            .subscription
            .with(|s| (s.id.clone(), drawn_here(s, &text, limit)));
        async move {
            if here {
                return Ok(None);
            }
            let found = api::holders(&id, &text, limit).await?;
            Ok(Some(((text, limit), found)))
        }
    });
    let shown = Memo::new(move |_| {
        let (text, limit) = (filter.get(), count.get());
        let failed = found.with(|answer| matches!(answer, Some(Err(_))));
        ctx.subscription.with(|s| {
            if drawn_here(s, &text, limit) {
                let (users, total) = holders_shown(&s.assigned_users, &text, limit as usize);
                let total = if s.lists_every_holder() {
                    total
                } else {
                    s.assigned_count as usize
                };
                return Shown {
                    users,
                    total,
                    answers: (text, limit),
                    failed: false,
                };
            }
            if failed {
                return Shown {
                    users: Vec::new(),
                    total: 0,
                    answers: (text, limit),
                    failed: true,
                };
            }
            match found.latest().flatten() {
                Some((answers, found)) => Shown {
                    users: found.data,
                    total: found.total_count as usize,
                    answers,
                    failed: false,
                },
                // The first answer is on its way: the first screen stays.
                None => Shown {
                    users: s.assigned_users.clone(),
                    total: s.assigned_count as usize,
                    answers: (String::new(), HOLDERS_AT_ONCE),
                    failed: false,
                },
            }
        })
    });
    // The rows answer another filter or count than asked for: the server's answer is coming.
    let busy = move || {
        shown.with(|shown| shown.answers.0 != *filter.read() || shown.answers.1 != count.get())
    };
    let assigned = move || shown.with(|shown| shown.users.clone());
    let can_show_more = move || {
        shown.with(|shown| !shown.failed && shown.users.len() < shown.total)
            && (ctx.subscription.with(Subscription::lists_every_holder)
                || count.get() < MOST_HOLDERS_LISTED)
    };
    let can_assign = move || {
        // Suspended: licences are kept, but no new ones until the bill is paid.
        ctx.subscription
            .with(|s| s.status != SubscriptionStatus::Suspended && !has_ended(s.status))
    };
    let remove = Mutation::new(move |user: &UserRef| {
        let (user, id) = (user.clone(), ctx.id());
        async move {
            let sub = api::unassign(&id, &user.id).await?;
            ctx.updated(sub, fill(t(Msg::LicenceRemoved), &[&user.name]));
            Ok(())
        }
    });
    view! {
        <section class="section" aria-labelledby="licences-heading">
            <h2 id="licences-heading">{t(Msg::LicencesHeading)}</h2>
            <InlineError message=failure_of(remove) />
            <Show when=many>
                <div class="field">
                    <label for="holder-filter">{t(Msg::FindLicenceHolder)}</label>
                    <input id="holder-filter" type="search" data-testid="holder-filter"
                        aria-describedby="holders-shown"
                        prop:value=move || filter.get()
                        on:input:target=move |ev| {
                            filter.set(ev.target().value());
                            count.set(HOLDERS_AT_ONCE);
                        } />
                    <InlineError message=Signal::derive(move || found.failure_text()) testid="holder-filter-error" />
                </div>
            </Show>
            <Show when=move || held() == 0>
                <p class="empty-state" data-testid="assigned-users-empty">{t(Msg::NobodyHasLicence)}</p>
            </Show>
            // Hidden, not removed, while empty: a removal's focus and the rows' keys survive.
            // `data-rows-for`: the filter the rows answer (the licence-list bench waits for it).
            <div class="table-wrap" hidden=move || held() == 0>
                <table class="data-table" data-testid="assigned-users"
                    aria-busy=move || busy().then_some("true")
                    data-rows-for=move || shown.with(|shown| shown.answers.0.clone())>
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
                                        // `elementtiming`: the browser reports when the first holder was
                                        // painted (the licence-list bench's first screen).
                                        <th scope="row" {..custom_attribute("elementtiming", "licence-holder")}>{user.name.clone()}</th>
                                        <td>{user.email.clone()}</td>
                                        <td class="numeric">
                                            <button type="button" class="link-button" aria-label=label
                                                aria-disabled=move || remove.with_input(|u| u.is_some_and(|u| u.id == id)).then_some("true")
                                                on:click=move |_| { remove.dispatch(target.clone()); }>
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
            <Show when=many>
                <p id="holders-shown" role="status" data-testid="holders-shown">
                    {move || shown.with(|shown| (!shown.failed).then(|| {
                        fill(t(Msg::HoldersShown), &[&format::count(shown.users.len() as u64), &format::count(shown.total as u64)])
                    }))}
                </p>
                <Show when=can_show_more>
                    <button type="button" class="button button-secondary" data-testid="show-more"
                        on:click=move |_| count.update(|n| *n += HOLDERS_AT_ONCE)>
                        {t(Msg::ShowMore)}
                    </button>
                </Show>
                <Show when=move || !can_show_more() && shown.with(|shown| !shown.failed && shown.users.len() < shown.total)>
                    <p class="hint" data-testid="narrow-holder-filter">{t(Msg::NarrowHolderFilter)}</p>
                </Show>
            </Show>
            <Show when=can_assign>
                // Below the first screen of holders: drawn once that has been painted.
                <AfterPaint>
                    <AssignForm />
                </AfterPaint>
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

#[cfg(test)]
mod tests {
    use super::{HOLDERS_AT_ONCE, holders_shown};
    const AT_ONCE: usize = HOLDERS_AT_ONCE as usize;
    use selfserve_api::subscription::UserRef;

    fn people(n: usize) -> Vec<UserRef> {
        (0..n)
            .map(|i| UserRef {
                id: format!("usr_{i}"),
                email: format!("person{i}@contoso.com"),
                name: if i % 2 == 0 {
                    format!("Megan Bowen {i}")
                } else {
                    format!("Alex Wilber {i}")
                },
            })
            .collect()
    }

    #[test]
    fn a_big_list_draws_one_screen_and_counts_the_rest() {
        let users = people(10_000);
        let (shown, total) = holders_shown(&users, "", AT_ONCE);
        assert_eq!(shown.len(), AT_ONCE);
        assert_eq!(total, 10_000);
        assert_eq!(shown[0].id, "usr_0");
        let (more, _) = holders_shown(&users, "", 2 * AT_ONCE);
        assert_eq!(more.len(), 2 * AT_ONCE);
    }

    #[test]
    fn the_filter_matches_every_word_in_name_or_email_in_any_case() {
        let users = people(200);
        let (shown, total) = holders_shown(&users, "  MEGAN  person1", 1_000);
        assert!(shown.iter().all(|u| u.name.starts_with("Megan")));
        assert!(shown.iter().all(|u| u.email.starts_with("person1")));
        assert_eq!(total, shown.len());
        // person10, 12, …, 18, 100, 102, …, 198: the even ones starting with "person1".
        assert_eq!(total, 5 + 50);
        assert_eq!(holders_shown(&users, "nobody", 50).1, 0);
    }
}
