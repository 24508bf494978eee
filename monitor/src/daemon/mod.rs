//! `monitor run`: the daemon. Checks its inputs before touching the kernel,
//! loads and attaches the programs, then runs three tasks until SIGINT or
//! SIGTERM: the ring-buffer reader, the HTTP server (`/metrics`), and the
//! optional per-second summary. Dropping the programs detaches them.
//! [`live_capture`] is `monitor capture`'s own attachment, without the
//! daemon.

pub mod dump;
pub mod estimate;
mod http;
pub mod live;
pub mod live_capture;
mod metrics;
pub(crate) mod preflight;
mod ring;
pub mod rules;
pub mod status;
mod summary;
pub mod tcp_live;
pub mod triggers;

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use anyhow::Context as _;
use tokio::sync::watch;

use crate::{
    config,
    ebpf::{Programs, XdpAttachMode},
};

pub use metrics::Metrics;
pub use preflight::{default_route_interface, PreflightError};

/// What `monitor run` was asked for on its command line; each set value
/// overrides the configuration file.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Configuration file (TOML). Without it, built-in defaults apply.
    pub config: Option<PathBuf>,
    /// Interface to monitor (repeatable). Default: the config's interfaces,
    /// else the default route's interface.
    pub ifaces: Vec<String>,
    /// Address of the HTTP server (`/metrics`) [default: 127.0.0.1:9477].
    pub listen: Option<SocketAddr>,
    /// XDP attach mode: auto tries driver mode, then falls back to SKB mode [default: auto].
    pub xdp_mode: Option<XdpAttachMode>,
    /// Fraction of packets sampled to user space, 0 to 1 [default: 0.01].
    pub sample: Option<f64>,
    /// Bytes of each sampled packet sent to user space, 1 to 2048 [default: 256].
    pub snaplen: Option<u32>,
    /// Size of each ring buffer in bytes, a power of two [default: 8388608].
    pub ring_bytes: Option<u32>,
    /// Print a traffic summary on stderr each second in which packets were seen.
    pub summary: bool,
    /// Directory for dumps written on SIGUSR1 and by triggers [default:
    /// the config's `dump_dir`, else /var/lib/monitor/dumps].
    pub dump_dir: Option<PathBuf>,
}

/// Settings after merging the file and the flags.
#[derive(Debug)]
pub struct Settings {
    /// Interface names and attach modes.
    pub ifaces: Vec<(String, XdpAttachMode)>,
    /// HTTP address.
    pub listen: SocketAddr,
    /// Global sample fraction.
    pub sample: f64,
    /// Snaplen.
    pub snaplen: u32,
    /// Ring buffer size.
    pub ring_bytes: u32,
    /// The validated file (defaults when none was given).
    pub file: config::Validated,
}

