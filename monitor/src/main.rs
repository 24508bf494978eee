//! The `monitor` command line: `run` is the daemon; `read`, `filter` and
//! `fields` work offline.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// eBPF/XDP live network monitor that sees traffic the way Wireshark does.
#[derive(Debug, Parser)]
#[command(name = "monitor", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Attach to interfaces and serve metrics (the daemon).
    Run(monitor::daemon::RunArgs),
    /// Read a pcap/pcapng file through the same pipeline (tshark's flags).
    Read(monitor::read::ReadArgs),
    /// Work with display filters.
    #[command(subcommand)]
    Filter(FilterTop),
    /// Fetch a pcapng of the running daemon's flight recorder.
    Dump(monitor::client::DumpArgs),
    /// Work with configuration files.
    #[command(subcommand)]
    Config(monitor::config::ConfigCmd),
    /// List every known field (like `tshark -G fields`).
    Fields,
}

#[derive(Debug, Subcommand)]
enum FilterTop {
    /// Run a capture through the kernel program and the exact evaluator and
    /// compare (needs root).
    Verify(monitor::verify::VerifyArgs),
    #[command(flatten)]
    Other(monitor::filter::FilterCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Run(args) => monitor::daemon::main(args),
        Cmd::Read(args) => monitor::read::main(args),
        Cmd::Filter(FilterTop::Verify(args)) => monitor::verify::main(args),
        Cmd::Filter(FilterTop::Other(cmd)) => monitor::filter::main(cmd),
        Cmd::Config(cmd) => monitor::config::main(cmd),
        Cmd::Dump(args) => monitor::client::main(args),
        Cmd::Fields => {
            for f in monitor::dissect::registry() {
                println!("{}\t{:?}\t{}", f.name, f.ty, f.desc);
            }
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("monitor: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
