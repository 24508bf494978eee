//! The packet pipeline: owns every piece of cross-packet state (IP
//! reassembly, conversation tables, the TCP analyzer, application state)
//! and turns a [`PacketRecord`] into a [`Dissection`]. Capture files and the
//! live ring buffer go through the same code.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::app::AppState;
use super::reassembly::Table;
use super::{frame, Base, Dissection, FieldDef, FieldType, Layer, Value};
use crate::record::PacketRecord;
use crate::tcp_analysis::{Analyzer, Config};

fields! {
    MALFORMED = "_ws.malformed", Protocol, Base::Dec, "Malformed Packet";
}

/// Per-packet dissection context: the output and what lower layers tell
/// upper ones.
pub(crate) struct Cx<'a> {
    /// The dissection being built.
    pub d: &'a mut Dissection,
    /// Protocol names for `frame.protocols`.
    pub protos: Vec<&'static str>,
    /// Frame number (from 1).
    pub frame: u64,
    /// Capture time, ns since the epoch.
    pub ts_ns: i64,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// Bytes of the frame the snapshot length cut off (length on the wire
    /// less the bytes captured): a slice that runs to the end of the
    /// captured bytes stood for this many more on the wire.
    pub cut: usize,
    /// Field that shows bytes after the payload (`vlan.trailer` inside a tag).
    pub trailer_field: Option<&'static FieldDef>,
    /// Nesting depth: non-zero inside the packet quoted by an ICMP error,
    /// where no state is updated and the columns are left to the outer layers.
    pub depth: u8,
    /// True while dissecting a reassembled IP payload.
    pub reassembled: bool,
    /// The first error found ran past the length on the wire, not only past
    /// the captured bytes (see [`Cx::malformed_reported`]).
    pub past_reported: bool,
    /// The frame ended before any layer set the Protocol column, and
    /// tshark leaves it empty (rather than naming the last layer).
    pub no_protocol: bool,
}

impl Cx<'_> {
    /// Start a protocol layer.
    pub fn proto(&mut self, def: &'static FieldDef, name: &'static str) {
        self.d.push(def, Value::None);
        self.protos.push(name);
    }

    /// Start a protocol layer whose value is `bytes` (from its header to the
    /// end of what it carries), for `contains`, `matches` and slices.
    pub fn proto_bytes(&mut self, def: &'static FieldDef, name: &'static str, bytes: &[u8]) {
        self.proto_item(def, bytes);
        self.protos.push(name);
    }

    /// The item of a protocol layer already named in `frame.protocols`
    /// (tshark names a layer when its dissector is called, and adds the
    /// item only once the fields it reads first are there).
    pub fn proto_item(&mut self, def: &'static FieldDef, bytes: &[u8]) {
        let v = if self.d.wants_all() {
            Value::Bytes(bytes.to_vec())
        } else {
            Value::None
        };
        self.d.push(def, v);
    }

    /// Mark the packet malformed at `layer` (the first layer marked is
    /// the one reported).
    pub fn malformed(&mut self, layer: Layer) {
        self.d.malformed = true;
        self.d.malformed_layer.get_or_insert(layer);
    }

    /// Mark the packet malformed at `layer` because a length runs past the
    /// end of the packet on the wire: malformed even when the snapshot
    /// length cut the frame (unless an earlier error was found).
    pub fn malformed_reported(&mut self, layer: Layer) {
        if !self.d.malformed {
            self.past_reported = true;
        }
        self.malformed(layer);
    }

    /// True when the Source/Destination columns are read (see
    /// [`Dissection::wants_all`]); their text need not be made otherwise.
    pub fn wants_columns(&self) -> bool {
        self.d.wants_all()
    }

    /// Set the Source/Destination columns (outermost packet only).
    pub fn set_addrs(&mut self, src: String, dst: String) {
        self.set_src(src);
        self.set_dst(dst);
    }

    /// Set the Source column (outermost packet only): a network layer
    /// does so as soon as it has read the source address, before the rest
    /// of its header (which may not have been captured).
    pub fn set_src(&mut self, src: String) {
        if self.depth == 0 && self.d.wants_all() {
            self.d.src = src;
        }
    }

    /// Set the Destination column (outermost packet only), as
    /// [`Cx::set_src`].
    pub fn set_dst(&mut self, dst: String) {
        if self.depth == 0 && self.d.wants_all() {
            self.d.dst = dst;
        }
    }

    /// Start the columns of a layer: its name in Protocol and an empty
    /// Info (outermost packet only). tshark's dissectors do this before or
    /// after their first reads; a layer whose first reads fail leaves the
    /// columns of the layer below.
    pub fn set_columns(&mut self, protocol: &str) {
        if self.depth == 0 {
            self.d.set_protocol(protocol);
            self.d.info.clear();
        }
    }
}