impl Settings {
    /// Load the config (if any) and apply the flags.
    pub fn resolve(args: &RunOptions) -> Result<Self, String> {
        let file = match &args.config {
            Some(path) => {
                config::load(path, &crate::filter::kernel::check_filter).map_err(|e| e.summary())?
            }
            None => config::parse("(defaults)", "", &crate::filter::kernel::check_filter)
                .map_err(|e| e.to_string())?,
        };
        let xdp_default = args.xdp_mode.unwrap_or_default();
        let ifaces = if !args.ifaces.is_empty() {
            args.ifaces
                .iter()
                .map(|n| (n.clone(), xdp_default))
                .collect()
        } else {
            file.config
                .interfaces
                .iter()
                .map(|i| {
                    (
                        i.name.get_ref().clone(),
                        args.xdp_mode.unwrap_or(i.xdp_mode),
                    )
                })
                .collect()
        };
        let listen = args.listen.unwrap_or(file.listen);
        let mut file = file;
        if let Some(dir) = &args.dump_dir {
            if dir.as_os_str().is_empty() {
                return Err("--dump-dir needs a directory".into());
            }
            file.config.daemon.dump_dir = dir.clone();
        }
        if !listen.ip().is_loopback() && file.config.daemon.token_file.is_none() {
            return Err(format!(
                "listening on {listen} (beyond loopback) needs a bearer token: set [daemon] token_file in the configuration"
            ));
        }
        Ok(Self {
            ifaces,
            listen,
            sample: args
                .sample
                .unwrap_or(*file.config.sampling.sample.get_ref()),
            snaplen: args
                .snaplen
                .unwrap_or(*file.config.sampling.snaplen.get_ref()),
            ring_bytes: args.ring_bytes.unwrap_or(file.ring_bytes),
            file,
        })
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

impl Iface {
    /// Whether this is a loopback device (`IFF_LOOPBACK` in its flags):
    /// every packet there is both sent and received.
    pub fn is_loopback(&self) -> bool {
        std::fs::read_to_string(format!("/sys/class/net/{}/flags", self.name))
            .ok()
            .and_then(|f| u32::from_str_radix(f.trim().trim_start_matches("0x"), 16).ok())
            .is_some_and(|f| f & libc::IFF_LOOPBACK as u32 != 0)
    }
}

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration file or the options are invalid.
    #[error("{0}")]
    Settings(String),
    /// An interface or a privilege is missing.
    #[error(transparent)]
    Preflight(#[from] PreflightError),
    /// A rule's filter cannot be compiled for the kernel.
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    /// Loading, attaching or serving failed.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Run the daemon until SIGINT or SIGTERM. Everything is checked before
/// the kernel is touched.
pub fn run(options: RunOptions) -> Result<(), RunError> {
    let settings = Settings::resolve(&options).map_err(RunError::Settings)?;
    init_logging(
        &settings.file.config.daemon.log_level,
        settings.file.config.daemon.log_format,
    );
    let names: Vec<String> = settings.ifaces.iter().map(|(n, _)| n.clone()).collect();
    let ifaces = preflight::check(&names)?;
    let rules = rules::RuleSet::compile(&settings.file.config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(serve(options, settings, ifaces, rules))?;
    Ok(())
}

fn init_logging(level: &str, format: config::LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = match format {
        config::LogFormat::Text => builder.try_init(),
        config::LogFormat::Json => builder.json().try_init(),
    };
}

async fn serve(
    args: RunOptions,
    settings: Settings,
    ifaces: Vec<Iface>,
    rules: rules::RuleSet,
) -> anyhow::Result<()> {
    let mut programs = Programs::load(settings.ring_bytes)?;
    programs.configure_all(settings.sample, settings.snaplen, rules.tcp_scope.is_some())?;
    let mut tables = programs.take_rules()?;
    let control = rules::Control::new(rules, &mut tables)?;
    let mut rule_specs = rules::RuleSpec::of(&settings.file.config);
    let mut iface_states = Vec::new();
    for (iface, (_, mode)) in ifaces.iter().zip(&settings.ifaces) {
        let linktype = crate::record::link_type_of_device(&iface.name);
        crate::record::set_live_link_type(iface.index, linktype);
        let raw_ip = linktype != crate::record::linktype::LINKTYPE_ETHERNET;
        programs.register_iface(iface.index, iface.slot, raw_ip)?;
        let mode = programs.attach_xdp(&iface.name, *mode)?;
        programs.attach_tc(&iface.name)?;
        iface_states.push(status::IfaceState {
            name: iface.name.clone(),
            ifindex: Some(iface.index),
            xdp_mode: Some(mode.as_str()),
            link_type: linktype,
        });
        tracing::info!(iface = %iface.name, ifindex = iface.index, xdp_mode = ?mode, "attached XDP ingress and TC egress");
    }
    let ebpf_log = programs.take_logger();
    let ring = programs.take_ring()?;
    let tcp_ring = programs.take_tcp_ring()?;
    let counters = programs.take_counters()?;
    let programs = Arc::new(std::sync::Mutex::new(programs));
    let metrics = Arc::new(Metrics::new(&ifaces, counters, control.names())?);
    let file = &settings.file;
    let recorder = Arc::new(crate::recorder::Recorder::new(crate::recorder::Config {
        max_bytes: file.recorder_bytes as usize,
        max_age: file.recorder_age,
    }));
    let recorder_filter = match file.config.recorder.filter.get_ref().as_str() {
        "" => None,
        f => Some(
            crate::filter::compile(f)
                .map_err(|e| anyhow::anyhow!("recorder filter: {}", e.message))?,
        ),
    };
    let live = Arc::new(
        live::Live::new(
            recorder.clone(),
            recorder_filter,
            metrics.clone(),
            control.live_rules(),
            crate::tcp_analysis::Config {
                max_flows: *file.config.tcp.max_flows.get_ref() as usize,
                idle_timeout: Some(file.idle_timeout.as_nanos() as i64),
                handshake_timeout: file.handshake_timeout.as_nanos() as i64,
                ..Default::default()
            },
            settings.sample,
        )
        .with_tcp_workers(file.workers)
        .with_loopback(ifaces.iter().filter(|i| i.is_loopback()).map(|i| i.index)),
    );
    let dumps = Arc::new(dump::Dumps::new(
        file.config.daemon.dump_dir.clone(),
        *file.config.dumps.max_files.get_ref() as usize,
        file.dumps_bytes,
        recorder.clone(),
        metrics.clone(),
        ifaces.iter().map(|i| (i.index, i.name.clone())).collect(),
    ));
    let token = match &file.config.daemon.token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("reading token_file {}", p.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    if !settings.listen.ip().is_loopback() {
        tracing::warn!(listen = %settings.listen, "the HTTP API listens beyond loopback; requests need the bearer token");
    }
    let control = Arc::new(std::sync::Mutex::new((control, tables)));
    let status = Arc::new(status::Status::new(args.config.clone(), iface_states));

    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding the HTTP server to {}", settings.listen))?;
    tracing::info!(listen = %settings.listen, "serving /metrics");

    let (stop_tx, stop_rx) = watch::channel(false);
    let watcher = tokio::spawn(watch_interfaces(
        programs.clone(),
        ifaces
            .iter()
            .zip(&settings.ifaces)
            .map(|(i, (_, m))| (i.clone(), *m))
            .collect(),
        metrics.clone(),
        status.clone(),
        stop_rx.clone(),
    ));
    let log_task = ebpf_log.map(|l| tokio::spawn(ring::forward_logs(l, stop_rx.clone())));
    let (flush, flush_requests) = ring::Flush::new();
    let reader = tokio::spawn(ring::read(
        ring,
        live.clone(),
        stop_rx.clone(),
        flush_requests,
    ));
    let tcp_reader = tokio::spawn(ring::read_tcp(tcp_ring, live.clone(), stop_rx.clone()));
    let server = tokio::spawn(http::serve(
        listener,
        http::State {
            metrics: metrics.clone(),
            dumps: dumps.clone(),
            flush: flush.clone(),
            status: status.clone(),
            token,
            live: live.clone(),
            stop: stop_rx.clone(),
            control: control.clone(),
        },
        stop_rx.clone(),
    ));
    let triggers = file
        .config
        .triggers
        .iter()
        .map(triggers::Trigger::from_config)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("trigger: {e}"))?;
    let ticker = tokio::spawn(tick(
        live.clone(),
        recorder.clone(),
        metrics.clone(),
        dumps.clone(),
        flush.clone(),
        triggers,
        stop_rx.clone(),
    ));
    let summary = args
        .summary
        .then(|| tokio::spawn(summary::print(metrics.clone(), stop_rx.clone())));
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);

    let mut signals = Signals::new()?;
    loop {
        match signals.next().await {
            Signal::Stop => break,
            Signal::Reload => {
                let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Reloading]);
                let result = reload(&args, &control, &metrics);
                match result {
                    Ok((names, specs)) => {
                        let changes = rules::RuleChanges::between(&rule_specs, &specs);
                        rule_specs = specs;
                        metrics.set_rule_names(names);
                        if let Ok(c) = control.lock() {
                            live.set_rules(c.0.live_rules());
                        }
                        metrics.reloads.inc();
                        status.reloaded(Ok(()));
                        tracing::info!("configuration reloaded: {changes}");
                    }
                    Err(e) => {
                        metrics.reload_failures.inc();
                        status.reloaded(Err(e.clone()));
                        tracing::error!("reload rejected, keeping the running configuration: {e}");
                    }
                }
                let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
            }
            Signal::Dump => {
                flush.flush().await;
                let d = dumps.clone();
                match tokio::task::spawn_blocking(move || d.to_dir()).await {
                    Ok(Ok(path)) => tracing::info!(path = %path.display(), "dump written"),
                    Ok(Err(e)) => tracing::error!("dump failed: {e}"),
                    Err(e) => tracing::error!("dump failed: {e}"),
                }
            }
        }
    }
    tracing::info!("stopping");
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Stopping]);
    let _ = stop_tx.send(true);
    let _ = reader.await;
    let _ = tcp_reader.await;
    let _ = ticker.await;
    let _ = watcher.await;
    if let Some(t) = log_task {
        let _ = t.await;
    }
    let _ = server.await;
    if let Some(s) = summary {
        let _ = s.await;
    }
    drop(programs);
    tracing::info!("detached, bye");
    Ok(())
}

