//! What one soak client does: signs in once as a demo user, then, until the time is up, picks
//! a request the way a person using the app would (browse, quote, buy with a test card, change
//! seats, give and take back licences, read bills; admins read the organisation's lists).

use super::http::{Connection, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Buyers (each with a colleague to give licences to) and admins of the demo directory.
pub const BUYERS: &[(&str, &str)] = &[
    ("megan@contoso.com", "alex@contoso.com"),
    ("alex@contoso.com", "lee@contoso.com"),
    ("lee@contoso.com", "isaiah@contoso.com"),
    ("isaiah@contoso.com", "diego@contoso.com"),
    ("diego@contoso.com", "lynne@contoso.com"),
    ("lynne@contoso.com", "nestor@contoso.com"),
    ("nestor@contoso.com", "patti@contoso.com"),
    ("patti@contoso.com", "megan@contoso.com"),
    ("sanne@fabrikam.nl", "daan@fabrikam.nl"),
    ("daan@fabrikam.nl", "gina@fabrikam.nl"),
    ("oliver@adatum.co.uk", "admin@adatum.co.uk"),
    ("haruto@kyototrading.jp", "haruto@kyototrading.jp"),
];
pub const ADMINS: &[&str] = &[
    "admin@contoso.com",
    "billing@contoso.com",
    "admin@fabrikam.nl",
    "pat@northwind.example",
];
const PRODUCTS: &[&str] = &[
    "power-bi-pro",
    "power-apps-per-user",
    "power-automate-per-user",
];
pub const PASSWORD: &str = "selfserve-demo";
/// Subscriptions one client buys at most.
const MAX_OWNED: usize = 4;

/// What a client saw.
#[derive(Debug, Default)]
pub struct Tally {
    pub requests: u64,
    pub by_class: [u64; 6],
    /// The first few 5xx answers, for the report.
    pub server_errors: Vec<String>,
    /// A subscription showing more people than seats.
    pub seat_violations: u64,
    /// A retried purchase that answered differently from the first time.
    pub replay_mismatches: u64,
    pub purchases: u64,
    pub latencies_us: Vec<u32>,
}

/// One client: its connections, session and what it bought.
pub struct Client {
    app: Connection,
    gateway: Connection,
    cookie: String,
    colleague: &'static str,
    admin: bool,
    subscriptions: Vec<String>,
    rng: u64,
    serial: u64,
    pub tally: Tally,
}

impl Client {
    /// Signs in as `email` (waiting out throttles and a busy password check).
    pub fn sign_in(
        app: SocketAddr,
        gateway: SocketAddr,
        index: usize,
        deadline: Instant,
    ) -> Result<Self, String> {
        let (email, colleague, admin) = if index % 5 == 4 {
            let admin = ADMINS[(index / 5) % ADMINS.len()];
            (admin, admin, true)
        } else {
            let (email, colleague) = BUYERS[index % BUYERS.len()];
            (email, colleague, false)
        };
        let mut connection = Connection::new(app);
        let body = json!({"email": email, "password": PASSWORD});
        loop {
            let answer = connection.send("POST", "/api/v1/session", &[], Some(&body))?;
            if answer.status == 200 {
                let cookie = answer
                    .header("set-cookie")
                    .and_then(|c| c.split(';').next())
                    .ok_or("no session cookie")?
                    .to_owned();
                return Ok(Self {
                    app: connection,
                    gateway: Connection::new(gateway),
                    cookie,
                    colleague,
                    admin,
                    subscriptions: Vec::new(),
                    rng: 0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xBF58_476D),
                    serial: 0,
                    tally: Tally::default(),
                });
            }
            let wait = answer
                .header("retry-after")
                .and_then(|s| s.parse().ok())
                .filter(|_| matches!(answer.status, 429 | 503))
                .ok_or_else(|| format!("{email} cannot sign in: {}", answer.text()))?;
            if Instant::now() + Duration::from_secs(wait) > deadline {
                return Err(format!("{email} still throttled at the deadline"));
            }
            // The server asked for this pause (Retry-After); nothing else to wait on.
            std::thread::sleep(Duration::from_secs(wait));
        }
    }

    fn random(&mut self, below: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % below
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let cookie = self.cookie.clone();
        let mut headers = vec![("Cookie", cookie.as_str())];
        if let Some(key) = key {
            headers.push(("Idempotency-Key", key));
        }
        let started = Instant::now();
        let answer = self
            .app
            .send(method, &format!("/api/v1{path}"), &headers, body.as_ref())
            .unwrap_or_else(|e| Response {
                status: 599,
                headers: Vec::new(),
                body: format!("transport: {e}").into_bytes(),
            });
        let tally = &mut self.tally;
        tally
            .latencies_us
            .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        tally.requests += 1;
        tally.by_class[usize::from(answer.status / 100).min(5)] += 1;
        if answer.status >= 500 && tally.server_errors.len() < 10 {
            tally.server_errors.push(format!(
                "{method} {path}: {} {}",
                answer.status,
                answer.text()
            ));
        }
        answer
    }

    /// One step of traffic.
    pub fn step(&mut self) {
        self.serial += 1;
        if self.admin {
            let paths = [
                "/admin/subscriptions",
                "/admin/capacity",
                "/admin/audit?limit=50",
                "/admin/subscriptions/export.csv",
                "/admin/organizations",
                "/admin/policies",
            ];
            let path = paths[self.random(paths.len() as u64) as usize];
            self.request("GET", path, None, None);
            return;
        }
        let product = PRODUCTS[self.random(PRODUCTS.len() as u64) as usize];
        let owned = if self.subscriptions.is_empty() {
            None
        } else {
            let at = self.random(self.subscriptions.len() as u64) as usize;
            Some(self.subscriptions[at].clone())
        };
        match (self.random(100), owned) {
            (0..=9, _) => {
                self.request("GET", "/products", None, None);
            }
            (10..=19, _) => {
                let quantity = 1 + self.random(20);
                self.request(
                    "POST",
                    "/quotes",
                    None,
                    Some(json!({"product": product, "quantity": quantity})),
                );
            }
            // A person holds a few subscriptions, not hundreds: past that, buying is a quote.
            (20..=29, _) if self.subscriptions.len() >= MAX_OWNED => {
                self.request(
                    "POST",
                    "/quotes",
                    None,
                    Some(json!({"product": product, "quantity": 1})),
                );
            }
            (20..=29, _) | (_, None) => self.purchase(product),
            (30..=44, Some(id)) => self.check_seats(&id),
            (45..=59, Some(id)) => {
                let delta: i64 = if self.random(2) == 0 { 1 } else { -1 };
                let current = self
                    .request("GET", &format!("/subscriptions/{id}"), None, None)
                    .json();
                let quantity = current["quantity"].as_i64().unwrap_or(1) + delta;
                let key = format!("soak-seats-{}-{}", self.rng, self.serial);
                self.request(
                    "POST",
                    &format!("/subscriptions/{id}/seats"),
                    Some(&key),
                    Some(json!({"quantity": quantity.max(1)})),
                );
            }
            (60..=74, Some(id)) => {
                self.request(
                    "POST",
                    &format!("/subscriptions/{id}/assignments"),
                    None,
                    Some(json!({"emails": [self.colleague]})),
                );
            }
            (75..=84, Some(id)) => {
                let sub = self
                    .request("GET", &format!("/subscriptions/{id}"), None, None)
                    .json();
                if let Some(user) = sub["assigned_users"].as_array().and_then(|u| u.first()) {
                    let user = user["id"].as_str().unwrap_or_default().to_owned();
                    self.request(
                        "DELETE",
                        &format!("/subscriptions/{id}/assignments/{user}"),
                        None,
                        None,
                    );
                }
            }
            (85..=92, Some(id)) => {
                self.request("GET", &format!("/subscriptions/{id}/invoices"), None, None);
            }
            (_, Some(_)) => {
                self.request("GET", "/subscriptions", None, None);
            }
        }
    }

    /// Buys with a fresh test-card token; one in five purchases is sent twice with the same
    /// key, as a browser retrying would, and must answer the same.
    fn purchase(&mut self, product: &str) {
        let card = json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034,
                          "cvc": "123", "name": "Soak Buyer"});
        let token = match self.gateway.send("POST", "/v1/tokens", &[], Some(&card)) {
            Ok(answer) if answer.status == 200 => answer.json()["token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            Ok(answer) => {
                self.tally.by_class[usize::from(answer.status / 100).min(5)] += 1;
                return;
            }
            Err(_) => return,
        };
        let key = format!("soak-buy-{}-{}", self.rng, self.serial);
        let body =
            json!({"product": product, "quantity": 1 + self.random(5), "payment_token": token});
        let first = self.request("POST", "/purchases", Some(&key), Some(body.clone()));
        if first.status == 201 {
            self.tally.purchases += 1;
            if let Some(id) = first.json()["id"].as_str() {
                self.subscriptions.push(id.to_owned());
            }
        }
        if self.random(5) == 0 {
            let again = self.request("POST", "/purchases", Some(&key), Some(body));
            if again.status != first.status || (first.status == 201 && again.body != first.body) {
                self.tally.replay_mismatches += 1;
            }
        }
    }

    fn check_seats(&mut self, id: &str) {
        let sub = self
            .request("GET", &format!("/subscriptions/{id}"), None, None)
            .json();
        let assigned = sub["assigned_users"].as_array().map_or(0, Vec::len) as i64;
        if sub["quantity"]
            .as_i64()
            .is_some_and(|quantity| assigned > quantity)
        {
            self.tally.seat_violations += 1;
        }
    }
}
