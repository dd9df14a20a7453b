//! Sign-in at the organisation's identity provider, against a real OpenID Provider (npm
//! `oidc-provider`, started by the harness): the person's browser is a plain HTTP client with a
//! cookie jar that follows the provider's login form; every redirect is read, not followed.

mod support;

#[path = "sso/admin.rs"]
mod admin;
#[path = "sso/cli.rs"]
mod cli;
#[path = "sso/provisioning.rs"]
mod provisioning;

use selfserve_api::ErrorCode;
use selfserve_api::eligibility::EligibilityResponse;
use selfserve_api::session::{Role, SessionUser, SignInMethod};
use selfserve_server::store::Store;
use selfserve_server::store::sso::{SecretRef, SsoConfig};
use serde_json::json;
use support::app::{TestApp, spawn_app};
use support::real_servers::oidc::{OidcAccount, OidcClient, OidcProvider};

const CLIENT_ID: &str = "selfserve";
const CLIENT_SECRET: &str = "s3cret-for-the-tests";

/// A browser: cookies kept, redirects not followed.
fn new_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location in a {} answer", response.status()))
        .to_owned()
}

fn query_parameter(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn with_parameter(url: &str, name: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// The demo server, a provider that knows it as [`CLIENT_ID`] (and `other_clients`), and
/// Contoso set up to sign in there.
struct Sso {
    app: TestApp,
    provider: OidcProvider,
}

fn callback_uri(app: &TestApp) -> String {
    format!("{}/api/v1/sso/callback", app.base)
}

async fn set_up_with(
    accounts: &[OidcAccount],
    other_clients: &[&str],
    id_token_ttl: Option<u64>,
    token_delay_ms: Option<u64>,
) -> Sso {
    let app = spawn_app().await;
    let redirect = callback_uri(&app);
    let mut clients = vec![OidcClient::new(CLIENT_ID, CLIENT_SECRET, &redirect)];
    for other in other_clients {
        clients.push(OidcClient::new(other, "other-secret", &redirect));
    }
    let provider = OidcProvider::start_slow(&clients, accounts, id_token_ttl, token_delay_ms);
    let secret_file = app.dir.path().join("client-secret");
    std::fs::write(&secret_file, format!("{CLIENT_SECRET}\n")).unwrap();
    let store = Store::open(&app.database_url).await.unwrap();
    let contoso = store
        .organization_by_domain("contoso.com")
        .await
        .unwrap()
        .unwrap();
    store
        .set_sso_config(
            &SsoConfig {
                organization_id: contoso.id,
                issuer: provider.issuer.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: SecretRef::File(secret_file),
                admin_groups: vec!["contoso-global-admins".into()],
                billing_admin_groups: vec!["contoso-billing-admins".into()],
            },
            0,
        )
        .await
        .unwrap();
    store.close().await;
    Sso { app, provider }
}

async fn set_up() -> Sso {
    set_up_with(&[], &[], None, None).await
}

impl Sso {
    /// `GET /sso/start`: the provider's authorization URL.
    async fn start(&self, browser: &reqwest::Client, email: &str, return_to: &str) -> String {
        let response = browser
            .get(self.app.url("/api/v1/sso/start"))
            .query(&[("email", email), ("return_to", return_to)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 302);
        location(&response)
    }

    /// Starts, signs in at the provider as `login`, and gives the callback URL it sends back.
    async fn callback_for(&self, browser: &reqwest::Client, login: &str) -> String {
        self.callback_as(browser, login, login).await
    }

    /// Starts for `email` (a Contoso address) and signs in at the provider as `login`.
    async fn callback_as(&self, browser: &reqwest::Client, email: &str, login: &str) -> String {
        let authorize = self.start(browser, email, "/checkout/seats").await;
        let callback = self.provider.sign_in(&authorize, login).await;
        assert!(
            callback.starts_with(&callback_uri(&self.app)),
            "the provider sends the browser back: {callback}"
        );
        callback
    }

    /// Opens the callback in `browser`: where it redirects, and whether a cookie was set.
    async fn finish(&self, browser: &reqwest::Client, callback: &str) -> (String, bool) {
        let response = browser.get(callback).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302, "{callback}");
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .any(|v| {
                v.to_str().unwrap_or("").starts_with("selfserve_session=")
                    && !v.to_str().unwrap_or("").starts_with("selfserve_session=;")
            });
        (location(&response), cookie)
    }

    async fn session(&self, browser: &reqwest::Client) -> (u16, Option<SessionUser>) {
        let response = browser
            .get(self.app.url("/api/v1/session"))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let user = if status == 200 {
            Some(response.json().await.unwrap())
        } else {
            None
        };
        (status, user)
    }

    /// A refusal: redirected to the app with this `sso_error`, no cookie, nobody signed in.
    async fn assert_refused(&self, browser: &reqwest::Client, callback: &str, code: &str) {
        let (to, cookie) = self.finish(browser, callback).await;
        assert_eq!(to, format!("/?sso_error={code}"));
        assert!(!cookie, "a refused sign-in sets no session cookie");
        assert_eq!(self.session(browser).await.0, 401, "nobody is signed in");
    }
}

#[tokio::test]
async fn a_first_sign_in_creates_the_user_and_maps_groups_to_roles() {
    let sso = set_up_with(
        &[OidcAccount {
            login: "newhire@contoso.com".into(),
            groups: vec!["contoso-global-admins".into(), "contoso-staff".into()],
            email_verified: true,
        }],
        &[],
        None,
        None,
    )
    .await;
    // The email step says where to sign in.
    let answer: EligibilityResponse = sso
        .app
        .post_as(
            "/api/v1/eligibility",
            &json!({"email": "newhire@contoso.com", "product": "power-bi-pro"}),
        )
        .await;
    assert!(
        matches!(
            answer,
            EligibilityResponse::SignIn {
                method: SignInMethod::Sso,
                ..
            }
        ),
        "{answer:?}"
    );
    let fabrikam: EligibilityResponse = sso
        .app
        .post_as(
            "/api/v1/eligibility",
            &json!({"email": "sanne@fabrikam.nl", "product": "power-bi-pro"}),
        )
        .await;
    assert!(
        matches!(
            fabrikam,
            EligibilityResponse::SignIn {
                method: SignInMethod::Password,
                ..
            }
        ),
        "{fabrikam:?}"
    );

    let browser = new_browser();
    let authorize = sso
        .start(&browser, "newhire@contoso.com", "/checkout/seats")
        .await;
    assert!(authorize.starts_with(&sso.provider.issuer), "{authorize}");
    assert_eq!(
        query_parameter(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_parameter(&authorize, "login_hint").as_deref(),
        Some("newhire@contoso.com")
    );
    assert_eq!(
        query_parameter(&authorize, "client_id").as_deref(),
        Some(CLIENT_ID)
    );
    assert!(query_parameter(&authorize, "state").is_some_and(|s| s.len() >= 16));
    assert!(query_parameter(&authorize, "nonce").is_some_and(|s| s.len() >= 16));
    assert!(!authorize.contains(CLIENT_SECRET));

    let callback = sso
        .provider
        .sign_in(&authorize, "newhire@contoso.com")
        .await;
    let (to, cookie) = sso.finish(&browser, &callback).await;
    assert_eq!(to, "/checkout/seats", "back where the checkout was");
    assert!(cookie);
    let (status, user) = sso.session(&browser).await;
    assert_eq!(status, 200);
    let user = user.unwrap();
    assert_eq!(user.email, "newhire@contoso.com");
    assert_eq!(user.organization.name, "Contoso");
    assert_eq!(user.roles, vec![Role::GlobalAdmin]);

    // A second sign-in finds the same user by subject (no second account).
    let again = new_browser();
    let callback = sso.callback_for(&again, "newhire@contoso.com").await;
    assert!(sso.finish(&again, &callback).await.1);
    assert_eq!(sso.session(&again).await.1.unwrap().id, user.id);

    // An imported user is tied to their subject on first SSO sign-in; staff get no role.
    let megan = new_browser();
    let callback = sso.callback_for(&megan, "megan@contoso.com").await;
    assert!(sso.finish(&megan, &callback).await.1);
    let megan_user = sso.session(&megan).await.1.unwrap();
    assert_eq!(
        megan_user.name, "Megan Bowen",
        "the directory's user, not a new one"
    );
    assert!(megan_user.roles.is_empty());

    // The client secret is nowhere in the database.
    if sso.app.on_sqlite() {
        assert!(!sqlite_database_holds(&sso.app, CLIENT_SECRET).await);
        // The scan sees what is there.
        assert!(sqlite_database_holds(&sso.app, "megan@contoso.com").await);
    }
}

/// Whether `text` is anywhere in what the SQLite database holds (every table and index).
/// Through SQL, into a copy: reading the live file from this process would close a
/// descriptor of it, which drops every POSIX lock the in-process server holds on it (SQLite's
/// own connections keep such descriptors open until its locks are gone).
async fn sqlite_database_holds(app: &TestApp, text: &str) -> bool {
    let copy = app.dir.path().join("copy-for-scan.db");
    let _ = std::fs::remove_file(&copy);
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query(&format!("VACUUM INTO '{}'", copy.display()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let bytes = std::fs::read(&copy).unwrap();
    assert!(
        bytes.starts_with(b"SQLite format 3"),
        "a copy of the database"
    );
    String::from_utf8_lossy(&bytes).contains(text)
}

#[tokio::test]
async fn a_password_sign_in_for_an_sso_organisation_is_refused() {
    let sso = set_up().await;
    sso.app
        .sign_in("megan@contoso.com")
        .await
        .error(401, ErrorCode::SsoRequired);
    // Other organisations keep passwords.
    assert_eq!(sso.app.sign_in("sanne@fabrikam.nl").await.status, 200);
}

#[tokio::test]
async fn a_wrong_state_and_a_replayed_callback_sign_nobody_in() {
    let sso = set_up().await;
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "megan@contoso.com").await;
    // Someone else's browser (the callback URL sent to a victim: login CSRF) is refused, and
    // the victim stays signed out.
    let victim = new_browser();
    let stolen = sso.callback_for(&new_browser(), "megan@contoso.com").await;
    sso.assert_refused(&victim, &stolen, "invalid_state").await;
    sso.assert_refused(
        &browser,
        &with_parameter(&callback, "state", "forged-state"),
        "invalid_state",
    )
    .await;
    sso.assert_refused(
        &browser,
        &with_parameter(&callback, "code", ""),
        "invalid_request",
    )
    .await;
    // The real callback was not used up by the forged one.
    assert!(sso.finish(&browser, &callback).await.1);

    // The same callback again, from the same browser (its cookie kept): the state is used up.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = plain
        .get(sso.app.url("/api/v1/sso/start"))
        .query(&[("email", "megan@contoso.com"), ("return_to", "/x")])
        .send()
        .await
        .unwrap();
    let cookie = started
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("selfserve_sso="), "{cookie}");
    let once = sso
        .provider
        .sign_in(&location(&started), "megan@contoso.com")
        .await;
    let open = |url: String| {
        let (plain, cookie) = (plain.clone(), cookie.clone());
        async move {
            let response = plain
                .get(url)
                .header(reqwest::header::COOKIE, cookie)
                .send()
                .await
                .unwrap();
            location(&response)
        }
    };
    assert_eq!(open(once.clone()).await, "/x");
    assert_eq!(open(once).await, "/?sso_error=invalid_state");

    // The used code under a fresh state of the attacker's own: the provider refuses it.
    let attacker = new_browser();
    let fresh = sso.callback_for(&attacker, "megan@contoso.com").await;
    let replayed = with_parameter(&fresh, "code", &query_parameter(&callback, "code").unwrap());
    sso.assert_refused(&attacker, &replayed, "code_rejected")
        .await;
}

#[tokio::test]
async fn a_code_issued_to_another_client_is_refused() {
    let sso = set_up_with(&[], &["another-app"], None, None).await;
    let browser = new_browser();
    let authorize = sso.start(&browser, "megan@contoso.com", "/").await;
    // The same request, but as another application registered at the provider.
    let other = with_parameter(&authorize, "client_id", "another-app");
    let callback = sso.provider.sign_in(&other, "megan@contoso.com").await;
    assert!(callback.contains("code="), "{callback}");
    sso.assert_refused(&browser, &callback, "code_rejected")
        .await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    // The ID token lives 1 s and reaches the server 2.5 s after it was made.
    let sso = set_up_with(&[], &[], Some(1), Some(2500)).await;
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "megan@contoso.com").await;
    sso.assert_refused(&browser, &callback, "invalid_id_token")
        .await;
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let sso = set_up().await;
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "megan@contoso.com").await;
    // The pending sign-in's nonce no longer matches the one the provider put in the token.
    {
        use sqlx::Connection;
        let mut db = sqlx::AnyConnection::connect(&sso.app.database_url)
            .await
            .unwrap();
        let changed = sqlx::query("UPDATE sso_pending_logins SET nonce = 'another-nonce'")
            .execute(&mut db)
            .await
            .unwrap();
        assert_eq!(changed.rows_affected(), 1);
    }
    sso.assert_refused(&browser, &callback, "invalid_id_token")
        .await;
}

#[tokio::test]
async fn an_unverified_email_or_one_of_another_domain_signs_nobody_in() {
    let sso = set_up().await;
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "unverified@contoso.com").await;
    sso.assert_refused(&browser, &callback, "email_not_verified")
        .await;
    // The provider vouches for an address of another organisation's domain.
    let callback = sso
        .callback_as(&browser, "megan@contoso.com", "sanne@fabrikam.nl")
        .await;
    sso.assert_refused(&browser, &callback, "email_outside_organization")
        .await;
    let callback = sso
        .callback_as(&browser, "megan@contoso.com", "someone@elsewhere.example")
        .await;
    sso.assert_refused(&browser, &callback, "email_outside_organization")
        .await;
}

