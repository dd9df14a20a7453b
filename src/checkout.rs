//! The checkout as a state machine, without any browser in it (tested natively).
//!
//! The steps are email → sign in → seats → card → review → done. Which step shows is the one
//! the URL asks for (`?step=…`, so the back button and a refresh work), but never one whose
//! prerequisites are missing: [`Checkout::resolve`] clamps it to the first step still to do.
//!
//! The state is saved in `sessionStorage` between page loads. It holds the card's token, brand,
//! last four and expiry once the gateway has tokenised it, and never the number or CVC.

use selfserve_api::card::CardToken;
use selfserve_api::product::ProductId;
use selfserve_api::session::SignInMethod;
use serde::{Deserialize, Serialize};

/// A step of the checkout, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Enter your work email.
    Email,
    /// Enter your password, or go to the organisation's sign-in page.
    SignIn,
    /// Choose how many licences.
    Seats,
    /// Enter a card.
    Payment,
    /// Check everything and pay.
    Review,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Self; 5] = [
        Self::Email,
        Self::SignIn,
        Self::Seats,
        Self::Payment,
        Self::Review,
    ];

    /// The step's name in the URL.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::SignIn => "sign-in",
            Self::Seats => "seats",
            Self::Payment => "payment",
            Self::Review => "review",
        }
    }

    /// The step named `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == slug)
    }

    /// Position, from 1.
    pub fn number(self) -> usize {
        self as usize + 1
    }
}

/// Everything the buyer has done so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkout {
    /// The email address that passed the email step.
    pub email: Option<String>,
    /// The organisation that address belongs to.
    pub organization: Option<String>,
    /// The email of the signed-in user, once signed in for this checkout.
    pub signed_in_as: Option<String>,
    /// Licences wanted.
    pub quantity: u32,
    /// Whether the buyer confirmed the quantity (left the seats step forward).
    pub quantity_confirmed: bool,
    /// The tokenised card.
    pub card: Option<CardToken>,
    /// The idempotency key of the current payment attempt: reused when retrying after a
    /// network error, replaced when anything the payment depends on changes.
    pub attempt_key: Option<String>,
    /// A trial this purchase converts (its users move to the purchase).
    #[serde(default)]
    pub convert_trial: Option<String>,
    /// How the organisation signs in, as the email step said.
    #[serde(default)]
    pub method: Option<SignInMethod>,
    /// The buyer left for the organisation's sign-in page: whoever comes back signed in is
    /// the buyer, even if the provider signed them in with another address than typed.
    #[serde(default)]
    pub sso_started: bool,
}

impl Checkout {
    /// A new checkout for one licence.
    pub fn new() -> Self {
        Self {
            quantity: 1,
            ..Self::default()
        }
    }

    /// The first step not yet done.
    pub fn next_step(&self) -> Step {
        if self.email.is_none() {
            Step::Email
        } else if self.signed_in_as.is_none() {
            Step::SignIn
        } else if !self.quantity_confirmed {
            Step::Seats
        } else if self.card.is_none() {
            Step::Payment
        } else {
            Step::Review
        }
    }

    /// The step to show when the URL asks for `wanted`: that step if everything before it is
    /// done, else the first step still to do.
    pub fn resolve(&self, wanted: Option<Step>) -> Step {
        let next = self.next_step();
        match wanted {
            Some(step) if step <= next => step,
            _ => next,
        }
    }

    /// The email step passed for an organisation. A different address starts over.
    pub fn email_checked(&mut self, email: &str, organization: &str, method: SignInMethod) {
        if self.email.as_deref() != Some(email) {
            *self = Self {
                quantity: self.quantity,
                ..Self::new()
            };
        }
        self.email = Some(email.to_owned());
        self.organization = Some(organization.to_owned());
        self.method = Some(method);
    }

    /// Signed in as `email`.
    pub fn signed_in(&mut self, email: &str) {
        self.signed_in_as = Some(email.to_owned());
        self.sso_started = false;
    }

    /// The buyer is leaving for the organisation's sign-in page.
    pub fn sso_leaving(&mut self) {
        self.sso_started = true;
    }

    /// The sign-in at the provider failed: the next person to come back is not assumed to be
    /// the buyer until they try again.
    pub fn sso_failed(&mut self) {
        self.sso_started = false;
    }

    /// Keeps "signed in for this checkout" true to the server's session (`user`: who it says
    /// is signed in, once it has said).
    pub fn session_is(&mut self, user: Option<&str>) {
        match (user, self.signed_in_as.as_deref()) {
            (Some(user), Some(buyer)) if user != buyer => self.signed_out(),
            (None, Some(_)) => self.signed_out(),
            (Some(user), None) if self.email.as_deref() == Some(user) => self.signed_in(user),
            (Some(user), None) if self.sso_started => {
                self.email = Some(user.to_owned());
                self.signed_in(user);
            }
            _ => {}
        }
    }

