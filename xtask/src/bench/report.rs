//! BENCHMARKS.md's latest run: the machine, every target of issue 14 against its baseline of
//! the same run, then each part's tables. Written by `cargo xtask bench` between two markers,
//! so the hand-written history below them stays; the parts leave their findings in a folder of
//! records (`record.rs`) and this module puts them together.

use super::record::TARGETS_FILE;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const BEGIN: &str = "<!-- The latest run: written by `cargo xtask bench`, which replaces \
                         everything from here to the end marker. -->";
const END: &str = "<!-- The end of the latest run. -->";

/// The parts of a run, in the order they run and are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Bundles,
    FirstLoad,
    Interactive,
    BigOrganisation,
    LicenceList,
    Load,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Bundles,
        Part::FirstLoad,
        Part::Interactive,
        Part::BigOrganisation,
        Part::LicenceList,
        Part::Load,
    ];

    /// The name of its Markdown record; the server's benches write theirs by these names.
    pub const fn id(self) -> &'static str {
        match self {
            Part::Bundles => "bundles",
            Part::FirstLoad => "first-load",
            Part::Interactive => "interactive",
            Part::BigOrganisation => "big-org",
            Part::LicenceList => "licence-list",
            Part::Load => "load",
        }
    }

    const fn title(self) -> &'static str {
        match self {
            Part::Bundles => "The bundles, raw and brotli",
            Part::FirstLoad => "First load: the checkout against a Leptos skeleton",
            Part::Interactive => "Time to interactive and Lighthouse",
            Part::BigOrganisation => "A big organisation: 100,000 people, 10,000 subscriptions",
            Part::LicenceList => "A 10,000-seat licence list in the browser",
            Part::Load => "Purchases and reads under load",
        }
    }
}

/// Issue 14's targets, in the order of the issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstLoadBytes,
    FirstLoadRatio,
    TimeToInteractive,
    LighthousePerformance,
    LighthouseAccessibility,
    LighthouseBestPractices,
    Purchases,
    PurchaseP99,
    Reads,
    Scaling,
    Postgres,
    Search,
    Import,
    FirstPage,
    LicenceFirstScreen,
    LicenceKeystroke,
}

impl Target {
    pub const ALL: [Target; 16] = [
        Target::FirstLoadBytes,
        Target::FirstLoadRatio,
        Target::TimeToInteractive,
        Target::LighthousePerformance,
        Target::LighthouseAccessibility,
        Target::LighthouseBestPractices,
        Target::Purchases,
        Target::PurchaseP99,
        Target::Reads,
        Target::Scaling,
        Target::Postgres,
        Target::Search,
        Target::Import,
        Target::FirstPage,
        Target::LicenceFirstScreen,
        Target::LicenceKeystroke,
    ];

    /// How a part names it in its record.
    pub const fn id(self) -> &'static str {
        match self {
            Target::FirstLoadBytes => "first-load-bytes",
            Target::FirstLoadRatio => "first-load-ratio",
            Target::TimeToInteractive => "time-to-interactive",
            Target::LighthousePerformance => "lighthouse-performance",
            Target::LighthouseAccessibility => "lighthouse-accessibility",
            Target::LighthouseBestPractices => "lighthouse-best-practices",
            Target::Purchases => "purchases",
            Target::PurchaseP99 => "purchase-p99",
            Target::Reads => "reads",
            Target::Scaling => "scaling",
            Target::Postgres => "postgres",
            Target::Search => "search",
            Target::Import => "import",
            Target::FirstPage => "first-page",
            Target::LicenceFirstScreen => "licence-first-screen",
            Target::LicenceKeystroke => "licence-keystroke",
        }
    }

    const fn goal(self) -> &'static str {
        match self {
            Target::FirstLoadBytes => "checkout's first load ≤ 150 KB",
            Target::FirstLoadRatio => {
                "checkout's first load ≤ 1.3× a Leptos router + fetch skeleton"
            }
            Target::TimeToInteractive => "time to interactive ≤ 1.5× Leptos's counter",
            Target::LighthousePerformance => "Lighthouse performance ≥ 98 (mobile)",
            Target::LighthouseAccessibility => "Lighthouse accessibility 100",
            Target::LighthouseBestPractices => "Lighthouse best practices 100",
            Target::Purchases => "purchases at 32 connections ≥ 1.0× a raw FULL insert loop",
            Target::PurchaseP99 => "purchase p99 at 32 connections ≤ 10 ms",
            Target::Reads => "reads (`GET /subscriptions`) ≥ 0.5× an axum hello JSON",
            Target::Scaling => "purchases at 64 connections ≥ 0.9× at 8",
            Target::Postgres => "PostgreSQL purchases ≥ 0.7× `pgbench -N`",
            Target::Search => "colleague search p95 ≤ 5 ms (100,000 people)",
            Target::Import => "directory import ≥ 50,000 people/s",
            Target::FirstPage => "admins' first page ≤ 50 ms (10,000 subscriptions)",
            Target::LicenceFirstScreen => "10,000-seat licence list, first screen p95 ≤ 50 ms",
            Target::LicenceKeystroke => "10,000-seat licence list, filter keystroke p95 ≤ 50 ms",
        }
    }

    fn from_id(id: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|target| target.id() == id)
    }
}

