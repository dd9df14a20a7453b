//! Capacity per product, and the self-service purchase policies (global admins change them;
//! billing admins and partners see them).

use super::use_admin;
use crate::api;
use crate::components::error_panel::InlineError;
use crate::components::loaded::Loaded;
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, fill, product_name, t};
use leptos::prelude::*;
use selfserve_api::admin::{CapacityEntry, Policy, PolicyEntry, PolicyUpdate};
use selfserve_api::guardrails::{LimitChange, LimitKind, SeatLimit, SpendCap};
use selfserve_api::money::{Currency, Money};
use selfserve_api::product::ProductId;

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
            <Loaded read=rows view={|rows: Vec<CapacityEntry>| if rows.is_empty() {
                view! { <p class="empty-state" data-testid="capacity-empty">{t(Msg::NoCapacity)}</p> }.into_any()
            } else { view! {
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
            }.into_any() }} />
        </section>
    }
}

#[component]
pub fn Policies() -> impl IntoView {
    let ctx = use_admin();
    let rows = ctx.read(|domain| async move { api::policies(&domain).await.map(|list| list.data) });
    let may_change = move || ctx.organization.with(|o| o.can_change_policy);
    // The product last saved: its row shows the answer beside its Save button. Outside the
    // read, so it survives the table being drawn again with the saved state.
    let saved = RwSignal::new(None::<ProductId>);
    view! {
        <section class="section" aria-labelledby="policies-heading">
            <h2 id="policies-heading">{t(Msg::Policies)}</h2>
            <p>{move || if may_change() { t(Msg::PoliciesIntro) } else { t(Msg::PoliciesReadOnly) }}</p>
            <Loaded read=rows view={move |rows: Vec<PolicyEntry>| view! {
                <div class="table-wrap">
                    <table class="data-table" data-testid="policies">
                        <thead><tr><th scope="col">{t(Msg::Product)}</th><th scope="col">{t(Msg::SelfServicePurchase)}</th></tr></thead>
                        <tbody>
                            {rows.iter().map(|&PolicyEntry { product, value: current, .. }| {
                                view! {
                                    <tr>
                                        <th scope="row"><label for=format!("policy-{product}")>{product_name(product)}</label></th>
                                        <td>
                                            <Show when=may_change fallback=move || view! {
                                                <span data-testid=format!("policy-value-{product}")>{policy_text(current)}</span>
                                            }>
                                                <PolicyChoice product current saved />
                                            </Show>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{t(Msg::LimitsHeading)}</h3>
                {rows.first().map(|first| view! {
                    <p>{fill(t(Msg::LimitsIntro), &[&first.currency.to_uppercase()])}</p>
                })}
                <InlineError message=failure_of(ctx.set_limits) />
                {rows.into_iter().map(|entry| view! { <Limits entry may_change /> }).collect_view()}
            }.into_any()} />
        </section>
    }
}

/// One product's policy: choosing does nothing until "Save" (a policy turns buying off for a
/// whole organisation: not something to do by moving through a list with the arrow keys); the
/// answer is shown beside the button, where the admin is.
#[component]
fn PolicyChoice(
    product: ProductId,
    current: Policy,
    saved: RwSignal<Option<ProductId>>,
) -> impl IntoView {
    let ctx = use_admin();
    let chosen = RwSignal::new(current);
    let save = NodeRef::<leptos::html::Button>::new();
    let pending = move || {
        ctx.set_policy
            .with_input(|i| i.is_some_and(|(p, _)| *p == product))
    };
    let here = move || saved.get() == Some(product);
    let failure = failure_of(ctx.set_policy);
    let status = move || {
        (here() && !pending())
            .then(|| {
                failure
                    .get()
                    .is_none()
                    .then(|| ctx.policy_flash.get())
                    .flatten()
            })
            .flatten()
    };
    // The table is drawn again with the saved state: the Save button that had focus is a new
    // one, so focus goes to it (not to the page's start).
    if saved.get_untracked() == Some(product) {
        request_animation_frame(move || {
            let lost = document()
                .active_element()
                .is_none_or(|e| e.tag_name() == "BODY");
            if let (true, Some(button)) = (lost, save.get_untracked()) {
                let _ = button.focus();
            }
        });
    }
    let status_id = format!("policy-status-{product}");
    view! {
        <div class="policy-save">
            <select id=format!("policy-{product}") data-testid=format!("policy-{product}")
                on:change:target=move |ev| {
                    if let Ok(value) = ev.target().value().parse::<Policy>() {
                        chosen.set(value);
                    }
                }>
                {Policy::ALL.iter().map(|value| view! {
                    <option value=value.as_str() selected=current == *value>{policy_text(*value)}</option>
                }).collect_view()}
            </select>
            <button type="button" class="button button-secondary" node_ref=save
                data-testid=format!("policy-save-{product}")
                aria-label=fill(t(Msg::SavePolicyFor), &[product_name(product)])
                aria-describedby=status_id.clone()
                aria-disabled=move || pending().then_some("true")
                on:click=move |_| {
                    if !pending() {
                        saved.set(Some(product));
                        ctx.set_policy.dispatch((product, chosen.get_untracked()));
                    }
                }>
                {t(Msg::SavePolicy)}
            </button>
            <div id=status_id.clone() class="policy-status" role="status" data-testid=status_id.clone()>
                {status}
                {move || here().then(|| view! { <InlineError message=failure /> })}
            </div>
        </div>
    }
}

/// One product's guardrails: three labelled boxes (empty: no limit) saved together.
#[component]
fn Limits(
    entry: PolicyEntry,
    may_change: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let ctx = use_admin();
    let product = entry.product;
    let currency = entry.currency;
    let limits = entry.guardrails;
    let per_purchase = RwSignal::new(
        limits
            .max_seats_per_purchase
            .map(|l| l.get().to_string())
            .unwrap_or_default(),
    );
    let seats = RwSignal::new(
        limits
            .max_seats
            .map(|l| l.get().to_string())
            .unwrap_or_default(),
    );
    let cap = RwSignal::new(
        limits
            .monthly_cap
            .map(|c| amount_text(c.get(), currency))
            .unwrap_or_default(),
    );
    let errors = RwSignal::new([None::<&'static str>; 3]);
    let pending = ctx.set_limits.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let seat_change = |text: String, kind| match text.trim() {
            "" => Ok(LimitChange::Clear),
            text => text
                .parse::<i64>()
                .ok()
                .and_then(|n| SeatLimit::new(n, kind).ok())
                .map(LimitChange::Set)
                .ok_or(t(Msg::LimitNotWholeNumber)),
        };
        let cap_change = match cap.get_untracked().trim() {
            "" => Ok(LimitChange::Clear),
            text => Money::parse(text, currency)
                .ok()
                .and_then(|m| SpendCap::new(m.amount).ok())
                .map(LimitChange::Set)
                .ok_or(t(Msg::LimitNotAmount)),
        };
        let per = seat_change(per_purchase.get_untracked(), LimitKind::MaxSeatsPerPurchase);
        let all = seat_change(seats.get_untracked(), LimitKind::MaxSeats);
        errors.set([per.err(), all.err(), cap_change.err()]);
        if let (Ok(per), Ok(all), Ok(cap)) = (per, all, cap_change) {
            ctx.set_limits.submit((
                product,
                PolicyUpdate {
                    value: None,
                    max_seats_per_purchase: per,
                    max_seats: all,
                    monthly_cap: cap,
                },
            ));
        }
    };
    let field = move |index: usize,
                      name: &'static str,
                      label: Msg,
                      value: RwSignal<String>,
                      numeric: bool| {
        let id = format!("limit-{name}-{product}");
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        let invalid = move || errors.with(|e| e[index].is_some());
        view! {
            <div class="field" class:field-invalid=invalid>
                <label for=id.clone()>{t(label)}</label>
                <p class="hint" id=hint_id.clone()>{t(Msg::NoLimit)}": "{t(Msg::LimitsEmpty)}</p>
                {move || errors.with(|e| e[index]).map(|message| view! {
                    <p class="field-error" id=error_id.clone() role="alert">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                    </p>
                })}
                <input id=id.clone() type="text" class="input-short" autocomplete="off"
                    inputmode=if numeric { "numeric" } else { "decimal" }
                    data-testid=id.clone()
                    disabled=move || !may_change()
                    prop:value=move || value.get()
                    on:input:target=move |ev| value.set(ev.target().value())
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby={
                        let (hint_id, error_id) = (hint_id.clone(), format!("{id}-error"));
                        move || if invalid() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
                    } />
            </div>
        }
    };
    view! {
        <form novalidate on:submit=submit data-testid=format!("limits-{product}")>
            <fieldset>
                <legend>{product_name(product)}</legend>
                {field(0, "per-purchase", Msg::LimitMaxSeatsPerPurchase, per_purchase, true)}
                {field(1, "seats", Msg::LimitMaxSeats, seats, true)}
                {field(2, "monthly-cap", Msg::LimitMonthlyCap, cap, false)}
                <Show when=may_change>
                    <button type="submit" class="button button-secondary" data-testid=format!("limits-save-{product}")
                        aria-disabled=move || pending.get().then_some("true")>
                        {t(Msg::SaveLimits)}
                    </button>
                </Show>
            </fieldset>
        </form>
    }
}

/// Minor units as the plain amount a person types back (`1500.00` for USD 1,500).
fn amount_text(minor: i64, currency: Currency) -> String {
    let plain = Money::new(minor, currency).to_plain_string();
    plain
        .split_once(' ')
        .map(|(_, amount)| amount.to_owned())
        .unwrap_or(plain)
}
