//! Cisco Discovery Protocol (LLC/SNAP, Cisco OUI, PID 0x2000): header,
//! checksum and TLVs with the fields, columns and cut-frame handling of
//! tshark 4.0.
//!
//! Values are read where tshark reads them: a TLV whose length is too
//! small for its value reads on into the next TLV, and a read past the
//! end of the packet stops the dissection there (malformed). The
//! EnergyWise TLV is shown as data.

use super::app::util::{be16, be24, be32, ipv4, ipv6, text};
use super::eth::mac;
use super::pipeline::{Cx, Pipeline};
use super::{Base, FieldDef, Layer, Value};

fields! {
    CDP = "cdp", Protocol, Base::Dec, "Cisco Discovery Protocol";
    CDP_VERSION = "cdp.version", UInt, Base::Dec, "Version";
    CDP_TTL = "cdp.ttl", UInt, Base::Dec, "TTL";
    CDP_CHECKSUM = "cdp.checksum", UInt, Base::Hex(4), "Checksum";
    CDP_CHECKSUM_STATUS = "cdp.checksum.status", UInt, Base::Dec, "Checksum Status";
    CDP_TLV_TYPE = "cdp.tlv.type", UInt, Base::Hex(4), "Type";
    CDP_TLV_LEN = "cdp.tlv.len", UInt, Base::Dec, "Length";
    CDP_DEVICEID = "cdp.deviceid", String, Base::Dec, "Device ID";
    CDP_PLATFORM = "cdp.platform", String, Base::Dec, "Platform";
    CDP_PORTID = "cdp.portid", String, Base::Dec, "Sent through Interface";
    CDP_CAPABILITIES = "cdp.capabilities", UInt, Base::Hex(8), "Capabilities";
    CDP_CAP_ROUTER = "cdp.capabilities.router", Bool, Base::Dec, "Router";
    CDP_CAP_TRANS_BRIDGE = "cdp.capabilities.trans_bridge", Bool, Base::Dec, "Transparent Bridge";
    CDP_CAP_SRC_BRIDGE = "cdp.capabilities.src_bridge", Bool, Base::Dec, "Source Route Bridge";
    CDP_CAP_SWITCH = "cdp.capabilities.switch", Bool, Base::Dec, "Switch";
    CDP_CAP_HOST = "cdp.capabilities.host", Bool, Base::Dec, "Host";
    CDP_CAP_IGMP = "cdp.capabilities.igmp_capable", Bool, Base::Dec, "IGMP capable";
    CDP_CAP_REPEATER = "cdp.capabilities.repeater", Bool, Base::Dec, "Repeater";
    CDP_CAP_VOIP_PHONE = "cdp.capabilities.voip_phone", Bool, Base::Dec, "VoIP Phone";
    CDP_CAP_REMOTE = "cdp.capabilities.remote", Bool, Base::Dec, "Remotely Managed Device";
    CDP_CAP_CVTA = "cdp.capabilities.cvta", Bool, Base::Dec, "CVTA/STP Dispute Resolution/Cisco VT Camera";
    CDP_CAP_MAC_RELAY = "cdp.capabilities.mac_relay", Bool, Base::Dec, "Two Port Mac Relay";
    CDP_SPARE_POE = "cdp.spare_poe_tlv", UInt, Base::Hex(2), "Spare Pair PoE";
    CDP_SPARE_POE_POE = "cdp.spare_poe_tlv.poe", Bool, Base::Dec, "PSE Four-Wire PoE";
    CDP_SPARE_POE_ARCH = "cdp.spare_poe_tlv.spare_pair_arch", Bool, Base::Dec, "PD Spare Pair Architecture";
    CDP_SPARE_POE_REQ = "cdp.spare_poe_tlv.req_spare_pair_poe", Bool, Base::Dec, "PD Request Spare Pair PoE";
    CDP_SPARE_POE_PSE = "cdp.spare_poe_tlv.pse_spare_pair_poe", Bool, Base::Dec, "PSE Spare Pair PoE";
    CDP_NUMBER_OF_ADDRESSES = "cdp.number_of_addresses", UInt, Base::Dec, "Number of addresses";
    CDP_ODR_DEFAULT_GATEWAY = "cdp.odr_default_gateway", Ipv4, Base::Dec, "ODR Default gateway";
    CDP_IP_PREFIX = "cdp.ip_prefix", Ipv4, Base::Dec, "IP Prefix";
    CDP_OUI = "cdp.oui", UInt, Base::Dec, "OUI";
    CDP_PROTOCOL_ID = "cdp.protocol_id", UInt, Base::Hex(4), "Protocol ID";
    CDP_CLUSTER_MASTER_IP = "cdp.cluster.master_ip", Ipv4, Base::Dec, "Cluster Master IP";
    CDP_CLUSTER_IP = "cdp.cluster.ip", Ipv4, Base::Dec, "IP?";
    CDP_CLUSTER_VERSION = "cdp.cluster.version", UInt, Base::Hex(2), "Version?";
    CDP_CLUSTER_SUB_VERSION = "cdp.cluster.sub_version", UInt, Base::Hex(2), "Sub Version?";
    CDP_CLUSTER_STATUS = "cdp.cluster.status", UInt, Base::Hex(2), "Status?";
    CDP_CLUSTER_UNKNOWN = "cdp.cluster.unknown", UInt, Base::Hex(2), "UNKNOWN";
    CDP_CLUSTER_COMMANDER_MAC = "cdp.cluster.commander_mac", Ether, Base::Dec, "Cluster Commander MAC";
    CDP_CLUSTER_SWITCH_MAC = "cdp.cluster.switch_mac", Ether, Base::Dec, "Switch's MAC";
    CDP_CLUSTER_MANAGEMENT_VLAN = "cdp.cluster.management_vlan", UInt, Base::Dec, "Management VLAN";
    CDP_HELLO_UNKNOWN = "cdp.hello.unknown", Bytes, Base::Dec, "Unknown";
    CDP_VTP_MANAGEMENT_DOMAIN = "cdp.vtp_management_domain", String, Base::Dec, "VTP Management Domain";
    CDP_NATIVE_VLAN = "cdp.native_vlan", UInt, Base::Dec, "Native VLAN";
    CDP_DUPLEX = "cdp.duplex", Bool, Base::Dec, "Duplex";
    CDP_DATA = "cdp.data", Bytes, Base::Dec, "Data";
    CDP_VOICE_VLAN = "cdp.voice_vlan", UInt, Base::Dec, "Voice VLAN";
    CDP_POWER_CONSUMPTION = "cdp.power_consumption", UInt, Base::Dec, "Power Consumption";
    CDP_MTU = "cdp.mtu", UInt, Base::Dec, "MTU";
    CDP_TRUST_BITMAP = "cdp.trust_bitmap", UInt, Base::Hex(2), "Trust Bitmap";
    CDP_UNTRUSTED_PORT_COS = "cdp.untrusted_port_cos", UInt, Base::Hex(2), "Untrusted port CoS";
    CDP_SYSTEM_NAME = "cdp.system_name", String, Base::Dec, "System Name";
    CDP_SYSTEM_OID = "cdp.system_object_identifier", Bytes, Base::Dec, "System Object Identifier";
    CDP_LOCATION_UNKNOWN = "cdp.location.unknown", UInt, Base::Hex(2), "UNKNOWN";
    CDP_LOCATION = "cdp.location", String, Base::Dec, "Location";
    CDP_REQUEST_ID = "cdp.request_id", UInt, Base::Dec, "Request-ID";
    CDP_MANAGEMENT_ID = "cdp.management_id", UInt, Base::Dec, "Management-ID";
    CDP_POWER_REQUESTED = "cdp.power_requested", UInt, Base::Dec, "Power Requested";
    CDP_POWER_AVAILABLE = "cdp.power_available", UInt, Base::Dec, "Power Available";
    CDP_PROTOCOL = "cdp.protocol", Bytes, Base::Dec, "Protocol";
    CDP_PROTOCOL_TYPE = "cdp.protocol_type", UInt, Base::Hex(2), "Protocol type";
    CDP_PROTOCOL_LENGTH = "cdp.protocol_length", UInt, Base::Dec, "Protocol length";
    CDP_ADDRESS = "cdp.address", Bytes, Base::Dec, "Address";
    CDP_ADDRESS_LENGTH = "cdp.address_length", UInt, Base::Dec, "Address length";
    CDP_IP_ADDRESS = "cdp.nrgyz.ip_address", Ipv4, Base::Dec, "IP Address";
    CDP_IPV6_ADDRESS = "cdp.nrgyz.ipv6_address", Ipv6, Base::Dec, "IPv6 Address";
    CDP_SOFTWARE_VERSION = "cdp.software_version", String, Base::Dec, "Software version";
}

