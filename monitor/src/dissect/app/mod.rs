//! Application-layer dissectors (DNS, DHCP, DHCPv6, HTTP/1.x, TLS, HTTP/2,
//! QUIC, RIP/RIPng, OSPFv2/v3, BGP, ONC RPC), called by the transport dissectors with
//! the payload.
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
//!   (DNS/mDNS/LLMNR, DHCP, DHCPv6, RIP, RIPng, QUIC, ONC RPC with NFS);
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
//! Each returns true when it claimed the payload, and then has set the
//! Protocol and Info columns. Cross-packet state lives in [`AppState`]
//! (one per capture or live session), with bounded memory.

mod bgp;
mod dhcp;
mod dhcpv6;
mod dns;
mod http;
mod http2;
mod ospf;
mod quic;
mod rip;
mod rpc;
mod tls;
mod util;

#[cfg(test)]
mod difftest;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};

pub use rpc::Datagram;

use super::{Dissection, FieldDef};

/// Field tables of the application dissectors.
pub static TABLES: &[&[&FieldDef]] = &[
    PROTOCOL_FIELDS,
    &[&P_NFS],
    FOREIGN_PROTOCOLS,
    dns::FIELDS,
    dhcp::FIELDS,
    dhcpv6::FIELDS,
    http::FIELDS,
    tls::FIELDS,
    http2::FIELDS,
    quic::FIELDS,
    rip::FIELDS,
    ospf::FIELDS,
    bgp::FIELDS,
    rpc::FIELDS,
];

/// Most TCP streams whose reassembly state is kept at once (oldest dropped).
const MAX_STREAMS: usize = 4096;
/// Most bytes buffered for one direction of one stream; a PDU larger than
/// this is given up (its segments stay plain TCP).
const MAX_BUFFER: usize = 4 << 20;
/// Most bytes buffered over all streams; past it, the stream that grew is
/// given up.
const MAX_TOTAL: usize = 64 << 20;

/// The application protocol a TCP stream carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TcpProto {
    Dns,
    Http,
    Http2,
    Tls,
    Bgp,
}

/// Reassembly state of one direction of one TCP stream.
#[derive(Debug, Default)]
struct Direction {
    /// Relative sequence number the next in-order byte will have.
    next_seq: Option<u32>,
    /// Bytes of an unfinished PDU, starting at a PDU boundary.
    buf: Vec<u8>,
    /// Segments that arrived ahead of a gap inside an unfinished PDU, by
    /// relative sequence number (tshark fills such gaps when they arrive).
    ahead: std::collections::BTreeMap<u32, Vec<u8>>,
    /// Bytes held in `ahead` (kept as it changes: a lossy bulk transfer
    /// can queue thousands of segments, too many to sum per segment).
    ahead_len: usize,
    /// [`pdu_total`] of the PDU `buf` starts with, once its header says
    /// (it cannot change as bytes are appended); cleared when the start of
    /// `buf` moves. Saves parsing a large PDU's head on every segment.
    total: Option<(TcpProto, usize)>,
}

impl Direction {
    /// Append queued segments that have become contiguous.
    fn drain_ahead(&mut self) {
        while let Some(next) = self.next_seq {
            let Some((&seq, _)) = self.ahead.iter().next() else {
                break;
            };
            if (seq.wrapping_sub(next) as i32) > 0 {
                break;
            }
            let data = self.ahead.remove(&seq).unwrap_or_default();
            self.ahead_len -= data.len();
            let end = seq.wrapping_add(data.len() as u32);
            if (end.wrapping_sub(next) as i32) > 0 {
                let skip = next.wrapping_sub(seq) as usize;
                self.buf.extend_from_slice(&data[skip..]);
                self.next_seq = Some(end);
            }
        }
    }

    fn ahead_bytes(&self) -> usize {
        self.ahead_len
    }

    /// Keep a segment that arrived ahead of a gap.
    fn queue_ahead(&mut self, seq: u32, data: &[u8]) {
        self.ahead_len += data.len();
        if let Some(old) = self.ahead.insert(seq, data.to_vec()) {
            self.ahead_len -= old.len();
        }
    }

    /// [`pdu_total`] of the PDU at the start of `buf`, cached.
    fn head_total(&mut self, proto: TcpProto) -> Option<usize> {
        match self.total {
            Some((p, n)) if p == proto => Some(n),
            _ => {
                let n = pdu_total(proto, &self.buf)?;
                self.total = Some((proto, n));
                Some(n)
            }
        }
    }

