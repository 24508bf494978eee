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

/// Link types of monitored interfaces that are not Ethernet, by ifindex
/// (tun and other devices without a link-layer header: raw IP). The daemon
/// sets them when it attaches; sampled frames are dissected and dumped
/// with their interface's link type.
static LIVE_LINK_TYPES: std::sync::RwLock<std::collections::BTreeMap<u32, u16>> =
    std::sync::RwLock::new(std::collections::BTreeMap::new());

/// Record the link type of the live interface `ifindex`.
pub fn set_live_link_type(ifindex: u32, linktype: u16) {
    if let Ok(mut m) = LIVE_LINK_TYPES.write() {
        if linktype == crate::dissect::link::LINKTYPE_ETHERNET {
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
        .unwrap_or(crate::dissect::link::LINKTYPE_ETHERNET)
}

/// The link type of a Linux device type (`/sys/class/net/IF/type`,
/// `ARPHRD_*`): raw IP for devices whose frames start at the IP header
/// (tun and WireGuard: `ARPHRD_NONE`; `ARPHRD_RAWIP`; IP-in-IP, SIT and GRE
/// tunnels), Ethernet otherwise (Ethernet, veth, and loopback, whose
/// frames carry a zeroed Ethernet header).
pub fn link_type_of_arphrd(arphrd: u16) -> u16 {
    match arphrd {
        65534 | 519 | 768 | 769 | 776 | 778 => crate::dissect::link::LINKTYPE_RAW,
        _ => crate::dissect::link::LINKTYPE_ETHERNET,
    }
}

/// The link type of the network device `name` from its device type;
/// Ethernet when it cannot be read.
pub fn link_type_of_device(name: &str) -> u16 {
    std::fs::read_to_string(format!("/sys/class/net/{name}/type"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .map_or(crate::dissect::link::LINKTYPE_ETHERNET, link_type_of_arphrd)
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
