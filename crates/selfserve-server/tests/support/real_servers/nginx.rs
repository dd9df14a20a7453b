//! A TLS-terminating reverse proxy: Debian's nginx with `tests/fixtures/nginx/*.template`.
//!
//! Each site is one public origin `https://localhost:PORT` (HTTP/2 and HTTP/1.1, a self-signed
//! certificate for `localhost` and `127.0.0.1` made by openssl for this proxy) spread
//! round-robin over its upstream servers, which see `X-Forwarded-For`, `X-Forwarded-Proto:
//! https` and the public `Host`.
//!
//! nginx cannot listen on port 0 and say which port it got, and the upstream servers usually
//! need their public URL before they start, so ports are reserved first:
//! ```ignore
//! let plan = NginxProxy::reserve(1);
//! let server = start_server_with_public_url(&plan.urls()[0]);
//! let proxy = plan.start(&[&[server.addr]]);
//! ```
//!
//! [`NginxPlan::start_site`] runs a site file of the caller's instead (`tests/deployment.rs`
//! renders `deploy/nginx/selfserve.conf`), with a certificate for the names it serves.

use super::{free_port, installed_tool, poll_until, spawn_logged};
use crate::support::process::Group;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Ports chosen for a proxy that is not started yet.
pub struct NginxPlan {
    ports: Vec<u16>,
    dir: tempfile::TempDir,
}

/// A running nginx, stopped (by process group) on drop.
pub struct NginxProxy {
    /// `https://localhost:PORT` for each site, in the order the sites were given.
    pub urls: Vec<String>,
    certificate: PathBuf,
    _group: Group,
    _dir: tempfile::TempDir,
}

impl NginxProxy {
    /// One site in front of `upstreams`, when they do not need to know the public URL.
    pub fn start(upstreams: &[SocketAddr]) -> Self {
        Self::reserve(1).start(&[upstreams])
    }

    /// Picks a port for each of `sites` public origins.
    pub fn reserve(sites: usize) -> NginxPlan {
        let mut ports: Vec<u16> = Vec::with_capacity(sites);
        while ports.len() < sites {
            let port = free_port();
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        NginxPlan {
            ports,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The first site's URL.
    pub fn url(&self) -> &str {
        &self.urls[0]
    }

    /// The proxy's certificate (PEM), to trust in a client.
    pub fn certificate_pem(&self) -> Vec<u8> {
        std::fs::read(&self.certificate).expect("certificate")
    }

    /// An HTTPS client that trusts this proxy's certificate, reaches `localhost` on 127.0.0.1,
    /// negotiates HTTP/2 when offered, and keeps cookies.
    pub fn client(&self) -> reqwest::Client {
        let certificate =
            reqwest::Certificate::from_pem(&self.certificate_pem()).expect("PEM certificate");
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate)
            .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
            .https_only(true)
            .cookie_store(true)
            .build()
            .expect("HTTPS client")
    }
}

impl NginxPlan {
    /// `https://localhost:PORT` for each site.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|port| format!("https://localhost:{port}"))
            .collect()
    }

    /// Starts nginx with one site per entry of `sites`, each proxying to its upstreams.
    pub fn start(self, sites: &[&[SocketAddr]]) -> NginxProxy {
        assert_eq!(
            sites.len(),
            self.ports.len(),
            "one list of upstreams per reserved site"
        );
        assert!(
            sites.iter().all(|upstreams| !upstreams.is_empty()),
            "every site needs an upstream"
        );
        let certificate = make_certificate(self.dir.path(), &["localhost"], &["127.0.0.1"]);
        let site_template = std::fs::read_to_string(super::fixture("nginx/site.conf.template"))
            .expect("site template");
        let sites_config: String = sites
            .iter()
            .zip(&self.ports)
            .enumerate()
            .map(|(index, (upstreams, port))| {
                let servers: String = upstreams
                    .iter()
                    .map(|address| format!("        server {address};\n"))
                    .collect();
                site_template
                    .replace("{{name}}", &format!("site{index}"))
                    .replace("{{servers}}", servers.trim_end())
                    .replace("{{port}}", &port.to_string())
            })
            .collect();
        self.launch(&sites_config, certificate)
    }

    /// Starts nginx with a site file of the caller's (the `http` block's contents, such as
    /// `deploy/nginx/selfserve.conf` rendered for a test), behind a self-signed certificate for
    /// the DNS `names`. `render` gets the certificate's and its key's paths and the reserved
    /// ports, and returns the site.
    pub fn start_site(
        self,
        names: &[&str],
        render: impl FnOnce(&SiteFiles) -> String,
    ) -> NginxProxy {
        let certificate = make_certificate(self.dir.path(), names, &[]);
        let site = render(&SiteFiles {
            certificate: certificate.clone(),
            key: self.dir.path().join("key.pem"),
            ports: self.ports.clone(),
        });
        self.launch(&site, certificate)
    }

    fn launch(self, sites_config: &str, certificate: PathBuf) -> NginxProxy {
        let nginx = installed_tool(
            "SELFSERVE_TEST_NGINX",
            PathBuf::from("/usr/sbin/nginx"),
            "nginx (apt nginx)",
        );
        let dir = self.dir.path();
        // When the tests run as root, nginx's workers run as `nobody` and must reach the temp
        // folders nginx creates here (a large proxied response is buffered in them).
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
            .expect("temp dir permissions");
        let config = std::fs::read_to_string(super::fixture("nginx/nginx.conf.template"))
            .expect("nginx template")
            .replace("{{sites}}", sites_config)
            .replace("{{dir}}", &dir.display().to_string());
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, config).expect("nginx.conf");

        let log = dir.join("error.log");
        let mut command = Command::new(nginx);
        // -e: its start-up messages too go here, not to /var/log/nginx.
        command
            .arg("-e")
            .arg(&log)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&config_path);
        let mut group = spawn_logged(command, &dir.join("nginx.out"));
        let ports = self.ports.clone();
        poll_until(&mut group, &log, "nginx", || {
            ports
                .iter()
                .all(|port| TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], *port))).is_ok())
        });
        NginxProxy {
            urls: self.urls(),
            certificate,
            _group: group,
            _dir: self.dir,
        }
    }
}

/// What [`NginxPlan::start_site`] gives the caller's site file.
pub struct SiteFiles {
    /// The certificate (PEM).
    pub certificate: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// The reserved ports, in order.
    pub ports: Vec<u16>,
}

/// A self-signed certificate for the DNS `names` and `addresses` (not a CA: rustls refuses a
/// CA certificate as a server's own), written as `cert.pem` and `key.pem` in `dir`.
fn make_certificate(dir: &Path, names: &[&str], addresses: &[&str]) -> PathBuf {
    let openssl = installed_tool(
        "SELFSERVE_TEST_OPENSSL",
        PathBuf::from("/usr/bin/openssl"),
        "openssl (apt openssl)",
    );
    let (certificate, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let alt_names = names
        .iter()
        .map(|name| format!("DNS:{name}"))
        .chain(addresses.iter().map(|address| format!("IP:{address}")))
        .collect::<Vec<_>>()
        .join(",");
    let output = Command::new(openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", &format!("/CN={}", names[0])])
        .args(["-addext", &format!("subjectAltName={alt_names}")])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&certificate)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl could not make a certificate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Only nginx's master (the test's own user) reads the key.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("key mode");
    certificate
}
