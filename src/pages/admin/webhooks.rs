//! The organisation's webhook endpoints (global admins only, as `access.rs` decides; the
//! section is shown to them only): a table, an "Add endpoint" form whose answer shows the
//! signing secret once, and removal after a confirmation.

use super::use_admin;
use crate::api::{self, ApiFailure};
use crate::components::error_panel::{InlineError, failure_text};
use crate::components::loaded::{Loaded, Query};
use crate::components::mutation::Mutation;
use crate::i18n::{Msg, fill, t};
use leptos::prelude::*;
use selfserve_api::admin::{
    AuditAction, CreatedWebhookEndpoint, NewWebhookEndpoint, WebhookEndpoint,
};

#[component]
pub fn Webhooks() -> impl IntoView {
    let ctx = use_admin();
    // Its own writes (not the page's `Change`s): the secret must stay on screen after adding,
    // whatever is saved next.
    let add = Mutation::new_lasting(move |body: &NewWebhookEndpoint| {
        let (domain, body) = (ctx.domain(), body.clone());
        async move { api::add_webhook(&domain, &body).await }
    });
    let remove = Mutation::new(move |(id, url): &(String, String)| {
        let (domain, id, url) = (ctx.domain(), id.clone(), url.clone());
        async move {
            api::remove_webhook(&domain, &id).await?;
            ctx.flash.set(Some(fill(t(Msg::WebhookRemoved), &[&url])));
            // The row and its button (focused, with the browser's confirm closed) go away:
            // focus goes to the section's heading instead of the page's start.
            if let Some(heading) = document().get_element_by_id("webhooks-heading") {
                crate::components::focus::focus_heading(wasm_bindgen::JsCast::unchecked_ref(
                    &heading,
                ));
            }
            Ok::<(), ApiFailure>(())
        }
    });
    let (added, removed) = (add.version(), remove.version());
    let endpoints = Query::new(move || {
        added.track();
        removed.track();
        let domain = ctx.domain();
        async move { api::admin_webhooks(&domain).await.map(|l| l.data) }
    });
    view! {
        <section class="section" aria-labelledby="webhooks-heading" data-testid="webhooks">
            <h2 id="webhooks-heading">{t(Msg::Webhooks)}</h2>
            <p>{t(Msg::WebhooksIntro)}</p>
            <Loaded read=endpoints view=move |rows| view! { <EndpointTable rows remove /> }.into_any() />
            <InlineError message=Signal::derive(move || remove.with_value(|v| match v {
                Some(Err(failure)) => Some(failure_text(failure)),
                _ => None,
            })) />
            <AddEndpoint add />
        </section>
    }
}

