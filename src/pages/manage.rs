//! `/manage`: the subscriptions you bought, in one dense table.

use crate::api;
use crate::components::loaded::{Loaded, Query};
use crate::components::more_pages::{MorePages, ShowMore};
use crate::components::price;
use crate::components::sign_in_gate::SignInGate;
use crate::components::status_badge::{StatusBadge, is_ending};
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ManagePage() -> impl IntoView {
    view! {
        <SignInGate heading=t(Msg::MySubscriptions)>
            <SubscriptionList />
        </SignInGate>
    }
}

#[component]
fn SubscriptionList() -> impl IntoView {
    let list = Query::new(|| api::my_subscriptions(None));
    view! {
        <section class="page" aria-labelledby="manage-heading">
            <h1 id="manage-heading">{t(Msg::MySubscriptions)}</h1>
            <p class="lead">{t(Msg::ManageIntro)}</p>
            <Loaded read=list view=move |list| {
                let more = MorePages::new(|after| api::my_subscriptions(Some(after)));
                more.start_after(&list);
                let first = list.data;
                if first.is_empty() {
                    return view! {
                        <div class="panel" data-testid="no-subscriptions">
                            <p>{t(Msg::NoSubscriptions)}</p>
                            <A href="/" attr:class="button">{t(Msg::BrowseProducts)}</A>
                        </div>
                    }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="subscriptions">
                            <caption class="visually-hidden">{t(Msg::MySubscriptions)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{t(Msg::Product)}</th>
                                    <th scope="col">{t(Msg::Licences)}</th>
                                    <th scope="col">{t(Msg::Status)}</th>
                                    <th scope="col">{t(Msg::RenewsOrEnds)}</th>
                                    <th scope="col" class="numeric">{t(Msg::PricePerLicence)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || first.iter().cloned().chain(more.rows()).map(|sub| {
                                    let ends = is_ending(&sub);
                                    let date = format::date(sub.current_period_end, None);
                                    let per_licence = price::per_licence(&sub);
                                    let name = sub.product_name.clone();
                                    view! {
                                        <tr data-testid=format!("row-{}", sub.id) data-row=sub.id.clone() tabindex="-1">
                                            <th scope="row"><A href=format!("/manage/{}", sub.id)>{name}</A></th>
                                            <td>{fill(t(Msg::SeatsAssignedOf), &[&format::count(sub.assigned_count.into()), &format::count(sub.quantity.into())])}</td>
                                            <td><StatusBadge status=sub.status /></td>
                                            <td>{if ends { fill(t(Msg::EndsOn), &[&date]) } else { fill(t(Msg::RenewsOnShort), &[&date]) }}</td>
                                            <td class="numeric" data-testid="price">{per_licence}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <ShowMore more />
                }.into_any()
            } />
        </section>
    }
}