/// The capability bits, lowest first.
static CAPABILITIES: [&FieldDef; 11] = [
    &CDP_CAP_ROUTER,
    &CDP_CAP_TRANS_BRIDGE,
    &CDP_CAP_SRC_BRIDGE,
    &CDP_CAP_SWITCH,
    &CDP_CAP_HOST,
    &CDP_CAP_IGMP,
    &CDP_CAP_REPEATER,
    &CDP_CAP_VOIP_PHONE,
    &CDP_CAP_REMOTE,
    &CDP_CAP_CVTA,
    &CDP_CAP_MAC_RELAY,
];

/// The Spare Pair PoE bits, lowest first.
static SPARE_POE: [&FieldDef; 4] = [
    &CDP_SPARE_POE_POE,
    &CDP_SPARE_POE_ARCH,
    &CDP_SPARE_POE_REQ,
    &CDP_SPARE_POE_PSE,
];

/// Protocol ID of the cluster management hello.
const HELLO_CLUSTER: u16 = 0x0112;

/// CDP's checksum of a whole packet: the Internet checksum, except that
/// an odd last byte is summed as the low byte of a word (less one, with a
/// high byte of 0xff, when its top bit is set: the sender's sign error).
/// Zero when the packet's checksum is right.
fn checksum(p: &[u8]) -> u16 {
    let even = p.len() & !1;
    let mut sum = super::icmp::inet_sum(0, &p[..even]);
    if let Some(&last) = p.get(even) {
        sum += if last & 0x80 != 0 {
            0xff00 | u32::from(last - 1)
        } else {
            u32::from(last)
        };
    }
    super::icmp::fold(sum)
}

