//! `monitor capture`: a live view like `tshark -i`. Attaches its own
//! programs ([`monitor::daemon::live_capture`]), and prints each frame as
//! it arrives through `monitor read`'s output path ([`super::read::Printer`]),
//! flushed as soon as the frames waiting in the ring are printed. The
//! kernel part of `-Y` acts as a capture filter: frames it rejects are not
//! captured, numbered or counted.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;

use monitor::daemon::live_capture::{CaptureError, CaptureOptions, LiveCapture};
use monitor::dissect::Pipeline;
use monitor::ebpf::XdpAttachMode;
use monitor::record::FilePacket;
use monitor::recorder::{pcapng, Entry};
use monitor_common::MAX_SNAPLEN;

use super::read::{OutputArgs, Printer};

/// Arguments of `monitor capture` (tshark's spelling).
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Interface to capture on (repeatable) [default: the default route's].
    #[arg(short = 'i', value_name = "IF")]
    pub ifaces: Vec<String>,
    /// Filter, format and count (`-c` counts frames captured).
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the packets printed to this pcapng file.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Stop condition: duration:SECONDS or packets:N.
    #[arg(short = 'a', value_name = "COND", value_parser = parse_autostop)]
    pub autostop: Vec<Autostop>,
    /// Bytes captured per frame, 1 to 2048.
    #[arg(long, short = 's', default_value_t = MAX_SNAPLEN,
          value_parser = clap::value_parser!(u32).range(1..=MAX_SNAPLEN as i64))]
    pub snaplen: u32,
    /// Size of the kernel ring buffer in MiB, a power of two from 1 to
    /// 1024: room for bursts while this process is not scheduled.
    #[arg(short = 'B', value_name = "MiB", default_value_t = 32, value_parser = parse_buffer)]
    pub buffer_mib: u32,
    /// XDP attach mode: auto tries driver mode, then falls back to SKB mode.
    #[arg(long, value_enum, default_value = "auto")]
    pub xdp_mode: XdpAttachMode,
}

/// A `-a` stop condition.
#[derive(Clone, Copy, Debug)]
pub enum Autostop {
    /// Stop after this long.
    Duration(Duration),
    /// Stop after this many frames captured.
    Packets(u64),
}

fn parse_autostop(s: &str) -> Result<Autostop, String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("invalid -a condition \"{s}\" (use duration:S or packets:N)"))?;
    match k {
        "duration" => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| Autostop::Duration(Duration::from_secs_f64(s)))
            .ok_or_else(|| format!("invalid duration \"{v}\"")),
        "packets" => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Autostop::Packets)
            .ok_or_else(|| format!("invalid packet count \"{v}\"")),
        _ => Err(format!(
            "invalid -a condition \"{s}\" (use duration:S or packets:N)"
        )),
    }
}

fn parse_buffer(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=1024).contains(&n) && n.is_power_of_two() => Ok(n),
        _ => Err(format!(
            "invalid buffer size \"{s}\" (MiB: a power of two from 1 to 1024)"
        )),
    }
}

/// Set by SIGINT and SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

fn install_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction with a handler that only stores an
        // atomic flag (async-signal-safe); no SA_RESTART, so a waiting
        // poll(2) returns at once.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// How long a wait for frames lasts at most, so that stop conditions are
/// seen soon after they hold.
const WAIT: Duration = Duration::from_millis(100);

/// Run `monitor capture`; returns the exit status.
pub fn main(args: CaptureArgs) -> anyhow::Result<i32> {
    let mut pipe = Pipeline::new();
    let mut printer = match Printer::new(&args.output, &mut pipe) {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    let mut limit = args.output.count;
    let mut deadline = None;
    for a in &args.autostop {
        match *a {
            Autostop::Duration(d) => deadline = Some(d),
            Autostop::Packets(n) => limit = Some(limit.map_or(n, |c| c.min(n))),
        }
    }
    let opts = CaptureOptions {
        ifaces: args.ifaces.clone(),
        filter: args.output.filter.clone(),
        snaplen: args.snaplen,
        xdp_mode: args.xdp_mode,
        ring_bytes: args.buffer_mib << 20,
    };
    install_signals();
    let mut cap = match LiveCapture::start(&opts) {
        Ok(c) => c,
        Err(e @ CaptureError::Held { .. }) => {
            eprintln!("monitor: {e}; `monitor tail` follows a running daemon's samples");
            return Ok(2);
        }
        Err(e) => {
            eprintln!("monitor: {e:#}");
            return Ok(2);
        }
    };
    let names: Vec<(u32, String)> = cap
        .ifaces()
        .iter()
        .map(|i| (i.index, i.name.clone()))
        .collect();
    let quoted: Vec<String> = names.iter().map(|(_, n)| format!("'{n}'")).collect();
    eprintln!("Capturing on {}", quoted.join(" and "));
    let name_of = |ifindex: u32| {
        names
            .iter()
            .find(|(i, _)| *i == ifindex)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let mut file = match &args.write {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let w = std::io::BufWriter::new(f);
            Some(pcapng::Writer::new(
                w,
                &pcapng::SectionInfo::default(),
                args.snaplen,
            )?)
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let started = Instant::now();
    // Frames taken from the ring (what `-c` counts, as tshark's `-c`
    // counts the frames dumpcap captured) and frames shown (what tshark's
    // closing `N packets captured` counts).
    let mut captured = 0u64;
    let mut shown = 0u64;
    let result = (|| -> std::io::Result<()> {
        printer.start(&mut w)?;
        w.flush()?;
        'capture: loop {
            if STOP.load(Ordering::Relaxed) {
                break;
            }
            let wait = match deadline {
                Some(d) => match d.checked_sub(started.elapsed()) {
                    Some(left) => left.min(WAIT),
                    None => break,
                },
                None => WAIT,
            };
            cap.wait(wait);
            while let Some(record) = cap.next_frame() {
                if limit.is_some_and(|n| captured >= n) {
                    break 'capture;
                }
                captured += 1;
                let linktype = monitor::record::live_link_type(record.iface);
                let pkt = FilePacket {
                    record,
                    linktype,
                    pcapng: None,
                    flags: None,
                    comments: Vec::new(),
                    // Kernel timestamps have nanoseconds.
                    ts_digits: 9,
                };
                if printer.packet(&mut pipe, &pkt, &mut w)? {
                    shown += 1;
                    if let Some(f) = file.as_mut() {
                        f.packet(&Entry::new(pkt.record), &name_of)?;
                    }
                }
                if limit.is_some_and(|n| captured >= n) {
                    break 'capture;
                }
            }
            w.flush()?;
        }
        printer.end(&mut w)?;
        w.flush()
    })();
    let dropped = cap.dropped();
    // Detach before anything else can fail.
    drop(cap);
    let written = file.map(|f| f.finish(None).and_then(|mut w| w.flush()));
    // tshark's closing lines: the drops per interface, then the count.
    for (name, n) in dropped {
        if n > 0 {
            eprintln!("{} dropped from {name}", super::packets(n));
        }
    }
    eprintln!("{} captured", super::packets(shown));
    super::live_exit(written, args.write.as_deref(), result)
}
