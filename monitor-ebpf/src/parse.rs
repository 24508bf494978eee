//! Bounded L2–L4 parser over the linear part of a frame.
//!
//! Every read is checked against `data_end` right before it, which is what the
//! verifier needs; every loop has a constant bound. The parser never fails: it
//! records how far it got, and which protocols it saw, in [`Parsed`].

use monitor_common::consts::ip_proto::{
    AH, DSTOPTS, FRAGMENT, GRE, HOPOPTS, ICMP, ICMPV6, IPIP, IPV6, ROUTING, TCP, UDP,
};
use monitor_common::consts::{eth_hdr, ethertype, ipv4_hdr, ipv6_hdr, tcp_hdr, udp_hdr, vlan_hdr};
use monitor_common::{proto, rules::proto_bit, Parsed};

use crate::Frame;

/// Marker for "no transport protocol recognised".
pub const NONE: u8 = 0xff;
/// Maximum VLAN tags followed (802.1ad/802.1Q stacks seen in the wild go to three).
pub const MAX_VLAN: usize = 4;
/// Maximum IPv6 extension headers followed before giving up.
pub const MAX_IPV6_EXT: usize = 4;

/// Copy the `N` bytes at `off` out of the packet, with one bounds check.
/// Whole headers are read this way: one check per header keeps LLVM from
/// merging many small checks into forms the verifier cannot follow.
#[inline(always)]
fn bytes<const N: usize>(f: &Frame, off: usize) -> Option<[u8; N]> {
    let p = f.data + off;
    if p + N > f.data_end {
        return None;
    }
    // SAFETY: bounds checked against data_end just above.
    Some(unsafe { core::ptr::read_unaligned(p as *const [u8; N]) })
}

#[inline(always)]
fn be16(b: &[u8], i: usize) -> u16 {
    ((b[i] as u16) << 8) | b[i + 1] as u16
}

#[inline(always)]
fn be32(b: &[u8], i: usize) -> u32 {
    ((be16(b, i) as u32) << 16) | be16(b, i + 2) as u32
}

#[inline(always)]
fn be64(b: &[u8], i: usize) -> u64 {
    ((be32(b, i) as u64) << 32) | be32(b, i + 4) as u64
}

/// Zero `out` (no protocol seen, no transport) with one 8-byte store per
/// word: a struct assignment compiles to a call of a byte-at-a-time
/// `memset` (over 300 instructions for every frame).
#[inline(always)]
fn reset(out: &mut Parsed) {
    const WORDS: usize = core::mem::size_of::<Parsed>() / 8;
    const _: () = assert!(core::mem::size_of::<Parsed>() % 8 == 0);
    let w = out as *mut Parsed as *mut u64;
    for i in 0..WORDS {
        // SAFETY: within `out`, which is 8-byte aligned (it holds u64s);
        // volatile so the stores stay stores.
        unsafe { w.add(i).write_volatile(0) };
    }
    out.l3 = proto::OTHER as u8;
    out.l4 = NONE;
}

/// Parse a frame into `out` (which lives in a per-CPU scratch map, off the
/// 512-byte stack). Truncated headers stop the parse where they begin.
#[inline(always)]
pub fn parse(f: &Frame, out: &mut Parsed) {
    reset(out);
    let Some(eth) = bytes::<{ eth_hdr::LEN }>(f, 0) else {
        return;
    };
    let mut ethertype = be16(&eth, eth_hdr::TYPE);
    out.protos = proto_bit::ETH;
    if ethertype > eth_hdr::MAX_802_3_LEN {
        out.protos |= proto_bit::ETH_TYPE;
    }
    out.eth_type = ethertype;
    let (dst, src) = (eth_hdr::DST, eth_hdr::SRC);
    out.eth_dst = ((be32(&eth, dst) as u64) << 16) | be16(&eth, dst + 4) as u64;
    out.eth_src = ((be16(&eth, src) as u64) << 32) | be32(&eth, src + 2) as u64;
    let mut off = eth_hdr::LEN;
    for _ in 0..MAX_VLAN {
        if ethertype == ethertype::VLAN
            || ethertype == ethertype::QINQ
            || ethertype == ethertype::QINQ_LEGACY
        {
            let Some(tag) = bytes::<{ vlan_hdr::LEN }>(f, off) else {
                return;
            };
            let (tci, t) = (be16(&tag, vlan_hdr::TCI), be16(&tag, vlan_hdr::TYPE));
            if out.vlan_depth == 0 {
                out.vlan_id = tci & vlan_hdr::VID_MASK;
            }
            ethertype = t;
            off += vlan_hdr::LEN;
            out.vlan_depth += 1;
            out.protos |= proto_bit::VLAN;
        }
    }
    if out.vlan_depth > 1 {
        out.protos |= proto_bit::NESTED;
    }
    match ethertype {
        ethertype::ARP => {
            out.l3 = proto::ARP as u8;
            out.protos |= proto_bit::ARP;
        }
        ethertype::IPV4 => {
            out.l3 = proto::IPV4 as u8;
            ipv4(f, off, out);
        }
        ethertype::IPV6 => {
            out.l3 = proto::IPV6 as u8;
            ipv6(f, off, out);
        }
        _ => {}
    }
}

