//! A tun device (no link-layer header: frames start at the IP header)
//! monitored live: the kernel programs parse from the IP header, so the
//! per-protocol counters equal what an independent tshark capture of the
//! same device counts, and a dump carries the device's link type (raw IP)
//! and reads back in tshark as IP.
//!
//! The tun device is created for the test (unique name, removed on drop)
//! with a bounded Python responder behind it that answers ICMP echo
//! requests and echoes UDP datagrams.

use std::{
    net::UdpSocket,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use monitor_tests::{monitor_bin, require_root, sh, sh_ok, tshark_fields, Capture, Daemon};

const PINGS: usize = 5;
const DATAGRAMS: usize = 4;

/// Answers what the kernel sends into the tun device: ICMP echo requests
/// with replies, UDP datagrams with the same datagram back; for argv[2]
/// seconds at most.
const RESPONDER: &str = r#"
import fcntl, os, select, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))
def csum(b):
    if len(b) % 2: b = b + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
end = time.time() + float(sys.argv[2])
print("ready", flush=True)
while time.time() < end:
    if not select.select([fd], [], [], 0.2)[0]: continue
    p = bytearray(os.read(fd, 65536))
    if len(p) < 20 or p[0] >> 4 != 4: continue
    ihl = (p[0] & 15) * 4
    p[12:16], p[16:20] = p[16:20], p[12:16]
    if p[9] == 1 and p[ihl] == 8:
        p[ihl] = 0
        p[ihl + 2:ihl + 4] = b"\0\0"
        p[ihl + 2:ihl + 4] = struct.pack("!H", csum(bytes(p[ihl:])))
    elif p[9] == 17:
        p[ihl:ihl + 2], p[ihl + 2:ihl + 4] = p[ihl + 2:ihl + 4], p[ihl:ihl + 2]
        p[ihl + 6:ihl + 8] = b"\0\0"
    else:
        continue
    p[10:12] = b"\0\0"
    p[10:12] = struct.pack("!H", csum(bytes(p[:ihl])))
    os.write(fd, bytes(p))
"#;

/// A tun device with an address and the responder attached.
struct Tun {
    name: String,
    local: String,
    peer: String,
    responder: Option<Child>,
}

