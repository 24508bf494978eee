//! IPv4: header fields, options, and fragment reassembly (the upper layer
//! is dissected on the frame that completes the datagram, like tshark).

use std::net::{IpAddr, Ipv4Addr};

use super::pipeline::{Cx, Pipeline};
use super::reassembly::Outcome;
use super::Layer;
use super::{Base, FieldDef, Value};

fields! {
    IP = "ip", Protocol, Base::Dec, "Internet Protocol Version 4";
    IP_VERSION = "ip.version", UInt, Base::Dec, "Version" in HEADER_BLOCK;
    IP_HDR_LEN = "ip.hdr_len", UInt, Base::Dec, "Header Length" in HEADER_BLOCK;
    IP_DSFIELD = "ip.dsfield", UInt, Base::Hex(2), "Differentiated Services Field" in HEADER_BLOCK;
    IP_DSCP = "ip.dsfield.dscp", UInt, Base::Dec, "Differentiated Services Codepoint" in HEADER_BLOCK;
    IP_ECN = "ip.dsfield.ecn", UInt, Base::Dec, "Explicit Congestion Notification" in HEADER_BLOCK;
    IP_LEN = "ip.len", UInt, Base::Dec, "Total Length" in HEADER_BLOCK;
    IP_ID = "ip.id", UInt, Base::HexDec(4), "Identification" in HEADER_BLOCK;
    IP_FLAGS = "ip.flags", UInt, Base::Hex(2), "Flags" in HEADER_BLOCK;
    IP_FLAGS_RB = "ip.flags.rb", Bool, Base::Dec, "Reserved bit" in HEADER_BLOCK;
    IP_FLAGS_DF = "ip.flags.df", Bool, Base::Dec, "Don't fragment" in HEADER_BLOCK;
    IP_FLAGS_MF = "ip.flags.mf", Bool, Base::Dec, "More fragments" in HEADER_BLOCK;
    IP_FRAG_OFFSET = "ip.frag_offset", UInt, Base::Dec, "Fragment Offset" in HEADER_BLOCK;
    IP_TTL = "ip.ttl", UInt, Base::Dec, "Time to Live" in HEADER_BLOCK;
    IP_PROTO = "ip.proto", UInt, Base::Dec, "Protocol" in HEADER_BLOCK;
    IP_CHECKSUM = "ip.checksum", UInt, Base::Hex(4), "Header Checksum" in HEADER_BLOCK;
    IP_CHECKSUM_STATUS = "ip.checksum.status", UInt, Base::Dec, "Header checksum status" in HEADER_BLOCK;
    IP_SRC = "ip.src", Ipv4, Base::Dec, "Source Address";
    IP_DST = "ip.dst", Ipv4, Base::Dec, "Destination Address";
    IP_ADDR = "ip.addr", Ipv4, Base::Dec, "Source or Destination Address" in HOST_BLOCK;
    IP_SRC_HOST = "ip.src_host", String, Base::Dec, "Source Host" in HOST_BLOCK;
    IP_DST_HOST = "ip.dst_host", String, Base::Dec, "Destination Host" in HOST_BLOCK;
    IP_HOST = "ip.host", String, Base::Dec, "Source or Destination Host" in HOST_BLOCK;
    IP_OPT_TYPE = "ip.opt.type", UInt, Base::Dec, "Type";
    IP_OPT_LEN = "ip.opt.len", UInt, Base::Dec, "Length";
    IP_OPT_MTU = "ip.opt.mtu", UInt, Base::Dec, "MTU";
    IP_FRAGMENT = "ip.fragment", FrameNum, Base::Dec, "IPv4 Fragment";
    IP_FRAGMENT_COUNT = "ip.fragment.count", UInt, Base::Dec, "Fragment count";
    IP_FRAGMENT_OVERLAP = "ip.fragment.overlap", Bool, Base::Dec, "Fragment overlap";
    IP_REASSEMBLED_LENGTH = "ip.reassembled.length", UInt, Base::Dec, "Reassembled IPv4 length";
    IP_REASSEMBLED_DATA = "ip.reassembled.data", Bytes, Base::Dec, "Reassembled IPv4 data";
    @block pub(crate) HEADER_BLOCK, "The header fields but the addresses, pushed together (see [`super::pipeline::Quiet`]).";
    @block pub(crate) HOST_BLOCK, "The fields that repeat an address (any-direction and host names).";
}

/// Name tshark gives an IP protocol number in Info texts.
pub(crate) fn proto_name(p: u8) -> &'static str {
    match p {
        0 => "IPv6 Hop-by-Hop Option",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        43 => "IPv6 Routing",
        44 => "IPv6 Fragment",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "IPv6 No Next Header",
        60 => "IPv6 Destination Options",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => "Unknown",
    }
}

