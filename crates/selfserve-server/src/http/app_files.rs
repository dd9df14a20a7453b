//! Serving the Trunk-built app: precompressed files, the SPA fallback per bundle, caching, and
//! a strict Content-Security-Policy for the page where people type card numbers.
//!
//! The app is three Trunk builds (`selfserve_api::bundle`): the checkout at the root of
//! `dist/`, the purchaser's view and the admin console below `dist/bundles/`. A page's address
//! picks the `index.html` it gets, and each index its own policy (each has its own inline
//! loader, allowed by hash).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use selfserve_api::bundle::Bundle;
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// One bundle's `index.html` and the policy it is sent with.
#[derive(Clone)]
struct Page {
    index: ServeFile,
    policy: HeaderValue,
}

/// The page of each bundle, in `Bundle::ALL` order. A bundle whose index is missing (a dist
/// built before the split, a test's one-file dist) answers with the checkout's.
struct Pages([Page; 3]);

impl Pages {
    fn load(dist: &Path, gateway_origin: &str, stripe_js: Option<&StripeJs>) -> Self {
        let page = |bundle: Bundle| {
            let mut index = dist.join(bundle.directory()).join("index.html");
            if !index.is_file() {
                index = dist.join("index.html");
            }
            let policy = content_security_policy(
                &std::fs::read_to_string(&index).unwrap_or_default(),
                gateway_origin,
                stripe_js,
            );
            Page {
                index: ServeFile::new(&index)
                    .precompressed_br()
                    .precompressed_gzip(),
                policy: HeaderValue::from_str(&policy)
                    .unwrap_or(HeaderValue::from_static("default-src 'self'")),
            }
        };
        Self(Bundle::ALL.map(page))
    }

    fn of(&self, path: &str) -> &Page {
        let bundle = bundle_of(path);
        let position = Bundle::ALL.iter().position(|b| *b == bundle).unwrap_or(0);
        &self.0[position]
    }
}

/// The bundle a request is for: a page's owner, or the bundle whose files (and index) sit in
/// the directory asked for.
fn bundle_of(path: &str) -> Bundle {
    Bundle::ALL
        .into_iter()
        .filter(|bundle| !bundle.directory().is_empty())
        .find(|bundle| {
            path.strip_prefix('/')
                .and_then(|p| p.strip_prefix(bundle.directory()))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .unwrap_or_else(|| Bundle::for_path(path))
}

/// The app's files with the SPA fallback: any path that is not a file answers the
/// `index.html` of the bundle that owns it (200), so deep links such as `/buy/power-bi-pro`
/// or `/manage/sub_1` work after a refresh.
pub fn service(dist: &Path, gateway_origin: &str, stripe_js: Option<&StripeJs>) -> Router {
    let pages = Arc::new(Pages::load(dist, gateway_origin, stripe_js));
    let index_pages = pages.clone();
    let index = tower::service_fn(move |request: Request| {
        let page = index_pages.of(request.uri().path()).index.clone();
        async move { Ok::<_, Infallible>(page.oneshot(request).await.unwrap_or_else(|e| match e {})) }
    });
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let policy = pages.of(request.uri().path()).policy.clone();
            async move { with_headers(request, next, policy).await }
        }))
}

