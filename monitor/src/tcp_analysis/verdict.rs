//! What the analyzer says about one segment: the generated `tcp.*` fields
//! in tshark's tree order and the Info-column prefix.

use super::handshake::HandshakeOutcome;
use super::Nanos;
use crate::dissect::{Base, Dissection, FieldDef, FieldType, Value};

/// Analysis flag bits (Wireshark's `TCP_A_*`).
pub mod aflags {
    /// Retransmission.
    pub const RETRANSMISSION: u16 = 0x0001;
    /// Previous segment not captured.
    pub const LOST_PACKET: u16 = 0x0002;
    /// ACKed unseen segment.
    pub const ACK_LOST_PACKET: u16 = 0x0004;
    /// Keep-alive.
    pub const KEEP_ALIVE: u16 = 0x0008;
    /// Duplicate ACK.
    pub const DUPLICATE_ACK: u16 = 0x0010;
    /// Zero window.
    pub const ZERO_WINDOW: u16 = 0x0020;
    /// Zero window probe.
    pub const ZERO_WINDOW_PROBE: u16 = 0x0040;
    /// Zero window probe ACK.
    pub const ZERO_WINDOW_PROBE_ACK: u16 = 0x0080;
    /// Keep-alive ACK.
    pub const KEEP_ALIVE_ACK: u16 = 0x0100;
    /// Out-of-order.
    pub const OUT_OF_ORDER: u16 = 0x0200;
    /// Fast retransmission.
    pub const FAST_RETRANSMISSION: u16 = 0x0400;
    /// Window update.
    pub const WINDOW_UPDATE: u16 = 0x0800;
    /// Window full.
    pub const WINDOW_FULL: u16 = 0x1000;
    /// Port numbers reused.
    pub const REUSED_PORTS: u16 = 0x2000;
    /// Spurious retransmission.
    pub const SPURIOUS_RETRANSMISSION: u16 = 0x4000;
}

macro_rules! fd {
    ($id:ident, $name:literal, $ty:ident, $desc:literal) => {
        static $id: FieldDef = FieldDef::new($name, FieldType::$ty, Base::Dec, $desc);
    };
}

