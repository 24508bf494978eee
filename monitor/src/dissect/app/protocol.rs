//! Protocol descriptors: what the dispatcher in [`super`] needs to know
//! about one application protocol, declared once in the protocol's own
//! file as a `static PROTOCOL: Protocol` and listed in
//! [`super::PROTOCOLS`].
//!
//! A descriptor names the protocol's field table, the protocol fields put
//! in front of its fields (see [`Mark`]), and how each transport reaches
//! it: UDP ports and heuristics ([`Udp`]), TCP ports, heuristics, framing
//! and the dissection of whole and cut-short segments ([`Tcp`]), or an IP
//! protocol number ([`Ip`]). See `docs/adding-a-dissector.md`.

use super::{AppState, Datagram, Endpoints, Handoff, Pdu, Stream, TcpPayload};
use crate::dissect::{Dissection, FieldDef};

/// One application protocol.
pub(super) struct Protocol {
    /// Short name (the protocol field's name), for messages and tests.
    pub(super) name: &'static str,
    /// Every field the protocol's dissector produces (its `FIELDS`).
    pub(super) fields: &'static [&'static FieldDef],
    /// Which protocol field goes in front of the protocol's fields.
    pub(super) marks: &'static [Mark],
    /// How UDP reaches it.
    pub(super) udp: Option<Udp>,
    /// How TCP reaches it.
    pub(super) tcp: Option<Tcp>,
    /// The IP protocol number it runs on directly, and its dissector.
    pub(super) ip: Option<Ip>,
}

impl Protocol {
    /// A descriptor with no transport (for `..Protocol::NONE`).
    pub(super) const NONE: Protocol = Protocol {
        name: "",
        fields: &[],
        marks: &[],
        udp: None,
        tcp: None,
        ip: None,
    };
}

/// The protocol field put in front of the first field named
/// `prefix.*` that a dissector adds (unless the dissector pushed a
/// protocol field itself): its value is the bytes dissected, so that
/// `dns contains "x"` searches them.
pub(super) struct Mark {
    /// The first component of the field names (`dns` for `dns.qry.name`).
    pub(super) prefix: &'static str,
    /// Only when the Protocol column reads this (mDNS and LLMNR use DNS's
    /// fields).
    pub(super) column: Option<&'static str>,
    /// The protocol field.
    pub(super) protocol: &'static FieldDef,
}

impl Mark {
    /// `protocol` in front of the fields named `prefix.*`.
    pub(super) const fn new(prefix: &'static str, protocol: &'static FieldDef) -> Self {
        Self {
            prefix,
            column: None,
            protocol,
        }
    }

    /// The same, only when the Protocol column reads `column`.
    pub(super) const fn column(
        prefix: &'static str,
        column: &'static str,
        protocol: &'static FieldDef,
    ) -> Self {
        Self {
            prefix,
            column: Some(column),
            protocol,
        }
    }
}

/// What a UDP dissector is handed besides the payload.
pub(super) struct UdpCall<'a> {
    /// State that spans packets.
    pub(super) state: &'a mut AppState,
    /// The datagram's ports.
    pub(super) ep: Endpoints,
    /// The datagram's conversation, frame and time.
    pub(super) dg: Datagram,
    /// The well-known port that chose this dissector (0 for a heuristic).
    pub(super) port: u16,
}

/// A UDP dissector: dissects the payload and returns true when it claims
/// it (then it has set the Protocol and Info columns).
pub(super) type UdpDissect = fn(&mut UdpCall<'_>, &[u8], &mut Dissection) -> bool;

/// How UDP reaches a protocol.
pub(super) struct Udp {
    /// Well-known ports (tshark tries the lower port of a datagram first).
    pub(super) ports: &'static [u16],
    /// The dissector called for a datagram to or from one of `ports`.
    pub(super) dissect: UdpDissect,
    /// A heuristic dissector, tried in table order on datagrams no port
    /// dissector claimed: it claims the payload or leaves it untouched.
    pub(super) heuristic: Option<UdpDissect>,
}

/// The dissection of the captured part of a TCP segment cut short by the
/// snapshot length, whose payload is `reported` bytes on the wire.
pub(super) type TcpCut =
    fn(st: &mut Stream, seg: TcpPayload<'_>, reported: usize, d: &mut Dissection) -> Handoff;

/// How TCP reaches a protocol, and how its PDUs are framed.
pub(super) struct Tcp {
    /// Well-known ports (the lower port of a conversation first).
    pub(super) ports: &'static [u16],
    /// tshark's heuristic on a conversation's first payload, tried in table
    /// order when no port matched: the conversation is this protocol's
    /// from then on.
    pub(super) heuristic: Option<fn(&[u8]) -> bool>,
    /// Whether the bytes at the start of a buffer are a whole PDU, the
    /// start of one, or not one (`from_client` tells the direction).
    pub(super) pdu_len: fn(b: &[u8], st: &Stream, from_client: bool) -> Pdu,
    /// The total length of the PDU starting `b`, when its header says it
    /// (the reassembly then asks for exactly the bytes missing).
    pub(super) pdu_total: fn(b: &[u8], st: &Stream) -> Option<usize>,
    /// Dissect one whole PDU; returns the protocol the stream switches to
    /// after it (an HTTP upgrade), if any.
    pub(super) dissect: fn(
        st: &mut Stream,
        pdu: &[u8],
        seg: TcpPayload<'_>,
        d: &mut Dissection,
    ) -> Option<TcpProto>,
    /// Dissect what was captured of a segment cut short by the snapshot
    /// length, whose payload is `reported` bytes on the wire (see
    /// [`super::truncated`]). None: such a segment is left to the
    /// heuristics, or is plain TCP.
    pub(super) cut: Option<TcpCut>,
}

/// A protocol that runs directly over IP.
pub(super) struct Ip {
    /// The IP protocol number (IPv4) or final next header (IPv6).
    pub(super) proto: u8,
    /// Dissect the IP payload; returns true when it claims it.
    pub(super) dissect: fn(&[u8], &mut Dissection) -> bool,
}

/// The application protocol a TCP stream carries: a protocol with a TCP
/// descriptor.
#[derive(Clone, Copy)]
pub(super) struct TcpProto {
    /// The protocol.
    pub(super) proto: &'static Protocol,
    /// Its TCP descriptor.
    pub(super) tcp: &'static Tcp,
}

impl TcpProto {
    /// HTTP/1.x, whose streams may switch to HTTP/2.
    pub(super) const HTTP: Self = Self::of(&super::http::PROTOCOL);
    /// HTTP/2.
    pub(super) const HTTP2: Self = Self::of(&super::http2::PROTOCOL);
    /// TLS.
    pub(super) const TLS: Self = Self::of(&super::tls::PROTOCOL);

    /// The TCP side of `proto`, for constants (a protocol without one does
    /// not compile).
    pub(super) const fn of(proto: &'static Protocol) -> Self {
        match &proto.tcp {
            Some(tcp) => Self { proto, tcp },
            None => panic!("not a TCP protocol"),
        }
    }

    /// The TCP side of `proto`, if it has one.
    pub(super) fn get(proto: &'static Protocol) -> Option<Self> {
        proto.tcp.as_ref().map(|tcp| Self { proto, tcp })
    }
}

impl PartialEq for TcpProto {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.proto, other.proto)
    }
}

impl Eq for TcpProto {}

impl std::fmt::Debug for TcpProto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.proto.name)
    }
}
