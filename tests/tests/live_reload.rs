//! Rules in a running daemon: counted exactly in the kernel, a SIGHUP with a
//! new rule starts counting it while the old one keeps its count, a SIGHUP
//! with a broken filter keeps the running rules and counts the failure, a
//! reload logs the rules it added, removed and changed (here in the JSON
//! log format), and `kill -9` leaves nothing attached.

use std::{
    net::UdpSocket,
    time::{Duration, Instant},
};

use monitor_tests::{monitor_links, sh, Daemon, Metrics, Netns};

fn rule(m: &Metrics, rule: &str, iface: &str, dir: &'static str) -> f64 {
    m.get(
        "monitor_rule_packets_total",
        &[("direction", dir), ("iface", iface), ("rule", rule)],
    )
}

fn wait_for(d: &Daemon, f: impl Fn(&Metrics) -> bool) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = d.scrape();
        if f(&m) || Instant::now() > deadline {
            return m;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sighup_swaps_rules_and_a_bad_reload_keeps_them() {
    let mut net = Netns::new("hup");
    net.spawn_inside(&[
        "python3",
        "-c",
        "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',9999))\nwhile True: s.recv(4096)",
    ]);
    let iface = net.host_if.clone();
    let ns_ip = net.ns_ip.clone();
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    let icmp = "[[rule]]\nname = \"pings\"\nfilter = \"icmp.type == 8\"\n";
    std::fs::write(&cfg, icmp).unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    let daemon = Daemon::start(&["--config", &cfg_s, "--iface", &iface, "--xdp-mode", "skb"]);
    let ping = |n: usize| sh(&["ping", "-q", "-c", &n.to_string(), "-i", "0.2", &ns_ip]);
    let udp = UdpSocket::bind(format!("{}:0", net.host_ip)).unwrap();
    let send_udp = |n: usize| {
        for _ in 0..n {
            udp.send_to(b"monitor", format!("{ns_ip}:9999")).unwrap();
        }
    };

    ping(3);
    let m = wait_for(&daemon, |m| rule(m, "pings", &iface, "egress") >= 3.0);
    assert_eq!(rule(&m, "pings", &iface, "egress"), 3.0);
    assert_eq!(
        rule(&m, "pings", &iface, "ingress"),
        0.0,
        "replies are type 0"
    );

    // Add a rule: it starts from zero, the old one keeps counting.
    std::fs::write(
        &cfg,
        format!("{icmp}[[rule]]\nname = \"udp9999\"\nfilter = \"udp.dstport == 9999\"\n"),
    )
    .unwrap();
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGHUP) };
    // The reload is complete once it is counted (the new rule's series
    // appear a moment before).
    let m = wait_for(&daemon, |m| {
        m.get("monitor_config_reloads_total", &[]) >= 1.0
            && m.0.contains_key(&format!(
                "monitor_rule_packets_total{{direction=\"egress\",iface=\"{iface}\",rule=\"udp9999\"}}"
            ))
    });
    assert_eq!(m.get("monitor_config_reloads_total", &[]), 1.0);
    send_udp(4);
    ping(2);
    let m = wait_for(&daemon, |m| {
        rule(m, "pings", &iface, "egress") >= 5.0 && rule(m, "udp9999", &iface, "egress") >= 4.0
    });
    assert_eq!(rule(&m, "pings", &iface, "egress"), 5.0);
    assert_eq!(rule(&m, "udp9999", &iface, "egress"), 4.0);

    // A broken filter: rejected, the running rules stay and keep counting.
    std::fs::write(
        &cfg,
        format!("{icmp}[[rule]]\nname = \"bad\"\nfilter = \"udp.dstprot == 1\"\n"),
    )
    .unwrap();
    // SAFETY: as above.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGHUP) };
    let m = wait_for(&daemon, |m| {
        m.get("monitor_config_reload_failures_total", &[]) >= 1.0
    });
    assert_eq!(m.get("monitor_config_reload_failures_total", &[]), 1.0);
    send_udp(1);
    ping(1);
    let m = wait_for(&daemon, |m| {
        rule(m, "pings", &iface, "egress") >= 6.0 && rule(m, "udp9999", &iface, "egress") >= 5.0
    });
    assert_eq!(rule(&m, "pings", &iface, "egress"), 6.0);
    assert_eq!(rule(&m, "udp9999", &iface, "egress"), 5.0);
    assert!(!m.0.keys().any(|k| k.contains("rule=\"bad\"")));

    assert_eq!(daemon.stop(), 0);
    let _ = std::fs::remove_file(&cfg);
}