    fn clear_ahead(&mut self) {
        self.ahead.clear();
        self.ahead_len = 0;
    }
}

/// Reassembly state of one TCP stream.
#[derive(Debug, Default)]
struct Stream {
    dirs: [Direction; 2],
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
    order: VecDeque<u64>,
    stats: ReassemblyStats,
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
        self.dirs
            .iter()
            .map(|d| d.buf.len() + d.ahead_bytes())
            .sum::<usize>()
            + self.h2.buffered()
            + self.tls.buffered()
    }
}

impl AppState {
    /// Reassembly counters, and the streams in progress now.
    pub fn reassembly_stats(&self) -> ReassemblyStats {
        let in_progress = self
            .streams
            .values()
            .filter(|s| {
                s.dirs
                    .iter()
                    .any(|d| !d.buf.is_empty() || !d.ahead.is_empty())
            })
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

macro_rules! protocols {
    ($($id:ident $name:literal $desc:literal),* $(,)?) => {
        $(static $id: FieldDef = FieldDef::new($name, super::FieldType::Protocol, super::Base::Dec, $desc);)*
        /// The application protocols themselves (`dns`, `http`, …), for
        /// existence tests in display filters.
        pub static PROTOCOL_FIELDS: &[&FieldDef] = &[$(&$id),*];
    };
}

protocols! {
    P_DNS "dns" "Domain Name System",
    P_MDNS "mdns" "Multicast Domain Name System",
    P_LLMNR "llmnr" "Link-local Multicast Name Resolution",
    P_DHCP "dhcp" "Dynamic Host Configuration Protocol",
    P_DHCPV6 "dhcpv6" "DHCPv6",
    P_HTTP "http" "Hypertext Transfer Protocol",
    P_TLS "tls" "Transport Layer Security",
    P_HTTP2 "http2" "HyperText Transfer Protocol 2",
    P_QUIC "quic" "QUIC IETF",
    // HTTP/3 travels inside QUIC's encrypted payload; like tshark without
    // the session keys, no frame ever carries it, but filters may name it.
    P_HTTP3 "http3" "Hypertext Transfer Protocol Version 3",
    P_MEDIA "media" "Media Type",
    P_TEXT_LINES "data-text-lines" "Line-based text data",
    P_GIF "image-gif" "Compuserve GIF",
    P_JFIF "image-jfif" "JPEG File Interchange Format",
    P_PNG "png" "Portable Network Graphics",
    P_JSON "json" "JavaScript Object Notation",
    P_XML "xml" "eXtensible Markup Language",
    P_FORM "urlencoded-form" "HTML Form URL Encoded",
    P_RIP "rip" "Routing Information Protocol",
    P_RIPNG "ripng" "RIPng",
    P_OSPF "ospf" "Open Shortest Path First",
    P_BGP "bgp" "Border Gateway Protocol",
    P_RPC "rpc" "Remote Procedure Call",
}

/// NFS: RPC shows the program's subtree on every NFS message, but calls
/// the NFS dissector (a `frame.protocols` layer, [`L_NFS`]) only on
/// arguments or results.
static P_NFS: FieldDef = FieldDef::tree_only("nfs", "Network File System");
static L_NFS: FieldDef = FieldDef::layer_only("layer-only:nfs");

/// HTTP as the carrier of HTTP/2 on a connection HTTP was chosen for
/// (an h2c upgrade, or the HTTP/2 preface on an HTTP port): tshark lists
/// `http` before `http2` but shows no HTTP item.
static L_HTTP: FieldDef = FieldDef::layer_only("layer-only:http");

macro_rules! foreign_protocols {
    ($($id:ident $name:literal $desc:literal),* $(,)?) => {
        $(static $id: FieldDef = FieldDef::new($name, super::FieldType::Protocol, super::Base::Dec, $desc);)*
        /// Wireshark protocols not dissected here whose names read as byte
        /// strings. tshark takes `ipv6.dst[0] == ff` as a comparison with the
        /// (absent) FOUNDATION Fieldbus protocol, never as the byte 0xff, so
        /// these names must resolve to protocols here too.
        pub static FOREIGN_PROTOCOLS: &[&FieldDef] = &[$(&$id),*];
    };
}

foreign_protocols! {
    F_A11 "a11" "3GPP2 A11",
    F_A21 "a21" "A21 Protocol",
    F_A615A "a615a" "Arinc 615a Protocol",
    F_AAF "aaf" "AVTP Audio Format",
    F_ACF "acf" "ACF Message",
    F_ADB "adb" "Android Debug Bridge",
    F_BFD "bfd" "Bidirectional Forwarding Detection Control Message",
    F_C1222 "c1222" "ANSI C12.22",
    F_C15 "c15" "C15 Call History Protocol",
    F_DC "dc" "Dublin Core Metadata (DC)",
    F_DCC "dcc" "Distributed Checksum Clearinghouse protocol",
    F_E164 "e164" "ITU-T E.164 number",
    F_E212 "e212" "ITU-T E.212 number",
    F_E100 "e100" "E100 Encapsulation",
    F_FC "fc" "Fibre Channel",
    F_FC00 "fc00" "Fc00 CryptoAuth",
    F_FEFD "fefd" "Far End Failure Detection",
    F_FF "ff" "FOUNDATION Fieldbus",
}

/// The protocol a field prefix belongs to (the Protocol column tells the
/// DNS family apart: mDNS and LLMNR use `dns.*` fields).
fn protocol_of(prefix: &str, column: &str) -> Option<&'static FieldDef> {
    Some(match prefix {
        "dns" => match column {
            "MDNS" => &P_MDNS,
            "LLMNR" => &P_LLMNR,
            _ => &P_DNS,
        },
        "dhcp" => &P_DHCP,
        "dhcpv6" => &P_DHCPV6,
        "http" => &P_HTTP,
        "tls" => &P_TLS,
        "http2" => &P_HTTP2,
        "quic" => &P_QUIC,
        "rip" => &P_RIP,
        "ripng" => &P_RIPNG,
        "ospf" => &P_OSPF,
        "bgp" => &P_BGP,
        "rpc" => &P_RPC,
        "nfs" => &P_NFS,
        _ => return None,
    })
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
            // A layer the dissector started itself.
            if protocol_of(prefix, &d.protocol).is_some_and(|p| std::ptr::eq(p, def)) {
                seen.push(def.name);
            }
        } else if !embedded {
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
fn doh(body: &[u8], d: &mut Dissection) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let mut sub = d.part();
    if !dns::dissect(body, dns::Transport::Udp, "DoH", &mut sub) {
        return None;
    }
    let v = d.bytes(&P_DNS, body);
    d.push(&P_DNS, v);
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
    for port in ep.ordered() {
        let done = match port {
            53 => dns::dissect(payload, dns::Transport::Udp, "DNS", d),
            5353 => dns::dissect(payload, dns::Transport::Udp, "MDNS", d),
            5355 => dns::dissect(payload, dns::Transport::Udp, "LLMNR", d),
            67 | 68 => dhcp::dissect(payload, d),
            546 | 547 => dhcpv6::dissect(payload, d),
            520 => rip::dissect(payload, d),
            521 => rip::dissect_ng(payload, d),
            443 => quic::dissect(payload, &mut state.quic, d),
            _ => false,
        };
        if done {
            return true;
        }
    }
    // tshark's heuristic dissectors: ONC RPC (a call to a known program,
    // or the reply to one), then QUIC (a long-header packet of a known
    // version; the port pair is QUIC from then on).
    if rpc::dissect(payload, &mut state.rpc, dg, d) {
        return true;
    }
    if quic::heuristic(payload) {
        state.quic.note_ports(ep.src_port, ep.dst_port);
    }
    state.quic.has_ports(ep.src_port, ep.dst_port) && quic::dissect(payload, &mut state.quic, d)
}

/// Dissect an IP payload of a protocol that runs directly over IP (OSPF,
/// IP protocol 89). Returns true when some dissector claimed it.
pub fn ip_proto(_state: &mut AppState, proto: u8, payload: &[u8], d: &mut Dissection) -> bool {
    let mark = d.fields.len();
    let claimed = match proto {
        89 => ospf::dissect(payload, d),
        _ => false,
    };
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
        return Some(TcpProto::Http2);
    }
    by_port(ep)
}

