//! The command line, as ../shared/API.md specifies it. Every flag can also come from an
//! environment variable (`SELFSERVE_LISTEN`, `SELFSERVE_DATABASE`, …).

use crate::http::client_address::Cidr;
use crate::http::site::Origin;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// selfserve: self-service purchase of per-seat subscriptions.
#[derive(Debug, Parser)]
#[command(name = "selfserve-server", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app, the API and the test card gateway.
    Serve(Box<ServeArgs>),
    /// Manage the directory of organisations and users.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Self-service purchase policies per product (like the MSCommerce PowerShell module's
    /// Get/Update-MSCommerceProductPolicy). Changes apply to a running server at once.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Organisations: sign-in at their identity provider.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Bills: what the seller's support staff do with them.
    #[command(subcommand)]
    Invoice(InvoiceCommand),
}

/// `invoice …`.
#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// Give back money paid for a bill, through the processor that charged it: all that is
    /// left to refund, or `--amount`. Never more than was paid; run again after an
    /// interruption with the same arguments and the refund is finished, not repeated.
    Refund {
        /// The bill (`in_…`).
        invoice_id: String,
        /// How much, in the currency's minor units; all that is left when absent.
        #[arg(long)]
        amount: Option<i64>,
        /// Why (kept with the refund and in the audit log).
        #[arg(long)]
        reason: String,
        /// Needed when Stripe charged the bill: the file holding the secret key.
        #[arg(long, env = "SELFSERVE_STRIPE_SECRET_KEY_FILE")]
        stripe_secret_key_file: Option<PathBuf>,
        /// Stripe's API (a local Stripe server in tests).
        #[arg(
            long,
            env = "SELFSERVE_STRIPE_API_BASE",
            default_value = "https://api.stripe.com",
            value_parser = api_base
        )]
        stripe_api_base: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// `org …`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Sign-in with the organisation's OpenID Provider.
    #[command(subcommand)]
    Sso(SsoCommand),
    /// The bearer token the organisation's identity provider provisions users with over SCIM
    /// (`{public-url}/scim/v2`).
    #[command(subcommand)]
    ScimToken(ScimTokenCommand),
    /// HTTPS endpoints of the organisation's own tools that receive every event as signed JSON.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

