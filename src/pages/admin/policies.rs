//! Capacity per product, and the self-service purchase policies (global admins change them;
//! billing admins and partners see them).

use super::use_admin;
use crate::api;
use crate::components::error_panel::InlineError;
use crate::components::loaded::Loaded;
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::admin::{CapacityEntry, Policy, PolicyEntry};

/// The words for a policy value.
pub fn policy_text(value: Policy) -> &'static str {
    t(match value {
        Policy::Enabled => Msg::PolicyEnabled,
        Policy::Disabled => Msg::PolicyDisabled,
        Policy::OnlyTrialsWithoutPaymentMethod => Msg::PolicyTrialsOnly,
    })
}

#[component]
pub fn Capacity() -> impl IntoView {
    let ctx = use_admin();
    let rows = ctx.read(|domain| async move { api::capacity(&domain).await.map(|list| list.data) });
    view! {
        <section class="section" aria-labelledby="capacity-heading">
            <h2 id="capacity-heading">{t(Msg::Capacity)}</h2>
            <Loaded read=rows view={|rows: Vec<CapacityEntry>| view! {
                <div class="table-wrap">
                    <table class="data-table" data-testid="capacity">
                        <thead>
                            <tr>
                                <th scope="col" rowspan="2">{t(Msg::Product)}</th>
                                <th scope="colgroup" colspan="3">{t(Msg::SelfService)}</th>
                                <th scope="colgroup" colspan="3">{t(Msg::Central)}</th>
                            </tr>
                            <tr>
                                <th scope="col" class="numeric">{t(Msg::Bought)}</th>
                                <th scope="col" class="numeric">{t(Msg::Assigned)}</th>
                                <th scope="col" class="numeric">{t(Msg::Free)}</th>
                                <th scope="col" class="numeric">{t(Msg::Bought)}</th>
                                <th scope="col" class="numeric">{t(Msg::Assigned)}</th>
                                <th scope="col" class="numeric">{t(Msg::Free)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! {
                                <tr>
                                    <th scope="row">{row.product_name}</th>
                                    <td class="numeric">{row.self_service.seats}</td>
                                    <td class="numeric">{row.self_service.assigned}</td>
                                    <td class="numeric">{row.self_service.free}</td>
                                    <td class="numeric">{row.central.seats}</td>
                                    <td class="numeric">{row.central.assigned}</td>
                                    <td class="numeric">{row.central.free}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()} />
        </section>
    }
}

#[component]
pub fn Policies() -> impl IntoView {
    let ctx = use_admin();
    let rows = ctx.read(|domain| async move { api::policies(&domain).await.map(|list| list.data) });
    let may_change = move || ctx.organization.with(|o| o.can_change_policy);
    view! {
        <section class="section" aria-labelledby="policies-heading">
            <h2 id="policies-heading">{t(Msg::Policies)}</h2>
            <p>{move || if may_change() { t(Msg::PoliciesIntro) } else { t(Msg::PoliciesReadOnly) }}</p>
            <InlineError message=failure_of(ctx.set_policy) />
            <Loaded read=rows view={move |rows: Vec<PolicyEntry>| view! {
                <div class="table-wrap">
                    <table class="data-table" data-testid="policies">
                        <thead><tr><th scope="col">{t(Msg::Product)}</th><th scope="col">{t(Msg::SelfServicePurchase)}</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|PolicyEntry { product, value: current }| {
                                let label = format!("policy-{product}");
                                view! {
                                    <tr>
                                        <th scope="row"><label for=label.clone()>{product.as_str()}</label></th>
                                        <td>
                                            <Show when=may_change fallback=move || view! {
                                                <span data-testid=format!("policy-value-{product}")>{policy_text(current)}</span>
                                            }>
                                                <select id=label.clone() data-testid=format!("policy-{product}")
                                                    on:change:target=move |ev| {
                                                        if let Ok(value) = ev.target().value().parse::<Policy>() {
                                                            ctx.set_policy.dispatch((product, value));
                                                        }
                                                    }>
                                                    {Policy::ALL.iter().map(|value| view! {
                                                        <option value=value.as_str() selected=current == *value>{policy_text(*value)}</option>
                                                    }).collect_view()}
                                                </select>
                                            </Show>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()} />
        </section>
    }
}
