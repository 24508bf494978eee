//! The evaluator against tshark without our dissectors: tshark's own
//! dissection of a set of shared captures (`-T json -x
//! --no-duplicate-keys`, typed by `tshark -G fields`) is loaded into
//! [`Dissection`]s, and every filter of `testdata/filters.txt` must select
//! the same frames as `tshark -Y`. Differences here are differences in the
//! filter engine alone.

use super::tshark_diff::tshark_frames;
use super::*;
use crate::dissect::{Base, FieldDef, FieldType};
use serde_json::Value as J;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Command;

/// Every field tshark knows, with its type.
struct TsharkFields {
    by_name: HashMap<&'static str, &'static FieldDef>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn ft(t: &str) -> FieldType {
    match t {
        "FT_PROTOCOL" => FieldType::Protocol,
        "FT_NONE" => FieldType::None,
        "FT_BOOLEAN" => FieldType::Bool,
        "FT_FLOAT" | "FT_DOUBLE" => FieldType::Float,
        "FT_STRING" | "FT_STRINGZ" | "FT_UINT_STRING" | "FT_STRINGZPAD" | "FT_STRINGZTRUNC" => {
            FieldType::String
        }
        "FT_IPv4" => FieldType::Ipv4,
        "FT_IPv6" => FieldType::Ipv6,
        "FT_ETHER" => FieldType::Ether,
        "FT_ABSOLUTE_TIME" => FieldType::AbsTime,
        "FT_RELATIVE_TIME" => FieldType::RelTime,
        "FT_FRAMENUM" => FieldType::FrameNum,
        t if t.starts_with("FT_UINT") || t == "FT_CHAR" => FieldType::UInt,
        t if t.starts_with("FT_INT") => FieldType::Int,
        _ => FieldType::Bytes,
    }
}

impl TsharkFields {
    fn load() -> Self {
        let out = test_support::tshark()
            .args(["-G", "fields"])
            .output()
            .expect("tshark -G fields");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut by_name = HashMap::new();
        for line in text.lines() {
            let p: Vec<&str> = line.split('\t').collect();
            let (name, ty) = match p.as_slice() {
                ["P", _, name, ..] => (*name, FieldType::Protocol),
                ["F", _, name, t, ..] => (*name, ft(t)),
                _ => continue,
            };
            by_name.entry(leak(name)).or_insert_with(|| {
                &*Box::leak(Box::new(FieldDef::new(leak(name), ty, Base::Dec, "")))
            });
        }
        Self { by_name }
    }
}

impl Registry for TsharkFields {
    fn lookup(&self, name: &str) -> Option<&'static FieldDef> {
        self.by_name.get(name).copied()
    }
    fn names(&self) -> Vec<&'static str> {
        self.by_name.keys().copied().collect()
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| *c != ':').collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