    /// Where the organisation's sign-in page sends the buyer back: the checkout of `product`
    /// at the step after signing in (everything else is in `sessionStorage`, which a tab
    /// keeps while it visits another site).
    pub fn sso_return_to(product: ProductId) -> String {
        format!("/buy/{product}?step={}", Step::Seats.slug())
    }

    /// Where a failed sign-in at the provider is shown: the sign-in step of `product`.
    pub fn sso_resume(product: ProductId) -> String {
        format!("/buy/{product}?step={}", Step::SignIn.slug())
    }

    /// The session ended (sign-out, timeout): sign in again, keep the rest.
    pub fn signed_out(&mut self) {
        self.signed_in_as = None;
        self.attempt_key = None;
    }

    /// The buyer chose a quantity and went on.
    pub fn quantity_chosen(&mut self, quantity: u32) {
        if quantity != self.quantity {
            self.attempt_key = None;
        }
        self.quantity = quantity;
        self.quantity_confirmed = true;
    }

    /// The gateway tokenised a card.
    pub fn card_added(&mut self, card: CardToken) {
        self.card = Some(card);
        self.attempt_key = None;
    }

    /// The card was declined or its token is spent: enter a card again, keep everything else.
    pub fn card_refused(&mut self) {
        self.card = None;
        self.attempt_key = None;
    }

    /// The key for paying now: the current attempt's, or a new one from `make_key`.
    pub fn attempt_key(&mut self, make_key: impl FnOnce() -> String) -> String {
        self.attempt_key.get_or_insert_with(make_key).clone()
    }

