//! Serving the Trunk-built app: precompressed files, the SPA fallback, caching, and a strict
//! Content-Security-Policy for the page where people type card numbers.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// The app's files with the SPA fallback: any path that is not a file answers index.html
/// (200), so deep links such as `/buy/power-bi-pro` work after a refresh.
pub fn service(dist: &Path, gateway_origin: &str) -> Router {
    let index = dist.join("index.html");
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(&index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    let policy = content_security_policy(
        &std::fs::read_to_string(&index).unwrap_or_default(),
        gateway_origin,
    );
    let policy =
        HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let policy = policy.clone();
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

/// Scripts only from this origin plus Trunk's inline loader (by hash), wasm allowed, fetches
/// only to this origin and the card gateway, no framing, no plugins.
pub fn content_security_policy(index_html: &str, gateway_origin: &str) -> String {
    let inline_hashes: Vec<String> = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {gateway_origin}; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'; object-src 'none'",
        inline_hashes.join(" ")
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

    #[test]
    fn recognises_trunks_fingerprinted_names() {
        assert!(is_fingerprinted("/selfserve-2e167e4d37741bfd.js"));
        assert!(is_fingerprinted("/selfserve-2e167e4d37741bfd_bg.wasm"));
        assert!(is_fingerprinted("/main-7e279b4b6cdb6dd5.css"));
        assert!(!is_fingerprinted("/index.html"));
        assert!(!is_fingerprinted("/buy/power-bi-pro"));
        assert!(!is_fingerprinted("/self-serve.js"));
    }

    #[test]
    fn policy_allows_exactly_the_inline_loader() {
        let html = "<html><script type=module>import init from '/a.js';</script>\
                    <script src=/b.js></script></html>";
        let policy = content_security_policy(html, "http://127.0.0.1:8081");
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 1);
        assert!(policy.contains("connect-src 'self' http://127.0.0.1:8081;"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
