//! `cargo xtask schemathesis [--seconds N]`: schemathesis (PyPI, pinned, in
//! `.tools/schemathesis`) against the real server's `/api/v1/openapi.json`, signed in as a
//! global admin (who may also buy), with the coverage, fuzzing and stateful phases and every
//! check: no 5xx, every status and body as the document says, valid requests accepted and
//! invalid ones refused. `/session` is left out so the run cannot sign itself out.

use crate::soak::{Running, session_cookie};
use crate::{Env, run_checked};
use std::path::PathBuf;
use std::process::Command;

const VERSION: &str = "4.32.5";

/// The venv with the pinned schemathesis; a stamp file saves asking pip again.
fn ensure_schemathesis(env: &Env) -> Result<PathBuf, String> {
    let venv = env.root.join(".tools/schemathesis");
    let stamp = venv.join("installed-version");
    let bin = venv.join("bin/schemathesis");
    if std::fs::read_to_string(&stamp).is_ok_and(|v| v == VERSION) && bin.is_file() {
        return Ok(bin);
    }
    println!("xtask: installing schemathesis {VERSION} from PyPI into .tools/schemathesis");
    run_checked(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )?;
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .arg(format!("schemathesis=={VERSION}")),
    )?;
    std::fs::write(&stamp, VERSION).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(bin)
}

/// Two exceptions to "a schema-valid request is accepted", each a 400 no JSON Schema in the
/// document expresses:
/// - a NUL character in any value (`http::extract::refuse_nul`: PostgreSQL cannot hold one),
///   so strings are generated without it;
/// - a webhook URL whose host is, or resolves to, an internal address or to nothing (the SSRF
///   limits).
///
/// Every other operation and check stays as strict as the default.
const CONFIG: &str = r#"[generation]
allow-x00 = false

[[operations]]
include-path = "/admin/webhooks"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2XX", 400, 401, 403, 404, 409, 429]
"#;

/// Runs schemathesis for `seconds` against a fresh server.
pub fn run(env: &Env, seconds: u64) -> Result<(), String> {
    let schemathesis = ensure_schemathesis(env)?;
    let mut running = Running::start(env, false, "schemathesis")?;
    let cookie = session_cookie(running.app, "admin@contoso.com")?;
    let base = format!("http://{}/api/v1", running.app);
    let config = running.work.join("schemathesis.toml");
    std::fs::write(&config, CONFIG).map_err(|e| format!("writing {}: {e}", config.display()))?;
    let result = run_checked(
        Command::new(&schemathesis)
            .arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(format!("{base}/openapi.json"))
            .args(["--url", &base])
            .args(["--header", &format!("Cookie: {cookie}")])
            .args(["--checks", "all"])
            .args(["--phases", "coverage,fuzzing,stateful"])
            .args(["--max-time", &seconds.to_string()])
            .args(["--workers", "2"])
            .args(["--exclude-path", "/session"])
            .current_dir(&running.work),
    );
    running.stop();
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&running.work);
    }
    result.map_err(|e| {
        format!("schemathesis found answers the OpenAPI document does not allow ({e})")
    })
}
