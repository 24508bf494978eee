//! DHCP (BOOTP with the DHCP options, RFC 2131/2132), as tshark 4.0's `dhcp`
//! dissector shows it: fixed header, magic cookie and the common options.

use super::protocol::{Mark, Protocol, Udp};
use super::util::{be16, be32, ipv4, text};
use crate::dissect::{Dissection, Value};

pub use defs::FIELDS;
use defs::*;

/// DHCP (BOOTP) on UDP ports 67 and 68.
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "dhcp",
    fields: FIELDS,
    marks: &[Mark::new("dhcp", &P_DHCP)],
    udp: Some(Udp {
        ports: &[67, 68],
        dissect: |_, p, d| dissect(p, d),
        heuristic: None,
    }),
    ..Protocol::NONE
};

fn msg_name(t: u8) -> &'static str {
    match t {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        9 => "Force Renew",
        10 => "Lease query",
        11 => "Lease Unassigned",
        12 => "Lease Unknown",
        13 => "Lease Active",
        _ => "Unknown",
    }
}

/// Dissect a BOOTP/DHCP message (UDP 67/68).
pub fn dissect(p: &[u8], d: &mut Dissection) -> bool {
    if p.len() < 236 || !matches!(p[0], 1 | 2) {
        return false;
    }
    let ip = |o: usize| Value::Ipv4(ipv4(p, o).unwrap_or(std::net::Ipv4Addr::UNSPECIFIED));
    d.push(&F_DHCP_TYPE, Value::UInt(p[0].into()));
    d.push(&F_DHCP_HW_TYPE, Value::UInt(p[1].into()));
    d.push(&F_DHCP_HW_LEN, Value::UInt(p[2].into()));
    d.push(&F_DHCP_HOPS, Value::UInt(p[3].into()));
    let xid = be32(p, 4).unwrap_or(0);
    d.push(&F_DHCP_ID, Value::UInt(xid.into()));
    d.push(&F_DHCP_SECS, Value::UInt(be16(p, 8).unwrap_or(0).into()));
    let flags = be16(p, 10).unwrap_or(0);
    d.push(&F_DHCP_FLAGS, Value::UInt(flags.into()));
    d.push(&F_DHCP_FLAGS_BC, Value::Bool(flags & 0x8000 != 0));
    d.push(&F_DHCP_FLAGS_RESERVED, Value::UInt((flags & 0x7fff).into()));
    d.push(&F_DHCP_IP_CLIENT, ip(12));
    d.push(&F_DHCP_IP_YOUR, ip(16));
    d.push(&F_DHCP_IP_SERVER, ip(20));
    d.push(&F_DHCP_IP_RELAY, ip(24));
    let hlen = usize::from(p[2]).min(16);
    if p[1] == 1 && hlen == 6 {
        let mut m = [0u8; 6];
        m.copy_from_slice(&p[28..34]);
        d.push(&F_DHCP_HW_MAC_ADDR, Value::Ether(m));
    } else if hlen > 0 {
        d.push(&F_DHCP_HW_ADDR, Value::Bytes(p[28..28 + hlen].to_vec()));
    }
    if hlen < 16 {
        d.push(
            &F_DHCP_HW_ADDR_PADDING,
            Value::Bytes(p[28 + hlen..44].to_vec()),
        );
    }
    let cstr = |b: &[u8]| {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        text(&b[..end])
    };
    let sname = cstr(&p[44..108]);
    if !sname.is_empty() {
        d.push(&F_DHCP_SERVER, Value::Str(sname));
    }
    let file = cstr(&p[108..236]);
    if !file.is_empty() {
        d.push(&F_DHCP_FILE, Value::Str(file));
    }
    d.protocol = if p.get(236..240) == Some(&[99, 130, 83, 99]) {
        "DHCP".into()
    } else {
        "BOOTP".into()
    };
    let mut msg_type = None;
    if d.protocol == "DHCP" {
        d.push(&F_DHCP_COOKIE, ip(236));
        let mut off = 240;
        while off < p.len() {
            let code = p[off];
            if code == 255 {
                // tshark 4.0 shows the End option's type as 0.
                d.push(&F_DHCP_OPTION_TYPE, Value::UInt(0));
                d.push(&F_DHCP_OPTION_END, Value::UInt(255));
                if off + 1 < p.len() {
                    d.push(&F_DHCP_OPTION_PADDING, Value::Bytes(p[off + 1..].to_vec()));
                }
                break;
            }
            if code == 0 {
                let start = off;
                while off < p.len() && p[off] == 0 {
                    off += 1;
                }
                d.push(&F_DHCP_OPTION_PADDING, Value::Bytes(p[start..off].to_vec()));
                continue;
            }
            let Some(&len) = p.get(off + 1) else {
                d.malformed = true;
                break;
            };
            let Some(v) = p.get(off + 2..off + 2 + usize::from(len)) else {
                d.malformed = true;
                break;
            };
            d.push(&F_DHCP_OPTION_TYPE, Value::UInt(code.into()));
            d.push(&F_DHCP_OPTION_LENGTH, Value::UInt(len.into()));
            d.push(&F_DHCP_OPTION_VALUE, Value::Bytes(v.to_vec()));
            option(code, v, d, &mut msg_type);
            off += 2 + usize::from(len);
        }
    }
    d.info = match msg_type {
        Some(t) => format!("DHCP {:<8} - Transaction ID 0x{xid:08x}", msg_name(t)),
        None => format!(
            "Boot {} - Transaction ID 0x{xid:08x}",
            if p[0] == 1 { "Request" } else { "Reply" }
        ),
    };
    true
}

