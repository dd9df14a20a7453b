//! Where this server is reached: its public origin (`--public-url`, or the bind address), the
//! `Origin` check against it, and the `Host` allowlist that keeps DNS rebinding out.

use std::net::SocketAddr;

/// An origin: scheme, host and port, as browsers write it in `Origin` (lower case, no default
/// port, no path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: Scheme,
    /// `host` or `host:port` (the port only when it is not the scheme's default).
    authority: String,
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Origin {
    /// Parses `scheme://host[:port][/…]`; the path is ignored.
    pub fn parse(url: &str) -> Result<Self, String> {
        let bad = || format!("{url:?} is not a URL like https://shop.example");
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else {
            return Err(bad());
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty()
            || authority.contains('@')
            || authority.contains(char::is_whitespace)
        {
            return Err(bad());
        }
        Ok(Self::new(scheme, authority))
    }

    fn new(scheme: Scheme, authority: &str) -> Self {
        let authority = authority.to_ascii_lowercase();
        let default_port = match scheme {
            Scheme::Http => ":80",
            Scheme::Https => ":443",
        };
        let authority = authority
            .strip_suffix(default_port)
            .map_or(authority.clone(), str::to_owned);
        Self { scheme, authority }
    }

    /// The plain HTTP origin of a bound address (`http://127.0.0.1:8080`).
    pub fn of_address(addr: SocketAddr) -> Self {
        Self::new(Scheme::Http, &addr.to_string())
    }

    /// `host[:port]`, as a `Host` header names it.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.authority)
    }
}

/// The origins pages of this app are served from, and the hosts requests may name.
#[derive(Debug, Clone)]
pub struct Site {
    /// The public origin, then the local ones (the bind address, `localhost` on loopback).
    origins: Vec<Origin>,
    /// `None`: any host (bound to every interface without `--public-url`; warned at start).
    hosts: Option<Vec<String>>,
}

impl Site {
    /// The site reached at `public` (when given) and at the bound address `addr`.
    pub fn new(public: Option<Origin>, addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut local = vec![Origin::of_address(addr)];
        if addr.ip().is_loopback() || addr.ip().is_unspecified() {
            for host in ["127.0.0.1", "localhost", "[::1]"] {
                local.push(Origin::new(Scheme::Http, &format!("{host}:{port}")));
            }
        }
        let any_host = public.is_none() && addr.ip().is_unspecified();
        let mut origins: Vec<Origin> = public.into_iter().collect();
        for origin in local {
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        let hosts = (!any_host).then(|| origins.iter().map(|o| o.authority.clone()).collect());
        Self { origins, hosts }
    }

    /// The origin links and the app are given (the public URL, or the bind address).
    pub fn public(&self) -> &Origin {
        &self.origins[0]
    }

    /// Every origin a page of this app may be served from.
    pub fn origins(&self) -> &[Origin] {
        &self.origins
    }

    /// Whether a request's `Origin` header is one of this app's origins (scheme, host and
    /// port all compared).
    pub fn allows_origin(&self, origin: &str) -> bool {
        Origin::parse(origin).is_ok_and(|origin| self.origins.contains(&origin))
    }

    /// Whether a request naming `host` (its `Host` header or HTTP/2 authority) is for us.
    pub fn allows_host(&self, host: Option<&str>) -> bool {
        match (&self.hosts, host) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(hosts), Some(host)) => {
                let host = host.to_ascii_lowercase();
                let host = host
                    .strip_suffix(":80")
                    .filter(|_| self.public().scheme == Scheme::Http)
                    .or_else(|| {
                        host.strip_suffix(":443")
                            .filter(|_| self.public().scheme == Scheme::Https)
                    })
                    .unwrap_or(&host);
                hosts.iter().any(|allowed| allowed == host)
            }
        }
    }

    /// Whether the `Host` check is off (bound to every interface without `--public-url`).
    pub fn accepts_any_host(&self) -> bool {
        self.hosts.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let site = Site::new(
            Some(Origin::parse("https://shop.example").unwrap()),
            "127.0.0.1:8080".parse().unwrap(),
        );
        assert!(site.allows_origin("https://shop.example"));
        assert!(site.allows_origin("https://SHOP.example:443"));
        assert!(!site.allows_origin("http://shop.example"), "scheme counts");
        assert!(!site.allows_origin("https://shop.example:8443"));
        assert!(!site.allows_origin("https://evil.example"));
        assert!(!site.allows_origin("null"));
        assert!(site.allows_origin("http://127.0.0.1:8080"), "local use");
        assert!(!site.allows_origin("https://127.0.0.1:8080"));
        assert_eq!(site.public().to_string(), "https://shop.example");
    }

    #[test]
    fn only_our_hosts_are_answered() {
        let site = Site::new(
            Some(Origin::parse("https://shop.example/").unwrap()),
            "127.0.0.1:8080".parse().unwrap(),
        );
        assert!(site.allows_host(Some("shop.example")));
        assert!(site.allows_host(Some("shop.example:443")));
        assert!(site.allows_host(Some("127.0.0.1:8080")));
        assert!(site.allows_host(Some("localhost:8080")));
        assert!(!site.allows_host(Some("attacker.example")));
        assert!(!site.allows_host(Some("attacker.example:8080")));
        assert!(!site.allows_host(None));
        let open = Site::new(None, "0.0.0.0:8080".parse().unwrap());
        assert!(open.accepts_any_host());
        assert!(Origin::parse("ftp://x").is_err());
        assert!(Origin::parse("https://user@x").is_err());
    }
}
