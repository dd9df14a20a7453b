//! `selfserve-server`: see [`selfserve_server::cli`] for the commands.

use clap::Parser;
use selfserve_server::cli::PaymentsKind;
use selfserve_server::cli::{
    Cli, Command, DirectoryCommand, InvoiceCommand, OrgCommand, PolicyCommand, ScimTokenCommand,
    SsoCommand,
};
use selfserve_server::notifications::sender::{MailOptions, SmtpPassword};
use selfserve_server::payments::ProcessorOptions;
use selfserve_server::server::{self, ServeOptions};
use selfserve_server::stripe::{Secret, StripeOptions};
use selfserve_server::{directory_import, domain::directory::Directory, store::Store};
use std::io::Write;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr; stdout carries only the lines scripts read ("listening on …").
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let result = match Cli::parse().command {
        Command::Serve(args) => serve(*args).await,
        Command::Directory(DirectoryCommand::Import { file, database }) => {
            import(&file, &database.database).await
        }
        Command::Policy(command) => policy(command).await,
        Command::Org(OrgCommand::Sso(command)) => sso(command).await,
        Command::Org(OrgCommand::ScimToken(command)) => scim_token(command).await,
        Command::Org(OrgCommand::Webhook(command)) => {
            selfserve_server::admin_webhooks::command::run(command).await
        }
        Command::Invoice(InvoiceCommand::Refund {
            invoice_id,
            amount,
            reason,
            stripe_secret_key_file,
            stripe_api_base,
            database,
        }) => {
            refund(
                &invoice_id,
                amount,
                &reason,
                stripe_secret_key_file.as_deref(),
                &stripe_api_base,
                &database.database,
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: selfserve_server::cli::ServeArgs) -> Result<(), String> {
    let shutdown = server::ShutdownSignal::install();
    let processor = processor(&args)?;
    let mail = mail(&args)?;
    let running = server::start(ServeOptions {
        listen: args.listen,
        gateway_listen: args.gateway_listen,
        database: args.database.database,
        dist: args.dist,
        demo: args.demo,
        test_clock: args.test_clock,
        secure_cookies: args.secure_cookies,
        public_url: args.public_url,
        gateway_public_url: args.gateway_public_url,
        processor,
        trusted_proxies: args.trusted_proxies,
        mail,
        webhook_targets: selfserve_server::admin_webhooks::WebhookTargets::from_flag(
            args.allow_private_webhook_targets,
        ),
        seller: selfserve_server::seller::Seller::from_flags(
            args.seller_name.as_deref(),
            args.terms_url.as_deref(),
            args.privacy_url.as_deref(),
        )?,
        tuning: server::Tuning::default(),
    })
    .await
    .map_err(|e| e.to_string())?;
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on http://{}", running.addr);
        let _ = writeln!(
            stdout,
            "gateway listening on http://{}",
            running.gateway_addr
        );
        let _ = stdout.flush();
    }
    shutdown.received().await;
    tracing::info!("shutting down: finishing requests in flight");
    running.shutdown().await;
    Ok(())
}

/// `--smtp-url` and its password (read here, never printed), `--mail-from`; without an SMTP
/// server, `.eml` files in `outbox/` beside the SQLite file (`data/outbox/` by default), or
/// under `data/` for PostgreSQL.
fn mail(args: &selfserve_server::cli::ServeArgs) -> Result<MailOptions, String> {
    let password = match (
        &args.smtp_password_file,
        std::env::var("SELFSERVE_SMTP_PASSWORD"),
    ) {
        (Some(file), _) => Some(SmtpPassword::new(&std::fs::read_to_string(file).map_err(
            |e| format!("cannot read --smtp-password-file {}: {e}", file.display()),
        )?)),
        (None, Ok(password)) if !password.is_empty() => Some(SmtpPassword::new(&password)),
        (None, _) => None,
    };
    let url = &args.database.database;
    let data = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|path| {
            let file = std::path::Path::new(path.split('?').next().unwrap_or(path));
            file.parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default()
        })
        .unwrap_or_else(|| std::path::PathBuf::from("data"));
    MailOptions::from_args(
        args.smtp_url.as_deref(),
        password,
        args.mail_from.as_deref(),
        data.join("outbox"),
    )
}

