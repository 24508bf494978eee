//! Application-layer dissectors (DNS, DHCP, DHCPv6, HTTP/1.x, TLS, HTTP/2,
//! QUIC, RIP/RIPng, OSPFv2/v3, BGP, ONC RPC, NetBIOS name and datagram
//! services with SMB mailslots and the Windows Browser protocol, Echo,
//! Daytime), called by the transport dissectors with the payload.
//!
//! Dispatch follows tshark: UDP and TCP payloads go to a dissector chosen by
//! well-known port (the lower port first) or, where tshark uses heuristics,
//! by a look at the first bytes. TCP payloads are reassembled per stream and
//! direction the way tshark does by default: a PDU that spans segments is
//! dissected on the frame that completes it, and the segments before show as
//! plain TCP.
//!
//! Entry points, called by the network and transport dissectors once their
//! own fields are pushed:
//! - [`udp`] with the UDP ports, conversation, frame and payload
//!   (DNS/mDNS/LLMNR, DHCP, DHCPv6, RIP, RIPng, QUIC, ONC RPC with NFS,
//!   NBNS, NBDGM with SMB/mailslot/browser, Echo, Daytime);
//! - [`tcp`] with the ports, the `tcp.stream` index, the direction, the
//!   relative sequence number of the first payload byte and the payload of
//!   every segment that carries data, in capture order (DNS over TCP, HTTP,
//!   HTTP/2, TLS, BGP). Bytes already seen (retransmissions) are ignored
//!   here; segments that the TCP layer's own analysis decides to keep from
//!   the application (as tshark does for some retransmissions) are simply
//!   not passed;
//! - [`ip_proto`] with the IP protocol number (IPv4) or final next header
//!   (IPv6) and the IP payload of unfragmented (or reassembled) packets
//!   (OSPF, protocol 89).
//!
//! Each protocol is one descriptor (`protocol::Protocol`) in its own
//! file: its fields, ports, heuristics, TCP framing and dissectors. The
//! entry points walk one table of them, `PROTOCOLS`;
//! `docs/adding-a-dissector.md` walks through adding one.
//!
//! Each returns true when it claimed the payload, and then has set the
//! Protocol and Info columns. Cross-packet state lives in [`AppState`]
//! (one per capture or live session), with bounded memory.

mod bgp;
mod browser;
mod daytime;
mod desegment;
mod dhcp;
mod dhcpv6;
mod dns;
mod echo;
mod foreign;
mod http;
mod http2;
mod netbios;
mod ospf;
mod png;
mod protocol;
mod quic;
mod rip;
mod rpc;
mod smb;
mod tls;
mod truncated;
pub(crate) mod util;
mod x509;

pub use truncated::tcp as tcp_truncated;

#[cfg(test)]
mod difftest;
#[cfg(test)]
mod http2_tests;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};

pub use rpc::Datagram;

use super::{Dissection, FieldDef};
use protocol::{Protocol, TcpProto, UdpCall};

/// Every application protocol, one descriptor each (declared in the
/// protocol's own file). Heuristics are tried in this order: on UDP, ONC
/// RPC before QUIC; on TCP, TLS before HTTP.
static PROTOCOLS: &[&Protocol] = &[
    &dns::PROTOCOL,
    &dhcp::PROTOCOL,
    &dhcpv6::PROTOCOL,
    &tls::PROTOCOL,
    &http::PROTOCOL,
    &http2::PROTOCOL,
    &rpc::PROTOCOL,
    &quic::PROTOCOL,
    &rip::PROTOCOL,
    &ospf::PROTOCOL,
    &bgp::PROTOCOL,
    &x509::PROTOCOL,
    &netbios::PROTOCOL,
    &smb::PROTOCOL,
    &browser::PROTOCOL,
    &echo::PROTOCOL,
    &daytime::PROTOCOL,
];

/// Field tables of the application dissectors.
pub fn tables() -> impl Iterator<Item = &'static [&'static FieldDef]> {
    PROTOCOLS
        .iter()
        .map(|p| p.fields)
        .chain(std::iter::once(foreign::FIELDS))
}

/// Most TCP streams whose reassembly state is kept at once (oldest dropped).
const MAX_STREAMS: usize = 4096;
/// Most bytes buffered for one direction of one stream; a PDU larger than
/// this is given up (its segments stay plain TCP). Only a body whose bytes
/// some field reads is held (see [`Bodies`]), so this bound is met only
/// then (docs/reassembly.md).
const MAX_BUFFER: usize = 64 << 20;
/// Most bytes buffered over all streams; past it, the stream that grew is
/// given up.
const MAX_TOTAL: usize = 256 << 20;

/// Reassembly state of one TCP stream.
#[derive(Debug, Default)]
struct Stream {
    /// Multi-segment PDUs per direction (client first).
    dirs: [desegment::Pdus; 2],
    /// Set once the stream switched protocol (HTTP/2 after an h2c upgrade).
    proto: Option<TcpProto>,
    /// HTTP/2 reached through the HTTP dissector (see [`L_HTTP`]).
    h2_via_http: bool,
    /// HTTP state of the stream (request methods awaiting responses).
    http: http::StreamState,
    /// BGP session state (4-octet AS capability per side).
    bgp: bgp::StreamState,
    /// TLS session state (negotiated version, encryption per direction).
    tls: tls::StreamState,
    /// HPACK decoders, one per direction.
    h2: http2::StreamState,
    /// DNS queries over the connection awaiting responses.
    dns: dns::Transactions,
}

