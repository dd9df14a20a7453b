//! Entry point of the wasm app: mount [`selfserve::App`] on `<body>`.

fn main() {
    leptos::mount::mount_to_body(selfserve::App);
}
