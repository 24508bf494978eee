//! `monitor run`: the daemon's command line. Flags override the
//! configuration file; the daemon itself is [`monitor::daemon::run`].

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use monitor::{
    daemon::{self, RunOptions},
    ebpf::XdpAttachMode,
};
use monitor_common::MAX_SNAPLEN;

/// Arguments of `monitor run`. Flags override the configuration file.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Configuration file (TOML). Without it, built-in defaults apply.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Interface to monitor (repeatable). Default: the config's interfaces,
    /// else the default route's interface.
    #[arg(long = "iface", short = 'i')]
    pub ifaces: Vec<String>,
    /// Address of the HTTP server (`/metrics`) [default: 127.0.0.1:9477].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// XDP attach mode: auto tries driver mode, then falls back to SKB mode [default: auto].
    #[arg(long, value_enum)]
    pub xdp_mode: Option<XdpAttachMode>,
    /// Fraction of packets sampled to user space, 0 to 1 [default: 0.01].
    #[arg(long, value_parser = parse_fraction)]
    pub sample: Option<f64>,
    /// Bytes of each sampled packet sent to user space, 1 to 2048 [default: 256].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_SNAPLEN as i64))]
    pub snaplen: Option<u32>,
    /// Size of each ring buffer in bytes, a power of two [default: 8388608].
    #[arg(long, value_parser = parse_ring_size)]
    pub ring_bytes: Option<u32>,
    /// Print a traffic summary on stderr each second in which packets were seen.
    #[arg(long)]
    pub summary: bool,
    /// Directory for dumps written on SIGUSR1 and by triggers [default:
    /// the config's `dump_dir`, else /var/lib/monitor/dumps].
    #[arg(long, value_name = "DIR")]
    pub dump_dir: Option<PathBuf>,
}

impl From<RunArgs> for RunOptions {
    fn from(a: RunArgs) -> Self {
        let RunArgs {
            config,
            ifaces,
            listen,
            xdp_mode,
            sample,
            snaplen,
            ring_bytes,
            summary,
            dump_dir,
        } = a;
        RunOptions {
            config,
            ifaces,
            listen,
            xdp_mode,
            sample,
            snaplen,
            ring_bytes,
            summary,
            dump_dir,
        }
    }
}

/// Run the daemon; its errors are printed by `main` (exit status 2).
pub fn main(args: RunArgs) -> anyhow::Result<i32> {
    daemon::run(args.into())?;
    Ok(0)
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1"))
    }
}

fn parse_ring_size(s: &str) -> Result<u32, String> {
    let v: u32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if v >= 4096 && v.is_power_of_two() {
        Ok(v)
    } else {
        Err(format!("{v} is not a power of two of at least 4096"))
    }
}
