//! Bounded L2–L4 parser over the linear part of a frame.
//!
//! Every read is checked against `data_end` right before it, which is what the
//! verifier needs; every loop has a constant bound. The parser never fails: it
//! records how far it got, and which protocols it saw, in [`Parsed`].

use monitor_common::{proto, rules::proto_bit};

use crate::Frame;

/// Marker for "no transport protocol recognised".
pub const NONE: u8 = 0xff;
/// Maximum VLAN tags followed (802.1ad/802.1Q stacks seen in the wild go to three).
pub const MAX_VLAN: usize = 4;
/// Maximum IPv6 extension headers followed before giving up.
pub const MAX_IPV6_EXT: usize = 4;

const ETH_HLEN: usize = 14;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_ARP: u16 = 0x0806;
const ETH_P_IPV6: u16 = 0x86dd;
const ETH_P_8021Q: u16 = 0x8100;
const ETH_P_8021AD: u16 = 0x88a8;
const ETH_P_QINQ1: u16 = 0x9100;

const IPPROTO_HOPOPTS: u8 = 0;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_ROUTING: u8 = 43;
const IPPROTO_FRAGMENT: u8 = 44;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_DSTOPTS: u8 = 60;

/// What the parser learnt about a frame.
#[derive(Default)]
pub struct Parsed {
    /// Link-level protocol index ([`proto::ARP`], [`proto::IPV4`], [`proto::IPV6`] or [`proto::OTHER`]).
    pub l3: u8,
    /// Transport protocol index, or [`NONE`] for non-IP frames.
    pub l4: u8,
    /// Number of VLAN tags.
    pub vlan_depth: u8,
    /// [`proto_bit`] flags of the headers present.
    pub protos: u64,
    /// Destination MAC as a 48-bit number.
    pub eth_dst: u64,
    /// Source MAC as a 48-bit number.
    pub eth_src: u64,
    /// EtherType after the VLAN tags.
    pub eth_type: u16,
    /// VLAN id of the outer tag.
    pub vlan_id: u16,
    /// Source address (IPv4 in `lo`, IPv6 as `hi`/`lo`).
    pub src: [u64; 2],
    /// Destination address.
    pub dst: [u64; 2],
    /// IPv4 protocol or IPv6 next header after the extension headers.
    pub ip_proto: u8,
    /// TTL or hop limit.
    pub ttl: u8,
    /// IPv4 total length.
    pub ip_len: u16,
    /// Transport source port.
    pub sport: u16,
    /// Transport destination port.
    pub dport: u16,
    /// TCP flags (12 bits).
    pub tcp_flags: u16,
    /// TCP header length in bytes.
    pub tcp_hdr_len: u16,
    /// TCP payload length from the IP lengths.
    pub tcp_len: u32,
    /// UDP length field.
    pub udp_len: u16,
    /// ICMP/ICMPv6 type.
    pub icmp_type: u8,
    /// ICMP/ICMPv6 code.
    pub icmp_code: u8,
    /// Offset of the end of the TCP header (TCP header records copy up to here).
    pub l4_end: u32,
}

/// Read one byte. The check covers two bytes: LLVM turns a one-byte check
/// `p + 1 > end` into `p >= end`, which gives the verifier no range when the
/// pointer has a variable offset. No header byte we read is a frame's last.
#[inline(always)]
fn load_u8(f: &Frame, off: usize) -> Option<u8> {
    let p = f.data + off;
    if p + 2 > f.data_end {
        return None;
    }
    // SAFETY: bounds checked against data_end just above.
    Some(unsafe { *(p as *const u8) })
}

#[inline(always)]
fn load_be16(f: &Frame, off: usize) -> Option<u16> {
    let p = f.data + off;
    if p + 2 > f.data_end {
        return None;
    }
    // SAFETY: bounds checked against data_end just above.
    Some(u16::from_be(unsafe {
        core::ptr::read_unaligned(p as *const u16)
    }))
}

