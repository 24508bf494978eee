//! Fresh-traffic differential test: traffic recorded now, compared with
//! tshark 4.0 frame by frame.
//!
//! Each run builds small networks (client, router and server namespaces
//! joined by veths), makes the router lose, duplicate and reorder packets,
//! drives real servers and clients from Debian's packages through them
//! (python's http.server, nginx with keep-alive, gzip and chunked bodies,
//! `openssl s_server`, `nghttpd`, `dnsmasq`; curl, `openssl s_client`,
//! `nghttp`, `dig`, a pipelining client), and records each scenario with
//! `tcpdump` on the client's veth. Each capture and snapshot-length cuts
//! of it are then read by `monitor read` and by tshark and compared:
//!
//! - every summary line (`-r`),
//! - every cell of `-T fields` for every field both know, of the protocols
//!   present in the capture (in chunks),
//! - `-T json` with a list of fields of every layer, frame by frame,
//! - the number of frames each of a list of display filters matches (one
//!   tshark pass with `-z io,stat`), and the frame list where it differs.
//!
//! The full run (`FRESH_SCALE=full`) fails on any difference; the short
//! run fails on any difference in the uncut HTTP/1, TLS and DNS captures
//! and prints those of the cut copies and of HTTP/2 in clear text, where
//! known differences remain. Sizes, loss rates and cut lengths come from a seed
//! that is printed, so a failing run can be replayed:
//! `FRESH_SEED=… cargo test -p monitor-tests --test fresh`. Captures of a
//! failing run are kept under `target/fresh/`.
//!
//! Environment: `FRESH_SEED` (default: from the clock), `FRESH_RUNS`
//! (default 1), `FRESH_SCALE` (`short`, the default, ≈ 25,000 packets a
//! run; `full`, ≥ 300,000 packets and bodies up to 32 MB), `FRESH_KEEP=1`
//! keeps every capture. `cargo xtask fresh` runs the full scale.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use monitor_tests::{monitor_bin, require_root, sh, sh_ok, workspace};

/// splitmix64: small, seedable, good enough to pick sizes and rates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// Uniform in `[lo, hi)`.
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

/// How much traffic a run makes.
#[derive(Clone, Copy, Debug)]
struct Scale {
    /// Largest single HTTP body (bytes).
    big_body: u64,
    /// Small HTTP/1.0 downloads, one connection each.
    small_files: u64,
    /// Requests over HTTP/1.1 keep-alive connections.
    keepalive_requests: u64,
    /// Largest keep-alive body.
    keepalive_max: u64,
    /// TLS connections (each fetching a body).
    tls_connections: u64,
    /// DNS queries (a tenth over TCP).
    dns_queries: u64,
    /// HTTP/2 requests.
    h2_requests: u64,
}

const SHORT: Scale = Scale {
    big_body: 3 << 20,
    small_files: 150,
    keepalive_requests: 150,
    keepalive_max: 300_000,
    tls_connections: 12,
    dns_queries: 600,
    h2_requests: 30,
};

const FULL: Scale = Scale {
    big_body: 32 << 20,
    small_files: 1500,
    keepalive_requests: 1500,
    keepalive_max: 1 << 20,
    tls_connections: 120,
    dns_queries: 30_000,
    h2_requests: 400,
};

/// Impairments made in the router, per direction.
#[derive(Clone, Copy, Debug)]
struct Impair {
    loss: f64,
    dup: f64,
    reorder: f64,
}

/// Three namespaces: client ─ router ─ server, with the router impairing
/// what it forwards. Everything made is removed on drop.
struct Lab {
    cli: String,
    rt: String,
    srv: String,
    children: Vec<Child>,
}

const CLI_IP: &str = "10.77.1.1";
const SRV_IP: &str = "10.77.2.2";

