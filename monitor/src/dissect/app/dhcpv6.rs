//! DHCPv6 (RFC 8415): message type, transaction id and the common options
//! (DUIDs, option request, elapsed time, IA_NA with IA addresses, DNS
//! servers, status code), with tshark's `dhcpv6.*` fields.

use super::protocol::{Mark, Protocol, Udp};
use super::util::{be16, be24, be32, ipv6, text};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// DHCPv6 on UDP ports 546 and 547.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "dhcpv6",
    fields: FIELDS,
    marks: &[Mark::new("dhcpv6", &P_DHCPV6)],
    udp: Some(Udp {
        ports: &[546, 547],
        dissect: |_, p, d| dissect(p, d),
        heuristic: None,
    }),
    ..Protocol::NONE
};

fn msg_name(t: u8) -> &'static str {
    match t {
        1 => "Solicit",
        2 => "Advertise",
        3 => "Request",
        4 => "Confirm",
        5 => "Renew",
        6 => "Rebind",
        7 => "Reply",
        8 => "Release",
        9 => "Decline",
        10 => "Reconfigure",
        11 => "Information-request",
        12 => "Relay-forw",
        13 => "Relay-reply",
        _ => "Unknown",
    }
}

fn option_name(t: u16) -> String {
    match t {
        1 => "Client Identifier",
        2 => "Server Identifier",
        3 => "Identity Association for Non-temporary Address",
        4 => "Identity Association for Temporary Address",
        5 => "IA Address",
        6 => "Option Request",
        7 => "Preference",
        8 => "Elapsed time",
        9 => "Relay Message",
        11 => "Authentication",
        12 => "Server unicast",
        13 => "Status code",
        14 => "Rapid Commit",
        15 => "User Class",
        16 => "Vendor Class",
        17 => "Vendor-specific Information",
        18 => "Interface-Id",
        19 => "Reconfigure Message",
        20 => "Reconfigure Accept",
        21 => "SIP Server Domain Name List",
        22 => "SIP Servers IPv6 Address List",
        23 => "DNS recursive name server",
        24 => "Domain Search List",
        25 => "Identity Association for Prefix Delegation",
        26 => "IA Prefix",
        31 => "Simple Network Time Protocol Server",
        32 => "Lifetime",
        39 => "Client Fully Qualified Domain Name",
        _ => return format!("Unknown ({t})"),
    }
    .to_string()
}

/// Dissect a DHCPv6 message (UDP 546/547).
pub fn dissect(p: &[u8], d: &mut Dissection) -> bool {
    if p.len() < 4 {
        return false;
    }
    d.protocol = "DHCPv6".into();
    let t = p[0];
    d.push(&F_DHCPV6_MSGTYPE, Value::UInt(t.into()));
    let mut info = String::from(msg_name(t));
    if t == 12 || t == 13 {
        d.info = info;
        return true;
    }
    let xid = be24(p, 1).unwrap_or(0);
    d.push(&F_DHCPV6_XID, Value::UInt(xid.into()));
    info.push_str(&format!(" XID: 0x{xid:x}"));
    let mut summary = Summary::default();
    options(&p[4..], d, &mut summary, 0);
    if let Some(c) = summary.cid {
        info.push_str(&format!(" CID: {c}"));
    }
    for a in summary.iaa {
        info.push_str(&format!(" IAA: {a}"));
    }
    info.push(' ');
    d.info = info;
    true
}

#[derive(Default)]
struct Summary {
    cid: Option<String>,
    iaa: Vec<String>,
}

fn options(mut b: &[u8], d: &mut Dissection, s: &mut Summary, depth: u8) {
    while b.len() >= 4 {
        let code = be16(b, 0).unwrap_or(0);
        let len = usize::from(be16(b, 2).unwrap_or(0));
        let Some(v) = b.get(4..4 + len) else {
            d.malformed = true;
            return;
        };
        d.push(&F_DHCPV6_OPTION_TYPE, Value::UInt(code.into()));
        d.push(&F_DHCPV6_OPTION_TYPE_STR, Value::Str(option_name(code)));
        d.push(&F_DHCPV6_OPTION_LENGTH, Value::UInt(len as u64));
        match code {
            1 | 2 => {
                duid(v, d);
                if code == 1 {
                    s.cid = Some(super::util::hex(v));
                }
            }
            6 => {
                for c in v.chunks_exact(2) {
                    let x = u16::from_be_bytes([c[0], c[1]]);
                    d.push(&F_DHCPV6_REQUESTED_OPTION_CODE, Value::UInt(x.into()));
                }
            }
            8 => {
                if let Some(x) = be16(v, 0) {
                    d.push(&F_DHCPV6_ELAPSED_TIME, Value::UInt(u64::from(x) * 10));
                }
            }
            3 | 25 if v.len() >= 12 => {
                d.push(&F_DHCPV6_IAID, Value::Str(super::util::hex(&v[0..4])));
                d.push(
                    &F_DHCPV6_IAID_T1,
                    Value::UInt(be32(v, 4).unwrap_or(0).into()),
                );
                d.push(
                    &F_DHCPV6_IAID_T2,
                    Value::UInt(be32(v, 8).unwrap_or(0).into()),
                );
                if depth < 4 {
                    options(&v[12..], d, s, depth + 1);
                }
            }
            5 if v.len() >= 24 => {
                let a = ipv6(v, 0).unwrap_or(std::net::Ipv6Addr::UNSPECIFIED);
                s.iaa.push(a.to_string());
                d.push(&F_DHCPV6_IAADDR_IP, Value::Ipv6(a));
                d.push(
                    &F_DHCPV6_IAADDR_PREF_LIFETIME,
                    Value::UInt(be32(v, 16).unwrap_or(0).into()),
                );
                d.push(
                    &F_DHCPV6_IAADDR_VALID_LIFETIME,
                    Value::UInt(be32(v, 20).unwrap_or(0).into()),
                );
                if depth < 4 {
                    options(&v[24..], d, s, depth + 1);
                }
            }
            23 => {
                for c in v.chunks_exact(16) {
                    let a: [u8; 16] = c.try_into().unwrap_or([0; 16]);
                    d.push(&F_DHCPV6_DNS_SERVER, Value::Ipv6(a.into()));
                }
            }
            13 if v.len() >= 2 => {
                d.push(
                    &F_DHCPV6_STATUS_CODE,
                    Value::UInt(be16(v, 0).unwrap_or(0).into()),
                );
                let _ = text(&v[2..]);
            }
            _ => {}
        }
        b = &b[4 + len..];
    }
}