impl Tun {
    fn new() -> Self {
        require_root();
        let id = std::process::id() % 100_000;
        let name = format!("mtun{id}");
        let net = 100 + (id % 100) as u8;
        let me = Self {
            name: name.clone(),
            local: format!("10.{net}.77.1"),
            peer: format!("10.{net}.77.2"),
            responder: None,
        };
        sh(&["ip", "tuntap", "add", "dev", &name, "mode", "tun"]);
        let mut me = me;
        sh(&[
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{name}.disable_ipv6=1"),
        ]);
        let mut child = Command::new("python3")
            .args(["-c", RESPONDER, &name, "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut ready = [0u8; 6];
        use std::io::Read as _;
        child
            .stdout
            .as_mut()
            .expect("responder stdout")
            .read_exact(&mut ready)
            .expect("responder started");
        me.responder = Some(child);
        sh(&[
            "ip",
            "addr",
            "add",
            &format!("{}/24", me.local),
            "dev",
            &name,
        ]);
        sh(&["ip", "link", "set", &name, "up"]);
        me
    }
}

impl Drop for Tun {
    fn drop(&mut self) {
        if let Some(mut c) = self.responder.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        sh_ok(&["ip", "link", "del", &self.name]);
    }
}

/// Pings to the peer, then UDP datagrams it echoes back.
fn traffic(tun: &Tun) {
    sh(&[
        "ping",
        "-q",
        "-c",
        &PINGS.to_string(),
        "-i",
        "0.2",
        "-W",
        "1",
        &tun.peer,
    ]);
    let udp = UdpSocket::bind(format!("{}:0", tun.local)).expect("udp bind");
    udp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    for i in 0..DATAGRAMS {
        udp.send_to(&[i as u8; 40], format!("{}:9999", tun.peer))
            .expect("udp send");
        let mut buf = [0u8; 100];
        let (n, _) = udp.recv_from(&mut buf).expect("echoed datagram");
        assert_eq!(n, 40);
    }
}

#[test]
fn tun_device_is_parsed_from_the_ip_header_and_dumped_as_raw_ip() {
    let tun = Tun::new();
    assert_eq!(
        std::fs::read_to_string(format!("/sys/class/net/{}/type", tun.name))
            .unwrap()
            .trim(),
        "65534",
        "a tun device has no link-layer header"
    );
    let iface = tun.name.clone();
    let daemon = Daemon::start(&["--iface", &iface, "--sample", "1", "--xdp-mode", "skb"]);
    let pcap = std::env::temp_dir().join(format!("{iface}.pcapng"));
    let mut capture = Capture::start(&iface, &pcap, None);

    traffic(&tun);

    let d = |dir: &'static str| [("direction", dir), ("iface", iface.as_str())];
    let want = (PINGS + DATAGRAMS) as f64;
    let deadline = Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = daemon.scrape();
        let done = m.get("monitor_samples_total", &d("egress")) >= want
            && m.get("monitor_samples_total", &d("ingress")) >= want;
        if done || Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(500));
    capture.stop();

    // The independent count: tshark's capture of the same device.
    let rows = tshark_fields(
        &pcap,
        &["frame.encap_type", "ip.src", "ip.proto", "frame.len"],
    );
    let count = |sent: bool, proto: Option<&str>| {
        rows.iter()
            .filter(|r| (r[1] == tun.local) == sent)
            .filter(|r| proto.is_none_or(|p| r[2] == p))
            .count() as f64
    };
    assert!(rows.iter().all(|r| r[0] == "7"), "tshark sees raw IP");
    assert_eq!(count(true, None), want, "tshark saw other traffic");
    assert_eq!(count(false, None), want, "tshark saw other traffic");
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
    for (dir, sent) in [("egress", true), ("ingress", false)] {
        assert_eq!(
            m.get("monitor_packets_total", &d(dir)),
            count(sent, None),
            "{dir}"
        );
        assert_eq!(p(dir, "ipv4"), count(sent, None), "{dir} ipv4");
        assert_eq!(p(dir, "icmp"), count(sent, Some("1")), "{dir} icmp");
        assert_eq!(p(dir, "udp"), count(sent, Some("17")), "{dir} udp");
        for proto in ["arp", "ipv6", "other", "vlan", "icmpv6", "ip_other", "tcp"] {
            assert_eq!(p(dir, proto), 0.0, "{dir} {proto}");
        }
        let bytes: f64 = rows
            .iter()
            .filter(|r| (r[1] == tun.local) == sent)
            .map(|r| r[3].parse::<f64>().unwrap())
            .sum();
        assert_eq!(m.get("monitor_bytes_total", &d(dir)), bytes, "{dir} bytes");
        assert_eq!(m.get("monitor_sample_parse_errors_total", &d(dir)), 0.0);
    }

    // The dump: raw IP interfaces, frames tshark reads as IP.
    let out = std::env::temp_dir().join(format!("{iface}-dump.pcapng"));
    daemon.dump(&out);
    let dumped = tshark_fields(&out, &["frame.encap_type", "frame.protocols"]);
    assert_eq!(
        dumped.len() as f64,
        2.0 * want,
        "every sampled frame dumped"
    );
    for r in &dumped {
        assert_eq!(r[0], "7", "dump link type: raw IP");
        assert!(
            r[1] == "raw:ip:icmp:data" || r[1] == "raw:ip:udp:data",
            "{}",
            r[1]
        );
    }
    // monitor reads its own dump as tshark does.
    let theirs = test_support::tshark().arg("-r").arg(&out).output().unwrap();
    let ours = Command::new(monitor_bin())
        .args(["read", "-r"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout)
    );
    let _ = std::fs::remove_file(&pcap);
    let _ = std::fs::remove_file(&out);
    assert_eq!(daemon.stop(), 0, "SIGTERM must exit 0");
}

/// The summary line without its Time column (the second), blanks collapsed.
fn untimed(line: &str) -> String {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if words.len() > 1 {
        words.remove(1);
    }
    words.join(" ")
}

#[test]
fn capture_on_a_tun_device_prints_what_tshark_shows() {
    let tun = Tun::new();
    let iface = tun.name.clone();
    // Default attach mode.
    shows_what_tshark_shows(&tun, &["capture", "-i", &iface], "Capturing on");
}

#[test]
fn tail_on_a_tun_device_prints_what_tshark_shows() {
    let tun = Tun::new();
    let daemon = Daemon::start(&["--iface", &tun.name, "--sample", "1", "--snaplen", "2048"]);
    shows_what_tshark_shows(&tun, &["tail", "--connect", &daemon.addr], "Following");
    assert_eq!(daemon.stop(), 0);
}

/// `monitor ARGS -c N -w FILE` started (ready once its stderr says
/// `ready`), pings and UDP datagrams through `tun`: it prints tshark's
/// lines for dumpcap's capture of the device and writes the same raw IP
/// frames.
fn shows_what_tshark_shows(tun: &Tun, args: &[&str], ready: &str) {
    use std::io::{BufRead as _, Read as _};
    let iface = tun.name.clone();
    let pcap = std::env::temp_dir().join(format!("{iface}-{}-ref.pcapng", args[0]));
    let written = std::env::temp_dir().join(format!("{iface}-{}.pcapng", args[0]));
    let mut reference = Capture::start(&iface, &pcap, None);
    // `-c` ends it once every frame has come (the `timeout` only bounds
    // one that misses some).
    let frames = 2 * (PINGS + DATAGRAMS);
    let mut child = Command::new("timeout")
        .arg("30")
        .arg(monitor_bin())
        .args(args)
        .args(["-c", &frames.to_string(), "-w"])
        .arg(&written)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("monitor");
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut stderr = String::new();
    while !stderr.contains(ready) {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "{stderr}");
        stderr.push_str(&line);
    }
    traffic(tun);
    let out = child.wait_with_output().expect("monitor");
    err.read_to_string(&mut stderr).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    reference.stop();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let theirs = test_support::tshark()
        .arg("-n")
        .arg("-r")
        .arg(&pcap)
        .output()
        .unwrap();
    let want: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .map(untimed)
        .collect();
    assert_eq!(want.len(), frames, "tshark saw other traffic: {want:?}");
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(untimed)
        .collect();
    assert_eq!(got, want, "{stderr}");
    if args[0] == "capture" {
        assert!(
            stderr.ends_with(&format!("\n{frames} packets captured\n")),
            "{stderr}"
        );
    }
    // Its file: raw IP, the same frames byte for byte.
    let rows = tshark_fields(&written, &["frame.encap_type"]);
    assert!(rows.iter().all(|r| r[0] == "7"), "{rows:?}");
    let (w, r) = (
        monitor_tests::read_capture(&written),
        monitor_tests::read_capture(&pcap),
    );
    assert_eq!(w.len(), r.len());
    for (i, (a, b)) in w.iter().zip(&r).enumerate() {
        assert_eq!(a.data, b.data, "frame {}", i + 1);
    }
    let _ = std::fs::remove_file(&pcap);
    let _ = std::fs::remove_file(&written);
}
