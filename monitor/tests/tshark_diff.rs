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
//! there the chain is compared up to that protocol. Skipped (with a note)
//! when tshark is not installed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/captures")
}

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
    let Some(known) = tshark_fields() else {
        eprintln!("tshark not installed: differential test skipped");
        return;
    };
    let mut fields: Vec<&str> = Vec::new();
    let mut unknown = Vec::new();
    let analysis = monitor::tcp_analysis::FIELDS.iter().copied();
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
    let variants = snaplen_variants(
        "field-cuts",
        &[HEADER_CUT_SOURCES],
        FIELD_CUT_LENGTHS,
        only.as_deref(),
    );
    caps.extend(variants.iter().cloned());
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
    let variants = snaplen_variants(
        "text-cuts",
        &[HEADER_CUT_SOURCES, PAYLOAD_CUT_SOURCES],
        TEXT_CUT_LENGTHS,
        None,
    );
    caps.extend(variants.iter().cloned());
    let known = text_known();
    let (mut compared, mut listed, mut failures) = (0u64, 0u64, Vec::new());
    let mut differing: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let want = run(Command::new("tshark").arg("-r").arg(cap));
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
    for f in failures.iter().take(20) {
        eprintln!("{f}");
    }
    assert!(compared > 10_000, "too few summary lines compared");
    assert!(
        failures.is_empty(),
        "{} summary lines disagree",
        failures.len()
    );
}
