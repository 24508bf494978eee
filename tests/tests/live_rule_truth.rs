//! Rule counters of a running daemon against tshark on an independent
//! capture of the same veth. Kernel-exact rules (`icmp.type == 8`,
//! `tcp.port == 8000`, ...) must count exactly the frames tshark's filter
//! matches, ICMP errors and IP fragments included: the kernel counts the
//! frames it can decide, leaves ICMP errors (which quote another packet's
//! headers) and fragments to user space as candidates, and the exact filter
//! decides those (on the reassembled datagram, as tshark). A rule
//! the kernel cannot decide exports candidates, never
//! `monitor_rule_packets_total`, and its kernel part is narrowed to the
//! frames its fields can be in.

use std::{
    io::{Read as _, Write as _},
    net::{SocketAddr, TcpStream, UdpSocket},
    time::{Duration, Instant},
};

use monitor_tests::{sh, Capture, Daemon, Metrics, Netns};

fn tshark_count(file: &std::path::Path, filter: &str) -> f64 {
    let out = test_support::tshark()
        .arg("-r")
        .arg(file)
        .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count() as f64
}

/// Sum of a rule series over both directions.
fn both(m: &Metrics, name: &str, iface: &str, rule: &str) -> f64 {
    ["ingress", "egress"]
        .iter()
        .map(|d| m.get(name, &[("direction", d), ("iface", iface), ("rule", rule)]))
        .sum()
}

const EXACT: &[(&str, &str)] = &[
    ("pings", "icmp.type == 8"),
    ("unreach", "icmp.type == 3"),
    ("p8000", "tcp.port == 8000"),
    ("p8002", "tcp.port == 8002"),
    ("u9998", "udp.port == 9998"),
];

#[test]
fn kernel_exact_rules_equal_tshark_icmp_errors_included() {
    let mut net = Netns::new("truth");
    let ns_ip = net.ns_ip.clone();
    // A TCP server on 8000 that answers each connection; TCP to 8002 is
    // refused with ICMP port-unreachables (quoting the TCP header); UDP to
    // 9998 has no listener (ICMP port-unreachables quoting UDP).
    net.spawn_inside(&[
        "python3",
        "-c",
        "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('0.0.0.0',8000))\ns.listen(8)\nwhile True:\n  c,_=s.accept()\n  c.recv(100)\n  c.sendall(b'ok')\n  c.close()",
    ]);
    let out = net.run(
        true,
        &[
            "iptables",
            "-A",
            "INPUT",
            "-p",
            "tcp",
            "--dport",
            "8002",
            "-j",
            "REJECT",
            "--reject-with",
            "icmp-port-unreachable",
        ],
    );
    assert!(out.status.success(), "iptables in the namespace failed");
    net.wait_listening(8000, false);

    let iface = net.host_if.clone();
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    let mut text = String::new();
    for (name, filter) in EXACT {
        text += &format!("[[rule]]\nname = \"{name}\"\nfilter = '{filter}'\n");
    }
    text += "[[rule]]\nname = \"hello\"\nfilter = 'tcp.payload contains \"hello\"'\n";
    std::fs::write(&cfg, text).unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    // No random sampling: only the candidates go to user space.
    let daemon = Daemon::start(&[
        "--config",
        &cfg_s,
        "--iface",
        &iface,
        "--xdp-mode",
        "skb",
        "--sample",
        "0",
    ]);
    let pcap = std::env::temp_dir().join(format!("{}.pcapng", net.ns));
    let mut capture = Capture::start(&iface, &pcap, None);

    sh(&["ping", "-q", "-c", "4", "-i", "0.2", &ns_ip]);
    // Echoes of 3000 bytes: IP fragments, each left to user space, where
    // the datagram is reassembled as tshark does.
    sh(&["ping", "-q", "-c", "2", "-i", "0.2", "-s", "3000", &ns_ip]);
    for _ in 0..3 {
        let to: SocketAddr = format!("{ns_ip}:8000").parse().unwrap();
        let mut s = TcpStream::connect_timeout(&to, Duration::from_secs(2)).expect("connect 8000");
        s.write_all(b"hello").unwrap();
        let mut buf = Vec::new();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s.read_to_end(&mut buf);
        assert_eq!(buf, b"ok");
    }
    for _ in 0..2 {
        let to: SocketAddr = format!("{ns_ip}:8002").parse().unwrap();
        let err = TcpStream::connect_timeout(&to, Duration::from_secs(3)).expect_err("8002");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    }
    let udp = UdpSocket::bind(format!("{}:0", net.host_ip)).unwrap();
    for _ in 0..3 {
        udp.send_to(b"nobody", format!("{ns_ip}:9998")).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
    }
    std::thread::sleep(Duration::from_millis(500));
    capture.stop();

    let truth: Vec<f64> = EXACT.iter().map(|(_, f)| tshark_count(&pcap, f)).collect();
    // The traffic has what the test is about: ICMP errors quoting TCP and
    // UDP headers.
    assert!(tshark_count(&pcap, "icmp.type == 3 && tcp.port == 8002") >= 2.0);
    assert!(tshark_count(&pcap, "icmp.type == 3 && udp.port == 9998") >= 1.0);
    assert!(tshark_count(&pcap, "ip.flags.mf == 1") >= 4.0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = daemon.scrape();
        let done = EXACT
            .iter()
            .zip(&truth)
            .all(|((name, _), t)| both(&m, "monitor_rule_packets_total", &iface, name) >= *t);
        if done || Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    for ((name, filter), t) in EXACT.iter().zip(&truth) {
        assert_eq!(
            both(&m, "monitor_rule_packets_total", &iface, name),
            *t,
            "{name} `{filter}`: monitor_rule_packets_total vs tshark"
        );
        assert_eq!(
            both(&m, "monitor_rule_candidates_lost_total", &iface, name),
            0.0
        );
        let info = format!(
            "monitor_rule_info{{exact_series=\"monitor_rule_packets_total\",kernel_exact=\"true\",rule=\"{name}\"}}"
        );
        assert_eq!(m.0.get(&info), Some(&1.0), "{info}");
    }
    // ICMP errors and fragments were left to user space, for every rule.
    let errors = tshark_count(
        &pcap,
        "icmp.type == 3 || ip.flags.mf == 1 || ip.frag_offset > 0",
    );
    for (name, _) in EXACT {
        assert_eq!(
            both(&m, "monitor_rule_candidates_total", &iface, name),
            errors,
            "{name}: candidates"
        );
    }

    // A rule the kernel cannot decide: candidates only, narrowed to TCP
    // segments with payload (and the frames with nested headers).
    let key = format!(
        "monitor_rule_packets_total{{direction=\"egress\",iface=\"{iface}\",rule=\"hello\"}}"
    );
    assert!(!m.0.contains_key(&key), "{key} must not be exported");
    assert_eq!(
        both(&m, "monitor_rule_candidates_total", &iface, "hello"),
        tshark_count(
            &pcap,
            "(tcp.len > 0 && !icmp) || icmp.type == 3 || ip.flags.mf == 1 || ip.frag_offset > 0"
        )
    );
    assert!(tshark_count(&pcap, "tcp.payload contains \"hello\"") == 3.0);
    assert_eq!(
        m.0.get("monitor_rule_info{exact_series=\"none\",kernel_exact=\"false\",rule=\"hello\"}"),
        Some(&1.0)
    );

    assert_eq!(daemon.stop(), 0);
    let _ = std::fs::remove_file(&cfg);
    let _ = std::fs::remove_file(&pcap);
}
