//! IPv6: fixed header, extension headers (hop-by-hop, routing, fragment,
//! destination options) and fragment reassembly.

use std::net::{IpAddr, Ipv6Addr};

use super::pipeline::{Cx, Pipeline};
use super::reassembly::Outcome;
use super::Layer;
use super::{Base, FieldDef, Value};

fields! {
    IPV6 = "ipv6", Protocol, Base::Dec, "Internet Protocol Version 6";
    IPV6_VERSION = "ipv6.version", UInt, Base::Dec, "Version";
    IPV6_TCLASS = "ipv6.tclass", UInt, Base::Hex(8), "Traffic Class";
    IPV6_TCLASS_DSCP = "ipv6.tclass.dscp", UInt, Base::Dec, "Differentiated Services Codepoint";
    IPV6_TCLASS_ECN = "ipv6.tclass.ecn", UInt, Base::Dec, "Explicit Congestion Notification";
    IPV6_FLOW = "ipv6.flow", UInt, Base::Hex(6), "Flow Label";
    IPV6_PLEN = "ipv6.plen", UInt, Base::Dec, "Payload Length";
    IPV6_NXT = "ipv6.nxt", UInt, Base::Dec, "Next Header";
    IPV6_HLIM = "ipv6.hlim", UInt, Base::Dec, "Hop Limit";
    IPV6_SRC = "ipv6.src", Ipv6, Base::Dec, "Source Address";
    IPV6_DST = "ipv6.dst", Ipv6, Base::Dec, "Destination Address";
    IPV6_ADDR = "ipv6.addr", Ipv6, Base::Dec, "Source or Destination Address";
    IPV6_SRC_HOST = "ipv6.src_host", String, Base::Dec, "Source Host";
    IPV6_DST_HOST = "ipv6.dst_host", String, Base::Dec, "Destination Host";
    IPV6_HOST = "ipv6.host", String, Base::Dec, "Source or Destination Host";
    SLAAC_MAC = "ipv6.slaac_mac", Ether, Base::Dec, "SLAAC MAC";
    SRC_SLAAC_MAC = "ipv6.src_slaac_mac", Ether, Base::Dec, "Source SLAAC MAC";
    DST_SLAAC_MAC = "ipv6.dst_slaac_mac", Ether, Base::Dec, "Destination SLAAC MAC";
    HOP_NXT = "ipv6.hopopts.nxt", UInt, Base::Dec, "Next Header";
    HOP_LEN = "ipv6.hopopts.len", UInt, Base::Dec, "Length";
    HOP_LEN_OCT = "ipv6.hopopts.len_oct", UInt, Base::Dec, "Length";
    DST_NXT = "ipv6.dstopts.nxt", UInt, Base::Dec, "Next Header";
    DST_LEN = "ipv6.dstopts.len", UInt, Base::Dec, "Length";
    DST_LEN_OCT = "ipv6.dstopts.len_oct", UInt, Base::Dec, "Length";
    OPT_TYPE = "ipv6.opt.type", UInt, Base::Hex(2), "Type";
    OPT_TYPE_ACTION = "ipv6.opt.type.action", UInt, Base::Dec, "Action";
    OPT_TYPE_CHANGE = "ipv6.opt.type.change", Bool, Base::Dec, "May Change";
    OPT_TYPE_REST = "ipv6.opt.type.rest", UInt, Base::Hex(2), "Low-Order Bits";
    OPT_LENGTH = "ipv6.opt.length", UInt, Base::Dec, "Length";
    OPT_ROUTER_ALERT = "ipv6.opt.router_alert", UInt, Base::Dec, "Router Alert";
    RT_NXT = "ipv6.routing.nxt", UInt, Base::Dec, "Next Header";
    RT_LEN = "ipv6.routing.len", UInt, Base::Dec, "Length";
    RT_TYPE = "ipv6.routing.type", UInt, Base::Dec, "Type";
    RT_SEGLEFT = "ipv6.routing.segleft", UInt, Base::Dec, "Segments Left";
    FRAG_NXT = "ipv6.fraghdr.nxt", UInt, Base::Dec, "Next header";
    FRAG_RES_OCTET = "ipv6.fraghdr.reserved_octet", UInt, Base::Hex(2), "Reserved octet";
    FRAG_OFFSET = "ipv6.fraghdr.offset", UInt, Base::Dec, "Offset";
    FRAG_RES_BITS = "ipv6.fraghdr.reserved_bits", UInt, Base::Dec, "Reserved bits";
    FRAG_MORE = "ipv6.fraghdr.more", Bool, Base::Dec, "More Fragments";
    FRAG_IDENT = "ipv6.fraghdr.ident", UInt, Base::Hex(8), "Identification";
    IPV6_FRAGMENT = "ipv6.fragment", FrameNum, Base::Dec, "IPv6 Fragment";
    IPV6_FRAGMENT_COUNT = "ipv6.fragment.count", UInt, Base::Dec, "Fragment count";
    IPV6_FRAGMENT_OVERLAP = "ipv6.fragment.overlap", Bool, Base::Dec, "Fragment overlap";
    IPV6_REASSEMBLED_LENGTH = "ipv6.reassembled.length", UInt, Base::Dec, "Reassembled IPv6 length";
    IPV6_REASSEMBLED_DATA = "ipv6.reassembled.data", Bytes, Base::Dec, "Reassembled IPv6 data";
}

