//! Differential test against tshark 4.0: a small test-only frame walker
//! (pcap/pcapng → Ethernet/VLAN → IPv4/IPv6 → TCP) feeds every TCP segment
//! of every shared capture to the analyzer, and each generated field is
//! compared, frame by frame and cell by cell, with `tshark -T fields` run
//! with its default preferences.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TcpSlice, TransportSlice};

use super::{Analyzer, Config, Nanos, Segment};
use crate::dissect::{Dissection, Value};

/// The compared columns, in `-e` order (after `frame.number`).
pub(crate) const COLUMNS: &[&str] = &[
    "tcp.stream",
    "tcp.seq",
    "tcp.ack",
    "tcp.nxtseq",
    "tcp.completeness",
    "tcp.window_size",
    "tcp.window_size_scalefactor",
    "tcp.analysis",
    "tcp.analysis.flags",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.window_update",
    "tcp.analysis.window_full",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.reused_ports",
    "tcp.analysis.acks_frame",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.initial_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.push_bytes_sent",
    "tcp.analysis.rto",
    "tcp.analysis.rto_frame",
    "tcp.time_relative",
    "tcp.time_delta",
    "_ws.col.Info",
];

/// One captured frame: timestamp (ns) and bytes (Ethernet).
pub(crate) struct Frame {
    pub ts: Nanos,
    pub data: Vec<u8>,
}

/// Read a pcap or pcapng file with the library's reader (Ethernet link
/// type only).
pub(crate) fn read_capture(path: &Path) -> Vec<Frame> {
    crate::capture::CaptureReader::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|p| {
            let p = p.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                p.linktype,
                crate::record::linktype::LINKTYPE_ETHERNET,
                "Ethernet only"
            );
            Frame {
                ts: p.record.ts_ns,
                data: p.record.data,
            }
        })
        .collect()
}

/// The TCP facts of a frame, owned.
pub(crate) struct OwnedSeg {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub window: u16,
    pub payload_len: u32,
    pub options: Vec<u8>,
}

impl OwnedSeg {
    pub fn as_segment(&self) -> Segment<'_> {
        Segment {
            src: self.src,
            dst: self.dst,
            src_port: self.src_port,
            dst_port: self.dst_port,
            seq: self.seq,
            ack: self.ack,
            flags: self.flags,
            window: self.window,
            payload_len: self.payload_len,
            options: &self.options,
            options_cut: false,
        }
    }
}

/// Why a frame yields no segment.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Skip {
    NotTcp,
    Fragment,
}

/// Ethernet/VLAN → IP → TCP; IP fragments are reported as such. The flag
/// tells a TCP header quoted in an ICMP/ICMPv6 error.
pub(crate) fn tcp_of(data: &[u8]) -> Result<(OwnedSeg, bool), Skip> {
    let p = LaxSlicedPacket::from_ethernet(data).map_err(|_| Skip::NotTcp)?;
    if let Some(pl) = p.ip_payload() {
        let error_types: &[u8] = match pl.ip_number {
            etherparse::IpNumber::ICMP => &[3, 4, 5, 11, 12],
            etherparse::IpNumber::IPV6_ICMP => &[1, 2, 3, 4],
            _ => &[],
        };
        if !pl.fragmented && pl.payload.len() > 8 && error_types.contains(&pl.payload[0]) {
            let inner = LaxSlicedPacket::from_ip(&pl.payload[8..]).map_err(|_| Skip::NotTcp)?;
            return seg_of(&inner).map(|s| (s, true));
        }
    }
    seg_of(&p).map(|s| (s, false))
}

fn seg_of(p: &LaxSlicedPacket<'_>) -> Result<OwnedSeg, Skip> {
    let (src, dst, ip_payload_len, fragmented) = match &p.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                i64::from(h.total_len()) - i64::from(h.ihl()) * 4,
                ip.is_payload_fragmented(),
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            (
                IpAddr::from(h.source_addr()),
                IpAddr::from(h.destination_addr()),
                i64::from(h.payload_length()) - ip.extensions().slice().len() as i64,
                ip.is_payload_fragmented(),
            )
        }
        _ => return Err(Skip::NotTcp),
    };
    let is_tcp = p
        .ip_payload()
        .is_some_and(|pl| pl.ip_number == etherparse::IpNumber::TCP);
    if !is_tcp {
        return Err(Skip::NotTcp);
    }
    if fragmented {
        return Err(Skip::Fragment);
    }
    let Some(TransportSlice::Tcp(t)) = &p.transport else {
        return Err(Skip::NotTcp);
    };
    let hl = i64::from(t.data_offset()) * 4;
    let raw = t.slice();
    Ok(OwnedSeg {
        src,
        dst,
        src_port: t.source_port(),
        dst_port: t.destination_port(),
        seq: t.sequence_number(),
        ack: t.acknowledgment_number(),
        flags: u16::from_be_bytes([raw[12], raw[13]]) & 0x0fff,
        window: t.window_size(),
        payload_len: (ip_payload_len - hl).max(0) as u32,
        options: t.options().to_vec(),
    })
}

