//! Whole journeys in a real headless Chromium (through ChromeDriver) against the real server
//! binary serving the Trunk-built app. Run by `cargo xtask test`, which builds the app and sets
//! `SELFSERVE_E2E_DIST`; ignored by a plain `cargo test`.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use std::time::Duration;
use support::process::{ChromeDriver, ServerProcess};

/// The server, a browser session, and the driver, torn down in that order.
struct Journey {
    client: Client,
    server: ServerProcess,
    _driver: ChromeDriver,
}

impl Journey {
    async fn start() -> Self {
        let dist = std::env::var("SELFSERVE_E2E_DIST")
            .expect("SELFSERVE_E2E_DIST: run through `cargo xtask test`");
        let server = ServerProcess::start(std::path::Path::new(&dist));
        let driver = ChromeDriver::start();
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--lang=en-US", "--window-size=1280,900"
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("WebDriver session");
        Self {
            client,
            server,
            _driver: driver,
        }
    }

    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.server.base))
            .await
            .unwrap();
    }

    /// Waits (up to 20 s) for an element to be present and returns its text.
    async fn text_of(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn finish(self) {
        let _ = self.client.close().await;
    }
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn the_home_page_lists_the_three_products_with_prices_from_the_api() {
    let journey = Journey::start().await;
    journey.open("/").await;
    let list = journey.text_of("[data-testid=product-list]").await;
    for name in [
        "Power BI Pro",
        "Power Apps per user",
        "Power Automate per user",
    ] {
        assert!(list.contains(name), "{name} missing from: {list}");
    }
    let price = journey
        .text_of("[data-testid=product-power-bi-pro] [data-testid=price]")
        .await;
    assert_eq!(price, "$14.00");
    assert_eq!(journey.client.title().await.unwrap(), "selfserve");
    journey.finish().await;
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn an_unknown_address_shows_a_not_found_page_with_a_way_back() {
    let journey = Journey::start().await;
    journey.open("/no/such/page").await;
    let heading = journey.text_of("h1").await;
    assert_eq!(heading, "Page not found");
    journey
        .client
        .find(Locator::LinkText("Back to products"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    journey.text_of("[data-testid=product-list]").await;
    assert_eq!(
        journey.client.current_url().await.unwrap().path(),
        "/",
        "client-side navigation back home"
    );
    journey.finish().await;
}