#[test]
fn json_log_names_the_rules_a_reload_changed() {
    let net = Netns::new("jlog");
    let iface = net.host_if.clone();
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    let log = std::env::temp_dir().join(format!("{}.log", net.ns));
    let head = "[daemon]\nlog_format = \"json\"\n";
    std::fs::write(
        &cfg,
        format!("{head}[[rule]]\nname = \"pings\"\nfilter = \"icmp.type == 8\"\n[[rule]]\nname = \"dns\"\nfilter = \"udp.port == 53\"\n"),
    )
    .unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    let daemon = Daemon::start_logging_to(
        &["--config", &cfg_s, "--iface", &iface, "--xdp-mode", "skb"],
        &log,
    );
    std::fs::write(
        &cfg,
        format!("{head}[[rule]]\nname = \"pings\"\nfilter = \"icmp\"\n[[rule]]\nname = \"udp9999\"\nfilter = \"udp.dstport == 9999\"\n"),
    )
    .unwrap();
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGHUP) };
    let m = wait_for(&daemon, |m| {
        m.get("monitor_config_reloads_total", &[]) >= 1.0
    });
    assert_eq!(m.get("monitor_config_reloads_total", &[]), 1.0);
    assert_eq!(daemon.stop(), 0);

    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&cfg);
    let _ = std::fs::remove_file(&log);
    let mut messages = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"));
        assert!(v["level"].is_string(), "{line}");
        messages.push(v["fields"]["message"].as_str().unwrap_or("").to_string());
    }
    assert!(
        messages
            .iter()
            .any(|m| m
                == "configuration reloaded: rules added: udp9999; removed: dns; changed: pings"),
        "{text}"
    );
}

#[test]
fn kill_9_leaves_nothing_attached() {
    let net = Netns::new("k9");
    let iface = net.host_if.clone();
    let daemon = Daemon::start(&["--iface", &iface]);
    assert!(monitor_links() >= 2);
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while monitor_links() > 0 {
        assert!(Instant::now() < deadline, "links survived kill -9");
        std::thread::sleep(Duration::from_millis(100));
    }
    let link = String::from_utf8_lossy(&sh(&["ip", "-d", "link", "show", "dev", &iface]).stdout)
        .to_string();
    assert!(!link.contains("xdp"), "XDP still attached: {link}");
    drop(daemon);
}