/// State of application dissection that spans packets (TCP stream
/// reassembly for HTTP, TLS, DNS over TCP, BGP; HPACK tables).
#[derive(Default)]
pub struct AppState {
    streams: HashMap<u64, Stream>,
    /// Bytes held in reassembly buffers over all streams.
    buffered: usize,
    quic: quic::State,
    rpc: rpc::State,
    /// DNS queries over UDP awaiting responses, by `udp.stream`.
    dns: dns::Transactions,
    order: VecDeque<u64>,
    stats: ReassemblyStats,
    held_note: HeldNote,
    bodies: Bodies,
}

/// Fields whose values are the bytes of HTTP bodies (or their layers'
/// bytes): reading one needs every body byte kept ([`Bodies::Keep`]).
pub const BODY_FIELDS: &[&str] = &[
    "http.file_data",
    "data",
    "http",
    "media",
    "data-text-lines",
    "image-gif",
    "image-jfif",
    "png",
    "json",
    "xml",
    "urlencoded-form",
];

/// Whether reassembly keeps the bytes of HTTP bodies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bodies {
    /// Keep every byte (some field or filter reads bodies).
    #[default]
    Keep,
    /// Keep only what the columns and the fields outside the body need:
    /// a body whose length the head gives is followed, not held. Answers
    /// are the same unless a body field (`http.file_data`, the media
    /// layers' bytes) is read.
    Elide,
}

/// What tshark's TCP writes in the Info column about the last segment
/// [`tcp`] held (see [`AppState::held_note`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HeldNote {
    /// Nothing: the segment reached no reassembly.
    #[default]
    None,
    /// TCP's own text, then [`HELD_NOTE`]: the segment's bytes went into a
    /// PDU still waiting for more.
    Append,
    /// This text (after the analysis labels) instead of TCP's: a dissector
    /// saw the segment's start and asked for more.
    Replace(String),
    /// With a claimed segment: the Info column holds TCP's text and
    /// [`HELD_NOTE`] (the segment's first bytes went into a PDU still
    /// waiting), then the dissector's text; it is complete as it is.
    Kept,
}

/// TCP payload reassembly counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Streams holding bytes of an unfinished PDU now.
    pub in_progress: u64,
    /// PDUs dissected from bytes of more than one segment.
    pub completed: u64,
    /// Unfinished PDUs given up because they grew past the per-stream bound.
    pub too_large: u64,
    /// Unfinished PDUs given up because all streams together held too much.
    pub memory: u64,
    /// Unfinished PDUs dropped with their stream to make room for a new one.
    pub evicted: u64,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("streams", &self.streams.len())
            .finish()
    }
}

impl Stream {
    /// Bytes held for reassembly in both directions.
    fn buffered(&self) -> usize {
        self.dirs.iter().map(desegment::Pdus::held).sum::<usize>()
            + self.h2.buffered()
            + self.tls.buffered()
    }
}

impl AppState {
    /// Choose whether HTTP bodies are kept (see [`Bodies`]).
    pub fn set_bodies(&mut self, bodies: Bodies) {
        self.bodies = bodies;
    }

    /// The Info note for the segment the last [`tcp`] call held.
    pub fn held_note(&self) -> &HeldNote {
        &self.held_note
    }

    /// Reassembly counters, and the streams in progress now.
    pub fn reassembly_stats(&self) -> ReassemblyStats {
        let in_progress = self
            .streams
            .values()
            .filter(|s| s.dirs.iter().any(desegment::Pdus::in_progress))
            .count() as u64;
        ReassemblyStats {
            in_progress,
            ..self.stats
        }
    }

    fn stream(&mut self, id: u64) -> &mut Stream {
        if !self.streams.contains_key(&id) {
            while self.streams.len() >= MAX_STREAMS {
                match self.order.pop_front() {
                    Some(old) => {
                        if let Some(s) = self.streams.remove(&old) {
                            let held = s.buffered();
                            if held > 0 {
                                self.stats.evicted += 1;
                            }
                            self.buffered = self.buffered.saturating_sub(held);
                        }
                    }
                    None => break,
                }
            }
            self.order.push_back(id);
        }
        self.streams.entry(id).or_default()
    }
}

/// Where a transport payload came from.
#[derive(Clone, Copy, Debug)]
pub struct Endpoints {
    /// Transport source port.
    pub src_port: u16,
    /// Transport destination port.
    pub dst_port: u16,
}

impl Endpoints {
    /// The ports in the order tshark tries them: the lower one first.
    fn ordered(self) -> [u16; 2] {
        if self.src_port > self.dst_port {
            [self.dst_port, self.src_port]
        } else {
            [self.src_port, self.dst_port]
        }
    }
}

