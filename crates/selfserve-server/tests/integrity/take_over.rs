//! A take-over that cancels the purchaser's subscription: at the period's end (no money moves),
//! or now with the unused part of the period's paid bill refunded through the processor,
//! recorded on the bill, shown to the purchaser and audited; and, cut off after the processor
//! refunded, finished by the restarted server's recovery, once.

use super::refunds::recorded;
use super::*;
use selfserve_api::List;
use selfserve_api::admin::{AuditEntry, TakeOverResult};
use selfserve_api::subscription::{Invoice, InvoiceStatus, SubscriptionStatus};

/// Megan's subscription of `quantity` seats, a central one of 10 for her organisation, and
/// 10 days of the period gone; returns her subscription and the admin.
async fn ready(site: &Site, server: &ServerProcess, key: &str) -> (Subscription, Client) {
    let megan = signed_in(server, "megan@contoso.com").await;
    let card = site.card(&megan, "4242424242424242").await;
    let sub: Subscription = megan
        .purchase(key, &purchase_body(&card))
        .await
        .expect_as(201, "buying");
    let admin = signed_in(server, "admin@contoso.com").await;
    let _: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 10, "unit_amount": 1000}),
        )
        .await;
    megan.advance_days(10).await;
    (sub, admin)
}

fn take_over_path(sub: &Subscription) -> String {
    format!("/api/v1/admin/subscriptions/{}/take-over", sub.id)
}

/// The unused part of `bill` at the moment its refund was recorded, rounded up.
async fn unused_part(site: &Site, bill: &str) -> i64 {
    let mut db = refunds::connect(&site.url).await;
    let row = sqlx::query(
        "SELECT i.total, i.period_start, i.period_end, r.created_at FROM invoices i \
         JOIN invoice_refunds r ON r.invoice_id = i.id WHERE i.id = $1",
    )
    .bind(bill)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let (total, start, end, at): (i64, i64, i64, i64) = (
        row.get("total"),
        row.get("period_start"),
        row.get("period_end"),
        row.get("created_at"),
    );
    let (left, length) = (i128::from(end - at), i128::from(end - start));
    let exact = i128::from(total) * left;
    (exact / length + i128::from(exact % length != 0)) as i64
}

on_both_processors!(
    a_take_over_cancels_at_the_period_end_or_now_with_a_prorated_refund,
    take_over_cancelling_on
);

async fn take_over_cancelling_on(kind: Kind) {
    let site = Site::new(kind).await;
    let server = site.start(None);
    let (later, admin) = ready(&site, &server, "later").await;
    let result: TakeOverResult = admin
        .post_as(&take_over_path(&later), &json!({"cancel": "at_period_end"}))
        .await;
    assert!(result.self_service.cancel_at_period_end);
    assert_eq!(result.self_service.status, SubscriptionStatus::Active);
    assert_eq!(result.refunded, None);

    let megan = signed_in(&server, "megan@contoso.com").await;
    let card = site.card(&megan, "4242424242424242").await;
    let now: Subscription = megan
        .purchase("now", &purchase_body(&card))
        .await
        .expect_as(201, "buying again");
    let bill = now.latest_invoice.clone().expect("the paid bill");
    let result: TakeOverResult = admin
        .post_as(&take_over_path(&now), &json!({"cancel": "now_with_refund"}))
        .await;
    assert_eq!(result.self_service.status, SubscriptionStatus::Canceled);
    assert!(result.self_service.assigned_users.is_empty());
    let refunded = result.refunded.expect("a refund");
    assert_eq!(refunded, unused_part(&site, &bill.id).await);
    assert!(
        0 < refunded && refunded <= bill.total,
        "{refunded} of {}",
        bill.total
    );

    let seen: Invoice = megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(seen.amount_refunded, refunded, "shown to the purchaser");
    let mut db = refunds::connect(&site.url).await;
    assert_eq!(
        site.processor.refunds(&mut db).await,
        vec![(format!("refund_{}_1", bill.id), refunded)],
        "the processor refunded once, under the bill's refund key"
    );
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=take_over").await;
    assert_eq!(log.data.len(), 2, "{:?}", log.data);
    let cancelled_now = log
        .data
        .iter()
        .find(|entry| entry.subscription_id.as_deref() == Some(now.id.as_str()))
        .expect("the take-over's entry");
    let after = cancelled_now.after.as_ref().unwrap();
    assert_eq!(after["cancel"], "now_with_refund");
    assert_eq!(after["refunds"][0]["amount"], refunded);
    let log: List<AuditEntry> = admin.get_as("/api/v1/admin/audit?action=refunded").await;
    assert_eq!(log.data.len(), 1, "one refund entry: {:?}", log.data);
    assert_eq!(site.audit().await, sound(2));
}

on_both_processors!(
    a_take_over_cut_off_after_the_processor_refunded_is_finished_at_start_up,
    take_over_cut_off_on
);

