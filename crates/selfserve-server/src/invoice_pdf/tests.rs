use super::*;
use selfserve_api::money::Currency;
use selfserve_api::subscription::InvoiceLine;

fn bill() -> Invoice {
    Invoice {
        id: "in_1".into(),
        number: "SS-2026-000042".into(),
        subscription_id: "sub_1".into(),
        status: InvoiceStatus::Paid,
        lines: vec![InvoiceLine {
            description: "Power BI Pro (Zoë's team)".into(),
            quantity: 5,
            unit_amount: 1400,
            amount: 7000,
        }],
        subtotal: 7000,
        tax: 1470,
        total: 8470,
        currency: Currency::EUR,
        period_start: 1_767_225_600,
        period_end: 1_769_904_000,
        created: 1_767_225_600,
        paid_at: Some(1_767_225_600),
        card: None,
        amount_refunded: 0,
    }
}

fn parties(seller: Option<&str>) -> Parties {
    Parties {
        seller: seller.map(str::to_owned),
        organization: "Contoso".into(),
        country: Some("NL".into()),
        purchaser_name: "Megan Bowen".into(),
        purchaser_email: "megan@contoso.com".into(),
    }
}

/// The page's text as lopdf reads it back, in WinAnsi bytes.
fn content(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).expect("a PDF lopdf reads back");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    doc.get_page_content(*pages.values().next().unwrap())
}

fn has(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_dutch_invoice_has_euro_signs_and_dutch_letters_in_winansi() {
    let pdf = render(&bill(), &parties(Some("Fabrikam B.V.")), Language::Dutch);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = content(&pdf);
    assert!(has(&text, b"Factuur SS-2026-000042"));
    assert!(has(&text, b"Fabrikam B.V."));
    assert!(has(&text, b"Betaald"));
    // "€ 84,70": the euro sign is 0x80 in WinAnsi, not UTF-8's three bytes.
    assert!(
        has(&text, b"\x80 84,70"),
        "{}",
        String::from_utf8_lossy(&text)
    );
    assert!(!has(&text, "€".as_bytes()));
    assert!(has(&text, b"Zo\xeb"));
}

#[test]
fn an_english_invoice_without_a_seller_names_none() {
    let pdf = render(&bill(), &parties(None), Language::English);
    let text = content(&pdf);
    assert!(has(&text, b"Invoice SS-2026-000042"));
    assert!(has(&text, b"Total"));
    assert!(has(&text, b"84"));
    assert!(!has(&text, b"Seller"));
}

#[test]
fn characters_helvetica_cannot_draw_become_question_marks() {
    assert_eq!(winansi::encode("a€ë–日"), b"a\x80\xeb\x96?");
}
