//! `monitor read` as a command: output formats, `-E` options, `-c`, and the
//! exit status 2 for invalid fields, refused `-Y` and damaged files, and the
//! progress line on a terminal.

use std::path::PathBuf;
use std::process::{Command, Output};

use test_support::captures_dir as captures;

fn monitor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_monitor"))
        .args(args)
        .output()
        .expect("run monitor")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

/// tshark's standard output for `args`. When tshark or the sample
/// captures are missing the test fails, unless `MONITOR_ALLOW_SKIP=1`
/// (then `None`: the caller returns without comparing).
fn tshark(args: &[&str]) -> Option<String> {
    if !test_support::have_capture(&captures().join("MANIFEST.tsv")) || !test_support::have_tshark()
    {
        return None;
    }
    // Times are compared in UTC, the zone monitor prints them in.
    Some(test_support::tshark_stdout(args))
}

/// `monitor read ARGS` prints exactly what `tshark ARGS` prints, both
/// exiting 0.
fn same_as_tshark(args: &[&str]) {
    let Some(want) = tshark(args) else { return };
    let mut ours = vec!["read"];
    ours.extend_from_slice(args);
    let o = monitor(&ours);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = stdout(&o);
    if got != want {
        let at = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{args:?}: first difference at line {}:\n  tshark:  {:?}\n  monitor: {:?}\n({} vs {} lines)",
            at + 1,
            want.lines().nth(at),
            got.lines().nth(at),
            want.lines().count(),
            got.lines().count()
        );
    }
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("monitor-read-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).expect("write temp file");
    p
}

/// A little-endian microsecond pcap with the given frames.
fn pcap(frames: &[&[u8]]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    for x in [0u32, 0, 65535, 1] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    for (i, f) in frames.iter().enumerate() {
        for x in [1_000 + i as u32, 250_000, f.len() as u32, f.len() as u32] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v.extend_from_slice(f);
    }
    v
}

const ARP: &[u8] = &[
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, 0xce, 0x6e, 0x8b, 0x24, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x16, 0xce, 0x6e, 0x8b, 0x24, 0xc0, 0xa8, 0x00, 0x72,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
];

