//! SSO users beside the directory file and SCIM: a user created by a first sign-in is no
//! leaver because the file does not list them, and one that SCIM deactivated can no longer
//! sign in at the provider and keeps no session.

use super::{Sso, new_browser, set_up_with};
use crate::support::real_servers::oidc::OidcAccount;
use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_user_survives_a_reimport_and_scim_deactivation_ends_their_sso_sign_in() {
    let sso: Sso = set_up_with(
        &[OidcAccount {
            login: "newhire@contoso.com".into(),
            groups: vec![],
            email_verified: true,
        }],
        &[],
        None,
        None,
    )
    .await;
    let browser = new_browser();
    let callback = sso.callback_for(&browser, "newhire@contoso.com").await;
    assert!(sso.finish(&browser, &callback).await.1);
    let user = sso.session(&browser).await.1.unwrap();

    // The demo file, imported again, does not list the newcomer: they stay.
    let store = &sso.app.server.store;
    let directory = Directory::parse(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let report = directory_import::import(store, &directory, 10_000)
        .await
        .unwrap();
    assert_eq!(report.users_removed, 0, "{report}");
    let row = store
        .user_by_email("newhire@contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert!(row.in_directory, "an SSO user is no leaver of the file");
    assert_eq!(sso.session(&browser).await.0, 200);

    // The provider deactivates them over SCIM.
    let contoso = store
        .organization_by_domain("contoso.com")
        .await
        .unwrap()
        .unwrap();
    let token = "scim_test-token-for-contoso-0123456789";
    store
        .set_scim_token(
            &contoso.id,
            &selfserve_server::http::scim::hash_token(token),
            0,
        )
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .patch(sso.app.url(&format!("/scim/v2/Users/{}", user.id)))
        .bearer_auth(token)
        .header("content-type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "replace", "path": "active", "value": false}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(sso.session(&browser).await.0, 401, "their session ended");

    let again = new_browser();
    let callback = sso.callback_for(&again, "newhire@contoso.com").await;
    sso.assert_refused(&again, &callback, "account_disabled")
        .await;
}
