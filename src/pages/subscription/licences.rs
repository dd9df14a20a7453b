//! Who holds a licence; giving licences by type-ahead search (several at once) or by pasting a
//! list of emails; taking one back. Assigning is all or nothing: without enough free licences
//! nobody is assigned, and the page offers to buy more.

mod assign;

use super::use_subscription;
use crate::api;
use crate::components::after_paint::AfterPaint;
use crate::components::error_panel::InlineError;
use crate::components::loaded::Query;
use crate::components::more_pages::{focus_next_frame, has_focus};
use crate::components::mutation::Mutation;
use crate::components::mutation::failure_of;
use crate::components::status_badge::has_ended;
use crate::format;
use crate::i18n::{Msg, fill, t};
use assign::AssignForm;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
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
    // "Show more" clicked while it had the focus: the row index the focus goes to once the
    // next holders are in (the button may be gone by then, with the last of them).
    let more_button = NodeRef::<leptos::html::Button>::new();
    let refocus = StoredValue::new(None::<usize>);
    Effect::new(move |_| {
        let (shown_rows, answered) = shown.with(|shown| (shown.users.len(), !busy()));
        let Some(first_new) = refocus.get_value() else {
            return;
        };
        if !answered || shown_rows <= first_new {
            return;
        }
        refocus.set_value(None);
        focus_next_frame(format!(
            "[data-testid=assigned-users] tbody tr:nth-child({})",
            first_new + 1
        ));
    });
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
                                    <tr tabindex="-1">
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
                    <button type="button" class="button button-secondary show-more" data-testid="show-more"
                        node_ref=more_button
                        on:click=move |_| {
                            if has_focus(more_button) {
                                refocus.set_value(Some(shown.with_untracked(|shown| shown.users.len())));
                            }
                            count.update(|n| *n += HOLDERS_AT_ONCE);
                        }>
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