/// HTTP as the carrier of HTTP/2 on a connection HTTP was chosen for
/// (an h2c upgrade, or the HTTP/2 preface on an HTTP port): tshark lists
/// `http` before `http2` but shows no HTTP item.
static L_HTTP: FieldDef = FieldDef::layer_only("http");

/// The protocol a field prefix belongs to (the Protocol column tells the
/// DNS family apart: mDNS and LLMNR use `dns.*` fields).
fn protocol_of(prefix: &str, column: &str) -> Option<&'static FieldDef> {
    PROTOCOLS
        .iter()
        .flat_map(|p| p.marks)
        .find(|m| m.prefix == prefix && m.column.is_none_or(|c| c == column))
        .map(|m| m.protocol)
}

/// Put a protocol field in front of the first field of each application
/// protocol a dissector added after `mark`. Its value is the bytes the
/// protocol was dissected from (`dns contains "google"` searches them).
fn mark_protocols(d: &mut Dissection, mark: usize, bytes: &[u8]) {
    let mut seen: Vec<&'static str> = Vec::new();
    let mut i = mark;
    while i < d.fields.len() {
        let def = d.fields[i].def;
        let prefix = def.name.split('.').next().unwrap_or("");
        // HTTP shows the HTTP2-Settings header of an upgrade request with
        // HTTP/2's fields, in its own layer.
        let embedded = def.name.starts_with("http2.settings") && seen.last() == Some(&"http");
        if def.ty == super::FieldType::Protocol {
            // A dissector that names its protocol itself.
            if !seen.contains(&def.name) {
                seen.push(def.name);
            }
        } else if def.ty == super::FieldType::Layer || embedded {
            // Listed in frame.protocols by the dissector that added it, or
            // shown inside another protocol's layer.
        } else {
            if let Some(p) = protocol_of(prefix, &d.protocol) {
                if !seen.contains(&p.name) {
                    seen.push(p.name);
                    let value = d.bytes(p, bytes);
                    d.fields.insert(i, super::Field { def: p, value });
                    i += 1;
                }
            }
        }
        i += 1;
    }
}

/// A DNS-over-HTTPS body (media type `application/dns-message`, in HTTP/1
/// or HTTP/2) goes to DNS, whose layer's bytes are the message. Returns
/// the Info text that replaces the column (DNS sets it afresh), marked
/// with [`http2::INFO_RESET`].
fn doh(body: &[u8], track: dns::Track<'_>, d: &mut Dissection) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let mut sub = d.part();
    if !dns::dissect(body, dns::Transport::Udp, "DoH", Some(track), &mut sub) {
        return None;
    }
    let v = d.bytes(&dns::P_DNS, body);
    d.push(&dns::P_DNS, v);
    d.fields.append(&mut sub.fields);
    d.malformed |= sub.malformed;
    d.protocol = "DoH".into();
    Some(format!("{}{}", http2::INFO_RESET, sub.info))
}

/// Dissect a UDP payload. Returns true when some dissector claimed it
/// (it then also set the Protocol and Info columns).
pub fn udp(
    state: &mut AppState,
    ep: Endpoints,
    dg: Datagram,
    payload: &[u8],
    d: &mut Dissection,
) -> bool {
    let mark = d.fields.len();
    let claimed = udp_inner(state, ep, dg, payload, d);
    if claimed {
        mark_protocols(d, mark, payload);
    }
    claimed
}

fn udp_inner(
    state: &mut AppState,
    ep: Endpoints,
    dg: Datagram,
    payload: &[u8],
    d: &mut Dissection,
) -> bool {
    let mut call = UdpCall {
        state,
        ep,
        dg,
        port: 0,
    };
    for port in ep.ordered() {
        for udp in PROTOCOLS.iter().filter_map(|p| p.udp.as_ref()) {
            if udp.ports.contains(&port) {
                call.port = port;
                if (udp.dissect)(&mut call, payload, d) {
                    return true;
                }
            }
        }
    }
    // tshark's heuristic dissectors, in table order.
    call.port = 0;
    PROTOCOLS
        .iter()
        .filter_map(|p| p.udp.as_ref()?.heuristic)
        .any(|h| h(&mut call, payload, d))
}

/// Dissect an IP payload of a protocol that runs directly over IP (OSPF,
/// IP protocol 89). Returns true when some dissector claimed it.
pub fn ip_proto(_state: &mut AppState, proto: u8, payload: &[u8], d: &mut Dissection) -> bool {
    let mark = d.fields.len();
    let claimed = PROTOCOLS
        .iter()
        .filter_map(|p| p.ip.as_ref())
        .any(|ip| ip.proto == proto && (ip.dissect)(payload, d));
    if claimed {
        mark_protocols(d, mark, payload);
    }
    claimed
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
    /// The sequence analysis' flags for the segment (`tcp.analysis.flags`
    /// bits): they decide, as in tshark, whether it is dissected again.
    pub flags: u16,
    /// Capture time, ns since the epoch.
    pub ts_ns: i64,
}

impl TcpPayload<'_> {
    /// The frame's number and time, for request/response bookkeeping.
    pub fn at(&self) -> At {
        At {
            frame: self.frame,
            ts_ns: self.ts_ns,
        }
    }
}

