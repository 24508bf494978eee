//! Loopback monitored live (inside a network namespace the test creates):
//! XDP attaches in SKB mode (`--xdp-mode auto` falls back to it), frames
//! carry a zeroed Ethernet header and are parsed from it, every packet is
//! counted once going out (TC) and once coming in (XDP), and the counters
//! equal what an independent tshark capture of the same loopback counts.
//! A dump says Ethernet for loopback and reads back in tshark.
//!
//! The daemon listens on the namespace's veth address (with a bearer
//! token), so that scraping it adds no loopback traffic; the capture is
//! dumpcap's (tshark's own start-up probes local ports over loopback).

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{free_port, monitor_bin, tshark_fields, Metrics, Netns};

const TOKEN: &str = "loopback-test-token";

/// A child process, killed on drop.
struct Guard(Option<Child>);

impl Guard {
    /// SIGINT (tshark writes its file out) or SIGTERM, and wait.
    fn signal(&mut self, sig: i32) -> Option<i32> {
        let mut c = self.0.take()?;
        // SAFETY: plain kill(2) on our own child (`ip netns exec` execs in place).
        unsafe { libc::kill(c.id() as i32, sig) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return st.code();
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn scrape(addr: &str) -> Option<Metrics> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET /metrics HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    )
    .ok()?;
    let mut r = String::new();
    s.read_to_string(&mut r).ok()?;
    let (head, body) = r.split_once("\r\n\r\n")?;
    head.contains(" 200 ").then(|| Metrics::parse(body))
}

#[test]
fn loopback_is_counted_exactly_and_dumped_as_ethernet() {
    let net = Netns::new("lo");
    let dir = std::env::temp_dir().join(format!("{}-lo", net.ns));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let cfg = dir.join("monitor.toml");
    std::fs::write(
        &cfg,
        format!("[daemon]\ntoken_file = \"{}\"\n", token.display()),
    )
    .unwrap();
    let addr = format!("{}:{}", net.ns_ip, free_port());
    let mut daemon = Guard(Some(
        Command::new("ip")
            .args(["netns", "exec", &net.ns])
            .arg(monitor_bin())
            .args([
                "run",
                "--iface",
                "lo",
                "--sample",
                "1",
                "--xdp-mode",
                "auto",
            ])
            .args(["--listen", &addr, "--config"])
            .arg(&cfg)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("monitor in the namespace"),
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while scrape(&addr).is_none() {
        assert!(Instant::now() < deadline, "daemon did not serve /metrics");
        std::thread::sleep(Duration::from_millis(100));
    }

    let pcap = dir.join("lo.pcapng");
    let mut capture = Guard(Some(
        Command::new("ip")
            .args(["netns", "exec", &net.ns, "dumpcap", "-q", "-i", "lo", "-w"])
            .arg(&pcap)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dumpcap (Debian package wireshark-common, with tshark)"),
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "dumpcap did not start capturing");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));

    net.run(true, &["ping", "-q", "-c", "5", "-i", "0.2", "127.0.0.1"]);
    // UDP to itself, and a TCP connection refused with a reset.
    net.run(
        true,
        &[
            "python3",
            "-c",
            "import socket\n\
             u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n\
             u.bind(('127.0.0.1',9999))\n\
             for i in range(4): u.sendto(bytes([i])*40,('127.0.0.1',9999)); u.recv(100)\n\
             t=socket.socket()\n\
             try: t.connect(('127.0.0.1',9))\n\
             except ConnectionRefusedError: pass\n",
        ],
    );
    std::thread::sleep(Duration::from_millis(800));
    capture.signal(libc::SIGINT);

    let rows = tshark_fields(
        &pcap,
        &["frame.encap_type", "ip.proto", "frame.len", "eth.src"],
    );
    assert!(
        rows.len() >= 5 * 2 + 4 + 2,
        "tshark saw {} frames",
        rows.len()
    );
    assert!(rows
        .iter()
        .all(|r| r[0] == "1" && r[3] == "00:00:00:00:00:00"));
    let count = |proto: Option<&str>| {
        rows.iter()
            .filter(|r| proto.is_none_or(|p| r[1] == p))
            .count() as f64
    };
    let bytes: f64 = rows.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    let m = scrape(&addr).expect("scrape");
    let d = |dir: &'static str| [("direction", dir), ("iface", "lo")];
    let p = |dir: &'static str, proto: &'static str| {
        m.get(
            "monitor_protocol_packets_total",
            &[("direction", dir), ("iface", "lo"), ("protocol", proto)],
        )
    };
    // Every loopback packet leaves (TC egress) and arrives (XDP ingress).
    for dir in ["egress", "ingress"] {
        assert_eq!(
            m.get("monitor_packets_total", &d(dir)),
            count(None),
            "{dir}"
        );
        assert_eq!(m.get("monitor_bytes_total", &d(dir)), bytes, "{dir} bytes");
        assert_eq!(p(dir, "ipv4"), count(None), "{dir} ipv4");
        assert_eq!(p(dir, "icmp"), count(Some("1")), "{dir} icmp");
        assert_eq!(p(dir, "udp"), count(Some("17")), "{dir} udp");
        assert_eq!(p(dir, "tcp"), count(Some("6")), "{dir} tcp");
        for proto in ["arp", "ipv6", "other", "vlan", "icmpv6", "ip_other"] {
            assert_eq!(p(dir, proto), 0.0, "{dir} {proto}");
        }
        assert_eq!(m.get("monitor_sample_parse_errors_total", &d(dir)), 0.0);
    }

    let out = dir.join("dump.pcapng");
    let st = Command::new(monitor_bin())
        .args(["dump", "--connect", &addr, "--token-file"])
        .arg(&token)
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success(), "monitor dump");
    let dumped = tshark_fields(&out, &["frame.encap_type", "frame.protocols"]);
    assert_eq!(
        dumped.len() as f64,
        2.0 * count(None),
        "every sample dumped"
    );
    for r in &dumped {
        assert_eq!(r[0], "1", "loopback is dumped as Ethernet");
        assert!(r[1].starts_with("eth:ethertype:ip:"), "{}", r[1]);
    }
    assert_eq!(daemon.signal(libc::SIGTERM), Some(0), "SIGTERM must exit 0");
    let _ = std::fs::remove_dir_all(&dir);
}
