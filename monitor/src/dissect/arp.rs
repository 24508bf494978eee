//! ARP (Ethernet/IPv4 addresses decoded; other sizes shown as counts only).

use std::net::Ipv4Addr;

use super::eth::mac;
use super::pipeline::{Cx, Pipeline};
use super::Layer;
use super::{Base, Value};

fields! {
    ARP = "arp", Protocol, Base::Dec, "Address Resolution Protocol";
    ARP_HW_TYPE = "arp.hw.type", UInt, Base::Dec, "Hardware type";
    ARP_PROTO_TYPE = "arp.proto.type", UInt, Base::Hex(4), "Protocol type";
    ARP_HW_SIZE = "arp.hw.size", UInt, Base::Dec, "Hardware size";
    ARP_PROTO_SIZE = "arp.proto.size", UInt, Base::Dec, "Protocol size";
    ARP_OPCODE = "arp.opcode", UInt, Base::Dec, "Opcode";
    ARP_ISGRATUITOUS = "arp.isgratuitous", Bool, Base::Dec, "Is gratuitous";
    ARP_ISANNOUNCEMENT = "arp.isannouncement", Bool, Base::Dec, "Is announcement";
    ARP_SRC_HW_MAC = "arp.src.hw_mac", Ether, Base::Dec, "Sender MAC address";
    ARP_SRC_PROTO_IPV4 = "arp.src.proto_ipv4", Ipv4, Base::Dec, "Sender IP address";
    ARP_DST_HW_MAC = "arp.dst.hw_mac", Ether, Base::Dec, "Target MAC address";
    ARP_DST_PROTO_IPV4 = "arp.dst.proto_ipv4", Ipv4, Base::Dec, "Target IP address";
}

fn ip4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

impl Pipeline {
    /// Dissect an ARP packet; returns the bytes it claims.
    pub(crate) fn arp(&mut self, cx: &mut Cx<'_>, p: &[u8]) -> usize {
        cx.proto_bytes(&ARP, "arp", p);
        // (named before any read, as tshark does)
        cx.set_columns("ARP");
        if p.len() < 8 {
            cx.malformed(Layer::Link);
            return p.len();
        }
        let hs = usize::from(p[4]);
        let ps = usize::from(p[5]);
        let op = u16::from_be_bytes([p[6], p[7]]);
        cx.d.push(
            &ARP_HW_TYPE,
            Value::UInt(u16::from_be_bytes([p[0], p[1]]).into()),
        );
        cx.d.push(
            &ARP_PROTO_TYPE,
            Value::UInt(u16::from_be_bytes([p[2], p[3]]).into()),
        );
        cx.d.push(&ARP_HW_SIZE, Value::UInt(hs as u64));
        cx.d.push(&ARP_PROTO_SIZE, Value::UInt(ps as u64));
        let need = 8 + 2 * hs + 2 * ps;
        if hs != 6 || ps != 4 {
            cx.d.push(&ARP_OPCODE, Value::UInt(op.into()));
            return need.min(p.len());
        }
        if p.len() < need {
            cx.d.push(&ARP_OPCODE, Value::UInt(op.into()));
            cx.malformed(Layer::Link);
            return p.len();
        }
        let (sha, spa, tha, tpa) = (mac(&p[8..]), ip4(&p[14..]), mac(&p[18..]), ip4(&p[24..]));
        let gratuitous = spa == tpa;
        let announcement = gratuitous && op == 1 && tha == [0; 6];
        if gratuitous {
            cx.d.push(&ARP_ISGRATUITOUS, Value::Bool(true));
            if op == 1 {
                cx.d.push(&ARP_ISANNOUNCEMENT, Value::Bool(announcement));
            }
        }
        cx.d.push(&ARP_OPCODE, Value::UInt(op.into()));
        cx.d.push(&ARP_SRC_HW_MAC, Value::Ether(sha));
        cx.d.push(&ARP_SRC_PROTO_IPV4, Value::Ipv4(spa));
        cx.d.push(&ARP_DST_HW_MAC, Value::Ether(tha));
        cx.d.push(&ARP_DST_PROTO_IPV4, Value::Ipv4(tpa));
        cx.d.info = if announcement {
            format!("ARP Announcement for {spa}")
        } else if gratuitous {
            format!(
                "Gratuitous ARP for {spa} ({})",
                if op == 1 { "Request" } else { "Reply" }
            )
        } else {
            match op {
                1 => format!("Who has {tpa}? Tell {spa}"),
                2 => format!("{spa} is at {}", super::eth::fmt_mac(&sha)),
                _ => format!("ARP opcode {op}"),
            }
        };
        need
    }
}