/// Parse a frame of a device without a link-layer header (tun): it starts
/// at the IP header, whose version says which.
#[inline(always)]
pub fn parse_ip(f: &Frame, out: &mut Parsed) {
    reset(out);
    // (two bytes: a one-byte bounds check compiles to a test the verifier
    // does not take as one; a one-byte frame is no IP packet anyway)
    let Some(head) = bytes::<2>(f, 0) else {
        return;
    };
    match head[0] >> 4 {
        4 => {
            out.l3 = proto::IPV4 as u8;
            ipv4(f, 0, out);
        }
        6 => {
            out.l3 = proto::IPV6 as u8;
            ipv6(f, 0, out);
        }
        _ => {}
    }
}

/// IP protocols after which the dissection goes on with headers the parser
/// does not read: IP-in-IP, IPv6-in-IP, GRE, AH (then the protected
/// transport), and IPv6 extension headers left over after
/// [`MAX_IPV6_EXT`]. All below 64: one mask test.
const NESTING: u64 = (1 << IPIP)
    | (1 << IPV6)
    | (1 << GRE)
    | (1 << AH)
    | (1 << HOPOPTS)
    | (1 << ROUTING)
    | (1 << FRAGMENT)
    | (1 << DSTOPTS);

#[inline(always)]
fn nests(p: u8) -> bool {
    p < 64 && (NESTING >> p) & 1 != 0
}

#[inline(always)]
fn transport(p: u8, v6: bool) -> u8 {
    (match p {
        TCP => proto::TCP,
        UDP => proto::UDP,
        ICMP if !v6 => proto::ICMP,
        ICMPV6 if v6 => proto::ICMPV6,
        _ => proto::IP_OTHER,
    }) as u8
}

#[inline(always)]
fn ipv4(f: &Frame, off: usize, out: &mut Parsed) {
    out.l4 = proto::IP_OTHER as u8;
    let Some(h) = bytes::<{ ipv4_hdr::LEN }>(f, off) else {
        return;
    };
    let vihl = h[ipv4_hdr::VER_IHL];
    let (total, frag) = (
        be16(&h, ipv4_hdr::TOTAL_LEN),
        be16(&h, ipv4_hdr::FLAGS_FRAG),
    );
    let (ttl, p) = (h[ipv4_hdr::TTL], h[ipv4_hdr::PROTO]);
    let (src, dst) = (be32(&h, ipv4_hdr::SRC), be32(&h, ipv4_hdr::DST));
    if vihl >> 4 != 4 || (vihl & 0x0f) < 5 {
        return;
    }
    out.protos |= proto_bit::IP;
    out.ip_len = total;
    out.ttl = ttl;
    out.ip_proto = p;
    out.src = [0, src as u64];
    out.dst = [0, dst as u64];
    if frag & ipv4_hdr::MF_OFFSET_MASK != 0 {
        // A fragment: the dissector shows the reassembled datagram's fields
        // on the frame that completes it.
        out.protos |= proto_bit::NESTED;
    }
    if frag & ipv4_hdr::OFFSET_MASK != 0 {
        // A non-first fragment: no transport header here.
        return;
    }
    if nests(p) {
        out.protos |= proto_bit::NESTED;
    }
    out.l4 = transport(p, false);
    let ihl = ((vihl & 0x0f) as usize) * 4;
    let payload = (total as u32).saturating_sub(ihl as u32);
    l4(f, off + ihl, p, payload, out);
}

