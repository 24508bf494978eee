//! The `monitor` command line: `run` is the daemon; `capture` is a live
//! view of its own; `read`, `filter` and `fields` work offline.

#![deny(clippy::print_stdout)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;
#[cfg(test)]
mod dist;

/// eBPF/XDP live network monitor that sees traffic the way Wireshark does.
///
/// An XDP program (ingress) and a TC program (egress) parse every frame in
/// the kernel and count it per interface, direction and protocol; a sample
/// of frames goes through a BPF ring buffer to the daemon (`monitor run`),
/// which dissects them as Wireshark does and exports Prometheus metrics on
/// /metrics. The programs never drop or modify traffic, and they are
/// attached through BPF links, so they are detached when the daemon exits,
/// even if it is killed. `read`, `filter`, `fields` and `config` work
/// offline; `dump`, `status` and `tail` ask the running daemon.
#[derive(Debug, Parser)]
#[command(name = "monitor", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Attach to interfaces and serve metrics (the daemon).
    Run(cli::run::RunArgs),
    /// Read a pcap/pcapng file through the same pipeline (tshark's flags).
    Read(cli::read::ReadArgs),
    /// Capture live on interfaces and print packets as they arrive (like
    /// `tshark -i`; needs root).
    Capture(cli::capture::CaptureArgs),
    /// Follow the running daemon's samples as they come (its filter applied
    /// in the daemon), printed as `read` prints them.
    Tail(cli::tail::TailArgs),
    /// Work with display filters.
    #[command(subcommand)]
    Filter(FilterTop),
    /// Fetch a pcapng of the running daemon's flight recorder.
    Dump(cli::client::DumpArgs),
    /// Show the running daemon's interfaces, rules, uptime, reloads and losses.
    Status(cli::client::StatusArgs),
    /// Work with configuration files.
    #[command(subcommand)]
    Config(cli::config::ConfigCmd),
    /// List every known protocol and field, in the columns of `tshark -G
    /// fields`.
    Fields,
}

#[derive(Debug, Subcommand)]
enum FilterTop {
    /// Run a capture through the kernel program and the exact evaluator and
    /// compare (needs root).
    Verify(cli::verify::VerifyArgs),
    #[command(flatten)]
    Other(cli::filter::FilterCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(cli.cmd);
    match result {
        Ok(code) => ExitCode::from(code as u8),
        // The reader of stdout went away (`monitor fields | head -1`):
        // nothing more can be said to it, and nothing went wrong here.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("monitor: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// True when `e` comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Run one subcommand. Output goes through `write!` to a locked stdout,
/// never `println!` (which panics when the reader has gone): a write error
/// comes back here as an error.
fn run(cmd: Cmd) -> anyhow::Result<i32> {
    match cmd {
        Cmd::Run(args) => cli::run::main(args),
        Cmd::Read(args) => cli::read::main(args),
        Cmd::Capture(args) => cli::capture::main(args),
        Cmd::Tail(args) => cli::tail::main(args),
        Cmd::Filter(FilterTop::Verify(args)) => cli::verify::main(args),
        Cmd::Filter(FilterTop::Other(cmd)) => cli::filter::main(cmd),
        Cmd::Config(cmd) => cli::config::main(cmd),
        Cmd::Dump(args) => cli::client::main(args),
        Cmd::Status(args) => cli::client::status(args),
        Cmd::Fields => cli::fields::main(),
    }
}