/// Blocks of core fields that dissectors push together, each skipped as a
/// whole when none of its fields is read and unread fields are left out
/// anyway ([`Pipeline::only_fields`]): one test per block instead of one
/// per field on every packet. Skipping changes nothing else: the fields
/// of a quiet block would all have been dropped by [`Dissection::push`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Quiet {
    /// [`super::eth::ADDR_BLOCK`].
    pub eth_addrs: bool,
    /// [`super::ipv4::HEADER_BLOCK`].
    pub ip_header: bool,
    /// [`super::ipv4::HOST_BLOCK`].
    pub ip_hosts: bool,
    /// [`super::tcp::HEADER_BLOCK`].
    pub tcp_header: bool,
    /// [`super::tcp::OPTION_BLOCK`].
    pub tcp_options: bool,
    /// [`frame::TIME_BLOCK`].
    pub frame_times: bool,
    /// [`frame::LEN_BLOCK`].
    pub frame_lens: bool,
    /// [`frame::FILE_BLOCK`].
    pub frame_file: bool,
}

/// Conversation table: a stable index per unordered address/port pair, with
/// the first and previous time seen.
#[derive(Default)]
pub(crate) struct Conversations {
    map: super::FastMap<ConvKey, Conv>,
    next: u64,
    /// Most conversations remembered before the table is reset (0:
    /// [`MAX_CONVS`]).
    max: usize,
}

/// Unordered endpoint pair (lower endpoint first).
pub(crate) type ConvKey = ((IpAddr, u16), (IpAddr, u16));

/// One conversation.
pub(crate) struct Conv {
    /// Index in order of first appearance (`udp.stream`, `tcp.stream`).
    pub index: u64,
    /// The endpoint that sent the first packet.
    pub client: (IpAddr, u16),
    /// Time of the first packet.
    pub first_ts: i64,
    /// Time of the previous packet.
    pub prev_ts: i64,
    /// First sequence number seen per direction (client, server) for TCP.
    pub base_seq: [Option<u32>; 2],
    /// Window scale shift per direction for TCP: -1 unknown, -2 none.
    pub wscale: [i8; 2],
}

/// Most conversations remembered before the table is reset.
const MAX_CONVS: usize = 1 << 20;

impl Conversations {
    /// Look up (or create) the conversation of a packet.
    pub fn get(&mut self, src: (IpAddr, u16), dst: (IpAddr, u16), ts: i64) -> &mut Conv {
        let key = if src <= dst { (src, dst) } else { (dst, src) };
        let max = if self.max == 0 { MAX_CONVS } else { self.max };
        if self.map.len() >= max && !self.map.contains_key(&key) {
            self.map.clear();
        }
        let next = &mut self.next;
        self.map.entry(key).or_insert_with(|| {
            let c = Conv {
                index: *next,
                client: src,
                first_ts: ts,
                prev_ts: ts,
                base_seq: [None, None],
                wscale: [-1, -1],
            };
            *next += 1;
            c
        })
    }
}

/// Reassembly counters of a [`Pipeline`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// IPv4 fragments.
    pub ipv4: super::reassembly::Stats,
    /// IPv6 fragments.
    pub ipv6: super::reassembly::Stats,
    /// TCP payloads (application PDUs over several segments).
    pub tcp: super::app::ReassemblyStats,
}

/// Cross-packet state and the entry point of dissection.
pub struct Pipeline {
    frame: u64,
    first_ts: Option<i64>,
    prev_ts: Option<i64>,
    pub(crate) v4_frags: Table<(Ipv4Addr, Ipv4Addr, u16, u8)>,
    pub(crate) v6_frags: Table<(Ipv6Addr, Ipv6Addr, u32)>,
    pub(crate) udp_convs: Conversations,
    pub(crate) tcp_convs: Conversations,
    pub(crate) analyzer: Analyzer,
    pub(crate) app: AppState,
    pub(crate) echo: super::icmp::EchoTable,
    /// Handshake outcomes decided by segments, kept only when
    /// [`Pipeline::collect_handshakes`] is on (the live daemon drains them).
    pub(crate) handshakes: Option<Vec<crate::tcp_analysis::handshake::HandshakeOutcome>>,
    /// Set by [`Pipeline::only_fields`].
    wanted: Option<Arc<super::field::Wanted>>,
    /// Blocks of fields left out as a whole (set by [`Pipeline::only_fields`]).
    pub(crate) quiet: Quiet,
    only_wanted: bool,
    /// An empty dissection whose buffers are reused (see [`Pipeline::recycle`]).
    spare: Dissection,
    /// The protocol name list of the previous frame, to reuse.
    spare_protos: Vec<&'static str>,
    /// Reassemble application PDUs across TCP segments (tshark's
    /// `tcp.desegment_tcp_streams`, on by default).
    pub(crate) tcp_desegment: bool,
}

