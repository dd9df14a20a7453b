//! The activity log: new self-service purchases and trials first, then everything.

use super::policies::policy_text;
use super::use_admin;
use crate::api;
use crate::components::loaded::Loaded;
use crate::format;
use crate::i18n::{Msg, fill, plural, product_name, t};
use leptos::prelude::*;
use selfserve_api::admin::{AuditAction, AuditEntry, Policy};
use selfserve_api::money::Currency;

/// An audit entry as a sentence: product names, licence counts, amounts and dates formatted
/// for the reader.
pub fn describe(entry: &AuditEntry) -> String {
    let product = entry.product.map_or("", product_name);
    let field = |side: &Option<serde_json::Value>, key: &str| {
        side.as_ref().and_then(|v| v.get(key)).cloned()
    };
    let number = |side: &Option<serde_json::Value>, key: &str| {
        field(side, key)
            .and_then(|v| v.as_i64())
            .map_or_else(|| "—".to_owned(), |n| n.to_string())
    };
    let amount = |side: &Option<serde_json::Value>, key: &str| {
        let currency =
            field(side, "currency").and_then(|c| c.as_str().and_then(|c| Currency::parse(c).ok()));
        match (field(side, key).and_then(|v| v.as_i64()), currency) {
            (Some(minor), Some(currency)) => format::money(minor, currency, None),
            _ => "—".to_owned(),
        }
    };
    // The form of a message whose count is the quantity after the change.
    let by_quantity = |one: Msg, other: Msg| {
        let quantity = field(&entry.after, "quantity").and_then(|v| v.as_u64());
        plural(one, other, quantity.unwrap_or(0))
    };
    let emails = |side: &Option<serde_json::Value>, key: &str| -> Vec<String> {
        field(side, key)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let (before, after) = (&entry.before, &entry.after);
    let actor = entry.actor.as_str();
    match entry.action {
        AuditAction::Purchase => fill(
            by_quantity(Msg::ActPurchaseOne, Msg::ActPurchase),
            &[
                actor,
                &number(after, "quantity"),
                product,
                &amount(after, "total"),
            ],
        ),
        AuditAction::TrialStarted => {
            let ends = field(after, "ends")
                .and_then(|v| v.as_str().map(str::to_owned))
                .map(|iso| js_sys::Date::parse(&iso))
                .filter(|ms| ms.is_finite())
                .map_or_else(
                    || "—".to_owned(),
                    |ms| format::date((ms / 1000.0) as i64, None),
                );
            fill(
                by_quantity(Msg::ActTrialStartedOne, Msg::ActTrialStarted),
                &[actor, product, &number(after, "quantity"), &ends],
            )
        }
        AuditAction::SeatsChanged => fill(
            t(Msg::ActSeatsChanged),
            &[
                actor,
                product,
                &number(before, "quantity"),
                &number(after, "quantity"),
            ],
        ),
        AuditAction::SeatsChangeScheduled => fill(
            by_quantity(
                Msg::ActSeatsChangeScheduledOne,
                Msg::ActSeatsChangeScheduled,
            ),
            &[actor, product, &number(after, "quantity")],
        ),
        AuditAction::LicencesAssigned => {
            let had = emails(before, "assigned");
            let given: Vec<String> = emails(after, "assigned")
                .into_iter()
                .filter(|email| !had.contains(email))
                .collect();
            fill(
                t(Msg::ActLicencesAssigned),
                &[actor, product, &given.join(", ")],
            )
        }
        AuditAction::LicenceRemoved => {
            let user = field(before, "user")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| t(Msg::ActSomeone).to_owned());
            fill(t(Msg::ActLicenceRemoved), &[actor, product, &user])
        }
        AuditAction::PolicyChanged => fill(
            t(Msg::ActPolicyChanged),
            &[
                actor,
                product,
                &policy_words(before, &amount),
                &policy_words(after, &amount),
            ],
        ),
        AuditAction::Cancelled => fill(t(Msg::ActCancelled), &[actor, product]),
        AuditAction::CancellationUndone => fill(t(Msg::ActCancellationUndone), &[actor, product]),
        AuditAction::Expired => fill(t(Msg::ActExpired), &[product]),
        AuditAction::TakeOver => fill(t(Msg::ActTakeOver), &[actor, product]),
        AuditAction::CancellationRequested => {
            fill(t(Msg::ActCancellationRequested), &[actor, product])
        }
        AuditAction::CentralPurchase => fill(
            by_quantity(Msg::ActCentralPurchaseOne, Msg::ActCentralPurchase),
            &[actor, &number(after, "quantity"), product],
        ),
        AuditAction::Renewed => fill(t(Msg::ActRenewed), &[product]),
        AuditAction::RenewalFailed => fill(t(Msg::ActRenewalFailed), &[product]),
        AuditAction::Refunded => fill(
            t(Msg::ActRefunded),
            &[actor, &amount(after, "amount"), product],
        ),
        AuditAction::Disputed => fill(t(Msg::ActDisputed), &[&amount(after, "amount"), product]),
        AuditAction::RequestOpened => fill(t(Msg::ActRequestOpened), &[actor, product]),
        AuditAction::RequestAnswered => {
            let outcome = after
                .as_ref()
                .and_then(|a| a.get("outcome"))
                .and_then(|o| o.as_str())
                .and_then(|o| o.parse().ok())
                .map_or("—", super::requests::outcome_text);
            fill(t(Msg::ActRequestAnswered), &[actor, product, outcome])
        }
        AuditAction::RenewalUpcoming => fill(t(Msg::ActRenewalUpcoming), &[product]),
        AuditAction::TrialEnding => fill(t(Msg::ActTrialEnding), &[product]),
        AuditAction::Suspended => fill(t(Msg::ActSuspended), &[product]),
    }
}

/// A policy and its limits in words: "On, at most 5 per purchase".
fn policy_words(
    side: &Option<serde_json::Value>,
    amount: &dyn Fn(&Option<serde_json::Value>, &str) -> String,
) -> String {
    let Some(value) = side.as_ref() else {
        return "—".to_owned();
    };
    let mut words = vec![
        value
            .get("value")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse::<Policy>().ok())
            .map_or("—", policy_text)
            .to_owned(),
    ];
    let seats = |key: &str| value.get(key).and_then(|v| v.as_i64());
    if let Some(n) = seats("max_seats_per_purchase") {
        words.push(fill(t(Msg::ActLimitPerPurchase), &[&n.to_string()]));
    }
    if let Some(n) = seats("max_seats") {
        words.push(fill(t(Msg::ActLimitSeats), &[&n.to_string()]));
    }
    if seats("monthly_cap").is_some() {
        words.push(fill(
            t(Msg::ActLimitMonthly),
            &[&amount(side, "monthly_cap")],
        ));
    }
    words.join(", ")
}

fn list(entries: Vec<AuditEntry>, testid: &'static str, empty: Msg) -> AnyView {
    if entries.is_empty() {
        return view! {
            <p class="empty-state" data-testid=format!("{testid}-empty")>{t(empty)}</p>
        }
        .into_any();
    }
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
            <Loaded read=feed view=|entries| list(entries, "feed", Msg::NoNewPurchases) />
            <details>
                <summary>{t(Msg::FullActivityLog)}</summary>
                <Loaded read=all view=|entries| list(entries, "audit-log", Msg::NoActivity) />
            </details>
        </section>
    }
}
