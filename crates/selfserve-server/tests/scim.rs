//! SCIM 2.0 provisioning (RFC 7643/7644) against the real server: requests modelled on RFC
//! 7644's examples as Entra ID and Okta send them, with tokens made by the real binary's
//! `org scim-token create`. Every test runs on SQLite, and on PostgreSQL with
//! `SELFSERVE_TEST_POSTGRES`.

mod support;

#[path = "scim/lifecycle.rs"]
mod lifecycle;

use reqwest::Method;
use serde_json::{Value, json};
use support::app::{TestApp, spawn_app};

/// Runs the real binary's `org scim-token …` against the test's database.
pub fn scim_token_cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args(["org", "scim-token"])
        .args(args)
        .args(["--database", &app.database_url])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A new token for the organisation with `domain`: the last line `create` prints.
pub fn new_token(app: &TestApp, domain: &str) -> String {
    let (ok, out, err) = scim_token_cli(app, &["create", "--org", domain]);
    assert!(ok, "{err}");
    out.lines().last().unwrap().trim().to_owned()
}

/// A SCIM client (an identity provider) with a bearer token.
pub struct Scim {
    http: reqwest::Client,
    base: String,
    pub token: String,
}

/// An answer: status, SCIM body (Null when empty), content type.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// Asserts a SCIM error body (RFC 7644 §3.12) with this status and scimType.
    pub fn expect_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.content_type, "application/scim+json", "{self:?}");
        assert_eq!(
            self.body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
            "{self:?}"
        );
        assert_eq!(self.body["status"], json!(status.to_string()), "{self:?}");
        assert_eq!(self.body["scimType"].as_str(), scim_type, "{self:?}");
        assert!(self.body["detail"].is_string(), "{self:?}");
    }

    /// Asserts the status and a SCIM content type; gives the body.
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{self:?}");
        if status != 204 {
            assert_eq!(self.content_type, "application/scim+json", "{self:?}");
        }
        self.body
    }
}

impl Scim {
    pub fn new(app: &TestApp, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}/scim/v2", app.base),
            token: token.to_owned(),
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        Answer {
            status,
            body,
            content_type,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// The id of the user with this userName, found as Entra ID looks before it creates.
    pub async fn id_of(&self, user_name: &str) -> String {
        let found = self
            .get(&format!(
                "/Users?filter={}",
                encode(&format!("userName eq \"{user_name}\""))
            ))
            .await
            .expect(200);
        assert_eq!(found["totalResults"], 1, "{found}");
        found["Resources"][0]["id"].as_str().unwrap().to_owned()
    }
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// RFC 7644 §3.3's example user, in Contoso's domain.
pub fn barbara() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen@contoso.com",
        "externalId": "bjensen",
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
        "emails": [{"value": "bjensen@contoso.com", "type": "work", "primary": true}],
        "active": true
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_created_found_paged_replaced_and_deleted_as_rfc_7644_shows() {
    let app = spawn_app().await;
    let scim = Scim::new(&app, &new_token(&app, "contoso.com"));

    let config = scim.get("/ServiceProviderConfig").await.expect(200);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);

    let created = scim.post("/Users", &barbara()).await;
    let location = created
        .headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let created = created.expect(201);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["userName"], "bjensen@contoso.com");
    assert_eq!(created["externalId"], "bjensen");
    assert_eq!(created["displayName"], "Ms. Barbara J Jensen III");
    assert_eq!(created["active"], true);
    assert_eq!(
        location.as_deref(),
        created["meta"]["location"].as_str(),
        "Location names the new resource"
    );
    assert_eq!(scim.get(&format!("/Users/{id}")).await.expect(200), created);

