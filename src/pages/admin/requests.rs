//! Requests to IT: the inbox of what people asked for, open ones first, each open one with its
//! answer (turn self-service purchase on, buy centrally, decline) and an optional message.

use super::use_admin;
use crate::components::error_panel::InlineError;
use crate::components::loaded::{Loaded, Query};
use crate::components::mutation::failure_of;
use crate::i18n::{Msg, fill, product_name, t};
use crate::pages::checkout::reason_text;
use leptos::prelude::*;
use selfserve_api::requests::{
    AnswerRequest, ItRequest, MAX_ANSWER_MESSAGE, RequestOutcome, RequestStatus,
};

/// An answer as the inbox and the activity log say it.
pub fn outcome_text(outcome: RequestOutcome) -> &'static str {
    t(match outcome {
        RequestOutcome::Enabled => Msg::AnsweredEnabled,
        RequestOutcome::BoughtCentrally => Msg::AnsweredBoughtCentrally,
        RequestOutcome::Declined => Msg::AnsweredDeclined,
    })
}

/// The choice an admin makes, as its radio button says it.
fn choice_text(outcome: RequestOutcome) -> &'static str {
    t(match outcome {
        RequestOutcome::Enabled => Msg::OutcomeEnabled,
        RequestOutcome::BoughtCentrally => Msg::OutcomeBoughtCentrally,
        RequestOutcome::Declined => Msg::OutcomeDeclined,
    })
}

/// How many requests wait for an answer (for the section's link), once read.
pub fn open_count(rows: Query<Vec<ItRequest>>) -> Option<usize> {
    rows.with(|answer| {
        answer.and_then(Result::ok).map(|rows| {
            rows.iter()
                .filter(|r| r.status == RequestStatus::Open)
                .count()
        })
    })
}

#[component]
pub fn Requests(rows: Query<Vec<ItRequest>>) -> impl IntoView {
    let ctx = use_admin();
    view! {
        <section class="section" aria-labelledby="requests-heading" data-testid="requests">
            <h2 id="requests-heading">{t(Msg::Requests)}</h2>
            <p>{t(Msg::RequestsIntro)}</p>
            <InlineError message=failure_of(ctx.answer_request) testid="answer-error" />
            <Loaded read=rows view={|rows: Vec<ItRequest>| if rows.is_empty() {
                view! { <p data-testid="requests-none">{t(Msg::RequestsNone)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="requests-table">
                            <thead><tr>
                                <th scope="col">{t(Msg::Product)}</th>
                                <th scope="col">{t(Msg::RequestedBy)}</th>
                                <th scope="col">{t(Msg::RequestReason)}</th>
                                <th scope="col">{t(Msg::RequestCreated)}</th>
                                <th scope="col">{t(Msg::RequestStatusLabel)}</th>
                                <th scope="col">{t(Msg::RequestAnswer)}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|request| view! { <Row request /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }} />
        </section>
    }
}

#[component]
fn Row(request: ItRequest) -> impl IntoView {
    let status = match &request.answer {
        None => t(Msg::RequestOpen).to_owned(),
        Some(answer) => fill(
            t(Msg::RequestAnsweredBy),
            &[outcome_text(answer.outcome), &answer.answered_by],
        ),
    };
    let answer = match request.answer.clone() {
        Some(answer) => answer.message.map(|m| view! { <q>{m}</q> }).into_any(),
        None => view! { <AnswerForm request=request.clone() /> }.into_any(),
    };
    view! {
        <tr data-testid=format!("request-{}", request.id) data-status=request.status.as_str()>
            <th scope="row">{product_name(request.product)}</th>
            <td>{request.requester.name}<br /><span class="muted">{request.requester.email}</span></td>
            <td>{reason_text(request.reason)}</td>
            <td>{crate::format::date(request.created, None)}</td>
            <td>{status}</td>
            <td>{answer}</td>
        </tr>
    }
}

/// Radio buttons for the outcome (turning the product on only for those who may change
/// policy), an optional message with its label, and Send.
#[component]
fn AnswerForm(request: ItRequest) -> impl IntoView {
    let ctx = use_admin();
    let outcome = RwSignal::new(None::<RequestOutcome>);
    let message = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let pending = ctx.answer_request.pending();
    let id = request.id.clone();
    let base = format!("answer-{}", request.id);
    let choices = move || {
        RequestOutcome::ALL
            .iter()
            .copied()
            .filter(|o| {
                *o != RequestOutcome::Enabled || ctx.organization.with(|org| org.can_change_policy)
            })
            .collect::<Vec<_>>()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(chosen) = outcome.get_untracked() else {
            missing.set(true);
            return;
        };
        missing.set(false);
        let text = message.get_untracked();
        let text = text.trim();
        ctx.answer_request.submit((
            id.clone(),
            AnswerRequest {
                outcome: chosen,
                message: (!text.is_empty()).then(|| text.to_owned()),
            },
        ));
    };
    let legend_id = format!("{base}-legend");
    let error_id = format!("{base}-error");
    let error_id_for_text = error_id.clone();
    let message_id = format!("{base}-message");
    let radio_base = base.clone();
    let requester = request.requester.name.clone();
    view! {
        <form class="answer-form" novalidate on:submit=submit data-testid=base.clone()>
            <fieldset aria-describedby=move || missing.get().then(|| error_id.clone())>
                <legend id=legend_id class="visually-hidden">{t(Msg::RequestAnswer)}</legend>
                {move || missing.get().then(|| view! {
                    <p class="field-error" id=error_id_for_text.clone() role="alert">
                        <span class="visually-hidden">{t(Msg::ErrorPrefix)}</span>{t(Msg::ChooseOutcome)}
                    </p>
                })}
                {move || choices().into_iter().map(|choice| {
                    let input_id = format!("{radio_base}-{}", choice.as_str());
                    view! {
                        <div class="radio">
                            <input type="radio" id=input_id.clone() name=radio_base.clone()
                                value=choice.as_str() data-testid=input_id.clone()
                                prop:checked=move || outcome.get() == Some(choice)
                                on:change=move |_| outcome.set(Some(choice)) />
                            <label for=input_id>{choice_text(choice)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for=message_id.clone()>{fill(t(Msg::AnswerMessage), &[&requester])}</label>
                <textarea id=message_id.clone() data-testid=message_id rows="2"
                    maxlength=MAX_ANSWER_MESSAGE.to_string()
                    prop:value=move || message.get()
                    on:input:target=move |ev| message.set(ev.target().value())></textarea>
            </div>
            <button type="submit" class="button" data-testid=format!("{base}-send")
                aria-disabled=move || pending.get().then_some("true")>
                {move || if pending.get() { t(Msg::AnswerSending) } else { t(Msg::AnswerSend) }}
            </button>
        </form>
    }
}
