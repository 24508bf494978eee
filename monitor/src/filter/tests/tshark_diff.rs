//! Differential test against tshark 4.0 over the shared captures, driven by
//! `testdata/filters.txt`.
//!
//! The comparison needs the whole dissection pipeline; [`dissect_capture`]
//! is the one call it makes into it. Until the dissectors exist that call
//! fails and the test is ignored. The list itself is checked now: every
//! filter must compile against the test field table, and every `!error`
//! line must be refused.

use super::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const FILTERS: &str = include_str!("../testdata/filters.txt");

/// What a line of `filters.txt` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Must select the same frames as tshark.
    Same,
    /// tshark 4.0 and monitor both refuse it.
    Error,
    /// tshark 4.0 refuses it, monitor accepts it (an extension).
    Ext,
    /// A documented difference: must compile, is not compared.
    Known,
}

/// The filters that must select the same frames as tshark.
pub(super) fn same_lines() -> Vec<&'static str> {
    lines()
        .into_iter()
        .filter(|(k, _)| *k == Kind::Same)
        .map(|(_, e)| e)
        .collect()
}

fn lines() -> Vec<(Kind, &'static str)> {
    FILTERS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if let Some(e) = l.strip_prefix("!error ") {
                (Kind::Error, e)
            } else if let Some(e) = l.strip_prefix("!ext ") {
                (Kind::Ext, e)
            } else if let Some(e) = l.strip_prefix("!known ") {
                (Kind::Known, e)
            } else {
                (Kind::Same, l)
            }
        })
        .collect()
}

/// Every frame of a capture file, dissected in capture order (frame 1
/// first) by the full pipeline: link/network/transport/application
/// dissectors plus TCP analysis, with tshark's default preferences.
///
/// Wire this to the offline pipeline once it exists, e.g.
/// `crate::read::dissect_file(path)`.
fn dissect_capture(path: &Path) -> anyhow::Result<Vec<Dissection>> {
    let mut reader = crate::capture::CaptureReader::open(path)?;
    let mut pipe = crate::dissect::pipeline::Pipeline::new();
    let mut out = Vec::new();
    while let Some(pkt) = reader.next_packet() {
        out.push(pipe.dissect_file(&pkt?));
    }
    Ok(out)
}

/// Known differences, each with its reason (not filter-engine faults).
const KNOWN: &[(&str, &str, &str)] = &[(
    "tls12_sessions_certs.pcap",
    "tcp.port == 443 and tcp.len > 0 and not tls",
    "frame 65: tshark lists `tls` on a TCP segment that only starts a record \
     reassembled later, without any tls field; the TLS dissector adds the \
     protocol with its first field",
)];

/// Captures compared by default (all of them with `MONITOR_DIFF_CAPTURES=.`
/// — any substring of the names selects).
const DEFAULT_CAPTURES: &[&str] = &[
    "arp_resolution.pcapng",
    "dhcp_dora.pcapng",
    "dns_lab.pcapng",
    "http_espn_retrans.pcapng",
    "http_ipv4_and_ipv6.pcapng",
    "icmp_traceroute.pcapng",
    "tcp_dupack_fastretrans.pcapng",
    "tls12_sessions_certs.pcap",
    "vlan_icmp_cdp_llc.pcap",
];

fn captures() -> Vec<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/captures"
    ));
    let only = std::env::var("MONITOR_DIFF_CAPTURES").ok();
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        (name.ends_with(".pcap") || name.ends_with(".pcapng"))
            && match &only {
                Some(o) => o == "." || name.contains(o.as_str()),
                None => DEFAULT_CAPTURES.contains(&name),
            }
    });
    v.sort();
    v
}

/// Frame numbers tshark's `-Y expr` selects, or `None` if tshark refuses
/// the filter.
fn tshark_frames(cap: &Path, expr: &str) -> Option<BTreeSet<u64>> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(cap)
        .args(["-Y", expr, "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark runs");
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect(),
    )
}

