//! The release build of the app's bundles into `dist/`, their precompressed copies, and
//! their sizes.

use crate::bench::record::Record;
use crate::bench::report::Part;
use crate::{Env, run_checked};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const COMPRESSIBLE: &[&str] = &["html", "js", "wasm", "css", "svg"];

/// The app's bundles (`selfserve_api::bundle`): the source `index.html` and where Trunk puts
/// it below `dist/` (and so the URL its files are served at). The checkout comes first: Trunk
/// empties its dist directory, and the others live inside the checkout's.
pub const BUNDLES: &[(&str, &str, &str)] = &[
    ("checkout", "index.html", ""),
    (
        "purchaser",
        "bundles/purchaser/index.html",
        "bundles/purchaser",
    ),
    ("admin", "bundles/admin/index.html", "bundles/admin"),
];

/// `trunk build --release` once per bundle, then `.br` and `.gz` next to every text/wasm file
/// (the server sends them to browsers that accept them). Trunk's own files are never
/// rewritten: it put integrity hashes of them into index.html.
pub fn build(env: &Env) -> Result<(), String> {
    println!("\nxtask: ── building the app (release)");
    // Trunk runs cargo offline; fetch first so a fresh clone has every crate.
    run_checked(&mut env.cargo(&["fetch"]))?;
    for &(name, source, directory) in BUNDLES {
        println!("\nxtask: ── bundle {name}");
        run_checked(
            Command::new("trunk")
                .args(["build", "--release", "--skip-version-check", source])
                .arg("--dist")
                .arg(env.root.join("dist").join(directory))
                .arg("--public-url")
                .arg(if directory.is_empty() {
                    "/".to_owned()
                } else {
                    format!("/{directory}/")
                })
                .current_dir(&env.root)
                .env("PATH", &env.path),
        )?;
    }
    for file in compressible_files(&env.root.join("dist"))? {
        compress(&file)?;
    }
    Ok(())
}

/// Every file under `dir` (recursively) that is sent compressed.
pub fn compressible_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.is_dir() {
            files.extend(compressible_files(&path)?);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e))
        {
            files.push(path);
        }
    }
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

/// Prints each bundle's size per kind of file, raw and brotli, as a Markdown table.
pub fn print_sizes(env: &Env) -> Result<(), String> {
    let mut record = Record::new(Part::Bundles.id(), env.records.clone());
    record.line("| bundle | file | raw bytes | brotli bytes |\n|---|---|---:|---:|");
    for &(name, _, directory) in BUNDLES {
        let dir = env.root.join("dist").join(directory);
        let (mut total_raw, mut total_br) = (0, 0);
        // Only this bundle's own files: the checkout's directory holds the others'.
        let files = compressible_files(&dir)?
            .into_iter()
            .filter(|file| file.parent() == Some(dir.as_path()));
        for file in files {
            let raw = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
            let mut br_name = file.as_os_str().to_owned();
            br_name.push(".br");
            let br = std::fs::metadata(&br_name)
                .map_err(|e| e.to_string())?
                .len();
            let kind = file.extension().and_then(|e| e.to_str()).unwrap_or("?");
            total_raw += raw;
            total_br += br;
            record.line(format!("| {name} | {kind} | {raw} | {br} |"));
        }
        record.line(format!(
            "| {name} | **total** | **{total_raw}** | **{total_br}** |"
        ));
    }
    record.finish();
    Ok(())
}