#[test]
fn fields_output_matches_tshark_format() {
    let f = captures().join("tcp_handshake.pcapng");
    let o = monitor(&[
        "read",
        "-r",
        f.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "tcp.flags",
        "-e",
        "ip.addr",
        "-e",
        "frame.time_relative",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "1\t0x0002\t172.16.16.128,212.58.226.142\t0.000000000\n\
         2\t0x0012\t212.58.226.142,172.16.16.128\t0.132627000\n\
         3\t0x0010\t172.16.16.128,212.58.226.142\t0.132768000\n"
    );
}

#[test]
fn separator_occurrence_aggregator_header_quote_count() {
    let f = captures().join("tcp_handshake.pcapng");
    let o = monitor(&[
        "read",
        "-r",
        f.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "ip.addr",
        "-E",
        "separator=;",
        "-E",
        "occurrence=l",
        "-E",
        "header=y",
        "-E",
        "quote=d",
        "-c",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "frame.number;ip.addr\n\"1\";\"212.58.226.142\"\n\"2\";\"172.16.16.128\"\n"
    );
    let o = monitor(&[
        "read",
        "-r",
        f.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "tcp.port",
        "-E",
        "aggregator=/s",
        "-c",
        "1",
    ]);
    assert_eq!(stdout(&o), "2826 80\n");
}

#[test]
fn text_and_json() {
    let p = tmp("arp.pcap", &pcap(&[ARP]));
    let o = monitor(&["read", "-r", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    // Address names depend on whether Wireshark's manuf file is installed.
    let line = stdout(&o);
    assert!(line.starts_with("    1   0.000000 "), "{line}");
    assert!(
        line.ends_with(" ARP 42 Who has 192.168.0.1? Tell 192.168.0.114\n"),
        "{line}"
    );
    let o = monitor(&[
        "read",
        "-r",
        p.to_str().unwrap(),
        "-T",
        "json",
        "-e",
        "arp.opcode",
        "-e",
        "eth.addr",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let layers = &v[0]["_source"]["layers"];
    assert_eq!(layers["arp.opcode"], serde_json::json!(["1"]));
    assert_eq!(
        layers["eth.addr"],
        serde_json::json!(["ff:ff:ff:ff:ff:ff", "00:16:ce:6e:8b:24"])
    );
    let _ = std::fs::remove_file(p);
}

#[test]
fn unknown_field_exits_2() {
    let f = captures().join("tcp_handshake.pcapng");
    let o = monitor(&[
        "read",
        "-r",
        f.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "tcp.no_such_field",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Some fields aren't valid"));
    assert!(o.stdout.is_empty());
}

#[test]
fn display_filter_selects_like_tshark() {
    let f = captures().join("tcp_handshake.pcapng");
    let o = monitor(&[
        "read",
        "-r",
        f.to_str().unwrap(),
        "-Y",
        "tcp.flags.syn == 1",
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "1\n2\n");
    let bad = monitor(&["read", "-r", f.to_str().unwrap(), "-Y", "tcp.flags.syn == "]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains('^'));
}

#[test]
fn truncated_file_prints_what_it_can_then_exits_2() {
    let mut file = pcap(&[ARP, ARP]);
    file.truncate(file.len() - 10);
    let p = tmp("trunc.pcap", &file);
    let o = monitor(&[
        "read",
        "-r",
        p.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "1\n");
    let err = String::from_utf8_lossy(&o.stderr);
    let second = 24 + 16 + ARP.len();
    assert!(err.contains(&format!("offset {second}")), "{err}");
    let _ = std::fs::remove_file(p);
}

#[test]
fn not_a_capture_exits_2() {
    let p = tmp("garbage.pcap", b"this is not a capture file at all");
    let o = monitor(&["read", "-r", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_file(p);
}

/// A file over 16 MiB read with stderr on a terminal shows a progress line
/// that ends at 100 % with the packet count; with stderr not a terminal
/// (a pipe, as here) nothing is written there.
#[test]
fn progress_line_only_on_a_terminal() {
    let mut frame = ARP.to_vec();
    frame.resize(1514, 0);
    let n = (16 << 20) / (frame.len() + 16) + 100;
    let frames: Vec<&[u8]> = vec![&frame; n];
    let p = tmp("big.pcap", &pcap(&frames));
    let path = p.to_str().unwrap();

    let piped = monitor(&["read", "-r", path, "-T", "fields", "-e", "frame.number"]);
    assert_eq!(piped.status.code(), Some(0));
    assert_eq!(stdout(&piped).lines().count(), n);
    assert!(piped.stderr.is_empty(), "{:?}", piped.stderr);

    // `script` runs the command on a pseudo-terminal and copies what it
    // writes there (stderr; stdout goes to /dev/null) to its own stdout.
    let cmd = format!(
        "{} read -r {path} -T fields -e frame.number >/dev/null",
        env!("CARGO_BIN_EXE_monitor")
    );
    let tty = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("run script(1)");
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(tty.status.success(), "{shown}");
    assert!(
        shown.contains(&format!("\r{n} packets, 100%")),
        "no final progress line in {shown:?}"
    );
    let _ = std::fs::remove_file(p);
}

/// Run monitor with its stdout on a pipe whose reading end is closed
/// right away (as `monitor … | head -0` does): every write fails with
/// EPIPE. The command ends quietly with status 0, as when `head` has read
/// all it wanted.
fn into_closed_pipe(args: &[&str]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_monitor"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run monitor");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for monitor")
}

#[test]
fn closed_stdout_ends_quietly() {
    let big = captures().join("mixed_large_web.pcap");
    let big = big.to_str().unwrap();
    let cfg = tmp("empty.toml", b"");
    let runs: &[&[&str]] = &[
        &["fields"],
        &["read", "-r", big],
        &["read", "-r", big, "-T", "fields", "-e", "frame.number"],
        &["read", "-r", big, "-T", "json", "-e", "frame.number"],
        &[
            "read", "-r", big, "-T", "fields", "-E", "header=y", "-e", "ip.src",
        ],
        &["filter", "explain", "tcp.port == 80"],
        &["filter", "check", "tcp.port == 80"],
        &["config", "check", cfg.to_str().unwrap()],
    ];
    for args in runs {
        let o = into_closed_pipe(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let _ = std::fs::remove_file(cfg);
}

/// With `-E quote=d|s` an empty field prints nothing, not a pair of
/// quotes.
#[test]
fn quotes_around_present_fields_only() {
    let arp = captures().join("arp_resolution.pcapng");
    let tcp = captures().join("tcp_handshake.pcapng");
    for (cap, quote) in [(&arp, "quote=d"), (&tcp, "quote=s"), (&tcp, "quote=d")] {
        same_as_tshark(&[
            "-r",
            cap.to_str().unwrap(),
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "ip.src",
            "-e",
            "tcp.options.mss_val",
            "-e",
            "eth.src",
            "-E",
            quote,
            "-E",
            "separator=,",
        ]);
    }
}

/// With `-Y`, `frame.time_relative`, `frame.time_delta` and the Time
/// column count from the first and previous frame read, displayed or not;
/// `frame.time_delta_displayed` from the previous frame printed; `-c`
/// counts frames read, not frames printed.
#[test]
fn times_under_a_display_filter() {
    let f = captures().join("http_espn_retrans.pcapng");
    let f = f.to_str().unwrap();
    let times = [
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "frame.time_relative",
        "-e",
        "frame.time_delta",
        "-e",
        "frame.time_delta_displayed",
        "-e",
        "frame.time_epoch",
    ];
    for filter in ["frame.number > 560", "http", "tcp.analysis.retransmission"] {
        let mut args = vec!["-r", f, "-Y", filter];
        same_as_tshark(&args);
        args.extend_from_slice(&times);
        same_as_tshark(&args);
    }
    for count in ["3", "563"] {
        same_as_tshark(&["-r", f, "-Y", "frame.number > 560", "-c", count]);
        let mut args = vec!["-r", f, "-Y", "frame.number > 560", "-c", count];
        args.extend_from_slice(&times);
        same_as_tshark(&args);
    }
}

/// A little-endian pcapng file: one Ethernet interface with `if_tsresol`
/// (when given) and an enhanced packet block per timestamp (in the
/// interface's units), each holding [`ARP`] and its comments.
fn pcapng(tsresol: Option<u8>, packets: &[(u64, &[&str])]) -> Vec<u8> {
    fn block(out: &mut Vec<u8>, ty: u32, body: &[u8]) {
        let len = 12 + body.len() as u32;
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&len.to_le_bytes());
    }
    fn opt(out: &mut Vec<u8>, code: u16, val: &[u8]) {
        out.extend_from_slice(&code.to_le_bytes());
        out.extend_from_slice(&(val.len() as u16).to_le_bytes());
        out.extend_from_slice(val);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let mut v = Vec::new();
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    block(&mut v, 0x0a0d_0d0a, &shb);
    let mut idb = vec![1, 0, 0, 0, 0, 0, 0, 0];
    if let Some(r) = tsresol {
        opt(&mut idb, 9, &[r]);
        opt(&mut idb, 0, &[]);
    }
    block(&mut v, 1, &idb);
    for &(ts, comments) in packets {
        let mut epb = Vec::new();
        for x in [
            0,
            (ts >> 32) as u32,
            ts as u32,
            ARP.len() as u32,
            ARP.len() as u32,
        ] {
            epb.extend_from_slice(&x.to_le_bytes());
        }
        epb.extend_from_slice(ARP);
        epb.resize(epb.len().next_multiple_of(4), 0);
        for c in comments {
            opt(&mut epb, 1, c.as_bytes());
        }
        if !comments.is_empty() {
            opt(&mut epb, 0, &[]);
        }
        block(&mut v, 6, &epb);
    }
    v
}

/// The Time column has the precision of the file's timestamps, as tshark
/// shows it: pcapng `if_tsresol` in powers of 10 and of 2, and the
/// nanosecond pcap magic; the time fields print every digit whatever the
/// precision.
#[test]
fn time_precision_of_the_file() {
    let times = [
        "-T",
        "fields",
        "-e",
        "frame.time",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.time_relative",
        "-e",
        "frame.time_delta",
    ];
    // Out of order on purpose: negative relative times and deltas.
    let stamps = [
        1_000_000_123u64,
        1_000_000_999,
        1_000_987_654,
        1_000_000_001,
    ];
    let resolutions = [
        None,
        Some(1),
        Some(2),
        Some(3),
        Some(4),
        Some(6),
        Some(7),
        Some(9),
        Some(0x84),
        Some(0x8a),
        Some(0x8d),
        Some(0x97),
        Some(0x9d),
        Some(0x9e),
    ];
    for r in resolutions {
        let packets: Vec<(u64, &[&str])> = stamps.iter().map(|&t| (t, &[][..])).collect();
        let p = tmp(&format!("tsresol-{r:?}.pcapng"), &pcapng(r, &packets));
        let path = p.to_str().unwrap();
        same_as_tshark(&["-r", path]);
        let mut args = vec!["-r", path];
        args.extend_from_slice(&times);
        same_as_tshark(&args);
        let _ = std::fs::remove_file(p);
    }
    // A nanosecond pcap.
    let mut ns = pcap(&[ARP, ARP, ARP]);
    ns[..4].copy_from_slice(&0xa1b2_3c4du32.to_le_bytes());
    let p = tmp("ns.pcap", &ns);
    let path = p.to_str().unwrap();
    same_as_tshark(&["-r", path]);
    let mut args = vec!["-r", path];
    args.extend_from_slice(&times);
    same_as_tshark(&args);
    let _ = std::fs::remove_file(p);
}

/// pcapng packet comments: `frame.comment` (every comment of a packet,
/// control characters escaped as tshark does), its expert note, the
/// `pkt_comment` protocol, and filters on them; on a file written by
/// `editcap -a` and on one with several comments per packet.
#[test]
fn packet_comments() {
    let many = pcapng(
        None,
        &[
            (1, &["a", "b,c"]),
            (2, &[]),
            (
                3,
                &["tab\there\nnew line\r\u{8}\u{c}\u{b}", "\u{1}été\u{7f}"],
            ),
            (4, &[""]),
            (5, &["cut at\0NUL"]),
        ],
    );
    let many = tmp("comments.pcapng", &many);
    let mut files = vec![many.clone()];
    let edited = std::env::temp_dir().join(format!(
        "monitor-read-cli-{}-editcap.pcapng",
        std::process::id()
    ));
    let src = captures().join("tcp_handshake.pcapng");
    match Command::new("editcap")
        .args(["-a", "1:first packet", "-a", "3:rule=web tcp.port == 80"])
        .arg(&src)
        .arg(&edited)
        .status()
    {
        Ok(s) => {
            assert!(s.success(), "editcap failed");
            files.push(edited.clone());
        }
        Err(e) => test_support::missing(&format!("editcap not runnable ({e})")),
    }
    for f in &files {
        let f = f.to_str().unwrap();
        let fields = [
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.comment",
            "-e",
            "frame.comment.expert",
        ];
        let mut args = vec!["-r", f];
        args.extend_from_slice(&fields);
        same_as_tshark(&args);
        args.extend_from_slice(&["-E", "quote=d", "-E", "bom=y"]);
        same_as_tshark(&args);
        for filter in [
            "frame.comment",
            "pkt_comment",
            "!frame.comment",
            "frame.comment contains \"b\"",
            "frame.comment == \"b,c\"",
            "frame.comment == \"\"",
            "frame.comment matches \"^rule=web\"",
        ] {
            let mut args = vec!["-r", f, "-Y", filter];
            same_as_tshark(&args);
            args.extend_from_slice(&fields);
            same_as_tshark(&args);
        }
    }
    let _ = std::fs::remove_file(many);
    let _ = std::fs::remove_file(edited);
}

/// `-e` with a protocol prints the text of its tree item, per occurrence
/// (`Transmission Control Protocol, Src Port: …`, or the filter name for
/// a protocol whose item has no text of its own): every sample capture.
#[test]
fn protocol_fields_print_their_tree_text() {
    let protocols = [
        "frame",
        "eth",
        "ethertype",
        "vlan",
        "ieee8021ad",
        "llc",
        "arp",
        "stp",
        "cdp",
        "ip",
        "ipv6",
        "icmp",
        "icmpv6",
        "udp",
        "tcp",
        "dns",
        "mdns",
        "llmnr",
        "dhcp",
        "dhcpv6",
        "data",
        "http",
        "rip",
        "ospf",
        "nbns",
        "nbdgm",
        "smb",
        "mailslot",
        "browser",
    ];
    let caps: Vec<PathBuf> = test_support::all_captures();
    if caps.is_empty() {
        return; // skipped: MONITOR_ALLOW_SKIP=1
    }
    assert!(caps.len() >= 60, "{} captures", caps.len());
    for cap in &caps {
        let mut args = vec!["-r", cap.to_str().unwrap(), "-T", "fields"];
        for p in &protocols {
            args.extend_from_slice(&["-e", p]);
        }
        same_as_tshark(&args);
    }
    // With a filter (every field dissected) and quoted.
    let f = captures().join("icmp_traceroute.pcapng");
    same_as_tshark(&[
        "-r",
        f.to_str().unwrap(),
        "-Y",
        "icmp",
        "-T",
        "fields",
        "-e",
        "ip",
        "-e",
        "icmp",
        "-e",
        "udp",
        "-E",
        "quote=d",
    ]);
}

/// `-T json -e …` is tshark's output byte for byte: the array of
/// `_index`/`_type`/`_score`/`_source` objects, each field an array of
/// strings (`-E occurrence` applies), times from the integer nanoseconds,
/// strings escaped, `[]` when nothing is printed.
#[test]
fn json_with_fields_is_tsharks() {
    let fields = [
        "-e",
        "frame.number",
        "-e",
        "frame.time",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.time_relative",
        "-e",
        "frame.time_delta_displayed",
        "-e",
        "frame.protocols",
        "-e",
        "eth.src",
        "-e",
        "ip.addr",
        "-e",
        "ipv6.addr",
        "-e",
        "tcp.flags",
        "-e",
        "tcp.analysis.ack_rtt",
        "-e",
        "udp",
        "-e",
        "tcp",
        "-e",
        "dns.qry.name",
        "-e",
        "dns.a",
        "-e",
        "http.host",
        "-e",
        "icmp.type",
    ];
    for cap in [
        "tcp_handshake.pcapng",
        "dns_lab.pcapng",
        "icmp_traceroute.pcapng",
        "http_ipv4_and_ipv6.pcapng",
        "arp_resolution.pcapng",
        "tcp_retransmissions.pcapng",
    ] {
        let f = captures().join(cap);
        let mut args = vec!["-r", f.to_str().unwrap(), "-T", "json"];
        args.extend_from_slice(&fields);
        same_as_tshark(&args);
    }
    let f = captures().join("http_espn_retrans.pcapng");
    let f = f.to_str().unwrap();
    same_as_tshark(&[
        "-r",
        f,
        "-Y",
        "http",
        "-T",
        "json",
        "-e",
        "ip.addr",
        "-e",
        "http.host",
        "-E",
        "occurrence=l",
    ]);
    // Nothing printed.
    same_as_tshark(&["-r", f, "-Y", "arp", "-T", "json", "-e", "ip.addr"]);
    // Escapes and empty values.
    let p = tmp(
        "json-comments.pcapng",
        &pcapng(
            None,
            &[
                (1, &["q\"b\\s", "\u{1}\t\n\r\u{8}\u{c}\u{7f}é"]),
                (2, &[]),
                (3, &[""]),
            ],
        ),
    );
    same_as_tshark(&[
        "-r",
        p.to_str().unwrap(),
        "-T",
        "json",
        "-e",
        "frame.comment",
        "-e",
        "frame.number",
    ]);
    let _ = std::fs::remove_file(p);
}

/// `-T json` without `-e`: tshark's envelope around each packet, one
/// object per protocol holding its fields, in tshark's order of layers
/// (tshark also nests subtrees and quoted packets, which are listed flat
/// here: only the protocol names and the envelope are compared).
#[test]
fn json_tree_has_tsharks_layers() {
    for cap in [
        "tcp_handshake.pcapng",
        "dns_lab.pcapng",
        "arp_resolution.pcapng",
    ] {
        let f = captures().join(cap);
        let f = f.to_str().unwrap();
        let Some(want) = tshark(&["-r", f, "-T", "json"]) else {
            return;
        };
        let o = monitor(&["read", "-r", f, "-T", "json"]);
        assert_eq!(o.status.code(), Some(0));
        let want: serde_json::Value = serde_json::from_str(&want).expect("tshark json");
        let got: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("monitor json");
        let (want, got) = (want.as_array().unwrap(), got.as_array().unwrap());
        assert_eq!(want.len(), got.len(), "{cap}");
        for (w, g) in want.iter().zip(got) {
            for key in ["_index", "_type", "_score"] {
                assert_eq!(w[key], g[key], "{cap}: {key}");
            }
            let names = |v: &serde_json::Value| -> Vec<String> {
                v["_source"]["layers"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect()
            };
            assert_eq!(names(w), names(g), "{cap}");
            let frame = |v: &serde_json::Value, k: &str| v["_source"]["layers"]["frame"][k].clone();
            for k in ["frame.number", "frame.time", "frame.len", "frame.protocols"] {
                assert_eq!(frame(w, k), frame(g, k), "{cap}: {k}");
            }
        }
    }
}

/// A pcapng with one interface of each given link type and one frame on
/// each, in turn.
fn pcapng_links(links: &[u16], frames: &[&[u8]]) -> Vec<u8> {
    fn block(v: &mut Vec<u8>, ty: u32, body: &[u8]) {
        let total = 12 + body.len().div_ceil(4) * 4;
        v.extend_from_slice(&ty.to_le_bytes());
        v.extend_from_slice(&(total as u32).to_le_bytes());
        v.extend_from_slice(body);
        v.resize(v.len() + (4 - body.len() % 4) % 4, 0);
        v.extend_from_slice(&(total as u32).to_le_bytes());
    }
    let mut v = Vec::new();
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend_from_slice(&[1, 0, 0, 0]);
    shb.extend_from_slice(&(-1i64).to_le_bytes());
    block(&mut v, 0x0a0d_0d0a, &shb);
    for lt in links {
        let mut idb = lt.to_le_bytes().to_vec();
        idb.extend_from_slice(&[0; 6]);
        block(&mut v, 1, &idb);
    }
    for (i, f) in frames.iter().enumerate() {
        let mut epb = Vec::new();
        for x in [
            (i % links.len()) as u32,
            0,
            1_000_000 * i as u32,
            f.len() as u32,
            f.len() as u32,
        ] {
            epb.extend_from_slice(&x.to_le_bytes());
        }
        epb.extend_from_slice(f);
        block(&mut v, 6, &epb);
    }
    v
}

#[test]
fn link_type_not_dissected_is_said_once_and_shown_as_tshark_shows_it() {
    // Interface 0 has a link type no dissector reads (tshark: WTAP_ENCAP
    // 0), interface 1 is Ethernet.
    let p = tmp(
        "unknown-link.pcapng",
        &pcapng_links(&[300, 1], &[ARP, ARP, ARP, ARP]),
    );
    let o = monitor(&["read", "-r", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("link type 300").count(),
        1,
        "said once on stderr: {err}"
    );
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    for (i, l) in lines.iter().enumerate() {
        if i % 2 == 0 {
            assert!(l.ends_with("UNKNOWN 42 WTAP_ENCAP = 0"), "{l}");
        } else {
            assert!(l.contains(" ARP 42 Who has 192.168.0.1?"), "{l}");
        }
    }
    let o = monitor(&[
        "read",
        "-r",
        p.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.protocols",
        "-e",
        "frame.encap_type",
        "-e",
        "data.len",
    ]);
    assert_eq!(
        stdout(&o),
        "data\t0\t42\neth:ethertype:arp\t1\t\ndata\t0\t42\neth:ethertype:arp\t1\t\n"
    );
    // An Ethernet-only file says nothing.
    let e = tmp("ethernet-only.pcap", &pcap(&[ARP]));
    let o = monitor(&["read", "-r", e.to_str().unwrap()]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_file(p);
    let _ = std::fs::remove_file(e);
}

/// A dump as the daemon writes it (nanosecond pcapng, interfaces per
/// direction, the rules and analysis verdicts of each packet in its
/// comment) reads as in tshark: the Time column with nine decimals, the
/// comments through `-e` and filters, the packet flags, the frame's tree
/// text with the direction.
#[test]
fn recorder_dump_reads_as_in_tshark() {
    use monitor::record::{Direction, PacketRecord};
    use monitor::recorder::pcapng::{SectionInfo, Writer};
    use monitor::recorder::Entry;
    use std::sync::Arc;

    if tshark(&["-v"]).is_none() {
        return;
    }
    let mut tcp = Vec::new();
    // The three frames of the handshake, from the sample capture.
    let mut reader =
        monitor::capture::CaptureReader::open(&captures().join("tcp_handshake.pcapng"))
            .expect("open sample");
    while let Some(p) = reader.next_packet() {
        tcp.push(p.expect("sample packet").record.data);
    }
    let mut w = Writer::new(Vec::new(), &SectionInfo::default(), 0).expect("writer");
    let base = 1_700_000_000_123_456_789i64;
    let rules: [&[&str]; 3] = [&["syn-flood", "web"], &[], &["web"]];
    let verdicts: [&[&str]; 3] = [&[], &["tcp.analysis.retransmission"], &[]];
    for (i, data) in tcp.iter().enumerate() {
        let mut e = Entry::new(PacketRecord {
            ts_ns: base + i as i64 * 1_000_000_007,
            iface: 2,
            direction: Some(if i % 2 == 0 {
                Direction::Egress
            } else {
                Direction::Ingress
            }),
            orig_len: data.len() as u32,
            data: data.clone(),
        });
        e.rules = rules[i].iter().map(|r| Arc::from(*r)).collect();
        e.analysis = verdicts[i].iter().map(|r| Arc::from(*r)).collect();
        w.packet(&e, &|_| "eth0".to_string()).expect("packet");
    }
    let dump = w.finish(None).expect("finish");
    let p = tmp("recorder.pcapng", &dump);
    let f = p.to_str().unwrap();
    same_as_tshark(&["-r", f]);
    same_as_tshark(&[
        "-r",
        f,
        "-T",
        "fields",
        "-e",
        "frame",
        "-e",
        "frame.comment",
        "-e",
        "frame.interface_name",
        "-e",
        "frame.time_relative",
        "-e",
        "frame.time",
        "-e",
        "frame.packet_flags",
        "-e",
        "frame.packet_flags_direction",
        "-e",
        "frame.packet_flags_reception_type",
        "-e",
        "frame.packet_flags_crc_error",
    ]);
    same_as_tshark(&["-r", f, "-Y", "frame.packet_flags_direction == 1"]);
    same_as_tshark(&["-r", f, "-Y", "frame.comment contains \"web\""]);
    same_as_tshark(&[
        "-r",
        f,
        "-Y",
        "frame.comment contains \"retransmission\"",
        "-T",
        "json",
        "-e",
        "frame.number",
        "-e",
        "frame.comment",
    ]);
    let _ = std::fs::remove_file(p);
}

/// Request/response bookkeeping that needs frame times and conversations:
/// `http.time` and DNS transactions (`dns.response_to`, `dns.time`,
/// retransmissions, unsolicited responses) as tshark shows them, on every
/// sample capture with HTTP or DNS.
#[test]
fn exchange_times_match_tshark() {
    for name in [
        "dns_lab.pcapng",
        "dns_tcp.pcapng",
        "dns_axfr.pcapng",
        "dnssec.pcap",
        "dns_many_flows.pcap",
        "http_google.pcapng",
        "http_post.pcapng",
        "http_ipv4_and_ipv6.pcapng",
        "http_espn_retrans.pcapng",
        "http_espn_many_flows.pcapng",
        "http2_h2c_doh_get.pcap",
        "http2_h2c_doh_post.pcap",
        "mixed_large_web.pcap",
    ] {
        let f = captures().join(name);
        let mut args = vec!["-r", f.to_str().unwrap(), "-T", "fields"];
        for field in [
            "frame.number",
            "http.request_in",
            "http.time",
            "dns.response_to",
            "dns.time",
            "dns.retransmission",
            "dns.retransmit_request_in",
            "dns.retransmit_response_in",
            "dns.unsolicited",
        ] {
            args.extend(["-e", field]);
        }
        same_as_tshark(&args);
    }
}

/// `-e _ws.col.<title>`: the summary line's columns as fields, with and
/// without a display filter, as text fields and in JSON.
#[test]
fn column_fields_are_the_summary_columns() {
    let cols = [
        "_ws.col.No.",
        "_ws.col.Time",
        "_ws.col.Source",
        "_ws.col.Destination",
        "_ws.col.Protocol",
        "_ws.col.Length",
        "_ws.col.Info",
    ];
    for (name, extra) in [
        ("dns_lab.pcapng", &[][..]),
        ("mixed_large_web.pcap", &["-Y", "tcp"][..]),
    ] {
        let f = captures().join(name);
        for format in ["fields", "json"] {
            let mut args = vec!["-r", f.to_str().unwrap(), "-T", format];
            args.extend_from_slice(extra);
            for c in cols {
                args.extend(["-e", c]);
            }
            same_as_tshark(&args);
        }
    }
}

/// MAC addresses named as tshark names them, on 4,000 frames whose
/// addresses are random, or the prefixes of Wireshark's own `manuf` and
/// `wka` entries with random tails and a bit flipped here and there (the
/// range look-up finds entries under masks other than their own; a group
/// address takes its vendor's name).
#[test]
fn mac_names_follow_tshark() {
    let entries: Vec<Vec<u8>> = ["manuf", "wka"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(format!("/usr/share/wireshark/{f}")).ok())
        .flat_map(|text| {
            text.lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_hexdigit()))
                .filter_map(|l| {
                    let addr = l.split_whitespace().next()?.split('/').next()?;
                    addr.split([':', '-'])
                        .map(|b| u8::from_str_radix(b, 16).ok())
                        .collect::<Option<Vec<u8>>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if entries.is_empty() && !test_support::allow_skip() {
        panic!("Wireshark's manuf and wka files are missing (/usr/share/wireshark)");
    }
    // xorshift, seeded: the same frames on every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut mac = || {
        let r = next();
        let mut m: Vec<u8> = r.to_be_bytes()[..6].to_vec();
        if r % 10 >= 3 && !entries.is_empty() {
            let e = &entries[(next() % entries.len() as u64) as usize];
            m[..e.len().min(6)].copy_from_slice(&e[..e.len().min(6)]);
            if r % 2 == 0 {
                let bit = next() % 48;
                m[(bit / 8) as usize] ^= 1 << (bit % 8);
            }
        }
        m
    };
    let frames: Vec<Vec<u8>> = (0..4000)
        .map(|_| {
            let mut f = mac();
            f.extend(mac());
            f.extend([0x88, 0xb5]);
            f.extend([0u8; 46]);
            f
        })
        .collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let path = tmp("macs.pcap", &pcap(&refs));
    let p = path.to_str().unwrap();
    same_as_tshark(&[
        "-r",
        p,
        "-T",
        "fields",
        "-e",
        "eth.src_resolved",
        "-e",
        "eth.dst_resolved",
    ]);
    same_as_tshark(&["-r", p]);
    let _ = std::fs::remove_file(path);
}