#[test]
fn an_interface_that_returns_is_monitored_again() {
    let net = Netns::new("back");
    let iface = net.host_if.clone();
    let daemon = Daemon::start(&["--iface", &iface, "--xdp-mode", "skb"]);
    let d = |dir: &'static str| [("direction", dir), ("iface", iface.as_str())];
    sh(&["ping", "-q", "-c", "2", "-i", "0.2", &net.ns_ip]);
    let m = wait_for(&daemon, |m| {
        m.get("monitor_packets_total", &d("egress")) >= 2.0
    });
    let before = m.get("monitor_packets_total", &d("egress"));
    assert_eq!(before, 2.0);
    assert_eq!(m.get("monitor_interfaces", &[]), 1.0);

    // The veth pair goes away and comes back under the same name.
    sh(&["ip", "link", "del", &iface]);
    let m = wait_for(&daemon, |m| m.get("monitor_interfaces", &[]) == 0.0);
    assert_eq!(m.get("monitor_interfaces", &[]), 0.0, "gone, not monitored");
    sh(&[
        "ip", "link", "add", &iface, "type", "veth", "peer", "name", &net.ns_if, "netns", &net.ns,
    ]);
    for (inside, dev) in [(false, &net.host_if), (true, &net.ns_if)] {
        let sysctl = format!("net.ipv6.conf.{dev}.disable_ipv6=1");
        net.run(inside, &["sysctl", "-qw", &sysctl]);
    }
    net.run(
        false,
        &[
            "ip",
            "addr",
            "add",
            &format!("{}/24", net.host_ip),
            "dev",
            &iface,
        ],
    );
    net.run(
        true,
        &[
            "ip",
            "addr",
            "add",
            &format!("{}/24", net.ns_ip),
            "dev",
            &net.ns_if,
        ],
    );
    net.run(false, &["ip", "link", "set", &iface, "up"]);
    net.run(true, &["ip", "link", "set", &net.ns_if, "up"]);
    let (host_mac, ns_mac) = (net.mac(false), net.mac(true));
    net.run(
        false,
        &[
            "ip",
            "neigh",
            "replace",
            &net.ns_ip,
            "lladdr",
            &ns_mac,
            "dev",
            &iface,
            "nud",
            "permanent",
        ],
    );
    net.run(
        true,
        &[
            "ip",
            "neigh",
            "replace",
            &net.host_ip,
            "lladdr",
            &host_mac,
            "dev",
            &net.ns_if,
            "nud",
            "permanent",
        ],
    );
    // Give the watcher a tick to re-attach.
    let deadline = Instant::now() + Duration::from_secs(10);
    while monitor_links() < 4 {
        assert!(Instant::now() < deadline, "not re-attached");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Re-attached once the gauge says so (the old links may linger).
    let m = wait_for(&daemon, |m| m.get("monitor_interfaces", &[]) == 1.0);
    assert_eq!(m.get("monitor_interfaces", &[]), 1.0, "not re-attached");
    sh(&["ping", "-q", "-c", "3", "-i", "0.2", &net.ns_ip]);
    let m = wait_for(&daemon, |m| {
        m.get("monitor_packets_total", &d("egress")) >= before + 3.0
    });
    assert_eq!(m.get("monitor_packets_total", &d("egress")), before + 3.0);
    assert_eq!(
        m.get("monitor_interfaces", &[]),
        1.0,
        "back and re-attached"
    );
    assert_eq!(daemon.stop(), 0);
}

#[test]
fn a_configured_token_is_required_on_every_request() {
    use std::io::{Read as _, Write as _};
    let net = Netns::new("tok");
    let dir = std::env::temp_dir().join(format!("{}-tok", net.ns));
    std::fs::create_dir_all(&dir).unwrap();
    let token = dir.join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let cfg = dir.join("monitor.toml");
    std::fs::write(
        &cfg,
        format!("[daemon]\ntoken_file = \"{}\"\n", token.display()),
    )
    .unwrap();
    let port = monitor_tests::free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = std::process::Command::new(monitor_tests::monitor_bin())
        .args([
            "run",
            "--iface",
            &net.host_if,
            "--listen",
            &addr,
            "--config",
        ])
        .arg(&cfg)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let get = |auth: Option<&str>| -> Option<String> {
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        let h = auth
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(s, "GET /metrics HTTP/1.0\r\nHost: x\r\n{h}\r\n").ok()?;
        let mut r = String::new();
        s.read_to_string(&mut r).ok()?;
        Some(r.lines().next().unwrap_or("").to_string())
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(Some("s3cret-token")).is_none_or(|l| !l.contains("200")) {
        assert!(Instant::now() < deadline, "daemon did not serve");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(None).unwrap().contains("401"));
    assert!(get(Some("wrong")).unwrap().contains("401"));
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
