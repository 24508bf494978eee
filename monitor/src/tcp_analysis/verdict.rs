//! What the analyzer says about one segment: the values of the generated
//! `tcp.*` fields (the TCP dissector places them in tshark's tree) and the
//! Info-column prefix.

use super::handshake::HandshakeOutcome;
use super::Nanos;

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
