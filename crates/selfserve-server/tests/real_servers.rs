//! The real third-party servers the tests start (see `support::real_servers`) do what later
//! tests rely on. `cargo xtask test` installs them; each test here fails with instructions when
//! they are missing.

mod support;

use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::Digest;
use std::net::SocketAddr;
use std::time::Duration;
use support::real_servers::nginx::NginxProxy;
use support::real_servers::oidc::{OidcClient, OidcProvider};
use support::real_servers::smtp::SmtpSink;
use support::real_servers::stripe::LocalStripe;
use tokio::sync::mpsc;

/// Nothing listens there: the provider's redirect back is read, never followed.
const REDIRECT_URI: &str = "http://127.0.0.1:9/api/v1/sso/callback";

fn query_parameter(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[tokio::test]
async fn the_openid_provider_signs_in_with_pkce_and_puts_email_and_groups_in_the_id_token() {
    let provider = OidcProvider::start(OidcClient::new("selfserve", "s3cret", REDIRECT_URI));
    let http = reqwest::Client::new();

    let discovery: Value = http
        .get(provider.discovery_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], provider.issuer.as_str());
    assert!(provider.issuer.starts_with("http://127.0.0.1:"));
    assert!(
        discovery["code_challenge_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("S256")),
        "{discovery}"
    );
    let authorization_endpoint = discovery["authorization_endpoint"].as_str().unwrap();

    let authorize_url = |challenge: Option<&str>| {
        let mut params = vec![
            ("client_id", "selfserve"),
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "state-1"),
            ("nonce", "nonce-1"),
            ("login_hint", "admin@contoso.com"),
        ];
        if let Some(challenge) = challenge {
            params.extend([
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ]);
        }
        reqwest::Url::parse_with_params(authorization_endpoint, &params)
            .unwrap()
            .to_string()
    };

    // PKCE is required: without a challenge the provider sends an error back at once.
    let refused = provider
        .sign_in(&authorize_url(None), "admin@contoso.com")
        .await;
    assert!(refused.starts_with(REDIRECT_URI), "{refused}");
    assert_eq!(
        query_parameter(&refused, "error").as_deref(),
        Some("invalid_request")
    );

    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let callback = provider
        .sign_in(&authorize_url(Some(&challenge)), "admin@contoso.com")
        .await;
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert_eq!(
        query_parameter(&callback, "state").as_deref(),
        Some("state-1")
    );
    let code = query_parameter(&callback, "code").expect("an authorization code");

    let tokens: Value = http
        .post(discovery["token_endpoint"].as_str().unwrap())
        .basic_auth("selfserve", Some("s3cret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["iss"], provider.issuer.as_str());
    assert_eq!(claims["aud"], "selfserve");
    assert_eq!(claims["nonce"], "nonce-1");
    assert_eq!(claims["sub"], "admin@contoso.com");
    assert_eq!(claims["email"], "admin@contoso.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["groups"], json!(["contoso-global-admins"]));
}

/// What localstripe's webhooks delivered: the `Stripe-Signature` header and the event.
type Delivered = (String, Value);

async fn webhook_receiver() -> (SocketAddr, mpsc::UnboundedReceiver<Delivered>) {
    let (sender, received) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route(
            "/webhooks/stripe",
            axum::routing::post(
                |State(sender): State<mpsc::UnboundedSender<Delivered>>,
                 headers: HeaderMap,
                 body: String| async move {
                    let signature = headers
                        .get("stripe-signature")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let _ = sender.send((signature, serde_json::from_str(&body).unwrap()));
                },
            ),
        )
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, received)
}

#[tokio::test]
async fn localstripe_charges_a_test_card_and_sends_a_signed_webhook() {
    let stripe = LocalStripe::start();
    let (receiver, mut delivered) = webhook_receiver().await;
    stripe
        .send_webhooks_to(
            &format!("http://{receiver}/webhooks/stripe"),
            "whsec_test",
            &["payment_intent.succeeded"],
        )
        .await;

    let (status, method) = stripe
        .post(
            "payment_methods",
            &[
                ("type", "card"),
                ("card[number]", "4242424242424242"),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{method}");
    let method_id = method["id"].as_str().unwrap();
    assert!(method_id.starts_with("pm_"), "{method}");
    assert_eq!(method["card"]["last4"], "4242");

    let (status, intent) = stripe
        .post(
            "payment_intents",
            &[
                ("amount", "1260"),
                ("currency", "eur"),
                ("payment_method", method_id),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{intent}");
    assert_eq!(intent["status"], "succeeded", "{intent}");
    assert_eq!(intent["amount"], 1260);

    let (_, listed) = stripe.get("payment_intents").await;
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|listed| listed["id"] == intent["id"]),
        "{listed}"
    );

    // localstripe waits a second before delivering each event.
    let (signature, event) = tokio::time::timeout(Duration::from_secs(30), delivered.recv())
        .await
        .expect("the webhook arrives")
        .unwrap();
    assert_eq!(event["type"], "payment_intent.succeeded");
    assert_eq!(event["data"]["object"]["id"], intent["id"]);
    assert!(
        signature.starts_with("t=") && signature.contains(",v1="),
        "{signature}"
    );

    let page = reqwest::get(stripe.stripe_js_url()).await.unwrap();
    assert!(page.status().is_success());
    assert!(page.text().await.unwrap().contains("Stripe"));
}

#[tokio::test]
async fn the_smtp_server_keeps_a_message_sent_with_lettre() {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let smtp = SmtpSink::start();
    let message = Message::builder()
        .from("selfserve <shop@selfserve.example>".parse().unwrap())
        .to("megan@contoso.com".parse().unwrap())
        .bcc("admin@contoso.com".parse().unwrap())
        .subject("Your receipt")
        .message_id(Some("<receipt-1@selfserve.example>".to_owned()))
        .body("Total: €12.60".to_owned())
        .unwrap();
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .build();
    mailer.send(message).await.expect("the SMTP server accepts");

    let messages = smtp.wait_for_messages(1, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 1);
    let received = &messages[0];
    assert!(received.contains("Subject: Your receipt"), "{received}");
    assert!(
        received.contains("Message-ID: <receipt-1@selfserve.example>"),
        "{received}"
    );
    assert!(
        received.contains("X-Envelope-To: megan@contoso.com, admin@contoso.com"),
        "{received}"
    );
    assert!(smtp.url().starts_with("smtp://127.0.0.1:"));
}

/// An upstream that answers with its name and the headers the proxy set.
async fn echo_upstream(name: &'static str) -> SocketAddr {
    let app = axum::Router::new().fallback(move |headers: HeaderMap| async move {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        axum::Json(json!({
            "upstream": name,
            "host": header("host"),
            "x_forwarded_proto": header("x-forwarded-proto"),
            "x_forwarded_for": header("x-forwarded-for"),
        }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[tokio::test]
async fn nginx_terminates_tls_with_http2_and_spreads_requests_over_two_upstreams() {
    let plan = NginxProxy::reserve(1);
    let public_url = plan.urls()[0].clone();
    let (first, second) = (echo_upstream("first").await, echo_upstream("second").await);
    let proxy = plan.start(&[&[first, second]]);
    assert_eq!(proxy.url(), public_url);

    let client = proxy.client();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..4 {
        let response = client
            .get(format!("{}/api/v1/config", proxy.url()))
            .send()
            .await
            .expect("HTTPS through nginx");
        assert_eq!(response.version(), reqwest::Version::HTTP_2);
        let echoed: Value = response.json().await.unwrap();
        assert_eq!(echoed["x_forwarded_proto"], "https");
        assert_eq!(echoed["x_forwarded_for"], "127.0.0.1");
        assert_eq!(
            echoed["host"],
            public_url.trim_start_matches("https://"),
            "the upstream sees the public host"
        );
        seen.insert(echoed["upstream"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["first", "second"],
        "round-robin reaches both upstreams"
    );

    // nginx is a master and its workers: ending the group leaves nothing listening.
    let port: u16 = public_url.rsplit(':').next().unwrap().parse().unwrap();
    drop(proxy);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "nginx still accepts connections after its guard dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
