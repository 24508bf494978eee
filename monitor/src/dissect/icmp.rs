//! ICMP (IPv4): header, echo request/reply matching, and the quoted packet
//! of error messages (dissected as tshark does, without touching state).

use std::net::Ipv4Addr;

use super::pipeline::{Cx, Pipeline};
use super::Layer;
use super::{Base, Value};

fields! {
    ICMP = "icmp", Protocol, Base::Dec, "Internet Control Message Protocol";
    ICMP_TYPE = "icmp.type", UInt, Base::Dec, "Type";
    ICMP_CODE = "icmp.code", UInt, Base::Dec, "Code";
    ICMP_CHECKSUM = "icmp.checksum", UInt, Base::Hex(4), "Checksum";
    ICMP_CHECKSUM_STATUS = "icmp.checksum.status", UInt, Base::Dec, "Checksum Status";
    ICMP_IDENT = "icmp.ident", UInt, Base::DecHex, "Identifier (BE)";
    ICMP_IDENT_LE = "icmp.ident_le", UInt, Base::DecHex, "Identifier (LE)";
    ICMP_SEQ = "icmp.seq", UInt, Base::DecHex, "Sequence Number (BE)";
    ICMP_SEQ_LE = "icmp.seq_le", UInt, Base::DecHex, "Sequence Number (LE)";
    ICMP_UNUSED = "icmp.unused", Bytes, Base::Dec, "Unused";
    ICMP_MTU = "icmp.mtu", UInt, Base::Dec, "MTU of next hop";
    ICMP_LENGTH = "icmp.length", UInt, Base::Dec, "Length";
    ICMP_LENGTH_ORIG = "icmp.length.original_datagram", UInt, Base::Dec, "Length of original datagram";
    ICMP_RESP_TO = "icmp.resp_to", FrameNum, Base::Dec, "Response To";
    ICMP_RESPTIME = "icmp.resptime", Float, Base::Dec, "Response Time";
    ICMP_DATA_TIME = "icmp.data_time", AbsTime, Base::Dec, "Timestamp from icmp data";
    ICMP_DATA_TIME_RELATIVE = "icmp.data_time_relative", RelTime, Base::Dec, "Timestamp from icmp data (relative)";
}

/// The send time an echo message carries at the start of its data, as
/// tshark guesses it: 32-bit seconds and microseconds, big-endian or else
/// little-endian (the low half of a 64-bit `timeval` on Linux), within a
/// day of the capture time. Nanoseconds since the epoch.
fn echo_timestamp(data: &[u8], frame_ns: i64) -> Option<i64> {
    let b = data.get(..8)?;
    let frame_secs = frame_ns.div_euclid(1_000_000_000);
    let plausible = |secs: u32, usecs: u32| {
        let diff = (i64::from(secs) - frame_secs) as u32 as i32;
        diff.unsigned_abs() < 3600 * 24 && usecs < 1_000_000
    };
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let le = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (mut secs, mut usecs) = (be(0), be(4));
    if !plausible(secs, usecs) {
        (secs, usecs) = (le(0), le(4));
    }
    plausible(secs, usecs).then(|| i64::from(secs) * 1_000_000_000 + i64::from(usecs) * 1000)
}

/// Echo requests waiting for a reply: (requester, responder, id, seq) → (frame, ts).
pub(crate) type EchoTable =
    super::FastMap<(std::net::IpAddr, std::net::IpAddr, u16, u16), (u64, i64)>;

