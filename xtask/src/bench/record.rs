//! What one part of `cargo xtask bench` found: its Markdown, printed as it is written, and the
//! issue's targets it measured. Under `cargo xtask bench` both are also kept in a folder of
//! records (for the server's benches, named by [`FOLDER_VARIABLE`]), from which xtask writes
//! BENCHMARKS.md's latest run (`bench::report`); run alone (`cargo bench`, `cargo xtask
//! bench-load`) a part only prints.
//!
//! The server's benches are separate processes that cannot link xtask, so they include this
//! file with `#[path]`: it uses only std and serde_json, which both crates have.

use std::io::Write;
use std::path::PathBuf;

/// The environment variable that names the folder of the run's records for a bench process.
pub const FOLDER_VARIABLE: &str = "SELFSERVE_BENCH_RECORDS";
/// One JSON object a line: `{"target", "measured", "baseline", "met"}`.
pub const TARGETS_FILE: &str = "targets.jsonl";

/// One part's record; its Markdown is kept as `<part>.md`.
pub struct Record {
    part: &'static str,
    markdown: String,
    folder: Option<PathBuf>,
}

impl Record {
    /// Kept in `folder` if there is one.
    #[allow(dead_code)] // Each includer uses one of the two constructors.
    pub fn new(part: &'static str, folder: Option<PathBuf>) -> Self {
        Self {
            part,
            markdown: String::new(),
            folder,
        }
    }

    /// Kept in the folder [`FOLDER_VARIABLE`] names, if it is set.
    #[allow(dead_code)]
    pub fn from_environment(part: &'static str) -> Self {
        Self::new(part, std::env::var_os(FOLDER_VARIABLE).map(PathBuf::from))
    }

    /// Prints `text` and a line break, and keeps them.
    pub fn line(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        println!("{text}");
        self.markdown.push_str(text);
        self.markdown.push('\n');
    }

    /// One of the targets: `target` is the id of one of xtask's `Target`s; what was
    /// measured and the baseline it is compared with are as they read in the summary's table.
    pub fn target(&mut self, target: &str, measured: &str, baseline: &str, met: bool) {
        let Some(folder) = &self.folder else { return };
        let line = serde_json::json!({
            "target": target, "measured": measured, "baseline": baseline, "met": met,
        });
        // A lost record shows as "not measured" in the summary, so a failure here is said
        // and not fatal to the measurement itself.
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(folder.join(TARGETS_FILE))
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(error) = appended {
            eprintln!("bench record: cannot keep {target}: {error}");
        }
    }

    /// Keeps the Markdown (when under `cargo xtask bench`).
    pub fn finish(self) {
        let Some(folder) = &self.folder else { return };
        let path = folder.join(format!("{}.md", self.part));
        if let Err(error) = std::fs::write(&path, &self.markdown) {
            eprintln!("bench record: cannot write {}: {error}", path.display());
        }
    }
}

/// `value` rounded to a whole number, thousands apart by commas (5,539), as in the hand-written
/// tables.
#[allow(dead_code)] // Not every includer writes such numbers.
pub fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}
