//! `monitor run`: the daemon. Checks its inputs before touching the kernel,
//! loads and attaches the programs, then runs three tasks until SIGINT or
//! SIGTERM: the ring-buffer reader, the HTTP server (`/metrics`), and the
//! optional per-second summary. Dropping the programs detaches them.

mod http;
mod metrics;
mod preflight;
mod ring;
mod summary;

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use clap::Args;
use monitor_common::{DEFAULT_SNAPLEN, MAX_SNAPLEN};
use tokio::sync::watch;

use crate::ebpf::{Programs, XdpAttachMode, DEFAULT_RING_BYTES};

pub use metrics::Metrics;
pub use preflight::{default_route_interface, PreflightError};

/// Arguments of `monitor run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Interface to monitor (repeatable). Default: the default route's interface.
    #[arg(long = "iface", short = 'i')]
    pub ifaces: Vec<String>,
    /// Address of the HTTP server (`/metrics`).
    #[arg(long, default_value = "127.0.0.1:9477")]
    pub listen: SocketAddr,
    /// XDP attach mode: auto tries driver mode, then falls back to SKB mode.
    #[arg(long, value_enum, default_value_t = XdpAttachMode::Auto)]
    pub xdp_mode: XdpAttachMode,
    /// Fraction of packets sampled to user space, 0 to 1.
    #[arg(long, default_value_t = 0.01, value_parser = parse_fraction)]
    pub sample: f64,
    /// Bytes of each sampled packet sent to user space (max 2048).
    #[arg(long, default_value_t = DEFAULT_SNAPLEN, value_parser = clap::value_parser!(u32).range(1..=MAX_SNAPLEN as i64))]
    pub snaplen: u32,
    /// Ring buffer size in bytes (a power of two, at least 4096).
    #[arg(long, default_value_t = DEFAULT_RING_BYTES, value_parser = parse_ring_size)]
    pub ring_bytes: u32,
    /// Print a per-second traffic summary on stderr.
    #[arg(long)]
    pub summary: bool,
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

/// An interface being monitored.
#[derive(Clone, Debug)]
pub struct Iface {
    /// Name.
    pub name: String,
    /// Kernel interface index.
    pub index: u32,
    /// Counter slot in the kernel maps.
    pub slot: u32,
}

/// Run the daemon; returns the exit status.
pub fn main(args: RunArgs) -> anyhow::Result<i32> {
    init_logging();
    let ifaces = match preflight::check(&args.ifaces) {
        Ok(ifaces) => ifaces,
        Err(e) => {
            eprintln!("monitor: error: {e}");
            return Ok(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(run(args, ifaces))?;
    Ok(0)
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

async fn run(args: RunArgs, ifaces: Vec<Iface>) -> anyhow::Result<()> {
    let mut programs = Programs::load(args.ring_bytes)?;
    programs.configure(args.sample, args.snaplen)?;
    for iface in &ifaces {
        programs.register_iface(iface.index, iface.slot)?;
        let mode = programs.attach_xdp(&iface.name, args.xdp_mode)?;
        programs.attach_tc(&iface.name)?;
        tracing::info!(iface = %iface.name, ifindex = iface.index, xdp_mode = ?mode, "attached XDP ingress and TC egress");
    }
    let ring = programs.take_ring()?;
    let counters = programs.take_counters()?;
    let metrics = Arc::new(Metrics::new(&ifaces, counters)?);

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding the HTTP server to {}", args.listen))?;
    tracing::info!(listen = %args.listen, "serving /metrics");

    let (stop_tx, stop_rx) = watch::channel(false);
    let reader = tokio::spawn(ring::read(ring, metrics.clone(), stop_rx.clone()));
    let server = tokio::spawn(http::serve(listener, metrics.clone(), stop_rx.clone()));
    let summary = args
        .summary
        .then(|| tokio::spawn(summary::print(metrics.clone(), stop_rx.clone())));

    wait_for_signal().await?;
    tracing::info!("stopping");
    let _ = stop_tx.send(true);
    let _ = reader.await;
    let _ = server.await;
    if let Some(s) = summary {
        let _ = s.await;
    }
    drop(programs);
    tracing::info!("detached, bye");
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
    Ok(())
}
