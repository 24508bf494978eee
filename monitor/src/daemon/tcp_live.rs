//! TCP analysis of the kernel's TCP header records, without the dissection
//! pipeline: the link, IP and TCP headers of a record are read straight
//! into a [`Segment`] (no allocation, no field look-up by name) and handed
//! to one [`Analyzer`] per interface; the typed [`Verdict`] gives the
//! metrics. What reaches the analyzer, and which flags count, is exactly
//! what the `tcp.analysis.*` fields of a full dissection of the same frame
//! hold (a test compares the two on the sample captures), so the counts
//! stay tshark's.

use std::{collections::HashMap, net::IpAddr, sync::Arc};

use crate::{
    record::{
        linktype::{LINKTYPE_ETHERNET, LINKTYPE_RAW},
        Direction,
    },
    tcp_analysis::{
        handshake::HandshakeOutcome, verdict::aflags, Analyzer, Config, Nanos, Segment, Verdict,
    },
};

/// What the headers of one record hold.
#[derive(Debug)]
pub enum Parsed<'a> {
    /// A TCP segment the analyzer sees (as tshark's TCP dissector hands it
    /// over at the top level). `cut`: its options were cut short.
    Segment(Segment<'a>),
    /// Not a TCP segment the analyzer sees: another protocol, a bogus or
    /// malformed header before the TCP sequence numbers.
    Other,
    /// Headers the kernel never sends as TCP header records (IP fragments,
    /// tunnels, ICMP errors quoting a packet, headers it does not walk):
    /// not analysed here.
    Nested,
}

/// Read the headers of a frame of link type `linktype`.
pub fn parse(linktype: u16, data: &[u8]) -> Parsed<'_> {
    match linktype {
        LINKTYPE_ETHERNET => ethernet(data),
        LINKTYPE_RAW => raw(data),
        _ => Parsed::Nested,
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn ethernet(data: &[u8]) -> Parsed<'_> {
    if data.len() < 14 {
        return Parsed::Other;
    }
    let mut ty = be16(data, 12);
    let mut rest = &data[14..];
    let mut tags = 0;
    loop {
        match ty {
            0x0800 => return ipv4(rest),
            0x86dd => {
                return match rest.first().map(|b| b >> 4) {
                    Some(v) if v != 6 => Parsed::Other,
                    _ => ipv6(rest),
                }
            }
            0x8100 | 0x88a8 | 0x9100 => {
                tags += 1;
                if tags > 1 {
                    return Parsed::Nested;
                }
                if rest.len() < 4 {
                    return Parsed::Other;
                }
                ty = be16(rest, 2);
                if ty <= 1500 {
                    return Parsed::Other;
                }
                rest = &rest[4..];
            }
            _ => return Parsed::Other,
        }
    }
}

/// Raw IP (tun and similar devices), as tshark's `raw` dissector reads it.
fn raw(data: &[u8]) -> Parsed<'_> {
    if data.len() < 8 || data[..2] == [0xff, 0x03] || data[6..8] == [0xff, 0x03] {
        return Parsed::Other;
    }
    if data.len() >= 10 && data[..10].iter().all(|&b| b == 0) {
        return Parsed::Nested;
    }
    match data[0] & 0xf0 {
        0x40 => ipv4(data),
        0x60 => ipv6(data),
        _ => Parsed::Other,
    }
}

fn ipv4(data: &[u8]) -> Parsed<'_> {
    let Some(&b0) = data.first() else {
        return Parsed::Other;
    };
    match b0 >> 4 {
        6 => return ipv6(data),
        4 => {}
        _ => return Parsed::Other,
    }
    let ihl = usize::from(b0 & 15) * 4;
    if ihl < 20 || data.len() < ihl {
        return Parsed::Other;
    }
    let total = usize::from(be16(data, 2));
    if total < ihl {
        return Parsed::Other;
    }
    let frag = be16(data, 6);
    if frag & 0x3fff != 0 {
        // More fragments, or an offset: reassembled, never a header record.
        return Parsed::Nested;
    }
    let src = IpAddr::from([data[12], data[13], data[14], data[15]]);
    let dst = IpAddr::from([data[16], data[17], data[18], data[19]]);
    let payload = &data[ihl..total.min(data.len())];
    transport(data[9], src, dst, payload, total - ihl)
}