fn duid(v: &[u8], d: &mut Dissection) {
    d.push(&F_DHCPV6_DUID_BYTES, Value::Bytes(v.to_vec()));
    let Some(t) = be16(v, 0) else { return };
    d.push(&F_DHCPV6_DUID_TYPE, Value::UInt(t.into()));
    let mac = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    match t {
        1 if v.len() >= 8 => {
            d.push(
                &F_DHCPV6_DUIDLLT_HWTYPE,
                Value::UInt(be16(v, 2).unwrap_or(0).into()),
            );
            d.push(&F_DHCPV6_DUIDLLT_LINK_LAYER_ADDR, Value::Str(mac(&v[8..])));
        }
        3 if v.len() >= 4 => {
            d.push(
                &F_DHCPV6_DUIDLL_HWTYPE,
                Value::UInt(be16(v, 2).unwrap_or(0).into()),
            );
            d.push(&F_DHCPV6_DUIDLL_LINK_LAYER_ADDR, Value::Str(mac(&v[4..])));
        }
        _ => {}
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_DHCPV6 = "dhcpv6", Protocol, Base::Dec, "DHCPv6";
        F_DHCPV6_MSGTYPE = "dhcpv6.msgtype", UInt, Base::Dec, "Message type";
        F_DHCPV6_XID = "dhcpv6.xid", UInt, Base::Hex(6), "Transaction ID";
        F_DHCPV6_OPTION_TYPE = "dhcpv6.option.type", UInt, Base::Dec, "Option";
        F_DHCPV6_OPTION_TYPE_STR = "dhcpv6.option.type_str", String, Base::Dec, "Option";
        F_DHCPV6_OPTION_LENGTH = "dhcpv6.option.length", UInt, Base::Dec, "Length";
        F_DHCPV6_DUID_BYTES = "dhcpv6.duid.bytes", Bytes, Base::Dec, "DUID";
        F_DHCPV6_DUID_TYPE = "dhcpv6.duid.type", UInt, Base::Dec, "DUID Type";
        F_DHCPV6_DUIDLLT_HWTYPE = "dhcpv6.duidllt.hwtype", UInt, Base::Dec, "Hardware type";
        F_DHCPV6_DUIDLLT_LINK_LAYER_ADDR = "dhcpv6.duidllt.link_layer_addr", String, Base::Dec, "Link-layer address";
        F_DHCPV6_DUIDLL_HWTYPE = "dhcpv6.duidll.hwtype", UInt, Base::Dec, "Hardware type";
        F_DHCPV6_DUIDLL_LINK_LAYER_ADDR = "dhcpv6.duidll.link_layer_addr", String, Base::Dec, "Link-layer address";
        F_DHCPV6_REQUESTED_OPTION_CODE = "dhcpv6.requested_option_code", UInt, Base::Dec, "Requested Option code";
        F_DHCPV6_ELAPSED_TIME = "dhcpv6.elapsed_time", UInt, Base::Dec, "Elapsed time";
        F_DHCPV6_IAID = "dhcpv6.iaid", String, Base::Dec, "IAID";
        F_DHCPV6_IAID_T1 = "dhcpv6.iaid.t1", UInt, Base::Dec, "T1";
        F_DHCPV6_IAID_T2 = "dhcpv6.iaid.t2", UInt, Base::Dec, "T2";
        F_DHCPV6_IAADDR_IP = "dhcpv6.iaaddr.ip", Ipv6, Base::Dec, "IPv6 address";
        F_DHCPV6_IAADDR_PREF_LIFETIME = "dhcpv6.iaaddr.pref_lifetime", UInt, Base::Dec, "Preferred lifetime";
        F_DHCPV6_IAADDR_VALID_LIFETIME = "dhcpv6.iaaddr.valid_lifetime", UInt, Base::Dec, "Valid lifetime";
        F_DHCPV6_DNS_SERVER = "dhcpv6.dns_server", Ipv6, Base::Dec, "DNS server address";
        F_DHCPV6_STATUS_CODE = "dhcpv6.status_code", UInt, Base::Dec, "Status Code";
    }
}
