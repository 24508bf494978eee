//! Wireshark-exact TCP sequence analysis as a sans-I/O state machine.
//!
//! The caller feeds every TCP segment in capture order with its timestamp;
//! the analyzer returns the verdict tshark would show for that frame
//! (`tcp.stream`, relative sequence numbers, `tcp.analysis.*`).

use std::net::IpAddr;

use crate::dissect::{Dissection, FieldDef};

/// Fields the analyzer produces (`tcp.stream`, `tcp.seq`, `tcp.analysis.*`, …).
pub static FIELDS: &[&FieldDef] = &[];

/// Nanoseconds since the Unix epoch.
pub type Nanos = i64;

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
}

/// Analyzer limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// Maximum conversations tracked (least recently used evicted).
    pub max_flows: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self { max_flows: 100_000 }
    }
}

/// The TCP conversation table.
#[derive(Debug, Default)]
pub struct Analyzer {
    _config: Config,
}

/// What the analyzer says about one segment.
#[derive(Clone, Debug, Default)]
pub struct Verdict {}

impl Analyzer {
    /// A new, empty analyzer.
    pub fn new(config: Config) -> Self {
        Self { _config: config }
    }

    /// Analyze one segment (frame numbers start at 1, in capture order).
    pub fn on_segment(&mut self, _frame: u64, _ts: Nanos, _seg: &Segment<'_>) -> Verdict {
        Verdict::default()
    }
}

impl Verdict {
    /// Append the verdict's fields (`tcp.stream`, `tcp.seq`, `tcp.analysis.*`, …).
    pub fn push_fields(&self, _d: &mut Dissection) {}

    /// The Info-column prefix tshark shows, e.g. `[TCP Retransmission] `.
    pub fn info_prefix(&self) -> Option<String> {
        None
    }
}