fd!(F_STREAM, "tcp.stream", UInt, "Stream index");
fd!(
    F_COMPLETENESS,
    "tcp.completeness",
    UInt,
    "Conversation completeness"
);
fd!(F_SEQ, "tcp.seq", UInt, "Sequence Number");
fd!(F_NXTSEQ, "tcp.nxtseq", UInt, "Next Sequence Number");
fd!(F_ACK, "tcp.ack", UInt, "Acknowledgment Number");
fd!(F_WIN, "tcp.window_size", UInt, "Calculated window size");
fd!(
    F_WSF,
    "tcp.window_size_scalefactor",
    Int,
    "Window size scaling factor"
);
fd!(
    F_TREL,
    "tcp.time_relative",
    RelTime,
    "Time since first frame in this TCP stream"
);
fd!(
    F_TDELTA,
    "tcp.time_delta",
    RelTime,
    "Time since previous frame in this TCP stream"
);
fd!(F_ANALYSIS, "tcp.analysis", None, "SEQ/ACK analysis");
fd!(
    F_ACKS_FRAME,
    "tcp.analysis.acks_frame",
    FrameNum,
    "This is an ACK to the segment in frame"
);
fd!(
    F_ACK_RTT,
    "tcp.analysis.ack_rtt",
    RelTime,
    "The RTT to ACK the segment was"
);
fd!(F_IRTT, "tcp.analysis.initial_rtt", RelTime, "iRTT");
fd!(
    F_BIF,
    "tcp.analysis.bytes_in_flight",
    UInt,
    "Bytes in flight"
);
fd!(
    F_PUSH,
    "tcp.analysis.push_bytes_sent",
    UInt,
    "Bytes sent since last PSH flag"
);
fd!(F_FLAGS, "tcp.analysis.flags", None, "TCP Analysis Flags");
fd!(
    F_REUSED,
    "tcp.analysis.reused_ports",
    None,
    "A new tcp session is started with the same ports as an earlier session in this trace"
);
fd!(
    F_RETRANS,
    "tcp.analysis.retransmission",
    None,
    "This frame is a (suspected) retransmission"
);
fd!(
    F_RTO,
    "tcp.analysis.rto",
    RelTime,
    "The RTO for this segment was"
);
fd!(
    F_RTO_FRAME,
    "tcp.analysis.rto_frame",
    FrameNum,
    "RTO based on delta from frame"
);
fd!(
    F_FAST,
    "tcp.analysis.fast_retransmission",
    None,
    "This frame is a (suspected) fast retransmission"
);
fd!(
    F_SPURIOUS,
    "tcp.analysis.spurious_retransmission",
    None,
    "This frame is a (suspected) spurious retransmission"
);
fd!(
    F_OOO,
    "tcp.analysis.out_of_order",
    None,
    "This frame is a (suspected) out-of-order segment"
);
fd!(
    F_LOST,
    "tcp.analysis.lost_segment",
    None,
    "Previous segment(s) not captured (common at capture start)"
);
fd!(
    F_ACK_LOST,
    "tcp.analysis.ack_lost_segment",
    None,
    "ACKed segment that wasn't captured (common at capture start)"
);
fd!(
    F_WUPD,
    "tcp.analysis.window_update",
    None,
    "TCP window update"
);
fd!(
    F_WFULL,
    "tcp.analysis.window_full",
    None,
    "TCP window specified by the receiver is now completely full"
);
fd!(
    F_KA,
    "tcp.analysis.keep_alive",
    None,
    "TCP keep-alive segment"
);
fd!(
    F_KA_ACK,
    "tcp.analysis.keep_alive_ack",
    None,
    "ACK to a TCP keep-alive segment"
);
fd!(F_DUP, "tcp.analysis.duplicate_ack", None, "Duplicate ACK");
fd!(
    F_DUP_NUM,
    "tcp.analysis.duplicate_ack_num",
    UInt,
    "Duplicate ACK #"
);
fd!(
    F_DUP_FRAME,
    "tcp.analysis.duplicate_ack_frame",
    FrameNum,
    "Duplicate to the ACK in frame"
);
fd!(
    F_ZWP,
    "tcp.analysis.zero_window_probe",
    None,
    "TCP Zero Window Probe"
);
fd!(
    F_ZW,
    "tcp.analysis.zero_window",
    None,
    "TCP Zero Window segment"
);
fd!(
    F_ZWP_ACK,
    "tcp.analysis.zero_window_probe_ack",
    None,
    "ACK to a TCP Zero Window Probe"
);

/// Fields the analyzer produces (`tcp.stream`, `tcp.seq`, `tcp.analysis.*`, …).
pub static FIELDS: &[&FieldDef] = &[
    &F_STREAM,
    &F_COMPLETENESS,
    &F_SEQ,
    &F_NXTSEQ,
    &F_ACK,
    &F_WIN,
    &F_WSF,
    &F_TREL,
    &F_TDELTA,
    &F_ANALYSIS,
    &F_ACKS_FRAME,
    &F_ACK_RTT,
    &F_IRTT,
    &F_BIF,
    &F_PUSH,
    &F_FLAGS,
    &F_REUSED,
    &F_RETRANS,
    &F_RTO,
    &F_RTO_FRAME,
    &F_FAST,
    &F_SPURIOUS,
    &F_OOO,
    &F_LOST,
    &F_ACK_LOST,
    &F_WUPD,
    &F_WFULL,
    &F_KA,
    &F_KA_ACK,
    &F_DUP,
    &F_DUP_NUM,
    &F_DUP_FRAME,
    &F_ZWP,
    &F_ZW,
    &F_ZWP_ACK,
];

/// What the analyzer says about one segment.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    pub(crate) stream: u64,
    pub(crate) completeness: u8,
    pub(crate) rel_seq: u32,
    pub(crate) rel_ack: u32,
    pub(crate) nxtseq: Option<u32>,
    pub(crate) window_size: u32,
    pub(crate) scale_factor: Option<i32>,
    pub(crate) time_relative: Nanos,
    pub(crate) time_delta: Nanos,
    /// True when tshark shows a `tcp.analysis` subtree for the frame.
    pub(crate) has_analysis: bool,
    pub(crate) flags: u16,
    pub(crate) dupack_num: u32,
    pub(crate) dupack_frame: u64,
    pub(crate) acks_frame: Option<u64>,
    pub(crate) ack_rtt: Option<Nanos>,
    pub(crate) initial_rtt: Option<Nanos>,
    pub(crate) bytes_in_flight: Option<u32>,
    pub(crate) push_bytes_sent: Option<u32>,
    pub(crate) rto: Option<(Nanos, u64)>,
    pub(crate) handshake: Option<HandshakeOutcome>,
    /// The peer direction's base sequence number (relative SACK edges).
    pub(crate) peer_base_seq: u32,
}

