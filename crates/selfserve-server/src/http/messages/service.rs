//! Messages for the services' refusals (`ServiceError`), worded in `error.rs`.

super::messages! {
    NOT_FOUND => "There is nothing at this address.", "Op dit adres is niets te vinden.";
    INTERNAL =>
        "Something went wrong on our side. Nothing was charged twice; please try again.",
        "Er ging aan onze kant iets mis. Er is niets dubbel afgeschreven; probeer het opnieuw.";

    ADMIN_NOT_AN_ADMIN =>
        "Only global admins, billing admins and delegated partners can see this.",
        "Alleen globale beheerders, factuurbeheerders en gedelegeerde partners kunnen dit zien.";
    ADMIN_OWN_ORGANIZATION_ONLY =>
        "You can only administer your own organisation.",
        "Je kunt alleen je eigen organisatie beheren.";
    ADMIN_NO_DELEGATION_FOR_CUSTOMER =>
        "Your organisation has no delegated admin rights for that customer.",
        "Je organisatie heeft geen gedelegeerde beheerrechten voor die klant.";
    ADMIN_NO_DELEGATION =>
        "Your organisation has no delegated admin rights for any customer.",
        "Je organisatie heeft voor geen enkele klant gedelegeerde beheerrechten.";
    ADMIN_GLOBAL_ONLY =>
        "Only global admins can change product policies.",
        "Alleen globale beheerders kunnen het beleid voor een product wijzigen.";
    ADMIN_WEBHOOKS_GLOBAL_ONLY =>
        "Only global admins can manage webhook endpoints.",
        "Alleen globale beheerders kunnen webhook-eindpunten beheren.";

    NO_SEATS_ASSIGN =>
        "Only {free} licence(s) are free, so nobody was assigned. Buy more licences or choose fewer people.",
        "Er zijn maar {free} licentie(s) vrij, dus niemand heeft een licentie gekregen. Koop meer licenties of kies minder mensen.";
    NO_SEATS_TAKE_OVER =>
        "The central subscription has {free} free seat(s) for {people} people: nobody was moved. Add central seats first.",
        "Het centrale abonnement heeft {free} vrije licentie(s) voor {people} mensen: niemand is overgezet. Voeg eerst centrale licenties toe.";
    NO_CENTRAL_SUBSCRIPTION =>
        "There is no central subscription of this product. Record one first.",
        "Er is geen centraal abonnement op dit product. Leg er eerst een vast.";
    USERS_NOT_FOUND =>
        "No one in your organisation matches {who}. Nobody was assigned.",
        "Niemand in je organisatie komt overeen met {who}. Niemand heeft een licentie gekregen.";
    USERS_NOT_FOUND_MORE =>
        "No one in your organisation matches {who} and {more} more. Nobody was assigned.",
        "Niemand in je organisatie komt overeen met {who} en nog {more} anderen. Niemand heeft een licentie gekregen.";
    NO_LICENCE_HELD =>
        "That person doesn't hold a licence of this subscription.",
        "Die persoon heeft geen licentie van dit abonnement.";

    REFUND_NOT_PAID => "That bill was not paid by card.", "Die factuur is niet met een kaart betaald.";
    REFUND_TOO_MUCH =>
        "Only {refundable} (minor units) of that bill is left to refund.",
        "Van die factuur kan nog maar {refundable} (kleinste munteenheid) worden terugbetaald.";
    REFUND_NOT_POSITIVE => "A refund must be more than zero.", "Een terugbetaling moet meer dan nul zijn.";
    REFUND_NO_REASON => "A refund needs a reason.", "Geef een reden voor de terugbetaling.";
    REFUND_PROCESSOR_REFUSED =>
        "The card processor refused the refund ({code}).",
        "De kaartverwerker heeft de terugbetaling geweigerd ({code}).";

    CAP_SEATS_PER_PURCHASE =>
        "Your IT admin allows at most {value} licence(s) in one self-service purchase of this product.",
        "Je IT-beheerder staat maximaal {value} licentie(s) toe in één selfservice-aankoop van dit product.";
    CAP_SEATS =>
        "Your IT admin allows at most {value} self-service licence(s) of this product in your organisation; {available} are left.",
        "Je IT-beheerder staat maximaal {value} selfservice-licentie(s) van dit product toe in je organisatie; er zijn er nog {available} over.";
    CAP_MONTHLY =>
        "Your IT admin allows at most {value} of self-service purchases of this product a month; {available} is left this month.",
        "Je IT-beheerder staat per maand maximaal {value} aan selfservice-aankopen van dit product toe; deze maand is er nog {available} over.";
    CAP_MONTHLY_REACHED =>
        "Your IT admin's monthly limit on self-service purchases of this product is reached.",
        "De maandlimiet van je IT-beheerder voor selfservice-aankopen van dit product is bereikt.";

    PAYMENT_ABANDONED =>
        "This attempt took too long and was stopped; nothing was charged. Try again.",
        "Deze poging duurde te lang en is gestopt; er is niets afgeschreven. Probeer het opnieuw.";
    AUTHENTICATION_REQUIRED =>
        "Your bank needs to confirm this payment.",
        "Je bank moet deze betaling bevestigen.";
    INVALID_TOKEN =>
        "The card token is not valid. Enter the card again.",
        "Het kaarttoken is niet geldig. Voer de kaart opnieuw in.";
    TOKEN_ALREADY_USED =>
        "This card token was already used. Enter the card again.",
        "Dit kaarttoken is al gebruikt. Voer de kaart opnieuw in.";
    NO_CARD_ON_FILE => "Add a card first.", "Voeg eerst een kaart toe.";

    DECLINED_INSUFFICIENT_FUNDS =>
        "Your card has insufficient funds. Try another card.",
        "Het saldo op je kaart is onvoldoende. Probeer een andere kaart.";
    DECLINED_EXPIRED =>
        "Your card has expired. Check the expiry date or use another card.",
        "Je kaart is verlopen. Controleer de vervaldatum of gebruik een andere kaart.";
    DECLINED_INCORRECT_CVC =>
        "Your card's security code is incorrect. Check it and try again.",
        "De beveiligingscode van je kaart klopt niet. Controleer die en probeer het opnieuw.";
    DECLINED_PROCESSING_ERROR =>
        "An error occurred while processing your card. Try again in a moment.",
        "Er ging iets mis bij het verwerken van je kaart. Probeer het zo opnieuw.";
    DECLINED_AUTHENTICATION_FAILED =>
        "Your bank could not confirm that it's you. Try again or use another card.",
        "Je bank kon niet bevestigen dat jij het bent. Probeer het opnieuw of gebruik een andere kaart.";
    DECLINED_AUTHENTICATION_REQUIRED =>
        "Your bank confirms every payment with this card. Pay with the card's details again to confirm it, or use another card.",
        "Je bank laat elke betaling met deze kaart bevestigen. Betaal opnieuw met de kaartgegevens om te bevestigen, of gebruik een andere kaart.";
    DECLINED =>
        "Your card was declined. Try another card or contact your bank.",
        "Je kaart is geweigerd. Probeer een andere kaart of neem contact op met je bank.";

    SEATS_NOT_CHANGEABLE =>
        "Only an active subscription can change its number of licences.",
        "Alleen bij een actief abonnement kun je het aantal licenties wijzigen.";
    SEATS_WHILE_ENDING =>
        "This subscription ends at the end of its period: undo the cancellation before changing its number of licences.",
        "Dit abonnement stopt aan het einde van de periode: maak de opzegging ongedaan voordat je het aantal licenties wijzigt.";
    SEATS_CHANGED_MEANWHILE =>
        "The number of licences just changed, or another change is in progress. Check the licences and try again.",
        "Het aantal licenties is net gewijzigd, of er loopt nog een andere wijziging. Controleer de licenties en probeer het opnieuw.";
    BELOW_ASSIGNED =>
        "{assigned} licences are assigned. Remove licences from people first, then reduce to {wanted}.",
        "Er zijn {assigned} licenties toegewezen. Neem eerst licenties van mensen af en verlaag daarna naar {wanted}.";
    BILL_ALREADY_PAID => "This bill is already paid.", "Deze factuur is al betaald.";
    BILL_VOID =>
        "This bill was cancelled with its subscription: there is nothing to pay.",
        "Deze factuur is met het abonnement geannuleerd: er valt niets te betalen.";
    PAYMENT_IN_FLIGHT =>
        "A payment of this subscription is in progress. Try again in a minute, once it has gone through or failed.",
        "Er loopt al een betaling voor dit abonnement. Probeer het over een minuut opnieuw, als die is gelukt of mislukt.";
    BILL_PAID_OR_PAYING =>
        "This bill is already paid, or a payment of it is in progress.",
        "Deze factuur is al betaald, of er loopt al een betaling voor.";
    NOT_ASSIGNABLE =>
        "Licences can't be assigned while the subscription is suspended or ended.",
        "Je kunt geen licenties toewijzen zolang het abonnement is opgeschort of beëindigd.";
    ALREADY_CANCELLED_OR_ENDED =>
        "This subscription is already cancelled or has ended.",
        "Dit abonnement is al opgezegd of beëindigd.";
    NOTHING_TO_UNDO => "There is no cancellation to undo.", "Er is geen opzegging om ongedaan te maken.";
    NOT_SELF_SERVICE =>
        "Only a self-service subscription can be taken over or asked to cancel.",
        "Alleen een selfservice-abonnement kun je overnemen of de koper vragen op te zeggen.";
    CENTRAL_NOT_ASSIGNABLE =>
        "The central subscription can't take licences now.",
        "Het centrale abonnement kan nu geen licenties overnemen.";
    HAD_TRIAL => "You already had a trial of this product.", "Je hebt al een proefversie van dit product gehad.";
    NO_CARD_ON_TRIAL =>
        "A trial has no card. To keep using the product after the trial, buy it.",
        "Een proefversie heeft geen kaart. Koop het product om het na de proefperiode te blijven gebruiken.";
    CARD_NOT_REPLACEABLE =>
        "This subscription has ended: it takes no card.",
        "Dit abonnement is beëindigd: er kan geen kaart meer aan worden gekoppeld.";
    MAY_BUY_ALREADY =>
        "You may buy this product yourself: there is nothing to ask your IT admin.",
        "Je mag dit product zelf kopen: je hoeft niets aan je IT-beheerder te vragen.";
    REQUEST_ALREADY_ANSWERED =>
        "This request has already been answered.",
        "Dit verzoek is al beantwoord.";

    NOT_A_TRIAL_TO_CONVERT =>
        "That is not a trial of this product you can buy.",
        "Dat is geen proefversie van dit product die je kunt kopen.";
    TOO_FEW_FOR_TRIAL_WITH_BUYER =>
        "{users} people use the trial, and you get a licence too: buy at least {needed} licences.",
        "{users} mensen gebruiken de proefversie en je krijgt zelf ook een licentie: koop minstens {needed} licenties.";
    TOO_FEW_FOR_TRIAL =>
        "{users} people use the trial: buy at least {needed} licences.",
        "{users} mensen gebruiken de proefversie: koop minstens {needed} licenties.";
    NO_SUCH_CENTRAL_SUBSCRIPTION =>
        "No central subscription of this product with that id.",
        "Er is geen centraal abonnement op dit product met die id.";
    ANSWER_MESSAGE_TOO_LONG =>
        "The message may be at most {max} characters long.",
        "Het bericht mag maximaal {max} tekens lang zijn.";
    ASSIGNMENT_SIZE =>
        "Send between 1 and 1,000 users in `user_ids` or `emails`.",
        "Stuur 1 tot 1.000 gebruikers in `user_ids` of `emails`.";
    WEBHOOK_URL_NOT_A_URL =>
        "The endpoint URL is not an absolute URL.",
        "De URL van het eindpunt is geen volledige URL.";
    WEBHOOK_URL_TOO_LONG =>
        "The endpoint URL is longer than 2048 characters.",
        "De URL van het eindpunt is langer dan 2048 tekens.";
    WEBHOOK_URL_NOT_HTTPS =>
        "The endpoint URL must be https:// (http:// only to this machine: localhost, 127.0.0.1, [::1]).",
        "De URL van het eindpunt moet met https:// beginnen (http:// alleen naar deze machine: localhost, 127.0.0.1, [::1]).";
    WEBHOOK_URL_CREDENTIALS =>
        "The endpoint URL must not carry a user or password.",
        "De URL van het eindpunt mag geen gebruikersnaam of wachtwoord bevatten.";
    WEBHOOK_URL_FRAGMENT =>
        "The endpoint URL must not have a #fragment.",
        "De URL van het eindpunt mag geen #fragment hebben.";
    WEBHOOK_URL_INTERNAL =>
        "The endpoint URL is an internal address (loopback, private, link-local, CGNAT, \
         multicast): webhooks go to public hosts only.",
        "De URL van het eindpunt is een intern adres (loopback, privé, link-local, CGNAT, \
         multicast): webhooks gaan alleen naar openbare hosts.";
    WEBHOOK_URL_UNRESOLVABLE =>
        "The endpoint URL's host name does not resolve.",
        "De hostnaam in de URL van het eindpunt bestaat niet (DNS geeft geen adres).";
    WEBHOOK_EVENTS_EMPTY =>
        "Choose at least one event, or leave `events` out to receive every event.",
        "Kies minstens één gebeurtenis, of laat `events` weg om elke gebeurtenis te ontvangen.";
}
