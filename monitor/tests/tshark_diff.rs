//! Differential test against tshark 4.0: every capture in
//! `../shared/captures` and snapshot-length cuts of some, every
//! link/network/transport field this program dissects (TCP analysis
//! included), compared cell by cell with `tshark -T fields`, and the
//! one-line summary (`tshark -r`) of every frame of the captures and of
//! cuts that fall inside headers and application payloads.
//!
//! `frame.protocols` and `data.*` are compared on every frame, including
//! the application layers. Disagreements are allowed only on frames tshark
//! itself marks malformed (`_ws.malformed`), on frames listed with their
//! reason in `protocol_differences.tsv`, and where tshark dissects a
//! protocol this program does not (SMB commands other than Trans, …):
//! there the chain is compared up to that protocol. Without tshark or the
//! captures the test fails (skips only with `MONITOR_ALLOW_SKIP=1`).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use test_support::captures_dir;

/// Frames where `frame.protocols` and `data.*` are known to differ, with the
/// reason: `capture<TAB>frames<TAB>reason`, frames as `4-22,25`. A listed
/// frame that starts agreeing fails the test, so the list only shrinks.
const KNOWN: &str = include_str!("protocol_differences.tsv");

/// Fields whose value depends on which protocols the dissectors found in
/// the payload.
const PROTOCOL_DEPENDENT: &[&str] = &["frame.protocols", "data.data", "data.len"];

/// Fields never compared: their `-T fields` text is not the value (FT_NONE
/// labels).
const NOT_COMPARED: &[&str] = &["frame.number", "tcp.options.sack_perm"];

/// The known differences, by capture file name.
fn known_frames() -> BTreeMap<String, (BTreeSet<u64>, String)> {
    let mut out: BTreeMap<String, (BTreeSet<u64>, String)> = BTreeMap::new();
    for line in KNOWN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let (cap, frames, reason) = (
            cols.next().unwrap(),
            cols.next().expect("frames column"),
            cols.next().expect("reason column"),
        );
        let entry = out.entry(cap.to_string()).or_default();
        for part in frames.split(',') {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
            entry.0.extend(a..=b);
        }
        if !entry.1.is_empty() {
            entry.1.push_str("; ");
        }
        entry.1.push_str(reason);
    }
    out
}

/// Protocols dissected here (those with a protocol field, and the IPv6
/// extension headers, which are fields of `ipv6`): a frame where tshark
/// shows another protocol is compared up to that protocol (the rest is
/// `data` here).
fn own_protocols() -> HashSet<&'static str> {
    monitor::dissect::registry()
        .filter(|f| {
            matches!(
                f.ty,
                monitor::dissect::FieldType::Protocol | monitor::dissect::FieldType::Layer
            )
        })
        .map(|f| f.name)
        .chain([
            "ipv6.hopopts",
            "ipv6.routing",
            "ipv6.fraghdr",
            "ipv6.dstopts",
        ])
        .collect()
}

/// Whether `theirs` holds a protocol not dissected here, and `ours` agrees
/// with it up to that protocol (what follows is `data` here, or what
/// another dissector made of bytes the foreign one claimed first).
fn outside_scope(theirs: &str, ours: &str, own: &HashSet<&str>) -> bool {
    let names: Vec<&str> = theirs.split(':').collect();
    let Some(first) = names.iter().position(|p| !own.contains(p)) else {
        return false;
    };
    let ours: Vec<&str> = ours.split(':').collect();
    ours.len() >= first && ours[..first] == names[..first]
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run command");
    assert!(
        out.status.success() || !out.stdout.is_empty(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// tshark's field names; without tshark the comparison cannot run, which
/// fails the test unless `MONITOR_ALLOW_SKIP=1` (then None: skipped).
fn tshark_or_skip() -> Option<HashSet<String>> {
    let fields = tshark_fields();
    if fields.is_none() {
        test_support::missing("tshark is not installed (Debian package tshark)");
    }
    fields
}

fn tshark_fields() -> Option<HashSet<String>> {
    let out = test_support::tshark()
        .args(["-G", "fields"])
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout);
    Some(
        s.lines()
            .filter_map(|l| l.split('\t').nth(2))
            .map(str::to_string)
            .collect(),
    )
}

/// Small captures made for this test (`tests/fixtures`, written by
/// `make_synthetic.py`): header variants the shared captures lack.
fn fixtures(only: Option<&str>) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "pcap"));
    v.retain(|p| only.is_none_or(|o| p.to_string_lossy().contains(o)));
    v.sort();
    v
}

