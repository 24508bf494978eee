//! RIP v1/v2 (RFC 1058, 2453, with simple-password and keyed-MD5
//! authentication, RFC 4822) on UDP 520, and RIPng (RFC 2080) on UDP 521.

use super::protocol::{Mark, Protocol, Udp};
use super::util::{be16, be32, ipv4, ipv6, text};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// RIP on UDP port 520, RIPng on 521.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "rip",
    fields: FIELDS,
    marks: &[Mark::new("rip", &P_RIP), Mark::new("ripng", &P_RIPNG)],
    udp: Some(Udp {
        ports: &[520, 521],
        dissect: |call, p, d| match call.port {
            520 => dissect(p, d),
            _ => dissect_ng(p, d),
        },
        heuristic: None,
    }),
    ..Protocol::NONE
};

const HEADER: usize = 4;
const ENTRY: usize = 20;

fn command_name(c: u8) -> &'static str {
    match c {
        1 => "Request",
        2 => "Response",
        3 => "Traceon",
        4 => "Traceoff",
        5 => "Vendor specific (Sun)",
        _ => "Unknown command",
    }
}

/// Dissect a RIP v1/v2 message.
pub fn dissect(p: &[u8], d: &mut Dissection) -> bool {
    if p.len() < HEADER || !matches!(p[1], 1 | 2) {
        return false;
    }
    let (cmd, ver) = (p[0], p[1]);
    d.protocol = format!("RIPv{ver}");
    d.info = command_name(cmd).into();
    d.push(&F_RIP_COMMAND, Value::UInt(cmd.into()));
    d.push(&F_RIP_VERSION, Value::UInt(ver.into()));
    let mut off = HEADER;
    let mut trailer = 0usize;
    let mut md5 = false;
    let mut digest_at = None;
    while p.len().saturating_sub(off) > trailer {
        let Some(family) = be16(p, off) else { break };
        match family {
            0xffff if off == HEADER => {
                let Some(t) = be16(p, off + 2) else { break };
                d.push(&F_RIP_AUTH_TYPE, Value::UInt(t.into()));
                match t {
                    2 => {
                        let pw = &p[(off + 4).min(p.len())..(off + ENTRY).min(p.len())];
                        let end = pw.iter().position(|&c| c == 0).unwrap_or(pw.len());
                        d.push(&F_RIP_AUTH_PASSWD, Value::Str(text(&pw[..end])));
                    }
                    3 => {
                        let (Some(doff), Some(&kid), Some(&alen), Some(seq)) = (
                            be16(p, off + 4),
                            p.get(off + 6),
                            p.get(off + 7),
                            be32(p, off + 8),
                        ) else {
                            d.malformed = true;
                            break;
                        };
                        d.push(&F_RIP_DIGEST_OFFSET, Value::UInt(doff.into()));
                        d.push(&F_RIP_KEY_ID, Value::UInt(kid.into()));
                        d.push(&F_RIP_AUTH_DATA_LEN, Value::UInt(alen.into()));
                        d.push(&F_RIP_SEQ_NUM, Value::UInt(seq.into()));
                        trailer = usize::from(alen);
                        md5 = true;
                        digest_at = Some(usize::from(doff) + 4);
                    }
                    _ => {}
                }
            }
            0xffff if md5 && p.len() - off == ENTRY => {}
            0 | 2 => {
                d.push(&F_RIP_FAMILY, Value::UInt(family.into()));
                let e = &p[off..];
                if ver == 2 {
                    d.push(
                        &F_RIP_ROUTE_TAG,
                        Value::UInt(be16(e, 2).unwrap_or(0).into()),
                    );
                }
                if family == 2 {
                    if let Some(a) = ipv4(e, 4) {
                        d.push(&F_RIP_IP, Value::Ipv4(a));
                    }
                }
                if ver == 2 {
                    if let Some(a) = ipv4(e, 8) {
                        d.push(&F_RIP_NETMASK, Value::Ipv4(a));
                    }
                    if let Some(a) = ipv4(e, 12) {
                        d.push(&F_RIP_NEXT_HOP, Value::Ipv4(a));
                    }
                }
                match be32(e, 16) {
                    Some(m) => d.push(&F_RIP_METRIC, Value::UInt(u64::from(m & 0xffff))),
                    None => d.malformed = true,
                }
            }
            _ => d.push(&F_RIP_UNKNOWN_ADDRESS_FAMILY, Value::None),
        }
        off += ENTRY;
    }
    if let Some(at) = digest_at {
        if let Some(digest) = p.get(at..at + 16) {
            d.push(&F_RIP_AUTHENTICATION_DATA, Value::Bytes(digest.to_vec()));
        }
    }
    true
}