#[test]
fn filter_list_compiles_against_the_test_table() {
    let all = lines();
    assert!(all.len() >= 500, "only {} filters", all.len());
    let mut bad = Vec::new();
    for (kind, e) in &all {
        match (kind, compile_with(e, &TestRegistry)) {
            (Kind::Error, Ok(f)) => bad.push(format!("accepted but must be refused: {e} -> {f}")),
            (Kind::Same | Kind::Ext | Kind::Known, Err(err)) => bad.push(err.render(e)),
            (Kind::Same | Kind::Ext | Kind::Known, Ok(f)) => {
                // The canonical text means the same filter.
                let again = compile_with(&f.to_string(), &TestRegistry);
                if again.is_err() {
                    bad.push(format!("canonical form does not compile: {e} -> {f}"));
                }
            }
            (Kind::Error, Err(_)) => {}
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// By default every `MONITOR_DIFF_STEP`-th filter (default 12) of the list is
/// compared, on [`DEFAULT_CAPTURES`]; `MONITOR_DIFF_STEP=1
/// MONITOR_DIFF_CAPTURES=.` compares everything (about half an hour).
#[test]
fn same_frames_as_tshark_on_every_capture() {
    let all = lines();
    let only = std::env::var("MONITOR_DIFF_FILTERS").unwrap_or_default();
    let step: usize = std::env::var("MONITOR_DIFF_STEP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12)
        .max(1);
    let caps = captures();
    assert!(!caps.is_empty(), "no captures found");
    let mut bad = Vec::new();
    // The oracle still refuses what we list as refused or as an extension.
    for (kind, e) in all
        .iter()
        .filter(|(k, _)| matches!(k, Kind::Error | Kind::Ext))
    {
        if tshark_frames(&caps[0], e).is_some() {
            bad.push(format!("tshark accepts {kind:?} line: {e}"));
        }
        match (kind, compile(e)) {
            (Kind::Error, Ok(_)) => bad.push(format!("monitor accepts: {e}")),
            (Kind::Ext, Err(err)) => bad.push(err.render(e)),
            _ => {}
        }
    }
    let filters: Vec<(&str, Filter)> = all
        .iter()
        .filter(|(k, e)| *k == Kind::Same && e.contains(only.as_str()))
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(_, x)| x)
        .filter_map(|(_, e)| match compile(e) {
            Ok(f) => Some((*e, f)),
            Err(err) => {
                bad.push(err.render(e));
                None
            }
        })
        .collect();
    let mut compared = 0usize;
    for cap in &caps {
        let name = cap
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let frames = match dissect_capture(cap) {
            Ok(f) => f,
            Err(e) => panic!("{name}: {e:#}"),
        };
        // tshark's verdicts, three processes at a time.
        let mut oracle: Vec<Option<BTreeSet<u64>>> = vec![None; filters.len()];
        let chunk = filters.len().div_ceil(3).max(1);
        std::thread::scope(|s| {
            for (fs, out) in filters.chunks(chunk).zip(oracle.chunks_mut(chunk)) {
                s.spawn(move || {
                    for ((expr, _), o) in fs.iter().zip(out.iter_mut()) {
                        *o = tshark_frames(cap, expr);
                    }
                });
            }
        });
        for ((expr, f), theirs) in filters.iter().zip(oracle) {
            let ours: BTreeSet<u64> = frames
                .iter()
                .enumerate()
                .filter(|(_, d)| f.matches(d))
                .map(|(i, _)| i as u64 + 1)
                .collect();
            let Some(theirs) = theirs else {
                bad.push(format!("{name}: tshark refuses {expr}"));
                continue;
            };
            compared += 1;
            if KNOWN.iter().any(|(c, e, _)| *c == name && *e == *expr) {
                continue;
            }
            if ours != theirs {
                let only_ours: Vec<_> = ours.difference(&theirs).take(8).collect();
                let only_tshark: Vec<_> = theirs.difference(&ours).take(8).collect();
                bad.push(format!(
                    "{name}: {expr}: only monitor {only_ours:?}, only tshark {only_tshark:?}"
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} differences in {compared} comparisons:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
