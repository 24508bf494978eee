//! Link layers other than Ethernet, as tshark 4.0 dissects them: BSD
//! loopback (`LINKTYPE_NULL`, host byte order, and `LINKTYPE_LOOP`,
//! network byte order), raw IP (`LINKTYPE_RAW` and the DLT 12/14 that
//! mean the same, `LINKTYPE_IPV4`, `LINKTYPE_IPV6`) and Linux cooked
//! captures (`LINKTYPE_LINUX_SLL` from `tcpdump -i any`, and v2). Also the
//! table of tshark's encapsulation numbers (`frame.encap_type`) and what a
//! link type no dissector here reads looks like (tshark's own fallback:
//! Protocol `UNKNOWN`, the frame as data).

use super::pipeline::{Cx, Pipeline};
use super::{Base, Layer, Value};
use crate::record::linktype::*;

fields! {
    NULL = "null", Protocol, Base::Dec, "Null/Loopback";
    NULL_FAMILY = "null.family", UInt, Base::Dec, "Family";
    NULL_TYPE = "null.type", UInt, Base::Hex(4), "Type";
    RAW = "raw", Protocol, Base::Dec, "Raw packet data";
    SLL = "sll", Protocol, Base::Dec, "Linux cooked-mode capture";
    SLL_PKTTYPE = "sll.pkttype", UInt, Base::Dec, "Packet type";
    SLL_HATYPE = "sll.hatype", UInt, Base::Dec, "Link-layer address type";
    SLL_HALEN = "sll.halen", UInt, Base::Dec, "Link-layer address length";
    SLL_SRC_ETH = "sll.src.eth", Ether, Base::Dec, "Source";
    SLL_SRC_IPV4 = "sll.src.ipv4", Ipv4, Base::Dec, "Source";
    SLL_SRC_OTHER = "sll.src.other", Bytes, Base::Dec, "Source";
    SLL_UNUSED = "sll.unused", Bytes, Base::Dec, "Unused";
    SLL_LTYPE = "sll.ltype", UInt, Base::Hex(4), "Protocol";
    SLL_ETYPE = "sll.etype", UInt, Base::Hex(4), "Protocol";
    SLL_GRETYPE = "sll.gretype", UInt, Base::Hex(4), "Protocol";
    SLL_IFINDEX = "sll.ifindex", UInt, Base::Dec, "Interface index";
    SLL_TRAILER = "sll.trailer", Bytes, Base::Dec, "Trailer";
}

/// Whether frames of `linktype` are dissected here (others are shown the
/// way tshark shows a link type it has no dissector for).
pub fn is_dissected(linktype: u16) -> bool {
    matches!(
        linktype,
        LINKTYPE_NULL
            | LINKTYPE_ETHERNET
            | DLT_RAW_12
            | DLT_RAW_14
            | LINKTYPE_RAW
            | LINKTYPE_LOOP
            | LINKTYPE_LINUX_SLL
            | LINKTYPE_IPV4
            | LINKTYPE_IPV6
            | LINKTYPE_LINUX_SLL2
    )
}