/// `org webhook …`.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Post the organisation's events to URL (https:// to a public host), and print the
    /// signing secret on the last line (shown once).
    Add {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The endpoint.
        #[arg(long)]
        url: String,
        /// Only these event kinds (`purchase,seats_changed`); without it, every event.
        #[arg(long, value_delimiter = ',', value_parser = parse_audit_action)]
        events: Option<Vec<selfserve_api::admin::AuditAction>>,
        /// As `serve --allow-private-webhook-targets`: a loopback or private URL is taken.
        #[arg(long, env = "SELFSERVE_ALLOW_PRIVATE_WEBHOOK_TARGETS")]
        allow_private_webhook_targets: bool,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// The organisation's endpoints, one a line: id, URL (never a secret).
    List {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Stop posting to an endpoint (its pending deliveries are cancelled).
    Remove {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The endpoint's id (`whe_…`, from `list`).
        id: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// `org scim-token …`.
#[derive(Debug, Subcommand)]
pub enum ScimTokenCommand {
    /// Make a new token (replacing any earlier one, which stops working) and print it on the
    /// last line. Only its hash is stored: it cannot be shown again.
    Create {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Stop accepting the organisation's token.
    Revoke {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// `org sso …`. Register `{public-url}/api/v1/sso/callback` as the redirect URI at the
/// provider.
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign the organisation's people in at this provider (passwords are refused from then on).
    Set {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The provider's issuer URL (discovery: `{issuer}/.well-known/openid-configuration`).
        #[arg(long)]
        issuer: String,
        /// This server's client id at the provider.
        #[arg(long)]
        client_id: String,
        /// A file holding the client secret. Only its path is stored; the server reads it at
        /// each sign-in.
        #[arg(long)]
        client_secret_file: PathBuf,
        /// Members of this group (the ID token's `groups` claim) are global admins; repeatable.
        #[arg(long = "admin-group")]
        admin_groups: Vec<String>,
        /// Members of this group are billing admins; repeatable.
        #[arg(long = "billing-admin-group")]
        billing_admin_groups: Vec<String>,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print the organisation's provider (the secret's reference, never the secret).
    Show {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Back to passwords.
    Remove {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// `policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print one line per product: `PRODUCT_ID VALUE`, then each guardrail set as
    /// `max_seats_per_purchase=N`, `max_seats=N`, `monthly_cap=MINOR_UNITS`.
    List {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Set one product's policy and guardrails (any of them; the rest stay as they are).
    Set {
        /// Any domain of the organisation.
        #[arg(long)]
        org: String,
        /// `power-bi-pro`, `power-apps-per-user` or `power-automate-per-user`.
        #[arg(long)]
        product: String,
        /// `enabled`, `disabled` or `only_trials_without_payment_method`.
        #[arg(long)]
        value: Option<String>,
        /// Most seats in one self-service purchase (1 to 1000000).
        #[arg(long)]
        max_seats_per_purchase: Option<i64>,
        /// Most self-service seats of the product in the organisation, trials included.
        #[arg(long)]
        max_seats: Option<i64>,
        /// Most charged for self-service purchases and seat increases of the product per
        /// calendar month, in minor units of the organisation's currency (cents).
        #[arg(long)]
        monthly_cap: Option<i64>,
        /// Removes a limit (repeatable): `max-seats-per-purchase`, `max-seats`, `monthly-cap`.
        #[arg(long, value_enum)]
        clear: Vec<ClearLimit>,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// A guardrail `policy set --clear` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClearLimit {
    MaxSeatsPerPurchase,
    MaxSeats,
    MonthlyCap,
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// `sqlite://PATH` (created if missing) or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "SELFSERVE_DATABASE",
        default_value = "sqlite://data/selfserve.db"
    )]
    pub database: String,
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the app and API (`127.0.0.1:0` picks a free port).
    #[arg(long, env = "SELFSERVE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Address of the test card gateway.
    #[arg(
        long,
        env = "SELFSERVE_GATEWAY_LISTEN",
        default_value = "127.0.0.1:8081"
    )]
    pub gateway_listen: SocketAddr,
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Directory of the Trunk-built app.
    #[arg(long, env = "SELFSERVE_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Load the demo directory (see README) on first start.
    #[arg(long, env = "SELFSERVE_DEMO")]
    pub demo: bool,
    /// Enable `POST /api/v1/test-clock/advance`. Never in production.
    #[arg(long, env = "SELFSERVE_TEST_CLOCK")]
    pub test_clock: bool,
    /// Behind TLS: the session cookie is `__Host-selfserve_session` (Secure), only that cookie
    /// is accepted, and every response carries `Strict-Transport-Security`.
    #[arg(long, env = "SELFSERVE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The origin browsers reach the app at (`https://shop.example`); the CSP, CORS, `/config`,
    /// the `Origin` check and the `Host` allowlist use it. Default: the listen address.
    #[arg(long, env = "SELFSERVE_PUBLIC_URL", value_parser = Origin::parse)]
    pub public_url: Option<Origin>,
    /// The origin browsers reach the test card gateway at. Default: its listen address.
    #[arg(long, env = "SELFSERVE_GATEWAY_PUBLIC_URL", value_parser = Origin::parse)]
    pub gateway_public_url: Option<Origin>,
    /// A reverse proxy's address range (`127.0.0.1/32`, repeatable): only from these peers are
    /// `X-Forwarded-For` / `X-Forwarded-Proto` read, and the client address they give is the
    /// one per-address throttles count.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "SELFSERVE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = Cidr::from_str
    )]
    pub trusted_proxies: Vec<Cidr>,
    /// The SMTP server mail is sent through: `smtp://[user@]host:port` (STARTTLS when the
    /// server offers it) or `smtps://…` (TLS from the start). Without it, each mail is written
    /// as an `.eml` file in the data folder's `outbox/`.
    #[arg(long, env = "SELFSERVE_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Let admin webhooks reach loopback and private addresses (and `http://` to loopback):
    /// for tests and a relay on this machine or network. Off by default: without it a webhook
    /// must be `https://` to a host whose every address is public, checked at registration and
    /// at each delivery.
    #[arg(long, env = "SELFSERVE_ALLOW_PRIVATE_WEBHOOK_TARGETS")]
    pub allow_private_webhook_targets: bool,
    /// The seller's name, shown in the app's footer and on invoices. Without it none is shown.
    #[arg(long, env = "SELFSERVE_SELLER_NAME", value_name = "NAME")]
    pub seller_name: Option<String>,
    /// The seller's terms of sale (an https:// URL), linked from every page's footer.
    #[arg(long, env = "SELFSERVE_TERMS_URL", value_name = "URL")]
    pub terms_url: Option<String>,
    /// The seller's privacy statement (an https:// URL), linked from every page's footer.
    #[arg(long, env = "SELFSERVE_PRIVACY_URL", value_name = "URL")]
    pub privacy_url: Option<String>,
    /// A file holding the SMTP user's password (else `SELFSERVE_SMTP_PASSWORD`).
    #[arg(long, env = "SELFSERVE_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// The address mail is sent from (`Shop <shop@example.com>`); required with `--smtp-url`.
    #[arg(long, env = "SELFSERVE_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// Who moves the money: the built-in test gateway, or Stripe.
    #[arg(long, env = "SELFSERVE_PAYMENTS", value_enum, default_value_t = PaymentsKind::Builtin)]
    pub payments: PaymentsKind,
    /// A file holding the Stripe secret key (`sk_…` or a restricted `rk_…`).
    #[arg(
        long,
        env = "SELFSERVE_STRIPE_SECRET_KEY_FILE",
        required_if_eq("payments", "stripe")
    )]
    pub stripe_secret_key_file: Option<PathBuf>,
    /// The Stripe publishable key (`pk_…`), the only key the browser gets.
    #[arg(
        long,
        env = "SELFSERVE_STRIPE_PUBLISHABLE_KEY",
        required_if_eq("payments", "stripe")
    )]
    pub stripe_publishable_key: Option<String>,
    /// A file holding the webhook endpoint's signing secret (`whsec_…`).
    #[arg(long, env = "SELFSERVE_STRIPE_WEBHOOK_SECRET_FILE")]
    pub stripe_webhook_secret_file: Option<PathBuf>,
    /// Where Stripe's API answers (tests point it at a local Stripe server).
    #[arg(
        long,
        env = "SELFSERVE_STRIPE_API_BASE",
        default_value = "https://api.stripe.com",
        value_parser = api_base
    )]
    pub stripe_api_base: String,
    /// Where the browser loads Stripe.js from (tests point it at a local Stripe server's copy).
    #[arg(
        long,
        env = "SELFSERVE_STRIPE_JS_URL",
        default_value = "https://js.stripe.com/v3/",
        value_parser = stripe_js_url
    )]
    pub stripe_js_url: String,
}

