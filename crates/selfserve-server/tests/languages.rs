//! Error messages in the request's language (`Accept-Language`), against a real server: Dutch
//! for `nl`, English for everything else, the same codes and fields in both.

mod support;

use selfserve_api::ErrorCode;
use selfserve_api::error::ErrorBody;
use selfserve_server::http::throttle::ThrottleClock;
use selfserve_server::server::Tuning;
use serde_json::{Value, json};
use support::app::{Client, Reply, Spawn, TestApp, spawn_app, spawn_app_with};

/// The `Accept-Language` headers that must give Dutch.
const DUTCH: [Option<&str>; 3] = [
    Some("nl-NL"),
    Some("nl"),
    Some("de-DE,de;q=0.9,nl;q=0.8,en;q=0.5"),
];
/// The ones that must give English: none, English, a language we do not have, garbage.
const ENGLISH: [Option<&str>; 5] = [
    None,
    Some("en"),
    Some("de"),
    Some(";;q=x,,"),
    Some("en-US,en;q=0.9,nl;q=0.8"),
];

/// A request to make once per language.
struct Ask<'a> {
    method: reqwest::Method,
    url: String,
    body: Body<'a>,
    /// Each language gets its own key (`KEY-<n>`): a key's first answer is replayed as is.
    idempotency_key: Option<&'a str>,
}

enum Body<'a> {
    None,
    Json(Value),
    Raw(&'a str, &'a str),
}

async fn send(client: &Client, ask: &Ask<'_>, language: Option<&str>, n: usize) -> Reply {
    let mut request = client.http.request(ask.method.clone(), &ask.url);
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    if let Some(key) = ask.idempotency_key {
        request = request.header("Idempotency-Key", format!("{key}-{n}"));
    }
    request = match &ask.body {
        Body::None => request,
        Body::Json(body) => request.json(body),
        Body::Raw(content_type, text) => request
            .header("Content-Type", *content_type)
            .body(text.to_string()),
    };
    Reply::read(request.send().await.unwrap()).await
}

/// Asks in every language (the English ones first); the replies, each with its header.
async fn ask_all(client: &Client, ask: &Ask<'_>) -> Replies {
    let mut replies = Replies::default();
    for (n, language) in ENGLISH.into_iter().enumerate() {
        replies
            .english
            .push((language, send(client, ask, language, n).await));
    }
    for (n, language) in DUTCH.into_iter().enumerate() {
        let n = ENGLISH.len() + n;
        replies
            .dutch
            .push((language, send(client, ask, language, n).await));
    }
    replies
}