/// tshark's encapsulation number (`frame.encap_type`) for a pcap/pcapng
/// link type, 0 (`WTAP_ENCAP_UNKNOWN`) for one it does not know. Read
/// from tshark 4.0 itself (`frame.encap_type` of one frame per link type).
pub fn wtap_encap(linktype: u16) -> i64 {
    const TABLE: &[(u16, i64)] = &[
        (0, 15),
        (1, 1),
        (2, 184),
        (3, 148),
        (6, 2),
        (7, 8),
        (8, 3),
        (9, 4),
        (10, 6),
        (11, 10),
        (12, 7),
        (13, 38),
        (14, 7),
        (16, 11),
        (18, 11),
        (19, 11),
        (32, 69),
        (50, 4),
        (51, 139),
        (99, 61),
        (100, 10),
        (101, 7),
        (104, 28),
        (105, 20),
        (106, 11),
        (107, 26),
        (108, 174),
        (109, 38),
        (112, 28),
        (113, 25),
        (114, 30),
        (117, 39),
        (118, 29),
        (119, 21),
        (121, 32),
        (122, 18),
        (123, 13),
        (127, 23),
        (128, 37),
        (129, 9),
        (130, 81),
        (131, 82),
        (133, 87),
        (135, 68),
        (136, 151),
        (137, 67),
        (138, 62),
        (139, 75),
        (140, 42),
        (141, 43),
        (142, 101),
        (143, 33),
        (147, 45),
        (148, 46),
        (149, 47),
        (150, 48),
        (151, 49),
        (152, 50),
        (153, 51),
        (154, 52),
        (155, 53),
        (156, 54),
        (157, 55),
        (158, 56),
        (159, 57),
        (160, 58),
        (161, 59),
        (162, 60),
        (163, 24),
        (165, 63),
        (167, 76),
        (169, 66),
        (170, 178),
        (171, 179),
        (172, 77),
        (173, 78),
        (200, 197),
        (201, 99),
        (202, 147),
        (203, 131),
        (204, 19),
        (209, 112),
        (210, 106),
        (211, 108),
        (212, 107),
        (213, 111),
        (214, 105),
        (215, 113),
        (220, 115),
        (224, 121),
        (225, 122),
        (226, 124),
        (227, 125),
        (228, 129),
        (229, 130),
        (230, 127),
        (231, 146),
        (235, 132),
        (236, 133),
        (237, 157),
        (239, 141),
        (240, 135),
        (241, 136),
        (242, 180),
        (243, 138),
        (245, 140),
        (248, 149),
        (249, 152),
        (250, 153),
        (251, 154),
        (252, 155),
        (253, 158),
        (254, 159),
        (255, 160),
        (256, 161),
        (258, 171),
        (259, 172),
        (260, 173),
        (264, 177),
        (266, 182),
        (268, 36),
        (270, 183),
        (271, 185),
        (272, 186),
        (273, 199),
        (274, 198),
        (275, 200),
        (276, 210),
        (279, 204),
        (280, 205),
        (283, 206),
        (287, 211),
        (288, 208),
        (290, 212),
        (292, 214),
        (293, 215),
        (294, 216),
        (295, 217),
    ];
    TABLE
        .binary_search_by_key(&linktype, |&(l, _)| l)
        .map_or(0, |i| TABLE[i].1)
}

/// A short name of a link type, for messages.
pub fn linktype_name(linktype: u16) -> &'static str {
    match linktype {
        LINKTYPE_NULL => "NULL",
        LINKTYPE_ETHERNET => "ETHERNET",
        DLT_RAW_12 | DLT_RAW_14 | LINKTYPE_RAW => "RAW",
        LINKTYPE_LOOP => "LOOP",
        LINKTYPE_LINUX_SLL => "LINUX_SLL",
        LINKTYPE_IPV4 => "IPV4",
        LINKTYPE_IPV6 => "IPV6",
        LINKTYPE_LINUX_SLL2 => "LINUX_SLL2",
        9 => "PPP",
        105 => "IEEE802_11",
        127 => "IEEE802_11_RADIOTAP",
        147..=162 => "USER",
        _ => "unknown",
    }
}

/// BSD address families that carry IP (`null.family`): `AF_INET`, and
/// `AF_INET6` as NetBSD/OpenBSD, FreeBSD and Darwin number it.
const BSD_AF_INET: u32 = 2;
const BSD_AF_INET6: [u32; 3] = [24, 28, 30];

