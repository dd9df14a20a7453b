//! `/admin`: the organisation's admins and delegated partners. Every purchase (filter, search,
//! sort, CSV), take-over to central licences, central purchases, capacity, product policies
//! (global admins change them; others read), and the activity log.

pub mod activity;
pub mod central;
pub mod notices;
mod policies;
mod purchases;
pub mod requests;
mod webhooks;

use crate::api::{self, ApiFailure};
use crate::components::loaded::{Loaded, Query};
use crate::components::mutation::{Mutation, Outcomes};
use crate::components::sign_in_gate::SignInGate;
use crate::i18n::{Msg, fill, plural, t};
use leptos::prelude::*;
use selfserve_api::admin::{
    AdminOrganization, AdminRole, CentralPurchaseRequest, OrganizationSignIn, Policy, PolicyUpdate,
    TakeOverCancel,
};
use selfserve_api::product::ProductId;
use selfserve_api::requests::AnswerRequest;

/// What an admin does to a self-service purchase from its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// Moves its users to central licences and ends it as chosen.
    TakeOver(TakeOverCancel),
    AskToCancel,
}

/// A change an admin makes: its result is announced, and every section reads again.
pub type Change<I> = Mutation<I, Result<(), ApiFailure>>;

/// What the sections share.
#[derive(Clone, Copy)]
pub struct AdminContext {
    /// The organisation administered now.
    pub organization: RwSignal<AdminOrganization>,
    /// The last change's result, announced at the top of the page.
    pub flash: RwSignal<Option<String>>,
    /// The last policy saved: said beside its Save button only, where the admin is, never at
    /// the top of the page (1,700 px away).
    pub policy_flash: RwSignal<Option<String>>,
    /// Records a central purchase.
    pub record_central: Change<CentralPurchaseRequest>,
    /// Takes over a self-service subscription or asks its purchaser to cancel it.
    pub take_over: Change<(String, RowAction)>,
    /// Sets a product's self-service policy.
    pub set_policy: Change<(ProductId, Policy)>,
    /// Sets or clears a product's guardrails.
    pub set_limits: Change<(ProductId, PolicyUpdate)>,
    /// Answers a request to IT (by id).
    pub answer_request: Change<(String, AnswerRequest)>,
    /// How many changes have answered; each section's read is keyed on it, so every section
    /// shows the state after a change.
    pub changes: Memo<usize>,
}