/// Captures cut inside each link, network and transport header they hold.
const HEADER_CUT_SOURCES: &[&str] = &[
    "mixed_large_web.pcap",
    "icmp_traceroute.pcapng",
    "ipv6_frag_udp.pcap",
    "vlan_icmp_cdp_llc.pcap",
    "icmpv6_ra_mld.pcap",
    "qinq_802.1ad_arp.pcap",
];

/// Captures whose cuts also fall inside application payloads (TLS
/// records, HTTP messages, DNS answers).
const PAYLOAD_CUT_SOURCES: &[&str] = &[
    "tls13_large_tor.pcap",
    "http_espn_many_flows.pcapng",
    "dns_many_flows.pcap",
];

/// Snapshot lengths of the field comparison: inside the headers.
const FIELD_CUT_LENGTHS: &[u32] = &[20, 34, 42, 54, 60, 70];

/// Snapshot lengths of the summary-line comparison: inside the headers and
/// the payloads, up to the daemon's default sample length of 256 bytes.
const TEXT_CUT_LENGTHS: &[u32] = &[20, 34, 44, 54, 56, 60, 66, 70, 100, 256];

/// Copies of shared captures cut to snapshot lengths (with tshark's
/// `editcap -s`), to compare the handling of truncated packets, in a
/// directory of their own (`tag`) that [`remove_cuts`] deletes. Empty when
/// editcap is not installed or `MONITOR_DIFF_NO_SNAPLEN` is set.
fn snaplen_variants(
    tag: &str,
    sources: &[&[&str]],
    lengths: &[u32],
    only: Option<&str>,
) -> Vec<PathBuf> {
    if std::env::var_os("MONITOR_DIFF_NO_SNAPLEN").is_some() {
        return Vec::new();
    }
    let dir = std::env::temp_dir().join(format!("monitor-{tag}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut out = Vec::new();
    for src in sources.iter().copied().flatten() {
        for snap in lengths {
            let dst = dir.join(format!("snap{snap}_{src}"));
            if only.is_some_and(|o| !dst.to_string_lossy().contains(o)) {
                continue;
            }
            let ok = Command::new("editcap")
                .args(["-s", &snap.to_string()])
                .arg(captures_dir().join(src))
                .arg(&dst)
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                out.push(dst);
            }
        }
    }
    out
}

/// Captures converted to other link types (untagged and tagged
/// Ethernet, IPv4 and IPv6, TCP analysis, HTTP, TLS, QUIC, DNS, ICMP
/// errors, fragments, ARP and LLC).
const LINKTYPE_SOURCES: &[&str] = &[
    "http_ipv4_and_ipv6.pcapng",
    "tcp_zerowindow_recovery.pcapng",
    "http_espn_retrans.pcapng",
    "icmp_traceroute.pcapng",
    "ipv6_frag_udp.pcap",
    "vlan_icmp_cdp_llc.pcap",
    "tls13_illustrated.pcap",
    "quic_illustrated.pcap",
    "dns_tcp.pcapng",
    "arp_resolution.pcapng",
];

/// Link types the shared captures are converted to: `(linktype, name)`.
const LINKTYPES: &[(u16, &str)] = &[
    (0, "null"),
    (108, "loop"),
    (101, "raw"),
    (12, "dlt12"),
    (14, "dlt14"),
    (228, "ipv4"),
    (229, "ipv6"),
    (113, "sll"),
    (276, "sll2"),
];

/// The frame of an Ethernet frame under another link type: the Ethernet
/// header replaced by that link type's header (None when the link type
/// cannot carry the frame's ethertype). Cooked headers take the Ethernet
/// source address and say whether the frame was broadcast, multicast or
/// for the capturing host, as Linux does.
fn relink(eth: &[u8], linktype: u16) -> Option<Vec<u8>> {
    if eth.len() < 14 {
        return None;
    }
    let ty = u16::from_be_bytes([eth[12], eth[13]]);
    let payload = &eth[14..];
    let ip_version = match ty {
        0x0800 => 4,
        0x86dd => 6,
        _ => 0,
    };
    let pkttype: u16 = if eth[..6] == [0xff; 6] {
        1
    } else if eth[0] & 1 != 0 {
        2
    } else {
        0
    };
    let mut out = Vec::with_capacity(eth.len() + 6);
    match linktype {
        0 | 108 if ip_version != 0 => {
            // AF_INET, and AF_INET6 as FreeBSD numbers it.
            let af: u32 = if ip_version == 4 { 2 } else { 28 };
            let b = if linktype == 0 {
                af.to_le_bytes()
            } else {
                af.to_be_bytes()
            };
            out.extend_from_slice(&b);
        }
        101 | 12 | 14 if ip_version != 0 => {}
        228 if ip_version == 4 => {}
        229 if ip_version == 6 => {}
        113 => {
            out.extend_from_slice(&pkttype.to_be_bytes());
            out.extend_from_slice(&1u16.to_be_bytes());
            out.extend_from_slice(&6u16.to_be_bytes());
            out.extend_from_slice(&eth[6..12]);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&ty.to_be_bytes());
        }
        276 => {
            out.extend_from_slice(&ty.to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&7u32.to_be_bytes());
            out.extend_from_slice(&1u16.to_be_bytes());
            out.push(pkttype as u8);
            out.push(6);
            out.extend_from_slice(&eth[6..12]);
            out.extend_from_slice(&[0, 0]);
        }
        _ => return None,
    }
    out.extend_from_slice(payload);
    Some(out)
}

