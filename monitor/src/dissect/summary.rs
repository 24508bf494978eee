//! The one-line text of a protocol's tree item, which `tshark -e tcp`
//! prints for a protocol field (`Transmission Control Protocol, Src Port:
//! 80, Dst Port: 1234, Seq: 1, Ack: 1, Len: 0`), made from the fields the
//! layer carries. A protocol whose dissector gives its item no text of its
//! own shows its filter name, as tshark does (`icmp`, `http`).

use std::fmt::Write;

use super::format::{write_mac, write_value};
use super::{Dissection, Field, FieldType, Value};

/// The fields [`write()`] reads for the protocol `name` (besides the
/// protocol itself): a consumer that reads only some fields must read
/// these too.
pub fn needs(name: &str) -> &'static [&'static str] {
    match name {
        "frame" => &[
            "frame.number",
            "frame.len",
            "frame.cap_len",
            "frame.interface_id",
            "frame.interface_name",
            "frame.packet_flags_direction",
        ],
        "eth" => &["eth.src", "eth.dst", "eth.len"],
        "vlan" => &["vlan.priority", "vlan.dei", "vlan.id"],
        "ieee8021ad" => &["ieee8021ad.id"],
        "sll" => &["sll.ifindex"],
        "arp" => &["arp.opcode", "arp.isgratuitous", "arp.isannouncement"],
        "ip" => &["ip.src", "ip.dst"],
        "ipv6" => &["ipv6.src", "ipv6.dst"],
        "udp" => &["udp.srcport", "udp.dstport"],
        "tcp" => &[
            "tcp.srcport",
            "tcp.dstport",
            "tcp.seq",
            "tcp.ack",
            "tcp.flags.ack",
            "tcp.len",
        ],
        "dns" | "mdns" | "llmnr" => &["dns.flags.response"],
        "data" => &["data.data"],
        "dhcp" => &["dhcp.option.dhcp"],
        "bgp" => &["bgp.type"],
        _ => &[],
    }
}

/// The fields of the layer whose protocol item is `d.fields[at]`: those
/// after it up to the next protocol.
fn layer(d: &Dissection, at: usize) -> &[Field] {
    let rest = d.fields.get(at + 1..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|f| f.def.ty == FieldType::Protocol)
        .unwrap_or(rest.len());
    &rest[..end]
}

fn find<'a>(fields: &'a [Field], name: &str) -> Option<&'a Value> {
    fields.iter().find(|f| f.def.name == name).map(|f| &f.value)
}

/// Append `, {label}: {value}` when the field is there.
fn part(out: &mut String, fields: &[Field], label: &str, name: &str) {
    if let Some(f) = fields.iter().find(|f| f.def.name == name) {
        out.push_str(", ");
        out.push_str(label);
        out.push_str(": ");
        write_value(out, f.def, &f.value);
    }
}

fn uint(v: Option<&Value>) -> Option<u64> {
    match v {
        Some(Value::UInt(n)) => Some(*n),
        _ => None,
    }
}

fn flag(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}

/// `Src: HonHaiPr_6e:8b:24 (00:16:ce:6e:8b:24)`.
fn mac_part(out: &mut String, label: &str, v: Option<&Value>) {
    if let Some(Value::Ether(m)) = v {
        let _ = write!(out, ", {label}: {} (", super::names::mac_name(m));
        write_mac(out, m);
        out.push(')');
    }
}