#[derive(Default)]
struct Replies {
    english: Vec<(Option<&'static str>, Reply)>,
    dutch: Vec<(Option<&'static str>, Reply)>,
}

/// Every reply is `status` `code` with the same fields; the English ones read exactly alike
/// and contain `english`; the Dutch ones read alike and contain `dutch`. Returns the Dutch
/// envelope.
#[track_caller]
fn in_both(
    replies: Replies,
    status: u16,
    code: ErrorCode,
    english: &str,
    dutch: &str,
) -> ErrorBody {
    let read = |replies: &[(Option<&'static str>, Reply)], expected: &str| -> ErrorBody {
        let mut first: Option<ErrorBody> = None;
        for (language, reply) in replies {
            let error = reply.error(status, code);
            assert!(
                error.message.contains(expected),
                "{language:?} should say {expected:?}: {reply:?}"
            );
            match &first {
                Some(first) => assert_eq!(error.message, first.message, "{language:?}"),
                None => first = Some(error),
            }
        }
        first.expect("replies")
    };
    let first_english = read(&replies.english, english);
    let first_dutch = read(&replies.dutch, dutch);
    assert_ne!(first_english.message, first_dutch.message);
    // Only the words change: code, field, reason, limit and decline code stay.
    let mut same = first_dutch.clone();
    same.message = first_english.message.clone();
    assert_eq!(
        serde_json::to_value(&same).unwrap(),
        serde_json::to_value(&first_english).unwrap()
    );
    first_dutch
}

fn ask(method: reqwest::Method, url: String, body: Body<'static>) -> Ask<'static> {
    Ask {
        method,
        url,
        body,
        idempotency_key: None,
    }
}

#[tokio::test]
async fn the_request_and_its_body_are_refused_in_the_asked_language() {
    let app = spawn_app().await;
    let eligibility = app.url("/api/v1/eligibility");
    use reqwest::Method;

    let error = in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                eligibility.clone(),
                Body::Json(json!({"email": "nobody", "product": "power-bi-pro"})),
            ),
        )
        .await,
        400,
        ErrorCode::InvalidEmail,
        "Enter an email address in the form name@example.com.",
        "Vul een e-mailadres in zoals naam@voorbeeld.nl.",
    );
    assert_eq!(error.field.as_deref(), Some("email"));

    // axum's own rejections go through the envelope too: malformed JSON, the wrong shape, the
    // wrong content type, an unknown address, a method the address does not take.
    in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                eligibility.clone(),
                Body::Raw("application/json", "{\"email\": "),
            ),
        )
        .await,
        400,
        ErrorCode::InvalidJson,
        "The request body is not valid JSON",
        "De inhoud van het verzoek is geen geldige JSON",
    );
    in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                eligibility.clone(),
                Body::Json(json!({"email": 5, "product": "power-bi-pro"})),
            ),
        )
        .await,
        400,
        ErrorCode::InvalidRequest,
        "Invalid value for `email`",
        "Ongeldige waarde voor `email`",
    );
    in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                eligibility.clone(),
                Body::Raw("text/plain", "email=a@b.c"),
            ),
        )
        .await,
        415,
        ErrorCode::UnsupportedMediaType,
        "Send the request body as JSON",
        "Stuur de inhoud van het verzoek als JSON",
    );
    in_both(
        ask_all(
            &app,
            &ask(Method::GET, app.url("/api/v1/no-such-thing"), Body::None),
        )
        .await,
        404,
        ErrorCode::NotFound,
        "There is nothing at this address.",
        "Op dit adres is niets te vinden.",
    );
    in_both(
        ask_all(
            &app,
            &ask(Method::DELETE, app.url("/api/v1/products"), Body::None),
        )
        .await,
        405,
        ErrorCode::MethodNotAllowed,
        "This address does not accept that method.",
        "Dit adres accepteert die methode niet.",
    );
    let megan = app.as_user("megan@contoso.com").await;
    let error = in_both(
        ask_all(
            &megan,
            &ask(
                Method::POST,
                app.url("/api/v1/quotes"),
                Body::Json(json!({"product": "power-bi-pro", "quantity": 0})),
            ),
        )
        .await,
        400,
        ErrorCode::InvalidQuantity,
        "Buy at least 1 licence(s).",
        "Koop minstens 1 licentie(s).",
    );
    assert_eq!(error.field.as_deref(), Some("quantity"));

    // Signed out, and a wrong password.
    in_both(
        ask_all(
            &app,
            &ask(Method::GET, app.url("/api/v1/subscriptions"), Body::None),
        )
        .await,
        401,
        ErrorCode::NotAuthenticated,
        "Sign in to continue.",
        "Meld je aan om verder te gaan.",
    );
    in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                app.url("/api/v1/session"),
                Body::Json(json!({"email": "megan@contoso.com", "password": "not-hers"})),
            ),
        )
        .await,
        401,
        ErrorCode::InvalidCredentials,
        "don't match an account",
        "horen niet bij een account",
    );

    // The card gateway, on its own listener, speaks Dutch as well.
    let error = in_both(
        ask_all(
            &app,
            &ask(
                Method::POST,
                format!("{}/v1/tokens", app.gateway),
                Body::Json(json!({"number": "4242424242424241", "exp_month": 12,
                "exp_year": 2034, "cvc": "123", "name": "Test"})),
            ),
        )
        .await,
        400,
        ErrorCode::IncorrectNumber,
        "Your card number is incomplete or incorrect.",
        "Je kaartnummer is onvolledig of onjuist.",
    );
    assert_eq!(error.field.as_deref(), Some("number"));
}

async fn contoso(app: &TestApp) -> String {
    app.server
        .store
        .user_by_email("megan@contoso.com")
        .await
        .unwrap()
        .unwrap()
        .organization_id
}

#[tokio::test]
async fn refusals_of_the_services_are_worded_in_the_asked_language() {
    use reqwest::Method;
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let quotes = app.url("/api/v1/quotes");

    // 403 not_eligible with its reason, and a guardrail's cap_reached with its limit.
    app.set_policy(&contoso(&app).await, "power-automate-per-user", "disabled")
        .await;
    let error = in_both(
        ask_all(
            &megan,
            &ask(
                Method::POST,
                quotes.clone(),
                Body::Json(json!({"product": "power-automate-per-user", "quantity": 1})),
            ),
        )
        .await,
        403,
        ErrorCode::NotEligible,
        "Your IT admin has turned off self-service purchase of this product.",
        "Je IT-beheerder heeft selfservice-aankoop van dit product uitgezet.",
    );
    assert_eq!(error.reason.as_deref(), Some("policy_disabled"));
    let _: Value = app
        .as_user("admin@contoso.com")
        .await
        .put_as(
            "/api/v1/admin/policies/power-bi-pro",
            &json!({"max_seats_per_purchase": 5}),
        )
        .await;
    let error = in_both(
        ask_all(
            &megan,
            &ask(
                Method::POST,
                quotes.clone(),
                Body::Json(json!({"product": "power-bi-pro", "quantity": 6})),
            ),
        )
        .await,
        403,
        ErrorCode::NotEligible,
        "Your IT admin allows at most 5 licence(s) in one self-service purchase",
        "Je IT-beheerder staat maximaal 5 licentie(s) toe in één selfservice-aankoop",
    );
    assert_eq!(error.reason.as_deref(), Some("cap_reached"));
    assert!(error.limit.is_some());

    // 404 of something that is not there for this user.
    in_both(
        ask_all(
            &megan,
            &ask(
                Method::GET,
                app.url("/api/v1/subscriptions/sub_nothing"),
                Body::None,
            ),
        )
        .await,
        404,
        ErrorCode::NotFound,
        "There is nothing at this address.",
        "Op dit adres is niets te vinden.",
    );

    // 409: a second trial.
    let _: Value = megan
        .create_as("/api/v1/trials", &json!({"product": "power-apps-per-user"}))
        .await;
    in_both(
        ask_all(
            &megan,
            &ask(
                Method::POST,
                app.url("/api/v1/trials"),
                Body::Json(json!({"product": "power-apps-per-user"})),
            ),
        )
        .await,
        409,
        ErrorCode::Conflict,
        "You already had a trial of this product.",
        "Je hebt al een proefversie van dit product gehad.",
    );

    // 402 card_declined, on an idempotent request: a fresh card token and key per language.
    let mut replies = Replies::default();
    for (n, language) in ENGLISH.iter().chain(&DUTCH).enumerate() {
        let token = megan.token("4000000000000002").await;
        let reply = send(
            &megan,
            &Ask {
                method: Method::POST,
                url: app.url("/api/v1/purchases"),
                body: Body::Json(
                    json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token}),
                ),
                idempotency_key: Some("declined"),
            },
            *language,
            n,
        )
        .await;
        if n < ENGLISH.len() {
            replies.english.push((*language, reply));
        } else {
            replies.dutch.push((*language, reply));
        }
    }
    let error = in_both(
        replies,
        402,
        ErrorCode::CardDeclined,
        "Your card was declined.",
        "Je kaart is geweigerd.",
    );
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
}

