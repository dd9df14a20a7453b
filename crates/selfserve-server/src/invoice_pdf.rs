//! The invoice as a PDF (issue 12): one A4 page with the seller (when the deployment names
//! one), the organisation and purchaser, number, dates, lines, tax, total and status, in the
//! reader's language. Served at `GET /invoices/{id}/pdf` and attached to the receipt.
//!
//! The document is built with lopdf, in PDF's built-in Helvetica: no font file to embed, and
//! every viewer has it. The built-in fonts only know single-byte encodings, so the font is
//! declared `WinAnsiEncoding` and the text is encoded to it (`winansi.rs`): "€" is byte 0x80
//! there, "ë" 0xEB.

mod winansi;

use crate::http::language::Language;
use crate::notifications::format::{date, money};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};
use selfserve_api::subscription::{Invoice, InvoiceStatus};

/// Who the invoice is between, besides the bill itself.
#[derive(Debug, Clone)]
pub struct Parties {
    /// `--seller-name`; absent when the deployment names none (never invented).
    pub seller: Option<String>,
    pub organization: String,
    /// The organisation's country (ISO code), for how amounts and dates are written in English.
    pub country: Option<String>,
    pub purchaser_name: String,
    pub purchaser_email: String,
}

/// The words of the page, per language; no fallback between them.
struct Words {
    invoice: &'static str,
    seller: &'static str,
    billed_to: &'static str,
    status: &'static str,
    date: &'static str,
    paid_on: &'static str,
    period: &'static str,
    description: &'static str,
    licences: &'static str,
    amount: &'static str,
    subtotal: &'static str,
    tax: &'static str,
    total: &'static str,
    refunded: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::English => Words {
            invoice: "Invoice",
            seller: "Seller",
            billed_to: "Billed to",
            status: "Status",
            date: "Date",
            paid_on: "Paid on",
            period: "Period",
            description: "Description",
            licences: "Licences",
            amount: "Amount",
            subtotal: "Subtotal",
            tax: "Tax",
            total: "Total",
            refunded: "Refunded",
        },
        Language::Dutch => Words {
            invoice: "Factuur",
            seller: "Verkoper",
            billed_to: "Factuur aan",
            status: "Status",
            date: "Datum",
            paid_on: "Betaald op",
            period: "Periode",
            description: "Omschrijving",
            licences: "Licenties",
            amount: "Bedrag",
            subtotal: "Subtotaal",
            tax: "Btw",
            total: "Totaal",
            refunded: "Terugbetaald",
        },
    }
}

fn status_word(status: InvoiceStatus, language: Language) -> &'static str {
    match (status, language) {
        (InvoiceStatus::Paid, Language::English) => "Paid",
        (InvoiceStatus::Open, Language::English) => "Open",
        (InvoiceStatus::PastDue, Language::English) => "Past due",
        (InvoiceStatus::Void, Language::English) => "Void",
        (InvoiceStatus::Paid, Language::Dutch) => "Betaald",
        (InvoiceStatus::Open, Language::Dutch) => "Openstaand",
        (InvoiceStatus::PastDue, Language::Dutch) => "Achterstallig",
        (InvoiceStatus::Void, Language::Dutch) => "Vervallen",
    }
}

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 56.0;
const QUANTITY_X: f32 = 360.0;
const AMOUNT_X: f32 = 450.0;

/// Text placed on the page, top down.
struct Page {
    operations: Vec<Operation>,
    y: f32,
}