/// One target as a part measured it.
#[derive(Debug, Clone, PartialEq)]
struct Measured {
    target: Target,
    measured: String,
    baseline: String,
    met: bool,
}

/// Reads the targets the parts recorded; a line naming no known target is an error, so a
/// renamed id cannot drop a target from the table unnoticed.
fn read_targets(folder: &Path) -> Result<Vec<Measured>, String> {
    let path = folder.join(TARGETS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(format!("reading {}: {error}", path.display())),
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("{}: {e}: {line}", path.display()))?;
            let id = value["target"].as_str().unwrap_or_default();
            let text = |key: &str| value[key].as_str().map(str::to_owned);
            match (
                Target::from_id(id),
                text("measured"),
                text("baseline"),
                value["met"].as_bool(),
            ) {
                (Some(target), Some(measured), Some(baseline), Some(met)) => Ok(Measured {
                    target,
                    measured,
                    baseline,
                    met,
                }),
                _ => Err(format!("{}: not a target record: {line}", path.display())),
            }
        })
        .collect()
}

/// BENCHMARKS.md in `root` with its latest run replaced by the one `folder` holds the records
/// of; a part that failed is written with its error.
pub fn write(
    root: &Path,
    folder: &Path,
    outcomes: &[(Part, Result<(), String>)],
) -> Result<(), String> {
    let targets = read_targets(folder)?;
    let parts: Vec<_> = outcomes
        .iter()
        .map(|(part, outcome)| {
            let record = outcome.clone().and_then(|()| {
                let path = folder.join(format!("{}.md", part.id()));
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("no record at {}: {e}", path.display()))
            });
            (*part, record)
        })
        .collect();
    let section = section(&facts(root), &targets, &parts);
    let path = root.join("BENCHMARKS.md");
    let document =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    std::fs::write(&path, replace_latest(&document, &section))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!(
        "\nxtask: the run is written to BENCHMARKS.md (\"The latest `cargo xtask bench` run\")"
    );
    Ok(())
}