impl Lab {
    fn new(tag: &str, imp: Impair) -> Self {
        require_root();
        let id = std::process::id() % 100_000;
        let me = Self {
            cli: format!("fr{tag}c{id}"),
            rt: format!("fr{tag}r{id}"),
            srv: format!("fr{tag}s{id}"),
            children: Vec::new(),
        };
        for ns in [&me.cli, &me.rt, &me.srv] {
            sh(&["ip", "netns", "add", ns]);
            me.exec(ns, &["ip", "link", "set", "lo", "up"]);
            me.exec(ns, &["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
        }
        sh(&[
            "ip", "link", "add", "c0", "netns", &me.cli, "type", "veth", "peer", "name", "r0",
            "netns", &me.rt,
        ]);
        sh(&[
            "ip", "link", "add", "r1", "netns", &me.rt, "type", "veth", "peer", "name", "s0",
            "netns", &me.srv,
        ]);
        let links = [
            (&me.cli, "c0", "10.77.1.1/24"),
            (&me.rt, "r0", "10.77.1.2/24"),
            (&me.rt, "r1", "10.77.2.1/24"),
            (&me.srv, "s0", "10.77.2.2/24"),
        ];
        for (ns, dev, addr) in links {
            me.exec(ns, &["ip", "addr", "add", addr, "dev", dev]);
            me.exec(ns, &["ip", "link", "set", dev, "up"]);
            // Wire-sized frames in the capture.
            me.exec(
                ns,
                &[
                    "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                ],
            );
        }
        me.exec(
            &me.cli,
            &["ip", "route", "add", "default", "via", "10.77.1.2"],
        );
        me.exec(
            &me.srv,
            &["ip", "route", "add", "default", "via", "10.77.2.1"],
        );
        me.exec(&me.rt, &["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
        let ipt = |args: &[&str]| {
            let mut v = vec!["iptables"];
            v.extend_from_slice(args);
            me.exec(&me.rt, &v);
        };
        let p = |x: f64| format!("{x:.4}");
        if imp.loss > 0.0 {
            for dir in ["-s", "-d"] {
                ipt(&[
                    "-A",
                    "FORWARD",
                    dir,
                    SRV_IP,
                    "-m",
                    "statistic",
                    "--mode",
                    "random",
                    "--probability",
                    &p(imp.loss),
                    "-j",
                    "DROP",
                ]);
            }
        }
        // A share of the packets leaving towards the client, picked at
        // random, goes to `target`.
        let to_client = |prob: f64, target: &[&str]| {
            let prob = p(prob);
            let mut v = vec![
                "-t",
                "mangle",
                "-A",
                "POSTROUTING",
                "-o",
                "r0",
                "-m",
                "statistic",
                "--mode",
                "random",
                "--probability",
                &prob,
                "-j",
            ];
            v.extend_from_slice(target);
            ipt(&v);
        };
        if imp.dup > 0.0 {
            // A copy of the packet is sent to the client as well.
            to_client(imp.dup, &["TEE", "--gateway", CLI_IP]);
        }
        if imp.reorder > 0.0 {
            // Packets classified into a slow class are overtaken by later
            // ones (this kernel has no netem).
            let tc = |args: &[&str]| {
                let mut v = vec!["tc"];
                v.extend_from_slice(args);
                me.exec(&me.rt, &v);
            };
            tc(&[
                "qdisc", "add", "dev", "r0", "root", "handle", "1:", "htb", "default", "10", "r2q",
                "100000",
            ]);
            tc(&[
                "class", "add", "dev", "r0", "parent", "1:", "classid", "1:10", "htb", "rate",
                "10gbit",
            ]);
            tc(&[
                "class", "add", "dev", "r0", "parent", "1:", "classid", "1:20", "htb", "rate",
                "8mbit", "ceil", "8mbit",
            ]);
            to_client(imp.reorder, &["CLASSIFY", "--set-class", "1:20"]);
        }
        me
    }

    fn exec(&self, ns: &str, args: &[&str]) -> Output {
        let mut v = vec!["ip", "netns", "exec", ns];
        v.extend_from_slice(args);
        sh(&v)
    }

    /// Run a client command; its exit status is not checked (loss makes
    /// some clients give up, which is traffic too).
    fn client(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.cli])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"))
    }

    /// Start a server; killed on drop. Its output goes to `log`.
    fn server(&mut self, args: &[&str], log: &Path) {
        let f = std::fs::File::create(log).expect("server log");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.srv])
            .args(args)
            .stdin(Stdio::null())
            .stdout(f.try_clone().expect("log"))
            .stderr(f)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {args:?}: {e}"));
        self.children.push(child);
    }

    fn wait_listening(&self, port: u16, udp: bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let flags = if udp { "-Hnul" } else { "-Hntl" };
        loop {
            let out = self.exec(&self.srv, &["ss", flags, "sport", &format!("= :{port}")]);
            if !out.stdout.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "nothing listens on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Record the client's veth into `path` until the returned guard stops.
    fn record(&self, path: &Path, nano: bool) -> Recording {
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.cli,
            "tcpdump",
            "-i",
            "c0",
            "-s",
            "0",
            "-U",
            "--immediate-mode",
            "-B",
            "16384",
            "-w",
        ])
        .arg(path);
        if nano {
            c.args(["--time-stamp-precision", "nano"]);
        }
        let child = c
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tcpdump");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            assert!(Instant::now() < deadline, "tcpdump did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        Recording(Some(child))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in [&self.cli, &self.rt, &self.srv] {
            // Whatever still runs inside (servers' children) goes too.
            let pids = Command::new("ip").args(["netns", "pids", ns]).output();
            if let Ok(o) = pids {
                for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                    if let Ok(p) = pid.parse::<i32>() {
                        // SAFETY: kill(2) on a process of our own namespace.
                        unsafe { libc::kill(p, libc::SIGKILL) };
                    }
                }
            }
            sh_ok(&["ip", "netns", "del", ns]);
        }
    }
}

/// A running tcpdump; stopped (and its file complete) on [`Recording::stop`].
struct Recording(Option<Child>);

