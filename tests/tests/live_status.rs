//! `monitor status` and `/api/v1/status` on a running daemon: the
//! interface with its XDP mode and link type, each rule with kernel_exact
//! and counts equal to `/metrics`, uptime, the configuration file, the last
//! reload (none, accepted, rejected with its reason) and losses.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use monitor_tests::{monitor_bin, sh, Daemon, Netns};
use serde_json::Value;

fn status_json(addr: &str) -> Value {
    let out = Command::new(monitor_bin())
        .args(["status", "--json", "--connect", addr])
        .output()
        .expect("monitor status");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status JSON")
}

fn rule<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("rule {name} missing: {v}"))
}

fn sighup_and_wait(d: &Daemon, addr: &str, result: &str) -> Value {
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(d.pid() as i32, libc::SIGHUP) };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = status_json(addr);
        if v["last_reload"]["result"] == result {
            return v;
        }
        assert!(Instant::now() < deadline, "no {result} reload: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn status_reports_interfaces_rules_reloads_and_losses() {
    let net = Netns::new("stat");
    let iface = net.host_if.clone();
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    let good = "[[rule]]\nname = \"pings\"\nfilter = \"icmp.type == 8\"\n\n[[rule]]\nname = \"web\"\nfilter = 'tcp.payload contains \"x\"'\n";
    std::fs::write(&cfg, good).unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    let daemon = Daemon::start(&["--config", &cfg_s, "--iface", &iface, "--xdp-mode", "skb"]);
    sh(&["ping", "-q", "-c", "3", "-i", "0.2", &net.ns_ip]);
    std::thread::sleep(Duration::from_millis(300));

    let v = status_json(&daemon.addr);
    assert!(v["uptime_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(v["config"], cfg_s.as_str());
    assert!(v["last_reload"].is_null(), "{v}");
    let ifs = v["interfaces"].as_array().unwrap();
    assert_eq!(ifs.len(), 1);
    let i = &ifs[0];
    assert_eq!(i["name"], iface.as_str());
    assert_eq!(i["attached"], true);
    assert_eq!(i["xdp_mode"], "skb");
    assert_eq!(i["link_type"], 1);
    assert_eq!(i["link_type_name"], "ETHERNET");
    assert_eq!(i["ifindex"], net.host_ifindex());
    let pings = rule(&v, "pings");
    assert_eq!(pings["kernel_exact"], true);
    assert_eq!(pings["packets"], 3.0);
    assert_eq!(pings["candidates_lost"], 0.0);
    let web = rule(&v, "web");
    assert_eq!(web["kernel_exact"], false);
    assert!(web.get("packets").is_none(), "{web}");
    assert!(web["candidates"].is_number());
    // The same numbers as /metrics.
    let m = daemon.scrape();
    let metric = m.get(
        "monitor_rule_packets_total",
        &[
            ("direction", "egress"),
            ("iface", &iface),
            ("rule", "pings"),
        ],
    );
    assert_eq!(pings["packets"].as_f64(), Some(metric));
    for k in [
        "ringbuf_dropped",
        "tcp_records_lost",
        "rule_candidates_lost",
    ] {
        assert_eq!(v["losses"][k], 0.0, "{k}");
    }

    // Text for people.
    let out = Command::new(monitor_bin())
        .args(["status", "--connect", &daemon.addr])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("config: {cfg_s}\n")), "{text}");
    assert!(text.contains("last reload: none\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  {iface}: attached, XDP skb, link type ETHERNET (1), "
        )),
        "{text}"
    );
    assert!(
        text.contains("  pings: kernel-exact, 3 packets, "),
        "{text}"
    );
    assert!(text.contains("  web: candidates in the kernel, "), "{text}");

    // Reloads: accepted, then rejected with the reason.
    let v = sighup_and_wait(&daemon, &daemon.addr, "ok");
    assert_eq!(v["reloads"], 1.0);
    std::fs::write(
        &cfg,
        "[[rule]]\nname = \"bad\"\nfilter = \"tcp.prot == 1\"\n",
    )
    .unwrap();
    let v = sighup_and_wait(&daemon, &daemon.addr, "rejected");
    assert!(
        v["last_reload"]["error"]
            .as_str()
            .unwrap()
            .contains("tcp.prot"),
        "{v}"
    );
    assert_eq!(v["reload_failures"], 1.0);

    // Unreachable daemon: one line, exit 2.
    assert_eq!(daemon.stop(), 0);
    let out = Command::new(monitor_bin())
        .args(["status", "--connect", "127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("monitor: cannot reach the daemon at 127.0.0.1:1"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let _ = std::fs::remove_file(&cfg);
}