/// Text of a string as tshark formats it for a label or column: up to the
/// first NUL byte.
fn stringz(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    text(&b[..end])
}

/// `b[from..to]`, if those bytes are there (`None` also when `to < from`).
fn span(b: &[u8], from: usize, to: usize) -> Option<&[u8]> {
    b.get(from..to)
}

/// Push a string field of the bytes `p[from..to]`.
fn push_str(cx: &mut Cx<'_>, f: &'static FieldDef, p: &[u8], from: usize, to: usize) -> Option<()> {
    let b = span(p, from, to)?;
    cx.d.push(f, Value::Str(stringz(b)));
    Some(())
}

/// Push an integer field, if it could be read.
fn push_uint<T: Into<u64>>(cx: &mut Cx<'_>, f: &'static FieldDef, v: Option<T>) -> Option<()> {
    cx.d.push(f, Value::UInt(v?.into()));
    Some(())
}

/// Push a bytes field of `p[from..to]`.
fn push_bytes(
    cx: &mut Cx<'_>,
    f: &'static FieldDef,
    p: &[u8],
    from: usize,
    to: usize,
) -> Option<()> {
    let b = span(p, from, to)?;
    cx.d.push(f, cx.d.bytes(f, b));
    Some(())
}

/// The lines of a multi-line string (ended by CR, LF or CR LF), each
/// without its end of line.
fn lines(mut b: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if b.is_empty() {
            return None;
        }
        let Some(eol) = b.iter().position(|&c| c == b'\n' || c == b'\r') else {
            let line = b;
            b = &[];
            return Some(line);
        };
        let line = &b[..eol];
        let skip = if b[eol] == b'\r' && b.get(eol + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        b = &b[eol + skip..];
        Some(line)
    })
}