/// The text tshark shows for `tcp.completeness` (its BASE_CUSTOM
/// formatter), e.g. `Complete, WITH_DATA (31)`.
pub fn completeness_str(c: u8) -> String {
    let label = match c {
        1 => "Incomplete, SYN_SENT",
        3 => "Incomplete, CLIENT_ESTABLISHED",
        7 => "Incomplete, ESTABLISHED",
        15 => "Incomplete, DATA",
        _ if c & 7 == 7 && c & (16 | 32) != 0 => {
            if c & 8 != 0 {
                "Complete, WITH_DATA"
            } else {
                "Complete, NO_DATA"
            }
        }
        _ => "Incomplete",
    };
    format!("{label} ({c})")
}

fn secs(ns: Nanos) -> Value {
    Value::Float(ns as f64 / 1e9)
}

/// Format a duration the way `tshark -T fields` prints relative times
/// (`0.000190000`, `-0.000010000`).
pub fn format_reltime(ns: Nanos) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let a = ns.unsigned_abs();
    format!("{sign}{}.{:09}", a / 1_000_000_000, a % 1_000_000_000)
}

impl Verdict {
    /// `tcp.stream`: the conversation index, counted from 0 in order of appearance.
    pub fn stream(&self) -> u64 {
        self.stream
    }

    /// `tcp.seq`: sequence number relative to the direction's ISN.
    pub fn rel_seq(&self) -> u32 {
        self.rel_seq
    }

    /// `tcp.ack`: acknowledgement number relative to the peer's ISN (raw when ACK is unset).
    pub fn rel_ack(&self) -> u32 {
        self.rel_ack
    }

    /// `tcp.nxtseq`: relative sequence number after this segment (absent
    /// for a header quoted in an ICMP error).
    pub fn next_seq(&self) -> Option<u32> {
        self.nxtseq
    }

    /// `tcp.window_size`: the window field shifted by the direction's scale, when known.
    pub fn window_size_scaled(&self) -> u32 {
        self.window_size
    }

    /// `tcp.window_size_scalefactor` (absent on SYNs; -1 unknown, -2 no scaling).
    pub fn window_scale_factor(&self) -> Option<i32> {
        self.scale_factor
    }

    /// `tcp.completeness` as tshark shows it (the value before this segment).
    pub fn completeness(&self) -> u8 {
        self.completeness
    }

    /// Raw SACK edges minus this give the relative edges tshark shows in
    /// `tcp.options.sack_le` / `tcp.options.sack_re`.
    pub fn peer_base_seq(&self) -> u32 {
        self.peer_base_seq
    }

    /// Analysis flag bits ([`aflags`]).
    pub fn analysis_flags(&self) -> u16 {
        self.flags
    }

    /// True for any retransmission kind (plain, fast, spurious).
    pub fn is_retransmission(&self) -> bool {
        self.flags
            & (aflags::RETRANSMISSION
                | aflags::FAST_RETRANSMISSION
                | aflags::SPURIOUS_RETRANSMISSION)
            != 0
    }

    /// True when the segment was flagged as retransmitted or out of order:
    /// payload dissectors should not be fed this segment's data.
    pub fn skip_payload(&self) -> bool {
        self.flags & (aflags::RETRANSMISSION | aflags::OUT_OF_ORDER) != 0
    }

    /// True for a keep-alive (its payload byte is garbage).
    pub fn is_keep_alive(&self) -> bool {
        self.flags & aflags::KEEP_ALIVE != 0
    }

    /// `tcp.analysis.ack_rtt`.
    pub fn ack_rtt(&self) -> Option<Nanos> {
        self.ack_rtt
    }

    /// `tcp.analysis.initial_rtt`.
    pub fn initial_rtt(&self) -> Option<Nanos> {
        self.initial_rtt
    }

    /// `tcp.analysis.bytes_in_flight`.
    pub fn bytes_in_flight(&self) -> Option<u32> {
        self.bytes_in_flight
    }

    /// `tcp.analysis.acks_frame`: the frame this segment acknowledges exactly.
    pub fn acks_frame(&self) -> Option<u64> {
        self.acks_frame
    }

