//! Application-layer dissectors (DNS, DHCP, HTTP, TLS, HTTP/2, QUIC, RIP,
//! OSPF, BGP), called by the transport dissectors with the payload.

use super::{Dissection, FieldDef};

/// Field tables of the application dissectors.
pub static TABLES: &[&[&FieldDef]] = &[];

/// State of application dissection that spans packets (TCP stream
/// reassembly for HTTP, TLS, DNS over TCP, BGP; fragmented handshakes).
#[derive(Debug, Default)]
pub struct AppState {}

/// Where a transport payload came from.
#[derive(Clone, Copy, Debug)]
pub struct Endpoints {
    /// Transport source port.
    pub src_port: u16,
    /// Transport destination port.
    pub dst_port: u16,
}

/// Dissect a UDP payload. Returns true when some dissector claimed it
/// (it then also set the Protocol and Info columns).
pub fn udp(_state: &mut AppState, _ep: Endpoints, _payload: &[u8], _d: &mut Dissection) -> bool {
    false
}

/// A TCP segment's payload, with what reassembly needs.
#[derive(Clone, Copy, Debug)]
pub struct TcpPayload<'a> {
    /// `tcp.stream` index of the conversation.
    pub stream: u64,
    /// True for the direction of the conversation's first packet.
    pub from_client: bool,
    /// Relative sequence number of the first payload byte.
    pub seq: u32,
    /// The payload bytes captured (may be shorter than on the wire).
    pub data: &'a [u8],
    /// Frame number (for "reassembled in" bookkeeping).
    pub frame: u64,
}

/// Dissect a TCP payload (reassembling across segments as tshark does by
/// default). Returns true when some dissector claimed it.
pub fn tcp(
    _state: &mut AppState,
    _ep: Endpoints,
    _seg: TcpPayload<'_>,
    _d: &mut Dissection,
) -> bool {
    false
}
