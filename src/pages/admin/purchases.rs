//! The organisation's subscriptions in one dense, sortable table, with its details (order
//! history, the first licence holders) and the take-over actions. The server searches, filters
//! and sorts (`GET /admin/subscriptions`) and sends a page at a time: a big organisation's
//! 10,000 purchases are one page to read, and "Show more" reads the next.

use super::{RowAction, use_admin};
use crate::api::{self, PurchaseListing};
use crate::components::dispute_notice::dispute_text;
use crate::components::error_panel::ErrorPanel;
use crate::components::loaded::Query;
use crate::components::more_pages::{MorePages, ShowMore};
use crate::components::mutation::failure_of;
use crate::components::status_badge::{StatusBadge, has_ended, is_ending};
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use selfserve_api::List;
use selfserve_api::admin::TakeOverCancel;
use selfserve_api::subscription::{Source, Subscription};

/// The table's columns, which a details row spans.
const COLUMNS: u32 = 8;

/// A column the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Product,
    Purchaser,
    Seats,
    Expiry,
    Price,
}

impl Column {
    /// The server's name for it (`?sort=`): the same orders the table's headers promise.
    const fn key(self) -> &'static str {
        match self {
            Column::Product => "product",
            Column::Purchaser => "purchaser",
            Column::Seats => "quantity",
            Column::Expiry => "expiry",
            Column::Price => "price",
        }
    }
}

/// What a first page answers: the organisation and the listing.
type Asked = (String, PurchaseListing);
/// A first page and what it answers.
type Answered = (Asked, List<Subscription>);