    /// `tcp.analysis.duplicate_ack_num` and `tcp.analysis.duplicate_ack_frame`.
    pub fn duplicate_ack(&self) -> Option<(u32, u64)> {
        (self.dupack_num != 0).then_some((self.dupack_num, self.dupack_frame))
    }

    /// `tcp.analysis.rto` and `tcp.analysis.rto_frame` of a retransmission.
    pub fn rto(&self) -> Option<(Nanos, u64)> {
        self.rto
    }

    /// `tcp.analysis.push_bytes_sent` (present with bytes in flight).
    pub fn push_bytes_sent(&self) -> Option<u32> {
        self.push_bytes_sent
    }

    /// `tcp.time_relative`: since the first segment of the stream.
    pub fn time_relative(&self) -> Nanos {
        self.time_relative
    }

    /// `tcp.time_delta`: since the previous segment of the stream.
    pub fn time_delta(&self) -> Nanos {
        self.time_delta
    }

    /// True when tshark shows the `tcp.analysis` ("SEQ/ACK analysis") subtree.
    pub fn has_analysis(&self) -> bool {
        self.has_analysis
    }

    /// A handshake outcome decided by this segment (established, rejected, reset).
    pub fn handshake(&self) -> Option<&HandshakeOutcome> {
        self.handshake.as_ref()
    }

    /// The stream-level fields tshark puts first in the TCP tree
    /// (`tcp.stream`, `tcp.completeness`).
    pub fn push_stream_fields(&self, d: &mut Dissection) {
        d.push(&F_STREAM, Value::UInt(self.stream));
        d.push(&F_COMPLETENESS, Value::UInt(self.completeness.into()));
    }

    /// `tcp.seq`, `tcp.nxtseq`, `tcp.ack` (tshark puts the raw numbers between them).
    pub fn push_seq_fields(&self, d: &mut Dissection) {
        d.push(&F_SEQ, Value::UInt(self.rel_seq.into()));
        if let Some(n) = self.nxtseq {
            d.push(&F_NXTSEQ, Value::UInt(n.into()));
        }
        d.push(&F_ACK, Value::UInt(self.rel_ack.into()));
    }

    /// `tcp.window_size` and `tcp.window_size_scalefactor` (after `tcp.window_size_value`).
    pub fn push_window_fields(&self, d: &mut Dissection) {
        d.push(&F_WIN, Value::UInt(self.window_size.into()));
        if let Some(f) = self.scale_factor {
            d.push(&F_WSF, Value::Int(f.into()));
        }
    }

    /// `tcp.time_relative`, `tcp.time_delta` (the "Timestamps" subtree, before the options).
    pub fn push_time_fields(&self, d: &mut Dissection) {
        d.push(&F_TREL, secs(self.time_relative));
        d.push(&F_TDELTA, secs(self.time_delta));
    }

