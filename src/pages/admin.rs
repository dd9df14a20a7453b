//! `/admin`: the organisation's admins and delegated partners. Every purchase (filter, search,
//! sort, CSV), take-over to central licences, central purchases, capacity, product policies
//! (global admins change them; others read), and the activity log.

mod activity;
mod central;
mod policies;
mod purchases;

use crate::api;
use crate::components::sign_in_gate::SignInGate;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use selfserve_api::admin::AdminOrganization;

/// What the sections share.
#[derive(Debug, Clone, Copy)]
pub struct AdminContext {
    /// The organisation administered now.
    pub organization: RwSignal<Option<AdminOrganization>>,
    /// Bumped after every change, so each section reloads what it shows.
    pub version: RwSignal<u32>,
    /// The last action's result, announced.
    pub flash: RwSignal<Option<String>>,
}

impl AdminContext {
    /// The organisation's primary domain (what `?organization=` takes).
    pub fn domain(&self) -> Option<String> {
        self.organization
            .with(|o| o.as_ref().and_then(|o| o.domains.first().cloned()))
    }

    /// After a change: say so, and reload every section.
    pub fn changed(&self, message: String) {
        self.flash.set(Some(message));
        self.version.update(|v| *v += 1);
    }
}

/// The page's context.
pub fn use_admin() -> AdminContext {
    expect_context::<AdminContext>()
}

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <SignInGate heading=t(Msg::AdminHeading)>
            <AdminHome />
        </SignInGate>
    }
}

#[component]
fn AdminHome() -> impl IntoView {
    let ctx = AdminContext {
        organization: RwSignal::new(None),
        version: RwSignal::new(0),
        flash: RwSignal::new(None),
    };
    provide_context(ctx);
    let organizations = RwSignal::new(Vec::<AdminOrganization>::new());
    let refused = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::admin_organizations().await {
            Ok(list) => {
                ctx.organization.set(list.data.first().cloned());
                organizations.set(list.data);
            }
            Err(failure) => refused.set(Some(
                failure.message().unwrap_or(t(Msg::LoadFailed)).to_owned(),
            )),
        }
    });
    let switch = move |domain: String| {
        let chosen = organizations.with(|orgs| {
            orgs.iter()
                .find(|o| o.domains.first() == Some(&domain))
                .cloned()
        });
        ctx.organization.set(chosen);
        ctx.flash.set(None);
    };
    view! {
        <section class="page" aria-labelledby="admin-heading" data-testid="admin">
            <h1 id="admin-heading">{t(Msg::AdminHeading)}</h1>
            {move || refused.get().map(|message| view! {
                <div class="panel panel-info" role="alert" data-testid="admin-refused">
                    <p>{message}</p>
                </div>
            })}
            <Show when=move || organizations.with(|o| o.len() > 1)>
                <div class="field">
                    <label for="org-switch">{t(Msg::Organisation)}</label>
                    <select id="org-switch" data-testid="org-switch"
                        on:change:target=move |ev| switch(ev.target().value())>
                        {move || organizations.get().into_iter().map(|o| {
                            let domain = o.domains.first().cloned().unwrap_or_default();
                            view! { <option value=domain>{o.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            {move || ctx.organization.get().map(|org| view! {
                <p class="lead" data-testid="admin-org"
                    class:visually-hidden=move || organizations.with(|o| o.len() > 1)>{org.name.clone()}</p>
            })}
            <div class="visually-hidden" role="status" aria-live="polite">{move || ctx.flash.get()}</div>
            {move || ctx.flash.get().map(|m| view! { <div class="notice notice-ok" data-testid="admin-flash">{m}</div> })}
            <Show when=move || ctx.organization.read().is_some()>
                <nav class="subnav" aria-label=t(Msg::AdminSections)>
                    <a href="#purchases-heading">{t(Msg::Purchases)}</a>
                    <a href="#capacity-heading">{t(Msg::Capacity)}</a>
                    <a href="#policies-heading">{t(Msg::Policies)}</a>
                    <a href="#activity-heading">{t(Msg::Activity)}</a>
                </nav>
                <purchases::Purchases />
                <central::CentralPurchase />
                <policies::Capacity />
                <policies::Policies />
                <activity::Activity />
            </Show>
        </section>
    }
}