/// Append the text of the protocol item `d.fields[at]`.
pub fn write(out: &mut String, d: &Dissection, at: usize) {
    let Some(item) = d.fields.get(at) else { return };
    let def = item.def;
    let fields = layer(d, at);
    match def.name {
        "frame" => {
            // The interface fields come after the frame's dissection.
            let all = &d.fields[..];
            let n = uint(find(all, "frame.number")).unwrap_or(0);
            let len = uint(find(all, "frame.len")).unwrap_or(0);
            let cap = uint(find(all, "frame.cap_len")).unwrap_or(0);
            let _ = write!(
                out,
                "Frame {n}: {len} bytes on wire ({} bits), {cap} bytes captured ({} bits)",
                len * 8,
                cap * 8
            );
            if let Some(id) = uint(find(all, "frame.interface_id")) {
                out.push_str(" on interface ");
                if let Some(Value::Str(name)) = find(all, "frame.interface_name") {
                    out.push_str(name);
                }
                let _ = write!(out, ", id {id}");
            }
            match uint(find(all, "frame.packet_flags_direction")) {
                Some(1) => out.push_str(" (inbound)"),
                Some(2) => out.push_str(" (outbound)"),
                _ => {}
            }
        }
        "eth" if find(fields, "eth.len").is_some() => out.push_str("IEEE 802.3 Ethernet "),
        "eth" => {
            out.push_str("Ethernet II");
            mac_part(out, "Src", find(fields, "eth.src"));
            mac_part(out, "Dst", find(fields, "eth.dst"));
        }
        "vlan" => {
            out.push_str("802.1Q Virtual LAN");
            part(out, fields, "PRI", "vlan.priority");
            part(out, fields, "DEI", "vlan.dei");
            part(out, fields, "ID", "vlan.id");
        }
        "sll" => {
            // (only version 2 has an interface index)
            let v = if find(fields, "sll.ifindex").is_some() {
                2
            } else {
                1
            };
            let _ = write!(out, "Linux cooked capture v{v}");
        }
        "ieee8021ad" => {
            out.push_str("IEEE 802.1ad");
            part(out, fields, "ID", "ieee8021ad.id");
        }
        "arp" => {
            let Some(op) = uint(find(fields, "arp.opcode")) else {
                out.push_str(def.name);
                return;
            };
            let gratuitous = flag(find(fields, "arp.isgratuitous"));
            let text = if flag(find(fields, "arp.isannouncement")) {
                Some("ARP Announcement")
            } else {
                match op {
                    1 if gratuitous => Some("request/gratuitous ARP"),
                    2 if gratuitous => Some("reply/gratuitous ARP"),
                    1 => Some("request"),
                    2 => Some("reply"),
                    3 => Some("reverse request"),
                    4 => Some("reverse reply"),
                    8 => Some("inverse request"),
                    9 => Some("inverse reply"),
                    _ => None,
                }
            };
            match text {
                Some(t) => {
                    let _ = write!(out, "Address Resolution Protocol ({t})");
                }
                None => {
                    let _ = write!(out, "Address Resolution Protocol (opcode 0x{op:04x})");
                }
            }
        }
        "stp" => out.push_str("Spanning Tree Protocol"),
        "ip" => {
            out.push_str(def.desc);
            part(out, fields, "Src", "ip.src");
            part(out, fields, "Dst", "ip.dst");
        }
        "ipv6" => {
            out.push_str(def.desc);
            part(out, fields, "Src", "ipv6.src");
            part(out, fields, "Dst", "ipv6.dst");
        }
        "udp" => {
            out.push_str(def.desc);
            part(out, fields, "Src Port", "udp.srcport");
            part(out, fields, "Dst Port", "udp.dstport");
        }
        "tcp" => {
            out.push_str(def.desc);
            part(out, fields, "Src Port", "tcp.srcport");
            part(out, fields, "Dst Port", "tcp.dstport");
            part(out, fields, "Seq", "tcp.seq");
            if flag(find(fields, "tcp.flags.ack")) {
                part(out, fields, "Ack", "tcp.ack");
            }
            part(out, fields, "Len", "tcp.len");
        }
        "dns" | "mdns" | "llmnr" => {
            out.push_str(def.desc);
            match find(fields, "dns.flags.response") {
                Some(Value::Bool(true)) => out.push_str(" (response)"),
                Some(Value::Bool(false)) => out.push_str(" (query)"),
                _ => {}
            }
        }
        "dhcp" => {
            out.push_str(def.desc);
            let name = match uint(find(fields, "dhcp.option.dhcp")) {
                Some(1) => "Discover",
                Some(2) => "Offer",
                Some(3) => "Request",
                Some(4) => "Decline",
                Some(5) => "ACK",
                Some(6) => "NAK",
                Some(7) => "Release",
                Some(8) => "Inform",
                Some(9) => "Force Renew",
                Some(10) => "Lease query",
                Some(11) => "Lease Unassigned",
                Some(12) => "Lease Unknown",
                Some(13) => "Lease Active",
                _ => return,
            };
            let _ = write!(out, " ({name})");
        }
        "bgp" => {
            // tshark has an item per BGP message, this dissection one per
            // segment: a segment with several messages shows the first.
            out.push_str(def.desc);
            let name = match uint(find(fields, "bgp.type")) {
                Some(1) => "OPEN",
                Some(2) => "UPDATE",
                Some(3) => "NOTIFICATION",
                Some(4) => "KEEPALIVE",
                Some(5) => "ROUTE-REFRESH",
                Some(6) => "CAPABILITY",
                _ => return,
            };
            let _ = write!(out, " - {name} Message");
        }
        // tshark shows the bytes of a data item.
        "data" => match find(fields, "data.data") {
            Some(Value::Bytes(b)) => super::format::write_hex(out, b),
            _ => out.push_str(def.name),
        },
        _ => out.push_str(def.name),
    }
}