    /// The `tcp.analysis` subtree (after the options).
    pub fn push_analysis_fields(&self, d: &mut Dissection) {
        use aflags::*;
        if !self.has_analysis {
            return;
        }
        d.push(&F_ANALYSIS, Value::None);
        if let Some(f) = self.acks_frame {
            d.push(&F_ACKS_FRAME, Value::UInt(f));
            if let Some(r) = self.ack_rtt {
                d.push(&F_ACK_RTT, secs(r));
            }
        }
        if let Some(r) = self.initial_rtt {
            d.push(&F_IRTT, secs(r));
        }
        if let Some(b) = self.bytes_in_flight {
            d.push(&F_BIF, Value::UInt(b.into()));
            d.push(
                &F_PUSH,
                Value::UInt(self.push_bytes_sent.unwrap_or(0).into()),
            );
        }
        let fl = self.flags;
        if fl == 0 {
            return;
        }
        d.push(&F_FLAGS, Value::None);
        let put = |d: &mut Dissection, bit: u16, def: &'static FieldDef| {
            if fl & bit != 0 {
                d.push(def, Value::None);
            }
        };
        put(d, REUSED_PORTS, &F_REUSED);
        if fl & RETRANSMISSION != 0 {
            d.push(&F_RETRANS, Value::None);
            if let Some((rto, frame)) = self.rto {
                d.push(&F_RTO, secs(rto));
                d.push(&F_RTO_FRAME, Value::UInt(frame));
            }
        }
        if fl & FAST_RETRANSMISSION != 0 {
            d.push(&F_FAST, Value::None);
            d.push(&F_RETRANS, Value::None);
        }
        if fl & SPURIOUS_RETRANSMISSION != 0 {
            d.push(&F_SPURIOUS, Value::None);
            d.push(&F_RETRANS, Value::None);
        }
        put(d, OUT_OF_ORDER, &F_OOO);
        put(d, LOST_PACKET, &F_LOST);
        put(d, ACK_LOST_PACKET, &F_ACK_LOST);
        put(d, WINDOW_UPDATE, &F_WUPD);
        put(d, WINDOW_FULL, &F_WFULL);
        put(d, KEEP_ALIVE, &F_KA);
        put(d, KEEP_ALIVE_ACK, &F_KA_ACK);
        if self.dupack_num != 0 {
            if fl & DUPLICATE_ACK != 0 {
                d.push(&F_DUP, Value::None);
            }
            d.push(&F_DUP_NUM, Value::UInt(self.dupack_num.into()));
            d.push(&F_DUP_FRAME, Value::UInt(self.dupack_frame));
            // The expert item carries the same filter name.
            d.push(&F_DUP, Value::None);
        }
        put(d, ZERO_WINDOW_PROBE, &F_ZWP);
        put(d, ZERO_WINDOW, &F_ZW);
        put(d, ZERO_WINDOW_PROBE_ACK, &F_ZWP_ACK);
    }

    /// Append every field of the verdict, in tshark's tree order.
    pub fn push_fields(&self, d: &mut Dissection) {
        self.push_header_fields(d);
        self.push_analysis_fields(d);
    }

    /// Every field but the `tcp.analysis` tree: what tshark shows when the
    /// options were cut by the snapshot length (the analysis tree is added
    /// after the options, so the cut ends the dissection before it).
    pub fn push_header_fields(&self, d: &mut Dissection) {
        self.push_stream_fields(d);
        self.push_seq_fields(d);
        self.push_window_fields(d);
        self.push_time_fields(d);
    }

    /// The Info-column prefix tshark shows, e.g. `[TCP Retransmission] `.
    pub fn info_prefix(&self) -> Option<String> {
        use aflags::*;
        let fl = self.flags;
        if !self.has_analysis || fl == 0 {
            return None;
        }
        // tshark prepends each label in turn, so the last one comes first.
        let mut labels: Vec<String> = Vec::new();
        let add = |labels: &mut Vec<String>, bit: u16, s: &str| {
            if fl & bit != 0 {
                labels.push(s.to_string());
            }
        };
        add(&mut labels, REUSED_PORTS, "[TCP Port numbers reused] ");
        add(&mut labels, RETRANSMISSION, "[TCP Retransmission] ");
        add(
            &mut labels,
            FAST_RETRANSMISSION,
            "[TCP Fast Retransmission] ",
        );
        add(
            &mut labels,
            SPURIOUS_RETRANSMISSION,
            "[TCP Spurious Retransmission] ",
        );
        add(&mut labels, OUT_OF_ORDER, "[TCP Out-Of-Order] ");
        add(
            &mut labels,
            LOST_PACKET,
            "[TCP Previous segment not captured] ",
        );
        add(&mut labels, ACK_LOST_PACKET, "[TCP ACKed unseen segment] ");
        add(&mut labels, WINDOW_UPDATE, "[TCP Window Update] ");
        add(&mut labels, WINDOW_FULL, "[TCP Window Full] ");
        add(&mut labels, KEEP_ALIVE, "[TCP Keep-Alive] ");
        add(&mut labels, KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK] ");
        if self.dupack_num != 0 && fl & DUPLICATE_ACK != 0 {
            labels.push(format!(
                "[TCP Dup ACK {}#{}] ",
                self.dupack_frame, self.dupack_num
            ));
        }
        add(&mut labels, ZERO_WINDOW_PROBE, "[TCP ZeroWindowProbe] ");
        add(&mut labels, ZERO_WINDOW, "[TCP ZeroWindow] ");
        add(
            &mut labels,
            ZERO_WINDOW_PROBE_ACK,
            "[TCP ZeroWindowProbeAck] ",
        );
        if labels.is_empty() {
            return None;
        }
        labels.reverse();
        Some(labels.concat())
    }
}
