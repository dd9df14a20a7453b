//! The message catalogue: every text the app shows comes from here, so adding a locale means
//! adding one column of texts, not hunting through components. Texts with values use `{}`
//! placeholders filled by [`fill`].

macro_rules! catalogue {
    ($($name:ident => $english:expr,)*) => {
        /// A message of the user interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $(#[allow(missing_docs)] $name,)*
        }

        impl Msg {
            /// Every message, for completeness checks.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];
        }

        /// The text of `msg` in the current locale (English is the only one so far).
        pub fn t(msg: Msg) -> &'static str {
            match msg {
                $(Msg::$name => $english,)*
            }
        }
    };
}

catalogue! {
    AppName => "selfserve",
    SkipToContent => "Skip to main content",
    ProductsHeading => "Buy licences for yourself and your team",
    ProductsIntro =>
        "Pay by card, start right away, and give licences to colleagues in your organisation.",
    PerUserPerMonth => "per user / month",
    PricesExcludeTax => "Prices exclude tax. You see the tax before you pay.",
    PricesFor => "Prices for {}",
    MarketUnavailable =>
        "Self-service purchase isn't available in your country or region yet. \
         Contact your IT admin to get a licence.",
    Loading => "Loading…",
    LoadFailed => "We couldn't load this page.",
    NetworkFailed => "We couldn't reach the server. Check your connection and try again.",
    ServerFailed => "Something went wrong on our side. Try again in a moment.",
    TryAgain => "Try again",
    NotFoundHeading => "Page not found",
    NotFoundBody => "There is nothing at this address.",
    BackToProducts => "Back to products",
    AccountNavigation => "Your account",
    MySubscriptions => "My subscriptions",
    SignOut => "Sign out",
    BuyProduct => "Buy {}",
    ErrorPrefix => "Error: ",
    ThereIsAProblem => "There is a problem",
    Continue => "Continue",
    Checking => "Checking…",
    Change => "Change",
    CheckoutEyebrow => "Buy licences",
    CheckoutProgress => "Checkout progress",
    StepOf => "Step {} of {}",
    StepEmail => "Email",
    StepSignIn => "Sign in",
    StepSeats => "Licences",
    StepPayment => "Card",
    StepReview => "Review and pay",
    OrderSummary => "Order summary",
    EmailHeading => "Enter your work email",
    EmailIntro => "We use it to find your organisation and check that you can buy for it.",
    WorkEmail => "Work email address",
    ContactAdminTitle => "Contact your IT admin",
    ContactAdminBody =>
        "Your IT admin can get you a licence through your organisation, or tell you who can.",
    AskAdminBody =>
        "Ask your IT admin for a licence: they can turn self-service purchase on, buy it for you, \
         or tell you why not.",
    AskAdmin => "Ask your IT admin",
    AskingAdmin => "Asking…",
    AskAdminSent => "Your IT admins were told. You'll get an email when they answer.",
    AskAdminAlready =>
        "You already asked your IT admins for this product. You'll get an email when they answer.",
    ReasonOrganizationKind =>
        "Self-service purchase isn't available to government, nonprofit or education \
         organisations.",
    ReasonUnmanaged =>
        "Your organisation's account isn't managed by an IT department, so self-service \
         purchase isn't available.",
    ReasonMarket =>
        "Self-service purchase isn't available in your organisation's country or region.",
    ReasonPolicyDisabled => "Your IT admin has turned off self-service purchase of this product.",
    ReasonTrialsOnly => "Your IT admin allows only free trials of this product, without a card.",
    ReasonGuest => "You're a guest in this organisation, and guests can't buy for it.",
    ReasonCapReached =>
        "Your organisation has reached a limit your IT admin set on self-service purchases of \
         this product.",
    CapMaxSeatsPerPurchase =>
        "Your IT admin allows at most {} licences in one self-service purchase of this product.",
    CapMaxSeats =>
        "Your IT admin allows at most {} self-service licences of this product in your \
         organisation. {} are left.",
    CapMonthly =>
        "Your IT admin allows at most {} of self-service purchases of this product a month. \
         {} is left this month.",
    ProductPowerBiPro => "Power BI Pro",
    ProductPowerAppsPerUser => "Power Apps per user",
    ProductPowerAutomatePerUser => "Power Automate per user",
    ActPurchase => "{} bought {} licences of {} for {}.",
    ActTrialStarted => "{} started a free trial of {} with {} licences, ending {}.",
    ActSeatsChanged => "{} added licences to {}: {} → {}.",
    ActSeatsChangeScheduled => "{} changed {} to {} licences from the next renewal.",
    ActLicencesAssigned => "{} gave licences of {} to {}.",
    ActLicenceRemoved => "{} took back the licence of {} from {}.",
    ActPolicyChanged => "{} changed the policy for {}: {} → {}.",
    ActCancelled => "{} cancelled {}; it ends at the end of the period.",
    ActCancellationUndone => "{} undid the cancellation of {}.",
    ActExpired => "{} ended.",
    ActTakeOver => "{} moved the users of {} to central licences.",
    ActCancellationRequested => "{} asked the purchaser of {} to cancel it.",
    ActCentralPurchase => "{} recorded a central purchase of {} licences of {}.",
    ActRenewed => "{} renewed.",
    ActRenewalFailed => "The renewal payment for {} failed.",
    ActRenewalUpcoming => "The purchaser was reminded that {} renews in 7 days.",
    ActTrialEnding => "The purchaser was reminded that the {} trial ends in 3 days.",
    ActSuspended => "{} was suspended: its bill stayed unpaid past the grace period.",
    ActRefunded => "{} refunded {} of {}.",
    ActDisputed => "A payment of {} for {} was disputed.",
    ActRequestOpened => "{} asked the IT admins for {}.",
    ActRequestAnswered => "{} answered a request for {}: {}.",
    Requests => "Requests",
    RequestsUnread => "{} open",
    RequestsIntro =>
        "People who may not buy a product ask you for it here. Answer each: turn self-service \
         purchase on (global admins), buy it centrally and assign a licence, or decline.",
    RequestsNone => "No requests yet.",
    RequestedBy => "Requested by",
    RequestReason => "Why they could not buy",
    RequestCreated => "Asked on",
    RequestStatusLabel => "Status",
    RequestOpen => "Open",
    RequestAnsweredBy => "{} by {}",
    RequestAnswer => "Answer",
    OutcomeEnabled => "Turn self-service purchase on",
    OutcomeBoughtCentrally => "Buy centrally and assign",
    OutcomeDeclined => "Decline",
    AnsweredEnabled => "Turned on",
    AnsweredBoughtCentrally => "Bought centrally",
    AnsweredDeclined => "Declined",
    AnswerMessage => "Message to {} (optional)",
    AnswerSend => "Send answer",
    ChooseOutcome => "Choose an answer.",
    AnswerSending => "Sending…",
    RequestAnsweredFlash => "Answered {}'s request for {}; they were emailed.",
    ActLimitPerPurchase => "at most {} per purchase",
    ActLimitSeats => "at most {} in the organisation",
    ActLimitMonthly => "at most {} a month",
    ActSomeone => "someone",
    LimitsHeading => "Limits",
    LimitsIntro =>
        "Set limits between on and off. Leave a box empty for no limit. Amounts are in {}.",
    LimitMaxSeatsPerPurchase => "Most licences in one purchase",
    LimitMaxSeats => "Most self-service licences in the organisation",
    LimitMonthlyCap => "Most spent a month",
    NoLimit => "No limit",
    LimitsEmpty => "leave empty",
    SaveLimits => "Save limits",
    LimitsSaved => "Limits for {} saved.",
    LimitNotWholeNumber => "Enter a whole number of 1 or more, or leave it empty.",
    LimitNotAmount => "Enter an amount, or leave it empty.",
    ReasonUnknown => "Self-service purchase isn't available to you.",
    UnknownOrganizationTitle => "We couldn't find your organisation",
    UnknownOrganizationBody =>
        "No organisation uses the domain {}. Check the address, or use the email address your \
         organisation gave you.",
    SignInHeading => "Sign in",
    SignInIntro => "Sign in with your {} account.",
    Password => "Password",
    PasswordMissing => "Enter your password.",
    WrongPassword => "The email address or password is incorrect.",
    TooManyAttempts => "Too many attempts. Wait a moment, then try again.",
    SignIn => "Sign in",
    SigningIn => "Signing in…",
    SeatsHeading => "How many licences?",
    SignedInHeading => "Signed in",
    SeatsIntro =>
        "One is for you. You can give the others to colleagues in your organisation, and buy \
         more later.",
    NumberOfLicences => "Number of licences",
    SeatsHint => "Between {} and {}.",
    OneFewer => "One licence fewer",
    OneMore => "One licence more",
    PaymentHeading => "Card details",
    PaymentIntro => "You'll review your order before anything is charged.",
    TestModeHint => "Test mode: use card 4242 4242 4242 4242, any future date and any CVC.",
    ContinueToReview => "Continue to review",
    CardName => "Name on card",
    CardNameMissing => "Enter the name as it appears on the card.",
    CardNumber => "Card number",
    CardNumberHint => "The long number on the front of your card.",
    CardExpiry => "Expiry date",
    CardExpiryHint => "For example, 04 / 28.",
    CardCvc => "Security code",
    CardCvcHint => "The last 3 digits on the back of the card.",
    CardCvcHintAmex => "The 4 digits on the front of the card.",
    CheckingCard => "Checking your card…",
    CardDetails => "Card details",
    LoadingCardForm => "Loading the card form…",
    GatewayUnavailable => "We couldn't reach the payment service. Try again in a moment.",
    ReviewHeading => "Check your order",
    ReviewIntro => "You'll be charged when you select Pay. You can cancel at any time.",
    Product => "Product",
    Licences => "Licences",
    PricePerLicence => "Price per licence / month",
    Subtotal => "Subtotal",
    TaxAt => "Estimated tax ({}%)",
    TotalToday => "Total due today",
    Renewal => "Renewal",
    RenewsOn => "Renews on {} at the same price, unless you cancel.",
    RenewsMonthlyOn => "Monthly; next on {}",
    PriceAfterSignIn => "Sign in to see the price and tax for your organisation.",
    PaymentMethod => "Card",
    PayTerms =>
        "By paying you agree to be charged this amount now and every month until you cancel.",
    PayAmount => "Pay {}",
    Paying => "Paying…",
    PaymentUnconfirmed =>
        "We couldn't confirm your payment because the connection failed. Select Try again: \
         you won't be charged twice.",
    SessionEnded => "Your session ended. Sign in again to finish your purchase.",
    ThreeDsTitle => "Confirm your payment",
    ThreeDsBody => "Your bank wants to make sure it's you making this payment.",
    ThreeDsTestHint => "Test mode: choose whether the bank approves.",
    ThreeDsApprove => "Approve payment",
    ThreeDsFail => "Fail authentication",
    ConfirmationHeading => "Purchase complete",
    ConfirmationBody => "Your {} subscription is active and your licence is ready to use.",
    SeatsAssignedOf => "{} of {} assigned",
    YourLicence => "Assigned to",
    AmountPaid => "Amount paid",
    Invoice => "Invoice",
    InvoicePaid => "paid",
    Order => "Order",
    ManageSubscription => "Manage subscription",
    SignInToContinue => "Sign in with your work account to continue.",
    ManageIntro =>
        "The subscriptions you bought. Give licences to colleagues, change the number of \
         licences, and see and pay your bills.",
    NoSubscriptions => "You haven't bought any subscriptions yet.",
    BrowseProducts => "See products",
    Status => "Status",
    RenewsOrEnds => "Renews or ends",
    EndsOn => "Ends {}",
    RenewsOnShort => "Renews {}",
    StatusActive => "Active",
    StatusTrialing => "Trial",
    StatusPastDue => "Payment due",
    StatusSuspended => "Suspended",
    StatusCanceled => "Cancelled",
    StatusExpired => "Ended",
    BackToSubscriptions => "← My subscriptions",
    BackToSubscription => "← Back to the subscription",
    FromNextRenewal => "Licences from the next renewal",
    Ends => "Ends",
    LicencesHeading => "Licences",
    Name => "Name",
    Email => "Email",
    Actions => "Actions",
    Remove => "Remove",
    RemoveLicenceFrom => "Remove the licence from {}",
    LicenceRemoved => "{} no longer has a licence.",
    LicencesAssigned => "Licences given to {} people.",
    AssignHeading => "Give licences",
    FindColleagues => "Find colleagues",
    FindColleaguesHint => "Type a name or email address, then choose people from the list.",
    Selected => "Selected people",
    Unselect => "Remove {} from the selection",
    AssignCount => "Give licences to {} selected",
    ChooseSomeone => "Choose at least one person first.",
    PasteEmails => "Or paste email addresses",
    PasteEmailsHint => "Separate them with commas, spaces or new lines.",
    PasteSomeEmails => "Paste at least one email address.",
    AssignPasted => "Give licences to these addresses",
    BuyMoreLicences => "Buy more licences",
    NewNumberOfLicences => "New number of licences",
    SeatsChangeHint =>
        "More licences start now, charged for the rest of this period. Fewer licences start at \
         the next renewal.",
    SeatsIncreaseExplain =>
        "{} more licences now for {} (prorated to {}). From then on, {} a month.",
    SeatsDecreaseExplain => "{} licences from {}. From then on, {} a month.",
    ScheduleReduction => "Reduce at renewal",
    SeatsAdded => "You now have {} licences.",
    SeatsReduced => "You'll have {} licences from the next renewal.",
    ReplaceCard => "Replace card",
    PayWith => "Pay with",
    CardOnFile => "The card on file, {}",
    ANewCard => "A new card (it becomes the card on file)",
    PayWithThisCard => "Pay with this card",
    SaveCard => "Save card",
    CancelEdit => "Keep the current card",
    CardReplaced => "Your new card will be used from now on.",
    Bills => "Bills",
    Date => "Date",
    Period => "Period",
    Total => "Total",
    Tax => "Tax",
    Amount => "Amount",
    Description => "Description",
    PayNow => "Pay now",
    PayNowAmount => "Pay {} now",
    BillPaid => "Bill {} is paid.",
    ReplaceCardHint => "You can replace the card below and try again.",
    InvoiceStatusPaid => "Paid",
    InvoiceStatusOpen => "Due",
    InvoiceStatusPastDue => "Overdue",
    InvoiceStatusVoid => "Void",
    BillRefunded => "Refunded",
    BillRefundedPartly => "Refunded {}",
    DisputeNotice => "The cardholder's bank disputed a payment of {} on {}.",
    DisputeWon =>
        "The cardholder's bank disputed a payment of {} on {}; it was decided in the seller's \
         favour and the payment stands.",
    DisputeLost =>
        "The cardholder's bank disputed a payment of {} on {}; it was decided for the \
         cardholder and the amount went back to the card.",
    PastDueBanner =>
        "Your last payment didn't go through. Pay now to keep your licences: they stay active \
         for 30 days after the failed payment.",
    SuspendedBanner =>
        "This subscription is suspended because a bill is unpaid. Its licences are kept but \
         don't work until you pay.",
    CancelHeading => "Cancel",
    CancelSubscription => "Cancel subscription",
    KeepSubscription => "Keep subscription",
    CancelConfirmTitle => "Cancel this subscription?",
    CancelExplain =>
        "It stays usable until {}. Then it ends and its {} licences are released. You can undo \
         this until then.",
    CancelledUntil => "Cancelled. It stays usable until {}.",
    CancelledNotice => "This subscription is cancelled and ends on {}.",
    UndoCancel => "Undo cancellation",
    CancellationUndone => "Cancellation undone: the subscription renews as before.",
    CancelRequested =>
        "{} (your IT admin) asked you on {} to cancel this subscription: its users now have \
         licences from your organisation.",
    TrialEnds => "Free trial until {}. Buy it to keep using it; the people using the trial keep their licences.",
    BuyAfterTrial => "Buy this product",
    TrialOfferTitle => "Try it free for 30 days",
    TrialOfferBody =>
        "Your IT admin allows a free 30-day trial of this product without a card. It ends by \
         itself; nothing is charged.",
    StartTrial => "Start free trial",
    TrialInstead => "Or try it free for 30 days, without a card",
    ManageLicences => "Hand out licences",
    AdminNav => "Admin",
    AdminHeading => "Purchases in your organisation",
    AdminSections => "Sections",
    Organisation => "Organisation",
    Purchases => "Purchases",
    Capacity => "Capacity",
    Policies => "Self-service policies",
    Activity => "Activity",
    Show => "Show",
    AllPurchases => "All purchases",
    SelfService => "Self-service",
    Central => "Central",
    Search => "Search",
    ExportCsv => "Export CSV",
    Source => "Bought",
    Purchaser => "Purchaser",
    Expiry => "Expires",
    PurchasePrice => "Purchase price",
    PricePerMonth => "{} / month ({} per licence)",
    Details => "Details",
    AssignedUsers => "Assigned users",
    OrderHistory => "Order history",
    TakeOver => "Move users to central licences",
    AskToCancel => "Ask the purchaser to cancel",
    CancelAlreadyAsked => "The purchaser was asked to cancel.",
    PurchaserCancelled => "The purchaser cancelled it: it ends at the end of this period.",
    TakenOver => "{} users now have central licences; {} was asked to cancel.",
    TakenOverEndsAtPeriodEnd =>
        "{} users now have central licences; {}'s subscription ends at the end of its period.",
    TakenOverEndedNow =>
        "{} users now have central licences; {}'s subscription has ended and {} is refunded.",
    TakeOverChoice => "The purchaser's own subscription",
    LeaveRunning => "Keeps running: ask the purchaser to cancel",
    CancelAtPeriodEnd => "Cancel at the end of the period already paid",
    CancelNowWithRefund => "Cancel now and refund the unused part of this period",
    CancelRequestSent => "{} was asked to cancel.",
    TakeOverExplain =>
        "Moving users gives everyone on a self-service subscription a licence from a central \
         subscription of the same product (all of them or none). The purchaser's subscription \
         then keeps running with a request to cancel, ends with its period, or ends now with \
         the unused part of the period refunded to their card (rounded up in their favour).",
    RecordCentral => "Record a central purchase",
    RecordCentralIntro =>
        "Licences bought through your organisation's agreement, billed there, not by card.",
    AgreementPrice => "Price per licence / month",
    AmountIn => "In {}.",
    RecordCentralButton => "Record purchase",
    CentralRecorded => "Recorded {} central licences of {}.",
    SeatsNotNumber => "Enter the number of licences as a whole number.",
    Bought => "Bought",
    Assigned => "Assigned",
    Free => "Free",
    SelfServicePurchase => "Self-service purchase",
    PoliciesIntro => "Choose whether people in your organisation can buy each product themselves.",
    PoliciesReadOnly => "Only global admins can change these.",
    PolicyEnabled => "Allowed",
    PolicyDisabled => "Turned off",
    PolicyTrialsOnly => "Free trials only, without a card",
    PolicyChanged => "{}: {}.",
    NewPurchasesAndTrials => "New self-service purchases and trials",
    FullActivityLog => "Everything that changed",
    SsoIntro => "{} signs you in on its own sign-in page. No password is needed here.",
    SsoGateIntro => "Your organisation signs you in on its own sign-in page.",
    SsoContinue => "Continue with your organisation's sign-in",
    SsoLeaving => "Opening your organisation's sign-in…",
    SsoComeBack => "You'll come back here afterwards, right where you left off.",
    SsoErrorExpired =>
        "Your sign-in took too long, or was started in another browser. Please try again.",
    SsoErrorCancelled =>
        "Sign-in was cancelled or refused at your organisation's sign-in page. You can try again.",
    SsoErrorUnavailable =>
        "We couldn't reach your organisation's sign-in service. Try again in a moment; \
         if it keeps happening, contact your IT admin.",
    SsoErrorUntrusted => "We couldn't confirm your sign-in with your organisation. Please try again.",
    SsoErrorEmailNotVerified =>
        "Your organisation hasn't confirmed this account's email address yet. \
         Contact your IT admin.",
    SsoErrorOutsideOrganization =>
        "The account you signed in with doesn't belong to this organisation. \
         Sign in with your work account, or change the email address.",
    SsoErrorAccountDisabled => "This account is turned off. Contact your IT admin.",
    SsoErrorNotConfigured =>
        "Your organisation no longer signs in this way. Change the email address to continue.",
    SsoErrorOther => "Signing in didn't work. Please try again.",
    SignInMethodLabel => "How people sign in",
    SignInMethodSso => "Single sign-on",
    SignInMethodPassword => "Passwords kept by selfserve",
    SignInIssuer => "Identity provider",
    // Admin webhooks (h12w).
    Webhooks => "Webhooks",
    WebhooksIntro => "Your own tools receive this organisation's events as signed JSON.",
    WebhooksEmpty => "No endpoints yet.",
    WebhookUrl => "Endpoint URL",
    WebhookUrlHint => "https:// to a public host",
    WebhookUrlInvalid => "Enter an address that starts with https://",
    WebhookEvents => "Events",
    WebhookEventsAll => "Every event",
    WebhookEventsNone => "Choose at least one event, or every event.",
    WebhookCreated => "Created",
    WebhookLastDelivery => "Last delivery",
    WebhookNoDelivery => "None yet",
    WebhookAdd => "Add endpoint",
    WebhookAdding => "Adding…",
    WebhookSecret => "Signing secret (shown once: copy it now)",
    WebhookAdded => "Endpoint {} added.",
    WebhookRemove => "Remove",
    WebhookRemoveConfirm => "Remove {}? It receives nothing more.",
    WebhookRemoving => "Removing…",
    WebhookRemoved => "Endpoint {} removed.",
    WebhookActions => "Actions",
}

/// A product's name.
pub fn product_name(product: selfserve_api::product::ProductId) -> &'static str {
    use selfserve_api::product::ProductId;
    t(match product {
        ProductId::PowerBiPro => Msg::ProductPowerBiPro,
        ProductId::PowerAppsPerUser => Msg::ProductPowerAppsPerUser,
        ProductId::PowerAutomatePerUser => Msg::ProductPowerAutomatePerUser,
    })
}

/// Replaces each `{}` in `template` with the next value.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        out.push_str(values.next().copied().unwrap_or(""));
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_text() {
        for &msg in Msg::ALL {
            assert!(!t(msg).trim().is_empty(), "{msg:?}");
        }
    }

    #[test]
    fn fill_replaces_placeholders_in_order() {
        assert_eq!(fill("Prices for {}", &["NL"]), "Prices for NL");
        assert_eq!(fill("{} of {}", &["3", "5"]), "3 of 5");
        assert_eq!(fill("{} and {}", &["one"]), "one and ");
        assert_eq!(fill("none", &["x"]), "none");
    }
}
