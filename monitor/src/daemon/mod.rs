//! `monitor run`: the daemon.

use clap::Args;

/// Arguments of `monitor run`.
#[derive(Debug, Args)]
pub struct RunArgs {}

/// Run the daemon; returns the exit status.
pub fn main(_args: RunArgs) -> anyhow::Result<i32> {
    Ok(0)
}
