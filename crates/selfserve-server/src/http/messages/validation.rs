//! Messages for the single-value checks of `selfserve-api` (seat counts, email addresses,
//! cards, eligibility), whose own `Display` is English for the app and the command line.

use super::Template;
use selfserve_api::card::CardError;
use selfserve_api::eligibility::IneligibleReason;
use selfserve_api::email::InvalidEmail;
use selfserve_api::product::InvalidSeatCount;

super::messages! {
    SEATS_NOT_WHOLE =>
        "Enter the number of licences as a whole number.",
        "Vul het aantal licenties in als een heel getal.";
    SEATS_TOO_FEW => "Buy at least {min} licence(s).", "Koop minstens {min} licentie(s).";
    SEATS_TOO_MANY =>
        "You can buy at most {max} licences at once.",
        "Je kunt maximaal {max} licenties tegelijk kopen.";

    EMAIL_EMPTY => "Enter your work email address.", "Vul je zakelijke e-mailadres in.";
    EMAIL_MISSING_AT =>
        "Enter an email address in the form name@example.com.",
        "Vul een e-mailadres in zoals naam@voorbeeld.nl.";
    EMAIL_BAD_LOCAL_PART => "The part before the @ is not valid.", "Het deel vóór de @ is niet geldig.";
    EMAIL_BAD_DOMAIN =>
        "The part after the @ must be a domain such as example.com.",
        "Het deel na de @ moet een domein zijn, zoals voorbeeld.nl.";
    EMAIL_TOO_LONG => "That email address is too long.", "Dat e-mailadres is te lang.";

    CARD_INCORRECT_NUMBER =>
        "Your card number is incomplete or incorrect.",
        "Je kaartnummer is onvolledig of onjuist.";
    CARD_INVALID_EXPIRY_MONTH =>
        "The expiry month must be between 01 and 12.",
        "De vervalmaand moet tussen 01 en 12 liggen.";
    CARD_INVALID_EXPIRY_YEAR => "The expiry year is not valid.", "Het vervaljaar is niet geldig.";
    CARD_EXPIRED => "Your card has expired.", "Je kaart is verlopen.";
    CARD_INVALID_CVC =>
        "Your card's security code is incomplete.",
        "De beveiligingscode van je kaart is onvolledig.";

    INELIGIBLE_ORGANIZATION_KIND =>
        "Self-service purchase isn't available to government, nonprofit or education organisations.",
        "Selfservice-aankoop is niet beschikbaar voor overheids-, non-profit- en onderwijsorganisaties.";
    INELIGIBLE_UNMANAGED =>
        "Your organisation's account isn't managed by an IT department, so self-service purchase isn't available.",
        "Het account van je organisatie wordt niet door een IT-afdeling beheerd, dus selfservice-aankoop is niet beschikbaar.";
    INELIGIBLE_MARKET =>
        "Self-service purchase isn't available in your organisation's country or region.",
        "Selfservice-aankoop is niet beschikbaar in het land of de regio van je organisatie.";
    INELIGIBLE_POLICY_DISABLED =>
        "Your IT admin has turned off self-service purchase of this product.",
        "Je IT-beheerder heeft selfservice-aankoop van dit product uitgezet.";
    INELIGIBLE_POLICY_TRIALS_ONLY =>
        "Your IT admin allows only free trials of this product, without a card.",
        "Je IT-beheerder staat van dit product alleen gratis proefversies toe, zonder kaart.";
    INELIGIBLE_GUEST =>
        "You're a guest in this organisation, and guests can't buy for it.",
        "Je bent gast in deze organisatie en gasten kunnen niet voor de organisatie kopen.";
    INELIGIBLE_CAP_REACHED =>
        "This goes beyond a limit your IT admin set on self-service purchases of this product.",
        "Dit overschrijdt een limiet die je IT-beheerder heeft ingesteld voor selfservice-aankopen van dit product.";
    INELIGIBLE_UNKNOWN =>
        "Self-service purchase isn't available to you.",
        "Selfservice-aankoop is voor jou niet beschikbaar.";
}

