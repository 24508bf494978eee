//! Differential tests against tshark on the shared captures: a small
//! frame walker (Ethernet/VLAN → IPv4/IPv6 →
//! UDP/TCP/OSPF, IP fragments skipped) feeds the application entry points,
//! and every field of a protocol's table is compared, frame by frame, with
//! what `tshark -T fields` prints.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{ip_proto, tcp, udp, AppState, Endpoints, TcpPayload};
use crate::dissect::{Base, Dissection, FieldDef, FieldType, Value};

/// A shared capture, or with `fixtures/` one of this crate's test fixtures.
fn path(name: &str) -> String {
    match name.strip_prefix("fixtures/") {
        Some(f) => format!("{}/tests/fixtures/{f}", env!("CARGO_MANIFEST_DIR")),
        None => test_support::capture(name).display().to_string(),
    }
}

/// Frames of a pcap or pcapng file, read with the library's reader up to
/// the first damaged block (link type assumed Ethernet).
pub fn read_capture(bytes: &[u8]) -> Vec<Vec<u8>> {
    crate::capture::CaptureReader::new(bytes)
        .map(|r| r.map_while(Result::ok).map(|p| p.record.data).collect())
        .unwrap_or_default()
}

type FlowKey = (Vec<u8>, u16, Vec<u8>, u16);
/// Stream index, client endpoint, first sequence number per direction.
type FlowState = (u64, (Vec<u8>, u16), [Option<u32>; 2]);

#[derive(Default)]
struct Walker {
    app: AppState,
    streams: HashMap<FlowKey, FlowState>,
    next_stream: u64,
    /// `tcp.analysis.flags` bits per frame, from tshark's sequence
    /// analysis (which decides what reaches the application layer).
    flags: HashMap<u64, u16>,
}

impl Walker {
    /// Dissect one frame; None when the walker could not reach the
    /// application payload (not IP, a fragment, unparsable).
    fn frame(&mut self, num: u64, frame: &[u8]) -> Option<(bool, Dissection)> {
        use etherparse::{NetSlice, SlicedPacket, TransportSlice};
        let p = SlicedPacket::from_ethernet(frame).ok()?;
        let net = p.net.as_ref()?;
        let (src, dst) = match net {
            NetSlice::Ipv4(v) => (
                v.header().source().to_vec(),
                v.header().destination().to_vec(),
            ),
            NetSlice::Ipv6(v) => (
                v.header().source().to_vec(),
                v.header().destination().to_vec(),
            ),
            _ => return None,
        };
        let ipp = net.ip_payload_ref()?;
        if ipp.fragmented {
            return None;
        }
        let mut d = Dissection::default();
        match &p.transport {
            Some(TransportSlice::Udp(u)) => {
                let ep = Endpoints {
                    src_port: u.source_port(),
                    dst_port: u.destination_port(),
                };
                let c = udp(
                    &mut self.app,
                    ep,
                    super::Datagram::default(),
                    u.payload(),
                    &mut d,
                );
                Some((c, d))
            }
            Some(TransportSlice::Tcp(t)) => {
                let (sp, dp) = (t.source_port(), t.destination_port());
                let a = (src.clone(), sp);
                let b = (dst.clone(), dp);
                let key = if a <= b {
                    (a.0.clone(), a.1, b.0.clone(), b.1)
                } else {
                    (b.0.clone(), b.1, a.0.clone(), a.1)
                };
                let next = &mut self.next_stream;
                let e = self.streams.entry(key).or_insert_with(|| {
                    *next += 1;
                    (*next - 1, a.clone(), [None, None])
                });
                let from_client = e.1 == a;
                let di = usize::from(!from_client);
                if t.syn() {
                    e.2[di] = Some(t.sequence_number());
                }
                let base = *e.2[di].get_or_insert(t.sequence_number());
                let rel = t.sequence_number().wrapping_sub(base);
                let seg = TcpPayload {
                    stream: e.0,
                    from_client,
                    seq: rel,
                    data: t.payload(),
                    frame: num,
                    flags: self.flags.get(&num).copied().unwrap_or(0),
                    ts_ns: 0,
                };
                let ep = Endpoints {
                    src_port: sp,
                    dst_port: dp,
                };
                let c = tcp(&mut self.app, ep, seg, &mut d) == super::Handoff::Claimed;
                Some((c, d))
            }
            None => {
                let c = ip_proto(&mut self.app, ipp.ip_number.0, ipp.payload, &mut d);
                Some((c, d))
            }
            _ => Some((false, d)),
        }
    }
}