impl Default for Pipeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Pipeline {
    /// A pipeline with empty state.
    pub fn new() -> Self {
        Self {
            frame: 0,
            first_ts: None,
            prev_ts: None,
            v4_frags: Table::default(),
            v6_frags: Table::default(),
            udp_convs: Conversations::default(),
            tcp_convs: Conversations::default(),
            analyzer: Analyzer::new(Config::default()),
            app: AppState::default(),
            echo: Default::default(),
            handshakes: None,
            wanted: None,
            quiet: Quiet::default(),
            only_wanted: false,
            spare: Dissection::default(),
            spare_protos: Vec::new(),
            tcp_desegment: true,
        }
    }

    /// Give back a dissection that is no longer needed: its field list
    /// and column texts are reused for the next packet (saves allocations
    /// and their growth).
    pub fn recycle(&mut self, d: Dissection) {
        let Dissection {
            mut fields,
            mut src,
            mut dst,
            mut protocol,
            mut info,
            malformed: _,
            malformed_layer: _,
            malformed_noted: _,
            malformed_text: _,
            wanted: _,
            only_wanted: _,
        } = d;
        fields.clear();
        src.clear();
        dst.clear();
        protocol.clear();
        info.clear();
        self.spare = Dissection {
            fields,
            src,
            dst,
            protocol,
            info,
            ..Default::default()
        };
    }

    /// The consumer reads only these fields of each dissection (no
    /// columns, no filter): other fields may be left out or carry empty
    /// values. Cross-packet state is unchanged.
    pub fn only_fields(&mut self, names: impl IntoIterator<Item = &'static str>) {
        let names: HashSet<&str> = names.into_iter().collect();
        // Other fields can be left out unless what is read depends on
        // them: `frame.protocols`, protocol fields and the malformed note
        // (whose text names the last protocol) need every application
        // layer's fields to find that layer.
        self.only_wanted = !names.contains(frame::FRAME_PROTOCOLS.name)
            && !names.contains(MALFORMED.name)
            && !super::registry().any(|f| f.ty == FieldType::Protocol && names.contains(f.name));
        // Every definition of those names (a name can have more than one).
        let wanted = super::field::Wanted::new(
            super::registry().filter(|f| names.contains(f.name)),
            &super::registry().collect::<Vec<_>>(),
        );
        let quiet =
            |block: &[&FieldDef]| self.only_wanted && !block.iter().any(|f| wanted.contains(f));
        self.quiet = Quiet {
            eth_addrs: quiet(super::eth::ADDR_BLOCK),
            ip_header: quiet(super::ipv4::HEADER_BLOCK),
            ip_hosts: quiet(super::ipv4::HOST_BLOCK),
            tcp_header: quiet(super::tcp::HEADER_BLOCK),
            tcp_options: quiet(super::tcp::OPTION_BLOCK),
            frame_times: quiet(frame::TIME_BLOCK),
            frame_lens: quiet(frame::LEN_BLOCK),
            frame_file: quiet(frame::FILE_BLOCK),
        };
        self.wanted = Some(Arc::new(wanted));
    }

    /// Undo [`Pipeline::only_fields`]: every field is read again (columns
    /// and filters included).
    pub fn all_fields(&mut self) {
        self.wanted = None;
        self.only_wanted = false;
        self.quiet = Quiet::default();
    }

    /// Dissect every TCP segment on its own, as tshark with
    /// `-o tcp.desegment_tcp_streams:FALSE`: an application dissector gets
    /// the segment's bytes once and cannot ask for more, so nothing is held
    /// across segments (the live daemon's samples are single frames).
    pub fn set_tcp_desegment(&mut self, on: bool) {
        self.tcp_desegment = on;
    }

