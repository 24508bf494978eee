//! `monitor config check FILE`: validate a configuration file as the
//! daemon would, and say what it holds.

use std::path::PathBuf;

use clap::Subcommand;
use monitor::config;

/// `monitor config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Parse and fully validate a configuration file: every filter
    /// compiled, every trigger's metric, labels and rule names checked, and
    /// every interface looked up on this host.
    Check {
        /// The file.
        file: PathBuf,
        /// Do not look the interfaces up on this host (for a configuration
        /// written for another one).
        #[arg(long)]
        no_host_check: bool,
    },
}

/// Run a `monitor config` subcommand; returns the exit status.
pub fn main(cmd: ConfigCmd) -> anyhow::Result<i32> {
    use std::io::Write as _;
    match cmd {
        ConfigCmd::Check {
            file,
            no_host_check,
        } => match config::load(&file, &monitor::filter::kernel::check_filter).and_then(|v| {
            if !no_host_check {
                config::check_host(&file, &v)?;
            }
            Ok(v)
        }) {
            Ok(v) => {
                writeln!(
                    std::io::stdout().lock(),
                    "{}: ok ({} interfaces, {} rules, {} triggers)",
                    file.display(),
                    v.config.interfaces.len(),
                    v.config.rules.len(),
                    v.config.triggers.len()
                )?;
                Ok(0)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(2)
            }
        },
    }
}