fn cell(d: &Dissection, name: &str) -> String {
    d.values(name)
        .map(|v| match v {
            Value::None => "1".to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:.9}"),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Our cells for one verdict.
fn row_of(v: &super::Verdict) -> Vec<String> {
    let mut d = Dissection::default();
    crate::dissect::tcp_verdict::push_fields(v, &mut d);
    let mut row: Vec<String> = COLUMNS[..COLUMNS.len() - 1]
        .iter()
        .map(|c| cell(&d, c))
        .collect();
    row.push(v.info_prefix().unwrap_or_default());
    row
}

/// IP fragments waiting for the rest: (src, dst, id) → (offset, bytes), total.
type FragPool = BTreeMap<(IpAddr, IpAddr, u32), (Vec<(usize, Vec<u8>)>, Option<usize>)>;

/// Feed a fragment to the reassembly pool; the TCP segment once the
/// datagram is complete (as tshark's IP reassembly does by default).
fn reassembled_tcp(pool: &mut FragPool, data: &[u8]) -> Option<OwnedSeg> {
    let p = LaxSlicedPacket::from_ethernet(data).ok()?;
    let ep = p.ether_payload()?;
    let b = ep.payload;
    let (src, dst, id, off, more, frag, proto) = match b.first()? >> 4 {
        4 => {
            let ihl = usize::from(b[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([b[2], b[3]]));
            let fo = u16::from_be_bytes([b[6], b[7]]);
            let src = IpAddr::from(<[u8; 4]>::try_from(&b[12..16]).ok()?);
            let dst = IpAddr::from(<[u8; 4]>::try_from(&b[16..20]).ok()?);
            let id = u32::from(u16::from_be_bytes([b[4], b[5]]));
            (
                src,
                dst,
                id,
                usize::from(fo & 0x1fff) * 8,
                fo & 0x2000 != 0,
                b.get(ihl..total)?,
                b[9],
            )
        }
        6 => {
            // Only a fragment header directly after the fixed header.
            if b[6] != 44 {
                return None;
            }
            let plen = usize::from(u16::from_be_bytes([b[4], b[5]]));
            let src = IpAddr::from(<[u8; 16]>::try_from(&b[8..24]).ok()?);
            let dst = IpAddr::from(<[u8; 16]>::try_from(&b[24..40]).ok()?);
            let fo = u16::from_be_bytes([b[42], b[43]]);
            let id = u32::from_be_bytes([b[44], b[45], b[46], b[47]]);
            (
                src,
                dst,
                id,
                usize::from(fo >> 3) * 8,
                fo & 1 != 0,
                b.get(48..40 + plen)?,
                b[40],
            )
        }
        _ => return None,
    };
    let entry = pool.entry((src, dst, id)).or_default();
    entry.0.push((off, frag.to_vec()));
    if !more {
        entry.1 = Some(off + frag.len());
    }
    let total = entry.1?;
    let mut whole = vec![0u8; total];
    let mut have = vec![false; total];
    for (o, d) in &entry.0 {
        let end = (o + d.len()).min(total);
        whole[*o..end].copy_from_slice(&d[..end - o]);
        have[*o..end].iter_mut().for_each(|h| *h = true);
    }
    if have.iter().any(|h| !h) {
        return None;
    }
    pool.remove(&(src, dst, id));
    if proto != 6 {
        return None;
    }
    let t = TcpSlice::from_slice(&whole).ok()?;
    let raw = t.slice();
    Some(OwnedSeg {
        src,
        dst,
        src_port: t.source_port(),
        dst_port: t.destination_port(),
        seq: t.sequence_number(),
        ack: t.acknowledgment_number(),
        flags: u16::from_be_bytes([raw[12], raw[13]]) & 0x0fff,
        window: t.window_size(),
        payload_len: (whole.len() - usize::from(t.data_offset()) * 4) as u32,
        options: t.options().to_vec(),
    })
}

/// Our cells for every frame with TCP (frame number → columns).
pub(crate) fn our_table(frames: &[Frame]) -> (BTreeMap<u64, Vec<String>>, Vec<u64>) {
    let mut a = Analyzer::new(Config::default());
    let mut pool = FragPool::new();
    let mut rows = BTreeMap::new();
    let mut fragments = Vec::new();
    for (i, fr) in frames.iter().enumerate() {
        let n = i as u64 + 1;
        match tcp_of(&fr.data) {
            Ok((s, embedded)) => {
                let v = if embedded {
                    a.on_embedded_segment(n, fr.ts, &s.as_segment())
                } else {
                    a.on_segment(n, fr.ts, &s.as_segment())
                };
                rows.insert(n, row_of(&v));
            }
            Err(Skip::Fragment) => match reassembled_tcp(&mut pool, &fr.data) {
                Some(s) => {
                    let v = a.on_segment(n, fr.ts, &s.as_segment());
                    rows.insert(n, row_of(&v));
                }
                None => fragments.push(n),
            },
            Err(Skip::NotTcp) => {}
        }
    }
    (rows, fragments)
}

/// tshark's cells for every frame with TCP; the Info column is cut down to
/// its leading `[TCP …] ` labels.
pub(crate) fn tshark_table(path: &Path) -> Option<BTreeMap<u64, Vec<String>>> {
    let mut cmd = test_support::tshark();
    cmd.arg("-n")
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-e", "frame.number"]);
    for c in COLUMNS {
        cmd.args(["-e", c]);
    }
    let out = cmd.output().ok()?;
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let mut cols: Vec<String> = line.split('\t').map(str::to_string).collect();
        cols.resize(COLUMNS.len() + 1, String::new());
        if cols[1].is_empty() {
            continue; // no TCP in this frame
        }
        let n: u64 = cols[0].parse().unwrap();
        let info = cols.last_mut().unwrap();
        *info = tcp_labels(info);
        rows.insert(n, cols[1..].to_vec());
    }
    Some(rows)
}

/// The leading TCP analysis labels of an Info column.
fn tcp_labels(info: &str) -> String {
    let mut rest = info;
    let mut out = String::new();
    while rest.starts_with("[TCP ") {
        let Some(end) = rest.find("] ") else { break };
        let label = &rest[..end + 2];
        if label.starts_with("[TCP segment of") {
            break;
        }
        out.push_str(label);
        rest = &rest[end + 2..];
    }
    out
}

#[test]
fn agrees_with_tshark_on_every_capture() {
    let caps = test_support::all_captures();
    if caps.is_empty() || !test_support::have_tshark() {
        return;
    }
    let mut agree = vec![0u64; COLUMNS.len()];
    let mut total = 0u64;
    let mut failures: Vec<String> = Vec::new();
    let mut allowed: Vec<String> = Vec::new();
    for cap in &caps {
        let name = cap.file_name().unwrap().to_string_lossy().to_string();
        let frames = read_capture(cap);
        let (ours, fragments) = our_table(&frames);
        let theirs = tshark_table(cap).expect("tshark");
        if theirs.is_empty() && ours.is_empty() {
            continue;
        }
        for (n, trow) in &theirs {
            let Some(orow) = ours.get(n) else {
                if fragments.contains(n) {
                    // Allowed: the test walker does not reassemble IP fragments.
                    allowed.push(format!("{name} #{n}: TCP in reassembled IP fragments"));
                } else {
                    failures.push(format!("{name} #{n}: tshark has TCP, walker has none"));
                }
                continue;
            };
            total += 1;
            for (i, col) in COLUMNS.iter().enumerate() {
                if trow[i] == orow[i] {
                    agree[i] += 1;
                } else if failures.len() < 200 {
                    failures.push(format!(
                        "{name} #{n} {col}: tshark {:?} ours {:?}",
                        trow[i], orow[i]
                    ));
                } else {
                    failures.push(String::new());
                }
            }
        }
        for n in ours.keys() {
            if !theirs.contains_key(n) {
                failures.push(format!("{name} #{n}: walker has TCP, tshark none"));
            }
        }
    }
    eprintln!("per-field agreement over {total} TCP frames:");
    for (i, col) in COLUMNS.iter().enumerate() {
        eprintln!("  {col:40} {}/{total}", agree[i]);
    }
    for a in &allowed {
        eprintln!("allowed: {a}");
    }
    let shown: Vec<&String> = failures.iter().filter(|f| !f.is_empty()).collect();
    for f in &shown {
        eprintln!("{f}");
    }
    assert!(failures.is_empty(), "{} disagreements", failures.len());
}

/// Synthetic conversations for the rules the shared captures never
/// trigger (zero-window probes, window full, keep-alives, wrap-around,
/// port reuse, IPv6 …), written to a temporary pcap and compared with
/// tshark the same way.
mod synthetic {
    use super::*;
    use etherparse::PacketBuilder;

    const C: ([u8; 4], u16) = ([10, 0, 0, 1], 40000);
    const S: ([u8; 4], u16) = ([10, 0, 0, 2], 80);
    const C6: [u8; 16] = [0x20, 0x01, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const S6: [u8; 16] = [0x20, 0x01, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    /// SYN options: MSS 1460, SACK permitted, window scale `ws`.
    pub fn syn_opts(ws: Option<u8>) -> Vec<u8> {
        let mut o = vec![2, 4, 0x05, 0xb4, 4, 2];
        if let Some(ws) = ws {
            o.extend_from_slice(&[1, 3, 3, ws]);
        }
        while o.len() % 4 != 0 {
            o.push(1);
        }
        o
    }

    /// A SACK option with the given blocks.
    pub fn sack(blocks: &[(u32, u32)]) -> Vec<u8> {
        let mut o = vec![1, 1, 5, 2 + 8 * blocks.len() as u8];
        for (l, r) in blocks {
            o.extend_from_slice(&l.to_be_bytes());
            o.extend_from_slice(&r.to_be_bytes());
        }
        o
    }

    /// One scenario: frames built from a compact description.
    #[derive(Default)]
    pub struct Scn {
        pub frames: Vec<Frame>,
        t: Nanos,
        pub v6: bool,
        pub sport: Option<u16>,
        /// Both ends on the client's address.
        pub same_host: bool,
    }

    impl Scn {
        /// Advance the clock by `us` microseconds and add a segment.
        #[allow(clippy::too_many_arguments)]
        pub fn seg(
            &mut self,
            us: i64,
            from_client: bool,
            fl: &str,
            seq: u32,
            ack: u32,
            win: u16,
            len: usize,
            opts: &[u8],
        ) -> &mut Self {
            self.t += us * 1000;
            let cport = self.sport.unwrap_or(C.1);
            let (sp, dp) = if from_client {
                (cport, S.1)
            } else {
                (S.1, cport)
            };
            let eth = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
            let ip = if self.v6 {
                let (a, b) = if from_client { (C6, S6) } else { (S6, C6) };
                eth.ipv6(a, b, 64)
            } else {
                let sv = if self.same_host { C.0 } else { S.0 };
                let (a, b) = if from_client { (C.0, sv) } else { (sv, C.0) };
                eth.ipv4(a, b, 64)
            };
            let mut tcp = ip.tcp(sp, dp, seq, win);
            for ch in fl.chars() {
                tcp = match ch {
                    'S' => tcp.syn(),
                    'A' => tcp.ack(ack),
                    'F' => tcp.fin(),
                    'R' => tcp.rst(),
                    'P' => tcp.psh(),
                    _ => panic!("flag {ch}"),
                };
            }
            if !opts.is_empty() {
                tcp = tcp.options_raw(opts).unwrap();
            }
            let payload = vec![0x41u8; len];
            let mut out = Vec::new();
            tcp.write(&mut out, &payload).unwrap();
            self.frames.push(Frame {
                ts: 1_700_000_000_000_000_000 + self.t,
                data: out,
            });
            self
        }
    }

    impl Scn {
        /// An ICMP "host unreachable" from a router quoting a client→server
        /// segment (`tcp_len` bytes of its TCP header).
        pub fn icmp_error(&mut self, us: i64, fl: &str, seq: u32, ack: u32, tcp_len: usize) {
            let mut inner = Scn {
                sport: self.sport,
                ..Default::default()
            };
            inner.seg(0, true, fl, seq, ack, 100, 0, &[]);
            let quoted = &inner.frames[0].data[14..14 + 20 + tcp_len];
            self.t += us * 1000;
            let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 9], [2, 0, 0, 0, 0, 1])
                .ipv4([10, 0, 0, 9], C.0, 64)
                .icmpv4_raw(3, 1, [0; 4]);
            let mut out = Vec::new();
            b.write(&mut out, quoted).unwrap();
            self.frames.push(Frame {
                ts: 1_700_000_000_000_000_000 + self.t,
                data: out,
            });
        }
    }

    fn write_pcap(path: &Path, frames: &[Frame]) {
        let mut b = Vec::new();
        b.extend_from_slice(&0xa1b2_3c4du32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&4u16.to_le_bytes());
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&65535u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        for f in frames {
            b.extend_from_slice(&((f.ts / 1_000_000_000) as u32).to_le_bytes());
            b.extend_from_slice(&((f.ts % 1_000_000_000) as u32).to_le_bytes());
            b.extend_from_slice(&(f.data.len() as u32).to_le_bytes());
            b.extend_from_slice(&(f.data.len() as u32).to_le_bytes());
            b.extend_from_slice(&f.data);
        }
        std::fs::write(path, b).unwrap();
    }

    /// Compare a scenario with tshark; returns the disagreements.
    pub fn check(name: &str, scn: &Scn) -> Vec<String> {
        let dir = std::env::temp_dir().join(format!("tcp-analysis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.pcap"));
        write_pcap(&path, &scn.frames);
        let Some(theirs) = tshark_table(&path) else {
            return Vec::new();
        };
        let (ours, _) = our_table(&scn.frames);
        let mut bad = Vec::new();
        for (n, t) in &theirs {
            let o = &ours[n];
            for (i, col) in COLUMNS.iter().enumerate() {
                if t[i] != o[i] {
                    bad.push(format!(
                        "{name} #{n} {col}: tshark {:?} ours {:?}",
                        t[i], o[i]
                    ));
                }
            }
        }
        assert_eq!(theirs.len(), ours.len(), "{name}: frame count");
        bad
    }

    /// Client ISN `c`, server ISN `s`: SYN, SYN/ACK, ACK with the given scales.
    pub fn handshake(scn: &mut Scn, c: u32, s: u32, cws: Option<u8>, sws: Option<u8>) {
        scn.seg(0, true, "S", c, 0, 64240, 0, &syn_opts(cws));
        scn.seg(
            20_000,
            false,
            "SA",
            s,
            c.wrapping_add(1),
            65160,
            0,
            &syn_opts(sws),
        );
        scn.seg(
            20_000,
            true,
            "A",
            c.wrapping_add(1),
            s.wrapping_add(1),
            502,
            0,
            &[],
        );
    }

    pub fn scenarios() -> Vec<(&'static str, Scn)> {
        let mut v = Vec::new();

        // Zero window, probes, probe ACKs, window update, recovery.
        let mut s = Scn::default();
        handshake(&mut s, 1000, 5000, Some(7), Some(7));
        s.seg(1000, true, "AP", 1001, 5001, 502, 100, &[]);
        s.seg(1000, false, "A", 5001, 1101, 0, 0, &[]);
        s.seg(200_000, true, "A", 1101, 5001, 502, 1, &[]);
        s.seg(1000, false, "A", 5001, 1101, 0, 0, &[]);
        s.seg(400_000, true, "A", 1101, 5001, 502, 1, &[]);
        s.seg(1000, false, "A", 5001, 1102, 0, 0, &[]);
        s.seg(1000, false, "A", 5001, 1101, 3, 0, &[]);
        s.seg(1000, true, "AP", 1101, 5001, 502, 100, &[]);
        s.seg(1000, false, "A", 5001, 1201, 3, 0, &[]);
        v.push(("zero_window", s));

        // Window full with a known scale, then without scaling.
        for (name, ws) in [
            ("window_full_scaled", Some(2)),
            ("window_full_unscaled", None),
        ] {
            let mut s = Scn::default();
            handshake(&mut s, 7, 9, ws, ws);
            s.seg(1000, false, "A", 10, 8, 100, 0, &[]);
            s.seg(1000, true, "A", 8, 10, 502, 200, &[]);
            s.seg(1000, true, "AP", 208, 10, 502, 200, &[]);
            s.seg(1000, false, "A", 10, 408, 100, 0, &[]);
            s.seg(1000, true, "A", 408, 10, 502, 100, &[]);
            v.push((name, s));
        }

        // Keep-alives (0 and 1 byte) and their ACKs.
        let mut s = Scn::default();
        handshake(&mut s, 100, 200, Some(8), Some(8));
        s.seg(1000, true, "AP", 101, 201, 502, 50, &[]);
        s.seg(1000, false, "A", 201, 151, 509, 0, &[]);
        s.seg(45_000_000, true, "A", 150, 201, 502, 0, &[]);
        s.seg(1000, false, "A", 201, 151, 509, 0, &[]);
        s.seg(45_000_000, true, "A", 150, 201, 502, 1, &[]);
        s.seg(1000, false, "A", 201, 151, 509, 0, &[]);
        s.seg(1000, false, "AF", 201, 151, 509, 0, &[]);
        s.seg(1000, true, "AF", 151, 202, 502, 0, &[]);
        s.seg(1000, false, "A", 202, 152, 509, 0, &[]);
        v.push(("keep_alive", s));

        // Loss, dup ACKs with SACK, fast retransmission, retransmission
        // after a timeout, spurious retransmission, out-of-order.
        let mut s = Scn::default();
        handshake(&mut s, 0xffff_ff00, 0x10, Some(7), Some(7));
        let c = 0xffff_ff01u32;
        s.seg(1000, true, "AP", c, 0x11, 502, 100, &[]);
        s.seg(100, false, "A", 0x11, c.wrapping_add(100), 509, 1000, &[]);
        s.seg(
            100,
            false,
            "A",
            0x11 + 2000,
            c.wrapping_add(100),
            509,
            1000,
            &[],
        );
        s.seg(
            100,
            true,
            "A",
            c.wrapping_add(100),
            0x11 + 1000,
            502,
            0,
            &[],
        );
        for k in 0..3u32 {
            let o = sack(&[(0x11 + 2000, 0x11 + 3000 + k * 1000)]);
            s.seg(
                100,
                false,
                "A",
                0x11 + 3000 + k * 1000,
                c.wrapping_add(100),
                509,
                1000,
                &[],
            );
            s.seg(100, true, "A", c.wrapping_add(100), 0x11 + 1000, 502, 0, &o);
        }
        s.seg(
            100,
            false,
            "A",
            0x11 + 1000,
            c.wrapping_add(100),
            509,
            1000,
            &[],
        );
        s.seg(
            100,
            true,
            "A",
            c.wrapping_add(100),
            0x11 + 6000,
            502,
            0,
            &[],
        );
        s.seg(
            1000,
            false,
            "A",
            0x11 + 6000,
            c.wrapping_add(100),
            509,
            500,
            &[],
        );
        s.seg(
            300_000,
            false,
            "A",
            0x11 + 6000,
            c.wrapping_add(100),
            509,
            500,
            &[],
        );
        s.seg(
            1000,
            true,
            "A",
            c.wrapping_add(100),
            0x11 + 6500,
            502,
            0,
            &[],
        );
        s.seg(
            1000,
            false,
            "AP",
            0x11 + 6000,
            c.wrapping_add(100),
            509,
            500,
            &[],
        );
        s.seg(
            1000,
            false,
            "A",
            0x11 + 7000,
            c.wrapping_add(100),
            509,
            500,
            &[],
        );
        s.seg(
            500,
            false,
            "A",
            0x11 + 6500,
            c.wrapping_add(100),
            509,
            500,
            &[],
        );
        s.seg(
            1000,
            true,
            "A",
            c.wrapping_add(100),
            0x11 + 7500,
            502,
            0,
            &[],
        );
        v.push(("loss_and_recovery", s));

        // Port reuse: a closed connection, then a SYN with a new ISN; a
        // retransmitted SYN; a SYN/ACK with another ISN; then a RST.
        let mut s = Scn::default();
        handshake(&mut s, 1, 2, None, None);
        s.seg(1000, true, "AF", 2, 3, 502, 0, &[]);
        s.seg(1000, false, "AF", 3, 3, 509, 0, &[]);
        s.seg(1000, true, "A", 3, 4, 502, 0, &[]);
        s.seg(
            1_000_000,
            true,
            "S",
            77_777,
            0,
            64240,
            0,
            &syn_opts(Some(2)),
        );
        s.seg(
            1_000_000,
            true,
            "S",
            77_777,
            0,
            64240,
            0,
            &syn_opts(Some(2)),
        );
        s.seg(1000, false, "SA", 99_999, 77_778, 65160, 0, &syn_opts(None));
        s.seg(1000, false, "SA", 88_888, 77_778, 65160, 0, &syn_opts(None));
        s.seg(1000, true, "A", 77_778, 88_889, 502, 0, &[]);
        s.seg(1000, true, "AP", 77_778, 88_889, 502, 10, &[]);
        s.seg(1000, false, "R", 88_889, 0, 0, 0, &[]);
        s.seg(1000, true, "S", 12_345, 0, 64240, 0, &syn_opts(Some(3)));
        s.seg(1000, false, "RA", 0, 12_346, 0, 0, &[]);
        v.push(("port_reuse", s));

        // Midstream start (no SYN): unknown scale, relative numbers from the
        // first segment, ACKed unseen segment; IPv6; clock going backwards.
        let mut s = Scn {
            v6: true,
            ..Default::default()
        };
        s.seg(0, false, "AP", 50_000, 7_000, 300, 1200, &[]);
        s.seg(1000, true, "A", 7_000, 52_400, 400, 0, &[]);
        s.seg(-500, false, "A", 51_200, 7_000, 300, 1200, &[]);
        s.seg(1000, true, "AP", 7_000, 52_400, 400, 30, &[]);
        s.seg(1000, false, "A", 52_400, 7_030, 0, 0, &[]);
        s.seg(1000, false, "A", 52_400, 7_030, 300, 0, &[]);
        s.seg(1000, false, "AF", 52_400, 7_030, 300, 0, &[]);
        v.push(("midstream_v6", s));

        // SYN with data (fast open), SYN without window scale answered with one.
        let mut s = Scn {
            sport: Some(40001),
            ..Default::default()
        };
        s.seg(0, true, "S", 500, 0, 64240, 20, &syn_opts(None));
        s.seg(30_000, false, "SA", 900, 521, 65160, 0, &syn_opts(Some(7)));
        s.seg(30_000, true, "A", 521, 901, 502, 0, &[]);
        s.seg(1000, false, "AP", 901, 521, 509, 10, &[]);
        s.seg(1000, true, "A", 521, 911, 502, 0, &[]);
        v.push(("syn_data_no_scale", s));

        // Retransmitted SYN/ACK and FIN, a RST whose seq is the ACK it got,
        // then the same ISN again; window scale option on a data segment.
        let mut s = Scn {
            sport: Some(40002),
            ..Default::default()
        };
        s.seg(0, true, "S", 10, 0, 64240, 0, &syn_opts(Some(20)));
        s.seg(1000, false, "SA", 20, 11, 65160, 0, &syn_opts(Some(1)));
        s.seg(1_000_000, false, "SA", 20, 11, 65160, 0, &syn_opts(Some(1)));
        s.seg(1000, true, "A", 11, 21, 502, 0, &[]);
        s.seg(1000, true, "AP", 11, 21, 502, 10, &[1, 3, 3, 5]);
        s.seg(1000, false, "A", 21, 21, 509, 0, &[]);
        s.seg(1000, true, "AF", 21, 21, 502, 0, &[]);
        s.seg(300_000, true, "AF", 21, 21, 502, 0, &[]);
        s.seg(1000, false, "R", 21, 0, 0, 0, &[]);
        s.seg(1000, true, "S", 10, 0, 64240, 0, &syn_opts(Some(2)));
        s.seg(1000, false, "SA", 20, 11, 65160, 0, &syn_opts(Some(2)));
        s.seg(1000, true, "A", 11, 21, 502, 0, &[]);
        v.push(("retransmitted_control", s));

        // SACK with four blocks (three kept for bytes in flight), dup ACKs
        // whose window changes, and a pure ACK that repeats a window update.
        let mut s = Scn {
            sport: Some(40003),
            ..Default::default()
        };
        handshake(&mut s, 1, 100, Some(0), Some(0));
        for k in 0..8u32 {
            s.seg(100, false, "A", 101 + k * 100, 2, 1000, 100, &[]);
        }
        let blocks = [(301, 401), (501, 601), (701, 801), (801, 901)];
        s.seg(100, true, "A", 2, 201, 1000, 0, &sack(&blocks));
        s.seg(100, false, "A", 901, 2, 1000, 100, &[]);
        s.seg(100, true, "A", 2, 201, 1001, 0, &sack(&blocks));
        s.seg(100, true, "A", 2, 201, 1001, 0, &sack(&blocks[..2]));
        s.seg(100, false, "A", 1001, 2, 1000, 100, &[]);
        s.seg(100, true, "A", 2, 201, 1001, 0, &[]);
        s.seg(100, false, "AP", 1101, 2, 1000, 100, &[]);
        v.push(("sack_blocks", s));

        // Two interleaved conversations on one host (loopback-like: same
        // address both ends), so only the ports order the two flows.
        let mut s = Scn {
            sport: Some(80),
            ..Default::default()
        };
        s.same_host = true;
        s.seg(0, true, "S", 1, 0, 100, 0, &syn_opts(None));
        s.sport = Some(9000);
        s.seg(10, true, "S", 7, 0, 100, 0, &syn_opts(None));
        s.sport = Some(80);
        s.seg(10, false, "SA", 3, 2, 100, 0, &syn_opts(None));
        s.sport = Some(9000);
        s.seg(10, false, "SA", 5, 8, 100, 0, &syn_opts(None));
        s.seg(10, true, "A", 8, 6, 100, 0, &[]);
        s.sport = Some(80);
        s.seg(10, true, "A", 2, 4, 100, 0, &[]);
        s.seg(10, true, "AP", 2, 4, 100, 5, &[]);
        s.seg(10, false, "A", 4, 7, 100, 0, &[]);
        v.push(("same_host_ports", s));

        // Time thresholds: out-of-order within the iRTT (40 ms) but past
        // 3 ms; fast retransmission only within 20 ms of the last dup ACK.
        let mut s = Scn {
            sport: Some(40007),
            ..Default::default()
        };
        handshake(&mut s, 1, 100, None, None);
        s.seg(1000, false, "A", 101, 2, 1000, 100, &[]);
        s.seg(1000, false, "A", 301, 2, 1000, 100, &[]);
        s.seg(10_000, false, "A", 201, 2, 1000, 100, &[]);
        s.seg(1000, true, "A", 2, 401, 1000, 0, &[]);
        s.seg(1000, false, "A", 501, 2, 1000, 100, &[]);
        s.seg(1000, true, "A", 2, 401, 1000, 0, &[]);
        s.seg(1000, true, "A", 2, 401, 1000, 0, &[]);
        s.seg(1000, true, "A", 2, 401, 1000, 0, &[]);
        s.seg(25_000, false, "A", 401, 2, 1000, 100, &[]);
        s.seg(1000, true, "A", 2, 601, 1000, 0, &[]);
        s.seg(1000, true, "AF", 2, 601, 1000, 0, &[]);
        s.seg(1000, true, "AF", 2, 601, 1000, 0, &[]);
        s.seg(1000, false, "AF", 601, 3, 1000, 0, &[]);
        s.seg(1000, true, "A", 3, 602, 1000, 0, &[]);
        v.push(("timing_thresholds", s));

        // Without a handshake the out-of-order threshold is 3 ms.
        let mut s = Scn {
            sport: Some(40008),
            ..Default::default()
        };
        s.seg(0, false, "A", 101, 2, 1000, 100, &[]);
        s.seg(1000, false, "A", 301, 2, 1000, 100, &[]);
        s.seg(10_000, false, "A", 201, 2, 1000, 100, &[]);
        s.seg(1000, false, "A", 401, 2, 1000, 100, &[]);
        s.seg(1000, false, "A", 601, 2, 1000, 100, &[]);
        s.seg(1000, false, "A", 501, 2, 1000, 100, &[]);
        v.push(("ooo_threshold_default", s));

        // TCP headers quoted in ICMP errors: the conversation is found or
        // created and its completeness and iRTT move, with no analysis.
        let mut s = Scn {
            sport: Some(40004),
            ..Default::default()
        };
        s.seg(0, true, "S", 1000, 0, 100, 0, &[]);
        s.seg(1000, false, "SA", 5000, 1001, 100, 0, &[]);
        s.icmp_error(1000, "A", 1001, 5001, 20);
        s.seg(1000, true, "A", 1001, 5001, 100, 0, &[]);
        s.sport = Some(40005);
        s.icmp_error(1000, "S", 77, 0, 20);
        s.sport = Some(40006);
        s.icmp_error(1000, "S", 77, 0, 8);
        s.seg(1000, true, "S", 77, 0, 100, 0, &[]);
        v.push(("icmp_quoted", s));

        v
    }

    #[test]
    fn synthetic_conversations_agree_with_tshark() {
        if !test_support::have_tshark() {
            return;
        }
        let mut bad = Vec::new();
        for (name, scn) in scenarios() {
            bad.extend(check(name, &scn));
        }
        for b in &bad {
            eprintln!("{b}");
        }
        if bad.is_empty() {
            let _ = std::fs::remove_dir_all(
                std::env::temp_dir().join(format!("tcp-analysis-{}", std::process::id())),
            );
        }
        assert!(bad.is_empty(), "{} disagreements", bad.len());
    }
}
