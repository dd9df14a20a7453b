//! Recording a subscription bought centrally, through the organisation's agreement, at a price
//! typed in the organisation's currency.

use super::{Change, use_admin};
use crate::api::{self, ApiFailure};
use crate::components::error_panel::InlineError;
use crate::components::loaded::{Loaded, Query};
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, fill, t};
use crate::session::use_session;
use leptos::prelude::*;
use selfserve_api::admin::CentralPurchaseRequest;
use selfserve_api::money::{Currency, Money};
use selfserve_api::product::ProductId;

#[component]
pub fn CentralPurchase() -> impl IntoView {
    let ctx = use_admin();
    let session = use_session();
    // The organisation's own country (or, for a partner, its customer's) sets the currency the
    // server prices it in; the catalogue for that country says which currency that is.
    let currency = Query::new(move || {
        let id = ctx.organization.with(|o| o.id.clone());
        let country = session.with_user(|user| {
            user.and_then(|user| {
                std::iter::once(&user.organization)
                    .chain(&user.delegated_organizations)
                    .find(|o| o.id == id)
                    .and_then(|o| o.country.clone())
            })
        });
        async move {
            let list = api::products(country.as_deref().unwrap_or_default()).await?;
            list.data
                .first()
                .map(|p| p.currency)
                .ok_or(ApiFailure::Unexpected { status: 200 })
        }
    });
    view! {
        <section class="section" aria-labelledby="central-heading">
            <h2 id="central-heading">{t(Msg::RecordCentral)}</h2>
            <p>{t(Msg::RecordCentralIntro)}</p>
            <Loaded read=currency view=move |currency| view! {
                <CentralForm currency record=ctx.record_central />
            }.into_any() />
        </section>
    }
}

/// The form: product, seats and the agreement's price, checked before it is sent.
#[component]
pub fn CentralForm(
    /// The organisation's currency: the price is read in its minor unit.
    currency: Currency,
    /// Records the purchase.
    record: Change<CentralPurchaseRequest>,
) -> impl IntoView {
    let product = RwSignal::new(ProductId::PowerBiPro.as_str().to_owned());
    let seats = RwSignal::new(String::from("10"));
    let price = RwSignal::new(String::new());
    let seats_error = RwSignal::new(None::<String>);
    let price_error = RwSignal::new(None::<String>);
    let pending = record.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The server says which counts it accepts. The browser's JSON carries an integer
        // exactly only up to 2^53, so a larger one goes as the largest it carries: refused by
        // the server with the same words as the number typed.
        const LARGEST_EXACT: i64 = (1 << 53) - 1;
        let quantity = seats
            .get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .map(|count| count.clamp(-LARGEST_EXACT, LARGEST_EXACT));
        let unit_amount = Money::parse(&price.get_untracked(), currency);
        seats_error.set(
            quantity
                .is_none()
                .then(|| t(Msg::SeatsNotNumber).to_owned()),
        );
        price_error.set(unit_amount.err().map(|reason| reason.to_string()));
        if let (Some(quantity), Ok(unit_amount), false) =
            (quantity, unit_amount, pending.get_untracked())
        {
            record.dispatch(CentralPurchaseRequest {
                product: product.get_untracked(),
                quantity,
                unit_amount: unit_amount.amount,
            });
        }
    };
    let example = match currency.minor_unit_exponent() {
        0 => "990".to_owned(),
        digits => format!("9.{:0<width$}", 9, width = digits as usize),
    };
    view! {
        <form class="inline-form" novalidate on:submit=submit data-testid="central-form">
            <InlineError message=failure_of(record) />
            <div class="field">
                <label for="central-product">{t(Msg::Product)}</label>
                <select id="central-product" on:change:target=move |ev| product.set(ev.target().value())>
                    <option value="power-bi-pro">"Power BI Pro"</option>
                    <option value="power-apps-per-user">"Power Apps per user"</option>
                    <option value="power-automate-per-user">"Power Automate per user"</option>
                </select>
            </div>
            <Field id="central-seats" label=t(Msg::Licences) hint=None error=seats_error>
                <input id="central-seats" type="text" inputmode="numeric" class="input-short" data-testid="central-seats"
                    aria-invalid=move || seats_error.read().is_some().then_some("true")
                    aria-describedby=move || seats_error.read().is_some().then_some("central-seats-error")
                    prop:value=move || seats.get() on:input:target=move |ev| seats.set(ev.target().value()) />
            </Field>
            <Field id="central-price" label=t(Msg::AgreementPrice) hint=Some(fill(t(Msg::AmountIn), &[&currency.to_uppercase()])) error=price_error>
                <input id="central-price" type="text" inputmode="decimal" class="input-short" data-testid="central-price"
                    placeholder=example
                    aria-invalid=move || price_error.read().is_some().then_some("true")
                    aria-describedby=move || if price_error.read().is_some() { "central-price-hint central-price-error" } else { "central-price-hint" }
                    prop:value=move || price.get() on:input:target=move |ev| price.set(ev.target().value()) />
            </Field>
            <button type="submit" class="button" data-testid="central-submit"
                aria-disabled=move || pending.get().then_some("true")>{t(Msg::RecordCentralButton)}</button>
        </form>
    }
}

/// A labelled field with its hint and, once the form was checked, its error.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    hint: Option<String>,
    error: RwSignal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.read().is_some()>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            {move || error.get().map(|message| view! {
                <p class="field-error" id=format!("{id}-error") role="alert">
                    <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{message}
                </p>
            })}
            {children()}
        </div>
    }
}