#[component]
pub fn Purchases() -> impl IntoView {
    let ctx = use_admin();
    let source = RwSignal::new(None::<Source>);
    let query = RwSignal::new(String::new());
    let sorting = RwSignal::new((Column::Expiry, true));
    let listing = Memo::new(move |_| {
        let (column, ascending) = sorting.get();
        PurchaseListing {
            source: source.get(),
            words: query.get(),
            sort: column.key(),
            ascending,
        }
    });
    let more = MorePages::new(move |after| {
        let (domain, listing) = (ctx.domain(), listing.get_untracked());
        async move { api::admin_subscriptions(&domain, &listing, Some(after)).await }
    });
    // Read again when the toolbar or the organisation changes, and after each change made
    // here.
    let first = ctx.read(move |domain| {
        let listing = listing.get();
        async move {
            let page = api::admin_subscriptions(&domain, &listing, None).await?;
            Ok(((domain, listing), page))
        }
    });
    // The later pages start again from each first page shown (not from each one read: an
    // answer overtaken by a newer read is never shown). Effects run before the browser
    // paints, so rows of an older listing are never seen under the new first page. The same
    // listing read again (after a change made here) keeps as many rows as were shown.
    Effect::new(move |shown_before: Option<Option<Asked>>| {
        first.with(|answer| {
            let Some(Ok((answered, page))) = answer else {
                return shown_before.flatten();
            };
            if shown_before.flatten().as_ref() == Some(answered) {
                more.read_again_after(page);
            } else {
                more.start_after(page);
            }
            Some(answered.clone())
        })
    });
    let filters = Filters {
        source,
        query,
        sorting,
    };

    let failure = failure_of(ctx.take_over);
    view! {
        <section class="section" aria-labelledby="purchases-heading">
            <h2 id="purchases-heading">{t(Msg::Purchases)}</h2>
            <div class="toolbar">
                <div class="field">
                    <label for="purchase-source">{t(Msg::Show)}</label>
                    <select id="purchase-source" data-testid="purchase-source"
                        on:change:target=move |ev| source.set(ev.target().value().parse().ok())>
                        <option value="">{t(Msg::AllPurchases)}</option>
                        <option value=Source::SelfService.as_str()>{t(Msg::SelfService)}</option>
                        <option value=Source::Central.as_str()>{t(Msg::Central)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="purchase-search">{t(Msg::Search)}</label>
                    <input id="purchase-search" type="search" data-testid="purchase-search"
                        prop:value=move || query.get()
                        on:input:target=move |ev| query.set(ev.target().value()) />
                </div>
                <a class="button button-secondary" data-testid="export-csv" download
                    href=move || api::export_csv_url(&ctx.domain(), source.get(), &query.get())>
                    {t(Msg::ExportCsv)}
                </a>
            </div>
            {move || failure.get().map(|e| view! { <p class="notice notice-error" role="alert" data-testid="purchases-error">{e}</p> })}
            {move || first.with(|answer| answer.is_none()).then(|| view! {
                <p class="loading" role="status" data-testid="loading">{t(Msg::Loading)}</p>
            })}
            {move || first.with(|answer| match answer {
                Some(Err(failure)) => Some(failure.clone()),
                _ => None,
            }).map(|failure| view! {
                <ErrorPanel failure on_retry=Callback::new(move |()| first.refetch()) />
            })}
            <Table first more listing filters />
            <ShowMore more />
            <p class="fine-print">{t(Msg::TakeOverExplain)}</p>
        </section>
    }
}

/// What the toolbar chose: which rows, in what order.
#[derive(Debug, Clone, Copy)]
struct Filters {
    source: RwSignal<Option<Source>>,
    query: RwSignal<String>,
    sorting: RwSignal<(Column, bool)>,
}

#[component]
fn Table(
    first: Query<Answered>,
    more: MorePages,
    listing: Memo<PurchaseListing>,
    filters: Filters,
) -> impl IntoView {
    let ctx = use_admin();
    let Filters {
        source,
        query,
        sorting,
    } = filters;
    // Another row's change may start while one runs; the same row's may not.
    let act = move |id: String, action: RowAction| {
        if !ctx
            .take_over
            .with_input(|running| running.is_some_and(|(busy, _)| *busy == id))
        {
            ctx.take_over.dispatch((id, action));
        }
    };
    let shown = move || {
        let mut rows = first
            .latest()
            .map(|(_, page)| page.data)
            .unwrap_or_default();
        // While the later pages are read again after a change, the ones shown before stay
        // below the new first page, which may now hold some of their rows.
        let later: Vec<Subscription> = more
            .rows()
            .into_iter()
            .filter(|sub| !rows.iter().any(|shown| shown.id == sub.id))
            .collect();
        rows.extend(later);
        rows
    };
    // The rows answer another listing than the toolbar's: the server's answer is coming.
    let busy = move || {
        first.with(|answer| match answer {
            Some(Ok(((_, answered), _))) => *answered != listing.get(),
            _ => false,
        })
    };
    // Nothing bought at all, or nothing the toolbar lets through: a sentence, not a table of
    // headers (the table stays, hidden, so a focused sort button is not rebuilt).
    let none_shown =
        move || first.with(|answer| matches!(answer, Some(Ok((_, page))) if page.data.is_empty()));
    let unfiltered = move || source.get().is_none() && query.read().trim().is_empty();
    let header = move |column: Column, label: &'static str| {
        let aria = move || {
            let (current, ascending) = sorting.get();
            if current != column {
                "none"
            } else if ascending {
                "ascending"
            } else {
                "descending"
            }
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort-button"
                    on:click=move |_| sorting.update(|(c, a)| {
                        if *c == column { *a = !*a } else { *c = column; *a = true }
                    })>
                    {label}
                    <span aria-hidden="true">{move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        {move || none_shown().then(|| view! {
            <p class="empty-state" data-testid="purchases-empty">
                {if unfiltered() { t(Msg::NoPurchasesYet) } else { t(Msg::NoPurchasesMatch) }}
            </p>
        })}
        <div class="table-wrap" hidden=move || none_shown() || !first.with(|answer| matches!(answer, Some(Ok(_))))>
            <table class="data-table" data-testid="purchases"
                aria-busy=move || busy().then_some("true")>
                <caption class="visually-hidden">{t(Msg::Purchases)}</caption>
                <thead><tr>
                    {header(Column::Product, t(Msg::Product))}
                    <th scope="col">{t(Msg::Source)}</th>
                    {header(Column::Purchaser, t(Msg::Purchaser))}
                    {header(Column::Seats, t(Msg::Licences))}
                    <th scope="col">{t(Msg::Status)}</th>
                    {header(Column::Expiry, t(Msg::Expiry))}
                    {header(Column::Price, t(Msg::PurchasePrice))}
                    <th scope="col">{t(Msg::Details)}</th>
                </tr></thead>
                <tbody>
                    {move || shown().into_iter().map(|sub| {
                        let id = sub.id.clone();
                        let (id_take, id_ask) = (id.clone(), id.clone());
                        let busy = move || ctx.take_over.with_input(|b| b.is_some_and(|(p, _)| *p == id));
                        let self_service = sub.source == Source::SelfService;
                        let asked = sub.cancel_requested_at.is_some();
                        let ended = has_ended(sub.status);
                        let ending = is_ending(&sub);
                        let date = format::date(sub.current_period_end, None);
                        let cancel = RwSignal::new(TakeOverCancel::AskPurchaser);
                        let choice_name = format!("take-over-cancel-{}", sub.id);
                        let choices = [
                            (TakeOverCancel::AskPurchaser, Msg::LeaveRunning),
                            (TakeOverCancel::AtPeriodEnd, Msg::CancelAtPeriodEnd),
                            (TakeOverCancel::NowWithRefund, Msg::CancelNowWithRefund),
                        ];
                        let open = RwSignal::new(false);
                        let details_id = format!("details-{}", sub.id);
                        let details_label = fill(t(Msg::DetailsOf), &[&sub.product_name, &sub.purchaser.name]);
                        let price = crate::components::price::trial_text(&sub).unwrap_or_else(|| fill(t(Msg::PricePerMonth), &[
                            &format::money(sub.unit_amount * i64::from(sub.quantity), sub.currency, None),
                            &format::money(sub.unit_amount, sub.currency, None),
                        ]));
                        view! {
                            <tr data-testid="purchase-row" data-source=sub.source.as_str() data-row=sub.id.clone() tabindex="-1">
                                <th scope="row">{sub.product_name.clone()}</th>
                                <td>{if self_service { t(Msg::SelfService) } else { t(Msg::Central) }}</td>
                                <td>{sub.purchaser.name.clone()}<br/><span class="muted">{sub.purchaser.email.clone()}</span></td>
                                <td class="numeric">{fill(t(Msg::SeatsAssignedOf), &[&format::count(sub.assigned_count.into()), &format::count(sub.quantity.into())])}</td>
                                <td>
                                    <StatusBadge status=sub.status />
                                    // Visible without opening the details: a chargeback is worth a glance.
                                    {sub.dispute.as_ref().map(|dispute| view! {
                                        <p class="muted" role="note" data-testid="dispute-notice">{dispute_text(dispute)}</p>
                                    })}
                                </td>
                                <td data-testid="expiry">{if ending { fill(t(Msg::EndsOn), &[&date]) } else { date }}</td>
                                <td class="numeric" data-testid="purchase-price">{price}</td>
                                <td>
                                    <button type="button" class="link-button details-toggle" data-testid="details-toggle"
                                        aria-expanded=move || if open.get() { "true" } else { "false" }
                                        aria-controls=details_id.clone()
                                        aria-label=details_label
                                        on:click=move |_| open.update(|o| *o = !*o)>
                                        {t(Msg::Details)}
                                    </button>
                                </td>
                            </tr>
                            // A row of its own below the purchase, as wide as the table: the
                            // details and the take-over choices are too much for one cell.
                            <tr class="details-row" id=details_id data-testid="purchase-details"
                                data-source=sub.source.as_str() hidden=move || !open.get()>
                                <td colspan=COLUMNS.to_string()>
                                    <h3 class="details-title">{t(Msg::AssignedUsers)}</h3>
                                    {if sub.assigned_users.is_empty() {
                                        view! { <p class="empty-state" data-testid="details-users-empty">{t(Msg::NobodyHasLicence)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain-list" data-testid="details-users">
                                                {sub.assigned_users.iter().map(|u| view! { <li>{format!("{} ({})", u.name, u.email)}</li> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    // The first few only: the subscription's page (the link below) has them all.
                                    {(!sub.lists_every_holder()).then(|| view! {
                                        <p class="hint" data-testid="details-users-shown">
                                            {fill(t(Msg::HoldersShown), &[&format::count(sub.assigned_users.len() as u64), &format::count(sub.assigned_count.into())])}
                                        </p>
                                    })}
                                    <h3 class="details-title">{t(Msg::OrderHistory)}</h3>
                                    {if sub.orders.is_empty() {
                                        view! { <p class="empty-state" data-testid="details-orders-empty">{t(Msg::NoOrders)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain-list" data-testid="details-orders">
                                                {sub.orders.iter().map(|o| view! {
                                                    <li>{format!("{} · {} · {} · {}", format::date(o.created, None), o.kind, o.quantity, format::money(o.amount, o.currency, None))}</li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    <p><leptos_router::components::A href=format!("/manage/{}", sub.id) attr:data-testid="manage-licences">
                                        {t(Msg::ManageLicences)}
                                    </leptos_router::components::A></p>
                                    {(self_service && !ended).then(|| view! {
                                        <fieldset class="choices" data-testid="take-over-cancel">
                                            <legend>{t(Msg::TakeOverChoice)}</legend>
                                            {choices.into_iter().map(|(choice, label)| {
                                                let input_id = format!("{choice_name}-{}", choice.as_str());
                                                view! {
                                                    <div class="choice">
                                                        <input type="radio" id=input_id.clone() name=choice_name.clone()
                                                            value=choice.as_str()
                                                            prop:checked=move || cancel.get() == choice
                                                            on:change=move |_| cancel.set(choice) />
                                                        <label for=input_id>{t(label)}</label>
                                                    </div>
                                                }
                                            }).collect_view()}
                                        </fieldset>
                                        <div class="row-actions">
                                            <button type="button" class="button" data-testid="take-over"
                                                aria-disabled=move || busy().then_some("true")
                                                on:click=move |_| act(id_take.clone(), RowAction::TakeOver(cancel.get_untracked()))>{t(Msg::TakeOver)}</button>
                                            {(!asked && !ending).then(|| view! {
                                                <button type="button" class="button button-secondary" data-testid="ask-cancel"
                                                    on:click=move |_| act(id_ask.clone(), RowAction::AskToCancel)>{t(Msg::AskToCancel)}</button>
                                            })}
                                            {(asked && !ending).then(|| view! { <p class="muted" data-testid="cancel-asked">{t(Msg::CancelAlreadyAsked)}</p> })}
                                            {ending.then(|| view! { <p class="muted" data-testid="purchaser-cancelled">{t(Msg::PurchaserCancelled)}</p> })}
                                        </div>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