/// Where a message was seen: its frame's number and capture time (ns
/// since the epoch).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct At {
    /// Frame number.
    pub frame: u64,
    /// Capture time, ns since the epoch.
    pub ts_ns: i64,
}

/// What a protocol says about the bytes at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
enum Pdu {
    /// A complete PDU of this many bytes is there.
    Len(usize),
    /// A PDU starts here but more bytes are needed.
    Incomplete,
    /// These bytes do not start a PDU of the protocol.
    Invalid,
}

fn port_proto(ep: Endpoints, data: &[u8]) -> Option<TcpProto> {
    if data.starts_with(http2::PREFACE) || http2::PREFACE.starts_with(data) {
        return Some(TcpProto::HTTP2);
    }
    by_port(ep)
}

/// The protocols that run over TCP, in table order.
fn tcp_protocols() -> impl Iterator<Item = TcpProto> {
    PROTOCOLS.iter().copied().filter_map(TcpProto::get)
}

/// The protocol the ports of a TCP stream say.
fn by_port(ep: Endpoints) -> Option<TcpProto> {
    ep.ordered()
        .into_iter()
        .find_map(|port| tcp_protocols().find(|p| p.tcp.ports.contains(&port)))
}

/// tshark's heuristic dissectors on TCP: a conversation that starts like
/// TLS or HTTP is that protocol from then on.
fn heuristic_proto(data: &[u8]) -> Option<TcpProto> {
    tcp_protocols().find(|p| p.tcp.heuristic.is_some_and(|h| h(data)))
}

pub use desegment::Refused;

/// tshark's Info note on a segment held for reassembly.
pub const HELD_NOTE: &str = "[TCP segment of a reassembled PDU]";

/// What became of a TCP payload handed to the application dissectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// A dissector claimed it (and dissected at least one PDU).
    Claimed,
    /// Held to be reassembled with later segments: nothing to show yet,
    /// and (as in tshark) not shown as `data` either. Also a cut segment
    /// whose dissector stopped before writing any column: its layers are
    /// listed, the columns stay TCP's.
    Held,
    /// Retransmitted data: as in tshark, not dissected again and not shown
    /// as `data`.
    Ignored,
    /// No dissector wanted it.
    Unclaimed,
    /// tshark's reassembly refused the segment's bytes (they belong to a
    /// PDU already handed on): TCP's dissection of the frame ends with a
    /// reassembly error. `shown`: a PDU earlier in the segment was
    /// dissected first, and its text is in the Info column.
    Refused {
        /// The error tshark reports.
        why: Refused,
        /// Some PDU of the segment was dissected before the error.
        shown: bool,
    },
}

/// Dissect a TCP payload (reassembling across segments as tshark does by
/// default).
pub fn tcp(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
) -> Handoff {
    state.held_note = HeldNote::None;
    if seg.data.is_empty() {
        return Handoff::Unclaimed;
    }
    let before = state.streams.get(&seg.stream).map_or(0, Stream::buffered);
    let outcome = tcp_inner(state, ep, seg, d);
    let others = state.buffered.saturating_sub(before);
    let st = state.stream(seg.stream);
    let mut after = st.buffered();
    let shed = others + after > MAX_TOTAL;
    if shed {
        for dir in &mut st.dirs {
            dir.clear();
        }
        st.h2.shed();
        st.tls.shed();
        after = 0;
    }
    state.stats.memory += u64::from(shed);
    state.buffered = others + after;
    outcome
}

/// What one call of a dissector on some bytes came to.
#[derive(Debug, Default)]
struct Call {
    /// It showed something (its protocol is in the frame).
    shown: bool,
    /// It declined the bytes: TCP shows them as data.
    declined: bool,
    /// It asks for more bytes, from this offset on (tshark's
    /// `desegment_offset` and `desegment_len`).
    need: Option<(usize, desegment::Need)>,
}

/// Per-frame state of a hand-off: the Info texts gathered, whether some
/// call showed something or declined.
#[derive(Default)]
struct Frame {
    infos: Vec<String>,
    shown: bool,
    declined: bool,
    completed: u64,
    /// The dissector was called on the segment's first byte and asked for
    /// more before dissecting anything (tshark's `desegment_offset == 0`).
    held_at_start: bool,
    /// Bytes went into a PDU that still waits for more.
    held_middle: bool,
    /// The dissector was handed the PDU gathered so far, from its start,
    /// and asked for more before showing anything (tshark: it wrote its
    /// columns, then the segment was marked as part of a PDU). Holds the
    /// text it wrote.
    held_again: Option<String>,
    /// An HTTP layer is in the frame already (a message before the switch
    /// to HTTP/2, or the carrier of HTTP/2 frames).
    http_layer: bool,
    /// The Protocol column no longer changes (a PDU ended in this segment
    /// and more bytes follow it).
    protocol_fixed: bool,
    /// The segment's first bytes went into a PDU still incomplete, and
    /// more bytes followed it: TCP's note was written then.
    held_first: bool,
    /// HTTP showed headers on a connection with no request seen: it left
    /// the columns to TCP, and what a media dissector wrote follows
    /// TCP's text.
    tcp_text_stays: bool,
}