/// A refused seat count, in both languages.
pub fn seat_count(error: InvalidSeatCount) -> super::Text {
    match error {
        InvalidSeatCount::NotAWholeNumber => SEATS_NOT_WHOLE.into(),
        InvalidSeatCount::TooFew { min } => SEATS_TOO_FEW.arg("min", min),
        InvalidSeatCount::TooMany { max } => SEATS_TOO_MANY.arg("max", max),
    }
}

/// A refused email address.
pub fn email(error: InvalidEmail) -> Template {
    match error {
        InvalidEmail::Empty => EMAIL_EMPTY,
        InvalidEmail::MissingAt => EMAIL_MISSING_AT,
        InvalidEmail::BadLocalPart => EMAIL_BAD_LOCAL_PART,
        InvalidEmail::BadDomain => EMAIL_BAD_DOMAIN,
        InvalidEmail::TooLong => EMAIL_TOO_LONG,
    }
}

/// A refused card.
pub fn card(error: CardError) -> Template {
    match error {
        CardError::IncorrectNumber => CARD_INCORRECT_NUMBER,
        CardError::InvalidExpiryMonth => CARD_INVALID_EXPIRY_MONTH,
        CardError::InvalidExpiryYear => CARD_INVALID_EXPIRY_YEAR,
        CardError::Expired => CARD_EXPIRED,
        CardError::InvalidCvc => CARD_INVALID_CVC,
    }
}

/// Why someone may not buy.
pub fn ineligible(reason: IneligibleReason) -> Template {
    match reason {
        IneligibleReason::OrganizationKind => INELIGIBLE_ORGANIZATION_KIND,
        IneligibleReason::UnmanagedOrganization => INELIGIBLE_UNMANAGED,
        IneligibleReason::Market => INELIGIBLE_MARKET,
        IneligibleReason::PolicyDisabled => INELIGIBLE_POLICY_DISABLED,
        IneligibleReason::PolicyTrialsOnly => INELIGIBLE_POLICY_TRIALS_ONLY,
        IneligibleReason::Guest => INELIGIBLE_GUEST,
        IneligibleReason::CapReached => INELIGIBLE_CAP_REACHED,
        IneligibleReason::Unknown => INELIGIBLE_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::language::Language;

    /// The English texts here are the ones `selfserve-api` gives the app: one wording each.
    #[test]
    fn english_matches_the_shared_crate() {
        let reasons = [
            IneligibleReason::OrganizationKind,
            IneligibleReason::UnmanagedOrganization,
            IneligibleReason::Market,
            IneligibleReason::PolicyDisabled,
            IneligibleReason::PolicyTrialsOnly,
            IneligibleReason::Guest,
            IneligibleReason::CapReached,
            IneligibleReason::Unknown,
        ];
        for reason in reasons {
            assert_eq!(
                ineligible(reason).raw(Language::English),
                reason.to_string()
            );
        }
        for error in [
            CardError::IncorrectNumber,
            CardError::InvalidExpiryMonth,
            CardError::InvalidExpiryYear,
            CardError::Expired,
            CardError::InvalidCvc,
        ] {
            assert_eq!(card(error).raw(Language::English), error.to_string());
        }
        for error in [
            InvalidEmail::Empty,
            InvalidEmail::MissingAt,
            InvalidEmail::BadLocalPart,
            InvalidEmail::BadDomain,
            InvalidEmail::TooLong,
        ] {
            assert_eq!(email(error).raw(Language::English), error.to_string());
        }
        for error in [
            InvalidSeatCount::NotAWholeNumber,
            InvalidSeatCount::TooFew { min: 3 },
            InvalidSeatCount::TooMany { max: 300 },
        ] {
            assert_eq!(
                seat_count(error).render(Language::English),
                error.to_string()
            );
        }
    }
}