    // userName is case-insensitive (RFC 7643 §4.1.1).
    assert_eq!(scim.id_of("BJensen@Contoso.com").await, id);
    let none = scim
        .get(&format!(
            "/Users?filter={}",
            encode("userName eq \"nobody@contoso.com\"")
        ))
        .await
        .expect(200);
    assert_eq!(none["totalResults"], 0);
    assert_eq!(none["Resources"], json!([]));
    // Okta and Entra ID may match on externalId instead (case-exact).
    let by_external = scim
        .get(&format!(
            "/Users?filter={}",
            encode("externalId eq \"bjensen\"")
        ))
        .await
        .expect(200);
    assert_eq!(by_external["totalResults"], 1, "{by_external}");
    assert_eq!(by_external["Resources"][0]["id"], json!(id));
    let other_case = scim
        .get(&format!(
            "/Users?filter={}",
            encode("externalId eq \"BJENSEN\"")
        ))
        .await
        .expect(200);
    assert_eq!(other_case["totalResults"], 0, "{other_case}");

    // The same userName again, another organisation's domain, no userName.
    scim.post("/Users", &barbara())
        .await
        .expect_error(409, Some("uniqueness"));
    let mut foreign = barbara();
    foreign["userName"] = json!("bjensen@fabrikam.nl");
    scim.post("/Users", &foreign)
        .await
        .expect_error(400, Some("invalidValue"));
    scim.post("/Users", &json!({"schemas": [], "displayName": "x"}))
        .await
        .expect_error(400, Some("invalidValue"));
    scim.send(Method::POST, "/Users", None)
        .await
        .expect_error(400, Some("invalidSyntax"));
    let mut long = barbara();
    long["userName"] = json!("long@contoso.com");
    long["displayName"] = json!("x".repeat(300));
    scim.post("/Users", &long)
        .await
        .expect_error(400, Some("invalidValue"));

    // Two creates of one userName at once: one account, the other answer 409 (never a 500).
    let mut racer = barbara();
    racer["userName"] = json!("racer@contoso.com");
    let (first, second) = tokio::join!(scim.post("/Users", &racer), scim.post("/Users", &racer));
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{first:?} {second:?}");

    // Filters: malformed, and well-formed but not supported.
    for filter in [
        "userName eq",
        "userName eq \"a\" and (",
        "name.familyName co \"Jen\"",
    ] {
        scim.get(&format!("/Users?filter={}", encode(filter)))
            .await
            .expect_error(400, Some("invalidFilter"));
    }

    // A NUL spelled `\u0000` inside the filter's string is one only once the filter is parsed,
    // past every check of the raw query: refused there too (PostgreSQL cannot take it: a 500).
    scim.get(&format!(
        "/Users?filter={}",
        encode("userName eq \"x\\u0000@contoso.com\"")
    ))
    .await
    .expect_error(400, Some("invalidValue"));