/// The rule slots' names after a reload, and the rules as now configured.
type Reloaded = (Vec<Option<(String, bool)>>, Vec<rules::RuleSpec>);

/// Re-read the configuration and swap the rules; on any error nothing changes.
fn reload(
    args: &RunOptions,
    control: &std::sync::Mutex<(rules::Control, crate::ebpf::RuleTables)>,
    metrics: &Metrics,
) -> Result<Reloaded, String> {
    let settings = Settings::resolve(args)?;
    let rules = rules::RuleSet::compile(&settings.file.config).map_err(|e| e.to_string())?;
    let mut guard = control
        .lock()
        .map_err(|_| "rule control poisoned".to_string())?;
    let (control, tables) = &mut *guard;
    control
        .replace(rules, tables, &mut |slot| metrics.rebase_rule(slot))
        .map_err(|e| format!("{e:#}"))?;
    Ok((control.names(), rules::RuleSpec::of(&settings.file.config)))
}

/// Re-attach to interfaces that disappear and come back (possibly with a
/// new index); the others keep working meanwhile.
async fn watch_interfaces(
    programs: Arc<std::sync::Mutex<Programs>>,
    ifaces: Vec<(Iface, XdpAttachMode)>,
    metrics: Arc<Metrics>,
    status: Arc<status::Status>,
    mut stop: watch::Receiver<bool>,
) {
    let mut known: Vec<Option<u32>> = ifaces.iter().map(|(i, _)| Some(i.index)).collect();
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        for ((iface, mode), last) in ifaces.iter().zip(known.iter_mut()) {
            let now = crate::ebpf::sys::ifindex(&iface.name);
            if now == *last {
                continue;
            }
            let Some(index) = now else {
                tracing::warn!(iface = %iface.name, "interface disappeared; will re-attach when it returns");
                status.set_iface(&iface.name, None);
                *last = None;
                continue;
            };
            let Ok(mut p) = programs.lock() else { return };
            let linktype = crate::record::link_type_of_device(&iface.name);
            crate::record::set_live_link_type(index, linktype);
            let raw_ip = linktype != crate::record::linktype::LINKTYPE_ETHERNET;
            let attached = p
                .register_iface(index, iface.slot, raw_ip)
                .and_then(|_| p.attach_xdp(&iface.name, *mode))
                .and_then(|m| p.attach_tc(&iface.name).map(|_| m));
            match attached {
                Ok(m) => {
                    metrics.set_iface(index, &iface.name);
                    status.set_iface(&iface.name, Some((index, m.as_str(), linktype)));
                    tracing::info!(iface = %iface.name, ifindex = index, xdp_mode = ?m, "interface is back, re-attached");
                    *last = Some(index);
                }
                Err(e) => {
                    tracing::warn!(iface = %iface.name, "re-attaching failed, will retry: {e:#}")
                }
            }
        }
        metrics.set_attached(known.iter().filter(|k| k.is_some()).count());
    }
}

