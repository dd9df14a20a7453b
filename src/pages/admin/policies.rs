//! Capacity per product, and the self-service purchase policies (global admins change them;
//! billing admins and partners see them).

use super::use_admin;
use crate::api;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::admin::{CapacityEntry, Policy, PolicyEntry};

/// The words for a policy value.
fn policy_text(value: Policy) -> &'static str {
    t(match value {
        Policy::Enabled => Msg::PolicyEnabled,
        Policy::Disabled => Msg::PolicyDisabled,
        Policy::OnlyTrialsWithoutPaymentMethod => Msg::PolicyTrialsOnly,
    })
}

#[component]
pub fn Capacity() -> impl IntoView {
    let ctx = use_admin();
    let rows = RwSignal::new(Vec::<CapacityEntry>::new());
    Effect::new(move |_| {
        ctx.version.track();
        let Some(domain) = ctx.domain() else { return };
        spawn_local(async move {
            if let Ok(list) = api::capacity(&domain).await {
                rows.set(list.data);
            }
        });
    });
    view! {
        <section class="section" aria-labelledby="capacity-heading">
            <h2 id="capacity-heading">{t(Msg::Capacity)}</h2>
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
                        <For each=move || rows.get() key=|r| format!("{:?}", r) let:row>
                            <tr>
                                <th scope="row">{row.product_name.clone()}</th>
                                <td class="numeric">{row.self_service.seats}</td>
                                <td class="numeric">{row.self_service.assigned}</td>
                                <td class="numeric">{row.self_service.free}</td>
                                <td class="numeric">{row.central.seats}</td>
                                <td class="numeric">{row.central.assigned}</td>
                                <td class="numeric">{row.central.free}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn Policies() -> impl IntoView {
    let ctx = use_admin();
    let rows = RwSignal::new(Vec::<PolicyEntry>::new());
    let error = RwSignal::new(None::<String>);
    let may_change = move || {
        ctx.organization
            .with(|o| o.as_ref().is_some_and(|o| o.can_change_policy))
    };
    Effect::new(move |_| {
        ctx.version.track();
        let Some(domain) = ctx.domain() else { return };
        spawn_local(async move {
            if let Ok(list) = api::policies(&domain).await {
                rows.set(list.data);
            }
        });
    });
    let change = move |product: String, value: Policy| {
        let Some(domain) = ctx.domain() else { return };
        error.set(None);
        spawn_local(async move {
            match api::set_policy(&domain, &product, value).await {
                Ok(entry) => ctx.changed(fill(
                    t(Msg::PolicyChanged),
                    &[&entry.product.to_string(), policy_text(entry.value)],
                )),
                Err(failure) => error.set(Some(
                    failure
                        .message()
                        .unwrap_or(t(Msg::NetworkFailed))
                        .to_owned(),
                )),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="policies-heading">
            <h2 id="policies-heading">{t(Msg::Policies)}</h2>
            <p>{move || if may_change() { t(Msg::PoliciesIntro) } else { t(Msg::PoliciesReadOnly) }}</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="table-wrap">
                <table class="data-table" data-testid="policies">
                    <thead><tr><th scope="col">{t(Msg::Product)}</th><th scope="col">{t(Msg::SelfServicePurchase)}</th></tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|entry| {
                            let product = entry.product.to_string();
                            let label = format!("policy-{product}");
                            let current = entry.value.clone();
                            view! {
                                <tr>
                                    <th scope="row"><label for=label.clone()>{product.clone()}</label></th>
                                    <td>
                                        <Show when=may_change fallback={
                                            let current = current.clone();
                                            move || view! { <span data-testid=format!("policy-value-{}", entry.product)>{policy_text(current)}</span> }
                                        }>
                                            {
                                                let product = product.clone();
                                                let current = current.clone();
                                                view! {
                                                    <select id=label.clone() data-testid=format!("policy-{product}")
                                                        on:change:target=move |ev| {
                                                            if let Ok(value) = ev.target().value().parse::<Policy>() {
                                                                change(product.clone(), value);
                                                            }
                                                        }>
                                                        {Policy::ALL.iter().map(|value| view! {
                                                            <option value=value.as_str() selected=current == *value>{policy_text(*value)}</option>
                                                        }).collect_view()}
                                                    </select>
                                                }
                                            }
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
