//! Messages about the request itself: its body, query, headers, address, session and rate.

super::messages! {
    BODY_TOO_LARGE => "The request body is too large.", "De inhoud van het verzoek is te groot.";
    BODY_UNREADABLE =>
        "The request body could not be read.",
        "De inhoud van het verzoek kon niet worden gelezen.";
    UNSUPPORTED_MEDIA_TYPE =>
        "Send the request body as JSON with Content-Type: application/json.",
        "Stuur de inhoud van het verzoek als JSON met Content-Type: application/json.";
    INVALID_JSON =>
        "The request body is not valid JSON ({detail}).",
        "De inhoud van het verzoek is geen geldige JSON ({detail}).";
    WRONG_SHAPE =>
        "The request body has the wrong shape: {detail}.",
        "De inhoud van het verzoek heeft niet de juiste vorm: {detail}.";
    INVALID_FIELD =>
        "Invalid value for `{field}`: {detail}.",
        "Ongeldige waarde voor `{field}`: {detail}.";
    NUL_CHARACTER =>
        "The request holds a NUL character, which no value may contain.",
        "Het verzoek bevat een NUL-teken, dat in geen enkele waarde mag staan.";
    INVALID_QUERY =>
        "The query string is not valid: {detail}",
        "De querystring is niet geldig: {detail}";
    METHOD_NOT_ALLOWED =>
        "This address does not accept that method.",
        "Dit adres accepteert die methode niet.";
    FOREIGN_HOST =>
        "This server does not answer for that host name.",
        "Deze server antwoordt niet voor die hostnaam.";
    FOREIGN_ORIGIN =>
        "Requests from other websites are not accepted.",
        "Verzoeken van andere websites worden niet geaccepteerd.";
    DATABASE_DOWN => "The database is not answering.", "De database antwoordt niet.";

    NOT_AUTHENTICATED => "Sign in to continue.", "Meld je aan om verder te gaan.";
    SSO_REQUIRED =>
        "Your organisation signs in with its own identity provider.",
        "Bij je organisatie meld je je aan via haar eigen identiteitsprovider.";
    INVALID_CREDENTIALS =>
        "That email address and password don't match an account that can sign in.",
        "Dat e-mailadres en wachtwoord horen niet bij een account dat zich kan aanmelden.";
    TOO_MANY_SIGN_INS =>
        "Too many sign-in attempts. Try again in {seconds} seconds.",
        "Te veel aanmeldpogingen. Probeer het over {seconds} seconden opnieuw.";
    SIGN_IN_BUSY =>
        "The server is busy signing people in. Try again in a second.",
        "De server is druk met aanmeldingen. Probeer het over een seconde opnieuw.";
    RATE_LIMITED =>
        "Too many requests. Try again in {seconds} s.",
        "Te veel verzoeken. Probeer het over {seconds} s opnieuw.";

    IDEMPOTENCY_KEY_REQUIRED =>
        "Send an Idempotency-Key header (for example a UUID) with this request.",
        "Stuur een Idempotency-Key-header (bijvoorbeeld een UUID) mee met dit verzoek.";
    IDEMPOTENCY_KEY_MALFORMED =>
        "The Idempotency-Key must be 1 to 255 visible ASCII characters.",
        "De Idempotency-Key moet uit 1 tot 255 zichtbare ASCII-tekens bestaan.";
    IDEMPOTENCY_KEY_REUSED =>
        "This Idempotency-Key was already used with a different request. Use a new key.",
        "Deze Idempotency-Key is al gebruikt voor een ander verzoek. Gebruik een nieuwe sleutel.";
    IDEMPOTENCY_IN_PROGRESS =>
        "A request with this Idempotency-Key is still being processed. Retry shortly.",
        "Een verzoek met deze Idempotency-Key wordt nog verwerkt. Probeer het zo opnieuw.";
    BANK_CHECK_UNAVAILABLE =>
        "Your bank's check could not be started. Try again in a moment.",
        "De controle van je bank kon niet worden gestart. Probeer het zo opnieuw.";

    UNKNOWN_PRODUCT => "There is no product {product}.", "Er is geen product {product}.";
    INVALID_COUNTRY =>
        "`country` must be a two-letter ISO 3166-1 code such as US or NL.",
        "`country` moet een ISO 3166-1-code van twee letters zijn, zoals US of NL.";
    PAYMENT_TOKEN_MISSING =>
        "Send the card token from the gateway as `payment_token`.",
        "Stuur het kaarttoken van de gateway mee als `payment_token`.";
    GATEWAY_RESULT =>
        "`result` must be `approve` or `fail`.",
        "`result` moet `approve` of `fail` zijn.";
    PAGE_LIMIT => "`limit` must be between 1 and 100.", "`limit` moet tussen 1 en 100 liggen.";
    ASSIGNED_USERS_LIMIT =>
        "`assigned_users_limit` must be between 0 and 100.",
        "`assigned_users_limit` moet tussen 0 en 100 liggen.";
    HOLDERS_LIMIT => "`limit` must be between 1 and 1000.", "`limit` moet tussen 1 en 1000 liggen.";
    STARTING_AFTER =>
        "`starting_after` names nothing in this list.",
        "`starting_after` verwijst naar niets in deze lijst.";
    SOURCE =>
        "`source` must be `self_service`, `central` or `all`.",
        "`source` moet `self_service`, `central` of `all` zijn.";
    PURCHASER =>
        "`purchaser` must be `me` (or left out).",
        "`purchaser` moet `me` zijn (of weggelaten).";
    SORT =>
        "`sort` must be one of created, product, purchaser, quantity, expiry, price.",
        "`sort` moet een van deze zijn: created, product, purchaser, quantity, expiry, price.";
    ORDER => "`order` must be `asc` or `desc`.", "`order` moet `asc` of `desc` zijn.";
    UNIT_AMOUNT =>
        "`unit_amount` must be between 0 and 100000000 minor units.",
        "`unit_amount` moet tussen 0 en 100000000 in de kleinste munteenheid liggen.";
    AUDIT_LIMIT => "`limit` must be 1 to 500.", "`limit` moet 1 tot 500 zijn.";
    AUDIT_ACTION =>
        "`action` names an unknown action {action}.",
        "`action` bevat een onbekende actie: {action}.";
    TEST_CLOCK_DAYS =>
        "`days` must be a whole number from 1 to 3650.",
        "`days` moet een heel getal van 1 tot 3650 zijn.";
    UNSUBSCRIBE_INVALID =>
        "This unsubscribe link is not valid.",
        "Deze afmeldlink is niet geldig.";

    STRIPE_REFUSED => "The webhook was refused: {reason}.", "De webhook is geweigerd: {reason}.";
    STRIPE_NOT_JSON => "The event is not JSON.", "De gebeurtenis is geen JSON.";
    STRIPE_NO_ID => "The event has no id or type.", "De gebeurtenis heeft geen id of type.";
    STRIPE_MALFORMED =>
        "The event could not be read: {detail}.",
        "De gebeurtenis kon niet worden gelezen: {detail}.";
    // h13b: the invoice PDF's language chosen in the app.
    PDF_LANGUAGE => "`language` must be `en` or `nl`.", "`language` moet `en` of `nl` zijn.";
}