enum Signal {
    Stop,
    Reload,
    Dump,
}

/// Once a second: handshake timeouts, analyzer and recorder gauges, and
/// the dump triggers.
async fn tick(
    live: Arc<live::Live>,
    recorder: Arc<crate::recorder::Recorder>,
    metrics: Arc<Metrics>,
    dumps: Arc<dump::Dumps>,
    flush: ring::Flush,
    mut triggers: Vec<triggers::Trigger>,
    mut stop: watch::Receiver<bool>,
) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        live.tick(now);
        recorder.expire(now);
        let s = recorder.stats();
        metrics.recorder_stats(s.entries as u64, s.bytes as u64);
        if triggers.is_empty() {
            continue;
        }
        let families = metrics.gather();
        let at = std::time::Instant::now();
        for t in &mut triggers {
            if t.observe(at, &families) {
                metrics.trigger_fired(&t.name);
                tracing::warn!(trigger = %t.name, "trigger fired, dumping the flight recorder");
                flush.flush().await;
                let d = dumps.clone();
                let name = t.name.clone();
                tokio::task::spawn_blocking(move || match d.to_dir() {
                    Ok(p) => tracing::info!(trigger = %name, path = %p.display(), "dump written"),
                    Err(e) => tracing::error!(trigger = %name, "dump failed: {e}"),
                });
            }
        }
    }
}

/// SIGTERM/SIGINT stop the daemon; SIGHUP reloads the configuration.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    usr1: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            term: signal(SignalKind::terminate()).context("installing SIGTERM handler")?,
            int: signal(SignalKind::interrupt()).context("installing SIGINT handler")?,
            hup: signal(SignalKind::hangup()).context("installing SIGHUP handler")?,
            usr1: signal(SignalKind::user_defined1()).context("installing SIGUSR1 handler")?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::Stop,
            _ = self.int.recv() => Signal::Stop,
            _ = self.hup.recv() => Signal::Reload,
            _ = self.usr1.recv() => Signal::Dump,
        }
    }
}