fn parse_uint(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn convert(def: &FieldDef, s: &str) -> Option<Value> {
    Some(match def.ty {
        FieldType::UInt | FieldType::FrameNum => Value::UInt(parse_uint(s)?),
        FieldType::Int => Value::Int(s.parse().ok().or_else(|| parse_uint(s).map(|u| u as i64))?),
        FieldType::Bool => Value::Bool(matches!(s, "1" | "True" | "true")),
        FieldType::Float | FieldType::RelTime => Value::Float(s.parse().ok()?),
        FieldType::AbsTime => Value::Float(super::super::check::parse_abs_time(s)?),
        FieldType::String => Value::Str(s.to_string()),
        FieldType::Bytes => Value::Bytes(hex(s)?),
        FieldType::Ipv4 => Value::Ipv4(s.parse().ok()?),
        FieldType::Ipv6 => Value::Ipv6(s.parse().ok()?),
        FieldType::Ether => {
            let b = hex(s)?;
            Value::Ether(b.try_into().ok()?)
        }
        FieldType::None => Value::None,
        FieldType::Protocol | FieldType::Layer => return None,
    })
}

/// The value tshark gives the `i`-th occurrence of protocol `key` in
/// `obj`: its bytes from the layer's start to the end of the packet (not
/// just the header), as `tcp contains "HTTP"` shows.
fn raw(obj: &serde_json::Map<String, J>, key: &str, i: usize, frame: &[u8]) -> Vec<u8> {
    let r = obj.get(&format!("{key}_raw"));
    let arr = match r {
        Some(J::Array(a)) if a.first().is_some_and(J::is_array) => a.get(i),
        other => other,
    };
    let own = arr
        .and_then(|a| a.get(0))
        .and_then(J::as_str)
        .and_then(hex)
        .unwrap_or_default();
    let off = arr.and_then(|a| a.get(1)).and_then(J::as_u64).unwrap_or(0) as usize;
    match frame.get(off..) {
        Some(rest) if rest.starts_with(&own) => rest.to_vec(),
        _ => own,
    }
}

/// Where the network layer's payload ends (IP total length), which bounds
/// the values of the protocols inside it: an Ethernet trailer is not part
/// of `tcp`.
fn network_end(layers: &serde_json::Map<String, J>) -> Option<usize> {
    let first = |v: &J| match v {
        J::Array(a) if a.first().is_some_and(|x| x.is_array() || x.is_object()) => {
            a.first().cloned()
        }
        other => Some(other.clone()),
    };
    let off = |k: &str| {
        layers
            .get(&format!("{k}_raw"))
            .and_then(first)
            .and_then(|r| r.get(1).and_then(J::as_u64))
    };
    if let (Some(o), Some(ip)) = (off("ip"), layers.get("ip").and_then(first)) {
        let len: u64 = ip.get("ip.len")?.as_str()?.parse().ok()?;
        return Some((o + len) as usize);
    }
    if let (Some(o), Some(ip6)) = (off("ipv6"), layers.get("ipv6").and_then(first)) {
        let len: u64 = ip6.get("ipv6.plen")?.as_str()?.parse().ok()?;
        return Some((o + 40 + len) as usize);
    }
    None
}

fn walk(reg: &TsharkFields, obj: &serde_json::Map<String, J>, frame: &[u8], d: &mut Dissection) {
    // The map has lost tshark's order (keys are sorted): take an object's
    // own values before its subtrees, so a protocol nested in another one
    // (the quoted datagram of an ICMP error) counts as the later layer.
    let nested = |v: &J| match v {
        J::Object(_) => true,
        J::Array(a) => a.iter().any(J::is_object),
        _ => false,
    };
    let entries = obj
        .iter()
        .filter(|(_, v)| !nested(v))
        .chain(obj.iter().filter(|(_, v)| nested(v)));
    for (k, v) in entries {
        if k.ends_with("_raw") && reg.lookup(k).is_none() {
            continue;
        }
        if let Some(inner) = k.strip_suffix("_tree") {
            if let J::Object(o) = v {
                let _ = inner;
                walk(reg, o, frame, d);
            }
            continue;
        }
        let def = reg.lookup(k);
        let items: Vec<&J> = match v {
            J::Array(a) if !a.is_empty() && !a.iter().all(J::is_number) => a.iter().collect(),
            other => vec![other],
        };
        for (i, item) in items.into_iter().enumerate() {
            match (def, item) {
                (Some(def), J::Object(o)) => {
                    let value = match def.ty {
                        FieldType::Protocol => Value::Bytes(raw(obj, k, i, frame)),
                        _ => Value::None,
                    };
                    d.push(def, value);
                    walk(reg, o, frame, d);
                }
                (Some(def), J::String(s)) => {
                    if def.ty == FieldType::Protocol {
                        d.push(def, Value::Bytes(raw(obj, k, i, frame)));
                    } else if let Some(v) = convert(def, s) {
                        d.push(def, v);
                    }
                }
                (None, J::Object(o)) => walk(reg, o, frame, d),
                _ => {}
            }
        }
    }
}

const CAPTURES: &[&str] = &[
    "http_google.pcapng",
    "tcp_handshake.pcapng",
    "tcp_retransmissions.pcapng",
    "tcp_dupack_fastretrans.pcapng",
    "dns_lab.pcapng",
    "dns_tcp.pcapng",
    "http_ipv4_and_ipv6.pcapng",
    "icmp_echo.pcapng",
    "icmp_traceroute.pcapng",
    "icmpv6_echo.pcap",
    "arp_resolution.pcapng",
    "vlan_icmp.pcap",
    "qinq_802.1ad_arp.pcap",
    "dhcp_dora.pcapng",
    "ipv4_frag_icmp.pcapng",
    "ipv6_frag_udp.pcap",
    "tls12_illustrated.pcap",
    "quic_illustrated.pcap",
    "ospfv2.pcapng",
    "ripv1v2.pcap",
    "bgp_messages.pcap",
    "http_post.pcapng",
    "http2_h2c_doh_get.pcap",
    "tcp_zerowindow_recovery.pcapng",
    "vlan_ipv6_frag_tcp.pcap",
    "icmpv6_neighbor_solicitation.pcapng",
];

fn merged_capture() -> PathBuf {
    let dir = test_support::captures_dir();
    let out = std::env::temp_dir().join(format!(
        "monitor-filter-oracle-{}.pcapng",
        std::process::id()
    ));
    let status = Command::new("mergecap")
        .args(["-F", "pcapng", "-a", "-w"])
        .arg(&out)
        .args(CAPTURES.iter().map(|c| dir.join(c)))
        .status()
        .expect("mergecap runs");
    assert!(status.success());
    out
}

#[test]
#[ignore = "slow: runs tshark once per filter (a few minutes)"]
fn evaluator_agrees_with_tshark_on_tshark_dissections() {
    let reg = TsharkFields::load();
    let cap = merged_capture();
    let json = test_support::tshark()
        .arg("-r")
        .arg(&cap)
        .args(["-T", "json", "-x", "--no-duplicate-keys"])
        .output()
        .expect("tshark -T json");
    let packets: Vec<J> = serde_json::from_slice(&json.stdout).expect("tshark JSON");
    let frames: Vec<Dissection> = packets
        .iter()
        .map(|p| {
            let mut d = Dissection::default();
            if let Some(J::Object(layers)) = p.pointer("/_source/layers") {
                let frame = layers
                    .get("frame_raw")
                    .and_then(|r| r.get(0))
                    .and_then(J::as_str)
                    .and_then(hex)
                    .unwrap_or_default();
                // Layers above the network layer end with its payload.
                let end = network_end(layers).unwrap_or(frame.len()).min(frame.len());
                let (outer, inner): (serde_json::Map<String, J>, serde_json::Map<String, J>) =
                    layers.clone().into_iter().partition(|(k, _)| {
                        let base = k.strip_suffix("_raw").unwrap_or(k);
                        matches!(base, "frame" | "eth" | "vlan" | "ip" | "ipv6" | "arp")
                    });
                walk(&reg, &outer, &frame, &mut d);
                walk(&reg, &inner, &frame[..end], &mut d);
            }
            d
        })
        .collect();
    assert!(frames.len() > 100, "{} frames", frames.len());
    let only = std::env::var("MONITOR_DIFF_FILTERS").unwrap_or_default();
    let exprs: Vec<&str> = super::tshark_diff::same_lines()
        .into_iter()
        .filter(|e| e.contains(only.as_str()))
        .collect();
    let results = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(expr) = exprs.get(i) else { break };
                let theirs = tshark_frames(&cap, expr);
                results.lock().unwrap().push((*expr, theirs));
            });
        }
    });
    let _ = std::fs::remove_file(&cap);
    let mut bad = Vec::new();
    let mut hits = 0usize;
    for (expr, theirs) in results.into_inner().unwrap() {
        let f = match compile_with(expr, &reg) {
            Ok(f) => f,
            Err(e) => {
                bad.push(e.render(expr));
                continue;
            }
        };
        let Some(theirs) = theirs else {
            bad.push(format!("tshark refuses {expr}"));
            continue;
        };
        let ours: BTreeSet<u64> = frames
            .iter()
            .enumerate()
            .filter(|(_, d)| f.matches(d))
            .map(|(i, _)| i as u64 + 1)
            .collect();
        hits += usize::from(!theirs.is_empty());
        if ours != theirs {
            let a: Vec<_> = ours.difference(&theirs).take(6).collect();
            let b: Vec<_> = theirs.difference(&ours).take(6).collect();
            bad.push(format!(
                "{expr}: only monitor {a:?}, only tshark {b:?} (of {})",
                theirs.len()
            ));
        }
    }
    bad.sort();
    assert!(
        !only.is_empty() || hits > 200,
        "only {hits} filters select anything"
    );
    assert!(
        bad.is_empty(),
        "{} of {} filters differ:\n{}",
        bad.len(),
        exprs.len(),
        bad.join("\n")
    );
}