fn ipv6(data: &[u8]) -> Parsed<'_> {
    if data.len() < 40 {
        return Parsed::Other;
    }
    let plen = usize::from(be16(data, 4));
    let mut nxt = data[6];
    let src = IpAddr::from(<[u8; 16]>::try_from(&data[8..24]).unwrap_or_default());
    let dst = IpAddr::from(<[u8; 16]>::try_from(&data[24..40]).unwrap_or_default());
    let mut p = &data[40..(40 + plen).min(data.len())];
    let mut reported = plen;
    loop {
        match nxt {
            0 | 60 | 43 => {
                let min = if nxt == 43 { 4 } else { 2 };
                if p.len() < min {
                    return Parsed::Other;
                }
                let len = (usize::from(p[1]) + 1) * 8;
                if p.len() < len {
                    return Parsed::Other;
                }
                nxt = p[0];
                p = &p[len..];
                reported = reported.saturating_sub(len);
            }
            _ => return transport(nxt, src, dst, p, reported),
        }
    }
}

/// The transport layer of an unfragmented IP packet: `p` captured of the
/// `reported` bytes its IP header gives.
fn transport(proto: u8, src: IpAddr, dst: IpAddr, p: &[u8], reported: usize) -> Parsed<'_> {
    match proto {
        6 => tcp(src, dst, p, reported),
        // ICMP errors quote a packet; tunnels, AH, fragment headers and ESP
        // hold headers the kernel does not read.
        1 | 58 | 4 | 41 | 47 | 51 | 44 | 50 => Parsed::Nested,
        _ => Parsed::Other,
    }
}

fn tcp(src: IpAddr, dst: IpAddr, p: &[u8], reported: usize) -> Parsed<'_> {
    // tshark's analysis needs the flags, numbers and window (16 bytes) and
    // a valid header length.
    if p.len() < 16 {
        return Parsed::Other;
    }
    let hl = usize::from(p[12] >> 4) * 4;
    if hl < 20 {
        return Parsed::Other;
    }
    let opt_end = hl.min(p.len());
    Parsed::Segment(Segment {
        src,
        dst,
        src_port: be16(p, 0),
        dst_port: be16(p, 2),
        seq: u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
        ack: u32::from_be_bytes([p[8], p[9], p[10], p[11]]),
        flags: be16(p, 12) & 0x0fff,
        window: be16(p, 14),
        payload_len: reported.saturating_sub(hl) as u32,
        options: p.get(20..opt_end).unwrap_or_default(),
        options_cut: p.len() < hl,
    })
}

