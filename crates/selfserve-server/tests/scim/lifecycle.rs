//! Deactivation as Entra ID sends it, the leaver rule, groups → roles, and the directory
//! re-import beside SCIM and SSO users.

use super::{Scim, barbara, new_token};
use crate::support::app::spawn_app;
use selfserve_server::directory_import;
use selfserve_server::domain::directory::Directory;
use selfserve_server::store::sso::{SecretRef, SsoConfig};
use serde_json::{Value, json};

fn patch_op(operations: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_user_loses_their_sessions_cannot_sign_in_and_their_purchase_runs_on() {
    let app = spawn_app().await;
    let scim = Scim::new(&app, &new_token(&app, "contoso.com"));
    let megan = app.as_user("megan@contoso.com").await;
    let bought = megan.buy(2).await;
    let other_browser = app.as_user("megan@contoso.com").await;
    let id = scim.id_of("megan@contoso.com").await;

    // Entra ID's form: a path, and the value as a string in its older versions.
    let answer = scim
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await
        .expect(200);
    assert_eq!(answer["active"], false);
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.expect(200)["active"],
        false
    );

    // Both sessions ended at once, and a new sign-in is refused.
    for browser in [&*megan, &*other_browser] {
        let status = browser.get("/api/v1/session").await.status;
        assert_eq!(status, 401, "a deactivated user's session still works");
    }
    assert_eq!(
        app.new_client().sign_in("megan@contoso.com").await.status,
        401
    );

    // The leaver rule: the subscription keeps running, and the admin still manages it.
    let admin = app.as_user("admin@contoso.com").await;
    let seen: Value = admin
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    assert_eq!(seen["status"], "active", "{seen}");
    assert_eq!(seen["quantity"], 2, "{seen}");

    // Okta's form (no path, a value object) brings them back.
    let answer = scim
        .patch(
            &format!("/Users/{id}"),
            &patch_op(json!([{"op": "replace", "value": {"active": true}}])),
        )
        .await
        .expect(200);
    assert_eq!(answer["active"], true);
    assert_eq!(
        app.new_client().sign_in("megan@contoso.com").await.status,
        200
    );

    // Bad operations are SCIM errors, and change nothing.
    scim.patch(
        &format!("/Users/{id}"),
        &patch_op(json!([{"op": "explode"}])),
    )
    .await
    .expect_error(400, Some("invalidSyntax"));
    scim.patch(
        &format!("/Users/{id}"),
        &patch_op(json!([{"op": "replace", "path": "active", "value": "maybe"}])),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    scim.patch(
        &format!("/Users/{id}"),
        &patch_op(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
    )
    .await
    .expect_error(400, Some("invalidPath"));

    // DELETE is a leaver too: the sessions go.
    let again = app.as_user("megan@contoso.com").await;
    scim.delete(&format!("/Users/{id}")).await.expect(204);
    assert_eq!(again.get("/api/v1/session").await.status, 401);
    let seen: Value = admin
        .get_as(&format!("/api/v1/subscriptions/{}", bought.id))
        .await;
    assert_eq!(seen["status"], "active", "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_named_in_the_sso_configuration_give_their_members_roles() {
    let app = spawn_app().await;
    let store = &app.server.store;
    let contoso = store
        .organization_by_domain("contoso.com")
        .await
        .unwrap()
        .unwrap();
    store
        .set_sso_config(
            &SsoConfig {
                organization_id: contoso.id.clone(),
                issuer: "https://login.contoso.example".into(),
                client_id: "shop".into(),
                client_secret: SecretRef::Env("UNUSED".into()),
                admin_groups: vec!["Shop Admins".into()],
                billing_admin_groups: vec!["Finance".into()],
            },
            1,
        )
        .await
        .unwrap();
    let scim = Scim::new(&app, &new_token(&app, "contoso.com"));
    let fabrikam = Scim::new(&app, &new_token(&app, "fabrikam.nl"));
    let barbara = scim.post("/Users", &barbara()).await.expect(201);
    let id = barbara["id"].as_str().unwrap().to_owned();
    let roles = |user: &selfserve_server::store::directory::UserRow| {
        (user.global_admin, user.billing_admin)
    };

    let group = scim
        .post(
            "/Groups",
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Shop Admins", "externalId": "g-1",
                    "members": [{"value": id}]}),
        )
        .await
        .expect(201);
    let group_id = group["id"].as_str().unwrap().to_owned();
    assert_eq!(group["members"][0]["value"], json!(id));
    let user = store.user_by_id(&id).await.unwrap().unwrap();
    assert_eq!(roles(&user), (true, false));

    let found = scim
        .get(&format!(
            "/Groups?filter={}",
            super::encode("displayName eq \"Shop Admins\"")
        ))
        .await
        .expect(200);
    assert_eq!(found["totalResults"], 1);
    scim.post("/Groups", &json!({"displayName": "Shop Admins"}))
        .await
        .expect_error(409, Some("uniqueness"));
    fabrikam
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_error(404, None);
    let megan = scim.id_of("megan@contoso.com").await;
    fabrikam
        .post(
            "/Groups",
            &json!({"displayName": "Shop Admins", "members": [{"value": megan}]}),
        )
        .await
        .expect_error(400, Some("invalidValue"));

    // Renamed to the billing group: the role follows the name.
    scim.patch(
        &format!("/Groups/{group_id}"),
        &patch_op(json!([{"op": "Replace", "path": "displayName", "value": "Finance"}])),
    )
    .await
    .expect(200);
    assert_eq!(
        roles(&store.user_by_id(&id).await.unwrap().unwrap()),
        (false, true)
    );

    // Entra ID removes a member with a value filter; the role goes.
    let patched = scim
        .patch(
            &format!("/Groups/{group_id}"),
            &patch_op(json!([{"op": "Remove", "path": format!("members[value eq \"{id}\"]")}])),
        )
        .await
        .expect(200);
    assert_eq!(patched["members"], json!([]));
    assert_eq!(
        roles(&store.user_by_id(&id).await.unwrap().unwrap()),
        (false, false)
    );

    scim.patch(
        &format!("/Groups/{group_id}"),
        &patch_op(json!([{"op": "Add", "path": "members", "value": [{"value": id}]}])),
    )
    .await
    .expect(200);
    assert_eq!(
        roles(&store.user_by_id(&id).await.unwrap().unwrap()),
        (false, true)
    );
    scim.delete(&format!("/Groups/{group_id}"))
        .await
        .expect(204);
    assert_eq!(
        roles(&store.user_by_id(&id).await.unwrap().unwrap()),
        (false, false)
    );
    scim.get(&format!("/Groups/{group_id}"))
        .await
        .expect_error(404, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_reimport_makes_leavers_only_of_the_people_it_governs() {
    let app = spawn_app().await;
    let store = &app.server.store;
    let scim = Scim::new(&app, &new_token(&app, "contoso.com"));
    let barbara = scim.post("/Users", &barbara()).await.expect(201);
    let barbara_id = barbara["id"].as_str().unwrap();

    let mut file: Value = serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    file["organizations"][0]["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["email"] != "lee@contoso.com");
    let directory = Directory::parse(&file.to_string()).unwrap();
    let report = directory_import::import(store, &directory, 10_000)
        .await
        .unwrap();
    assert_eq!(report.users_removed, 1, "{report}");

    let lee = store
        .user_by_email("lee@contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert!(!lee.in_directory, "the file's own leaver");
    let barbara = store.user_by_id(barbara_id).await.unwrap().unwrap();
    assert!(
        barbara.in_directory,
        "a SCIM user is not a leaver because the file does not list them"
    );
    assert_eq!(
        scim.get(&format!("/Users/{barbara_id}")).await.expect(200)["active"],
        true
    );
}
