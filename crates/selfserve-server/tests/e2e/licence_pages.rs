//! A subscription with more licence holders than one screen, in the browser (issue 14): the
//! page reads the first 25 only; the filter and "Show more" ask the server while the page does
//! not have every holder; after a change, whose answer lists every holder, the page filters
//! them itself.

use super::{Journey, bought_through_the_api, sign_in_at_gate};
use fantoccini::key::Key;

const HOLDERS: usize = 70;

/// Imports the demo directory plus [`HOLDERS`] Contoso people into the journey's database
/// (the running server reads the same file); their emails.
fn import_people(journey: &Journey) -> Vec<String> {
    let mut file: serde_json::Value =
        serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let users = file["organizations"][0]["users"].as_array_mut().unwrap();
    assert!(
        users[0]["email"]
            .as_str()
            .unwrap()
            .ends_with("@contoso.com")
    );
    let emails: Vec<String> = (1..=HOLDERS)
        .map(|n| format!("pat.holder{n:02}@contoso.com"))
        .collect();
    for (n, email) in emails.iter().enumerate() {
        users.push(serde_json::json!({"email": email, "name": format!("Pat Holder {:02}", n + 1)}));
    }
    let path = journey.server.log.with_file_name("directory.json");
    std::fs::write(&path, file.to_string()).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_selfserve-server"))
        .args(["directory", "import"])
        .arg(&path)
        .arg("--database")
        .arg(format!("sqlite://{}", journey.server.database.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    emails
}

/// Waits until the licence table holds `count` rows answering `filter` (`data-rows-for`).
async fn wait_rows(journey: &Journey, filter: &str, count: usize) {
    let filter = serde_json::to_string(filter).unwrap();
    journey
        .wait_until(
            &format!("{count} rows for {filter}"),
            &format!(
                "const table = document.querySelector('[data-testid=assigned-users]');
                 return !!table && table.dataset.rowsFor === {filter}
                   && table.querySelectorAll('tbody tr').length === {count};"
            ),
        )
        .await;
}

const ASKED: &str = "return performance.getEntriesByType('resource')
  .filter((e) => new URL(e.name).pathname.endsWith('/assignments')).map((e) => new URL(e.name).search);";

#[tokio::test]
#[ignore = "needs the built app and Chromium: run `cargo xtask test`"]
async fn a_long_licence_list_comes_a_screen_at_a_time_and_the_server_filters_it() {
    let journey = Journey::start().await;
    let emails = import_people(&journey);
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    let id = bought_through_the_api(&journey, "megan@contoso.com", 80, &emails).await;
    sign_in_at_gate(&journey, &format!("/manage/{id}"), "megan@contoso.com").await;
    journey
        .wait_text("[data-testid=fact-seats]", "71 of 80")
        .await;
    wait_rows(&journey, "", 25).await;
    journey
        .wait_text("[data-testid=holders-shown]", "Showing 25 of 71 people")
        .await;
    let read: Vec<String> = serde_json::from_value(
        journey
            .client
            .execute(
                "return performance.getEntriesByType('resource').map((e) => e.name)
                   .filter((n) => n.includes('/api/v1/subscriptions/'));",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        read.iter()
            .any(|url| url.contains(&format!("/subscriptions/{id}?assigned_users_limit=25"))),
        "{read:?}"
    );

    // The page has 25 of 71: the server finds the matches among all of them.
    journey.fill("[data-testid=holder-filter]", "holder0").await;
    wait_rows(&journey, "holder0", 9).await;
    journey
        .wait_text("[data-testid=holders-shown]", "Showing 9 of 9 people")
        .await;
    let asked = journey.client.execute(ASKED, vec![]).await.unwrap();
    assert!(
        asked
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q.as_str().unwrap().starts_with("?q=holder0&limit=25")),
        "{asked}"
    );
    // Erased key by key, as a person does (WebDriver's clear sends no `input` event).
    journey
        .element("[data-testid=holder-filter]")
        .await
        .send_keys(&Key::Backspace.to_string().repeat("holder0".len()))
        .await
        .unwrap();
    wait_rows(&journey, "", 25).await;
    journey.click("[data-testid=show-more]").await;
    wait_rows(&journey, "", 50).await;
    journey.click("[data-testid=show-more]").await;
    wait_rows(&journey, "", 71).await;
    journey
        .wait_text("[data-testid=holders-shown]", "Showing 71 of 71 people")
        .await;

    // A change answers with every holder: from then on the page filters them itself.
    journey
        .click("button[aria-label='Remove the licence from Pat Holder 01']")
        .await;
    journey
        .wait_text("[data-testid=fact-seats]", "70 of 80")
        .await;
    let before = journey.client.execute(ASKED, vec![]).await.unwrap();
    journey.fill("[data-testid=holder-filter]", "holder0").await;
    wait_rows(&journey, "holder0", 8).await;
    let after = journey.client.execute(ASKED, vec![]).await.unwrap();
    assert_eq!(before, after, "the page asked the server again");
    journey.finish().await;
}