    /// Keep HTTP bodies only when a field or filter reads their bytes:
    /// `reads` tells whether the consumer reads the named field's values
    /// (see [`super::app::BODY_FIELDS`]). Other answers do not depend on
    /// this; memory does (a body whose length its head gives is followed,
    /// not held).
    pub fn keep_bodies_for(&mut self, reads: impl Fn(&str) -> bool) {
        let keep = super::app::BODY_FIELDS.iter().any(|f| reads(f));
        self.app.set_bodies(if keep {
            super::app::Bodies::Keep
        } else {
            super::app::Bodies::Elide
        });
    }

    /// Remember at most `n` UDP and `n` TCP conversations (default 2^20):
    /// a table that is full is emptied for the next new conversation (its
    /// stream numbers go on counting up). Bounds the memory of a
    /// long-running pipeline.
    pub fn set_max_conversations(&mut self, n: usize) {
        let n = n.clamp(1, MAX_CONVS);
        self.udp_convs.max = n;
        self.tcp_convs.max = n;
    }

    /// Replace the TCP analyzer with one using `config` (before any packet).
    pub fn set_tcp_config(&mut self, config: crate::tcp_analysis::Config) {
        self.analyzer = crate::tcp_analysis::Analyzer::new(config);
    }

    /// Keep handshake outcomes for [`Pipeline::take_handshakes`].
    pub fn collect_handshakes(&mut self) {
        self.handshakes.get_or_insert_with(Vec::new);
    }

    /// Outcomes decided since the last call, plus attempts that timed out
    /// by `now` (nanoseconds since the epoch).
    pub fn take_handshakes(
        &mut self,
        now: Option<i64>,
    ) -> Vec<crate::tcp_analysis::handshake::HandshakeOutcome> {
        let mut out = self
            .handshakes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        if let Some(now) = now {
            out.extend(self.analyzer.poll_expired(now));
        }
        out
    }

    /// Reassembly counters: IPv4 and IPv6 fragments, TCP payloads.
    pub fn reassembly_stats(&self) -> ReassemblyStats {
        ReassemblyStats {
            ipv4: self.v4_frags.stats(),
            ipv6: self.v6_frags.stats(),
            tcp: self.app.reassembly_stats(),
        }
    }

    /// Drop incomplete IP datagrams whose time ran out by `now`
    /// (nanoseconds since the epoch); fragments do this as they come, this
    /// covers the time when none come.
    pub fn expire_reassembly(&mut self, now: i64) {
        self.v4_frags.expire(now);
        self.v6_frags.expire(now);
    }

    /// TCP conversation table statistics.
    pub fn tcp_stats(&self) -> crate::tcp_analysis::Stats {
        self.analyzer.stats()
    }

    /// Number of the last frame dissected.
    pub fn frame_number(&self) -> u64 {
        self.frame
    }

    /// Dissect one Ethernet frame (frames must come in capture order).
    pub fn dissect(&mut self, rec: &PacketRecord) -> Dissection {
        self.dissect_linktype(rec, crate::record::linktype::LINKTYPE_ETHERNET)
    }

    /// Dissect one frame read from a capture file (adds the pcapng
    /// interface and section fields).
    pub fn dissect_file(&mut self, pkt: &crate::record::FilePacket) -> Dissection {
        let mut d = self.dissect_commented(&pkt.record, pkt.linktype, &pkt.comments);
        if let Some(info) = &pkt.pcapng {
            if !self.quiet.frame_file {
                frame::push_file_fields(&mut d, pkt.record.iface, info, pkt.flags);
            }
        }
        d
    }

    /// Dissect one frame of the given link type.
    pub fn dissect_linktype(&mut self, rec: &PacketRecord, linktype: u16) -> Dissection {
        self.dissect_commented(rec, linktype, &[])
    }

