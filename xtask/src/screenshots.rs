//! `cargo xtask screenshots`: builds the app and runs the e2e walk `screenshots::` (real
//! server with `--demo` on a temporary database, headless Chromium through ChromeDriver), which
//! writes every main screen in English and Dutch at 375 and 1280 px to `docs/screenshots/` as
//! `<screen>-<lang>-<width>.png`.

use crate::{Env, dist, run_checked, tools};

pub fn run(env: &Env) -> Result<(), String> {
    tools::ensure_build_tools(env)?;
    dist::build(env)?;
    let out = env.root.join("docs/screenshots");
    // Pictures of screens that no longer exist must not linger.
    if out.exists() {
        for entry in std::fs::read_dir(&out).map_err(|e| format!("{}: {e}", out.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|ext| ext == "png") {
                std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    run_checked(
        env.cargo(&[
            "test",
            "--package",
            "selfserve-server",
            "--test",
            "e2e",
            "--",
            "--ignored",
            "--exact",
            "screenshots::every_main_screen_is_photographed_in_both_languages_at_both_widths",
        ])
        .env("SELFSERVE_E2E_DIST", env.root.join("dist"))
        .env("SELFSERVE_SCREENSHOTS_DIR", &out)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("CHROMIUM", "/usr/bin/chromium"),
    )?;
    let (count, bytes) = std::fs::read_dir(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(Result::ok)
        .filter_map(|f| f.metadata().ok())
        .fold((0, 0), |(n, total), m| (n + 1, total + m.len()));
    println!(
        "xtask: {count} screenshots, {} KiB, in {}",
        bytes / 1024,
        out.display()
    );
    Ok(())
}