/// Dissect a RIPng message.
pub fn dissect_ng(p: &[u8], d: &mut Dissection) -> bool {
    if p.len() < 4 || p[1] != 1 {
        return false;
    }
    d.protocol = "RIPng".into();
    d.info = format!("Command {}, Version {}", command_name(p[0]), p[1]);
    d.push(&F_RIPNG_CMD, Value::UInt(p[0].into()));
    d.push(&F_RIPNG_VERSION, Value::UInt(p[1].into()));
    for e in p[4..].chunks_exact(20) {
        d.push(
            &F_RIPNG_RTE_IPV6_PREFIX,
            Value::Ipv6(ipv6(e, 0).unwrap_or(std::net::Ipv6Addr::UNSPECIFIED)),
        );
        d.push(
            &F_RIPNG_RTE_ROUTE_TAG,
            Value::UInt(be16(e, 16).unwrap_or(0).into()),
        );
        d.push(&F_RIPNG_RTE_PREFIX_LENGTH, Value::UInt(e[18].into()));
        d.push(&F_RIPNG_RTE_METRIC, Value::UInt(e[19].into()));
    }
    true
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_RIP = "rip", Protocol, Base::Dec, "Routing Information Protocol";
        P_RIPNG = "ripng", Protocol, Base::Dec, "RIPng";
        F_RIP_COMMAND = "rip.command", UInt, Base::Dec, "Command";
        F_RIP_VERSION = "rip.version", UInt, Base::Dec, "Version";
        F_RIP_AUTH_TYPE = "rip.auth.type", UInt, Base::Dec, "Authentication type";
        F_RIP_AUTH_PASSWD = "rip.auth.passwd", String, Base::Dec, "Password";
        F_RIP_DIGEST_OFFSET = "rip.digest_offset", UInt, Base::Dec, "Digest Offset";
        F_RIP_KEY_ID = "rip.key_id", UInt, Base::Dec, "Key ID";
        F_RIP_AUTH_DATA_LEN = "rip.auth_data_len", UInt, Base::Dec, "Auth Data Len";
        F_RIP_SEQ_NUM = "rip.seq_num", UInt, Base::Dec, "Seq num";
        F_RIP_AUTHENTICATION_DATA = "rip.authentication_data", Bytes, Base::Dec, "Authentication Data";
        F_RIP_FAMILY = "rip.family", UInt, Base::Dec, "Address Family";
        F_RIP_ROUTE_TAG = "rip.route_tag", UInt, Base::Dec, "Route Tag";
        F_RIP_IP = "rip.ip", Ipv4, Base::Dec, "IP Address";
        F_RIP_NETMASK = "rip.netmask", Ipv4, Base::Dec, "Netmask";
        F_RIP_NEXT_HOP = "rip.next_hop", Ipv4, Base::Dec, "Next Hop";
        F_RIP_METRIC = "rip.metric", UInt, Base::Dec, "Metric";
        F_RIP_UNKNOWN_ADDRESS_FAMILY = "rip.unknown_address_family", None, Base::Dec, "Unknown address family";
        F_RIPNG_CMD = "ripng.cmd", UInt, Base::Dec, "Command";
        F_RIPNG_VERSION = "ripng.version", UInt, Base::Dec, "Version";
        F_RIPNG_RTE_IPV6_PREFIX = "ripng.rte.ipv6_prefix", Ipv6, Base::Dec, "IPv6 Prefix";
        F_RIPNG_RTE_ROUTE_TAG = "ripng.rte.route_tag", UInt, Base::Hex(4), "Route Tag";
        F_RIPNG_RTE_PREFIX_LENGTH = "ripng.rte.prefix_length", UInt, Base::Dec, "Prefix Length";
        F_RIPNG_RTE_METRIC = "ripng.rte.metric", UInt, Base::Dec, "Metric";
    }
}
