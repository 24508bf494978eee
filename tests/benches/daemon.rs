//! The daemon's CPU cost per record under a flood through a veth.
//!
//! `cargo xtask bench` (root). The daemon (`MONITOR_BIN`, default
//! `target/release/monitor`) watches the host end of a veth pair whose other
//! end is in a network namespace; a sender thread inside the namespace
//! floods the host end for a few seconds:
//! - UDP datagrams (64 bytes of payload) with `--sample 1`: every frame is a
//!   sample the daemon dissects;
//! - four TCP connections sending as fast as they can with `--sample 0`,
//!   with one and with two TCP analysis workers (`[daemon] workers`): every
//!   segment (data one way, ACKs the other) is a TCP header record the
//!   daemon analyses.
//!
//! The daemon's CPU time is read from `/proc/PID/stat` (user + system)
//! before and after; records from its own counters. The table gives CPU
//! ns per record received, the records per second, and the records the
//! kernel could not queue (ring full: the daemon fell behind). A benchmark:
//! nothing here fails on timing.

use std::{
    io::{Read as _, Write as _},
    net::{TcpListener, TcpStream, UdpSocket},
    os::fd::AsRawFd as _,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use monitor_tests::{Daemon, Metrics, Netns};

/// Seconds of flood per measurement.
const SECONDS: u64 = 5;

/// CPU time (user + system) of a process, in nanoseconds.
fn cpu_ns(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the command name (which may hold spaces): state is 3rd.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    ticks * 1_000_000_000 / hz
}

/// Run `f` in a thread whose network namespace is `ns`.
fn in_netns<T: Send + 'static>(
    ns: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let path = format!("/var/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).expect("netns file");
        // SAFETY: a namespace fd; setns only changes this thread.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}");
        f()
    })
}

fn sum(m: &Metrics, name: &str, iface: &str) -> f64 {
    ["ingress", "egress"]
        .iter()
        .map(|d| m.get(name, &[("direction", d), ("iface", iface)]))
        .sum()
}

/// What one flood measured.
struct Row {
    label: String,
    records: f64,
    lost: f64,
    cpu_ns: u64,
    secs: f64,
}

/// Start the daemon with `args`, run `flood` for [`SECONDS`], and measure.
fn measure(
    label: &str,
    net: &Netns,
    args: &[&str],
    received: &str,
    lost: &str,
    flood: impl FnOnce(Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>>,
) -> Row {
    let mut all = vec![
        "--iface",
        &net.host_if,
        "--xdp-mode",
        "skb",
        "--ring-bytes",
        "67108864",
    ];
    all.extend_from_slice(args);
    let daemon = Daemon::start(&all);
    std::thread::sleep(Duration::from_millis(500));
    let m0 = daemon.scrape();
    let c0 = cpu_ns(daemon.pid());
    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let threads = flood(stop.clone());
    std::thread::sleep(Duration::from_secs(SECONDS));
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        let _ = t.join();
    }
    // Let the daemon drain what is queued.
    std::thread::sleep(Duration::from_millis(1000));
    let m1 = daemon.scrape();
    let c1 = cpu_ns(daemon.pid());
    let secs = t0.elapsed().as_secs_f64();
    daemon.stop();
    let iface = net.host_if.as_str();
    Row {
        label: label.to_string(),
        records: sum(&m1, received, iface) - sum(&m0, received, iface),
        lost: sum(&m1, lost, iface) - sum(&m0, lost, iface),
        cpu_ns: c1 - c0,
        secs,
    }
}

fn udp_flood(
    net: &Netns,
    port: u16,
) -> impl FnOnce(Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    let (ns, dst) = (net.ns.clone(), format!("{}:{port}", net.host_ip));
    move |stop| {
        vec![in_netns(&ns, move || {
            let s = UdpSocket::bind("0.0.0.0:0").unwrap();
            s.connect(&dst).unwrap();
            let buf = [0x61u8; 64];
            while !stop.load(Ordering::Relaxed) {
                for _ in 0..256 {
                    let _ = s.send(&buf);
                }
            }
        })]
    }
}

fn tcp_flood(
    net: &Netns,
    listener: TcpListener,
    streams: usize,
) -> impl FnOnce(Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    let ns = net.ns.clone();
    let dst = listener.local_addr().unwrap();
    move |stop| {
        let mut threads = Vec::new();
        let sink = std::thread::spawn(move || {
            let mut readers = Vec::new();
            for _ in 0..streams {
                let Ok((mut c, _)) = listener.accept() else {
                    break;
                };
                readers.push(std::thread::spawn(move || {
                    let mut buf = vec![0u8; 1 << 16];
                    while matches!(c.read(&mut buf), Ok(n) if n > 0) {}
                }));
            }
            for r in readers {
                let _ = r.join();
            }
        });
        for _ in 0..streams {
            let stop = stop.clone();
            threads.push(in_netns(&ns, move || {
                let mut s = TcpStream::connect(dst).unwrap();
                let buf = vec![0x62u8; 1 << 16];
                while !stop.load(Ordering::Relaxed) {
                    if s.write_all(&buf).is_err() {
                        break;
                    }
                }
            }));
        }
        threads.push(sink);
        threads
    }
}

fn main() {
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("daemon benchmark skipped: needs root");
        return;
    }
    if std::env::var_os("MONITOR_BIN").is_none() {
        std::env::set_var(
            "MONITOR_BIN",
            monitor_tests::workspace().join("target/release/monitor"),
        );
    }
    let net = Netns::new("bench");
    let mut rows = Vec::new();

    // UDP: a socket on the host end takes the datagrams (no ICMP errors);
    // it is never read, so the stack drops them once its buffer is full.
    let port = monitor_tests::free_port();
    let _sink = UdpSocket::bind(format!("{}:{port}", net.host_ip)).unwrap();
    rows.push(measure(
        "samples (UDP flood, --sample 1)",
        &net,
        &["--sample", "1", "--snaplen", "128"],
        "monitor_samples_total",
        "monitor_ringbuf_dropped_total",
        udp_flood(&net, port),
    ));

    // TCP: 1 and 2 analysis workers (`[daemon] workers`); a few streams,
    // so the flows spread over the workers.
    let dir = std::env::temp_dir().join(format!("mon-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for workers in [1, 2] {
        let config = dir.join(format!("workers{workers}.toml"));
        std::fs::write(&config, format!("[daemon]\nworkers = {workers}\n")).unwrap();
        let listener = TcpListener::bind(format!("{}:0", net.host_ip)).unwrap();
        rows.push(measure(
            &format!(
                "TCP records (4 streams, {workers} worker{})",
                if workers > 1 { "s" } else { "" }
            ),
            &net,
            &["--sample", "0", "-c", config.to_str().unwrap()],
            "monitor_tcp_records_received_total",
            "monitor_tcp_records_lost_total",
            tcp_flood(&net, listener, 4),
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!("daemon CPU per record (flood through a veth for {SECONDS} s, /proc/PID/stat):");
    println!(
        "  {:<36} {:>12} {:>12} {:>10} {:>12}",
        "records", "received", "per second", "lost", "CPU ns/rec"
    );
    for r in rows {
        let per = if r.records > 0.0 {
            r.cpu_ns as f64 / r.records
        } else {
            f64::NAN
        };
        println!(
            "  {:<36} {:>12.0} {:>12.0} {:>10.0} {:>12.0}",
            r.label,
            r.records,
            r.records / r.secs,
            r.lost,
            per
        );
    }
}
