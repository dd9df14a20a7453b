//! Pages of subscription lists cut by the database (issue 14): walking a list page by page
//! sees what one page of it shows, in the same order; the admins' order and filter are the
//! CSV export's (which reads the whole list and sorts it in memory); a cursor that is not in
//! the list is 404, the last item's is an empty last page.

use super::support::app::{TestApp, User, spawn_app};
use selfserve_api::subscription::Subscription;
use selfserve_api::{ErrorCode, List};
use serde_json::json;

/// Every id of `path` (which has a `?`), `limit` at a time, following `starting_after`.
async fn walk(user: &User, path: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let after = ids
            .last()
            .map(|id| format!("&starting_after={id}"))
            .unwrap_or_default();
        let page: List<Subscription> = user.get_as(&format!("{path}&limit={limit}{after}")).await;
        assert!(
            page.data.len() <= limit,
            "{path}: a page holds at most {limit}"
        );
        let more = page.has_more;
        assert!(
            !more || page.data.len() == limit,
            "{path}: only the last page is short"
        );
        ids.extend(page.data.into_iter().map(|s| s.id));
        if !more {
            return ids;
        }
    }
}

/// The ids of the CSV export, in its order.
async fn exported(admin: &User, query: &str) -> Vec<String> {
    let reply = admin
        .get(&format!("/api/v1/admin/subscriptions/export.csv?{query}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    csv::Reader::from_reader(reply.text.as_bytes())
        .records()
        .map(|record| record.unwrap()[0].to_owned())
        .collect()
}

#[tokio::test]
async fn the_admins_pages_follow_every_sort_and_filter_of_the_whole_list() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    megan.buy(2).await;
    megan.buy(1).await;
    app.as_user("alex@contoso.com").await.buy(4).await;
    let admin = app.as_user("admin@contoso.com").await;
    // Ties in every key (product, seats, price, purchaser, and the same second of creation)
    // so the tie-breaks are exercised too.
    for (product, quantity, unit_amount) in [
        ("power-bi-pro", 2, 990),
        ("power-apps-per-user", 7, 1_500),
        ("power-automate-per-user", 2, 990),
        ("power-apps-per-user", 1, 14_000),
        ("power-bi-pro", 50, 990),
    ] {
        let _: Subscription = admin
            .create_as(
                "/api/v1/admin/subscriptions",
                &json!({"product": product, "quantity": quantity, "unit_amount": unit_amount}),
            )
            .await;
    }
    let mut compared = 0;
    for q in [
        "",
        "q=megan",
        "q=power+a",
        "q=contoso.com",
        "q=_",
        "q=%25",
        "q=no_such",
    ] {
        for sort in [
            "created",
            "product",
            "purchaser",
            "quantity",
            "expiry",
            "price",
        ] {
            for order in ["asc", "desc"] {
                let query = format!("{q}&sort={sort}&order={order}");
                let whole = exported(&admin, &query).await;
                let path = format!("/api/v1/admin/subscriptions?{query}");
                assert_eq!(walk(&admin, &path, 2).await, whole, "{query}, 2 a page");
                assert_eq!(walk(&admin, &path, 100).await, whole, "{query}, one page");
                compared += whole.len();
            }
        }
    }
    assert!(compared > 100, "the filters leave something to compare");
    assert_eq!(exported(&admin, "q=megan").await.len(), 2);
    assert!(exported(&admin, "q=no_such").await.is_empty());

    // The last item's cursor is an empty last page; one outside the (filtered) list is 404.
    let all = exported(&admin, "").await;
    let last: List<Subscription> = admin
        .get_as(&format!(
            "/api/v1/admin/subscriptions?starting_after={}",
            all.last().unwrap()
        ))
        .await;
    assert!(last.data.is_empty() && !last.has_more);
    // Chosen by what Megan's list lacks: which subscription a search lists first depends on
    // the random ids of those bought in the same second.
    let megans = exported(&admin, "q=megan").await;
    let not_megans = all
        .iter()
        .find(|id| !megans.contains(id))
        .expect("a subscription Megan did not buy");
    admin
        .get(&format!(
            "/api/v1/admin/subscriptions?q=megan&starting_after={not_megans}"
        ))
        .await
        .error(404, ErrorCode::NotFound);
    admin
        .get("/api/v1/admin/subscriptions?starting_after=sub_unknown")
        .await
        .error(404, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_purchasers_pages_hold_their_own_subscriptions_once_each_newest_first() {
    let app = spawn_app().await;
    let megan = app.as_user("megan@contoso.com").await;
    let alex = app.as_user("alex@contoso.com").await;
    for quantity in 1..=5 {
        megan.buy(quantity).await;
    }
    let alexs = alex.buy(1).await;

    let whole: List<Subscription> = megan.get_as("/api/v1/subscriptions?limit=100").await;
    assert_eq!(whole.data.len(), 5);
    assert!(!whole.has_more);
    assert!(
        whole.data.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
    let ids: Vec<String> = whole.data.iter().map(|s| s.id.clone()).collect();
    for limit in [1, 2, 4, 5] {
        assert_eq!(walk(&megan, "/api/v1/subscriptions?", limit).await, ids);
    }
    let last: List<Subscription> = megan
        .get_as(&format!("/api/v1/subscriptions?starting_after={}", ids[4]))
        .await;
    assert!(last.data.is_empty() && !last.has_more);
    // Someone else's subscription is not in Megan's list.
    megan
        .get(&format!(
            "/api/v1/subscriptions?starting_after={}",
            alexs.id
        ))
        .await
        .error(404, ErrorCode::NotFound);
    megan
        .get("/api/v1/subscriptions?starting_after=sub_unknown")
        .await
        .error(404, ErrorCode::NotFound);
    megan
        .get("/api/v1/subscriptions?limit=101")
        .await
        .error(400, ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn an_admins_own_purchases_are_listed_apart_from_the_organisations() {
    let app = spawn_app().await;
    let admin = app.as_user("admin@contoso.com").await;
    let megan = app.as_user("megan@contoso.com").await;
    let mut own = Vec::new();
    for quantity in 1..=2 {
        own.push(admin.buy(quantity).await.id);
    }
    let megans = megan.buy(3).await;
    let everyone: List<Subscription> = admin.get_as("/api/v1/subscriptions").await;
    assert_eq!(everyone.data.len(), 3, "an admin sees the organisation's");
    let mine: List<Subscription> = admin.get_as("/api/v1/subscriptions?purchaser=me").await;
    let mut listed: Vec<String> = mine.data.iter().map(|s| s.id.clone()).collect();
    // A page at a time, in the list's own order (newest first, ties by id).
    assert_eq!(
        walk(&admin, "/api/v1/subscriptions?purchaser=me", 1).await,
        listed
    );
    listed.sort();
    own.sort();
    assert_eq!(listed, own, "the admin's own purchases, and only those");
    // Megan's own, and only hers, whichever way she asks.
    assert_eq!(
        walk(&megan, "/api/v1/subscriptions?purchaser=me", 100).await,
        std::slice::from_ref(&megans.id)
    );
    assert_eq!(
        walk(&megan, "/api/v1/subscriptions?", 100).await,
        std::slice::from_ref(&megans.id)
    );
    // Someone else's purchase is no cursor in one's own list.
    admin
        .get(&format!(
            "/api/v1/subscriptions?purchaser=me&starting_after={}",
            megans.id
        ))
        .await
        .error(404, ErrorCode::NotFound);
    let refused = admin
        .get("/api/v1/subscriptions?purchaser=megan")
        .await
        .error(400, ErrorCode::InvalidRequest);
    assert_eq!(refused.field.as_deref(), Some("purchaser"));
}

/// Imports the demo directory with `people` (email, name) added to Contoso.
async fn import_contoso_with(app: &TestApp, people: &[(&str, &str)]) {
    use selfserve_server::directory_import;
    use selfserve_server::domain::directory::Directory;
    let mut file: serde_json::Value =
        serde_json::from_str(selfserve_server::demo::DIRECTORY_JSON).unwrap();
    let users = file["organizations"][0]["users"].as_array_mut().unwrap();
    for (email, name) in people {
        users.push(json!({"email": email, "name": name}));
    }
    let directory = Directory::parse(&file.to_string()).unwrap();
    directory_import::import(&app.server.store, &directory, 1)
        .await
        .unwrap();
}

/// A server whose Contoso also has `people` (email, name); Megan, signed in; and her new
/// five-seat subscription as giving each of them a licence answered (every holder listed).
async fn megans_five_seats_held_with(people: &[(&str, &str)]) -> (TestApp, User, Subscription) {
    let app = spawn_app().await;
    import_contoso_with(&app, people).await;
    let megan = app.as_user("megan@contoso.com").await;
    let sub = megan.buy(5).await;
    let emails: Vec<&str> = people.iter().map(|(email, _)| *email).collect();
    let every: Subscription = megan
        .post_as(
            &format!("/api/v1/subscriptions/{}/assignments", sub.id),
            &json!({"emails": emails}),
        )
        .await;
    (app, megan, every)
}

/// The holders come from the database as one JSON array per subscription (issue 14): they
/// are still sorted by name, then email, on both engines, in the list and alone, and a name
/// with quotes, a backslash or letters outside ASCII comes back as it was imported.
#[tokio::test]
async fn licence_holders_come_sorted_by_name_then_email_with_their_names_intact() {
    let (app, megan, sub) = megans_five_seats_held_with(&[
        ("zed@contoso.com", "Zoë \"Z\" O'Neil \\ Ünal"),
        ("b.same@contoso.com", "Same Name"),
        ("a.same@contoso.com", "Same Name"),
        ("aaron@contoso.com", "Aaron Ångström"),
    ])
    .await;
    let alone: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    let listed: List<Subscription> = megan.get_as("/api/v1/subscriptions").await;
    let in_list = listed.data.into_iter().find(|s| s.id == sub.id).unwrap();
    for holders in [&alone.assigned_users, &in_list.assigned_users] {
        let seen: Vec<(&str, &str)> = holders
            .iter()
            .map(|u| (u.name.as_str(), u.email.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Aaron Ångström", "aaron@contoso.com"),
                ("Megan Bowen", "megan@contoso.com"),
                ("Same Name", "a.same@contoso.com"),
                ("Same Name", "b.same@contoso.com"),
                ("Zoë \"Z\" O'Neil \\ Ünal", "zed@contoso.com"),
            ]
        );
        for holder in holders.iter() {
            assert_eq!(app.user_id(&holder.email).await, holder.id);
        }
    }
}

/// On SQLite, holders are ordered and filtered by copies of their names on the licences
/// (issue 14, an index in list order; PostgreSQL reads `users`): on both, a holder renamed in
/// the directory moves to the new name's place in every list and is found by the new name's
/// words, not the old one's.
#[tokio::test]
async fn a_holder_renamed_in_the_directory_is_listed_and_found_by_the_new_name() {
    use selfserve_api::subscription::Holders;
    let people = [
        ("aaron@contoso.com", "Aaron Ångström"),
        ("bella@contoso.com", "Bella Berg"),
        ("carl@contoso.com", "Carl Clark"),
        ("dana@contoso.com", "Dana Dahl"),
    ];
    let (app, megan, sub) = megans_five_seats_held_with(&people).await;
    let renamed = [
        ("aaron@contoso.com", "Zachary Young"),
        people[1],
        people[2],
        people[3],
    ];
    import_contoso_with(&app, &renamed).await;

    let emails = |holders: &[selfserve_api::subscription::UserRef]| {
        holders.iter().map(|u| u.email.clone()).collect::<Vec<_>>()
    };
    let every: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(
        emails(&every.assigned_users),
        [
            "bella@contoso.com",
            "carl@contoso.com",
            "dana@contoso.com",
            "megan@contoso.com",
            "aaron@contoso.com",
        ]
    );
    assert_eq!(every.assigned_users[4].name, "Zachary Young");
    let first: Subscription = megan
        .get_as(&format!(
            "/api/v1/subscriptions/{}?assigned_users_limit=1",
            sub.id
        ))
        .await;
    assert_eq!(emails(&first.assigned_users), ["bella@contoso.com"]);
    let holders = |query: &str| {
        let path = format!("/api/v1/subscriptions/{}/assignments?{query}", sub.id);
        let megan = &megan;
        async move { megan.get_as::<Holders>(&path).await }
    };
    let found = holders("q=zachary").await;
    assert_eq!(emails(&found.data), ["aaron@contoso.com"]);
    assert_eq!(found.total_count, 1);
    let old_name = holders("q=%C3%A5ngstr%C3%B6m").await;
    assert!(old_name.data.is_empty(), "{old_name:?}");
    assert_eq!(old_name.total_count, 0);
    let last_two = holders("q=contoso&limit=2").await;
    assert_eq!(
        emails(&last_two.data),
        ["bella@contoso.com", "carl@contoso.com"]
    );
    assert_eq!((last_two.has_more, last_two.total_count), (true, 5));
}

/// A page can ask for the first few holders only (`assigned_users_limit`) and find the others
/// a page at a time, filtered by the server (issue 14: a 10,000-seat subscription's first
/// screen). The first few are the whole list's first few; a filter matches each word anywhere
/// in the name or email, any case, `%` and `_` only as themselves; only those who may see the
/// subscription see its holders.
#[tokio::test]
async fn holders_come_a_page_at_a_time_in_the_whole_lists_order() {
    use selfserve_api::subscription::Holders;
    let (app, megan, every) = megans_five_seats_held_with(&[
        ("zed@contoso.com", "Zoë \"Z\" O'Neil \\ Ünal"),
        ("b.same@contoso.com", "Same Name"),
        ("a.same@contoso.com", "Same Name"),
        ("percent_50@contoso.com", "Aaron Ångström"),
    ])
    .await;
    let sub = &every;
    assert_eq!(every.assigned_count, 5);
    assert!(every.lists_every_holder());

    let first: Subscription = megan
        .get_as(&format!(
            "/api/v1/subscriptions/{}?assigned_users_limit=2",
            sub.id
        ))
        .await;
    assert_eq!(first.assigned_users, every.assigned_users[..2]);
    assert_eq!(first.assigned_count, 5);
    assert!(!first.lists_every_holder());
    let listed: List<Subscription> = megan
        .get_as("/api/v1/subscriptions?assigned_users_limit=0")
        .await;
    let in_list = listed.data.iter().find(|s| s.id == sub.id).unwrap();
    assert!(in_list.assigned_users.is_empty());
    assert_eq!(in_list.assigned_count, 5);
    // The admins' list, as its console reads it: the first few holders of each.
    let contoso_admin = app.as_user("admin@contoso.com").await;
    let admins: List<Subscription> = contoso_admin
        .get_as("/api/v1/admin/subscriptions?assigned_users_limit=3")
        .await;
    let in_admins = admins.data.iter().find(|s| s.id == sub.id).unwrap();
    assert_eq!(in_admins.assigned_users, every.assigned_users[..3]);
    assert_eq!(in_admins.assigned_count, 5);
    contoso_admin
        .get("/api/v1/admin/subscriptions?assigned_users_limit=101")
        .await
        .error(400, ErrorCode::InvalidRequest);

    let holders = |query: &str| {
        let path = format!("/api/v1/subscriptions/{}/assignments?{query}", sub.id);
        let megan = &megan;
        async move { megan.get_as::<Holders>(&path).await }
    };
    let page = holders("limit=2").await;
    assert_eq!(page.data, every.assigned_users[..2]);
    assert!(page.has_more);
    assert_eq!(page.total_count, 5);
    let all = holders("").await;
    assert_eq!(all.data, every.assigned_users);
    assert!(!all.has_more);
    let names = |page: &Holders| {
        page.data
            .iter()
            .map(|u| u.email.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&holders("q=SAME").await),
        ["a.same@contoso.com", "b.same@contoso.com"]
    );
    assert_eq!(names(&holders("q=name%20b.").await), ["b.same@contoso.com"]);
    assert_eq!(names(&holders("q=%C3%BCNAL").await), ["zed@contoso.com"]);
    assert_eq!(
        names(&holders("q=o'neil%20%22z%22").await),
        ["zed@contoso.com"]
    );
    assert_eq!(names(&holders("q=t_5").await), ["percent_50@contoso.com"]);
    let wildcards = holders("q=%25%20_").await;
    assert!(wildcards.data.is_empty(), "{wildcards:?}");
    assert_eq!(wildcards.total_count, 0);
    // A NUL character, which PostgreSQL's text cannot hold, is refused before any query
    // (it was a 500 on PostgreSQL), in a query, a path or a body.
    for path in [
        format!("/api/v1/subscriptions/{}/assignments?q=zo%00", sub.id),
        "/api/v1/directory/users?q=zo%00".to_owned(),
        format!("/api/v1/subscriptions/{}%00", sub.id),
    ] {
        megan.get(&path).await.error(400, ErrorCode::InvalidRequest);
    }
    megan
        .post(
            &format!("/api/v1/subscriptions/{}/assignments", sub.id),
            &json!({"emails": ["zed\0@contoso.com"]}),
        )
        .await
        .error(400, ErrorCode::InvalidRequest);
    let one_of_two = holders("q=same&limit=1").await;
    assert_eq!(
        (
            one_of_two.data.len(),
            one_of_two.has_more,
            one_of_two.total_count
        ),
        (1, true, 2)
    );

    for query in ["limit=0", "limit=1001", "limit=ten"] {
        megan
            .get(&format!(
                "/api/v1/subscriptions/{}/assignments?{query}",
                sub.id
            ))
            .await
            .error(400, ErrorCode::InvalidRequest);
    }
    for query in ["assigned_users_limit=101", "assigned_users_limit=-1"] {
        megan
            .get(&format!("/api/v1/subscriptions/{}?{query}", sub.id))
            .await
            .error(400, ErrorCode::InvalidRequest);
    }
    // A colleague who is neither the purchaser nor an admin, and another organisation's admin.
    for outsider in ["alex@contoso.com", "admin@fabrikam.nl"] {
        app.as_user(outsider)
            .await
            .get(&format!("/api/v1/subscriptions/{}/assignments", sub.id))
            .await
            .error(404, ErrorCode::NotFound);
    }
    let admin: Holders = app
        .as_user("admin@contoso.com")
        .await
        .get_as(&format!(
            "/api/v1/subscriptions/{}/assignments?q=zoë",
            sub.id
        ))
        .await;
    assert_eq!(names(&admin), ["zed@contoso.com"]);
}