    // Pages: startIndex counts from 1, and the pages add up to the whole list.
    let all = scim.get("/Users").await.expect(200);
    let total = all["totalResults"].as_i64().unwrap();
    assert!(total >= 10, "Contoso's demo users and Barbara: {all}");
    let all_ids: Vec<&Value> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["id"])
        .collect();
    assert_eq!(all_ids.len() as i64, total);
    let page = scim.get("/Users?startIndex=3&count=2").await.expect(200);
    assert_eq!(page["totalResults"], total);
    assert_eq!(page["startIndex"], 3);
    assert_eq!(page["itemsPerPage"], 2);
    let page_ids: Vec<&Value> = page["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["id"])
        .collect();
    assert_eq!(page_ids, all_ids[2..4].to_vec());
    let past = scim
        .get(&format!("/Users?startIndex={}&count=5", total + 1))
        .await
        .expect(200);
    assert_eq!(past["itemsPerPage"], 0);
    scim.get("/Users?count=many")
        .await
        .expect_error(400, Some("invalidValue"));
    assert!(
        all["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["userName"].as_str().unwrap().ends_with("contoso.com")
                || u["userName"]
                    .as_str()
                    .unwrap()
                    .ends_with("contoso.onmicrosoft.com")),
        "only Contoso's users: {all}"
    );

    // PUT replaces.
    let mut replaced = barbara();
    replaced["displayName"] = json!("Barbara Jensen");
    replaced["externalId"] = json!("bjensen-2");
    let put = scim
        .put(&format!("/Users/{id}"), &replaced)
        .await
        .expect(200);
    assert_eq!(put["displayName"], "Barbara Jensen");
    assert_eq!(put["externalId"], "bjensen-2");
    assert_eq!(scim.get(&format!("/Users/{id}")).await.expect(200), put);

    // DELETE: gone for SCIM (404 from then on); a new POST brings the account back.
    assert_eq!(
        scim.delete(&format!("/Users/{id}")).await.expect(204),
        Value::Null
    );
    scim.get(&format!("/Users/{id}"))
        .await
        .expect_error(404, None);
    scim.delete(&format!("/Users/{id}"))
        .await
        .expect_error(404, None);
    let user = app.server.store.user_by_id(&id).await.unwrap().unwrap();
    assert!(!user.in_directory, "a deleted user is kept as a leaver");
    let back = scim.post("/Users", &barbara()).await.expect(201);
    assert_eq!(back["id"], json!(id), "the same account, back");
    assert_eq!(back["active"], true);

    scim.get("/Users/usr_nosuchuser")
        .await
        .expect_error(404, None);
    scim.get("/Nothing").await.expect_error(404, None);
    scim.send(Method::POST, "/ServiceProviderConfig", Some(&json!({})))
        .await
        .expect_error(405, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_sees_only_its_own_organisation_and_stops_working_when_replaced_or_revoked() {
    let app = spawn_app().await;
    let (ok, out, err) = scim_token_cli(&app, &["create", "--org", "Contoso.com"]);
    assert!(ok, "{err}");
    let contoso_token = out.lines().last().unwrap().trim().to_owned();
    assert!(contoso_token.len() >= 40, "{out}");
    let contoso = Scim::new(&app, &contoso_token);
    let fabrikam = Scim::new(&app, &new_token(&app, "fabrikam.nl"));

    // No token, a wrong one: 401 with a SCIM body and a Bearer challenge.
    for token in ["", "scim_not-a-token"] {
        let answer = Scim::new(&app, token).get("/Users").await;
        answer.expect_error(401, None);
        assert!(answer.headers.get("www-authenticate").is_some());
    }

    let megan = contoso.id_of("megan@contoso.com").await;
    fabrikam
        .get(&format!("/Users/{megan}"))
        .await
        .expect_error(404, None);
    fabrikam
        .patch(
            &format!("/Users/{megan}"),
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "active", "value": false}]}),
        )
        .await
        .expect_error(404, None);
    fabrikam
        .delete(&format!("/Users/{megan}"))
        .await
        .expect_error(404, None);
    let seen = fabrikam
        .get(&format!(
            "/Users?filter={}",
            encode("userName eq \"megan@contoso.com\"")
        ))
        .await
        .expect(200);
    assert_eq!(seen["totalResults"], 0, "{seen}");
    let mut contoso_user = barbara();
    contoso_user["userName"] = json!("someone@contoso.com");
    fabrikam
        .post("/Users", &contoso_user)
        .await
        .expect_error(400, Some("invalidValue"));
    let megan_row = app.server.store.user_by_id(&megan).await.unwrap().unwrap();
    assert!(megan_row.in_directory, "Fabrikam's token changed nothing");

    // Only the hash is stored. (Read through SQL: opening the SQLite file from this process
    // would drop the in-process server's POSIX locks on it.)
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM scim_tokens")
        .fetch_all(&sqlx::AnyPool::connect(&app.database_url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|hash| hash.len() == 64 && !hash.contains(&contoso_token)),
        "{stored:?}"
    );
    assert!(stored.contains(&selfserve_server::http::scim::hash_token(&contoso_token)));

    // A new token replaces the old one; revoking ends the new one.
    let renewed = Scim::new(&app, &new_token(&app, "contoso.com"));
    contoso.get("/Users").await.expect_error(401, None);
    renewed.get("/Users").await.expect(200);
    let (ok, _, err) = scim_token_cli(&app, &["revoke", "--org", "contoso.com"]);
    assert!(ok, "{err}");
    renewed.get("/Users").await.expect_error(401, None);
    fabrikam.get("/Users").await.expect(200);
    let (ok, _, err) = scim_token_cli(&app, &["revoke", "--org", "contoso.com"]);
    assert!(!ok && err.contains("no SCIM token"), "{err}");
    let (ok, _, err) = scim_token_cli(&app, &["create", "--org", "nowhere.example"]);
    assert!(!ok && err.contains("no organisation"), "{err}");
}
