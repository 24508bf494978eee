//! Wireshark-exact TCP sequence analysis as a sans-I/O state machine.
//!
//! The caller feeds every TCP segment in capture order with its timestamp;
//! the analyzer returns the verdict tshark 4.0 would show for that frame
//! (`tcp.stream`, relative sequence numbers, `tcp.analysis.*`, RTTs,
//! bytes in flight, conversation completeness). It also follows every
//! connection attempt's handshake and reports how it ended
//! ([`HandshakeOutcome`]), for the live daemon's metrics.
//!
//! * [`analyzer`] – the conversation table and the per-segment rules.
//! * [`options`] – the TCP options the rules need.
//! * [`handshake`] – handshake outcome tracking (established, rejected, …).
//! * [`verdict`] – what one segment yields, as fields and Info text.
//!
//! # Use from the TCP dissector
//!
//! Call [`Analyzer::on_segment`] once per TCP segment in capture order
//! ([`Analyzer::on_embedded_segment`] for a complete TCP header quoted in
//! an ICMP error); the dissector places the verdict's fields where
//! tshark's tree has them (`dissect::tcp_verdict`), and
//! [`Verdict::info_prefix`] goes in front of the Info column.
//! [`Verdict::skip_payload`] tells segments whose payload tshark does not
//! hand to subdissectors (retransmitted or out of order), and
//! [`Verdict::peer_base_seq`] makes SACK edges relative.
//!
//! This module depends only on [`crate::record`]-level types: it takes
//! header facts and timestamps and knows nothing of dissections.

pub mod analyzer;
pub mod handshake;
pub mod options;
pub mod verdict;

#[cfg(test)]
mod difftest;
#[cfg(test)]
mod tests;

use std::net::IpAddr;

pub use analyzer::{Analyzer, Stats};
pub use handshake::{HandshakeKind, HandshakeOutcome};
pub use verdict::Verdict;

/// Nanoseconds since the Unix epoch.
pub type Nanos = i64;

/// TCP flag bits as in `tcp.flags`.
pub use monitor_common::consts::tcp_flags as flags;

/// The header facts of one TCP segment the analyzer needs.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    /// Network-layer source.
    pub src: IpAddr,
    /// Network-layer destination.
    pub dst: IpAddr,
    /// TCP source port.
    pub src_port: u16,
    /// TCP destination port.
    pub dst_port: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgement number.
    pub ack: u32,
    /// The 12 flag bits (`tcp.flags`).
    pub flags: u16,
    /// Raw window field.
    pub window: u16,
    /// TCP payload length (`tcp.len`), from the IP lengths, not the capture.
    pub payload_len: u32,
    /// Raw option bytes (between the fixed header and the data offset).
    pub options: &'a [u8],
    /// The options were cut by the snapshot length: tshark's dissection
    /// stops inside them, before a SYN's missing window scale is settled.
    pub options_cut: bool,
}

/// Analyzer limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// Maximum conversations tracked (least recently used evicted).
    pub max_flows: usize,
    /// Unacknowledged segments remembered per direction (Wireshark's
    /// `TCP_MAX_UNACKED_SEGMENTS`); later ones are not tracked for RTT.
    pub max_unacked_segments: usize,
    /// A conversation silent for this long is forgotten (`None`: never).
    /// A later segment of the same ports then starts a new stream.
    pub idle_timeout: Option<Nanos>,
    /// How long a SYN may wait for its SYN/ACK, and a SYN/ACK for the
    /// final ACK, before the attempt counts as `no_reply` / `incomplete`.
    pub handshake_timeout: Nanos,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_flows: 100_000,
            max_unacked_segments: 10_000,
            idle_timeout: Some(3_600 * 1_000_000_000),
            handshake_timeout: 10 * 1_000_000_000,
        }
    }
}