/// The protocol the ports of a TCP stream say.
fn by_port(ep: Endpoints) -> Option<TcpProto> {
    for port in ep.ordered() {
        match port {
            53 => return Some(TcpProto::Dns),
            179 => return Some(TcpProto::Bgp),
            443 | 465 | 993 | 995 | 636 | 853 | 8443 => return Some(TcpProto::Tls),
            // tshark's default HTTP port range.
            80 | 3128 | 3132 | 5985 | 8080 | 8088 | 11371 | 1900 | 2869 | 2710 => {
                return Some(TcpProto::Http)
            }
            _ => {}
        }
    }
    None
}

/// tshark's heuristic dissectors on TCP: a conversation that starts like
/// TLS or HTTP is that protocol from then on.
fn heuristic_proto(data: &[u8]) -> Option<TcpProto> {
    if tls::heuristic(data) {
        Some(TcpProto::Tls)
    } else if http::starts_message(data) {
        Some(TcpProto::Http)
    } else {
        None
    }
}

fn pdu_len(proto: TcpProto, buf: &[u8], st: &Stream, from_client: bool) -> Pdu {
    match proto {
        TcpProto::Dns => {
            if buf.len() < 2 {
                return Pdu::Incomplete;
            }
            let n = 2 + usize::from(u16::from_be_bytes([buf[0], buf[1]]));
            if buf.len() >= n {
                Pdu::Len(n)
            } else {
                Pdu::Incomplete
            }
        }
        TcpProto::Bgp => bgp::pdu_len(buf),
        TcpProto::Tls => tls::pdu_len(buf),
        TcpProto::Http => http::pdu_len(buf, &st.http, from_client),
        TcpProto::Http2 => http2::pdu_len(buf),
    }
}

