//! Helpers for monitor's end-to-end tests: network namespaces with veth
//! pairs (unique names per run, removed on drop), the daemon as a child
//! process, Prometheus text scraping, and capture files read with the
//! library's reader. Where the sample captures are, the tshark oracle and
//! hex literals come from `test_support` (re-exported here).
//!
//! These tests need root. They only use addresses on the veths they create.

use std::{
    collections::HashMap,
    io::{Read as _, Write as _},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant},
};

pub use test_support::{all_captures, captures_dir, hex, workspace};

/// Path of the `monitor` binary under test (`MONITOR_BIN`, else target/debug).
pub fn monitor_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("MONITOR_BIN") {
        return PathBuf::from(p);
    }
    let p = workspace().join("target/debug/monitor");
    assert!(
        p.exists(),
        "{} not built: run `cargo build -p monitor` first (cargo xtask test does)",
        p.display()
    );
    p
}

/// Panic unless running as root: these tests attach programs and make namespaces.
pub fn require_root() {
    // SAFETY: no arguments, no side effects.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this end-to-end test needs root (run `cargo xtask test` as root)"
    );
}

/// Run a command, panic with its stderr on failure.
pub fn sh(args: &[&str]) -> Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run a command, ignore failure.
/// Fetch `url` with curl, the body thrown away, giving up after
/// `max_secs` seconds (like [`sh`], a failure is printed, not fatal).
pub fn fetch(url: &str, max_secs: u32) -> Output {
    let max = max_secs.to_string();
    sh(&["curl", "-s", "-o", "/dev/null", "--max-time", &max, url])
}

