//! Recording a subscription bought centrally, through the organisation's agreement.

use super::use_admin;
use crate::api;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::admin::CentralPurchaseRequest;
use selfserve_api::product::ProductId;

/// "12.50" → 1250 (two decimals; what the agreement's price list says).
fn minor_units(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

#[component]
pub fn CentralPurchase() -> impl IntoView {
    let ctx = use_admin();
    let product = RwSignal::new(ProductId::PowerBiPro.as_str().to_owned());
    let seats = RwSignal::new(String::from("10"));
    let price = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(quantity) = seats.get_untracked().trim().parse::<i64>() else {
            error.set(Some(t(Msg::SeatsNotNumber).to_owned()));
            return;
        };
        let Some(unit_amount) = minor_units(&price.get_untracked()) else {
            error.set(Some(t(Msg::PriceNotValid).to_owned()));
            return;
        };
        let Some(domain) = ctx.domain() else { return };
        let request = CentralPurchaseRequest {
            product: product.get_untracked(),
            quantity,
            unit_amount,
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::central_purchase(&domain, &request).await;
            pending.set(false);
            match result {
                Ok(sub) => ctx.changed(fill(
                    t(Msg::CentralRecorded),
                    &[&sub.quantity.to_string(), &sub.product_name],
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
        <section class="section" aria-labelledby="central-heading">
            <h2 id="central-heading">{t(Msg::RecordCentral)}</h2>
            <p>{t(Msg::RecordCentralIntro)}</p>
            <form class="inline-form" novalidate on:submit=submit data-testid="central-form">
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <div class="field">
                    <label for="central-product">{t(Msg::Product)}</label>
                    <select id="central-product" on:change:target=move |ev| product.set(ev.target().value())>
                        <option value="power-bi-pro">"Power BI Pro"</option>
                        <option value="power-apps-per-user">"Power Apps per user"</option>
                        <option value="power-automate-per-user">"Power Automate per user"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="central-seats">{t(Msg::Licences)}</label>
                    <input id="central-seats" type="text" inputmode="numeric" class="input-short" data-testid="central-seats"
                        prop:value=move || seats.get() on:input:target=move |ev| seats.set(ev.target().value()) />
                </div>
                <div class="field">
                    <label for="central-price">{t(Msg::AgreementPrice)}</label>
                    <input id="central-price" type="text" inputmode="decimal" class="input-short" data-testid="central-price"
                        placeholder="9.90"
                        prop:value=move || price.get() on:input:target=move |ev| price.set(ev.target().value()) />
                </div>
                <button type="submit" class="button" data-testid="central-submit"
                    aria-disabled=move || pending.get().then_some("true")>{t(Msg::RecordCentralButton)}</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::minor_units;

    #[test]
    fn prices_are_read_to_the_cent() {
        assert_eq!(minor_units("9.90"), Some(990));
        assert_eq!(minor_units("12"), Some(1200));
        assert_eq!(minor_units("0,5"), Some(50));
        assert_eq!(minor_units("1.234"), None);
        assert_eq!(minor_units("-1"), None);
        assert_eq!(minor_units(""), None);
        assert_eq!(minor_units("ten"), None);
    }
}