fn tcp_inner(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
) -> Handoff {
    use crate::tcp_analysis::verdict::aflags;
    let bodies = state.bodies;
    let st = state.stream(seg.stream);
    let di = usize::from(!seg.from_client);
    let data = seg.data;
    let nxtseq = seg.seq.wrapping_add(data.len() as u32);
    // desegment_tcp: a segment that starts an MSP it ends inside of, added
    // by another frame, is a retransmission; so is what the sequence
    // analysis calls one (or a spurious one). Neither is dissected again,
    // nor shown as data.
    if st.dirs[di].retransmitted(seg.seq, nxtseq, seg.frame)
        || seg.flags & (aflags::RETRANSMISSION | aflags::SPURIOUS_RETRANSMISSION) != 0
    {
        return Handoff::Ignored;
    }
    if seg.data.starts_with(http2::PREFACE) && st.proto != Some(TcpProto::HTTP2) {
        // Prior-knowledge HTTP/2: the whole connection is HTTP/2, reached
        // through HTTP when that is what the stream was taken for.
        st.h2_via_http = st.proto.or(by_port(ep)) == Some(TcpProto::HTTP);
        st.proto = Some(TcpProto::HTTP2);
    }
    let proto = match st.proto {
        Some(p) => p,
        None => match port_proto(ep, seg.data) {
            Some(p) => p,
            None => match heuristic_proto(seg.data) {
                Some(p) => {
                    st.proto = Some(p);
                    p
                }
                None => return Handoff::Unclaimed,
            },
        },
    };
    // decode_tcp_ports: with "Do not call subdissectors for error packets"
    // (on by default) out-of-order data reaches no dissector, and a
    // keep-alive's byte goes to the data dissector.
    let blocked = seg.flags & aflags::OUT_OF_ORDER != 0;
    let keep_alive = seg.flags & aflags::KEEP_ALIVE != 0;
    let mut fr = Frame::default();
    if seg.flags != 0 && (proto == TcpProto::TLS || proto == TcpProto::HTTP2) {
        // tshark's TCP puts its analysis note in the Info column behind a
        // fence; TLS and HTTP/2 append their text to that after a
        // separator.
        fr.infos.push(String::new());
    }
    let mut too_large = 0;
    let mut refused = None;
    let (mut off, mut seq) = (0usize, seg.seq);
    while off < data.len() {
        if off > 0 && st.dirs[di].retransmitted(seq, nxtseq, seg.frame) {
            break;
        }
        let mut another = 0usize;
        if let Some(start) = st.dirs[di].covering(seq) {
            // The segment continues an MSP: add its bytes.
            let (len, whole) = match st.dirs[di].add(start, seq, nxtseq, &data[off..], seg.frame) {
                Ok(added) => added,
                Err(why) => {
                    refused = Some(why);
                    break;
                }
            };
            fr.held_middle |= whole.is_none() && len > 0;
            let nxtpdu = st.dirs[di].nxtpdu(start);
            if nxtpdu < nxtseq && nxtpdu >= seq && len > 0 {
                another = nxtpdu.wrapping_sub(seq) as usize;
            }
            if st.dirs[di].msp_held(start) > MAX_BUFFER {
                st.dirs[di].drop_msp(start);
                too_large += 1;
                break;
            }
            if let Some(whole) = whole {
                let call = if blocked {
                    Call::default()
                } else if whole.elided() {
                    dissect_elided_http(st, &whole, seg, d, &mut fr)
                } else {
                    dissect_call(st, proto, &whole.bytes, seg, d, &mut fr)
                };
                let pdu = whole.bytes;
                // A PDU dissected from bytes of several segments (not one
                // the dissector only looked at to ask for more).
                if call.need.is_none_or(|(doff, _)| doff > 0) {
                    fr.completed += 1;
                }
                if let Some((doff, need)) = call.need {
                    let old_len = pdu.len() - len;
                    let last_end = seq.wrapping_add(len as u32);
                    if doff <= old_len {
                        // It needs more for the PDU it was given: the MSP
                        // waits again (fragment_set_partial_reassembly).
                        fr.held_middle |= !call.shown;
                        // (HTTP writes the column only for a PDU that
                        // starts a message; on body bytes it writes
                        // nothing and TCP's text stays.)
                        let writes = proto != TcpProto::HTTP || http::starts_message(&pdu);
                        if !call.shown && doff == 0 && writes {
                            fr.held_again = Some(match proto {
                                p if p == TcpProto::HTTP && d.wants_all() => http::held_info(&pdu),
                                _ => String::new(),
                            });
                        }
                        let seg_end = seq.wrapping_add((data.len() - off) as u32);
                        st.dirs[di].extend(start, seg_end, need, last_end);
                        if len == 0 {
                            break;
                        }
                        off += len;
                        seq = seq.wrapping_add(len as u32);
                        continue;
                    }
                    // A new PDU starts in this segment's bytes.
                    let deseg_seq = last_end.wrapping_sub((pdu.len() - doff) as u32);
                    let from = off + len - (pdu.len() - doff);
                    let keep = keep_of(st, proto, &data[from..], bodies);
                    st.dirs[di].open(deseg_seq, nxtseq, need, &data[from..], seg.frame, keep);
                }
            }
        } else {
            // Not inside an MSP: the dissector gets the bytes as they are.
            let call = if blocked {
                Call::default()
            } else if keep_alive {
                Call {
                    declined: true,
                    ..Call::default()
                }
            } else {
                dissect_call(st, proto, &data[off..], seg, d, &mut fr)
            };
            if let Some((doff, need)) = call.need {
                fr.held_at_start |= off == 0 && doff == 0 && !call.shown;
                let deseg_seq = seq.wrapping_add(doff as u32);
                if nxtseq.wrapping_sub(deseg_seq) <= 1 << 20 {
                    let bytes = &data[off + doff..];
                    let keep = keep_of(st, proto, bytes, bodies);
                    st.dirs[di].open(deseg_seq, nxtseq, need, bytes, seg.frame, keep);
                }
            }
        }
        if another == 0 {
            break;
        }
        // desegment_tcp: what follows a PDU completed here may be a PDU
        // cut short, so the Protocol column stays as it is for the rest
        // of the segment (col_set_writable(COL_PROTOCOL, FALSE)).
        // (Nothing shown yet: it stays TCP's, and the note that the
        // segment's first bytes went into a PDU is written then.)
        fr.protocol_fixed = true;
        fr.held_first |= !fr.shown && fr.held_middle;
        if d.protocol.is_empty() {
            d.protocol = "TCP".into();
        }
        off += another;
        seq = seq.wrapping_add(another as u32);
    }
    let st_h2_via_http = st.h2_via_http;
    state.stats.completed += fr.completed;
    state.stats.too_large += too_large;
    if let Some(why) = refused {
        // The exception ends desegment_tcp: no note on the segment; what
        // PDUs before it wrote stays.
        if fr.shown {
            d.info = fr
                .infos
                .join(if proto == TcpProto::HTTP { "" } else { ", " });
        }
        return Handoff::Refused {
            why,
            shown: fr.shown,
        };
    }
    if fr.shown {
        // HTTP appends each message's text to the column as it is (its
        // texts end in a space); the others separate theirs.
        let text = fr
            .infos
            .join(if proto == TcpProto::HTTP { "" } else { ", " });
        if fr.held_first && proto == TcpProto::HTTP2 {
            // TCP's text and its note stay in front, fenced; HTTP/2's
            // follows after a separator.
            let sep = if text.starts_with(", ") { "" } else { ", " };
            d.info = format!("{} {HELD_NOTE}{sep}{text}", d.info);
            state.held_note = HeldNote::Kept;
        } else if fr.tcp_text_stays {
            d.info.push_str(&text);
        } else {
            d.info = text;
        }
        Handoff::Claimed
    } else if fr.declined {
        Handoff::Unclaimed
    } else {
        // TLS clears the column on every call; HTTP writes the first line
        // of a message it starts (its continuation path writes nothing).
        let writes = match proto {
            p if p == TcpProto::TLS => true,
            p if p == TcpProto::HTTP => http::starts_message(seg.data),
            // Reached through HTTP, which clears the column first.
            p if p == TcpProto::HTTP2 => st_h2_via_http,
            _ => false,
        };
        // (HTTP/2 clears the Info column on every call.)
        let again = fr.held_again.take().filter(|_| {
            proto == TcpProto::TLS
                || proto == TcpProto::HTTP
                || proto == TcpProto::HTTP2 && st_h2_via_http
        });
        state.held_note = if (fr.held_at_start && writes) || again.is_some() {
            // tshark replaces TCP's Info text (after the analysis labels)
            // with what the dissector wrote before asking for more (HTTP:
            // the first line) and the note. Protocols dissected through
            // tshark's tcp_dissect_pdus keep TCP's text.
            let start = match (again, proto) {
                (Some(text), _) => text,
                (None, p) if p == TcpProto::HTTP && d.wants_all() => http::held_info(seg.data),
                _ => String::new(),
            };
            HeldNote::Replace(if start.is_empty() {
                HELD_NOTE.to_string()
            } else {
                format!("{start} {HELD_NOTE}")
            })
        } else if fr.held_at_start || fr.held_middle {
            HeldNote::Append
        } else {
            HeldNote::None
        };
        Handoff::Held
    }
}