/// The MAC address embedded in a modified EUI-64 interface identifier.
fn slaac_mac(a: &Ipv6Addr) -> Option<[u8; 6]> {
    let o = a.octets();
    (o[11] == 0xff && o[12] == 0xfe && o[8] & 2 != 0)
        .then(|| [o[8] ^ 2, o[9], o[10], o[13], o[14], o[15]])
}

fn addr(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}

impl Pipeline {
    /// Dissect what an ethertype or a link type announced as IPv6: `None`
    /// when its version is not 6 (tshark's IPv6 dissector then shows the
    /// version, says so in Info and rejects the packet: it is not listed
    /// in `frame.protocols` and the caller shows it as it would any
    /// payload it has no dissector for).
    pub(crate) fn ipv6_checked(&mut self, cx: &mut Cx<'_>, data: &[u8]) -> Option<usize> {
        match data.first().map(|b| b >> 4) {
            Some(v) if v != 6 => {
                cx.d.push(&IPV6_VERSION, Value::UInt(v.into()));
                cx.d.push(&super::ipv4::IP_VERSION, Value::UInt(v.into()));
                if cx.depth == 0 {
                    cx.set_columns("IPv6");
                    if cx.wants_columns() {
                        cx.d.info = format!("Bogus IPv6 version ({v}, must be 6)");
                    }
                }
                None
            }
            _ => Some(self.ipv6(cx, data)),
        }
    }