impl Pipeline {
    /// Dissect a CDP packet of which `p` was captured and `reported`
    /// bytes were sent.
    pub(crate) fn cdp(&mut self, cx: &mut Cx<'_>, p: &[u8], reported: usize) {
        cx.proto_bytes(&CDP, "cdp", p);
        cx.d.protocol = "CDP".into();
        cx.d.info.clear();
        let Some(&version) = p.first() else {
            return cx.malformed(Layer::Link);
        };
        cx.d.push(&CDP_VERSION, Value::UInt(version.into()));
        let Some(&ttl) = p.get(1) else {
            return cx.malformed(Layer::Link);
        };
        cx.d.push(&CDP_TTL, Value::UInt(ttl.into()));
        // The checksum covers every byte sent: none is shown when some
        // were not captured.
        let Some(sum) = be16(p, 2).filter(|_| p.len() >= reported) else {
            return cx.malformed(Layer::Link);
        };
        cx.d.push(&CDP_CHECKSUM, Value::UInt(sum.into()));
        let good = checksum(p) == 0;
        cx.d.push(&CDP_CHECKSUM_STATUS, Value::UInt(good.into()));
        let mut off = 4;
        while off < p.len() {
            match tlv(cx, p, off) {
                Some(Tlv::Next(next)) => off = next,
                Some(Tlv::Last(next)) => {
                    off = next;
                    break;
                }
                Some(Tlv::End) => return,
                None => return cx.malformed(Layer::Link),
            }
        }
        match p.get(off..) {
            Some(rest) => self.data(cx, rest),
            None => cx.malformed(Layer::Link),
        }
    }
}

/// What a TLV leaves for the next.
enum Tlv {
    /// Go on at this offset.
    Next(usize),
    /// Stop the TLVs; what follows this offset is data.
    Last(usize),
    /// Stop the packet.
    End,
}

/// Dissect the TLV at `off` (`None` when a read runs past the end).
fn tlv(cx: &mut Cx<'_>, p: &[u8], off: usize) -> Option<Tlv> {
    let (ty, len) = (be16(p, off)?, be16(p, off + 2)?);
    if len < 4 {
        push_type_len(cx, ty, len);
        return Some(Tlv::Last(off + 4));
    }
    let end = off + usize::from(len);
    let v = off + 4;
    let next = match ty {
        0x0001 => device_id(cx, p, off, ty, len),
        0x0003 => port_id(cx, p, off, ty, len),
        0x0002 | 0x0016 => addresses(cx, p, off, ty, len),
        0x0004 => {
            push_type_len(cx, ty, len);
            if len >= 8 {
                capabilities(cx, p, v)?;
            }
            Some(end)
        }
        0x0005 => {
            push_type_len(cx, ty, len);
            span(p, v, end).map(|b| {
                for line in lines(b) {
                    cx.d.push(&CDP_SOFTWARE_VERSION, Value::Str(stringz(line)));
                }
                end
            })
        }
        // (the HP access point strings are shown as the platform)
        0x0006 | 0x1000..=0x1003 | 0x1006..=0x100d => {
            // tshark formats the text for the TLV's label first.
            span(p, v, end)?;
            push_type_len(cx, ty, len);
            if ty != 0x1002 || len > 4 {
                push_str(cx, &CDP_PLATFORM, p, v, end);
            }
            Some(end)
        }
        0x0007 => ip_prefixes(cx, p, off, ty, len),
        0x0008 => hello(cx, p, off, ty, len),
        0x0009 => labelled_str(cx, p, off, ty, len, &CDP_VTP_MANAGEMENT_DOMAIN),
        0x0014 => labelled_str(cx, p, off, ty, len, &CDP_SYSTEM_NAME),
        0x000a => labelled_uint(cx, ty, len, &CDP_NATIVE_VLAN, be16(p, v), end),
        0x000b => {
            let duplex = p.get(v)?;
            push_type_len(cx, ty, len);
            cx.d.push(&CDP_DUPLEX, Value::Bool(*duplex != 0));
            Some(end)
        }
        0x000e | 0x000f => voip_vlan(cx, p, off, ty, len),
        0x0010 => labelled_uint(cx, ty, len, &CDP_POWER_CONSUMPTION, be16(p, v), end),
        0x0011 => labelled_uint(cx, ty, len, &CDP_MTU, be32(p, v), end),
        0x0012 => labelled_uint(cx, ty, len, &CDP_TRUST_BITMAP, p.get(v).copied(), end),
        0x0013 => labelled_uint(cx, ty, len, &CDP_UNTRUSTED_PORT_COS, p.get(v).copied(), end),
        0x0015 => {
            push_type_len(cx, ty, len);
            push_bytes(cx, &CDP_SYSTEM_OID, p, v, end).map(|()| end)
        }
        0x0017 => {
            span(p, v + 1, end)?;
            push_type_len(cx, ty, len);
            push_uint(cx, &CDP_LOCATION_UNKNOWN, p.get(v).copied())?;
            push_str(cx, &CDP_LOCATION, p, v + 1, end).map(|()| end)
        }
        0x0019 => power_list(cx, p, off, ty, len, &CDP_POWER_REQUESTED),
        0x001a => power_list(cx, p, off, ty, len, &CDP_POWER_AVAILABLE),
        0x001f => {
            push_type_len(cx, ty, len);
            if len > 4 {
                let bits = *p.get(v)?;
                cx.d.push(&CDP_SPARE_POE, Value::UInt(bits.into()));
                for (i, f) in SPARE_POE.iter().enumerate() {
                    cx.d.push(f, Value::Bool(bits & (1 << i) != 0));
                }
            }
            Some(end)
        }
        _ => {
            push_type_len(cx, ty, len);
            if len == 4 {
                // tshark ends the packet here, without showing what follows.
                return Some(Tlv::End);
            }
            push_bytes(cx, &CDP_DATA, p, v, end).map(|()| end)
        }
    }?;
    Some(Tlv::Next(next))
}