/// Internet checksum of `b` (0 when correct over a message including its checksum).
pub(crate) fn inet_sum(init: u32, b: &[u8]) -> u32 {
    let mut s = init;
    let mut it = b.chunks_exact(2);
    for c in &mut it {
        s += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [x] = it.remainder() {
        s += u32::from(*x) << 8;
    }
    s
}

/// Fold a 32-bit sum to the 16-bit ones' complement result.
pub(crate) fn fold(mut s: u32) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

fn type_text(t: u8, c: u8) -> String {
    match (t, c) {
        (0, _) => "Echo (ping) reply".into(),
        (8, _) => "Echo (ping) request".into(),
        (3, c) => {
            let r = match c {
                0 => "Network unreachable",
                1 => "Host unreachable",
                2 => "Protocol unreachable",
                3 => "Port unreachable",
                4 => "Fragmentation needed",
                13 => "Communication administratively filtered",
                _ => "Unknown",
            };
            format!("Destination unreachable ({r})")
        }
        (11, 0) => "Time-to-live exceeded (Time to live exceeded in transit)".into(),
        (11, _) => "Time-to-live exceeded (Fragment reassembly time exceeded)".into(),
        (5, _) => "Redirect".into(),
        (13, _) => "Timestamp request".into(),
        (14, _) => "Timestamp reply".into(),
        _ => format!("Type {t}"),
    }
}

impl Pipeline {
    /// Remember an echo request, or match a reply to its request:
    /// returns the request's frame and the response time in milliseconds.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn echo_match(
        &mut self,
        request: bool,
        src: std::net::IpAddr,
        dst: std::net::IpAddr,
        id: u16,
        seq: u16,
        frame: u64,
        ts: i64,
    ) -> Option<(u64, f64)> {
        if request {
            if self.echo.len() > 65_536 {
                self.echo.clear();
            }
            self.echo.insert((src, dst, id, seq), (frame, ts));
            return None;
        }
        let &(f, t) = self.echo.get(&(dst, src, id, seq))?;
        let dt = ts - t;
        // As tshark computes it: seconds * 1000 + nanoseconds / 1e6.
        let ms = (dt.div_euclid(1_000_000_000) as f64) * 1000.0
            + (dt.rem_euclid(1_000_000_000) as f64) / 1e6;
        Some((f, ms))
    }

    /// Dissect an ICMP message (`p` captured bytes of `reported` on the wire).
    pub(crate) fn icmp(
        &mut self,
        cx: &mut Cx<'_>,
        p: &[u8],
        reported: usize,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        ttl: u8,
    ) {
        cx.proto_bytes(&ICMP, "icmp", p);
        // tshark names the layer before any read, and shows the type (in
        // 20 columns at least) once it has read up to byte 5 (the length of
        // a quoted datagram).
        cx.set_columns("ICMP");
        if let (0, true, Some(&[t, c])) =
            (cx.depth, cx.wants_columns(), p.get(..6).map(|h| &h[..2]))
        {
            cx.d.info = format!("{:<20}", type_text(t, c));
        }
        if p.len() < 4 {
            cx.malformed(Layer::Transport);
            return;
        }
        let (t, c) = (p[0], p[1]);
        cx.d.push(&ICMP_TYPE, Value::UInt(t.into()));
        cx.d.push(&ICMP_CODE, Value::UInt(c.into()));
        cx.d.push(
            &ICMP_CHECKSUM,
            Value::UInt(u16::from_be_bytes([p[2], p[3]]).into()),
        );
        let status = if p.len() >= reported && cx.depth == 0 {
            u64::from(fold(inet_sum(0, p)) == 0)
        } else {
            2
        };
        cx.d.push(&ICMP_CHECKSUM_STATUS, Value::UInt(status));
        let mut info = type_text(t, c);
        if p.len() < 8 {
            cx.malformed(Layer::Transport);
            return;
        }
        match t {
            0 | 8 | 13 | 14 | 15 | 16 | 17 | 18 => {
                let id = u16::from_be_bytes([p[4], p[5]]);
                let seq = u16::from_be_bytes([p[6], p[7]]);
                cx.d.push(&ICMP_IDENT, Value::UInt(id.into()));
                cx.d.push(&ICMP_IDENT_LE, Value::UInt(id.swap_bytes().into()));
                cx.d.push(&ICMP_SEQ, Value::UInt(seq.into()));
                cx.d.push(&ICMP_SEQ_LE, Value::UInt(seq.swap_bytes().into()));
                info = format!(
                    "{info:<20} id={id:#06x}, seq={seq}/{}, ttl={ttl}",
                    seq.swap_bytes()
                );
                if cx.depth == 0 && (t == 0 || t == 8) {
                    let (s, d) = (std::net::IpAddr::V4(src), std::net::IpAddr::V4(dst));
                    if let Some((f, ms)) =
                        self.echo_match(t == 8, s, d, id, seq, cx.frame, cx.ts_ns)
                    {
                        cx.d.push(&ICMP_RESP_TO, Value::UInt(f));
                        cx.d.push(&ICMP_RESPTIME, Value::Float(ms));
                        info = format!("{info} (request in {f})");
                    }
                }
                if cx.depth == 0 {
                    cx.d.info = info;
                }
                let stamp = if t == 0 || t == 8 {
                    echo_timestamp(&p[8..], cx.ts_ns)
                } else {
                    None
                };
                if let Some(ts) = stamp {
                    cx.d.push(&ICMP_DATA_TIME, Value::Float(ts as f64 / 1e9));
                    cx.d.push(
                        &ICMP_DATA_TIME_RELATIVE,
                        Value::Float((cx.ts_ns - ts) as f64 / 1e9),
                    );
                    self.data(cx, &p[16..]);
                } else {
                    self.data(cx, &p[8..]);
                }
            }
            3 | 4 | 5 | 11 | 12 => {
                // RFC 4884: a non-zero length byte gives the quoted datagram's
                // length in 32-bit words.
                let rfc4884 = matches!(t, 3 | 11 | 12) && p[5] != 0;
                let orig_len = usize::from(p[5]) * 4;
                if rfc4884 {
                    cx.d.push(&ICMP_UNUSED, Value::Bytes(p[4..5].to_vec()));
                    cx.d.push(&ICMP_LENGTH, Value::UInt(p[5].into()));
                    cx.d.push(&ICMP_LENGTH_ORIG, Value::UInt(orig_len as u64));
                }
                if t == 3 && c == 4 {
                    if !rfc4884 {
                        cx.d.push(&ICMP_UNUSED, Value::Bytes(p[4..6].to_vec()));
                    }
                    cx.d.push(
                        &ICMP_MTU,
                        Value::UInt(u16::from_be_bytes([p[6], p[7]]).into()),
                    );
                } else if rfc4884 {
                    cx.d.push(&ICMP_UNUSED, Value::Bytes(p[6..8].to_vec()));
                } else if t != 5 && t != 12 {
                    cx.d.push(&ICMP_UNUSED, Value::Bytes(p[4..8].to_vec()));
                }
                if cx.depth == 0 {
                    cx.d.info = info;
                }
                if cx.depth < 2 {
                    cx.depth += 1;
                    self.ipv4(cx, &p[8..]);
                    cx.depth -= 1;
                }
                if rfc4884 && 8 + orig_len > reported {
                    cx.malformed_reported(Layer::Transport);
                } else if rfc4884 && 8 + orig_len > p.len() {
                    cx.malformed(Layer::Transport);
                }
            }
            _ => {
                if cx.depth == 0 {
                    cx.d.info = info;
                }
                self.data(cx, &p[8..]);
            }
        }
    }
}
