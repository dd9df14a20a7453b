//! The self-service price book: the price of one seat for one month, per product and currency,
//! in integer minor units. Self-service prices may differ from what an organisation pays
//! through its agreement (central purchases carry their own price).

use super::market::{CountryCode, currency_for, is_allowed_market};
use selfserve_api::money::{Currency, Money};
use selfserve_api::product::{Interval, Product, ProductId};

/// The catalogue entry of a product, independent of market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// Which product.
    pub id: ProductId,
    /// Display name.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
}

/// Every product, in catalogue order.
pub fn catalogue() -> [CatalogueEntry; 3] {
    ProductId::ALL.map(entry)
}

/// The catalogue entry of one product.
pub fn entry(id: ProductId) -> CatalogueEntry {
    let (name, description) = match id {
        ProductId::PowerBiPro => (
            "Power BI Pro",
            "Build and share interactive reports and dashboards across your organisation.",
        ),
        ProductId::PowerAppsPerUser => (
            "Power Apps per user",
            "Build and run unlimited custom apps for your team's processes.",
        ),
        ProductId::PowerAutomatePerUser => (
            "Power Automate per user",
            "Automate workflows between your apps and services with unlimited flows.",
        ),
    };
    CatalogueEntry {
        id,
        name,
        description,
    }
}

/// The monthly price of one seat in `currency`; currencies without a price list fall back to
/// US dollars.
pub fn unit_price(product: ProductId, currency: Currency) -> Money {
    use ProductId::*;
    let amount = match (currency.as_str(), product) {
        ("eur", PowerBiPro) => 1_410,
        ("eur", PowerAppsPerUser) => 1_880,
        ("eur", PowerAutomatePerUser) => 1_410,
        ("gbp", PowerBiPro) => 1_180,
        ("gbp", PowerAppsPerUser) => 1_570,
        ("gbp", PowerAutomatePerUser) => 1_180,
        ("cad", PowerBiPro) => 1_920,
        ("cad", PowerAppsPerUser) => 2_740,
        ("cad", PowerAutomatePerUser) => 2_060,
        ("aud", PowerBiPro) => 2_160,
        ("aud", PowerAppsPerUser) => 3_080,
        ("aud", PowerAutomatePerUser) => 2_310,
        ("jpy", PowerBiPro) => 2_098,
        ("jpy", PowerAppsPerUser) => 2_998,
        ("jpy", PowerAutomatePerUser) => 2_248,
        (_, PowerBiPro) => return Money::new(1_400, Currency::USD),
        (_, PowerAppsPerUser) => return Money::new(2_000, Currency::USD),
        (_, PowerAutomatePerUser) => return Money::new(1_500, Currency::USD),
    };
    Money::new(amount, currency)
}

/// A product as sold in a market: its catalogue entry and that market's price.
pub fn product_in_market(id: ProductId, country: CountryCode) -> Product {
    let entry = entry(id);
    let price = unit_price(id, currency_for(country));
    Product {
        id,
        name: entry.name.to_owned(),
        description: entry.description.to_owned(),
        unit_amount: price.amount,
        currency: price.currency,
        interval: Interval::Month,
        seat_limits: id.seat_limits(),
    }
}

/// The whole catalogue as sold in `country`, and whether that market is open at all.
pub fn products_in_market(country: CountryCode) -> (Vec<Product>, bool) {
    let products = ProductId::ALL
        .into_iter()
        .map(|id| product_in_market(id, country))
        .collect();
    (products, is_allowed_market(country))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_has_a_positive_price_in_every_priced_currency() {
        for currency in [
            Currency::USD,
            Currency::EUR,
            Currency::GBP,
            Currency::CAD,
            Currency::AUD,
            Currency::JPY,
        ] {
            for product in ProductId::ALL {
                let price = unit_price(product, currency);
                assert_eq!(
                    price.currency, currency,
                    "{product} has its own {currency} price"
                );
                assert!(price.amount > 0);
            }
        }
    }

    #[test]
    fn unpriced_currencies_fall_back_to_dollars() {
        let chf = Currency::parse("chf").unwrap();
        assert_eq!(
            unit_price(ProductId::PowerBiPro, chf),
            Money::new(1_400, Currency::USD)
        );
    }

    #[test]
    fn a_dutch_buyer_sees_euro_prices() {
        let (products, open) = products_in_market(CountryCode::parse("NL").unwrap());
        assert!(open);
        assert_eq!(products.len(), 3);
        assert!(products.iter().all(|p| p.currency == Currency::EUR));
        assert_eq!(products[0].id, ProductId::PowerBiPro);
        assert_eq!(products[0].unit_amount, 1_410);
    }
}