impl Page {
    fn text(&mut self, x: f32, bold: bool, size: f32, text: &str) {
        let font = if bold { "F2" } else { "F1" };
        self.operations.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![x.into(), self.y.into()]),
            Operation::new(
                "Tj",
                vec![Object::String(winansi::encode(text), StringFormat::Literal)],
            ),
            Operation::new("ET", vec![]),
        ]);
    }

    fn line(&mut self, x: f32, bold: bool, text: &str) {
        self.text(x, bold, 10.0, text);
        self.y -= 15.0;
    }

    fn rule(&mut self) {
        self.operations.extend([
            Operation::new("w", vec![0.5.into()]),
            Operation::new("m", vec![LEFT.into(), (self.y + 10.0).into()]),
            Operation::new("l", vec![(PAGE.0 - LEFT).into(), (self.y + 10.0).into()]),
            Operation::new("S", vec![]),
        ]);
        self.y -= 6.0;
    }

    fn row(&mut self, bold: bool, label: &str, quantity: &str, amount: &str) {
        self.text(LEFT, bold, 10.0, label);
        self.text(QUANTITY_X, bold, 10.0, quantity);
        self.text(AMOUNT_X, bold, 10.0, amount);
        self.y -= 15.0;
    }
}

/// The PDF's bytes.
pub fn render(invoice: &Invoice, parties: &Parties, language: Language) -> Vec<u8> {
    let w = words(language);
    // Dutch readers get Dutch amounts and dates, as in the mails.
    let country = match language {
        Language::English => parties.country.as_deref(),
        Language::Dutch => Some("NL"),
    };
    let cash = |amount: i64| money(amount, invoice.currency, country);
    let day = |at: i64| date(at, country, language);
    let mut page = Page {
        operations: Vec::new(),
        y: PAGE.1 - 72.0,
    };
    page.text(
        LEFT,
        true,
        20.0,
        &format!("{} {}", w.invoice, invoice.number),
    );
    page.y -= 32.0;
    if let Some(seller) = &parties.seller {
        page.line(LEFT, true, w.seller);
        page.line(LEFT, false, seller);
        page.y -= 8.0;
    }
    page.line(LEFT, true, w.billed_to);
    page.line(LEFT, false, &parties.organization);
    page.line(LEFT, false, &parties.purchaser_name);
    page.line(LEFT, false, &parties.purchaser_email);
    page.y -= 8.0;
    let mut facts = vec![
        (w.status, status_word(invoice.status, language).to_owned()),
        (w.date, day(invoice.created)),
    ];
    if let Some(paid) = invoice.paid_at {
        facts.push((w.paid_on, day(paid)));
    }
    facts.push((
        w.period,
        format!(
            "{} – {}",
            day(invoice.period_start),
            day(invoice.period_end)
        ),
    ));
    for (label, value) in facts {
        page.text(LEFT, true, 10.0, label);
        page.text(LEFT + 90.0, false, 10.0, &value);
        page.y -= 15.0;
    }
    page.y -= 16.0;
    page.row(true, w.description, w.licences, w.amount);
    page.rule();
    for line in &invoice.lines {
        page.row(
            false,
            &line.description,
            &line.quantity.to_string(),
            &cash(line.amount),
        );
    }
    page.rule();
    page.row(false, w.subtotal, "", &cash(invoice.subtotal));
    page.row(false, w.tax, "", &cash(invoice.tax));
    page.row(true, w.total, "", &cash(invoice.total));
    if invoice.amount_refunded > 0 {
        page.row(false, w.refunded, "", &cash(invoice.amount_refunded));
    }
    document(
        page.operations,
        &format!("{} {}", w.invoice, invoice.number),
    )
}

fn document(operations: Vec<Operation>, title: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |doc: &mut Document, name: &str| {
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => name,
            "Encoding" => "WinAnsiEncoding",
        })
    };
    let regular = font(&mut doc, "Helvetica");
    let bold = font(&mut doc, "Helvetica-Bold");
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    // Encoding a content stream of plain operators and numbers cannot fail.
    let content = Content { operations }.encode().unwrap_or_default();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), PAGE.0.into(), PAGE.1.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::String(winansi::encode(title), StringFormat::Literal),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut bytes = Vec::new();
    // Writing into a Vec has no I/O to fail.
    let _ = doc.save_to(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests;
