//! `spawn_app`: a real server (both listeners) on `127.0.0.1:0` with its own database file.

use selfserve_server::server::{self, RunningServer, ServeOptions};
use serde_json::Value;

/// A running server for one test, with a client that keeps cookies.
pub struct TestApp {
    pub server: RunningServer,
    pub base: String,
    pub gateway: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct Spawn {
    /// Load the demo directory.
    pub demo: bool,
    /// Write this `index.html` (and a fingerprinted asset) into a dist directory.
    pub index_html: Option<&'static str>,
}

/// A server with the demo directory loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await
}

pub async fn spawn_app_with(options: Spawn) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    if let Some(html) = options.index_html {
        std::fs::write(dist.join("index.html"), html).unwrap();
        std::fs::write(dist.join("app-0123456789abcdef.js"), "export {};").unwrap();
    }
    let server = server::start(ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        gateway_listen: "127.0.0.1:0".parse().unwrap(),
        database: format!("sqlite://{}", dir.path().join("test.db").display()),
        dist,
        demo: options.demo,
        test_clock: true,
        secure_cookies: false,
    })
    .await
    .expect("server starts");
    let base = format!("http://{}", server.addr);
    let gateway = format!("http://{}", server.gateway_addr);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp {
        server,
        base,
        gateway,
        client,
        dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`, returning status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        status_and_json(response).await
    }

    /// POST `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        status_and_json(response).await
    }
}

pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
    (status, json)
}

/// Asserts that `body` is the error envelope with `code`.
pub fn assert_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "envelope needs a message: {body}"
    );
}
