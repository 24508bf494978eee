//! Differential test against tshark 4.0: every capture in
//! `../shared/captures`, every link/network/transport field this program
//! dissects, compared cell by cell with `tshark -T fields`.
//!
//! Disagreements are allowed only on frames tshark itself marks malformed
//! (`_ws.malformed`) and in the documented [`ALLOW`] list. Skipped (with a
//! note) when tshark is not installed.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/captures")
}

const APP_HANDOFF: &str = "frame.protocols and data.* on TCP segments depend on which payloads reach the application dissectors: around lost, retransmitted or out-of-order segments tshark's desegmentation hands different bytes to HTTP and TLS (and shows other ones as data); it also dissects protocols inside payloads kept opaque here (QUIC Initial TLS, DNS over HTTPS, ONC-RPC, OCSP/X.509 bodies). filter/testdata/count_differences.tsv lists the filters this affects";

/// Captures where [`APP_HANDOFF`] differences remain.
const APP_HANDOFF_CAPTURES: &[&str] = &[
    "http2_h2c_doh_get.pcap",
    "http2_h2c_doh_post.pcap",
    "http2_h2c_range.pcap",
    "http_650_responses.pcap",
    "ipv4_frag_udp_nfs.pcap",
    "mixed_large_web.pcap",
    "quic_h3_multi_conn.pcap",
    "quic_retry.pcap",
    "quic_v1_h3.pcap",
    "tcp_dupack_fastretrans.pcapng",
    "tcp_http_out_of_order.pcap",
    "tcp_vlan_http_retrans.pcap",
    "tcp_zerowindow_dead.pcapng",
    "tls12_illustrated.pcap",
    "tls12_sessions_certs.pcap",
    "tls13_large_tor.pcap",
    "tls_mixed_versions.pcap",
    "vlan_ipv6_frag_tcp.pcap",
];

/// Known, explained disagreements: (capture, field, reason). A field listed
/// with capture `*` is excluded everywhere.
const ALLOW: &[(&str, &str, &str)] = &[];

/// Fields [`APP_HANDOFF`] affects.
const APP_HANDOFF_FIELDS: &[&str] = &["frame.protocols", "data.data", "data.len"];

/// Fields never compared: their `-T fields` text is not the value (FT_NONE
/// labels) or depends on the application dissectors.
const NOT_COMPARED: &[&str] = &["frame.number", "tcp.options.sack_perm"];

/// Protocols dissected here. On frames where tshark shows any other
/// protocol (an application layer), `frame.protocols` and `data.*` depend
/// on the application dissectors and are not compared.
const OWN_PROTOCOLS: &[&str] = &[
    "eth",
    "ethertype",
    "vlan",
    "ieee8021ad",
    "llc",
    "arp",
    "ip",
    "ipv6",
    "ipv6.hopopts",
    "ipv6.routing",
    "ipv6.fraghdr",
    "ipv6.dstopts",
    "icmp",
    "icmpv6",
    "udp",
    "tcp",
    "data",
];

fn app_dependent(field: &str) -> bool {
    field == "frame.protocols" || field.starts_with("data.")
}