/// A value the way `tshark -T fields` prints it.
pub fn fmt_value(def: &FieldDef, v: &Value) -> String {
    match v {
        Value::None => "1".to_string(),
        Value::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
        Value::UInt(u) => match def.base {
            Base::Hex(w) | Base::HexDec(w) => format!("0x{:0w$x}", u, w = usize::from(w)),
            _ => u.to_string(),
        },
        Value::Int(i) => i.to_string(),
        Value::Float(_) if def.ty == FieldType::AbsTime => {
            let mut s = String::new();
            crate::dissect::format::write_value(&mut s, def, v);
            s
        }
        Value::Float(f) => f.to_string(),
        Value::Bytes(b) => super::util::hex(b),
        Value::Str(s) => escape(s),
        Value::Ipv4(a) => a.to_string(),
        Value::Ipv6(a) => a.to_string(),
        Value::Ether(m) => m
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

/// Control characters as `tshark -T fields` writes them.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\{:03o}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Run tshark; frame number → cells (one per field, then the Protocol column).
fn tshark(cap: &str, fields: &[&str]) -> Option<BTreeMap<u64, Vec<String>>> {
    let mut cmd = test_support::tshark();
    cmd.args([
        "-r",
        cap,
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-e",
        "frame.number",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    cmd.args(["-e", "_ws.col.Protocol", "-e", "_ws.col.Info"]);
    let out = cmd.output().ok()?;
    if !out.status.success() {
        panic!("tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let mut cells = line.split('\t');
        let n: u64 = cells.next()?.parse().ok()?;
        m.insert(n, cells.map(str::to_string).collect());
    }
    Some(m)
}

/// The Info column without the notes tshark's TCP layer puts in front.
fn strip_tcp_notes(s: &str) -> &str {
    let mut s = s;
    while let Some(rest) = s.strip_prefix("[TCP") {
        match rest.find("] ") {
            Some(i) => s = rest[i + 2..].trim_start(),
            None => break,
        }
    }
    s
}

/// Frames matching a display filter, per tshark.
fn frames_matching(cap: &str, filter: &str) -> HashSet<u64> {
    let out = test_support::tshark()
        .args([
            "-r",
            cap,
            "-Y",
            filter,
            "-T",
            "fields",
            "-e",
            "frame.number",
        ])
        .output()
        .expect("tshark");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// One disagreement that is known and accepted, with the reason (`field`
/// `"*"` covers the whole frame).
pub struct Allow {
    pub capture: &'static str,
    pub frame: u64,
    pub field: &'static str,
    pub reason: &'static str,
}

/// Compare every field of `table` on every capture; panics on a
/// disagreement that is neither on a tshark-malformed frame nor allowed.
/// On frames claimed by the application dissectors the Protocol column
/// (through `protocols`) and the Info column are compared too.
pub fn check(
    table: &[&'static FieldDef],
    captures: &[&str],
    protocols: &dyn Fn(&str, &str) -> bool,
    allow: &[Allow],
) {
    check_with(table, captures, protocols, allow, true);
}

/// [`check`] with values compared as they are and no difference allowed.
fn check_same(table: &[&'static FieldDef], captures: &[&str]) {
    check(table, captures, &|ours, theirs| ours == theirs, &[]);
}

/// As [`check`]; `compare_info` false reports the Info column without
/// failing on it (for protocols whose Info needs decryption).
pub fn check_with(
    table: &[&'static FieldDef],
    captures: &[&str],
    protocols: &dyn Fn(&str, &str) -> bool,
    allow: &[Allow],
    compare_info: bool,
) {
    if !test_support::have_tshark() {
        return;
    }
    // A protocol's own field (first in its table) is compared through
    // `frame.protocols`, not as a field (its `-T fields` text is the
    // protocol's name, not its bytes).
    let table: Vec<&FieldDef> = table
        .iter()
        .copied()
        .filter(|f| f.ty != FieldType::Protocol)
        .collect();
    let table = &table[..];
    let names: Vec<&str> = table.iter().map(|f| f.name).collect();
    let mut agree: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut col = (0u64, 0u64);
    let mut info = (0u64, 0u64);
    let mut allowed: Vec<String> = Vec::new();
    let mut read_any = false;
    for spec in captures {
        // "file@N": compare only frames up to N.
        let (cap, last) = match spec.split_once('@') {
            Some((c, n)) => (c, n.parse().unwrap_or(u64::MAX)),
            None => (*spec, u64::MAX),
        };
        let p = path(cap);
        let Ok(bytes) = std::fs::read(&p) else {
            test_support::missing(&format!("capture {p} not found"));
            continue;
        };
        read_any = true;
        let reference = tshark(&p, &names).expect("tshark output");
        let malformed = frames_matching(&p, "_ws.malformed");
        // Whether a retransmitted segment reaches the application layer is
        // the TCP layer's call (its sequence analysis); take tshark's.
        let mut flags: HashMap<u64, u16> = HashMap::new();
        {
            use crate::tcp_analysis::verdict::aflags;
            for (filter, bit) in [
                (
                    "tcp.analysis.retransmission && !tcp.analysis.fast_retransmission \
                     && !tcp.analysis.spurious_retransmission",
                    aflags::RETRANSMISSION,
                ),
                (
                    "tcp.analysis.spurious_retransmission",
                    aflags::SPURIOUS_RETRANSMISSION,
                ),
                ("tcp.analysis.out_of_order", aflags::OUT_OF_ORDER),
                ("tcp.analysis.keep_alive", aflags::KEEP_ALIVE),
                (
                    "tcp.analysis.fast_retransmission",
                    aflags::FAST_RETRANSMISSION,
                ),
                ("tcp.analysis.lost_segment", aflags::LOST_PACKET),
                ("tcp.analysis.ack_lost_segment", aflags::ACK_LOST_PACKET),
            ] {
                for n in frames_matching(&p, filter) {
                    *flags.entry(n).or_default() |= bit;
                }
            }
        }
        let mut w = Walker {
            flags,
            ..Walker::default()
        };
        for (i, frame) in read_capture(&bytes).iter().enumerate() {
            let num = i as u64 + 1;
            let Some((claimed, d)) = w.frame(num, frame) else {
                continue;
            };
            if num > last {
                break;
            }
            let Some(cells) = reference.get(&num) else {
                continue;
            };
            let bad_ok = malformed.contains(&num);
            for (k, def) in table.iter().enumerate() {
                let mine = d
                    .fields
                    .iter()
                    .filter(|f| f.def.name == def.name && f.def.ty != FieldType::Layer)
                    .map(|f| fmt_value(f.def, &f.value))
                    .collect::<Vec<_>>()
                    .join(",");
                let theirs = cells.get(k).map(String::as_str).unwrap_or("");
                if mine.is_empty() && theirs.is_empty() {
                    continue;
                }
                let e = agree.entry(def.name).or_default();
                e.1 += 1;
                if mine == theirs {
                    e.0 += 1;
                } else if let Some(a) = allow.iter().find(|a| {
                    a.capture == cap && a.frame == num && (a.field == def.name || a.field == "*")
                }) {
                    allowed.push(format!("{cap} frame {num} {}: {}", def.name, a.reason));
                } else if !bad_ok
                    && !allow.iter().any(|a| {
                        a.capture == cap
                            && a.frame == num
                            && (a.field == def.name || a.field == "*")
                    })
                {
                    failures.push(if mine.len() > 200 && theirs.len() > 200 {
                        // Long values: show where they part.
                        let at = mine
                            .char_indices()
                            .zip(theirs.chars())
                            .find(|((_, a), b)| a != b)
                            .map_or(mine.len().min(theirs.len()), |((i, _), _)| i);
                        let from = mine[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
                        let ours: String = mine[from..].chars().take(80).collect();
                        let tail: String = theirs.chars().skip(mine[..from].chars().count()).take(80).collect();
                        format!(
                            "{cap} frame {num} {}: differ at char {at} (lengths {} and {}): ours ...{ours:?} tshark ...{tail:?}",
                            def.name,
                            mine.len(),
                            theirs.len()
                        )
                    } else {
                        format!("{cap} frame {num} {}: ours {mine:?} tshark {theirs:?}", def.name)
                    });
                }
            }
            let theirs_proto = cells.get(table.len()).map(String::as_str).unwrap_or("");
            let theirs_info =
                strip_tcp_notes(cells.get(table.len() + 1).map(String::as_str).unwrap_or(""));
            if claimed {
                info.1 += 1;
                if d.info.trim_end() == theirs_info.trim_end() {
                    info.0 += 1;
                } else if let Some(a) = allow.iter().find(|a| {
                    a.capture == cap
                        && a.frame == num
                        && (a.field == "_ws.col.Info" || a.field == "*")
                }) {
                    allowed.push(format!("{cap} frame {num} _ws.col.Info: {}", a.reason));
                } else if !compare_info {
                    if std::env::var_os("DIFF_INFO").is_some() {
                        eprintln!(
                            "{cap} frame {num} info: ours {:?} tshark {theirs_info:?}",
                            d.info
                        );
                    }
                } else if !bad_ok {
                    failures.push(format!(
                        "{cap} frame {num} info column: ours {:?} tshark {theirs_info:?}",
                        d.info
                    ));
                }
                col.1 += 1;
                if protocols(&d.protocol, theirs_proto) {
                    col.0 += 1;
                } else if let Some(a) = allow.iter().find(|a| a.capture == cap && a.frame == num) {
                    allowed.push(format!("{cap} frame {num} _ws.col.Protocol: {}", a.reason));
                } else if !bad_ok {
                    failures.push(format!(
                        "{cap} frame {num} protocol column: ours {:?} tshark {theirs_proto:?}",
                        d.protocol
                    ));
                }
            }
        }
    }
    let (mut a, mut t) = (0, 0);
    for (name, (ok, total)) in &agree {
        eprintln!("  {name}: {ok}/{total}");
        a += ok;
        t += total;
    }
    eprintln!(
        "fields agreeing: {a}/{t} cells; protocol column {}/{}; info column {}/{}",
        col.0, col.1, info.0, info.1
    );
    for line in &allowed {
        eprintln!("allowed: {line}");
    }
    // A known disagreement that no longer happens is stale: the list only
    // shrinks.
    for a in allow {
        let key = format!("{} frame {} ", a.capture, a.frame);
        if !allowed.iter().any(|l| l.starts_with(&key)) {
            failures.push(format!("{key}{}: allowed but agrees now", a.field));
        }
    }
    if !failures.is_empty() {
        for f in failures.iter().take(60) {
            let cut: String = f.chars().take(400).collect();
            eprintln!("{cut}");
        }
        panic!("{} disagreement(s) with tshark", failures.len());
    }
    if !read_any {
        return; // every capture missing, and MONITOR_ALLOW_SKIP=1
    }
    assert!(t > 0, "nothing was compared");
}

#[test]
fn dns_matches_tshark() {
    // This walker has neither frame times nor UDP conversations: the
    // transaction fields are compared through the pipeline (`monitor
    // read`, tests/read_cli.rs) only.
    check_same(
        &without(super::dns::FIELDS, &super::dns::TRACKING_FIELDS),
        &[
            "dns_lab.pcapng",
            "dns_tcp.pcapng",
            "dns_axfr.pcapng",
            "dnssec.pcap",
            "dns_many_flows.pcap",
            "http_espn_many_flows.pcapng",
            "http_espn_retrans.pcapng",
            "ipv6_frag_udp.pcap",
            "tls12_sessions_certs.pcap",
            "mixed_large_web.pcap",
        ],
    );
}

#[test]
fn dhcp_matches_tshark() {
    check_same(
        super::dhcp::FIELDS,
        &["dhcp_dora.pcapng", "dhcp_renewal.pcapng"],
    );
}

#[test]
fn dhcpv6_matches_tshark() {
    check_same(
        super::dhcpv6::FIELDS,
        &["dhcpv6_solicit.pcapng", "mixed_large_web.pcap"],
    );
}

/// Every field of `table` but the named ones.
fn without(table: &[&'static FieldDef], skip: &[&str]) -> Vec<&'static FieldDef> {
    table
        .iter()
        .copied()
        .filter(|f| !skip.contains(&f.name))
        .collect()
}

const HTTP_CAPTURES: &[&str] = &[
    "http_google.pcapng",
    "http_post.pcapng",
    "http_ipv4_and_ipv6.pcapng",
    "http_espn_retrans.pcapng",
    "http_espn_many_flows.pcapng",
    "http_650_responses.pcap",
    "tcp_http_out_of_order.pcap",
    "tcp_vlan_http_retrans.pcap",
    "mixed_large_web.pcap",
    "http2_h2c_range.pcap",
];

#[test]
fn http_matches_tshark() {
    // http.file_data is the decoded body (de-chunked, gunzipped); tshark
    // prints binary bodies with an escaping of its own, so it is checked by
    // unit tests instead. This walker has no frame times: http.time is
    // compared through the pipeline (`monitor read`) only.
    check(
        &without(super::http::FIELDS, &["http.file_data", "http.time"]),
        HTTP_CAPTURES,
        &|ours, theirs| ours == theirs || (ours == "HTTP" && theirs.starts_with("HTTP")),
        &[],
    );
}

#[test]
fn tls_matches_tshark() {
    check_same(
        super::tls::FIELDS,
        &[
            "tls12_illustrated.pcap",
            "tls13_illustrated.pcap",
            "tls12_sessions_certs.pcap",
            "tls13_h2_alpn.pcap",
            "tls_mixed_versions.pcap",
            // Frame 154 follows segments missing from the capture; from there
            // tshark resynchronises on records in ways not modelled here.
            "tls13_large_tor.pcap@153",
            "mixed_large_web.pcap",
            // TLS handshakes inside QUIC Initial packets.
            "quic_v1_h3.pcap",
            "quic_h3_multi_conn.pcap",
            "quic_retry.pcap",
            "quic_illustrated.pcap",
        ],
    );
}

#[test]
fn x509_matches_tshark() {
    // Certificates in TLS handshakes, stapled OCSP responses, and OCSP
    // responses and CRLs in HTTP bodies.
    check(
        super::x509::FIELDS,
        &[
            "tls12_illustrated.pcap",
            "tls12_sessions_certs.pcap",
            "tls_mixed_versions.pcap",
            "tls13_large_tor.pcap@153",
            "mixed_large_web.pcap",
        ],
        &|_, _| true,
        &[],
    );
}

#[test]
fn bgp_matches_tshark() {
    check_same(
        super::bgp::FIELDS,
        &["bgp_4byte_asn.pcap", "bgp_messages.pcap"],
    );
}

#[test]
fn rip_matches_tshark() {
    check_same(super::rip::FIELDS, &["ripv1v2.pcap", "ripv2_auth.pcap"]);
}

#[test]
fn ospf_matches_tshark() {
    check_same(super::ospf::FIELDS, &["ospfv2.pcapng", "ospfv3.pcap"]);
}

#[test]
fn quic_matches_tshark() {
    check_with(
        super::quic::FIELDS,
        &[
            "quic_v1_h3.pcap",
            "quic_h3_multi_conn.pcap",
            "quic_retry.pcap",
            "quic_illustrated.pcap",
        ],
        &|ours, theirs| ours == theirs,
        &[],
        true,
    );
}

#[test]
fn http2_matches_tshark() {
    check_same(
        super::http2::FIELDS,
        &[
            "http2_h2c_doh_get.pcap",
            "http2_h2c_doh_post.pcap",
            "http2_h2c_range.pcap",
        ],
    );
}

/// Mutated real traffic: every capture's frames with bytes flipped at
/// pseudo-random places go through the entry points without a panic.
#[test]
fn mutated_captures_never_panic() {
    let captures = test_support::all_captures();
    if captures.is_empty() {
        return; // skipped: MONITOR_ALLOW_SKIP=1
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut frames = 0u64;
    let mut claimed = 0u64;
    for path in &captures {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        for round in 0..4 {
            let mut w = Walker::default();
            for (i, frame) in read_capture(&bytes).iter().enumerate().take(1500) {
                let mut f = frame.clone();
                // Keep the link and IP headers mostly intact so payloads reach
                // the application dissectors; mutate beyond them.
                if f.len() > 60 {
                    for _ in 0..=round * 3 {
                        let at = 54 + (next() as usize) % (f.len() - 54);
                        f[at] ^= (next() as u8) | 1;
                    }
                }
                if let Some((true, _)) = w.frame(i as u64 + 1, &f) {
                    claimed += 1;
                }
                frames += 1;
            }
        }
    }
    eprintln!("{frames} mutated frames, {claimed} claimed by an application dissector");
    assert!(claimed > 0);
}

#[test]
fn nbns_nbdgm_matches_tshark() {
    check_same(super::netbios::FIELDS, &["mixed_large_web.pcap"]);
}

#[test]
fn smb_mailslot_matches_tshark() {
    check_same(super::smb::FIELDS, &["mixed_large_web.pcap"]);
}

#[test]
fn browser_matches_tshark() {
    check_same(super::browser::FIELDS, &["mixed_large_web.pcap"]);
}

#[test]
fn echo_matches_tshark() {
    check_same(super::echo::FIELDS, &["fixtures/synthetic.pcap"]);
}

#[test]
fn daytime_matches_tshark() {
    check_same(super::daytime::FIELDS, &["fixtures/synthetic.pcap"]);
}
