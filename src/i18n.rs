//! The message catalogue: every text the app shows comes from here, one column per language, so
//! a message without a Dutch text does not compile. Texts with values use `{}` placeholders
//! filled by [`fill`]; texts with a count come in a "one" and an "other" form chosen by
//! [`plural`].

mod language;
#[cfg(test)]
mod tests;

pub use language::{
    Language, choose as choose_language, current as current_language, negotiate,
    start as start_language, tracked as tracked_language,
};

// Each message is a constant pointing at its texts, not a variant of one enum matched per
// language: a `match` keeps every text of the catalogue in every bundle, while a constant's
// texts are linked only into a bundle whose code uses it (the checkout's wasm holds none of
// the admin console's texts).
macro_rules! catalogue {
    ($($name:ident => $english:expr, $dutch:expr,)*) => {
        /// A message of the user interface: its texts, in [`Language`]'s order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Msg(&'static [&'static str; 2]);

        #[allow(non_upper_case_globals)]
        impl Msg {
            $(#[allow(missing_docs)] pub const $name: Msg = Msg(&[$english, $dutch]);)*

            /// Every message, for completeness checks.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The messages' names as written in the source, in [`Msg::ALL`]'s order, for the
            /// check that each is used.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name),)*];

            /// The text of this message in `language`.
            pub const fn text(self, language: Language) -> &'static str {
                self.0[language.index()]
            }
        }
    };
}

/// The text of `msg` in the language now spoken (pages are rebuilt when it changes).
pub fn t(msg: Msg) -> &'static str {
    msg.text(language::current())
}

/// The same for what is not rebuilt (the header): the reactive reader re-runs on a change.
pub fn t_live(msg: Msg) -> &'static str {
    msg.text(language::tracked())
}

/// The form of a message with a count that fits `count` in the language now spoken (by the
/// browser's `Intl.PluralRules`), e.g. "You now have 1 licence" and "… 2 licences".
pub fn plural(one: Msg, other: Msg, count: u64) -> &'static str {
    t(if language::is_one(count) { one } else { other })
}

