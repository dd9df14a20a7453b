//! The activity log: new self-service purchases and trials first, then everything.

use super::use_admin;
use crate::api;
use crate::components::loaded::Loaded;
use crate::format;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use selfserve_api::admin::{AuditAction, AuditEntry};

fn describe(entry: &AuditEntry) -> String {
    let detail = |side: &Option<serde_json::Value>| {
        side.as_ref()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "—".into())
    };
    format!(
        "{} · {} · {} · {} → {}",
        entry.actor,
        entry.action,
        entry.product.map_or("", |p| p.as_str()),
        detail(&entry.before),
        detail(&entry.after)
    )
}

fn list(entries: Vec<AuditEntry>, testid: &'static str) -> AnyView {
    view! {
        <ol class="activity" data-testid=testid>
            {entries.into_iter().map(|entry| view! {
                <li>
                    <time>{format::date(entry.at, None)}</time>
                    " "
                    <span>{describe(&entry)}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
pub fn Activity() -> impl IntoView {
    let ctx = use_admin();
    let read = move |actions: &'static [AuditAction]| {
        ctx.read(
            move |domain| async move { api::audit(&domain, actions).await.map(|list| list.data) },
        )
    };
    let feed = read(&[AuditAction::Purchase, AuditAction::TrialStarted]);
    let all = read(&[]);
    view! {
        <section class="section" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t(Msg::Activity)}</h2>
            <h3>{t(Msg::NewPurchasesAndTrials)}</h3>
            <Loaded read=feed view=|entries| list(entries, "feed") />
            <details>
                <summary>{t(Msg::FullActivityLog)}</summary>
                <Loaded read=all view=|entries| list(entries, "audit-log") />
            </details>
        </section>
    }
}
