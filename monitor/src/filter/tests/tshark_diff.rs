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

/// Known differences of the frame-level comparison, each with its reason
/// (none at present; the count comparison keeps its own list).
const KNOWN: &[(&str, &str, &str)] = &[];

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
    let only = std::env::var("MONITOR_DIFF_CAPTURES").ok();
    let mut v: Vec<PathBuf> = test_support::all_captures();
    v.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match &only {
            Some(o) => o == "." || name.contains(o.as_str()),
            None => DEFAULT_CAPTURES.contains(&name),
        }
    });
    v
}

/// Frame numbers tshark's `-Y expr` selects, or `None` if tshark refuses
/// the filter.
pub(super) fn tshark_frames(cap: &Path, expr: &str) -> Option<BTreeSet<u64>> {
    let out = test_support::tshark()
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

/// tshark's `(frames, bytes)` for each of `filters` over the whole capture,
/// from one pass: `-z io,stat,0,F1,F2,…` counts every filter in one run.
/// The filters must not contain commas (the statistic's separator).
/// `None` when the capture spans no time (tshark then prints no interval).
fn tshark_counts(cap: &Path, filters: &[&str]) -> Option<Vec<(u64, u64)>> {
    let out = test_support::tshark()
        .arg("-r")
        .arg(cap)
        .args(["-q", "-z"])
        .arg(format!("io,stat,0,{}", filters.join(",")))
        .output()
        .expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tshark io,stat on {}: {}",
        cap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let row = text.lines().find(|l| l.contains("<>"))?;
    let cells: Vec<u64> = row
        .split('|')
        .skip(2)
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    assert_eq!(cells.len(), 2 * filters.len(), "io,stat row: {row}");
    Some(cells.chunks(2).map(|c| (c[0], c[1])).collect())
}

/// `cap` followed by a copy of itself one second later, in a temporary
/// file: a capture that spans time, for [`tshark_counts`].
fn twice(cap: &Path) -> PathBuf {
    let name = cap.file_name().unwrap().to_string_lossy();
    let dir = std::env::temp_dir().join(format!("monitor-twice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let shifted = dir.join(format!("shifted-{name}"));
    let out = dir.join(format!("twice-{name}.pcapng"));
    for (tool, args) in [
        (
            "editcap",
            vec!["-t".into(), "1".into(), cap.into(), shifted.clone()],
        ),
        (
            "mergecap",
            vec!["-w".into(), out.clone(), cap.into(), shifted.clone()],
        ),
    ] {
        let args: Vec<PathBuf> = args;
        let st = Command::new(tool).args(&args).status().expect(tool);
        assert!(st.success(), "{tool} {args:?}");
    }
    out
}

/// Reasons of the entries of `testdata/count_differences.tsv`.
const COUNT_REASONS: &[(&str, &str)] = &[(
    "foreign",
    "payloads of a protocol tshark dissects and this program does not are \
     data here",
)];

/// `(capture, filter)` → reason, from `testdata/count_differences.tsv`.
fn count_differences() -> std::collections::BTreeMap<(String, String), &'static str> {
    include_str!("../testdata/count_differences.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split('\t');
            let (cap, expr, why) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
            let reason = COUNT_REASONS
                .iter()
                .find(|(k, _)| *k == why)
                .unwrap_or_else(|| panic!("unknown reason {why}"))
                .1;
            ((cap.to_string(), expr.to_string()), reason)
        })
        .collect()
}

/// Every filter of the list (all but the few with commas, which the
/// statistic cannot take; the frame-level test above covers those) on
/// every capture: the number of frames and of bytes it selects equal
/// tshark's. One tshark pass per capture counts all filters, so this
/// covers the whole list × corpus matrix in well under a minute. Known
/// differences are listed with their reason in
/// `testdata/count_differences.tsv`.
#[test]
fn same_counts_as_tshark_for_every_filter_on_every_capture() {
    let filters: Vec<(&str, Filter)> = lines()
        .into_iter()
        .filter(|(k, e)| *k == Kind::Same && !e.contains(','))
        .map(|(_, e)| {
            (
                e,
                compile(e).unwrap_or_else(|err| panic!("{}", err.render(e))),
            )
        })
        .collect();
    assert!(filters.len() > 500, "only {} filters", filters.len());
    let exprs: Vec<&str> = filters.iter().map(|(e, _)| *e).collect();
    let known = count_differences();
    let dir = test_support::captures_dir();
    let mut caps: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("captures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".pcap") || n.ends_with(".pcapng")
        })
        .collect();
    caps.sort();
    assert!(caps.len() >= 50, "only {} captures", caps.len());
    type Outcome = (Vec<String>, Vec<(String, String)>);
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = caps
            .chunks(caps.len().div_ceil(2))
            .map(|chunk| {
                let (filters, exprs, known) = (&filters, &exprs, &known);
                s.spawn(move || {
                    let mut bad = Vec::new();
                    let mut seen = Vec::new();
                    for cap in chunk {
                        let name = cap.file_name().unwrap().to_string_lossy().to_string();
                        let (cap, theirs) = match tshark_counts(cap, exprs) {
                            Some(t) => (cap.clone(), t),
                            None => {
                                let t = twice(cap);
                                let counts = tshark_counts(&t, exprs).expect("io,stat row");
                                (t, counts)
                            }
                        };
                        let mut reader = crate::capture::CaptureReader::open(&cap).expect("open");
                        let mut pipe = crate::dissect::pipeline::Pipeline::new();
                        let mut ours = vec![(0u64, 0u64); filters.len()];
                        while let Some(pkt) = reader.next_packet() {
                            let pkt = pkt.expect("readable capture");
                            let d = pipe.dissect_file(&pkt);
                            for ((_, f), o) in filters.iter().zip(ours.iter_mut()) {
                                if f.matches(&d) {
                                    o.0 += 1;
                                    o.1 += u64::from(pkt.record.orig_len);
                                }
                            }
                        }
                        for (((expr, _), o), t) in filters.iter().zip(&ours).zip(&theirs) {
                            let key = (name.clone(), expr.to_string());
                            let listed = known.contains_key(&key);
                            if o != t && !listed {
                                bad.push(format!(
                                    "{name}: {expr}: monitor {} frames/{} bytes, tshark {}/{}",
                                    o.0, o.1, t.0, t.1
                                ));
                            } else if o == t && listed {
                                bad.push(format!(
                                    "{name}: {expr}: now agrees, remove it from count_differences.tsv"
                                ));
                            }
                            if listed {
                                seen.push(key);
                            }
                        }
                        if cap.starts_with(std::env::temp_dir()) {
                            let _ = std::fs::remove_dir_all(cap.parent().unwrap());
                        }
                    }
                    (bad, seen)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut bad = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (b, s) in results {
        bad.extend(b);
        seen.extend(s);
    }
    for (key, why) in &known {
        if !seen.contains(key) {
            bad.push(format!("{key:?} ({why}) is not a compared pair"));
        }
    }
    eprintln!(
        "{} filters x {} captures compared by count, {} known differences",
        filters.len(),
        caps.len(),
        known.len()
    );
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
