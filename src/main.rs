fn main() {
    leptos::mount::mount_to_body(selfserve::App);
}
