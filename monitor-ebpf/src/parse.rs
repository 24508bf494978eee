//! Bounded L2–L4 parser over the linear part of a frame.
//!
//! Every read is checked against `data_end` right before it, which is what the
//! verifier needs; every loop has a constant bound. The parser never fails: it
//! records how far it got.

use monitor_common::proto;

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
pub struct Parsed {
    /// Link-level protocol index ([`proto::ARP`], [`proto::IPV4`], [`proto::IPV6`] or [`proto::OTHER`]).
    pub l3: u8,
    /// Transport protocol index, or [`NONE`] for non-IP frames.
    pub l4: u8,
    /// Number of VLAN tags.
    pub vlan_depth: u8,
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

/// Parse a frame. Truncated headers stop the parse where they begin.
#[inline(always)]
pub fn parse(f: &Frame) -> Parsed {
    let mut out = Parsed {
        l3: proto::OTHER as u8,
        l4: NONE,
        vlan_depth: 0,
    };
    let Some(mut ethertype) = load_be16(f, 12) else {
        return out;
    };
    let mut off = ETH_HLEN;
    for _ in 0..MAX_VLAN {
        if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD || ethertype == ETH_P_QINQ1 {
            match load_be16(f, off + 2) {
                Some(t) => ethertype = t,
                None => return out,
            }
            off += 4;
            out.vlan_depth += 1;
        }
    }
    match ethertype {
        ETH_P_ARP => out.l3 = proto::ARP as u8,
        ETH_P_IP => {
            out.l3 = proto::IPV4 as u8;
            out.l4 = ipv4(f, off);
        }
        ETH_P_IPV6 => {
            out.l3 = proto::IPV6 as u8;
            out.l4 = ipv6(f, off);
        }
        _ => {}
    }
    out
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
fn ipv4(f: &Frame, off: usize) -> u8 {
    let Some(vihl) = load_u8(f, off) else {
        return proto::IP_OTHER as u8;
    };
    let Some(frag) = load_be16(f, off + 6) else {
        return proto::IP_OTHER as u8;
    };
    let Some(p) = load_u8(f, off + 9) else {
        return proto::IP_OTHER as u8;
    };
    if vihl >> 4 != 4 || (vihl & 0x0f) < 5 || frag & 0x1fff != 0 {
        // Not IPv4, a bad header length, or a non-first fragment: no transport header here.
        return proto::IP_OTHER as u8;
    }
    transport(p, false)
}

#[inline(always)]
fn ipv6(f: &Frame, off: usize) -> u8 {
    let Some(mut next) = load_u8(f, off + 6) else {
        return proto::IP_OTHER as u8;
    };
    let mut off = off + 40;
    for _ in 0..MAX_IPV6_EXT {
        match next {
            IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS => {
                let (Some(n), Some(len)) = (load_u8(f, off), load_u8(f, off + 1)) else {
                    return proto::IP_OTHER as u8;
                };
                next = n;
                off += (len as usize + 1) * 8;
            }
            IPPROTO_FRAGMENT => {
                let (Some(n), Some(fo)) = (load_u8(f, off), load_be16(f, off + 2)) else {
                    return proto::IP_OTHER as u8;
                };
                if fo & 0xfff8 != 0 {
                    return proto::IP_OTHER as u8;
                }
                next = n;
                off += 8;
            }
            _ => break,
        }
    }
    transport(next, true)
}