/// Names of `sll.pkttype` values, as the Info column shows them.
fn pkttype_name(t: u16) -> String {
    match t {
        0 => "Unicast to us".into(),
        1 => "Broadcast".into(),
        2 => "Multicast".into(),
        3 => "Unicast to another host".into(),
        4 => "Sent by us".into(),
        _ => format!("Unknown ({t})"),
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

impl Pipeline {
    /// Dissect a frame of a link type other than Ethernet.
    pub(crate) fn link(&mut self, cx: &mut Cx<'_>, linktype: u16, data: &[u8]) {
        match linktype {
            LINKTYPE_NULL => self.null(cx, data, false),
            LINKTYPE_LOOP => self.null(cx, data, true),
            DLT_RAW_12 | DLT_RAW_14 | LINKTYPE_RAW => self.raw(cx, data),
            LINKTYPE_IPV4 => {
                self.ip_any(cx, data);
            }
            LINKTYPE_IPV6 => {
                self.ipv6_checked(cx, data);
            }
            LINKTYPE_LINUX_SLL => self.sll(cx, data, false),
            LINKTYPE_LINUX_SLL2 => self.sll(cx, data, true),
            _ => {
                // tshark's frame dissector when no dissector is registered
                // for the encapsulation.
                if cx.wants_columns() {
                    cx.d.set_protocol("UNKNOWN");
                    cx.d.info = format!("WTAP_ENCAP = {}", wtap_encap(linktype));
                }
                self.data(cx, data);
            }
        }
    }

    /// The columns a link layer without addresses starts with.
    fn no_link_addresses(cx: &mut Cx<'_>, info: &str) {
        if cx.depth == 0 {
            cx.set_addrs("N/A".into(), "N/A".into());
            cx.set_columns("N/A");
            cx.d.info.push_str(info);
        }
    }

    /// `LINKTYPE_NULL` (`loop == false`) and `LINKTYPE_LOOP`.
    fn null(&mut self, cx: &mut Cx<'_>, data: &[u8], loop_: bool) {
        cx.proto_bytes(&NULL, "null", &data[..data.len().min(4)]);
        if !loop_ && data.len() < 2 {
            cx.no_protocol = true;
            cx.malformed(Layer::Link);
            return;
        }
        if !loop_ && data[..2] == [0xff, 0x03] {
            // PPP in HDLC framing: not dissected here.
            self.data(cx, data);
            return;
        }
        Self::no_link_addresses(cx, "Null/Loopback");
        if data.len() < 4 {
            cx.malformed(Layer::Link);
            return;
        }
        let head = [data[0], data[1], data[2], data[3]];
        let payload = &data[4..];
        let family = if loop_ {
            u32::from_be_bytes(head)
        } else {
            // The header in host byte order as tshark (on a little-endian
            // host) reads it, with its guesses for other byte orders and
            // for the IRIX 16-bit form.
            let mut h = u32::from_le_bytes(head);
            if h & 0xffff_0000 != 0 {
                if h & 0xff00_0000 == 0 && h & 0x00ff_0000 < 0x0006_0000 {
                    h >>= 16;
                } else {
                    h = h.swap_bytes();
                }
            } else if h & 0xff == 0 && h & 0xff00 < 0x0600 {
                h = u32::from((h as u16).swap_bytes());
            }
            if h > 1500 {
                let ty = h as u16;
                cx.d.push(&NULL_TYPE, Value::UInt(ty.into()));
                if self.ethertype_table(cx, ty, payload).is_none() {
                    self.data(cx, payload);
                }
                return;
            }
            h
        };
        cx.d.push(&NULL_FAMILY, Value::UInt(family.into()));
        if family == BSD_AF_INET {
            self.ip_any(cx, payload);
        } else if BSD_AF_INET6.contains(&family) {
            if self.ipv6_checked(cx, payload).is_none() {
                self.data(cx, payload);
            }
        } else {
            self.data(cx, payload);
        }
    }

    /// `LINKTYPE_RAW`: IPv4 or IPv6 told apart by the version nibble.
    fn raw(&mut self, cx: &mut Cx<'_>, data: &[u8]) {
        cx.proto_bytes(&RAW, "raw", &[]);
        Self::no_link_addresses(cx, "Raw packet data");
        // tshark first looks for PPP framing at offsets 0 and 6.
        if data.len() < 2 {
            cx.malformed(Layer::Link);
            return;
        }
        if data[..2] == [0xff, 0x03] {
            self.data(cx, data);
            return;
        }
        if data.len() < 8 {
            cx.malformed(Layer::Link);
            return;
        }
        if data[6..8] == [0xff, 0x03] {
            self.data(cx, data);
            return;
        }
        if data.len() >= 10 && data[..10].iter().all(|&b| b == 0) {
            // Linux ISDN: ten zero bytes before an IPv4 packet.
            self.ip_any(cx, &data[10..]);
            return;
        }
        match data[0] & 0xf0 {
            0x40 => {
                self.ip_any(cx, data);
            }
            0x60 => {
                self.ipv6(cx, data);
            }
            _ => self.data(cx, data),
        }
    }

    /// `LINKTYPE_LINUX_SLL` (`v2 == false`) and `LINKTYPE_LINUX_SLL2`.
    fn sll(&mut self, cx: &mut Cx<'_>, data: &[u8], v2: bool) {
        let header = if v2 { 20 } else { 16 };
        cx.proto_bytes(&SLL, "sll", &data[..data.len().min(header)]);
        // tshark reads the packet type and the address type first (v2
        // reads two bytes at the packet type: the Info column shows
        // them with the address length).
        let first = if v2 { 12 } else { 4 };
        if data.len() < first {
            cx.no_protocol = true;
            cx.malformed(Layer::Link);
            return;
        }
        let (pkttype, hatype) = if v2 {
            (be16(data, 10), be16(data, 8))
        } else {
            (be16(data, 0), be16(data, 2))
        };
        if cx.depth == 0 {
            cx.set_columns("SLL");
            if cx.wants_columns() {
                cx.d.info = pkttype_name(pkttype);
            }
        }
        let halen_at = if v2 {
            let protocol = be16(data, 0);
            self.sll_protocol(cx, protocol, hatype);
            cx.d.push(
                &SLL_IFINDEX,
                Value::UInt(u32::from_be_bytes([data[4], data[5], data[6], data[7]]).into()),
            );
            cx.d.push(&SLL_HATYPE, Value::UInt(hatype.into()));
            cx.d.push(&SLL_PKTTYPE, Value::UInt(data[10].into()));
            11
        } else {
            cx.d.push(&SLL_PKTTYPE, Value::UInt(pkttype.into()));
            cx.d.push(&SLL_HATYPE, Value::UInt(hatype.into()));
            4
        };
        // The address length, the address and the unused rest of its
        // eight bytes.
        let halen_len = if v2 { 1 } else { 2 };
        let Some(len_bytes) = data.get(halen_at..halen_at + halen_len) else {
            cx.malformed(Layer::Link);
            return;
        };
        let halen = len_bytes
            .iter()
            .fold(0usize, |a, &b| a << 8 | usize::from(b));
        cx.d.push(&SLL_HALEN, Value::UInt(halen as u64));
        let at = halen_at + halen_len;
        let shown = halen.min(8);
        let Some(addr) = data.get(at..at + shown) else {
            cx.malformed(Layer::Link);
            return;
        };
        match halen {
            4 => {
                let a = std::net::Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]);
                cx.d.push(&SLL_SRC_IPV4, Value::Ipv4(a));
                if cx.wants_columns() {
                    cx.set_src(a.to_string());
                }
            }
            6 => {
                cx.d.push(&SLL_SRC_ETH, Value::Ether(super::eth::mac(addr)));
                if cx.wants_columns() {
                    cx.set_src(super::names::mac_name(addr));
                }
            }
            0 => {}
            _ => cx.d.push(&SLL_SRC_OTHER, cx.d.bytes(&SLL_SRC_OTHER, addr)),
        }
        if halen < 8 {
            let Some(unused) = data.get(at + halen..at + 8) else {
                cx.malformed(Layer::Link);
                return;
            };
            cx.d.push(&SLL_UNUSED, cx.d.bytes(&SLL_UNUSED, unused));
        }
        let protocol = if v2 {
            be16(data, 0)
        } else {
            let Some(p) = data.get(14..16) else {
                cx.malformed(Layer::Link);
                return;
            };
            let p = be16(p, 0);
            self.sll_protocol(cx, p, hatype);
            p
        };
        let payload = &data[header.min(data.len())..];
        if protocol <= 1536 {
            // A Linux protocol number, not an ethertype.
            match protocol {
                0x0004 => {
                    let reported = payload.len() + cx.cut;
                    self.llc(cx, payload, reported);
                }
                _ => self.data(cx, payload),
            }
            return;
        }
        if hatype == ARPHRD_IPGRE {
            // A GRE protocol type: not dissected here.
            self.data(cx, payload);
            return;
        }
        cx.protos.push("ethertype");
        if let Some(used) = self.ethertype_table(cx, protocol, payload) {
            let trailer_field = cx.trailer_field.unwrap_or(&SLL_TRAILER);
            self.trailer(cx, data, header + used, cx.orig_len as usize, trailer_field);
        } else {
            self.unknown_ethertype(cx, protocol, payload);
        }
    }

    /// The protocol field of a cooked header: a Linux protocol number
    /// (up to 1536), a GRE protocol type, or an ethertype.
    fn sll_protocol(&mut self, cx: &mut Cx<'_>, protocol: u16, hatype: u16) {
        let def = if protocol <= 1536 {
            &SLL_LTYPE
        } else if hatype == ARPHRD_IPGRE {
            &SLL_GRETYPE
        } else {
            &SLL_ETYPE
        };
        cx.d.push(def, Value::UInt(protocol.into()));
    }
}

/// `ARPHRD_IPGRE`: the cooked protocol field holds a GRE protocol type.
const ARPHRD_IPGRE: u16 = 778;
