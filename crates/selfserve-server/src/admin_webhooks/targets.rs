//! Where a webhook may be posted (SSRF limits). An endpoint URL is an admin's input that makes
//! the server send requests: without limits it reaches the cloud's metadata service
//! (169.254.169.254), the database, or anything else only this machine can reach. So a target
//! must be `https://` and every address its host resolves to must be a public one — checked
//! when the endpoint is registered and again at each delivery (DNS can change in between), and
//! the delivery connects only to the addresses that were checked ([`GuardedResolver`] is the
//! HTTP client's resolver). Tests and local relays need a receiver on this machine: only
//! behind `--allow-private-webhook-targets` ([`WebhookTargets::AllowPrivate`]), never by
//! default.

use super::UrlRefusal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Which addresses endpoints may have: a deployment decision, made by a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookTargets {
    /// `https://` to public addresses only (the default).
    PublicOnly,
    /// `--allow-private-webhook-targets`: also loopback and private networks, and `http://` to
    /// loopback (traffic that never leaves the machine, which TLS would not protect more).
    AllowPrivate,
}

impl WebhookTargets {
    /// From the flag.
    pub fn from_flag(allow_private: bool) -> Self {
        if allow_private {
            Self::AllowPrivate
        } else {
            Self::PublicOnly
        }
    }
}

/// Whether `ip` is an address no webhook may reach without the flag: loopback, private
/// (RFC 1918, fc00::/7), link-local (169.254/16 with the metadata service, fe80::/10),
/// unspecified, multicast, broadcast, CGNAT (100.64/10) or reserved; IPv6 forms carrying an
/// IPv4 address (mapped, NAT64) are judged by that address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        // CGNAT, RFC 6598.
        || (a == 100 && (64..128).contains(&b))
        // Reserved (240/4).
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let o = ip.octets();
        return internal_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local, fc00::/7.
        || (segments[0] & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (segments[0] & 0xffc0) == 0xfe80
}

/// The host of a checked URL as an IP address, when it is one (`[::1]` without brackets).
pub fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Resolves `host` and checks every address it has: all must be allowed, or none is used.
pub async fn resolve_checked(
    host: &str,
    port: u16,
    targets: WebhookTargets,
) -> Result<Vec<SocketAddr>, UrlRefusal> {
    if let Some(ip) = literal_ip(host) {
        return allowed(vec![SocketAddr::new(ip, port)], targets);
    }
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| UrlRefusal::Unresolvable)?
        .collect();
    if addresses.is_empty() {
        return Err(UrlRefusal::Unresolvable);
    }
    allowed(addresses, targets)
}

fn allowed(
    addresses: Vec<SocketAddr>,
    targets: WebhookTargets,
) -> Result<Vec<SocketAddr>, UrlRefusal> {
    match targets {
        WebhookTargets::AllowPrivate => Ok(addresses),
        WebhookTargets::PublicOnly if addresses.iter().any(|a| is_internal(a.ip())) => {
            Err(UrlRefusal::InternalAddress)
        }
        WebhookTargets::PublicOnly => Ok(addresses),
    }
}

/// The webhook client's resolver: the addresses it returns are the ones it checked, so the
/// connection goes to a checked address even if the name's records change a moment later.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver(pub WebhookTargets);

/// Why the resolver gave no address (found in a failed request's error chain).
#[derive(Debug, thiserror::Error)]
#[error("webhook target refused: {}", .0.describe())]
pub struct TargetRefused(pub UrlRefusal);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let targets = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in.
            let addresses = resolve_checked(&host, 0, targets).await.map_err(
                |refusal| -> Box<dyn std::error::Error + Send + Sync> {
                    Box::new(TargetRefused(refusal))
                },
            )?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver as reqwest's builder takes it.
pub fn resolver(targets: WebhookTargets) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver(targets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }
}
