//! Samples are dissected as the single frames they are: an HTTP server
//! answering 200, 404 and 500, rules on `http.response.code` (which the
//! kernel cannot decide, so every candidate is sampled) match live, once
//! per response as tshark counts them on an independent capture of the
//! veth; on the daemon's own dump `tshark -o tcp.desegment_tcp_streams:FALSE`
//! finds exactly the rules' user-space matches; and no TCP reassembly is
//! left in progress when the connections have closed.

use std::{
    io::{Read as _, Write as _},
    net::{SocketAddr, TcpStream},
    time::{Duration, Instant},
};

use monitor_tests::{Capture, Daemon, Metrics, Netns};

const SERVER: &str = r#"
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        if self.path == "/boom":
            self.send_error(500)
        elif self.path == "/missing":
            self.send_error(404)
        else:
            body = b"x" * 3000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()
"#;

const RULES: &[(&str, &str, usize)] = &[
    ("ok", "http.response.code == 200", 3),
    ("not_found", "http.response.code == 404", 2),
    ("error", "http.response.code == 500", 2),
];

fn tshark_count(file: &std::path::Path, filter: &str, desegment: bool) -> f64 {
    let mut c = test_support::tshark();
    if !desegment {
        c.args(["-o", "tcp.desegment_tcp_streams:FALSE"]);
    }
    let out = c
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

fn user_matches(m: &Metrics, iface: &str, rule: &str) -> f64 {
    ["ingress", "egress"]
        .iter()
        .map(|d| {
            m.get(
                "monitor_rule_user_matches_total",
                &[("direction", d), ("iface", iface), ("rule", rule)],
            )
        })
        .sum()
}

fn get(ns_ip: &str, path: &str) -> String {
    let to: SocketAddr = format!("{ns_ip}:8080").parse().unwrap();
    let mut s = TcpStream::connect_timeout(&to, Duration::from_secs(3)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: test\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).expect("response");
    out
}

#[test]
fn http_response_codes_match_live_on_single_frames() {
    let mut net = Netns::new("http");
    let ns_ip = net.ns_ip.clone();
    net.spawn_inside(&["python3", "-c", SERVER]);
    net.wait_listening(8080, false);
    let iface = net.host_if.clone();
    let cfg = std::env::temp_dir().join(format!("{}.toml", net.ns));
    let text: String = RULES
        .iter()
        .map(|(n, f, _)| format!("[[rule]]\nname = \"{n}\"\nfilter = '{f}'\nsample = 1.0\n"))
        .collect();
    std::fs::write(&cfg, text).unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    let daemon = Daemon::start(&[
        "--config",
        &cfg_s,
        "--iface",
        &iface,
        "--xdp-mode",
        "skb",
        "--sample",
        "0",
        "--snaplen",
        "256",
    ]);
    let pcap = std::env::temp_dir().join(format!("{}.pcapng", net.ns));
    let mut capture = Capture::start(&iface, &pcap, None);

    for (path, code, n) in [("/", "200", 3), ("/missing", "404", 2), ("/boom", "500", 2)] {
        for _ in 0..n {
            let r = get(&ns_ip, path);
            assert!(r.starts_with(&format!("HTTP/1.0 {code}")), "{r}");
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    capture.stop();

    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = daemon.scrape();
        let done = RULES
            .iter()
            .all(|(n, _, want)| user_matches(&m, &iface, n) >= *want as f64);
        if done || Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    for (name, filter, want) in RULES {
        // tshark on the full capture: one match per response.
        assert_eq!(tshark_count(&pcap, filter, true), *want as f64, "{filter}");
        assert_eq!(user_matches(&m, &iface, name), *want as f64, "{name}");
        let info = format!(
            "monitor_rule_info{{exact_series=\"monitor_rule_user_matches_total\",kernel_exact=\"false\",rule=\"{name}\"}}"
        );
        assert_eq!(m.0.get(&info), Some(&1.0), "{info}");
    }
    // Nothing waits for more segments once the connections are closed.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let m = daemon.scrape();
        let v = m.get("monitor_reassembly_in_progress", &[("protocol", "tcp")]);
        if v == 0.0 {
            break;
        }
        assert!(Instant::now() < deadline, "TCP reassembly in progress: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }

    // The daemon's own dump, read by tshark one frame at a time.
    let dump = std::env::temp_dir().join(format!("{}-dump.pcapng", net.ns));
    daemon.dump(&dump);
    for (name, filter, _) in RULES {
        assert_eq!(
            tshark_count(&dump, filter, false),
            user_matches(&m, &iface, name),
            "{name}: tshark on the dump vs the rule's matches"
        );
    }

    assert_eq!(daemon.stop(), 0);
    for f in [&cfg, &pcap, &dump] {
        let _ = std::fs::remove_file(f);
    }
}