/// A little-endian pcap file header.
fn pcap_header(linktype: u16) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    for x in [0u32, 0, 262_144, u32::from(linktype)] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v
}

/// A pcap record (microsecond timestamps, as the sources have).
fn pcap_record(v: &mut Vec<u8>, ts_ns: i64, data: &[u8], orig_len: u32) {
    let us = ts_ns.div_euclid(1000);
    let (s, us) = (us.div_euclid(1_000_000), us.rem_euclid(1_000_000));
    for x in [s as u32, us as u32, data.len() as u32, orig_len] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.extend_from_slice(data);
}

/// A pcapng block.
fn pcapng_block(v: &mut Vec<u8>, ty: u32, body: &[u8]) {
    let total = 12 + body.len().div_ceil(4) * 4;
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(&(total as u32).to_le_bytes());
    v.extend_from_slice(body);
    v.resize(v.len() + (4 - body.len() % 4) % 4, 0);
    v.extend_from_slice(&(total as u32).to_le_bytes());
}

/// The frames of a shared Ethernet capture.
fn ethernet_frames(name: &str) -> Vec<monitor::capture::FilePacket> {
    let r = monitor::capture::CaptureReader::open(&captures_dir().join(name)).expect(name);
    let frames: Vec<_> = r.map(|p| p.expect(name)).collect();
    assert!(
        frames.iter().all(|p| p.linktype == 1),
        "{name}: Ethernet only"
    );
    frames
}