impl Recording {
    /// Stop; returns how many packets tcpdump says the kernel dropped.
    fn stop(&mut self) -> u64 {
        let Some(c) = self.0.take() else { return 0 };
        // The last packets (a connection's FIN, late duplicates) get in.
        std::thread::sleep(Duration::from_millis(1000));
        // SAFETY: SIGINT to our own child.
        unsafe { libc::kill(c.id() as i32, libc::SIGINT) };
        let out = c.wait_with_output().expect("tcpdump exit");
        let err = String::from_utf8_lossy(&out.stderr);
        err.lines()
            .find_map(|l| l.strip_suffix(" packets dropped by kernel"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Recording {
    /// Stop and describe what was recorded.
    fn finish(mut self, name: String, path: PathBuf) -> Recorded {
        let dropped = self.stop();
        Recorded {
            name,
            path,
            dropped,
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Bytes a seeded generator makes (text or binary).
fn body(rng: &mut Rng, len: u64, text: bool) -> Vec<u8> {
    let mut v = Vec::with_capacity(len as usize);
    let mut x = rng.next();
    while (v.len() as u64) < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if text {
            let c = b"abcdefghijklmnopqrstuvwxyz <>/=\n"[(x % 32) as usize];
            v.push(c);
        } else {
            v.extend_from_slice(&x.to_le_bytes());
        }
    }
    v.truncate(len as usize);
    v
}

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = !0u32;
    for b in parts.iter().flat_map(|p| p.iter()) {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A valid PNG (8-bit grey, 256 pixels wide) whose pixels are `pixels`,
/// stored uncompressed.
fn png(pixels: &[u8]) -> Vec<u8> {
    let width = 256usize;
    let rows: Vec<&[u8]> = pixels.chunks(width).filter(|r| r.len() == width).collect();
    let height = rows.len().max(1);
    let mut raw = Vec::new();
    for r in &rows {
        raw.push(0);
        raw.extend_from_slice(r);
    }
    if rows.is_empty() {
        raw.push(0);
        raw.extend(std::iter::repeat_n(0x80, width));
    }
    // zlib: stored deflate blocks and an Adler-32.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let n = b.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut bsum) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        bsum = (bsum + a) % 65521;
    }
    z.extend_from_slice(&((bsum << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |ty: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(ty);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc32(&[ty, data]).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

/// Files served by the HTTP servers of a scenario.
fn site(dir: &Path, rng: &mut Rng, count: u64, max: u64) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let mut names = Vec::new();
    let kinds = ["html", "txt", "bin", "css", "json", "png"];
    for i in 0..count {
        let kind = kinds[(rng.next() % kinds.len() as u64) as usize];
        // Mostly small, some large: the size's logarithm is uniform.
        let exp = rng.float(0.0, (max.max(2) as f64).ln());
        let len = if i == 0 { 0 } else { exp.exp() as u64 };
        let mut b = body(rng, len, kind != "bin" && kind != "png");
        if kind == "png" {
            b = png(&b);
        }
        if kind == "json" {
            b = format!(
                "{{\"n\": {i}, \"s\": \"{}\"}}",
                "x".repeat(len as usize % 4000)
            )
            .into_bytes();
        }
        let name = format!("f{i}.{kind}");
        std::fs::write(dir.join(&name), b).unwrap();
        names.push(name);
    }
    names
}

/// A curl config fetching `urls` (one `-K` file, many transfers).
fn curl_config(dir: &Path, name: &str, urls: &[String], extra: &[&str]) -> PathBuf {
    let mut s = String::new();
    for e in extra {
        let _ = writeln!(s, "{e}");
    }
    for u in urls {
        let _ = writeln!(s, "url = \"{u}\"\noutput = \"/dev/null\"");
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Common curl options: give up rather than hang on a lossy path.
const CURL: &[&str] = &["curl", "-s", "--max-time", "120", "--connect-timeout", "5"];

/// A client that sends several requests before reading any response
/// (HTTP/1.1 pipelining), then reads until the server closes.
const PIPELINE: &str = r#"
import socket, sys
host, port, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.create_connection((host, port), timeout=20)
reqs = b''.join(b'GET /%s HTTP/1.1\r\nHost: %s\r\n\r\n' % (p.encode(), host.encode()) for p in paths[:-1])
reqs += b'GET /%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' % (paths[-1].encode(), host.encode())
s.sendall(reqs)
try:
    while s.recv(65536):
        pass
except socket.timeout:
    pass
"#;

/// An HTTP server answering with the status code named in the path
/// (`/status/500`), for error responses nginx's static files do not make.
const STATUS_SERVER: &str = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        code = int(self.path.rsplit('/', 1)[-1]) if self.path.startswith('/status/') else 200
        body = (b'status %d\n' % code) * (code % 7 + 1)
        self.send_response(code)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
"#;

fn nginx_conf(dir: &Path, root: &Path) -> PathBuf {
    let conf = format!(
        "daemon off;\nmaster_process off;\nuser root;\nworker_processes 1;\n\
         pid {dir}/nginx.pid;\nerror_log {dir}/nginx.err;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  types {{ text/html html; text/plain txt; text/css css; \
         application/json json; image/png png; application/octet-stream bin; }}\n\
         client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
         fastcgi_temp_path {dir}/fcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
         keepalive_requests 100000;\n  keepalive_timeout 60;\n\
         gzip on;\n  gzip_min_length 50;\n  gzip_types text/plain text/css application/json;\n\
         server {{\n    listen {SRV_IP}:80;\n    root {root};\n  }}\n}}\n",
        dir = dir.display(),
        root = root.display()
    );
    let p = dir.join("nginx.conf");
    std::fs::write(&p, conf).unwrap();
    p
}

fn tls_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    if !cert.exists() {
        sh(&[
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=fresh.test",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
        ]);
    }
    (key, cert)
}

/// One recorded scenario.
struct Recorded {
    name: String,
    path: PathBuf,
    dropped: u64,
}

fn impair(rng: &mut Rng, loss: (f64, f64), dup: f64, reorder: f64) -> Impair {
    Impair {
        loss: rng.float(loss.0, loss.1),
        dup: if dup > 0.0 { rng.float(0.0, dup) } else { 0.0 },
        reorder: if reorder > 0.0 {
            rng.float(0.0, reorder)
        } else {
            0.0
        },
    }
}

/// HTTP/1.0 (python's http.server): one large body, then many small
/// downloads, each on its own connection.
fn scenario_http10(dir: &Path, rng: &mut Rng, scale: Scale) -> Recorded {
    let imp = impair(rng, (0.003, 0.02), 0.0, 0.0);
    let www = dir.join("www10");
    std::fs::create_dir_all(&www).unwrap();
    let big = rng.range(scale.big_body / 2, scale.big_body);
    std::fs::write(www.join("big.bin"), body(rng, big, false)).unwrap();
    let names = site(&www, rng, scale.small_files, 12_000);
    let mut lab = Lab::new("a", imp);
    lab.server(
        &[
            "python3",
            "-m",
            "http.server",
            "8000",
            "--bind",
            SRV_IP,
            "--directory",
            www.to_str().unwrap(),
        ],
        &dir.join("http10.log"),
    );
    lab.wait_listening(8000, false);
    let path = dir.join("http10.pcap");
    let rec = lab.record(&path, false);
    lab.client(&[
        CURL[0],
        CURL[1],
        "--max-time",
        "300",
        "-o",
        "/dev/null",
        &format!("http://{SRV_IP}:8000/big.bin"),
    ]);
    let urls: Vec<String> = names
        .iter()
        .map(|n| format!("http://{SRV_IP}:8000/{n}"))
        .collect();
    let cfg = curl_config(dir, "http10.curl", &urls, &[]);
    let mut args = CURL.to_vec();
    args.extend(["--http1.0", "-K", cfg.to_str().unwrap()]);
    lab.client(&args);
    let _ = lab.client(&[
        CURL[0],
        CURL[1],
        "-o",
        "/dev/null",
        &format!("http://{SRV_IP}:8000/missing"),
    ]);
    rec.finish(format!("http10 {imp:?} big={big}"), path)
}

/// HTTP/1.1 keep-alive (nginx): mixed sizes, gzip (chunked) bodies,
/// HEAD, conditional requests (304), 404, pipelined requests; error
/// statuses from a second server; reordering and duplicates.
fn scenario_http11(dir: &Path, rng: &mut Rng, scale: Scale) -> Recorded {
    let imp = impair(rng, (0.002, 0.01), 0.01, 0.01);
    let www = dir.join("www11");
    let names = site(&www, rng, 200, scale.keepalive_max);
    let mut lab = Lab::new("b", imp);
    let conf = nginx_conf(dir, &www);
    lab.server(
        &[
            "nginx",
            "-c",
            conf.to_str().unwrap(),
            "-e",
            dir.join("nginx.err").to_str().unwrap(),
        ],
        &dir.join("nginx.log"),
    );
    lab.server(
        &["python3", "-c", STATUS_SERVER, SRV_IP, "8081"],
        &dir.join("status.log"),
    );
    lab.wait_listening(80, false);
    lab.wait_listening(8081, false);
    let path = dir.join("http11.pcap");
    let rec = lab.record(&path, rng.next().is_multiple_of(2));
    let per_conn = rng.range(5, 60);
    let mut left = scale.keepalive_requests;
    let mut round = 0;
    while left > 0 {
        let n = per_conn.min(left);
        left -= n;
        round += 1;
        let urls: Vec<String> = (0..n)
            .map(|_| {
                format!(
                    "http://{SRV_IP}/{}",
                    names[(rng.next() % names.len() as u64) as usize]
                )
            })
            .collect();
        let cfg = curl_config(dir, &format!("k{round}.curl"), &urls, &[]);
        let mut args = CURL.to_vec();
        match round % 4 {
            0 => args.push("--compressed"),
            1 => args.extend(["-I"]),
            2 => args.extend(["-z", "Jan 1 2020"]),
            _ => {}
        }
        args.extend(["-K", cfg.to_str().unwrap()]);
        lab.client(&args);
    }
    // Conditional requests answered 304, and missing files.
    let url = format!("http://{SRV_IP}/{}", names[1]);
    lab.client(&[
        CURL[0],
        CURL[1],
        "-o",
        "/dev/null",
        "-z",
        "Jan 1 2099",
        &url,
        &format!("http://{SRV_IP}/nope.html"),
    ]);
    // Pipelined requests.
    for _ in 0..5 {
        let mut args = vec!["python3", "-c", PIPELINE, SRV_IP, "80"];
        let picked: Vec<&str> = (0..4)
            .map(|_| names[(rng.next() % 20) as usize].as_str())
            .collect();
        args.extend(picked);
        lab.client(&args);
    }
    // Error statuses on one keep-alive connection.
    let urls: Vec<String> = [200, 404, 500, 503, 301, 204]
        .iter()
        .map(|c| format!("http://{SRV_IP}:8081/status/{c}"))
        .collect();
    let cfg = curl_config(dir, "status.curl", &urls, &[]);
    let mut args = CURL.to_vec();
    args.extend(["-K", cfg.to_str().unwrap()]);
    lab.client(&args);
    rec.finish(format!("http11 {imp:?} per_conn={per_conn}"), path)
}

/// TLS 1.2 and 1.3 (`openssl s_server -www`, curl and `openssl
/// s_client`), and HTTP/2 over TLS (`nghttpd`, `nghttp`).
fn scenario_tls(dir: &Path, rng: &mut Rng, scale: Scale) -> Recorded {
    let imp = impair(rng, (0.002, 0.01), 0.0, 0.005);
    let (key, cert) = tls_cert(dir);
    let www = dir.join("wwwtls");
    let names = site(&www, rng, 40, scale.keepalive_max);
    let mut lab = Lab::new("c", imp);
    let (k, c) = (key.to_str().unwrap(), cert.to_str().unwrap());
    lab.server(
        &[
            "openssl",
            "s_server",
            "-accept",
            &format!("{SRV_IP}:4433"),
            "-key",
            k,
            "-cert",
            c,
            "-www",
            "-tls1_3",
        ],
        &dir.join("s13.log"),
    );
    lab.server(
        &[
            "openssl",
            "s_server",
            "-accept",
            &format!("{SRV_IP}:4412"),
            "-key",
            k,
            "-cert",
            c,
            "-www",
            "-tls1_2",
        ],
        &dir.join("s12.log"),
    );
    lab.server(
        &[
            "nghttpd",
            "-a",
            SRV_IP,
            "-d",
            www.to_str().unwrap(),
            "8443",
            k,
            c,
        ],
        &dir.join("nghttpd.log"),
    );
    for p in [4433, 4412, 8443] {
        lab.wait_listening(p, false);
    }
    let path = dir.join("tls.pcap");
    let rec = lab.record(&path, false);
    for i in 0..scale.tls_connections {
        let port = if i % 2 == 0 { "4433" } else { "4412" };
        lab.client(&[
            CURL[0],
            CURL[1],
            "-k",
            "-o",
            "/dev/null",
            &format!("https://{SRV_IP}:{port}/"),
        ]);
        if i % 5 == 0 {
            let mut c = Command::new("ip");
            c.args([
                "netns",
                "exec",
                &lab.cli,
                "openssl",
                "s_client",
                "-connect",
                &format!("{SRV_IP}:{port}"),
                "-servername",
                "fresh.test",
            ]);
            let mut child = c
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("s_client");
            if let Some(mut si) = child.stdin.take() {
                use std::io::Write as _;
                let _ = si.write_all(b"GET / HTTP/1.0\r\n\r\n");
            }
            let _ = child.wait();
        }
    }
    let n = scale.h2_requests as usize;
    let urls: Vec<String> = (0..n)
        .map(|i| format!("https://{SRV_IP}:8443/{}", names[i % names.len()]))
        .collect();
    for chunk in urls.chunks(10) {
        let mut args = vec!["nghttp", "-n", "-t", "30"];
        args.extend(chunk.iter().map(String::as_str));
        lab.client(&args);
    }
    rec.finish(format!("tls {imp:?}"), path)
}

/// HTTP/2 in clear text (`nghttpd --no-tls`): prior knowledge and the
/// HTTP/1.1 Upgrade.
fn scenario_h2c(dir: &Path, rng: &mut Rng, scale: Scale) -> Recorded {
    let imp = impair(rng, (0.0, 0.006), 0.0, 0.0);
    let www = dir.join("wwwh2");
    let names = site(&www, rng, 40, scale.keepalive_max / 2);
    let mut lab = Lab::new("e", imp);
    lab.server(
        &[
            "nghttpd",
            "--no-tls",
            "-a",
            SRV_IP,
            "-d",
            www.to_str().unwrap(),
            "8080",
        ],
        &dir.join("h2c.log"),
    );
    lab.wait_listening(8080, false);
    let path = dir.join("h2c.pcap");
    let rec = lab.record(&path, false);
    let n = scale.h2_requests as usize;
    let urls: Vec<String> = (0..n)
        .map(|i| format!("http://{SRV_IP}:8080/{}", names[i % names.len()]))
        .collect();
    for (i, chunk) in urls.chunks(8).enumerate() {
        let mut args = vec!["nghttp", "-n", "-t", "30"];
        if i % 2 == 1 {
            args.push("-u");
        }
        args.extend(chunk.iter().map(String::as_str));
        lab.client(&args);
    }
    rec.finish(format!("h2c {imp:?}"), path)
}

/// DNS over UDP and TCP against dnsmasq, and many short TCP connections
/// (some refused).
fn scenario_dns(dir: &Path, rng: &mut Rng, scale: Scale) -> Recorded {
    let imp = impair(rng, (0.0, 0.01), 0.0, 0.0);
    let mut lab = Lab::new("d", imp);
    let hosts = dir.join("dns.hosts");
    let mut h = String::new();
    for i in 0..200 {
        let _ = writeln!(h, "10.9.{}.{} host{i}.fresh.test", i / 250, i % 250 + 1);
    }
    std::fs::write(&hosts, h).unwrap();
    lab.server(
        &[
            "dnsmasq",
            "-k",
            "-C",
            "/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            &format!("--listen-address={SRV_IP}"),
            "--addn-hosts",
            hosts.to_str().unwrap(),
            "--txt-record=txt.fresh.test,\"hello fresh\"",
            "--mx-host=fresh.test,mail.fresh.test,10",
            "--cname=alias.fresh.test,host1.fresh.test",
            "--pid-file=",
            "--user=root",
            "--cache-size=0",
        ],
        &dir.join("dnsmasq.log"),
    );
    lab.wait_listening(53, true);
    let path = dir.join("dns.pcap");
    let rec = lab.record(&path, false);
    let mut batch = String::new();
    let types = ["A", "AAAA", "TXT", "MX", "CNAME", "ANY", "PTR"];
    for i in 0..scale.dns_queries {
        let t = types[(rng.next() % types.len() as u64) as usize];
        let name = match rng.next() % 5 {
            0 => "txt.fresh.test".to_string(),
            1 => "alias.fresh.test".to_string(),
            2 => format!("missing{i}.fresh.test"),
            _ => format!("host{}.fresh.test", rng.next() % 200),
        };
        let tcp = if i % 10 == 0 { " +tcp" } else { "" };
        let _ = writeln!(batch, "@{SRV_IP} {name} {t} +tries=1 +time=1{tcp}");
    }
    let bf = dir.join("dig.batch");
    std::fs::write(&bf, batch).unwrap();
    lab.client(&["dig", "-f", bf.to_str().unwrap()]);
    // Short connections: refused (no listener) and reset.
    for _ in 0..20 {
        lab.client(&[
            CURL[0],
            CURL[1],
            "--connect-timeout",
            "1",
            &format!("http://{SRV_IP}:9/"),
        ]);
    }
    rec.finish(format!("dns {imp:?}"), path)
}

/// Display filters compared on every capture, across the layers.
const FILTERS: &[&str] = &[
    "eth",
    "ip.len > 1000",
    "ip.flags.df == 1",
    "ip.ttl < 64",
    "frame.len < 100",
    "udp",
    "tcp.flags.syn == 1 && tcp.flags.ack == 0",
    "tcp.flags.reset == 1",
    "tcp.len > 1000",
    "tcp.len == 0",
    "tcp.window_size_value < 1000",
    "tcp.options.sack_le",
    "tcp.stream == 3",
    "tcp.analysis.flags",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.out_of_order",
    "tcp.analysis.window_update",
    "tcp.analysis.keep_alive",
    "tcp.analysis.ack_rtt > 0.0005",
    "tcp.analysis.bytes_in_flight > 50000",
    "tcp.time_delta > 0.01",
    "http",
    "http.request",
    "http.response",
    "http.request.method == \"HEAD\"",
    "http.response.code == 200",
    "http.response.code == 304",
    "http.response.code == 404",
    "http.response.code >= 500",
    "http.content_length > 10000",
    "http.content_type contains \"text\"",
    "http.content_encoding == \"gzip\"",
    "http.transfer_encoding == \"chunked\"",
    "http.request.uri contains \"f1\"",
    "http.time > 0.01",
    "http2",
    "http2.type == 1",
    "http2.header.name == \":path\"",
    "tls",
    "tls.handshake.type == 1",
    "tls.handshake.type == 2",
    "tls.record.version == 0x0303",
    "tls.handshake.extensions_server_name",
    "tls.app_data",
    "dns",
    "dns.flags.response == 1",
    "dns.flags.rcode == 3",
    "dns.qry.type == 28",
    "dns.time > 0.0005",
    "dns.retransmission || dns.unsolicited",
    "dns.qry.name contains \"host1\"",
    "dns.a",
    "dns.count.answers > 1",
    "data",
    "frame.protocols contains \"data-text-lines\"",
    "png",
    "json",
    "_ws.malformed",
];

/// Fields never compared: their `-T fields` text is not the value.
const NOT_COMPARED: &[&str] = &["tcp.options.sack_perm"];

/// What a comparison found.
#[derive(Default)]
struct Found {
    packets: u64,
    lines: u64,
    line_diffs: Vec<String>,
    cells: u64,
    cell_diffs: BTreeMap<String, Vec<String>>,
    filter_diffs: Vec<String>,
}

impl Found {
    fn clean(&self) -> bool {
        self.line_diffs.is_empty() && self.cell_diffs.is_empty() && self.filter_diffs.is_empty()
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.stderr(Stdio::piped()).output().expect("run command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tshark() -> Command {
    Command::new("tshark")
}

fn monitor() -> Command {
    Command::new(monitor_bin())
}

/// Fields both programs know, by protocol.
fn common_fields() -> Vec<String> {
    let theirs = run(tshark().args(["-G", "fields"]));
    let theirs: HashSet<&str> = theirs
        .lines()
        .filter_map(|l| l.split('\t').nth(2))
        .collect();
    let ours = run(monitor().arg("fields"));
    ours.lines()
        .filter_map(|l| {
            // tshark -G fields' columns: kind, description, name, type, parent.
            let mut c = l.split('\t');
            let (kind, name) = (c.next()?, c.nth(1)?);
            (kind == "F" && theirs.contains(name) && !NOT_COMPARED.contains(&name))
                .then(|| name.to_string())
        })
        .collect()
}

/// Compare everything on one capture.
fn compare(cap: &Path, fields: &[String], filters: bool) -> Found {
    let mut found = Found::default();
    // Summary lines.
    let want = run(tshark().arg("-r").arg(cap));
    let got = run(monitor().arg("read").arg("-r").arg(cap));
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    found.packets = w.len() as u64;
    found.lines = w.len().max(g.len()) as u64;
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (
            w.get(i).copied().unwrap_or(""),
            g.get(i).copied().unwrap_or(""),
        );
        if a != b {
            found
                .line_diffs
                .push(format!("  tshark:  {a}\n  monitor: {b}"));
        }
    }
    // Protocols present, for the field list.
    let protos = run(tshark()
        .arg("-r")
        .arg(cap)
        .args(["-T", "fields", "-e", "frame.protocols"]));
    let mut present: BTreeSet<&str> = protos.lines().flat_map(|l| l.split(':')).collect();
    present.extend(["frame", "_ws"]);
    let ours = run(monitor().arg("read").arg("-r").arg(cap).args([
        "-T",
        "fields",
        "-e",
        "frame.protocols",
    ]));
    let ours: BTreeSet<&str> = ours.lines().flat_map(|l| l.split(':')).collect();
    present.extend(ours);
    let fields: Vec<&str> = fields
        .iter()
        .map(String::as_str)
        .filter(|f| {
            let p = f.split('.').next().unwrap_or(f);
            present.contains(p)
        })
        .collect();
    for chunk in fields.chunks(120) {
        let mut ts = tshark();
        ts.arg("-r")
            .arg(cap)
            .args(["-T", "fields", "-E", "occurrence=a"]);
        let mut mo = monitor();
        mo.arg("read")
            .arg("-r")
            .arg(cap)
            .args(["-T", "fields", "-E", "occurrence=a"]);
        for f in chunk {
            ts.args(["-e", f]);
            mo.args(["-e", f]);
        }
        let want = run(&mut ts);
        let got = run(&mut mo);
        for (n, (w, g)) in want.lines().zip(got.lines()).enumerate() {
            if w == g {
                found.cells += chunk.len() as u64;
                continue;
            }
            let (wc, gc): (Vec<&str>, Vec<&str>) =
                (w.split('\t').collect(), g.split('\t').collect());
            for (i, f) in chunk.iter().enumerate() {
                found.cells += 1;
                let (a, b) = (
                    wc.get(i).copied().unwrap_or(""),
                    gc.get(i).copied().unwrap_or(""),
                );
                if a != b {
                    let v = found.cell_diffs.entry(f.to_string()).or_default();
                    v.push(format!("frame {}: tshark {a:?} monitor {b:?}", n + 1));
                }
            }
        }
        if want.lines().count() != got.lines().count() {
            found.line_diffs.push(format!(
                "-T fields: tshark {} rows, monitor {}",
                want.lines().count(),
                got.lines().count()
            ));
        }
    }
    compare_json(cap, &mut found);
    if filters {
        compare_filters(cap, &mut found);
    }
    found
}

/// Fields read as tshark's `-T json` (one object per frame, values as
/// arrays): one field or more of every layer the scenarios make.
const JSON_FIELDS: &[&str] = &[
    "frame.number",
    "frame.time_epoch",
    "frame.len",
    "ip.src",
    "ip.dst",
    "tcp.srcport",
    "tcp.stream",
    "tcp.len",
    "tcp.analysis.ack_rtt",
    "udp.length",
    "http.request.method",
    "http.request.uri",
    "http.response.code",
    "http2.streamid",
    "tls.record.content_type",
    "tls.handshake.type",
    "dns.qry.name",
    "dns.a",
];

/// `-T json` with `JSON_FIELDS`, parsed and compared frame by frame.
fn compare_json(cap: &Path, found: &mut Found) {
    let args: Vec<&str> = JSON_FIELDS.iter().flat_map(|f| ["-e", *f]).collect();
    let want = run(tshark().arg("-r").arg(cap).args(["-T", "json"]).args(&args));
    let got = run(monitor()
        .arg("read")
        .arg("-r")
        .arg(cap)
        .args(["-T", "json"])
        .args(&args));
    let parse = |s: &str, who: &str| -> Vec<serde_json::Value> {
        match serde_json::from_str::<serde_json::Value>(s) {
            Ok(serde_json::Value::Array(v)) => v,
            Ok(_) => panic!("{who}'s -T json is not an array"),
            Err(e) => panic!("{who}'s -T json does not parse: {e}"),
        }
    };
    let (w, g) = (parse(&want, "tshark"), parse(&got, "monitor"));
    if w.len() != g.len() {
        found.line_diffs.push(format!(
            "-T json: tshark {} frames, monitor {}",
            w.len(),
            g.len()
        ));
    }
    if let Some((a, b)) = w.iter().zip(&g).find(|(a, b)| a != b) {
        let n = w.iter().zip(&g).filter(|(a, b)| a != b).count();
        found.line_diffs.push(format!(
            "-T json: {n} frames differ, first:\n  tshark:  {a}\n  monitor: {b}"
        ));
    }
}

/// Frames each filter matches: tshark's counts in one pass (`io,stat`),
/// monitor's per filter; the frame lists where the counts differ.
fn compare_filters(cap: &Path, found: &mut Found) {
    let mut ts = tshark();
    ts.arg("-r").arg(cap).args(["-q", "-z"]);
    let mut spec = String::from("io,stat,0");
    for f in FILTERS {
        let _ = write!(spec, ",{f}");
    }
    ts.arg(spec);
    let out = run(&mut ts);
    if found.packets == 0 {
        return;
    }
    // The last table row holds the counts: `| 0.0 <> Dur | frames | bytes | … |`.
    let row = out
        .lines()
        .rev()
        .find(|l| l.contains("<>"))
        .unwrap_or_else(|| panic!("no io,stat row in:\n{out}"));
    // Frames and bytes per filter: the frames.
    let counts: Vec<u64> = row
        .split('|')
        .map(str::trim)
        .filter_map(|c| c.parse().ok())
        .step_by(2)
        .collect();
    assert_eq!(counts.len(), FILTERS.len(), "io,stat columns:\n{out}");
    for (f, want) in FILTERS.iter().zip(counts) {
        let got = monitor()
            .arg("read")
            .arg("-r")
            .arg(cap)
            .args(["-Y", f, "-T", "fields", "-e", "frame.number"])
            .output()
            .expect("monitor read");
        if !got.status.success() {
            found.filter_diffs.push(format!(
                "{f}: monitor refused it: {}",
                String::from_utf8_lossy(&got.stderr).trim()
            ));
            continue;
        }
        let got_frames: Vec<u64> = String::from_utf8_lossy(&got.stdout)
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        if got_frames.len() as u64 != want {
            let theirs = run(tshark().arg("-r").arg(cap).args([
                "-Y",
                f,
                "-T",
                "fields",
                "-e",
                "frame.number",
            ]));
            let theirs: BTreeSet<u64> = theirs.lines().filter_map(|l| l.parse().ok()).collect();
            let ours: BTreeSet<u64> = got_frames.into_iter().collect();
            let only_t: Vec<_> = theirs.difference(&ours).take(8).collect();
            let only_m: Vec<_> = ours.difference(&theirs).take(8).collect();
            found.filter_diffs.push(format!(
                "{f}: tshark {want} frames, monitor {}; only tshark {only_t:?}, only monitor {only_m:?}",
                ours.len()
            ));
        }
    }
}

/// Snapshot-length cut of `cap` (editcap -s).
fn cut(cap: &Path, snap: u32) -> PathBuf {
    let name = cap.file_name().unwrap().to_string_lossy();
    let out = cap.with_file_name(format!("snap{snap}_{name}"));
    sh(&[
        "editcap",
        "-s",
        &snap.to_string(),
        cap.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    out
}

/// Run one seeded round: record, compare, report. Returns (packets, clean).
fn one_run(seed: u64, scale: Scale, fields: &[String], keep_all: bool) -> (u64, bool) {
    let started = Instant::now();
    let mut rng = Rng(seed);
    let dir = workspace().join(format!("target/fresh/seed-{seed}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    type Scenario = fn(&Path, &mut Rng, Scale) -> Recorded;
    let scenarios: [(&str, Scenario); 5] = [
        ("http10", scenario_http10),
        ("http11", scenario_http11),
        ("tls", scenario_tls),
        ("h2c", scenario_h2c),
        ("dns", scenario_dns),
    ];
    let only = std::env::var("FRESH_ONLY").ok();
    let mut recorded = Vec::new();
    for (i, (name, s)) in scenarios.into_iter().enumerate() {
        // Each scenario has a generator of its own, so that one can be
        // replayed alone (`FRESH_ONLY=name`).
        if only.as_deref().is_none_or(|o| o == name) {
            let mut own = Rng(seed.wrapping_mul(31).wrapping_add(i as u64 + 1));
            recorded.push(s(&dir, &mut own, scale));
        }
    }
    let cuts = [64u32, 96, 128, 200, 256, 400];
    // The short run (inside `cargo xtask test`) asserts what agrees with
    // tshark today on any seed; the full run asserts everything. Known
    // open differences, printed by both: the Protocol column of HTTP/2
    // segments carrying JSON and other bodies, the fields of TLS Hellos
    // and DNS-over-TCP messages cut short, SSLv2-looking records in cut
    // TLS 1.3 segments.
    let full = scale.big_body == FULL.big_body;
    let mut clean = true;
    let mut total = 0;
    let mut report = String::new();
    for r in &recorded {
        let snap = cuts[(rng.next() % cuts.len() as u64) as usize];
        let cut_path = cut(&r.path, snap);
        for (label, path, filters) in [
            (r.name.clone(), r.path.clone(), true),
            (format!("{} cut at {snap}", r.name), cut_path, false),
        ] {
            let mut f = compare(&path, fields, filters);
            total += f.packets;
            if f.packets < 10 {
                f.line_diffs.push("no traffic was recorded".into());
            }
            let _ = writeln!(
                report,
                "{}: {} packets ({} dropped by the capture), {} summary lines differ, {} of {} cells differ, {} filters differ",
                label,
                f.packets,
                r.dropped,
                f.line_diffs.len(),
                f.cell_diffs.values().map(Vec::len).sum::<usize>(),
                f.cells,
                f.filter_diffs.len()
            );
            // What must agree: everything in the full run; in the short
            // run, all of an uncut capture (cut copies and HTTP/2 in clear
            // text only reported).
            let h2c = r.name.starts_with("h2c");
            let fails = if full {
                !f.clean()
            } else {
                filters && !h2c && !f.clean()
            };
            clean &= !fails;
            if !f.clean() {
                if !fails {
                    let _ = writeln!(
                        report,
                        "  (known open differences, asserted only by the full run)"
                    );
                }
                let _ = writeln!(report, "  file: {}", path.display());
                for d in f.line_diffs.iter().take(6) {
                    let _ = writeln!(report, "{d}");
                }
                for (field, v) in &f.cell_diffs {
                    let _ = writeln!(report, "  {field}: {} cells, e.g. {}", v.len(), v[0]);
                }
                for d in &f.filter_diffs {
                    let _ = writeln!(report, "  filter {d}");
                }
            }
        }
    }
    eprintln!(
        "fresh run seed {seed}: {} captures (+ cuts), {total} packets compared, {:.0} s\n{report}",
        recorded.len(),
        started.elapsed().as_secs_f64()
    );
    if clean && !keep_all {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        // Only the captures are kept (the served files can be made again).
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        eprintln!("captures kept in {}", dir.display());
    }
    (total, clean)
}

#[test]
fn fresh_traffic_agrees_with_tshark() {
    require_root();
    for tool in [
        "tshark", "editcap", "tcpdump", "nginx", "dnsmasq", "nghttpd", "nghttp", "dig", "curl",
        "openssl",
    ] {
        assert!(
            sh_ok(&["sh", "-c", &format!("command -v {tool}")]),
            "{tool} is not installed (cargo xtask setup installs it)"
        );
    }
    let scale = match std::env::var("FRESH_SCALE").as_deref() {
        Ok("full") => FULL,
        _ => SHORT,
    };
    let runs: u64 = std::env::var("FRESH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let first_seed: u64 = std::env::var("FRESH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() % 1_000_000)
                .unwrap_or(1)
        });
    let keep = std::env::var_os("FRESH_KEEP").is_some();
    let fields = common_fields();
    assert!(fields.len() > 300, "only {} fields in common", fields.len());
    let mut failed = Vec::new();
    let mut packets = 0;
    let started = Instant::now();
    for i in 0..runs {
        let seed = first_seed + i;
        let (n, clean) = one_run(seed, scale, &fields, keep);
        packets += n;
        if !clean {
            failed.push(seed);
        }
    }
    eprintln!(
        "fresh: {runs} runs from seed {first_seed}, {packets} packets, {:.0} s, failing seeds {failed:?}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failed.is_empty(),
        "runs with differences from tshark: seeds {failed:?}"
    );
}
