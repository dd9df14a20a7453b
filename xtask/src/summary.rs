//! Adds up what every step passed and failed, for the one summary line at the end.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Totals so far, and one line per step.
#[derive(Default)]
pub struct Summary {
    pub passed: u64,
    pub failed: u64,
    steps: Vec<String>,
}

impl Summary {
    /// A step that is one check (formatting, lints, a build): one pass or one failure.
    pub fn record_step(&mut self, name: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.passed += 1;
                self.steps.push(format!("ok      {name}"));
            }
            Err(message) => {
                self.failed += 1;
                eprintln!("xtask: {name} failed: {message}");
                self.steps.push(format!("FAILED  {name}"));
            }
        }
    }

    /// Runs a step done inside xtask (an installation), timed like the commands.
    pub fn run_task(&mut self, name: &str, task: impl FnOnce() -> Result<(), String>) {
        println!("\nxtask: ── {name}");
        let started = Instant::now();
        let result = task();
        self.record_step(&timed(name, started), result);
    }

    /// Runs a check command with its output inherited.
    pub fn run_step(&mut self, name: &str, command: &mut Command) {
        println!("\nxtask: ── {name}");
        let started = Instant::now();
        let result = crate::run_checked(command);
        self.record_step(&timed(name, started), result);
    }

    /// Runs a libtest-style command (cargo test, wasm-bindgen-test-runner) and counts its
    /// `test result:` lines. A command that fails without reporting a failed test (it did not
    /// compile, a runner crashed) counts as one failure.
    pub fn run_tests(&mut self, name: &str, command: &mut Command) {
        println!("\nxtask: ── {name}");
        let started = Instant::now();
        let (mut passed, mut failed) = (0, 0);
        let status = command
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                if let Some(stdout) = child.stdout.take() {
                    let mut out = std::io::stdout();
                    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                        let _ = writeln!(out, "{line}");
                        if let Some((p, f)) = parse_result_line(&line) {
                            passed += p;
                            failed += f;
                        }
                    }
                }
                child.wait()
            });
        let ok = status.as_ref().is_ok_and(|s| s.success());
        // A suite that ran nothing passed nothing: a stray name in a `--test` list becomes a
        // filter that silently skips every test.
        if (!ok || passed == 0) && failed == 0 {
            failed = 1;
        }
        self.passed += passed;
        self.failed += failed;
        let verdict = if ok && passed > 0 && failed == 0 {
            "ok    "
        } else {
            "FAILED"
        };
        self.steps.push(format!(
            "{verdict}  {} ({passed} passed, {failed} failed)",
            timed(name, started)
        ));
    }

    /// Prints every step and the final line.
    pub fn print(&self, total: Duration) {
        println!("\nxtask: summary ({:.0} s)", total.as_secs_f64());
        for step in &self.steps {
            println!("  {step}");
        }
        println!("{} passed, {} failed", self.passed, self.failed);
    }
}

fn timed(name: &str, started: Instant) -> String {
    format!("{name} [{:.1} s]", started.elapsed().as_secs_f64())
}

/// `test result: ok. 17 passed; 0 failed; 0 ignored; …` → (17, 0).
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |label: &str| {
        rest.split(';')
            .filter_map(|part| part.trim().rsplit_once(' '))
            .find(|(_, word)| *word == label)
            .and_then(|(number, _)| number.rsplit(' ').next()?.parse::<u64>().ok())
    };
    Some((count("passed")?, count("failed")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_and_wasm_runner_result_lines() {
        assert_eq!(
            parse_result_line(
                "test result: ok. 17 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s"
            ),
            Some((17, 0))
        );
        assert_eq!(
            parse_result_line(
                "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.08s"
            ),
            Some((3, 2))
        );
        assert_eq!(parse_result_line("running 3 tests"), None);
    }
}