fn push_type_len(cx: &mut Cx<'_>, ty: u16, len: u16) {
    cx.d.push(&CDP_TLV_TYPE, Value::UInt(ty.into()));
    cx.d.push(&CDP_TLV_LEN, Value::UInt(len.into()));
}

/// Device ID: also the first part of the Info column.
fn device_id(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    let end = off + usize::from(len);
    let id = stringz(span(p, off + 4, end)?);
    cx.d.info.push_str(&format!("Device ID: {id}  "));
    push_type_len(cx, ty, len);
    push_str(cx, &CDP_DEVICEID, p, off + 4, end)?;
    Some(end)
}

/// Port ID: also in the Info column. tshark takes the TLV to be 3 bytes
/// longer than its length says when the byte after it is not zero (the
/// high byte of the next TLV's type).
fn port_id(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    let len_ = usize::from(len);
    let mut end = off + len_;
    let id = stringz(span(p, off + 4, end)?);
    if p.len().saturating_sub(off) >= len_ + 3 && p.get(end).is_some_and(|&b| b != 0) {
        end += 3;
    }
    cx.d.info.push_str(&format!("Port ID: {id}  "));
    push_type_len(cx, ty, len);
    push_str(cx, &CDP_PORTID, p, off + 4, end)?;
    Some(end)
}

/// Addresses and Management Addresses: a count, then protocol/address
/// records as long as they fit in the TLV.
fn addresses(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    push_type_len(cx, ty, len);
    let count = be32(p, off + 4)?;
    cx.d.push(&CDP_NUMBER_OF_ADDRESSES, Value::UInt(count.into()));
    let mut at = off + 8;
    // (tshark's 16-bit length wraps when the TLV is shorter than its count)
    let mut left = usize::from(len.wrapping_sub(8));
    for _ in 0..count {
        match address(cx, p, at, left)? {
            Some(n) => {
                at += n;
                left -= n;
            }
            None => break,
        }
    }
    Some(at + left)
}