fn option(code: u8, v: &[u8], d: &mut Dissection, msg_type: &mut Option<u8>) {
    let addr = |o: usize| ipv4(v, o).map(Value::Ipv4);
    let addrs = |def, d: &mut Dissection| {
        for c in v.chunks_exact(4) {
            d.push(def, Value::Ipv4([c[0], c[1], c[2], c[3]].into()));
        }
    };
    let u32v = || be32(v, 0).map(|x| Value::UInt(x.into()));
    let s = || {
        let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
        Value::Str(text(&v[..end]))
    };
    match code {
        53 if v.len() == 1 => {
            *msg_type = Some(v[0]);
            d.push(&F_DHCP_OPTION_DHCP, Value::UInt(v[0].into()));
        }
        50 => {
            if let Some(a) = addr(0) {
                d.push(&F_DHCP_OPTION_REQUESTED_IP_ADDRESS, a);
            }
        }
        54 => {
            if let Some(a) = addr(0) {
                d.push(&F_DHCP_OPTION_DHCP_SERVER_ID, a);
            }
        }
        1 => {
            if let Some(a) = addr(0) {
                d.push(&F_DHCP_OPTION_SUBNET_MASK, a);
            }
        }
        28 => {
            if let Some(a) = addr(0) {
                d.push(&F_DHCP_OPTION_BROADCAST_ADDRESS, a);
            }
        }
        3 => addrs(&F_DHCP_OPTION_ROUTER, d),
        6 => addrs(&F_DHCP_OPTION_DOMAIN_NAME_SERVER, d),
        12 => d.push(&F_DHCP_OPTION_HOSTNAME, s()),
        15 => d.push(&F_DHCP_OPTION_DOMAIN_NAME, s()),
        60 => d.push(&F_DHCP_OPTION_VENDOR_CLASS_ID, s()),
        51 | 58 | 59 => {
            if let Some(x) = u32v() {
                let def = match code {
                    51 => &F_DHCP_OPTION_IP_ADDRESS_LEASE_TIME,
                    58 => &F_DHCP_OPTION_RENEWAL_TIME_VALUE,
                    _ => &F_DHCP_OPTION_REBINDING_TIME_VALUE,
                };
                d.push(def, x);
            }
        }
        57 => {
            if let Some(x) = be16(v, 0) {
                d.push(&F_DHCP_OPTION_DHCP_MAX_MESSAGE_SIZE, Value::UInt(x.into()));
            }
        }
        55 => {
            for &c in v {
                d.push(&F_DHCP_OPTION_REQUEST_LIST_ITEM, Value::UInt(c.into()));
            }
        }
        _ => {}
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::Base;

    fields! {
        P_DHCP = "dhcp", Protocol, Base::Dec, "Dynamic Host Configuration Protocol";
        F_DHCP_TYPE = "dhcp.type", UInt, Base::Dec, "Message type";
        F_DHCP_HW_TYPE = "dhcp.hw.type", UInt, Base::Hex(2), "Hardware type";
        F_DHCP_HW_LEN = "dhcp.hw.len", UInt, Base::Dec, "Hardware address length";
        F_DHCP_HOPS = "dhcp.hops", UInt, Base::Dec, "Hops";
        F_DHCP_ID = "dhcp.id", UInt, Base::Hex(8), "Transaction ID";
        F_DHCP_SECS = "dhcp.secs", UInt, Base::Dec, "Seconds elapsed";
        F_DHCP_FLAGS = "dhcp.flags", UInt, Base::Hex(4), "Bootp flags";
        F_DHCP_FLAGS_BC = "dhcp.flags.bc", Bool, Base::Dec, "Broadcast flag";
        F_DHCP_FLAGS_RESERVED = "dhcp.flags.reserved", UInt, Base::Hex(4), "Reserved flags";
        F_DHCP_IP_CLIENT = "dhcp.ip.client", Ipv4, Base::Dec, "Client IP address";
        F_DHCP_IP_YOUR = "dhcp.ip.your", Ipv4, Base::Dec, "Your (client) IP address";
        F_DHCP_IP_SERVER = "dhcp.ip.server", Ipv4, Base::Dec, "Next server IP address";
        F_DHCP_IP_RELAY = "dhcp.ip.relay", Ipv4, Base::Dec, "Relay agent IP address";
        F_DHCP_HW_MAC_ADDR = "dhcp.hw.mac_addr", Ether, Base::Dec, "Client MAC address";
        F_DHCP_HW_ADDR = "dhcp.hw.addr", Bytes, Base::Dec, "Client hardware address";
        F_DHCP_HW_ADDR_PADDING = "dhcp.hw.addr_padding", Bytes, Base::Dec, "Client hardware address padding";
        F_DHCP_SERVER = "dhcp.server", String, Base::Dec, "Server host name";
        F_DHCP_FILE = "dhcp.file", String, Base::Dec, "Boot file name";
        F_DHCP_COOKIE = "dhcp.cookie", Ipv4, Base::Dec, "Magic cookie";
        F_DHCP_OPTION_TYPE = "dhcp.option.type", UInt, Base::Dec, "Option";
        F_DHCP_OPTION_LENGTH = "dhcp.option.length", UInt, Base::Dec, "Length";
        F_DHCP_OPTION_VALUE = "dhcp.option.value", Bytes, Base::Dec, "Value";
        F_DHCP_OPTION_DHCP = "dhcp.option.dhcp", UInt, Base::Dec, "DHCP";
        F_DHCP_OPTION_REQUESTED_IP_ADDRESS = "dhcp.option.requested_ip_address", Ipv4, Base::Dec, "Requested IP Address";
        F_DHCP_OPTION_HOSTNAME = "dhcp.option.hostname", String, Base::Dec, "Host Name";
        F_DHCP_OPTION_REQUEST_LIST_ITEM = "dhcp.option.request_list_item", UInt, Base::Dec, "Parameter Request List Item";
        F_DHCP_OPTION_DHCP_SERVER_ID = "dhcp.option.dhcp_server_id", Ipv4, Base::Dec, "DHCP Server Identifier";
        F_DHCP_OPTION_IP_ADDRESS_LEASE_TIME = "dhcp.option.ip_address_lease_time", UInt, Base::Dec, "IP Address Lease Time";
        F_DHCP_OPTION_RENEWAL_TIME_VALUE = "dhcp.option.renewal_time_value", UInt, Base::Dec, "Renewal Time Value";
        F_DHCP_OPTION_REBINDING_TIME_VALUE = "dhcp.option.rebinding_time_value", UInt, Base::Dec, "Rebinding Time Value";
        F_DHCP_OPTION_SUBNET_MASK = "dhcp.option.subnet_mask", Ipv4, Base::Dec, "Subnet Mask";
        F_DHCP_OPTION_BROADCAST_ADDRESS = "dhcp.option.broadcast_address", Ipv4, Base::Dec, "Broadcast Address";
        F_DHCP_OPTION_ROUTER = "dhcp.option.router", Ipv4, Base::Dec, "Router";
        F_DHCP_OPTION_DOMAIN_NAME = "dhcp.option.domain_name", String, Base::Dec, "Domain Name";
        F_DHCP_OPTION_DOMAIN_NAME_SERVER = "dhcp.option.domain_name_server", Ipv4, Base::Dec, "Domain Name Server";
        F_DHCP_OPTION_DHCP_MAX_MESSAGE_SIZE = "dhcp.option.dhcp_max_message_size", UInt, Base::Dec, "Maximum DHCP Message Size";
        F_DHCP_OPTION_VENDOR_CLASS_ID = "dhcp.option.vendor_class_id", String, Base::Dec, "Vendor class identifier";
        F_DHCP_OPTION_END = "dhcp.option.end", UInt, Base::Dec, "Option End";
        F_DHCP_OPTION_PADDING = "dhcp.option.padding", Bytes, Base::Dec, "Padding";
    }
}