/// How many bytes of a PDU starting with `b` its MSP must keep: all,
/// unless it is an HTTP message whose body no field reads and whose
/// length the head gives (see [`http::elidable_prefix`]).
fn keep_of(st: &Stream, proto: TcpProto, b: &[u8], bodies: Bodies) -> u32 {
    if proto != TcpProto::HTTP || bodies == Bodies::Keep || st.h2_via_http {
        return u32::MAX;
    }
    http::elidable_prefix(b).map_or(u32::MAX, |n| n as u32)
}

/// An HTTP message reassembled from a kept prefix (its head and the first
/// bytes of its body) and its full length.
fn dissect_elided_http(
    st: &mut Stream,
    pdu: &desegment::Reassembled,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
    fr: &mut Frame,
) -> Call {
    let mark = d.fields.len();
    fr.http_layer = true;
    let mut sub = d.part();
    let next = http::dissect_sized(
        &pdu.bytes,
        pdu.len,
        &mut st.http,
        seg.from_client,
        seg.at(),
        &mut sub,
    );
    take(d, sub, fr);
    if let Some(p) = next {
        st.proto = Some(p);
        st.h2_via_http = true;
    }
    mark_protocols(d, mark, &pdu.bytes);
    fr.shown = true;
    Call {
        shown: true,
        ..Call::default()
    }
}