/// Copies of shared captures under other link types, in a directory of
/// their own (`tag`) that [`remove_cuts`] deletes:
///
/// - each of [`LINKTYPE_SOURCES`] rewritten with each of [`LINKTYPES`]'
///   headers (frames the link type cannot carry left out);
/// - `editcap -C <n> -T <encapsulation>` copies, which only relabel what
///   is left of the Ethernet header (whatever it then means: a BSD
///   loopback family made of address and type bytes, raw IP from the
///   first payload byte);
/// - one pcapng whose frames take turns on three interfaces of different
///   link types (Ethernet, raw IP, cooked v2), so that one TCP stream
///   spans link types.
fn linktype_variants(tag: &str, only: Option<&str>) -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("monitor-{tag}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut out = Vec::new();
    let wanted = |p: &Path| only.is_none_or(|o| p.to_string_lossy().contains(o));
    for src in LINKTYPE_SOURCES {
        let frames = ethernet_frames(src);
        for (lt, lname) in LINKTYPES {
            let dst = dir.join(format!("lt_{lname}_{src}.pcap"));
            if !wanted(&dst) {
                continue;
            }
            let mut v = pcap_header(*lt);
            for p in &frames {
                if let Some(d) = relink(&p.record.data, *lt) {
                    let orig = p.record.orig_len as usize + d.len() - p.record.data.len();
                    pcap_record(&mut v, p.record.ts_ns, &d, orig as u32);
                }
            }
            std::fs::write(&dst, v).expect("write converted capture");
            out.push(dst);
        }
        for (chop, encap) in [(14, "rawip"), (14, "rawip4"), (10, "null"), (10, "loop")] {
            let dst = dir.join(format!("lt_editcap_{encap}_{src}.pcap"));
            if !wanted(&dst) {
                continue;
            }
            let status = Command::new("editcap")
                .args(["-F", "pcap", "-C", &chop.to_string(), "-T", encap])
                .arg(captures_dir().join(src))
                .arg(&dst)
                .output()
                .expect("editcap (Debian package tshark) is needed for this test");
            assert!(status.status.success(), "editcap -T {encap} failed");
            out.push(dst);
        }
    }
    let dst = dir.join("lt_three_linktypes.pcapng");
    if wanted(&dst) {
        let mut v = Vec::new();
        let mut shb = Vec::new();
        shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        pcapng_block(&mut v, 0x0a0d_0d0a, &shb);
        let links = [1u16, 101, 276];
        for lt in links {
            let mut idb = Vec::new();
            idb.extend_from_slice(&lt.to_le_bytes());
            idb.extend_from_slice(&0u16.to_le_bytes());
            idb.extend_from_slice(&0u32.to_le_bytes());
            pcapng_block(&mut v, 1, &idb);
        }
        for (turn, p) in ethernet_frames("http_ipv4_and_ipv6.pcapng")
            .iter()
            .chain(&ethernet_frames("tcp_retransmissions.pcapng"))
            .enumerate()
        {
            let iface = turn % links.len();
            let d = if links[iface] == 1 {
                Some(p.record.data.clone())
            } else {
                relink(&p.record.data, links[iface])
            };
            let Some(d) = d else { continue };
            let orig = p.record.orig_len as usize + d.len() - p.record.data.len();
            // (microseconds: the default resolution)
            let ts = (p.record.ts_ns / 1000) as u64;
            let mut epb = Vec::new();
            for x in [
                iface as u32,
                (ts >> 32) as u32,
                ts as u32,
                d.len() as u32,
                orig as u32,
            ] {
                epb.extend_from_slice(&x.to_le_bytes());
            }
            epb.extend_from_slice(&d);
            epb.resize(epb.len().div_ceil(4) * 4, 0);
            pcapng_block(&mut v, 6, &epb);
        }
        std::fs::write(&dst, v).expect("write pcapng");
        out.push(dst);
    }
    out
}

/// Delete the directory of the cut copies.
fn remove_cuts(variants: &[PathBuf]) {
    if let Some(dir) = variants.first().and_then(|p| p.parent()) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[derive(Default)]
struct Tally {
    cells: u64,
    agree: u64,
    malformed_skips: u64,
    allowed: u64,
    outside: u64,
}

/// `4-22,25` for the frames {4, …, 22, 25}.
fn ranges(frames: &BTreeSet<u64>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut it = frames.iter().copied().peekable();
    while let Some(a) = it.next() {
        let mut b = a;
        while it.peek() == Some(&(b + 1)) {
            b = it.next().unwrap();
        }
        out.push(if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        });
    }
    out.join(",")
}