#[tokio::test]
async fn a_replay_is_the_first_answer_byte_for_byte_whatever_the_language() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let token = megan.token("4000000000000002").await;
    let body = json!({"product": "power-bi-pro", "quantity": 1, "payment_token": token});
    let purchase = |language: Option<&'static str>, key: &'static str| {
        let mut request = megan
            .http
            .post(app.url("/api/v1/purchases"))
            .header("Idempotency-Key", key)
            .json(&body);
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        async move { Reply::read(request.send().await.unwrap()).await }
    };

    let first = purchase(Some("nl-NL"), "dutch-first").await;
    let error = first.error(402, ErrorCode::CardDeclined);
    assert_eq!(
        error.message,
        "Je kaart is geweigerd. Probeer een andere kaart of neem contact op met je bank."
    );
    for language in [Some("nl-NL"), Some("en"), None] {
        let again = purchase(language, "dutch-first").await;
        assert_eq!(again.status, 402);
        assert_eq!(again.text, first.text, "replayed to {language:?}");
    }

    let first = purchase(Some("en"), "english-first").await;
    let error = first.error(402, ErrorCode::CardDeclined);
    assert!(
        error.message.starts_with("Your card was declined."),
        "{first:?}"
    );
    let again = purchase(Some("nl"), "english-first").await;
    assert_eq!(again.text, first.text);

    // A refusal made before the key is looked at is worded per request.
    let reused = |language: &'static str| {
        let request = megan
            .http
            .post(app.url("/api/v1/purchases"))
            .header("Idempotency-Key", "dutch-first")
            .header("Accept-Language", language)
            .json(&json!({"product": "power-bi-pro", "quantity": 2, "payment_token": "tok_x"}));
        async move { Reply::read(request.send().await.unwrap()).await }
    };
    let dutch = reused("nl")
        .await
        .error(422, ErrorCode::IdempotencyKeyReused);
    assert!(
        dutch
            .message
            .starts_with("Deze Idempotency-Key is al gebruikt"),
        "{dutch:?}"
    );
    let english = reused("en")
        .await
        .error(422, ErrorCode::IdempotencyKeyReused);
    assert!(
        english
            .message
            .starts_with("This Idempotency-Key was already used")
    );
}

#[tokio::test]
async fn too_many_requests_is_said_in_the_asked_language() {
    let app = spawn_app_with(Spawn {
        demo: true,
        tuning: Tuning {
            throttle_clock: ThrottleClock::frozen(),
            ..Tuning::default()
        },
        ..Spawn::default()
    })
    .await;
    let body = json!({"email": "megan@contoso.com", "product": "power-bi-pro"});
    // The address's bucket holds 120 and, with time stopped, never refills.
    let mut allowed = 0;
    loop {
        let reply = app.post("/api/v1/eligibility", &body).await;
        if reply.status == 429 {
            break;
        }
        assert_eq!(reply.status, 200, "{reply:?}");
        allowed += 1;
        assert!(allowed <= 120, "the bucket never emptied");
    }
    let error = in_both(
        ask_all(
            &app,
            &ask(
                reqwest::Method::POST,
                app.url("/api/v1/eligibility"),
                Body::Json(body.clone()),
            ),
        )
        .await,
        429,
        ErrorCode::RateLimited,
        "Too many requests. Try again in",
        "Te veel verzoeken. Probeer het over",
    );
    assert!(error.field.is_none());
}