/// Total length of the PDU starting `buf`, when its header is there.
fn pdu_total(proto: TcpProto, buf: &[u8]) -> Option<usize> {
    match proto {
        TcpProto::Dns => Some(2 + usize::from(util::be16(buf, 0)?)),
        TcpProto::Tls => Some(5 + usize::from(util::be16(buf, 3)?)),
        TcpProto::Bgp => Some(usize::from(util::be16(buf, 16)?)),
        TcpProto::Http2 if buf.first() == Some(&b'P') => None,
        TcpProto::Http2 => Some(9 + util::be24(buf, 0)? as usize),
        TcpProto::Http => http::total_len(buf),
    }
}

/// tshark's TLS dissector adds its protocol each time TCP calls it, also
/// when it then only asks for more data; `frame.protocols` lists one `tls`
/// per call. TCP calls it on a record completed by this segment (or on the
/// bytes held from earlier segments while their record header, 5 bytes, is
/// still incomplete) and once more on the bytes that start in this segment.
/// The fields of dissected records already bring one `tls`; this adds an
/// empty one for each further call. `buf[off..]` is what stays held, `own`
/// the range of this segment's bytes in `buf`.
fn tls_markers(
    buf: &[u8],
    off: usize,
    own: &std::ops::Range<usize>,
    own_pdu: bool,
    earlier_pdu: bool,
    d: &mut Dissection,
) {
    const HEADER: usize = 5;
    let held_before = own.start;
    let earlier_call = earlier_pdu || (held_before > 0 && held_before < HEADER && off < own.start);
    let own_call = own_pdu || (off < buf.len() && off >= own.start);
    let calls = usize::from(earlier_call) + usize::from(own_call);
    let with_fields = usize::from(earlier_pdu || own_pdu);
    for _ in with_fields..calls {
        let value = d.bytes(&P_TLS, &buf[off.min(buf.len())..]);
        d.fields.push(super::Field { def: &P_TLS, value });
    }
}

/// What became of a TCP payload handed to the application dissectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// A dissector claimed it (and dissected at least one PDU).
    Claimed,
    /// It is held to be reassembled with later segments: nothing to show
    /// yet, and (as in tshark) it is not shown as `data` either.
    Held,
    /// No dissector wanted it.
    Unclaimed,
}

/// Dissect a TCP payload (reassembling across segments as tshark does by
/// default).
pub fn tcp(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
) -> Handoff {
    if seg.data.is_empty() {
        return Handoff::Unclaimed;
    }
    let before = state.streams.get(&seg.stream).map_or(0, Stream::buffered);
    let mark = d.fields.len();
    let outcome = tcp_inner(state, ep, seg, d);
    if outcome == Handoff::Claimed {
        mark_protocols(d, mark, seg.data);
    }
    let others = state.buffered.saturating_sub(before);
    let st = state.stream(seg.stream);
    let mut after = st.buffered();
    let shed = others + after > MAX_TOTAL;
    if shed {
        for dir in &mut st.dirs {
            dir.buf = Vec::new();
            dir.total = None;
            dir.clear_ahead();
        }
        st.h2.shed();
        st.tls.shed();
        after = 0;
    }
    state.stats.memory += u64::from(shed);
    state.buffered = others + after;
    outcome
}