/// `--payments` and its keys; secrets are read from their files here and never printed.
fn processor(args: &selfserve_server::cli::ServeArgs) -> Result<ProcessorOptions, String> {
    match args.payments {
        PaymentsKind::Builtin => Ok(ProcessorOptions::Builtin),
        PaymentsKind::Stripe => {
            // clap requires both with `--payments stripe`.
            let (Some(key_file), Some(publishable_key)) =
                (&args.stripe_secret_key_file, &args.stripe_publishable_key)
            else {
                return Err(
                    "--payments stripe needs --stripe-secret-key-file and --stripe-publishable-key"
                        .into(),
                );
            };
            // Checked here rather than by clap, which would echo a secret key given by mistake.
            if !publishable_key.starts_with("pk_") {
                return Err(
                    "--stripe-publishable-key takes the publishable key (pk_…), never the secret one"
                        .into(),
                );
            }
            let secret_key = read_stripe_key(key_file)?;
            Ok(ProcessorOptions::Stripe(StripeOptions {
                secret_key,
                publishable_key: publishable_key.clone(),
                webhook_secret: args
                    .stripe_webhook_secret_file
                    .as_deref()
                    .map(read_secret)
                    .transpose()?,
                api_base: args.stripe_api_base.clone(),
                js_url: args.stripe_js_url.clone(),
            }))
        }
    }
}

