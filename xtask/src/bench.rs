//! `cargo xtask bench`'s measurements that need more than one command, one module each.

pub mod browser;
pub mod first_load;
pub mod interactive;
pub mod licence_list;
pub mod record;
pub mod report;

use crate::Env;
use std::process::Command;

/// `cargo bench` of one of the server's benches (`benches/NAME.rs`), keeping its records for
/// the run's report when there is one.
pub fn server_bench(env: &Env, name: &str) -> Command {
    let mut command = env.cargo(&["bench", "--package", "selfserve-server", "--bench", name]);
    if let Some(folder) = &env.records {
        command.env(record::FOLDER_VARIABLE, folder);
    }
    command
}
