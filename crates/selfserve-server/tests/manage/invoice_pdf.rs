//! The invoice as a PDF: the purchaser's bill in their language, refused to anyone else as the
//! bill itself is; the seller and their links in `/config` when the deployment names them.

use super::support::app::{Spawn, spawn_app_with};
use selfserve_api::ErrorCode;
use selfserve_server::seller::Seller;

#[tokio::test]
async fn the_purchaser_downloads_the_bill_as_a_pdf_in_their_language_and_nobody_else_can() {
    let app = spawn_app_with(Spawn {
        demo: true,
        seller: Seller::from_flags(
            Some("Fabrikam Licensing B.V."),
            Some("https://shop.example/terms"),
            Some("https://shop.example/privacy"),
        )
        .unwrap(),
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(3).await;
    let bill = sub.latest_invoice.as_ref().expect("the first bill");
    let path = format!("/api/v1/invoices/{}/pdf", bill.id);
    let total = format!("{}.{:02}", bill.total / 100, bill.total % 100);

    for (language, words) in [("en-US", "Invoice"), ("nl-NL,nl;q=0.9", "Factuur")] {
        let reply = megan
            .http
            .get(megan.url(&path))
            .header("Accept-Language", language)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        let headers = reply.headers().clone();
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"invoice-{}.pdf\"", bill.number).as_str()
        );
        let pdf = reply.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        let text = lopdf_text(&pdf);
        assert!(text.contains(&format!("{words} {}", bill.number)), "{text}");
        assert!(text.contains("Fabrikam Licensing B.V."), "{text}");
        assert!(text.contains("Megan Bowen"), "{text}");
        // The total's digits, with the decimal mark of the language.
        let written = match language {
            "en-US" => total.clone(),
            _ => total.replace('.', ","),
        };
        assert!(text.contains(&written), "{written} not in {text}");
    }

    // Another purchaser, and an admin of another organisation, are told no such bill exists.
    for stranger in ["alex@contoso.com", "admin@fabrikam.nl"] {
        app.as_user(stranger)
            .await
            .get(&path)
            .await
            .error(404, ErrorCode::NotFound);
    }
    // Signed out: the sign-in refusal.
    let anonymous = app.new_client().get(&path).await;
    assert_eq!(anonymous.status, 401, "{anonymous:?}");

    let config: serde_json::Value = app.new_client().get_as("/api/v1/config").await;
    assert_eq!(config["seller_name"], "Fabrikam Licensing B.V.");
    assert_eq!(config["terms_url"], "https://shop.example/terms");
    assert_eq!(config["privacy_url"], "https://shop.example/privacy");
}

#[tokio::test]
async fn the_language_chosen_in_the_app_wins_over_the_browsers_and_a_wrong_one_is_refused() {
    let app = spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(2).await;
    let bill = sub.latest_invoice.as_ref().expect("the first bill");
    let path = format!("/api/v1/invoices/{}/pdf", bill.id);
    // A Dutch reader in an English browser, and the other way round.
    for (query, browser, words, not) in [
        ("nl", "en-US,en;q=0.9", "Factuur", "Invoice "),
        ("en", "nl-NL,nl;q=0.9", "Invoice", "Factuur"),
    ] {
        let reply = megan
            .http
            .get(megan.url(&format!("{path}?language={query}")))
            .header("Accept-Language", browser)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "?language={query}");
        let text = lopdf_text(&reply.bytes().await.unwrap());
        assert!(text.contains(&format!("{words} {}", bill.number)), "{text}");
        assert!(!text.contains(not), "{query}: {text}");
    }
    for wrong in ["de", "NL", "", "nl-NL"] {
        let error = megan
            .get(&format!("{path}?language={wrong}"))
            .await
            .error(400, ErrorCode::InvalidRequest);
        assert_eq!(error.field.as_deref(), Some("language"), "{wrong:?}");
    }
    // Someone else's bill stays hidden whatever the language asked for.
    app.as_user("alex@contoso.com")
        .await
        .get(&format!("{path}?language=nl"))
        .await
        .error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn without_the_flags_config_names_no_seller() {
    let app = spawn_app_with(Spawn {
        demo: true,
        ..Spawn::default()
    })
    .await;
    let config: serde_json::Value = app.new_client().get_as("/api/v1/config").await;
    for key in ["seller_name", "terms_url", "privacy_url"] {
        assert!(config.get(key).is_none(), "{key} invented: {config}");
    }
}

/// The text the page draws, read back by lopdf (WinAnsi bytes as Latin-1).
fn lopdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("lopdf reads the PDF");
    let page = *doc.get_pages().values().next().expect("one page");
    let content = doc.get_page_content(page);
    content.iter().map(|&b| b as char).collect()
}