fn read_secret(path: &std::path::Path) -> Result<Secret, String> {
    std::fs::read_to_string(path)
        .map(|text| Secret::new(text.trim().to_owned()))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Stripe's secret key from its file, refused when it is not one (never printed).
fn read_stripe_key(path: &std::path::Path) -> Result<Secret, String> {
    let secret_key = read_secret(path)?;
    if !["sk_", "rk_"]
        .iter()
        .any(|prefix| secret_key.expose().starts_with(prefix))
    {
        return Err(format!(
            "{} does not hold a Stripe secret key (sk_… or rk_…)",
            path.display()
        ));
    }
    Ok(secret_key)
}

/// `invoice refund`: through the processor that charged the bill, whichever `serve` runs with.
async fn refund(
    invoice_id: &str,
    amount: Option<i64>,
    reason: &str,
    stripe_key_file: Option<&std::path::Path>,
    stripe_api_base: &str,
    database: &str,
) -> Result<(), String> {
    use selfserve_server::access::Actor;
    use selfserve_server::clock::Clock;
    use selfserve_server::payments::{Payments, charge_key};
    use selfserve_server::services::{ServiceError, Services, refunds};
    use selfserve_server::store::refunds::ChargeProcessor;
    let store = Store::open(database).await.map_err(|e| e.to_string())?;
    let clock = Clock::shared(store.clone())
        .await
        .map_err(|e| e.to_string())?;
    let order = store
        .paying_order_of(invoice_id)
        .await
        .map_err(|e| e.to_string())?;
    let processor = match &order {
        Some(order) => store
            .charge_processor(&charge_key(order))
            .await
            .map_err(|e| e.to_string())?,
        None => None,
    };
    let payments = match processor {
        Some(ChargeProcessor::Stripe) => {
            let key_file = stripe_key_file.ok_or(
                "Stripe charged this bill: give --stripe-secret-key-file (or \
                 SELFSERVE_STRIPE_SECRET_KEY_FILE)",
            )?;
            Payments::Stripe(selfserve_server::stripe::Stripe::with_key(
                stripe_api_base,
                read_stripe_key(key_file)?,
                store.clone(),
                clock.clone(),
            ))
        }
        // No charge: the service says why (no such bill, or not paid by card).
        Some(ChargeProcessor::Builtin) | None => Payments::Builtin(
            selfserve_server::gateway::Gateway::new(store.clone(), clock.clone(), ""),
        ),
    };
    let services = Services {
        store: store.clone(),
        payments,
        clock,
        // A refund posts no webhook itself; its event's deliveries are the servers'.
        webhook_targets: selfserve_server::admin_webhooks::WebhookTargets::PublicOnly,
        seller: selfserve_server::seller::Seller::default(),
    };
    let result = refunds::refund(&services, &Actor::Operator, invoice_id, amount, reason).await;
    store.close().await;
    let done = result.map_err(|error| match error {
        ServiceError::NotFound => format!("no invoice {invoice_id}"),
        ServiceError::Refund(refunds::RefundRefusal::NotPaid) => {
            format!("{invoice_id} was not paid by card: nothing to refund")
        }
        ServiceError::Refund(refunds::RefundRefusal::TooMuch { refundable }) => {
            format!("only {refundable} of {invoice_id} is left to refund")
        }
        ServiceError::Refund(refunds::RefundRefusal::NotPositive) => {
            "--amount must be more than zero".to_owned()
        }
        ServiceError::Refund(refunds::RefundRefusal::NoReason) => {
            "--reason must say why".to_owned()
        }
        ServiceError::Refund(refunds::RefundRefusal::ProcessorRefused(code)) => {
            format!("the card processor refused the refund ({code}); nothing was refunded")
        }
        ServiceError::Store(error) => {
            format!("{error}; the refund is recorded and not finished: run the same command again")
        }
        other => other.to_string(),
    })?;
    let currency = done.invoice.currency.as_str().to_ascii_uppercase();
    println!(
        "{} {} {}{}",
        if done.resumed { "finished" } else { "refunded" },
        done.amount,
        currency,
        if done.resumed {
            " (an earlier run was cut off)"
        } else {
            ""
        },
    );
    println!("refund {}", done.refund_id);
    println!(
        "invoice {} refunded {} of {} {}",
        done.invoice.id, done.invoice.amount_refunded, done.invoice.total, currency
    );
    Ok(())
}

async fn import(file: &std::path::Path, database: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let directory = Directory::parse(&text).map_err(|e| format!("{}:\n{e}", file.display()))?;
    let store = Store::open(database).await.map_err(|e| e.to_string())?;
    let now = selfserve_server::clock::Clock::system().now();
    let report = directory_import::import(&store, &directory, now)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    println!("{report}");
    Ok(())
}

async fn policy(command: PolicyCommand) -> Result<(), String> {
    use selfserve_api::admin::PolicyUpdate;
    use selfserve_api::product::ProductId;
    use selfserve_api::session::OrganizationKind;
    use selfserve_server::access::Actor;
    use selfserve_server::services::admin::policies;
    let (org, database) = match &command {
        PolicyCommand::List { org, database } | PolicyCommand::Set { org, database, .. } => {
            (org.trim().to_ascii_lowercase(), database.database.clone())
        }
    };
    let store = Store::open(&database).await.map_err(|e| e.to_string())?;
    let organization = store
        .organization_by_domain(&org)
        .await
        .map_err(|e| e.to_string())?
        .filter(|o| o.kind != OrganizationKind::Partner)
        .ok_or_else(|| format!("no organisation has the domain {org}"))?;
    let services = selfserve_server::services::Services::offline(store.clone());
    let entry = match command {
        PolicyCommand::List { .. } => {
            for entry in policies::entries(&services, &organization.id)
                .await
                .map_err(|e| e.to_string())?
            {
                println!("{}", policy_line(&entry));
            }
            None
        }
        PolicyCommand::Set {
            product,
            value,
            max_seats_per_purchase,
            max_seats,
            monthly_cap,
            clear,
            ..
        } => {
            let product: ProductId = product.parse().map_err(|_| {
                format!(
                    "unknown product {product:?}: use power-bi-pro, power-apps-per-user or \
                     power-automate-per-user"
                )
            })?;
            let update = selfserve_server::cli::policy_update(
                value,
                max_seats_per_purchase,
                max_seats,
                monthly_cap,
                &clear,
            )?;
            if update == PolicyUpdate::default() {
                return Err(
                    "nothing to set: give --value, a limit (--max-seats-per-purchase, \
                     --max-seats, --monthly-cap) or --clear"
                        .to_owned(),
                );
            }
            Some(
                policies::update_as(
                    &services,
                    &Actor::Operator,
                    &organization.id,
                    product,
                    &update,
                )
                .await
                .map_err(|e| e.to_string())?,
            )
        }
    };
    if let Some(entry) = entry {
        println!("{}", policy_line(&entry));
    }
    store.close().await;
    Ok(())
}

/// `PRODUCT_ID VALUE` and the guardrails that are set.
fn policy_line(entry: &selfserve_api::admin::PolicyEntry) -> String {
    let limits = entry.guardrails;
    let mut line = format!("{} {}", entry.product, entry.value);
    if let Some(n) = limits.max_seats_per_purchase {
        line.push_str(&format!(" max_seats_per_purchase={}", n.get()));
    }
    if let Some(n) = limits.max_seats {
        line.push_str(&format!(" max_seats={}", n.get()));
    }
    if let Some(n) = limits.monthly_cap {
        line.push_str(&format!(" monthly_cap={}", n.get()));
    }
    line
}

async fn sso(command: SsoCommand) -> Result<(), String> {
    use selfserve_server::store::sso::{SecretRef, SsoConfig};
    let (org, database) = match &command {
        SsoCommand::Set { org, database, .. }
        | SsoCommand::Show { org, database }
        | SsoCommand::Remove { org, database } => {
            (org.trim().to_ascii_lowercase(), database.database.clone())
        }
    };
    let (store, organization) = open_organization(&org, &database).await?;
    match command {
        SsoCommand::Set {
            issuer,
            client_id,
            client_secret_file,
            admin_groups,
            billing_admin_groups,
            ..
        } => {
            if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                return Err(format!("the issuer must be an http(s) URL, not {issuer:?}"));
            }
            // The file must hold something now; the server reads it at each sign-in, so a
            // rotated secret needs no restart. Relative paths would depend on where `serve` runs.
            let path = std::fs::canonicalize(&client_secret_file)
                .map_err(|e| format!("cannot read {}: {e}", client_secret_file.display()))?;
            let secret = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if secret.trim().is_empty() {
                return Err(format!("{} is empty", path.display()));
            }
            let config = SsoConfig {
                organization_id: organization.id.clone(),
                issuer: issuer.trim_end_matches('/').to_owned(),
                client_id,
                client_secret: SecretRef::File(path),
                admin_groups,
                billing_admin_groups,
            };
            let now = selfserve_server::clock::Clock::system().real_now();
            store
                .set_sso_config(&config, now)
                .await
                .map_err(|e| e.to_string())?;
            print_sso(&config);
        }
        SsoCommand::Show { .. } => {
            let config = store
                .sso_config(&organization.id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{org} signs in with passwords (no SSO)"))?;
            print_sso(&config);
        }
        SsoCommand::Remove { .. } => {
            let removed = store
                .remove_sso_config(&organization.id)
                .await
                .map_err(|e| e.to_string())?;
            if !removed {
                return Err(format!("{org} has no SSO to remove"));
            }
            println!("removed: {org} signs in with passwords");
        }
    }
    store.close().await;
    Ok(())
}

/// The database and the organisation that owns `domain` (lowercased), for `org …`.
async fn open_organization(
    domain: &str,
    database: &str,
) -> Result<(Store, selfserve_server::store::directory::OrganizationRow), String> {
    let store = Store::open(database).await.map_err(|e| e.to_string())?;
    let organization = store
        .organization_by_domain(domain)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no organisation has the domain {domain}"))?;
    Ok((store, organization))
}

async fn scim_token(command: ScimTokenCommand) -> Result<(), String> {
    let (org, database) = match &command {
        ScimTokenCommand::Create { org, database } | ScimTokenCommand::Revoke { org, database } => {
            (org.trim().to_ascii_lowercase(), database.database.clone())
        }
    };
    let (store, organization) = open_organization(&org, &database).await?;
    match command {
        ScimTokenCommand::Create { .. } => {
            let token = format!("scim_{}", selfserve_server::ids::new_secret());
            let now = selfserve_server::clock::Clock::system().real_now();
            store
                .set_scim_token(
                    &organization.id,
                    &selfserve_server::http::scim::hash_token(&token),
                    now,
                )
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "SCIM endpoint: {{public-url}}/scim/v2 (Entra ID: Tenant URL; Okta: SCIM connector base URL)"
            );
            println!("Secret token for {org} (shown once; an earlier token no longer works):");
            println!("{token}");
        }
        ScimTokenCommand::Revoke { .. } => {
            let revoked = store
                .revoke_scim_token(&organization.id)
                .await
                .map_err(|e| e.to_string())?;
            if !revoked {
                return Err(format!("{org} has no SCIM token to revoke"));
            }
            println!("revoked: {org}'s SCIM token no longer works");
        }
    }
    store.close().await;
    Ok(())
}

fn print_sso(config: &selfserve_server::store::sso::SsoConfig) {
    use selfserve_server::store::sso::SecretRef;
    println!("issuer {}", config.issuer);
    println!("client_id {}", config.client_id);
    match &config.client_secret {
        SecretRef::File(path) => println!("client_secret_file {}", path.display()),
        SecretRef::Env(name) => println!("client_secret_env {name}"),
    }
    println!("admin_groups {}", config.admin_groups.join(","));
    println!(
        "billing_admin_groups {}",
        config.billing_admin_groups.join(",")
    );
}
