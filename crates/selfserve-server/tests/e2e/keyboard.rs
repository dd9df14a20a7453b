//! Keyboard only: a purchase with the 3-D Secure dialog, a licence given through the colleague
//! type-ahead, the cancel dialog opened and closed, and a policy saved by an admin, with key
//! presses sent to whatever has focus (`active_element`) and no click. After every move, the
//! focused element is the expected one and draws a visible focus indicator.

use super::Journey;
use fantoccini::key::Key;
use std::time::Duration;

/// What has focus, as the test compares it.
#[derive(Debug, serde::Deserialize)]
struct Focus {
    /// `tag#id[data-testid]`, for messages.
    name: String,
    /// Whether it matches the CSS selector asked about.
    matches: bool,
    /// Computed outline (style and width) or box-shadow draw something.
    indicator: bool,
    /// The outline's contrast with what is behind the element (WCAG 1.4.11 asks for 3:1);
    /// 21 when the indicator is a box-shadow (not measured here).
    contrast: f64,
    /// A read-only field: focusable, with nothing to do there.
    readonly: bool,
}

const FOCUS_SCRIPT: &str = "const e = document.activeElement; const css = arguments[0];
const s = e ? getComputedStyle(e) : null;
const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
const lum = c => { const [r, g, b] = rgb(c).map(v => v / 255)
  .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
let behind = e && e.parentElement, bg = 'rgb(255, 255, 255)';
while (behind) { const c = getComputedStyle(behind).backgroundColor;
  if (c && c !== 'transparent' && !(rgb(c).length === 4 && rgb(c)[3] === 0)) { bg = c; break; }
  behind = behind.parentElement; }
const [hi, lo] = s && s.outlineStyle !== 'none'
  ? [lum(s.outlineColor), lum(bg)].sort((a, b) => b - a) : [1, 0];
return {
  contrast: (hi + 0.05) / (lo + 0.05),
  name: e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.dataset && e.dataset.testid ? '[' + e.dataset.testid + ']' : '') : 'none',
  matches: !!e && e !== document.body && e.matches(css),
  indicator: !!s && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || s.boxShadow !== 'none'),
  readonly: !!e && e.matches('input[readonly], textarea[readonly]'),
};";

impl Focus {
    /// A focus indicator is drawn, and an outline stands out from what is behind it (3:1).
    fn assert_visible(&self) {
        assert!(
            self.indicator,
            "{} has focus but no visible indicator",
            self.name
        );
        assert!(
            self.contrast >= 3.0,
            "{}'s focus outline has a contrast of {:.2} with its background",
            self.name,
            self.contrast
        );
    }
}

impl Journey {
    async fn focus(&self, css: &str) -> Focus {
        let value = self
            .client
            .execute(FOCUS_SCRIPT, vec![serde_json::json!(css)])
            .await
            .expect("focus script");
        serde_json::from_value(value).expect("focus shape")
    }

    /// Sends `keys` to the focused element (as a person typing on it would).
    ///
    /// The page may draw the focused element again between finding it and typing (a read
    /// answering), or hide it in the frame before it moves the focus on (the sign-in gate's
    /// email step giving way to the password): a stale or hidden element is found again,
    /// nothing having been typed into it.
    async fn press(&self, keys: &str) {
        let mut tries = 0;
        loop {
            let focused = self
                .client
                .active_element()
                .await
                .expect("a focused element");
            match focused.send_keys(keys).await {
                Ok(()) => return,
                Err(fantoccini::error::CmdError::Standard(e))
                    if matches!(
                        e.error,
                        fantoccini::error::ErrorStatus::StaleElementReference
                            | fantoccini::error::ErrorStatus::ElementNotInteractable
                    ) && tries < 20 =>
                {
                    tries += 1;
                }
                Err(e) => panic!("keys {keys:?} not sent: {e}; {}", self.whereabouts().await),
            }
        }
    }

