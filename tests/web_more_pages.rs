//! "Show more" under a list the server sends a page at a time, in a real browser: each page's
//! rows are added below, the last page takes the button away, and focus goes to the first row
//! each page brought instead of falling back to the page.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use selfserve::components::more_pages::{MorePages, ShowMore};
use selfserve_api::List;
use selfserve_api::subscription::Subscription;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/support.rs"]
mod support;
use support::{bought, container, wait_for, wait_until};

/// Five subscriptions in all, `sub_0` to `sub_4`.
const ALL: usize = 5;

fn page(rows: std::ops::Range<usize>) -> List<Subscription> {
    let has_more = rows.end < ALL;
    List {
        data: rows
            .map(|n| Subscription {
                id: format!("sub_{n}"),
                ..bought()
            })
            .collect(),
        has_more,
    }
}

fn rows(root: &HtmlElement) -> u32 {
    root.query_selector_all("tbody tr").unwrap().length()
}

/// Waits until the focused element is the row of `id`.
async fn focus_reaches(id: &str) {
    wait_until(&format!("focus on the row {id}"), || {
        leptos::prelude::document()
            .active_element()
            .and_then(|element| element.get_attribute("data-row"))
            .as_deref()
            == Some(id)
    })
    .await;
}

#[wasm_bindgen_test]
async fn each_page_is_added_below_and_takes_the_focus_the_button_had() {
    let root = container();
    std::mem::forget(mount_to(root.clone(), || {
        let first = page(0..2);
        // Two rows a page after the one named.
        let more = MorePages::new(|after: String| async move {
            let start = after.trim_start_matches("sub_").parse::<usize>().unwrap() + 1;
            Ok(page(start..(start + 2).min(ALL)))
        });
        more.start_after(&first);
        let shown = first.data;
        view! {
            <table><tbody>
                {move || shown.iter().cloned().chain(more.rows()).map(|sub| view! {
                    <tr data-row=sub.id.clone() tabindex="-1"><th scope="row">{sub.id.clone()}</th></tr>
                }).collect_view()}
            </tbody></table>
            <ShowMore more />
        }
    }));
    assert_eq!(rows(&root), 2);

    for (shown, first_new) in [(4, "sub_2"), (5, "sub_4")] {
        let button: HtmlElement = wait_for(&root, "[data-testid=show-more-rows]")
            .await
            .unchecked_into();
        button.focus().unwrap();
        button.click();
        focus_reaches(first_new).await;
        assert_eq!(rows(&root), shown);
    }
    // The last page came: nothing more to ask for.
    assert!(
        root.query_selector("[data-testid=show-more-rows]")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn a_list_read_again_keeps_as_many_rows_as_were_shown() {
    let root = container();
    let reads = RwSignal::new(0_u32);
    let more = RwSignal::new(None::<MorePages>);
    std::mem::forget(mount_to(root.clone(), move || {
        let first = page(0..2);
        // Two rows a page after the one named; the answers after the first reads are renamed,
        // as a change made meanwhile would (the rows are told apart by their product).
        let pages = MorePages::new(move |after: String| async move {
            reads.update(|n| *n += 1);
            let start = after.trim_start_matches("sub_").parse::<usize>().unwrap() + 1;
            let mut answer = page(start..(start + 2).min(ALL));
            if reads.get_untracked() > 2 {
                for sub in &mut answer.data {
                    sub.product_name = "read again".into();
                }
            }
            Ok(answer)
        });
        pages.start_after(&first);
        more.set(Some(pages));
        let shown = first.data;
        view! {
            <table><tbody>
                {move || shown.iter().cloned().chain(pages.rows()).map(|sub| view! {
                    <tr data-row=sub.id.clone()><th scope="row">{sub.product_name.clone()}</th></tr>
                }).collect_view()}
            </tbody></table>
            <ShowMore more=pages />
        }
    }));
    let pages = more.get_untracked().unwrap();
    // Down to the last row: two pages read after the first.
    for shown in [4, 5] {
        let button: HtmlElement = wait_for(&root, "[data-testid=show-more-rows]")
            .await
            .unchecked_into();
        button.click();
        wait_until(&format!("{shown} rows"), || rows(&root) == shown).await;
    }

    pages.read_again_after(&page(0..2));
    wait_until("the later rows read again", || {
        // Never fewer rows than before while they are read again.
        assert_eq!(rows(&root), 5);
        root.text_content()
            .unwrap_or_default()
            .matches("read again")
            .count()
            >= 3
    })
    .await;
    assert_eq!(rows(&root), 5);
    assert_eq!(reads.get_untracked(), 4);
    assert!(
        root.query_selector("[data-testid=show-more-rows]")
            .unwrap()
            .is_none()
    );
}
