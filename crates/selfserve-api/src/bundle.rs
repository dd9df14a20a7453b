//! Which of the app's three bundles owns a page: the one rule the server (which `index.html`
//! to answer with) and the app (whether a route is here or needs a full page load) share, so
//! they cannot disagree about where `/manage/sub_1` lives.
//!
//! A buyer downloads only the checkout; the purchaser's view and the admin console are
//! separate wasm bundles that load when someone opens them.

/// One Trunk build of the app, with its own `index.html` and wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bundle {
    /// Products, checkout, confirmation, sign-in: everything a first-time buyer sees.
    Checkout,
    /// `/manage…` and `/invoices/…`: a purchaser's subscriptions, licences, bills.
    Purchaser,
    /// `/admin…`: the admin and partner console.
    Admin,
}

impl Bundle {
    pub const ALL: [Bundle; 3] = [Bundle::Checkout, Bundle::Purchaser, Bundle::Admin];

    /// The bundle that renders the page at `path` (a URL path, no query).
    pub fn for_path(path: &str) -> Self {
        if under(path, "/manage") || under(path, "/invoices") {
            Bundle::Purchaser
        } else if under(path, "/admin") {
            Bundle::Admin
        } else {
            Bundle::Checkout
        }
    }

    /// Where the bundle's files are, relative to `dist/` (and to the site's root URL): the
    /// checkout at the root, the others below `bundles/` so their files never shadow a page.
    pub fn directory(self) -> &'static str {
        match self {
            Bundle::Checkout => "",
            Bundle::Purchaser => "bundles/purchaser",
            Bundle::Admin => "bundles/admin",
        }
    }
}

/// `path` is `prefix` itself or below it (`/manage`, `/manage/x`, not `/managers`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_belongs_to_one_bundle() {
        for path in [
            "/",
            "/buy/power-bi-pro",
            "/confirmation/ord_1",
            "/sign-in",
            "/nope",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Checkout, "{path}");
        }
        for path in ["/manage", "/manage/", "/manage/sub_1", "/invoices/in_1"] {
            assert_eq!(Bundle::for_path(path), Bundle::Purchaser, "{path}");
        }
        for path in ["/admin", "/admin/x"] {
            assert_eq!(Bundle::for_path(path), Bundle::Admin, "{path}");
        }
        assert_eq!(Bundle::for_path("/managers"), Bundle::Checkout);
        assert_eq!(Bundle::for_path("/administrator"), Bundle::Checkout);
    }
}