pub fn sh_ok(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A network namespace holding one end of a veth pair; the other end stays
/// in the test's namespace. Both ends have IPv6 off and static neighbours,
/// so the only traffic is what the test sends.
#[derive(Debug)]
pub struct Netns {
    /// Namespace name.
    pub ns: String,
    /// Host-side veth (the monitored interface).
    pub host_if: String,
    /// Namespace-side veth.
    pub ns_if: String,
    /// Host-side IPv4 address.
    pub host_ip: String,
    /// Namespace-side IPv4 address.
    pub ns_ip: String,
    children: Vec<Child>,
}

impl Netns {
    /// Create the namespace and veth pair.
    pub fn new(tag: &str) -> Self {
        require_root();
        let pid = std::process::id();
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let id = format!("{}{}", pid % 100_000, n);
        let ns = format!("mon-{tag}-{id}");
        let host_if = format!("mh{id}");
        let ns_if = format!("mn{id}");
        let octet2 = 100 + (pid % 100) as u32;
        let octet3 = (pid / 100 % 200 + n) % 250;
        let host_ip = format!("10.{octet2}.{octet3}.1");
        let ns_ip = format!("10.{octet2}.{octet3}.2");
        let me = Self {
            ns: ns.clone(),
            host_if: host_if.clone(),
            ns_if: ns_if.clone(),
            host_ip: host_ip.clone(),
            ns_ip: ns_ip.clone(),
            children: Vec::new(),
        };
        sh(&["ip", "netns", "add", &ns]);
        sh(&[
            "ip", "link", "add", &host_if, "type", "veth", "peer", "name", &ns_if, "netns", &ns,
        ]);
        for (dev, inside) in [(&host_if, false), (&ns_if, true)] {
            let sysctl = format!("net.ipv6.conf.{dev}.disable_ipv6=1");
            me.run(inside, &["sysctl", "-qw", &sysctl]);
            me.run(
                inside,
                &[
                    "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                ],
            );
        }
        me.run(
            false,
            &[
                "ip",
                "addr",
                "add",
                &format!("{host_ip}/24"),
                "dev",
                &host_if,
            ],
        );
        me.run(
            true,
            &["ip", "addr", "add", &format!("{ns_ip}/24"), "dev", &ns_if],
        );
        me.run(false, &["ip", "link", "set", &host_if, "up"]);
        me.run(true, &["ip", "link", "set", &ns_if, "up"]);
        me.run(true, &["ip", "link", "set", "lo", "up"]);
        let host_mac = me.mac(false);
        let ns_mac = me.mac(true);
        me.run(
            false,
            &[
                "ip",
                "neigh",
                "replace",
                &ns_ip,
                "lladdr",
                &ns_mac,
                "dev",
                &host_if,
                "nud",
                "permanent",
            ],
        );
        me.run(
            true,
            &[
                "ip",
                "neigh",
                "replace",
                &host_ip,
                "lladdr",
                &host_mac,
                "dev",
                &ns_if,
                "nud",
                "permanent",
            ],
        );
        me
    }

    /// Run a command on the host side (`inside == false`) or in the namespace.
    pub fn run(&self, inside: bool, args: &[&str]) -> Output {
        if inside {
            let mut v = vec!["ip", "netns", "exec", &self.ns];
            v.extend_from_slice(args);
            sh(&v)
        } else {
            sh(args)
        }
    }

    /// MAC address of the host-side or namespace-side veth.
    pub fn mac(&self, inside: bool) -> String {
        let dev = if inside { &self.ns_if } else { &self.host_if };
        let out = self.run(inside, &["cat", &format!("/sys/class/net/{dev}/address")]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait until something in the namespace listens on `port` (`udp` or TCP).
    pub fn wait_listening(&self, port: u16, udp: bool) {
        wait_listening_in(&self.ns, port, udp);
    }

    /// Serve `dir` (else the working directory) over HTTP on `port` of
    /// `bind` in the namespace, ready when this returns.
    pub fn serve_http(&mut self, bind: &str, port: u16, dir: Option<&Path>) {
        let cmd = http_server(bind, port, dir);
        self.spawn_inside(&cmd.iter().map(String::as_str).collect::<Vec<_>>());
        self.wait_listening(port, false);
    }

    /// Start a long-running process inside the namespace; killed on drop.
    pub fn spawn_inside(&mut self, args: &[&str]) {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn in namespace");
        self.children.push(child);
    }

    /// Host-side interface index.
    pub fn host_ifindex(&self) -> u32 {
        let s = std::fs::read_to_string(format!("/sys/class/net/{}/ifindex", self.host_if))
            .expect("ifindex");
        s.trim().parse().expect("ifindex number")
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        sh_ok(&["ip", "link", "del", &self.host_if]);
        sh_ok(&["ip", "netns", "del", &self.ns]);
    }
}

/// A lossy routed path: the host-side veth (the monitored interface) →
/// a router namespace → a server namespace. The router drops a fraction of
/// the server's packets with an iptables `statistic` match (this kernel has
/// no netem), so TCP sees retransmissions, duplicate ACKs and out-of-order
/// segments. Names are unique per process and tag; everything (processes,
/// veths, namespaces) is removed on drop. Only the veths created here get
/// addresses; the host gets one route, through its own veth.
#[derive(Debug)]
pub struct LossyPath {
    /// Router namespace.
    pub router: String,
    /// Server namespace.
    pub server: String,
    /// Host-side veth.
    pub host_if: String,
    /// Host-side IPv4 address.
    pub host_ip: String,
    /// The server's IPv4 address (reached through the router).
    pub server_ip: String,
    children: Vec<Child>,
}

impl LossyPath {
    /// Build the path; the router drops each packet from the server with
    /// probability `drop`.
    pub fn new(tag: &str, drop: f64) -> Self {
        require_root();
        let id = std::process::id() % 100_000;
        let net = 10 + (id % 200) as u8;
        let me = Self {
            router: format!("mon-{tag}rt-{id}"),
            server: format!("mon-{tag}sv-{id}"),
            host_if: format!("m{tag}h{id}"),
            host_ip: format!("10.{net}.1.1"),
            server_ip: format!("10.{net}.2.2"),
            children: Vec::new(),
        };
        assert!(me.host_if.len() <= 15, "interface name too long: {tag}");
        let (router, server, host_if) = (me.router.clone(), me.server.clone(), me.host_if.clone());
        let (r0, r1) = (format!("10.{net}.1.2"), format!("10.{net}.2.1"));
        // Drop removes whatever part of this was made when a step fails.
        sh(&["ip", "netns", "add", &router]);
        sh(&["ip", "netns", "add", &server]);
        sh(&[
            "ip", "link", "add", &host_if, "type", "veth", "peer", "name", "rt0", "netns", &router,
        ]);
        me.exec(
            &router,
            &[
                "ip", "link", "add", "rt1", "type", "veth", "peer", "name", "sv0", "netns", &server,
            ],
        );
        let h = me.host_ip.clone();
        sh(&["ip", "addr", "add", &format!("{h}/24"), "dev", &host_if]);
        sh(&["ip", "link", "set", &host_if, "up"]);
        sh(&[
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{host_if}.disable_ipv6=1"),
        ]);
        sh(&[
            "ethtool", "-K", &host_if, "tso", "off", "gso", "off", "gro", "off",
        ]);
        sh(&[
            "ip",
            "route",
            "add",
            &format!("10.{net}.2.0/24"),
            "via",
            &r0,
            "dev",
            &host_if,
        ]);
        me.exec(
            &router,
            &["ip", "addr", "add", &format!("{r0}/24"), "dev", "rt0"],
        );
        me.exec(
            &router,
            &["ip", "addr", "add", &format!("{r1}/24"), "dev", "rt1"],
        );
        for d in ["rt0", "rt1", "lo"] {
            me.exec(&router, &["ip", "link", "set", d, "up"]);
        }
        for d in ["rt0", "rt1"] {
            me.exec(
                &router,
                &["ethtool", "-K", d, "tso", "off", "gso", "off", "gro", "off"],
            );
        }
        me.exec(&router, &["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
        me.exec(
            &router,
            &["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
        );
        let s0 = me.server_ip.clone();
        if drop > 0.0 {
            me.exec(
                &router,
                &[
                    "iptables",
                    "-A",
                    "FORWARD",
                    "-s",
                    &s0,
                    "-m",
                    "statistic",
                    "--mode",
                    "random",
                    "--probability",
                    &drop.to_string(),
                    "-j",
                    "DROP",
                ],
            );
        }
        me.exec(
            &server,
            &["ip", "addr", "add", &format!("{s0}/24"), "dev", "sv0"],
        );
        me.exec(&server, &["ip", "link", "set", "sv0", "up"]);
        me.exec(&server, &["ip", "link", "set", "lo", "up"]);
        me.exec(
            &server,
            &[
                "ethtool", "-K", "sv0", "tso", "off", "gso", "off", "gro", "off",
            ],
        );
        me.exec(
            &server,
            &["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
        );
        me.exec(&server, &["ip", "route", "add", "default", "via", &r1]);
        me
    }

    fn exec(&self, ns: &str, args: &[&str]) -> Output {
        let mut v = vec!["ip", "netns", "exec", ns];
        v.extend_from_slice(args);
        sh(&v)
    }

    /// Run a command in the server namespace.
    pub fn in_server(&self, args: &[&str]) -> Output {
        self.exec(&self.server, args)
    }

    /// Start a long-running process in the server namespace; killed on drop.
    pub fn spawn_server(&mut self, args: &[&str]) {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.server])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn in server namespace");
        self.children.push(child);
    }

    /// Wait until something in the server namespace listens on `port`
    /// (`udp` or TCP).
    pub fn wait_listening(&self, port: u16, udp: bool) {
        wait_listening_in(&self.server, port, udp);
    }

    /// Serve `dir` over HTTP on `port` of the server's address
    /// (`python3 -m http.server`), ready when this returns.
    pub fn serve_http(&mut self, dir: &Path, port: u16) {
        let cmd = http_server(&self.server_ip.clone(), port, Some(dir));
        self.spawn_server(&cmd.iter().map(String::as_str).collect::<Vec<_>>());
        self.wait_listening(port, false);
    }
}

/// Wait (10 s at most) until something in network namespace `ns` listens
/// on `port` (`udp` or TCP).
fn wait_listening_in(ns: &str, port: u16, udp: bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let flags = if udp { "-Hnul" } else { "-Hntl" };
    loop {
        let sport = format!("= :{port}");
        let out = sh(&["ip", "netns", "exec", ns, "ss", flags, "sport", &sport]);
        if !out.stdout.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "nothing listens on port {port} in {ns}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `python3 -m http.server` on `bind`:`port`, serving `dir` (else its
/// working directory).
fn http_server(bind: &str, port: u16, dir: Option<&Path>) -> Vec<String> {
    let mut cmd: Vec<String> = [
        "python3",
        "-m",
        "http.server",
        &port.to_string(),
        "--bind",
        bind,
    ]
    .map(String::from)
    .into();
    if let Some(d) = dir {
        cmd.extend(["--directory".into(), d.to_string_lossy().into_owned()]);
    }
    cmd
}

impl Drop for LossyPath {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        sh_ok(&["ip", "link", "del", &self.host_if]);
        sh_ok(&["ip", "netns", "del", &self.router]);
        sh_ok(&["ip", "netns", "del", &self.server]);
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The daemon as a child process; stopped with SIGTERM on drop.
#[derive(Debug)]
pub struct Daemon {
    child: Option<Child>,
    /// Address of its HTTP server.
    pub addr: String,
}

impl Daemon {
    /// `monitor dump` of the daemon's flight recorder into `path`;
    /// asserts that it succeeded.
    pub fn dump(&self, path: &Path) {
        let st = Command::new(monitor_bin())
            .args(["dump", "--connect", &self.addr, "--output"])
            .arg(path)
            .status()
            .expect("run monitor dump");
        assert!(st.success(), "monitor dump");
    }

    /// Start `monitor run` with `args` (plus `--listen`) and wait until
    /// `/metrics` answers.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_stderr(args, Stdio::inherit())
    }

    /// [`Daemon::start`], its log (stderr) going to `log`.
    pub fn start_logging_to(args: &[&str], log: &Path) -> Self {
        let file = std::fs::File::create(log).expect("create the daemon's log file");
        Self::start_with_stderr(args, Stdio::from(file))
    }

    fn start_with_stderr(args: &[&str], stderr: Stdio) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(monitor_bin())
            .arg("run")
            .args(args)
            .args(["--listen", &addr])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawn monitor");
        let mut d = Self {
            child: Some(child),
            addr,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if http_get(&d.addr, "/metrics").is_some() {
                return d;
            }
            if let Some(status) = d.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("monitor exited early: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("monitor did not serve /metrics within 30 s");
    }

    /// Scrape `/metrics` into `name{labels}` → value.
    pub fn scrape(&self) -> Metrics {
        Metrics::parse(&http_get(&self.addr, "/metrics").expect("scrape /metrics"))
    }

    /// Process id of the daemon.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Send SIGTERM and wait; returns the exit code.
    pub fn stop(mut self) -> i32 {
        self.terminate()
    }

    fn terminate(&mut self) -> i32 {
        let Some(mut child) = self.child.take() else {
            return -1;
        };
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                return st.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return -1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// GET a path over plain HTTP/1.0; `None` when the connection fails.
pub fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let (_, b) = body.split_once("\r\n\r\n")?;
    Some(b.to_string())
}

/// Parsed Prometheus text exposition.
#[derive(Debug, Default)]
pub struct Metrics(pub HashMap<String, f64>);

impl Metrics {
    /// Parse the text format (one `name{labels} value` per line).
    pub fn parse(text: &str) -> Self {
        let mut m = HashMap::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            if let Some((k, v)) = line.rsplit_once(' ') {
                if let Ok(v) = v.parse() {
                    m.insert(k.to_string(), v);
                }
            }
        }
        Self(m)
    }

    /// Value of a series whose labels are given in the exporter's order
    /// (alphabetical), e.g. `get("monitor_packets_total", &[("direction","egress"),("iface","x")])`.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let key = if l.is_empty() {
            name.to_string()
        } else {
            format!("{name}{{{}}}", l.join(","))
        };
        *self
            .0
            .get(&key)
            .unwrap_or_else(|| panic!("series {key} not exported"))
    }
}

/// One frame of a capture file.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Captured bytes.
    pub data: Vec<u8>,
    /// Original length.
    pub orig_len: u32,
}

/// `tshark -r file -T fields -e …`: one row per frame, one column per field.
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut c = test_support::tshark();
    c.arg("-r").arg(file).args(["-T", "fields"]);
    for f in fields {
        c.args(["-e", f]);
    }
    let out = c.output().expect("tshark");
    assert!(out.status.success(), "tshark -r {}", file.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Read every frame of a pcap or pcapng file (with the library's reader).
pub fn read_capture(path: &Path) -> Vec<Frame> {
    monitor::capture::CaptureReader::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|p| {
            let p = p.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Frame {
                data: p.record.data,
                orig_len: p.record.orig_len,
            }
        })
        .collect()
}

/// Number of BPF links whose program is one of ours (`monitor_xdp`, `monitor_tc`).
pub fn monitor_links() -> usize {
    let progs = String::from_utf8_lossy(&sh(&["bpftool", "-j", "prog", "show"]).stdout).to_string();
    let links = String::from_utf8_lossy(&sh(&["bpftool", "-j", "link", "show"]).stdout).to_string();
    let ours: Vec<String> = progs
        .split("{\"id\":")
        .skip(1)
        .filter(|p| p.contains("\"name\":\"monitor_"))
        .filter_map(|p| p.split(',').next().map(|id| format!("\"prog_id\":{id}")))
        .collect();
    links
        .split('{')
        .filter(|l| {
            ours.iter()
                .any(|o| l.contains(&format!("{o},")) || l.contains(&format!("{o}}}")))
        })
        .count()
}

/// A tshark capture of one interface into a pcapng file, running when
/// returned (an independent view of the traffic a test sends).
#[derive(Debug)]
pub struct Capture {
    child: Option<Child>,
    /// The capture file.
    pub path: PathBuf,
}

impl Capture {
    /// Capture `iface` (optionally through a capture filter) into `path`.
    pub fn start(iface: &str, path: &Path, filter: Option<&str>) -> Self {
        Self::start_with(iface, path, filter, &[])
    }

    /// As [`Capture::start`], with more tshark capture options (limits
    /// such as `-c` and `-a filesize:`, buffer size `-B`, snaplen `-s`).
    pub fn start_with(iface: &str, path: &Path, filter: Option<&str>, options: &[&str]) -> Self {
        let mut c = test_support::tshark();
        c.args(["-q", "-i", iface]).args(options);
        if let Some(f) = filter {
            c.args(["-f", f]);
        }
        let child = c
            .arg("-w")
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tshark");
        // dumpcap writes the file header once it is capturing.
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            assert!(Instant::now() < deadline, "tshark did not start capturing");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(500));
        Self {
            child: Some(child),
            path: path.to_path_buf(),
        }
    }

    /// True while tshark is still capturing (false once a `-c` or `-a`
    /// limit ended it).
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// Stop capturing (the file is complete afterwards).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: plain kill(2) on our own child.
            unsafe { libc::kill(c.id() as i32, libc::SIGINT) };
            let _ = c.wait();
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The TCP analysis fields `monitor read -T fields` prints exactly as tshark
/// does: compared on fresh lossy captures and timed by the read benchmark.
pub const TCP_ANALYSIS_FIELDS: &[&str] = &[
    "frame.number",
    "tcp.stream",
    "tcp.seq",
    "tcp.ack",
    "tcp.nxtseq",
    "tcp.len",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.window_update",
    "tcp.analysis.acks_frame",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.push_bytes_sent",
    "tcp.analysis.initial_rtt",
    "tcp.completeness",
];