/// One address record at `off` with `left` bytes left in its TLV: its
/// length, `Some(None)` when it does not fit (what fits is shown).
fn address(cx: &mut Cx<'_>, p: &[u8], off: usize, left: usize) -> Option<Option<usize>> {
    if left < 2 {
        if left == 1 {
            push_uint(cx, &CDP_PROTOCOL_TYPE, p.get(off).copied())?;
        }
        return Some(None);
    }
    let (&pt, &pl) = (p.get(off)?, p.get(off + 1)?);
    cx.d.push(&CDP_PROTOCOL_TYPE, Value::UInt(pt.into()));
    cx.d.push(&CDP_PROTOCOL_LENGTH, Value::UInt(pl.into()));
    let (pl, mut left, at) = (usize::from(pl), left - 2, off + 2);
    if left < pl {
        if left > 0 {
            push_bytes(cx, &CDP_PROTOCOL, p, at, at + left)?;
        }
        return Some(None);
    }
    push_bytes(cx, &CDP_PROTOCOL, p, at, at + pl)?;
    // IPv4 by its NLPID, IPv6 by its 802.2 SNAP header.
    let proto = p.get(at..at + pl);
    let is_ipv4 = pt == 1 && proto == Some(&[0xcc]);
    let is_ipv6 = pt == 2 && proto == Some(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd]);
    left -= pl;
    let at = at + pl;
    if left < 2 {
        return Some(None);
    }
    let al = be16(p, at)?;
    cx.d.push(&CDP_ADDRESS_LENGTH, Value::UInt(al.into()));
    let (al, left, at) = (usize::from(al), left - 2, at + 2);
    if left < al {
        if left > 0 {
            push_bytes(cx, &CDP_ADDRESS, p, at, at + left)?;
        }
        return Some(None);
    }
    if is_ipv4 && al == 4 {
        cx.d.push(&CDP_IP_ADDRESS, Value::Ipv4(ipv4(p, at)?));
    } else if is_ipv6 && al == 16 {
        cx.d.push(&CDP_IPV6_ADDRESS, Value::Ipv6(ipv6(p, at)?));
    } else {
        push_bytes(cx, &CDP_ADDRESS, p, at, at + al)?;
    }
    Some(Some(2 + pl + 2 + al))
}

/// Capabilities: a 32-bit mask and its bits.
fn capabilities(cx: &mut Cx<'_>, p: &[u8], off: usize) -> Option<()> {
    let caps = be32(p, off)?;
    cx.d.push(&CDP_CAPABILITIES, Value::UInt(caps.into()));
    for (i, f) in CAPABILITIES.iter().enumerate() {
        cx.d.push(f, Value::Bool(caps & (1 << i) != 0));
    }
    Some(())
}

/// IP Prefix/Gateway (ODR): one default gateway when the TLV holds 4
/// bytes, else prefixes of 5 bytes (address, length) while bytes are left.
fn ip_prefixes(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    if len == 8 {
        let gw = ipv4(p, off + 4)?;
        push_type_len(cx, ty, len);
        cx.d.push(&CDP_ODR_DEFAULT_GATEWAY, Value::Ipv4(gw));
        return Some(off + 8);
    }
    push_type_len(cx, ty, len);
    let mut at = off + 4;
    // (a count that is not a multiple of 5 wraps, as tshark's does, and
    // the prefixes run on until the packet ends)
    let mut left = len - 4;
    while left > 0 {
        let a = ipv4(p, at)?;
        p.get(at + 4)?;
        // tshark 4.0 gives the field the address read as a host-order
        // number: on the little-endian machines it runs on, the octets
        // come out reversed (its label shows them in order).
        let mut o = a.octets();
        o.reverse();
        cx.d.push(&CDP_IP_PREFIX, Value::Ipv4(o.into()));
        at += 5;
        left = left.wrapping_sub(5);
    }
    Some(at)
}