#[inline(always)]
fn load_be32(f: &Frame, off: usize) -> Option<u32> {
    let p = f.data + off;
    if p + 4 > f.data_end {
        return None;
    }
    // SAFETY: bounds checked against data_end just above.
    Some(u32::from_be(unsafe {
        core::ptr::read_unaligned(p as *const u32)
    }))
}

#[inline(always)]
fn load_be64(f: &Frame, off: usize) -> Option<u64> {
    let p = f.data + off;
    if p + 8 > f.data_end {
        return None;
    }
    // SAFETY: bounds checked against data_end just above.
    Some(u64::from_be(unsafe {
        core::ptr::read_unaligned(p as *const u64)
    }))
}

/// Parse a frame into `out` (which lives in a per-CPU scratch map, off the
/// 512-byte stack). Truncated headers stop the parse where they begin.
#[inline(always)]
pub fn parse(f: &Frame, out: &mut Parsed) {
    *out = Parsed {
        l3: proto::OTHER as u8,
        l4: NONE,
        ..Default::default()
    };
    let (Some(d_hi), Some(d_lo), Some(s_hi), Some(s_lo), Some(mut ethertype)) = (
        load_be32(f, 0),
        load_be16(f, 4),
        load_be16(f, 6),
        load_be32(f, 8),
        load_be16(f, 12),
    ) else {
        return;
    };
    out.protos = proto_bit::ETH;
    out.eth_dst = ((d_hi as u64) << 16) | d_lo as u64;
    out.eth_src = ((s_hi as u64) << 32) | s_lo as u64;
    let mut off = ETH_HLEN;
    for _ in 0..MAX_VLAN {
        if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD || ethertype == ETH_P_QINQ1 {
            let (Some(tci), Some(t)) = (load_be16(f, off), load_be16(f, off + 2)) else {
                return;
            };
            if out.vlan_depth == 0 {
                out.vlan_id = tci & 0x0fff;
            }
            ethertype = t;
            off += 4;
            out.vlan_depth += 1;
            out.protos |= proto_bit::VLAN;
        }
    }
    out.eth_type = ethertype;
    match ethertype {
        ETH_P_ARP => {
            out.l3 = proto::ARP as u8;
            out.protos |= proto_bit::ARP;
        }
        ETH_P_IP => {
            out.l3 = proto::IPV4 as u8;
            ipv4(f, off, out);
        }
        ETH_P_IPV6 => {
            out.l3 = proto::IPV6 as u8;
            ipv6(f, off, out);
        }
        _ => {}
    }
}

#[inline(always)]
fn transport(p: u8, v6: bool) -> u8 {
    (match p {
        IPPROTO_TCP => proto::TCP,
        IPPROTO_UDP => proto::UDP,
        IPPROTO_ICMP if !v6 => proto::ICMP,
        IPPROTO_ICMPV6 if v6 => proto::ICMPV6,
        _ => proto::IP_OTHER,
    }) as u8
}

#[inline(always)]
fn ipv4(f: &Frame, off: usize, out: &mut Parsed) {
    out.l4 = proto::IP_OTHER as u8;
    let (Some(vihl), Some(total), Some(frag), Some(ttl), Some(p), Some(src), Some(dst)) = (
        load_u8(f, off),
        load_be16(f, off + 2),
        load_be16(f, off + 6),
        load_u8(f, off + 8),
        load_u8(f, off + 9),
        load_be32(f, off + 12),
        load_be32(f, off + 16),
    ) else {
        return;
    };
    if vihl >> 4 != 4 || (vihl & 0x0f) < 5 {
        return;
    }
    out.protos |= proto_bit::IP;
    out.ip_len = total;
    out.ttl = ttl;
    out.ip_proto = p;
    out.src = [0, src as u64];
    out.dst = [0, dst as u64];
    if frag & 0x1fff != 0 {
        // A non-first fragment: no transport header here.
        return;
    }
    out.l4 = transport(p, false);
    let ihl = ((vihl & 0x0f) as usize) * 4;
    let payload = (total as u32).saturating_sub(ihl as u32);
    l4(f, off + ihl, p, payload, out);
}