#[test]
fn agrees_with_tshark_on_every_capture() {
    let Some(known) = tshark_or_skip() else {
        return;
    };
    let mut fields: Vec<&str> = Vec::new();
    let mut unknown = Vec::new();
    let analysis = monitor::dissect::tcp_verdict::FIELDS.iter().copied();
    for f in monitor::dissect::core_fields().chain(analysis) {
        if f.ty == monitor::dissect::FieldType::Protocol || NOT_COMPARED.contains(&f.name) {
            continue;
        }
        if known.contains(f.name) {
            fields.push(f.name);
        } else {
            unknown.push(f.name);
        }
    }
    if !unknown.is_empty() {
        eprintln!("fields tshark 4.0 does not know (not compared): {unknown:?}");
    }
    let only: Option<String> = std::env::var("DIFF_ONLY").ok();
    let mut caps: Vec<PathBuf> = test_support::all_captures();
    caps.retain(|p| {
        only.as_ref()
            .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
    });
    let shared = caps.len();
    caps.extend(fixtures(only.as_deref()));
    let variants = snaplen_variants(
        "field-cuts",
        &[HEADER_CUT_SOURCES],
        FIELD_CUT_LENGTHS,
        only.as_deref(),
    );
    caps.extend(variants.iter().cloned());
    let links = linktype_variants("field-links", only.as_deref());
    caps.extend(links.iter().cloned());
    assert!(
        only.is_some() || shared >= 60,
        "expected the 60 shared captures, found {}",
        caps.len()
    );
    let protocols_col = fields
        .iter()
        .position(|f| *f == "frame.protocols")
        .expect("frame.protocols compared");
    let mut per_proto: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let known = known_frames();
    let own = own_protocols();
    let mut differing: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let mut ts = test_support::tshark();
        ts.arg("-r")
            .arg(cap)
            .args(["-T", "fields", "-e", "frame.number", "-e", "_ws.malformed"]);
        let mut mo = Command::new(env!("CARGO_BIN_EXE_monitor"));
        mo.arg("read")
            .arg("-r")
            .arg(cap)
            .args(["-T", "fields", "-e", "frame.number"]);
        for f in &fields {
            ts.args(["-e", f]);
            mo.args(["-e", f]);
        }
        let want = run(&mut ts);
        let got = run(&mut mo);
        let want: Vec<&str> = want.lines().collect();
        let got: Vec<&str> = got.lines().collect();
        assert_eq!(want.len(), got.len(), "{name}: frame count differs");
        for (w, g) in want.iter().zip(&got) {
            let w: Vec<&str> = w.split('\t').collect();
            let g: Vec<&str> = g.split('\t').collect();
            assert_eq!(w.len(), fields.len() + 2, "{name}: tshark row width");
            assert_eq!(g.len(), fields.len() + 1, "{name}: monitor row width");
            assert_eq!(w[0], g[0], "{name}: frame numbers");
            let malformed = !w[1].is_empty();
            let frame: u64 = w[0].parse().expect("frame number");
            let (w_protos, g_protos) = (w[protocols_col + 2], g[protocols_col + 1]);
            let outside = outside_scope(w_protos, g_protos, &own);
            let listed = known.get(&name).is_some_and(|(f, _)| f.contains(&frame));
            for (i, f) in fields.iter().enumerate() {
                let (wc, gc) = (w[i + 2], g[i + 1]);
                let proto = f.split('.').next().unwrap_or(f).to_string();
                let t = per_proto.entry(proto).or_default();
                t.cells += 1;
                let dependent = PROTOCOL_DEPENDENT.contains(f);
                if wc == gc {
                    t.agree += 1;
                } else if malformed {
                    t.malformed_skips += 1;
                } else if dependent && outside {
                    t.outside += 1;
                } else {
                    if dependent {
                        differing.entry(name.clone()).or_default().insert(frame);
                    }
                    if dependent && listed {
                        t.allowed += 1;
                    } else {
                        failures.push(format!(
                            "{name} frame {}: {f}: tshark {wc:?} monitor {gc:?}",
                            w[0]
                        ));
                    }
                }
            }
        }
        if let Some((frames, reason)) = known.get(&name) {
            let now = differing.get(&name);
            for f in frames
                .iter()
                .filter(|f| !now.is_some_and(|n| n.contains(f)))
            {
                failures.push(format!(
                    "{name} frame {f}: listed as differing ({reason}) but agrees: \
                     remove it from protocol_differences.tsv"
                ));
            }
        }
    }
    eprintln!(
        "{:<12} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "protocol", "cells", "agree", "malformed", "listed", "outside", "agree%"
    );
    for (p, t) in &per_proto {
        eprintln!(
            "{:<12} {:>10} {:>10} {:>9} {:>9} {:>9} {:>7.3}%",
            p,
            t.cells,
            t.agree,
            t.malformed_skips,
            t.allowed,
            t.outside,
            t.agree as f64 * 100.0 / t.cells.max(1) as f64
        );
    }
    remove_cuts(&variants);
    remove_cuts(&links);
    let allowed_cells: u64 = per_proto.values().map(|t| t.allowed).sum();
    let outside_cells: u64 = per_proto.values().map(|t| t.outside).sum();
    eprintln!(
        "{allowed_cells} cells on frames listed in protocol_differences.tsv; \
         {outside_cells} cells on frames where tshark dissects a protocol not \
         dissected here (compared up to that protocol)"
    );
    if std::env::var_os("MONITOR_DIFF_LIST").is_some() {
        for (cap, frames) in &differing {
            eprintln!("{cap}\t{}", ranges(frames));
        }
    }
    if !failures.is_empty() {
        let mut by_field: BTreeMap<String, usize> = BTreeMap::new();
        for f in &failures {
            let key = f.split(": ").nth(1).unwrap_or("").to_string();
            *by_field.entry(key).or_default() += 1;
        }
        eprintln!("disagreements by field: {by_field:?}");
        let mut shown: BTreeMap<String, usize> = BTreeMap::new();
        for f in &failures {
            let key = f.split(": ").nth(1).unwrap_or("").to_string();
            let n = shown.entry(key).or_default();
            *n += 1;
            if *n <= 4 {
                eprintln!("{f}");
            }
        }
        panic!("{} cells disagree with tshark", failures.len());
    }
}

