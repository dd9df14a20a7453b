//! First load: builds the baseline skeleton (`bench/skeleton`) with Trunk like the app, then
//! runs the server's `first_load` bench, which opens the app's bundles and the skeleton in a
//! cold headless Chromium and sums what was fetched (see
//! `crates/selfserve-server/benches/first_load.rs`). Expects `dist/` built (by `bench`).

use crate::{Env, dist, run_checked};
use std::process::Command;

pub fn run(env: &Env) -> Result<(), String> {
    println!("\nxtask: ── first load: the checkout against a Leptos router + gloo-net skeleton");
    let fixtures = env.root.join("target/bench-fixtures");
    let skeleton = env.root.join("bench/skeleton");
    let skeleton_dist = fixtures.join("skeleton-dist");
    let manifest = skeleton.join("Cargo.toml");
    run_checked(
        env.cargo(&["fetch", "--manifest-path"])
            .arg(&manifest)
            .current_dir(&skeleton),
    )?;
    run_checked(
        Command::new("trunk")
            .args(["build", "--release", "--skip-version-check", "--dist"])
            .arg(&skeleton_dist)
            .current_dir(&skeleton)
            .env("CARGO_TARGET_DIR", &fixtures)
            .env("PATH", &env.path),
    )?;
    // Served as the app is: precompressed next to each file.
    for file in dist::compressible_files(&skeleton_dist)? {
        dist::compress(&file)?;
    }
    run_checked(
        super::server_bench(env, "first_load")
            .env("FIRST_LOAD_APP_DIST", env.root.join("dist"))
            .env("FIRST_LOAD_SKELETON_DIST", &skeleton_dist),
    )
}
