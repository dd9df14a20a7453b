//! Every page's footer: who sells, their terms of sale and privacy statement, each only when
//! the deployment names it (`--seller-name`, `--terms-url`, `--privacy-url`, read from
//! `/config`). With none named there is no footer: nothing is invented.

use crate::config::use_config;
use crate::i18n::{Msg, fill, t_live};
use leptos::prelude::*;

#[component]
pub fn Footer() -> impl IntoView {
    let config = use_config();
    move || {
        let seller = config.map(|c| c.seller()).unwrap_or_default();
        if seller == crate::api::Seller::default() {
            return None;
        }
        Some(view! {
            <footer class="site-footer" data-testid="site-footer">
                <div class="site-footer-inner">
                    {seller.name.map(|name| view! {
                        <span data-testid="footer-seller">{fill(t_live(Msg::SoldBy), &[&name])}</span>
                    })}
                    {seller.terms_url.map(|url| view! {
                        <a href=url rel="external" data-testid="footer-terms">{t_live(Msg::TermsOfSale)}</a>
                    })}
                    {seller.privacy_url.map(|url| view! {
                        <a href=url rel="external" data-testid="footer-privacy">{t_live(Msg::PrivacyStatement)}</a>
                    })}
                </div>
            </footer>
        })
    }
}