/// Protocol Hello: OUI, protocol ID and, for cluster management, its fields.
fn hello(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    let proto = be16(p, off + 7)?;
    push_type_len(cx, ty, len);
    push_uint(cx, &CDP_OUI, be24(p, off + 4))?;
    cx.d.push(&CDP_PROTOCOL_ID, Value::UInt(proto.into()));
    let end = off + usize::from(len);
    if proto != HELLO_CLUSTER {
        // (a TLV of 8 bytes shows the rest of the packet)
        let to = if len == 8 { p.len() } else { end };
        push_bytes(cx, &CDP_HELLO_UNKNOWN, p, off + 9, to)?;
        return Some(end);
    }
    let ip = |at: usize| ipv4(p, off + at).map(Value::Ipv4);
    let byte = |at: usize| p.get(off + at).map(|&b| Value::UInt(b.into()));
    let ether = |at: usize| span(p, off + at, off + at + 6).map(|b| Value::Ether(mac(b)));
    for (f, v) in [
        (&CDP_CLUSTER_MASTER_IP, ip(9)),
        (&CDP_CLUSTER_IP, ip(13)),
        (&CDP_CLUSTER_VERSION, byte(17)),
        (&CDP_CLUSTER_SUB_VERSION, byte(18)),
        (&CDP_CLUSTER_STATUS, byte(19)),
        (&CDP_CLUSTER_UNKNOWN, byte(20)),
        (&CDP_CLUSTER_COMMANDER_MAC, ether(21)),
        (&CDP_CLUSTER_SWITCH_MAC, ether(27)),
        (&CDP_CLUSTER_UNKNOWN, byte(33)),
        (
            &CDP_CLUSTER_MANAGEMENT_VLAN,
            be16(p, off + 34).map(|v| Value::UInt(v.into())),
        ),
    ] {
        cx.d.push(f, v?);
    }
    Some(end)
}

/// A TLV holding one string, whose text tshark formats for its label
/// before it shows any field.
fn labelled_str(
    cx: &mut Cx<'_>,
    p: &[u8],
    off: usize,
    ty: u16,
    len: u16,
    f: &'static FieldDef,
) -> Option<usize> {
    let end = off + usize::from(len);
    span(p, off + 4, end)?;
    push_type_len(cx, ty, len);
    push_str(cx, f, p, off + 4, end)?;
    Some(end)
}

/// A TLV holding one number, read for its label before any field is shown.
fn labelled_uint<T: Into<u64>>(
    cx: &mut Cx<'_>,
    ty: u16,
    len: u16,
    f: &'static FieldDef,
    v: Option<T>,
    end: usize,
) -> Option<usize> {
    let v = v?;
    push_type_len(cx, ty, len);
    cx.d.push(f, Value::UInt(v.into()));
    Some(end)
}

/// VoIP VLAN Reply/Query: one byte of data, then the VLAN when the TLV
/// is long enough.
fn voip_vlan(cx: &mut Cx<'_>, p: &[u8], off: usize, ty: u16, len: u16) -> Option<usize> {
    let vlan = if len >= 7 {
        Some(be16(p, off + 5)?)
    } else {
        None
    };
    push_type_len(cx, ty, len);
    push_bytes(cx, &CDP_DATA, p, off + 4, off + 5)?;
    if let Some(v) = vlan {
        cx.d.push(&CDP_VOICE_VLAN, Value::UInt(v.into()));
    }
    Some(off + usize::from(len))
}

/// Power Requested/Available: request and management IDs, then 32-bit
/// power values (tshark's count of the bytes left is 32 bits and wraps).
fn power_list(
    cx: &mut Cx<'_>,
    p: &[u8],
    off: usize,
    ty: u16,
    len: u16,
    f: &'static FieldDef,
) -> Option<usize> {
    push_type_len(cx, ty, len);
    push_uint(cx, &CDP_REQUEST_ID, be16(p, off + 4))?;
    push_uint(cx, &CDP_MANAGEMENT_ID, be16(p, off + 6))?;
    let mut left = u32::from(len).wrapping_sub(8);
    let mut at = off + 8;
    // (a last value of fewer than 4 bytes is skipped)
    while left > 0 {
        if left < 4 {
            return Some(at + left as usize);
        }
        push_uint(cx, f, be32(p, at))?;
        left -= 4;
        at += 4;
    }
    Some(at)
}