impl Pipeline {
    /// Dissect an IP packet of either version, as tshark's `ip` dissector
    /// does where no ethertype announced it (raw IP link types, BSD
    /// loopback): a version other than 4 or 6 is shown as bogus, not as
    /// malformed. Returns the bytes it claims.
    pub(crate) fn ip_any(&mut self, cx: &mut Cx<'_>, data: &[u8]) -> usize {
        match data.first().map(|b| b >> 4) {
            None => {
                // (the version is read before anything is shown)
                cx.proto_bytes(&IP, "ip", data);
                cx.no_protocol = cx.d.protocol.is_empty();
                cx.malformed(Layer::Network);
                0
            }
            Some(6) => {
                // Listed in `frame.protocols`, with no item of its own.
                cx.protos.push("ip");
                self.ipv6(cx, data)
            }
            Some(v) if v != 4 => {
                cx.proto_bytes(&IP, "ip", &data[..1]);
                cx.d.push(&IP_VERSION, Value::UInt(v.into()));
                if cx.depth == 0 {
                    cx.set_columns("IP");
                    if cx.wants_columns() {
                        cx.d.info = format!("Bogus IP version ({v})");
                    }
                }
                1
            }
            _ => self.ipv4(cx, data),
        }
    }

    /// Dissect an IPv4 packet; returns the bytes it claims (its total length).
    pub(crate) fn ipv4(&mut self, cx: &mut Cx<'_>, data: &[u8]) -> usize {
        if data.first().is_some_and(|b| b >> 4 == 6) {
            // tshark's IPv4 dissector hands version 6 to IPv6, after
            // showing the version.
            cx.proto_bytes(&IP, "ip", &data[..1]);
            cx.d.push(&IP_VERSION, Value::UInt(6));
            return self.ipv6(cx, data);
        }
        // The layer's bytes end where the datagram does (not at a trailer).
        let total = data.get(2..4).map_or(data.len(), |t| {
            usize::from(u16::from_be_bytes([t[0], t[1]]))
        });
        cx.proto_bytes(&IP, "ip", &data[..data.len().min(total.max(20))]);
        // Fields are shown as far as the captured bytes go (tshark adds
        // them one by one until the data runs out).
        let avail = data.len();
        let mut h = [0u8; 20];
        h[..avail.min(20)].copy_from_slice(&data[..avail.min(20)]);
        let ver = h[0] >> 4;
        let ihl = usize::from(h[0] & 15) * 4;
        let tos = h[1];
        let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
        let id = u16::from_be_bytes([h[4], h[5]]);
        let fl = h[6];
        let frag_off = u16::from_be_bytes([h[6], h[7]]) & 0x1fff;
        let ttl = h[8];
        let proto = h[9];
        let ck = u16::from_be_bytes([h[10], h[11]]);
        let src = Ipv4Addr::new(h[12], h[13], h[14], h[15]);
        let dst = Ipv4Addr::new(h[16], h[17], h[18], h[19]);
        let (header, hosts) = (!self.quiet.ip_header, !self.quiet.ip_hosts);
        // tshark names the layer before reading its header.
        cx.set_columns("IPv4");
        let d = &mut *cx.d;
        let mut put = |end: usize, def: &'static FieldDef, v: Value| {
            if avail >= end {
                d.push(def, v);
            }
        };
        if header {
            put(1, &IP_VERSION, Value::UInt(ver.into()));
        }
        if avail >= 1 && ver != 4 {
            // Only the version is shown, in Info, not as malformed.
            if cx.depth == 0 && cx.wants_columns() {
                cx.d.info = format!("Bogus IPv4 version ({ver}, must be 4)");
            }
            return avail;
        }
        if header {
            put(1, &IP_HDR_LEN, Value::UInt(ihl as u64));
        }
        if avail >= 1 && ver == 4 && ihl < 20 {
            // tshark reports this in the Info column, not as malformed.
            if cx.depth == 0 {
                cx.d.info = format!("Bogus IP header length ({ihl}, must be at least 20)");
            }
            return avail;
        }
        if header {
            put(2, &IP_DSFIELD, Value::UInt(tos.into()));
            put(2, &IP_DSCP, Value::UInt((tos >> 2).into()));
            put(2, &IP_ECN, Value::UInt((tos & 3).into()));
            put(4, &IP_LEN, Value::UInt(total as u64));
            put(6, &IP_ID, Value::UInt(id.into()));
            put(7, &IP_FLAGS, Value::UInt((fl >> 5).into()));
            put(7, &IP_FLAGS_RB, Value::Bool(fl & 0x80 != 0));
            put(7, &IP_FLAGS_DF, Value::Bool(fl & 0x40 != 0));
            put(7, &IP_FLAGS_MF, Value::Bool(fl & 0x20 != 0));
            put(8, &IP_FRAG_OFFSET, Value::UInt(frag_off.into()));
            put(9, &IP_TTL, Value::UInt(ttl.into()));
            put(10, &IP_PROTO, Value::UInt(proto.into()));
            put(12, &IP_CHECKSUM, Value::UInt(ck.into()));
            put(12, &IP_CHECKSUM_STATUS, Value::UInt(2));
        }
        if avail >= 16 {
            if cx.wants_columns() {
                cx.set_src(src.to_string());
            }
            let d = &mut *cx.d;
            d.push(&IP_SRC, Value::Ipv4(src));
            if hosts {
                d.push(&IP_ADDR, Value::Ipv4(src));
                let host = d.text(&IP_SRC_HOST, || src.to_string());
                d.push(&IP_SRC_HOST, host);
                let host = d.text(&IP_HOST, || src.to_string());
                d.push(&IP_HOST, host);
            }
        }
        if avail >= 20 {
            if cx.wants_columns() {
                cx.set_dst(dst.to_string());
            }
            let d = &mut *cx.d;
            d.push(&IP_DST, Value::Ipv4(dst));
            if hosts {
                d.push(&IP_ADDR, Value::Ipv4(dst));
                let host = d.text(&IP_DST_HOST, || dst.to_string());
                d.push(&IP_DST_HOST, host);
                let host = d.text(&IP_HOST, || dst.to_string());
                d.push(&IP_HOST, host);
            }
        }
        if avail < ihl.max(20) {
            cx.malformed(Layer::Network);
            return avail;
        }
        if ihl > 20 {
            options(cx, &data[20..ihl]);
        }
        if total < ihl {
            cx.malformed(Layer::Network);
            return data.len();
        }
        let avail_end = total.min(data.len());
        let payload = &data[ihl..avail_end];
        let reported = total - ihl;
        let (s, dd) = (IpAddr::V4(src), IpAddr::V4(dst));
        let mf = fl & 0x20 != 0;
        if mf || frag_off != 0 {
            let off = usize::from(frag_off) * 8;
            let info = format!(
                "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})",
                proto_name(proto),
                proto,
                off,
                id
            );
            if cx.depth > 0 || payload.len() < reported {
                if off == 0 && cx.depth > 0 {
                    self.ip_payload(cx, proto, s, dd, ttl, payload, reported);
                } else {
                    self.data(cx, payload);
                    if cx.depth == 0 {
                        cx.d.info = info;
                    }
                }
                return total;
            }
            let key = (src, dst, id, proto);
            match self.v4_frags.add(key, cx.ts_ns, cx.frame, off, mf, payload) {
                Outcome::Complete(r) => {
                    for f in &r.frames {
                        cx.d.push(&IP_FRAGMENT, Value::UInt(*f));
                    }
                    for _ in 0..r.overlaps {
                        cx.d.push(&IP_FRAGMENT_OVERLAP, Value::Bool(true));
                    }
                    cx.d.push(&IP_FRAGMENT_COUNT, Value::UInt(r.frames.len() as u64));
                    cx.d.push(&IP_REASSEMBLED_LENGTH, Value::UInt(r.data.len() as u64));
                    cx.d.push(&IP_REASSEMBLED_DATA, Value::Bytes(r.data.clone()));
                    let n = r.data.len();
                    cx.reassembled = true;
                    self.ip_payload(cx, proto, s, dd, ttl, &r.data, n);
                    cx.reassembled = false;
                }
                Outcome::Pending | Outcome::Ignored => {
                    self.data(cx, payload);
                    cx.d.info = info;
                }
            }
            return total;
        }
        self.ip_payload(cx, proto, s, dd, ttl, payload, reported);
        total
    }
}

fn options(cx: &mut Cx<'_>, mut o: &[u8]) {
    while let Some(&t) = o.first() {
        cx.d.push(&IP_OPT_TYPE, Value::UInt(t.into()));
        if t == 0 {
            break;
        }
        if t == 1 {
            o = &o[1..];
            continue;
        }
        let Some(&len) = o.get(1) else { break };
        cx.d.push(&IP_OPT_LEN, Value::UInt(len.into()));
        let len = usize::from(len);
        if len < 2 || len > o.len() {
            break;
        }
        if (t == 11 || t == 12) && len == 4 {
            cx.d.push(
                &IP_OPT_MTU,
                Value::UInt(u16::from_be_bytes([o[2], o[3]]).into()),
            );
        }
        o = &o[len..];
    }
}
