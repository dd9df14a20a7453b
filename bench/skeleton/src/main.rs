//! The smallest app that does what the checkout's first screen needs: a router, a JSON read,
//! an email field once the read has answered.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use serde::Deserialize;

#[derive(Clone, Deserialize)]
struct Product {
    id: String,
    name: String,
}

#[derive(Clone, Deserialize)]
struct Products {
    data: Vec<Product>,
}

fn main() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    view! {
        <Router>
            <nav><A href="/">"Products"</A></nav>
            <main>
                <Routes fallback=|| "Not found">
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/buy/:product") view=Buy />
                </Routes>
            </main>
        </Router>
    }
}

async fn products() -> Option<Vec<Product>> {
    let response = gloo_net::http::Request::get("/api/v1/products?country=NL")
        .send()
        .await
        .ok()?;
    Some(response.json::<Products>().await.ok()?.data)
}

#[component]
fn Home() -> impl IntoView {
    let products = LocalResource::new(products);
    view! {
        <h1>"Products"</h1>
        <ul>
            {move || products.get().flatten().unwrap_or_default().into_iter().map(|p| {
                view! { <li><A href=format!("/buy/{}", p.id)>{p.name}</A></li> }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Buy() -> impl IntoView {
    let params = use_params_map();
    let products = LocalResource::new(products);
    let product = move || {
        let id = params.read().get("product").unwrap_or_default();
        products
            .get()
            .flatten()
            .and_then(|list| list.into_iter().find(|p| p.id == id))
    };
    view! {
        {move || product().map(|p| view! {
            <h1>{p.name}</h1>
            <form>
                <label for="email">"Work email"</label>
                <input id="email" type="email" />
                <button type="submit">"Continue"</button>
            </form>
        })}
    }
}
