//! The one record type that both packet sources hand to the pipeline: the
//! live ring-buffer reader and the capture-file reader.

/// Which way a packet went through the monitored interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received (XDP).
    Ingress,
    /// Sent (TC egress).
    Egress,
}

impl Direction {
    /// Metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// Link-layer header types (`LINKTYPE_*`, tcpdump.org's numbering) that
/// files and live interfaces carry.
pub mod linktype {
    /// `LINKTYPE_NULL`: BSD loopback, 4-byte address family in host byte order.
    pub const LINKTYPE_NULL: u16 = 0;
    /// `LINKTYPE_ETHERNET`.
    pub const LINKTYPE_ETHERNET: u16 = 1;
    /// `DLT_RAW` as most systems number it (raw IP, either version).
    pub const DLT_RAW_12: u16 = 12;
    /// `DLT_RAW` as OpenBSD numbers it.
    pub const DLT_RAW_14: u16 = 14;
    /// `LINKTYPE_RAW`: raw IP, either version.
    pub const LINKTYPE_RAW: u16 = 101;
    /// `LINKTYPE_LOOP`: OpenBSD loopback, address family in network byte order.
    pub const LINKTYPE_LOOP: u16 = 108;
    /// `LINKTYPE_LINUX_SLL`: Linux cooked capture, 16-byte header.
    pub const LINKTYPE_LINUX_SLL: u16 = 113;
    /// `LINKTYPE_IPV4`: raw IPv4.
    pub const LINKTYPE_IPV4: u16 = 228;
    /// `LINKTYPE_IPV6`: raw IPv6.
    pub const LINKTYPE_IPV6: u16 = 229;
    /// `LINKTYPE_LINUX_SLL2`: Linux cooked capture v2, 20-byte header.
    pub const LINKTYPE_LINUX_SLL2: u16 = 276;
}

use linktype::{LINKTYPE_ETHERNET, LINKTYPE_RAW};

/// Interface and section of a frame read from a pcapng file.
#[derive(Clone, Debug)]
pub struct FileInfo {
    /// Section number (from 1).
    pub section: u32,
    /// Interface name (`if_name`), `unknown` when the file has none.
    pub interface_name: std::sync::Arc<str>,
}

/// One packet read from a file, with its interface's link type.
#[derive(Clone, Debug)]
pub struct FilePacket {
    /// The packet.
    pub record: PacketRecord,
    /// Link type of the interface it was captured on.
    pub linktype: u16,
    /// pcapng only: the section number (from 1) and interface name.
    pub pcapng: Option<FileInfo>,
    /// pcapng only: the packet's `epb_flags`, when it has them.
    pub flags: Option<u32>,
    /// The packet's comments (pcapng `opt_comment`), each up to its first
    /// NUL; empty when it has none.
    pub comments: Vec<String>,
    /// Decimal places of the file's timestamps as tshark shows them in
    /// the Time column: 0, 1, 2, 3, 6 or 9 (see `capture::ts_digits`).
    pub ts_digits: u8,
}

/// Link types of monitored interfaces that are not Ethernet, by ifindex
/// (tun and other devices without a link-layer header: raw IP). The daemon
/// sets them when it attaches; sampled frames are dissected and dumped
/// with their interface's link type.
static LIVE_LINK_TYPES: std::sync::RwLock<std::collections::BTreeMap<u32, u16>> =
    std::sync::RwLock::new(std::collections::BTreeMap::new());

/// Record the link type of the live interface `ifindex`.
pub fn set_live_link_type(ifindex: u32, linktype: u16) {
    if let Ok(mut m) = LIVE_LINK_TYPES.write() {
        if linktype == LINKTYPE_ETHERNET {
            m.remove(&ifindex);
        } else {
            m.insert(ifindex, linktype);
        }
    }
}

/// The link type of the live interface `ifindex` (Ethernet unless
/// [`set_live_link_type`] said otherwise).
pub fn live_link_type(ifindex: u32) -> u16 {
    LIVE_LINK_TYPES
        .read()
        .ok()
        .and_then(|m| m.get(&ifindex).copied())
        .unwrap_or(LINKTYPE_ETHERNET)
}

/// The link type of a Linux device type (`/sys/class/net/IF/type`,
/// `ARPHRD_*`): raw IP for devices whose frames start at the IP header
/// (tun and WireGuard: `ARPHRD_NONE`; `ARPHRD_RAWIP`; IP-in-IP, SIT and GRE
/// tunnels), Ethernet otherwise (Ethernet, veth, and loopback, whose
/// frames carry a zeroed Ethernet header).
pub fn link_type_of_arphrd(arphrd: u16) -> u16 {
    match arphrd {
        65534 | 519 | 768 | 769 | 776 | 778 => LINKTYPE_RAW,
        _ => LINKTYPE_ETHERNET,
    }
}

/// The link type of the network device `name` from its device type;
/// Ethernet when it cannot be read.
pub fn link_type_of_device(name: &str) -> u16 {
    std::fs::read_to_string(format!("/sys/class/net/{name}/type"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .map_or(LINKTYPE_ETHERNET, link_type_of_arphrd)
}

/// One captured frame, possibly cut at a snaplen. Live, its link type is
/// its interface's ([`live_link_type`]); from a file, the file's.
#[derive(Clone, Debug)]
pub struct PacketRecord {
    /// Capture time, nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Interface the frame was seen on (capture-file interface id offline,
    /// ifindex live).
    pub iface: u32,
    /// Direction when known (always known live; pcapng may say).
    pub direction: Option<Direction>,
    /// Length of the frame on the wire.
    pub orig_len: u32,
    /// The captured bytes (`data.len() <= orig_len`).
    pub data: Vec<u8>,
}