    /// Dissect an IPv6 packet; returns the bytes it claims.
    pub(crate) fn ipv6(&mut self, cx: &mut Cx<'_>, data: &[u8]) -> usize {
        let total = data.get(4..6).map_or(data.len(), |t| {
            40 + usize::from(u16::from_be_bytes([t[0], t[1]]))
        });
        cx.proto_bytes(&IPV6, "ipv6", &data[..data.len().min(total)]);
        // Fields are shown as far as the captured bytes go.
        let avail = data.len();
        let mut h = [0u8; 40];
        h[..avail.min(40)].copy_from_slice(&data[..avail.min(40)]);
        let w = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let plen = usize::from(u16::from_be_bytes([h[4], h[5]]));
        let nxt = h[6];
        let hlim = h[7];
        let src = addr(&h[8..]);
        let dst = addr(&h[24..]);
        let tc = (w >> 20) & 0xff;
        // tshark names the layer before reading its header, and takes each
        // address for its column once it has read it.
        cx.set_columns("IPv6");
        if cx.wants_columns() {
            if avail >= 24 {
                cx.set_src(src.to_string());
            }
            if avail >= 40 {
                cx.set_dst(dst.to_string());
            }
        }
        let hosts = [
            cx.d.text(&IPV6_SRC_HOST, || src.to_string()),
            cx.d.text(&IPV6_HOST, || src.to_string()),
            cx.d.text(&IPV6_DST_HOST, || dst.to_string()),
            cx.d.text(&IPV6_HOST, || dst.to_string()),
        ];
        let [src_host, src_any, dst_host, dst_any] = hosts;
        let d = &mut *cx.d;
        let mut put = |end: usize, def: &'static FieldDef, v: Value| {
            if avail >= end {
                d.push(def, v);
            }
        };
        put(1, &IPV6_VERSION, Value::UInt((w >> 28).into()));
        put(1, &super::ipv4::IP_VERSION, Value::UInt((w >> 28).into()));
        put(4, &IPV6_TCLASS, Value::UInt(tc.into()));
        put(4, &IPV6_TCLASS_DSCP, Value::UInt((tc >> 2).into()));
        put(4, &IPV6_TCLASS_ECN, Value::UInt((tc & 3).into()));
        put(4, &IPV6_FLOW, Value::UInt((w & 0xfffff).into()));
        put(7, &IPV6_PLEN, Value::UInt(plen as u64));
        put(7, &IPV6_NXT, Value::UInt(nxt.into()));
        put(8, &IPV6_HLIM, Value::UInt(hlim.into()));
        if avail >= 24 {
            put(24, &IPV6_SRC, Value::Ipv6(src));
            put(24, &IPV6_ADDR, Value::Ipv6(src));
            put(24, &IPV6_SRC_HOST, src_host);
            put(24, &IPV6_HOST, src_any);
        }
        if avail >= 40 {
            put(40, &IPV6_DST, Value::Ipv6(dst));
            put(40, &IPV6_ADDR, Value::Ipv6(dst));
            put(40, &IPV6_DST_HOST, dst_host);
            put(40, &IPV6_HOST, dst_any);
        }
        for (a, f, end) in [(&src, &SRC_SLAAC_MAC, 40), (&dst, &DST_SLAAC_MAC, 40)] {
            if let (Some(m), true) = (slaac_mac(a), avail >= end) {
                cx.d.push(f, Value::Ether(m));
                cx.d.push(&SLAAC_MAC, Value::Ether(m));
            }
        }
        if avail < 40 {
            cx.malformed(Layer::Network);
            return avail;
        }
        let end = (40 + plen).min(data.len());
        self.ipv6_chain(
            cx,
            nxt,
            IpAddr::V6(src),
            IpAddr::V6(dst),
            hlim,
            &data[40..end],
            plen,
        );
        40 + plen
    }

    /// Walk extension headers starting with `nxt`, then the upper layer.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ipv6_chain(
        &mut self,
        cx: &mut Cx<'_>,
        mut nxt: u8,
        src: IpAddr,
        dst: IpAddr,
        hlim: u8,
        mut p: &[u8],
        mut reported: usize,
    ) {
        loop {
            match nxt {
                0 | 60 => {
                    let (name, text, fnxt, flen, foct) = if nxt == 0 {
                        let text = "IPv6 hop-by-hop options";
                        ("ipv6.hopopts", text, &HOP_NXT, &HOP_LEN, &HOP_LEN_OCT)
                    } else {
                        let text = "IPv6 destination options";
                        ("ipv6.dstopts", text, &DST_NXT, &DST_LEN, &DST_LEN_OCT)
                    };
                    cx.protos.push(name);
                    // tshark names the header in Info before reading it (the
                    // next layer replaces the text).
                    if cx.depth == 0 {
                        if !cx.d.info.is_empty() {
                            cx.d.info.push_str(", ");
                        }
                        cx.d.info.push_str(text);
                    }
                    if p.len() < 2 {
                        cx.malformed(Layer::Network);
                        return;
                    }
                    let len = (usize::from(p[1]) + 1) * 8;
                    cx.d.push(fnxt, Value::UInt(p[0].into()));
                    cx.d.push(flen, Value::UInt(p[1].into()));
                    cx.d.push(foct, Value::UInt(len as u64));
                    if p.len() < len {
                        tlv_options(cx, &p[2..]);
                        cx.malformed(Layer::Network);
                        return;
                    }
                    tlv_options(cx, &p[2..len]);
                    nxt = p[0];
                    p = &p[len..];
                    reported = reported.saturating_sub(len);
                }
                43 => {
                    cx.protos.push("ipv6.routing");
                    if p.len() < 4 {
                        cx.malformed(Layer::Network);
                        return;
                    }
                    let len = (usize::from(p[1]) + 1) * 8;
                    cx.d.push(&RT_NXT, Value::UInt(p[0].into()));
                    cx.d.push(&RT_LEN, Value::UInt(p[1].into()));
                    cx.d.push(&RT_TYPE, Value::UInt(p[2].into()));
                    cx.d.push(&RT_SEGLEFT, Value::UInt(p[3].into()));
                    if p.len() < len {
                        cx.malformed(Layer::Network);
                        return;
                    }
                    // Type 0/2 with segments left: the Destination column
                    // shows the final destination, the header's last address.
                    if matches!(p[2], 0 | 2) && p[3] > 0 && len >= 24 && cx.depth == 0 {
                        cx.d.dst = addr(&p[len - 16..len]).to_string();
                    }
                    nxt = p[0];
                    p = &p[len..];
                    reported = reported.saturating_sub(len);
                }
                44 => {
                    cx.protos.push("ipv6.fraghdr");
                    if p.len() < 8 {
                        cx.malformed(Layer::Network);
                        return;
                    }
                    let fnxt = p[0];
                    let offw = u16::from_be_bytes([p[2], p[3]]);
                    let ident = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
                    let more = offw & 1 != 0;
                    let off = usize::from(offw >> 3) * 8;
                    cx.d.push(&FRAG_NXT, Value::UInt(fnxt.into()));
                    cx.d.push(&FRAG_RES_OCTET, Value::UInt(p[1].into()));
                    cx.d.push(&FRAG_OFFSET, Value::UInt((offw >> 3).into()));
                    cx.d.push(&FRAG_RES_BITS, Value::UInt(((offw >> 1) & 3).into()));
                    cx.d.push(&FRAG_MORE, Value::Bool(more));
                    cx.d.push(&FRAG_IDENT, Value::UInt(ident.into()));
                    let body = &p[8..];
                    let rep = reported.saturating_sub(8);
                    if !more && off == 0 {
                        // Atomic fragment: nothing to reassemble.
                        nxt = fnxt;
                        p = body;
                        reported = rep;
                        continue;
                    }
                    let info = format!(
                        "IPv6 fragment (off={} more={} ident={:#010x} nxt={})",
                        off,
                        if more { 'y' } else { 'n' },
                        ident,
                        fnxt
                    );
                    if cx.depth > 0 || body.len() < rep {
                        if off == 0 && cx.depth > 0 {
                            nxt = fnxt;
                            p = body;
                            reported = rep;
                            continue;
                        }
                        self.data(cx, body);
                        if cx.depth == 0 {
                            cx.d.info = info;
                        }
                        return;
                    }
                    let (IpAddr::V6(s6), IpAddr::V6(d6)) = (src, dst) else {
                        return;
                    };
                    match self
                        .v6_frags
                        .add((s6, d6, ident), cx.ts_ns, cx.frame, off, more, body)
                    {
                        Outcome::Complete(r) => {
                            for f in &r.frames {
                                cx.d.push(&IPV6_FRAGMENT, Value::UInt(*f));
                            }
                            for _ in 0..r.overlaps {
                                cx.d.push(&IPV6_FRAGMENT_OVERLAP, Value::Bool(true));
                            }
                            cx.d.push(&IPV6_FRAGMENT_COUNT, Value::UInt(r.frames.len() as u64));
                            cx.d.push(&IPV6_REASSEMBLED_LENGTH, Value::UInt(r.data.len() as u64));
                            cx.d.push(&IPV6_REASSEMBLED_DATA, Value::Bytes(r.data.clone()));
                            let n = r.data.len();
                            cx.reassembled = true;
                            self.ipv6_chain(cx, fnxt, src, dst, hlim, &r.data, n);
                            cx.reassembled = false;
                        }
                        Outcome::Pending | Outcome::Ignored => {
                            self.data(cx, body);
                            cx.d.info = info;
                        }
                    }
                    return;
                }
                _ => {
                    self.ip_payload(cx, nxt, src, dst, hlim, p, reported);
                    return;
                }
            }
        }
    }
}

fn tlv_options(cx: &mut Cx<'_>, mut o: &[u8]) {
    while let Some(&t) = o.first() {
        cx.d.push(&OPT_TYPE, Value::UInt(t.into()));
        cx.d.push(&OPT_TYPE_ACTION, Value::UInt((t >> 6).into()));
        cx.d.push(&OPT_TYPE_CHANGE, Value::Bool(t & 0x20 != 0));
        cx.d.push(&OPT_TYPE_REST, Value::UInt((t & 0x1f).into()));
        if t == 0 {
            o = &o[1..];
            continue;
        }
        let Some(&len) = o.get(1) else { break };
        cx.d.push(&OPT_LENGTH, Value::UInt(len.into()));
        let len = usize::from(len);
        if o.len() < 2 + len {
            break;
        }
        if t == 5 && len == 2 {
            cx.d.push(
                &OPT_ROUTER_ALERT,
                Value::UInt(u16::from_be_bytes([o[2], o[3]]).into()),
            );
        }
        o = &o[2 + len..];
    }
}