/// The kinds an endpoint receives, in words (the wire names stay in the API).
pub fn events_text(events: &Option<Vec<AuditAction>>) -> String {
    match events {
        None => t(Msg::WebhookEventsAll).to_owned(),
        Some(kinds) => kinds
            .iter()
            .map(|k| t(event_kind(*k)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The name of an event kind for people.
pub fn event_kind(kind: AuditAction) -> Msg {
    match kind {
        AuditAction::Purchase => Msg::EventPurchase,
        AuditAction::TrialStarted => Msg::EventTrialStarted,
        AuditAction::SeatsChanged => Msg::EventSeatsChanged,
        AuditAction::SeatsChangeScheduled => Msg::EventSeatsChangeScheduled,
        AuditAction::LicencesAssigned => Msg::EventLicencesAssigned,
        AuditAction::LicenceRemoved => Msg::EventLicenceRemoved,
        AuditAction::PolicyChanged => Msg::EventPolicyChanged,
        AuditAction::Cancelled => Msg::EventCancelled,
        AuditAction::CancellationUndone => Msg::EventCancellationUndone,
        AuditAction::Expired => Msg::EventExpired,
        AuditAction::TakeOver => Msg::EventTakeOver,
        AuditAction::CancellationRequested => Msg::EventCancellationRequested,
        AuditAction::CentralPurchase => Msg::EventCentralPurchase,
        AuditAction::Renewed => Msg::EventRenewed,
        AuditAction::RenewalFailed => Msg::EventRenewalFailed,
        AuditAction::Refunded => Msg::EventRefunded,
        AuditAction::Disputed => Msg::EventDisputed,
        AuditAction::RequestOpened => Msg::EventRequestOpened,
        AuditAction::RequestAnswered => Msg::EventRequestAnswered,
        AuditAction::RenewalUpcoming => Msg::EventRenewalUpcoming,
        AuditAction::TrialEnding => Msg::EventTrialEnding,
        AuditAction::Suspended => Msg::EventSuspended,
    }
}

#[component]
fn EndpointTable(
    rows: Vec<WebhookEndpoint>,
    remove: Mutation<(String, String), Result<(), ApiFailure>>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p data-testid="webhooks-empty">{t(Msg::WebhooksEmpty)}</p> }.into_any();
    }
    let pending = remove.pending();
    let removing =
        move |id: &str| pending.get() && remove.with_input(|i| i.is_some_and(|(r, _)| r == id));
    view! {
        <div class="table-wrap">
            <table class="table dense" data-testid="webhooks-table">
                <thead><tr>
                    <th scope="col">{t(Msg::WebhookUrl)}</th>
                    <th scope="col">{t(Msg::WebhookEvents)}</th>
                    <th scope="col">{t(Msg::WebhookCreated)}</th>
                    <th scope="col">{t(Msg::WebhookLastDelivery)}</th>
                    <th scope="col"><span class="visually-hidden">{t(Msg::WebhookActions)}</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let last = row.last_delivery.as_ref().map_or_else(
                            || t(Msg::WebhookNoDelivery).to_owned(),
                            |d| match &d.last_error {
                                Some(error) => format!("{} ({error})", d.status.as_str()),
                                None => d.status.as_str().to_owned(),
                            },
                        );
                        let (id, url) = (row.id.clone(), row.url.clone());
                        let id_busy = id.clone();
                        let confirm = fill(t(Msg::WebhookRemoveConfirm), &[&url]);
                        view! {
                            <tr data-testid="webhook-row">
                                <th scope="row" class="url">{row.url.clone()}</th>
                                <td>{events_text(&row.events)}</td>
                                <td>{crate::format::date(row.created, None)}</td>
                                <td>{last}</td>
                                <td>
                                    <button type="button" class="button button-secondary" data-testid="webhook-remove"
                                        aria-disabled=move || removing(&id_busy).then_some("true")
                                        on:click=move |_| {
                                            let sure = window().confirm_with_message(&confirm).unwrap_or(false);
                                            if sure && !pending.get_untracked() {
                                                remove.dispatch((id.clone(), url.clone()));
                                            }
                                        }>
                                        {let id = row.id.clone(); move || if removing(&id) { t(Msg::WebhookRemoving) } else { t(Msg::WebhookRemove) }}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The form, checked before it is sent; a refusal naming a field is shown at that field.
#[component]
fn AddEndpoint(
    add: Mutation<NewWebhookEndpoint, Result<CreatedWebhookEndpoint, ApiFailure>>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let every = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<AuditAction>::new());
    let url_error = RwSignal::new(None::<String>);
    let events_error = RwSignal::new(None::<String>);
    let pending = add.pending();
    let server_error = move |field: Option<&str>| {
        add.with_value(|v| match v {
            Some(Err(ApiFailure::Api { error, .. })) if error.field.as_deref() == field => {
                Some(error.message.clone())
            }
            Some(Err(failure))
                if field.is_none()
                    && !matches!(failure, ApiFailure::Api { error, .. } if error.field.is_some()) =>
            {
                Some(failure_text(failure))
            }
            _ => None,
        })
    };
    let url_message = Signal::derive(move || url_error.get().or_else(|| server_error(Some("url"))));
    let events_message =
        Signal::derive(move || events_error.get().or_else(|| server_error(Some("events"))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = url.get_untracked().trim().to_owned();
        let url_ok = text.to_ascii_lowercase().starts_with("https://") && text.len() > 8;
        url_error.set((!url_ok).then(|| t(Msg::WebhookUrlInvalid).to_owned()));
        let events = (!every.get_untracked()).then(|| chosen.get_untracked());
        let events_ok = events.as_ref().is_none_or(|k| !k.is_empty());
        events_error.set((!events_ok).then(|| t(Msg::WebhookEventsNone).to_owned()));
        if url_ok && events_ok && !pending.get_untracked() {
            add.dispatch(NewWebhookEndpoint { url: text, events });
        }
    };
    let created = move || {
        add.with_value(|v| match v {
            Some(Ok(created)) => Some(created.clone()),
            _ => None,
        })
    };
    view! {
        <h3>{t(Msg::WebhookAdd)}</h3>
        {move || created().map(|c| view! {
            <div class="notice notice-ok" role="status" data-testid="webhook-secret-box">
                <p>{fill(t(Msg::WebhookAdded), &[&c.endpoint.url])}</p>
                <div class="field webhook-secret">
                    <label for="webhook-secret">{t(Msg::WebhookSecret)}</label>
                    <input id="webhook-secret" type="text" readonly data-testid="webhook-secret"
                        prop:value=c.secret.clone()
                        on:focus:target=move |ev| ev.target().select() />
                </div>
            </div>
        })}
        <form class="webhook-form" novalidate on:submit=submit data-testid="webhook-form">
            <InlineError message=Signal::derive(move || server_error(None)) />
            <div class="field" class:field-invalid=move || url_message.read().is_some()>
                <label for="webhook-url">{t(Msg::WebhookUrl)}</label>
                <p class="hint" id="webhook-url-hint">{t(Msg::WebhookUrlHint)}</p>
                {move || url_message.get().map(|m| view! {
                    <p class="field-error" id="webhook-url-error" role="alert">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{m}
                    </p>
                })}
                <input id="webhook-url" type="url" inputmode="url" data-testid="webhook-url"
                    placeholder="https://hooks.example.com/selfserve"
                    aria-invalid=move || url_message.read().is_some().then_some("true")
                    aria-describedby=move || if url_message.read().is_some() { "webhook-url-hint webhook-url-error" } else { "webhook-url-hint" }
                    prop:value=move || url.get() on:input:target=move |ev| url.set(ev.target().value()) />
            </div>
            <fieldset class="field webhook-events" class:field-invalid=move || events_message.read().is_some()
                aria-describedby=move || events_message.read().is_some().then_some("webhook-events-error")>
                <legend>{t(Msg::WebhookEvents)}</legend>
                {move || events_message.get().map(|m| view! {
                    <p class="field-error" id="webhook-events-error" role="alert">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{m}
                    </p>
                })}
                <label class="check check-all">
                    <input type="checkbox" data-testid="webhook-every" prop:checked=move || every.get()
                        on:change:target=move |ev| every.set(ev.target().checked()) />
                    {t(Msg::WebhookEventsAll)}
                </label>
                {AuditAction::ALL.iter().copied().map(|kind| view! {
                    <label class="check">
                        <input type="checkbox" value=kind.as_str() disabled=move || every.get()
                            prop:checked=move || chosen.with(|c| c.contains(&kind))
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                chosen.update(|c| { c.retain(|k| *k != kind); if on { c.push(kind); } });
                            } />
                        {t(event_kind(kind))}
                    </label>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="button" data-testid="webhook-add"
                aria-disabled=move || pending.get().then_some("true")>
                {move || if pending.get() { t(Msg::WebhookAdding) } else { t(Msg::WebhookAdd) }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn event_kinds_are_named_in_words_in_both_languages_not_by_wire_name() {
        let chosen = Some(vec![AuditAction::Purchase, AuditAction::TrialStarted]);
        assert_eq!(events_text(&chosen), "Purchase, Trial started");
        for kind in AuditAction::ALL.iter().copied() {
            for language in Language::ALL {
                let text = event_kind(kind).text(language);
                assert_ne!(text, kind.as_str(), "{kind:?} in {language:?}");
                assert!(!text.contains('_'), "{kind:?} in {language:?}: {text}");
            }
        }
        assert_eq!(
            event_kind(AuditAction::RenewalFailed).text(Language::Dutch),
            "Verlenging mislukt"
        );
        // Each kind has its own words: two checkboxes never read the same.
        let mut english: Vec<_> = AuditAction::ALL
            .iter()
            .map(|k| event_kind(*k).text(Language::English))
            .collect();
        english.sort_unstable();
        english.dedup();
        assert_eq!(english.len(), AuditAction::ALL.len());
    }
}