fn allowed(cap: &str, field: &str) -> bool {
    let base = cap.rsplit('/').next().unwrap_or(cap);
    let handoff = APP_HANDOFF_FIELDS.contains(&field)
        && APP_HANDOFF_CAPTURES.iter().any(|c| base.ends_with(c));
    handoff
        || ALLOW
            .iter()
            .any(|(c, f, _)| (*c == "*" || *c == cap) && *f == field)
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

fn tshark_fields() -> Option<HashSet<String>> {
    let out = Command::new("tshark")
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

/// Copies of a few shared captures cut to small snapshot lengths (with
/// tshark's `editcap -s`), to compare the handling of truncated packets.
/// Empty when editcap is not installed or `MONITOR_DIFF_NO_SNAPLEN` is set.
fn snaplen_variants(only: Option<&str>) -> Vec<PathBuf> {
    const SOURCES: &[&str] = &[
        "mixed_large_web.pcap",
        "icmp_traceroute.pcapng",
        "ipv6_frag_udp.pcap",
        "vlan_icmp_cdp_llc.pcap",
        "icmpv6_ra_mld.pcap",
        "qinq_802.1ad_arp.pcap",
    ];
    if std::env::var_os("MONITOR_DIFF_NO_SNAPLEN").is_some() {
        return Vec::new();
    }
    let dir = std::env::temp_dir().join(format!("monitor-snaplen-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut out = Vec::new();
    for src in SOURCES {
        for snap in [20u32, 34, 42, 54, 60, 70] {
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

#[derive(Default)]
struct Tally {
    cells: u64,
    agree: u64,
    malformed_skips: u64,
    allowed: u64,
}

#[test]
fn agrees_with_tshark_on_every_capture() {
    let Some(known) = tshark_fields() else {
        eprintln!("tshark not installed: differential test skipped");
        return;
    };
    let mut fields: Vec<&str> = Vec::new();
    let mut unknown = Vec::new();
    for f in monitor::dissect::core_fields() {
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
    let mut caps: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .expect("captures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .filter(|p| {
            only.as_ref()
                .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
        })
        .collect();
    caps.sort();
    let shared = caps.len();
    caps.extend(fixtures(only.as_deref()));
    let variants = snaplen_variants(only.as_deref());
    let variant_dir = variants
        .first()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    caps.extend(variants);
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
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let mut ts = Command::new("tshark");
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
            let (w_protos, g_protos) = (w[protocols_col + 2], g[protocols_col + 1]);
            // An application protocol in tshark's chain, or TCP payload
            // tshark holds for reassembling an application PDU (it then shows
            // no `data`): both are the application dissectors' business.
            let has_app = w_protos.split(':').any(|p| !OWN_PROTOCOLS.contains(&p))
                || (w_protos.ends_with(":tcp") && g_protos.ends_with(":tcp:data"));
            for (i, f) in fields.iter().enumerate() {
                let (wc, gc) = (w[i + 2], g[i + 1]);
                if has_app && app_dependent(f) {
                    continue;
                }
                let proto = f.split('.').next().unwrap_or(f).to_string();
                let t = per_proto.entry(proto).or_default();
                t.cells += 1;
                if wc == gc {
                    t.agree += 1;
                } else if malformed {
                    t.malformed_skips += 1;
                } else if allowed(&name, f) {
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
    eprintln!(
        "{:<12} {:>10} {:>10} {:>9} {:>9} {:>8}",
        "protocol", "cells", "agree", "malformed", "allowed", "agree%"
    );
    for (p, t) in &per_proto {
        eprintln!(
            "{:<12} {:>10} {:>10} {:>9} {:>9} {:>7.3}%",
            p,
            t.cells,
            t.agree,
            t.malformed_skips,
            t.allowed,
            t.agree as f64 * 100.0 / t.cells.max(1) as f64
        );
    }
    if let Some(dir) = variant_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    let allowed_cells: u64 = per_proto.values().map(|t| t.allowed).sum();
    if allowed_cells > 0 {
        eprintln!("{allowed_cells} cells allowed to differ: {APP_HANDOFF}");
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

/// Protocol-column values whose whole summary line comes from the
/// dissectors tested here (TCP lines also carry analysis flags and
/// application reassembly notes, so they are not compared).
const TEXT_PROTOCOLS: &[&str] = &["ARP", "ICMP", "ICMPv6", "IPv4", "IPv6", "UDP"];

#[test]
fn text_summary_agrees_with_tshark() {
    if tshark_fields().is_none() {
        eprintln!("tshark not installed: differential test skipped");
        return;
    }
    let mut caps: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .expect("captures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    caps.sort();
    caps.extend(fixtures(None));
    let (mut compared, mut failures) = (0u64, Vec::new());
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let want = run(Command::new("tshark").arg("-r").arg(cap));
        let got = run(Command::new(env!("CARGO_BIN_EXE_monitor"))
            .arg("read")
            .arg("-r")
            .arg(cap));
        for (w, g) in want.lines().zip(got.lines()) {
            let proto = w
                .split(" → ")
                .nth(1)
                .and_then(|r| r.split_whitespace().nth(1))
                .unwrap_or("");
            if !TEXT_PROTOCOLS.contains(&proto) {
                continue;
            }
            compared += 1;
            if w != g {
                failures.push(format!("{name}:\n  tshark:  {w}\n  monitor: {g}"));
            }
        }
    }
    eprintln!(
        "summary lines compared: {compared}, disagreeing: {}",
        failures.len()
    );
    for f in failures.iter().take(20) {
        eprintln!("{f}");
    }
    assert!(compared > 200, "too few summary lines compared");
    assert!(
        failures.is_empty(),
        "{} summary lines disagree",
        failures.len()
    );
}
