//! `/`: the three products with their price in the reader's market.

use crate::api;
use crate::components::loaded::{Loaded, Query};
use crate::components::sso_sign_in::error_in_address;
use crate::format;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use leptos_router::components::A;
use selfserve_api::product::Product;

/// The product list, loaded from the API for the browser's market.
#[component]
pub fn ProductsPage() -> impl IntoView {
    // Signed in, prices are those of the organisation's country (what the checkout charges);
    // before that, the browser's region is the best guess.
    let session = crate::session::use_session();
    let market = Memo::new(move |_| {
        session
            .with_user(|u| u.and_then(|u| u.organization.country.clone()))
            .unwrap_or_else(format::browser_market)
    });
    let products = Query::new(move || {
        let market = market.get();
        async move { api::products(&market).await }
    });
    let sso_error = error_in_address();

    view! {
        <section class="page" aria-labelledby="products-heading">
            <h1 id="products-heading">{t(Msg::ProductsHeading)}</h1>
            <p class="lead">{t(Msg::ProductsIntro)}</p>
            // A failed sign-in at the organisation's provider comes back here when the page it
            // started from is not known (it began in another tab): say so here.
            {move || sso_error.get().map(|failure| view! {
                <div class="notice notice-error" role="alert" data-testid="sso-error">
                    <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{t(failure.message())}
                </div>
            })}
            <Loaded read=products view=|list| {
                let unavailable = (!list.market_available).then(|| view! {
                    <p class="notice" role="note" data-testid="market-unavailable">
                        {t(Msg::MarketUnavailable)}
                    </p>
                });
                view! {
                    {unavailable}
                    <ul class="product-grid" data-testid="product-list">
                        {list
                            .data
                            .into_iter()
                            .map(|product| view! { <li><ProductCard product /></li> })
                            .collect_view()}
                    </ul>
                    <p class="fine-print">
                        {fill(t(Msg::PricesFor), &[&list.country])}
                        ". "
                        {t(Msg::PricesExcludeTax)}
                    </p>
                }
                .into_any()
            } />
        </section>
    }
}

/// One product: name, what it is for, and its price per user per month.
#[component]
pub fn ProductCard(
    /// The product as sold in the reader's market.
    product: Product,
    /// Locale for the price (the browser's when absent).
    #[prop(optional)]
    locale: Option<&'static str>,
) -> impl IntoView {
    let heading_id = format!("product-{}-name", product.id);
    let name = product.name.clone();
    let labelled_by = heading_id.clone();
    let price = format::money(product.unit_amount, product.currency, locale);
    view! {
        <article
            class="product-card"
            aria-labelledby=labelled_by
            data-testid=format!("product-{}", product.id)
        >
            <h2 id=heading_id>{product.name}</h2>
            <p class="product-description">{product.description}</p>
            <p class="price">
                <span class="price-amount" data-testid="price">{price}</span>
                " "
                <span class="price-period">{t(Msg::PerUserPerMonth)}</span>
            </p>
            <A href=format!("/buy/{}", product.id) attr:class="button" attr:data-testid="buy">
                {fill(t(Msg::BuyProduct), &[&name])}
            </A>
        </article>
    }
}