#[tokio::test]
async fn return_to_is_never_another_site() {
    let sso = set_up().await;
    for hostile in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let browser = new_browser();
        let authorize = sso.start(&browser, "megan@contoso.com", hostile).await;
        let callback = sso.provider.sign_in(&authorize, "megan@contoso.com").await;
        let (to, cookie) = sso.finish(&browser, &callback).await;
        assert_eq!(to, "/", "{hostile}");
        assert!(cookie);
    }
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another_and_only_once() {
    use selfserve_server::http::site::Origin;
    use selfserve_server::server::{self, ServeOptions};
    let sso = set_up().await;
    // A second server on the same database, behind the same public URL (as behind a proxy).
    let second = server::start(ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        gateway_listen: "127.0.0.1:0".parse().unwrap(),
        database: sso.app.database_url.clone(),
        dist: sso.app.dir.path().join("dist"),
        demo: false,
        test_clock: false,
        secure_cookies: false,
        public_url: Some(Origin::parse(&sso.app.base).unwrap()),
        gateway_public_url: None,
        trusted_proxies: Vec::new(),
        processor: selfserve_server::payments::ProcessorOptions::Builtin,
        mail: selfserve_server::notifications::sender::MailOptions::from_args(
            None,
            None,
            None,
            sso.app.dir.path().join("outbox"),
        )
        .unwrap(),
        webhook_targets: selfserve_server::admin_webhooks::WebhookTargets::PublicOnly,
        seller: selfserve_server::seller::Seller::default(),
        tuning: server::Tuning::default(),
    })
    .await
    .unwrap();
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "megan@contoso.com").await;
    let on_second = callback.replace(&sso.app.base, &format!("http://{}", second.addr));
    let public_host = sso.app.base.trim_start_matches("http://").to_owned();
    let finish_on_second = |browser: reqwest::Client| {
        let (url, host) = (on_second.clone(), public_host.clone());
        async move {
            browser
                .get(url)
                .header(reqwest::header::HOST, host)
                .send()
                .await
                .unwrap()
        }
    };
    let response = finish_on_second(browser.clone()).await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(location(&response), "/checkout/seats");
    assert!(
        response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .is_some()
    );
    // The first instance (and the second again) know the state is used up.
    sso.assert_refused(&new_browser(), &callback, "invalid_state")
        .await;
    let again = finish_on_second(new_browser()).await;
    assert_eq!(location(&again), "/?sso_error=invalid_state");
}
