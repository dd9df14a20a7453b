//! Runs `wrk` on the load generator's core and reads its result back from the line the Lua
//! script's `done` prints (requests, duration, refusals, p50 and p99).

use super::LOAD_CORE;
use std::path::Path;
use std::process::Command;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub connections: usize,
    pub requests: u64,
    pub seconds: f64,
    /// Answers that were not 2xx/3xx: a refusal makes the run invalid.
    pub non_2xx: u64,
    /// Connect, read, write errors and timeouts.
    pub socket_errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    pub fn valid(&self) -> bool {
        self.non_2xx == 0 && self.socket_errors == 0 && self.requests > 0
    }
}

/// Prints one machine-readable line at the end; shared by every script.
const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LOAD requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// A script sending `GET path` with a session cookie.
pub fn get_script(path: &str, cookie: &str) -> String {
    format!(
        "wrk.method = \"GET\"\nwrk.path = \"{path}\"\nwrk.headers[\"Cookie\"] = \"{cookie}\"\n\
         wrk.headers[\"Accept\"] = \"application/json\"\n{DONE}"
    )
}

/// A script creating one purchase per request: the next unused token of `tokens` (one per
/// line), the buyers' cookies in turn, a distinct `Idempotency-Key` each. When the tokens run
/// out it sends a token that does not exist, which the server refuses: the run is then
/// reported invalid instead of silently measuring refusals.
pub fn purchase_script(tokens: &Path, cookies: &[String], label: &str, product: &str) -> String {
    let cookies = cookies
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"local tokens = {{}}
for line in io.lines("{tokens}") do tokens[#tokens + 1] = line end
local cookies = {{ {cookies} }}
local n = 0
request = function()
  n = n + 1
  local token = tokens[n] or "tok_exhausted"
  local body = '{{"product":"{product}","quantity":1,"payment_token":"' .. token .. '"}}'
  return wrk.format("POST", "/api/v1/purchases", {{
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Cookie"] = cookies[(n % #cookies) + 1],
    ["Idempotency-Key"] = "load-{label}-" .. n,
  }}, body)
end
{DONE}"#,
        tokens = tokens.display(),
    )
}

/// `wrk` with one thread on the load generator's core, `connections` connections for
/// `seconds`, against `url` with `script`.
pub fn run(
    script: &str,
    work: &Path,
    name: &str,
    url: &str,
    connections: usize,
    seconds: u64,
) -> Result<Measured, String> {
    let script_path = work.join(format!("{name}.lua"));
    std::fs::write(&script_path, script).map_err(|e| format!("writing the script: {e}"))?;
    let output = Command::new("taskset")
        .args(["-c", LOAD_CORE, "wrk", "-t1"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&script_path)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("LOAD "))
        .ok_or_else(|| format!("wrk printed no result line:\n{stdout}"))?;
    let field = |name: &str| -> Result<u64, String> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("no {name} in {line:?}"))
    };
    Ok(Measured {
        connections,
        requests: field("requests")?,
        seconds: field("duration_us")? as f64 / 1e6,
        non_2xx: field("non2xx")?,
        socket_errors: field("socket_errors")?,
        p50_ms: field("p50_us")? as f64 / 1e3,
        p99_ms: field("p99_us")? as f64 / 1e3,
    })
}
