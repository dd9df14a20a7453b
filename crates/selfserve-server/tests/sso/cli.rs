//! `org sso set|show|remove`: the binary against the database a running server uses.

use crate::support::app::spawn_app;
use selfserve_api::ErrorCode;

fn binary() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let output = binary().args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_sets_shows_and_removes_an_organisations_provider() {
    let app = spawn_app().await;
    let secret = app.dir.path().join("secret.txt");
    std::fs::write(&secret, "cli-secret-value-123\n").unwrap();
    let database = app.database_url.as_str();
    let (ok, out, err) = run(&[
        "org",
        "sso",
        "set",
        "--org",
        "contoso.com",
        "--issuer",
        "https://login.contoso.example/",
        "--client-id",
        "shop",
        "--client-secret-file",
        secret.to_str().unwrap(),
        "--admin-group",
        "admins",
        "--admin-group",
        "it",
        "--billing-admin-group",
        "finance",
        "--database",
        database,
    ]);
    assert!(ok, "{err}");
    let (ok, shown, err) = run(&[
        "org",
        "sso",
        "show",
        "--org",
        "contoso.com",
        "--database",
        database,
    ]);
    assert!(ok, "{err}");
    for printed in [&out, &shown] {
        assert!(
            printed.contains("issuer https://login.contoso.example\n"),
            "{printed}"
        );
        assert!(printed.contains("client_id shop\n"), "{printed}");
        assert!(printed.contains("admin_groups admins,it\n"), "{printed}");
        assert!(
            printed.contains("billing_admin_groups finance\n"),
            "{printed}"
        );
        assert!(printed.contains("client_secret_file /"), "{printed}");
        assert!(
            !printed.contains("cli-secret-value-123"),
            "the secret is never printed"
        );
    }
    if app.on_sqlite() {
        assert!(!crate::sqlite_database_holds(&app, "cli-secret-value-123").await);
    }
    // The running server now sends Contoso to its provider, and refuses passwords.
    app.sign_in("megan@contoso.com")
        .await
        .error(401, ErrorCode::SsoRequired);

    // Refusals: unknown organisation, missing secret file, no provider to show.
    let (ok, _, err) = run(&[
        "org",
        "sso",
        "set",
        "--org",
        "nowhere.example",
        "--issuer",
        "https://x.example",
        "--client-id",
        "a",
        "--client-secret-file",
        secret.to_str().unwrap(),
        "--database",
        database,
    ]);
    assert!(
        !ok && err.contains("no organisation has the domain"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "org",
        "sso",
        "set",
        "--org",
        "contoso.com",
        "--issuer",
        "https://x.example",
        "--client-id",
        "a",
        "--client-secret-file",
        "/nonexistent/secret",
        "--database",
        database,
    ]);
    assert!(!ok && err.contains("cannot read"), "{err}");

    let (ok, out, err) = run(&[
        "org",
        "sso",
        "remove",
        "--org",
        "contoso.com",
        "--database",
        database,
    ]);
    assert!(ok && out.contains("removed"), "{err}");
    // Another process changed the database: on SQLite a reader connection of the running
    // server may still be in an older snapshot for a moment (see the report), so wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let again = app.sign_in("megan@contoso.com").await;
        if again.status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "passwords again: {:?}",
            again.json()
        );
        tokio::task::yield_now().await;
    }
    let (ok, _, err) = run(&[
        "org",
        "sso",
        "show",
        "--org",
        "contoso.com",
        "--database",
        database,
    ]);
    assert!(!ok && err.contains("passwords"), "{err}");
}
