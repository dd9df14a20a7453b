//! What the server tells the app about itself (`GET /api/v1/config`), read once for the whole
//! app and shared as a context.

use crate::api::{self, CardProcessor, ClientConfig};
use crate::components::loaded::Query;
use leptos::prelude::*;

/// The client configuration, as an app-wide resource.
#[derive(Clone, Copy)]
pub struct Config(Query<ClientConfig>);

impl Config {
    /// Where card details are posted, if known now (read when a card form is submitted). When
    /// the read failed it starts again, so that the next attempt can succeed.
    pub fn gateway_url(self) -> Option<String> {
        let known = self.0.with_untracked(|answer| match answer {
            Some(Ok(config)) => Ok(Some(config.gateway_url.clone())),
            Some(Err(_)) => Err(()),
            None => Ok(None),
        });
        known.unwrap_or_else(|()| {
            self.0.refetch();
            None
        })
    }
}

impl Config {
    /// Who takes the card, once the configuration is known (tracked).
    pub fn processor(self) -> Option<CardProcessor> {
        self.0.with(|answer| match answer {
            Some(Ok(config)) => Some(config.processor.clone()),
            _ => None,
        })
    }
}

impl Config {
    /// Who sells, once the configuration is known (tracked); nothing while it is not.
    pub fn seller(self) -> crate::api::Seller {
        self.0.with(|answer| match answer {
            Some(Ok(config)) => config.seller.clone(),
            _ => crate::api::Seller::default(),
        })
    }
}

/// Starts reading the configuration and shares it with every page.
pub fn provide_config() {
    provide_context(Config(Query::new(api::config)));
}

/// The configuration (none outside the app, e.g. in component tests).
pub fn use_config() -> Option<Config> {
    use_context::<Config>()
}
