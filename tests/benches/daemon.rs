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
//! Then the packet rate a UDP socket on the host end receives under the
//! same flood with nothing attached, with the monitor (8 rules, 1 %
//! sampling, TCP analysis on) and with tcpdump writing to /dev/null.
//!
//! Then the daemon's memory: its resident set (`VmRSS`) while it tracks
//! 100,000 TCP flows (its default `max_flows`) and its flight recorder is
//! full (64 MiB by default), first filled, then held under churn (new
//! flows evicting old ones, new samples evicting old entries) for
//! [`RSS_SECONDS`] (`-- --long`: 10 minutes).
//!
//! `-- PART` runs one part only: `samples`, `tcp`, `rate` or `rss`.
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

/// Seconds the memory part holds the daemon full (`--long`: 600).
const RSS_SECONDS: u64 = 60;

/// TCP flows the memory part opens before it holds (the daemon tracks at
/// most its `max_flows`, 100,000 by default).
const RSS_FLOWS: u32 = 110_000;

/// Resident set of a process, in bytes (`VmRSS`).
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Internet checksum of `parts` (one's complement sum of 16-bit words).
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u32;
    let mut odd: Option<u8> = None;
    for p in parts {
        for &b in *p {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(hi) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Send TCP SYNs from `src` to `dst` through a raw socket, one per flow
/// `first..first + n` (flow `i`: source port from `i`, destination port
/// 20000 + `i` / 50000), without a socket of our own: each SYN opens a
/// flow the daemon tracks (the host answers with a RST).
fn send_syns(src: std::net::Ipv4Addr, dst: std::net::Ipv4Addr, first: u32, n: u32) {
    // SAFETY: plain socket(2)/sendto(2)/close(2) calls on a descriptor
    // owned here, with buffers that outlive the calls.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_TCP);
        assert!(fd >= 0, "raw socket: {}", std::io::Error::last_os_error());
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as u16,
            sin_port: 0,
            sin_addr: libc::in_addr {
                s_addr: u32::from(dst).to_be(),
            },
            sin_zero: [0; 8],
        };
        for i in first..first + n {
            let sport = 1024 + (i % 50_000) as u16;
            let dport = 20_000 + (i / 50_000) as u16;
            let mut tcp = [0u8; 20];
            tcp[0..2].copy_from_slice(&sport.to_be_bytes());
            tcp[2..4].copy_from_slice(&dport.to_be_bytes());
            tcp[4..8].copy_from_slice(&i.wrapping_mul(2_654_435_761).to_be_bytes());
            tcp[12] = 5 << 4;
            tcp[13] = 0x02; // SYN
            tcp[14..16].copy_from_slice(&64240u16.to_be_bytes());
            let pseudo = [&src.octets()[..], &dst.octets()[..], &[0, 6, 0, 20]].concat();
            let c = checksum(&[&pseudo, &tcp]);
            tcp[16..18].copy_from_slice(&c.to_be_bytes());
            loop {
                let r = libc::sendto(
                    fd,
                    tcp.as_ptr().cast(),
                    tcp.len(),
                    0,
                    (&addr as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as u32,
                );
                if r >= 0 {
                    break;
                }
                // A full socket buffer: wait for the device to take more.
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        libc::close(fd);
    }
}

/// UDP datagrams of 1400 bytes to `dst`, `n` of them, from a socket in
/// the namespace.
fn send_udp(dst: &str, n: u32) {
    let s = UdpSocket::bind("0.0.0.0:0").unwrap();
    s.connect(dst).unwrap();
    let buf = [0x63u8; 1400];
    for _ in 0..n {
        let _ = s.send(&buf);
    }
}

/// The daemon's resident set while it tracks `RSS_FLOWS` flows (up to its
/// `max_flows`) and its flight recorder is full, over `secs` seconds of
/// churn.
fn memory(net: &Netns, secs: u64) {
    let port = monitor_tests::free_port();
    let _sink = UdpSocket::bind(format!("{}:{port}", net.host_ip)).unwrap();
    let dst = format!("{}:{port}", net.host_ip);
    let (src, host): (std::net::Ipv4Addr, std::net::Ipv4Addr) =
        (net.ns_ip.parse().unwrap(), net.host_ip.parse().unwrap());
    let daemon = Daemon::start(&[
        "--iface",
        &net.host_if,
        "--xdp-mode",
        "skb",
        "--sample",
        "1",
        "--snaplen",
        "2048",
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let pid = daemon.pid();
    let idle = rss_bytes(pid);
    let t0 = Instant::now();
    // Fill: the flows, then samples until the recorder is full.
    let ns = net.ns.clone();
    let d = dst.clone();
    in_netns(&ns, move || {
        send_syns(src, host, 0, RSS_FLOWS);
        send_udp(&d, 60_000);
    })
    .join()
    .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let m = daemon.scrape();
    let iface = net.host_if.as_str();
    let flows = m.get("monitor_tcp_flows_tracked", &[("iface", iface)]);
    let recorder = |m: &Metrics| m.get("monitor_recorder", &[("what", "bytes")]);
    let full = rss_bytes(pid);
    println!(
        "daemon memory (VmRSS; {flows:.0} TCP flows tracked, recorder {:.1} MiB after {:.0} s of filling):",
        recorder(&m) / 1048576.0,
        t0.elapsed().as_secs_f64()
    );
    println!(
        "  {:<44} {:>8.1} MiB",
        "started, idle",
        idle as f64 / 1048576.0
    );
    println!(
        "  {:<44} {:>8.1} MiB",
        "flows and recorder full",
        full as f64 / 1048576.0
    );
    // Hold: every second, 2,000 new flows (evicting as many) and 2,000
    // samples of 1400 bytes (evicting older entries).
    let mut next = RSS_FLOWS;
    let mut rss = Vec::new();
    for _ in 0..secs {
        let (ns, d, first) = (net.ns.clone(), dst.clone(), next);
        let t = Instant::now();
        in_netns(&ns, move || {
            send_syns(src, host, first, 2000);
            send_udp(&d, 2000);
        })
        .join()
        .unwrap();
        next += 2000;
        std::thread::sleep(Duration::from_secs(1).saturating_sub(t.elapsed()));
        rss.push(rss_bytes(pid));
    }
    let m = daemon.scrape();
    daemon.stop();
    let mib = |b: u64| b as f64 / 1048576.0;
    let third = rss.len() / 3;
    let (min, max) = (
        rss.iter().copied().min().unwrap_or(0),
        rss.iter().copied().max().unwrap_or(0),
    );
    println!(
        "  {:<44} {:>8.1} MiB (min {:.1}, max {:.1}; first third max {:.1}, last third max {:.1})",
        format!("held {secs} s under churn, at the end"),
        mib(*rss.last().unwrap_or(&0)),
        mib(min),
        mib(max),
        mib(rss[..third].iter().copied().max().unwrap_or(0)),
        mib(rss[rss.len() - third..].iter().copied().max().unwrap_or(0)),
    );
    println!(
        "  at the end: {:.0} TCP flows tracked, {:.0} evicted; recorder {:.1} MiB, {:.0} entries",
        m.get("monitor_tcp_flows_tracked", &[("iface", iface)]),
        m.get("monitor_tcp_flows_evicted_total", &[("iface", iface)]),
        recorder(&m) / 1048576.0,
        m.get("monitor_recorder", &[("what", "entries")]),
    );
}

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

/// UDP datagrams a socket on the host end receives per second while a
/// thread in the namespace floods it for [`SECONDS`].
fn rx_rate(net: &Netns) -> f64 {
    let port = monitor_tests::free_port();
    let sock = UdpSocket::bind(format!("{}:{port}", net.host_ip)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if sock.recv(&mut buf).is_ok() {
                    n += 1;
                }
            }
            n
        })
    };
    let t0 = Instant::now();
    let senders = udp_flood(net, port)(stop.clone());
    std::thread::sleep(Duration::from_secs(SECONDS));
    stop.store(true, Ordering::SeqCst);
    for t in senders {
        let _ = t.join();
    }
    let n = reader.join().unwrap_or(0);
    n as f64 / t0.elapsed().as_secs_f64()
}

/// Live packet rate through the veth: nothing attached, the monitor (8
/// rules, 1 % sampling, TCP analysis on), tcpdump writing to /dev/null.
fn packet_rates(net: &Netns) {
    let bare = rx_rate(net);
    let dir = std::env::temp_dir().join(format!("mon-bench-rate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("rules.toml");
    let mut text = String::from("[sampling]\nsample = 0.01\n");
    for i in 0..8 {
        text += &format!(
            "[[rule]]\nname = \"r{i}\"\nfilter = \"tcp.port == {} || tcp.port == {}\"\n",
            8000 + 2 * i,
            8001 + 2 * i
        );
    }
    std::fs::write(&config, text).unwrap();
    let daemon = Daemon::start(&[
        "--iface",
        &net.host_if,
        "--xdp-mode",
        "skb",
        "-c",
        config.to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_millis(500));
    let monitored = rx_rate(net);
    daemon.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let mut tcpdump = std::process::Command::new("tcpdump")
        .args(["-i", &net.host_if, "-n", "-w", "/dev/null"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let dumped = match &mut tcpdump {
        Ok(_) => {
            std::thread::sleep(Duration::from_millis(1000));
            Some(rx_rate(net))
        }
        Err(e) => {
            eprintln!("tcpdump not run: {e}");
            None
        }
    };
    if let Ok(c) = &mut tcpdump {
        let _ = c.kill();
        let _ = c.wait();
    }
    println!("live packet rate (UDP flood through a veth, datagrams/s received):");
    println!("  {:<52} {:>10.0}", "nothing attached", bare);
    println!(
        "  {:<52} {:>10.0}  {:.2} of bare",
        "monitor (8 rules, 1 % sampling, TCP analysis, skb)",
        monitored,
        monitored / bare
    );
    if let Some(d) = dumped {
        println!(
            "  {:<52} {:>10.0}  {:.2} of bare",
            "tcpdump -w /dev/null",
            d,
            d / bare
        );
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let long = args.iter().any(|a| a == "--long");
    let part = args.iter().find(|a| !a.starts_with('-')).cloned();
    let run = |p: &str| part.as_deref().is_none_or(|x| x == p);
    let net = Netns::new("bench");
    let mut rows = Vec::new();

    // UDP: a socket on the host end takes the datagrams (no ICMP errors);
    // it is never read, so the stack drops them once its buffer is full.
    let port = monitor_tests::free_port();
    let _sink = UdpSocket::bind(format!("{}:{port}", net.host_ip)).unwrap();
    if run("samples") {
        rows.push(measure(
            "samples (UDP flood, --sample 1)",
            &net,
            &["--sample", "1", "--snaplen", "128"],
            "monitor_samples_total",
            "monitor_ringbuf_dropped_total",
            udp_flood(&net, port),
        ));
    }

    // TCP: 1 and 2 analysis workers (`[daemon] workers`); a few streams,
    // so the flows spread over the workers.
    let dir = std::env::temp_dir().join(format!("mon-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for workers in [1, 2].into_iter().filter(|_| run("tcp")) {
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

    if run("rate") {
        packet_rates(&net);
    }
    if run("rss") {
        memory(&net, if long { 600 } else { RSS_SECONDS });
    }

    if rows.is_empty() {
        return;
    }
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
