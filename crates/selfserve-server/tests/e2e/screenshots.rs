//! `cargo xtask screenshots`: the main screens, in English and in Dutch, at a phone's width
//! (375 px) and a laptop's (1280 px), written as `<screen>-<lang>-<width>.png` to the directory
//! `SELFSERVE_SCREENSHOTS_DIR` names. Each language is its own browser (its preferred language
//! set, as a reader's would be) against its own demo server, so both buy the same product.

use super::{Journey, dist, enter_card, sign_in_at_gate};
use crate::support::process::ServerProcess;
use fantoccini::Locator;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WIDTHS: [u32; 2] = [375, 1280];
const HEIGHT: u32 = 900;

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask screenshots` or `test`"]
async fn every_main_screen_is_photographed_in_both_languages_at_both_widths() {
    // Under `cargo xtask test` the walk still checks that every screen shows, in both
    // languages; the pictures go to a directory that is thrown away.
    let scratch = tempfile::tempdir().unwrap();
    let dir: PathBuf = std::env::var_os("SELFSERVE_SCREENSHOTS_DIR")
        .map_or_else(|| scratch.path().to_owned(), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    for (lang, browser_lang) in [("en", "en-US"), ("nl", "nl-NL")] {
        let server = ServerProcess::start(&dist());
        let base = server.base.clone();
        let journey = Journey::in_browser(
            server,
            base,
            &[format!("--lang={browser_lang}")],
            Vec::new(),
        )
        .await;
        let shots = Shots {
            journey: &journey,
            dir: &dir,
            lang,
        };
        walk(&shots).await;
        journey.finish().await;
    }
    let written = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().ends_with(".png"))
        .count();
    assert!(
        written >= 2 * 2 * SCREENS,
        "only {written} pictures in {}",
        dir.display()
    );
}

/// How many screens [`walk`] photographs.
const SCREENS: usize = 13;

async fn walk(shots: &Shots<'_>) {
    let journey = shots.journey;
    journey.open("/").await;
    shots
        .when_has_digit("[data-testid=product-power-bi-pro] [data-testid=price]")
        .await;
    shots.take("products").await;

    journey
        .click("[data-testid=product-power-bi-pro] [data-testid=buy]")
        .await;
    journey.element("[data-testid=email]").await;
    shots.when_has_digit("[data-testid=summary-unit]").await;
    shots.take("checkout-1-email").await;
    journey
        .fill("[data-testid=email]", "megan@contoso.com")
        .await;
    journey.click("[data-testid=email-submit]").await;
    journey.element("[data-testid=password]").await;
    shots.take("checkout-2-sign-in").await;
    journey
        .fill("[data-testid=password]", "selfserve-demo")
        .await;
    journey.click("[data-testid=sign-in-submit]").await;
    journey.element("[data-testid=quantity]").await;
    journey.fill("[data-testid=quantity]", "5").await;
    journey
        .wait_text("[data-testid=summary-quantity]", "5")
        .await;
    shots.when_has_digit("[data-testid=summary-total]").await;
    shots.take("checkout-3-seats").await;
    journey.click("[data-testid=seats-submit]").await;
    journey.element("[data-testid=card-number]").await;
    shots.take("checkout-4-card").await;
    enter_card(journey, "4242 4242 4242 4242").await;
    journey.wait_text("[data-testid=review-card]", "4242").await;
    shots.take("checkout-5-review").await;
    journey.click("[data-testid=pay]").await;
    journey.element("[data-testid=confirmation-seats]").await;
    shots.take("confirmation").await;

    journey.click("[data-testid=manage-link]").await;
    journey.wait_text("[data-testid=fact-seats]", "5").await;
    shots.take("subscription").await;
    journey.click("[data-testid=bills] a").await;
    shots.when_has_digit("[data-testid=invoice-total]").await;
    shots.take("invoice").await;
    journey.click("[data-testid=nav-manage]").await;
    journey.element("[data-testid=subscriptions]").await;
    shots.take("my-subscriptions").await;

    journey.click("[data-testid=sign-out]").await;
    journey.open("/admin").await;
    journey.element("[data-testid=gate-email]").await;
    shots.take("sign-in-gate").await;
    sign_in_at_gate(journey, "/admin", "admin@contoso.com").await;
    journey
        .wait_text("[data-testid=purchases]", "Megan Bowen")
        .await;
    shots.take("admin").await;
    journey.open("/no/such/page").await;
    journey.element("h1").await;
    shots.take("not-found").await;
}

struct Shots<'a> {
    journey: &'a Journey,
    dir: &'a Path,
    lang: &'static str,
}

impl Shots<'_> {
    /// The page as it is now at each width (the top `HEIGHT` px: what a reader sees first),
    /// leaving the window at the widest.
    async fn take(&self, screen: &str) {
        for width in WIDTHS {
            let client = &self.journey.client;
            client.set_window_size(width, HEIGHT).await.unwrap();
            self.nothing_overflows(screen, width).await;
            let png = client.screenshot().await.unwrap();
            assert!(png.starts_with(b"\x89PNG"), "{screen} is not a PNG");
            let name = format!("{screen}-{}-{width}.png", self.lang);
            std::fs::write(self.dir.join(name), png).unwrap();
        }
    }

    /// No text spills out of its box at this width: a value wider than its cell or card (the
    /// card's number and expiry once ran over its fact box's edge at 1280 px). Scroll boxes
    /// (the tables' wrappers) and visually hidden text are what they are meant to be.
    async fn nothing_overflows(&self, screen: &str, width: u32) {
        let spilled = self
            .journey
            .client
            .execute(
                "const out = [];
                 const boxes = document.querySelectorAll(
                   'main :is(dd, dt, td, th, p, h1, h2, h3, li, label, button, .notice, .panel)');
                 for (const el of boxes) {
                   if (el.getClientRects().length === 0 || el.closest('.visually-hidden')) continue;
                   if (getComputedStyle(el).overflowX !== 'visible') continue;
                   if (el.scrollWidth > el.clientWidth + 1) {
                     out.push(`${el.tagName.toLowerCase()} \"${el.textContent.trim().slice(0, 40)}\" `
                       + `${el.scrollWidth} > ${el.clientWidth}`);
                   }
                 }
                 return out;",
                vec![],
            )
            .await
            .unwrap();
        let spilled = spilled.as_array().cloned().unwrap_or_default();
        assert!(
            spilled.is_empty(),
            "{screen} ({}, {width} px): text wider than its box: {spilled:?}",
            self.lang
        );
    }

    /// Waits until `css` shows a number (an amount loaded, not "Loading…").
    async fn when_has_digit(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(element) = self.journey.client.find(Locator::Css(css)).await
                && element
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .any(|c| c.is_ascii_digit())
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed a number; {}",
                self.journey.whereabouts().await
            );
            // Polling a condition of the page, not guessing its timing.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
