//! The one record type that both packet sources hand to the pipeline: the
//! live ring-buffer reader and the capture-file reader.

/// Which way a packet went through the monitored interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received (XDP).
    Ingress,
    /// Sent (TC egress).
    Egress,
}

impl Direction {
    /// Metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// One captured frame (Ethernet link type), possibly cut at a snaplen.
#[derive(Clone, Debug)]
pub struct PacketRecord {
    /// Capture time, nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Interface the frame was seen on (capture-file interface id offline,
    /// ifindex live).
    pub iface: u32,
    /// Direction when known (always known live; pcapng may say).
    pub direction: Option<Direction>,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// The captured bytes (`data.len() <= orig_len`).
    pub data: Vec<u8>,
}