/// How much more a PDU cut short needs: the rest of it when its header
/// says how long it is, else one more segment.
fn need_of(proto: TcpProto, b: &[u8], st: &Stream) -> desegment::Need {
    match (proto.tcp.pdu_total)(b, st) {
        Some(n) if n > b.len() => desegment::Need::Bytes((n - b.len()) as u32),
        _ => desegment::Need::OneMore,
    }
}

/// One call of the protocol's dissector on `buf` (a segment's bytes, or a
/// reassembled PDU): dissect the PDUs it holds, in order, until one is cut
/// short (then ask for more) or the bytes do not start one.
fn dissect_call(
    st: &mut Stream,
    proto: TcpProto,
    buf: &[u8],
    seg: TcpPayload<'_>,
    d: &mut Dissection,
    fr: &mut Frame,
) -> Call {
    let mark = d.fields.len();
    let mut call = Call::default();
    let mut call_http_layer = false;
    let mut cur = proto;
    let mut off = 0;
    if cur == TcpProto::TLS {
        if tls::declines(buf) {
            call.declined = true;
            fr.declined = true;
            return call;
        }
        // The TLS dissector adds its protocol on every call, also when it
        // then only asks for more bytes (the columns stay TCP's then).
        let value = d.bytes(&tls::P_TLS, buf);
        d.fields.push(super::Field {
            def: &tls::P_TLS,
            value,
        });
    }
    while off < buf.len() {
        let rest = &buf[off..];
        if cur == TcpProto::TLS {
            match tls::step(rest, &st.tls) {
                tls::Step::Record(n) => {
                    let pdu = &rest[..n];
                    tls::note_record(pdu, &mut st.tls);
                    let mut sub = d.part();
                    tls::dissect(pdu, &mut st.tls, seg.from_client, &mut sub);
                    take(d, sub, fr);
                    call.shown = true;
                    off += n;
                }
                tls::Step::Need(n) => {
                    let need = n.map_or(desegment::Need::OneMore, |n| {
                        desegment::Need::Bytes(n as u32)
                    });
                    call.need = Some((off, need));
                    break;
                }
                tls::Step::Skip(n, info) => {
                    // The SSLv2 record dissector names its protocol in the
                    // column; continuation data leaves the column as it is.
                    if fr.protocol_fixed {
                    } else if info == tls::SSLV2_INFO {
                        d.protocol = "SSLv2".into();
                    } else if !call.shown {
                        d.protocol = tls::continuation_protocol(&st.tls);
                    }
                    call.shown = true;
                    fr.infos.push(info.into());
                    off = n.map_or(buf.len(), |n| off.saturating_add(n));
                }
            }
            continue;
        }
        // An HTTP message whose length is known and not yet all there
        // needs no new parse of its head.
        if cur == TcpProto::HTTP && (cur.tcp.pdu_total)(rest, st).is_some_and(|n| rest.len() < n) {
            call.need = Some((off, need_of(cur, rest, st)));
            http_first_line(rest, call.shown || fr.shown, d, fr);
            break;
        }
        match (cur.tcp.pdu_len)(rest, st, seg.from_client) {
            Pdu::Len(n) => {
                let pdu = &rest[..n];
                // HTTP/2 reached through HTTP shows HTTP's layer once per
                // call of the dissectors (per reassembled PDU, and for the
                // rest of the segment), as tshark lists the layers.
                if cur == TcpProto::HTTP2 && st.h2_via_http && !call_http_layer {
                    d.fields.push(super::Field {
                        def: &L_HTTP,
                        value: super::Value::None,
                    });
                }
                call_http_layer |= cur == TcpProto::HTTP || st.h2_via_http;
                fr.http_layer |= call_http_layer;
                let mut sub = d.part();
                let next = (cur.tcp.dissect)(st, pdu, seg, &mut sub);
                take(d, sub, fr);
                call.shown = true;
                off += n;
                if let Some(p) = next {
                    st.proto = Some(p);
                    st.h2_via_http = true;
                    cur = p;
                }
            }
            Pdu::Incomplete => {
                call.need = Some((off, need_of(cur, rest, st)));
                if cur == TcpProto::HTTP {
                    http_first_line(rest, call.shown || fr.shown, d, fr);
                }
                break;
            }
            Pdu::Invalid if cur == TcpProto::HTTP => {
                let mut sub = d.part();
                let seen = st.http.seen_request();
                match http::continuation(rest, &mut st.http, seg.at(), true, &mut sub) {
                    http::Continuation::NeedMore(at) => {
                        call.need = Some((off + at, desegment::Need::OneMore));
                    }
                    http::Continuation::Shown(body) => {
                        // Before a request, HTTP leaves the columns to TCP.
                        fr.tcp_text_stays |= !seen && !fr.shown;
                        let value = d.bytes(&http::P_HTTP, rest);
                        d.fields.push(super::Field {
                            def: &http::P_HTTP,
                            value,
                        });
                        take(d, sub, fr);
                        super::data::push(d, &rest[body.min(rest.len())..]);
                        call.shown = true;
                    }
                    http::Continuation::Nothing => {}
                }
                break;
            }
            Pdu::Invalid => {
                // Not at a PDU boundary (lost segments): the bytes are
                // dropped, shown as data when nothing came before.
                if !call.shown {
                    call.declined = true;
                }
                break;
            }
        }
    }
    if call.shown {
        mark_protocols(d, mark, buf);
        fr.shown = true;
    }
    fr.declined |= call.declined;
    call
}