    /// The attempt ended with an answer (not a network error): the next one needs a new key.
    pub fn attempt_answered(&mut self) {
        self.attempt_key = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfserve_api::card::CardBrand;

    fn card() -> CardToken {
        CardToken {
            token: "tok_1".into(),
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2030,
        }
    }

    fn ready_to_pay() -> Checkout {
        let mut checkout = Checkout::new();
        checkout.email_checked("megan@contoso.com", "Contoso", SignInMethod::Password);
        checkout.signed_in("megan@contoso.com");
        checkout.quantity_chosen(5);
        checkout.card_added(card());
        checkout
    }

    #[test]
    fn steps_unlock_in_order() {
        let mut checkout = Checkout::new();
        assert_eq!(checkout.next_step(), Step::Email);
        checkout.email_checked("megan@contoso.com", "Contoso", SignInMethod::Password);
        assert_eq!(checkout.next_step(), Step::SignIn);
        checkout.signed_in("megan@contoso.com");
        assert_eq!(checkout.next_step(), Step::Seats);
        checkout.quantity_chosen(5);
        assert_eq!(checkout.next_step(), Step::Payment);
        checkout.card_added(card());
        assert_eq!(checkout.next_step(), Step::Review);
    }

    #[test]
    fn the_url_can_go_back_but_not_skip_ahead() {
        let mut checkout = Checkout::new();
        checkout.email_checked("megan@contoso.com", "Contoso", SignInMethod::Password);
        assert_eq!(checkout.resolve(Some(Step::Review)), Step::SignIn);
        assert_eq!(checkout.resolve(Some(Step::Email)), Step::Email);
        assert_eq!(checkout.resolve(None), Step::SignIn);
        let ready = ready_to_pay();
        for step in Step::ALL {
            assert_eq!(ready.resolve(Some(step)), step, "back to {step:?}");
        }
    }

    #[test]
    fn a_decline_keeps_the_quantity_and_asks_only_for_a_card() {
        let mut checkout = ready_to_pay();
        let key = checkout.attempt_key(|| "k1".into());
        assert_eq!(key, "k1");
        checkout.card_refused();
        assert_eq!(checkout.next_step(), Step::Payment);
        assert_eq!(checkout.quantity, 5);
        assert!(checkout.quantity_confirmed);
        checkout.card_added(card());
        assert_eq!(
            checkout.attempt_key(|| "k2".into()),
            "k2",
            "a new attempt, a new key"
        );
    }

    #[test]
    fn a_network_error_retries_with_the_same_key() {
        let mut checkout = ready_to_pay();
        let first = checkout.attempt_key(|| "k1".into());
        // No answer came back: the retry must reuse the key so nothing is charged twice.
        let retry = checkout.attempt_key(|| "k2".into());
        assert_eq!(first, retry);
        checkout.attempt_answered();
        assert_eq!(checkout.attempt_key(|| "k3".into()), "k3");
    }

    #[test]
    fn changing_the_quantity_starts_a_new_attempt() {
        let mut checkout = ready_to_pay();
        checkout.attempt_key(|| "k1".into());
        checkout.quantity_chosen(5);
        assert_eq!(
            checkout.attempt_key.as_deref(),
            Some("k1"),
            "same quantity, same attempt"
        );
        checkout.quantity_chosen(6);
        assert_eq!(checkout.attempt_key, None);
    }

    #[test]
    fn another_email_starts_over_but_a_signed_out_buyer_keeps_their_choices() {
        let mut checkout = ready_to_pay();
        checkout.signed_out();
        assert_eq!(checkout.next_step(), Step::SignIn);
        assert_eq!(checkout.quantity, 5);
        assert!(checkout.card.is_some());
        checkout.email_checked("alex@contoso.com", "Contoso", SignInMethod::Password);
        assert_eq!(checkout.next_step(), Step::SignIn);
        assert!(checkout.card.is_none() && checkout.signed_in_as.is_none());
        assert_eq!(checkout.quantity, 5, "the quantity is not personal");
    }

    fn at_sso_sign_in(quantity: u32) -> Checkout {
        let mut checkout = Checkout::new();
        checkout.quantity = quantity;
        checkout.email_checked("megan@contoso.com", "Contoso", SignInMethod::Sso);
        checkout
    }

    #[test]
    fn sso_comes_back_to_the_step_after_signing_in_and_a_failure_to_the_sign_in_step() {
        let product = ProductId::PowerBiPro;
        assert_eq!(
            Checkout::sso_return_to(product),
            "/buy/power-bi-pro?step=seats"
        );
        assert_eq!(
            Checkout::sso_resume(product),
            "/buy/power-bi-pro?step=sign-in"
        );
        // The return path asks for seats; until the session is known the checkout stays at
        // signing in, and then it opens the seats step with the quantity chosen before.
        let mut checkout = at_sso_sign_in(7);
        checkout.sso_leaving();
        let saved: Checkout =
            serde_json::from_str(&serde_json::to_string(&checkout).unwrap()).unwrap();
        let mut back = saved;
        assert_eq!(back.resolve(Some(Step::Seats)), Step::SignIn);
        back.session_is(Some("megan@contoso.com"));
        assert_eq!(back.resolve(Some(Step::Seats)), Step::Seats);
        assert_eq!(back.quantity, 7);
        assert_eq!(back.method, Some(SignInMethod::Sso));
        assert!(!back.sso_started, "used once");
    }

    #[test]
    fn whoever_the_provider_signed_in_is_the_buyer_but_only_after_leaving_for_it() {
        let mut checkout = at_sso_sign_in(1);
        // Someone else's session, without this checkout having sent anyone to the provider.
        checkout.session_is(Some("alex@contoso.com"));
        assert_eq!(checkout.signed_in_as, None);
        checkout.sso_leaving();
        checkout.session_is(Some("alex@contoso.com"));
        assert_eq!(checkout.signed_in_as.as_deref(), Some("alex@contoso.com"));
        assert_eq!(checkout.email.as_deref(), Some("alex@contoso.com"));
        // A failed attempt does not make the next session the buyer's.
        let mut failed = at_sso_sign_in(1);
        failed.sso_leaving();
        failed.sso_failed();
        failed.session_is(Some("alex@contoso.com"));
        assert_eq!(failed.signed_in_as, None);
    }

    #[test]
    fn the_session_ending_or_changing_signs_the_checkout_out() {
        let mut checkout = ready_to_pay();
        checkout.session_is(Some("megan@contoso.com"));
        assert_eq!(checkout.next_step(), Step::Review);
        checkout.session_is(Some("alex@contoso.com"));
        assert_eq!(checkout.next_step(), Step::SignIn);
        let mut gone = ready_to_pay();
        gone.session_is(None);
        assert_eq!(gone.next_step(), Step::SignIn);
        assert_eq!(gone.quantity, 5);
    }

    #[test]
    fn state_saved_before_sso_existed_still_loads() {
        let old = r#"{"email":"a@contoso.com","organization":"Contoso","signed_in_as":null,
            "quantity":3,"quantity_confirmed":false,"card":null,"attempt_key":null}"#;
        let checkout: Checkout = serde_json::from_str(old).unwrap();
        assert_eq!(checkout.method, None);
        assert!(!checkout.sso_started);
        assert_eq!(checkout.quantity, 3);
    }

    #[test]
    fn saved_state_never_holds_card_details() {
        let json = serde_json::to_string(&ready_to_pay()).unwrap();
        assert!(json.contains("tok_1") && json.contains("4242"));
        assert!(!json.contains("number") && !json.contains("cvc"), "{json}");
    }

    #[test]
    fn slugs_round_trip() {
        for step in Step::ALL {
            assert_eq!(Step::from_slug(step.slug()), Some(step));
        }
        assert_eq!(Step::from_slug("pay-now"), None);
        assert_eq!(Step::Review.number(), 5);
    }
}
