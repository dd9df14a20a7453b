//! WCAG 2.2 AA on every screen and error state, in Chromium and Firefox, in English and Dutch:
//! one server, one walk per browser and language. On each screen: axe-core, then what axe
//! cannot check — target size (2.5.8), focus not obscured (2.4.11) and no horizontal
//! scrolling at 320 px (1.4.10, in both browsers) — with redundant entry (3.3.7) and
//! accessible authentication (3.3.8) asserted where the checkout asks for things. Findings are collected over the whole
//! walk and reported together, so one run names everything to fix.

use super::*;

/// Every interactive element a pointer can hit.
const TARGETS: &str = "a[href], button, input:not([type=hidden]), select, textarea, summary, \
                       [role=button], [tabindex]:not([tabindex='-1'])";

/// 2.5.8: each target at least 24×24 CSS px, or a 24 px circle on its centre touching no other
/// target (nor another small target's circle). Inline links in a sentence and visually hidden
/// inputs (their label is the target) are the rule's own exceptions.
const TARGET_SIZE: &str = "const sel = arguments[0];
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '')
  + ' \"' + (e.textContent || e.value || '').trim().slice(0, 30) + '\"';
const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return r.width > 1 && r.height > 1 && s.visibility !== 'hidden'; };
const all = [...document.querySelectorAll(sel)].filter(shown);
const inline = e => getComputedStyle(e).display === 'inline' && e.parentElement
  && e.parentElement.textContent.trim().length > e.textContent.trim().length;
const small = e => { const r = e.getBoundingClientRect(); return r.width < 24 || r.height < 24; };
const centre = e => { const r = e.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2]; };
const distToRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right),
  Math.max(r.top - y, 0, y - r.bottom));
const out = [];
for (const e of all) {
  if (!small(e) || inline(e)) continue;
  const c = centre(e);
  const clash = all.find(o => o !== e && !o.contains(e) && !e.contains(o)
    && (distToRect(c, o.getBoundingClientRect()) < 12
        || (small(o) && !inline(o) && Math.hypot(c[0] - centre(o)[0], c[1] - centre(o)[1]) < 24)));
  if (clash) { const r = e.getBoundingClientRect();
    out.push(name(e) + ' is ' + Math.round(r.width) + '×' + Math.round(r.height)
      + ' and too close to ' + name(clash)); }
}
return out;";

/// 2.4.11: each focusable element, once focused (the browser scrolls it into view), is not
/// under a sticky or fixed box: what is at its centre is itself, inside it, or its own.
const FOCUS_NOT_OBSCURED: &str = "const sel = arguments[0];
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (e.dataset && e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '');
const pinned = e => { for (let n = e; n && n !== document.documentElement; n = n.parentElement) {
  const p = getComputedStyle(n).position; if (p === 'sticky' || p === 'fixed') return n; }
  return null; };
const out = [];
for (const e of document.querySelectorAll(sel)) {
  const r0 = e.getBoundingClientRect();
  if (r0.width <= 1 || r0.height <= 1) continue;
  e.focus();
  if (document.activeElement !== e) continue;
  let r = e.getBoundingClientRect();
  // Firefox does not always scroll a focus() from script into view: do what a Tab key does.
  if (r.bottom < 0 || r.top > innerHeight) {
    e.scrollIntoView({block: 'nearest', behavior: 'instant'}); r = e.getBoundingClientRect(); }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  // Still outside (Firefox, once, mid-layout): scrolling is the browser's, not an author's
  // box over the focus, which is what 2.4.11 is about.
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
  const hit = document.elementFromPoint(x, y);
  if (!hit || hit === e || e.contains(hit) || hit.contains(e)) continue;
  if ([...(e.labels || [])].some(l => l.contains(hit))) continue;
  const cover = pinned(hit);
  if (cover && !cover.contains(e)) out.push(name(e) + ' is under ' + name(cover));
}
if (document.activeElement) document.activeElement.blur();
scrollTo(0, 0);
return out;";

/// 1.4.10 at 320 px: the page is no wider than the window; else the innermost elements that
/// stick out, preferring those not inside a box that scrolls or clips on its own.
const OVERFLOW: &str = "const iw = document.documentElement.clientWidth;
const w = document.documentElement.scrollWidth;
if (w <= iw) return [];
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
  + (e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '');