fn tcp_inner(
    state: &mut AppState,
    ep: Endpoints,
    seg: TcpPayload<'_>,
    d: &mut Dissection,
) -> Handoff {
    let st = state.stream(seg.stream);
    let di = usize::from(!seg.from_client);
    if seg.data.starts_with(http2::PREFACE) && st.proto != Some(TcpProto::Http2) {
        // Prior-knowledge HTTP/2: the whole connection is HTTP/2, reached
        // through HTTP when that is what the stream was taken for.
        st.h2_via_http = st.proto.or(by_port(ep)) == Some(TcpProto::Http);
        st.proto = Some(TcpProto::Http2);
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
    // Does this segment look like the start of a PDU of its own?
    let starts_pdu = pdu_len(proto, seg.data, st, seg.from_client) != Pdu::Invalid;
    // Where the unfinished PDU (if any) ends, when its header says so.
    let pending_end = {
        let dir = &mut st.dirs[di];
        let total = if dir.buf.is_empty() {
            None
        } else {
            dir.head_total(proto)
        };
        match (dir.next_seq, total) {
            (Some(next), Some(total)) => Some(
                next.wrapping_sub(dir.buf.len() as u32)
                    .wrapping_add(total as u32),
            ),
            _ => None,
        }
    };
    // Place the segment in the byte stream; its own bytes end up at
    // `own` in the buffer (the rest came with other segments).
    let own = {
        let dir = &mut st.dirs[di];
        let end = seg.seq.wrapping_add(seg.data.len() as u32);
        let mut start = dir.buf.len();
        match dir.next_seq {
            Some(next) if seg.seq == next => dir.buf.extend_from_slice(seg.data),
            Some(next) if (next.wrapping_sub(seg.seq) as i32) > 0 => {
                // Retransmission or overlap: the bytes were seen already.
                if (end.wrapping_sub(next) as i32) <= 0 {
                    return Handoff::Unclaimed;
                }
                let skip = next.wrapping_sub(seg.seq) as usize;
                dir.buf.extend_from_slice(&seg.data[skip..]);
            }
            Some(_)
                if !dir.buf.is_empty()
                    && !starts_pdu
                    && dir.ahead_bytes() + seg.data.len() <= MAX_BUFFER =>
            {
                if pending_end.is_some_and(|e| (end.wrapping_sub(e) as i32) > 0) {
                    // Past the end of the unfinished PDU: the stream is out
                    // of step; skip to after this segment.
                    dir.buf.clear();
                    dir.total = None;
                    dir.clear_ahead();
                    dir.next_seq = Some(end);
                    return Handoff::Unclaimed;
                }
                // Ahead of a gap inside an unfinished PDU: keep for later.
                dir.queue_ahead(seg.seq, seg.data);
                return Handoff::Held;
            }
            _ => {
                // First data, or a gap between PDUs: start afresh here.
                dir.buf.clear();
                dir.total = None;
                dir.clear_ahead();
                dir.buf.extend_from_slice(seg.data);
                start = 0;
            }
        }
        let own = start..dir.buf.len();
        dir.next_seq = Some(end);
        dir.drain_ahead();
        own
    };
    // PDUs dissected here that started in this segment / in earlier ones.
    let (mut own_pdu, mut earlier_pdu) = (false, false);
    let mut multi_segment = 0;
    let mut buf = std::mem::take(&mut st.dirs[di].buf);
    // Valid for `buf[0..]` only (set above when the buffer was not empty).
    let head_total = st.dirs[di].total.take();
    let mut off = 0;
    let mut claimed = false;
    let mut infos: Vec<String> = Vec::new();
    let mut cur = proto;
    // An HTTP layer is in this frame already (a message before the switch
    // to HTTP/2, or the carrier of HTTP/2 frames).
    let mut http_layer = false;
    loop {
        if off >= buf.len() {
            break;
        }
        // An HTTP message whose length is known and not yet all there needs
        // no new parse of its head.
        if cur == TcpProto::Http {
            let total = match head_total {
                Some((p, n)) if off == 0 && p == cur => Some(n),
                _ => pdu_total(cur, &buf[off..]),
            };
            if total.is_some_and(|n| buf.len() - off < n) {
                break;
            }
        }
        match pdu_len(cur, &buf[off..], st, seg.from_client) {
            Pdu::Len(n) => {
                if off < own.start || off + n > own.end {
                    multi_segment += 1;
                }
                if off >= own.start {
                    own_pdu = true;
                } else {
                    earlier_pdu = true;
                }
                let pdu = &buf[off..off + n];
                if cur == TcpProto::Http2 && st.h2_via_http && !http_layer {
                    d.fields.push(super::Field {
                        def: &L_HTTP,
                        value: super::Value::None,
                    });
                }
                http_layer |= cur == TcpProto::Http || st.h2_via_http;
                let mut sub = d.part();
                let next = match cur {
                    TcpProto::Dns => {
                        dns::dissect(pdu, dns::Transport::Tcp, "DNS", &mut sub);
                        None
                    }
                    TcpProto::Bgp => {
                        bgp::dissect(pdu, &mut st.bgp, seg.from_client, &mut sub);
                        None
                    }
                    TcpProto::Tls => {
                        tls::dissect(pdu, &mut st.tls, seg.from_client, &mut sub);
                        None
                    }
                    TcpProto::Http => {
                        http::dissect(pdu, &mut st.http, seg.from_client, seg.frame, &mut sub)
                    }
                    TcpProto::Http2 => {
                        http2::dissect(pdu, &mut st.h2, seg.from_client, &mut sub);
                        None
                    }
                };
                d.fields.append(&mut sub.fields);
                d.malformed |= sub.malformed;
                if !sub.protocol.is_empty() {
                    d.protocol = sub.protocol;
                }
                if let Some(fresh) = sub.info.strip_prefix(http2::INFO_RESET) {
                    infos.clear();
                    infos.push(fresh.to_string());
                } else if !sub.info.is_empty() {
                    infos.push(sub.info);
                }
                claimed = true;
                off += n;
                if let Some(p) = next {
                    st.proto = Some(p);
                    st.h2_via_http = true;
                    cur = p;
                }
            }
            Pdu::Incomplete => break,
            Pdu::Invalid => {
                // Not at a PDU boundary (lost segments): drop the bytes;
                // on HTTP connections tshark shows them as a continuation.
                if cur == TcpProto::Http {
                    let mut sub = d.part();
                    http::continuation(&buf[off..], &mut sub);
                    d.fields.append(&mut sub.fields);
                    if !claimed {
                        d.protocol = sub.protocol;
                        infos.push(sub.info);
                    }
                    claimed = true;
                } else if cur == TcpProto::Tls {
                    d.protocol = tls::continuation_protocol(&st.tls);
                    infos.push(tls::continuation_info(&st.tls).into());
                    claimed = true;
                }
                off = buf.len();
                break;
            }
        }
    }
    if cur == TcpProto::Tls {
        tls_markers(&buf, off, &own, own_pdu, earlier_pdu, d);
    }
    buf.drain(..off);
    let too_large = buf.len() > MAX_BUFFER;
    if too_large {
        buf = Vec::new();
    }
    let held = !buf.is_empty();
    if off == 0 && held {
        st.dirs[di].total = head_total;
    }
    st.dirs[di].buf = buf;
    state.stats.completed += multi_segment;
    state.stats.too_large += u64::from(too_large);
    if claimed {
        d.info = infos.join(", ");
        Handoff::Claimed
    } else if held {
        Handoff::Held
    } else {
        Handoff::Unclaimed
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn entry_points_never_panic(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            sp in prop::sample::select(vec![53u16, 67, 68, 80, 179, 443, 520, 521, 546, 547, 5353, 8080, 40000]),
            dp in prop::sample::select(vec![53u16, 67, 68, 80, 179, 443, 520, 521, 546, 547, 5353, 8080, 40000]),
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
                tcp(&mut st, ep, TcpPayload { stream: 1, from_client: i % 3 != 2, seq: seq + (i as u32) * 97, data: chunk, frame: i as u64 }, &mut d);
            }
            // Prefixed with valid-looking headers, to get past the first checks.
            for prefix in [&b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"[..], b"\x16\x03\x01\x00\x40", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &[0xff; 16], b"\x02\x02\x00\x00", b"\xc0\x00\x00\x00\x01", b"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x07", b"\x00\x00\x00\x01\x00\x00\x00\x01"] {
                let mut v = prefix.to_vec();
                v.extend_from_slice(&data);
                let mut d = Dissection::default();
                udp(&mut st, ep, Datagram::default(), &v, &mut d);
                let mut d = Dissection::default();
                ip_proto(&mut st, 89, &v, &mut d);
                let mut d = Dissection::default();
                tcp(&mut st, ep, TcpPayload { stream: 9, from_client: true, seq: 0, data: &v, frame: 1 }, &mut d);
            }
        }
    }
}