/// The section between the markers: when and where, the targets, then each part's record
/// (or why it is missing).
fn section(facts: &str, targets: &[Measured], parts: &[(Part, Result<String, String>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BEGIN}\n\n## The latest `cargo xtask bench` run\n\n{facts}\n"
    );
    out.push_str("| target | measured | baseline, same run | met? |\n|---|---|---|---|\n");
    let mut met = 0;
    for target in Target::ALL {
        // A part measured once records each target once; a repeated one keeps the last.
        match targets.iter().rev().find(|m| m.target == target) {
            Some(found) => {
                met += usize::from(found.met);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    target.goal(),
                    found.measured,
                    found.baseline,
                    if found.met { "yes" } else { "no" }
                );
            }
            None => {
                let _ = writeln!(out, "| {} | not measured | — | — |", target.goal());
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{met} of {} targets met. What bounds the others is in the sections below this run, \
         newest last.",
        Target::ALL.len()
    );
    for (part, record) in parts {
        let _ = writeln!(out, "\n### {}\n", part.title());
        match record {
            Ok(markdown) => out.push_str(markdown.trim_end()),
            Err(error) => {
                let _ = write!(out, "Not measured: {}", error.replace('\n', " "));
            }
        }
        out.push('\n');
    }
    let _ = write!(out, "\n{END}");
    out
}

/// `document` with its latest run replaced by `section`; the first run goes before the first
/// `## ` heading, below the file's introduction.
fn replace_latest(document: &str, section: &str) -> String {
    if let (Some(start), Some(end)) = (document.find(BEGIN), document.find(END))
        && start < end
    {
        return format!(
            "{}{section}{}",
            &document[..start],
            &document[end + END.len()..]
        );
    }
    match document.find("\n## ") {
        Some(heading) => format!(
            "{}{section}\n\n{}",
            &document[..=heading],
            &document[heading + 1..]
        ),
        None => format!("{}\n\n{section}\n", document.trim_end()),
    }
}

/// The run's date, commit and machine, in one paragraph.
fn facts(root: &Path) -> String {
    let output = |program: &str, args: &[&str]| -> Option<String> {
        let out = Command::new(program)
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let file = |path: &str| std::fs::read_to_string(path).ok();
    let known = |fact: Option<String>| fact.unwrap_or_else(|| "unknown".to_owned());

    let date = output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).map(|commit| {
        match output("git", &["status", "--porcelain", "--untracked-files=no"]) {
            Some(_) => format!("{commit} with uncommitted changes"),
            None => commit,
        }
    });
    let cpu = file("/proc/cpuinfo").and_then(|text| {
        text.lines()
            .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
            .map(|(_, model)| model.trim().to_owned())
    });
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = file("/proc/meminfo").and_then(|text| {
        let kib: f64 = text
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(format!("{:.0} GiB", kib / 1024.0 / 1024.0))
    });
    let system = file("/etc/os-release").and_then(|text| {
        text.lines()
            .find_map(|line| line.strip_prefix("PRETTY_NAME="))
            .map(|name| name.trim_matches('"').to_owned())
    });
    let kernel = file("/proc/sys/kernel/osrelease").map(|k| k.trim().to_owned());
    format!(
        "{}, commit {}. Machine: {}, {cores} cores, {} memory, {}, Linux {}; {}; {}; {}.",
        known(date),
        known(commit),
        known(cpu),
        known(memory),
        known(system),
        known(kernel),
        known(output("rustc", &["--version"])),
        known(output("chromium", &["--version"])),
        known(output("psql", &["--version"])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(target: Target, met: bool) -> Measured {
        Measured {
            target,
            measured: "1.2×".to_owned(),
            baseline: "base".to_owned(),
            met,
        }
    }

    #[test]
    fn the_first_run_goes_below_the_introduction_and_later_runs_replace_it() {
        let document = "# Benchmarks\n\nIntro.\n\n## Old\n\nHistory.\n";
        let first = replace_latest(document, &format!("{BEGIN}\nrun one\n{END}"));
        assert_eq!(
            first,
            format!("# Benchmarks\n\nIntro.\n\n{BEGIN}\nrun one\n{END}\n\n## Old\n\nHistory.\n")
        );
        let second = replace_latest(&first, &format!("{BEGIN}\nrun two\n{END}"));
        assert!(second.contains("run two") && !second.contains("run one"));
        assert!(second.ends_with("## Old\n\nHistory.\n"));
        assert_eq!(second.matches(BEGIN).count(), 1);
    }

    #[test]
    fn every_target_has_a_row_and_the_met_ones_are_counted() {
        let text = section(
            "facts",
            &[
                measured(Target::Search, true),
                measured(Target::Import, false),
            ],
            &[
                (Part::BigOrganisation, Ok("| a | b |\n".to_owned())),
                (Part::Load, Err("wrk failed\nbadly".to_owned())),
            ],
        );
        let table = text
            .lines()
            .skip_while(|line| !line.starts_with("| target"))
            .take_while(|line| line.starts_with('|'))
            .count();
        assert_eq!(table, 2 + Target::ALL.len());
        assert!(
            text.contains("| colleague search p95 ≤ 5 ms (100,000 people) | 1.2× | base | yes |")
        );
        assert!(text.contains("| directory import ≥ 50,000 people/s | 1.2× | base | no |"));
        assert!(text.contains("| Lighthouse accessibility 100 | not measured | — | — |"));
        assert!(text.contains("1 of 16 targets met."));
        assert!(text.contains("Not measured: wrk failed badly"));
        assert!(text.starts_with(BEGIN) && text.ends_with(END));
    }

    #[test]
    fn target_records_are_read_and_unknown_ones_refused() {
        let folder = std::env::temp_dir().join(format!("bench-report-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        assert_eq!(read_targets(&folder).unwrap(), Vec::new());
        std::fs::write(
            folder.join(TARGETS_FILE),
            "{\"target\":\"reads\",\"measured\":\"0.03×\",\"baseline\":\"hello\",\"met\":false}\n",
        )
        .unwrap();
        assert_eq!(
            read_targets(&folder).unwrap(),
            vec![Measured {
                target: Target::Reads,
                measured: "0.03×".to_owned(),
                baseline: "hello".to_owned(),
                met: false
            }]
        );
        std::fs::write(
            folder.join(TARGETS_FILE),
            "{\"target\":\"speed\",\"measured\":\"1\",\"baseline\":\"2\",\"met\":true}\n",
        )
        .unwrap();
        assert!(
            read_targets(&folder)
                .unwrap_err()
                .contains("not a target record")
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        use super::super::record::grouped;
        assert_eq!(grouped(0.4), "0");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(5539.2), "5,539");
        assert_eq!(grouped(128_102.0), "128,102");
        assert_eq!(grouped(1_234_567.0), "1,234,567");
        assert_eq!(grouped(-4286.0), "-4,286");
    }

    #[test]
    fn target_ids_are_distinct_and_read_back() {
        for target in Target::ALL {
            assert_eq!(Target::from_id(target.id()), Some(target));
        }
    }
}