/// `--payments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaymentsKind {
    /// The built-in test gateway: test cards only.
    Builtin,
    /// Stripe.
    Stripe,
}

fn api_base(value: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "https" | "http" if url.host().is_some() => Ok(value.trim_end_matches('/').to_owned()),
        _ => Err("an http(s) URL like https://api.stripe.com".into()),
    }
}

fn stripe_js_url(value: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "https" | "http" if url.host().is_some() => Ok(value.to_owned()),
        _ => Err("an http(s) URL like https://js.stripe.com/v3/".into()),
    }
}

/// `directory …`.
#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Create or update organisations, users and partners from a JSON file (idempotent).
    Import {
        /// The directory file.
        file: PathBuf,
        /// The database.
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// `policy set`'s flags as the update they ask for; a value out of range, or a limit both set
/// and cleared, is refused with words for the operator.
pub fn policy_update(
    value: Option<String>,
    max_seats_per_purchase: Option<i64>,
    max_seats: Option<i64>,
    monthly_cap: Option<i64>,
    clear: &[ClearLimit],
) -> Result<selfserve_api::admin::PolicyUpdate, String> {
    use selfserve_api::admin::{Policy, PolicyUpdate};
    use selfserve_api::guardrails::{LimitChange, LimitKind, SeatLimit, SpendCap};
    let value = value
        .map(|value| {
            value.parse::<Policy>().map_err(|_| {
                format!(
                    "unknown value {value:?}: use enabled, disabled or \
                     only_trials_without_payment_method"
                )
            })
        })
        .transpose()?;
    let flag = |kind: LimitKind| kind.as_str().replace('_', "-");
    let change = |set: Option<i64>, which: ClearLimit, kind: LimitKind| match (
        set,
        clear.contains(&which),
    ) {
        (Some(_), true) => Err(format!("--{0} and --clear {0} together", flag(kind))),
        (Some(n), false) => Ok(LimitChange::Set(n)),
        (None, true) => Ok(LimitChange::Clear),
        (None, false) => Ok(LimitChange::Keep),
    };
    let seats =
        |set: Option<i64>, which: ClearLimit, kind: LimitKind| match change(set, which, kind)? {
            LimitChange::Set(n) => SeatLimit::new(n, kind)
                .map(LimitChange::Set)
                .map_err(|e| format!("--{}: {e}", flag(kind))),
            LimitChange::Clear => Ok(LimitChange::Clear),
            LimitChange::Keep => Ok(LimitChange::Keep),
        };
    Ok(PolicyUpdate {
        value,
        max_seats_per_purchase: seats(
            max_seats_per_purchase,
            ClearLimit::MaxSeatsPerPurchase,
            LimitKind::MaxSeatsPerPurchase,
        )?,
        max_seats: seats(max_seats, ClearLimit::MaxSeats, LimitKind::MaxSeats)?,
        monthly_cap: match change(monthly_cap, ClearLimit::MonthlyCap, LimitKind::MonthlyCap)? {
            LimitChange::Set(n) => {
                LimitChange::Set(SpendCap::new(n).map_err(|e| format!("--monthly-cap: {e}"))?)
            }
            LimitChange::Clear => LimitChange::Clear,
            LimitChange::Keep => LimitChange::Keep,
        },
    })
}

/// An event kind on the command line, or the list of those there are.
fn parse_audit_action(text: &str) -> Result<selfserve_api::admin::AuditAction, String> {
    text.trim().parse().map_err(|_| {
        let known: Vec<&str> = selfserve_api::admin::AuditAction::ALL
            .iter()
            .map(|a| a.as_str())
            .collect();
        format!(
            "{text:?} is not an event kind; one of: {}",
            known.join(", ")
        )
    })
}