    /// Dissect one frame of the given link type that carries packet
    /// comments.
    fn dissect_commented(
        &mut self,
        rec: &PacketRecord,
        linktype: u16,
        comments: &[String],
    ) -> Dissection {
        self.frame += 1;
        let first = *self.first_ts.get_or_insert(rec.ts_ns);
        let prev = self.prev_ts.replace(rec.ts_ns).unwrap_or(rec.ts_ns);
        let mut d = std::mem::take(&mut self.spare);
        d.fields.reserve(128);
        d.wanted.clone_from(&self.wanted);
        d.only_wanted = self.only_wanted;
        frame::push_comments(&mut d, comments);
        let proto_idx = frame::push_fields(
            &mut d,
            self.frame,
            rec,
            rec.ts_ns - first,
            rec.ts_ns - prev,
            super::link::wtap_encap(linktype),
            self.quiet,
        );
        let mut cx = Cx {
            d: &mut d,
            protos: std::mem::take(&mut self.spare_protos),
            frame: self.frame,
            ts_ns: rec.ts_ns,
            orig_len: rec.orig_len,
            cut: (rec.orig_len as usize).saturating_sub(rec.data.len()),
            trailer_field: None,
            depth: 0,
            reassembled: false,
            past_reported: false,
            no_protocol: false,
        };
        if linktype == crate::record::linktype::LINKTYPE_ETHERNET {
            self.eth(&mut cx, &rec.data);
        } else {
            self.link(&mut cx, linktype, &rec.data);
        }
        let past_reported = cx.past_reported;
        let no_protocol = cx.no_protocol;
        let mut names = std::mem::take(&mut cx.protos);
        let protos = d.text(&frame::FRAME_PROTOCOLS, || {
            if names.first() == Some(&"eth") {
                let mut protos = String::from("eth");
                for n in &names[1..] {
                    protos.push(':');
                    protos.push_str(n);
                }
                protos
            } else {
                names.join(":")
            }
        });
        if d.protocol.is_empty() && !no_protocol {
            d.protocol = names
                .last()
                .map(|s| s.to_ascii_uppercase())
                .unwrap_or_default();
        }
        names.clear();
        self.spare_protos = names;
        if let Some(i) = proto_idx {
            d.fields[i].value = protos;
        }
        if d.malformed
            && rec.data.len() < rec.orig_len as usize
            && !past_reported
            && !d.malformed_noted
        {
            // Cut short by the snapshot length, not invalid (tshark's
            // distinction between its two bounds errors).
            d.malformed = false;
            d.malformed_layer = None;
            d.info.push_str("[Packet size limited during capture]");
        } else if d.malformed {
            // Application dissectors mark their own sub-dissection only.
            d.malformed_layer.get_or_insert(Layer::Application);
            let text = match d.malformed_text {
                Some(text) => text.to_string(),
                None => format!("[Malformed Packet: {}]", d.protocol),
            };
            d.push(&MALFORMED, Value::Str(text));
            if !d.malformed_noted {
                d.info.push_str("[Malformed Packet]");
            }
        } else {
            // (a flag reset by a layer that takes back its verdict)
            d.malformed_layer = None;
        }
        d
    }

    /// Dispatch an IP payload on its protocol number.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ip_payload(
        &mut self,
        cx: &mut Cx<'_>,
        proto: u8,
        src: IpAddr,
        dst: IpAddr,
        ttl: u8,
        p: &[u8],
        reported: usize,
    ) {
        use monitor_common::consts::ip_proto::*;
        match (proto, src, dst) {
            (ICMP, IpAddr::V4(s), IpAddr::V4(d)) => return self.icmp(cx, p, reported, s, d, ttl),
            (HOPOPTS | ROUTING | FRAGMENT | DSTOPTS, IpAddr::V6(_), _) => {
                return self.ipv6_chain(cx, proto, src, dst, ttl, p, reported)
            }
            _ => {}
        }
        match proto {
            TCP => self.tcp(cx, src, dst, p, reported),
            UDP => self.udp(cx, src, dst, p),
            ICMPV6 => self.icmpv6(cx, src, dst, p, reported, ttl),
            IPIP => {
                self.ipv4(cx, p);
            }
            IPV6 => {
                self.ipv6(cx, p);
            }
            IGMP => self.data_named(cx, p, Some("igmp")),
            OSPF => {
                let mark = cx.d.fields.len();
                if super::app::ip_proto(&mut self.app, OSPF, p, cx.d) {
                    Pipeline::app_protos(cx.d, mark, &mut cx.protos);
                } else {
                    self.data_named(cx, p, Some("ospf"));
                }
            }
            PIM => self.data_named(cx, p, Some("pim")),
            VRRP => self.data_named(cx, p, Some("vrrp")),
            _ => self.data(cx, p),
        }
    }

    /// Fields and names of a finished frame that came from dissectors
    /// outside this module (used by `frame.protocols`).
    pub(crate) fn app_protos(d: &Dissection, from: usize, protos: &mut Vec<&'static str>) {
        for f in &d.fields[from..] {
            let listed = match f.def.ty {
                FieldType::Protocol => f.def.layer,
                FieldType::Layer => true,
                _ => false,
            };
            if listed {
                protos.push(f.def.name);
            }
        }
    }
}