/// A hash of a record's flow that is the same in both directions (0 for
/// records without a TCP segment), to spread flows over workers.
pub fn flow_hash(ifindex: u32, linktype: u16, data: &[u8]) -> u64 {
    let Parsed::Segment(s) = parse(linktype, data) else {
        return 0;
    };
    let a = (s.src, s.src_port);
    let b = (s.dst, s.dst_port);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    // FNV-1a over the interface and both ends.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &x in bytes {
            h = (h ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(&ifindex.to_le_bytes());
    for (ip, port) in [lo, hi] {
        match ip {
            IpAddr::V4(v) => eat(&v.octets()),
            IpAddr::V6(v) => eat(&v.octets()),
        }
        eat(&port.to_be_bytes());
    }
    h
}

/// The `tcp.analysis` flags exported as `monitor_tcp_analysis_total{flag}`
/// (by their short names), in the order their fields appear in a
/// dissection.
pub const FLAG_ORDER: [&str; 15] = [
    "reused_ports",
    "retransmission",
    "fast_retransmission",
    "spurious_retransmission",
    "out_of_order",
    "lost_segment",
    "ack_lost_segment",
    "window_update",
    "window_full",
    "keep_alive",
    "keep_alive_ack",
    "duplicate_ack",
    "zero_window_probe",
    "zero_window",
    "zero_window_probe_ack",
];

/// Bit `i` set for every flag `FLAG_ORDER[i]` whose `tcp.analysis.*` field
/// a full dissection of the segment holds: none when the options were cut
/// (tshark shows no analysis tree then) or there is no analysis.
pub fn flag_bits(v: &Verdict, options_cut: bool) -> u16 {
    use aflags::*;
    let fl = v.analysis_flags();
    if options_cut || !v.has_analysis() || fl == 0 {
        return 0;
    }
    let mut out = 0u16;
    let mut set = |i: usize, on: bool| {
        if on {
            out |= 1 << i;
        }
    };
    set(0, fl & REUSED_PORTS != 0);
    // Fast and spurious retransmissions are retransmissions to tshark's
    // filter too.
    set(
        1,
        fl & (RETRANSMISSION | FAST_RETRANSMISSION | SPURIOUS_RETRANSMISSION) != 0,
    );
    set(2, fl & FAST_RETRANSMISSION != 0);
    set(3, fl & SPURIOUS_RETRANSMISSION != 0);
    set(4, fl & OUT_OF_ORDER != 0);
    set(5, fl & LOST_PACKET != 0);
    set(6, fl & ACK_LOST_PACKET != 0);
    set(7, fl & WINDOW_UPDATE != 0);
    set(8, fl & WINDOW_FULL != 0);
    set(9, fl & KEEP_ALIVE != 0);
    set(10, fl & KEEP_ALIVE_ACK != 0);
    // The expert item of a duplicate ACK carries the flag's name whenever
    // the segment has a duplicate-ACK number.
    set(11, v.duplicate_ack().is_some());
    set(12, fl & ZERO_WINDOW_PROBE != 0);
    set(13, fl & ZERO_WINDOW != 0);
    set(14, fl & ZERO_WINDOW_PROBE_ACK != 0);
    // Without the plain retransmission bit, a dissection names the
    // retransmission after the fast or spurious one.
    set(
        LATE_RETRANSMISSION,
        fl & RETRANSMISSION == 0 && fl & (FAST_RETRANSMISSION | SPURIOUS_RETRANSMISSION) != 0,
    );
    out
}

/// Bit of [`flag_bits`]: `retransmission` comes after the fast or spurious
/// retransmission flag in the dissection's field order.
const LATE_RETRANSMISSION: usize = 15;

/// `tcp.analysis.ack_rtt` of the segment, when a full dissection shows it.
pub fn ack_rtt(v: &Verdict, options_cut: bool) -> Option<Nanos> {
    if options_cut || !v.has_analysis() {
        return None;
    }
    v.acks_frame().and(v.ack_rtt())
}

/// What analysing one record yielded.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Flags, bit `i` for `FLAG_ORDER[i]`.
    pub flags: u16,
    /// ACK RTT in nanoseconds.
    pub ack_rtt: Option<Nanos>,
    /// A handshake outcome decided by this segment.
    pub handshake: Option<HandshakeOutcome>,
}

/// One analyzer per interface, fed by TCP header records.
#[derive(Debug)]
pub struct Analyzers {
    config: Config,
    per_iface: HashMap<u32, (Analyzer, u64)>,
}

impl Analyzers {
    /// Analyzers with limits `config` (each interface gets its own).
    pub fn new(config: Config) -> Self {
        Self {
            config,
            per_iface: HashMap::new(),
        }
    }

    /// Analyse one record of interface `ifindex` (frame bytes `data` of
    /// link type `linktype`, wall-clock time `ts`). `None` when the record
    /// holds no TCP segment the analyzer sees.
    pub fn on_record(
        &mut self,
        ifindex: u32,
        linktype: u16,
        ts: Nanos,
        data: &[u8],
    ) -> Option<Outcome> {
        let (a, frame) = self
            .per_iface
            .entry(ifindex)
            .or_insert_with(|| (Analyzer::new(self.config.clone()), 0));
        // Frame numbers count records, as a dissection of them would.
        *frame += 1;
        let Parsed::Segment(seg) = parse(linktype, data) else {
            return None;
        };
        let v = a.on_segment(*frame, ts, &seg);
        Some(Outcome {
            flags: flag_bits(&v, seg.options_cut),
            ack_rtt: ack_rtt(&v, seg.options_cut),
            handshake: v.handshake().cloned(),
        })
    }