catalogue! {
    AppName => "selfserve", "selfserve",
    SkipToContent => "Skip to main content", "Naar de hoofdinhoud",
    ProductsHeading =>
        "Buy licences for yourself and your team",
        "Koop licenties voor jezelf en je team",
    ProductsIntro =>
        "Pay by card, start right away, and give licences to colleagues in your organisation.",
        "Betaal met je kaart, begin meteen en geef licenties aan collega's in je organisatie.",
    PerUserPerMonth => "per user / month", "per gebruiker / maand",
    PricesExcludeTax =>
        "Prices exclude tax. You see the tax before you pay.",
        "Prijzen zijn exclusief btw. Je ziet de btw voordat je betaalt.",
    PricesFor => "Prices for {}", "Prijzen voor {}",
    MarketUnavailable =>
        "Self-service purchase isn't available in your country or region yet. \
         Contact your IT admin to get a licence.",
        "Selfservice-aankoop is nog niet beschikbaar in jouw land of regio. Neem contact op met \
         je IT-beheerder voor een licentie.",
    Loading => "Loading…", "Laden…",
    LoadFailed => "We couldn't load this page.", "We konden deze pagina niet laden.",
    NetworkFailed =>
        "We couldn't reach the server. Check your connection and try again.",
        "We konden de server niet bereiken. Controleer je verbinding en probeer het opnieuw.",
    ServerFailed =>
        "Something went wrong on our side. Try again in a moment.",
        "Er ging bij ons iets mis. Probeer het zo opnieuw.",
    TryAgain => "Try again", "Opnieuw proberen",
    NotFoundHeading => "Page not found", "Pagina niet gevonden",
    NotFoundBody => "There is nothing at this address.", "Op dit adres staat niets.",
    BackToProducts => "Back to products", "Terug naar de producten",
    AccountNavigation => "Your account", "Je account",
    MySubscriptions => "My subscriptions", "Mijn abonnementen",
    SignOut => "Sign out", "Afmelden",
    BuyProduct => "Buy {}", "{} kopen",
    ErrorPrefix => "Error: ", "Fout: ",
    ThereIsAProblem => "There is a problem", "Er is een probleem",
    Continue => "Continue", "Doorgaan",
    Checking => "Checking…", "Controleren…",
    Change => "Change", "Wijzigen",
    CheckoutEyebrow => "Buy licences", "Licenties kopen",
    CheckoutProgress => "Checkout progress", "Voortgang van de aankoop",
    StepOf => "Step {} of {}", "Stap {} van {}",
    StepEmail => "Email", "E-mail",
    StepSignIn => "Sign in", "Aanmelden",
    StepSeats => "Licences", "Licenties",
    StepPayment => "Card", "Kaart",
    StepReview => "Review and pay", "Controleren en betalen",
    OrderSummary => "Order summary", "Overzicht van je bestelling",
    EmailHeading => "Enter your work email", "Vul je zakelijke e-mailadres in",
    EmailIntro =>
        "We use it to find your organisation and check that you can buy for it.",
        "Daarmee vinden we je organisatie en controleren we of je ervoor mag kopen.",
    WorkEmail => "Work email address", "Zakelijk e-mailadres",
    ContactAdminTitle => "Contact your IT admin", "Neem contact op met je IT-beheerder",
    ContactAdminBody =>
        "Your IT admin can get you a licence through your organisation, or tell you who can.",
        "Je IT-beheerder kan je een licentie geven via je organisatie, of je vertellen wie dat \
         kan.",
    AskAdminBody =>
        "Ask your IT admin for a licence: they can turn self-service purchase on, buy it for you, \
         or tell you why not.",
        "Vraag je IT-beheerder om een licentie: die kan selfservice-aankoop aanzetten, de \
         licentie voor je kopen of je vertellen waarom niet.",
    AskAdmin => "Ask your IT admin", "Vraag het je IT-beheerder",
    AskingAdmin => "Asking…", "Vragen…",
    AskAdminSent =>
        "Your IT admins were told. You'll get an email when they answer.",
        "Je IT-beheerders hebben je vraag gekregen. Je krijgt een e-mail zodra ze antwoorden.",
    AskAdminAlready =>
        "You already asked your IT admins for this product. You'll get an email when they answer.",
        "Je hebt je IT-beheerders al om dit product gevraagd. Je krijgt een e-mail zodra ze \
         antwoorden.",
    ReasonOrganizationKind =>
        "Self-service purchase isn't available to government, nonprofit or education \
         organisations.",
        "Selfservice-aankoop is niet beschikbaar voor overheids-, non-profit- en \
         onderwijsorganisaties.",
    ReasonUnmanaged =>
        "Your organisation's account isn't managed by an IT department, so self-service \
         purchase isn't available.",
        "Het account van je organisatie wordt niet door een IT-afdeling beheerd, dus \
         selfservice-aankoop is niet beschikbaar.",
    ReasonMarket =>
        "Self-service purchase isn't available in your organisation's country or region.",
        "Selfservice-aankoop is niet beschikbaar in het land of de regio van je organisatie.",
    ReasonPolicyDisabled =>
        "Your IT admin has turned off self-service purchase of this product.",
        "Je IT-beheerder heeft selfservice-aankoop van dit product uitgezet.",
    ReasonTrialsOnly =>
        "Your IT admin allows only free trials of this product, without a card.",
        "Je IT-beheerder staat van dit product alleen gratis proefversies toe, zonder kaart.",
    ReasonGuest =>
        "You're a guest in this organisation, and guests can't buy for it.",
        "Je bent gast in deze organisatie en gasten kunnen niet voor de organisatie kopen.",
    ReasonCapReached =>
        "Your organisation has reached a limit your IT admin set on self-service purchases of \
         this product.",
        "Je organisatie heeft een limiet bereikt die je IT-beheerder heeft ingesteld voor \
         selfservice-aankopen van dit product.",
    CapMaxSeatsPerPurchase =>
        "Your IT admin allows at most {} licences in one self-service purchase of this product.",
        "Je IT-beheerder staat maximaal {} licenties toe in één selfservice-aankoop van dit \
         product.",
    CapMaxSeats =>
        "Your IT admin allows at most {} self-service licences of this product in your \
         organisation ({} left).",
        "Je IT-beheerder staat maximaal {} selfservice-licenties van dit product toe in je \
         organisatie (nog {} over).",
    CapMonthly =>
        "Your IT admin allows at most {} of self-service purchases of this product a month. \
         {} is left this month.",
        "Je IT-beheerder staat per maand maximaal {} aan selfservice-aankopen van dit product \
         toe. Deze maand is er nog {} over.",
    ProductPowerBiPro => "Power BI Pro", "Power BI Pro",
    ProductPowerAppsPerUser => "Power Apps per user", "Power Apps per gebruiker",
    ProductPowerAutomatePerUser => "Power Automate per user", "Power Automate per gebruiker",
    ActPurchase => "{} bought {} licences of {} for {}.", "{} kocht {} licenties van {} voor {}.",
    ActTrialStarted =>
        "{} started a free trial of {} with {} licences, ending {}.",
        "{} begon een gratis proefversie van {} met {} licenties, tot {}.",
    ActSeatsChanged =>
        "{} added licences to {}: {} → {}.",
        "{} voegde licenties toe aan {}: {} → {}.",
    ActSeatsChangeScheduled =>
        "{} changed {} to {} licences from the next renewal.",
        "{} wijzigde {} naar {} licenties vanaf de volgende verlenging.",
    ActLicencesAssigned => "{} gave licences of {} to {}.", "{} gaf licenties van {} aan {}.",
    ActLicenceRemoved =>
        "{} took back the licence of {} from {}.",
        "{} nam de licentie van {} terug van {}.",
    ActPolicyChanged =>
        "{} changed the policy for {}: {} → {}.",
        "{} wijzigde het beleid voor {}: {} → {}.",
    ActCancelled =>
        "{} cancelled {}; it ends at the end of the period.",
        "{} zegde {} op; het loopt af aan het einde van de periode.",
    ActCancellationUndone =>
        "{} undid the cancellation of {}.",
        "{} maakte de opzegging van {} ongedaan.",
    ActExpired => "{} ended.", "{} is afgelopen.",
    ActTakeOver =>
        "{} moved the users of {} to central licences.",
        "{} zette de gebruikers van {} over naar centrale licenties.",
    ActCancellationRequested =>
        "{} asked the purchaser of {} to cancel it.",
        "{} vroeg de koper van {} om het op te zeggen.",
    ActCentralPurchase =>
        "{} recorded a central purchase of {} licences of {}.",
        "{} legde een centrale aankoop vast van {} licenties van {}.",
    ActRenewed => "{} renewed.", "{} is verlengd.",
    ActRenewalFailed =>
        "The renewal payment for {} failed.",
        "De betaling voor de verlenging van {} is mislukt.",
    ActRenewalUpcoming =>
        "The purchaser was reminded that {} renews in 7 days.",
        "De koper kreeg een herinnering dat {} over 7 dagen wordt verlengd.",
    ActTrialEnding =>
        "The purchaser was reminded that the {} trial ends in 3 days.",
        "De koper kreeg een herinnering dat de proefversie van {} over 3 dagen afloopt.",
    ActSuspended =>
        "{} was suspended: its bill stayed unpaid past the grace period.",
        "{} is opgeschort: de factuur bleef na de respijtperiode onbetaald.",
    ActRefunded => "{} refunded {} of {}.", "{} betaalde {} van {} terug.",
    ActDisputed =>
        "A payment of {} for {} was disputed.",
        "Een betaling van {} voor {} is betwist.",
    ActRequestOpened => "{} asked the IT admins for {}.", "{} vroeg de IT-beheerders om {}.",
    ActRequestAnswered =>
        "{} answered a request for {}: {}.",
        "{} beantwoordde een verzoek om {}: {}.",
    Requests => "Requests", "Verzoeken",
    RequestsUnread => "{} open", "{} open",
    RequestsIntro =>
        "People who may not buy a product ask you for it here. Answer each: turn self-service \
         purchase on (global admins), buy it centrally and assign a licence, or decline.",
        "Mensen die een product niet mogen kopen, vragen je er hier om. Beantwoord elk verzoek: \
         zet selfservice-aankoop aan (globale beheerders), koop centraal en wijs een licentie \
         toe, of wijs het af.",
    RequestsNone => "No requests yet.", "Nog geen verzoeken.",
    RequestedBy => "Requested by", "Gevraagd door",
    RequestReason => "Why they could not buy", "Waarom ze niet konden kopen",
    RequestCreated => "Asked on", "Gevraagd op",
    RequestStatusLabel => "Status", "Status",
    RequestOpen => "Open", "Open",
    RequestAnsweredBy => "{} by {}", "{} door {}",
    RequestAnswer => "Answer", "Antwoord",
    OutcomeEnabled => "Turn self-service purchase on", "Selfservice-aankoop aanzetten",
    OutcomeBoughtCentrally => "Buy centrally and assign", "Centraal kopen en toewijzen",
    OutcomeDeclined => "Decline", "Afwijzen",
    AnsweredEnabled => "Turned on", "Aangezet",
    AnsweredBoughtCentrally => "Bought centrally", "Centraal gekocht",
    AnsweredDeclined => "Declined", "Afgewezen",
    AnswerMessage => "Message to {} (optional)", "Bericht aan {} (optioneel)",
    AnswerSend => "Send answer", "Antwoord versturen",
    ChooseOutcome => "Choose an answer.", "Kies een antwoord.",
    AnswerSending => "Sending…", "Versturen…",
    RequestAnsweredFlash =>
        "Answered {}'s request for {}; they were emailed.",
        "Het verzoek van {} om {} is beantwoord; er is een e-mail gestuurd.",
    ActLimitPerPurchase => "at most {} per purchase", "maximaal {} per aankoop",
    ActLimitSeats => "at most {} in the organisation", "maximaal {} in de organisatie",
    ActLimitMonthly => "at most {} a month", "maximaal {} per maand",
    ActSomeone => "someone", "iemand",
    LimitsHeading => "Limits", "Limieten",
    LimitsIntro =>
        "Set limits between on and off. Leave a box empty for no limit. Amounts are in {}.",
        "Met limieten kies je een tussenweg tussen aan en uit. Laat een vak leeg voor geen \
         limiet. Bedragen zijn in {}.",
    LimitMaxSeatsPerPurchase =>
        "Most licences in one purchase",
        "Maximaal aantal licenties per aankoop",
    LimitMaxSeats =>
        "Most self-service licences in the organisation",
        "Maximaal aantal selfservice-licenties in de organisatie",
    LimitMonthlyCap => "Most spent a month", "Maximaal bedrag per maand",
    NoLimit => "No limit", "Geen limiet",
    LimitsEmpty => "leave empty", "leeg laten",
    SaveLimits => "Save limits", "Limieten opslaan",
    LimitsSaved => "Limits for {} saved.", "Limieten voor {} opgeslagen.",
    LimitNotWholeNumber =>
        "Enter a whole number of 1 or more, or leave it empty.",
        "Vul een geheel getal van 1 of meer in, of laat het leeg.",
    LimitNotAmount => "Enter an amount, or leave it empty.", "Vul een bedrag in, of laat het leeg.",
    ReasonUnknown =>
        "Self-service purchase isn't available to you.",
        "Selfservice-aankoop is voor jou niet beschikbaar.",
    UnknownOrganizationTitle =>
        "We couldn't find your organisation",
        "We konden je organisatie niet vinden",
    UnknownOrganizationBody =>
        "No organisation uses the domain {}. Check the address, or use the email address your \
         organisation gave you.",
        "Geen enkele organisatie gebruikt het domein {}. Controleer het adres, of gebruik het \
         e-mailadres dat je van je organisatie hebt gekregen.",
    SignInHeading => "Sign in", "Aanmelden",
    SignInIntro => "Sign in with your {} account.", "Meld je aan met je account van {}.",
    Password => "Password", "Wachtwoord",
    PasswordMissing => "Enter your password.", "Vul je wachtwoord in.",
    WrongPassword =>
        "The email address or password is incorrect.",
        "Het e-mailadres of wachtwoord klopt niet.",
    TooManyAttempts =>
        "Too many attempts. Wait a moment, then try again.",
        "Te veel pogingen. Wacht even en probeer het dan opnieuw.",
    SignIn => "Sign in", "Aanmelden",
    SigningIn => "Signing in…", "Aanmelden…",
    SeatsHeading => "How many licences?", "Hoeveel licenties?",
    SignedInHeading => "Signed in", "Aangemeld",
    SeatsIntro =>
        "One is for you. You can give the others to colleagues in your organisation, and buy \
         more later.",
        "Eén is voor jou. De andere kun je aan collega's in je organisatie geven, en je kunt \
         later meer kopen.",
    NumberOfLicences => "Number of licences", "Aantal licenties",
    SeatsHint => "Between {} and {}.", "Tussen {} en {}.",
    OneFewer => "One licence fewer", "Eén licentie minder",
    OneMore => "One licence more", "Eén licentie meer",
    PaymentHeading => "Card details", "Kaartgegevens",
    PaymentIntro =>
        "You'll review your order before anything is charged.",
        "Je controleert je bestelling voordat er iets wordt afgeschreven.",
    TestModeHint =>
        "Test mode: use card 4242 4242 4242 4242, any future date and any CVC.",
        "Testmodus: gebruik kaart 4242 4242 4242 4242, een datum in de toekomst en een \
         willekeurige CVC.",
    ContinueToReview => "Continue to review", "Door naar controleren",
    CardName => "Name on card", "Naam op de kaart",
    CardNameMissing =>
        "Enter the name as it appears on the card.",
        "Vul de naam in zoals die op de kaart staat.",
    CardNumber => "Card number", "Kaartnummer",
    CardNumberHint =>
        "The long number on the front of your card.",
        "Het lange nummer op de voorkant van je kaart.",
    CardExpiry => "Expiry date", "Vervaldatum",
    CardExpiryHint => "For example, 04 / 28.", "Bijvoorbeeld 04 / 28.",
    CardCvc => "Security code", "Beveiligingscode",
    CardCvcHint =>
        "The last 3 digits on the back of the card.",
        "De laatste 3 cijfers op de achterkant van de kaart.",
    CardCvcHintAmex =>
        "The 4 digits on the front of the card.",
        "De 4 cijfers op de voorkant van de kaart.",
    CheckingCard => "Checking your card…", "Je kaart wordt gecontroleerd…",
    CardDetails => "Card details", "Kaartgegevens",
    LoadingCardForm => "Loading the card form…", "Het kaartformulier wordt geladen…",
    GatewayUnavailable =>
        "We couldn't reach the payment service. Try again in a moment.",
        "We konden de betaaldienst niet bereiken. Probeer het zo opnieuw.",
    ReviewHeading => "Check your order", "Controleer je bestelling",
    ReviewIntro =>
        "You'll be charged when you select Pay. You can cancel at any time.",
        "Het bedrag wordt afgeschreven zodra je Betalen kiest. Je kunt altijd opzeggen.",
    Product => "Product", "Product",
    Licences => "Licences", "Licenties",
    PricePerLicence => "Price per licence / month", "Prijs per licentie / maand",
    Subtotal => "Subtotal", "Subtotaal",
    TaxAt => "Estimated tax ({}%)", "Geschatte btw ({}%)",
    TotalToday => "Total due today", "Totaal vandaag te betalen",
    Renewal => "Renewal", "Verlenging",
    RenewsOn =>
        "Renews on {} at the same price, unless you cancel.",
        "Wordt op {} verlengd tegen dezelfde prijs, tenzij je opzegt.",
    RenewsMonthlyOn => "Monthly; next on {}", "Maandelijks; volgende op {}",
    PriceAfterSignIn =>
        "Sign in to see the price and tax for your organisation.",
        "Meld je aan om de prijs en btw voor je organisatie te zien.",
    PaymentMethod => "Card", "Kaart",
    PayTerms =>
        "By paying you agree to be charged this amount now and every month until you cancel.",
        "Door te betalen ga je ermee akkoord dat dit bedrag nu en elke maand wordt afgeschreven \
         tot je opzegt.",
    PayAmount => "Pay {}", "{} betalen",
    Paying => "Paying…", "Betalen…",
    PaymentUnconfirmed =>
        "We couldn't confirm your payment because the connection failed. Select Try again: \
         you won't be charged twice.",
        "We konden je betaling niet bevestigen omdat de verbinding wegviel. Kies Opnieuw \
         proberen: er wordt niet twee keer afgeschreven.",
    SessionEnded =>
        "Your session ended. Sign in again to finish your purchase.",
        "Je sessie is verlopen. Meld je opnieuw aan om je aankoop af te ronden.",
    ThreeDsTitle => "Confirm your payment", "Bevestig je betaling",
    ThreeDsBody =>
        "Your bank wants to make sure it's you making this payment.",
        "Je bank wil zeker weten dat jij deze betaling doet.",
    ThreeDsTestHint =>
        "Test mode: choose whether the bank approves.",
        "Testmodus: kies of de bank goedkeurt.",
    ThreeDsApprove => "Approve payment", "Betaling goedkeuren",
    ThreeDsFail => "Fail authentication", "Verificatie laten mislukken",
    ConfirmationHeading => "Purchase complete", "Aankoop voltooid",
    ConfirmationBody =>
        "Your {} subscription is active and your licence is ready to use.",
        "Je abonnement op {} is actief en je licentie is klaar voor gebruik.",
    SeatsAssignedOf => "{} of {} assigned", "{} van {} toegewezen",
    YourLicence => "Assigned to", "Toegewezen aan",
    AmountPaid => "Amount paid", "Betaald bedrag",
    Invoice => "Invoice", "Factuur",
    InvoicePaid => "paid", "betaald",
    ManageSubscription => "Manage subscription", "Abonnement beheren",
    SignInToContinue =>
        "Sign in with your work account to continue.",
        "Meld je aan met je werkaccount om door te gaan.",
    ManageIntro =>
        "The subscriptions you bought. Give licences to colleagues, change the number of \
         licences, and see and pay your bills.",
        "De abonnementen die je hebt gekocht. Geef licenties aan collega's, wijzig het aantal \
         licenties en bekijk en betaal je facturen.",
    NoSubscriptions =>
        "You haven't bought any subscriptions yet.",
        "Je hebt nog geen abonnementen gekocht.",
    BrowseProducts => "See products", "Bekijk de producten",
    Status => "Status", "Status",
    RenewsOrEnds => "Renews or ends", "Verlenging of einde",
    EndsOn => "Ends {}", "Eindigt op {}",
    RenewsOnShort => "Renews {}", "Verlenging op {}",
    StatusActive => "Active", "Actief",
    StatusTrialing => "Trial", "Proefversie",
    StatusPastDue => "Payment due", "Betaling open",
    StatusSuspended => "Suspended", "Opgeschort",
    StatusCanceled => "Cancelled", "Opgezegd",
    StatusExpired => "Ended", "Beëindigd",
    BackToSubscriptions => "← My subscriptions", "← Mijn abonnementen",
    BackToSubscription => "← Back to the subscription", "← Terug naar het abonnement",
    FromNextRenewal => "Licences from the next renewal", "Licenties vanaf de volgende verlenging",
    Ends => "Ends", "Eindigt",
    LicencesHeading => "Licences", "Licenties",
    Name => "Name", "Naam",
    Email => "Email", "E-mail",
    Actions => "Actions", "Acties",
    Remove => "Remove", "Verwijderen",
    RemoveLicenceFrom => "Remove the licence from {}", "Licentie van {} verwijderen",
    LicenceRemoved => "{} no longer has a licence.", "{} heeft geen licentie meer.",
    LicencesAssigned => "Licences given to {} people.", "Licenties gegeven aan {} personen.",
    AssignHeading => "Give licences", "Licenties geven",
    FindColleagues => "Find colleagues", "Collega's zoeken",
    FindColleaguesHint =>
        "Type a name or email address, then choose people from the list.",
        "Typ een naam of e-mailadres en kies dan mensen uit de lijst.",
    Selected => "Selected people", "Gekozen mensen",
    Unselect => "Remove {} from the selection", "{} uit de selectie halen",
    AssignCount => "Give licences to {} selected", "Licenties geven aan {} gekozen personen",
    ChooseSomeone => "Choose at least one person first.", "Kies eerst minstens één persoon.",
    PasteEmails => "Or paste email addresses", "Of plak e-mailadressen",
    PasteEmailsHint =>
        "Separate them with commas, spaces or new lines.",
        "Scheid ze met komma's, spaties of nieuwe regels.",
    PasteSomeEmails => "Paste at least one email address.", "Plak minstens één e-mailadres.",
    AssignPasted => "Give licences to these addresses", "Licenties geven aan deze adressen",
    BuyMoreLicences => "Buy more licences", "Meer licenties kopen",
    NewNumberOfLicences => "New number of licences", "Nieuw aantal licenties",
    SeatsChangeHint =>
        "More licences start now, charged for the rest of this period. Fewer licences start at \
         the next renewal.",
        "Extra licenties gaan nu in en je betaalt voor de rest van deze periode. Minder \
         licenties gaan in bij de volgende verlenging.",
    SeatsIncreaseExplain =>
        "{} more licences now for {} (prorated to {}). From then on, {} a month.",
        "Nu {} licenties extra voor {} (naar rato tot {}). Daarna {} per maand.",
    SeatsDecreaseExplain =>
        "{} licences from {}. From then on, {} a month.",
        "{} licenties vanaf {}. Daarna {} per maand.",
    ScheduleReduction => "Reduce at renewal", "Verminderen bij verlenging",
    SeatsAdded => "You now have {} licences.", "Je hebt nu {} licenties.",
    SeatsReduced =>
        "You'll have {} licences from the next renewal.",
        "Vanaf de volgende verlenging heb je {} licenties.",
    ReplaceCard => "Replace card", "Kaart vervangen",
    PayWith => "Pay with", "Betalen met",
    CardOnFile => "The card on file, {}", "De opgeslagen kaart, {}",
    ANewCard =>
        "A new card (it becomes the card on file)",
        "Een nieuwe kaart (die wordt de opgeslagen kaart)",
    PayWithThisCard => "Pay with this card", "Met deze kaart betalen",
    SaveCard => "Save card", "Kaart opslaan",
    CancelEdit => "Keep the current card", "Huidige kaart houden",
    CardReplaced =>
        "Your new card will be used from now on.",
        "Vanaf nu wordt je nieuwe kaart gebruikt.",
    Bills => "Bills", "Facturen",
    Date => "Date", "Datum",
    Period => "Period", "Periode",
    Total => "Total", "Totaal",
    Tax => "Tax", "Btw",
    Amount => "Amount", "Bedrag",
    Description => "Description", "Omschrijving",
    PayNow => "Pay now", "Nu betalen",
    PayNowAmount => "Pay {} now", "Nu {} betalen",
    BillPaid => "Bill {} is paid.", "Factuur {} is betaald.",
    ReplaceCardHint =>
        "You can replace the card below and try again.",
        "Je kunt hieronder de kaart vervangen en het opnieuw proberen.",
    InvoiceStatusPaid => "Paid", "Betaald",
    InvoiceStatusOpen => "Due", "Te betalen",
    InvoiceStatusPastDue => "Overdue", "Achterstallig",
    InvoiceStatusVoid => "Void", "Geannuleerd",
    BillRefunded => "Refunded", "Terugbetaald",
    BillRefundedPartly => "Refunded {}", "{} terugbetaald",
    DisputeNotice =>
        "The cardholder's bank disputed a payment of {} on {}.",
        "De bank van de kaarthouder heeft een betaling van {} op {} betwist.",
    DisputeWon =>
        "The cardholder's bank disputed a payment of {} on {}; it was decided in the seller's \
         favour and the payment stands.",
        "De bank van de kaarthouder heeft een betaling van {} op {} betwist; de zaak is in het \
         voordeel van de verkoper beslist en de betaling blijft staan.",
    DisputeLost =>
        "The cardholder's bank disputed a payment of {} on {}; it was decided for the \
         cardholder and the amount went back to the card.",
        "De bank van de kaarthouder heeft een betaling van {} op {} betwist; de zaak is in het \
         voordeel van de kaarthouder beslist en het bedrag is teruggestort op de kaart.",
    PastDueBanner =>
        "Your last payment didn't go through. Pay now to keep your licences: they stay active \
         for 30 days after the failed payment.",
        "Je laatste betaling is niet gelukt. Betaal nu om je licenties te houden: ze blijven 30 \
         dagen na de mislukte betaling actief.",
    SuspendedBanner =>
        "This subscription is suspended because a bill is unpaid. Its licences are kept but \
         don't work until you pay.",
        "Dit abonnement is opgeschort omdat een factuur niet is betaald. De licenties blijven \
         bewaard, maar werken pas weer als je betaalt.",
    CancelHeading => "Cancel", "Opzeggen",
    CancelSubscription => "Cancel subscription", "Abonnement opzeggen",
    KeepSubscription => "Keep subscription", "Abonnement houden",
    CancelConfirmTitle => "Cancel this subscription?", "Dit abonnement opzeggen?",
    CancelExplain =>
        "It stays usable until {}. Then it ends and its {} licences are released. You can undo \
         this until then.",
        "Je kunt het gebruiken tot {}. Daarna stopt het en komen de {} licenties vrij. Tot dan \
         kun je dit ongedaan maken.",
    CancelledUntil =>
        "Cancelled. It stays usable until {}.",
        "Opgezegd. Je kunt het gebruiken tot {}.",
    CancelledNotice =>
        "This subscription is cancelled and ends on {}.",
        "Dit abonnement is opgezegd en eindigt op {}.",
    UndoCancel => "Undo cancellation", "Opzegging ongedaan maken",
    CancellationUndone =>
        "Cancellation undone: the subscription renews as before.",
        "Opzegging ongedaan gemaakt: het abonnement wordt verlengd zoals eerst.",
    CancelRequested =>
        "{} (your IT admin) asked you on {} to cancel this subscription: its users now have \
         licences from your organisation.",
        "{} (je IT-beheerder) heeft je op {} gevraagd dit abonnement op te zeggen: de \
         gebruikers hebben nu licenties van je organisatie.",
    TrialEnds =>
        "Free trial until {}. Buy it to keep using it; the people using the trial keep their licences.",
        "Gratis proefversie tot {}. Koop het product om het te blijven gebruiken; wie de \
         proefversie gebruikt, houdt de licentie.",
    BuyAfterTrial => "Buy this product", "Dit product kopen",
    TrialOfferTitle => "Try it free for 30 days", "30 dagen gratis proberen",
    TrialOfferBody =>
        "Your IT admin allows a free 30-day trial of this product without a card. It ends by \
         itself; nothing is charged.",
        "Je IT-beheerder staat een gratis proefversie van 30 dagen toe voor dit product, zonder \
         kaart. Die stopt vanzelf; er wordt niets afgeschreven.",
    StartTrial => "Start free trial", "Gratis proefversie starten",
    TrialInstead =>
        "Or try it free for 30 days, without a card",
        "Of probeer het 30 dagen gratis, zonder kaart",
    ManageLicences => "Hand out licences", "Licenties uitdelen",
    AdminNav => "Admin", "Beheer",
    AdminHeading => "Purchases in your organisation", "Aankopen in je organisatie",
    AdminSections => "Sections", "Onderdelen",
    Organisation => "Organisation", "Organisatie",
    Purchases => "Purchases", "Aankopen",
    Capacity => "Capacity", "Capaciteit",
    Policies => "Self-service policies", "Selfservicebeleid",
    Activity => "Activity", "Activiteit",
    Show => "Show", "Tonen",
    AllPurchases => "All purchases", "Alle aankopen",
    SelfService => "Self-service", "Selfservice",
    Central => "Central", "Centraal",
    Search => "Search", "Zoeken",
    ExportCsv => "Export CSV", "CSV exporteren",
    Source => "Bought", "Gekocht",
    Purchaser => "Purchaser", "Koper",
    Expiry => "Expires", "Verloopt",
    PurchasePrice => "Purchase price", "Aankoopprijs",
    PricePerMonth => "{} / month ({} per licence)", "{} / maand ({} per licentie)",
    Details => "Details", "Details",
    AssignedUsers => "Assigned users", "Toegewezen gebruikers",
    OrderHistory => "Order history", "Bestelgeschiedenis",
    TakeOver => "Move users to central licences", "Gebruikers overzetten naar centrale licenties",
    AskToCancel => "Ask the purchaser to cancel", "De koper vragen op te zeggen",
    CancelAlreadyAsked =>
        "The purchaser was asked to cancel.",
        "De koper is gevraagd op te zeggen.",
    PurchaserCancelled =>
        "The purchaser cancelled it: it ends at the end of this period.",
        "De koper heeft opgezegd: het loopt af aan het einde van deze periode.",
    TakenOver =>
        "{} users now have central licences; {} was asked to cancel.",
        "{} gebruikers hebben nu centrale licenties; {} is gevraagd op te zeggen.",
    TakenOverEndsAtPeriodEnd =>
        "{} users now have central licences; {}'s subscription ends at the end of its period.",
        "{} gebruikers hebben nu centrale licenties; het abonnement van {} eindigt aan het \
         einde van de periode.",
    TakenOverEndedNow =>
        "{} users now have central licences; {}'s subscription has ended and {} is refunded.",
        "{} gebruikers hebben nu centrale licenties; het abonnement van {} is beëindigd en {} \
         is terugbetaald.",
    TakeOverChoice => "The purchaser's own subscription", "Het eigen abonnement van de koper",
    LeaveRunning =>
        "Keeps running: ask the purchaser to cancel",
        "Loopt door: de koper vragen op te zeggen",
    CancelAtPeriodEnd =>
        "Cancel at the end of the period already paid",
        "Opzeggen aan het einde van de al betaalde periode",
    CancelNowWithRefund =>
        "Cancel now and refund the unused part of this period",
        "Nu opzeggen en het ongebruikte deel van deze periode terugbetalen",
    CancelRequestSent => "{} was asked to cancel.", "{} is gevraagd op te zeggen.",
    TakeOverExplain =>
        "Moving users gives everyone on a self-service subscription a licence from a central \
         subscription of the same product (all of them or none). The purchaser's subscription \
         then keeps running with a request to cancel, ends with its period, or ends now with \
         the unused part of the period refunded to their card (rounded up in their favour).",
        "Bij het overzetten krijgt iedereen met een selfservice-abonnement een licentie uit een \
         centraal abonnement op hetzelfde product (iedereen of niemand). Het abonnement van de \
         koper loopt daarna door met een verzoek om op te zeggen, eindigt met de periode, of \
         eindigt nu en het ongebruikte deel van de periode wordt teruggestort op de kaart van \
         de koper (afgerond in diens voordeel).",
    RecordCentral => "Record a central purchase", "Een centrale aankoop vastleggen",
    RecordCentralIntro =>
        "Licences bought through your organisation's agreement, billed there, not by card.",
        "Licenties gekocht via de overeenkomst van je organisatie en daar gefactureerd, niet \
         per kaart.",
    AgreementPrice => "Price per licence / month", "Prijs per licentie / maand",
    AmountIn => "In {}.", "In {}.",
    RecordCentralButton => "Record purchase", "Aankoop vastleggen",
    CentralRecorded =>
        "Recorded {} central licences of {}.",
        "{} centrale licenties van {} vastgelegd.",
    SeatsNotNumber =>
        "Enter the number of licences as a whole number.",
        "Vul het aantal licenties in als geheel getal.",
    Bought => "Bought", "Gekocht",
    Assigned => "Assigned", "Toegewezen",
    Free => "Free", "Vrij",
    SelfServicePurchase => "Self-service purchase", "Selfservice-aankoop",
    PoliciesIntro =>
        "Choose whether people in your organisation can buy each product themselves.",
        "Kies per product of mensen in je organisatie het zelf mogen kopen.",
    PoliciesReadOnly =>
        "Only global admins can change these.",
        "Alleen globale beheerders kunnen dit wijzigen.",
    PolicyEnabled => "Allowed", "Toegestaan",
    PolicyDisabled => "Turned off", "Uitgezet",
    PolicyTrialsOnly =>
        "Free trials only, without a card",
        "Alleen gratis proefversies, zonder kaart",
    PolicyChanged => "{}: {}.", "{}: {}.",
    NewPurchasesAndTrials =>
        "New self-service purchases and trials",
        "Nieuwe selfservice-aankopen en proefversies",
    FullActivityLog => "Everything that changed", "Alles wat is gewijzigd",
    SsoIntro =>
        "{} signs you in on its own sign-in page. No password is needed here.",
        "{} meldt je aan op een eigen aanmeldpagina. Hier is geen wachtwoord nodig.",
    SsoGateIntro =>
        "Your organisation signs you in on its own sign-in page.",
        "Je organisatie meldt je aan op een eigen aanmeldpagina.",
    SsoContinue =>
        "Continue with your organisation's sign-in",
        "Doorgaan met de aanmelding van je organisatie",
    SsoLeaving =>
        "Opening your organisation's sign-in…",
        "De aanmelding van je organisatie wordt geopend…",
    SsoComeBack =>
        "You'll come back here afterwards, right where you left off.",
        "Daarna kom je hier terug, precies waar je was gebleven.",
    SsoErrorExpired =>
        "Your sign-in took too long, or was started in another browser. Please try again.",
        "Je aanmelding duurde te lang, of is in een andere browser begonnen. Probeer het opnieuw.",
    SsoErrorCancelled =>
        "Sign-in was cancelled or refused at your organisation's sign-in page. You can try again.",
        "De aanmelding is geannuleerd of geweigerd op de aanmeldpagina van je organisatie. Je \
         kunt het opnieuw proberen.",
    SsoErrorUnavailable =>
        "We couldn't reach your organisation's sign-in service. Try again in a moment; \
         if it keeps happening, contact your IT admin.",
        "We konden de aanmelddienst van je organisatie niet bereiken. Probeer het zo opnieuw; \
         blijft het gebeuren, neem dan contact op met je IT-beheerder.",
    SsoErrorUntrusted =>
        "We couldn't confirm your sign-in with your organisation. Please try again.",
        "We konden je aanmelding niet bevestigen bij je organisatie. Probeer het opnieuw.",
    SsoErrorEmailNotVerified =>
        "Your organisation hasn't confirmed this account's email address yet. \
         Contact your IT admin.",
        "Je organisatie heeft het e-mailadres van dit account nog niet bevestigd. Neem contact \
         op met je IT-beheerder.",
    SsoErrorOutsideOrganization =>
        "The account you signed in with doesn't belong to this organisation. \
         Sign in with your work account, or change the email address.",
        "Het account waarmee je je hebt aangemeld, hoort niet bij deze organisatie. Meld je aan \
         met je werkaccount of wijzig het e-mailadres.",
    SsoErrorAccountDisabled =>
        "This account is turned off. Contact your IT admin.",
        "Dit account is uitgezet. Neem contact op met je IT-beheerder.",
    SsoErrorNotConfigured =>
        "Your organisation no longer signs in this way. Change the email address to continue.",
        "Bij je organisatie meld je je niet meer op deze manier aan. Wijzig het e-mailadres om \
         door te gaan.",
    SsoErrorOther =>
        "Signing in didn't work. Please try again.",
        "Aanmelden is niet gelukt. Probeer het opnieuw.",
    SignInMethodLabel => "How people sign in", "Hoe mensen zich aanmelden",
    SignInMethodSso => "Single sign-on", "Eenmalige aanmelding (SSO)",
    SignInMethodPassword => "Passwords kept by selfserve", "Wachtwoorden beheerd door selfserve",
    SignInIssuer => "Identity provider", "Identiteitsprovider",
    // The "one" forms of the messages with a count, chosen by `plural`.
    CapMaxSeatsPerPurchaseOne =>
        "Your IT admin allows at most {} licence in one self-service purchase of this product.",
        "Je IT-beheerder staat maximaal {} licentie toe in één selfservice-aankoop van dit \
         product.",
    CapMaxSeatsOne =>
        "Your IT admin allows at most {} self-service licence of this product in your \
         organisation ({} left).",
        "Je IT-beheerder staat maximaal {} selfservice-licentie van dit product toe in je \
         organisatie (nog {} over).",
    ActPurchaseOne => "{} bought {} licence of {} for {}.", "{} kocht {} licentie van {} voor {}.",
    ActTrialStartedOne =>
        "{} started a free trial of {} with {} licence, ending {}.",
        "{} begon een gratis proefversie van {} met {} licentie, tot {}.",
    ActSeatsChangeScheduledOne =>
        "{} changed {} to {} licence from the next renewal.",
        "{} wijzigde {} naar {} licentie vanaf de volgende verlenging.",
    ActCentralPurchaseOne =>
        "{} recorded a central purchase of {} licence of {}.",
        "{} legde een centrale aankoop vast van {} licentie van {}.",
    LicencesAssignedOne => "Licence given to {} person.", "Licentie gegeven aan {} persoon.",
    AssignCountOne =>
        "Give a licence to {} selected person",
        "Licentie geven aan {} gekozen persoon",
    SeatsIncreaseExplainOne =>
        "{} more licence now for {} (prorated to {}). From then on, {} a month.",
        "Nu {} licentie extra voor {} (naar rato tot {}). Daarna {} per maand.",
    SeatsDecreaseExplainOne =>
        "{} licence from {}. From then on, {} a month.",
        "{} licentie vanaf {}. Daarna {} per maand.",
    SeatsAddedOne => "You now have {} licence.", "Je hebt nu {} licentie.",
    SeatsReducedOne =>
        "You'll have {} licence from the next renewal.",
        "Vanaf de volgende verlenging heb je {} licentie.",
    CancelExplainOne =>
        "It stays usable until {}. Then it ends and its {} licence is released. You can undo \
         this until then.",
        "Je kunt het gebruiken tot {}. Daarna stopt het en komt de {} licentie vrij. Tot dan \
         kun je dit ongedaan maken.",
    TakenOverOne =>
        "{} user now has a central licence; {} was asked to cancel.",
        "{} gebruiker heeft nu een centrale licentie; {} is gevraagd op te zeggen.",
    TakenOverEndsAtPeriodEndOne =>
        "{} user now has a central licence; {}'s subscription ends at the end of its period.",
        "{} gebruiker heeft nu een centrale licentie; het abonnement van {} eindigt aan het \
         einde van de periode.",
    TakenOverEndedNowOne =>
        "{} user now has a central licence; {}'s subscription has ended and {} is refunded.",
        "{} gebruiker heeft nu een centrale licentie; het abonnement van {} is beëindigd en {} \
         is terugbetaald.",
    CentralRecordedOne =>
        "Recorded {} central licence of {}.",
        "{} centrale licentie van {} vastgelegd.",
    // The language switcher.
    LanguageLabel => "Language", "Taal",
    // Issue 12: the printable invoice.
    InvoiceSeller => "From", "Van",
    InvoiceBilledTo => "Billed to", "Gefactureerd aan",
    InvoiceProduct => "Product", "Product",
    InvoicePaidOn => "Paid on", "Betaald op",
    InvoiceRefunded => "Refunded", "Terugbetaald",
    PrintInvoice => "Print or save as PDF", "Afdrukken of als pdf opslaan",
    // Issue 12: how each admin gets admin notices.
    NoticesHeading => "Your admin notices", "Je meldingen als beheerder",
    NoticesLegend =>
        "Mail me about new self-service purchases, trials and requests to IT",
        "Stuur me een e-mail over nieuwe selfservice-aankopen, proefversies en verzoeken aan IT",
    NoticesEach => "A mail for each", "Een e-mail per melding",
    NoticesDaily => "One digest a day", "Eén overzicht per dag",
    NoticesNone =>
        "No mail (the admin pages still list everything)",
        "Geen e-mail (de beheerpagina's tonen nog steeds alles)",
    NoticesSave => "Save", "Opslaan",
    NoticesSaving => "Saving…", "Opslaan…",
    NoticesSaved => "Your choice is saved.", "Je keuze is opgeslagen.",
    // Issue 12: admin webhooks.
    Webhooks => "Webhooks", "Webhooks",
    WebhooksIntro =>
        "Your own tools receive this organisation's events as signed JSON.",
        "Je eigen systemen ontvangen de gebeurtenissen van deze organisatie als ondertekende JSON.",
    WebhooksEmpty => "No endpoints yet.", "Nog geen eindpunten.",
    WebhookUrl => "Endpoint URL", "URL van het eindpunt",
    WebhookUrlHint => "https:// to a public host", "https:// naar een openbare host",
    WebhookUrlInvalid =>
        "Enter an address that starts with https://",
        "Vul een adres in dat met https:// begint",
    WebhookEvents => "Events", "Gebeurtenissen",
    WebhookEventsAll => "Every event", "Elke gebeurtenis",
    WebhookEventsNone =>
        "Choose at least one event, or every event.",
        "Kies minstens één gebeurtenis, of elke gebeurtenis.",
    WebhookCreated => "Created", "Aangemaakt",
    WebhookLastDelivery => "Last delivery", "Laatste aflevering",
    WebhookNoDelivery => "None yet", "Nog geen",
    WebhookAdd => "Add endpoint", "Eindpunt toevoegen",
    WebhookAdding => "Adding…", "Toevoegen…",
    WebhookSecret =>
        "Signing secret (shown once: copy it now)",
        "Ondertekeningsgeheim (eenmalig getoond: kopieer het nu)",
    WebhookAdded => "Endpoint {} added.", "Eindpunt {} toegevoegd.",
    WebhookRemove => "Remove", "Verwijderen",
    WebhookRemoveConfirm =>
        "Remove {}? It receives nothing more.",
        "{} verwijderen? Het ontvangt dan niets meer.",
    WebhookRemoving => "Removing…", "Verwijderen…",
    WebhookRemoved => "Endpoint {} removed.", "Eindpunt {} verwijderd.",
    WebhookActions => "Actions", "Acties",
    // Issue 13 polish (h13p).
    SummaryListPriceOne => "{} licence × {}", "{} licentie × {}",
    SummaryListPriceOther => "{} licences × {}", "{} licenties × {}",
    CardNumberMissing => "Enter the card number", "Vul het kaartnummer in",
    CardExpiryMissing => "Enter the expiry date", "Vul de vervaldatum in",
    CardCvcMissing => "Enter the security code", "Vul de beveiligingscode in",
    CardNumberIncorrect =>
        "Your card number is incomplete or incorrect.",
        "Je kaartnummer is onvolledig of onjuist.",
    CardExpiryMonthInvalid =>
        "The expiry month must be between 01 and 12.",
        "De vervalmaand moet tussen 01 en 12 liggen.",
    CardExpiryInvalid =>
        "Enter the expiry date as MM / YY.",
        "Vul de vervaldatum in als MM / JJ.",
    CardExpired => "Your card has expired.", "Je kaart is verlopen.",
    CardCvcIncomplete =>
        "Your card's security code is incomplete.",
        "De beveiligingscode van je kaart is onvolledig.",
    GuestTitle => "Guests can't buy here", "Gasten kunnen hier niet kopen",
    GuestBody =>
        "You can buy in your home organisation: sign in there with your own work email.",
        "In je eigen organisatie kun je wel kopen: meld je daar aan met je eigen zakelijke \
         e-mailadres.",
    // Keyboard and focus (issue 13, h13k).
    ChangeLicences => "Change licences", "Licenties wijzigen",
    ChangeCard => "Change card", "Kaart wijzigen",
    ChangeEmail => "Change email address", "E-mailadres wijzigen",
    SavePolicy => "Save", "Opslaan",
    SavePolicyFor => "Save the policy for {}", "Beleid voor {} opslaan",
    // h12p: the invoice as a PDF, the seller's footer.
    DownloadInvoicePdf => "Download PDF", "Download pdf",
    SoldBy => "Sold by {}", "Verkocht door {}",
    TermsOfSale => "Terms of sale", "Verkoopvoorwaarden",
    PrivacyStatement => "Privacy statement", "Privacyverklaring",
    // The header's admin link's name while requests wait (it starts with the link's text).
    AdminOpenRequestsOne => "Admin, {} open request", "Beheer, {} open verzoek",
    AdminOpenRequestsOther => "Admin, {} open requests", "Beheer, {} open verzoeken",
    // h13a: a partner's customer by name, empty states, the seat form's unchanged number.
    AdminHeadingFor => "Purchases in {}", "Aankopen bij {}",
    NoOrganizations =>
        "There is no organisation for you to administer.",
        "Er is geen organisatie die je kunt beheren.",
    NoPurchasesYet =>
        "Nothing has been bought here yet.",
        "Hier is nog niets gekocht.",
    NoPurchasesMatch =>
        "No purchases match what you chose. Show all purchases or clear the search.",
        "Geen aankopen die passen bij je keuze. Toon alle aankopen of maak het zoekveld leeg.",
    NobodyHasLicence =>
        "Nobody has a licence yet.",
        "Nog niemand heeft een licentie.",
    NoOrders => "No orders: bought centrally.", "Geen bestellingen: centraal gekocht.",
    NoBills => "No bills yet.", "Nog geen facturen.",
    NoCapacity => "No licences bought yet.", "Nog geen licenties gekocht.",
    NoNewPurchases =>
        "No self-service purchases or trials yet.",
        "Nog geen selfservice-aankopen of proefversies.",
    NoActivity => "Nothing has changed yet.", "Er is nog niets gewijzigd.",
    SeatsUnchangedOne =>
        "You have {} licence now. Choose a different number of licences.",
        "Je hebt nu {} licentie. Kies een ander aantal licenties.",
    SeatsUnchanged =>
        "You have {} licences now. Choose a different number of licences.",
        "Je hebt nu {} licenties. Kies een ander aantal licenties.",
    DetailsOf => "Details of {} bought by {}", "Details van {}, gekocht door {}",
    // h13b: trials' prices, the receipt, webhook event kinds in words.
    FreeTrialUntil => "Free trial until {}", "Gratis proefversie tot {}",
    FreeTrialEnded => "Free trial, ended on {}", "Gratis proefversie, afgelopen op {}",
    Receipt => "Receipt", "Betaalbewijs",
    ViewInvoice => "View or print the invoice", "Factuur bekijken of afdrukken",
    EventPurchase => "Purchase", "Aankoop",
    EventTrialStarted => "Trial started", "Proefversie gestart",
    EventSeatsChanged => "Licences changed", "Licenties gewijzigd",
    EventSeatsChangeScheduled => "Licence change scheduled", "Licentiewijziging gepland",
    EventLicencesAssigned => "Licences given", "Licenties gegeven",
    EventLicenceRemoved => "Licence taken back", "Licentie ingetrokken",
    EventPolicyChanged => "Policy changed", "Beleid gewijzigd",
    EventCancelled => "Cancelled", "Opgezegd",
    EventCancellationUndone => "Cancellation undone", "Opzegging ongedaan gemaakt",
    EventExpired => "Trial ended", "Proefversie afgelopen",
    EventTakeOver => "Taken over by IT", "Overgenomen door IT",
    EventCancellationRequested => "Asked to cancel", "Gevraagd op te zeggen",
    EventCentralPurchase => "Central purchase", "Centrale aankoop",
    EventRenewed => "Renewed", "Verlengd",
    EventRenewalFailed => "Renewal failed", "Verlenging mislukt",
    EventRefunded => "Refunded", "Terugbetaald",
    EventDisputed => "Payment disputed", "Betaling betwist",
    EventRequestOpened => "Request to IT", "Verzoek aan IT",
    EventRequestAnswered => "Request answered", "Verzoek beantwoord",
    EventRenewalUpcoming => "Renewal coming up", "Verlenging komt eraan",
    EventTrialEnding => "Trial ending soon", "Proefversie loopt bijna af",
    EventSuspended => "Suspended", "Opgeschort",
    // A subscription with many licence holders: the list is drawn a screen at a time.
    FindLicenceHolder => "Find someone with a licence", "Zoek iemand met een licentie",
    HoldersShown => "Showing {} of {} people", "{} van {} personen getoond",
    ShowMore => "Show more", "Meer tonen",
    NarrowHolderFilter => "Type a name or email above to find the others.", "Typ hierboven een naam of e-mailadres om de anderen te vinden.",
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
