//! The live pipeline end to end: TCP handshakes through the monitored veth
//! are classified (`rejected`, `established`; and in a test of their own
//! `no_reply`, `incomplete` and `reset`, which need the handshake timeout),
//! the flight recorder holds the sampled frames, `monitor dump` returns them
//! as a pcapng tshark reads (all of them, or those matching a filter), the
//! file is 0600, and SIGUSR1 writes a dump into the dump directory.

use std::{
    net::{SocketAddr, TcpStream},
    os::unix::fs::PermissionsExt as _,
    process::Command,
    time::{Duration, Instant},
};

use monitor_tests::{fetch, monitor_bin, sh, sh_ok, Daemon, Netns};

const PINGS: usize = 4;
const REFUSED: usize = 5;

fn tshark_count(file: &std::path::Path, filter: Option<&str>) -> usize {
    let mut c = test_support::tshark();
    c.arg("-r")
        .arg(file)
        .args(["-T", "fields", "-e", "frame.number"]);
    if let Some(f) = filter {
        c.args(["-Y", f]);
    }
    let out = c.output().expect("tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn handshakes_recorder_and_dumps() {
    let mut net = Netns::new("dump");
    let ns_ip = net.ns_ip.clone();
    net.serve_http(&ns_ip, 8080, Some(std::path::Path::new("/")));
    let dir = std::env::temp_dir().join(format!("{}-dumps", net.ns));
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    std::fs::write(
        &cfg,
        format!(
            "[daemon]\ndump_dir = \"{}\"\n[sampling]\nsample = 1.0\nsnaplen = 2048\n[tcp]\nhandshake_timeout = \"2s\"\n[[rule]]\nname = \"pings\"\nfilter = \"icmp.type == 0 || icmp.type == 8\"\n",
            dir.display()
        ),
    )
    .unwrap();
    let iface = net.host_if.clone();
    let cfg_s = cfg.to_string_lossy().to_string();
    let daemon = Daemon::start(&["--config", &cfg_s, "--iface", &iface, "--xdp-mode", "skb"]);
    // An independent capture of the same interface.
    let pcap = std::env::temp_dir().join(format!("{}-tshark.pcapng", net.ns));
    let mut capture = monitor_tests::Capture::start(&iface, &pcap, None);

    sh(&["ping", "-q", "-c", &PINGS.to_string(), "-i", "0.2", &ns_ip]);
    let udp = std::net::UdpSocket::bind(format!("{}:0", net.host_ip)).unwrap();
    for i in 0..5u8 {
        udp.send_to(&[i; 100], format!("{ns_ip}:9999")).unwrap();
    }
    for _ in 0..REFUSED {
        let to: SocketAddr = format!("{ns_ip}:9").parse().unwrap();
        assert!(TcpStream::connect_timeout(&to, Duration::from_secs(2)).is_err());
    }
    fetch(&format!("http://{ns_ip}:8080/"), 5);

    let o = |outcome: &'static str| [("iface", iface.as_str()), ("outcome", outcome)];
    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = daemon.scrape();
        if m.get("monitor_tcp_handshakes_total", &o("established")) >= 1.0
            && m.get("monitor_tcp_handshakes_total", &o("rejected")) >= REFUSED as f64
            || Instant::now() > deadline
        {
            break m;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        m.get("monitor_tcp_handshakes_total", &o("rejected")),
        REFUSED as f64
    );
    assert_eq!(
        m.get("monitor_tcp_handshakes_total", &o("established")),
        1.0
    );
    assert_eq!(m.get("monitor_tcp_handshakes_total", &o("no_reply")), 0.0);
    std::thread::sleep(Duration::from_millis(300));

    capture.stop();

    // Every frame was sampled; the recorder holds them all.
    let d = |dir: &'static str| [("direction", dir), ("iface", iface.as_str())];
    let m = daemon.scrape();
    let total = (m.get("monitor_packets_total", &d("ingress"))
        + m.get("monitor_packets_total", &d("egress"))) as usize;
    let out = std::env::temp_dir().join(format!("{}-all.pcapng", net.ns));
    daemon.dump(&out);
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        tshark_count(&out, None),
        total,
        "dump holds every sampled frame"
    );
    // The same frames, byte for byte and with their lengths, as the
    // independent capture (order aside: directions interleave differently).
    let key = |f: &monitor_tests::Frame| (f.orig_len, f.data.clone());
    let mut dumped: Vec<_> = monitor_tests::read_capture(&out).iter().map(key).collect();
    let mut captured: Vec<_> = monitor_tests::read_capture(&pcap).iter().map(key).collect();
    dumped.sort();
    captured.sort();
    assert_eq!(
        dumped.len(),
        captured.len(),
        "frame counts: dump vs capture"
    );
    assert!(dumped == captured, "dumped frames differ from the capture");
    // Matched rules are named in the packet comments.
    assert_eq!(
        tshark_count(&out, Some("frame.comment contains \"pings\"")),
        2 * PINGS
    );
    assert_eq!(
        tshark_count(&out, Some("icmp.type == 0 || icmp.type == 8")),
        2 * PINGS
    );
    assert_eq!(
        tshark_count(&out, Some("tcp.flags.reset == 1 && tcp.srcport == 9")),
        REFUSED
    );

    let icmp = std::env::temp_dir().join(format!("{}-icmp.pcapng", net.ns));
    let st = Command::new(monitor_bin())
        .args([
            "dump",
            "--connect",
            &daemon.addr,
            "--filter",
            "icmp.type == 0 || icmp.type == 8",
            "--output",
        ])
        .arg(&icmp)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(tshark_count(&icmp, None), 2 * PINGS);
    assert_eq!(
        tshark_count(&icmp, Some("!(icmp.type == 0 || icmp.type == 8)")),
        0
    );

    // A bad filter is refused with the caret message.
    let bad = Command::new(monitor_bin())
        .args([
            "dump",
            "--connect",
            &daemon.addr,
            "--filter",
            "tcp.prot == 1",
            "--output",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains('^'));

    // SIGUSR1 writes a dump into the dump directory.
    let pid = daemon.pid();
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(pid as i32, libc::SIGUSR1) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let file = loop {
        let f = std::fs::read_dir(&dir).ok().and_then(|mut r| {
            r.find_map(|e| {
                e.ok()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "pcapng"))
            })
        });
        if let Some(f) = f {
            break f;
        }
        assert!(Instant::now() < deadline, "no dump after SIGUSR1");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(tshark_count(&file, None) >= total);

    assert_eq!(daemon.stop(), 0);
    for p in [&out, &icmp, &cfg, &pcap] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends one bare SYN from a raw socket (no socket of the namespace's own
/// owns the port, so its kernel answers the SYN/ACK with a RST).
const RAW_SYN: &str = r#"
import socket, struct, sys
src, dst, dport, sport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(hdr, (dst, 0))
"#;

const ATTEMPTS: usize = 3;

#[test]
fn unanswered_unfinished_and_reset_handshakes() {
    let net = Netns::new("hs");
    let iface = net.host_if.clone();
    // An address on the veth's subnet that no host has. A permanent
    // neighbour entry lets the SYNs leave through the veth (with ARP left
    // unresolved they would wait in the neighbour queue and be dropped);
    // the namespace drops frames for another MAC, so nobody answers.
    let (prefix, _) = net.ns_ip.rsplit_once('.').unwrap();
    let silent = format!("{prefix}.3");
    sh(&[
        "ip",
        "neigh",
        "replace",
        &silent,
        "lladdr",
        "02:00:00:00:00:03",
        "dev",
        &iface,
        "nud",
        "permanent",
    ]);
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    std::fs::write(&cfg, "[tcp]\nhandshake_timeout = \"2s\"\n").unwrap();
    let daemon = Daemon::start(&[
        "--config",
        &cfg.to_string_lossy(),
        "--iface",
        &iface,
        "--xdp-mode",
        "skb",
    ]);
    let pcap = std::env::temp_dir().join(format!("{}-hs.pcapng", net.ns));
    let mut capture = monitor_tests::Capture::start(&iface, &pcap, Some("tcp"));

    // no_reply: each attempt waits 1.5 s, so the kernel retransmits its
    // SYN once (initial RTO 1 s) before giving up without a RST.
    for _ in 0..ATTEMPTS {
        let to: SocketAddr = format!("{silent}:80").parse().unwrap();
        assert!(TcpStream::connect_timeout(&to, Duration::from_millis(1500)).is_err());
    }
    // incomplete: the namespace's client never sees the SYN/ACK (dropped
    // in its firewall), so it never sends the final ACK.
    let unfinished = std::net::TcpListener::bind((net.host_ip.as_str(), 0)).unwrap();
    let port = unfinished.local_addr().unwrap().port().to_string();
    net.run(
        true,
        &[
            "iptables",
            "-A",
            "INPUT",
            "-p",
            "tcp",
            "--sport",
            &port,
            "--tcp-flags",
            "SYN,ACK",
            "SYN,ACK",
            "-j",
            "DROP",
        ],
    );
    let url = format!("http://{}:{port}/", net.host_ip);
    let curl = [
        "ip",
        "netns",
        "exec",
        &net.ns,
        "curl",
        "-s",
        "--connect-timeout",
        "1.5",
        &url,
    ];
    assert!(!sh_ok(&curl), "connected through a dropped SYN/ACK");
    // reset: a bare SYN from a raw socket; the SYN/ACK finds no socket in
    // the namespace, whose kernel answers with a RST.
    let reset = std::net::TcpListener::bind((net.host_ip.as_str(), 0)).unwrap();
    let rport = reset.local_addr().unwrap().port().to_string();
    net.run(
        true,
        &[
            "python3",
            "-c",
            RAW_SYN,
            &net.ns_ip,
            &net.host_ip,
            &rport,
            "40123",
        ],
    );

    let o = |outcome: &'static str| [("iface", iface.as_str()), ("outcome", outcome)];
    let count =
        |m: &monitor_tests::Metrics, outcome| m.get("monitor_tcp_handshakes_total", &o(outcome));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let m = daemon.scrape();
        if count(&m, "no_reply") >= ATTEMPTS as f64 && count(&m, "incomplete") >= 1.0
            || Instant::now() > deadline
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // Past another timeout: nothing is counted twice (the retransmitted
    // SYNs, the server's SYN/ACK retransmissions).
    std::thread::sleep(Duration::from_millis(2500));
    capture.stop();
    let m = daemon.scrape();
    assert_eq!(count(&m, "no_reply"), ATTEMPTS as f64, "no_reply");
    assert_eq!(count(&m, "incomplete"), 1.0, "incomplete");
    assert_eq!(count(&m, "reset"), 1.0, "reset");
    assert_eq!(count(&m, "established"), 0.0, "established");
    assert_eq!(count(&m, "rejected"), 0.0, "rejected");
    drop(unfinished);
    drop(reset);

    // The capture shows what was counted: one conversation per attempt,
    // and every attempt to the silent address sent its SYN twice.
    let fields = |filter: &str| -> Vec<String> {
        let out = test_support::tshark()
            .arg("-r")
            .arg(&pcap)
            .args(["-Y", filter, "-T", "fields", "-e", "tcp.stream"])
            .output()
            .expect("tshark");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let syns = fields(&format!(
        "ip.dst == {silent} && tcp.flags.syn == 1 && tcp.flags.ack == 0"
    ));
    let mut streams = syns.clone();
    streams.sort();
    streams.dedup();
    assert_eq!(streams.len(), ATTEMPTS, "attempts to {silent}: {syns:?}");
    assert!(
        syns.len() >= 2 * ATTEMPTS,
        "each attempt retransmits its SYN: {syns:?}"
    );
    let all: std::collections::BTreeSet<String> =
        fields("tcp.flags.syn == 1 && tcp.flags.ack == 0")
            .into_iter()
            .collect();
    assert_eq!(
        all.len(),
        ATTEMPTS + 2,
        "connection attempts in the capture"
    );

    assert_eq!(daemon.stop(), 0);
    let _ = std::fs::remove_file(&cfg);
    let _ = std::fs::remove_file(&pcap);
}