    /// Waits (up to 20 s) until focus is on `css`, then checks its indicator shows.
    async fn expect_focus(&self, css: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let focus = self.focus(css).await;
            if focus.matches {
                focus.assert_visible();
                return;
            }
            if std::time::Instant::now() > deadline {
                panic!(
                    "focus stayed on {} instead of {css}; {}",
                    focus.name,
                    self.whereabouts().await
                );
            }
            // Polls the condition (focus moves after the page renders the answer).
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses Tab (or Shift+Tab) until `css` has focus; every stop on the way shows a focus
    /// indicator and none is a read-only field. Returns the stops passed.
    async fn tab_to(&self, css: &str, backwards: bool) -> Vec<String> {
        let mut passed = Vec::new();
        if self.focus(css).await.matches {
            return passed;
        }
        for _ in 0..150 {
            if backwards {
                self.press(&format!("{}{}{}", Key::Shift, Key::Tab, Key::Null))
                    .await;
            } else {
                self.press(&Key::Tab).await;
            }
            let focus = self.focus(css).await;
            assert!(!focus.readonly, "{} is a read-only tab stop", focus.name);
            if focus.name != "body" {
                focus.assert_visible();
            }
            if focus.matches {
                return passed;
            }
            passed.push(focus.name);
        }
        panic!("Tab never reached {css}; passed {passed:?}");
    }

    /// Waits (up to 20 s) until nothing matches `css`.
    async fn wait_gone(&self, css: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while self
            .client
            .find(fantoccini::Locator::Css(css))
            .await
            .is_ok()
        {
            assert!(std::time::Instant::now() < deadline, "{css} stayed");
            // Polls the condition.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.element(css).await.attr(name).await.unwrap()
    }
}

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_purchase_a_licence_and_a_policy_change_with_the_keyboard_only() {
    let journey = Journey::start().await;
    journey.open("/").await;
    journey.element("[data-testid=product-power-bi-pro]").await;

    // Products → checkout: focus goes to the new page's heading.
    journey
        .tab_to(
            "[data-testid=product-power-bi-pro] [data-testid=buy]",
            false,
        )
        .await;
    journey.press(&Key::Enter).await;
    journey.expect_focus("main h1").await;

    // Email, then password: each step's heading takes focus; the address shown on the
    // password step is text, not a tab stop.
    journey.tab_to("[data-testid=email]", false).await;
    journey
        .press(&format!("megan@contoso.com{}", Key::Enter))
        .await;
    journey.expect_focus("#step-heading").await;
    let passed = journey.tab_to("[data-testid=password]", false).await;
    assert!(
        !passed.iter().any(|stop| stop.contains("email")),
        "the address is a tab stop: {passed:?}"
    );
    journey
        .press(&format!("selfserve-demo{}", Key::Enter))
        .await;
    journey.expect_focus("#step-heading").await;
    journey
        .wait_text("[data-testid=step-count]", "Step 3 of 5")
        .await;

    // Two licences: the quantity typed over.
    journey.tab_to("[data-testid=quantity]", false).await;
    journey
        .press(&format!(
            "{}{}{}2",
            Key::Backspace,
            Key::Backspace,
            Key::Backspace
        ))
        .await;
    journey
        .wait_text("[data-testid=summary-quantity]", "2")
        .await;
    journey.press(&Key::Enter).await;
    journey.expect_focus("#step-heading").await;

    // The card whose bank asks for 3-D Secure.
    journey.tab_to("#card-name", false).await;
    journey.press("Megan Bowen").await;
    journey.tab_to("[data-testid=card-number]", false).await;
    journey.press("4000002760003184").await;
    journey.tab_to("[data-testid=card-exp]", false).await;
    journey.press("1234").await;
    journey.tab_to("[data-testid=card-cvc]", false).await;
    journey.press(&format!("123{}", Key::Enter)).await;
    journey.expect_focus("#step-heading").await;

    // Review: the two "Change" buttons say what they change.
    assert_eq!(
        journey
            .attribute("[data-testid=review-change-licences]", "aria-label")
            .await
            .as_deref(),
        Some("Change licences")
    );
    assert_eq!(
        journey
            .attribute("[data-testid=review-change-card]", "aria-label")
            .await
            .as_deref(),
        Some("Change card")
    );
    journey.wait_text("[data-testid=pay]", "Pay $28.00").await;
    journey.tab_to("[data-testid=pay]", false).await;
    journey.press(&Key::Enter).await;

    // The bank's dialog opens on "Approve"; Enter approves; the confirmation's heading
    // takes focus.
    journey.expect_focus("[data-testid=three-ds-approve]").await;
    journey.screenshot("keyboard-three-d-secure").await;
    journey.press(&Key::Enter).await;
    journey
        .wait_text("[data-testid=confirmation]", "Purchase complete")
        .await;
    journey.expect_focus("#confirmation-heading").await;

    // → the subscription: its heading takes focus; only the current page's link is current.
    journey.tab_to("[data-testid=manage-link]", false).await;
    journey.press(&Key::Enter).await;
    journey.expect_focus("main h1").await;
    journey
        .wait_text("[data-testid=fact-seats]", "1 of 2 assigned")
        .await;
    assert_eq!(
        journey
            .attribute("[data-testid=back-to-subscriptions]", "aria-current")
            .await,
        None,
        "\"← My subscriptions\" is not the current page"
    );
    assert_eq!(
        journey
            .attribute("[data-testid=nav-manage]", "aria-current")
            .await,
        None,
        "the nav's \"My subscriptions\" is not this page"
    );

    // The cancel dialog: opens on the safe button, counts the licences bought (2, of which 1
    // is given), closes with Escape, and gives focus back to its opener.
    journey
        .tab_to("[data-testid=cancel-subscription]", false)
        .await;
    journey.press(&Key::Enter).await;
    journey
        .expect_focus("[data-testid=keep-subscription]")
        .await;
    let explained = journey.text_of("#cancel-body").await;
    assert!(explained.contains("its 2 licences"), "{explained}");
    journey.press(&Key::Escape).await;
    journey
        .expect_focus("[data-testid=cancel-subscription]")
        .await;
    assert_eq!(
        journey
            .attribute("[data-testid=cancel-dialog]", "open")
            .await,
        None,
        "Escape closed the dialog"
    );

    // The type-ahead: type, arrow down to the colleague, Enter; then assign.
    journey.tab_to("[data-testid=user-search]", true).await;
    journey.press("ale").await;
    journey.wait_text("#user-results", "Alex Wilber").await;
    assert_eq!(
        journey
            .attribute("[data-testid=user-search]", "aria-expanded")
            .await
            .as_deref(),
        Some("true")
    );
    journey.press(&Key::Down).await;
    let active = journey
        .attribute("[data-testid=user-search]", "aria-activedescendant")
        .await
        .expect("an option is active after ArrowDown");
    let option = journey.text_of(&format!("#{active}")).await;
    assert!(option.contains("Alex Wilber"), "{option}");
    journey.press(&Key::Enter).await;
    journey
        .wait_text("[data-testid=selected-users]", "Alex Wilber")
        .await;
    journey.expect_focus("[data-testid=user-search]").await;
    journey.tab_to("[data-testid=assign-selected]", false).await;
    journey.press(&Key::Enter).await;
    journey
        .wait_text("[data-testid=fact-seats]", "2 of 2 assigned")
        .await;

    // As an admin (the address typed into the browser), a policy changed with the arrow key
    // and saved with Enter; the answer appears beside the button, which keeps focus.
    journey.tab_to("[data-testid=sign-out]", true).await;
    journey.press(&Key::Enter).await;
    journey.wait_gone("[data-testid=signed-in-user]").await;
    journey.open("/admin").await;
    journey.element("[data-testid=gate-email-form]").await;
    journey.tab_to("#gate-email", false).await;
    journey
        .press(&format!("admin@contoso.com{}", Key::Enter))
        .await;
    journey.tab_to("[data-testid=gate-password]", false).await;
    journey
        .press(&format!("selfserve-demo{}", Key::Enter))
        .await;
    journey.wait_text("[data-testid=policies]", "Allowed").await;
    journey
        .tab_to("[data-testid=policy-power-bi-pro]", false)
        .await;
    journey.press(&Key::Down).await;
    journey
        .tab_to("[data-testid=policy-save-power-bi-pro]", false)
        .await;
    journey.press(&Key::Enter).await;
    journey
        .wait_text(
            "[data-testid=policy-status-power-bi-pro]",
            "Power BI Pro: Turned off",
        )
        .await;
    journey
        .expect_focus("[data-testid=policy-save-power-bi-pro]")
        .await;
    journey.screenshot("keyboard-policy-saved").await;
    journey.finish().await;
}
