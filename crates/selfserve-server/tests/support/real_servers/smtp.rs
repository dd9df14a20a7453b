//! An SMTP server: PyPI `aiosmtpd` run by `tests/fixtures/smtp/sink.py`, which keeps each
//! message it accepts as `<n>.eml` (n = 1, 2, … in arrival order) with the envelope in front as
//! `X-Envelope-From` / `X-Envelope-To` headers. Plain SMTP (no TLS); any AUTH is accepted.

use super::{installed_tool, spawn_until_line, workspace_root};
use crate::support::process::Group;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A running SMTP server, stopped (by process group) on drop.
pub struct SmtpSink {
    pub host: String,
    pub port: u16,
    messages: PathBuf,
    _group: Group,
    _dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// On `port` (0: a free one), e.g. where a server was told to send before it was up.
    pub fn start_on(port: u16) -> Self {
        let venv = installed_tool(
            "SELFSERVE_TEST_VENV",
            workspace_root().join(".tools/venv"),
            "SMTP server (PyPI aiosmtpd)",
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let messages = dir.path().join("messages");
        std::fs::create_dir(&messages).expect("messages folder");
        let mut command = Command::new(venv.join("bin/python"));
        command
            .arg(super::fixture("smtp/sink.py"))
            .arg(&messages)
            .arg(port.to_string())
            .env("PYTHONUNBUFFERED", "1");
        let (group, line) = spawn_until_line(
            command,
            &dir.path().join("smtp.log"),
            "listening on ",
            "the SMTP server",
        );
        let port = line
            .rsplit(':')
            .next()
            .and_then(|port| port.trim().parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no port in the SMTP server's line {line:?}"));
        Self {
            host: "127.0.0.1".to_owned(),
            port,
            messages,
            _group: group,
            _dir: dir,
        }
    }

    /// `smtp://127.0.0.1:PORT`, what `--smtp-url` takes.
    pub fn url(&self) -> String {
        format!("smtp://{}:{}", self.host, self.port)
    }

    /// Every message received so far, in arrival order, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut numbered: Vec<(u64, PathBuf)> = std::fs::read_dir(&self.messages)
            .expect("messages folder")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter_map(|path| {
                let number = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".eml")?
                    .parse()
                    .ok()?;
                Some((number, path))
            })
            .collect();
        numbered.sort();
        numbered
            .into_iter()
            .map(|(_, path)| std::fs::read_to_string(path).expect("message file"))
            .collect()
    }

    /// Polls until at least `count` messages arrived, up to `timeout`; returns them all.
    /// Async so that a server sending from the test's own runtime keeps running meanwhile.
    pub async fn wait_for_messages(&self, count: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} message(s) arrived within {timeout:?}, expected {count}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
