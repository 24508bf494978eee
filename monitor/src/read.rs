//! `monitor read`: the offline pipeline on a capture file, with tshark's flags.

use clap::Args;

/// Arguments of `monitor read` (tshark's spelling).
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture file to read (pcap or pcapng).
    #[arg(short = 'r')]
    pub file: std::path::PathBuf,
}

/// Run `monitor read`; returns the exit status.
pub fn main(_args: ReadArgs) -> anyhow::Result<i32> {
    eprintln!("monitor: read is not available yet");
    Ok(2)
}