#[inline(always)]
fn ipv6(f: &Frame, off: usize, out: &mut Parsed) {
    out.l4 = proto::IP_OTHER as u8;
    let (Some(vtc), Some(plen), Some(nh_hlim), Some(s0), Some(s1), Some(d0), Some(d1)) = (
        load_be16(f, off),
        load_be16(f, off + 4),
        load_be16(f, off + 6),
        load_be64(f, off + 8),
        load_be64(f, off + 16),
        load_be64(f, off + 24),
        load_be64(f, off + 32),
    ) else {
        return;
    };
    if vtc >> 12 != 6 {
        return;
    }
    let mut next = (nh_hlim >> 8) as u8;
    out.protos |= proto_bit::IPV6;
    out.ttl = nh_hlim as u8;
    out.src = [s0, s1];
    out.dst = [d0, d1];
    let mut off = off + 40;
    let mut ext: u32 = 0;
    for _ in 0..MAX_IPV6_EXT {
        // Every extension header starts with (next header, length) or, for
        // fragments, (next header, reserved), then the fragment offset.
        let is_frag = next == IPPROTO_FRAGMENT;
        if !(is_frag
            || next == IPPROTO_HOPOPTS
            || next == IPPROTO_ROUTING
            || next == IPPROTO_DSTOPTS)
        {
            break;
        }
        let (Some(nl), Some(fo)) = (load_be16(f, off), load_be16(f, off + 2)) else {
            return;
        };
        next = (nl >> 8) as u8;
        let l = if is_frag {
            if fo & 0xfff8 != 0 {
                // A non-first fragment: no transport header here.
                out.ip_proto = next;
                return;
            }
            8
        } else {
            ((nl & 0xff) as usize + 1) * 8
        };
        off += l;
        ext += l as u32;
    }
    out.ip_proto = next;
    out.l4 = transport(next, true);
    let payload = (plen as u32).saturating_sub(ext);
    l4(f, off, next, payload, out);
}

/// Transport header at `off`; `payload` is the IP payload length.
#[inline(always)]
fn l4(f: &Frame, off: usize, p: u8, payload: u32, out: &mut Parsed) {
    match p {
        IPPROTO_TCP => {
            let (Some(sport), Some(dport), Some(offflags)) = (
                load_be16(f, off),
                load_be16(f, off + 2),
                load_be16(f, off + 12),
            ) else {
                return;
            };
            out.protos |= proto_bit::TCP;
            out.sport = sport;
            out.dport = dport;
            out.tcp_flags = offflags & 0x0fff;
            let hl = ((offflags >> 12) as u16) * 4;
            out.tcp_hdr_len = hl;
            out.tcp_len = payload.saturating_sub(hl as u32);
            out.l4_end = (off + hl as usize) as u32;
        }
        IPPROTO_UDP => {
            let (Some(sport), Some(dport), Some(len)) = (
                load_be16(f, off),
                load_be16(f, off + 2),
                load_be16(f, off + 4),
            ) else {
                return;
            };
            out.protos |= proto_bit::UDP;
            out.sport = sport;
            out.dport = dport;
            out.udp_len = len;
        }
        IPPROTO_ICMP | IPPROTO_ICMPV6 => {
            let v6 = out.protos & proto_bit::IPV6 != 0;
            if (p == IPPROTO_ICMP) == v6 {
                return;
            }
            let Some(tc) = load_be16(f, off) else {
                return;
            };
            out.protos |= if v6 {
                proto_bit::ICMPV6
            } else {
                proto_bit::ICMP
            };
            out.icmp_type = (tc >> 8) as u8;
            out.icmp_code = tc as u8;
        }
        _ => {}
    }
}
