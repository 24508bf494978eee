//! Fresh `tcpdump -i any` captures in Linux cooked mode (`LINUX_SLL`, and
//! `LINUX_SLL2`) of HTTP over IPv4 and IPv6 loopback and ping, made in a
//! network namespace this test creates, read by `monitor read` exactly as
//! by tshark: every summary line, and every cell of a broad field list
//! (cooked header, IP, TCP with its analysis, HTTP, ICMP).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{monitor_bin, Netns, TCP_ANALYSIS_FIELDS};

/// Fields compared cell by cell besides [`TCP_ANALYSIS_FIELDS`].
const FIELDS: &[&str] = &[
    "frame.protocols",
    "frame.len",
    "frame.cap_len",
    "frame.encap_type",
    "sll",
    "sll.pkttype",
    "sll.hatype",
    "sll.halen",
    "sll.src.eth",
    "sll.unused",
    "sll.etype",
    "sll.ltype",
    "sll.ifindex",
    "sll.trailer",
    "ip.src",
    "ip.dst",
    "ip.len",
    "ip.ttl",
    "ip.proto",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.plen",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags",
    "tcp.window_size",
    "tcp.analysis.flags",
    "tcp.analysis.keep_alive",
    "icmp.type",
    "icmp.seq",
    "icmp.data_time",
    "icmp.data_time_relative",
    "http.request.method",
    "http.request.uri",
    "http.response.code",
    "http.content_length",
    "data.len",
];

/// `tcpdump` capturing every interface of the namespace in one cooked
/// link type, running when returned.
struct Tcpdump {
    child: Option<Child>,
    path: PathBuf,
}

impl Tcpdump {
    fn start(ns: &str, linktype: &str, path: &Path) -> Self {
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "tcpdump", "-i", "any", "-y", linktype])
            .args(["--immediate-mode", "-B", "32768", "-U", "-Z", "root", "-w"])
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tcpdump (Debian package tcpdump) is needed for this test");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) < 24 {
            assert!(Instant::now() < deadline, "tcpdump did not start capturing");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(300));
        Self {
            child: Some(child),
            path: path.to_path_buf(),
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: plain kill(2) on our own child (`ip netns exec` execs
            // tcpdump in place).
            unsafe { libc::kill(c.id() as i32, libc::SIGINT) };
            let _ = c.wait();
        }
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        self.stop();
        // (kept for a look when the test failed)
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Compare `monitor read` with tshark on `file`, line by line; returns the
/// number of frames.
fn compare(file: &Path) -> usize {
    let want = output(test_support::tshark().arg("-r").arg(file));
    let got = output(Command::new(monitor_bin()).arg("read").arg("-r").arg(file));
    let (want, got): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    assert_eq!(want.len(), got.len(), "{}: frame count", file.display());
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(w, g, "{}: summary line", file.display());
    }
    let fields: Vec<&str> = TCP_ANALYSIS_FIELDS.iter().chain(FIELDS).copied().collect();
    let mut ts = test_support::tshark();
    ts.arg("-r").arg(file).args(["-T", "fields"]);
    let mut mo = Command::new(monitor_bin());
    mo.arg("read").arg("-r").arg(file).args(["-T", "fields"]);
    for f in &fields {
        ts.args(["-e", f]);
        mo.args(["-e", f]);
    }
    let (tw, mg) = (output(&mut ts), output(&mut mo));
    for (i, (w, g)) in tw.lines().zip(mg.lines()).enumerate() {
        for (j, (wc, gc)) in w.split('\t').zip(g.split('\t')).enumerate() {
            assert_eq!(wc, gc, "{} frame {}: {}", file.display(), i + 1, fields[j]);
        }
    }
    assert_eq!(tw.lines().count(), mg.lines().count());
    want.len()
}

#[test]
fn cooked_captures_of_loopback_read_as_tshark_reads_them() {
    for tool in ["tshark", "tcpdump", "curl", "python3"] {
        assert!(
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success()),
            "{tool} is needed for this test"
        );
    }
    let mut net = Netns::new("sll");
    net.run(true, &["sysctl", "-qw", "net.ipv6.conf.lo.disable_ipv6=0"]);
    // Wire-sized segments: a body of many segments, acknowledged as they come.
    net.run(true, &["ip", "link", "set", "lo", "mtu", "1500"]);
    net.run(
        true,
        &[
            "ethtool", "-K", "lo", "tso", "off", "gso", "off", "gro", "off",
        ],
    );
    let dir = std::env::temp_dir().join(format!("{}-www", net.ns));
    std::fs::create_dir_all(&dir).expect("web root");
    let body: String = (0..3000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(dir.join("big.txt"), &body).expect("web page");
    std::fs::write(dir.join("small.txt"), "hello\n").expect("web page");
    net.serve_http("::", 8080, Some(&dir));
    let sll2 = std::env::temp_dir().join(format!("{}-sll2.pcap", net.ns));
    let sll = std::env::temp_dir().join(format!("{}-sll.pcap", net.ns));
    let mut dumps = [
        Tcpdump::start(&net.ns, "LINUX_SLL2", &sll2),
        Tcpdump::start(&net.ns, "LINUX_SLL", &sll),
    ];
    for url in [
        "http://127.0.0.1:8080/small.txt",
        "http://127.0.0.1:8080/big.txt",
        "http://[::1]:8080/small.txt",
        "http://[::1]:8080/big.txt",
        "http://127.0.0.1:8080/missing",
    ] {
        net.run(
            true,
            &["curl", "-s", "-o", "/dev/null", "--max-time", "10", url],
        );
    }
    net.run(true, &["ping", "-q", "-c", "2", "-i", "0.2", "127.0.0.1"]);
    std::thread::sleep(Duration::from_millis(500));
    for d in &mut dumps {
        d.stop();
    }
    for (path, linktype) in [(&sll2, 276u32), (&sll, 113)] {
        let head = std::fs::read(path).expect("capture");
        assert_eq!(
            u32::from_le_bytes(head[20..24].try_into().unwrap()),
            linktype,
            "{}: link type",
            path.display()
        );
        let frames = compare(path);
        // Five HTTP exchanges (two of 20 segments of body) and two pings.
        assert!(frames > 60, "{}: only {frames} frames", path.display());
        let protos = output(
            Command::new(monitor_bin())
                .arg("read")
                .arg("-r")
                .arg(path)
                .args(["-T", "fields", "-e", "frame.protocols"]),
        );
        for p in [
            "sll:ethertype:ip:tcp:http",
            "sll:ethertype:ipv6:tcp:http",
            "sll:ethertype:ip:icmp",
        ] {
            assert!(
                protos.lines().any(|l| l.starts_with(p)),
                "{}: no {p}",
                path.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