#[inline(always)]
fn ipv6(f: &Frame, off: usize, out: &mut Parsed) {
    out.l4 = proto::IP_OTHER as u8;
    let Some(h) = bytes::<{ ipv6_hdr::LEN }>(f, off) else {
        return;
    };
    if h[0] >> 4 != 6 {
        return;
    }
    let plen = be16(&h, ipv6_hdr::PAYLOAD_LEN);
    let mut next = h[ipv6_hdr::NEXT];
    out.protos |= proto_bit::IPV6;
    out.ttl = h[ipv6_hdr::HOP_LIMIT];
    let (src, dst) = (ipv6_hdr::SRC, ipv6_hdr::DST);
    out.src = [be64(&h, src), be64(&h, src + 8)];
    out.dst = [be64(&h, dst), be64(&h, dst + 8)];
    let mut off = off + ipv6_hdr::LEN;
    let mut ext: u32 = 0;
    for _ in 0..MAX_IPV6_EXT {
        // Every extension header starts with (next header, length) or, for
        // fragments, (next header, reserved), then the fragment offset.
        let is_frag = next == FRAGMENT;
        if !(is_frag || next == HOPOPTS || next == ROUTING || next == DSTOPTS) {
            break;
        }
        let Some(e) = bytes::<4>(f, off) else {
            return;
        };
        let (nl, fo) = (be16(&e, 0), be16(&e, 2));
        next = (nl >> 8) as u8;
        let l = if is_frag {
            out.protos |= proto_bit::NESTED;
            if fo & ipv6_hdr::FRAG_OFFSET_MASK != 0 {
                // A non-first fragment: no transport header here.
                out.ip_proto = next;
                return;
            }
            ipv6_hdr::FRAG_LEN
        } else {
            ((nl & 0xff) as usize + 1) * 8
        };
        off += l;
        ext += l as u32;
    }
    out.ip_proto = next;
    if nests(next) {
        out.protos |= proto_bit::NESTED;
    }
    out.l4 = transport(next, true);
    let payload = (plen as u32).saturating_sub(ext);
    l4(f, off, next, payload, out);
}

/// Transport header at `off`; `payload` is the IP payload length.
#[inline(always)]
fn l4(f: &Frame, off: usize, p: u8, payload: u32, out: &mut Parsed) {
    match p {
        TCP => {
            let Some(t) = bytes::<{ tcp_hdr::LEN }>(f, off) else {
                return;
            };
            let (sport, dport) = (be16(&t, tcp_hdr::SRC_PORT), be16(&t, tcp_hdr::DST_PORT));
            let offflags = be16(&t, tcp_hdr::OFF_FLAGS);
            out.protos |= proto_bit::TCP;
            out.sport = sport;
            out.dport = dport;
            out.tcp_flags = offflags & tcp_hdr::FLAGS_MASK;
            let hl = ((offflags >> 12) as u16) * 4;
            out.tcp_hdr_len = hl;
            out.tcp_len = payload.saturating_sub(hl as u32);
            out.l4_end = (off + hl as usize) as u32;
        }
        UDP => {
            let Some(u) = bytes::<{ udp_hdr::LEN }>(f, off) else {
                return;
            };
            let (sport, dport) = (be16(&u, udp_hdr::SRC_PORT), be16(&u, udp_hdr::DST_PORT));
            let len = be16(&u, udp_hdr::LEN_FIELD);
            out.protos |= proto_bit::UDP;
            out.sport = sport;
            out.dport = dport;
            out.udp_len = len;
        }
        ICMP | ICMPV6 => {
            let v6 = out.protos & proto_bit::IPV6 != 0;
            if (p == ICMP) == v6 {
                return;
            }
            let Some(ic) = bytes::<2>(f, off) else {
                return;
            };
            let tc = be16(&ic, 0);
            out.protos |= if v6 {
                proto_bit::ICMPV6
            } else {
                proto_bit::ICMP
            };
            let t = (tc >> 8) as u8;
            out.icmp_type = t;
            out.icmp_code = tc as u8;
            // Error messages quote the offending packet's headers.
            let error = if v6 {
                t < 128
            } else {
                matches!(t, 3 | 4 | 5 | 11 | 12)
            };
            if error {
                out.protos |= proto_bit::NESTED;
            }
        }
        _ => {}
    }
}