const scrolls = e => { for (let n = e.parentElement; n && n !== document.body; n = n.parentElement) {
  const o = getComputedStyle(n).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
  return false; };
const wide = [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > iw + 0.5);
const own = wide.filter(e => !scrolls(e));
const out = (own.length ? own : wide)
  .filter((e, _, all) => !all.some(o => o !== e && e.contains(o)))
  .map(e => name(e) + ' reaches ' + Math.round(e.getBoundingClientRect().right) + ' px');
return ['page is ' + w + ' px wide in ' + iw + ' px: ' + out.slice(0, 8).join('; ')];";

/// 2.3.3 with `prefers-reduced-motion: reduce`: nothing on the page animates or transitions.
const MOTION: &str = "const out = [];
for (const e of document.querySelectorAll('*')) {
  for (const pseudo of [null, '::before', '::after']) {
    const s = getComputedStyle(e, pseudo);
    const long = v => v.split(',').some(d => parseFloat(d) * (d.trim().endsWith('ms') ? 1 : 1000) > 1);
    if ((s.animationName !== 'none' && long(s.animationDuration)) || long(s.transitionDuration))
      out.push(e.tagName.toLowerCase() + (pseudo || '') + '.' + e.className + ' moves');
  }
}
return out.slice(0, 5);";

/// geckodriver's `POST /session/{id}/moz/context`: scripts run in the page (`content`) or in
/// Firefox's own window (`chrome`, which geckodriver allows with `--allow-system-access`).
#[derive(Debug)]
struct MozContext(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for MozContext {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/moz/context",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"context": self.0});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Sets the page's full zoom (1 = 100 %) in the tab's browsing context, as Ctrl + would.
async fn firefox_zoom(client: &fantoccini::Client, zoom: u32) {
    client
        .issue_cmd(MozContext("chrome"))
        .await
        .expect("chrome context");
    let set = client
        .execute(
            "gBrowser.selectedBrowser.browsingContext.fullZoom = arguments[0];
             return gBrowser.selectedBrowser.browsingContext.fullZoom;",
            vec![zoom.into()],
        )
        .await;
    client
        .issue_cmd(MozContext("content"))
        .await
        .expect("content context");
    assert_eq!(set.expect("Firefox zooms").as_u64(), Some(u64::from(zoom)));
}

/// One walk's findings and how many screens it checked.
struct Walk<'a> {
    journey: &'a Journey,
    label: String,
    screens: usize,
    findings: Vec<String>,
    reduced_motion: bool,
    started: std::time::Instant,
}

impl Walk<'_> {
    async fn js(&self, script: &str) -> Vec<String> {
        let value = self
            .journey
            .client
            .execute(script, vec![serde_json::Value::String(TARGETS.into())])
            .await
            .unwrap_or_else(|e| panic!("{script:.40}… failed: {e}"));
        serde_json::from_value(value).unwrap_or_default()
    }

    /// Narrows the viewport to `width` CSS px, or back to 1280 px. Chromium's windows stop at
    /// 500 px, so Chromium emulates the device's width as its DevTools do. Firefox's windows
    /// stop at 500 px too, and `layout.css.devPixelsPerPx` scales the window with the page (a
    /// 640 px window stays 640 CSS px wide), so Firefox zooms the page to 200 % as Ctrl + does:
    /// a 640 px window is then a real 320 CSS px viewport (media queries and all).
    async fn width(&self, width: Option<u32>) {
        let client = &self.journey.client;
        match (self.journey.browser, width) {
            (Browser::Chromium, Some(width)) => client
                .issue_cmd(Cdp(
                    "Emulation.setDeviceMetricsOverride",
                    serde_json::json!({"width": width, "height": 900,
                        "deviceScaleFactor": 1, "mobile": false}),
                ))
                .await
                .map(drop),
            (Browser::Chromium, None) => client
                .issue_cmd(Cdp(
                    "Emulation.clearDeviceMetricsOverride",
                    serde_json::json!({}),
                ))
                .await
                .map(drop),
            (Browser::Firefox, Some(width)) => {
                client.set_window_size(width * 2, 900).await.unwrap();
                firefox_zoom(client, 2).await;
                Ok(())
            }
            (Browser::Firefox, None) => {
                firefox_zoom(client, 1).await;
                client.set_window_size(1280, 900).await
            }
        }
        .expect("the viewport changes width");
        if let Some(width) = width {
            let inner = client.execute("return innerWidth;", vec![]).await.unwrap();
            // Exactly: a wider viewport would let the check pass without testing 320 px.
            assert_eq!(
                inner.as_u64(),
                Some(u64::from(width)),
                "the viewport did not narrow to {width} px: {inner}"
            );
        }
    }

    /// Every check on the screen as it is now.
    async fn check(&mut self, screen: &str) {
        self.screens += 1;
        let mut found = self.journey.axe_violations(screen).await;
        found.extend(self.js(TARGET_SIZE).await);
        found.extend(self.js(FOCUS_NOT_OBSCURED).await);
        if self.reduced_motion {
            found.extend(self.js(MOTION).await);
        }
        self.width(Some(320)).await;
        found.extend(self.js(OVERFLOW).await);
        self.width(None).await;
        eprintln!(
            "[{}] {screen}: {} findings at {:?}",
            self.label,
            found.len(),
            self.started.elapsed()
        );
        for finding in &found {
            eprintln!("  {finding}");
        }
        for finding in found {
            self.findings
                .push(format!("[{}] {screen}: {finding}", self.label));
        }
    }
}

/// 3.3.8: pasting into `css` is not refused (no `preventDefault` on paste) and inserts the
/// text; the field names its autocomplete purpose, so a password manager can fill it.
async fn assert_paste_and_autocomplete(journey: &Journey, css: &str, purpose: &str, text: &str) {
    let result = journey
        .client
        .execute(
            "const [css, text] = arguments; const e = document.querySelector(css);
             e.focus(); e.select && e.select();
             const data = new DataTransfer(); data.setData('text/plain', text);
             const accepted = e.dispatchEvent(new ClipboardEvent('paste',
               {clipboardData: data, bubbles: true, cancelable: true}));
             document.execCommand('insertText', false, text);
             return {accepted, value: e.value, autocomplete: e.getAttribute('autocomplete')};",
            vec![css.into(), text.into()],
        )
        .await
        .unwrap();
    assert_eq!(result["accepted"], true, "{css} refuses a paste");
    // Card fields format what they take ("4242 4242 …", "12 / 34"): compare the characters.
    let kept = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let value = result["value"].as_str().unwrap_or_default();
    assert_eq!(
        kept(value),
        kept(text),
        "{css} did not take the pasted text"
    );
    let autocomplete = result["autocomplete"].as_str().unwrap_or_default();
    assert!(
        autocomplete
            .split_whitespace()
            .any(|token| token == purpose),
        "{css} has autocomplete {autocomplete:?}, not {purpose}"
    );
}

/// The purchase (every step and error), the purchaser's views and the admin's, checked.
async fn walk(walk: &mut Walk<'_>) {
    let journey = walk.journey;
    journey.open("/").await;
    journey.element("[data-testid=product-list]").await;
    // The browser's language reached the app: each walk checks the language it claims to.
    let lang = walk.label.split_whitespace().nth(1).unwrap_or_default()[..2].to_owned();
    let html_lang = journey
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(html_lang, lang.as_str(), "[{}] <html lang>", walk.label);
    walk.check("products").await;

    journey
        .click("[data-testid=product-power-bi-pro] [data-testid=buy]")
        .await;
    journey.fill("[data-testid=email]", "not an email").await;
    journey.click("[data-testid=email-submit]").await;
    journey.element("#email-error").await;
    walk.check("email step, invalid email").await;
    assert_paste_and_autocomplete(journey, "[data-testid=email]", "email", "megan@contoso.com")
        .await;

    journey
        .fill("[data-testid=email]", "marge@springfield.gov")
        .await;
    journey.click("[data-testid=email-submit]").await;
    journey.element("[data-testid=contact-admin]").await;
    walk.check("email step, contact your IT admin").await;

    journey
        .fill("[data-testid=email]", "megan@contoso.com")
        .await;
    journey.click("[data-testid=email-submit]").await;
    journey.element("[data-testid=sign-in-form]").await;
    walk.check("sign-in step").await;
    assert_paste_and_autocomplete(
        journey,
        "[data-testid=password]",
        "current-password",
        "selfserve-demo",
    )
    .await;
    journey.click("[data-testid=sign-in-submit]").await;

    journey.element("[data-testid=seats-form]").await;
    journey.fill("[data-testid=quantity]", "3").await;
    journey
        .wait_text("[data-testid=summary-quantity]", "3")
        .await;
    walk.check("seats step").await;
    journey.click("[data-testid=seats-submit]").await;

    journey.click("[data-testid=card-submit]").await;
    journey.element("[data-testid=card-errors]").await;
    walk.check("card step, field errors").await;
    for (css, purpose) in [
        ("#card-name", "cc-name"),
        ("[data-testid=card-number]", "cc-number"),
        ("[data-testid=card-exp]", "cc-exp"),
        ("[data-testid=card-cvc]", "cc-csc"),
    ] {
        let text = if css == "#card-name" {
            CARDHOLDER
        } else {
            "4242424242424242"
        };
        let text = if purpose == "cc-exp" {
            "1234"
        } else if purpose == "cc-csc" {
            CVC
        } else {
            text
        };
        assert_paste_and_autocomplete(journey, css, purpose, text).await;
    }

    // 3.3.7: going back does not ask again for what was chosen.
    journey.client.back().await.unwrap();
    let quantity = journey.element("[data-testid=quantity]").await;
    assert_eq!(
        quantity.prop("value").await.unwrap().as_deref(),
        Some("3"),
        "back on the seats step, the quantity is kept"
    );
    journey.click("[data-testid=seats-submit]").await;

    enter_card(journey, "4000 0000 0000 9995").await;
    journey.click("[data-testid=pay]").await;
    journey.element("[data-testid=checkout-notice]").await;
    walk.check("card step, declined card").await;
    assert_eq!(
        journey.text_of("[data-testid=summary-quantity]").await,
        "3",
        "after a decline only the card is asked again"
    );

    enter_card(journey, "4000 0027 6000 3184").await;
    journey.element("[data-testid=review]").await;
    walk.check("review step").await;
    journey.click("[data-testid=pay]").await;
    journey
        .element("dialog[open][data-testid=three-d-secure]")
        .await;
    walk.check("3-D Secure dialog").await;
    journey
        .click("dialog[open] [data-testid=three-ds-approve]")
        .await;
    journey.element("[data-testid=confirmation]").await;
    walk.check("confirmation").await;

    journey.click("[data-testid=manage-link]").await;
    journey.element("[data-testid=fact-seats]").await;
    journey.element("[data-testid=bill-row]").await;
    walk.check("subscription: licences and bills").await;
    journey.fill("[data-testid=seats-quantity]", "5").await;
    journey.element("[data-testid=seats-quote]").await;
    walk.check("subscription: seat change").await;
    journey.click("[data-testid=cancel-subscription]").await;
    journey
        .element("dialog[open][data-testid=cancel-dialog]")
        .await;
    walk.check("subscription: cancel dialog").await;
    journey
        .click("dialog[open] [data-testid=keep-subscription]")
        .await;

    let invoice = journey
        .element("a[href^='/invoices/']")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a bill links to its invoice");
    journey.open(&invoice).await;
    journey.element("[data-testid=invoice-lines]").await;
    walk.check("invoice").await;

    journey.open("/manage").await;
    journey.element("[data-testid=subscriptions]").await;
    walk.check("my subscriptions").await;

    journey.click("[data-testid=sign-out]").await;
    sign_in_at_gate(journey, "/admin", "admin@contoso.com").await;
    journey.element("[data-testid=policies]").await;
    journey.element("[data-testid=requests]").await;
    journey.element("[data-testid=webhooks]").await;
    journey.element("[data-testid=notices]").await;
    journey
        .wait_text("[data-testid=purchases]", "Megan Bowen")
        .await;
    walk.check("admin: policies, requests, activity, webhooks, notices")
        .await;
    journey
        .fill("[data-testid=limit-per-purchase-power-bi-pro]", "many")
        .await;
    journey
        .click("[data-testid=limits-save-power-bi-pro]")
        .await;
    journey
        .element("#limit-per-purchase-power-bi-pro-error")
        .await;
    walk.check("admin: limits form with an error").await;
    let self_service = "[data-testid=purchase-row][data-source=self_service]";
    let self_service_details = "[data-testid=purchase-details][data-source=self_service]";
    journey
        .click(&format!("{self_service} [data-testid=details-toggle]"))
        .await;
    journey
        .element(&format!("{self_service_details} [data-testid=take-over]"))
        .await;
    walk.check("admin: take-over").await;
    journey.click("[data-testid=sign-out]").await;
}

#[tokio::test]
#[ignore = "needs the built app, Chromium and Firefox: run `cargo xtask test`"]
async fn every_screen_meets_wcag_22_aa_in_both_browsers_and_both_languages() {
    let server = Arc::new(ServerProcess::start(&dist()));
    let mut findings = Vec::new();
    let mut screens = 0;
    for browser in Browser::ALL {
        for lang in ["en-US", "nl-NL"] {
            let journey = Journey::on_server(server.clone(), browser, lang).await;
            // Chromium in Dutch walks in dark mode with reduced motion: contrast in the dark
            // colours, and nothing moving for those who asked.
            let emulated = browser == Browser::Chromium && lang == "nl-NL";
            if emulated {
                journey
                    .emulate_media(serde_json::json!([
                        {"name": "prefers-color-scheme", "value": "dark"},
                        {"name": "prefers-reduced-motion", "value": "reduce"},
                    ]))
                    .await;
            }
            let mut w = Walk {
                journey: &journey,
                label: format!("{browser:?} {lang}{}", if emulated { " dark" } else { "" }),
                screens: 0,
                findings: Vec::new(),
                reduced_motion: emulated,
                started: std::time::Instant::now(),
            };
            walk(&mut w).await;
            screens += w.screens;
            findings.extend(w.findings);
            journey.finish().await;
        }
    }
    eprintln!("checked {screens} screens (2 browsers × 2 languages)");
    assert!(
        findings.is_empty(),
        "{} WCAG findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
}
