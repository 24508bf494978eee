//! `monitor tail`: follow the running daemon's samples as they come
//! (`GET /api/v1/tail`, filtered in the daemon) and print each one through
//! `monitor read`'s output path ([`super::read::Printer`]). Each sample is
//! one frame cut at the daemon's snaplen and is dissected on its own, as
//! the daemon does (no TCP reassembly across samples).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::os::fd::AsRawFd as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};

use clap::Args;

use monitor::capture::CaptureReader;
use monitor::dissect::Pipeline;
use monitor::recorder::{pcapng, Entry};

use super::client::encode;
use super::read::{OutputArgs, Printer};

/// Arguments of `monitor tail`.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// Where the daemon is.
    #[command(flatten)]
    pub daemon: super::client::DaemonArgs,
    /// Filter (applied in the daemon), format and count.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the packets printed to this pcapng file.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Have the daemon sample every frame the filter's kernel part
    /// accepts while this runs (a temporary kernel rule, removed when this
    /// client goes away however it ends).
    #[arg(long)]
    pub all: bool,
}

/// The connection to the daemon, shut down by SIGINT and SIGTERM so that
/// the stream ends and the output is finished properly.
static SOCKET: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_: libc::c_int) {
    let fd = SOCKET.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: shutdown(2) is async-signal-safe; the descriptor is open
        // for as long as SOCKET holds it.
        unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
    }
}

fn install_signals() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction whose handler only calls shutdown(2).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Run `monitor tail`; returns the exit status.
pub fn main(args: TailArgs) -> anyhow::Result<i32> {
    // As the daemon dissects its samples: each frame on its own.
    let mut pipe = Pipeline::new();
    pipe.set_tcp_desegment(false);
    let mut printer = match Printer::new(&args.output, &mut pipe) {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    let (connect, token_file) = match args.daemon.endpoint() {
        Ok(e) => e,
        Err(m) => {
            eprintln!("monitor: {m}");
            return Ok(2);
        }
    };
    let token = match &token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    let mut stream = match TcpStream::connect(&connect) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("monitor: cannot reach the daemon at {connect}: {e}");
            return Ok(2);
        }
    };
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut params = Vec::new();
    if let Some(f) = &args.output.filter {
        params.push(format!("filter={}", encode(f)));
    }
    if args.all {
        params.push("all=1".to_string());
    }
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    write!(
        stream,
        "GET /api/v1/tail{query} HTTP/1.0\r\nHost: {connect}\r\n{auth}\r\n"
    )?;
    SOCKET.store(stream.as_raw_fd(), Ordering::Relaxed);
    install_signals();
    let mut body = BufReader::new(&stream);
    let mut status_line = String::new();
    body.read_line(&mut status_line)?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    loop {
        let mut line = String::new();
        if body.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    if status != 200 {
        let mut why = String::new();
        let _ = body.read_to_string(&mut why);
        eprint!("monitor: the daemon refused to be followed ({status}): {why}");
        return Ok(2);
    }
    let mut reader = match CaptureReader::new(body) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("monitor: reading the daemon's stream: {e}");
            return Ok(2);
        }
    };
    eprintln!("Following the samples of the daemon at {connect}");
    let mut file = match &args.write {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Some(pcapng::Writer::new(
                std::io::BufWriter::new(f),
                &pcapng::SectionInfo::default(),
                monitor_common::MAX_SNAPLEN,
            )?)
        }
        None => None,
    };
    // Interface names of the stream, by its interface ids.
    let mut names: Vec<(u32, String)> = Vec::new();
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut received = 0u64;
    let result = (|| -> std::io::Result<()> {
        printer.start(&mut w)?;
        w.flush()?;
        // A stream cut by a signal ends in the middle of a block: that is
        // its end, not an error.
        while let Some(Ok(pkt)) = reader.next_packet() {
            if args.output.count.is_some_and(|c| received >= c) {
                break;
            }
            received += 1;
            let shown = printer.packet(&mut pipe, &pkt, &mut w)?;
            w.flush()?;
            if let (true, Some(f)) = (shown, file.as_mut()) {
                if let Some(info) = &pkt.pcapng {
                    if !names.iter().any(|(i, _)| *i == pkt.record.iface) {
                        names.push((pkt.record.iface, info.interface_name.to_string()));
                    }
                }
                let name_of = |id: u32| {
                    names
                        .iter()
                        .find(|(i, _)| *i == id)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default()
                };
                monitor::record::set_live_link_type(pkt.record.iface, pkt.linktype);
                f.packet(&Entry::new(pkt.record), &name_of)?;
            }
            if args.output.count.is_some_and(|c| received >= c) {
                break;
            }
        }
        printer.end(&mut w)?;
        w.flush()
    })();
    SOCKET.store(-1, Ordering::Relaxed);
    let written = file.map(|f| f.finish(None).and_then(|mut w| w.flush()));
    let dropped = reader.dropped();
    if dropped > 0 {
        eprintln!(
            "{} dropped (the daemon's queue for this follower was full)",
            super::packets(dropped)
        );
    }
    eprintln!("{} received", super::packets(received));
    super::live_exit(written, args.write.as_deref(), result)
}
