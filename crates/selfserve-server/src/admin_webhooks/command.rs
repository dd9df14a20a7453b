//! `org webhook add|list|remove` on the command line (the operator: no rights to check).

use crate::cli::WebhookCommand;
use crate::services::ServiceError;
use crate::services::admin::webhooks;
use crate::store::Store;

/// Runs one `org webhook` command; the error is what the operator reads.
pub async fn run(command: WebhookCommand) -> Result<(), String> {
    let (org, database) = match &command {
        WebhookCommand::Add { org, database, .. }
        | WebhookCommand::List { org, database }
        | WebhookCommand::Remove { org, database, .. } => {
            (org.trim().to_ascii_lowercase(), database.database.clone())
        }
    };
    let store = Store::open(&database).await.map_err(|e| e.to_string())?;
    let result = run_on(&store, &org, command).await;
    store.close().await;
    result
}

async fn run_on(store: &Store, org: &str, command: WebhookCommand) -> Result<(), String> {
    let organization = store
        .organization_by_domain(org)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no organisation has the domain {org}"))?;
    let now = crate::clock::Clock::system().real_now();
    match command {
        WebhookCommand::Add {
            url,
            events,
            allow_private_webhook_targets,
            ..
        } => {
            let new = webhooks::NewEndpoint {
                url: &url,
                events,
                targets: crate::admin_webhooks::WebhookTargets::from_flag(
                    allow_private_webhook_targets,
                ),
            };
            let created = webhooks::add_to(store, &organization.id, new, now)
                .await
                .map_err(|e| match e {
                    ServiceError::Invalid(crate::services::Invalid::WebhookUrl(refusal)) => {
                        format!("the URL is {}", refusal.describe())
                    }
                    ServiceError::Invalid(crate::services::Invalid::WebhookEvents) => {
                        "--events names no event kind".to_owned()
                    }
                    other => other.to_string(),
                })?;
            println!("endpoint {} {}", created.endpoint.id, created.endpoint.url);
            println!(
                "Signing secret for {org} (shown once; verify `Selfserve-Signature` with it):"
            );
            println!("{}", created.secret);
        }
        WebhookCommand::List { .. } => {
            let endpoints = webhooks::endpoints(store, &organization.id)
                .await
                .map_err(|e| e.to_string())?;
            for endpoint in endpoints {
                let events = match endpoint.events {
                    None => "all".to_owned(),
                    Some(kinds) => kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                };
                println!("{} {} {events}", endpoint.id, endpoint.url);
            }
        }
        WebhookCommand::Remove { id, .. } => {
            webhooks::remove_from(store, &organization.id, &id, now)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound => format!("{org} has no webhook endpoint {id}"),
                    other => other.to_string(),
                })?;
            println!("removed: {id} receives nothing more");
        }
    }
    Ok(())
}