/// Summary lines known to differ from tshark's, with the reason:
/// `capture<TAB>frames<TAB>reason` as in `protocol_differences.tsv`. A
/// listed line that starts agreeing fails the test.
const TEXT_KNOWN: &str = include_str!("text_differences.tsv");

/// The listed lines, by capture.
fn text_known() -> BTreeMap<String, BTreeSet<u64>> {
    let mut out: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for line in TEXT_KNOWN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let (cap, frames) = (cols.next().unwrap(), cols.next().expect("frames"));
        let entry = out.entry(cap.to_string()).or_default();
        for part in frames.split(',') {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            entry.extend(a.parse::<u64>().unwrap()..=b.parse::<u64>().unwrap());
        }
    }
    out
}

#[test]
fn text_summary_agrees_with_tshark() {
    if tshark_or_skip().is_none() {
        return;
    }
    let only: Option<String> = std::env::var("DIFF_ONLY").ok();
    let mut caps: Vec<PathBuf> = test_support::all_captures();
    caps.retain(|p| {
        only.as_ref()
            .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
    });
    caps.extend(fixtures(only.as_deref()));
    let variants = snaplen_variants(
        "text-cuts",
        &[HEADER_CUT_SOURCES, PAYLOAD_CUT_SOURCES],
        TEXT_CUT_LENGTHS,
        only.as_deref(),
    );
    caps.extend(variants.iter().cloned());
    let links = linktype_variants("text-links", only.as_deref());
    caps.extend(links.iter().cloned());
    let known = text_known();
    let (mut compared, mut listed, mut failures) = (0u64, 0u64, Vec::new());
    let mut differing: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let want = run(test_support::tshark().arg("-r").arg(cap));
        let got = run(Command::new(env!("CARGO_BIN_EXE_monitor"))
            .arg("read")
            .arg("-r")
            .arg(cap));
        assert_eq!(want.lines().count(), got.lines().count(), "{name}: lines");
        let allowed = known.get(&name);
        for (w, g) in want.lines().zip(got.lines()) {
            compared += 1;
            let frame: u64 = w.split_whitespace().next().unwrap().parse().unwrap();
            let is_listed = allowed.is_some_and(|f| f.contains(&frame));
            if w == g {
                if is_listed {
                    failures.push(format!(
                        "{name} frame {frame}: listed in text_differences.tsv but agrees"
                    ));
                }
                continue;
            }
            differing.entry(name.clone()).or_default().insert(frame);
            if is_listed {
                listed += 1;
            } else {
                failures.push(format!("{name}:\n  tshark:  {w}\n  monitor: {g}"));
            }
        }
    }
    eprintln!(
        "summary lines compared: {compared}, listed as known differences: {listed}, \
         other disagreements: {}",
        failures.len()
    );
    if std::env::var_os("MONITOR_DIFF_LIST").is_some() {
        for (cap, frames) in &differing {
            eprintln!("{cap}\t{}", ranges(frames));
        }
    }
    remove_cuts(&variants);
    remove_cuts(&links);
    for f in failures.iter().take(20) {
        eprintln!("{f}");
    }
    assert!(
        only.is_some() || compared > 10_000,
        "too few summary lines compared"
    );
    assert!(
        failures.is_empty(),
        "{} summary lines disagree",
        failures.len()
    );
}
