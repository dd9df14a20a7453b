//! What admins are told about how their organisation signs in (`GET /admin/organizations`'
//! `sign_in`): the method and the issuer, never the client secret or where it is kept.

use super::{CLIENT_SECRET, new_browser, set_up};
use selfserve_api::List;
use selfserve_api::admin::{AdminOrganization, OrganizationSignIn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_their_organisations_sign_in_method_and_never_its_secret() {
    let sso = set_up().await;
    // Contoso's global admin, signed in at the provider (their group maps to global_admin).
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "admin@contoso.com").await;
    assert!(sso.finish(&browser, &callback).await.1, "signed in");
    let response = browser
        .get(sso.app.url("/api/v1/admin/organizations"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body = response.text().await.unwrap();
    assert!(!body.contains(CLIENT_SECRET), "{body}");
    assert!(
        !body.contains("client-secret") && !body.contains("file:"),
        "the secret's reference is not for the browser: {body}"
    );
    let organizations: List<AdminOrganization> = serde_json::from_str(&body).unwrap();
    assert_eq!(organizations.data.len(), 1);
    assert_eq!(
        organizations.data[0].sign_in,
        OrganizationSignIn::Sso {
            issuer: sso.provider.issuer.clone()
        }
    );
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["data"][0]["sign_in"]["method"], "sso");

    // An organisation without a provider signs in with passwords, and its admin is told so.
    let fabrikam = sso.app.as_user("admin@fabrikam.nl").await;
    let theirs: List<AdminOrganization> = fabrikam.get_as("/api/v1/admin/organizations").await;
    assert_eq!(theirs.data[0].name, "Fabrikam Nederland B.V.");
    assert_eq!(theirs.data[0].sign_in, OrganizationSignIn::Password);
}
