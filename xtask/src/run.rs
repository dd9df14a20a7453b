//! `cargo xtask run`: the app and the server with demo data, and a local OpenID Provider (the
//! tests' npm `oidc-provider` with its development login page) at which Adatum's people sign
//! in, so the demo shows both ways of signing in without any set-up.

use crate::{Env, dist, run_checked, tools};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The demo organisation that signs in at the local provider.
const SSO_ORGANISATION: &str = "adatum.co.uk";
/// Its provider group whose members are global admins (`admin@adatum.co.uk` is in it).
const ADMIN_GROUP: &str = "adatum-admins";
const CLIENT_ID: &str = "selfserve-demo";
/// Only this machine's demo provider knows it; it is written to `data/` like the database.
const CLIENT_SECRET: &str = "selfserve-demo-client-secret";
const LISTEN: &str = "127.0.0.1:8080";
const DATABASE: &str = "sqlite://data/selfserve.db";

pub fn run(env: &Env) -> Result<(), String> {
    tools::ensure_build_tools(env)?;
    dist::build(env)?;
    run_checked(&mut env.cargo(&["build", "--release", "--package", "selfserve-server"]))?;
    let binary = env.root.join("target/release/selfserve-server");
    // Without a provider the demo still runs; every organisation then signs in with passwords.
    let provider = match Provider::start(env) {
        Ok(provider) => Some(provider),
        Err(message) => {
            println!(
                "xtask: no local identity provider ({message}); every organisation signs in with passwords"
            );
            None
        }
    };
    println!(
        "xtask: starting the server with demo data (accounts in README.md); stop it with Ctrl-C"
    );
    let mut server = Command::new(&binary)
        .args([
            "serve",
            "--demo",
            "--listen",
            LISTEN,
            "--database",
            DATABASE,
        ])
        .arg("--dist")
        .arg(env.root.join("dist"))
        .current_dir(&env.root)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    if let Some(provider) = &provider {
        match provider.configure(env, &binary) {
            Ok(()) => println!(
                "xtask: {SSO_ORGANISATION} signs in at the local identity provider {} \
                 (any password there; admin@{SSO_ORGANISATION} is a global admin)",
                provider.issuer
            ),
            Err(message) => println!("xtask: {SSO_ORGANISATION} keeps passwords: {message}"),
        }
    }
    let status = server
        .wait()
        .map_err(|e| format!("waiting for the server: {e}"))?;
    drop(provider);
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped ({status})"))
    }
}

/// The tests' OpenID Provider, as a child process ended when this is dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    fn start(env: &Env) -> Result<Self, String> {
        let package = tools::ensure_oidc_provider(env)?;
        let clients = format!(
            r#"[{{"client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}","redirect_uris":["http://{LISTEN}/api/v1/sso/callback"]}}]"#
        );
        let accounts = format!(r#"{{"admin@{SSO_ORGANISATION}":{{"groups":["{ADMIN_GROUP}"]}}}}"#);
        let mut child = Command::new("node")
            .arg(
                env.root
                    .join("crates/selfserve-server/tests/fixtures/oidc/provider.mjs"),
            )
            .env("OIDC_PROVIDER_PACKAGE", package)
            .env("OIDC_CLIENTS", clients)
            .env("OIDC_ACCOUNTS", accounts)
            .env("PATH", &env.path)
            .stdout(Stdio::piped())
            // oidc-provider warns that it is for development, which this demo provider is.
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        let stdout = child.stdout.take().ok_or("no output from the provider")?;
        // It prints `issuer URL` once it accepts connections; the rest of its output is read
        // (and dropped) so that a full pipe never stops it.
        let (tell, issuer) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.trim().strip_prefix("issuer ") {
                    let _ = tell.send(url.to_owned());
                }
            }
        });
        match issuer.recv_timeout(Duration::from_secs(60)) {
            Ok(issuer) => Ok(Self { child, issuer }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err("the provider did not start within 60 s".to_owned())
            }
        }
    }

    /// Points the demo organisation at this provider (once the server has loaded the demo
    /// data, which creates the organisation; a later import keeps what is set here).
    fn configure(&self, env: &Env, binary: &std::path::Path) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(LISTEN).is_err() {
            if Instant::now() > deadline {
                return Err(format!("the server did not listen on {LISTEN} within 60 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let secret = env.root.join("data/demo-sso-client-secret");
        std::fs::write(&secret, CLIENT_SECRET)
            .map_err(|e| format!("writing {}: {e}", secret.display()))?;
        let output = Command::new(binary)
            .args(["org", "sso", "set", "--org", SSO_ORGANISATION, "--issuer"])
            .arg(&self.issuer)
            .args(["--client-id", CLIENT_ID, "--client-secret-file"])
            .arg(&secret)
            .args(["--admin-group", ADMIN_GROUP, "--database", DATABASE])
            .current_dir(&env.root)
            .output()
            .map_err(|e| format!("cannot run org sso set: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
