//! The activity log: new self-service purchases and trials first, then everything.

use super::use_admin;
use crate::api;
use crate::format;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::admin::AuditEntry;

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

#[component]
pub fn Activity() -> impl IntoView {
    let ctx = use_admin();
    let feed = RwSignal::new(Vec::<AuditEntry>::new());
    let all = RwSignal::new(Vec::<AuditEntry>::new());
    Effect::new(move |_| {
        ctx.version.track();
        let Some(domain) = ctx.domain() else { return };
        spawn_local(async move {
            if let Ok(list) = api::audit(&domain, "purchase,trial_started").await {
                feed.set(list.data);
            }
            if let Ok(list) = api::audit(&domain, "").await {
                all.set(list.data);
            }
        });
    });
    let list = move |entries: Vec<AuditEntry>, testid: &'static str| {
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
    };
    view! {
        <section class="section" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t(Msg::Activity)}</h2>
            <h3>{t(Msg::NewPurchasesAndTrials)}</h3>
            {move || list(feed.get(), "feed")}
            <details>
                <summary>{t(Msg::FullActivityLog)}</summary>
                {move || list(all.get(), "audit-log")}
            </details>
        </section>
    }
}
