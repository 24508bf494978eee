//! `cargo xtask demo`: a namespace with a veth pair, a web server and a
//! DNS-like UDP responder inside it, the monitor on the host end, and a
//! gentle, rate-limited mix of traffic (HTTP, ping, UDP queries) until
//! Ctrl-C. Everything it creates is removed on exit.

use std::{
    net::UdpSocket,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

use crate::{cargo, workspace};

struct Demo {
    ns: String,
    host_if: String,
    children: Vec<Child>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        for c in &mut self.children {
            // SAFETY: plain kill(2) on our own children.
            unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
        }
        for c in &mut self.children {
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = quiet(&["ip", "link", "del", &self.host_if]);
        let _ = quiet(&["ip", "netns", "del", &self.ns]);
        eprintln!(
            "demo: removed namespace {} and veth {}",
            self.ns, self.host_if
        );
    }
}

fn quiet(args: &[&str]) -> anyhow::Result<()> {
    let st = Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if !st.success() {
        bail!("{args:?} failed");
    }
    Ok(())
}

fn must(args: &[&str]) -> anyhow::Result<()> {
    let st = Command::new(args[0])
        .args(&args[1..])
        .status()
        .with_context(|| format!("running {args:?}"))?;
    if !st.success() {
        bail!("{args:?} failed ({st})");
    }
    Ok(())
}

/// A tiny DNS-like responder: answers every datagram with the same bytes,
/// QR bit set.
const RESPONDER: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 53))
while True:
    d, a = s.recvfrom(4096)
    if len(d) > 2:
        s.sendto(d[:2] + bytes([d[2] | 0x80]) + d[3:], a)
"#;

/// A DNS query for `name` (type A).
fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut q = Vec::new();
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

/// Run the demo until Ctrl-C or `duration` seconds.
pub fn run(duration: Option<u64>, listen: &str) -> anyhow::Result<()> {
    // SAFETY: no arguments.
    if unsafe { libc::geteuid() } != 0 {
        bail!("run as root: the demo creates a network namespace and attaches XDP/TC programs");
    }
    cargo(&["build", "--release", "-p", "monitor"])?;
    let bin = workspace().join("target/release/monitor");

    let pid = std::process::id();
    let octet = pid % 200 + 20;
    let mut demo = Demo {
        ns: format!("monitor-demo-{pid}"),
        host_if: format!("mdemo{}", pid % 100_000),
        children: Vec::new(),
    };
    let ns_if = format!("mdemi{}", pid % 100_000);
    let host_ip = format!("10.77.{octet}.1");
    let ns_ip = format!("10.77.{octet}.2");
    must(&["ip", "netns", "add", &demo.ns])?;
    must(&[
        "ip",
        "link",
        "add",
        &demo.host_if,
        "type",
        "veth",
        "peer",
        "name",
        &ns_if,
        "netns",
        &demo.ns,
    ])?;
    must(&[
        "ip",
        "addr",
        "add",
        &format!("{host_ip}/24"),
        "dev",
        &demo.host_if,
    ])?;
    must(&["ip", "link", "set", &demo.host_if, "up"])?;
    let nsx = |args: &[&str]| -> anyhow::Result<()> {
        let mut v = vec!["ip", "netns", "exec", demo.ns.as_str()];
        v.extend_from_slice(args);
        must(&v)
    };
    nsx(&["ip", "addr", "add", &format!("{ns_ip}/24"), "dev", &ns_if])?;
    nsx(&["ip", "link", "set", &ns_if, "up"])?;
    nsx(&["ip", "link", "set", "lo", "up"])?;

    let spawn_ns = |args: &[&str]| -> anyhow::Result<Child> {
        Command::new("ip")
            .args(["netns", "exec", &demo.ns])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting a demo server")
    };
    let web_root = std::env::temp_dir();
    let web = spawn_ns(&[
        "python3",
        "-m",
        "http.server",
        "8080",
        "--bind",
        &ns_ip,
        "--directory",
        &web_root.to_string_lossy(),
    ])?;
    demo.children.push(web);
    demo.children.push(spawn_ns(&["python3", "-c", RESPONDER])?);

    eprintln!(
        "demo: monitoring {} (namespace {}); metrics on http://{listen}/metrics; Ctrl-C to stop",
        demo.host_if, demo.ns
    );
    let monitor = Command::new(&bin)
        .args([
            "run",
            "--iface",
            &demo.host_if,
            "--sample",
            "0.2",
            "--summary",
            "--listen",
            listen,
        ])
        .spawn()
        .context("starting monitor")?;
    demo.children.push(monitor);

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .context("installing the Ctrl-C handler")?;
    }
    std::thread::sleep(Duration::from_secs(1));
    let udp = UdpSocket::bind(format!("{host_ip}:0"))?;
    udp.set_read_timeout(Some(Duration::from_millis(200)))?;
    let started = Instant::now();
    let mut i: u16 = 0;
    while !stop.load(Ordering::SeqCst) {
        if duration.is_some_and(|d| started.elapsed() >= Duration::from_secs(d)) {
            break;
        }
        if let Some(st) = demo
            .children
            .last_mut()
            .and_then(|c| c.try_wait().ok().flatten())
        {
            bail!("monitor exited: {st}");
        }
        let _ = quiet(&[
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "--max-time",
            "2",
            &format!("http://{ns_ip}:8080/"),
        ]);
        let _ = quiet(&["ping", "-c", "1", "-W", "1", &ns_ip]);
        for name in ["example.com", "grafana.example", "prometheus.example"] {
            i = i.wrapping_add(1);
            let _ = udp.send_to(&dns_query(i, name), format!("{ns_ip}:53"));
            let mut buf = [0u8; 512];
            let _ = udp.recv(&mut buf);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(demo);
    Ok(())
}