async fn with_headers(request: Request, next: Next, policy: HeaderValue) -> Response {
    let fingerprinted = is_fingerprinted(request.uri().path());
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let success = response.status().is_success();
    let headers = response.headers_mut();
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        // index.html names the current fingerprinted files: always revalidate it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else if fingerprinted && success {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Trunk names files `name-<16 hex>.ext`; such a name never changes content.
fn is_fingerprinted(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The origins Stripe.js needs, in Stripe mode only: its script (which also serves the card
/// Element's frames), the API it calls, and, with Stripe's own Stripe.js, the frames of 3-D
/// Secure (Stripe's CSP guide: `hooks.stripe.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeJs {
    script: String,
    api: String,
    frames: Vec<String>,
}

impl StripeJs {
    /// From `--stripe-js-url` and `--stripe-api-base` (both checked as http(s) URLs by the CLI).
    pub fn new(js_url: &str, api_base: &str) -> Self {
        let origin = |url: &str| {
            reqwest::Url::parse(url)
                .map(|u| u.origin().ascii_serialization())
                // The CLI only lets URLs through; an unparsable one opens nothing.
                .unwrap_or_else(|_| "'none'".into())
        };
        let script = origin(js_url);
        let mut frames = vec![script.clone()];
        if script == "https://js.stripe.com" {
            frames.push("https://hooks.stripe.com".into());
        }
        Self {
            script,
            api: origin(api_base),
            frames,
        }
    }
}

/// Scripts only from this origin plus Trunk's inline loader (by hash), wasm allowed, fetches
/// only to this origin and the card gateway, no framing, no plugins; in Stripe mode Stripe.js's
/// script, frames and API as well.
pub fn content_security_policy(
    index_html: &str,
    gateway_origin: &str,
    stripe_js: Option<&StripeJs>,
) -> String {
    let inline_hashes: Vec<String> = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    scripts.extend(inline_hashes);
    let mut connect = vec!["'self'".to_owned(), gateway_origin.to_owned()];
    let mut frame_src = String::new();
    if let Some(stripe) = stripe_js {
        scripts.push(stripe.script.clone());
        connect.push(stripe.api.clone());
        frame_src = format!(" frame-src {};", stripe.frames.join(" "));
    }
    format!(
        "default-src 'self'; script-src {}; style-src 'self'; img-src 'self' data:; \
         connect-src {};{frame_src} frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
         object-src 'none'",
        scripts.join(" "),
        connect.join(" "),
    )
}

fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        body.split_once("</script>").map(|(script, _)| script)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dist laid out as `cargo xtask build` does, each file saying which bundle it is from.
    fn three_bundles() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for bundle in Bundle::ALL {
            let name = format!("{bundle:?}");
            let directory = dir.path().join(bundle.directory());
            std::fs::create_dir_all(&directory).unwrap();
            std::fs::write(
                directory.join("index.html"),
                format!("<html><script type=module>import '{name}';</script></html>"),
            )
            .unwrap();
            let wasm = directory.join("selfserve-0123456789abcdef_bg.wasm");
            std::fs::write(&wasm, format!("raw {name}")).unwrap();
            std::fs::write(wasm.with_extension("wasm.br"), format!("br {name}")).unwrap();
        }
        dir
    }

    async fn get(app: &Router, path: &str) -> (Response, String) {
        let request = axum::http::Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "br")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (
            Response::from_parts(parts, axum::body::Body::empty()),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn each_page_gets_its_bundles_index_and_policy() {
        let dist = three_bundles();
        let app = service(dist.path(), "http://127.0.0.1:8081", None);
        for (path, bundle) in [
            ("/", Bundle::Checkout),
            ("/buy/power-bi-pro", Bundle::Checkout),
            ("/sign-in", Bundle::Checkout),
            ("/manage", Bundle::Purchaser),
            ("/manage/sub_1", Bundle::Purchaser),
            ("/invoices/in_1", Bundle::Purchaser),
            ("/admin", Bundle::Admin),
        ] {
            let (response, body) = get(&app, path).await;
            let loader = format!("import '{bundle:?}';");
            assert_eq!(response.status(), 200, "{path}");
            assert!(body.contains(&loader), "{path} got {body}");
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "no-cache",
                "{path}"
            );
            let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap();
            let hash =
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader.as_bytes()));
            assert!(policy.contains(&hash), "{path}: {policy}");
            assert_eq!(policy.matches("'sha256-").count(), 1, "{path}: {policy}");
        }
    }

    #[tokio::test]
    async fn every_bundles_hashed_files_are_precompressed_and_immutable() {
        let dist = three_bundles();
        let app = service(dist.path(), "http://127.0.0.1:8081", None);
        for bundle in Bundle::ALL {
            let directory = bundle.directory();
            let path = if directory.is_empty() {
                "/selfserve-0123456789abcdef_bg.wasm".to_owned()
            } else {
                format!("/{directory}/selfserve-0123456789abcdef_bg.wasm")
            };
            let (response, body) = get(&app, &path).await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(body, format!("br {bundle:?}"), "{path}");
            assert_eq!(response.headers()[header::CONTENT_ENCODING], "br", "{path}");
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "public, max-age=31536000, immutable",
                "{path}"
            );
        }
    }

    #[test]
    fn a_bundles_own_files_and_pages_get_its_index() {
        assert_eq!(bundle_of("/manage/sub_1"), Bundle::Purchaser);
        assert_eq!(
            bundle_of("/bundles/purchaser/index.html"),
            Bundle::Purchaser
        );
        assert_eq!(bundle_of("/bundles/admin/"), Bundle::Admin);
        assert_eq!(bundle_of("/admin"), Bundle::Admin);
        assert_eq!(bundle_of("/bundles/administrator"), Bundle::Checkout);
        assert_eq!(bundle_of("/index.html"), Bundle::Checkout);
        assert_eq!(bundle_of("/buy/power-bi-pro"), Bundle::Checkout);
    }

    #[test]
    fn recognises_trunks_fingerprinted_names() {
        assert!(is_fingerprinted("/selfserve-2e167e4d37741bfd.js"));
        assert!(is_fingerprinted("/selfserve-2e167e4d37741bfd_bg.wasm"));
        assert!(is_fingerprinted("/main-7e279b4b6cdb6dd5.css"));
        assert!(is_fingerprinted(
            "/bundles/admin/selfserve-2e167e4d37741bfd_bg.wasm"
        ));
        assert!(!is_fingerprinted("/index.html"));
        assert!(!is_fingerprinted("/buy/power-bi-pro"));
        assert!(!is_fingerprinted("/self-serve.js"));
    }

    #[test]
    fn policy_allows_exactly_the_inline_loader() {
        let html = "<html><script type=module>import init from '/a.js';</script>\
                    <script src=/b.js></script></html>";
        let policy = content_security_policy(html, "http://127.0.0.1:8081", None);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 1);
        assert!(policy.contains("connect-src 'self' http://127.0.0.1:8081;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("frame-src"), "{policy}");
    }

    #[test]
    fn stripe_mode_opens_exactly_stripe_js_and_its_api() {
        let stripe = StripeJs::new("https://js.stripe.com/v3/", "https://api.stripe.com");
        let policy = content_security_policy("", "http://127.0.0.1:8081", Some(&stripe));
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com;"),
            "{policy}"
        );
        assert!(
            policy.contains("connect-src 'self' http://127.0.0.1:8081 https://api.stripe.com;"),
            "{policy}"
        );
        assert!(
            policy.contains("frame-src https://js.stripe.com https://hooks.stripe.com;"),
            "{policy}"
        );
        let local = StripeJs::new(
            "http://127.0.0.1:9000/js.stripe.com/v3/",
            "http://127.0.0.1:9000",
        );
        let policy = content_security_policy("", "http://127.0.0.1:8081", Some(&local));
        assert!(
            policy.contains("frame-src http://127.0.0.1:9000;"),
            "{policy}"
        );
        assert!(!policy.contains("stripe.com"), "{policy}");
    }
}