async fn take_over_cut_off_on(kind: Kind) {
    let site = Site::new(kind).await;
    let mut armed = site.start(Some(CrashPoint::Refunded));
    let (sub, admin) = ready(&site, &armed, "cut-off").await;
    let bill = sub.latest_invoice.clone().expect("the paid bill");
    let cut_off = admin
        .http
        .post(admin.url(&take_over_path(&sub)))
        .json(&json!({"cancel": "now_with_refund"}))
        .send()
        .await;
    assert!(
        cut_off.is_err(),
        "the server dies after the processor refunded"
    );
    armed
        .group
        .wait_exit(Duration::from_secs(20))
        .expect("the fault hook aborted the process");
    let expected = unused_part(&site, &bill.id).await;
    assert_eq!(
        recorded(&site, &bill.id).await,
        (vec![("pending".to_owned(), expected)], 0),
        "the take-over and its refund committed together, not yet settled"
    );

    let restarted = site.start(None);
    assert_eq!(
        recorded(&site, &bill.id).await,
        (vec![("succeeded".to_owned(), expected)], 1),
        "finished at start-up, once"
    );
    let mut db = refunds::connect(&site.url).await;
    assert_eq!(
        site.processor.refunds(&mut db).await,
        vec![(format!("refund_{}_1", bill.id), expected)]
    );
    let megan = signed_in(&restarted, "megan@contoso.com").await;
    let after: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(after.status, SubscriptionStatus::Canceled);
    assert_eq!(
        after.latest_invoice.map(|bill| bill.amount_refunded),
        Some(expected)
    );
    assert_eq!(site.audit().await, sound(1));
}

on_both_processors!(
    a_take_over_now_refuses_a_payment_in_flight_and_voids_the_unpaid_bill,
    take_over_unpaid_on
);

/// Ending a past-due subscription now leaves no bill to pay: its unpaid renewal is void and
/// a later payment of it is refused, uncharged. While one of its payments is in flight the
/// take-over is refused with nothing changed, as that charge could land after the end.
async fn take_over_unpaid_on(kind: Kind) {
    let site = Site::new(kind).await;
    let server = site.start(None);
    let megan = signed_in(&server, "megan@contoso.com").await;
    let card = site.card(&megan, "4242424242424242").await;
    let sub: Subscription = megan
        .purchase("overdue", &purchase_body(&card))
        .await
        .expect_as(201, "buying");
    let failing = site.card(&megan, "4000000000000341").await;
    let _: Subscription = megan
        .put_as(
            &format!("/api/v1/subscriptions/{}/payment-method", sub.id),
            &json!({"payment_token": failing}),
        )
        .await;
    let admin = signed_in(&server, "admin@contoso.com").await;
    let _: Subscription = admin
        .create_as(
            "/api/v1/admin/subscriptions",
            &json!({"product": "power-bi-pro", "quantity": 10, "unit_amount": 1000}),
        )
        .await;
    megan.advance_days(31).await;
    let overdue: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(overdue.status, SubscriptionStatus::PastDue);
    let bill = overdue.latest_invoice.expect("the unpaid renewal bill");
    assert_eq!(bill.status, InvoiceStatus::PastDue);

    // A payment of the bill recorded and not yet settled, as a request cut off mid-charge
    // leaves it.
    let mut db = refunds::connect(&site.url).await;
    sqlx::query(
        "INSERT INTO orders (id, organization_id, purchaser_id, subscription_id, kind, product, \
         quantity, unit_amount, subtotal, tax, tax_rate_bps, amount, currency, period_start, \
         period_end, phase, payment_source, payment_source_kind, invoice_id, created_at, \
         updated_at) SELECT 'ord_in_flight', organization_id, purchaser_id, subscription_id, \
         'invoice_payment', product, quantity, unit_amount, subtotal, tax, tax_rate_bps, \
         amount, currency, period_start, period_end, 'created', payment_source, \
         payment_source_kind, invoice_id, created_at, updated_at FROM orders \
         WHERE invoice_id = $1 AND kind = 'renewal'",
    )
    .bind(&bill.id)
    .execute(&mut db)
    .await
    .unwrap();
    let refused = admin
        .post(&take_over_path(&sub), &json!({"cancel": "now_with_refund"}))
        .await
        .error(409, ErrorCode::Conflict);
    assert!(refused.message.contains("payment"), "{}", refused.message);
    let unchanged: Subscription = megan
        .get_as(&format!("/api/v1/subscriptions/{}", sub.id))
        .await;
    assert_eq!(unchanged.status, SubscriptionStatus::PastDue);
    assert_eq!(unchanged.assigned_users, overdue.assigned_users);
    assert_eq!(
        unchanged.latest_invoice.map(|bill| bill.status),
        Some(InvoiceStatus::PastDue)
    );

    sqlx::query("DELETE FROM orders WHERE id = 'ord_in_flight'")
        .execute(&mut db)
        .await
        .unwrap();
    let result: TakeOverResult = admin
        .post_as(&take_over_path(&sub), &json!({"cancel": "now_with_refund"}))
        .await;
    assert_eq!(result.self_service.status, SubscriptionStatus::Canceled);
    let voided: Invoice = megan.get_as(&format!("/api/v1/invoices/{}", bill.id)).await;
    assert_eq!(voided.status, InvoiceStatus::Void);
    let good = site.card(&megan, "4242424242424242").await;
    let refused = megan
        .post(
            &format!("/api/v1/invoices/{}/pay", bill.id),
            &json!({"payment_token": good}),
        )
        .await
        .error(409, ErrorCode::Conflict);
    assert!(
        refused.message.contains("nothing to pay"),
        "{}",
        refused.message
    );
    assert_eq!(
        site.processor.refunds(&mut db).await,
        Vec::<(String, i64)>::new(),
        "no paid bill in the period: nothing to give back"
    );
    assert_eq!(site.audit().await, sound(1), "only the purchase charged");
}
