//! Wireshark's display-filter language: parser, type checker, exact
//! user-space evaluator, and the compiler of the kernel-decidable subset.

use clap::Subcommand;

/// `monitor filter …`
#[derive(Debug, Subcommand)]
pub enum FilterCmd {
    /// Parse and type-check an expression; print it normalised.
    Check {
        /// The display filter.
        expr: String,
    },
}

/// Run a `monitor filter` subcommand; returns the exit status.
pub fn main(cmd: FilterCmd) -> anyhow::Result<i32> {
    match cmd {
        FilterCmd::Check { .. } => {
            eprintln!("monitor: display filters are not available yet");
            Ok(2)
        }
    }
}