impl AdminContext {
    /// A read about the organisation shown, keyed on it and on the changes made here.
    pub fn read<T, Fut>(self, read: impl Fn(String) -> Fut + 'static) -> Query<T>
    where
        T: Send + Sync + 'static,
        Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    {
        Query::new(move || {
            self.changes.track();
            read(self.domain())
        })
    }

    /// The organisation's primary domain (what `?organization=` takes).
    pub fn domain(&self) -> String {
        self.organization
            .with(|o| o.domains.first().cloned())
            .unwrap_or_default()
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
    let organizations = Query::new(api::admin_organizations);
    // Whose purchases: a partner administers a customer's, not "your organisation".
    let heading = RwSignal::new(t(Msg::AdminHeading).to_owned());
    view! {
        <section class="page" aria-labelledby="admin-heading" data-testid="admin">
            <h1 id="admin-heading">{move || heading.get()}</h1>
            <Loaded read=organizations view=move |list| match list.data.first().cloned() {
                Some(first) => view! { <Administer organizations=list.data first heading /> }.into_any(),
                None => view! {
                    <p class="empty-state" data-testid="organizations-empty">{t(Msg::NoOrganizations)}</p>
                }.into_any(),
            } />
        </section>
    }
}

/// Runs a change for the organisation shown, and announces what it did.
fn change<I: Send + Sync + 'static, Fut>(
    organization: RwSignal<AdminOrganization>,
    flash: RwSignal<Option<String>>,
    run: impl Fn(String, &I) -> Fut + 'static,
) -> Change<I>
where
    Fut: Future<Output = Result<String, ApiFailure>> + 'static,
{
    Mutation::new(move |input: &I| {
        let domain = organization
            .with_untracked(|o| o.domains.first().cloned())
            .unwrap_or_default();
        let done = run(domain, input);
        async move {
            flash.set(Some(done.await?));
            Ok(())
        }
    })
}

#[component]
fn Administer(
    organizations: Vec<AdminOrganization>,
    first: AdminOrganization,
    heading: RwSignal<String>,
) -> impl IntoView {
    heading.set(heading_for(&first));
    let organization = RwSignal::new(first);
    // Before any write is made: each one starting clears the others' outcomes.
    let flash = Outcomes::provide().flash;
    let record_central = change(
        organization,
        flash,
        |domain, request: &CentralPurchaseRequest| {
            let request = request.clone();
            async move {
                let sub = api::central_purchase(&domain, &request).await?;
                Ok(fill(
                    plural(
                        Msg::CentralRecordedOne,
                        Msg::CentralRecorded,
                        u64::from(sub.quantity),
                    ),
                    &[&sub.quantity.to_string(), &sub.product_name],
                ))
            }
        },
    );
    let take_over = change(
        organization,
        flash,
        |_, (id, action): &(String, RowAction)| {
            let (id, action) = (id.clone(), *action);
            async move {
                match action {
                    RowAction::TakeOver(cancel) => {
                        let done = api::take_over(&id, cancel).await?;
                        let count = done.central.assigned_users.len() as u64;
                        let moved = count.to_string();
                        let purchaser = &done.self_service.purchaser.name;
                        Ok(match cancel {
                            TakeOverCancel::AskPurchaser => fill(
                                plural(Msg::TakenOverOne, Msg::TakenOver, count),
                                &[&moved, purchaser],
                            ),
                            TakeOverCancel::AtPeriodEnd => fill(
                                plural(
                                    Msg::TakenOverEndsAtPeriodEndOne,
                                    Msg::TakenOverEndsAtPeriodEnd,
                                    count,
                                ),
                                &[&moved, purchaser],
                            ),
                            TakeOverCancel::NowWithRefund => {
                                let refunded = crate::format::money(
                                    done.refunded.unwrap_or(0),
                                    done.self_service.currency,
                                    None,
                                );
                                fill(
                                    plural(
                                        Msg::TakenOverEndedNowOne,
                                        Msg::TakenOverEndedNow,
                                        count,
                                    ),
                                    &[&moved, purchaser, &refunded],
                                )
                            }
                        })
                    }
                    RowAction::AskToCancel => {
                        let sub = api::cancel_request(&id).await?;
                        Ok(fill(t(Msg::CancelRequestSent), &[&sub.purchaser.name]))
                    }
                }
            }
        },
    );
    let policy_flash = RwSignal::new(None::<String>);
    let set_policy = change(
        organization,
        policy_flash,
        |domain, (product, value): &(ProductId, Policy)| {
            let (product, value) = (*product, *value);
            async move {
                let entry = api::set_policy(&domain, product.as_str(), value).await?;
                Ok(fill(
                    t(Msg::PolicyChanged),
                    &[
                        crate::i18n::product_name(entry.product),
                        policies::policy_text(entry.value),
                    ],
                ))
            }
        },
    );
    let set_limits = change(
        organization,
        flash,
        |domain, (product, update): &(ProductId, PolicyUpdate)| {
            let (product, update) = (*product, update.clone());
            async move {
                let entry = api::update_policy(&domain, product.as_str(), &update).await?;
                Ok(fill(
                    t(Msg::LimitsSaved),
                    &[crate::i18n::product_name(entry.product)],
                ))
            }
        },
    );
    let header_count = crate::components::header::use_open_requests();
    let answer_request = change(
        organization,
        flash,
        move |domain, (id, answer): &(String, AnswerRequest)| {
            let (id, answer) = (id.clone(), answer.clone());
            async move {
                let done = api::answer_request(&domain, &id, &answer).await?;
                header_count.changed();
                Ok(fill(
                    t(Msg::RequestAnsweredFlash),
                    &[
                        &done.requester.name,
                        crate::i18n::product_name(done.product),
                    ],
                ))
            }
        },
    );
    let versions = [
        record_central.version(),
        take_over.version(),
        set_policy.version(),
        set_limits.version(),
        answer_request.version(),
    ];
    let ctx = AdminContext {
        organization,
        flash,
        policy_flash,
        record_central,
        take_over,
        set_policy,
        set_limits,
        answer_request,
        changes: Memo::new(move |_| versions.iter().map(|v| v.get()).sum()),
    };
    provide_context(ctx);
    let inbox =
        ctx.read(|domain| async move { api::admin_requests(&domain).await.map(|l| l.data) });
    // Webhooks are global admins' (`access::Action::ManageWebhooks`); the server decides, the
    // section is not offered to others.
    let global_admin = move || organization.with(|o| o.role == AdminRole::GlobalAdmin);
    // Asked only of those the server sends notices: a partner's read would be refused, and
    // the browser logs the 403 as an error.
    let session = crate::session::use_session();
    let gets_notices = move || session.with_user(|u| u.is_some_and(|u| u.gets_admin_notices()));
    let several = organizations.len() > 1;
    let switch = {
        let organizations = organizations.clone();
        move |domain: String| {
            if let Some(chosen) = organizations
                .iter()
                .find(|o| o.domains.first() == Some(&domain))
            {
                heading.set(heading_for(chosen));
                organization.set(chosen.clone());
                flash.set(None);
                policy_flash.set(None);
            }
        }
    };
    view! {
        {several.then(|| view! {
            <div class="field">
                <label for="org-switch">{t(Msg::Organisation)}</label>
                <select id="org-switch" data-testid="org-switch"
                    on:change:target=move |ev| switch(ev.target().value())>
                    {organizations.into_iter().map(|o| {
                        let domain = o.domains.first().cloned().unwrap_or_default();
                        view! { <option value=domain>{o.name}</option> }
                    }).collect_view()}
                </select>
            </div>
        })}
        <p class="lead" data-testid="admin-org" class:visually-hidden=several>
            {move || organization.with(|o| o.name.clone())}
        </p>
        <SignInFacts organization />
        <div class="visually-hidden" role="status" aria-live="polite">{move || flash.get()}</div>
        {move || flash.get().map(|m| view! { <div class="notice notice-ok" data-testid="admin-flash">{m}</div> })}
        <nav class="subnav" aria-label=t(Msg::AdminSections)>
            <a href="#requests-heading" data-testid="requests-link">
                {t(Msg::Requests)}
                {move || requests::open_count(inbox).filter(|n| *n > 0).map(|n| view! {
                    " " <span class="badge" data-testid="requests-open">{fill(t(Msg::RequestsUnread), &[&n.to_string()])}</span>
                })}
            </a>
            <a href="#purchases-heading">{t(Msg::Purchases)}</a>
            <a href="#capacity-heading">{t(Msg::Capacity)}</a>
            <a href="#policies-heading">{t(Msg::Policies)}</a>
            <a href="#activity-heading">{t(Msg::Activity)}</a>
            {move || global_admin().then(|| view! { <a href="#webhooks-heading">{t(Msg::Webhooks)}</a> })}
        </nav>
        <requests::Requests rows=inbox />
        <purchases::Purchases />
        <central::CentralPurchase />
        <policies::Capacity />
        <policies::Policies />
        <activity::Activity />
        {move || gets_notices().then(|| view! { <notices::NoticePreferencesForm /> })}
        {move || global_admin().then(|| view! { <webhooks::Webhooks /> })}
    }
}

/// The page's heading for the organisation shown: a partner's customer by name.
fn heading_for(organization: &AdminOrganization) -> String {
    match organization.role {
        AdminRole::Partner => fill(t(Msg::AdminHeadingFor), &[&organization.name]),
        AdminRole::GlobalAdmin | AdminRole::BillingAdmin => t(Msg::AdminHeading).to_owned(),
    }
}

/// How the organisation's people sign in (the issuer, never anything secret).
#[component]
fn SignInFacts(organization: RwSignal<AdminOrganization>) -> impl IntoView {
    move || {
        let sign_in = organization.with(|o| o.sign_in.clone());
        let (method, issuer) = match sign_in {
            OrganizationSignIn::Sso { issuer } => (t(Msg::SignInMethodSso), Some(issuer)),
            OrganizationSignIn::Password => (t(Msg::SignInMethodPassword), None),
        };
        view! {
            <dl class="facts" data-testid="sign-in-method">
                <div><dt>{t(Msg::SignInMethodLabel)}</dt><dd data-testid="sign-in-method-value">{method}</dd></div>
                {issuer.map(|issuer| view! {
                    <div><dt>{t(Msg::SignInIssuer)}</dt><dd data-testid="sign-in-issuer">{issuer}</dd></div>
                })}
            </dl>
        }
    }
}
