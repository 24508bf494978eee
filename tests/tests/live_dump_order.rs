//! Dumps are in strict time order although samples reach user space in
//! ring-buffer order, which interleaves CPUs and directions: bidirectional
//! traffic from several flows at once, every frame sampled, and `capinfos`
//! must say "Strict time order: True" with every sample in the dump.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use monitor_tests::{Daemon, Netns};

#[test]
fn dumps_are_in_strict_time_order() {
    let mut net = Netns::new("order");
    let ns_ip = net.ns_ip.clone();
    let host_ip = net.host_ip.clone();
    // Traffic in both directions at once: the namespace floods the host
    // with UDP and pings it while the host pings the namespace.
    net.spawn_inside(&[
        "python3",
        "-c",
        &format!(
            "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor i in range(3000):\n  s.sendto(b'x'*64,('{host_ip}',9))\n  if i%100==0: time.sleep(0.001)"
        ),
    ]);
    let daemon = Daemon::start(&[
        "--iface",
        &net.host_if,
        "--xdp-mode",
        "skb",
        "--sample",
        "1",
        "--snaplen",
        "64",
    ]);
    let mut pings: Vec<_> = (0..2)
        .map(|_| {
            Command::new("ping")
                .args(["-q", "-c", "400", "-i", "0.002", &ns_ip])
                .spawn()
                .expect("ping")
        })
        .collect();
    let back = net.run(true, &["ping", "-q", "-c", "400", "-i", "0.002", &host_ip]);
    assert!(back.status.success());
    for p in &mut pings {
        p.wait().unwrap();
    }
    // Let the ring drain into the recorder.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = -1.0;
    loop {
        let m = daemon.scrape();
        let n: f64 = ["ingress", "egress"]
            .iter()
            .map(|d| {
                m.get(
                    "monitor_samples_total",
                    &[("direction", d), ("iface", &net.host_if)],
                )
            })
            .sum();
        if n == last || Instant::now() > deadline {
            break;
        }
        last = n;
        std::thread::sleep(Duration::from_millis(500));
    }
    let dump = std::env::temp_dir().join(format!("{}.pcapng", net.ns));
    daemon.dump(&dump);
    let out = Command::new("capinfos")
        .args(["-o", "-c", "-M"])
        .arg(&dump)
        .output()
        .expect("capinfos");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "capinfos: {text}");
    assert!(text.contains("Strict time order:   True"), "{text}");
    let packets: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Number of packets:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    // Every sample is in the dump (the recorder holds them all).
    assert!(packets >= 2400.0, "{packets} packets in the dump");
    assert_eq!(packets, last, "dump vs samples");
    assert_eq!(daemon.stop(), 0);
    let _ = std::fs::remove_file(&dump);
}
