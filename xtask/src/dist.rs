//! The release build of the app into `dist/`, its precompressed copies, and its size.

use crate::{Env, run_checked};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const COMPRESSIBLE: &[&str] = &["html", "js", "wasm", "css", "svg"];

/// `trunk build --release`, then `.br` and `.gz` next to every text/wasm file (the server
/// sends them to browsers that accept them). Trunk's own files are never rewritten: it put
/// integrity hashes of them into index.html.
pub fn build(env: &Env) -> Result<(), String> {
    println!("\nxtask: ── building the app (release)");
    // Trunk runs cargo offline; fetch first so a fresh clone has every crate.
    run_checked(&mut env.cargo(&["fetch"]))?;
    run_checked(
        Command::new("trunk")
            .args(["build", "--release", "--skip-version-check"])
            .current_dir(&env.root)
            .env("PATH", &env.path),
    )?;
    for file in dist_files(env)? {
        compress(&file)?;
    }
    Ok(())
}

fn dist_files(env: &Env) -> Result<Vec<PathBuf>, String> {
    let dist = env.root.join("dist");
    let entries =
        std::fs::read_dir(&dist).map_err(|e| format!("reading {}: {e}", dist.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Writes `FILE.br` and `FILE.gz` beside `file`.
pub fn compress(file: &Path) -> Result<(), String> {
    let data = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let write = |extension: &str, bytes: Vec<u8>| {
        let mut name = file.as_os_str().to_owned();
        name.push(extension);
        std::fs::write(&name, bytes).map_err(|e| format!("writing {name:?}: {e}"))
    };
    write(".br", brotli_bytes(&data))?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&data)
        .and_then(|()| gzip.finish())
        .map_err(|e| format!("gzip: {e}"))
        .and_then(|bytes| write(".gz", bytes))
}

fn brotli_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        // Writing to a Vec cannot fail.
        let _ = writer.write_all(data);
    }
    out
}

/// Prints the bundle's size per kind of file, raw and brotli, as a Markdown table.
pub fn print_sizes(env: &Env) -> Result<(), String> {
    let mut rows = Vec::new();
    let (mut total_raw, mut total_br) = (0, 0);
    for file in dist_files(env)? {
        let raw = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
        let mut br_name = file.as_os_str().to_owned();
        br_name.push(".br");
        let br = std::fs::metadata(&br_name)
            .map_err(|e| e.to_string())?
            .len();
        let kind = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("?")
            .to_owned();
        total_raw += raw;
        total_br += br;
        rows.push((kind, raw, br));
    }
    println!("\n| file | raw bytes | brotli bytes |\n|---|---:|---:|");
    for (kind, raw, br) in rows {
        println!("| {kind} | {raw} | {br} |");
    }
    println!("| **total** | **{total_raw}** | **{total_br}** |");
    Ok(())
}