/// HTTP writes the first line of a message to the Info column before it
/// asks for the rest: after a message shown in the same frame, that text
/// follows it (when nothing was shown, the held-segment note replaces the
/// column: see [`HeldNote`]).
fn http_first_line(rest: &[u8], after_shown: bool, d: &Dissection, fr: &mut Frame) {
    if after_shown && d.wants_all() {
        let line = http::held_info(rest);
        if !line.is_empty() {
            fr.infos.push(line);
        }
    }
}

/// Move a dissector's output into the frame's.
fn take(d: &mut Dissection, mut sub: Dissection, fr: &mut Frame) {
    d.fields.append(&mut sub.fields);
    d.malformed |= sub.malformed;
    d.malformed_noted |= sub.malformed_noted;
    // A media dissector's name (HTTP/JSON) stays for the frame: a later
    // HTTP message does not set the column back.
    let keep = sub.protocol.is_empty()
        || fr.protocol_fixed
        || sub.protocol == "HTTP" && d.protocol.starts_with("HTTP/");
    if !keep {
        d.protocol = sub.protocol;
    }
    if let Some(fresh) = sub.info.strip_prefix(http2::INFO_RESET) {
        fr.infos.clear();
        fr.infos.push(fresh.to_string());
    } else if !sub.info.is_empty() {
        fr.infos.push(sub.info);
    }
    fr.shown = true;
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// A NetBIOS datagram header (mixed_large_web.pcap frame 252).
    const NBDGM_TO_SMB: &str = "11028961c0a864ce008a00b00000204646464445464643434e464145444341434143414341434143414341434141410020464845504643454c45484643455046464641434143414341434143414341424f00";
    /// The same datagram up to the browser message of its mailslot write.
    const NBDGM_TO_BROWSER: &str = "11028961c0a864ce008a00b00000204646464445464643434e464145444341434143414341434143414341434141410020464845504643454c45484643455046464641434143414341434143414341424f00ff534d422500000000000000000000000000000000000000000000000000000011000016000000000000000000e803000000000000000016005600030001000100020027005c4d41494c534c4f545c42524f57534500";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn entry_points_never_panic(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            sp in prop::sample::select(vec![7u16, 13, 53, 67, 68, 80, 137, 138, 179, 443, 520, 521, 546, 547, 5353, 8080, 40000]),
            dp in prop::sample::select(vec![7u16, 13, 53, 67, 68, 80, 137, 138, 179, 443, 520, 521, 546, 547, 5353, 8080, 40000]),
            seq in 0u32..2000,
        ) {
            let mut st = AppState::default();
            let ep = Endpoints { src_port: sp, dst_port: dp };
            let mut d = Dissection::default();
            udp(&mut st, ep, Datagram::default(), &data, &mut d);
            let mut d = Dissection::default();
            ip_proto(&mut st, 89, &data, &mut d);
            for (i, chunk) in data.chunks(97).enumerate() {
                let mut d = Dissection::default();
                tcp(&mut st, ep, TcpPayload { stream: 1, from_client: i % 3 != 2, seq: seq + (i as u32) * 97, data: chunk, frame: i as u64, flags: 0, ts_ns: 0 }, &mut d);
            }
            // Prefixed with valid-looking headers, to get past the first checks.
            // A NetBIOS datagram up to its SMB header, and up to the
            // browser message of a mailslot write.
            let smb = super::tests::hex(NBDGM_TO_SMB);
            let browser = super::tests::hex(NBDGM_TO_BROWSER);
            for prefix in [&smb[..], &browser[..], &b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"[..], b"\x16\x03\x01\x00\x40", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &[0xff; 16], b"\x02\x02\x00\x00", b"\xc0\x00\x00\x00\x01", b"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x07", b"\x00\x00\x00\x01\x00\x00\x00\x01"] {
                let mut v = prefix.to_vec();
                v.extend_from_slice(&data);
                let mut d = Dissection::default();
                udp(&mut st, ep, Datagram::default(), &v, &mut d);
                let mut d = Dissection::default();
                ip_proto(&mut st, 89, &v, &mut d);
                let mut d = Dissection::default();
                tcp(&mut st, ep, TcpPayload { stream: 9, from_client: true, seq: 0, data: &v, frame: 1, flags: 0, ts_ns: 0 }, &mut d);
            }
        }
    }
}
