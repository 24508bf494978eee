//! Known, bounded traffic through a monitored veth is counted exactly per
//! direction and protocol; bytes equal the frame lengths tshark captured on
//! the same interface; every packet is sampled at `--sample 1` and parses;
//! nothing is left attached after SIGTERM.

use std::{
    net::{SocketAddr, TcpStream, UdpSocket},
    time::{Duration, Instant},
};

use monitor_tests::{monitor_links, read_capture, sh, Daemon, Netns};

const PINGS: usize = 5;
const DATAGRAMS: usize = 10;
const SYNS: usize = 3;

#[test]
fn bounded_traffic_is_counted_exactly() {
    let mut net = Netns::new("cnt");
    net.spawn_inside(&[
        "python3",
        "-c",
        "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',9999))\nwhile True: s.recv(4096)",
    ]);
    // Wait for the UDP listener (else the kernel answers with port-unreachables).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = net.run(true, &["ss", "-Hnul", "sport", "= :9999"]);
        if !out.stdout.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "UDP listener did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let iface = net.host_if.clone();
    let daemon = Daemon::start(&["--iface", &iface, "--sample", "1", "--xdp-mode", "skb"]);
    assert!(
        monitor_links() >= 2,
        "XDP and TC links expected while running"
    );

    let pcap = std::env::temp_dir().join(format!("{}.pcapng", net.ns));
    let mut capture = monitor_tests::Capture::start(&iface, &pcap, None);

    sh(&[
        "ping",
        "-q",
        "-c",
        &PINGS.to_string(),
        "-i",
        "0.2",
        "-W",
        "1",
        &net.ns_ip,
    ]);
    let udp = UdpSocket::bind(format!("{}:0", net.host_ip)).expect("udp bind");
    for i in 0..DATAGRAMS {
        udp.send_to(&[i as u8; 32], format!("{}:9999", net.ns_ip))
            .expect("udp send");
    }
    for _ in 0..SYNS {
        let to: SocketAddr = format!("{}:9", net.ns_ip).parse().unwrap();
        let err =
            TcpStream::connect_timeout(&to, Duration::from_secs(2)).expect_err("port 9 is closed");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    }

    // Kernel counters are immediate; samples arrive through the ring buffer.
    let expect_eg = (PINGS + DATAGRAMS + SYNS) as f64;
    let expect_in = (PINGS + SYNS) as f64;
    let d = |dir: &'static str| [("direction", dir), ("iface", iface.as_str())];
    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = daemon.scrape();
        let done = m.get("monitor_samples_total", &d("egress")) >= expect_eg
            && m.get("monitor_samples_total", &d("ingress")) >= expect_in
            && m.get("monitor_tcp_records_received_total", &d("ingress")) >= SYNS as f64
            && m.get("monitor_tcp_records_received_total", &d("egress")) >= SYNS as f64;
        if done || Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(500));
    capture.stop();

    let p = |dir: &'static str, proto: &'static str| {
        m.get(
            "monitor_protocol_packets_total",
            &[
                ("direction", dir),
                ("iface", iface.as_str()),
                ("protocol", proto),
            ],
        )
    };
    assert_eq!(m.get("monitor_packets_total", &d("egress")), expect_eg);
    assert_eq!(m.get("monitor_packets_total", &d("ingress")), expect_in);
    assert_eq!(p("egress", "ipv4"), expect_eg);
    assert_eq!(p("egress", "icmp"), PINGS as f64);
    assert_eq!(p("egress", "udp"), DATAGRAMS as f64);
    assert_eq!(p("egress", "tcp"), SYNS as f64);
    assert_eq!(p("ingress", "ipv4"), expect_in);
    assert_eq!(p("ingress", "icmp"), PINGS as f64);
    assert_eq!(p("ingress", "tcp"), SYNS as f64);
    for dir in ["ingress", "egress"] {
        for proto in ["arp", "ipv6", "other", "vlan", "icmpv6", "ip_other"] {
            assert_eq!(p(dir, proto), 0.0, "{dir} {proto}");
        }
        assert_eq!(m.get("monitor_ringbuf_dropped_total", &d(dir)), 0.0);
        assert_eq!(m.get("monitor_sample_parse_errors_total", &d(dir)), 0.0);
    }
    assert_eq!(m.get("monitor_samples_total", &d("egress")), expect_eg);
    assert_eq!(m.get("monitor_samples_total", &d("ingress")), expect_in);
    assert_eq!(
        m.get("monitor_kernel_samples_total", &d("egress")),
        expect_eg
    );

    // Bytes: the independent capture on the same interface.
    let host_mac: Vec<u8> = net
        .mac(false)
        .split(':')
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    let frames = read_capture(&pcap);
    let _ = std::fs::remove_file(&pcap);
    let (mut eg, mut ing, mut eg_n, mut in_n) = (0u32, 0u32, 0, 0);
    for f in &frames {
        if f.data[6..12] == host_mac[..] {
            eg += f.orig_len;
            eg_n += 1;
        } else {
            ing += f.orig_len;
            in_n += 1;
        }
    }
    assert_eq!(
        (eg_n, in_n),
        (PINGS + DATAGRAMS + SYNS, PINGS + SYNS),
        "tshark saw other traffic"
    );
    assert_eq!(m.get("monitor_bytes_total", &d("egress")), eg as f64);
    assert_eq!(m.get("monitor_bytes_total", &d("ingress")), ing as f64);
    // 98-byte echo frames and 74-byte UDP frames are part of that sum.
    assert!(eg as usize >= PINGS * 98 + DATAGRAMS * 74);

    assert_eq!(daemon.stop(), 0, "SIGTERM must exit 0");
    assert_eq!(monitor_links(), 0, "a BPF link survived the daemon");
    let tc =
        String::from_utf8_lossy(&sh(&["tc", "filter", "show", "dev", &iface, "egress"]).stdout)
            .to_string();
    assert!(tc.trim().is_empty(), "TC filter left behind: {tc}");
    let link = String::from_utf8_lossy(&sh(&["ip", "-d", "link", "show", "dev", &iface]).stdout)
        .to_string();
    assert!(!link.contains("xdp"), "XDP still attached: {link}");
}