    /// Every interface's analyzer.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u32, &mut Analyzer)> {
        self.per_iface.iter_mut().map(|(i, (a, _))| (*i, a))
    }
}

/// Names of the flags set in `bits`, as the flight recorder labels frames
/// (`tcp.analysis.retransmission`, …), from `names` (indexed like
/// [`FLAG_ORDER`]).
pub fn flag_names(bits: u16, names: &[Arc<str>; 15]) -> Vec<Arc<str>> {
    let late = bits & (1 << LATE_RETRANSMISSION) != 0;
    let mut out = Vec::new();
    let mut retrans_named = false;
    for (i, name) in names.iter().enumerate() {
        if bits & (1 << i) == 0 || (i == 1 && late) {
            continue;
        }
        out.push(name.clone());
        if late && (i == 2 || i == 3) && !retrans_named {
            out.push(names[1].clone());
            retrans_named = true;
        }
    }
    out
}

/// Index of a flag in [`FLAG_ORDER`].
pub fn flag_index(short: &str) -> Option<usize> {
    FLAG_ORDER.iter().position(|f| *f == short)
}

/// Direction of a record's direction byte.
pub fn direction(b: u8) -> Direction {
    if b == 0 {
        Direction::Ingress
    } else {
        Direction::Egress
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::dissect::{pipeline::Pipeline, Dissection, FieldType, Value};

    /// What the daemon derived from a full dissection of a record before
    /// it read the headers itself: the flags by their `tcp.analysis.*`
    /// fields (in field order, once each) and the first ACK RTT.
    fn from_dissection(d: &Dissection) -> (Vec<String>, Option<f64>, bool) {
        let mut flags: Vec<String> = Vec::new();
        for f in &d.fields {
            let Some(short) = f.def.name.strip_prefix("tcp.analysis.") else {
                continue;
            };
            if !matches!(f.def.ty, FieldType::None | FieldType::Bool) {
                continue;
            }
            if FLAG_ORDER.contains(&short) && !flags.iter().any(|x| x == f.def.name) {
                flags.push(f.def.name.to_string());
            }
        }
        let rtt = d.values("tcp.analysis.ack_rtt").find_map(|v| match v {
            Value::Float(f) => Some(*f),
            _ => None,
        });
        let analysed = d.values("tcp.stream").next().is_some();
        (flags, rtt, analysed)
    }

    fn names() -> [Arc<str>; 15] {
        FLAG_ORDER.map(|f| Arc::from(format!("tcp.analysis.{f}")))
    }

    /// Every frame of `path` the kernel could send as a TCP header record,
    /// through the dissection pipeline and through [`Analyzers`]: the
    /// same flags (names and order), ACK RTTs and handshake outcomes.
    /// Returns (frames compared, segments analysed, flags seen).
    fn compare(path: &Path) -> (usize, usize, usize) {
        let mut r = crate::capture::CaptureReader::open(path).unwrap();
        let mut pipe = Pipeline::new();
        pipe.set_tcp_config(Config::default());
        pipe.collect_handshakes();
        let mut ours = Analyzers::new(Config::default());
        let names = names();
        let (mut frames, mut segments, mut flagged) = (0, 0, 0);
        let mut last_ts = 0;
        while let Some(p) = r.next_packet() {
            let Ok(p) = p else { break };
            let data = &p.record.data;
            if matches!(parse(p.linktype, data), Parsed::Nested) {
                continue;
            }
            frames += 1;
            last_ts = p.record.ts_ns;
            let d = pipe.dissect_linktype(&p.record, p.linktype);
            let (want_flags, want_rtt, analysed) = from_dissection(&d);
            let want_hs: Vec<_> = pipe
                .take_handshakes(None)
                .into_iter()
                .map(|h| (h.kind.as_str(), h.irtt))
                .collect();
            let got = ours.on_record(1, p.linktype, p.record.ts_ns, data);
            let at = format!("{} frame {frames}", path.display());
            assert_eq!(got.is_some(), analysed, "{at}: analysed");
            let Some(got) = got else { continue };
            segments += 1;
            let got_flags: Vec<String> = flag_names(got.flags, &names)
                .iter()
                .map(|n| n.to_string())
                .collect();
            assert_eq!(got_flags, want_flags, "{at}: flags");
            flagged += usize::from(!got_flags.is_empty());
            assert_eq!(
                got.ack_rtt.map(|n| n as f64 / 1e9),
                want_rtt,
                "{at}: ack_rtt"
            );
            let got_hs: Vec<_> = got
                .handshake
                .iter()
                .map(|h| (h.kind.as_str(), h.irtt))
                .collect();
            assert_eq!(got_hs, want_hs, "{at}: handshake");
        }
        // Attempts left open time out alike.
        let later = last_ts + 3_600 * 1_000_000_000;
        let want: Vec<_> = pipe
            .take_handshakes(Some(later))
            .into_iter()
            .map(|h| (h.kind.as_str(), h.irtt))
            .collect();
        let got: Vec<_> = ours
            .iter_mut()
            .flat_map(|(_, a)| a.poll_expired(later))
            .map(|h| (h.kind.as_str(), h.irtt))
            .collect();
        assert_eq!(got, want, "{}: expired handshakes", path.display());
        (frames, segments, flagged)
    }

    #[test]
    fn header_records_give_the_analysis_a_full_dissection_gives() {
        let files = test_support::all_captures();
        if files.is_empty() {
            return; // skipped: MONITOR_ALLOW_SKIP=1
        }
        let mut total = (0, 0, 0);
        for f in &files {
            let (a, b, c) = compare(f);
            total = (total.0 + a, total.1 + b, total.2 + c);
        }
        eprintln!(
            "{} captures, {} frames, {} segments analysed, {} flagged",
            files.len(),
            total.0,
            total.1,
            total.2
        );
        assert!(files.len() >= 50, "only {} captures", files.len());
        assert!(total.1 > 9_000, "only {} segments analysed", total.1);
        assert!(total.2 > 100, "only {} flagged segments", total.2);
    }

    #[test]
    fn headers_the_kernel_does_not_send_are_not_analysed() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        let mut ip = vec![
            0x45, 0, 0, 40, 0, 1, 0x20, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        ip.extend_from_slice(&[0; 20]);
        ip[32] = 0x50;
        let frag = [f.clone(), ip.clone()].concat();
        assert!(matches!(parse(LINKTYPE_ETHERNET, &frag), Parsed::Nested));
        ip[6] = 0x40; // DF only: an ordinary segment
        let seg = [f.clone(), ip.clone()].concat();
        let Parsed::Segment(s) = parse(LINKTYPE_ETHERNET, &seg) else {
            panic!("a segment")
        };
        assert_eq!((s.payload_len, s.options_cut), (0, false));
        // Header length below 20, or cut before the window: no analysis.
        let mut bad = seg.clone();
        bad[14 + 32] = 0x40;
        assert!(matches!(parse(LINKTYPE_ETHERNET, &bad), Parsed::Other));
        assert!(matches!(
            parse(LINKTYPE_ETHERNET, &seg[..14 + 20 + 15]),
            Parsed::Other
        ));
        // Options announced but cut.
        let mut cut = seg.clone();
        cut[14 + 32] = 0x80;
        let Parsed::Segment(s) = parse(LINKTYPE_ETHERNET, &cut) else {
            panic!("a segment")
        };
        assert!(s.options_cut);
        // Nothing panics on any prefix.
        for n in 0..seg.len() {
            let _ = parse(LINKTYPE_ETHERNET, &seg[..n]);
            let _ = parse(LINKTYPE_RAW, &seg[14..14 + n.min(seg.len() - 14)]);
        }
    }
}
